//! `update`: what each [`Message`] does to the [`App`]. Study state changes only through
//! [`Session::apply`](crate::session::Session::apply) with a [`Command`]; everything else here
//! is view state. Runs without a terminal (the size is part of the app), so it is unit-tested
//! directly.

use std::path::PathBuf;

use ratatui::layout::{Rect, Size};

use crate::command::{Command, LearnCommand, Switch};
use crate::model::{MaskKind, Norm, Positional};
use crate::plot::PlotError;
use crate::scenario::io::SaveError;
use crate::session::{Outcome, SessionError};
use crate::trace::{Address, Step, StepKind};

use super::app::{App, Field, LineEdit, Mode, Pane, PromptKind, Status, StatusKind};
use super::layout::{self, Hit};
use super::message::{Dir, Edit, Message};
use super::tree::{Node, Tree};
use super::view::{detail_line_count, help_lines};

/// File name offered by `w` when the session has none yet.
pub const DEFAULT_SAVE_NAME: &str = "qkv-session.yaml";

pub(super) fn say(app: &mut App, kind: StatusKind, text: impl Into<String>) {
    app.status = Some(Status {
        kind,
        text: text.into(),
    });
}

/// True for commands that may give a new trace (rerun, load, hand-check).
fn may_change_trace(cmd: &Command) -> bool {
    !matches!(
        cmd,
        Command::Show(_)
            | Command::Explain(_)
            | Command::Layer(_)
            | Command::Head(_)
            | Command::Cell(..)
            | Command::Next
            | Command::Prev
            | Command::Replay(None)
            | Command::StopReplay
            | Command::SetPrecision(_)
            | Command::Diff
            | Command::Save { .. }
            | Command::Check
            | Command::Export { .. }
            | Command::Plot { .. }
            | Command::Redirect { .. }
            | Command::Params
            | Command::Note(_)
            | Command::Help(_)
            | Command::Practice(_)
            | Command::StopPractice
            | Command::Answer(_)
            | Command::Quit { .. }
            | Command::Learn(_)
            | Command::Explore(_)
    ) || matches!(cmd, Command::Learn(LearnCommand::CheckpointLoad(_)))
}

/// Applies `cmd` to the session and reflects the outcome in the view state: status line,
/// highlighted changes, tree, tree cursor. On error nothing but the status line changes.
pub(super) fn run(app: &mut App, cmd: Command) -> Result<Outcome, SessionError> {
    let before = app.session.cursor().step.clone();
    let structural = may_change_trace(&cmd);
    let is_quit = matches!(cmd, Command::Quit { .. });
    match app.session.apply(cmd) {
        Ok(o) => {
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
                app.tree = Tree::of(app.session.trace());
                if o.diff.is_none() {
                    app.open.clear();
                }
            }
            if app.session.cursor().step != before || structural {
                app.tree_sel = Node::Step(app.session.cursor().step.clone());
                app.scroll.detail = 0;
            }
            if o.quit {
                app.running = false;
            }
            if is_quit && !o.quit {
                say(
                    app,
                    StatusKind::Warning,
                    "unsaved changes: w saves them; q again leaves without saving",
                );
            } else if !o.status.is_empty() {
                say(app, StatusKind::Info, o.status.clone());
            }
            Ok(o)
        }
        Err(e) => {
            say(app, StatusKind::Error, format!("error: {e}"));
            Err(e)
        }
    }
}

