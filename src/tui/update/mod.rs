//! `update`: what each [`Message`] does to the [`App`]. Study state changes only through
//! [`Session::apply`](crate::session::Session::apply) with a [`Command`]; everything else here
//! is view state. Runs without a terminal (the size is part of the app), so it is unit-tested
//! directly.

use std::path::PathBuf;

use ratatui::layout::{Rect, Size};

use crate::command::{Command, LearnCommand, Setting};
use crate::i18n::ui::Msg;
use crate::plot::PlotError;
use crate::scenario::io::SaveError;
use crate::session::{Outcome, SessionError};
use crate::trace::{Address, Step, StepKind};

use super::app::{App, Field, LineEdit, Mode, Pane, PromptKind, Status, StatusKind};
use super::layout::{self, Hit};
use super::message::{Dir, Edit, Message};
use super::tree::{Node, Tree};

mod explore;
mod normal;
pub mod screens;

pub(super) use normal::settle;
use normal::*;

/// File name offered by `w` when the session has none yet.
pub const DEFAULT_SAVE_NAME: &str = "qkv-session.yaml";

pub(super) fn say(app: &mut App, kind: StatusKind, text: impl Into<String>) {
    app.status = Some(Status {
        kind,
        text: text.into(),
    });
}

/// An information on the status line, in the interface language.
pub(super) fn tell(app: &mut App, msg: Msg) {
    let text = msg.text(app.lang);
    say(app, StatusKind::Info, text);
}

/// A failed command on the status line, in the interface language.
pub(super) fn say_error(app: &mut App, e: &SessionError) {
    let text = Msg::Error(e.text_in(app.lang)).text(app.lang);
    say(app, StatusKind::Error, text);
}

/// A key that cannot act here, on the status line in the interface language.
pub(super) fn key_error(app: &mut App, k: crate::i18n::ui::KeyError) {
    let text = Msg::KeyError(k).text(app.lang);
    say(app, StatusKind::Error, text);
}

/// A line that is not a command, on the status line in the interface language.
fn say_parse_error(app: &mut App, e: &crate::command::ParseError) {
    let text = Msg::Error(crate::i18n::command::parse_error_text(e, app.lang)).text(app.lang);
    say(app, StatusKind::Error, text);
}

/// Applies `cmd` to the session and reflects the outcome in the view state: status line,
/// highlighted changes, tree, tree cursor. On error nothing but the status line changes.
pub(super) fn run(app: &mut App, cmd: Command) -> Result<Outcome, SessionError> {
    let before = app.session.cursor().step.clone();
    let is_quit = matches!(cmd, Command::Quit { .. });
    match app.session.apply(cmd) {
        Ok(o) => {
            let structural = o.trace_changed;
            if structural {
                // The gradient view follows the new trace (or closes when it has none).
                if app.grad_view
                    && app
                        .session
                        .apply(Command::Learn(LearnCommand::Grad(None)))
                        .is_err()
                {
                    app.grad_view = false;
                }
                app.changes.clone_from(&o.diff);
                let tree = Tree::of(app.session.trace());
                // A new subject (no diff against the old trace) with other steps starts
                // with the tree folded as the cursor asks.
                if o.diff.is_none() && tree != app.tree {
                    app.open.clear();
                }
                app.tree = tree;
            }
            if app.session.cursor().step != before || structural {
                app.tree_sel = Node::Step(app.session.cursor().step.clone());
                app.scroll.detail = 0;
            }
            if o.quit {
                app.running = false;
            }
            if is_quit && !o.quit {
                let text = quit_warning(app);
                say(app, StatusKind::Warning, text);
            } else if !o.status.is_empty() {
                say(app, StatusKind::Info, o.status.clone());
            }
            Ok(o)
        }
        Err(e) => {
            say_error(app, &e);
            Err(e)
        }
    }
}

/// Applies `cmd` for a key or a click: the outcome (or the error) is on the status line and
/// in the panes, and nothing else is to be done with it.
pub(super) fn act(app: &mut App, cmd: Command) {
    // `run` has already put an error on the status line.
    let _shown = run(app, cmd);
}

