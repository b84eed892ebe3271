//! The explanation of one number of a weight (`enc.0.attn.W_Q[0][1]`, `embed.E[3][0]`):
//! not computed from the input but a parameter, so what is told is where it comes from: its
//! initial value and how it was drawn, its value now, what training changed, its gradient
//! when one is at hand, and the steps that read it.

use super::*;
use crate::model::init::token_vector;
use crate::model::weights::{EMBEDDING, Init, init_of};
use crate::model::{Param, Transformer};
use crate::number::fmt_grad;
use crate::weight_view::{WeightView, pick};

/// The kind of the first step of `trace` that reads the weight `name` (how its numbers are
/// coloured and what [`Explanation::kind`] says); by its name when no step reads it.
pub(crate) fn reader_kind(trace: &Trace, name: &str) -> StepKind {
    if let Some(s) = trace
        .steps()
        .iter()
        .find(|s| s.inputs().iter().any(|n| n == name))
    {
        return s.kind();
    }
    match name.rsplit('.').next() {
        Some("E") => StepKind::TokenEmbedding,
        Some("W_Q") => StepKind::Query,
        Some("W_K") => StepKind::Key,
        Some("W_V") => StepKind::Value,
        Some("W_O") => StepKind::AttnOut,
        Some("W1" | "b1") => StepKind::FfnHidden,
        Some("W2" | "b2") => StepKind::FfnOut,
        _ => StepKind::LayerNorm,
    }
}

/// How the explained number started: its value and the sentence that says how.
struct Start {
    value: f32,
    how: String,
    /// The distribution in symbols, for the formula line (`U(−a, a)`, `1`, `0`).
    formula: String,
}

/// How the number at (`row`, `col`) of the weight `name` of `model` started: the model's
/// seeded initialisation ([`init_of`], [`token_vector`] for `embed.E`'s rows).
fn start(
    model: &Transformer,
    name: &str,
    row_label: &str,
    row: usize,
    col: usize,
    c: &C,
) -> Option<Start> {
    let config = model.config();
    let seed = config.seed;
    if name == EMBEDDING {
        let d = config.d_model;
        let a = (3.0 / d.max(1) as f64).sqrt() as f32;
        let value = *token_vector(seed, row_label, d).get(col)?;
        let how = c.t(ExplainText::WeightEmbDrawn {
            d,
            a: c.num(a),
            seed,
            row_label: row_label.into(),
        });
        return Some(Start {
            value,
            how,
            formula: format!("U(−{0}, {0})", c.num(a)),
        });
    }
    let init = init_of(config, name)?;
    let value = init.entry(seed, name, row, col)?;
    let (how, formula) = match init {
        Init::Xavier(r, k) => {
            let a = init.bound().unwrap_or_default();
            let how = c.t(ExplainText::WeightXavier {
                r,
                k,
                a: c.num(a),
                seed,
                name: name.into(),
            });
            (how, format!("U(−{0}, {0})", c.num(a)))
        }
        Init::Ones(_) => (c.t(ExplainText::WeightOnes {}), "1".to_string()),
        Init::Zeros(_) => (c.t(ExplainText::WeightZeros {}), "0".to_string()),
    };
    Some(Start {
        value,
        how,
        formula,
    })
}

/// The numbers and language the sentences are written with.
struct C {
    precision: usize,
    lang: Lang,
}

impl C {
    fn num(&self, v: f32) -> String {
        fmt_number(v, self.precision)
    }

    fn t(&self, m: ExplainText) -> String {
        m.text(self.lang)
    }
}