/// Carries out one message.
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
            let w = app.size.width.saturating_sub(4).min(96).saturating_sub(2);
            let max = help_lines(w).len().saturating_sub(1) as u16;
            overlay_mode(app, msg, scroll, max, false);
        }
        Mode::Output { text, scroll, .. } => {
            let w = usize::from(app.size.width.saturating_sub(6));
            let max = super::view::output_lines(&text, w).len().saturating_sub(1) as u16;
            overlay_mode(app, msg, scroll, max, true);
        }
        Mode::About { scroll, tour } => {
            if tour && msg == Message::Activate {
                app.mode = Mode::Normal;
                let _ = run(app, Command::Replay(None));
            } else {
                let w = usize::from(app.size.width.saturating_sub(6));
                let (_, text) = super::view::about_text(app, tour);
                let max = super::view::output_lines(&text, w).len().saturating_sub(1) as u16;
                overlay_mode(app, msg, scroll, max, true);
            }
        }
        Mode::Normal => normal_mode(app, msg),
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
            say(app, StatusKind::Info, "edit cancelled; nothing changed");
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
                let _ = run(app, Command::StopPractice);
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
                    super::screens::submit(app, kind, line.text());
                }
                PromptKind::Answer => {}
                PromptKind::PlotPath => {
                    let p = line.text().trim();
                    if p.is_empty() {
                        say(
                            app,
                            StatusKind::Error,
                            "error: no file name given; nothing written",
                        );
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
                        say(
                            app,
                            StatusKind::Error,
                            "error: no file name given; nothing saved",
                        );
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
            say(app, StatusKind::Error, format!("error: {e}"));
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
        [] => say(app, StatusKind::Info, "Tab: nothing to complete here"),
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

/// Commands whose result the panes already show (a new step, head, cell, tour stop): their
/// text output is not opened in a box.
fn shows_itself(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Show(Some(_))
            | Command::Explain(_)
            | Command::Layer(_)
            | Command::Head(_)
            | Command::Cell(..)
            | Command::Next
            | Command::Prev
            | Command::Replay(_)
    )
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
            say(app, StatusKind::Error, format!("error: {e}"));
            show_whole_error(app, line);
            return;
        }
    };
    if let Command::Save { path, force } = cmd {
        save(app, path, force);
        return;
    }
    let boxed = !shows_itself(&cmd);
    let practising = matches!(cmd, Command::Practice(_) | Command::Answer(_));
    match run(app, cmd) {
        // The question (or the grading) is in the detail pane; the answer goes below.
        Ok(_) if practising => {
            app.scroll.detail = 0;
            if app.session.practice().is_some() {
                open_answer(app, LineEdit::default());
            }
        }
        Ok(o) if boxed && o.text.trim_end().lines().count() > 1 => {
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
        say(
            app,
            StatusKind::Warning,
            format!(
                "{} exists and is not the file you loaded: overwrite it? y/n",
                path.display()
            ),
        );
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
        say(
            app,
            StatusKind::Warning,
            format!("{} exists: overwrite it? y/n", path.display()),
        );
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
            say(
                app,
                StatusKind::Info,
                if at.is_some() {
                    "not written"
                } else {
                    "not saved"
                },
            );
        }
        Message::Resize(w, h) => app.size = Size::new(w, h),
        _ => {}
    }
}

