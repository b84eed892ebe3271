//! The learning side of a [`Session`]: the gradients of the current trace (computed on
//! demand, recomputed after a rerun), a step-by-step decoding, a training run with its loss
//! history and weight snapshots, and checkpoints. Changed only through
//! [`Session::apply`] with a [`LearnCommand`].

use crate::model::Control;
use std::path::Path;
use std::sync::Arc;

use super::decoding::DecodeState;
use super::{ModelSubject, Outcome, Session, SessionError, Study, Subject};
use crate::command::LearnCommand;
use crate::i18n::training::TrainMsg;
use crate::i18n::ui::Msg;
use crate::learn::checkpoint;
use crate::learn::corpus::Corpus;
use crate::learn::decode::Sampling;
use crate::learn::train::{TrainOptions, Trainer, default_config};
use crate::learn::{Gradients, backward};
use crate::model::{Arch, Input, Param, Pass, Transformer};
use crate::render;
use crate::scenario::{self as scn, schema::ModelSpec};
use crate::trace::{Address, Step, Trace, TraceError};

mod training;
pub use training::*;

impl Session {
    /// The session's cancellation and progress, for a front end to share with the thread that
    /// runs a command: [`Control::request`] (Ctrl-C) stops a forward pass at its next layer,
    /// reading a checkpoint between two pieces and a `train` run between two updates;
    /// [`Control::progress`] says how far the work got.
    pub fn control(&self) -> Arc<Control> {
        Arc::clone(&self.learning.control)
    }

    /// Where the model's weights come from, in the session's language: `trained (1000
    /// updates) · <checkpoint>` or `untrained (random weights, seed S)` (`학습됨 (1000번
    /// 갱신) · …`, `학습 전 (무작위 가중치, 시드 S)`); empty for a hand-check.
    ///
    /// While the session studies a training run's weights ([`Session::trained_here`]):
    /// `trained here: 30 updates from random weights (seed 42)`, or the snapshot's.
    pub fn provenance(&self) -> String {
        match &self.study.subject {
            Subject::Model(m) => {
                if let Some(h) = self.trained_here() {
                    let (updates, snapshot) = match h {
                        TrainedHere::Live(n) => (n, None),
                        TrainedHere::Snapshot { i, step } => (step, Some(i)),
                    };
                    return Msg::TrainedHere {
                        updates,
                        snapshot,
                        seed: m.model.config().seed,
                    }
                    .text(self.lang);
                }
                let p = Msg::Provenance {
                    updates: m.model.trained_steps(),
                    seed: m.model.config().seed,
                }
                .text(self.lang);
                match &m.scenario.model.checkpoint {
                    Some(c) => format!("{p} · {c}"),
                    None => p,
                }
            }
            Subject::Real(r) => crate::i18n::hf::HfLine::Header {
                heading: r.run.model.heading(),
                params: r.run.model.param_count(),
            }
            .text(self.lang),
            Subject::Hand(_) => String::new(),
        }
    }

    /// Which of the training run's weights the session studies: after `train N` (N ≥ 1) or
    /// `train view`, every command (show, explain, loss, grad, translate, decode, export,
    /// plot, checkpoint save) reads the weights the run shows; `None`: the scenario's own
    /// model (no run, or `train reset`, `checkpoint load`, a new scenario, new weights).
    pub fn trained_here(&self) -> Option<TrainedHere> {
        self.learning.before_training.as_ref()?;
        let t = self.learning.training.as_ref()?;
        Some(
            match t
                .viewing
                .and_then(|i| t.snapshots.get(i).map(|s| (i, s.step)))
            {
                Some((i, step)) => TrainedHere::Snapshot { i, step },
                None => TrainedHere::Live(t.steps_done()),
            },
        )
    }

    /// Makes the weights the training run shows (live or a snapshot) the one model the
    /// session studies: the model study takes them and runs its sentence through them
    /// again. Its own model is kept for `train reset`. True the first time (the study had
    /// its own model until now).
    fn study_training_weights(&mut self) -> Result<bool, SessionError> {
        let Some(t) = &self.learning.training else {
            return Ok(false);
        };
        let model = t.shown_model().clone();
        let spec = scn::spec_of(model.config());
        let own = self.replace_model(model, spec)?;
        let first = self.learning.before_training.is_none();
        if first {
            self.learning.before_training = Some(Box::new(own));
        }
        Ok(first)
    }

