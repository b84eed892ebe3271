//! What a key, a click or a resize means: [`Message`], and [`from_event`] which reads a
//! terminal event in the light of the current mode (in the sentence editor a `q` is a letter,
//! not "quit").

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::app::{App, Mode, PromptKind, Screen};

/// A direction of movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Up.
    Up,
    /// Down.
    Down,
    /// Left.
    Left,
    /// Right.
    Right,
}

/// An editing key for the sentence editor and the prompts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Insert text at the cursor (a typed character or a paste).
    Insert(String),
    /// Delete before the cursor.
    Backspace,
    /// Delete under the cursor.
    Delete,
    /// Cursor left.
    Left,
    /// Cursor right.
    Right,
    /// Cursor to the start.
    Home,
    /// Cursor to the end.
    End,
    /// Empty the line.
    Clear,
    /// The previous line of the command history (`↑` in the `:` prompt).
    Older,
    /// The next line of the command history (`↓` in the `:` prompt).
    Newer,
    /// Tab in the `:` prompt: complete the word under the cursor (the REPL's completer).
    Complete,
}

/// Everything the user can ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Arrow keys / hjkl: move the cell, the tree cursor or scroll, by focused pane.
    Move(Dir),
    /// PageUp / PageDown: a screenful.
    Page(Dir),
    /// Home: first column (or top of the tree / text).
    First,
    /// End: last column (or bottom).
    Last,
    /// Tab: next pane.
    FocusNext,
    /// Shift-Tab: previous pane.
    FocusPrev,
    /// `]`: next head.
    NextHead,
    /// `[`: previous head.
    PrevHead,
    /// `}`: next layer.
    NextLayer,
    /// `{`: previous layer.
    PrevLayer,
    /// `n`: next step in pipeline order (next stop of a tour).
    NextStep,
    /// `p`: previous step (stop).
    PrevStep,
    /// Enter: select the tree line (open or close a section).
    Activate,
    /// `m`: encoder mask on/off.
    ToggleMask,
    /// `s`: scaling by √d_k on/off.
    ToggleScale,
    /// `e`: positional encoding on/off.
    TogglePe,
    /// `o`: post-LN / pre-LN.
    ToggleNorm,
    /// `i`: edit the source sentence.
    EditSource,
    /// `t`: edit the target sentence (encoder-decoder).
    EditTarget,
    /// `:`: the command prompt.
    OpenPrompt,
    /// `w`: save (asks for the file).
    Save,
    /// `x`: write the matrix on screen as an SVG picture (asks for the file).
    Plot,
    /// `r`: replay the scenario's guided tour.
    Replay,
    /// `?`: the key reference.
    Help,
    /// `a`: the scenario's title and description.
    About,
    /// `q`: quit (warns once about unsaved changes).
    Quit,
    /// A key in the editor or a prompt.
    Edit(Edit),
    /// Enter in the editor or a prompt.
    Submit,
    /// Esc: cancel the editor or prompt, close an overlay, clear the highlight.
    Cancel,
    /// y / n to a question.
    Confirm(bool),
    /// Left mouse button at (x, y).
    Click(u16, u16),
    /// Mouse wheel at (x, y): down (`true`) or up.
    Wheel(u16, u16, bool),
    /// The terminal now has this size.
    Resize(u16, u16),
    /// `L`: the Learn view (Esc: back to the workbench).
    OpenLearn,
    /// `d`: the Decode view (Esc: back to the workbench).
    OpenDecode,
    /// `g`: the matrix shows the gradient of the current step (and back).
    ToggleGrad,
    /// Learn view, space: start / pause training.
    TrainToggle,
    /// Learn view, `.`: one training update.
    TrainStep,
    /// Learn view, `k`: keep the current weights as a snapshot.
    Snapshot,
    /// Decode view, `f`: choose the next token yourself.
    ForceToken,
    /// `P`: practice — hide the selected cell (its row for softmax and LayerNorm steps)
    /// and ask for it.
    Practice,
    /// `E`: the positional-encoding explorer (Esc: back to the workbench).
    OpenPe,
    /// `S`: the scaling explorer.
    OpenScaling,
    /// `H`: all heads at once.
    OpenHeads,
    /// No input arrived: time for the next chunk of training.
    Tick,
}

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

