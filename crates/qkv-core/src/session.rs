//! The study session both front ends share: the scenario, the model, the current trace and
//! the cursor. [`Session::apply`] is the only way its state changes.

use std::path::{Path, PathBuf};

use ndarray::Array1;
use thiserror::Error;

use crate::command::{AttendArgs, Command, ModelField, ParseError, Rows, Switch, help};
use crate::export::{self, ExportError};
use crate::model::{
    Arch, Config, Input, MaskKind, Param, Positional, Transformer, WeightError, prepare,
};
use crate::practice;
use crate::render::{self, RenderOptions};
use crate::scenario::check::{self, CheckReport};
use crate::scenario::io::{self, LoadError, SaveError, SaveGuard};
use crate::scenario::schema::{
    AttentionExpect, AttentionScenario, Expectation, InputSpec, Kind, Numbers, Scenario,
    ScenarioFile, TourStep, VERSION, Word,
};
use crate::scenario::{self as scn, Runnable, ScenarioProblem};
use crate::trace::{Address, Step, Trace, TraceError};

mod decoding;
mod exploring;
mod learning;
mod output;
pub use decoding::DecodeState;
pub use learning::{
    BUILT_IN_CORPUS, BUILT_IN_CORPUS_NAME, HELD_OUT_EVERY, Learning, PROBE, SNAPSHOT_EVERY,
    Snapshot, TOP_K as DECODE_TOP_K, Training,
};

/// The scenario `qkv` opens with (also embedded so it works from any directory): the
/// article's sentence on the shipped trained model.
pub const DEFAULT_SCENARIO: &str = include_str!("../../../scenarios/default.yaml");

/// The same sentence on the untrained tiny model (random weights, seed 42).
pub const UNTRAINED_SCENARIO: &str = include_str!("../../../scenarios/untrained.yaml");

/// Said whenever the decoder runs without its causal mask.
pub const DECODER_UNMASKED: &str = "warning: the decoder's causal mask is off, so each token sees the tokens after it; this is not how a decoder is trained (it would learn to copy the next word); `mask dec on` restores it";

/// The state of the toggles `mask`, `scale`, `pe` and `norm` switch (for the TUI's keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Toggles {
    /// The mask `mask on|off` switches: the encoder's, the decoder's in a decoder-only
    /// model, the hand-check's.
    pub mask: MaskKind,
    /// Scores divided by √d_k.
    pub scale: bool,
    /// Positional encoding on (`None`: a hand-check has none).
    pub pe: Option<bool>,
    /// Norm placement (`None`: a hand-check has none).
    pub norm: Option<crate::model::Norm>,
}

/// Why a command could not be carried out. Nothing changed when one is returned.
#[derive(Debug, Error)]
pub enum SessionError {
    /// The line is not a command.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A step name or index that does not exist.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// The model or input would be invalid.
    #[error("{}", problems_text(.0))]
    Invalid(Vec<ScenarioProblem>),
    /// A scenario could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The session could not be saved.
    #[error(transparent)]
    Save(#[from] SaveError),
    /// The export failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A plot (or a printed output) could not be made or written.
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
    /// A weight override does not fit.
    #[error(transparent)]
    Weight(#[from] WeightError),
    /// The command does not apply here (the message says why and what to do).
    #[error("{0}")]
    NotHere(String),
    /// A cell could not be explained.
    #[error("{0}")]
    Explain(String),
    /// The command was cancelled (Ctrl-C) before it finished; nothing changed.
    #[error("cancelled: {0} was stopped; the session is as it was")]
    Cancelled(String),
}

fn problems_text(p: &[ScenarioProblem]) -> String {
    match p {
        [one] => one.to_string(),
        many => many
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Where the user is: a step (by name), a head, a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Step name.
    pub step: String,
    /// Head (0 for steps without heads).
    pub head: usize,
    /// Selected row.
    pub row: usize,
    /// Selected column.
    pub col: usize,
}

/// A guided tour being replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct Tour {
    /// The stops.
    pub steps: Vec<TourStep>,
    /// Index of the current stop.
    pub pos: usize,
}

impl Tour {
    /// The current stop.
    pub fn current(&self) -> Option<&TourStep> {
        self.steps.get(self.pos)
    }
}

/// What a rerun changed, step by step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diff {
    /// (step, max |Δ|) for steps present in both runs with the same shape.
    pub changed: Vec<(String, f32)>,
    /// Steps whose shape changed.
    pub reshaped: Vec<String>,
    /// Steps only in the new run.
    pub added: Vec<String>,
    /// Steps only in the old run.
    pub removed: Vec<String>,
}

impl Diff {
    /// Compares two traces step by step. Consecutive per-head steps (an attention block's
    /// `q` … `head_out`) are compared head by head across the block, so that the scores and
    /// weights a trace recomputes on access are computed once per head; blocks run in
    /// parallel.
    pub fn between(old: &Trace, new: &Trace) -> Diff {
        use rayon::prelude::*;
        let steps = new.steps();
        // Runs of consecutive steps: per-head runs of one head count, or single steps.
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            match runs.last_mut() {
                Some(r)
                    if s.heads().is_some() && steps[r.start].heads() == s.heads() && r.end == i =>
                {
                    r.end = i + 1;
                }
                _ => runs.push(i..i + 1),
            }
        }
        let compare = |r: &std::ops::Range<usize>| compare_run(old, &steps[r.clone()], r.start);
        // Threads pay off only when there is real work (recomputed heads at base size).
        let results: Vec<Vec<(usize, Option<Option<f32>>)>> = if new.stored_bytes() > 1 << 20 {
            runs.par_iter().map(compare).collect()
        } else {
            runs.iter().map(compare).collect()
        };
        let mut d = Diff::default();
        for (i, res) in results.into_iter().flatten() {
            let name = steps[i].name().to_string();
            match res {
                None => d.added.push(name),
                Some(Some(x)) => d.changed.push((name, x)),
                Some(None) => d.reshaped.push(name),
            }
        }
        d.removed = old
            .names()
            .filter(|n| new.get(n).is_none())
            .map(str::to_string)
            .collect();
        d
    }

    /// Steps whose values moved.
    pub fn changed_count(&self) -> usize {
        self.changed.iter().filter(|(_, x)| *x > 0.0).count()
    }

    /// The largest change and its step.
    pub fn largest(&self) -> Option<(&str, f32)> {
        self.changed
            .iter()
            .filter(|(_, x)| *x > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(n, x)| (n.as_str(), *x))
    }

    /// One line: `12 of 100 steps changed, largest change 0.53 in enc.0.attn.scaled`.
    pub fn summary(&self, precision: usize) -> String {
        let total = self.changed.len() + self.reshaped.len() + self.added.len();
        let mut s = format!(
            "{} of {total} steps changed",
            self.changed_count() + self.reshaped.len() + self.added.len()
        );
        if let Some((n, x)) = self.largest() {
            s.push_str(&format!(
                ", largest change {} in {n}",
                change_text(x, precision)
            ));
        }
        if !self.reshaped.is_empty() {
            s.push_str(&format!(", {} changed shape", self.reshaped.len()));
        }
        if !self.added.is_empty() {
            s.push_str(&format!(", {} new", self.added.len()));
        }
        if !self.removed.is_empty() {
            s.push_str(&format!(", {} gone", self.removed.len()));
        }
        s
    }
}

/// For each step of a run (indices from `first`): `None` when `old` lacks it, `Some(None)`
/// when its shape changed, else the largest change.
#[allow(clippy::option_option)] // the three cases above, private to the diff
fn compare_run(old: &Trace, run: &[Step], first: usize) -> Vec<(usize, Option<Option<f32>>)> {
    let pairs: Vec<Option<&Step>> = run.iter().map(|s| old.get(s.name())).collect();
    let mut out: Vec<(usize, Option<Option<f32>>)> = Vec::with_capacity(run.len());
    let mut worst: Vec<f32> = vec![0.0; run.len()];
    let mut comparable: Vec<bool> = vec![false; run.len()];
    for (k, (s, o)) in run.iter().zip(&pairs).enumerate() {
        comparable[k] = o.is_some_and(|o| o.shape() == s.shape() && !o.shares_numbers_with(s));
    }
    match run.first().and_then(Step::heads) {
        Some(heads) if run.len() > 1 => {
            for h in 0..heads {
                for (k, (s, o)) in run.iter().zip(&pairs).enumerate() {
                    if let (true, Some(o)) = (comparable[k], o)
                        && let (Ok(a), Ok(b)) = (o.matrix(Some(h)), s.matrix(Some(h)))
                    {
                        for (x, y) in a.iter().zip(b.iter()) {
                            let d = if x == y { 0.0 } else { (x - y).abs() };
                            worst[k] = if d.is_nan() {
                                f32::INFINITY
                            } else {
                                worst[k].max(d)
                            };
                        }
                    }
                }
            }
        }
        _ => {
            for (k, (s, o)) in run.iter().zip(&pairs).enumerate() {
                if let (true, Some(o)) = (comparable[k], o) {
                    worst[k] = o.max_abs_diff(s).unwrap_or(0.0);
                }
            }
        }
    }
    for (k, (s, o)) in run.iter().zip(&pairs).enumerate() {
        let res = match o {
            None => None,
            Some(o) if o.shape() != s.shape() => Some(None),
            Some(_) => Some(Some(worst[k])),
        };
        out.push((first + k, res));
    }
    out
}

