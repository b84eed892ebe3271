//! The workbench's keys, in one table ([`KEYMAP`]): each row gives its keys and the
//! [`Message`] each stands for, where it applies ([`Ctx`]), what it does in the key list of
//! `?` ([`KeyDoc`]) and, when the footer names it, its place there ([`Foot`]).
//!
//! Everything that says what a key does reads this table: the workbench's translation of a
//! key into a message, its footer, its `?` list (both languages), the hints of the
//! scenario's box, `help toggle`, and the reference's key tables (a test compares them).
//! Plain data with no terminal type: the workbench turns its terminal's key events into
//! [`Key`]s.

mod message;
mod table;

pub use message::{Dir, Edit, Message};
pub use table::KEYMAP;

use crate::i18n::ui::{Hint, KeyDoc, KeyGroup};

/// A key as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable key, shifted or not (`L`, `?`, ` `).
    Char(char),
    /// Ctrl with a letter.
    Ctrl(char),
    /// ↑.
    Up,
    /// ↓.
    Down,
    /// ←.
    Left,
    /// →.
    Right,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Enter.
    Enter,
    /// Esc.
    Esc,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// The mouse: a click or the wheel (read by the workbench's mouse handler, never a key
    /// press; here so the list names it).
    Mouse,
}

impl Key {
    /// How the key is written in the footer, `?` and the reference.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
            Key::Tab => "Tab".into(),
            Key::BackTab => "S-Tab".into(),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Backspace => "⌫".into(),
            Key::Delete => "Del".into(),
            Key::Mouse => "mouse".into(),
        }
    }

    fn is_arrow(self) -> bool {
        matches!(self, Key::Up | Key::Down | Key::Left | Key::Right)
    }
}

/// Keys written together: separated by spaces, arrows side by side (`←↑↓→ h j k l`).
pub fn keys_label(keys: &[Key]) -> String {
    let mut s = String::new();
    let mut prev: Option<Key> = None;
    for k in keys {
        if let Some(p) = prev
            && !(p.is_arrow() && k.is_arrow())
        {
            s.push(' ');
        }
        s.push_str(&k.label());
        prev = Some(*k);
    }
    s
}

/// Where a row applies: a screen of the workbench, or a mode over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// The workbench's panes (pipeline, matrix, detail).
    Panes,
    /// The Learn view.
    Learn,
    /// The Decode view.
    Decode,
    /// The positional-encoding explorer.
    Pe,
    /// The scaling explorer.
    Scaling,
    /// The heads explorer.
    Heads,
    /// The logit lens.
    Lens,
    /// The scenario's box before a tour starts (then [`Ctx::Box`]).
    TourBox,
    /// A box: the key list, a command's output, the scenario's description.
    Box,
    /// The sentence editor and every prompt (file names, answers, the `:` prompt).
    Edit,
    /// The `:` prompt only (then [`Ctx::Edit`]).
    Command,
    /// A yes / no question (overwrite a file?).
    Confirm,
}

impl Ctx {
    /// The heading `?` lists the row under.
    pub fn group(self) -> KeyGroup {
        match self {
            Ctx::Panes => KeyGroup::Panes,
            Ctx::Learn => KeyGroup::Learn,
            Ctx::Decode => KeyGroup::Decode,
            Ctx::Pe | Ctx::Scaling | Ctx::Heads | Ctx::Lens => KeyGroup::Explorers,
            Ctx::TourBox | Ctx::Box => KeyGroup::Boxes,
            Ctx::Edit | Ctx::Command => KeyGroup::Editing,
            Ctx::Confirm => KeyGroup::Confirm,
        }
    }
}

/// The screens where the same keys quit, open the prompt and list the keys.
const SCREENS: &[Ctx] = &[
    Ctx::Panes,
    Ctx::Learn,
    Ctx::Decode,
    Ctx::Pe,
    Ctx::Scaling,
    Ctx::Heads,
    Ctx::Lens,
];

/// The explorers.
const EXPLORERS: &[Ctx] = &[Ctx::Pe, Ctx::Scaling, Ctx::Heads, Ctx::Lens];

/// When a row answers its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Always.
    Always,
    /// Only while the Learn view trains.
    Training,
}