fn edit_key(k: &KeyEvent, history: bool) -> Option<Message> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Enter => Message::Submit,
        KeyCode::Esc => Message::Cancel,
        KeyCode::Char('c') if ctrl => Message::Cancel,
        KeyCode::Char('a') if ctrl => Message::Edit(Edit::Home),
        KeyCode::Char('e') if ctrl => Message::Edit(Edit::End),
        KeyCode::Char('u') if ctrl => Message::Edit(Edit::Clear),
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Char(c) => Message::Edit(Edit::Insert(c.to_string())),
        KeyCode::Backspace => Message::Edit(Edit::Backspace),
        KeyCode::Delete => Message::Edit(Edit::Delete),
        KeyCode::Left => Message::Edit(Edit::Left),
        KeyCode::Right => Message::Edit(Edit::Right),
        KeyCode::Home => Message::Edit(Edit::Home),
        KeyCode::End => Message::Edit(Edit::End),
        KeyCode::Tab if history => Message::Edit(Edit::Complete),
        KeyCode::Up if history => Message::Edit(Edit::Older),
        KeyCode::Down if history => Message::Edit(Edit::Newer),
        _ => return None,
    })
}

fn from_key(app: &App, k: &KeyEvent) -> Option<Message> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match app.mode() {
        Mode::Edit { .. } => edit_key(k, false),
        Mode::Prompt { kind, .. } => edit_key(k, *kind == PromptKind::Command),
        Mode::ConfirmOverwrite { .. } => match k.code {
            KeyCode::Char('y' | 'Y') => Some(Message::Confirm(true)),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Message::Confirm(false)),
            KeyCode::Char('c') if ctrl => Some(Message::Confirm(false)),
            _ => None,
        },
        Mode::About { tour: true, .. } if k.code == KeyCode::Char('r') => Some(Message::Activate),
        Mode::Help { .. } | Mode::Output { .. } | Mode::About { .. } => match k.code {
            KeyCode::Enter if matches!(app.mode(), Mode::About { tour: true, .. }) => {
                Some(Message::Activate)
            }
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') => Some(Message::Cancel),
            KeyCode::Char('c') if ctrl => Some(Message::Cancel),
            KeyCode::Up | KeyCode::Char('k') => Some(Message::Move(Dir::Up)),
            KeyCode::Down | KeyCode::Char('j') => Some(Message::Move(Dir::Down)),
            KeyCode::PageUp => Some(Message::Page(Dir::Up)),
            KeyCode::PageDown | KeyCode::Char(' ') => Some(Message::Page(Dir::Down)),
            KeyCode::Home => Some(Message::First),
            KeyCode::End => Some(Message::Last),
            // In the output of a `:` command any other key closes the box and does what it
            // does on the panes (`s` after `:text …` toggles the scaling).
            _ if matches!(app.mode(), Mode::Output { .. } | Mode::About { .. }) => normal_key(k),
            _ => None,
        },
        Mode::Normal if app.screen() == Screen::Learn => Some(match k.code {
            KeyCode::Char('c') if ctrl && app.is_training() => Message::TrainToggle,
            KeyCode::Esc if app.is_training() => Message::TrainToggle,
            KeyCode::Char('c') if ctrl => Message::Quit,
            KeyCode::Char(_) if ctrl => return None,
            KeyCode::Esc | KeyCode::Char('L') => Message::Cancel,
            KeyCode::Char(' ') => Message::TrainToggle,
            KeyCode::Char('.') => Message::TrainStep,
            KeyCode::Char('k') => Message::Snapshot,
            KeyCode::Char(']') => Message::NextHead,
            KeyCode::Char('[') => Message::PrevHead,
            KeyCode::Char('}') => Message::NextLayer,
            KeyCode::Char('{') => Message::PrevLayer,
            KeyCode::Left | KeyCode::Char('<' | ',') => Message::Move(Dir::Left),
            KeyCode::Right | KeyCode::Char('>') => Message::Move(Dir::Right),
            KeyCode::End => Message::Last,
            KeyCode::Char('w') => Message::Save,
            KeyCode::Char('d') => Message::OpenDecode,
            KeyCode::Char(':') => Message::OpenPrompt,
            KeyCode::Char('?') => Message::Help,
            KeyCode::Char('q') => Message::Quit,
            _ => return None,
        }),
        Mode::Normal if app.screen() == Screen::Decode => Some(match k.code {
            KeyCode::Char('c') if ctrl => Message::Quit,
            KeyCode::Char(_) if ctrl => return None,
            KeyCode::Esc | KeyCode::Char('d') => Message::Cancel,
            KeyCode::Char('n') | KeyCode::Right | KeyCode::Enter => Message::NextStep,
            KeyCode::Char('p') | KeyCode::Left | KeyCode::Backspace => Message::PrevStep,
            KeyCode::Char('f') => Message::ForceToken,
            KeyCode::Char('r') => Message::Replay,
            KeyCode::Char('L') => Message::OpenLearn,
            KeyCode::Char(':') => Message::OpenPrompt,
            KeyCode::Char('?') => Message::Help,
            KeyCode::Char('q') => Message::Quit,
            _ => return None,
        }),
        Mode::Normal if matches!(app.screen(), Screen::Pe | Screen::Scaling | Screen::Heads) => {
            explore_key(app.screen(), k)
        }
        Mode::Normal => normal_key(k),
    }
}

