//! The learning side of a [`Session`]: the gradients of the current trace (computed on
//! demand, recomputed after a rerun), a step-by-step decoding, a training run with its loss
//! history and weight snapshots, and checkpoints. Changed only through
//! [`Session::apply`] with a [`LearnCommand`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
use crate::model::{Arch, Input, Param, Transformer};
use crate::render;
use crate::scenario::{self as scn, schema::ModelSpec};
use crate::trace::{Address, Step, Trace, TraceError};

mod training;
pub use training::*;

impl Session {
    /// The flag that stops a running `train` between two updates (the REPL's Ctrl-C
    /// handler sets it).
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.learning.cancel)
    }

    /// Where the model's weights come from, in the session's language: `trained (1000
    /// updates) · <checkpoint>` or `untrained (random weights, seed S)` (`학습됨 (1000번
    /// 갱신) · …`, `학습 전 (무작위 가중치, 시드 S)`); empty for a hand-check.
    pub fn provenance(&self) -> String {
        match &self.study.subject {
            Subject::Model(m) => {
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
            LearnCommand::ResetTraining => match self.learning.training.take() {
                Some(t) => Ok(Outcome::say(
                    TrainMsg::TrainingDropped(t.steps_done()).text(self.lang),
                )),
                None => Err(SessionError::NotHere(TrainMsg::NoRunToDrop.text(self.lang))),
            },
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
        let g = self.ensure_gradients()?;
        let addr = match a {
            Some(a) => a,
            None => Address::parse(&format!("grad.{here}"))?,
        };
        let forward = addr.name.strip_prefix("grad.").unwrap_or(&addr.name);
        let text = if let Some(p) = g.weight(forward) {
            param_text(&addr, p, &opts)?
        } else {
            render::address(&g.trace, &addr, &opts)?
        };
        let loss = fmt_small(g.loss.value, precision);
        let heading = TrainMsg::GradHeading {
            forward: forward.to_string(),
            loss: loss.clone(),
        };
        let status = TrainMsg::GradStatus {
            name: addr.name.clone(),
            loss,
        };
        Ok(Outcome::say(format!("{}\n{text}", heading.text(self.lang)))
            .with_status(status.text(self.lang)))
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
            if self.learning.cancel.swap(false, Ordering::SeqCst) {
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
        Ok(Outcome::say(msg.text(self.lang)))
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
        t.viewing = i;
        t.refresh_probe();
        let msg = match i.and_then(|i| t.snapshots.get(i)) {
            Some(s) => TrainMsg::ShowingSnapshot {
                i: i.unwrap_or(0),
                step: s.step,
            },
            None => TrainMsg::ShowingLive(t.steps_done()),
        };
        Ok(Outcome::say(msg.text(self.lang)))
    }

    // ----- checkpoints ------------------------------------------------------------------

    fn checkpoint_save(&mut self, path: &Path, force: bool) -> Result<Outcome, SessionError> {
        let (model, step) = match &self.learning.training {
            Some(t) => (t.model(), Some(t.steps_done())),
            None => (&self.model_subject()?.model, None),
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
        self.learning.saved_updates = step;
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
