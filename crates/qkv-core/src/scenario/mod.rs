//! YAML scenarios: what a user was studying (model, sentence, overrides), a guided tour
//! through the trace, and expectations that `qkv check` verifies.
//!
//! [`schema`] is the file format, [`io`] the only YAML code (load with line:column errors,
//! atomic save), [`check`] runs the expectations. This module turns a parsed file into a
//! model and a trace, reporting every semantic problem with the path of the offending field.

pub mod check;
pub mod fields;
pub mod io;
pub mod learned;
pub mod schema;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use ndarray::{Array1, Array2};

use crate::model::attention::{Mask, scaled_dot_product};
use crate::model::{
    Arch, Config, Control, Input, Layers, MaskKind, Param, Pass, Preset, Transformer, ValidConfig,
    Vocab, prepare,
};
use crate::trace::{Address, Labels, Step, StepKind, Tensor, Trace, TraceTokens};
use schema::{
    AttentionScenario, CHECK_FIELDS, Expectation, InputSpec, LayersSpec, ModelSpec, Numbers,
    OrderedMap, Scenario, ScenarioFile, TourStep, VERSION, Word,
};

mod attention;
mod validate;

pub use attention::{ATTENTION_STEPS, build_attention};
use validate::*;

mod overrides;
pub use overrides::*;

mod spec;
pub use spec::*;

/// One segment of the path to a field: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// `model`, `heads`, a token, a weight name…
    Key(String),
    /// Position in a list.
    Index(usize),
}

/// Path of a field in a scenario file, e.g. `model.heads` or `expect[2].tolerance`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub Vec<PathSeg>);

