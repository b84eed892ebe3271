//! "Why is this gradient what it is": the backward arithmetic of one cell of a gradient
//! trace, with the numbers put in.
//!
//! The gradient of a step's cell is the sum of what flows back from every step that reads
//! the step (its consumers in the forward trace). Each consumer contributes by its rule
//! (see [`super::backward`]); the explanation lists the contributions, each with its
//! operands, and adds them up. The softmax backward, for example:
//! `∂masked[i][j] = w[i][j] · (∂w[i][j] − Σ_k w[i][k] · ∂w[i][k])`.

use ndarray::Array2;

use crate::explain::{ExplainError, ExplainOptions, Explanation, MINUS, fmt_number};
use crate::i18n::Lang;
use crate::i18n::gradient::{GradMsg, GradRule};
use crate::model::Transformer;
use crate::model::weights::EMBEDDING;
use crate::trace::{Address, Step, StepKind, Trace};

use super::backward::{Gradients, forward_steps};

mod rules;
use rules::*;

pub use crate::number::fmt_grad;

fn op(v: f32, precision: usize) -> String {
    let s = fmt_grad(v, precision);
    if s.starts_with(MINUS) {
        format!("({s})")
    } else {
        s
    }
}

/// One consumer's share of a gradient cell.
struct Part {
    /// What it is (`from enc.0.add_norm1.sum (residual)`).
    label: String,
    /// The arithmetic.
    lines: Vec<String>,
    /// Its value.
    value: f32,
}

/// The backward arithmetic of the gradient cell at `address` (`grad.<step>[…]`).
///
/// `trace` is the forward trace `grads` was computed from, `model` the model that computed
/// it.
pub fn explain_gradient(
    model: &Transformer,
    trace: &Trace,
    grads: &Gradients,
    address: &Address,
    opts: &ExplainOptions,
) -> Result<Explanation, ExplainError> {
    explain_gradient_in(model, trace, grads, address, opts, Lang::En)
}

