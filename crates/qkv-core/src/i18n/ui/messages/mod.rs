//! The workbench's messages (status lines, prompts, boxes, key errors) in both languages: one variant per message, each language writing the whole sentence.

use super::*;

mod en;
mod ko;

/// Sentences with arguments; each language formats the whole sentence.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// `3 tokens`.
    Tokens(usize),
    /// The header's practice score before the file: `practice 2/3 · file`.
    PracticeFile {
        /// The score, `right/asked`.
        score: String,
        /// The file (or built-in scenario).
        file: String,
    },
    /// The tour box title: stop `pos` (1-based) of `n`.
    Tour {
        /// Stop shown, 1-based.
        pos: usize,
        /// Stops.
        n: usize,
    },
    /// Matrix bottom: rows shown.
    Rows {
        /// First row.
        first: usize,
        /// Last row.
        last: usize,
        /// Rows in all.
        n: usize,
    },
    /// Matrix bottom in the top-k view (`:show probs[3] --top 5`): each row's `k` largest of
    /// `n` columns, and how to get the matrix back.
    TopView {
        /// Values listed per row.
        k: usize,
        /// Columns in all.
        n: usize,
        /// The step.
        step: String,
    },
    /// Matrix bottom: columns shown.
    Cols {
        /// First column.
        first: usize,
        /// Last column.
        last: usize,
        /// Columns in all.
        n: usize,
    },
    /// Matrix bottom: the largest change of the last rerun.
    Changed(String),
    /// Statistics: the row's index (its token follows).
    Row(usize),
    /// Statistics: the row's sum, with the −∞ cells left out.
    Sum {
        /// The sum.
        sum: String,
        /// −∞ cells left out.
        skipped: usize,
    },
    /// Statistics: the row's maximum, its column's token and index.
    Max {
        /// The maximum.
        max: String,
        /// The column's token.
        at: String,
        /// The column.
        col: usize,
    },
    /// Statistics: the row's entropy in nats.
    Entropy(String),
    /// A row whose every key is masked.
    FullyMasked(usize),
    /// NaN and +∞ counts of the step.
    NonFinite {
        /// NaN values.
        nan: usize,
        /// +∞ values.
        pos_inf: usize,
    },
    /// The first non-finite value of the pass.
    FirstNonFinite {
        /// Its address.
        at: String,
        /// Its value.
        value: String,
    },
    /// The gradient panel: the backward rule.
    BackwardRule(String),
    /// The gradient panel: the forward value and the loss.
    ForwardValue {
        /// The cell.
        addr: String,
        /// Its forward value.
        value: String,
        /// The loss.
        loss: String,
    },
    /// Busy box: how far a slow command got.
    Progress(Progress),
    /// Busy box: progress and the time so far.
    Elapsed {
        /// The progress sentence.
        what: String,
        /// Seconds.
        secs: f64,
    },
    /// The model's provenance: untrained (seed) or trained (updates).
    Provenance {
        /// Updates made (0: untrained).
        updates: usize,
        /// The seed of the random weights.
        seed: u64,
    },
    /// The provenance of a training run's weights the session studies: the live weights
    /// after `updates` updates, or snapshot `snapshot` kept after them.
    TrainedHere {
        /// Updates made.
        updates: usize,
        /// The snapshot (`None`: the live weights).
        snapshot: Option<usize>,
        /// The seed of the random weights the run started from.
        seed: u64,
    },
    /// About box: what the model is (its provenance, and whether it was trained).
    AboutModel {
        /// [`Msg::Provenance`]'s text.
        provenance: String,
        /// Trained (at least one update) rather than random weights.
        trained: bool,
    },
    /// About box before a tour: the keys that start it, step it and close the box (each
    /// as the key table writes them).
    AboutTour {
        /// Stops of the tour.
        stops: usize,
        /// The keys that start the tour.
        start: String,
        /// The keys that step between its stops.
        step: String,
        /// The key that closes the box.
        close: String,
    },
    /// About box: the key that replays the tour, the key that shows the box, the key that
    /// closes it.
    AboutReplay {
        /// Stops of the tour.
        stops: usize,
        /// The key that replays the tour.
        replay: String,
        /// The key that shows this box.
        about: String,
        /// The key that closes the box.
        close: String,
    },
    /// About box of a scenario with no tour: the key that shows it, the key that closes it.
    AboutAgain {
        /// The key that shows this box.
        about: String,
        /// The key that closes the box.
        close: String,
    },
    /// Too small: the size and the size needed.
    TooSmallSize {
        /// Columns.
        w: u16,
        /// Rows.
        h: u16,
        /// Columns needed.
        min_w: u16,
        /// Rows needed.
        min_h: u16,
    },
    /// The first status line (with the scenario's title when it has one).
    Welcome(String),
    /// The practice question's heading.
    PracticeHeading {
        /// Question shown, 1-based.
        pos: usize,
        /// Questions.
        n: usize,
        /// The score, `right/asked`.
        score: String,
    },
    /// How to answer in the workbench.
    PracticeHowTo {
        /// More than one number (a row).
        many: bool,
        /// The tolerance.
        tol: String,
    },
    /// The grading's heading.
    Graded {
        /// Every number right.
        all: bool,
        /// Numbers right.
        right: usize,
        /// Numbers asked.
        asked: usize,
        /// The score.
        score: String,
    },
    /// One graded number.
    GradedNumber {
        /// Right.
        ok: bool,
        /// Its address.
        addr: String,
        /// The answer.
        yours: String,
        /// The trace's value.
        value: String,
    },
    /// No term could be blamed.
    NoBlame,
    /// The matrix title in the gradient view.
    GradTitle {
        /// `grad.<step>[h]`.
        name: String,
        /// The forward step.
        fwd: String,
        /// Rows.
        r: usize,
        /// Columns.
        c: usize,
    },
    /// A hand-check's header line.
    HandHeader {
        /// The scaling (`÷ √d_k` or unscaled).
        scale: String,
        /// The mask.
        mask: MaskKind,
        /// `v` given (without it there is no weighted sum).
        values: bool,
    },
    /// A hand-check's header line, short.
    HandHeaderShort {
        /// The scaling, short.
        scale: String,
        /// The mask.
        mask: MaskKind,
    },
    /// The Learn view opened: its keys.
    LearnIntro,
    /// The Decode view opened: its keys.
    DecodeIntro,
    /// `g` back to the forward values.
    ForwardValues,
    /// Esc from the Learn or Decode view.
    BackToWorkbench,
    /// Training runs, from this update on.
    TrainingFrom(usize),
    /// Training paused at this update.
    PausedAt(usize),
    /// ← or → past the first or last snapshot.
    NoSnapshotThatWay,
    /// Esc in the sentence editor.
    EditCancelled,
    /// Tab with no completion.
    NothingToComplete,
    /// Save: the file exists and is not the one loaded.
    OverwriteNotLoaded(String),
    /// Plot: the file exists.
    OverwriteExists(String),
    /// `n` at an overwrite question of a plot.
    NotWritten,
    /// `n` at an overwrite question of a save.
    NotSaved,
    /// A head opened from the all-heads view: its address, role and the rule's reason.
    HeadOpened {
        /// `step[head]`.
        at: String,
        /// The role, in the message's language.
        role: String,
        /// Why, in the message's language.
        reason: String,
    },
    /// A picture's legend: the matrix's smallest and largest values (formatted).
    PlotRange {
        /// Smallest.
        min: String,
        /// Largest.
        max: String,
    },
    /// A picture's legend when no value is finite.
    PlotNoFinite,
    /// A picture's legend: how the colour is read (`sequential`: 0 to 1).
    PlotColour {
        /// A distribution (0 to 1) rather than signed values.
        sequential: bool,
    },
    /// A picture's note: numbers too wide for their cell.
    PlotOmitted(usize),
    /// A picture's legend: the −∞ swatch.
    PlotMasked,
    /// A failed command on the status line: `error: <what the session said>`.
    Error(String),
    /// `q` with unsaved changes.
    UnsavedQuit,
    /// `q` with training updates no checkpoint holds.
    UnsavedTraining(usize),
    /// A workbench key that cannot act here (the whole status line, `error: …`).
    KeyError(KeyError),
}

