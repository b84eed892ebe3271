//! The TUI's model: the study [`Session`] (changed only through [`Session::apply`]) and the
//! view state around it — focused pane, scroll offsets, the open overlay, the edit buffer,
//! tree expansion, the last status line and the changes of the last rerun.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ratatui::layout::Size;

use crate::i18n::Lang;
use crate::i18n::ui::Msg;
use crate::render::width;
use crate::session::{Diff, Session};

use super::tree::{Node, Tree};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The pipeline tree (left).
    Tree,
    /// The matrix of the selected step (centre).
    Matrix,
    /// Formula, explanation and row statistics.
    Detail,
}

impl Pane {
    /// The pane after this one (Tab).
    pub fn next(self) -> Pane {
        match self {
            Pane::Tree => Pane::Matrix,
            Pane::Matrix => Pane::Detail,
            Pane::Detail => Pane::Tree,
        }
    }
    /// The pane before this one (Shift-Tab).
    pub fn prev(self) -> Pane {
        match self {
            Pane::Tree => Pane::Detail,
            Pane::Matrix => Pane::Tree,
            Pane::Detail => Pane::Matrix,
        }
    }
}

/// What fills the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// The workbench: pipeline tree, matrix, details.
    #[default]
    Workbench,
    /// Watch it learn: training, loss curve, attention as the weights move.
    Learn,
    /// Watch it translate: one output token at a time.
    Decode,
    /// The positional-encoding explorer (`E`).
    Pe,
    /// The scaling explorer (`S`).
    Scaling,
    /// All heads at once (`H`).
    Heads,
    /// The logit lens (`W`).
    Lens,
}

/// Which sentence is being edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The source sentence (encoder input).
    Source,
    /// The target sentence (decoder input of an encoder-decoder model).
    Target,
}

/// What a one-line prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `:` — a line of the REPL's command language.
    Command,
    /// `w` — the file to save to.
    SavePath,
    /// `x` — the SVG file to write the matrix on screen to.
    PlotPath,
    /// `w` in the Learn view — the checkpoint file to save to.
    CheckpointPath,
    /// `f` in the Decode view — the token to put next.
    ForceToken,
    /// `P` — the answer to the open practice question.
    Answer,
}

/// A one-line text editor; the cursor is a char index, shown at its display column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineEdit {
    text: String,
    cursor: usize,
    /// The text is a suggestion: the first character typed replaces it (any other key keeps
    /// it for editing).
    suggested: bool,
}

impl LineEdit {
    /// A buffer holding `text`, cursor at the end.
    pub fn new(text: &str) -> LineEdit {
        LineEdit {
            text: text.to_string(),
            cursor: text.chars().count(),
            suggested: false,
        }
    }
    /// A buffer holding a suggestion that typing replaces (Enter accepts it, arrows and
    /// Backspace edit it).
    pub fn suggestion(text: &str) -> LineEdit {
        LineEdit {
            suggested: true,
            ..LineEdit::new(text)
        }
    }
    /// True while the text is an untouched suggestion.
    pub fn is_suggested(&self) -> bool {
        self.suggested
    }
    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// Cursor position in chars.
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    /// Display column of the cursor (wide characters such as 한글 count 2).
    pub fn cursor_column(&self) -> usize {
        width(&self.text.chars().take(self.cursor).collect::<String>())
    }
    fn byte_at(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(b, _)| b)
    }
    /// Inserts `s` at the cursor (line breaks become spaces).
    pub fn insert(&mut self, s: &str) {
        let clean: String = s
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .filter(|c| !c.is_control())
            .collect();
        if std::mem::take(&mut self.suggested) {
            self.clear();
        }
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }
    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        self.suggested = false;
        if self.cursor > 0 {
            let at = self.byte_at(self.cursor - 1);
            self.text.remove(at);
            self.cursor -= 1;
        }
    }
    /// Deletes the character under the cursor.
    pub fn delete(&mut self) {
        self.suggested = false;
        if self.cursor < self.text.chars().count() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }
    /// Moves the cursor one character left.
    pub fn left(&mut self) {
        self.suggested = false;
        self.cursor = self.cursor.saturating_sub(1);
    }
    /// Moves the cursor one character right.
    pub fn right(&mut self) {
        self.suggested = false;
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }
    /// Moves the cursor to the start.
    pub fn home(&mut self) {
        self.suggested = false;
        self.cursor = 0;
    }
    /// Moves the cursor to the end.
    pub fn end(&mut self) {
        self.suggested = false;
        self.cursor = self.text.chars().count();
    }
    /// Replaces the text from byte `start` up to the cursor with `with` (a completion).
    pub fn replace_to_cursor(&mut self, start: usize, with: &str) {
        self.suggested = false;
        let end = self.byte_at(self.cursor);
        if start > end || !self.text.is_char_boundary(start) {
            return;
        }
        self.text.replace_range(start..end, with);
        self.cursor = self.text[..start].chars().count() + with.chars().count();
    }
    /// Byte offset of the cursor.
    pub fn cursor_byte(&self) -> usize {
        self.byte_at(self.cursor)
    }
    /// Empties the buffer.
    pub fn clear(&mut self) {
        self.suggested = false;
        self.text.clear();
        self.cursor = 0;
    }
}

