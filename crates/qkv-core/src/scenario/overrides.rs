//! Changing a built scenario: the memory check, weight and embedding overrides, and which tour stops and expectations still fit after the model or sentence changed.

use super::*;

/// The sizes the cost formulas take, for `input` and a model whose fixed vocabulary (a
/// checkpoint's) has `vocab` words; without one, the vocabulary is at most the input's
/// tokens and two specials.
pub fn lengths_of(input: &Input, vocab: Option<usize>) -> crate::model::cost::Lengths {
    let tokens = input.source.len() + input.target.as_ref().map_or(0, Vec::len);
    crate::model::cost::Lengths {
        source: input.source.len(),
        target: input.target.as_ref().map_or(0, Vec::len),
        vocab: vocab.unwrap_or(tokens + 2),
    }
}

/// What a model and sentence need, by formula, and the budget: (weights, trace and working
/// buffers by [`crate::model::cost::peak_bytes`]; every head's scores and weights by
/// [`crate::model::cost::heads_bytes`]; [`crate::limits::memory_budget`]).
fn needs(
    config: &crate::model::config::Config,
    input: &Input,
    vocab: Option<usize>,
) -> (u64, u64, u64) {
    let lengths = lengths_of(input, vocab);
    (
        crate::model::cost::peak_bytes(config, lengths, crate::model::linalg::threads()),
        crate::model::cost::heads_bytes(config, lengths),
        crate::limits::memory_budget(),
    )
}

/// Refuses a model and sentence whose predicted peak memory (weights, trace and working
/// buffers, by [`crate::model::cost::peak_bytes`]) is past [`crate::limits::memory_budget`],
/// before any of it is allocated: the largest model the limits allow would otherwise be
/// killed by the system without a word.
///
/// Otherwise says whether a session's trace keeps every head
/// ([`crate::model::Transformer::forward`] with `keep_heads`): in a process whose sessions do
/// ([`crate::limits::sessions_keep_heads`]: the workbench and the REPL), when the heads fit
/// the same budget beside the rest ([`heads_fit`]). The next toggle's rerun then compares its
/// heads with the kept ones instead of recomputing them.
pub fn memory_check(
    config: &ValidConfig,
    input: &Input,
    vocab: Option<usize>,
) -> Result<bool, String> {
    let (need, heads, budget) = needs(config, input, vocab);
    crate::limits::check_memory(need).map_err(|e| {
        format!("this model and sentence (weights, trace and working buffers) need {e}")
    })?;
    Ok(crate::limits::sessions_keep_heads() && need.saturating_add(heads) <= budget)
}

/// True when a trace of this model and sentence can also keep every attention head's
/// scores and weights ([`crate::model::cost::heads_bytes`]) within
/// [`crate::limits::memory_budget`], beside the weights, the trace and the working buffers
/// [`memory_check`] counts. At `base` with 512 + 512 tokens the heads are 288 MiB.
pub fn heads_fit(config: &crate::model::config::Config, input: &Input) -> bool {
    let (need, heads, budget) = needs(config, input, None);
    need.saturating_add(heads) <= budget
}

/// The model of `config` with the scenario's embedding and weight overrides applied.
pub fn apply_overrides(
    config: ValidConfig,
    input: &Input,
    s: &Scenario,
) -> Result<Transformer, Vec<ScenarioProblem>> {
    apply_overrides_to(None, config, input, s)
}

/// [`apply_overrides`] on a trained model (a checkpoint's) when there is one: its sizes
/// are fixed, so a field that would shape the weights differently is a problem.
pub fn apply_overrides_to(
    trained: Option<Transformer>,
    config: ValidConfig,
    input: &Input,
    s: &Scenario,
) -> Result<Transformer, Vec<ScenarioProblem>> {
    let mut problems = Vec::new();
    let mut model = match trained {
        Some(mut m) => {
            if let Err(e) = m.set_config(config) {
                return Err(vec![ScenarioProblem::new(
                    config_field_path(e.field),
                    format!(
                        "= {}: the checkpoint's model has {} {}; a trained model's sizes are fixed",
                        e.to, e.field, e.from
                    ),
                )]);
            }
            m
        }
        None => Transformer::new(config),
    };
    let tokens: Vec<&String> = input
        .source
        .iter()
        .chain(input.target.iter().flatten())
        .collect();
    for (token, vector) in s.embeddings.iter() {
        let path = FieldPath::key("embeddings").then(token);
        if !tokens.iter().any(|t| *t == token) {
            let list: Vec<&str> = tokens.iter().map(|t| t.as_str()).collect();
            problems.push(ScenarioProblem::new(
                path,
                format!(
                    "unknown token {token:?}: it is not in the input (tokens: {})",
                    list.join(", ")
                ),
            ));
            continue;
        }
        if let Err(e) = number_rule(vector.iter().copied()) {
            problems.push(ScenarioProblem::new(path, e));
            continue;
        }
        let arr = Array1::from_iter(vector.iter().map(|x| *x as f32));
        if let Err(e) = model.embedding_mut().set_override(token, arr) {
            problems.push(ScenarioProblem::new(path, e.to_string()));
        }
    }
    for (name, numbers) in s.weights.iter() {
        let path = FieldPath::key("weights").then(name);
        let values: Vec<f64> = match numbers {
            Numbers::Vector(v) => v.clone(),
            Numbers::Matrix(m) => m.iter().flatten().copied().collect(),
        };
        if let Err(e) = number_rule(values.into_iter()) {
            problems.push(ScenarioProblem::new(path, e));
            continue;
        }
        let param = match param_of(numbers) {
            Ok(p) => p,
            Err(e) => {
                problems.push(ScenarioProblem::new(path, e));
                continue;
            }
        };
        if let Err(e) = model.weights_mut().set(name, param) {
            problems.push(ScenarioProblem::new(path, e.to_string()));
        }
    }
    if problems.is_empty() {
        Ok(model)
    } else {
        Err(problems)
    }
}