    /// Puts `model` (with `spec`, its model section) into the model study (the one in
    /// focus, or the one parked behind a hand-check) and recomputes its trace on the
    /// study's sentence; returns the model and section it had. A decoding in progress (of
    /// the old weights) is dropped.
    fn replace_model(
        &mut self,
        model: Transformer,
        spec: ModelSpec,
    ) -> Result<(Transformer, ModelSpec), SessionError> {
        let parked = !matches!(self.study.subject, Subject::Model(_));
        if parked {
            let Some(p) = &mut self.parked else {
                return Err(self
                    .model_subject()
                    .err()
                    .unwrap_or_else(|| SessionError::NotHere(TrainMsg::NoRun.text(self.lang))));
            };
            std::mem::swap(&mut self.study, p);
        }
        let result = self.replace_model_in_focus(model, spec);
        if parked && let Some(p) = &mut self.parked {
            std::mem::swap(&mut self.study, p);
        }
        result
    }

    fn replace_model_in_focus(
        &mut self,
        model: Transformer,
        spec: ModelSpec,
    ) -> Result<(Transformer, ModelSpec), SessionError> {
        let m = self.model_subject()?;
        let (text, target) = (
            m.scenario.input.text.clone(),
            m.scenario.input.target.clone(),
        );
        let (_, input) = crate::model::prepare(model.config().clone(), &text, target.as_deref())
            .map_err(super::reruns::invalid)?;
        let control = self.control();
        let trace = model
            .forward(&input, Pass::default().controlled(&control))
            .map_err(|e| match e {
                crate::model::ForwardError::Cancelled(_) => {
                    control.take();
                    SessionError::Cancelled("the command".into())
                }
                crate::model::ForwardError::Missing(e) => SessionError::NotHere(e.to_string()),
            })?;
        let Subject::Model(m) = &mut self.study.subject else {
            return Err(SessionError::NotHere(TrainMsg::NoRun.text(self.lang)));
        };
        m.input = input;
        let own = (
            std::mem::replace(&mut m.model, model),
            std::mem::replace(&mut m.scenario.model, spec),
        );
        let old = std::mem::replace(&mut self.study.trace, trace);
        self.keep_as_previous(old);
        self.fix_cursor();
        self.learning.decode = None;
        Ok(own)
    }

    /// The gradients of the current trace, when they have been computed for it.
    pub fn gradients(&self) -> Option<&Gradients> {
        self.learning
            .grads
            .as_ref()
            .filter(|g| same_trace(&g.of, &self.study.trace))
            .map(|g| &g.grads)
    }

    /// The gradient of the step under the cursor (`grad.<step>`), when computed.
    pub fn current_gradient(&self) -> Option<&Step> {
        let name = format!("grad.{}", self.study.cursor.step);
        self.gradients().and_then(|g| g.trace.get(&name))
    }

    /// The decoding in progress.
    pub fn decoding(&self) -> Option<&DecodeState> {
        self.learning.decode.as_ref()
    }

    /// The training run.
    pub fn training(&self) -> Option<&Training> {
        self.learning.training.as_ref()
    }