/// The result of a command.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// Everything to print (REPL).
    pub text: String,
    /// One line for a status bar (TUI).
    pub status: String,
    /// The front end should leave.
    pub quit: bool,
    /// The model ran again: what changed.
    pub diff: Option<Diff>,
}

impl Outcome {
    fn say(text: impl Into<String>) -> Outcome {
        let text = text.into();
        let status = text.lines().next().unwrap_or("").to_string();
        Outcome {
            text,
            status,
            ..Outcome::default()
        }
    }
    fn with_status(mut self, status: impl Into<String>) -> Outcome {
        self.status = status.into();
        self
    }
}

/// A model being studied.
#[derive(Debug, Clone)]
struct ModelSubject {
    scenario: Scenario,
    model: Transformer,
    input: Input,
}

/// What the session is about: a model, or an attention hand-check.
#[derive(Debug, Clone)]
enum Subject {
    Model(Box<ModelSubject>),
    Hand(Box<AttentionScenario>),
}

/// One subject with its trace, cursor and recorded tour.
#[derive(Debug, Clone)]
struct Study {
    subject: Subject,
    trace: Trace,
    previous: Option<Trace>,
    cursor: Cursor,
    visited: Vec<TourStep>,
    /// For each visited stop: was its cell chosen on purpose (`cell`, `show name[..][i][j]`,
    /// `explain`, `note`)? Those cells' values become expectations when saving.
    chosen: Vec<bool>,
    /// The input the study started from (a changed sentence makes the scenario's title,
    /// description and tour stale).
    started_on: Option<InputSpec>,
}

/// The state of one study session.
#[derive(Debug, Clone)]
pub struct Session {
    study: Study,
    /// A model study kept while an `attend` hand-check is in focus.
    parked: Option<Study>,
    file: Option<(PathBuf, u64)>,
    /// The loaded file has YAML comments (which saving over it would drop).
    file_comments: bool,
    tour: Option<Tour>,
    precision: usize,
    dirty: bool,
    quit_armed: bool,
    /// Gradients, decoding, training.
    learning: Learning,
    /// The practice questions being asked.
    practice: Option<PracticeRun>,
    /// Practice score of the whole session.
    score: practice::Score,
    /// The last practice answer graded.
    last_grading: Option<practice::Grading>,
    /// Random practice cells drawn so far (the seed of the next one).
    draws: u64,
}

/// Practice questions being asked: the items and the one open now.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeRun {
    /// The questions.
    pub items: Vec<practice::Item>,
    /// Index of the open one.
    pub pos: usize,
    /// Score of this run.
    pub score: practice::Score,
}

impl PracticeRun {
    /// The open question.
    pub fn current(&self) -> Option<&practice::Item> {
        self.items.get(self.pos)
    }
}

fn first_cursor(trace: &Trace) -> Cursor {
    // Open on the first attention weights: the heart of the matter.
    let step = trace
        .names()
        .find(|n| n.ends_with("weights"))
        .or_else(|| trace.names().next())
        .unwrap_or("")
        .to_string();
    Cursor {
        step,
        head: 0,
        row: 0,
        col: 0,
    }
}

impl Study {
    fn new(subject: Subject, trace: Trace) -> Study {
        let cursor = first_cursor(&trace);
        let started_on = match &subject {
            Subject::Model(m) => Some(m.scenario.input.clone()),
            Subject::Hand(_) => None,
        };
        Study {
            subject,
            trace,
            previous: None,
            cursor,
            visited: Vec::new(),
            chosen: Vec::new(),
            started_on,
        }
    }

    /// True when the sentence differs from the one the study started from.
    fn input_changed(&self) -> bool {
        match (&self.subject, &self.started_on) {
            (Subject::Model(m), Some(start)) => m.scenario.input != *start,
            _ => false,
        }
    }
}

impl Session {
    /// A session on a scenario file (already built).
    pub fn from_runnable(file: ScenarioFile, runnable: Runnable) -> Session {
        let study = match (file, runnable) {
            (ScenarioFile::Model(scenario), Runnable::Model(b)) => {
                let b = *b;
                Study::new(
                    Subject::Model(Box::new(ModelSubject {
                        scenario,
                        model: b.model,
                        input: b.input,
                    })),
                    b.trace,
                )
            }
            (ScenarioFile::Attention(a), r) => {
                Study::new(Subject::Hand(Box::new(a)), r.trace().clone())
            }
            (ScenarioFile::Model(scenario), Runnable::Attention(t)) => {
                // Not produced by build_file; keep the trace as a hand-check view.
                let _ = scenario;
                Study::new(Subject::Hand(Box::new(empty_hand())), t)
            }
        };
        Session {
            study,
            parked: None,
            file: None,
            file_comments: false,
            tour: None,
            precision: 4,
            dirty: false,
            quit_armed: false,
            learning: Learning::default(),
            practice: None,
            score: practice::Score::default(),
            last_grading: None,
            draws: 0,
        }
    }

    /// The built-in default scenario (나는 학교에 간다 → I go to school, trained model).
    pub fn default_scenario() -> Result<Session, SessionError> {
        let (file, runnable) =
            io::parse_and_build(DEFAULT_SCENARIO, "scenarios/default.yaml (built in)")?;
        Ok(Session::from_runnable(file, runnable))
    }

    /// The built-in untrained scenario (the same sentence, the tiny model with random
    /// weights).
    pub fn untrained_scenario() -> Result<Session, SessionError> {
        let (file, runnable) =
            io::parse_and_build(UNTRAINED_SCENARIO, "scenarios/untrained.yaml (built in)")?;
        Ok(Session::from_runnable(file, runnable))
    }

    /// A session on the scenario at `path`, remembered so that saving back is allowed.
    pub fn open(path: &Path) -> Result<Session, SessionError> {
        let loaded = io::load(path)?;
        let mut s = Session::from_runnable(loaded.file, loaded.runnable);
        s.file = Some((loaded.path, loaded.fingerprint));
        s.file_comments = loaded.has_comments;
        Ok(s)
    }

    /// The current trace.
    pub fn trace(&self) -> &Trace {
        &self.study.trace
    }

    /// The trace before the last rerun (to highlight what changed).
    pub fn previous_trace(&self) -> Option<&Trace> {
        self.study.previous.as_ref()
    }

    /// The model, unless the session is on an attention hand-check.
    pub fn model(&self) -> Option<&Transformer> {
        match &self.study.subject {
            Subject::Model(m) => Some(&m.model),
            Subject::Hand(_) => None,
        }
    }

    /// The model's configuration.
    pub fn config(&self) -> Option<&Config> {
        self.model().map(Transformer::config)
    }

    /// The source and target text (model sessions).
    pub fn input(&self) -> Option<&Input> {
        match &self.study.subject {
            Subject::Model(m) => Some(&m.input),
            Subject::Hand(_) => None,
        }
    }

    /// What the toggles are now, for a model or a hand-check.
    pub fn toggles(&self) -> Toggles {
        match &self.study.subject {
            Subject::Model(m) => {
                let c = m.model.config();
                Toggles {
                    mask: c.toggled_mask(),
                    scale: c.scale,
                    pe: Some(c.positional != Positional::None),
                    norm: Some(c.norm),
                }
            }
            Subject::Hand(a) => Toggles {
                mask: a.mask.map_or(MaskKind::None, |w| w.0),
                scale: a.scale.unwrap_or(true),
                pe: None,
                norm: None,
            },
        }
    }

    /// True when the session is on an attention hand-check.
    pub fn is_hand_check(&self) -> bool {
        matches!(self.study.subject, Subject::Hand(_))
    }