/// What a key means in the explorer views (`E`, `S`, `H`).
fn explore_key(screen: Screen, k: &KeyEvent) -> Option<Message> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let own = match screen {
        Screen::Pe => 'E',
        Screen::Scaling => 'S',
        _ => 'H',
    };
    Some(match k.code {
        KeyCode::Char('c') if ctrl => Message::Quit,
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Esc => Message::Cancel,
        KeyCode::Char(c) if c == own => Message::Cancel,
        KeyCode::Char('E') => Message::OpenPe,
        KeyCode::Char('S') => Message::OpenScaling,
        KeyCode::Char('H') => Message::OpenHeads,
        KeyCode::Up | KeyCode::Char('k') => Message::Move(Dir::Up),
        KeyCode::Down | KeyCode::Char('j') => Message::Move(Dir::Down),
        KeyCode::Left | KeyCode::Char('h') => Message::Move(Dir::Left),
        KeyCode::Right | KeyCode::Char('l') => Message::Move(Dir::Right),
        KeyCode::Char(']') => Message::NextHead,
        KeyCode::Char('[') => Message::PrevHead,
        KeyCode::Enter => Message::Activate,
        KeyCode::Char(':') => Message::OpenPrompt,
        KeyCode::Char('?') => Message::Help,
        KeyCode::Char('q') => Message::Quit,
        _ => return None,
    })
}

/// What a key means on the panes.
fn normal_key(k: &KeyEvent) -> Option<Message> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char('c') if ctrl => Message::Quit,
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Up | KeyCode::Char('k') => Message::Move(Dir::Up),
        KeyCode::Down | KeyCode::Char('j') => Message::Move(Dir::Down),
        KeyCode::Left | KeyCode::Char('h') => Message::Move(Dir::Left),
        KeyCode::Right | KeyCode::Char('l') => Message::Move(Dir::Right),
        KeyCode::PageUp => Message::Page(Dir::Up),
        KeyCode::PageDown => Message::Page(Dir::Down),
        KeyCode::Home => Message::First,
        KeyCode::End => Message::Last,
        KeyCode::Tab => Message::FocusNext,
        KeyCode::BackTab => Message::FocusPrev,
        KeyCode::Enter => Message::Activate,
        KeyCode::Esc => Message::Cancel,
        KeyCode::Char(']') => Message::NextHead,
        KeyCode::Char('[') => Message::PrevHead,
        KeyCode::Char('}') => Message::NextLayer,
        KeyCode::Char('{') => Message::PrevLayer,
        KeyCode::Char('n') => Message::NextStep,
        KeyCode::Char('p') => Message::PrevStep,
        KeyCode::Char('m') => Message::ToggleMask,
        KeyCode::Char('s') => Message::ToggleScale,
        KeyCode::Char('e') => Message::TogglePe,
        KeyCode::Char('o') => Message::ToggleNorm,
        KeyCode::Char('i') => Message::EditSource,
        KeyCode::Char('t') => Message::EditTarget,
        KeyCode::Char(':') => Message::OpenPrompt,
        KeyCode::Char('w') => Message::Save,
        KeyCode::Char('x') => Message::Plot,
        KeyCode::Char('r') => Message::Replay,
        KeyCode::Char('a') => Message::About,
        KeyCode::Char('?') => Message::Help,
        KeyCode::Char('q') => Message::Quit,
        KeyCode::Char('L') => Message::OpenLearn,
        KeyCode::Char('d') => Message::OpenDecode,
        KeyCode::Char('g') => Message::ToggleGrad,
        KeyCode::Char('P') => Message::Practice,
        KeyCode::Char('E') => Message::OpenPe,
        KeyCode::Char('S') => Message::OpenScaling,
        KeyCode::Char('H') => Message::OpenHeads,
        _ => return None,
    })
}
