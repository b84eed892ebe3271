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
    Arch, Config, Input, Layers, MaskKind, Param, Preset, Transformer, ValidConfig, prepare,
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

/// The configuration a model section describes (fields override the preset, `tiny` by
/// default).
pub fn config_of(spec: &ModelSpec) -> Config {
    apply_spec(
        Config::preset(spec.preset.map_or(Preset::Tiny, |w| w.0)),
        spec,
    )
}

/// `base` with every field the section sets (its `preset` is not applied here).
pub fn apply_spec(mut c: Config, spec: &ModelSpec) -> Config {
    // A preset resets the sizes (and the embedding scaling that goes with them) and keeps
    // the other choices; the fields below then apply on top.
    if let Some(Word(p)) = spec.preset {
        let sizes = Config::preset(p);
        c.d_model = sizes.d_model;
        c.heads = sizes.heads;
        c.d_ff = sizes.d_ff;
        c.layers = sizes.layers;
        c.embed_scale = sizes.embed_scale;
    }
    if let Some(Word(v)) = spec.arch {
        c.arch = v;
    }
    if let Some(v) = spec.d_model {
        c.d_model = v;
    }
    if let Some(v) = spec.heads {
        c.heads = v;
    }
    if let Some(v) = spec.d_ff {
        c.d_ff = v;
    }
    match spec.layers {
        Some(LayersSpec::Both(n)) => {
            c.layers = Layers {
                encoder: n,
                decoder: n,
            }
        }
        Some(LayersSpec::Each { encoder, decoder }) => {
            c.layers.encoder = encoder.unwrap_or(c.layers.encoder);
            c.layers.decoder = decoder.unwrap_or(c.layers.decoder);
        }
        None => {}
    }
    if let Some(Word(v)) = spec.norm {
        c.norm = v;
    }
    if let Some(Word(v)) = spec.positional {
        c.positional = v;
    }
    if let Some(v) = spec.scale {
        c.scale = v;
    }
    if let Some(v) = spec.embed_scale {
        c.embed_scale = v;
    }
    if let Some(Word(v)) = spec.mask {
        c.mask = v;
    }
    if let Some(Word(v)) = spec.dec_mask {
        c.dec_mask = v;
    }
    if let Some(v) = spec.eps {
        c.eps = v as f32;
    }
    if let Some(v) = spec.seed {
        c.seed = v;
    }
    if let Some(v) = spec.max_tokens {
        c.max_tokens = v;
    }
    if let Some(Word(v)) = spec.tokenizer {
        c.tokenizer = v;
    }
    c
}

/// A model section that states every field of `config` explicitly.
pub fn spec_of(c: &Config) -> ModelSpec {
    ModelSpec {
        checkpoint: None,
        preset: None,
        arch: Some(Word(c.arch)),
        d_model: Some(c.d_model),
        heads: Some(c.heads),
        d_ff: Some(c.d_ff),
        layers: Some(if c.layers.encoder == c.layers.decoder {
            LayersSpec::Both(c.layers.encoder)
        } else {
            LayersSpec::Each {
                encoder: Some(c.layers.encoder),
                decoder: Some(c.layers.decoder),
            }
        }),
        norm: Some(Word(c.norm)),
        positional: Some(Word(c.positional)),
        scale: Some(c.scale),
        embed_scale: Some(c.embed_scale),
        mask: Some(Word(c.mask)),
        // Written only when switched off, so that ordinary scenarios keep their layout.
        dec_mask: (c.dec_mask != MaskKind::Causal).then_some(Word(c.dec_mask)),
        eps: Some(c.eps.to_string().parse().unwrap_or(f64::from(c.eps))),
        seed: Some(c.seed),
        max_tokens: Some(c.max_tokens),
        tokenizer: Some(Word(c.tokenizer)),
    }
}

/// `base` with every field `over` sets put on top.
pub fn merge_spec(base: &ModelSpec, over: &ModelSpec) -> ModelSpec {
    ModelSpec {
        checkpoint: over.checkpoint.clone().or_else(|| base.checkpoint.clone()),
        preset: over.preset.or(base.preset),
        arch: over.arch.or(base.arch),
        d_model: over.d_model.or(base.d_model),
        heads: over.heads.or(base.heads),
        d_ff: over.d_ff.or(base.d_ff),
        layers: over.layers.or(base.layers),
        norm: over.norm.or(base.norm),
        positional: over.positional.or(base.positional),
        scale: over.scale.or(base.scale),
        embed_scale: over.embed_scale.or(base.embed_scale),
        mask: over.mask.or(base.mask),
        dec_mask: over.dec_mask.or(base.dec_mask),
        eps: over.eps.or(base.eps),
        seed: over.seed.or(base.seed),
        max_tokens: over.max_tokens.or(base.max_tokens),
        tokenizer: over.tokenizer.or(base.tokenizer),
    }
}

/// Puts `text` in place of the scenario's sentence. A recorded decoding keeps the sentence
/// it was recorded on (it names it, when it did not already).
pub fn set_text(s: &mut Scenario, text: &str) {
    if let Some(d) = &mut s.decode
        && d.text.is_none()
    {
        d.text = Some(s.input.text.clone());
    }
    s.input.text = text.to_string();
}