/// Carries out one message, with the scrollable texts measured as [`App::extent`] says.
pub fn update(app: &mut App, msg: Message) {
    // `q` leaves only when pressed twice in a row: anything else in between asks again.
    if !matches!(msg, Message::Quit | Message::Resize(..)) {
        app.quit_armed = false;
    }
    match app.mode.clone() {
        Mode::Edit { field, line } => edit_mode(app, msg, field, line),
        Mode::Prompt { kind, line } => prompt_mode(app, msg, kind, line),
        Mode::ConfirmOverwrite { path, plot } => confirm_mode(app, msg, path, plot),
        Mode::Help { scroll } => {
            let max = app.extent.help.saturating_sub(1) as u16;
            overlay_mode(app, msg, scroll, max, false);
        }
        Mode::Output { scroll, .. } => {
            let max = app.extent.output.saturating_sub(1) as u16;
            overlay_mode(app, msg, scroll, max, true);
        }
        Mode::About { scroll, tour } => {
            if tour && msg == Message::Activate {
                app.mode = Mode::Normal;
                act(app, Command::Replay(None));
            } else {
                let max = app.extent.about.saturating_sub(1) as u16;
                overlay_mode(app, msg, scroll, max, true);
            }
        }
        Mode::Normal => normal_mode(app, msg),
    }
    if app.screen == super::app::Screen::Lens {
        explore::refresh_lens(app);
    }
    settle(app);
}

/// Keys in a box: scrolling, closing; with `pass_through` (the output of a `:` command) a
/// pane key closes the box and does what it does on the panes.
fn overlay_mode(app: &mut App, msg: Message, scroll: u16, max: u16, pass_through: bool) {
    let page = app.size.height.saturating_sub(8).max(1);
    let to = match msg {
        Message::Cancel => {
            app.mode = Mode::Normal;
            return;
        }
        Message::Resize(w, h) => {
            app.size = Size::new(w, h);
            return;
        }
        Message::Move(Dir::Up) => scroll.saturating_sub(1),
        Message::Move(Dir::Down) => scroll.saturating_add(1),
        Message::Page(Dir::Up) => scroll.saturating_sub(page),
        Message::Page(_) => scroll.saturating_add(page),
        Message::First => 0,
        Message::Last => max,
        Message::Quit => {
            app.mode = Mode::Normal;
            return;
        }
        Message::Confirm(_)
        | Message::Edit(_)
        | Message::Submit
        | Message::Click(..)
        | Message::Wheel(..) => return,
        _ if !pass_through => return,
        // A pane key closes the box and does what it does there.
        other => {
            app.mode = Mode::Normal;
            normal_mode(app, other);
            return;
        }
    }
    .min(max);
    match &mut app.mode {
        Mode::Help { scroll } | Mode::Output { scroll, .. } | Mode::About { scroll, .. } => {
            *scroll = to;
        }
        _ => {}
    }
}

fn apply_edit(line: &mut LineEdit, e: Edit) {
    match e {
        Edit::Insert(s) => line.insert(&s),
        Edit::Backspace => line.backspace(),
        Edit::Delete => line.delete(),
        Edit::Left => line.left(),
        Edit::Right => line.right(),
        Edit::Home => line.home(),
        Edit::End => line.end(),
        Edit::Clear => line.clear(),
        Edit::Older | Edit::Newer | Edit::Complete => {}
    }
}

/// The line `e` recalls from the history (`None`: nothing to recall).
fn recall(app: &mut App, e: &Edit) -> Option<LineEdit> {
    let n = app.history.len();
    let to = match (e, app.recall) {
        (Edit::Older, None) if n > 0 => Some(n - 1),
        (Edit::Older, Some(i)) => Some(i.saturating_sub(1)),
        (Edit::Newer, Some(i)) if i + 1 < n => Some(i + 1),
        (Edit::Newer, Some(_)) => None,
        _ => return None,
    };
    app.recall = to;
    Some(match to {
        Some(i) => LineEdit::new(&app.history[i]),
        None => LineEdit::default(),
    })
}

fn edit_mode(app: &mut App, msg: Message, field: Field, mut line: LineEdit) {
    match msg {
        Message::Edit(e) => {
            apply_edit(&mut line, e);
            app.mode = Mode::Edit { field, line };
        }
        Message::Submit => {
            let text = line.text().trim().to_string();
            let cmd = match field {
                Field::Source => Command::Text(text),
                Field::Target => Command::Target(text),
            };
            // On error the editor stays open with the text, to be fixed or cancelled.
            if run(app, cmd).is_ok() {
                app.mode = Mode::Normal;
            }
        }
        Message::Cancel => {
            app.mode = Mode::Normal;
            tell(app, Msg::EditCancelled);
        }
        Message::Resize(w, h) => app.size = Size::new(w, h),
        _ => {}
    }
}