    /// Title of the scenario; once the sentence has changed, `Session on <sentence> (from
    /// “<title>”)` (what `save` writes).
    pub fn title(&self) -> std::borrow::Cow<'_, str> {
        match &self.study.subject {
            Subject::Model(m) if self.study.input_changed() => {
                let was = if m.scenario.title.is_empty() {
                    String::new()
                } else {
                    format!(" (from “{}”)", m.scenario.title)
                };
                std::borrow::Cow::Owned(format!("Session on {}{was}", m.scenario.input.text))
            }
            Subject::Model(m) => std::borrow::Cow::Borrowed(&m.scenario.title),
            Subject::Hand(a) => std::borrow::Cow::Borrowed(&a.title),
        }
    }

    /// Description of the scenario.
    pub fn description(&self) -> &str {
        match &self.study.subject {
            Subject::Model(m) => &m.scenario.description,
            Subject::Hand(a) => &a.description,
        }
    }

    /// Stops of the scenario's own guided tour (what `replay` walks).
    pub fn scenario_tour_len(&self) -> usize {
        match &self.study.subject {
            Subject::Model(m) => m.scenario.steps.len(),
            Subject::Hand(a) => a.steps.len(),
        }
    }

    /// The cursor.
    pub fn cursor(&self) -> &Cursor {
        &self.study.cursor
    }

    /// The step under the cursor.
    pub fn current_step(&self) -> Option<&Step> {
        self.study.trace.get(&self.study.cursor.step)
    }

    /// The head index to use with the current step (`None` for steps without heads).
    pub fn current_head(&self) -> Option<usize> {
        self.current_step()
            .and_then(Step::heads)
            .map(|_| self.study.cursor.head)
    }

    /// The address of the selected cell.
    pub fn cell_address(&self) -> Address {
        let c = &self.study.cursor;
        let mut indices: Vec<usize> = self.current_head().into_iter().collect();
        indices.extend([c.row, c.col]);
        Address {
            name: c.step.clone(),
            indices,
        }
    }

    /// The tour being replayed.
    pub fn tour(&self) -> Option<&Tour> {
        self.tour.as_ref()
    }

    /// The stops recorded so far (what `save` writes as the guided tour).
    pub fn visited(&self) -> &[TourStep] {
        &self.study.visited
    }

    /// The file the session was loaded from or last saved to.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_ref().map(|(p, _)| p.as_path())
    }

    /// Unsaved changes?
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Digits printed after the decimal point.
    pub fn precision(&self) -> usize {
        self.precision
    }

    fn render_opts(&self) -> RenderOptions {
        RenderOptions {
            precision: self.precision,
            ..RenderOptions::default()
        }
    }

    /// Parses and applies one line (blank lines and comments do nothing).
    pub fn apply_line(&mut self, line: &str) -> Result<Outcome, SessionError> {
        match crate::command::parse(line)? {
            Some(c) => self.apply(c),
            None => Ok(Outcome::default()),
        }
    }

    /// Carries out one command. On error nothing has changed.
    ///
    /// A command that fails while a cancellation is pending ([`crate::model::cancel`]:
    /// Ctrl-C in the REPL, Esc or Ctrl-C in the workbench) fails as
    /// [`SessionError::Cancelled`], and the request is cleared.
    pub fn apply(&mut self, cmd: Command) -> Result<Outcome, SessionError> {
        match self.apply_command(cmd) {
            Err(e) if !matches!(e, SessionError::Cancelled(_)) && crate::model::cancel::take() => {
                Err(SessionError::Cancelled("the command".into()))
            }
            r => r,
        }
    }

    fn apply_command(&mut self, cmd: Command) -> Result<Outcome, SessionError> {
        if !matches!(cmd, Command::Quit { .. }) {
            self.quit_armed = false;
        }
        match cmd {
            Command::Text(t) => self.change_input(Some(t), None),
            Command::Target(t) => self.change_input(None, Some(t)),
            Command::Show(None) => Ok(self.list_steps()),
            Command::Show(Some(a)) if a.name.starts_with("grad.") => {
                self.apply_learning(crate::command::LearnCommand::Grad(Some(a)))
            }
            Command::Show(Some(a)) => self.show(&a),
            Command::Explain(Some(a)) if a.name.starts_with("grad.") => self.explain_gradient(a),
            Command::Explain(a) => self.explain(a),
            Command::Layer(l) => self.layer(l),
            Command::Head(h) => self.head(h),
            Command::Cell(r, c) => self.cell(r, c),
            Command::Next => self.step_by(1),
            Command::Prev => self.step_by(-1),
            Command::Mask(m) if self.is_hand_check() => {
                self.change_hand(&format!("mask {m}"), |a| {
                    a.mask = (m == MaskKind::Causal).then_some(Word(MaskKind::Causal));
                })
            }
            Command::Scale(s) if self.is_hand_check() => {
                self.change_hand(&format!("scale {}", on_off(s == Switch::On)), |a| {
                    a.scale = Some(s == Switch::On);
                })
            }
            Command::Mask(m) => {
                let decoder_only = self.config().is_some_and(|c| c.arch == Arch::Decoder);
                self.change_config(&format!("mask {m}"), |c| {
                    if decoder_only {
                        c.dec_mask = m;
                    } else {
                        c.mask = m;
                    }
                })
            }
            Command::Scale(s) => {
                self.change_config(&format!("scale {}", on_off(s == Switch::On)), |c| {
                    c.scale = s == Switch::On;
                })
            }
            Command::Pe(s) => self.change_config(&format!("pe {}", on_off(s == Switch::On)), |c| {
                c.positional = if s == Switch::On {
                    Positional::Sinusoidal
                } else {
                    Positional::None
                }
            }),
            Command::Norm(n) => self.change_config(&format!("norm {n}"), |c| c.norm = n),
            Command::SetModel(f) => self.set_model(f),
            Command::SetEmbed { token, vector } => self.set_embed(token, vector),
            Command::SetWeight { name, rows } => self.set_weight(name, rows),
            Command::SetPrecision(p) => {
                self.precision = p;
                Ok(Outcome::say(format!(
                    "numbers now print with {p} digits after the point"
                )))
            }
            Command::Attend(a) => self.attend(a),
            Command::Diff => Ok(self.diff()),
            Command::Save { path, force } => self.save(&path, force),
            Command::Load { path, force } => self.load(&path, force),
            Command::Replay(p) => self.replay(p.as_deref()),
            Command::StopReplay => match self.tour.take() {
                Some(t) => Ok(Outcome::say(format!(
                    "tour ended at stop {} of {}; next/prev walk the pipeline again",
                    t.pos + 1,
                    t.steps.len()
                ))),
                None => Err(SessionError::NotHere("no tour is being replayed".into())),
            },
            Command::Check => Ok(self.check()),
            Command::Export { path, force } => self.export(&path, force),
            Command::Params => self.params(),
            Command::Plot {
                address,
                path,
                force,
            } => self.plot(&address, &path, force),
            Command::Redirect {
                command,
                line,
                path,
                force,
            } => self.redirect(*command, &line, &path, force),
            Command::Note(t) => self.note(t),
            Command::Help(t) => Ok(Outcome::say(help(t.as_deref())?)),
            Command::Practice(a) => self.start_practice(a),
            Command::StopPractice => self.stop_practice(),
            Command::Answer(v) => self.answer(&v),
            Command::Learn(c) => self.apply_learning(c),
            Command::Explore(e) => self.explore(e),
            Command::Quit { force } => Ok(self.quit(force)),
        }
    }

    // ----- navigation -------------------------------------------------------------------

    fn set_cursor(
        &mut self,
        step: &str,
        head: Option<usize>,
        cell: Option<(usize, usize)>,
    ) -> Result<(), SessionError> {
        let s = self.study.trace.step(step)?;
        let heads = s.heads();
        let head = match (heads, head) {
            (Some(n), Some(h)) if h >= n => {
                return Err(TraceError::HeadOutOfRange {
                    name: step.to_string(),
                    head: h,
                    heads: n,
                }
                .into());
            }
            (Some(_), Some(h)) => h,
            (Some(n), None) => self.study.cursor.head.min(n - 1),
            (None, _) => 0,
        };
        let (rows, cols) = s.dims();
        let (row, col) = match cell {
            Some((r, c)) => {
                s.cell(
                    &heads
                        .map(|_| head)
                        .into_iter()
                        .chain([r, c])
                        .collect::<Vec<_>>(),
                )?;
                (r, c)
            }
            None => (
                self.study.cursor.row.min(rows.saturating_sub(1)),
                self.study.cursor.col.min(cols.saturating_sub(1)),
            ),
        };
        self.study.cursor = Cursor {
            step: step.to_string(),
            head,
            row,
            col,
        };
        Ok(())
    }

    /// Records the current position as a stop of the tour (merging with the last stop when
    /// it is the same step and head).
    /// `chosen`: the cell was picked on purpose (its value is worth an expectation).
    fn visit(&mut self, chosen: bool) {
        let c = self.study.cursor.clone();
        let head = self.current_head();
        let stop = TourStep {
            show: c.step.clone(),
            head,
            cell: Some([c.row, c.col]),
            note: None,
        };
        match self.study.visited.last_mut() {
            Some(last) if last.show == stop.show && last.head == stop.head => {
                last.cell = stop.cell;
                if let Some(flag) = self.study.chosen.last_mut() {
                    *flag |= chosen;
                }
            }
            _ => {
                self.study.visited.push(stop);
                self.study.chosen.push(chosen);
            }
        }
    }

    fn here(&self) -> String {
        let c = &self.study.cursor;
        match self.current_head() {
            Some(h) => format!("{}[{h}]", c.step),
            None => c.step.clone(),
        }
    }

    fn show_current(&self) -> Result<String, SessionError> {
        let addr = Address::parse(&self.here())?;
        let mut out = render::address(&self.study.trace, &addr, &self.render_opts())?;
        let c = &self.study.cursor;
        if let Some(s) = self.current_step() {
            let v = s.value(&self.cell_address().indices)?;
            let rl = s.row_labels().get(c.row).cloned().unwrap_or_default();
            let cl = s
                .col_labels(self.current_head())
                .get(c.col)
                .cloned()
                .unwrap_or_default();
            out.push_str(&format!(
                "selected cell [{}][{}] ({rl} → {cl}) = {}\n",
                c.row,
                c.col,
                render::fmt_value(v, self.precision)
            ));
        }
        Ok(out)
    }

    fn list_steps(&self) -> Outcome {
        let mut text = String::from("steps in pipeline order (name  shape):\n");
        for s in self.study.trace.steps() {
            let marker = if s.name() == self.study.cursor.step {
                "▶ "
            } else {
                "  "
            };
            text.push_str(&format!(
                "{marker}{:<30} {}\n",
                s.name(),
                crate::model::weights::shape_text(&s.shape())
            ));
        }
        let n = self.study.trace.steps().len();
        Outcome::say(text).with_status(format!("{n} steps; `show <name>[h]` shows one"))
    }

    /// Back to the parked model when `name` is one of its steps and not the hand-check's.
    fn unpark_for(&mut self, name: &str) {
        if self.is_hand_check()
            && self.study.trace.get(name).is_none()
            && self
                .parked
                .as_ref()
                .is_some_and(|p| p.trace.get(name).is_some())
        {
            self.unpark();
        }
    }

    fn show(&mut self, a: &Address) -> Result<Outcome, SessionError> {
        self.unpark_for(&a.name);
        // Validate first: nothing changes on error.
        let text = render::address(&self.study.trace, a, &self.render_opts())?;
        let r = check::resolve(&self.study.trace, a)?;
        let (head, cell) = (r.head, r.row.map(|i| (i, r.col.unwrap_or(0))));
        self.set_cursor(&a.name, head, cell)?;
        self.visit(cell.is_some());
        Ok(Outcome::say(text).with_status(format!("showing {}", self.here())))
    }

    fn step_by(&mut self, delta: isize) -> Result<Outcome, SessionError> {
        if self.tour.is_some() {
            return self.tour_step(delta);
        }
        let names: Vec<String> = self.study.trace.names().map(str::to_string).collect();
        let pos = self
            .study
            .trace
            .position(&self.study.cursor.step)
            .unwrap_or(0);
        let next = pos as isize + delta;
        if next < 0 || next as usize >= names.len() {
            let which = if delta > 0 { "last" } else { "first" };
            return Err(SessionError::NotHere(format!(
                "already at the {which} step ({}); `show` lists every step",
                names.get(pos).cloned().unwrap_or_default()
            )));
        }
        self.set_cursor(&names[next as usize], None, None)?;
        self.visit(false);
        let step = self
            .current_step()
            .map(|s| s.formula().to_string())
            .unwrap_or_default();
        Ok(Outcome::say(self.show_current()?).with_status(format!(
            "step {}/{}: {}  {step}",
            next + 1,
            names.len(),
            self.here()
        )))
    }

    fn layer(&mut self, l: usize) -> Result<Outcome, SessionError> {
        self.unpark();
        let cur = self.study.cursor.step.clone();
        let parts: Vec<&str> = cur.split('.').collect();
        // enc.0.attn.weights → enc.{l}.attn.weights; a step outside the layers goes to the
        // first layer step of the first stack.
        let target = match parts.as_slice() {
            [stack @ ("enc" | "dec"), n, rest @ ..] if n.parse::<usize>().is_ok() => {
                format!("{stack}.{l}.{}", rest.join("."))
            }
            _ => {
                let stack = if self
                    .study
                    .trace
                    .get(&format!("enc.{l}.attn.weights"))
                    .is_some()
                {
                    "enc"
                } else {
                    "dec"
                };
                let name = if stack == "enc" { "attn" } else { "self_attn" };
                format!("{stack}.{l}.{name}.weights")
            }
        };
        if self.study.trace.get(&target).is_none() {
            let stack = target.split('.').next().unwrap_or("");
            let count = self
                .study
                .trace
                .names()
                .filter_map(|n| {
                    let mut it = n.split('.');
                    (it.next() == Some(stack))
                        .then(|| it.next().and_then(|x| x.parse::<usize>().ok()))
                        .flatten()
                })
                .max()
                .map_or(0, |m| m + 1);
            return Err(SessionError::NotHere(format!(
                "layer {l} does not exist: the {} stack has layers {}",
                if stack == "enc" { "encoder" } else { "decoder" },
                crate::util::indices_text(count)
            )));
        }
        self.set_cursor(&target, None, None)?;
        self.visit(false);
        Ok(Outcome::say(self.show_current()?).with_status(format!("layer {l}: {}", self.here())))
    }

    fn head(&mut self, h: usize) -> Result<Outcome, SessionError> {
        let step = self.study.cursor.step.clone();
        let s = self.study.trace.step(&step)?;
        let Some(n) = s.heads() else {
            return Err(SessionError::NotHere(format!(
                "{step} has no heads; heads apply to q, k, v, scores, scaled, masked, weights and head_out"
            )));
        };
        if h >= n {
            return Err(TraceError::HeadOutOfRange {
                name: step,
                head: h,
                heads: n,
            }
            .into());
        }
        self.set_cursor(&step, Some(h), None)?;
        self.visit(false);
        Ok(Outcome::say(self.show_current()?)
            .with_status(format!("head {h} of {n}: {}", self.here())))
    }

    fn cell(&mut self, r: usize, c: usize) -> Result<Outcome, SessionError> {
        let step = self.study.cursor.step.clone();
        let head = self.current_head();
        self.set_cursor(&step, head, Some((r, c)))?;
        self.visit(true);
        let v = self
            .study
            .trace
            .value_at(&self.cell_address())
            .map(|v| render::fmt_value(v, self.precision))?;
        let addr = self.cell_address();
        Ok(Outcome::say(format!("{addr} = {v}")))
    }

    fn note(&mut self, text: String) -> Result<Outcome, SessionError> {
        if self.study.visited.is_empty() {
            self.visit(true);
        }
        let here = self.here();
        if let Some(last) = self.study.visited.last_mut() {
            last.note = Some(text);
        }
        if let Some(flag) = self.study.chosen.last_mut() {
            *flag = true;
        }
        self.dirty = true;
        Ok(Outcome::say(format!(
            "note added to {here}; `save <file>` keeps it in the tour"
        )))
    }

    // ----- replay -----------------------------------------------------------------------

    fn tour_step(&mut self, delta: isize) -> Result<Outcome, SessionError> {
        let Some(tour) = &self.tour else {
            return Err(SessionError::NotHere("no tour is being replayed".into()));
        };
        let next = tour.pos as isize + delta;
        if next < 0 {
            return Err(SessionError::NotHere(
                "already at the first stop of the tour".into(),
            ));
        }
        if next as usize >= tour.steps.len() {
            let n = tour.steps.len();
            self.tour = None;
            return Ok(Outcome::say(format!(
                "end of the tour ({n} stops); next/prev walk the pipeline again"
            )));
        }
        if let Some(t) = &mut self.tour {
            t.pos = next as usize;
        }
        self.show_stop()
    }

    fn show_stop(&mut self) -> Result<Outcome, SessionError> {
        let Some(tour) = self.tour.clone() else {
            return Err(SessionError::NotHere("no tour is being replayed".into()));
        };
        let Some(stop) = tour.current() else {
            return Err(SessionError::NotHere("the tour is empty".into()));
        };
        let (name, head) = scn::tour_target(stop).map_err(SessionError::NotHere)?;
        self.set_cursor(&name, head, stop.cell.map(|[r, c]| (r, c)))?;
        let mut text = format!(
            "\n── stop {}/{}: {} ──\n",
            tour.pos + 1,
            tour.steps.len(),
            self.here()
        );
        if let Some(n) = &stop.note {
            text.push_str(n);
            text.push('\n');
        }
        text.push_str(&self.show_current()?);
        let status = format!(
            "tour {}/{}: {}",
            tour.pos + 1,
            tour.steps.len(),
            stop.note.as_deref().unwrap_or(&self.here())
        );
        Ok(Outcome::say(text).with_status(status))
    }

    fn replay(&mut self, path: Option<&Path>) -> Result<Outcome, SessionError> {
        let mut prefix = String::new();
        if let Some(p) = path {
            let out = self.load(p, false)?;
            prefix = format!("{}\n", out.status);
        }
        let steps = match &self.study.subject {
            Subject::Model(m) => m.scenario.steps.clone(),
            Subject::Hand(a) => a.steps.clone(),
        };
        if steps.is_empty() {
            return Err(SessionError::NotHere(
                "this scenario has no guided tour (`steps:`); walk with next/prev instead".into(),
            ));
        }
        self.tour = Some(Tour { steps, pos: 0 });
        match self.show_stop() {
            Ok(mut o) => {
                o.text = format!("{prefix}{}{}", self.intro(), o.text);
                Ok(o)
            }
            Err(e) => {
                self.tour = None;
                Err(e)
            }
        }
    }

    fn intro(&self) -> String {
        let mut s = String::new();
        if !self.title().is_empty() {
            s.push_str(&format!("{}\n", self.title()));
        }
        if !self.description().is_empty() {
            s.push_str(&format!("{}\n", self.description()));
        }
        s.push_str("(Enter or `next` for the next stop, `prev` to go back)\n");
        s
    }

    // ----- reruns -----------------------------------------------------------------------

    fn model_subject(&self) -> Result<&ModelSubject, SessionError> {
        match &self.study.subject {
            Subject::Model(m) => Ok(m),
            Subject::Hand(_) => Err(SessionError::NotHere(
                "this is an attention hand-check (attend / kind: attention): it has no model; `load` a model scenario or `text <sentence>` to go back to the model".into(),
            )),
        }
    }

    /// Leaves a hand-check for the parked model study, when there is one.
    fn unpark(&mut self) {
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
    fn rerun(&mut self, mut scenario: Scenario) -> Result<(Diff, Vec<String>), SessionError> {
        let cur = self.model_subject()?;
        // A trained model's section may leave its sizes to the checkpoint.
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
        .map_err(|e| {
            SessionError::Invalid(
                e.problems
                    .into_iter()
                    .map(|p| ScenarioProblem {
                        path: scn::config_field_path(&p.field),
                        message: format!("= {}: expected {}", p.value, p.allowed),
                    })
                    .collect(),
            )
        })?;
        scn::memory_check(&valid, &input).map_err(|e| {
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
                notes.push(format!(
                    "the trained model {c} does not fit these sizes: the model is now untrained (random weights)"
                ));
            }
            let mut fresh = Transformer::new(valid);
            let mut kept_w = scn::schema::OrderedMap::default();
            for (name, numbers) in scenario.weights.iter() {
                match apply_weight(&mut fresh, name, numbers) {
                    Ok(()) => kept_w.insert(name.to_string(), numbers.clone()),
                    Err(e) => notes.push(format!("dropped the override of {name}: {e}")),
                }
            }
            let mut kept_e = scn::schema::OrderedMap::default();
            for (token, v) in scenario.embeddings.iter() {
                let arr = Array1::from_iter(v.iter().map(|x| *x as f32));
                match fresh.embedding_mut().set_override(token, arr) {
                    Ok(()) => kept_e.insert(token.to_string(), v.clone()),
                    Err(e) => {
                        notes.push(format!("dropped the embedding override of {token:?}: {e}"));
                    }
                }
            }
            scenario.weights = kept_w;
            scenario.embeddings = kept_e;
            model = fresh;
        }
        // Same weights: reuse from the current trace what the change did not touch (the
        // result equals a fresh forward pass bit for bit).
        let trace = if kept_weights {
            model.rerun(&input, &self.study.trace)
        } else {
            model.forward(&input)
        }
        .map_err(|e| {
            if crate::model::cancel::take() {
                SessionError::Cancelled("the rerun".into())
            } else {
                SessionError::NotHere(e.to_string())
            }
        })?;
        crate::model::cancel::begin(crate::model::cancel::Stage::Comparing, 0);
        let diff = Diff::between(&self.study.trace, &trace);
        // A cancellation that came during the comparison still wins: nothing is kept yet.
        if crate::model::cancel::take() {
            return Err(SessionError::Cancelled("the rerun".into()));
        }
        let old = std::mem::replace(&mut self.study.trace, trace);
        self.study.previous = Some(old);
        self.study.subject = Subject::Model(Box::new(ModelSubject {
            scenario,
            model,
            input,
        }));
        self.fix_cursor();
        self.dirty = true;
        Ok((diff, notes))
    }

    /// Keeps the cursor on a step that exists, with head and cell in range.
    fn fix_cursor(&mut self) {
        let t = &self.study.trace;
        let c = self.study.cursor.clone();
        let step = if t.get(&c.step).is_some() {
            c.step
        } else {
            // The same kind of step nearby, else the first weights.
            let tail = c.step.rsplit('.').next().unwrap_or("").to_string();
            t.names()
                .find(|n| n.ends_with(&format!(".{tail}")))
                .map(str::to_string)
                .unwrap_or_else(|| first_cursor(t).step)
        };
        let _ = self.set_cursor(&step, None, None);
    }

    fn rerun_outcome(&mut self, what: &str, scenario: Scenario) -> Result<Outcome, SessionError> {
        let (diff, notes) = self.rerun(scenario)?;
        let summary = diff.summary(self.precision);
        let mut text = format!("{what}: reran; {summary}\n");
        for n in &notes {
            text.push_str(&format!("note: {n}\n"));
        }
        let status = format!("{what}: {summary}");
        Ok(Outcome {
            text,
            status,
            quit: false,
            diff: Some(diff),
        })
    }

    /// Changes the hand-check (its mask or scaling), recomputes it and says what changed.
    fn change_hand(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut AttentionScenario),
    ) -> Result<Outcome, SessionError> {
        let Subject::Hand(a) = &self.study.subject else {
            return Err(SessionError::NotHere("no hand-check is open".into()));
        };
        let mut next = (**a).clone();
        f(&mut next);
        let normal = |x: &AttentionScenario| (x.scale.unwrap_or(true), x.mask.map(|w| w.0));
        if normal(&next) == normal(a) {
            return Ok(Outcome::say(format!(
                "{what}: already so; nothing to recompute"
            )));
        }
        let trace = scn::build_attention(&next).map_err(SessionError::Invalid)?;
        crate::model::cancel::begin(crate::model::cancel::Stage::Comparing, 0);
        let diff = Diff::between(&self.study.trace, &trace);
        let old = std::mem::replace(&mut self.study.trace, trace);
        self.study.previous = Some(old);
        self.study.subject = Subject::Hand(Box::new(next));
        self.fix_cursor();
        self.dirty = true;
        let summary = diff.summary(self.precision);
        Ok(Outcome {
            text: format!("{what}: recomputed; {summary}\n"),
            status: format!("{what}: {summary}"),
            quit: false,
            diff: Some(diff),
        })
    }

    fn change_config(
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
        if c == *cur.model.config() {
            return Ok(Outcome::say(format!(
                "{what}: already so; nothing to rerun"
            )));
        }
        let unmasked_decoder = c.has_decoder() && c.dec_mask == MaskKind::None;
        let mut out = self.rerun_outcome(what, scenario)?;
        if unmasked_decoder {
            out.text.push_str(&format!("{DECODER_UNMASKED}\n"));
            // The warning first: the status line is one line and cuts the end.
            let summary = out.status.strip_prefix(&format!("{what}: ")).unwrap_or("");
            out.status = format!(
                "{what}: warning: the decoder now sees the tokens after each one, which is not how a decoder is trained · {summary}"
            );
        }
        Ok(out)
    }

    fn set_model(&mut self, f: ModelField) -> Result<Outcome, SessionError> {
        let what = format!("set model.{}", field_text(&f));
        self.change_config(&what, |c| match f {
            ModelField::Preset(p) => {
                let sizes = Config::preset(p);
                c.d_model = sizes.d_model;
                c.heads = sizes.heads;
                c.d_ff = sizes.d_ff;
                c.layers = sizes.layers;
                c.embed_scale = sizes.embed_scale;
            }
            ModelField::Arch(a) => c.arch = a,
            ModelField::DModel(v) => c.d_model = v,
            ModelField::Heads(v) => c.heads = v,
            ModelField::DFf(v) => c.d_ff = v,
            ModelField::Layers(v) => {
                c.layers.encoder = v;
                c.layers.decoder = v;
            }
            ModelField::Norm(v) => c.norm = v,
            ModelField::Scale(v) => c.scale = v,
            ModelField::Mask(v) => c.mask = v,
            ModelField::DecMask(v) => c.dec_mask = v,
            ModelField::Positional(v) => c.positional = v,
            ModelField::EmbedScale(v) => c.embed_scale = v,
            ModelField::Seed(v) => c.seed = v,
            ModelField::Eps(v) => c.eps = v,
            ModelField::Tokenizer(v) => c.tokenizer = v,
            ModelField::MaxTokens(v) => c.max_tokens = v,
        })
    }

    fn change_input(
        &mut self,
        text: Option<String>,
        target: Option<String>,
    ) -> Result<Outcome, SessionError> {
        self.unpark();
        let cur = self.model_subject()?;
        let mut scenario = cur.scenario.clone();
        if target.is_some() && cur.model.config().arch != Arch::EncoderDecoder {
            return Err(SessionError::NotHere(format!(
                "target applies to an encoder-decoder model, and this one is {}; `set model.arch encoder-decoder` first",
                cur.model.config().arch
            )));
        }
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
        let mut out = self.rerun_outcome(&what, scenario)?;
        if let Some(i) = self.input() {
            let mut tokens = format!("source: {}", i.source.join(" | "));
            if let Some(t) = &i.target {
                tokens.push_str(&format!("\ntarget: {}", t.join(" | ")));
            }
            out.text = format!("{tokens}\n{}", out.text);
        }
        Ok(out)
    }

    fn set_embed(&mut self, token: String, vector: Vec<f64>) -> Result<Outcome, SessionError> {
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
            return Err(SessionError::NotHere(format!(
                "{token:?} is not a token of the input (tokens: {})",
                list.join(", ")
            )));
        }
        scn::number_rule(vector.iter().copied()).map_err(SessionError::NotHere)?;
        let d = cur.model.config().d_model;
        if vector.len() != d {
            return Err(SessionError::NotHere(format!(
                "the vector of {token:?} has {} values: expected d_model = {d}",
                vector.len()
            )));
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

    fn set_weight(&mut self, name: String, rows: Rows) -> Result<Outcome, SessionError> {
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
    fn rerun_with_model(
        &mut self,
        model: Transformer,
        what: &str,
        scenario: Scenario,
    ) -> Result<Outcome, SessionError> {
        let old = match &mut self.study.subject {
            Subject::Model(m) => Some(std::mem::replace(&mut m.model, model)),
            Subject::Hand(_) => None,
        };
        let r = self.rerun_outcome(what, scenario);
        if r.is_err()
            && let (Some(old), Subject::Model(m)) = (old, &mut self.study.subject)
        {
            m.model = old;
        }
        r
    }

    fn diff(&self) -> Outcome {
        let Some(prev) = &self.study.previous else {
            return Outcome::say(
                "nothing to compare yet: diff shows what the last rerun (text, toggles, set) changed",
            );
        };
        let d = Diff::between(prev, &self.study.trace);
        let mut text = format!("since the previous run: {}\n", d.summary(self.precision));
        let w = self.study.trace.names().map(str::len).max().unwrap_or(10);
        for (n, x) in &d.changed {
            if *x == 0.0 {
                text.push_str(&format!("  {n:w$}  unchanged\n"));
            } else {
                text.push_str(&format!(
                    "  {n:w$}  max |Δ| {}\n",
                    change_text(*x, self.precision)
                ));
            }
        }
        for n in &d.reshaped {
            text.push_str(&format!("  {n:w$}  shape changed\n"));
        }
        for n in &d.added {
            text.push_str(&format!("  {n:w$}  new\n"));
        }
        for n in &d.removed {
            text.push_str(&format!("  {n:w$}  gone\n"));
        }
        Outcome::say(text).with_status(format!("diff: {}", d.summary(self.precision)))
    }

    // ----- hand-check --------------------------------------------------------------------

    fn attend(&mut self, a: AttendArgs) -> Result<Outcome, SessionError> {
        let scenario = AttentionScenario {
            version: VERSION,
            kind: Kind::Attention,
            title: "Hand-check from `attend`".into(),
            description:
                "Recorded by qkv from an attend command; the expected values were computed by qkv."
                    .into(),
            q: a.q,
            k: a.k,
            v: a.v,
            mask: a.causal.then_some(Word(MaskKind::Causal)),
            scale: Some(a.scale),
            steps: Vec::new(),
            expect: None,
            practice: Vec::new(),
        };
        let trace = scn::build_attention(&scenario).map_err(SessionError::Invalid)?;
        let mut text = String::new();
        let opts = self.render_opts();
        for name in ["scores", "scaled", "masked", "weights", "output"] {
            if name == "masked" && !a.causal {
                continue;
            }
            text.push_str(&render::address(&trace, &Address::parse(name)?, &opts)?);
            if let Ok(step) = trace.step(name) {
                let (rows, cols) = step.dims();
                for i in 0..rows.min(4) {
                    for j in 0..cols.min(6) {
                        let addr = Address {
                            name: name.to_string(),
                            indices: vec![i, j],
                        };
                        if let Ok(e) =
                            crate::explain::explain(None, &trace, &addr, &self.explain_opts())
                        {
                            text.push_str(&format!(
                                "  {}\n",
                                e.to_text().lines().collect::<Vec<_>>().join("\n    ")
                            ));
                        }
                    }
                }
            }
            text.push('\n');
        }
        let study = Study::new(Subject::Hand(Box::new(scenario)), trace);
        let old = std::mem::replace(&mut self.study, study);
        if matches!(old.subject, Subject::Model(_)) {
            self.parked = Some(old);
        }
        self.set_cursor("scores", None, Some((0, 0)))?;
        self.tour = None;
        self.dirty = true;
        Ok(Outcome::say(text).with_status("attend: scores, scaled, weights and output computed; `explain weights[0][0]` for a cell"))
    }

    fn explain_opts(&self) -> crate::explain::ExplainOptions {
        crate::explain::ExplainOptions {
            precision: self.precision,
            ..crate::explain::ExplainOptions::default()
        }
    }

    /// The explanation of `address` (or of the selected cell).
    pub fn explanation(
        &self,
        address: Option<&Address>,
    ) -> Result<crate::explain::Explanation, SessionError> {
        let addr = address.cloned().unwrap_or_else(|| self.cell_address());
        crate::explain::explain(self.model(), &self.study.trace, &addr, &self.explain_opts())
            .map_err(|e| SessionError::Explain(e.to_string()))
    }

    fn explain(&mut self, a: Option<Address>) -> Result<Outcome, SessionError> {
        if let Some(a) = &a {
            self.unpark_for(&a.name);
        }
        let e = self.explanation(a.as_ref())?;
        let text = e.to_text();
        if let Some(a) = a {
            // Explaining a cell also moves there.
            let r = check::resolve(&self.study.trace, &a)?;
            if let (Some(i), Some(j)) = (r.row, r.col) {
                self.set_cursor(&a.name, r.head, Some((i, j)))?;
                self.visit(true);
            }
        }
        Ok(Outcome::say(text))
    }

    // ----- practice ---------------------------------------------------------------------

    /// The practice questions being asked.
    pub fn practice(&self) -> Option<&PracticeRun> {
        self.practice.as_ref()
    }

    /// The practice score of the whole session.
    pub fn score(&self) -> practice::Score {
        self.score
    }

    /// The last practice answer graded.
    pub fn last_grading(&self) -> Option<&practice::Grading> {
        self.last_grading.as_ref()
    }

    /// The scenario's practice items.
    fn scenario_practice(&self) -> Vec<practice::Item> {
        let specs = match &self.study.subject {
            Subject::Model(m) => &m.scenario.practice,
            Subject::Hand(a) => &a.practice,
        };
        specs
            .iter()
            .filter_map(|p| {
                Some(practice::Item {
                    address: Address::parse(&p.at).ok()?,
                    hint: p.hint.clone(),
                    tolerance: p.tolerance.unwrap_or(practice::DEFAULT_TOLERANCE),
                })
            })
            .collect()
    }

    fn question_text(&self, run: &PracticeRun) -> Result<String, SessionError> {
        let Some(item) = run.current() else {
            return Ok(String::new());
        };
        let q = practice::question(self.model(), &self.study.trace, item, self.precision)
            .map_err(|e| SessionError::NotHere(e.to_string()))?;
        Ok(format!(
            "question {} of {}: {q}",
            run.pos + 1,
            run.items.len()
        ))
    }

    fn start_practice(&mut self, a: Option<Address>) -> Result<Outcome, SessionError> {
        let items = match a {
            Some(a) => {
                practice::target(&self.study.trace, &a)
                    .map_err(|e| SessionError::NotHere(e.to_string()))?;
                vec![practice::Item::new(a)]
            }
            None => {
                let own = self.scenario_practice();
                if own.is_empty() {
                    let step = self.current_step().ok_or_else(|| {
                        SessionError::NotHere("no step is selected to practise on".into())
                    })?;
                    let cell = practice::random_cell(step, self.current_head(), self.draws);
                    self.draws += 1;
                    vec![practice::Item::new(cell)]
                } else {
                    own
                }
            }
        };
        // Every item must fit the trace now (the sentence may have changed).
        for it in &items {
            practice::target(&self.study.trace, &it.address).map_err(|e| {
                SessionError::NotHere(format!(
                    "practice question {} does not fit this trace: {e}",
                    it.address
                ))
            })?;
        }
        let run = PracticeRun {
            items,
            pos: 0,
            score: practice::Score::default(),
        };
        let text = self.question_text(&run)?;
        let n = run.items.len();
        self.focus_item(&run);
        self.practice = Some(run);
        self.last_grading = None;
        Ok(Outcome::say(text).with_status(format!(
            "practice: {} — type your answer (Esc leaves)",
            plural(n, "question")
        )))
    }

    /// Moves the cursor to the open question's row (its first asked cell).
    fn focus_item(&mut self, run: &PracticeRun) {
        if let Some(item) = run.current()
            && let Ok(t) = practice::target(&self.study.trace, &item.address)
            && let Some(&j) = t.cols.first()
        {
            let _ = self.set_cursor(&t.step, t.head, Some((t.row, j)));
        }
    }

    fn stop_practice(&mut self) -> Result<Outcome, SessionError> {
        match self.practice.take() {
            Some(run) => Ok(Outcome::say(format!(
                "practice ended after {} of {}: this practice {}, session score {}",
                run.pos,
                plural(run.items.len(), "question"),
                run.score,
                self.score
            ))),
            None => Err(SessionError::NotHere(
                "no practice is open: `practice` starts one".into(),
            )),
        }
    }

    fn answer(&mut self, answers: &[f64]) -> Result<Outcome, SessionError> {
        let Some(run) = &self.practice else {
            return Err(SessionError::NotHere(
                "no practice question is open: `practice` asks one".into(),
            ));
        };
        let Some(item) = run.current() else {
            return Err(SessionError::NotHere("the practice is over".into()));
        };
        let g = practice::grade(
            self.model(),
            &self.study.trace,
            item,
            answers,
            &self.explain_opts(),
        )
        .map_err(|e| SessionError::NotHere(e.to_string()))?;
        let mut run = run.clone();
        run.score.add(&g);
        self.score.add(&g);
        let mut text = format!(
            "{}\n{}",
            if g.right() == g.asked() {
                "right"
            } else {
                "wrong"
            },
            g.to_text(self.precision)
        );
        let status = format!(
            "{} — {} of {} right · score {}",
            if g.right() == g.asked() {
                "right"
            } else {
                "wrong"
            },
            g.right(),
            g.asked(),
            self.score
        );
        self.last_grading = Some(g);
        run.pos += 1;
        if run.current().is_some() {
            text.push('\n');
            text.push_str(&self.question_text(&run)?);
            self.focus_item(&run);
            self.practice = Some(run);
        } else {
            text.push_str(&format!(
                "practice done: {} right of {} (session score {})\n",
                run.score.right, run.score.asked, self.score
            ));
            self.practice = None;
        }
        Ok(Outcome::say(text).with_status(status))
    }

    // ----- files ------------------------------------------------------------------------

    /// The tour to save: the scenario's own stops that still fit the trace (none when the
    /// sentence changed: their notes would talk about other words), then the stops chosen in
    /// this session (cells selected, explained, noted) that are not already there.
    fn tour_to_save(&self, own: &[TourStep], notes: &mut Vec<String>) -> Vec<TourStep> {
        let mut tour: Vec<TourStep> = Vec::new();
        if self.study.input_changed() {
            if !own.is_empty() {
                notes.push(format!(
                    "left out the scenario's {}: they were written for the old sentence",
                    plural(own.len(), "tour stop")
                ));
            }
        } else {
            let fitting: Vec<TourStep> = own
                .iter()
                .filter(|t| scn::tour_stop_fits(&self.study.trace, t))
                .cloned()
                .collect();
            if fitting.len() < own.len() {
                notes.push(format!(
                    "left out {} that no longer fit the model",
                    plural(own.len() - fitting.len(), "tour stop")
                ));
            }
            tour = fitting;
        }
        // Only the stops chosen on purpose (a cell selected, explained or noted), in order,
        // each once: walking with next/prev passes steps without choosing them.
        for (stop, _) in self
            .study
            .visited
            .iter()
            .zip(&self.study.chosen)
            .filter(|(_, chosen)| **chosen)
        {
            let same =
                |t: &TourStep| t.show == stop.show && t.head == stop.head && t.cell == stop.cell;
            match tour.iter_mut().find(|t| same(t)) {
                Some(t) if stop.note.is_some() => t.note.clone_from(&stop.note),
                Some(_) => {}
                None => tour.push(stop.clone()),
            }
        }
        tour
    }

    /// The practice items that still fit the trace (a changed sentence may leave a row out).
    fn practice_to_save(
        &self,
        own: &[crate::scenario::schema::PracticeSpec],
        notes: &mut Vec<String>,
    ) -> Vec<crate::scenario::schema::PracticeSpec> {
        let kept: Vec<_> = own
            .iter()
            .filter(|p| {
                Address::parse(&p.at).is_ok_and(|a| practice::target(&self.study.trace, &a).is_ok())
            })
            .cloned()
            .collect();
        if kept.len() < own.len() {
            notes.push(format!(
                "left out {} that no longer fit the trace",
                plural(own.len() - kept.len(), "practice question")
            ));
        }
        kept
    }

    /// The session as a scenario file: the model (or hand-check), the tour (the scenario's
    /// own stops that still fit, then the stops visited here), the loaded expectations that
    /// still hold, and the values of the cells chosen on purpose; notes say what was left out.
    pub fn to_file(&self) -> (ScenarioFile, Vec<String>) {
        let mut notes = Vec::new();
        match &self.study.subject {
            Subject::Model(m) => {
                let mut s = m.scenario.clone();
                s.steps = self.tour_to_save(&m.scenario.steps, &mut notes);
                if m.model.config().arch != Arch::EncoderDecoder && s.input.target.take().is_some()
                {
                    notes.push(
                        "left out the target sentence: only an encoder-decoder model reads it"
                            .into(),
                    );
                }
                // Embedding overrides of tokens no longer in the input would not load.
                let tokens: Vec<&String> = m
                    .input
                    .source
                    .iter()
                    .chain(m.input.target.iter().flatten())
                    .collect();
                let before = s.embeddings.0.len();
                s.embeddings.0.retain(|(t, _)| tokens.contains(&t));
                if s.embeddings.0.len() < before {
                    notes.push(format!(
                        "left out {} embedding override(s) of tokens no longer in the input",
                        before - s.embeddings.0.len()
                    ));
                }
                s.practice = self.practice_to_save(&s.practice, &mut notes);
                let report = check::check_model(&self.study.trace, &s);
                let before = s.expect.len();
                s.expect = s
                    .expect
                    .iter()
                    .zip(&report.results)
                    .filter(|(_, r)| r.passed)
                    .map(|(e, _)| e.clone())
                    .collect();
                if s.expect.len() < before {
                    notes.push(format!(
                        "left out {} expectation(s) that no longer hold for this model",
                        before - s.expect.len()
                    ));
                }
                for (stop, chosen) in self.study.visited.iter().zip(&self.study.chosen) {
                    if !chosen {
                        continue;
                    }
                    if let Some(e) = recorded_expectation(&self.study.trace, stop)
                        && !s.expect.iter().any(|x| x.at == e.at)
                    {
                        s.expect.push(e);
                    }
                }
                if self.study.input_changed() || s.title.is_empty() {
                    let was = if s.title.is_empty() {
                        String::new()
                    } else {
                        format!(" (from “{}”)", s.title)
                    };
                    s.title = format!("Session on {}{was}", s.input.text);
                    // A description of this sentence stays; a new sentence gets a new one.
                    if self.study.input_changed() || s.description.is_empty() {
                        s.description = "Saved from a qkv session. The expected values at the cells chosen in it were computed by qkv.".into();
                    }
                }
                (ScenarioFile::Model(s), notes)
            }
            Subject::Hand(a) => {
                let mut a = (**a).clone();
                a.steps = self.tour_to_save(&a.steps, &mut notes);
                a.practice = self.practice_to_save(&a.practice, &mut notes);
                if a.expect.is_some() && check::check_attention(&self.study.trace, &a).failed() > 0
                {
                    notes.push(
                        "the hand-check's expected matrices no longer hold (scaling or mask changed): saved the values computed now".into(),
                    );
                    a.expect = None;
                }
                if a.expect.is_none() {
                    let rows = |n: &str| -> Option<Vec<Vec<f64>>> {
                        let m = self.study.trace.get(n)?.matrix(None).ok()?;
                        Some(
                            m.rows()
                                .into_iter()
                                .map(|r| r.iter().map(|x| f64_of(*x)).collect())
                                .collect(),
                        )
                    };
                    let causal = a.mask.map(|w| w.0) == Some(MaskKind::Causal);
                    a.expect = Some(AttentionExpect {
                        scores: rows("scores"),
                        scaled: rows("scaled"),
                        masked: if causal { rows("masked") } else { None },
                        weights: rows("weights"),
                        output: rows("output"),
                        tolerance: Some(1e-5),
                    });
                }
                (ScenarioFile::Attention(a), notes)
            }
        }
    }

    fn save(&mut self, path: &Path, force: bool) -> Result<Outcome, SessionError> {
        let (mut file, notes) = self.to_file();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        if let ScenarioFile::Model(s) = &mut file
            && let Some(c) = &s.model.checkpoint
        {
            // The checkpoint stays the same file: its path is made relative to the new
            // scenario's directory (absolute when it is not below it).
            s.model.checkpoint = Some(scn::rebase_checkpoint(c, s.base_dir.as_deref(), &dir));
            s.base_dir.0 = Some(dir.clone());
        }
        let text = io::to_yaml(&file)?;
        // Never write a file that would not load back.
        if let Err(e) = io::parse_and_build_in(&text, &path.display().to_string(), Some(&dir)) {
            return Err(SessionError::NotHere(format!(
                "nothing was written: the scenario would not load back ({})",
                e.to_string().replace('\n', "; ")
            )));
        }
        let over_loaded = self
            .file
            .as_ref()
            .is_some_and(|(p, _)| io::same_file(p, path));
        if over_loaded && self.file_comments && !force {
            return Err(SessionError::NotHere(format!(
                "{} has comments (hand arithmetic, notes) that saving would drop, since qkv writes its own layout: save under another name, or `save! {}` to overwrite",
                path.display(),
                path.display()
            )));
        }
        let guard = SaveGuard {
            loaded: self.file.clone(),
            force,
        };
        io::save_text(&text, path, &guard)?;
        self.file = Some((path.to_path_buf(), io::fingerprint(text.as_bytes())));
        self.file_comments = false;
        self.dirty = false;
        // The session is now the saved scenario: its tour (replayed by `replay`), its title
        // and expectations; the stops recorded so far are in it.
        match (&mut self.study.subject, &file) {
            (Subject::Model(m), ScenarioFile::Model(saved)) => {
                m.scenario = saved.clone();
                self.study.started_on = Some(saved.input.clone());
            }
            (Subject::Hand(a), ScenarioFile::Attention(saved)) => **a = saved.clone(),
            _ => {}
        }
        self.study.visited.clear();
        self.study.chosen.clear();
        let stops = file.steps().len();
        let checks = match &file {
            ScenarioFile::Model(s) => s.expect.len(),
            ScenarioFile::Attention(a) => a.expect.as_ref().map_or(0, |e| e.matrices().len()),
        };
        let mut out = format!(
            "saved {} ({}, {}); `qkv check {}` verifies it",
            path.display(),
            plural(stops, "tour stop"),
            plural(checks, "expectation"),
            path.display()
        );
        for n in notes {
            out.push_str(&format!("\nnote: {n}"));
        }
        Ok(Outcome::say(out))
    }

    fn load(&mut self, path: &Path, force: bool) -> Result<Outcome, SessionError> {
        if self.dirty && !force {
            return Err(SessionError::NotHere(format!(
                "unsaved changes would be lost: `save <file>` keeps them, `load! {}` discards them",
                path.display()
            )));
        }
        let loaded = io::load(path)?;
        let fresh = Session::from_runnable(loaded.file, loaded.runnable);
        let hand = fresh.is_hand_check();
        let old = std::mem::replace(&mut self.study, fresh.study);
        if hand && matches!(old.subject, Subject::Model(_)) {
            self.parked = Some(old);
        } else {
            self.parked = None;
        }
        self.file = Some((loaded.path, loaded.fingerprint));
        self.file_comments = loaded.has_comments;
        self.tour = None;
        self.dirty = false;
        let title = if self.title().is_empty() {
            String::new()
        } else {
            format!(": {}", self.title())
        };
        let n = self.study.trace.steps().len();
        Ok(Outcome::say(format!(
            "loaded {}{title} ({n} steps)",
            path.display()
        )))
    }

    fn check(&self) -> Outcome {
        let report: CheckReport = match &self.study.subject {
            Subject::Model(m) => check::check_model(&self.study.trace, &m.scenario),
            Subject::Hand(a) => check::check_attention(&self.study.trace, a.as_ref()),
        };
        if report.results.is_empty() {
            return Outcome::say(
                "this scenario has no expectations (`expect:`); `save` records the values of the cells you visit",
            );
        }
        let mut text = String::new();
        for r in &report.results {
            text.push_str(&r.line());
            text.push('\n');
        }
        let summary = format!("{} passed, {} failed", report.passed(), report.failed());
        text.push_str(&summary);
        text.push('\n');
        Outcome::say(text).with_status(format!("check: {summary}"))
    }

    fn export(&mut self, path: &Path, force: bool) -> Result<Outcome, SessionError> {
        self.unpark();
        let Some(model) = self.model() else {
            return Err(SessionError::NotHere(
                "an attention hand-check has no model to export; `show` prints its steps".into(),
            ));
        };
        let format = export::Format::from_path(path)?;
        let predicted = export::predicted_bytes(model, &self.study.trace, format);
        if predicted > export::LARGE_EXPORT_BYTES && !force {
            return Err(SessionError::NotHere(format!(
                "{} would be about {} MB; nothing was written: `export! {}` writes it{}",
                path.display(),
                predicted / 1_000_000,
                path.display(),
                if format == export::Format::Json {
                    " (a .npz is about 5 times smaller)"
                } else {
                    ""
                }
            )));
        }
        let f = export::write(model, &self.study.trace, path)?;
        Ok(Outcome::say(format!(
            "wrote {} ({f}: {} steps, {} weights + embed.E)",
            path.display(),
            self.study.trace.steps().len(),
            model.weights().len()
        )))
    }

    fn params(&mut self) -> Result<Outcome, SessionError> {
        self.unpark();
        let m = self.model_subject()?;
        let vocab = self.study.trace.tokens().vocab.len() as u64;
        let r = crate::model::params::count(m.model.config(), vocab);
        let mut text = format!("parameters (vocabulary of this session: {vocab} tokens):\n");
        for row in &r.rows {
            text.push_str(&format!(
                "  {:>12}  {}\n  {:>12}    = {} = {}\n",
                row.count, row.component, "", row.formula, row.arithmetic
            ));
        }
        text.push_str(&format!("  {:>12}  total\n", r.total));
        Ok(Outcome::say(text).with_status(format!("{} parameters", r.total)))
    }

    fn quit(&mut self, force: bool) -> Outcome {
        if self.dirty && !force && !self.quit_armed {
            self.quit_armed = true;
            return Outcome::say(
                "unsaved changes: `save <file>` keeps them; `quit` again (or quit!) leaves without saving",
            );
        }
        Outcome {
            text: String::new(),
            status: "bye".into(),
            quit: true,
            diff: None,
        }
    }
}

/// A change as printed; an infinite change means a cell became (or stopped being) ±∞.
fn change_text(x: f32, precision: usize) -> String {
    if x.is_infinite() {
        "∞ (cells became or stopped being −∞)".to_string()
    } else {
        render::fmt_value(x, precision)
    }
}

/// An f32 as the f64 with the same shortest decimal form (0.1f32 → 0.1, not 0.10000000149).
fn f64_of(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

/// `1 tour stop`, `3 tour stops`.
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn field_text(f: &ModelField) -> String {
    match f {
        ModelField::Preset(v) => format!("preset {v}"),
        ModelField::Arch(v) => format!("arch {v}"),
        ModelField::DModel(v) => format!("d_model {v}"),
        ModelField::Heads(v) => format!("heads {v}"),
        ModelField::DFf(v) => format!("d_ff {v}"),
        ModelField::Layers(v) => format!("layers {v}"),
        ModelField::Norm(v) => format!("norm {v}"),
        ModelField::Scale(v) => format!("scale {}", on_off(*v)),
        ModelField::Mask(v) => format!("mask {v}"),
        ModelField::DecMask(v) => format!("dec_mask {v}"),
        ModelField::Positional(v) => format!("positional {v}"),
        ModelField::EmbedScale(v) => format!("embed_scale {}", on_off(*v)),
        ModelField::Seed(v) => format!("seed {v}"),
        ModelField::Eps(v) => format!("eps {v}"),
        ModelField::Tokenizer(v) => format!("tokenizer {v}"),
        ModelField::MaxTokens(v) => format!("max_tokens {v}"),
    }
}

fn apply_weight(model: &mut Transformer, name: &str, numbers: &Numbers) -> Result<(), WeightError> {
    let param = match scn::param_of(numbers) {
        Ok(p) => p,
        Err(_) => {
            let got = match numbers {
                Numbers::Matrix(rows) => vec![rows.len(), rows.first().map_or(0, Vec::len)],
                Numbers::Vector(v) => vec![v.len()],
            };
            let expected = model.weights().lookup(name)?.shape();
            return Err(WeightError::Shape {
                name: name.to_string(),
                expected,
                got,
            });
        }
    };
    model.weights_mut().set(name, param).map(|_| ())
}

/// `{at: name[h][i][j], value: v}` for a visited stop with a cell.
fn recorded_expectation(trace: &Trace, stop: &TourStep) -> Option<Expectation> {
    let (name, head) = scn::tour_target(stop).ok()?;
    let [r, c] = stop.cell?;
    let step = trace.get(&name)?;
    let mut idx: Vec<usize> = step
        .heads()
        .map(|_| head.unwrap_or(0))
        .into_iter()
        .collect();
    idx.extend([r, c]);
    let v = step.value(&idx).ok()?;
    if v.is_nan() {
        return None;
    }
    let at = Address { name, indices: idx }.to_string();
    Some(Expectation {
        at,
        value: Some(f64_of(v)),
        tolerance: Some(1e-5),
        ..Expectation::default()
    })
}

fn empty_hand() -> AttentionScenario {
    AttentionScenario {
        version: VERSION,
        kind: Kind::Attention,
        title: String::new(),
        description: String::new(),
        q: Vec::new(),
        k: Vec::new(),
        v: Vec::new(),
        mask: None,
        scale: None,
        steps: Vec::new(),
        expect: None,
        practice: Vec::new(),
    }
}