/// What has the keyboard besides the panes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// Panes and single-key commands.
    #[default]
    Normal,
    /// Editing a sentence (Enter reruns, Esc cancels).
    Edit {
        /// Which sentence.
        field: Field,
        /// The buffer.
        line: LineEdit,
    },
    /// A one-line prompt in the status line.
    Prompt {
        /// What for.
        kind: PromptKind,
        /// The buffer.
        line: LineEdit,
    },
    /// `path` exists: overwrite it (y) or not (n)?
    ConfirmOverwrite {
        /// The file.
        path: PathBuf,
        /// The matrix being written by `x` (`None`: the session being saved by `w`).
        plot: Option<crate::trace::Address>,
    },
    /// The key reference.
    Help {
        /// Lines scrolled.
        scroll: u16,
    },
    /// The scenario's title and description (when it opens, `a`, and before a tour).
    About {
        /// Lines scrolled.
        scroll: u16,
        /// Closing it with Enter (or `r`) starts the guided tour.
        tour: bool,
    },
    /// Multi-line output of a `:` command.
    Output {
        /// The command that produced it.
        title: String,
        /// The text.
        text: String,
        /// Lines scrolled.
        scroll: u16,
    },
}

/// How the status line is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    /// What just happened.
    Info,
    /// Needs attention (unsaved changes, a question).
    Warning,
    /// A command failed; nothing changed.
    Error,
}

/// The line above the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Colour.
    pub kind: StatusKind,
    /// Text (one line).
    pub text: String,
}

/// Scroll offsets (first visible row/column or line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scroll {
    /// First matrix row shown.
    pub row: usize,
    /// First matrix column shown.
    pub col: usize,
    /// First tree line shown.
    pub tree: usize,
    /// First detail line shown.
    pub detail: u16,
}

/// The whole TUI state.
#[derive(Debug, Clone)]
pub struct App {
    pub(super) session: Session,
    pub(super) size: Size,
    pub(super) focus: Pane,
    pub(super) mode: Mode,
    pub(super) status: Option<Status>,
    pub(super) tree: Tree,
    /// Sections opened or closed by hand (by key); the others are open when they hold the
    /// cursor.
    pub(super) open: BTreeMap<String, bool>,
    pub(super) tree_sel: Node,
    pub(super) scroll: Scroll,
    pub(super) changes: Option<Diff>,
    pub(super) running: bool,
    /// Lines run at the `:` prompt, oldest first.
    pub(super) history: Vec<String>,
    /// The history line being shown at the prompt (`None`: a new line).
    pub(super) recall: Option<usize>,
    /// `q` was pressed once with unsaved changes: the next `q` (and nothing in between)
    /// leaves.
    pub(super) quit_armed: bool,
    /// What fills the screen.
    pub(super) screen: Screen,
    /// The matrix shows the gradient of the current step (`g`).
    pub(super) grad_view: bool,
    /// Training runs between frames (Learn view, space).
    pub(super) training: bool,
    /// The Learn view's heatmap: which attention-weights step of the probe sentence
    /// (`None`: the last decoder layer's cross-attention) and which head.
    pub(super) learn_pick: (Option<usize>, usize),
    /// The explorer views' state (pair, p, k, d_k, selected head).
    pub(super) explore: super::explore::ExploreView,
    /// The logit lens of the trace with this id (computed when the view opens or the trace
    /// changes while it is open; the view only reads it).
    pub(super) lens: Option<(u64, std::sync::Arc<crate::lens::Table>)>,
    /// The interface language (set by the front end; not part of the session or its file).
    pub(super) lang: Lang,
    /// The scrollable texts' lengths, measured before each update.
    pub(super) extent: Extent,
}

/// How long the scrollable texts are, in lines, as drawn at the app's size: measured by the
/// view ([`super::view::measure`]) before each update, so that `update` can keep scroll
/// offsets in range without depending on the code that draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extent {
    /// The detail pane's explanation and statistics.
    pub detail: usize,
    /// The help box.
    pub help: usize,
    /// The output box of a `:` command (0 when none is open).
    pub output: usize,
    /// The about box (0 when it is not open).
    pub about: usize,
}