/// [`explain_gradient`] in `lang`: the same numbers and arithmetic, the sentences in that
/// language.
#[expect(
    clippy::too_many_lines,
    reason = "finds the gradient cell, its forward step and operands, then the rule; each step can fail on its own."
)]
pub fn explain_gradient_in(
    model: &Transformer,
    trace: &Trace,
    grads: &Gradients,
    address: &Address,
    opts: &ExplainOptions,
    lang: Lang,
) -> Result<Explanation, ExplainError> {
    let Some(fwd_name) = address.name.strip_prefix("grad.") else {
        return Err(ExplainError::Inconsistent {
            step: address.name.clone(),
            detail: "not a gradient (gradient names start with grad.)".into(),
        });
    };
    if trace.get(fwd_name).is_none()
        && (fwd_name == EMBEDDING || model.weights().get(fwd_name).is_some())
    {
        return Err(ExplainError::NotAStep {
            name: address.name.clone(),
        });
    }
    let gstep = grads.trace.step(&address.name)?;
    let cell = gstep.cell(&address.indices).map_err(ExplainError::from)?;
    let value = gstep.value(&address.indices)?;
    let fwd = trace.step(fwd_name)?;
    let p = opts.precision;
    let (h, i, j) = (cell.head, cell.row, cell.col);
    let ctx = Ctx {
        model,
        trace,
        grads,
        opts: *opts,
        lang,
    };
    let mut parts = Vec::new();
    let mut formula = GradMsg::SumFormula.text(lang);
    match fwd.kind() {
        StepKind::Probs => {
            formula = "∂loss/∂probs[i][j] = −q[i][j] / (N · probs[i][j])".into();
            parts.push(ctx.loss_probs(fwd, i, j)?);
        }
        StepKind::Logits => {
            formula = "∂loss/∂logits[i][j] = (probs[i][j] − q[i][j]) / N".into();
            parts.push(ctx.loss_logits(i, j)?);
        }
        _ => {
            for consumer in forward_steps(trace)
                .filter(|s| s.inputs().iter().any(|n| n == fwd_name) && s.kind() != StepKind::Probs)
            {
                parts.push(ctx.part(consumer, fwd, h, i, j)?);
            }
        }
    }
    let title = GradMsg::Title {
        value: fmt_grad(value, p),
        step: fwd_name.to_string(),
        indices: address
            .indices
            .iter()
            .map(|x| format!("[{x}]"))
            .collect::<String>(),
        loss: fmt_grad(grads.loss.value as f32, p),
    }
    .text(lang);
    let mut lines = Vec::new();
    if parts.is_empty() {
        lines.push(GradMsg::NoReader(fwd_name.to_string()).text(lang));
    }
    let total: f32 = parts.iter().map(|x| x.value).sum();
    let many = parts.len() > 1;
    for part in &parts {
        lines.push(format!("{}:", part.label));
        for l in &part.lines {
            lines.push(format!("  {l}"));
        }
    }
    if many {
        let terms: Vec<String> = parts.iter().map(|x| op(x.value, p)).collect();
        lines.push(
            GradMsg::Contributions {
                n: parts.len(),
                terms: terms.join(" + "),
                total: fmt_grad(total, p),
            }
            .text(lang),
        );
    }
    Ok(Explanation {
        address: address.to_string(),
        kind: fwd.kind(),
        value,
        title,
        formula,
        lines,
        recomputed: Some(total),
        precision: p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::{has_hangul, numbers};
    use crate::learn::backward;
    use crate::model::{Config, Input, Preset};

    fn setup() -> (Transformer, Trace, Gradients) {
        let c = Config::preset(Preset::Tiny);
        let input = Input::new(&c, "나는 학교에 간다", Some("<bos> I go to school")).unwrap();
        let model = Transformer::new(c.validate().unwrap());
        let trace = model
            .forward(&input, crate::model::Pass::default())
            .unwrap();
        let g = backward(&model, &trace, 0.0).unwrap();
        (model, trace, g)
    }

    /// Every cell of every gradient step is explained, and the contributions the explanation
    /// adds up give the gradient (f32 sums in another order: within 1e-5 relative).
    #[test]
    fn explanations_add_up_to_the_gradient() {
        let (model, trace, g) = setup();
        let opts = ExplainOptions::default();
        let mut explained = 0;
        for s in g.trace.steps() {
            let shape = s.shape();
            let cells: Vec<Vec<usize>> = match shape.as_slice() {
                [h, r, c] => vec![
                    vec![0, 0, 0],
                    vec![h - 1, r - 1, c - 1],
                    vec![0, r / 2, c / 2],
                ],
                [r, c] => vec![vec![0, 0], vec![r - 1, c - 1], vec![r / 2, c / 2]],
                _ => vec![],
            };
            for idx in cells {
                let addr = Address {
                    name: s.name().to_string(),
                    indices: idx.clone(),
                };
                let e = explain_gradient(&model, &trace, &g, &addr, &opts)
                    .unwrap_or_else(|err| panic!("{addr}: {err}"));
                let got = e.recomputed.unwrap();
                let want = e.value;
                assert!(
                    (got - want).abs() <= 1e-5 * want.abs().max(1e-3),
                    "{addr}: explained {got}, gradient {want}\n{}",
                    e.to_text()
                );
                explained += 1;
            }
        }
        assert!(explained > 200, "{explained}");
    }

    #[test]
    fn scaled_shows_the_softmax_backward() {
        let (model, trace, g) = setup();
        let addr = Address::parse("grad.enc.0.attn.scaled[0][1][2]").unwrap();
        let e = explain_gradient(&model, &trace, &g, &addr, &ExplainOptions::default()).unwrap();
        let text = e.to_text();
        assert!(text.contains("softmax backward"), "{text}");
        assert!(
            text.contains("w[i][j] · (∂w[i][j] − Σ_k w[i][k] · ∂w[i][k])"),
            "{text}"
        );
        // A blocked cell of the decoder's self-attention gets no gradient, and says why.
        let addr = Address::parse("grad.dec.0.self_attn.scaled[0][0][3]").unwrap();
        let e = explain_gradient(&model, &trace, &g, &addr, &ExplainOptions::default()).unwrap();
        assert_eq!(e.value, 0.0);
        assert!(e.to_text().contains("−∞"), "{}", e.to_text());
    }

    /// Every rule explained in Korean has the numbers of its English explanation, and its
    /// sentences are Korean; `explain_gradient` is the English one.
    #[test]
    fn korean_gradient_explanations_have_the_english_numbers() {
        let (model, trace, g) = setup();
        let opts = ExplainOptions::default();
        let mut seen = std::collections::BTreeSet::new();
        for s in g.trace.steps() {
            let shape = s.shape();
            let cells: Vec<Vec<usize>> = match shape.as_slice() {
                [h, r, c] => vec![
                    vec![0, 0, 0],
                    vec![0, 0, c - 1],
                    vec![h - 1, r - 1, c - 1],
                    vec![0, r / 2, c / 2],
                ],
                [r, c] => vec![vec![0, 0], vec![r - 1, c - 1], vec![r / 2, c / 2]],
                _ => vec![],
            };
            for indices in cells {
                let addr = Address {
                    name: s.name().to_string(),
                    indices,
                };
                let en = explain_gradient_in(&model, &trace, &g, &addr, &opts, Lang::En).unwrap();
                let ko = explain_gradient_in(&model, &trace, &g, &addr, &opts, Lang::Ko).unwrap();
                assert_eq!(
                    en,
                    explain_gradient(&model, &trace, &g, &addr, &opts).unwrap()
                );
                let (et, kt) = (en.to_text(), ko.to_text());
                assert_eq!(numbers(&et), numbers(&kt), "{addr}\n{et}\n{kt}");
                assert_eq!(en.value, ko.value);
                assert_eq!(en.recomputed, ko.recomputed);
                assert!(has_hangul(&ko.title), "{addr}: {}", ko.title);
                // Every line that is a sentence in English is one in Korean: a line
                // differs exactly when its English has words (and not only arithmetic).
                assert_eq!(en.lines.len(), ko.lines.len(), "{addr}");
                for (e, k) in en.lines.iter().zip(&ko.lines) {
                    if e != k {
                        assert!(has_hangul(k), "{addr}: {k}");
                        seen.insert(e.split(['(', ':']).next().unwrap_or("").to_string());
                    }
                }
            }
        }
        // The loss, residual sums, products with weights, the softmax, LayerNorm, ReLU, the
        // mask and the embedding sum were all met.
        assert!(seen.len() > 10, "{seen:#?}");
    }

    #[test]
    fn a_korean_gradient_explanation_reads_as_korean() {
        let (model, trace, g) = setup();
        let opts = ExplainOptions::default();
        let addr = Address::parse("grad.dec.0.self_attn.scaled[0][0][3]").unwrap();
        let e = explain_gradient_in(&model, &trace, &g, &addr, &opts, Lang::Ko).unwrap();
        let text = e.to_text();
        assert!(text.contains("이 칸이 바뀔 때 손실("), "{text}");
        assert!(
            text.contains("마스크가 여기에 −∞를 넣습니다 (막힌 칸)"),
            "{text}"
        );
        assert!(!text.contains("the mask puts"), "{text}");
        let addr = Address::parse("grad.enc.0.attn.scaled[0][1][2]").unwrap();
        let text = explain_gradient_in(&model, &trace, &g, &addr, &opts, Lang::Ko)
            .unwrap()
            .to_text();
        assert!(text.contains("소프트맥스 역전파"), "{text}");
        assert!(
            text.contains("w[i][j] · (∂w[i][j] − Σ_k w[i][k] · ∂w[i][k])"),
            "{text}"
        );
    }
}
