//! What a scenario can say about learning: gradients in its tour and checks (`grad.<name>`),
//! a recorded decoding (`decode:`) and a short training run (`training:`), each checked by
//! `qkv check`.

use std::path::Path;
use std::sync::Arc;

use crate::learn::backward;
use crate::learn::corpus::Corpus;
use crate::learn::decode::Decoder;
use crate::learn::train::{TrainOptions, Trainer};
use crate::model::Transformer;
use crate::model::tokenizer::EOS;
use crate::trace::Trace;

use super::check::CheckResult;
use super::schema::{DecodeSpec, Scenario, TrainingSpec};
use super::{FieldPath, ScenarioProblem};

/// True when the scenario's tour or checks name a gradient.
pub fn names_gradients(s: &Scenario) -> bool {
    s.expect.iter().any(|e| e.at.starts_with("grad."))
        || s.steps.iter().any(|t| t.show.starts_with("grad."))
}

/// `trace` followed by the gradient of every step (loss without label smoothing).
pub fn with_gradients(model: &Transformer, trace: Trace) -> Result<Trace, String> {
    let g = backward(model, &trace, 0.0).map_err(|e| format!("the gradients: {e}"))?;
    let tokens = trace.tokens().clone();
    let origin = trace.origin().is_some();
    let mut steps = trace.steps().to_vec();
    steps.extend(g.trace.steps().iter().cloned());
    let out = Trace::new(steps, tokens);
    Ok(if origin {
        // Reruns compare weights through the origin; a trace with gradients is never reused.
        out.with_origin(Arc::new(()))
    } else {
        out
    })
}

/// Problems of the `decode:` and `training:` sections that make the scenario unusable (not
/// failed checks: those are `qkv check`'s results).
pub fn check_sections(s: &Scenario, model: &Transformer) -> Vec<ScenarioProblem> {
    let mut out = Vec::new();
    if let Some(d) = &s.decode {
        let path = FieldPath::key("decode");
        if d.tokens.is_empty() {
            out.push(ScenarioProblem::new(
                path.clone().then("tokens"),
                "is empty: list the tokens the model should choose, e.g. [I, go, to, school, <eos>]",
            ));
        }
        if model.vocab().is_none() {
            out.push(ScenarioProblem::new(
                path,
                "needs a trained model: set model.checkpoint (an untrained model's choices mean nothing)",
            ));
        }
    }
    if let Some(t) = &s.training {
        let path = FieldPath::key("training");
        if t.steps == 0 || t.steps > 5000 {
            out.push(ScenarioProblem::new(
                path.clone().then("steps"),
                format!("= {}: expected 1 to 5000", t.steps),
            ));
        }
        if !(t.loss_below.is_finite() && t.loss_below > 0.0) {
            out.push(ScenarioProblem::new(
                path.clone().then("loss_below"),
                format!("= {}: expected a positive number", t.loss_below),
            ));
        }
        if let Err(e) = Corpus::load(&corpus_path(s, t)) {
            out.push(ScenarioProblem::new(path.then("corpus"), e.to_string()));
        }
    }
    out
}

fn corpus_path(s: &Scenario, t: &TrainingSpec) -> std::path::PathBuf {
    match &s.base_dir.0 {
        Some(b) if Path::new(&t.corpus).is_relative() => b.join(&t.corpus),
        _ => Path::new(&t.corpus).to_path_buf(),
    }
}

/// Runs the `decode:` and `training:` checks of a scenario on its model.
pub fn run_checks(s: &Scenario, model: &Transformer) -> Vec<CheckResult> {
    let mut out = Vec::new();
    if let Some(d) = &s.decode {
        out.push(decode_check(s, d, model));
    }
    if let Some(t) = &s.training {
        out.push(training_check(s, t, model));
    }
    out
}

fn decode_check(s: &Scenario, d: &DecodeSpec, model: &Transformer) -> CheckResult {
    let text = d.text.clone().unwrap_or_else(|| s.input.text.clone());
    let mut got: Vec<String> = Vec::new();
    let mut error = None;
    match Decoder::new(model, &text, 1, None) {
        Ok(mut dec) => {
            while got.len() < d.tokens.len() && got.last().map(String::as_str) != Some(EOS) {
                match dec.step(model, None) {
                    Ok(st) => got.push(st.chosen.clone()),
                    Err(e) => {
                        error = Some(e.to_string());
                        break;
                    }
                }
            }
        }
        Err(e) => error = Some(e.to_string()),
    }
    let passed = error.is_none() && got == d.tokens;
    CheckResult {
        at: format!("decode {text:?}"),
        check: "tokens",
        passed,
        expected: d.tokens.join(" "),
        actual: error.unwrap_or_else(|| got.join(" ")),
        diff: None,
        tolerance: None,
        detail: d.note.clone(),
    }
}

fn training_check(s: &Scenario, t: &TrainingSpec, model: &Transformer) -> CheckResult {
    let fail = |actual: String| CheckResult {
        at: format!("training {} steps on {}", t.steps, t.corpus),
        check: "loss_below",
        passed: false,
        expected: format!("< {}", t.loss_below),
        actual,
        diff: None,
        tolerance: None,
        detail: t.note.clone(),
    };
    let corpus = match Corpus::load(&corpus_path(s, t)) {
        Ok(c) => c,
        Err(e) => return fail(e.to_string()),
    };
    // Train the scenario's model (its weights; with the corpus's vocabulary when it has none).
    let start = match model.vocab() {
        Some(_) => model.clone(),
        None => match model.config().clone().validate() {
            Ok(v) => {
                let c = model.config();
                Transformer::with_vocab(v, corpus.vocab_for(c.arch, c.tokenizer))
            }
            Err(e) => return fail(e.to_string()),
        },
    };
    let options = TrainOptions {
        steps: t.steps,
        batch: t.batch.unwrap_or(TrainOptions::default().batch),
        seed: model.config().seed,
        ..TrainOptions::default()
    };
    let mut trainer = match Trainer::new(start, &corpus, options) {
        Ok(tr) => tr,
        Err(e) => return fail(e.to_string()),
    };
    let before = trainer.training_loss().ok().flatten();
    for _ in 0..t.steps {
        if let Err(e) = trainer.step() {
            return fail(e.to_string());
        }
    }
    match trainer.training_loss() {
        Ok(Some(l)) => CheckResult {
            passed: l < t.loss_below,
            actual: match before {
                Some(b) => format!("{l:.4} (from {b:.4} before training)"),
                None => format!("{l:.4}"),
            },
            ..fail(String::new())
        },
        Ok(None) => fail("no training pairs".into()),
        Err(e) => fail(e.to_string()),
    }
}
