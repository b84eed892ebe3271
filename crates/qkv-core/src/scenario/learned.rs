//! What a scenario can say about learning: gradients in its tour and checks (`grad.<name>`),
//! a recorded decoding (`decode:`) and a short training run (`training:`), each checked by
//! `qkv check`.

use std::path::Path;
use std::sync::Arc;

use crate::learn::backward;
use crate::learn::corpus::Corpus;
use crate::learn::decode::Decoder;
use crate::learn::train::{TrainError, TrainOptions, Trainer};
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

/// A `training:` check set up to run: its trainer, or why it fails.
type Prepared = Result<Trainer, String>;

/// Sets up the `training:` check: the corpus read once, the model to train, the trainer
/// (whose setup checks the memory budget). `Err` refuses the check before it runs, with the
/// predicted figure and how to run it anyway: past the memory budget, or past
/// [`crate::limits::MAX_CHECK_TRAINING_FLOP`] unless long checks are allowed
/// (`qkv check --long`). Opening the scenario is not refused: only running the check.
fn prepare_training(
    s: &Scenario,
    t: &TrainingSpec,
    model: &Transformer,
) -> Result<Prepared, String> {
    let path = FieldPath::key("training");
    let corpus = match Corpus::load(&corpus_path(s, t)) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let start = match start_model(model, &corpus) {
        Ok(m) => m,
        Err(e) => return Ok(Err(e)),
    };
    let options = TrainOptions {
        steps: t.steps,
        batch: t.batch.unwrap_or(TrainOptions::default().batch),
        seed: model.config().seed,
        ..TrainOptions::default()
    };
    let trainer = match Trainer::new(start, &corpus, options) {
        Ok(tr) => tr,
        Err(e @ TrainError::Memory { .. }) => {
            return Err(ScenarioProblem::new(path.then("batch"), e.to_string()).to_string());
        }
        Err(e) => return Ok(Err(e.to_string())),
    };
    let plan = trainer.plan();
    let flop = plan
        .flop_per_update
        .saturating_mul(t.steps as u64)
        .saturating_add(plan.flop_per_evaluation.saturating_mul(2));
    if flop > crate::limits::MAX_CHECK_TRAINING_FLOP && !crate::limits::long_checks() {
        return Err(ScenarioProblem::new(
            path.then("steps"),
            format!(
                "= {}: this training check would take about {:.1}·10¹² floating-point operations ({} updates of {} pairs), more than the {:.1}·10¹² a check runs by default (about a minute); run it anyway with `qkv check --long`, or lower steps or batch",
                t.steps,
                flop as f64 / 1e12,
                t.steps,
                plan.batch,
                crate::limits::MAX_CHECK_TRAINING_FLOP as f64 / 1e12
            ),
        )
        .to_string());
    }
    Ok(Ok(trainer))
}

/// The model a `training:` check trains: the scenario's (its weights), with the corpus's
/// vocabulary when it has none.
fn start_model(model: &Transformer, corpus: &Corpus) -> Result<Transformer, String> {
    match model.vocab() {
        Some(_) => Ok(model.clone()),
        None => {
            let c = model.config();
            let v = c.clone().validate().map_err(|e| e.to_string())?;
            Ok(Transformer::with_vocab(
                v,
                corpus.vocab_for(c.arch, c.tokenizer),
            ))
        }
    }
}

fn corpus_path(s: &Scenario, t: &TrainingSpec) -> std::path::PathBuf {
    match &s.base_dir.0 {
        Some(b) if Path::new(&t.corpus).is_relative() => b.join(&t.corpus),
        _ => Path::new(&t.corpus).to_path_buf(),
    }
}

/// Runs the `decode:` and `training:` checks of a scenario on its model. A training check
/// predicted past the memory budget or the work a check may take is refused before it runs
/// (`Err`, with the predicted figure and how to run it anyway).
pub fn run_checks(s: &Scenario, model: &Transformer) -> Result<Vec<CheckResult>, String> {
    let training = match &s.training {
        Some(t) => Some((t, prepare_training(s, t, model)?)),
        None => None,
    };
    let mut out = Vec::new();
    if let Some(d) = &s.decode {
        out.push(decode_check(s, d, model));
    }
    if let Some((t, prepared)) = training {
        out.push(training_check(t, prepared));
    }
    Ok(out)
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

fn training_check(t: &TrainingSpec, prepared: Prepared) -> CheckResult {
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
    let mut trainer = match prepared {
        Ok(tr) => tr,
        Err(e) => return fail(e),
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
