//! Explanations of an attention block: Q/K/V projections, scores, scaling, the mask,
//! softmax (the weighted sum of V, concat and W_O are in `heads_out`).

use super::*;

pub(super) fn projection(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let short = c.short();
    let token = c.row_label(i);
    let kind = match c.step.kind() {
        StepKind::Query => Proj::Query,
        StepKind::Key => Proj::Key,
        _ => Proj::Value,
    };
    let title = c.t(ExplainText::ProjTitle {
        kind,
        token: token.into(),
        i,
        head: c.head_text(),
        j,
    });
    if c.step.inputs().is_empty() {
        let row = c.row(c.step, c.cell.head, i)?;
        return Ok(Body {
            title,
            formula: c.t(ExplainText::GivenFormula {
                short: short.into(),
            }),
            lines: vec![
                c.t(ExplainText::GivenLine {
                    short: short.into(),
                    upper: short.to_uppercase(),
                }),
                format!("{short}{}[{i}] = {}", c.h(), c.list(&row)),
                format!("{short}{}[{i}][{j}] = {}", c.h(), c.num(c.value)),
            ],
            recomputed: None,
        });
    }
    let x_step = c.input_step(0, "the projection's input")?;
    let (w_name, w) = c.weight_matrix(1, "the projection matrix")?;
    let d_k = c.step.dims().1;
    let col = c.cell.head.unwrap_or(0) * d_k + j;
    let x = c.row(x_step, None, i)?;
    let wcol = c.weight_col(w_name, w, x.len(), col)?;
    let w_short = short_name(w_name);
    let mut lines = vec![c.t(ExplainText::ProjInput {
        x_ref: row_ref(x_step, None, i),
        token: token.into(),
        n: x.len(),
    })];
    match c.cell.head {
        Some(h) => lines.push(c.t(ExplainText::HeadColumn {
            w_name: w_name.into(),
            col,
            h,
            j,
            d_k,
        })),
        None => lines.push(format!("W = {w_name}[:, {col}]")),
    }
    let (more, r) = c.dot_plus_bias(&format!("x · {w_short}[:, {col}]"), &x, &wcol, 2, col)?;
    lines.extend(more);
    // A Marian projection adds a bias b_Q, b_K or b_V (the paper's has none).
    let bias = c
        .step
        .inputs()
        .get(2)
        .map(|b| format!(" + {}[h·d_k + j]", short_name(b)))
        .unwrap_or_default();
    Ok(Body {
        title,
        formula: format!(
            "{short}{}[i][j] = x[i] · {w_short}[:, h·d_k + j]{bias} = Σ_t x[i][t] × {w_short}[t][h·d_k + j]{bias}",
            if c.cell.head.is_some() { "[h]" } else { "" }
        ),
        lines,
        recomputed: Some(r),
    })
}

pub(super) fn scores(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let q_step = c.input_step(0, "the queries")?;
    let k_step = c.input_step(1, "the keys")?;
    let q = c.row(q_step, c.cell.head, i)?;
    let k = c.row(k_step, c.cell.head, j)?;
    if q.len() != k.len() {
        return Err(c.inconsistent(format!(
            "a query has {} values but a key has {}",
            q.len(),
            k.len()
        )));
    }
    let (qt, kt) = (c.row_label(i), c.col_label(j));
    let head_text = c
        .cell
        .head
        .map(|h| c.t(ExplainText::ScoresHead { h }))
        .unwrap_or_default();
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let (line, r) = c.dot_line("q·k", &q, &k, c.value);
    Ok(Body {
        title: c.t(ExplainText::ScoresTitle {
            head: head_text,
            qt: qt.into(),
            i,
            kt: kt.into(),
            j,
        }),
        formula: format!(
            "{}{hh}[i][j] = q{hh}[i] · k{hh}[j] = Σ_t q[i][t] × k[j][t]",
            c.short()
        ),
        lines: vec![
            c.t(ExplainText::ScoresTerms {
                q_ref: row_ref(q_step, c.cell.head, i),
                qt: qt.into(),
                k_ref: row_ref(k_step, c.cell.head, j),
                kt: kt.into(),
                n: q.len(),
            }),
            line,
        ],
        recomputed: Some(r),
    })
}