impl App {
    /// The app on `session`, for a terminal of `size`, before the tree selection and scroll
    /// offsets are fitted to the screen ([`App::new`] in `update` does both).
    pub(super) fn unsettled(session: Session, size: Size) -> App {
        let tree = Tree::of(session.trace());
        let tree_sel = Node::Step(session.cursor().step.clone());
        let title = session.title().to_string();
        App {
            session,
            size,
            focus: Pane::Matrix,
            mode: Mode::Normal,
            status: Some(Status {
                kind: StatusKind::Info,
                text: Msg::Welcome(title).text(Lang::En),
            }),
            tree,
            open: BTreeMap::new(),
            tree_sel,
            scroll: Scroll::default(),
            changes: None,
            running: true,
            history: Vec::new(),
            recall: None,
            quit_armed: false,
            screen: Screen::Workbench,
            grad_view: false,
            training: false,
            learn_pick: (None, 0),
            explore: super::explore::ExploreView::default(),
            lens: None,
            lang: Lang::En,
            extent: Extent::default(),
        }
    }

    /// The app on `session` speaking `lang` (`--lang`, `QKV_LANG`, the locale).
    pub fn with_lang(session: Session, size: Size, lang: Lang) -> App {
        let mut app = App::new(session, size);
        app.set_lang(lang);
        app
    }

    /// Switches the interface language; the opening status line is said again in it.
    pub fn set_lang(&mut self, lang: Lang) {
        // The scenario's title in each language (`title_ko` under Korean).
        let welcome = |l: Lang| Msg::Welcome(self.session.title_in(l).to_string()).text(l);
        if self
            .status
            .as_ref()
            .is_some_and(|st| st.text == welcome(self.lang))
        {
            self.status = Some(Status {
                kind: StatusKind::Info,
                text: welcome(lang),
            });
        }
        self.lang = lang;
        self.session.set_lang(lang);
    }

    /// The interface language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The study session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The open practice question when it is on the step and head shown (its row and
    /// columns are hidden in the matrix).
    pub fn practice_hidden(&self) -> Option<crate::practice::Target> {
        let s = &self.session;
        if self.grad_view {
            return None;
        }
        let item = s.practice()?.current()?;
        let t = crate::practice::target(s.trace(), &item.address).ok()?;
        (t.step == s.cursor().step && t.head == s.current_head()).then_some(t)
    }

    /// The terminal size the app last heard of.
    pub fn size(&self) -> Size {
        self.size
    }
    /// The focused pane.
    pub fn focus(&self) -> Pane {
        self.focus
    }
    /// The current mode (overlay, prompt, editor).
    pub fn mode(&self) -> &Mode {
        &self.mode
    }
    /// The status line.
    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }
    /// The pipeline tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }
    /// The tree line under the tree cursor.
    pub fn tree_selection(&self) -> &Node {
        &self.tree_sel
    }
    /// Scroll offsets.
    pub fn scroll(&self) -> Scroll {
        self.scroll
    }
    /// What the last rerun changed (highlighted until the next rerun or Esc).
    pub fn changes(&self) -> Option<&Diff> {
        self.changes.as_ref()
    }
    /// Lines run at the `:` prompt, oldest first.
    pub fn history(&self) -> &[String] {
        &self.history
    }
    /// What fills the screen.
    pub fn screen(&self) -> Screen {
        self.screen
    }
    /// True while the matrix shows gradients.
    pub fn grad_view(&self) -> bool {
        self.grad_view
    }
    /// True while training runs between frames.
    pub fn is_training(&self) -> bool {
        self.training
    }
    /// The Learn view's heatmap: (attention-weights step index, head), see the field.
    pub fn learn_pick(&self) -> (Option<usize>, usize) {
        self.learn_pick
    }
    /// The explorer views' state.
    pub fn explore(&self) -> super::explore::ExploreView {
        self.explore
    }
    /// The logit lens of the current trace, when the lens view computed it.
    pub fn lens(&self) -> Option<&crate::lens::Table> {
        self.lens
            .as_ref()
            .filter(|(id, _)| *id == self.session.trace().id())
            .map(|(_, t)| t.as_ref())
    }
    /// False once the user has quit.
    pub fn running(&self) -> bool {
        self.running
    }

    /// True when section `i` of the tree shows its steps.
    pub fn is_open(&self, i: usize) -> bool {
        let Some(s) = self.tree.sections.get(i) else {
            return false;
        };
        match self.open.get(&s.key) {
            Some(open) => *open,
            None => s.contains(&self.session.cursor().step),
        }
    }

    /// The tree lines shown.
    pub fn tree_rows(&self) -> Vec<Node> {
        self.tree.rows(|i, _| self.is_open(i))
    }

    /// Layer of the cursor's step (`enc.1.…` → 1), if it is inside a layer.
    pub fn current_layer(&self) -> Option<usize> {
        crate::trace::StepName::parse(&self.session.cursor().step)?.layer_index()
    }
}
