//! Reruns after a change of sentence, setting, weight or embedding: the new trace, the diff
//! against the old one, the overrides that no longer fit.

use super::*;
use crate::i18n::cli_lines::CliLine;
use crate::i18n::session_files::{FilesMsg, RerunMsg};
use crate::model::cancel::Stage;
use crate::model::{ForwardError, Pass};
use crate::scenario::schema::ModelSpec;
use crate::trace::StepName;

/// A model configuration or sentence that does not fit, as the problems of the scenario's
/// fields.
pub(super) fn invalid(e: crate::model::config::ConfigError) -> SessionError {
    SessionError::Invalid(
        e.problems
            .into_iter()
            .map(|p| ScenarioProblem {
                path: scn::config_field_path(&p.field),
                message: format!("= {}: expected {}", p.value, p.allowed),
            })
            .collect(),
    )
}

impl Session {
    pub(super) fn model_subject(&self) -> Result<&ModelSubject, SessionError> {
        match &self.study.subject {
            Subject::Model(m) => Ok(m),
            Subject::Real(r) => Err(self.read_only(&r.run.model)),
            Subject::Hand(_) => Err(SessionError::NotHere(
                RerunMsg::HandCheckHasNoModel.text(self.lang),
            )),
        }
    }

    /// The refusal of a command that changes, trains or differentiates a model, on a real
    /// one.
    pub(super) fn read_only(&self, model: &crate::hf::HfModel) -> SessionError {
        SessionError::NotHere(
            crate::i18n::hf::HfLine::ReadOnly {
                // The directory's name: the status line has one line for the reason.
                dir: model.dir().file_name().map_or_else(
                    || model.dir().display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
            }
            .text(self.lang),
        )
    }

    /// Runs the real model again on `scenario`'s sentence (its weights never change) and
    /// says what changed.
    fn rerun_real(&mut self, what: &str, scenario: Scenario) -> Result<Outcome, SessionError> {
        let Subject::Real(r) = &self.study.subject else {
            return Err(SessionError::NotHere(
                RerunMsg::HandCheckHasNoModel.text(self.lang),
            ));
        };
        let run = crate::hf::Run::new(
            std::sync::Arc::clone(&r.run.model),
            &scenario.input.text,
            scenario.input.target.as_deref(),
        )
        .map_err(|e| SessionError::NotHere(e.to_string()))?;
        let diff = Diff::between(&self.study.trace, &run.trace);
        let old = std::mem::replace(&mut self.study.trace, run.trace.clone());
        self.keep_as_previous(old);
        self.study.subject = Subject::Real(Box::new(super::RealSubject { scenario, run }));
        self.fix_cursor();
        self.dirty = true;
        let summary = diff.summary_in(self.precision, self.lang);
        let reran = self.t(SessionMsg::Reran {
            what: what.to_string(),
            summary: summary.clone(),
        });
        Ok(Outcome {
            text: format!("{reran}\n"),
            status: format!("{what}: {summary}"),
            diff: Some(diff),
            ..Outcome::default()
        })
    }

    /// Leaves a hand-check for the parked model study, when there is one.
    pub(super) fn unpark(&mut self) {
        if self.is_hand_check()
            && let Some(p) = self.parked.take()
        {
            self.study = p;
            self.tour = None;
        }
    }

    /// Runs `scenario`, reusing the current weights when the change allows, and replaces
    /// the model study. Returns the diff against the previous trace and notes about
    /// overrides that no longer fit.
    // Over 80 lines: the rerun in order: the new scenario built, the model kept or replaced, the trace recomputed and compared.
    pub(super) fn rerun(
        &mut self,
        mut scenario: Scenario,
    ) -> Result<(Diff, Vec<String>), SessionError> {
        let cur = self.model_subject()?;
        // A trained model's section may leave its sizes (and its decoder mask) to the
        // checkpoint.
        let config = if scenario.model.checkpoint.is_some() {
            scn::apply_spec(cur.model.config().clone(), &scenario.model)
        } else {
            scn::config_of(&scenario.model)
        };
        let (valid, input) = prepare(
            config,
            &scenario.input.text,
            scenario.input.target.as_deref(),
        )
        .map_err(invalid)?;
        let vocab = cur.model.vocab().map(crate::model::Vocab::len);
        let keep = scn::memory_check(&valid, &input, vocab).map_err(|e| {
            SessionError::Invalid(vec![ScenarioProblem {
                path: scn::FieldPath::new(vec![scn::PathSeg::Key("model".into())]),
                message: e,
            }])
        })?;
        let mut notes = Vec::new();
        let mut model = cur.model.clone();
        let kept_weights = model.set_config(valid.clone()).is_ok();
        if !kept_weights {
            // New weights: re-apply the overrides that still fit, drop the others.
            if let Some(c) = scenario.model.checkpoint.take() {
                notes.push(RerunMsg::CheckpointDoesNotFit(c).text(self.lang));
            }
            let mut fresh = Transformer::new(valid);
            let mut kept_w = scn::schema::OrderedMap::default();
            for (name, numbers) in scenario.weights.iter() {
                match apply_weight(&mut fresh, name, numbers) {
                    Ok(()) => kept_w.insert(name.to_string(), numbers.clone()),
                    Err(e) => notes.push(
                        RerunMsg::DroppedWeight {
                            name: name.to_string(),
                            why: e.to_string(),
                        }
                        .text(self.lang),
                    ),
                }
            }
            let mut kept_e = scn::schema::OrderedMap::default();
            for (token, v) in scenario.embeddings.iter() {
                let arr = Array1::from_iter(v.iter().map(|x| *x as f32));
                match fresh.embedding_mut().set_override(token, arr) {
                    Ok(()) => kept_e.insert(token.to_string(), v.clone()),
                    Err(e) => {
                        notes.push(
                            RerunMsg::DroppedEmbedding {
                                token: token.to_string(),
                                why: e.to_string(),
                            }
                            .text(self.lang),
                        );
                    }
                }
            }
            scenario.weights = kept_w;
            scenario.embeddings = kept_e;
            model = fresh;
        }
        // Same weights: reuse from the current trace what the change did not touch (the
        // result equals a fresh forward pass bit for bit).
        let control = self.control();
        let pass = if kept_weights {
            Pass::comparing(&self.study.trace, keep).controlled(&control)
        } else {
            // New weights: nothing to take over; the heads' memory serves the new pass.
            self.study.trace.release_heads();
            Pass::keeping(keep).controlled(&control)
        };
        let trace = model.forward(&input, pass).map_err(|e| match e {
            ForwardError::Cancelled(_) => {
                control.take();
                SessionError::Cancelled("the rerun".into())
            }
            ForwardError::Missing(e) => SessionError::NotHere(e.to_string()),
        })?;
        control.begin(Stage::Comparing, 0);
        let diff = Diff::between(&self.study.trace, &trace);
        // A cancellation that came during the comparison still wins: nothing is kept yet.
        if control.take() {
            return Err(SessionError::Cancelled("the rerun".into()));
        }
        let old = std::mem::replace(&mut self.study.trace, trace);
        self.keep_as_previous(old);
        self.study.subject = Subject::Model(Box::new(ModelSubject {
            scenario,
            model,
            input,
        }));
        if !kept_weights {
            // New weights: the training run's (if the study held them) are gone from it.
            self.learning.before_training = None;
        }
        self.fix_cursor();
        self.dirty = true;
        Ok((diff, notes))
    }

    /// Keeps the cursor on a step that exists, with head and cell in range.
    pub(super) fn fix_cursor(&mut self) {
        let t = &self.study.trace;
        let c = self.study.cursor.clone();
        let step = if t.get(&c.step).is_some() {
            c.step
        } else {
            // The same kind of step nearby, else the first weights.
            let tail = StepName::parse(&c.step).map(|n| n.short().to_string());
            t.names()
                .find(|n| {
                    let short = StepName::parse(n).map(|n| n.short().to_string());
                    tail.is_some() && short == tail
                })
                .map(str::to_string)
                .unwrap_or_else(|| first_cursor(t).step)
        };
        let _ = self.set_cursor(&step, None, None);
    }

    pub(super) fn rerun_outcome(
        &mut self,
        what: &str,
        scenario: Scenario,
    ) -> Result<Outcome, SessionError> {
        let (diff, notes) = self.rerun(scenario)?;
        let summary = diff.summary_in(self.precision, self.lang);
        let reran = self.t(SessionMsg::Reran {
            what: what.to_string(),
            summary: summary.clone(),
        });
        let mut text = format!("{reran}\n");
        for n in &notes {
            text.push_str(&format!("note: {n}\n"));
        }
        let status = format!("{what}: {summary}");
        Ok(Outcome {
            text,
            status,
            diff: Some(diff),
            ..Outcome::default()
        })
    }

    /// Changes the hand-check (its mask or scaling), recomputes it and says what changed.
    pub(super) fn change_hand(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut AttentionScenario),
    ) -> Result<Outcome, SessionError> {
        let Subject::Hand(a) = &self.study.subject else {
            return Err(SessionError::NotHere(RerunMsg::NoHandCheck.text(self.lang)));
        };
        let mut next = (**a).clone();
        f(&mut next);
        let normal = |x: &AttentionScenario| (x.scale.unwrap_or(true), x.mask.map(|w| w.0));
        if normal(&next) == normal(a) {
            return Ok(Outcome::say(self.t(SessionMsg::AlreadySo {
                what: what.to_string(),
                hand: true,
            })));
        }
        let trace = scn::build_attention(&next).map_err(SessionError::Invalid)?;
        self.control().begin(Stage::Comparing, 0);
        let diff = Diff::between(&self.study.trace, &trace);
        let old = std::mem::replace(&mut self.study.trace, trace);
        self.keep_as_previous(old);
        self.study.subject = Subject::Hand(Box::new(next));
        self.fix_cursor();
        self.dirty = true;
        let summary = diff.summary_in(self.precision, self.lang);
        let recomputed = self.t(SessionMsg::Recomputed {
            what: what.to_string(),
            summary: summary.clone(),
        });
        Ok(Outcome {
            text: format!("{recomputed}\n"),
            status: format!("{what}: {summary}"),
            diff: Some(diff),
            ..Outcome::default()
        })
    }

