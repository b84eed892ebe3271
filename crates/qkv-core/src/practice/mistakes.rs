//! The classic mistakes a wrong answer is checked against, per kind of step: each recomputes
//! the cell the wrong way, so an answer that matches one can be named.

use super::*;
use crate::i18n::mistakes::MistakeMsg;

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
///
/// The sentences are in `lang`, with the same numbers in every language.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per step kind: the catalogue of known slips a teacher reads as one list."
)]
#[allow(clippy::too_many_arguments)]
pub fn mistakes(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    step: &Step,
    head: Option<usize>,
    i: usize,
    j: usize,
    precision: usize,
    lang: Lang,
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
    let mut m_push = |v: f64, msg: MistakeMsg, term: Option<String>| {
        if !v.is_nan() {
            out.push((
                v,
                Mistake {
                    what: msg.what(lang),
                    detail: msg.detail(lang),
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
                            MistakeMsg::ProductSign {
                                term: t + 1,
                                a: op(*a),
                                b: op(*b),
                                product: num(p),
                                negated: num(-p),
                            },
                            Some(format!("{}×{}", op(*a), op(*b))),
                        );
                    }
                }
                for (t, (a, b)) in q.iter().zip(&k).enumerate() {
                    let p = a * b;
                    if p != 0.0 {
                        m_push(
                            sum - p,
                            MistakeMsg::ProductLeftOut {
                                term: t + 1,
                                a: op(*a),
                                b: op(*b),
                                product: num(p),
                            },
                            Some(format!("{}×{}", op(*a), op(*b))),
                        );
                    }
                }
                let added: f64 = q.iter().zip(&k).map(|(a, b)| a + b).sum();
                m_push(added, MistakeMsg::Added { sum: num(added) }, None);
            }
        }
        StepKind::Scaled => {
            if let Some(s_step) = input(step, 0) {
                let s = row_of(s_step, i).and_then(|r| r.get(j).copied());
                let d_k = input(s_step, 0)
                    .map(|q| q.dims().1)
                    .or(model.map(ModelRef::d_k));
                if let (Some(s), Some(d_k)) = (s, d_k) {
                    let root = (d_k as f64).sqrt();
                    if (value - s).abs() > 0.0 {
                        m_push(
                            s,
                            MistakeMsg::ForgotScale {
                                raw: num(s),
                                raw_op: op(s),
                                d_k,
                                value: num(value),
                            },
                            Some("÷ √d_k".to_string()),
                        );
                        m_push(
                            s / d_k as f64,
                            MistakeMsg::DividedByDk {
                                raw_op: op(s),
                                d_k,
                                result: num(s / d_k as f64),
                                root: num(root),
                            },
                            Some("÷ √d_k".to_string()),
                        );
                        m_push(
                            s * root,
                            MistakeMsg::MultipliedByRoot {
                                raw_op: op(s),
                                d_k,
                                result: num(s * root),
                            },
                            Some("÷ √d_k".to_string()),
                        );
                        if let Some((q, k)) = dot(s_step) {
                            for (t, (a, b)) in q.iter().zip(&k).enumerate() {
                                let p = a * b;
                                if p != 0.0 {
                                    m_push(
                                        (s - 2.0 * p) / root,
                                        MistakeMsg::ScaledProductSign {
                                            term: t + 1,
                                            a: op(*a),
                                            b: op(*b),
                                            product: num(p),
                                            negated: num(-p),
                                            dot: num(s - 2.0 * p),
                                            d_k,
                                        },
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
                            MistakeMsg::SoftmaxUnscaled {
                                raw: y.iter().map(|v| num(*v)).collect::<Vec<_>>().join(", "),
                                weight: num(w),
                            },
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
                        MistakeMsg::NotNormalised {
                            j,
                            numerator: num(exps[j]),
                            sum: num(sum),
                            value: num(value),
                        },
                        Some("Σ".to_string()),
                    );
                    m_push(
                        x[j].exp(),
                        MistakeMsg::NotNormalisedRaw {
                            j,
                            numerator: num(x[j].exp()),
                            value: num(value),
                        },
                        Some("Σ".to_string()),
                    );
                    let plain: f64 = x.iter().sum();
                    if plain != 0.0 && x.iter().all(|v| v.is_finite()) {
                        m_push(
                            x[j] / plain,
                            MistakeMsg::WithoutExp {
                                j,
                                x: op(x[j]),
                                sum: op(plain),
                                result: num(x[j] / plain),
                            },
                            Some("e^(x_k − max)".to_string()),
                        );
                    }
                    for (t, e) in exps.iter().enumerate() {
                        if t != j && *e > 0.0 && sum - e > 0.0 {
                            m_push(
                                exps[j] / (sum - e),
                                MistakeMsg::TermLeftOut {
                                    t,
                                    term: num(*e),
                                    rest: num(sum - e),
                                    n: exps.len(),
                                },
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
                let eps = f64::from(model.eps());
                let n = x.len() as f64;
                let mean = x.iter().sum::<f64>() / n;
                let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
                let xc = x[j];
                let affine = |z: f64| z * g + b;
                let unbiased = var * n / (n - 1.0);
                m_push(
                    affine((xc - mean) / (unbiased + eps).sqrt()),
                    MistakeMsg::Unbiased {
                        unbiased: num(unbiased),
                        var: num(var),
                    },
                    // As the explanation in `lang` prints the variance's divisor.
                    Some(format!(
                        "({}: ÷ n)",
                        crate::i18n::explain::ExplainText::Biased {}.text(lang)
                    )),
                );
                m_push(
                    affine((xc - mean) / (var + eps)),
                    MistakeMsg::DividedByVariance {
                        x: num(xc),
                        mean: op(mean),
                        var_eps: num(var + eps),
                        result: num((xc - mean) / (var + eps)),
                        sigma: num((var + eps).sqrt()),
                    },
                    Some("√(var + eps)".to_string()),
                );
                m_push(
                    affine(xc / (var + eps).sqrt()),
                    MistakeMsg::NoMean {
                        x: num(xc),
                        sigma: num((var + eps).sqrt()),
                        result: num(xc / (var + eps).sqrt()),
                        mean: num(mean),
                    },
                    Some("mean =".to_string()),
                );
                m_push(
                    affine(xc - mean),
                    MistakeMsg::NotDivided {
                        x: num(xc),
                        mean: op(mean),
                        result: num(xc - mean),
                        sigma: num((var + eps).sqrt()),
                    },
                    Some("√(var + eps)".to_string()),
                );
                let z = (xc - mean) / (var + eps).sqrt();
                m_push(
                    z,
                    MistakeMsg::NoGammaBeta {
                        xhat: num(z),
                        gamma: op(g),
                        beta: op(b),
                    },
                    Some("gamma".to_string()),
                );
            }
        }
        _ => {}
    }
    if value != 0.0 {
        m_push(-value, MistakeMsg::SignFlipped { value: num(value) }, None);
    }
    let labels = step.col_labels(head);
    for (c, v) in m.index_axis(Axis(0), i).iter().enumerate() {
        if c != j {
            let label = labels.get(c).map(String::as_str).unwrap_or("");
            m_push(
                f64::from(*v),
                MistakeMsg::OtherCell {
                    value: num(f64::from(*v)),
                    col: c,
                    label: label.to_string(),
                    asked: j,
                },
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