impl FieldPath {
    /// A path from keys and indices.
    pub fn new(segs: Vec<PathSeg>) -> FieldPath {
        FieldPath(segs)
    }
    fn key(k: &str) -> FieldPath {
        FieldPath(vec![PathSeg::Key(k.to_string())])
    }
    fn then(&self, k: &str) -> FieldPath {
        let mut v = self.0.clone();
        v.push(PathSeg::Key(k.to_string()));
        FieldPath(v)
    }
    fn at(&self, i: usize) -> FieldPath {
        let mut v = self.0.clone();
        v.push(PathSeg::Index(i));
        FieldPath(v)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, s) in self.0.iter().enumerate() {
            match s {
                PathSeg::Key(k) if n == 0 => write!(f, "{k}")?,
                PathSeg::Key(k) => write!(f, ".{k}")?,
                PathSeg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// A semantic problem in a scenario (the YAML parsed, but the content does not fit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioProblem {
    /// Where.
    pub path: FieldPath,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ScenarioProblem {
    fn new(path: FieldPath, message: impl Into<String>) -> ScenarioProblem {
        ScenarioProblem {
            path,
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&join_field(&self.path.to_string(), &self.message))
    }
}

/// `field: message`, or `field = value: …` when the message starts with `= `.
pub fn join_field(field: &str, message: &str) -> String {
    if field.is_empty() {
        message.to_string()
    } else if message.starts_with("= ") {
        format!("{field} {message}")
    } else {
        format!("{field}: {message}")
    }
}

/// A model scenario made runnable.
#[derive(Debug, Clone)]
pub struct Built {
    /// The model with every override applied.
    pub model: Transformer,
    /// The tokenized input.
    pub input: Input,
    /// The forward pass.
    pub trace: Trace,
}

/// Turns a matrix written as rows into an array, checking that it is rectangular.
///
/// # Shapes
/// Returns rows.len() × rows[0].len().
pub fn to_array(rows: &[Vec<f64>]) -> Result<Array2<f32>, String> {
    let n = rows.len();
    let m = rows.first().map_or(0, Vec::len);
    if n == 0 || m == 0 {
        return Err("is empty: expected a list of non-empty rows".into());
    }
    if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != m) {
        return Err(format!(
            "row {i} has {} values but row 0 has {m}: every row needs the same length",
            r.len()
        ));
    }
    let flat: Vec<f32> = rows.iter().flatten().map(|x| *x as f32).collect();
    Array2::from_shape_vec((n, m), flat).map_err(|e| e.to_string())
}

/// A weight override as a parameter (a vector, or a rectangular matrix); the error says
/// what is wrong with a ragged or empty matrix.
pub fn param_of(numbers: &Numbers) -> Result<Param, String> {
    match numbers {
        Numbers::Vector(v) => Ok(Param::Vector(Array1::from_iter(
            v.iter().map(|x| *x as f32),
        ))),
        Numbers::Matrix(m) => to_array(m)
            .map(Param::Matrix)
            .map_err(|e| format!("matrix {e}")),
    }
}

/// The one rule for every number a scenario or a `set` gives the model (embeddings,
/// weights, q/k/v of a hand-check): finite, and within f32's range (±3.4e38), because qkv
/// computes in f32 and 1e39 would silently become ∞. The error names the value's position.
pub fn number_rule(values: impl Iterator<Item = f64>) -> Result<(), String> {
    match values
        .enumerate()
        .find(|(_, v)| !v.is_finite() || v.abs() > f64::from(f32::MAX))
    {
        None => Ok(()),
        Some((i, v)) if v.is_finite() => Err(format!(
            "value {i} is {v:e}: it does not fit in f32 (numbers must be finite and within ±3.4e38)"
        )),
        Some((i, v)) => Err(format!(
            "value {i} is {v}: numbers must be finite and within ±3.4e38"
        )),
    }
}

fn check_version(version: u32) -> Result<(), Vec<ScenarioProblem>> {
    if version == VERSION {
        Ok(())
    } else {
        Err(vec![ScenarioProblem::new(
            FieldPath::key("version"),
            format!("version {version} is not supported: this qkv reads version {VERSION}"),
        )])
    }
}

/// Runs a model scenario: config, input, overrides, forward pass, and checks the names used
/// by the tour and the expectations. Returns every problem found.
pub fn build(s: &Scenario) -> Result<Built, Vec<ScenarioProblem>> {
    build_in(s, None)
}

/// [`build`], reading a checkpoint and running the forward pass under `control`.
// Over 80 lines: every section of a model scenario checked so that all problems are reported at once.
fn build_in(s: &Scenario, control: Option<&Control>) -> Result<Built, Vec<ScenarioProblem>> {
    check_version(s.version)?;
    let mut problems = Vec::new();
    let trained = match &s.model.checkpoint {
        Some(name) => match spec::load_checkpoint_in(name, s.base_dir.as_deref(), control) {
            Ok(m) => Some(m),
            Err(e) => {
                return Err(vec![ScenarioProblem::new(
                    FieldPath::key("model").then("checkpoint"),
                    format!("= {name:?}: {e}"),
                )]);
            }
        },
        None => None,
    };
    let config = scenario_config(&s.model, trained.as_ref());
    if let Some(t) = &s.input.target
        && config.arch != Arch::EncoderDecoder
    {
        problems.push(ScenarioProblem::new(
            FieldPath::key("input").then("target"),
            format!(
                "= {t:?}: only an encoder-decoder model reads a target, and this one is {}; remove it or set model.arch: encoder-decoder",
                config.arch
            ),
        ));
    }
    let prepared = prepare(config, &s.input.text, s.input.target.as_deref());
    let (valid, input) = match prepared {
        Ok(v) => v,
        Err(e) => {
            problems.extend(e.problems.into_iter().map(|p| {
                let message = if p.field.starts_with("layers.") {
                    p.to_string()
                } else {
                    format!("= {}: expected {}", p.value, p.allowed)
                };
                ScenarioProblem::new(config_field_path(&p.field), message)
            }));
            return Err(problems);
        }
    };
    let vocab = trained
        .as_ref()
        .and_then(Transformer::vocab)
        .map(Vocab::len);
    let keep = match memory_check(&valid, &input, vocab) {
        Ok(keep) => keep,
        Err(e) => {
            problems.push(ScenarioProblem::new(FieldPath::key("model"), e));
            return Err(problems);
        }
    };
    let model = match apply_overrides_to(trained, valid, &input, s) {
        Ok(m) => m,
        Err(mut p) => {
            problems.append(&mut p);
            return Err(problems);
        }
    };
    let pass = Pass::keeping(keep);
    let pass = match control {
        Some(c) => pass.controlled(c),
        None => pass,
    };
    let trace = match model.forward(&input, pass) {
        Ok(t) => t,
        Err(e) => {
            problems.push(ScenarioProblem::new(FieldPath::key("model"), e.to_string()));
            return Err(problems);
        }
    };
    // A scenario that studies gradients (`grad.<name>` in its tour or checks) gets them in
    // its trace, after the forward steps.
    let trace = if learned::names_gradients(s) {
        match learned::with_gradients(&model, trace) {
            Ok(t) => t,
            Err(e) => {
                problems.push(ScenarioProblem::new(FieldPath::key("expect"), e));
                return Err(problems);
            }
        }
    } else {
        trace
    };
    problems.extend(learned::check_sections(s, &model));
    problems.extend(check_tour(&s.steps, &trace));
    problems.extend(check_expectations(&s.expect, &trace));
    problems.extend(check_practice(&s.practice, &trace));
    if problems.is_empty() {
        Ok(Built {
            model,
            input,
            trace,
        })
    } else {
        Err(problems)
    }
}

/// A runnable scenario of either kind.
#[derive(Debug, Clone)]
pub enum Runnable {
    /// A model scenario with its model and trace.
    Model(Box<Built>),
    /// A model scenario on a Hugging Face model (`model.hf`): the model, the pieces, the
    /// trace.
    Real(Box<crate::hf::Run>),
    /// An attention hand-check's trace.
    Attention(Trace),
}

impl Runnable {
    /// The trace.
    pub fn trace(&self) -> &Trace {
        match self {
            Runnable::Model(b) => &b.trace,
            Runnable::Real(r) => &r.trace,
            Runnable::Attention(t) => t,
        }
    }
    /// The model, for model scenarios.
    pub fn model(&self) -> Option<&Transformer> {
        match self {
            Runnable::Model(b) => Some(&b.model),
            Runnable::Real(_) | Runnable::Attention(_) => None,
        }
    }

    /// The model as an explanation reads it (qkv's own or a Hugging Face one).
    pub fn model_ref(&self) -> Option<crate::explain::ModelRef<'_>> {
        match self {
            Runnable::Model(b) => Some(crate::explain::ModelRef::Paper(&b.model)),
            Runnable::Real(r) => Some(crate::explain::ModelRef::from(&*r.model)),
            Runnable::Attention(_) => None,
        }
    }
}

/// The directory a scenario's `model.hf` names, relative to the scenario file.
pub fn hf_dir(s: &Scenario) -> Option<std::path::PathBuf> {
    let dir = s.model.hf.as_deref()?;
    Some(match s.base_dir.as_deref() {
        Some(base) => base.join(dir),
        None => std::path::PathBuf::from(dir),
    })
}

/// Builds a scenario on a Hugging Face model (`model.hf: DIR`): opens the directory, runs
/// the sentence, checks the tour, the expectations and the practice items against the
/// trace. The model is the directory's: other model fields, weight and embedding
/// overrides, decoding and training sections are refused.
pub fn build_real(s: &Scenario) -> Result<crate::hf::Run, Vec<ScenarioProblem>> {
    check_version(s.version)?;
    let at = || FieldPath::key("model").then("hf");
    let Some(dir) = hf_dir(s) else {
        return Err(vec![ScenarioProblem::new(at(), "is missing".to_string())]);
    };
    let mut problems = Vec::new();
    let others = schema::ModelSpec {
        hf: None,
        ..s.model.clone()
    };
    if others != schema::ModelSpec::default() {
        problems.push(ScenarioProblem::new(
            FieldPath::key("model"),
            format!(
                "{}: with model.hf the model is the directory's (its config.json and weights); remove the other model fields",
                others.describe()
            ),
        ));
    }
    for (key, given) in [
        ("weights", !s.weights.is_empty()),
        ("embeddings", !s.embeddings.is_empty()),
        ("decode", s.decode.is_some()),
        ("training", s.training.is_some()),
    ] {
        if given {
            problems.push(ScenarioProblem::new(
                FieldPath::key(key),
                "does not apply to a Hugging Face model: its weights are read-only and qkv does not train or decode it from a scenario; remove it".to_string(),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let model = crate::hf::HfModel::open(&dir).map_err(|e| {
        vec![ScenarioProblem::new(
            at(),
            format!("= {:?}: {e}", s.model.hf.as_deref().unwrap_or_default()),
        )]
    })?;
    let run = crate::hf::Run::new(
        std::sync::Arc::new(model),
        &s.input.text,
        s.input.target.as_deref(),
    )
    .map_err(|e| vec![ScenarioProblem::new(FieldPath::key("input"), e.to_string())])?;
    problems.extend(check_tour(&s.steps, &run.trace));
    problems.extend(check_expectations(&s.expect, &run.trace));
    problems.extend(check_practice(&s.practice, &run.trace));
    if problems.is_empty() {
        Ok(run)
    } else {
        Err(problems)
    }
}

/// Builds a scenario file of either kind.
pub fn build_file(file: &ScenarioFile) -> Result<Runnable, Vec<ScenarioProblem>> {
    build_file_controlled(file, None)
}

/// [`build_file`], reading a checkpoint and running the forward pass under `control`.
pub fn build_file_controlled(
    file: &ScenarioFile,
    control: Option<&Control>,
) -> Result<Runnable, Vec<ScenarioProblem>> {
    match file {
        ScenarioFile::Model(s) if s.model.hf.is_some() => {
            build_real(s).map(|r| Runnable::Real(Box::new(r)))
        }
        ScenarioFile::Model(s) => build_in(s, control).map(|b| Runnable::Model(Box::new(b))),
        ScenarioFile::Attention(a) => build_attention(a).map(Runnable::Attention),
    }
}