/// A new scenario for `config` and `input` with no overrides, tour or checks.
pub fn new_scenario(config: &Config, text: &str, target: Option<&str>) -> Scenario {
    Scenario {
        version: VERSION,
        kind: schema::Kind::Model,
        title: String::new(),
        description: String::new(),
        model: spec_of(config),
        input: InputSpec {
            text: text.to_string(),
            target: target.map(str::to_string),
        },
        embeddings: OrderedMap::default(),
        weights: OrderedMap::default(),
        steps: Vec::new(),
        expect: Vec::new(),
        practice: Vec::new(),
        decode: None,
        training: None,
        base_dir: schema::BaseDir::default(),
    }
}

/// The trained model `model.checkpoint` names: `name` is relative to `base` (the scenario
/// file's directory). The shipped checkpoint's name, `ko-en.safetensors`, is built in: where
/// no such file is at hand, the copy in the binary is read (the same bytes).
pub fn load_checkpoint(name: &str, base: Option<&Path>) -> Result<Transformer, String> {
    let p = Path::new(name);
    let full = match base {
        Some(b) if p.is_relative() => b.join(p),
        _ => p.to_path_buf(),
    };
    if name == crate::learn::checkpoint::SHIPPED_NAME && !full.exists() {
        return crate::learn::checkpoint::shipped().map_err(|e| e.to_string());
    }
    crate::learn::checkpoint::load(&full).map_err(|e| e.to_string())
}

/// The checkpoint path `name` (relative to `old`, the directory it was read in) as seen
/// from the directory `new`: relative when it lies below `new`, absolute otherwise. The
/// shipped checkpoint's bare name stays as it is (it is built in).
pub fn rebase_checkpoint(name: &str, old: Option<&Path>, new: &Path) -> String {
    let p = Path::new(name);
    if p.is_absolute() || (old.is_none() && name == crate::learn::checkpoint::SHIPPED_NAME) {
        return name.to_string();
    }
    let full = match old {
        Some(o) => o.join(p),
        None => p.to_path_buf(),
    };
    let abs = |q: &Path| std::fs::canonicalize(q).or_else(|_| std::path::absolute(q));
    match (abs(&full), abs(new)) {
        (Ok(f), Ok(n)) => match f.strip_prefix(&n) {
            Ok(rel) => rel.display().to_string(),
            Err(_) => f.display().to_string(),
        },
        _ => name.to_string(),
    }
}

/// The configuration a scenario's model section describes: the checkpoint's, with the
/// section's fields on top, when it names one.
pub fn scenario_config(spec: &ModelSpec, checkpoint: Option<&Transformer>) -> Config {
    match checkpoint {
        Some(m) => apply_spec(m.config().clone(), spec),
        None => config_of(spec),
    }
}

/// Maps a config problem's field (`heads`, `layers.encoder`, `input.text`) to its path.
pub fn config_field_path(field: &str) -> FieldPath {
    match field.split_once('.') {
        Some(("input", rest)) => FieldPath::key("input").then(rest),
        Some(("layers", _)) => FieldPath::key("model").then("layers"),
        _ => FieldPath::key("model").then(field),
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
    check_version(s.version)?;
    let mut problems = Vec::new();
    let trained = match &s.model.checkpoint {
        Some(name) => match load_checkpoint(name, s.base_dir.as_deref()) {
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
    if let Err(e) = memory_check(&valid, &input) {
        problems.push(ScenarioProblem::new(FieldPath::key("model"), e));
        return Err(problems);
    }
    let model = match apply_overrides_to(trained, valid, &input, s) {
        Ok(m) => m,
        Err(mut p) => {
            problems.append(&mut p);
            return Err(problems);
        }
    };
    let trace = match model.forward(&input) {
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

/// Refuses a model and sentence whose predicted peak memory (weights, trace and working
/// buffers, by [`crate::model::cost::peak_bytes`]) is past [`crate::limits::memory_budget`],
/// before any of it is allocated: the largest model the limits allow would otherwise be
/// killed by the system without a word.
pub fn memory_check(config: &ValidConfig, input: &Input) -> Result<(), String> {
    let lengths = crate::model::cost::Lengths {
        source: input.source.len(),
        target: input.target.as_ref().map_or(0, Vec::len),
        vocab: input.source.len() + input.target.as_ref().map_or(0, Vec::len) + 2,
    };
    let need = crate::model::cost::peak_bytes(config, lengths, crate::model::linalg::threads());
    let budget = crate::limits::memory_budget();
    if need > budget {
        Err(format!(
            "this model and sentence need about {} of memory (weights, trace and working buffers), more than the budget of {}: use a smaller model or a shorter sentence, or raise the budget with --memory-budget MIB",
            crate::limits::mib(need),
            crate::limits::mib(budget)
        ))
    } else {
        Ok(())
    }
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

/// A runnable scenario of either kind.
#[derive(Debug, Clone)]
pub enum Runnable {
    /// A model scenario with its model and trace.
    Model(Box<Built>),
    /// An attention hand-check's trace.
    Attention(Trace),
}

impl Runnable {
    /// The trace.
    pub fn trace(&self) -> &Trace {
        match self {
            Runnable::Model(b) => &b.trace,
            Runnable::Attention(t) => t,
        }
    }
    /// The model, for model scenarios.
    pub fn model(&self) -> Option<&Transformer> {
        match self {
            Runnable::Model(b) => Some(&b.model),
            Runnable::Attention(_) => None,
        }
    }
}

/// Builds a scenario file of either kind.
pub fn build_file(file: &ScenarioFile) -> Result<Runnable, Vec<ScenarioProblem>> {
    match file {
        ScenarioFile::Model(s) => build(s).map(|b| Runnable::Model(Box::new(b))),
        ScenarioFile::Attention(a) => build_attention(a).map(Runnable::Attention),
    }
}