    pub(super) fn change_config(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut Config),
    ) -> Result<Outcome, SessionError> {
        self.unpark();
        let cur = self.model_subject()?;
        let mut c = cur.model.config().clone();
        f(&mut c);
        let mut scenario = cur.scenario.clone();
        scenario.model = scn::spec_of(&c);
        scenario
            .model
            .checkpoint
            .clone_from(&cur.scenario.model.checkpoint);
        if scenario.model.checkpoint.is_some() {
            // `spec_of` writes `dec_mask` only when it is off, and a trained model's section
            // that leaves it out means the checkpoint's: stated, so that switching it back on
            // takes effect (and is saved).
            scenario.model.dec_mask = Some(crate::scenario::schema::Word(c.dec_mask));
        }
        if c == *cur.model.config() {
            return Ok(Outcome::say(self.t(SessionMsg::AlreadySo {
                what: what.to_string(),
                hand: false,
            })));
        }
        let unmasked_decoder = c.has_decoder() && c.dec_mask == MaskKind::None;
        let mut out = self.rerun_outcome(what, scenario)?;
        if unmasked_decoder {
            out.text
                .push_str(&format!("{}\n", RerunMsg::DecoderUnmasked.text(self.lang)));
            // The warning first: the status line is one line and cuts the end.
            let summary = out
                .status
                .strip_prefix(&format!("{what}: "))
                .unwrap_or("")
                .to_string();
            out.status = self.t(SessionMsg::DecoderUnmasked {
                what: what.to_string(),
                summary,
            });
        }
        Ok(out)
    }

    pub(super) fn set_model(&mut self, spec: ModelSpec) -> Result<Outcome, SessionError> {
        let what = format!("set model.{}", spec.describe());
        self.change_config(&what, |c| *c = scn::apply_spec(c.clone(), &spec))
    }

    pub(super) fn change_input(
        &mut self,
        text: Option<String>,
        target: Option<String>,
    ) -> Result<Outcome, SessionError> {
        self.unpark();
        let real = matches!(self.study.subject, Subject::Real(_));
        let mut scenario = if let Subject::Real(r) = &self.study.subject {
            r.scenario.clone()
        } else {
            let cur = self.model_subject()?;
            if target.is_some() && cur.model.config().arch != Arch::EncoderDecoder {
                return Err(SessionError::NotHere(
                    RerunMsg::TargetNeedsEncoderDecoder {
                        arch: cur.model.config().arch.to_string(),
                    }
                    .text(self.lang),
                ));
            }
            cur.scenario.clone()
        };
        let what = match (&text, &target) {
            (Some(t), _) => {
                // The target stays as it is; `target` changes it.
                scn::set_text(&mut scenario, t);
                format!("text {t}")
            }
            (None, Some(t)) => {
                scenario.input.target = Some(t.clone());
                format!("target {t}")
            }
            (None, None) => return Ok(Outcome::default()),
        };
        let mut out = if real {
            // The sentence cut again by SentencePiece, the model run again.
            self.rerun_real(&what, scenario)?
        } else {
            self.rerun_outcome(&what, scenario)?
        };
        if self.input().is_some() {
            // The trace's labels: a word the trained vocabulary lacks shows as `바나나→<unk>`.
            let t = self.study.trace.tokens();
            let mut tokens = format!("source: {}", t.source.join(" | "));
            if let Some(t) = &t.target {
                tokens.push_str(&format!("\ntarget: {}", t.join(" | ")));
            }
            if let Some(w) = self
                .model()
                .and_then(|m| m.vocab())
                .and_then(|v| CliLine::mostly_unknown(v, &t.source))
            {
                // The warning is also the status line (the workbench's one line in view).
                out.status = w.text(self.lang);
                tokens.push_str(&format!("\n{}", out.status));
            }
            out.text = format!("{tokens}\n{}", out.text);
        }
        Ok(out)
    }

    pub(super) fn set_embed(
        &mut self,
        token: String,
        vector: Vec<f64>,
    ) -> Result<Outcome, SessionError> {
        self.unpark();
        let cur = self.model_subject()?;
        let in_input = cur
            .input
            .source
            .iter()
            .chain(cur.input.target.iter().flatten())
            .any(|t| *t == token);
        if !in_input {
            let list: Vec<&str> = cur
                .input
                .source
                .iter()
                .chain(cur.input.target.iter().flatten())
                .map(String::as_str)
                .collect();
            return Err(SessionError::NotHere(
                FilesMsg::NotAToken {
                    token,
                    tokens: list.join(", "),
                }
                .text(self.lang),
            ));
        }
        scn::number_rule(vector.iter().copied()).map_err(SessionError::NotHere)?;
        let d = cur.model.config().d_model;
        if vector.len() != d {
            return Err(SessionError::NotHere(
                FilesMsg::EmbedLength {
                    token,
                    got: vector.len(),
                    d,
                }
                .text(self.lang),
            ));
        }
        let mut scenario = cur.scenario.clone();
        scenario.embeddings.insert(token.clone(), vector.clone());
        // Same weights: the rerun keeps the model; set the override on it first.
        let mut model = cur.model.clone();
        model
            .embedding_mut()
            .set_override(&token, Array1::from_iter(vector.iter().map(|x| *x as f32)))
            .map_err(|e| SessionError::NotHere(e.to_string()))?;
        self.rerun_with_model(model, &format!("set embed {token}"), scenario)
    }

    pub(super) fn set_weight(&mut self, name: String, rows: Rows) -> Result<Outcome, SessionError> {
        self.unpark();
        let cur = self.model_subject()?;
        scn::number_rule(rows.iter().flatten().copied()).map_err(SessionError::NotHere)?;
        let numbers = match cur.model.weights().lookup(&name)? {
            Param::Vector(_) if rows.len() == 1 => Numbers::Vector(rows[0].clone()),
            _ => Numbers::Matrix(rows),
        };
        let mut model = cur.model.clone();
        apply_weight(&mut model, &name, &numbers)?;
        let mut scenario = cur.scenario.clone();
        scenario.weights.insert(name.clone(), numbers);
        self.rerun_with_model(model, &format!("set weight {name}"), scenario)
    }

    /// [`Session::rerun_outcome`] with `model` (the current one plus an override) in place
    /// of the current model; the current one comes back when the rerun fails or is
    /// cancelled, so that the session stays as it was.
    pub(super) fn rerun_with_model(
        &mut self,
        model: Transformer,
        what: &str,
        scenario: Scenario,
    ) -> Result<Outcome, SessionError> {
        let old = match &mut self.study.subject {
            Subject::Model(m) => Some(std::mem::replace(&mut m.model, model)),
            Subject::Real(_) | Subject::Hand(_) => None,
        };
        let r = self.rerun_outcome(what, scenario);
        if r.is_err()
            && let (Some(old), Subject::Model(m)) = (old, &mut self.study.subject)
        {
            m.model = old;
        }
        r
    }

    pub(super) fn diff(&self) -> Outcome {
        let Some(prev) = &self.study.previous else {
            return Outcome::say(self.t(SessionMsg::NothingToCompare));
        };
        let d = Diff::between(prev, &self.study.trace);
        let summary = d.summary_in(self.precision, self.lang);
        let mut text = format!("{}\n", self.t(SessionMsg::SincePrevious(summary.clone())));
        let w = self.study.trace.names().map(str::len).max().unwrap_or(10);
        let mut line = |n: &str, m: FilesMsg| {
            text.push_str(&format!("  {n:w$}  {}\n", m.text(self.lang)));
        };
        for (n, x) in &d.changed {
            if *x == 0.0 {
                line(n, FilesMsg::DiffUnchanged);
            } else {
                let value = (!x.is_infinite()).then(|| render::fmt_value(*x, self.precision));
                line(n, FilesMsg::DiffMax(value));
            }
        }
        for n in &d.reshaped {
            line(n, FilesMsg::DiffReshaped);
        }
        for n in &d.added {
            line(n, FilesMsg::DiffNew);
        }
        for n in &d.removed {
            line(n, FilesMsg::DiffGone);
        }
        Outcome::say(text).with_status(self.t(SessionMsg::DiffStatus(summary)))
    }
}