pub(super) fn scaled(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let s_step = c.input_step(0, "the raw scores")?;
    let s = c.at(s_step, c.cell.head, i, j)?;
    // d_k is the width of one head of the queries the scores came from.
    let q_step = s_step.inputs().first().and_then(|n| c.trace.get(n));
    let d_k = match (q_step, c.model) {
        (Some(q), _) => q.dims().1,
        (None, Some(m)) => m.d_k(),
        (None, None) => {
            return Err(c.inconsistent(format!(
                "cannot find d_k: {} has no query input in the trace",
                s_step.name()
            )));
        }
    };
    // Read the setting, never guess it from the numbers (with d_k = 1, or scores of 0,
    // scaled equals scores either way): the step's own record, else the model, else the
    // formula the hand-check wrote.
    let scale = match (crate::model::attention::attention_settings(c.step), c.model) {
        (Some(settings), _) => settings.scale,
        (None, Some(m)) => m.scale(),
        (None, None) => !c.step.formula().contains("scaling off"),
    };
    let (qt, kt) = (c.row_label(i), c.col_label(j));
    let title = c.t(ExplainText::ScaledTitle {
        qt: qt.into(),
        i,
        kt: kt.into(),
        j,
    });
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let s_line = format!(
        "scores = {} = {}",
        cell_ref(s_step, c.cell.head, i, j),
        c.num(s)
    );
    if !scale {
        return Ok(Body {
            title,
            formula: c.t(ExplainText::ScaledOffFormula {
                short: c.short().into(),
                hh: hh.into(),
            }),
            lines: vec![
                s_line,
                c.t(ExplainText::ScaledOffLine {
                    value: c.num(c.value),
                }),
            ],
            recomputed: Some(s),
        });
    }
    let root = (d_k as f32).sqrt();
    let q_name = q_step.map(Step::name).unwrap_or("q");
    Ok(Body {
        title,
        formula: format!("{}{hh}[i][j] = scores{hh}[i][j] ÷ √d_k", c.short()),
        lines: vec![
            s_line,
            c.t(ExplainText::ScaledDk {
                d_k,
                root: c.num(root),
                q_name: q_name.into(),
            }),
            // ÷ √d_k written exactly (√3, not 1.7321) so that the equation holds as printed.
            format!(
                "{} ÷ √{d_k} {} {}",
                c.op(s),
                match printed_value(&c.num(s)) {
                    Some(x) => eq_sign(x / f64::from(root), &c.num(c.value), c.precision),
                    None => "=",
                },
                c.num(c.value)
            ),
        ],
        recomputed: Some(s / root),
    })
}

/// How the cells of one head are blocked, read from the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MaskShape {
    /// No cell is blocked.
    None,
    /// Exactly the cells with j > i are blocked.
    Causal,
    /// Some other set of cells.
    Custom,
}

#[expect(
    clippy::too_many_lines,
    reason = "the mask cell explained for each case (open, blocked, fully blocked row, NaN), in both languages."
)]
pub(super) fn masked(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let s_step = c.input_step(0, "the scaled scores")?;
    let s = c.at(s_step, c.cell.head, i, j)?;
    let sm = s_step.matrix(s_step.heads().and(c.cell.head))?;
    let mm = c.step.matrix(c.cell.head)?;
    if sm.dim() != mm.dim() {
        return Err(c.inconsistent(format!(
            "{} is {:?} but {} is {:?}",
            s_step.name(),
            sm.dim(),
            c.step.name(),
            mm.dim()
        )));
    }
    let blocked = |m: f32, s: f32| m == f32::NEG_INFINITY && s != f32::NEG_INFINITY;
    let mut any = false;
    let mut causal = true;
    for ((r, col), m) in mm.indexed_iter() {
        let b = blocked(*m, sm[[r, col]]);
        any |= b;
        causal &= b == (col > r);
    }
    let shape = match (any, causal) {
        (false, _) => MaskShape::None,
        (true, true) => MaskShape::Causal,
        (true, false) => MaskShape::Custom,
    };
    let (qt, kt) = (c.row_label(i), c.col_label(j));
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let short = c.short();
    let s_line = format!(
        "scaled = {} = {}",
        cell_ref(s_step, c.cell.head, i, j),
        c.num(s)
    );
    let mut lines = vec![s_line];
    let is_blocked = blocked(c.value, s);
    let (qt, kt) = (qt.to_string(), kt.to_string());
    if is_blocked {
        lines.push(c.t(match shape {
            MaskShape::Causal => ExplainText::MaskBlockedCausal {
                qt: qt.clone(),
                i,
                kt: kt.clone(),
                j,
            },
            _ => ExplainText::MaskBlocked {
                qt: qt.clone(),
                i,
                kt: kt.clone(),
                j,
            },
        }));
        lines.push(c.t(ExplainText::MaskBlockedSum { s: c.op(s) }));
        lines.push(c.t(ExplainText::MaskBlockedWeight {
            qt: qt.clone(),
            kt: kt.clone(),
        }));
    } else {
        lines.push(c.t(match shape {
            MaskShape::None => ExplainText::MaskNone {
                head: c.cell.head.is_some(),
            },
            MaskShape::Causal => ExplainText::MaskOpenCausal {
                qt: qt.clone(),
                i,
                kt: kt.clone(),
                j,
            },
            MaskShape::Custom => ExplainText::MaskOpen {
                qt: qt.clone(),
                i,
                kt: kt.clone(),
                j,
            },
        }));
        lines.push(format!(
            "masked = scaled + M = {} + 0 = {}",
            c.op(s),
            c.num(c.value)
        ));
    }
    let formula = c.t(ExplainText::MaskFormula {
        short: short.into(),
        hh: hh.into(),
        causal: shape == MaskShape::Causal,
    });
    Ok(Body {
        title: c.t(ExplainText::MaskTitle { qt, i, kt, j }),
        formula,
        lines,
        recomputed: Some(if is_blocked { f32::NEG_INFINITY } else { s }),
    })
}

