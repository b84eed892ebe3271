//! The study session both front ends share: the scenario, the model, the current trace and
//! the cursor. [`Session::apply`] is the only way its state changes.

use std::path::{Path, PathBuf};

use ndarray::Array1;
use thiserror::Error;

use crate::command::{
    AttendArgs, Command, ParseError, Rows, Setting, ShowOptions, Switch, help_in,
};
use crate::export::{self, ExportError};
use crate::i18n::session::SessionMsg;
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
use crate::trace::{Address, Step, StepKind, Trace, TraceError};

mod decoding;
mod diff;
mod exploring;
mod files;
mod hand;
mod learning;
mod navigation;
mod output;
mod practising;
mod replay;
mod reruns;
mod state;
pub use decoding::DecodeState;
pub use diff::Diff;
pub use learning::{
    BUILT_IN_CORPUS, BUILT_IN_CORPUS_NAME, HELD_OUT_EVERY, Learning, PROBE, SNAPSHOT_EVERY,
    Snapshot, TOP_K as DECODE_TOP_K, TrainedHere, Training,
};

/// The scenario `qkv` opens with (also embedded so it works from any directory): the
/// article's sentence on the shipped trained model.
pub const DEFAULT_SCENARIO: &str = include_str!("../../../scenarios/default.yaml");

/// The same sentence on the untrained tiny model (random weights, seed 42).
pub const UNTRAINED_SCENARIO: &str = include_str!("../../../scenarios/untrained.yaml");

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

