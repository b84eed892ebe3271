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
        ModelRef::Marian(crate::hf::MarianModel { weights, .. })
        | ModelRef::Bert(crate::hf::bert::BertModel { weights, .. }) => weights
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
    if c.lang == crate::i18n::Lang::Ko {
        return Ok(Body {
            title: format!(
                "로짓(logit): {} (행 {i}) 자리에서 어휘 토큰 {token} (열 {col})의 점수",
                c.row_label(i)
            ),
            formula: format!(
                "{}[i][c] = x[i] · E[vocab_c] (출력 투영은 임베딩과 공유), x = {}",
                c.short(),
                x_step.name()
            ),
            lines: vec![
                format!(
                    "x = {} ({}), E[{token}] = {e_name}의 행 {col}: {token}의 임베딩",
                    row_ref(x_step, None, i),
                    c.row_label(i)
                ),
                line,
            ],
            recomputed: Some(r),
        });
    }
    Ok(Body {
        title: format!(
            "score of the vocabulary token {token} (column {col}) at {} (row {i})",
            c.row_label(i)
        ),
        formula: format!(
            "{}[i][c] = x[i] · E[vocab_c] (output projection tied to the embeddings), x = {}",
            c.short(),
            x_step.name()
        ),
        lines: vec![
            format!(
                "x = {} ({}), E[{token}] = row {col} of {e_name}: the embedding of {token}",
                row_ref(x_step, None, i),
                c.row_label(i)
            ),
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
    let ko = c.lang == crate::i18n::Lang::Ko;
    Ok(Body {
        title: if ko {
            format!(
                "로짓(logit) + 편향: {} (행 {i}) 자리에서 어휘 토큰 {token} (열 {col})의 점수",
                c.row_label(i)
            )
        } else {
            format!(
                "score of the vocabulary token {token} (column {col}) at {} (row {i}), with its bias",
                c.row_label(i)
            )
        },
        formula: format!("{}[i][c] = {}[i][c] + {b_name}[c]", c.short(), tied.name()),
        lines: vec![
            format!(
                "{} + {b_name}[{col}] = {} + {} = {}",
                cell_ref(tied, None, i, col),
                c.op(t),
                c.op(b),
                c.num(c.value)
            ),
            if ko {
                format!(
                    "Marian은 어휘 항목마다 편향 하나를 더합니다 (final_logits_bias). 논문에는 없습니다. {token}의 편향은 {}입니다",
                    c.num(b)
                )
            } else {
                format!(
                    "Marian adds one bias per vocabulary entry (final_logits_bias); the paper has none. {token}'s is {}",
                    c.num(b)
                )
            },
        ],
        recomputed: Some(t + b),
    })
}