/// When the footer names a row (the key works either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Always.
    Always,
    /// When the pipeline pane has the focus.
    Tree,
    /// When the scenario has a sentence (not an attention hand-check).
    Sentence,
    /// When the current step has heads.
    Heads,
    /// When the current step is in a layer.
    Layers,
    /// During a guided tour or a practice question.
    TourOrPractice,
    /// In the sentence editor (not a prompt).
    Editor,
    /// In the sentence editor, or a file name prompt with a suggested name.
    EditorOrSuggested,
}

/// A row's place in the footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Foot {
    /// Lower comes first and stays when the footer is narrow.
    pub prio: u8,
    /// How many of the row's keys the footer names (the first ones).
    pub keys: usize,
    /// What the footer says it does (the workbench may say it more exactly for the state,
    /// e.g. "pause" for "train" while training).
    pub hint: Hint,
    /// When the footer names it.
    pub show: Show,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// Where it applies.
    pub ctx: &'static [Ctx],
    /// Its keys, each with the message it stands for.
    pub keys: &'static [(Key, Message)],
    /// When it answers.
    pub when: When,
    /// What it does, in the key list.
    pub doc: KeyDoc,
    /// Its place in the footer, if the footer names it.
    pub foot: Option<Foot>,
}

impl Binding {
    /// The row's keys.
    pub fn key_list(&self) -> Vec<Key> {
        self.keys.iter().map(|(k, _)| *k).collect()
    }

    /// The heading `?` lists the row under: its first context's.
    pub fn group(&self) -> KeyGroup {
        self.ctx.first().map_or(KeyGroup::Panes, |c| c.group())
    }
}

/// The row that answers `key` in `ctx`, with the message it stands for: a row for while
/// training first (when `training`), then the first row of the table that applies.
pub fn lookup(ctx: Ctx, key: Key, training: bool) -> Option<(&'static Binding, &'static Message)> {
    let now = KEYMAP
        .iter()
        .filter(|b| training && b.when == When::Training);
    let always = KEYMAP.iter().filter(|b| b.when == When::Always);
    now.chain(always).find_map(|b| {
        if !b.ctx.contains(&ctx) {
            return None;
        }
        b.keys.iter().find(|(k, _)| *k == key).map(|(_, m)| (b, m))
    })
}

/// The keys that stand for `msg` in `ctx`, in table order (those another row answers first
/// left out).
pub fn keys_for(ctx: Ctx, msg: &Message) -> Vec<Key> {
    KEYMAP
        .iter()
        .filter(|b| b.ctx.contains(&ctx) && b.when == When::Always)
        .flat_map(|b| b.keys.iter())
        .filter(|(k, m)| m == msg && lookup(ctx, *k, false).is_some_and(|(_, found)| found == msg))
        .map(|(k, _)| *k)
        .collect()
}

/// The first key for `msg` in `ctx`, written as the table writes it ("?" when none, which
/// a test rules out for every message a text names).
pub fn key_for(ctx: Ctx, msg: &Message) -> String {
    keys_for(ctx, msg)
        .first()
        .map_or_else(|| "?".to_string(), |k| k.label())
}

/// One line of `?`: its keys and what they do.
pub type KeyLine = (Vec<Key>, KeyDoc);

/// The rows of `?`: under each heading, rows doing the same thing side by side joined into
/// one line (its keys, what they do).
pub fn key_list() -> Vec<(KeyGroup, Vec<KeyLine>)> {
    KeyGroup::ALL
        .iter()
        .map(|g| {
            let mut lines: Vec<KeyLine> = Vec::new();
            for b in KEYMAP.iter().filter(|b| b.group() == *g) {
                match lines.last_mut() {
                    Some((keys, doc)) if *doc == b.doc => {
                        for k in b.key_list() {
                            if !keys.contains(&k) {
                                keys.push(k);
                            }
                        }
                    }
                    _ => lines.push((b.key_list(), b.doc)),
                }
            }
            (*g, lines)
        })
        .collect()
}

/// The workbench keys `toggle` stands for (mask, scale, positional encoding, norm), as
/// `help toggle` names them.
pub fn toggle_keys() -> String {
    [
        Message::ToggleMask,
        Message::ToggleScale,
        Message::TogglePe,
        Message::ToggleNorm,
    ]
    .iter()
    .map(|m| key_for(Ctx::Panes, m))
    .collect::<Vec<_>>()
    .join(" ")
}

#[cfg(test)]
mod tests;
