//! The command language shared by the REPL and the TUI's `:` prompt, and its parser.
//!
//! One command per line; `#` starts a comment line. See [`COMMANDS`] (also `help`).

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use crate::model::{MaskKind, Norm};
use crate::scenario::fields::MODEL_FIELDS;
use crate::scenario::schema::{ModelSpec, Word};
use crate::trace::{Address, edit_distance};

mod display;
pub mod explore;
pub mod learn;
mod parse;
mod spec;
pub use explore::ExploreCommand;
pub use learn::LearnCommand;
use parse::*;
pub use parse::{parse, parse_rows};
use spec::*;
pub use spec::{Arg, COMMANDS, CommandSpec, ParseArgs, find, help, help_in, summary_in, usage};

/// `on`/`off`-style switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

/// A setting `toggle` flips; the session decides the new value from the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The mask of the self-attention the `mask` command changes.
    Mask,
    /// Scaling by 1/√d_k.
    Scale,
    /// Sinusoidal positional encoding.
    Pe,
    /// Post-LN ↔ pre-LN.
    Norm,
}

/// A matrix typed in a command: rows of numbers.
pub type Rows = Vec<Vec<f64>>;

/// What `attend` computes.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendArgs {
    /// Queries, n × d_k.
    pub q: Rows,
    /// Keys, m × d_k.
    pub k: Rows,
    /// Values, m × d_v; without them `attend` stops at the weights.
    pub v: Option<Rows>,
    /// Causal mask.
    pub causal: bool,
    /// Divide by √d_k.
    pub scale: bool,
}

/// How `show` prints, with the flags of `qkv run`: `--full`, `--precision N`, `--top K`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShowOptions {
    /// Every row and column (no eliding).
    pub full: bool,
    /// Digits after the decimal point for this output only (`None`: the session's).
    pub precision: Option<usize>,
    /// Each row's `K` largest values instead of the matrix.
    pub top: Option<usize>,
}

impl ShowOptions {
    /// `base` changed as these options ask.
    pub fn apply_to(self, base: crate::render::RenderOptions) -> crate::render::RenderOptions {
        crate::render::RenderOptions {
            precision: self.precision.unwrap_or(base.precision),
            top: self.top.or(base.top),
            ..base.with_full(self.full)
        }
    }
}

/// One command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run on a new source sentence.
    Text(String),
    /// Run on a new target sentence (encoder-decoder).
    Target(String),
    /// Show a step, head, row or cell (`None`: list the step names), printed as the options
    /// ask.
    Show(Option<Address>, ShowOptions),
    /// Explain a cell (`None`: the selected cell).
    Explain(Option<Address>),
    /// Move to layer `l` of the current stack.
    Layer(usize),
    /// Move to head `h`.
    Head(usize),
    /// Select cell (row, column).
    Cell(usize, usize),
    /// Next step in pipeline order (or next stop of a tour being replayed).
    Next,
    /// Previous step (or stop).
    Prev,
    /// Encoder mask toggle.
    Mask(MaskKind),
    /// Scaling toggle.
    Scale(Switch),
    /// Positional encoding toggle.
    Pe(Switch),
    /// Norm placement.
    Norm(Norm),
    /// Flip a setting to the other value (`toggle mask`): what the workbench's keys send.
    Toggle(Setting),
    /// Change model fields (`set model.<field> <value>`): the same spec the YAML model
    /// section and the command-line flags fill.
    SetModel(ModelSpec),
    /// Override a token's embedding.
    SetEmbed {
        /// Token.
        token: String,
        /// Vector (d_model values).
        vector: Vec<f64>,
    },
    /// Override a weight.
    SetWeight {
        /// Canonical name.
        name: String,
        /// Rows (one row for a vector).
        rows: Rows,
    },
    /// Digits printed after the decimal point.
    SetPrecision(usize),
    /// The hand-check calculator.
    Attend(AttendArgs),
    /// What changed since the previous run.
    Diff,
    /// Save the session as a scenario.
    Save {
        /// Target file.
        path: PathBuf,
        /// Overwrite whatever is there.
        force: bool,
    },
    /// Load a scenario.
    Load {
        /// The file.
        path: PathBuf,
        /// Discard unsaved changes without asking (`load!`).
        force: bool,
    },
    /// Study the Hugging Face model directory `Some(dir)` (`model load DIR`), or go back to
    /// the model studied before it (`model load`).
    ModelLoad(Option<PathBuf>),
    /// Replay a guided tour (the current scenario's when `None`).
    Replay(Option<PathBuf>),
    /// End the tour being replayed.
    StopReplay,
    /// Run the scenario's expectations.
    Check,
    /// Export trace and weights.
    Export {
        /// The file (.npz or .json).
        path: PathBuf,
        /// Write it even when it is predicted to be larger than the limit (`export!`).
        force: bool,
    },
    /// Write one matrix (a step, one head) as an SVG heatmap or a Markdown, CSV or LaTeX
    /// table; a cell address selects and explains that cell.
    Plot {
        /// The matrix (`name`, `name[h]`) or a cell of it (`name[h][i][j]`).
        address: Address,
        /// The file; its extension gives the format (.svg, .md, .csv, .tex).
        path: PathBuf,
        /// Replace an existing file (`plot!`).
        force: bool,
    },
    /// A printing command whose output goes to a Markdown file (`show … > file.md`).
    Redirect {
        /// The command.
        command: Box<Command>,
        /// The command as typed (before `>`).
        line: String,
        /// The file.
        path: PathBuf,
        /// Replace an existing file (`>!`).
        force: bool,
    },
    /// Parameter count.
    Params,
    /// Attach a note to the current step of the recorded tour.
    Note(String),
    /// Start practice: one cell or row (`Some`), or the scenario's items / a random cell of
    /// the current step (`None`).
    Practice(Option<Address>),
    /// End the practice (the score is kept).
    StopPractice,
    /// Answer the open practice question (one number per cell asked).
    Answer(Vec<f64>),
    /// Help on everything or one command.
    Help(Option<String>),
    /// Gradients, loss, training, decoding, checkpoints.
    Learn(LearnCommand),
    /// An explorer: positional encoding, scaling, all heads.
    Explore(ExploreCommand),
    /// Leave (`force`: even with unsaved changes).
    Quit {
        /// Leave without asking about unsaved changes.
        force: bool,
    },
}

/// A line that is not a valid command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// First word names no command.
    #[error("unknown command {word:?}{}; type `help` for the list", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownCommand {
        /// The word.
        word: String,
        /// Closest command.
        suggestion: Option<String>,
    },
    /// The line is longer than [`crate::limits::MAX_LINE_BYTES`].
    #[error(
        "the line has {len} bytes: a command may have at most {max} (for a larger matrix, put it in a scenario file's `weights`)"
    )]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A required argument is missing.
    #[error("{command} needs {what}: usage `{usage}`")]
    Missing {
        /// Command.
        command: &'static str,
        /// What is missing.
        what: &'static str,
        /// Usage line.
        usage: &'static str,
    },
    /// An argument has the wrong form.
    #[error("{command}: {value:?} is not {expected}; usage `{usage}`")]
    Bad {
        /// Command.
        command: &'static str,
        /// The bad text.
        value: String,
        /// What is accepted.
        expected: String,
        /// Usage line.
        usage: &'static str,
    },
    /// Extra words after a complete command.
    #[error("{command} takes no more arguments, but got {extra:?}; usage `{usage}`")]
    Extra {
        /// Command.
        command: &'static str,
        /// The extra text.
        extra: String,
        /// Usage line.
        usage: &'static str,
    },
}

#[cfg(test)]
mod tests;
