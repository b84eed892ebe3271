//! What the user can ask the workbench for: [`Message`], with its [`Dir`] and [`Edit`]. The
//! keys that stand for each are in [`super::KEYMAP`]; the workbench turns a terminal event into
//! a message (`src/tui/message.rs`) and its `update` acts on it.

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
    /// The previous line of the command history (the `:` prompt).
    Older,
    /// The next line of the command history (the `:` prompt).
    Newer,
    /// The `:` prompt: complete the word under the cursor (the REPL's completer).
    Complete,
}

/// Everything the user can ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Move the cell, the tree cursor or scroll, by focused pane (or a box, an explorer).
    Move(Dir),
    /// A screenful.
    Page(Dir),
    /// First column (or top of the tree / text).
    First,
    /// Last column (or bottom).
    Last,
    /// Next pane.
    FocusNext,
    /// Previous pane.
    FocusPrev,
    /// Next head.
    NextHead,
    /// Previous head.
    PrevHead,
    /// Next layer.
    NextLayer,
    /// Previous layer.
    PrevLayer,
    /// Next step in pipeline order (next stop of a tour).
    NextStep,
    /// Previous step (stop).
    PrevStep,
    /// Select the tree line (open or close a section).
    Activate,
    /// Encoder mask on/off.
    ToggleMask,
    /// Scaling by √d_k on/off.
    ToggleScale,
    /// Positional encoding on/off.
    TogglePe,
    /// Post-LN / pre-LN.
    ToggleNorm,
    /// Edit the source sentence.
    EditSource,
    /// Edit the target sentence (encoder-decoder).
    EditTarget,
    /// The command prompt.
    OpenPrompt,
    /// Save (asks for the file).
    Save,
    /// Write the matrix on screen as an SVG picture (asks for the file).
    Plot,
    /// Replay the scenario's guided tour.
    Replay,
    /// The key reference.
    Help,
    /// The scenario's title and description.
    About,
    /// Quit (warns once about unsaved changes).
    Quit,
    /// A key in the editor or a prompt.
    Edit(Edit),
    /// Run what the editor or a prompt holds.
    Submit,
    /// Cancel the editor or prompt, close an overlay, clear the highlight, go back.
    Cancel,
    /// Yes or no to a question.
    Confirm(bool),
    /// Left mouse button at (x, y).
    Click(u16, u16),
    /// Mouse wheel at (x, y): down (`true`) or up.
    Wheel(u16, u16, bool),
    /// The terminal now has this size.
    Resize(u16, u16),
    /// The Learn view.
    OpenLearn,
    /// The Decode view.
    OpenDecode,
    /// The matrix shows the gradient of the current step (and back).
    ToggleGrad,
    /// Learn view: start / pause training.
    TrainToggle,
    /// Learn view: one training update.
    TrainStep,
    /// Learn view: keep the current weights as a snapshot.
    Snapshot,
    /// Decode view: choose the next token yourself.
    ForceToken,
    /// Practice: hide the selected cell (its row for softmax and LayerNorm steps)
    /// and ask for it.
    Practice,
    /// The positional-encoding explorer.
    OpenPe,
    /// The scaling explorer.
    OpenScaling,
    /// All heads at once.
    OpenHeads,
    /// The logit lens.
    OpenLens,
    /// No input arrived: time for the next chunk of training.
    Tick,
}