fn normal_mode(app: &mut App, msg: Message) {
    if super::explore::handle(app, &msg) || super::screens::handle(app, &msg) {
        return;
    }
    match msg {
        Message::Move(d) => move_in_pane(app, app.focus, d, 1),
        Message::Page(d) => {
            let n = page_size(app, app.focus);
            move_in_pane(app, app.focus, d, n);
        }
        Message::First => match app.focus {
            Pane::Matrix => move_cell_to(app, None, Some(0)),
            Pane::Tree => {
                if let Some(n) = app.tree_rows().first() {
                    app.tree_sel = n.clone();
                }
            }
            Pane::Detail => app.scroll.detail = 0,
        },
        Message::Last => match app.focus {
            Pane::Matrix => {
                let cols = app.session.current_step().map_or(1, |s| s.dims().1);
                move_cell_to(app, None, Some(cols.saturating_sub(1)));
            }
            Pane::Tree => {
                if let Some(n) = app.tree_rows().last() {
                    app.tree_sel = n.clone();
                }
            }
            Pane::Detail => {
                app.scroll.detail = detail_line_count(app).saturating_sub(1) as u16;
            }
        },
        Message::FocusNext => app.focus = app.focus.next(),
        Message::FocusPrev => app.focus = app.focus.prev(),
        Message::NextHead | Message::PrevHead => {
            let fwd = msg == Message::NextHead;
            let heads = app.session.current_step().and_then(Step::heads);
            let h = app.session.cursor().head;
            let to = match heads {
                Some(n) if fwd => (h + 1) % n,
                Some(n) => (h + n - 1) % n,
                // Let the session say why: this step has no heads.
                None => 0,
            };
            let _ = run(app, Command::Head(to));
        }
        Message::NextLayer => {
            let to = app.current_layer().map_or(0, |l| l + 1);
            let _ = run(app, Command::Layer(to));
        }
        Message::PrevLayer => match app.current_layer() {
            Some(0) => say(
                app,
                StatusKind::Error,
                "error: already at layer 0; } goes to the next layer",
            ),
            Some(l) => {
                let _ = run(app, Command::Layer(l - 1));
            }
            None => {
                let _ = run(app, Command::Layer(0));
            }
        },
        Message::NextStep => {
            let _ = run(app, Command::Next);
        }
        Message::PrevStep => {
            let _ = run(app, Command::Prev);
        }
        Message::Activate => {
            if app.focus == Pane::Tree {
                activate_tree(app);
            } else if app.session.tour().is_some() {
                let _ = run(app, Command::Next);
            }
        }
        Message::ToggleMask => {
            let on = app.session.toggles().mask == MaskKind::None;
            let _ = run(
                app,
                Command::Mask(if on { MaskKind::Causal } else { MaskKind::None }),
            );
        }
        Message::ToggleScale => {
            let on = !app.session.toggles().scale;
            let _ = run(app, Command::Scale(switch(on)));
        }
        Message::TogglePe => {
            let on = app
                .session
                .config()
                .is_none_or(|c| c.positional == Positional::None);
            let _ = run(app, Command::Pe(switch(on)));
        }
        Message::ToggleNorm => {
            let pre = app.session.config().is_none_or(|c| c.norm == Norm::Post);
            let _ = run(app, Command::Norm(if pre { Norm::Pre } else { Norm::Post }));
        }
        Message::EditSource | Message::EditTarget => start_edit(app, msg == Message::EditTarget),
        Message::OpenPrompt => {
            app.recall = None;
            app.mode = Mode::Prompt {
                kind: PromptKind::Command,
                line: LineEdit::default(),
            };
        }
        Message::Save => {
            let name = app.session.file().map_or_else(
                || DEFAULT_SAVE_NAME.to_string(),
                |p| p.display().to_string(),
            );
            app.mode = Mode::Prompt {
                kind: PromptKind::SavePath,
                line: LineEdit::suggestion(&name),
            };
        }
        Message::Plot => {
            let mut name = app.session.plot_file_name();
            if app.grad_view && app.session.current_gradient().is_some() {
                name = format!("grad.{name}");
            }
            app.mode = Mode::Prompt {
                kind: PromptKind::PlotPath,
                line: LineEdit::suggestion(&name),
            };
        }
        Message::Replay => {
            // The scenario's title and description first; Enter starts the tour.
            if app.session.tour().is_none() && !app.session.description().is_empty() {
                app.mode = Mode::About {
                    scroll: 0,
                    tour: true,
                };
            } else {
                let _ = run(app, Command::Replay(None));
            }
        }
        Message::Help => app.mode = Mode::Help { scroll: 0 },
        Message::About => {
            app.mode = Mode::About {
                scroll: 0,
                tour: false,
            }
        }
        Message::Quit => {
            if app.session.is_dirty() && !app.quit_armed {
                app.quit_armed = true;
                say(
                    app,
                    StatusKind::Warning,
                    "unsaved changes: w saves them; q again leaves without saving",
                );
            } else {
                let _ = run(app, Command::Quit { force: true });
            }
        }
        Message::Practice => start_practice(app),
        Message::Cancel if app.session.practice().is_some() => {
            let _ = run(app, Command::StopPractice);
        }
        Message::Cancel => {
            if app.session.tour().is_some() {
                let _ = run(app, Command::StopReplay);
            } else {
                app.changes = None;
                app.status = None;
            }
        }
        Message::Click(x, y) => click(app, x, y),
        Message::Wheel(x, y, down) => {
            let pane = match layout::hit(app, x, y) {
                Hit::Tree(_) => Pane::Tree,
                Hit::Cell(..) | Hit::Head(_) | Hit::Matrix => Pane::Matrix,
                Hit::Detail => Pane::Detail,
                Hit::Nothing => return,
            };
            app.focus = pane;
            move_in_pane(app, pane, if down { Dir::Down } else { Dir::Up }, 1);
        }
        Message::Resize(w, h) => app.size = Size::new(w, h),
        // Handled by `screens` (or meaning nothing in the workbench).
        Message::OpenLearn
        | Message::OpenDecode
        | Message::OpenPe
        | Message::OpenScaling
        | Message::OpenHeads
        | Message::ToggleGrad
        | Message::TrainToggle
        | Message::TrainStep
        | Message::Snapshot
        | Message::ForceToken
        | Message::Tick => {}
        Message::Edit(_) | Message::Submit | Message::Confirm(_) => {}
    }
}

