//! A training run as the Learn view shows it (its trainer, loss history, weight snapshots and the probe sentence's attention), the gradients' cache, and the learning side's constants.

use super::*;

/// The corpus the Learn view trains on when none is named (built in, so it works from any
/// directory; the same text as `data/ko-en.tsv`).
pub const BUILT_IN_CORPUS: &str = crate::learn::corpus::BUILT_IN;
/// Its origin, as a corpus read from it carries it (said `the built-in copy of
/// data/ko-en.tsv`: [`crate::i18n::training::corpus_name`]).
pub const BUILT_IN_CORPUS_NAME: &str = crate::i18n::training::BUILT_IN_CORPUS_ORIGIN;
/// The sentence whose attention the Learn view shows while training, when the session's own
/// model is not an encoder-decoder.
pub const PROBE: (&str, &str) = ("나는 학교에 간다", "<bos> I go to school");
/// Held-out loss is measured every this many updates.
pub const HELD_OUT_EVERY: usize = 25;
/// Weights are kept automatically at step 0 and every this many updates.
pub const SNAPSHOT_EVERY: usize = 100;
/// Below this loss `grad` says that every gradient is tiny because the model already fits
/// its sentence (the shipped model's loss on the article's sentence is 2.9e-6).
pub const TINY_LOSS: f64 = 1e-3;
/// Most tokens a `translate` / `generate` produces.
pub const MAX_DECODE: usize = 20;
/// Candidates listed per decoding step.
pub const TOP_K: usize = 5;

/// The gradients of one trace.
#[derive(Debug, Clone)]
pub(in crate::session) struct GradCache {
    /// The trace they are of (shares its numbers with the session's while it is current).
    pub(in crate::session) of: Trace,
    pub(in crate::session) grads: Gradients,
}

/// A snapshot of the weights being trained.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Updates made when it was taken.
    pub step: usize,
    pub(in crate::session) model: Transformer,
}

/// A training run.
#[derive(Debug, Clone)]
pub struct Training {
    pub(in crate::session) trainer: Trainer,
    /// The corpus it reads.
    pub corpus: String,
    /// Held-out loss (step, loss), measured every [`HELD_OUT_EVERY`] updates.
    pub held_out: Vec<(usize, f64)>,
    /// Weights kept at chosen steps.
    pub snapshots: Vec<Snapshot>,
    /// The snapshot shown (`None`: the live weights).
    pub viewing: Option<usize>,
    pub(in crate::session) probe_input: (String, String),
    /// The probe sentence run through the weights shown.
    pub probe: Option<Trace>,
    /// The probe before the last change of the weights shown (for the diff highlighting).
    pub probe_before: Option<Trace>,
}

impl Training {
    /// Updates made.
    pub fn steps_done(&self) -> usize {
        self.trainer.steps_done()
    }
    /// (step, training loss) of every update.
    pub fn losses(&self) -> Vec<(usize, f64)> {
        self.trainer
            .history
            .iter()
            .map(|s| (s.step, s.loss))
            .collect()
    }
    /// The learning rate update `step` uses (steps count from 1; the schedule curve, the
    /// Learn view's header and `train`'s report all read it here).
    pub fn rate_at(&self, step: usize) -> f32 {
        self.trainer
            .options
            .schedule
            .rate(step.max(1), self.trainer.model.config().d_model)
    }
    /// The update whose rate the Learn view shows and that rate: the last update made (the
    /// first, still to come, at step 0).
    pub fn shown_rate(&self) -> (usize, f32) {
        let update = self.steps_done().max(1);
        (update, self.rate_at(update))
    }
    /// The schedule's formula, in as much room as `form` says (the Learn view's chart).
    pub fn schedule_formula(&self, form: crate::learn::optim::Form) -> String {
        self.trainer
            .options
            .schedule
            .formula(self.trainer.model.config().d_model, form)
    }
    /// The model being trained.
    pub fn model(&self) -> &Transformer {
        &self.trainer.model
    }
    /// The model whose weights are shown (a snapshot or the live one).
    pub fn shown_model(&self) -> &Transformer {
        match self.viewing.and_then(|i| self.snapshots.get(i)) {
            Some(s) => &s.model,
            None => &self.trainer.model,
        }
    }
    /// The probe sentence (source, decoder input).
    pub fn probe_input(&self) -> (&str, &str) {
        (&self.probe_input.0, &self.probe_input.1)
    }
    /// The step of the probe trace shown: the last decoder layer's cross-attention.
    pub fn probe_step(&self) -> Option<&Step> {
        let l = self.trainer.model.config().layers.decoder.saturating_sub(1);
        let name = format!("dec.{l}.cross_attn.weights");
        self.probe.as_ref().and_then(|t| t.get(&name))
    }
    /// Every attention-weights step of the probe sentence's trace, in pipeline order (what
    /// the Learn view's heatmap can show).
    pub fn attention_steps(&self) -> Vec<&Step> {
        self.probe.as_ref().map_or_else(Vec::new, |t| {
            t.steps()
                .iter()
                .filter(|s| s.kind() == crate::trace::StepKind::Weights)
                .collect()
        })
    }