    pub(super) fn apply_learning(&mut self, cmd: LearnCommand) -> Result<Outcome, SessionError> {
        if let Some(m) = self.real_model() {
            // A real model translates; it is not trained, differentiated or replaced here.
            return match cmd {
                LearnCommand::Translate(t) => self.translate_real(&t),
                _ => Err(self.read_only(m)),
            };
        }
        match cmd {
            LearnCommand::Grad(a) => self.grad(a),
            LearnCommand::Loss => self.loss(),
            LearnCommand::Train(n) => self.train(n),
            LearnCommand::Snapshot => self.take_snapshot(),
            LearnCommand::ViewSnapshot(i) => self.view_snapshot(i),
            LearnCommand::Corpus(p) => {
                let c = Corpus::load(&p).map_err(learn_err)?;
                let n = c.pairs.len();
                let held = c.held_out().count();
                self.learning.corpus = Some(c);
                Ok(Outcome::say(
                    TrainMsg::CorpusSet {
                        path: p.display().to_string(),
                        pairs: n,
                        held,
                        after_reset: self.learning.training.is_some(),
                    }
                    .text(self.lang),
                ))
            }
            LearnCommand::ResetTraining => {
                let Some(steps) = self.training().map(Training::steps_done) else {
                    return Err(SessionError::NotHere(TrainMsg::NoRunToDrop.text(self.lang)));
                };
                // The study goes back to its own model first (nothing is dropped if that
                // fails).
                let back = match self.learning.before_training.take() {
                    Some(own) => {
                        let (model, spec) = *own;
                        if let Err(e) = self.replace_model(model.clone(), spec.clone()) {
                            self.learning.before_training = Some(Box::new((model, spec)));
                            return Err(e);
                        }
                        true
                    }
                    None => false,
                };
                self.learning.training = None;
                let mut text = TrainMsg::TrainingDropped(steps).text(self.lang);
                if back {
                    text.push('\n');
                    text.push_str(&TrainMsg::StudyingOwnModel(self.provenance()).text(self.lang));
                }
                Ok(Outcome::say(text))
            }
            LearnCommand::Translate(t) => self.decode_all(t, Arch::EncoderDecoder),
            LearnCommand::Generate(t) => self.decode_all(t, Arch::Decoder),
            LearnCommand::DecodeStart => self.decode_start(),
            LearnCommand::DecodeNext(force) => self.decode_next(force),
            LearnCommand::DecodeBack => self.decode_back(),
            LearnCommand::Sample(s) => Ok(self.sample(s)),
            LearnCommand::CheckpointLoad(p) => self.checkpoint_load(&p),
            LearnCommand::CheckpointSave { path, force } => self.checkpoint_save(&path, force),
        }
    }

    // ----- gradients --------------------------------------------------------------------

    /// Computes the gradients of the current trace unless they are at hand.
    pub(super) fn ensure_gradients(&mut self) -> Result<&Gradients, SessionError> {
        if self.gradients().is_none() {
            let m = self.model_subject()?;
            let grads = backward(&m.model, &self.study.trace, 0.0).map_err(|e| {
                SessionError::NotHere(TrainMsg::NoGradients(e.to_string()).text(self.lang))
            })?;
            self.learning.grads = Some(GradCache {
                of: self.study.trace.clone(),
                grads,
            });
        }
        self.gradients()
            .ok_or_else(|| SessionError::NotHere("no gradients".into()))
    }

    /// The backward arithmetic of a gradient cell (`grad.<name>[h][i][j]`; `None`: the
    /// gradient of the selected cell), in the session's language. The gradients must have
    /// been computed (`grad`, or the TUI's gradient view).
    pub fn gradient_explanation(
        &self,
        address: Option<&Address>,
    ) -> Result<crate::explain::Explanation, SessionError> {
        let addr = address.cloned().unwrap_or_else(|| {
            let mut a = self.cell_address();
            a.name = format!("grad.{}", a.name);
            a
        });
        let g = self.gradients().ok_or_else(|| {
            SessionError::NotHere("no gradients for this trace: `grad` computes them".into())
        })?;
        let m = self.model_subject()?;
        crate::learn::explain::explain_gradient_in(
            &m.model,
            &self.study.trace,
            g,
            &addr,
            &self.explain_opts(),
            self.lang(),
        )
        .map_err(|e| SessionError::Explain(e.to_string()))
    }

    pub(super) fn explain_gradient(&mut self, a: Address) -> Result<Outcome, SessionError> {
        self.ensure_gradients()?;
        let e = self.gradient_explanation(Some(&a))?;
        // Explaining a cell also moves there (to the forward step it is the gradient of).
        let forward = Address {
            name: a.name.trim_start_matches("grad.").to_string(),
            indices: a.indices.clone(),
        };
        if let Ok(r) = crate::scenario::check::resolve(&self.study.trace, &forward)
            && let (Some(i), Some(j)) = (r.row, r.col)
        {
            self.set_cursor(&forward.name, r.head, Some((i, j)))?;
            self.visit(true);
        }
        Ok(Outcome::say(e.to_text()))
    }

