//! The workbench's messages (status lines, prompts, boxes, key errors) in both languages: one variant per message, each language writing the whole sentence.

use super::*;

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
    // Over 80 lines: one sample per message, so the completeness test walks every key.
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

    // Over 80 lines: one arm per message: the English catalogue.
    fn en(&self) -> String {
        match self {
            Msg::Tokens(n) => crate::session::plural(*n, "token"),
            Msg::PracticeFile { score, file } => format!("practice {score} · {file}"),
            Msg::Tour { pos, n } => format!(" tour {pos}/{n} "),
            Msg::Rows { first, last, n } => format!("rows {first}–{last} of {n}"),
            Msg::Cols { first, last, n } => format!("cols {first}–{last} of {n}"),
            Msg::TopView { k, n, step } => {
                format!("each row's {k} largest of {n}, largest first · :show {step}: the matrix")
            }
            Msg::Changed(x) => format!("changed • max |Δ| {x}"),
            Msg::Row(r) => format!("row {r} "),
            Msg::Sum { sum, skipped: 0 } => format!("  sum {sum}"),
            Msg::Sum { sum, skipped } => format!("  sum {sum} ({skipped} −∞ left out)"),
            Msg::Max { max, at, col } => format!("  max {max} at {at} (col {col})"),
            Msg::Entropy(e) => format!("  entropy {e} nats"),
            Msg::FullyMasked(r) => format!("row {r} is fully masked: its weights are all 0"),
            Msg::NonFinite { nan, pos_inf } => {
                format!("{nan} NaN and {pos_inf} +∞ values in this step")
            }
            Msg::FirstNonFinite { at, value } => {
                format!("first non-finite value of the pass: {at} = {value}")
            }
            Msg::BackwardRule(f) => format!("  backward rule: {f}"),
            Msg::ForwardValue { addr, value, loss } => {
                format!("  forward value {addr} = {value}; loss = {loss}")
            }
            Msg::Progress(p) => p.to_string(),
            Msg::Elapsed { what, secs } => format!("{what} · {secs:.1} s"),
            Msg::Provenance { updates: 0, seed } => {
                format!("untrained (random weights, seed {seed})")
            }
            Msg::Provenance { updates: 1, .. } => "trained (1 update)".to_string(),
            Msg::Provenance { updates, .. } => format!("trained ({updates} updates)"),
            Msg::TrainedHere {
                updates,
                snapshot: None,
                seed,
            } => format!(
                "trained here: {} from random weights (seed {seed})",
                crate::session::plural(*updates, "update")
            ),
            Msg::TrainedHere {
                updates,
                snapshot: Some(i),
                seed,
            } => format!(
                "snapshot {i} of the run trained here: {} from random weights (seed {seed})",
                crate::session::plural(*updates, "update")
            ),
            Msg::AboutModel {
                provenance: p,
                trained: false,
            } => format!(
                "The model is {p}: its attention patterns show how the arithmetic works, not what a trained model would attend to."
            ),
            Msg::AboutModel { provenance: p, .. } => format!(
                "The model is {p}: its weights were learned from a corpus, so its attention patterns show what this small model learned to look at as well as how the arithmetic works."
            ),
            Msg::AboutTour {
                stops,
                start,
                step,
                close,
            } => format!(
                "{start} starts the guided tour ({stops} stops; {step} step); {close} closes."
            ),
            Msg::AboutReplay {
                stops,
                replay,
                about,
                close,
            } => format!(
                "{replay} replays its guided tour ({stops} stops); {about} shows this again; {close} closes."
            ),
            Msg::AboutAgain { about, close } => {
                format!("{about} shows this again; {close} closes.")
            }
            Msg::TooSmallSize { w, h, min_w, min_h } => {
                format!("it is {w}×{h}; qkv needs at least {min_w}×{min_h}")
            }
            Msg::Welcome(t) if t.is_empty() => {
                "n/p walks the pipeline step by step; ? lists every key".to_string()
            }
            Msg::Welcome(t) => {
                format!("{t} — n/p walks the pipeline step by step; ? lists every key")
            }
            Msg::PracticeHeading { pos, n, score } => {
                format!("practice {pos} of {n} · score {score} — predict, then reveal")
            }
            Msg::PracticeHowTo { many, tol } => format!(
                "  type the number{} below and press Enter (Esc leaves the practice); right within ±{tol}",
                if *many { "s, on one line," } else { "" }
            ),
            Msg::Graded {
                all,
                right,
                asked,
                score,
            } => format!(
                "practice: {} — {right} of {asked} right · score {score}",
                if *all { "right" } else { "wrong" }
            ),
            Msg::GradedNumber {
                ok,
                addr,
                yours,
                value,
            } => format!(
                "  {} {addr}: you {yours}, trace {value}",
                if *ok { "✓" } else { "✗" }
            ),
            Msg::NoBlame => {
                "    could not tell which term went wrong: compare with the arithmetic below"
                    .to_string()
            }
            Msg::GradTitle { name, fwd, r, c } => {
                format!(" {name} · ∂loss/∂{fwd} · backward ↑ · {r} × {c} ")
            }
            Msg::HandHeader { scale, mask, values } => format!(
                "attention hand-check (no model): q · kᵀ {scale} · mask {mask} · softmax · {}",
                if *values { "× v" } else { "no v: no weighted sum" }
            ),
            Msg::HandHeaderShort { scale, mask } => format!("hand-check · {scale} · mask {mask}"),
            Msg::LearnIntro => "Learn: space starts / pauses training, . one update, ← → scrub the snapshots, k keeps one, w saves the checkpoint, Esc back".into(),
            Msg::DecodeIntro => "Decode: n adds the next token, p takes it back, f puts your own token, r starts again, Esc back".into(),
            Msg::ForwardValues => "forward values (g shows gradients)".into(),
            Msg::BackToWorkbench => "back to the workbench".into(),
            Msg::TrainingFrom(step) => format!("training from step {step}… (space or Esc pauses)"),
            Msg::PausedAt(step) => format!("paused at step {step}; the run is kept"),
            Msg::NoSnapshotThatWay => "no snapshot further that way".into(),
            Msg::EditCancelled => "edit cancelled; nothing changed".into(),
            Msg::NothingToComplete => "Tab: nothing to complete here".into(),
            Msg::OverwriteNotLoaded(path) => {
                format!("{path} exists and is not the file you loaded: overwrite it? y/n")
            }
            Msg::OverwriteExists(path) => format!("{path} exists: overwrite it? y/n"),
            Msg::NotWritten => "not written".into(),
            Msg::NotSaved => "not saved".into(),
            Msg::HeadOpened { at, role, reason } => {
                format!("{at}: {role} — {reason} (H: back to all heads)")
            }
            Msg::PlotRange { min, max } => format!("min {min}   max {max}"),
            Msg::PlotNoFinite => "no finite values".into(),
            Msg::PlotColour { sequential: true } => "   colour: the value (0 to 1)".into(),
            Msg::PlotColour { sequential: false } => "   colour: |value| / max |value|".into(),
            Msg::PlotOmitted(n) => format!(
                "{n} numbers too wide for their cell are left out (the .csv has them all)"
            ),
            Msg::PlotMasked => "masked".into(),
            Msg::Error(e) => format!("error: {e}"),
            Msg::UnsavedQuit => {
                "unsaved changes: w saves them; q again leaves without saving".into()
            }
            Msg::UnsavedTraining(n) => format!(
                "{} {} not saved: w in the Learn view (L) keeps them as a checkpoint; q again leaves without them",
                crate::session::plural(*n, "training update"),
                if *n == 1 { "is" } else { "are" }
            ),
            Msg::KeyError(k) => match k {
                KeyError::LayerZero => "error: already at layer 0; } goes to the next layer",
                KeyError::HandNoSentence => {
                    "error: an attention hand-check has no sentence; `:text <sentence>` goes back to the model"
                }
                KeyError::NoTarget => {
                    "error: only an encoder-decoder model has a target sentence; i edits the source"
                }
                KeyError::NothingWritten => "error: no file name given; nothing written",
                KeyError::NothingSaved => "error: no file name given; nothing saved",
                KeyError::NoToken => "error: no token given; nothing changed",
            }
            .into(),
        }
    }

    // Over 80 lines: one arm per message: the Korean catalogue.
    fn ko(&self) -> String {
        match self {
            Msg::Tokens(n) => format!("토큰 {n}개"),
            Msg::PracticeFile { score, file } => format!("연습 {score} · {file}"),
            Msg::Tour { pos, n } => format!(" 둘러보기 {pos}/{n} "),
            Msg::Rows { first, last, n } => format!("행 {first}–{last} (전체 {n})"),
            Msg::Cols { first, last, n } => format!("열 {first}–{last} (전체 {n})"),
            Msg::TopView { k, n, step } => {
                format!("행마다 {n}개 중 큰 값 {k}개, 큰 순서 · :show {step}: 행렬로")
            }
            Msg::Changed(x) => format!("바뀜 • 최대 |Δ| {x}"),
            Msg::Row(r) => format!("행 {r} "),
            Msg::Sum { sum, skipped: 0 } => format!("  합 {sum}"),
            Msg::Sum { sum, skipped } => format!("  합 {sum} (−∞ {skipped}개 제외)"),
            Msg::Max { max, at, col } => format!("  최댓값 {max}: {at} (열 {col})"),
            Msg::Entropy(e) => format!("  엔트로피 {e} nats"),
            Msg::FullyMasked(r) => {
                format!("행 {r}: 모든 키가 마스킹되어 가중치가 모두 0입니다")
            }
            Msg::NonFinite { nan, pos_inf } => {
                format!("이 단계에 NaN {nan}개, +∞ {pos_inf}개가 있습니다")
            }
            Msg::FirstNonFinite { at, value } => {
                format!("이번 계산에서 처음 나온 유한하지 않은 값: {at} = {value}")
            }
            Msg::BackwardRule(f) => format!("  역전파 규칙: {f}"),
            Msg::ForwardValue { addr, value, loss } => {
                format!("  순전파 값 {addr} = {value}, 손실 = {loss}")
            }
            Msg::Progress(p) => {
                let (done, total) = (p.done.min(p.total), p.total);
                match p.stage {
                    Stage::Idle => "작업 중".to_string(),
                    Stage::Layers => format!("순전파: 층 {done}/{total}"),
                    Stage::Bytes => format!(
                        "읽는 중: {:.1} / {:.1} MiB",
                        done as f64 / 1_048_576.0,
                        total as f64 / 1_048_576.0
                    ),
                    Stage::Tensors => format!("체크포인트 해독: 텐서 {done}/{total}"),
                    Stage::Comparing => "이전 트레이스와 비교하는 중".to_string(),
                }
            }
            Msg::Elapsed { what, secs } => format!("{what} · {secs:.1}초"),
            Msg::Provenance { updates: 0, seed } => {
                format!("학습 전 (무작위 가중치, 시드 {seed})")
            }
            Msg::Provenance { updates, .. } => format!("학습됨 ({updates}번 갱신)"),
            Msg::TrainedHere {
                updates,
                snapshot: None,
                seed,
            } => format!("이 세션에서 학습함: 무작위 가중치(시드 {seed})에서 {updates}번 갱신"),
            Msg::TrainedHere {
                updates,
                snapshot: Some(i),
                seed,
            } => format!(
                "이 세션 학습의 스냅숏 {i}: 무작위 가중치(시드 {seed})에서 {updates}번 갱신"
            ),
            Msg::AboutModel {
                provenance: p,
                trained: false,
            } => format!(
                "모델: {p}. 어텐션 패턴은 계산이 어떻게 이루어지는지를 보여 줄 뿐, 학습된 모델이 어디에 주목할지를 보여 주지는 않습니다."
            ),
            Msg::AboutModel { provenance: p, .. } => format!(
                "모델: {p}. 말뭉치로 학습한 가중치이므로, 어텐션 패턴은 계산이 어떻게 이루어지는지와 함께 이 작은 모델이 무엇에 주목하도록 배웠는지도 보여 줍니다."
            ),
            Msg::AboutTour {
                stops,
                start,
                step,
                close,
            } => format!(
                "{start} 키를 누르면 안내 둘러보기를 시작합니다 (지점 {stops}개, {step} 키로 이동). {close} 키로 닫습니다."
            ),
            Msg::AboutReplay {
                stops,
                replay,
                about,
                close,
            } => format!(
                "{replay} 키를 누르면 안내 둘러보기를 다시 봅니다 (지점 {stops}개). {about} 키를 누르면 이 창을 다시 엽니다. {close} 키로 닫습니다."
            ),
            Msg::AboutAgain { about, close } => {
                format!("{about} 키를 누르면 이 창을 다시 엽니다. {close} 키로 닫습니다.")
            }
            Msg::TooSmallSize { w, h, min_w, min_h } => {
                format!("지금 {w}×{h}, qkv에는 최소 {min_w}×{min_h}이 필요합니다")
            }
            Msg::Welcome(t) if t.is_empty() => {
                "n/p로 파이프라인을 한 단계씩 따라갑니다. ?를 누르면 모든 키를 봅니다".to_string()
            }
            Msg::Welcome(t) => format!(
                "{t} — n/p로 파이프라인을 한 단계씩 따라갑니다. ?를 누르면 모든 키를 봅니다"
            ),
            Msg::PracticeHeading { pos, n, score } => {
                format!("연습 {pos}/{n} · 점수 {score} — 먼저 예측하고, 답을 확인하세요")
            }
            Msg::PracticeHowTo { many, tol } => format!(
                "  아래에 {}입력하고 Enter를 누르세요 (Esc: 연습 끝내기). ±{tol} 안이면 정답입니다",
                if *many {
                    "숫자들을 한 줄에 "
                } else {
                    "숫자를 "
                }
            ),
            Msg::Graded {
                all,
                right,
                asked,
                score,
            } => format!(
                "연습: {} — {asked}개 중 {right}개 정답 · 점수 {score}",
                if *all { "정답" } else { "오답" }
            ),
            Msg::GradedNumber {
                ok,
                addr,
                yours,
                value,
            } => format!(
                "  {} {addr}: 내 답 {yours}, 트레이스 {value}",
                if *ok { "✓" } else { "✗" }
            ),
            Msg::NoBlame => {
                "    어느 항이 틀렸는지 알 수 없습니다: 아래 계산과 비교해 보세요".to_string()
            }
            Msg::GradTitle { name, fwd, r, c } => {
                format!(" {name} · ∂loss/∂{fwd} · 역전파 ↑ · {r} × {c} ")
            }
            Msg::HandHeader { scale, mask, values } => format!(
                "어텐션 손 계산 확인 (모델 없음): q · kᵀ {scale} · 마스킹(masking) {} · 소프트맥스(softmax) · {}",
                mask_ko(*mask),
                if *values { "× v" } else { "v 없음: 가중합 없음" }
            ),
            Msg::HandHeaderShort { scale, mask } => {
                format!("손 계산 · {scale} · 마스킹 {}", mask_ko(*mask))
            }
            Msg::LearnIntro => "학습 화면: space 학습 시작 / 일시 정지, . 한 번 갱신, ← → 스냅숏 넘기기, k 스냅숏 보관, w 체크포인트 저장, Esc 돌아가기".into(),
            Msg::DecodeIntro => "디코딩 화면: n 다음 토큰 더하기, p 되돌리기, f 직접 고른 토큰 넣기, r 처음부터, Esc 돌아가기".into(),
            Msg::ForwardValues => "순전파 값 (g를 누르면 기울기를 봅니다)".into(),
            Msg::BackToWorkbench => "워크벤치로 돌아왔습니다".into(),
            Msg::TrainingFrom(step) => {
                format!("갱신 {step}부터 학습 중… (space나 Esc로 일시 정지)")
            }
            Msg::PausedAt(step) => format!("갱신 {step}에서 일시 정지했습니다; 학습 기록은 남아 있습니다"),
            Msg::NoSnapshotThatWay => "그쪽으로는 스냅숏이 더 없습니다".into(),
            Msg::EditCancelled => "편집을 취소했습니다; 바뀐 것은 없습니다".into(),
            Msg::NothingToComplete => "Tab: 여기서는 완성할 것이 없습니다".into(),
            Msg::OverwriteNotLoaded(path) => {
                format!("{path}이(가) 이미 있고 불러온 파일이 아닙니다: 덮어쓸까요? y/n")
            }
            Msg::OverwriteExists(path) => format!("{path}이(가) 이미 있습니다: 덮어쓸까요? y/n"),
            Msg::NotWritten => "쓰지 않았습니다".into(),
            Msg::NotSaved => "저장하지 않았습니다".into(),
            Msg::HeadOpened { at, role, reason } => {
                format!("{at}: {role} — 근거: {reason} (H: 모든 헤드로 돌아가기)")
            }
            Msg::PlotRange { min, max } => format!("최소 {min}   최대 {max}"),
            Msg::PlotNoFinite => "유한한 값이 없습니다".into(),
            Msg::PlotColour { sequential: true } => "   색: 값 그대로 (0에서 1)".into(),
            Msg::PlotColour { sequential: false } => "   색: |값| / 최대 |값|".into(),
            Msg::PlotOmitted(n) => format!(
                "칸보다 넓은 숫자 {n}개는 빠져 있습니다 (.csv에는 모두 있습니다)"
            ),
            Msg::PlotMasked => "마스킹됨".into(),
            Msg::Error(e) => format!("오류: {e}"),
            Msg::UnsavedQuit => {
                "저장하지 않은 변경이 있습니다: w로 저장하세요; q를 한 번 더 누르면 저장하지 않고 나갑니다".into()
            }
            Msg::UnsavedTraining(n) => format!(
                "학습 갱신 {n}번이 저장되지 않았습니다: 학습 화면(L)에서 w로 체크포인트에 남기세요; q를 한 번 더 누르면 남기지 않고 나갑니다"
            ),
            Msg::KeyError(k) => match k {
                KeyError::LayerZero => "오류: 이미 층 0입니다; }는 다음 층으로 갑니다",
                KeyError::HandNoSentence => {
                    "오류: 어텐션 손 계산에는 문장이 없습니다; `:text <문장>`으로 모델로 돌아갑니다"
                }
                KeyError::NoTarget => {
                    "오류: 목표 문장은 인코더-디코더 모델에만 있습니다; i는 원문을 편집합니다"
                }
                KeyError::NothingWritten => "오류: 파일 이름이 없습니다; 아무것도 쓰지 않았습니다",
                KeyError::NothingSaved => "오류: 파일 이름이 없습니다; 아무것도 저장하지 않았습니다",
                KeyError::NoToken => "오류: 토큰이 없습니다; 아무것도 바꾸지 않았습니다",
            }
            .into(),
        }
    }
}