impl SessionError {
    /// The message in `lang`. The session makes its own messages in its language already
    /// ([`Session::set_lang`]: `NotHere`, `Explain`); this translates the command parser's
    /// errors and those of the trace, the weights and the files (`i18n/errors/`). A
    /// scenario's problems keep their English detail after a Korean heading.
    pub fn text_in(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::errors::ErrorMsg;
        match self {
            SessionError::Parse(e) => crate::i18n::command::parse_error_text(e, lang),
            SessionError::Trace(e) => e.text_in(lang),
            SessionError::Load(e) => e.text_in(lang),
            SessionError::Save(e) => e.text_in(lang),
            SessionError::Export(e) => e.text_in(lang),
            SessionError::Plot(e) => e.text_in(lang),
            SessionError::Weight(e) => e.text_in(lang),
            SessionError::Invalid(p) => ErrorMsg::Invalid {
                problems: p
                    .iter()
                    .map(|p| {
                        (lang == crate::i18n::Lang::Ko)
                            .then(|| crate::i18n::errors::scenario_problem_ko(p))
                            .flatten()
                            .unwrap_or_else(|| p.to_string())
                    })
                    .collect(),
            }
            .text(lang),
            SessionError::Cancelled(what) if what == "the rerun" || what == "the command" => {
                ErrorMsg::Cancelled {
                    rerun: what == "the rerun",
                }
                .text(lang)
            }
            e => e.to_string(),
        }
    }
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
    /// The session's trace is another one than before the command (a rerun, a load, a new
    /// hand-check): a front end rebuilds what it derived from the old one.
    pub trace_changed: bool,
    /// What the command asked to see is now under the cursor (a step, head, cell, tour
    /// stop): the panes show it, so a front end with panes need not print `text` too.
    pub shows_itself: bool,
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

/// A Hugging Face Marian model being studied (`--hf DIR`, `model.hf`): its weights are
/// read-only, its settings are its `config.json`'s; a new sentence reruns it.
#[derive(Debug, Clone)]
struct RealSubject {
    scenario: Scenario,
    run: crate::hf::Run,
}

/// What the session is about: one of qkv's models, a real (Hugging Face) model, or an
/// attention hand-check.
#[derive(Debug, Clone)]
enum Subject {
    Model(Box<ModelSubject>),
    Real(Box<RealSubject>),
    Hand(Box<AttentionScenario>),
}

impl Subject {
    /// The scenario of a model study (qkv's model or a real one).
    fn scenario(&self) -> Option<&Scenario> {
        match self {
            Subject::Model(m) => Some(&m.scenario),
            Subject::Real(r) => Some(&r.scenario),
            Subject::Hand(_) => None,
        }
    }
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
    /// The study before `model load DIR` opened a Hugging Face model (`model load` alone
    /// goes back to it).
    before_model: Option<Box<Study>>,
    file: Option<(PathBuf, u64)>,
    /// The loaded file has YAML comments (which saving over it would drop).
    file_comments: bool,
    tour: Option<Tour>,
    precision: usize,
    /// `show <step> --top K`: the step whose rows the workbench lists as their `K` largest
    /// values, and `K`.
    top_view: Option<(String, usize)>,
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
    /// The language of what the session says (set by the front end; never saved).
    lang: crate::i18n::Lang,
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
        .steps()
        .iter()
        .find(|s| s.kind() == StepKind::Weights)
        .map(Step::name)
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
            Subject::Real(r) => Some(r.scenario.input.clone()),
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
            (Subject::Real(r), Some(start)) => r.scenario.input != *start,
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
            (ScenarioFile::Model(scenario), Runnable::Real(r)) => {
                let trace = r.trace.clone();
                Study::new(
                    Subject::Real(Box::new(RealSubject { scenario, run: *r })),
                    trace,
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
            before_model: None,
            file: None,
            file_comments: false,
            tour: None,
            precision: 4,
            top_view: None,
            dirty: false,
            quit_armed: false,
            learning: Learning::default(),
            practice: None,
            score: practice::Score::default(),
            last_grading: None,
            draws: 0,
            lang: crate::i18n::Lang::En,
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

    /// A session on the Hugging Face Marian model directory `dir` (`--hf DIR`) with the
    /// sentence `text` and, for the decoder, the reference `target`.
    pub fn open_hf(dir: &Path, text: &str, target: Option<&str>) -> Result<Session, SessionError> {
        if !dir.exists() {
            return Err(SessionError::Load(LoadError::NoHfModel {
                origin: "--hf".into(),
                dir: dir.to_path_buf(),
            }));
        }
        let scenario = real_scenario(dir, text, target);
        let run = scn::build_real(&scenario).map_err(SessionError::Invalid)?;
        Ok(Session::from_runnable(
            ScenarioFile::Model(scenario),
            Runnable::Real(Box::new(run)),
        ))
    }

    /// A session on the scenario at `path`, remembered so that saving back is allowed.
    pub fn open(path: &Path) -> Result<Session, SessionError> {
        let loaded = io::load(path)?;
        let mut s = Session::from_runnable(loaded.file, loaded.runnable);
        s.file = Some((loaded.path, loaded.fingerprint));
        s.file_comments = loaded.has_comments;
        Ok(s)
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
        let trace_before = self.study.trace.id();
        let shows_itself = matches!(
            cmd,
            Command::Show(Some(_), _)
                | Command::Explain(_)
                | Command::Layer(_)
                | Command::Head(_)
                | Command::Cell(..)
                | Command::Next
                | Command::Prev
                | Command::Replay(_)
        );
        match self.apply_command(cmd) {
            Err(e) if !matches!(e, SessionError::Cancelled(_)) && self.control().take() => {
                Err(SessionError::Cancelled("the command".into()))
            }
            Ok(mut o) => {
                o.trace_changed = self.study.trace.id() != trace_before;
                o.shows_itself = shows_itself;
                Ok(o)
            }
            r => r,
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per command: the session's dispatch as one table."
    )]
    fn apply_command(&mut self, cmd: Command) -> Result<Outcome, SessionError> {
        if !matches!(cmd, Command::Quit { .. }) {
            self.quit_armed = false;
        }
        match cmd {
            Command::Text(t) => self.change_input(Some(t), None),
            Command::Target(t) => self.change_input(None, Some(t)),
            Command::Show(None, _) => Ok(self.list_steps()),
            Command::Show(Some(a), _) if a.name.starts_with("grad.") => {
                self.apply_learning(crate::command::LearnCommand::Grad(Some(a)))
            }
            Command::Show(Some(a), o) => self.show(&a, o),
            Command::Explain(Some(a)) if a.name.starts_with("grad.") => self.explain_gradient(a),
            Command::Explain(a) => self.explain(a),
            Command::Layer(l) => self.layer(l),
            Command::Head(h) => self.head(h),
            Command::Cell(r, c) => self.cell(r, c),
            Command::Next => self.step_by(1),
            Command::Prev => self.step_by(-1),
            Command::Mask(m) if self.is_hand_check() => {
                self.change_hand(&Command::Mask(m).to_string(), |a| {
                    a.mask = (m == MaskKind::Causal).then_some(Word(MaskKind::Causal));
                })
            }
            Command::Scale(s) if self.is_hand_check() => {
                self.change_hand(&Command::Scale(s).to_string(), |a| {
                    a.scale = Some(s == Switch::On);
                })
            }
            Command::Mask(m) => {
                let decoder_only = self.config().is_some_and(|c| c.arch == Arch::Decoder);
                self.change_config(&Command::Mask(m).to_string(), |c| {
                    if decoder_only {
                        c.dec_mask = m;
                    } else {
                        c.mask = m;
                    }
                })
            }
            Command::Scale(s) => self.change_config(&Command::Scale(s).to_string(), |c| {
                c.scale = s == Switch::On;
            }),
            Command::Pe(s) => self.change_config(&Command::Pe(s).to_string(), |c| {
                c.positional = if s == Switch::On {
                    Positional::Sinusoidal
                } else {
                    Positional::None
                }
            }),
            Command::Norm(n) => self.change_config(&Command::Norm(n).to_string(), |c| c.norm = n),
            Command::Toggle(s) => self.apply_command(self.toggled(s)?),
            Command::SetModel(f) => self.set_model(f),
            Command::SetEmbed { token, vector } => self.set_embed(token, vector),
            Command::SetWeight { name, rows } => self.set_weight(name, rows),
            Command::SetPrecision(p) => {
                self.precision = p;
                Ok(Outcome::say(self.t(SessionMsg::Precision(p))))
            }
            Command::Attend(a) => self.attend(a),
            Command::Diff => Ok(self.diff()),
            Command::Save { path, force } => self.save(&path, force),
            Command::Load { path, force } => self.load(&path, force),
            Command::ModelLoad(dir) => self.model_load(dir.as_deref()),
            Command::Replay(p) => self.replay(p.as_deref()),
            Command::StopReplay => match self.tour.take() {
                Some(t) => Ok(Outcome::say(self.t(SessionMsg::TourEnded {
                    pos: t.pos + 1,
                    n: t.steps.len(),
                }))),
                None => Err(SessionError::NotHere(self.t(SessionMsg::NoTour))),
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
            Command::Help(t) => Ok(Outcome::say(help_in(t.as_deref(), self.lang)?)),
            Command::Practice(a) => self.start_practice(a),
            Command::StopPractice => self.stop_practice(),
            Command::Answer(v) => self.answer(&v),
            Command::Learn(c) => self.apply_learning(c),
            Command::Explore(e) => self.explore(e),
            Command::Quit { force } => Ok(self.quit(force)),
        }
    }
}

/// A scenario of the Hugging Face model directory `dir` (made absolute, so that a saved
/// session opens the same directory from anywhere) on `text` and `target`.
fn real_scenario(dir: &Path, text: &str, target: Option<&str>) -> Scenario {
    let mut scenario = scn::new_scenario(&Config::default(), text, target);
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    scenario.model = crate::scenario::schema::ModelSpec {
        hf: Some(abs.display().to_string()),
        ..crate::scenario::schema::ModelSpec::default()
    };
    scenario
}

/// An f32 as the f64 with the same shortest decimal form (0.1f32 → 0.1, not 0.10000000149).
fn f64_of(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

pub use crate::i18n::plural;

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
        title_ko: String::new(),
        description: String::new(),
        description_ko: String::new(),
        q: Vec::new(),
        k: Vec::new(),
        v: None,
        mask: None,
        scale: None,
        steps: Vec::new(),
        expect: None,
        practice: Vec::new(),
    }
}