/// The explanation of the weight cell `address` of `model` (see the module docs); `grad`
/// is the gradient of that weight on the trace's loss when one was computed.
#[expect(
    clippy::too_many_lines,
    reason = "a weight's number explained from where it comes from: its value, its initial draw, its change and its gradient, in order"
)]
pub fn explain_weight_in(
    model: &Transformer,
    trace: &Trace,
    address: &Address,
    grad: Option<&Param>,
    opts: &ExplainOptions,
    lang: Lang,
) -> Result<Explanation, ExplainError> {
    let name = address.name.as_str();
    let Some(p) = model.weights().get(name) else {
        return Err(TraceError::UnknownStep {
            name: name.to_string(),
            suggestions: model.weights().suggest(name),
        }
        .into());
    };
    let labels = match (name, model.vocab()) {
        (EMBEDDING, Some(v)) => Some(v.tokens()),
        _ => None,
    };
    let heads = model.config().heads;
    let v = pick(name, p, heads, labels, &address.indices)?;
    let (Some((i, j)), Some((wi, wj))) = (v.cell, v.whole_cell) else {
        return Err(not_a_cell(address, &v, p));
    };
    let value = v.values[[i, j]];
    let c = C {
        precision: opts.precision,
        lang,
    };
    let short = name.rsplit('.').next().unwrap_or(name);
    let row_label = v.rows.get(i).map_or("", String::as_str);
    let shape = crate::model::weights::shape_text(&p.shape());
    let vector = matches!(p, Param::Vector(_));
    let place = c.t(ExplainText::WeightPlace {
        name: name.into(),
        shape,
        wi,
        wj,
        vector,
        row_label: (name == EMBEDDING).then(|| row_label.to_string()),
    });
    let head_part = v
        .head
        .map(|h| {
            c.t(ExplainText::WeightHeadPart {
                h,
                slice: v.name.clone(),
                i,
                j,
            })
        })
        .unwrap_or_default();
    let steps = model.trained_steps();
    let begun = start(model, name, row_label, wi, wj, &c);
    let mut lines = Vec::new();
    let mut formula = if vector {
        format!("{short}[j]")
    } else {
        format!("{short}[i][j]")
    };
    if steps > 0 {
        let title = c.t(ExplainText::WeightLearnedTitle {
            place,
            head: head_part,
        });
        formula = c.t(ExplainText::WeightLearnedFormula { formula, steps });
        if let Some(s) = &begun {
            lines.push(c.t(ExplainText::WeightInitial {
                value: c.num(s.value),
                how: s.how.clone(),
            }));
        }
        lines.push(c.t(match &begun {
            Some(s) => ExplainText::WeightNowChanged {
                value: c.num(value),
                steps,
                start: fmt_operand(s.value, c.precision),
                change: c.num(value - s.value),
            },
            None => ExplainText::WeightNow {
                value: c.num(value),
                steps,
            },
        }));
        lines.push(c.t(ExplainText::WeightNoLastGrad {}));
        return Ok(finish(
            address, trace, name, grad, value, title, formula, lines, &c, heads,
        ));
    }
    let title = c.t(ExplainText::WeightRandomTitle {
        place,
        head: head_part,
    });
    if let Some(s) = &begun {
        formula = if vector {
            c.t(ExplainText::WeightVectorStart {
                short: short.into(),
                start: s.formula.clone(),
            })
        } else {
            format!("{formula} ~ {}", s.formula)
        };
        lines.push(s.how.clone());
        if s.value.to_bits() != value.to_bits() {
            lines.push(c.t(ExplainText::WeightSetSince {
                start: c.num(s.value),
                value: c.num(value),
            }));
        }
    }
    Ok(finish(
        address, trace, name, grad, value, title, formula, lines, &c, heads,
    ))
}

/// The lines every weight's explanation ends with (its gradient, or how to get one; the
/// steps that read it) and the [`Explanation`].
#[allow(clippy::too_many_arguments)]
fn finish(
    address: &Address,
    trace: &Trace,
    name: &str,
    grad: Option<&Param>,
    value: f32,
    title: String,
    formula: String,
    mut lines: Vec<String>,
    c: &C,
    heads: usize,
) -> Explanation {
    let g = grad
        .and_then(|g| pick(name, g, heads, None, &address.indices).ok())
        .and_then(|v| v.cell.map(|(i, j)| v.values[[i, j]]));
    lines.push(c.t(match g {
        Some(g) => ExplainText::WeightGrad {
            address: address.to_string(),
            g: fmt_grad(g, c.precision),
        },
        None => ExplainText::WeightNoGrad {
            address: address.to_string(),
        },
    }));
    let readers: Vec<&str> = trace
        .steps()
        .iter()
        .filter(|s| s.inputs().iter().any(|n| n == name))
        .map(Step::name)
        .collect();
    if !readers.is_empty() {
        lines.push(c.t(ExplainText::WeightReaders {
            readers: readers.join(", "),
        }));
    }
    Explanation {
        address: address.to_string(),
        kind: reader_kind(trace, name),
        value,
        title,
        formula,
        lines,
        recomputed: None,
        precision: c.precision,
    }
}

/// The address names more than one number of the weight.
fn not_a_cell(address: &Address, v: &WeightView<'_>, p: &Param) -> ExplainError {
    let name = &address.name;
    let what = match (address.indices.as_slice(), v.head) {
        ([], _) => "the whole weight".to_string(),
        ([h], Some(_)) => format!("one head's slice (head {h})"),
        _ => format!("one row (row {})", address.indices[0]),
    };
    let (needs, example) = match p {
        Param::Vector(_) => ("[j]", format!("{name}[0]")),
        Param::Matrix(_) if crate::weight_view::head_axis(name).is_some() => (
            "[i][j] (or [h][i][j] in head h's slice)",
            format!("{name}[0][0]"),
        ),
        Param::Matrix(_) => ("[i][j]", format!("{name}[0][0]")),
    };
    ExplainError::NotACell {
        address: address.to_string(),
        what,
        needs: needs.to_string(),
        example,
    }
}