fn switch(on: bool) -> Switch {
    if on { Switch::On } else { Switch::Off }
}

fn start_edit(app: &mut App, target: bool) {
    let Some(input) = app.session.input() else {
        say(
            app,
            StatusKind::Error,
            "error: an attention hand-check has no sentence; `:text <sentence>` goes back to the model",
        );
        return;
    };
    let (field, text) = if target {
        match &input.target {
            Some(t) => (
                Field::Target,
                input.target_text.clone().unwrap_or_else(|| t.join(" ")),
            ),
            None => {
                say(
                    app,
                    StatusKind::Error,
                    "error: only an encoder-decoder model has a target sentence; i edits the source",
                );
                return;
            }
        }
    } else {
        (Field::Source, input.text.clone())
    };
    app.mode = Mode::Edit {
        field,
        line: LineEdit::new(&text),
    };
}

/// Rows (or lines) a PageUp/PageDown moves in `pane`.
fn page_size(app: &App, pane: Pane) -> usize {
    let area = Rect::new(0, 0, app.size.width, app.size.height);
    let Some(a) = layout::areas(app, area) else {
        return 1;
    };
    match pane {
        Pane::Matrix => layout::grid(app, a.matrix, app.scroll).map_or(1, |g| g.row_capacity()),
        Pane::Tree => usize::from(layout::inner(a.tree).height).max(1),
        Pane::Detail => usize::from(layout::inner(a.detail).height).max(1),
    }
}

fn move_in_pane(app: &mut App, pane: Pane, d: Dir, n: usize) {
    match pane {
        Pane::Matrix => {
            let c = app.session.cursor();
            let (row, col) = (c.row, c.col);
            match d {
                Dir::Up => move_cell_to(app, Some(row.saturating_sub(n)), None),
                Dir::Down => move_cell_to(app, Some(row.saturating_add(n)), None),
                Dir::Left => move_cell_to(app, None, Some(col.saturating_sub(n))),
                Dir::Right => move_cell_to(app, None, Some(col.saturating_add(n))),
            }
        }
        Pane::Tree => {
            let rows = app.tree_rows();
            let i = rows.iter().position(|r| *r == app.tree_sel).unwrap_or(0);
            match d {
                Dir::Up => {
                    if let Some(r) = rows.get(i.saturating_sub(n)) {
                        app.tree_sel = r.clone();
                    }
                }
                Dir::Down => {
                    let j = (i + n).min(rows.len().saturating_sub(1));
                    if let Some(r) = rows.get(j) {
                        app.tree_sel = r.clone();
                    }
                }
                Dir::Left => tree_close(app),
                Dir::Right => tree_open(app),
            }
        }
        Pane::Detail => {
            let max = detail_line_count(app).saturating_sub(1) as u16;
            let n = n as u16;
            app.scroll.detail = match d {
                Dir::Up | Dir::Left => app.scroll.detail.saturating_sub(n),
                Dir::Down | Dir::Right => app.scroll.detail.saturating_add(n).min(max),
            };
        }
    }
}

