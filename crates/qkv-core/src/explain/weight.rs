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
        let how = match c.lang {
            Lang::En => format!(
                "drawn from U(−a, a) with a = √(3/d_model) = √(3/{d}) = {} by the random stream of (seed {seed}, \"embed:{row_label}\")",
                c.num(a)
            ),
            Lang::Ko => format!(
                "U(−a, a)에서 뽑았습니다: a = √(3/d_model) = √(3/{d}) = {}, 난수열 (시드 {seed}, \"embed:{row_label}\")",
                c.num(a)
            ),
        };
        return Some(Start {
            value,
            how,
            formula: format!("U(−{0}, {0})", c.num(a)),
        });
    }
    let init = init_of(config, name)?;
    let value = init.entry(seed, name, row, col)?;
    let (how, formula) = match (init, c.lang) {
        (Init::Xavier(r, k), lang) => {
            let a = init.bound().unwrap_or_default();
            let how = match lang {
                Lang::En => format!(
                    "drawn from U(−a, a) with a = √(6/(rows + columns)) = √(6/({r} + {k})) = {} (Xavier) by the random stream of (seed {seed}, \"{name}\")",
                    c.num(a)
                ),
                Lang::Ko => format!(
                    "U(−a, a)에서 뽑았습니다: a = √(6/(행 + 열)) = √(6/({r} + {k})) = {} (Xavier), 난수열 (시드 {seed}, \"{name}\")",
                    c.num(a)
                ),
            };
            (how, format!("U(−{0}, {0})", c.num(a)))
        }
        (Init::Ones(_), Lang::En) => (
            "it starts at 1, as every LayerNorm gain does".to_string(),
            "1".to_string(),
        ),
        (Init::Ones(_), Lang::Ko) => (
            "LayerNorm의 배율(gain)이라 모두 1에서 시작합니다".to_string(),
            "1".to_string(),
        ),
        (Init::Zeros(_), Lang::En) => (
            "it starts at 0, as every bias and LayerNorm shift does".to_string(),
            "0".to_string(),
        ),
        (Init::Zeros(_), Lang::Ko) => (
            "편향(bias)과 LayerNorm의 이동(shift)은 모두 0에서 시작합니다".to_string(),
            "0".to_string(),
        ),
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
}