fn prompt_mode(app: &mut App, msg: Message, kind: PromptKind, mut line: LineEdit) {
    match msg {
        Message::Edit(e @ (Edit::Older | Edit::Newer)) => {
            if let Some(l) = recall(app, &e) {
                app.mode = Mode::Prompt { kind, line: l };
            }
        }
        Message::Edit(Edit::Complete) if kind == PromptKind::Command => {
            complete_prompt(app, &mut line);
            app.mode = Mode::Prompt { kind, line };
        }
        Message::Edit(e) => {
            apply_edit(&mut line, e);
            app.mode = Mode::Prompt { kind, line };
        }
        Message::Cancel if kind == PromptKind::Answer => {
            // Leave the practice; the score and the session stay.
            app.mode = Mode::Normal;
            if app.session.practice().is_some() {
                act(app, Command::StopPractice);
            }
        }
        Message::Cancel => app.mode = Mode::Normal,
        Message::Resize(w, h) => app.size = Size::new(w, h),
        Message::Submit if kind == PromptKind::Answer => {
            app.mode = Mode::Normal;
            submit_answer(app, line);
        }
        Message::Submit => {
            app.mode = Mode::Normal;
            if app
                .status
                .as_ref()
                .is_some_and(|s| s.text.starts_with("Tab: "))
            {
                app.status = None;
            }
            match kind {
                PromptKind::Command => command_line(app, line.text()),
                PromptKind::CheckpointPath | PromptKind::ForceToken => {
                    screens::submit(app, kind, line.text());
                }
                PromptKind::Answer => {}
                PromptKind::PlotPath => {
                    let p = line.text().trim();
                    if p.is_empty() {
                        key_error(app, crate::i18n::ui::KeyError::NothingWritten);
                    } else {
                        // The matrix on screen: the gradient in the gradient view.
                        let mut at = app.session.cell_address();
                        if app.grad_view && app.session.current_gradient().is_some() {
                            at.name = format!("grad.{}", at.name);
                        }
                        plot(app, at, PathBuf::from(p), false);
                    }
                }
                PromptKind::SavePath => {
                    let p = line.text().trim();
                    if p.is_empty() {
                        key_error(app, crate::i18n::ui::KeyError::NothingSaved);
                    } else {
                        save(app, PathBuf::from(p), false);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Enter at the answer prompt: grade the numbers (the prompt stays open with the text when
/// they cannot be read or do not fit, and opens again for the next question).
fn submit_answer(app: &mut App, line: LineEdit) {
    let text = line.text().trim();
    let cmd = match crate::command::parse(&format!("answer {text}")) {
        Ok(Some(c)) => c,
        Ok(None) => return open_answer(app, line),
        Err(e) => {
            say_parse_error(app, &e);
            return open_answer(app, line);
        }
    };
    match run(app, cmd) {
        Ok(_) => {
            app.scroll.detail = 0;
            if app.session.practice().is_some() {
                open_answer(app, LineEdit::default());
            }
        }
        Err(_) => open_answer(app, line),
    }
}

fn open_answer(app: &mut App, line: LineEdit) {
    app.mode = Mode::Prompt {
        kind: PromptKind::Answer,
        line,
    };
}

/// `P`: practise the selected cell, or its row on a softmax or LayerNorm step.
fn start_practice(app: &mut App) {
    if app.session.practice().is_some() {
        return open_answer(app, LineEdit::default());
    }
    let Some(step) = app.session.current_step() else {
        return;
    };
    let mut addr = app.session.cell_address();
    if matches!(
        step.kind(),
        StepKind::Weights | StepKind::Probs | StepKind::LayerNorm
    ) {
        addr.indices.pop();
    }
    app.grad_view = false;
    if run(app, Command::Practice(Some(addr))).is_ok() {
        app.scroll.detail = 0;
        open_answer(app, LineEdit::default());
    }
}

/// Tab at the `:` prompt: the REPL's completer. One candidate replaces the word; several
/// give their common beginning and are listed in the status line.
fn complete_prompt(app: &mut App, line: &mut LineEdit) {
    use crate::repl::complete::{Slot, Words, complete};
    let words = Words::of(&app.session);
    let Slot::Words(start, cands) = complete(line.text(), line.cursor_byte(), &words) else {
        return;
    };
    match cands.as_slice() {
        [] => tell(app, Msg::NothingToComplete),
        [one] => line.replace_to_cursor(start, one),
        many => {
            let mut common = many[0].clone();
            for c in &many[1..] {
                while !c.starts_with(&common) {
                    common.pop();
                }
            }
            if common.len() > line.cursor_byte().saturating_sub(start) {
                line.replace_to_cursor(start, &common);
            }
            say(
                app,
                StatusKind::Info,
                format!(
                    "Tab: {}",
                    many.iter()
                        .map(|c| c.trim_end())
                        .collect::<Vec<_>>()
                        .join("  ")
                ),
            );
        }
    }
}

fn command_line(app: &mut App, line: &str) {
    let trimmed = line.trim();
    if !trimmed.is_empty() && app.history.last().map(String::as_str) != Some(trimmed) {
        app.history.push(trimmed.to_string());
    }
    let cmd = match crate::command::parse(line) {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(e) => {
            say_parse_error(app, &e);
            show_whole_error(app, line);
            return;
        }
    };
    if let Command::Save { path, force } = cmd {
        save(app, path, force);
        return;
    }
    let practising = matches!(cmd, Command::Practice(_) | Command::Answer(_));
    match run(app, cmd) {
        // The question (or the grading) is in the detail pane; the answer goes below.
        Ok(_) if practising => {
            app.scroll.detail = 0;
            if app.session.practice().is_some() {
                open_answer(app, LineEdit::default());
            }
        }
        Ok(o) if !o.shows_itself && o.text.trim_end().lines().count() > 1 => {
            app.mode = Mode::Output {
                title: line.trim().to_string(),
                text: o.text,
                scroll: 0,
            };
        }
        Ok(_) => {}
        Err(_) => show_whole_error(app, line),
    }
}

/// An error longer than the status line opens in a box, wrapped, so that no part of it
/// (a list of allowed values, the usage) is cut off.
fn show_whole_error(app: &mut App, line: &str) {
    let Some(st) = &app.status else { return };
    if crate::render::width(&st.text) <= usize::from(app.size.width) {
        return;
    }
    let w = usize::from(app.size.width.saturating_sub(6)).max(20);
    app.mode = Mode::Output {
        title: line.trim().to_string(),
        text: crate::render::wrap(&st.text, w).join("\n"),
        scroll: 0,
    };
}

/// What `q` warns about before leaving: training updates no checkpoint holds, else
/// unsaved changes ([`qkv::session::Session::is_dirty`] decides whether to warn).
pub(super) fn quit_warning(app: &App) -> String {
    match app.session.unsaved_updates() {
        0 => Msg::UnsavedQuit.text(app.lang),
        n => Msg::UnsavedTraining(n).text(app.lang),
    }
}

fn save(app: &mut App, path: PathBuf, force: bool) {
    let result = run(
        app,
        Command::Save {
            path: path.clone(),
            force,
        },
    );
    if let Err(SessionError::Save(
        SaveError::WouldOverwrite { .. } | SaveError::ChangedOnDisk { .. },
    )) = result
    {
        let text = Msg::OverwriteNotLoaded(path.display().to_string()).text(app.lang);
        say(app, StatusKind::Warning, text);
        app.mode = Mode::ConfirmOverwrite { path, plot: None };
    }
}

/// `x`: the matrix at `at` (the selected cell of the step and head on screen) to `path`.
fn plot(app: &mut App, at: Address, path: PathBuf, force: bool) {
    let result = run(
        app,
        Command::Plot {
            address: at.clone(),
            path: path.clone(),
            force,
        },
    );
    if let Err(SessionError::Plot(PlotError::WouldOverwrite { .. })) = result {
        let text = Msg::OverwriteExists(path.display().to_string()).text(app.lang);
        say(app, StatusKind::Warning, text);
        app.mode = Mode::ConfirmOverwrite {
            path,
            plot: Some(at),
        };
    }
}

fn confirm_mode(app: &mut App, msg: Message, path: PathBuf, at: Option<Address>) {
    match msg {
        Message::Confirm(true) => {
            app.mode = Mode::Normal;
            match at {
                Some(at) => plot(app, at, path, true),
                None => save(app, path, true),
            }
        }
        Message::Confirm(false) | Message::Cancel => {
            app.mode = Mode::Normal;
            tell(
                app,
                if at.is_some() {
                    Msg::NotWritten
                } else {
                    Msg::NotSaved
                },
            );
        }
        Message::Resize(w, h) => app.size = Size::new(w, h),
        _ => {}
    }
}
