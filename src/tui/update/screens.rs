//! What the messages of the Learn and Decode views and the gradient toggle do. Study state
//! changes only through [`Session::apply`](crate::session::Session::apply) (via
//! [`super`]'s `run`); the rest is view state.

use crate::command::{Command, LearnCommand};

use super::{act, key_error, run, tell};
use crate::i18n::ui::Msg;
use crate::tui::app::{App, LineEdit, Mode, PromptKind, Screen};
use crate::tui::message::{Dir, Message};

/// Training updates made per frame while training runs (small: input never waits long).
pub const STEPS_PER_TICK: usize = 1;

/// Opens the Learn view, starting a training run (an untrained model with the corpus
/// vocabulary, step 0) when there is none.
pub fn open_learn(app: &mut App) {
    if app.session.training().is_none() && run(app, Command::Learn(LearnCommand::Train(0))).is_err()
    {
        return;
    }
    app.screen = Screen::Learn;
    tell(app, Msg::LearnIntro);
}

/// Opens the Decode view, starting a decoding of the current sentence when there is none
/// or when the one there is of another sentence (the student typed a new one).
pub fn open_decode(app: &mut App) {
    let current = app.session.input().map(|i| i.text.clone());
    let stale = match app.session.decoding() {
        None => true,
        Some(d) => current.is_some_and(|t| t != d.text),
    };
    if stale && run(app, Command::Learn(LearnCommand::DecodeStart)).is_err() {
        return;
    }
    app.training = false;
    app.screen = Screen::Decode;
    tell(app, Msg::DecodeIntro);
}

/// The messages that mean something else (or only something) outside the workbench;
/// `true` when handled here.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per message of the Learn and Decode views."
)]
pub fn handle(app: &mut App, msg: &Message) -> bool {
    match (app.screen, msg) {
        (_, Message::OpenLearn) => open_learn(app),
        (_, Message::OpenDecode) => open_decode(app),
        (Screen::Workbench, Message::ToggleGrad) => {
            if app.grad_view {
                app.grad_view = false;
                tell(app, Msg::ForwardValues);
            } else if run(app, Command::Learn(LearnCommand::Grad(None))).is_ok() {
                app.grad_view = true;
            }
        }
        (Screen::Workbench, Message::Tick) => {}
        (Screen::Workbench, _) => return false,
        (_, Message::Cancel) => {
            app.training = false;
            app.screen = Screen::Workbench;
            tell(app, Msg::BackToWorkbench);
        }
        (Screen::Learn, Message::TrainToggle) => {
            app.training = !app.training;
            let step = app
                .session
                .training()
                .map_or(0, qkv_core::session::Training::steps_done);
            if app.training {
                tell(app, Msg::TrainingFrom(step));
            } else {
                tell(app, Msg::PausedAt(step));
            }
        }
        (Screen::Learn, Message::Tick)
            if app.training
                && run(app, Command::Learn(LearnCommand::Train(STEPS_PER_TICK))).is_err() =>
        {
            app.training = false;
        }
        (Screen::Learn, Message::TrainStep) => {
            app.training = false;
            act(app, Command::Learn(LearnCommand::Train(1)));
        }
        (Screen::Learn, Message::Snapshot) => {
            act(app, Command::Learn(LearnCommand::Snapshot));
        }
        (Screen::Learn, Message::Move(d @ (Dir::Left | Dir::Right))) => {
            let Some(t) = app.session.training() else {
                return true;
            };
            let n = t.snapshots.len();
            let to = match (t.viewing, d) {
                (None, Dir::Left) => n.checked_sub(1).map(Some),
                (Some(0), Dir::Left) => None,
                (Some(i), Dir::Left) => Some(Some(i - 1)),
                (Some(i), _) if i + 1 < n => Some(Some(i + 1)),
                (Some(_), _) => Some(None),
                (None, _) => None,
            };
            match to {
                Some(v) => {
                    app.training = false;
                    act(app, Command::Learn(LearnCommand::ViewSnapshot(v)));
                }
                None => tell(app, Msg::NoSnapshotThatWay),
            }
        }
        // [ ] choose the head of the heatmap, { } the attention block.
        (Screen::Learn, Message::NextHead | Message::PrevHead) => {
            let (pick, head) = app.learn_pick;
            app.learn_pick = (
                pick,
                if matches!(msg, Message::NextHead) {
                    head + 1
                } else {
                    head.saturating_sub(1)
                },
            );
        }
        (Screen::Learn, Message::NextLayer | Message::PrevLayer) => {
            let blocks = app
                .session
                .training()
                .map_or(0, |t| t.attention_steps().len());
            let current = app.learn_pick.0.unwrap_or(blocks.saturating_sub(1));
            let next = if matches!(msg, Message::NextLayer) {
                (current + 1) % blocks.max(1)
            } else {
                (current + blocks.max(1) - 1) % blocks.max(1)
            };
            app.learn_pick = (Some(next), 0);
        }
        (Screen::Learn, Message::Last) => {
            act(app, Command::Learn(LearnCommand::ViewSnapshot(None)));
        }
        (Screen::Learn, Message::Save) => {
            app.training = false;
            app.mode = Mode::Prompt {
                kind: PromptKind::CheckpointPath,
                line: LineEdit::suggestion("model.safetensors"),
            };
        }
        (Screen::Decode, Message::NextStep) => {
            act(app, Command::Learn(LearnCommand::DecodeNext(None)));
        }
        (Screen::Decode, Message::PrevStep) => {
            act(app, Command::Learn(LearnCommand::DecodeBack));
        }
        (Screen::Decode, Message::Replay) => {
            act(app, Command::Learn(LearnCommand::DecodeStart));
        }
        (Screen::Decode, Message::ForceToken) => {
            let suggestion = app
                .session
                .decoding()
                .and_then(|d| d.steps().last())
                .map(|s| s.chosen.clone())
                .unwrap_or_default();
            app.mode = Mode::Prompt {
                kind: PromptKind::ForceToken,
                line: LineEdit::suggestion(&suggestion),
            };
        }
        // The prompt, help, quit and resizes work as in the workbench.
        (_, Message::OpenPrompt | Message::Help | Message::Quit | Message::Resize(..)) => {
            return false;
        }
        _ => {}
    }
    true
}

