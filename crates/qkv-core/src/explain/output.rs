//! Explanations of the output: the logits of the tied projection.

use super::*;

pub(super) fn logits(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the decoder's last output")?;
    let e_name = c.input(1, "the embedding table").unwrap_or("embed.E");
    let model = c.needs_model("the token embeddings (the tied output projection)")?;
    if x_step.kind() == StepKind::Logits {
        return logits_bias(c, x_step);
    }
    let vocab = &c.trace.tokens().vocab;
    let token = vocab.get(col).map(String::as_str).ok_or_else(|| {
        c.inconsistent(format!(
            "the vocabulary has {} tokens, no column {col}",
            vocab.len()
        ))
    })?;
    let x = c.row(x_step, None, i)?;
    // The table the forward pass used (a trained model's embed.E, else the seeded vectors).
    let e = match model {
        ModelRef::Paper(m) => m.embedding_row(vocab, col),
        // The column is the vocabulary id: row `col` of the shared table.
        ModelRef::Marian(_) | ModelRef::Gpt2(_) | ModelRef::Bert(_) => model
            .weights()
            .matrix(crate::model::weights::EMBEDDING)
            .ok()
            .filter(|t| col < t.nrows())
            .map(|t| t.row(col).to_owned()),
    }
    .ok_or_else(|| c.inconsistent(format!("the embedding table has no row {col}")))?;
    if e.len() != x.len() {
        return Err(c.inconsistent(format!(
            "{} has {} columns but E[{token}] has {} values",
            x_step.name(),
            x.len(),
            e.len()
        )));
    }
    let (line, r) = c.dot_line(
        &format!("x · E[{token}]"),
        &x,
        e.as_slice().unwrap_or(&[]),
        c.value,
    );
    Ok(Body {
        title: c.t(ExplainText::LogitsTitle {
            label: c.row_label(i).into(),
            i,
            token: token.to_string(),
            col,
        }),
        formula: c.t(ExplainText::LogitsFormula {
            short: c.short().into(),
            x_name: x_step.name().into(),
        }),
        lines: vec![
            c.t(ExplainText::LogitsOperands {
                x_ref: row_ref(x_step, None, i),
                label: c.row_label(i).into(),
                token: token.to_string(),
                e_name: e_name.to_string(),
                col,
            }),
            line,
        ],
        recomputed: Some(r),
    })
}

/// Marian's `logits = logits_tied + final_logits_bias`: one bias per vocabulary entry.
fn logits_bias(c: &Ctx<'_>, tied: &Step) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let t = c.at(tied, None, i, col)?;
    let (b_name, b) = c.weight_vector(1, "the final logits bias")?;
    let b = c.weight_at(b_name, b, col)?;
    let token = c.col_label(col);
    Ok(Body {
        title: c.t(ExplainText::LogitsBiasTitle {
            label: c.row_label(i).into(),
            i,
            token: token.into(),
            col,
        }),
        formula: format!("{}[i][c] = {}[i][c] + {b_name}[c]", c.short(), tied.name()),
        lines: vec![
            format!(
                "{} + {b_name}[{col}] = {} + {} = {}",
                cell_ref(tied, None, i, col),
                c.op(t),
                c.op(b),
                c.num(c.value)
            ),
            c.t(ExplainText::LogitsBiasNote {
                token: token.into(),
                b: c.num(b),
            }),
        ],
        recomputed: Some(t + b),
    })
}
