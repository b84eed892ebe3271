//! Explanations of what an attention block does with its weights: the weighted sum of V per
//! head, the heads side by side (concat), and the output projection W_O.

use super::*;

pub(super) fn head_out(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let w_step = c.input_step(0, "the attention weights")?;
    let v_step = c.input_step(1, "the values")?;
    let w = c.row(w_step, c.cell.head, i)?;
    let v = c.col(v_step, c.cell.head, col)?;
    if w.len() != v.len() {
        return Err(c.inconsistent(format!(
            "a weight row has {} entries but a value column has {}",
            w.len(),
            v.len()
        )));
    }
    let token = c.row_label(i);
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let head_text = c.head_text();
    let v_ref = match v_step.heads().and(c.cell.head) {
        Some(h) => format!("{}[{h}][:, {col}]", v_step.name()),
        None => format!("{}[:, {col}]", v_step.name()),
    };
    let (line, r) = c.dot_line(
        &format!("Σ_j weights[{i}][j] × v[j][{col}]"),
        &w,
        &v,
        c.value,
    );
    Ok(Body {
        title: c.t(ExplainText::HeadOutTitle {
            token: token.into(),
            i,
            head: head_text,
            col,
        }),
        formula: format!(
            "{}{hh}[i][c] = Σ_j weights{hh}[i][j] × v{hh}[j][c]",
            c.short()
        ),
        lines: vec![
            c.t(ExplainText::HeadOutWeights {
                w_ref: row_ref(w_step, c.cell.head, i),
                token: token.into(),
                n: w.len(),
            }),
            c.t(ExplainText::HeadOutValues { v_ref, col }),
            line,
        ],
        recomputed: Some(r),
    })
}

pub(super) fn concat(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let ho = c.input_step(0, "the heads' outputs")?;
    if ho.heads().is_none() {
        return Err(c.inconsistent(format!("{} has no heads", ho.name())));
    }
    let d_k = ho.dims().1.max(1);
    let (h, cc) = (col / d_k, col % d_k);
    let v = c.at(ho, Some(h), i, cc)?;
    Ok(Body {
        title: c.t(ExplainText::ConcatTitle {
            label: c.row_label(i).into(),
            i,
            col,
            h,
            cc,
        }),
        formula: format!("{}[i][c] = head_out[c ÷ d_k][i][c mod d_k]", c.short()),
        lines: vec![
            c.t(ExplainText::ConcatColumn { d_k, col, h, cc }),
            format!(
                "{}[{i}][{col}] = {} = {}",
                c.short(),
                cell_ref(ho, Some(h), i, cc),
                c.num(v)
            ),
        ],
        recomputed: Some(v),
    })
}

pub(super) fn attn_out(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the concatenated heads")?;
    let (w_name, w) = c.weight_matrix(1, "the output projection")?;
    let x = c.row(x_step, None, i)?;
    let wcol = c.weight_col(w_name, w, x.len(), col)?;
    let w_short = short_name(w_name);
    let (more, r) = c.dot_plus_bias(
        &format!("concat[{i}] · {w_short}[:, {col}]"),
        &x,
        &wcol,
        2,
        col,
    )?;
    let bias = c
        .step
        .inputs()
        .get(2)
        .map(|b| format!(" + {}[c]", short_name(b)))
        .unwrap_or_default();
    Ok(Body {
        title: c.t(ExplainText::AttnOutTitle {
            label: c.row_label(i).into(),
            i,
            col,
        }),
        formula: format!(
            "{}[i][c] = concat[i] · {w_short}[:, c]{bias} = Σ_t concat[i][t] × {w_short}[t][c]{bias}",
            c.short()
        ),
        lines: std::iter::once(format!(
            "concat = {}, {w_short} = {w_name}[:, {col}]",
            row_ref(x_step, None, i)
        ))
        .chain(more)
        .collect(),
        recomputed: Some(r),
    })
}