    /// The probe's step `name` before the last change of the weights shown.
    pub fn probe_before_step(&self, name: &str) -> Option<&Step> {
        self.probe_before.as_ref().and_then(|t| t.get(name))
    }

    /// The same step before the last change.
    pub fn probe_step_before(&self) -> Option<&Step> {
        let l = self.trainer.model.config().layers.decoder.saturating_sub(1);
        let name = format!("dec.{l}.cross_attn.weights");
        self.probe_before.as_ref().and_then(|t| t.get(&name))
    }

    pub(in crate::session) fn refresh_probe(&mut self) {
        let m = self.shown_model();
        let (src, tgt) = &self.probe_input;
        let trace = Input::new(m.config(), src, Some(tgt))
            .ok()
            .and_then(|i| m.forward(&i, Pass::default()).ok());
        self.probe_before = std::mem::replace(&mut self.probe, trace);
    }

    pub(in crate::session) fn snapshot(&mut self) -> bool {
        let step = self.steps_done();
        if self.snapshots.last().is_some_and(|s| s.step == step) {
            return false;
        }
        self.snapshots.push(Snapshot {
            step,
            model: self.trainer.model.clone(),
        });
        true
    }
}

/// Everything learning-related the session holds.
#[derive(Debug, Clone, Default)]
pub struct Learning {
    pub(in crate::session) grads: Option<GradCache>,
    pub(in crate::session) decode: Option<DecodeState>,
    pub(in crate::session) sampling: Option<Sampling>,
    pub(in crate::session) training: Option<Training>,
    /// The corpus the next training run reads (`None`: the built-in one).
    pub(in crate::session) corpus: Option<Corpus>,
    /// The session's cancellation and progress: Ctrl-C stops a forward pass at its next
    /// layer, reading a checkpoint between two pieces, a `train` run between two updates.
    pub(in crate::session) control: Arc<Control>,
    /// The training run's update count when it was last saved as a checkpoint.
    pub(in crate::session) saved_updates: Option<usize>,
    /// The model study's own model and model section while it holds the training run's
    /// weights instead (`train reset` puts them back).
    pub(in crate::session) before_training: Option<Box<(Transformer, ModelSpec)>>,
}

/// Which of the training run's weights the session studies (see
/// [`Session::trained_here`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainedHere {
    /// The live weights after this many updates.
    Live(usize),
    /// Snapshot `i`, kept after `step` updates.
    Snapshot {
        /// Its index in the run's list.
        i: usize,
        /// Updates made when it was kept.
        step: usize,
    },
}

/// True when `a` and `b` hold the very same numbers step by step (one is a clone of the
/// other, or a rerun changed nothing).
pub(in crate::session) fn same_trace(a: &Trace, b: &Trace) -> bool {
    a.steps().len() == b.steps().len()
        && a.steps()
            .iter()
            .zip(b.steps())
            .all(|(x, y)| x.name() == y.name() && x.shares_numbers_with(y))
}

/// A loss or gradient value: [`crate::number::fmt_value_f64`] (fixed digits, or significant
/// digits when it would round to 0).
pub(in crate::session) use crate::number::fmt_value_f64 as fmt_small;

pub(in crate::session) fn learn_err(e: impl std::fmt::Display) -> SessionError {
    SessionError::NotHere(e.to_string())
}

/// A parameter's gradient as text, or the part of it its address names, by the rule
/// `show` reads a weight with ([`crate::weight_view`]): a head's slice (`W_Q[h]`), a row
/// of another matrix (`W1[i]`), a cell (`W[i][j]`, `W_Q[h][i][j]`, a vector's `b[j]`). An
/// index past the end of an axis, or too many, is an error naming it and what is allowed.
pub(in crate::session) fn param_text(
    addr: &Address,
    p: &Param,
    heads: usize,
    row_labels: Option<&[String]>,
    opts: &render::RenderOptions,
) -> Result<String, TraceError> {
    let v = crate::weight_view::pick(&addr.name, p, heads, row_labels, &addr.indices)?;
    Ok(render::weight_text(addr, &v, opts))
}
