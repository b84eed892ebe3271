//! The classic mistakes a wrong answer is checked against, per kind of step: each recomputes
//! the cell the wrong way, so an answer that matches one can be named.

use super::*;

/// The wrong values a classic mistake gives for cell `[head][i][j]` of `step`, in the order
/// they are tried, each with its mistake:
///
/// - raw scores `q·k`: one product's sign flipped; one product left out; q[t] + k[t] added
///   instead of multiplied;
/// - scaled scores: forgot ÷ √d_k; divided by d_k instead of √d_k; multiplied by √d_k; one
///   product of q·k with its sign flipped (then scaled);
/// - softmax weights and probabilities: the softmax of the unscaled scores (forgot ÷ √d_k);
///   not normalised (e^(x_j − max) or e^(x_j) without ÷ Σ); normalised without e^ (x_j / Σ x);
///   one term left out of Σ. (Skipping the max subtraction is not a mistake: it gives the same
///   number.)
/// - LayerNorm: the unbiased variance (÷ (n − 1)); ÷ (var + eps) without the square root;
///   the mean not subtracted; centred but not divided; gamma and beta left out;
/// - every step: the sign flipped; the value of another column of the same row.
// Over 80 lines: one arm per step kind: the catalogue of known slips a teacher reads as one list.
pub fn mistakes(
    model: Option<&Transformer>,
    trace: &Trace,
    step: &Step,
    head: Option<usize>,
    i: usize,
    j: usize,
    precision: usize,
) -> Vec<(f64, Mistake)> {
    let mut out = Vec::new();
    let num = |v: f64| fmt_number(v as f32, precision);
    let op = |v: f64| fmt_operand(v as f32, precision);
    let row_of = |s: &Step, r: usize| -> Option<Vec<f64>> {
        let m = s.matrix(s.heads().and(head)).ok()?;
        (r < m.nrows()).then(|| {
            m.index_axis(Axis(0), r)
                .iter()
                .map(|x| f64::from(*x))
                .collect()
        })
    };
    let input = |s: &Step, k: usize| s.inputs().get(k).and_then(|n| trace.get(n));
    // The q row and k row of a raw score, and their products.
    let dot = |scores: &Step| -> Option<(Vec<f64>, Vec<f64>)> {
        let q = row_of(input(scores, 0)?, i)?;
        let k = row_of(input(scores, 1)?, j)?;
        (q.len() == k.len()).then_some((q, k))
    };
    let Ok(m) = step.matrix(head) else {
        return out;
    };
    let value = f64::from(m[[i, j]]);
    let mut m_push = |v: f64, what: &str, detail: String, term: Option<String>| {
        if !v.is_nan() {
            out.push((
                v,
                Mistake {
                    what: what.to_string(),
                    detail,
                    term,
                },
            ));
        }
    };
    match step.kind() {
        StepKind::Scores => {
            if let Some((q, k)) = dot(step) {
                let sum: f64 = q.iter().zip(&k).map(|(a, b)| a * b).sum();
                for (t, (a, b)) in q.iter().zip(&k).enumerate() {
                    let p = a * b;
                    if p != 0.0 {
                        m_push(
                            sum - 2.0 * p,
                            "one product's sign went wrong",
                            format!(
                                "term {} of q·k is {}×{} = {}; your number is the sum with {} there",
                                t + 1,
                                op(*a),
                                op(*b),
                                num(p),
                                num(-p)
                            ),
                            Some(format!("{}×{}", op(*a), op(*b))),
                        );
                    }
                }
                for (t, (a, b)) in q.iter().zip(&k).enumerate() {
                    let p = a * b;
                    if p != 0.0 {
                        m_push(
                            sum - p,
                            "one product left out",
                            format!(
                                "your number is q·k without term {}, {}×{} = {}",
                                t + 1,
                                op(*a),
                                op(*b),
                                num(p)
                            ),
                            Some(format!("{}×{}", op(*a), op(*b))),
                        );
                    }
                }
                let added: f64 = q.iter().zip(&k).map(|(a, b)| a + b).sum();
                m_push(
                    added,
                    "added instead of multiplied",
                    format!(
                        "Σ (q[t] + k[t]) = {}; a dot product multiplies: Σ q[t] × k[t]",
                        num(added)
                    ),
                    None,
                );
            }
        }
        StepKind::Scaled => {
            if let Some(s_step) = input(step, 0) {
                let s = row_of(s_step, i).and_then(|r| r.get(j).copied());
                let d_k = input(s_step, 0)
                    .map(|q| q.dims().1)
                    .or(model.map(|m| m.config().d_k()));
                if let (Some(s), Some(d_k)) = (s, d_k) {
                    let root = (d_k as f64).sqrt();
                    if (value - s).abs() > 0.0 {
                        m_push(
                            s,
                            "forgot to divide by √d_k",
                            format!(
                                "your number is the raw score {}; scaled = {} ÷ √{d_k} = {}",
                                num(s),
                                op(s),
                                num(value)
                            ),
                            Some("÷ √d_k".to_string()),
                        );
                        m_push(
                            s / d_k as f64,
                            "divided by d_k, not by its square root",
                            format!(
                                "{} ÷ {d_k} = {}; the scale is √d_k = √{d_k} = {}",
                                op(s),
                                num(s / d_k as f64),
                                num(root)
                            ),
                            Some("÷ √d_k".to_string()),
                        );
                        m_push(
                            s * root,
                            "multiplied by √d_k instead of dividing",
                            format!("{} × √{d_k} = {}", op(s), num(s * root)),
                            Some("÷ √d_k".to_string()),
                        );
                        if let Some((q, k)) = dot(s_step) {
                            for (t, (a, b)) in q.iter().zip(&k).enumerate() {
                                let p = a * b;
                                if p != 0.0 {
                                    m_push(
                                        (s - 2.0 * p) / root,
                                        "one product's sign went wrong in q·k",
                                        format!(
                                            "term {} of q·k is {}×{} = {}; with {} there q·k = {}, and ÷ √{d_k} gives your number",
                                            t + 1,
                                            op(*a),
                                            op(*b),
                                            num(p),
                                            num(-p),
                                            num(s - 2.0 * p)
                                        ),
                                        None,
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        StepKind::Weights | StepKind::Probs => {
            if let Some(x_step) = input(step, 0)
                && let Some(x) = row_of(x_step, i)
                && j < x.len()
            {
                // Softmax of the raw scores with the same mask: the scaling forgotten.
                if step.kind() == StepKind::Weights
                    && x_step.kind() == StepKind::Masked
                    && let Some(scaled) = input(x_step, 0)
                    && let Some(raw) = input(scaled, 0)
                    && let Some(r) = row_of(raw, i)
                    && r.len() == x.len()
                {
                    let y: Vec<f64> = x
                        .iter()
                        .zip(&r)
                        .map(|(m, s)| if *m == f64::NEG_INFINITY { *m } else { *s })
                        .collect();
                    if let Some(w) = softmax_at(&y, j) {
                        m_push(
                            w,
                            "forgot to divide by √d_k before the softmax",
                            format!(
                                "the softmax of the raw scores [{}] gives {}; the weights use the scaled scores",
                                y.iter().map(|v| num(*v)).collect::<Vec<_>>().join(", "),
                                num(w)
                            ),
                            None,
                        );
                    }
                }
                let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if max.is_finite() {
                    let exps: Vec<f64> = x.iter().map(|v| (v - max).exp()).collect();
                    let sum: f64 = exps.iter().sum();
                    m_push(
                        exps[j],
                        "forgot to normalise",
                        format!(
                            "e^(x_{j} − max) = {} is the numerator; divide by Σ = {} to get {}",
                            num(exps[j]),
                            num(sum),
                            num(value)
                        ),
                        Some("Σ".to_string()),
                    );
                    m_push(
                        x[j].exp(),
                        "forgot to normalise",
                        format!(
                            "e^(x_{j}) = {} is the numerator (without the max subtracted, which is fine); divide by the sum of all e^(x_k) to get {}",
                            num(x[j].exp()),
                            num(value)
                        ),
                        Some("Σ".to_string()),
                    );
                    let plain: f64 = x.iter().sum();
                    if plain != 0.0 && x.iter().all(|v| v.is_finite()) {
                        m_push(
                            x[j] / plain,
                            "normalised without e^",
                            format!(
                                "x_{j} / Σ x = {} / {} = {}; softmax divides e^(x_j) by Σ e^(x_k)",
                                op(x[j]),
                                op(plain),
                                num(x[j] / plain)
                            ),
                            Some("e^(x_k − max)".to_string()),
                        );
                    }
                    for (t, e) in exps.iter().enumerate() {
                        if t != j && *e > 0.0 && sum - e > 0.0 {
                            m_push(
                                exps[j] / (sum - e),
                                "one term left out of the sum",
                                format!(
                                    "Σ without e^(x_{t} − max) = {} is {}; the sum has all {} terms",
                                    num(*e),
                                    num(sum - e),
                                    exps.len()
                                ),
                                None,
                            );
                        }
                    }
                }
            }
        }
        StepKind::LayerNorm => {
            if let (Some(x_step), Some(model)) = (input(step, 0), model)
                && let Some(x) = row_of(x_step, i)
                && j < x.len()
                && x.len() > 1
            {
                let w = model.weights();
                let g = step
                    .inputs()
                    .get(1)
                    .and_then(|n| w.vector(n).ok())
                    .and_then(|v| v.get(j).copied())
                    .map_or(1.0, f64::from);
                let b = step
                    .inputs()
                    .get(2)
                    .and_then(|n| w.vector(n).ok())
                    .and_then(|v| v.get(j).copied())
                    .map_or(0.0, f64::from);
                let eps = f64::from(model.config().eps);
                let n = x.len() as f64;
                let mean = x.iter().sum::<f64>() / n;
                let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
                let xc = x[j];
                let affine = |z: f64| z * g + b;
                let unbiased = var * n / (n - 1.0);
                m_push(
                    affine((xc - mean) / (unbiased + eps).sqrt()),
                    "used the unbiased variance",
                    format!(
                        "Σ (x − mean)² ÷ (n − 1) = {}; LayerNorm divides by n: var = {}",
                        num(unbiased),
                        num(var)
                    ),
                    Some("(biased: ÷ n)".to_string()),
                );
                m_push(
                    affine((xc - mean) / (var + eps)),
                    "divided by the variance, not by its square root",
                    format!(
                        "({} − {}) ÷ {} = {}; the divisor is √(var + eps) = {}",
                        num(xc),
                        op(mean),
                        num(var + eps),
                        num((xc - mean) / (var + eps)),
                        num((var + eps).sqrt())
                    ),
                    Some("√(var + eps)".to_string()),
                );
                m_push(
                    affine(xc / (var + eps).sqrt()),
                    "forgot to subtract the mean",
                    format!(
                        "{} ÷ {} = {}; first subtract mean = {}",
                        num(xc),
                        num((var + eps).sqrt()),
                        num(xc / (var + eps).sqrt()),
                        num(mean)
                    ),
                    Some("mean =".to_string()),
                );
                m_push(
                    affine(xc - mean),
                    "centred but not divided by √(var + eps)",
                    format!(
                        "x − mean = {} − {} = {}; then divide by √(var + eps) = {}",
                        num(xc),
                        op(mean),
                        num(xc - mean),
                        num((var + eps).sqrt())
                    ),
                    Some("√(var + eps)".to_string()),
                );
                let z = (xc - mean) / (var + eps).sqrt();
                m_push(
                    z,
                    "left out gamma and beta",
                    format!(
                        "x̂ = {} is the normalised value; then × gamma {} + beta {}",
                        num(z),
                        op(g),
                        op(b)
                    ),
                    Some("gamma".to_string()),
                );
            }
        }
        _ => {}
    }
    if value != 0.0 {
        m_push(
            -value,
            "the sign is flipped",
            format!("the value is {}, yours has the opposite sign", num(value)),
            None,
        );
    }
    let labels = step.col_labels(head);
    for (c, v) in m.index_axis(Axis(0), i).iter().enumerate() {
        if c != j {
            let label = labels.get(c).map(String::as_str).unwrap_or("");
            m_push(
                f64::from(*v),
                "that is another cell of the row",
                format!(
                    "{} is column {c} ({label}); this question asks for column {j}",
                    num(f64::from(*v))
                ),
                None,
            );
        }
    }
    out
}

/// Softmax of `x` at `j` (max subtracted; `None` when every entry is −∞).
pub(super) fn softmax_at(x: &[f64], j: usize) -> Option<f64> {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return None;
    }
    let sum: f64 = x.iter().map(|v| (v - max).exp()).sum();
    Some((x.get(j)? - max).exp() / sum)
}