    fn grad(&mut self, a: Option<Address>) -> Result<Outcome, SessionError> {
        let precision = self.precision;
        let opts = self.render_opts();
        let here = self.here();
        let heads = self.model().map_or(1, |m| m.config().heads);
        let vocab: Option<Vec<String>> = self
            .model()
            .and_then(|m| m.vocab())
            .map(|v| v.tokens().to_vec());
        let g = self.ensure_gradients()?;
        let addr = match a {
            Some(a) => a,
            None => Address::parse(&format!("grad.{here}"))?,
        };
        let forward = addr.name.strip_prefix("grad.").unwrap_or(&addr.name);
        let text = if let Some(p) = g.weight(forward) {
            let labels = (forward == crate::model::weights::EMBEDDING)
                .then_some(vocab.as_deref())
                .flatten();
            param_text(&addr, p, heads, labels, &opts)?
        } else {
            render::address(&g.trace, &addr, &opts)?
        };
        let loss = fmt_small(g.loss.value, precision);
        let heading = TrainMsg::GradHeading {
            forward: forward.to_string(),
            loss: loss.clone(),
        };
        let tiny = g.loss.value < TINY_LOSS;
        let mut status = TrainMsg::GradStatus {
            name: addr.name.clone(),
            loss: loss.clone(),
        }
        .text(self.lang);
        let mut text = format!("{}\n{text}", heading.text(self.lang));
        if tiny {
            status.push_str(" · ");
            status.push_str(&TrainMsg::TinyGradientsShort.text(self.lang));
            text.push_str(&TrainMsg::TinyGradients { loss }.text(self.lang));
            text.push('\n');
        }
        Ok(Outcome::say(text).with_status(status))
    }

    fn loss(&mut self) -> Result<Outcome, SessionError> {
        let precision = self.precision;
        let lang = self.lang;
        let vocab = self.study.trace.tokens().vocab.clone();
        let g = self.ensure_gradients()?;
        let l = &g.loss;
        let heading = TrainMsg::LossHeading {
            loss: fmt_small(l.value, precision),
            positions: l.predicted(),
            smoothing: (l.smoothing > 0.0).then(|| l.smoothing.to_string()),
        };
        let mut text = format!("{}\n", heading.text(lang));
        text.push_str(&format!("{}\n", TrainMsg::LossColumns.text(lang)));
        let ignored = TrainMsg::Ignored.text(lang);
        for (i, (t, r)) in l.targets.iter().zip(&l.rows).enumerate() {
            let word = usize::try_from(*t)
                .ok()
                .and_then(|t| vocab.get(t))
                .map_or(ignored.as_str(), String::as_str);
            text.push_str(&format!(
                "{i:>8}  {:<18} {}\n",
                format!("{word} ({t})"),
                fmt_small(*r, precision)
            ));
        }
        let status = TrainMsg::LossStatus {
            loss: fmt_small(l.value, precision),
            positions: l.predicted(),
        };
        if let Some(TrainedHere::Live(_)) = self.trained_here()
            && let Some((step, loss)) = self.training().and_then(|t| t.losses().last().copied())
        {
            text.push_str(
                &TrainMsg::RunLoss {
                    step,
                    loss: fmt_small(loss, precision),
                }
                .text(lang),
            );
            text.push('\n');
        }
        Ok(Outcome::say(text).with_status(status.text(lang)))
    }

    // ----- training ---------------------------------------------------------------------

    fn new_training(&self) -> Result<Training, SessionError> {
        let corpus = match &self.learning.corpus {
            Some(c) => c.clone(),
            None => Corpus::parse(BUILT_IN_CORPUS_NAME, BUILT_IN_CORPUS).map_err(learn_err)?,
        };
        // The sizes `qkv train` uses (those of the shipped model); the session's sentence
        // when its model translates, else the article's.
        let config = default_config();
        let probe = match &self.study.subject {
            Subject::Model(m) if m.model.config().arch == Arch::EncoderDecoder => (
                m.scenario.input.text.clone(),
                m.scenario
                    .input
                    .target
                    .clone()
                    .unwrap_or_else(|| PROBE.1.to_string()),
            ),
            _ => (PROBE.0.to_string(), PROBE.1.to_string()),
        };
        let valid = config.validate().map_err(learn_err)?;
        let model = Transformer::with_vocab(valid, corpus.vocab(config.tokenizer));
        let options = TrainOptions {
            steps: usize::MAX,
            ..TrainOptions::default()
        };
        let trainer = Trainer::new(model, &corpus, options).map_err(learn_err)?;
        let mut t = Training {
            trainer,
            corpus: corpus.origin.clone(),
            held_out: Vec::new(),
            snapshots: Vec::new(),
            viewing: None,
            probe_input: probe,
            probe: None,
            probe_before: None,
        };
        t.snapshot();
        if let Ok(Some(h)) = t.trainer.held_out_loss() {
            t.held_out.push((0, h));
        }
        t.refresh_probe();
        t.probe_before = None;
        Ok(t)
    }