#[expect(
    clippy::too_many_lines,
    reason = "the softmax row explained step by step (max, shifted exponentials, sum, division), in both languages."
)]
pub(super) fn softmax(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the row to normalise")?;
    let x = c.row(x_step, c.cell.head, i)?;
    if j >= x.len() {
        return Err(c.inconsistent(format!(
            "row {i} of {} has {} entries, no column {j}",
            x_step.name(),
            x.len()
        )));
    }
    let short = c.short();
    let (rt, ct) = (c.row_label(i), c.col_label(j));
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let title = c.t(ExplainText::SoftmaxTitle {
        probs: c.step.kind() == StepKind::Probs,
        rt: rt.into(),
        i,
        ct: ct.into(),
        j,
    });
    let formula = c.t(ExplainText::SoftmaxFormula {
        short: short.into(),
        hh: hh.into(),
        x_name: x_step.name().into(),
    });
    let mut lines = vec![format!(
        "x = {} = {}",
        row_ref(x_step, c.cell.head, i),
        c.list(&x)
    )];
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    // Fully masked: the mask put every −∞ there (the scores before it were finite), or
    // the trace flags the row. An all −∞ row from an overflow is not masked.
    let h0 = c.cell.head.unwrap_or(0);
    let flagged = c
        .step
        .flags()
        .masked_rows
        .iter()
        .any(|(h, r)| *h == h0 && *r == i);
    let from_mask = x_step.kind() == StepKind::Masked
        && x.iter().all(|v| *v == f32::NEG_INFINITY)
        && x_step
            .inputs()
            .first()
            .and_then(|n| c.trace.get(n))
            .and_then(|before| c.row(before, c.cell.head, i).ok())
            .is_some_and(|b| b.iter().all(|v| v.is_finite()));
    let masked_row = flagged || from_mask;
    if x.iter().any(|v| v.is_nan())
        || max == f32::INFINITY
        || (max == f32::NEG_INFINITY && !masked_row)
    {
        lines.push(c.t(ExplainText::SoftmaxNan {
            short: short.into(),
            i,
            j,
        }));
        if let Some((at, v)) = c.trace.first_non_finite() {
            lines.push(c.t(ExplainText::FirstNonFinite {
                at,
                value: c.num(v),
            }));
        }
        return Ok(Body {
            title,
            formula,
            lines,
            recomputed: Some(f32::NAN),
        });
    }
    if max == f32::NEG_INFINITY {
        lines.push(c.t(ExplainText::SoftmaxAllMasked { rt: rt.into() }));
        lines.push(c.t(ExplainText::SoftmaxAllMaskedZero {
            short: short.into(),
            i,
            j,
        }));
        return Ok(Body {
            title,
            formula,
            lines,
            recomputed: Some(0.0),
        });
    }
    lines.push(format!("max = {}", c.num(max)));
    let exps: Vec<f32> = x.iter().map(|v| (v - max).exp()).collect();
    let exp_text = |v: f32, e: f32| {
        if v == f32::NEG_INFINITY {
            format!("e^(−∞ − {}) = e^(−∞) = 0", c.op(max))
        } else {
            let y = v - max;
            format!(
                "e^({} − {}) {} e^({}) {} {}",
                c.num(v),
                c.op(max),
                c.rel(v, max, |a, b| a - b, y),
                c.num(y),
                c.rel(y, 0.0, |a, _| a.exp(), e),
                c.num(e)
            )
        }
    };
    let n = x.len().min(exps.len());
    let (joined, hidden) = c.elide(n, |k| exp_text(x[k], exps[k]), ", ");
    lines.push(format!(
        "e^(x_k − max): {joined}{}",
        c.count_note(n, hidden)
    ));
    let sum: f32 = exps.iter().sum();
    lines.push(c.sum_line("Σ", exps.len(), |k| c.num(exps[k]), sum));
    let ej = exps.get(j).copied().unwrap_or(0.0);
    let xj = x.get(j).copied().unwrap_or(0.0);
    if xj == f32::NEG_INFINITY {
        lines.push(format!(
            "{short}[{i}][{j}] = e^(−∞) / Σ = 0 / {} = {}  ({})",
            c.num(sum),
            c.num(c.value),
            c.t(ExplainText::MaskedExactlyZero {})
        ));
    } else {
        lines.push(format!(
            "{short}[{i}][{j}] = e^(x_{j} − max) / Σ = {} / {} {} {}",
            c.num(ej),
            c.num(sum),
            c.rel(ej, sum, |a, b| a / b, c.value),
            c.num(c.value)
        ));
    }
    Ok(Body {
        title,
        formula,
        lines,
        recomputed: Some(ej / sum),
    })
}
