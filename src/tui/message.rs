//! What a key, a click or a resize means: [`from_event`] reads a terminal event in the light
//! of the current mode (in the sentence editor a `q` is a letter, not "quit"). Keys mean what
//! the key table [`crate::keymap::KEYMAP`] says; [`contexts`] says which of its contexts apply.

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::keymap::{Ctx, Key, lookup};
pub use crate::keymap::{Dir, Edit, Message};

use super::app::{App, Mode, PromptKind, Screen};

/// The message a terminal event stands for, given the current mode; `None` for events that
/// mean nothing here.
pub fn from_event(app: &App, event: &Event) -> Option<Message> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => from_key(app, k),
        Event::Mouse(m) => from_mouse(app, m),
        Event::Resize(w, h) => Some(Message::Resize(*w, *h)),
        Event::Paste(s) if matches!(app.mode(), Mode::Edit { .. } | Mode::Prompt { .. }) => {
            Some(Message::Edit(Edit::Insert(s.clone())))
        }
        _ => None,
    }
}

fn from_mouse(app: &App, m: &MouseEvent) -> Option<Message> {
    if !matches!(app.mode(), Mode::Normal) {
        return match m.kind {
            MouseEventKind::ScrollDown => Some(Message::Move(Dir::Down)),
            MouseEventKind::ScrollUp => Some(Message::Move(Dir::Up)),
            _ => None,
        };
    }
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Message::Click(m.column, m.row)),
        MouseEventKind::ScrollDown => Some(Message::Wheel(m.column, m.row, true)),
        MouseEventKind::ScrollUp => Some(Message::Wheel(m.column, m.row, false)),
        _ => None,
    }
}

/// The table's name for a terminal key (`None` for a key the table has no name for).
pub fn key_of(k: &KeyEvent) -> Option<Key> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        _ => return None,
    })
}

/// The contexts of the key table that apply now, the first that answers a key wins: a box
/// over the panes passes the keys it does not take to the panes (a pane key closes it and
/// acts), the `:` prompt adds its own keys to the editor's.
pub fn contexts(app: &App) -> &'static [Ctx] {
    match app.mode() {
        Mode::Edit { .. } => &[Ctx::Edit],
        Mode::Prompt {
            kind: PromptKind::Command,
            ..
        } => &[Ctx::Command, Ctx::Edit],
        Mode::Prompt { .. } => &[Ctx::Edit],
        Mode::ConfirmOverwrite { .. } => &[Ctx::Confirm],
        Mode::Help { .. } => &[Ctx::Box],
        Mode::About { tour: true, .. } => &[Ctx::TourBox, Ctx::Box, Ctx::Panes],
        Mode::Output { .. } | Mode::About { .. } => &[Ctx::Box, Ctx::Panes],
        Mode::Normal => match app.screen() {
            Screen::Workbench => &[Ctx::Panes],
            Screen::Learn => &[Ctx::Learn],
            Screen::Decode => &[Ctx::Decode],
            Screen::Pe => &[Ctx::Pe],
            Screen::Scaling => &[Ctx::Scaling],
            Screen::Heads => &[Ctx::Heads],
            Screen::Lens => &[Ctx::Lens],
        },
    }
}

fn from_key(app: &App, k: &KeyEvent) -> Option<Message> {
    let key = key_of(k)?;
    let found = contexts(app)
        .iter()
        .find_map(|c| lookup(*c, key, app.is_training()));
    match (found, key) {
        (Some((_, msg)), _) => Some(msg.clone()),
        // In the editor and the prompts a printable key is typed.
        (None, Key::Char(c)) if matches!(app.mode(), Mode::Edit { .. } | Mode::Prompt { .. }) => {
            Some(Message::Edit(Edit::Insert(c.to_string())))
        }
        (None, _) => None,
    }
}