/// The step and head a tour stop shows (`show: name[h]` or `show: name` + `head: h`).
pub fn tour_target(step: &TourStep) -> Result<(String, Option<usize>), String> {
    let addr = Address::parse(&step.show).map_err(|e| e.to_string())?;
    match (addr.indices.as_slice(), step.head) {
        ([], h) => Ok((addr.name, h)),
        ([h], None) => Ok((addr.name, Some(*h))),
        ([h], Some(h2)) if *h == h2 => Ok((addr.name, Some(*h))),
        ([_], Some(_)) => Err("gives the head twice, in `show` and in `head`".into()),
        _ => Err(format!(
            "{:?} has too many indices: `show` names a step and optionally a head; put the cell in `cell: [row, column]`",
            step.show
        )),
    }
}

/// Leaves out of `s` what no longer fits its model and sentence (after `--text`, `--preset`
/// or another flag changed them): embedding overrides of tokens not in the input, weight
/// overrides of the wrong shape, tour stops and expectations naming steps, heads or cells
/// that do not exist. Returns one line saying what was left out (`None`: nothing was, or
/// the scenario does not build anyway, which `build` then reports).
pub fn drop_unfitting(s: &mut Scenario) -> Option<String> {
    let trained = s
        .model
        .checkpoint
        .as_ref()
        .and_then(|c| load_checkpoint(c, s.base_dir.as_deref()).ok());
    let config = scenario_config(&s.model, trained.as_ref());
    let (valid, input) = prepare(config, &s.input.text, s.input.target.as_deref()).ok()?;
    let tokens: Vec<&String> = input
        .source
        .iter()
        .chain(input.target.iter().flatten())
        .collect();
    let mut dropped: Vec<String> = Vec::new();
    let mut count = |n: usize, what: &str| {
        if n > 0 {
            dropped.push(if n == 1 {
                format!("1 {what}")
            } else {
                format!("{n} {what}s")
            });
        }
    };
    let before = s.embeddings.0.len();
    s.embeddings.0.retain(|(t, _)| tokens.contains(&t));
    count(before - s.embeddings.0.len(), "embedding override");
    if !s.weights.0.is_empty() {
        let mut probe = Transformer::new(valid);
        let before = s.weights.0.len();
        s.weights.0.retain(|(name, numbers)| {
            param_of(numbers).is_ok_and(|p| probe.weights_mut().set(name, p).is_ok())
        });
        count(before - s.weights.0.len(), "weight override");
    }
    let mut bare = s.clone();
    bare.steps.clear();
    bare.expect.clear();
    bare.practice.clear();
    let trace = build(&bare).ok()?.trace;
    let before = s.steps.len();
    s.steps.retain(|t| tour_stop_fits(&trace, t));
    count(before - s.steps.len(), "tour stop");
    let before = s.expect.len();
    s.expect
        .retain(|e| check_expectations(std::slice::from_ref(e), &trace).is_empty());
    count(before - s.expect.len(), "expectation");
    let before = s.practice.len();
    s.practice
        .retain(|p| check_practice(std::slice::from_ref(p), &trace).is_empty());
    count(before - s.practice.len(), "practice question");
    (!dropped.is_empty()).then(|| {
        format!(
            "left out {} that no longer fit the model and sentence",
            dropped.join(", ")
        )
    })
}

/// True when a tour stop names a step, head and cell of `trace`.
pub fn tour_stop_fits(trace: &Trace, stop: &TourStep) -> bool {
    check_tour(std::slice::from_ref(stop), trace).is_empty()
}