/// Why a workbench key (not a command) could not act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// `{` on layer 0.
    LayerZero,
    /// `i` on a hand-check.
    HandNoSentence,
    /// `I` on a model without a target.
    NoTarget,
    /// An empty file name at the plot prompt.
    NothingWritten,
    /// An empty file name at a save prompt.
    NothingSaved,
    /// An empty token at the force prompt.
    NoToken,
}

impl KeyError {
    /// Every key error.
    pub const ALL: [KeyError; 6] = [
        KeyError::LayerZero,
        KeyError::HandNoSentence,
        KeyError::NoTarget,
        KeyError::NothingWritten,
        KeyError::NothingSaved,
        KeyError::NoToken,
    ];
}

impl Msg {
    /// One message of every kind, for the catalogue test.
    #[expect(
        clippy::too_many_lines,
        reason = "one sample per message, so the completeness test walks every key."
    )]
    pub fn samples() -> Vec<Msg> {
        let mut v = vec![
            Msg::Tokens(3),
            Msg::PracticeFile {
                score: "2/3".into(),
                file: "a.yaml".into(),
            },
            Msg::Tour { pos: 2, n: 7 },
            Msg::Rows {
                first: 40,
                last: 59,
                n: 512,
            },
            Msg::TopView {
                k: 5,
                n: 102,
                step: "probs".into(),
            },
            Msg::Cols {
                first: 0,
                last: 7,
                n: 512,
            },
            Msg::Changed("0.0123".into()),
            Msg::Row(2),
            Msg::Sum {
                sum: "1.0000".into(),
                skipped: 0,
            },
            Msg::Sum {
                sum: "0.5000".into(),
                skipped: 2,
            },
            Msg::Max {
                max: "0.4029".into(),
                at: "간다".into(),
                col: 2,
            },
            Msg::Entropy("1.0824".into()),
            Msg::FullyMasked(3),
            Msg::NonFinite { nan: 4, pos_inf: 1 },
            Msg::FirstNonFinite {
                at: "enc.0.attn.scores[0][1][2]".into(),
                value: "NaN".into(),
            },
            Msg::BackwardRule("∂L/∂x = ∂L/∂y · Wᵀ".into()),
            Msg::ForwardValue {
                addr: "enc.0.attn.q[0][1][2]".into(),
                value: "0.5000".into(),
                loss: "2.3026".into(),
            },
            Msg::Progress(Progress {
                stage: Stage::Layers,
                done: 7,
                total: 12,
            }),
            Msg::Progress(Progress {
                stage: Stage::Bytes,
                done: 80 << 20,
                total: 168 << 20,
            }),
            Msg::Progress(Progress {
                stage: Stage::Tensors,
                done: 66,
                total: 181,
            }),
            Msg::Progress(Progress {
                stage: Stage::Comparing,
                done: 0,
                total: 0,
            }),
            Msg::Progress(Progress {
                stage: Stage::Idle,
                done: 0,
                total: 0,
            }),
            Msg::Elapsed {
                what: "x".into(),
                secs: 1.4,
            },
            Msg::Provenance {
                updates: 0,
                seed: 42,
            },
            Msg::Provenance {
                updates: 1,
                seed: 42,
            },
            Msg::Provenance {
                updates: 250,
                seed: 42,
            },
            Msg::TrainedHere {
                updates: 30,
                snapshot: None,
                seed: 42,
            },
            Msg::TrainedHere {
                updates: 1,
                snapshot: None,
                seed: 42,
            },
            Msg::TrainedHere {
                updates: 200,
                snapshot: Some(2),
                seed: 42,
            },
            Msg::AboutModel {
                provenance: "x".into(),
                trained: false,
            },
            Msg::AboutModel {
                provenance: "x".into(),
                trained: true,
            },
            Msg::AboutTour {
                stops: 5,
                start: "Enter / r".into(),
                step: "n / p".into(),
                close: "Esc".into(),
            },
            Msg::AboutReplay {
                stops: 5,
                replay: "r".into(),
                about: "a".into(),
                close: "Esc".into(),
            },
            Msg::AboutAgain {
                about: "a".into(),
                close: "Esc".into(),
            },
            Msg::TooSmallSize {
                w: 30,
                h: 10,
                min_w: 60,
                min_h: 16,
            },
            Msg::Welcome(String::new()),
            Msg::Welcome("나는 학교에 간다".into()),
            Msg::PracticeHeading {
                pos: 1,
                n: 3,
                score: "0/0".into(),
            },
            Msg::PracticeHowTo {
                many: false,
                tol: "0.005".into(),
            },
            Msg::PracticeHowTo {
                many: true,
                tol: "0.005".into(),
            },
            Msg::Graded {
                all: true,
                right: 1,
                asked: 1,
                score: "1/1".into(),
            },
            Msg::Graded {
                all: false,
                right: 1,
                asked: 3,
                score: "1/2".into(),
            },
            Msg::GradedNumber {
                ok: false,
                addr: "enc.0.attn.weights[0][1][2]".into(),
                yours: "0.5".into(),
                value: "0.3036".into(),
            },
            Msg::NoBlame,
            Msg::GradTitle {
                name: "grad.enc.0.attn.q[0]".into(),
                fwd: "enc.0.attn.q".into(),
                r: 3,
                c: 4,
            },
            Msg::HandHeader {
                scale: "÷ √d_k".into(),
                mask: MaskKind::Causal,
                values: true,
            },
            Msg::HandHeader {
                scale: "÷ √d_k".into(),
                mask: MaskKind::None,
                values: false,
            },
            Msg::HandHeaderShort {
                scale: "÷√d_k".into(),
                mask: MaskKind::None,
            },
            Msg::LearnIntro,
            Msg::DecodeIntro,
            Msg::ForwardValues,
            Msg::BackToWorkbench,
            Msg::TrainingFrom(40),
            Msg::PausedAt(41),
            Msg::NoSnapshotThatWay,
            Msg::EditCancelled,
            Msg::NothingToComplete,
            Msg::OverwriteNotLoaded("a.yaml".into()),
            Msg::OverwriteExists("a.svg".into()),
            Msg::NotWritten,
            Msg::NotSaved,
            Msg::HeadOpened {
                at: "enc.0.attn.weights[1]".into(),
                role: "x".into(),
                reason: "y".into(),
            },
            Msg::PlotRange {
                min: "0.1276".into(),
                max: "0.6023".into(),
            },
            Msg::PlotNoFinite,
            Msg::PlotColour { sequential: true },
            Msg::PlotColour { sequential: false },
            Msg::PlotOmitted(3),
            Msg::PlotMasked,
            Msg::Error("layer 9 does not exist".into()),
            Msg::UnsavedQuit,
            Msg::UnsavedTraining(20),
        ];
        v.extend(KeyError::ALL.map(Msg::KeyError));
        v
    }

    /// The sentence in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }
}
