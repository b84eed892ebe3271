//! The workbench messages in English: one arm per message.

use super::*;

impl Msg {
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per message: the English catalogue."
    )]
    pub(super) fn en(&self) -> String {
        match self {
            Msg::Tokens(n) => crate::i18n::plural(*n, "token"),
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
                crate::i18n::plural(*updates, "update")
            ),
            Msg::TrainedHere {
                updates,
                snapshot: Some(i),
                seed,
            } => format!(
                "snapshot {i} of the run trained here: {} from random weights (seed {seed})",
                crate::i18n::plural(*updates, "update")
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
                crate::i18n::plural(*n, "training update"),
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
}