/// The explanation of the weight cell `address` of `model` (see the module docs); `grad`
/// is the gradient of that weight on the trace's loss when one was computed.
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
    let place = match (lang, vector) {
        (Lang::En, true) => format!("entry {wj} of {name} ({shape})"),
        (Lang::Ko, true) => format!("{name} ({shape})의 {wj}번째 값"),
        (Lang::En, false) if name == EMBEDDING => {
            format!("row {wi} ({row_label}), column {wj} of {name} ({shape})")
        }
        (Lang::Ko, false) if name == EMBEDDING => {
            format!("{name} ({shape})의 행 {wi} ({row_label}), 열 {wj}")
        }
        (Lang::En, false) => format!("row {wi}, column {wj} of {name} ({shape})"),
        (Lang::Ko, false) => format!("{name} ({shape})의 행 {wi}, 열 {wj}"),
    };
    let head_part = match (v.head, lang) {
        (Some(h), Lang::En) => format!("; head {h}'s slice {}[{i}][{j}]", v.name),
        (Some(h), Lang::Ko) => format!("; 헤드 {h}의 조각 {}[{i}][{j}]", v.name),
        (None, _) => String::new(),
    };
    let steps = model.trained_steps();
    let begun = start(model, name, row_label, wi, wj, &c);
    let mut lines = Vec::new();
    let mut formula = if vector {
        format!("{short}[j]")
    } else {
        format!("{short}[i][j]")
    };
    if steps > 0 {
        let title = match lang {
            Lang::En => format!("a learned number: {place}{head_part}"),
            Lang::Ko => format!("학습된 수: {place}{head_part}"),
        };
        formula = match lang {
            Lang::En => {
                format!("{formula} = its initial value + the changes of {steps} training updates")
            }
            Lang::Ko => format!("{formula} = 초기값 + 학습 갱신 {steps}번의 변화"),
        };
        if let Some(s) = &begun {
            lines.push(match lang {
                Lang::En => format!(
                    "initial value: {}, {} before training",
                    c.num(s.value),
                    s.how
                ),
                Lang::Ko => format!("초기값: {}. 학습 전에 {}", c.num(s.value), s.how),
            });
        }
        lines.push(match (&begun, lang) {
            (Some(s), Lang::En) => format!(
                "value now: {}, after {steps} updates: training changed it by {} − {} = {}",
                c.num(value),
                c.num(value),
                fmt_operand(s.value, c.precision),
                c.num(value - s.value)
            ),
            (Some(s), Lang::Ko) => format!(
                "지금 값: {}. 갱신 {steps}번 뒤의 값이며, 학습이 바꾼 양은 {} − {} = {}",
                c.num(value),
                c.num(value),
                fmt_operand(s.value, c.precision),
                c.num(value - s.value)
            ),
            (None, Lang::En) => format!("value now: {}, after {steps} updates", c.num(value)),
            (None, Lang::Ko) => format!("지금 값: {}. 갱신 {steps}번 뒤의 값입니다", c.num(value)),
        });
        lines.push(match lang {
            Lang::En => "its last training gradient and update are not known here: the checkpoint keeps the weights, not the gradients or the optimiser's steps".to_string(),
            Lang::Ko => "마지막 학습 기울기와 갱신량은 여기서 알 수 없습니다: 체크포인트는 가중치만 담고 기울기나 옵티마이저의 갱신은 담지 않습니다".to_string(),
        });
        return Ok(finish(
            address, trace, name, grad, value, title, formula, lines, &c, heads,
        ));
    }
    let title = match lang {
        Lang::En => format!("a random number, not learned: {place}{head_part}"),
        Lang::Ko => format!("학습하지 않은 무작위 수: {place}{head_part}"),
    };
    if let Some(s) = &begun {
        formula = match (vector, lang) {
            (false, _) => format!("{formula} ~ {}", s.formula),
            (true, Lang::En) => format!("{short}[j] = {} at the start", s.formula),
            (true, Lang::Ko) => format!("{short}[j] = {} (처음 값)", s.formula),
        };
        lines.push(s.how.clone());
        if s.value.to_bits() != value.to_bits() {
            lines.push(match lang {
                Lang::En => format!(
                    "it started at {}, and was set to {} since (a scenario's `weights:` or `set weight`)",
                    c.num(s.value),
                    c.num(value)
                ),
                Lang::Ko => format!(
                    "{}에서 시작했고, 그 뒤 {}로 지정되었습니다 (시나리오의 `weights:` 또는 `set weight`)",
                    c.num(s.value),
                    c.num(value)
                ),
            });
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
    lines.push(match (g, c.lang) {
        (Some(g), Lang::En) => format!(
            "its gradient on this sentence's loss: ∂loss/∂{address} = {}",
            fmt_grad(g, c.precision)
        ),
        (Some(g), Lang::Ko) => format!(
            "이 문장의 손실에 대한 기울기: ∂loss/∂{address} = {}",
            fmt_grad(g, c.precision)
        ),
        (None, Lang::En) => format!(
            "no gradient of it has been computed for this sentence: `grad {address}` computes one"
        ),
        (None, Lang::Ko) => format!(
            "이 문장에 대한 기울기는 아직 계산하지 않았습니다: `grad {address}`로 계산합니다"
        ),
    });
    let readers: Vec<&str> = trace
        .steps()
        .iter()
        .filter(|s| s.inputs().iter().any(|n| n == name))
        .map(Step::name)
        .collect();
    if !readers.is_empty() {
        lines.push(match c.lang {
            Lang::En => format!("read by: {}", readers.join(", ")),
            Lang::Ko => format!("이 값을 읽는 단계: {}", readers.join(", ")),
        });
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