/// Moves the cell cursor (clamped to the matrix); does nothing when it would not move.
fn move_cell_to(app: &mut App, row: Option<usize>, col: Option<usize>) {
    let Some(step) = app.session.current_step() else {
        return;
    };
    let (rows, cols) = step.dims();
    let c = app.session.cursor();
    let r = row.unwrap_or(c.row).min(rows.saturating_sub(1));
    let k = col.unwrap_or(c.col).min(cols.saturating_sub(1));
    if (r, k) != (c.row, c.col) {
        let _ = run(app, Command::Cell(r, k));
        app.scroll.detail = 0;
    }
}

fn section_of_sel(app: &App) -> Option<usize> {
    match &app.tree_sel {
        Node::Section(i) | Node::Group(i, _) => Some(*i),
        Node::Step(s) => app.tree.section_of(s),
    }
}

fn tree_close(app: &mut App) {
    let Some(i) = section_of_sel(app) else { return };
    if let Some(s) = app.tree.sections.get(i) {
        if app.tree_sel == Node::Section(i) {
            app.open.insert(s.key.clone(), false);
        } else {
            app.tree_sel = Node::Section(i);
        }
    }
}

fn tree_open(app: &mut App) {
    if let Node::Section(i) = app.tree_sel
        && let Some(s) = app.tree.sections.get(i)
    {
        app.open.insert(s.key.clone(), true);
    }
}

fn show_step(app: &mut App, name: &str) {
    let _ = run(
        app,
        Command::Show(Some(Address {
            name: name.to_string(),
            indices: vec![],
        })),
    );
}

fn activate_tree(app: &mut App) {
    match app.tree_sel.clone() {
        Node::Section(i) => {
            let open = app.is_open(i);
            if let Some(s) = app.tree.sections.get(i) {
                app.open.insert(s.key.clone(), !open);
            }
        }
        Node::Group(si, gi) => {
            let first = app
                .tree
                .sections
                .get(si)
                .and_then(|s| s.groups.get(gi))
                .and_then(|g| g.steps.first())
                .cloned();
            if let Some(name) = first {
                show_step(app, &name);
            }
        }
        Node::Step(name) => show_step(app, &name),
    }
}

fn click(app: &mut App, x: u16, y: u16) {
    match layout::hit(app, x, y) {
        Hit::Tree(node) => {
            app.focus = Pane::Tree;
            app.tree_sel = node;
            activate_tree(app);
        }
        Hit::Cell(r, c) => {
            app.focus = Pane::Matrix;
            move_cell_to(app, Some(r), Some(c));
        }
        Hit::Head(h) => {
            app.focus = Pane::Matrix;
            if h != app.session.cursor().head {
                let _ = run(app, Command::Head(h));
            }
        }
        Hit::Matrix => app.focus = Pane::Matrix,
        Hit::Detail => app.focus = Pane::Detail,
        Hit::Nothing => {}
    }
}

/// Keeps the view state consistent after any change: the tree cursor on a visible line, and
/// the matrix and tree windows scrolled to show their cursors.
pub(super) fn settle(app: &mut App) {
    let rows = app.tree_rows();
    if !rows.contains(&app.tree_sel) {
        let fallback = match &app.tree_sel {
            Node::Step(s) => app.tree.section_of(s).map(Node::Section),
            Node::Section(i) | Node::Group(i, _) => {
                (*i < app.tree.sections.len()).then_some(Node::Section(*i))
            }
        };
        app.tree_sel = fallback
            .filter(|n| rows.contains(n))
            .unwrap_or_else(|| Node::Step(app.session.cursor().step.clone()));
        if !rows.contains(&app.tree_sel)
            && let Some(first) = rows.first()
        {
            app.tree_sel = first.clone();
        }
    }
    let area = Rect::new(0, 0, app.size.width, app.size.height);
    if let Some(a) = layout::areas(app, area) {
        if let Some(g) = layout::grid(app, a.matrix, app.scroll) {
            app.scroll.row = g.rows.0;
            app.scroll.col = g.cols.0;
        }
        app.scroll.tree = layout::tree_window(app, a.tree, app.scroll).0;
    }
}