/// Enter in the checkpoint or token prompt.
pub fn submit(app: &mut App, kind: PromptKind, text: &str) {
    let t = text.trim();
    match kind {
        PromptKind::CheckpointPath if t.is_empty() => {
            key_error(app, crate::i18n::ui::KeyError::NothingSaved);
        }
        PromptKind::CheckpointPath => {
            act(
                app,
                Command::Learn(LearnCommand::CheckpointSave {
                    path: t.into(),
                    force: false,
                }),
            );
        }
        // Graded by the workbench (update::submit_answer), never sent here.
        PromptKind::Answer => {}
        PromptKind::ForceToken if t.is_empty() => {
            key_error(app, crate::i18n::ui::KeyError::NoToken);
        }
        PromptKind::ForceToken => {
            // The token replaces the last choice: take it back, then put the student's.
            let last = app
                .session
                .decoding()
                .and_then(|d| d.steps().last())
                .map(|s| (s.chosen.clone(), s.forced));
            if last.is_some() {
                act(app, Command::Learn(LearnCommand::DecodeBack));
            }
            if run(
                app,
                Command::Learn(LearnCommand::DecodeNext(Some(t.to_string()))),
            )
            .is_err()
                && let Some((chosen, forced)) = last
            {
                // Put the last token back as it was, so that nothing changed; keep the
                // error shown.
                let error = app.status.clone();
                let again = forced.then_some(chosen);
                act(app, Command::Learn(LearnCommand::DecodeNext(again)));
                app.status = error;
            }
        }
        PromptKind::Command | PromptKind::SavePath | PromptKind::PlotPath => {}
    }
}