    fn train(&mut self, n: usize) -> Result<Outcome, SessionError> {
        let mut t = match self.learning.training.take() {
            Some(t) => t,
            None => self.new_training()?,
        };
        let started = t.steps_done();
        let mut last = None;
        let mut error = None;
        let mut cancelled = false;
        for _ in 0..n {
            if self.learning.control.take() {
                cancelled = true;
                break;
            }
            match t.trainer.step() {
                Ok(s) => last = Some(s),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
            let step = t.steps_done();
            if step % HELD_OUT_EVERY == 0
                && let Ok(Some(h)) = t.trainer.held_out_loss()
            {
                t.held_out.push((step, h));
            }
            if step % SNAPSHOT_EVERY == 0 {
                t.snapshot();
            }
        }
        t.viewing = None;
        t.refresh_probe();
        let done = t.steps_done();
        let corpus = t.corpus.clone();
        self.learning.training = Some(t);
        // The session studies the weights being trained once they have changed (a
        // hand-check with no model behind it has nothing to study them with; a sentence
        // they cannot read is said).
        let (first, why_not) = if done > started && self.has_model_study() {
            match self.study_training_weights() {
                Ok(first) => (first, None),
                Err(e) => (false, Some(e.text_in(self.lang))),
            }
        } else {
            (false, None)
        };
        if let Some(e) = error {
            return Err(learn_err(
                TrainMsg::TrainFailed {
                    updates: done - started,
                    why: e.to_string(),
                }
                .text(self.lang),
            ));
        }
        let p = self.precision;
        let msg = match last {
            Some(s) => TrainMsg::Trained {
                updates: done - started,
                corpus,
                cancelled,
                step: s.step,
                loss: render::fmt_value(s.loss as f32, p),
                rate: format!("{:.6}", s.rate),
            },
            None if cancelled => TrainMsg::TrainCancelledAt(done),
            None => TrainMsg::NoUpdate(done),
        };
        let mut text = self.with_studying_note(msg.text(self.lang), first);
        if let Some(why) = why_not {
            text.push('\n');
            text.push_str(&why);
        }
        Ok(Outcome::say(text))
    }

    /// True when there is a model study (in focus, or parked behind a hand-check).
    fn has_model_study(&self) -> bool {
        matches!(self.study.subject, Subject::Model(_))
            || self
                .parked
                .as_ref()
                .is_some_and(|p| matches!(p.subject, Subject::Model(_)))
    }

    /// `text`, and when the session has just begun to study the run's weights, a line that
    /// says so (what reads them, how to go back).
    fn with_studying_note(&self, mut text: String, first: bool) -> String {
        if first {
            text.push('\n');
            text.push_str(&TrainMsg::StudyingTrainedHere(self.provenance()).text(self.lang));
        }
        text
    }

    fn take_snapshot(&mut self) -> Result<Outcome, SessionError> {
        let Some(t) = &mut self.learning.training else {
            return Err(SessionError::NotHere(TrainMsg::NoRun.text(self.lang)));
        };
        let step = t.steps_done();
        let msg = if t.snapshot() {
            TrainMsg::SnapshotKept {
                step,
                i: t.snapshots.len() - 1,
            }
        } else {
            TrainMsg::SnapshotAlready(step)
        };
        Ok(Outcome::say(msg.text(self.lang)))
    }

    fn view_snapshot(&mut self, i: Option<usize>) -> Result<Outcome, SessionError> {
        let Some(t) = &mut self.learning.training else {
            return Err(SessionError::NotHere(TrainMsg::NoRun.text(self.lang)));
        };
        if let Some(i) = i
            && i >= t.snapshots.len()
        {
            return Err(SessionError::NotHere(
                TrainMsg::NoSnapshot {
                    i,
                    n: t.snapshots.len(),
                }
                .text(self.lang),
            ));
        }
        let before = t.viewing;
        t.viewing = i;
        t.refresh_probe();
        let msg = match i.and_then(|i| t.snapshots.get(i)) {
            Some(s) => TrainMsg::ShowingSnapshot {
                i: i.unwrap_or(0),
                step: s.step,
            },
            None => TrainMsg::ShowingLive(t.steps_done()),
        };
        let first = match self.study_training_weights() {
            Ok(first) => first,
            Err(e) => {
                if let Some(t) = &mut self.learning.training {
                    t.viewing = before;
                    t.refresh_probe();
                }
                return Err(e);
            }
        };
        Ok(Outcome::say(
            self.with_studying_note(msg.text(self.lang), first),
        ))
    }

    // ----- checkpoints ------------------------------------------------------------------

    fn checkpoint_save(&mut self, path: &Path, force: bool) -> Result<Outcome, SessionError> {
        // The model the session studies (the run's weights when it studies them).
        let here = self.trained_here();
        let step = match here {
            Some(TrainedHere::Live(n) | TrainedHere::Snapshot { step: n, .. }) => Some(n),
            None => None,
        };
        let model = match (&self.study.subject, &self.parked) {
            (Subject::Model(m), _) => &m.model,
            (
                _,
                Some(Study {
                    subject: Subject::Model(m),
                    ..
                }),
            ) => &m.model,
            _ => &self.model_subject()?.model,
        };
        if model.vocab().is_none() {
            return Err(SessionError::NotHere(
                TrainMsg::CheckpointNoVocab.text(self.lang),
            ));
        }
        let lang = self.lang;
        let existing = crate::atomic::Existing::forced(force);
        checkpoint::save(model, path, existing).map_err(|e| {
            use crate::atomic::Refusal;
            SessionError::NotHere(match e {
                checkpoint::CheckpointError::Destination {
                    refusal: Refusal::Exists { .. },
                } => TrainMsg::CheckpointExists(path.display().to_string()).text(lang),
                checkpoint::CheckpointError::Destination { refusal } => {
                    crate::i18n::errors::refusal_text(&refusal, lang)
                }
                other => other.to_string(),
            })
        })?;
        // The run's updates so far are kept in the file: leaving is no longer a loss.
        if let Some(TrainedHere::Live(n)) = here {
            self.learning.saved_updates = Some(n);
        }
        Ok(Outcome::say(
            TrainMsg::CheckpointSaved {
                step,
                path: path.display().to_string(),
            }
            .text(self.lang),
        ))
    }

    fn checkpoint_load(&mut self, path: &Path) -> Result<Outcome, SessionError> {
        self.unpark();
        let cur = self.model_subject()?;
        let mut sc = cur.scenario.clone();
        sc.model = ModelSpec {
            checkpoint: Some(path.display().to_string()),
            ..ModelSpec::default()
        };
        sc.base_dir = Default::default();
        sc.decode = None;
        sc.training = None;
        sc.weights = Default::default();
        sc.embeddings = Default::default();
        let tour = std::mem::take(&mut sc.steps);
        let dropped = sc.expect.len();
        sc.expect.clear();
        // The new model's pass takes nothing over: the heads' memory serves it.
        self.study.trace.release_heads();
        let built = scn::build(&sc).map_err(SessionError::Invalid)?;
        sc.steps = tour
            .into_iter()
            .filter(|t| scn::tour_stop_fits(&built.trace, t))
            .collect();
        let cursor = self.study.cursor.clone();
        let old = std::mem::replace(
            &mut self.study,
            Study::new(
                Subject::Model(Box::new(ModelSubject {
                    scenario: sc,
                    model: built.model,
                    input: built.input,
                })),
                built.trace,
            ),
        );
        self.keep_as_previous(old.trace);
        self.study.cursor = cursor;
        self.fix_cursor();
        self.tour = None;
        self.dirty = true;
        self.learning.decode = None;
        // The checkpoint is the model studied now, not the run's weights.
        self.learning.before_training = None;
        let mut text = TrainMsg::CheckpointLoaded {
            path: path.display().to_string(),
            summary: self
                .config()
                .map(super::super::model::config::Config::summary)
                .unwrap_or_default(),
        }
        .text(self.lang);
        if dropped > 0 {
            text.push('\n');
            text.push_str(&TrainMsg::CheckpointDroppedExpectations(dropped).text(self.lang));
        }
        Ok(Outcome::say(text))
    }
}
