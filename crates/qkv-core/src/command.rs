//! The command language shared by the REPL and the TUI's `:` prompt, and its parser.
//!
//! One command per line; `#` starts a comment line. See [`COMMANDS`] (also `help`).

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use crate::model::{Arch, MaskKind, Norm, Positional, Preset, TokenizerKind};
use crate::trace::{Address, edit_distance};

pub mod explore;
pub mod learn;
pub use explore::ExploreCommand;
pub use learn::LearnCommand;

/// `on`/`off`-style switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

/// A model field `set model.<field>` can change.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelField {
    /// A size preset: its d_model, heads, d_ff, layers and embedding scaling.
    Preset(Preset),
    /// Architecture.
    Arch(Arch),
    /// Width.
    DModel(usize),
    /// Heads.
    Heads(usize),
    /// FFN width.
    DFf(usize),
    /// Layers of both stacks.
    Layers(usize),
    /// Norm placement.
    Norm(Norm),
    /// Scaling by √d_k.
    Scale(bool),
    /// Encoder mask.
    Mask(MaskKind),
    /// Decoder self-attention mask.
    DecMask(MaskKind),
    /// Positional encoding.
    Positional(Positional),
    /// Embeddings × √d_model.
    EmbedScale(bool),
    /// Seed.
    Seed(u64),
    /// LayerNorm eps.
    Eps(f32),
    /// Tokenizer.
    Tokenizer(TokenizerKind),
    /// Longest sentence.
    MaxTokens(usize),
}

/// The fields `set model.<field>` accepts.
pub const MODEL_FIELDS: &[&str] = &[
    "preset",
    "arch",
    "d_model",
    "heads",
    "d_ff",
    "layers",
    "norm",
    "scale",
    "mask",
    "dec_mask",
    "positional",
    "embed_scale",
    "seed",
    "eps",
    "tokenizer",
    "max_tokens",
];

/// A matrix typed in a command: rows of numbers.
pub type Rows = Vec<Vec<f64>>;

/// What `attend` computes.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendArgs {
    /// Queries, n × d_k.
    pub q: Rows,
    /// Keys, m × d_k.
    pub k: Rows,
    /// Values, m × d_v.
    pub v: Rows,
    /// Causal mask.
    pub causal: bool,
    /// Divide by √d_k.
    pub scale: bool,
}

/// One command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run on a new source sentence.
    Text(String),
    /// Run on a new target sentence (encoder-decoder).
    Target(String),
    /// Show a step, head, row or cell (`None`: list the step names).
    Show(Option<Address>),
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
    /// Change a model field.
    SetModel(ModelField),
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

/// One entry of the command reference.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// The command word.
    pub name: &'static str,
    /// Usage line.
    pub usage: &'static str,
    /// What it does.
    pub summary: &'static str,
}

/// Every command, in the order `help` lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "text",
        usage: "text <sentence>",
        summary: "run the model on a new source sentence",
    },
    CommandSpec {
        name: "target",
        usage: "target <sentence>",
        summary: "run on a new decoder-side sentence (encoder-decoder; <bos> is added)",
    },
    CommandSpec {
        name: "show",
        usage: "show [<name>[h][i][j]]",
        summary: "print a step, a head, a row or a cell; alone: list every step",
    },
    CommandSpec {
        name: "explain",
        usage: "explain [<name>[h][i][j]]",
        summary: "the arithmetic behind a cell (default: the selected cell)",
    },
    CommandSpec {
        name: "layer",
        usage: "layer <l>",
        summary: "move to layer l of the current stack",
    },
    CommandSpec {
        name: "head",
        usage: "head <h>",
        summary: "move to head h",
    },
    CommandSpec {
        name: "cell",
        usage: "cell <row> <col>",
        summary: "select a cell of the current step",
    },
    CommandSpec {
        name: "next",
        usage: "next",
        summary: "next step in pipeline order (or next stop of a replayed tour)",
    },
    CommandSpec {
        name: "prev",
        usage: "prev",
        summary: "previous step (or stop)",
    },
    CommandSpec {
        name: "mask",
        usage: "mask [enc|dec] on|off|causal",
        summary: "self-attention mask: the encoder's (the decoder's in a decoder-only model); `mask dec off` lets a decoder see the future",
    },
    CommandSpec {
        name: "scale",
        usage: "scale on|off",
        summary: "divide scores by √d_k or not",
    },
    CommandSpec {
        name: "pe",
        usage: "pe on|off",
        summary: "sinusoidal positional encoding on or off",
    },
    CommandSpec {
        name: "norm",
        usage: "norm pre|post",
        summary: "LayerNorm before the sublayer (pre) or after the residual sum (post)",
    },
    CommandSpec {
        name: "set",
        usage: "set model.<field> <value> | set embed <token> [v, …] | set weight <name> [[…], …] | set precision <n>",
        summary: "change the model, a token's vector, a weight, or the digits shown",
    },
    CommandSpec {
        name: "attend",
        usage: "attend q=[…] k=[[…], …] v=[[…], …] [mask=causal] [scale=on|off]",
        summary: "hand-check calculator: scores, scaled, weights and output with their arithmetic",
    },
    CommandSpec {
        name: "diff",
        usage: "diff",
        summary: "largest change of every step since the previous run",
    },
    CommandSpec {
        name: "note",
        usage: "note <text>",
        summary: "attach a note to the current step of the recorded tour",
    },
    CommandSpec {
        name: "save",
        usage: "save <file> | save! <file>",
        summary: "save the session as a scenario (save! overwrites)",
    },
    CommandSpec {
        name: "load",
        usage: "load <file> | load! <file>",
        summary: "load a scenario (load! discards unsaved changes)",
    },
    CommandSpec {
        name: "replay",
        usage: "replay [<file>]",
        summary: "step through a guided tour (Enter or next for the next stop)",
    },
    CommandSpec {
        name: "check",
        usage: "check",
        summary: "run the scenario's expectations",
    },
    CommandSpec {
        name: "export",
        usage: "export <file.npz|file.json> | export! <file>",
        summary: "write every step and weight for numpy",
    },
    CommandSpec {
        name: "plot",
        usage: "plot <name>[h][i][j] <file.svg|.md|.csv|.tex> | plot! <name>[h] <file>",
        summary: "write a matrix as an SVG heatmap or a Markdown, CSV or LaTeX table; a cell is selected and explained (plot! overwrites)",
    },
    CommandSpec {
        name: "params",
        usage: "params",
        summary: "parameter count of the current model",
    },
    CommandSpec {
        name: "grad",
        usage: "grad [<name>[h][i][j]]",
        summary: "the gradient of the loss with respect to a step or weight (grad.<name>); alone: the current step's",
    },
    CommandSpec {
        name: "loss",
        usage: "loss",
        summary: "the cross-entropy loss of the current sentence and the ids each position should predict",
    },
    CommandSpec {
        name: "train",
        usage: "train [<steps>] | train corpus <file> | train snapshot | train view <i>|live | train reset",
        summary: "train a model with a corpus vocabulary on data/ko-en.tsv (default 10 steps; Ctrl-C stops)",
    },
    CommandSpec {
        name: "translate",
        usage: "translate <sentence>",
        summary: "decode a sentence token by token with the current model (encoder-decoder)",
    },
    CommandSpec {
        name: "generate",
        usage: "generate <text>",
        summary: "continue a text token by token (decoder-only model)",
    },
    CommandSpec {
        name: "decode",
        usage: "decode [start] | decode next [<token>] | decode force <token> | decode back",
        summary: "decode the current sentence one token at a time; a token given is put instead of the model's choice",
    },
    CommandSpec {
        name: "sample",
        usage: "sample <temperature> [<top-k>|all] [<seed>] | sample off",
        summary: "sample the next decodings: p_i ∝ exp(logit_i / T) over the top k, seeded (off: greedy)",
    },
    CommandSpec {
        name: "checkpoint",
        usage: "checkpoint load <file> | checkpoint save <file> | checkpoint save! <file>",
        summary: "load a trained model (.safetensors) or save the model being trained",
    },
    CommandSpec {
        name: "practice",
        usage: "practice [<name>[h][i][j] | <name>[h][i]] | practice stop",
        summary: "predict, then reveal: compute a hidden cell or row by hand and get it graded (alone: the scenario's questions, or a random cell of the current step)",
    },
    CommandSpec {
        name: "answer",
        usage: "answer <number> [<number> …]  (or just type the numbers)",
        summary: "answer the open practice question; graded with the arithmetic beside your number",
    },
    CommandSpec {
        name: "explore",
        usage: explore::usage(),
        summary: "explorers: the PE table, PE(p)·PE(p+k) and the rotation to PE(p+k); Var(q·k) against d_k and softmax rows with/without ÷√d_k; every head's entropy and role",
    },
    CommandSpec {
        name: "help",
        usage: "help [command]",
        summary: "this list, or one command",
    },
    CommandSpec {
        name: "quit",
        usage: "quit | quit!",
        summary: "leave (quit! leaves even with unsaved changes)",
    },
];

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

/// The usage line of `name`.
pub fn usage(name: &str) -> &'static str {
    COMMANDS
        .iter()
        .find(|c| c.name == name)
        .map_or("help", |c| c.usage)
}

fn spec(name: &'static str) -> &'static str {
    usage(name)
}

fn bad(command: &'static str, value: &str, expected: impl Into<String>) -> ParseError {
    ParseError::Bad {
        command,
        value: value.to_string(),
        expected: expected.into(),
        usage: spec(command),
    }
}

fn missing(command: &'static str, what: &'static str) -> ParseError {
    ParseError::Missing {
        command,
        what,
        usage: spec(command),
    }
}

fn no_extra(command: &'static str, rest: &str) -> Result<(), ParseError> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(ParseError::Extra {
            command,
            extra: rest.to_string(),
            usage: spec(command),
        })
    }
}

fn switch(command: &'static str, rest: &str) -> Result<Switch, ParseError> {
    match rest.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(Switch::On),
        "off" | "false" | "no" | "0" => Ok(Switch::Off),
        "" => Err(missing(command, "on or off")),
        _ => Err(bad(command, rest, "on or off")),
    }
}

fn index(command: &'static str, what: &'static str, word: &str) -> Result<usize, ParseError> {
    if word.is_empty() {
        return Err(missing(command, what));
    }
    word.parse()
        .map_err(|_| bad(command, word, "a non-negative integer"))
}

fn bool_word(command: &'static str, word: &str) -> Result<bool, ParseError> {
    switch(command, word).map(|s| s == Switch::On)
}

fn parse_word<T: std::str::FromStr>(command: &'static str, word: &str) -> Result<T, ParseError>
where
    T::Err: fmt::Display,
{
    word.parse::<T>().map_err(|e| ParseError::Bad {
        command,
        value: word.to_string(),
        expected: {
            let m = e.to_string();
            let tail = m.rsplit(": ").next().unwrap_or("a valid value").to_string();
            tail.strip_prefix("expected ")
                .map(str::to_string)
                .unwrap_or(tail)
        },
        usage: spec(command),
    })
}

/// Parses `[1, 2]` (one row) or `[[1, 2], [3, 4]]` (rows) into rows of numbers. The error
/// says what was expected (it reads after "… is not").
pub fn parse_rows(text: &str) -> Result<Rows, String> {
    const EXPECTED: &str = "a list of numbers like [1, 2] or of rows like [[1, 2], [3, 4]]";
    let v: serde_json::Value =
        serde_json::from_str(text.trim()).map_err(|_| EXPECTED.to_string())?;
    let row = |x: &serde_json::Value| -> Option<Vec<f64>> {
        match x {
            serde_json::Value::Array(r) if !r.is_empty() => {
                r.iter().map(serde_json::Value::as_f64).collect()
            }
            _ => None,
        }
    };
    match &v {
        serde_json::Value::Array(items) if items.is_empty() => {
            Err("a non-empty list of numbers".into())
        }
        serde_json::Value::Array(items) if items.iter().all(serde_json::Value::is_number) => {
            row(&v).map(|r| vec![r]).ok_or_else(|| EXPECTED.to_string())
        }
        serde_json::Value::Array(items) => items
            .iter()
            .map(row)
            .collect::<Option<Rows>>()
            .ok_or_else(|| EXPECTED.to_string()),
        _ => Err(EXPECTED.to_string()),
    }
}

/// Splits `key=value key=[..]` arguments, keeping bracketed values whole.
fn key_values(command: &'static str, text: &str) -> Result<Vec<(String, String)>, ParseError> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            return Err(bad(command, rest, "key=value"));
        };
        let key = rest[..eq].trim().to_ascii_lowercase();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(bad(
                command,
                &rest[..eq],
                "a key such as q, k, v, mask or scale",
            ));
        }
        let after = rest[eq + 1..].trim_start();
        let end = if after.starts_with('[') {
            let mut depth = 0i32;
            let mut end = None;
            for (i, c) in after.char_indices() {
                match c {
                    '[' => depth += 1,
                    ']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            end.ok_or_else(|| bad(command, after, "a value with matching [ and ]"))?
        } else {
            after.find(char::is_whitespace).unwrap_or(after.len())
        };
        out.push((key, after[..end].to_string()));
        rest = after[end..].trim_start();
    }
    Ok(out)
}

fn parse_attend(rest: &str) -> Result<AttendArgs, ParseError> {
    const C: &str = "attend";
    let mut q = None;
    let mut k = None;
    let mut v = None;
    let mut causal = false;
    let mut scale = true;
    for (key, value) in key_values(C, rest)? {
        let rows = |value: &str| parse_rows(value).map_err(|e| bad(C, value, e));
        let once = |slot: &Option<Rows>, key: &str| {
            if slot.is_some() {
                Err(bad(
                    C,
                    &format!("{key}={value}"),
                    format!("a second {key}: give {key} once"),
                ))
            } else {
                Ok(())
            }
        };
        match key.as_str() {
            "q" => {
                once(&q, "q")?;
                q = Some(rows(&value)?);
            }
            "k" => {
                once(&k, "k")?;
                k = Some(rows(&value)?);
            }
            "v" => {
                once(&v, "v")?;
                v = Some(rows(&value)?);
            }
            "mask" => {
                causal = match value.to_ascii_lowercase().as_str() {
                    "causal" | "on" => true,
                    "none" | "off" => false,
                    _ => return Err(bad(C, &value, "causal or none")),
                }
            }
            "scale" => scale = bool_word(C, &value)?,
            other => return Err(bad(C, other, "one of q, k, v, mask, scale")),
        }
    }
    Ok(AttendArgs {
        q: q.ok_or_else(|| missing(C, "q=[…]"))?,
        k: k.ok_or_else(|| missing(C, "k=[[…], …]"))?,
        v: v.ok_or_else(|| missing(C, "v=[[…], …]"))?,
        causal,
        scale,
    })
}

fn parse_set(rest: &str) -> Result<Command, ParseError> {
    const C: &str = "set";
    let (what, value) = split_word(rest);
    if what.is_empty() {
        return Err(missing(C, "what to set"));
    }
    if let Some(field) = what.strip_prefix("model.") {
        if value.is_empty() {
            return Err(missing(C, "a value"));
        }
        let f = match field {
            "preset" => ModelField::Preset(parse_word(C, value)?),
            "arch" => ModelField::Arch(parse_word(C, value)?),
            "d_model" => ModelField::DModel(index(C, "a value", value)?),
            "heads" => ModelField::Heads(index(C, "a value", value)?),
            "d_ff" => ModelField::DFf(index(C, "a value", value)?),
            "layers" => ModelField::Layers(index(C, "a value", value)?),
            "norm" => ModelField::Norm(parse_word(C, value)?),
            "scale" => ModelField::Scale(bool_word(C, value)?),
            "mask" => ModelField::Mask(parse_word(C, value)?),
            "dec_mask" => ModelField::DecMask(parse_word(C, value)?),
            "positional" => ModelField::Positional(parse_word(C, value)?),
            "embed_scale" => ModelField::EmbedScale(bool_word(C, value)?),
            "seed" => ModelField::Seed(
                value
                    .parse()
                    .map_err(|_| bad(C, value, "a non-negative integer seed"))?,
            ),
            "eps" => ModelField::Eps(
                value
                    .parse()
                    .map_err(|_| bad(C, value, "a small positive number such as 1e-5"))?,
            ),
            "tokenizer" => ModelField::Tokenizer(parse_word(C, value)?),
            "max_tokens" => ModelField::MaxTokens(index(C, "a value", value)?),
            other => {
                return Err(ParseError::Bad {
                    command: C,
                    value: format!("model.{other}"),
                    expected: format!("a model field: {}", MODEL_FIELDS.join(", ")),
                    usage: "set model.<field> <value>",
                });
            }
        };
        return Ok(Command::SetModel(f));
    }
    match what {
        "embed" => {
            let (token, vector) = split_word(value);
            if token.is_empty() {
                return Err(missing(C, "a token and its vector"));
            }
            if vector.is_empty() {
                return Err(missing(C, "the vector, e.g. [0.12, -0.87, 0.33, 0.55]"));
            }
            let rows = parse_rows(vector).map_err(|e| bad(C, vector, e))?;
            match rows.as_slice() {
                [one] => Ok(Command::SetEmbed {
                    token: token.to_string(),
                    vector: one.clone(),
                }),
                _ => Err(bad(C, vector, "one list of numbers")),
            }
        }
        "weight" => {
            let (name, matrix) = split_word(value);
            if name.is_empty() {
                return Err(missing(C, "a weight name and its value"));
            }
            if matrix.is_empty() {
                return Err(missing(C, "the value, e.g. [[1, 0], [0, 1]]"));
            }
            let rows = parse_rows(matrix).map_err(|e| bad(C, matrix, e))?;
            Ok(Command::SetWeight {
                name: name.to_string(),
                rows,
            })
        }
        "precision" => {
            let p = index(C, "a number of digits", value)?;
            if p > 12 {
                return Err(bad(C, value, "a number of digits from 0 to 12"));
            }
            Ok(Command::SetPrecision(p))
        }
        other => Err(bad(C, other, "model.<field>, embed, weight or precision")),
    }
}

/// First word and the rest (trimmed).
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

fn address(command: &'static str, text: &str) -> Result<Address, ParseError> {
    Address::parse(text).map_err(|e| {
        bad(
            command,
            text,
            e.to_string()
                .rsplit(": ")
                .next()
                .unwrap_or("an address")
                .to_string(),
        )
    })
}

fn path(command: &'static str, rest: &str) -> Result<PathBuf, ParseError> {
    let p = rest.trim().trim_matches('"');
    if p.is_empty() {
        Err(missing(command, "a file name"))
    } else {
        Ok(PathBuf::from(p))
    }
}

/// The printing commands whose output `> file.md` can send to a file. Their arguments never
/// contain `>` (step addresses, numbers, command names); `text`, `target` and `note`, whose
/// sentences may (`<bos>`), are not among them, so a `>` there stays part of the text.
pub const REDIRECTABLE: &[&str] = &[
    "show", "explain", "diff", "check", "params", "help", "?", "grad", "loss",
];

/// `show … > file` / `show … >! file`: the command and the file, when the line is a
/// printing command ([`REDIRECTABLE`]) with a `>`.
fn redirect(line: &str) -> Result<Option<Command>, ParseError> {
    let Some(gt) = line.find('>') else {
        return Ok(None);
    };
    let before = &line[..gt];
    let word = before.split_whitespace().next().unwrap_or("");
    if !REDIRECTABLE.contains(&word.to_ascii_lowercase().as_str()) {
        return Ok(None);
    }
    let after = &line[gt + 1..];
    let (force, file) = match after.strip_prefix('!') {
        Some(f) => (true, f),
        None => (false, after),
    };
    let file = file.trim().trim_matches('"');
    if file.is_empty() {
        return Err(ParseError::Missing {
            command: "show",
            what: "a file name after `>`",
            usage: "<command> > file.md | <command> >! file.md",
        });
    }
    if file.contains('>') {
        return Err(ParseError::Bad {
            command: "show",
            value: after.trim().to_string(),
            expected: "one file name after `>` (or `>!` to overwrite)".into(),
            usage: "<command> > file.md | <command> >! file.md",
        });
    }
    let before = before.trim();
    match parse(before)? {
        Some(c) => Ok(Some(Command::Redirect {
            command: Box::new(c),
            line: before.to_string(),
            path: PathBuf::from(file),
            force,
        })),
        None => Ok(None),
    }
}

/// Parses one line. Blank lines and `#` comments give `Ok(None)`.
pub fn parse(line: &str) -> Result<Option<Command>, ParseError> {
    if line.len() > crate::limits::MAX_LINE_BYTES {
        return Err(ParseError::TooLong {
            len: line.len(),
            max: crate::limits::MAX_LINE_BYTES,
        });
    }
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    if starts_with_number(line) {
        return Ok(Some(Command::Answer(answer_numbers(line)?)));
    }
    if let Some(r) = redirect(line)? {
        return Ok(Some(r));
    }
    let (word, rest) = split_word(line);
    let cmd = match word.to_ascii_lowercase().as_str() {
        "text" => {
            if rest.is_empty() {
                return Err(missing("text", "a sentence"));
            }
            Command::Text(rest.to_string())
        }
        "target" => {
            if rest.is_empty() {
                return Err(missing("target", "a sentence"));
            }
            Command::Target(rest.to_string())
        }
        "show" => Command::Show(if rest.is_empty() {
            None
        } else {
            Some(address("show", rest)?)
        }),
        "explain" => Command::Explain(if rest.is_empty() {
            None
        } else {
            Some(address("explain", rest)?)
        }),
        "layer" => Command::Layer(index("layer", "a layer number", rest)?),
        "head" => Command::Head(index("head", "a head number", rest)?),
        "cell" => {
            let (r, c) = split_word(rest);
            let (c, extra) = split_word(c);
            no_extra("cell", extra)?;
            Command::Cell(index("cell", "a row", r)?, index("cell", "a column", c)?)
        }
        "next" | "n" => {
            no_extra("next", rest)?;
            Command::Next
        }
        "prev" | "p" => {
            no_extra("prev", rest)?;
            Command::Prev
        }
        "mask" => {
            let (first, value) = split_word(rest);
            let (stack, value) = match first.to_ascii_lowercase().as_str() {
                "enc" | "encoder" => (Some(false), value),
                "dec" | "decoder" => (Some(true), value),
                _ => (None, rest),
            };
            let kind = match value.to_ascii_lowercase().as_str() {
                "on" | "causal" => MaskKind::Causal,
                "off" | "none" => MaskKind::None,
                "" => return Err(missing("mask", "on, off or causal")),
                _ => return Err(bad("mask", value, "on, off or causal")),
            };
            match stack {
                None => Command::Mask(kind),
                Some(false) => Command::SetModel(ModelField::Mask(kind)),
                Some(true) => Command::SetModel(ModelField::DecMask(kind)),
            }
        }
        "scale" => Command::Scale(switch("scale", rest)?),
        "pe" => Command::Pe(switch("pe", rest)?),
        "norm" => Command::Norm(match rest.to_ascii_lowercase().as_str() {
            "" => return Err(missing("norm", "pre or post")),
            w => parse_word("norm", w)?,
        }),
        "set" => parse_set(rest)?,
        "attend" => Command::Attend(parse_attend(rest)?),
        "diff" => {
            no_extra("diff", rest)?;
            Command::Diff
        }
        "note" => {
            if rest.is_empty() {
                return Err(missing("note", "the text of the note"));
            }
            Command::Note(rest.to_string())
        }
        "save" => Command::Save {
            path: path("save", rest)?,
            force: false,
        },
        "save!" => Command::Save {
            path: path("save", rest)?,
            force: true,
        },
        "load" => Command::Load {
            path: path("load", rest)?,
            force: false,
        },
        "load!" => Command::Load {
            path: path("load", rest)?,
            force: true,
        },
        "replay" => match rest {
            "" => Command::Replay(None),
            "stop" | "off" => Command::StopReplay,
            _ => Command::Replay(Some(path("replay", rest)?)),
        },
        "check" => {
            no_extra("check", rest)?;
            Command::Check
        }
        "export" => Command::Export {
            path: path("export", rest)?,
            force: false,
        },
        "export!" => Command::Export {
            path: path("export", rest)?,
            force: true,
        },
        "params" => {
            no_extra("params", rest)?;
            Command::Params
        }
        "practice" => match rest.to_ascii_lowercase().as_str() {
            "" => Command::Practice(None),
            "stop" | "end" | "off" => Command::StopPractice,
            _ => Command::Practice(Some(address("practice", rest)?)),
        },
        "answer" => {
            if rest.is_empty() {
                return Err(missing("answer", "a number"));
            }
            Command::Answer(answer_numbers(rest)?)
        }
        w @ ("plot" | "plot!") => {
            let (a, file) = split_word(rest);
            if a.is_empty() {
                return Err(missing("plot", "a step name and a file"));
            }
            Command::Plot {
                address: address("plot", a)?,
                path: path("plot", file)?,
                force: w == "plot!",
            }
        }
        "help" | "?" => Command::Help(if rest.is_empty() {
            None
        } else {
            Some(rest.to_string())
        }),
        "explore" => explore::parse(rest)?,
        w @ ("grad" | "loss" | "train" | "translate" | "generate" | "decode" | "sample"
        | "checkpoint") => match learn::parse(w, rest)? {
            Some(c) => c,
            None => return Ok(None),
        },
        "quit" | "exit" | "q" => {
            no_extra("quit", rest)?;
            Command::Quit { force: false }
        }
        "quit!" | "exit!" | "q!" => Command::Quit { force: true },
        other => {
            let suggestion = COMMANDS
                .iter()
                .map(|c| (edit_distance(c.name, other), c.name))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, n)| n.to_string());
            return Err(ParseError::UnknownCommand {
                word: other.to_string(),
                suggestion,
            });
        }
    };
    Ok(Some(cmd))
}

/// True when the line starts like a number (`10`, `-1`, `.5`, `−0.5`, `[0.9, …]`): an
/// answer to the open practice question.
fn starts_with_number(line: &str) -> bool {
    let t = line.trim_start_matches(['[', '(']).trim_start();
    let t = t
        .strip_prefix(['-', '+', '−'])
        .unwrap_or(t)
        .trim_start_matches('.');
    t.chars().next().is_some_and(|c| c.is_ascii_digit())
        || t.to_ascii_lowercase().starts_with("inf")
}

/// The numbers of an answer: separated by spaces or commas, optionally in brackets; `−`
/// (U+2212) is read as a minus sign.
fn answer_numbers(text: &str) -> Result<Vec<f64>, ParseError> {
    let cleaned = text.replace('−', "-");
    let mut out = Vec::new();
    for w in cleaned
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '(' | ')'))
        .filter(|w| !w.is_empty())
    {
        match w.parse::<f64>() {
            Ok(x) if !x.is_nan() => out.push(x),
            _ => return Err(bad("answer", w, "a number such as 0.25 or -1")),
        }
    }
    if out.is_empty() {
        return Err(missing("answer", "a number"));
    }
    Ok(out)
}

/// The text of `help` (all commands) or `help <command>`.
pub fn help(topic: Option<&str>) -> Result<String, ParseError> {
    match topic {
        None => {
            let w = COMMANDS.iter().map(|c| c.name.len()).max().unwrap_or(0);
            let mut s = String::from("commands (one per line; `help <command>` for its usage):\n");
            for c in COMMANDS {
                s.push_str(&format!("  {:w$}  {}\n", c.name, c.summary));
            }
            s.push_str("addresses: name, name[h] (a head), name[h][i] (a row), name[h][i][j] (a cell); steps without heads drop [h]\n");
            s.push_str("`show … > file.md` (and explain, diff, check, params, help, grad, loss) writes the output as Markdown to a new file; `>!` overwrites\n");
            Ok(s)
        }
        Some(t) => {
            let t = t.trim();
            match COMMANDS.iter().find(|c| c.name == t) {
                Some(c) if c.name == "set" => Ok(format!(
                    "{}\n  {}\n  model fields: {}\n",
                    c.usage,
                    c.summary,
                    MODEL_FIELDS.join(", ")
                )),
                Some(c) => Ok(format!("{}\n  {}\n", c.usage, c.summary)),
                None => Err(parse(t).err().unwrap_or(ParseError::UnknownCommand {
                    word: t.to_string(),
                    suggestion: None,
                })),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> Command {
        parse(line).unwrap().unwrap()
    }

    #[test]
    fn practice_and_answers() {
        assert_eq!(ok("practice"), Command::Practice(None));
        assert_eq!(
            ok("practice scores[0][1]"),
            Command::Practice(Some(Address::parse("scores[0][1]").unwrap()))
        );
        assert_eq!(ok("practice stop"), Command::StopPractice);
        assert_eq!(ok("answer 10"), Command::Answer(vec![10.0]));
        // A line that starts with a number is an answer: commas, brackets, the − sign.
        assert_eq!(ok("-1"), Command::Answer(vec![-1.0]));
        assert_eq!(ok("−0.5"), Command::Answer(vec![-0.5]));
        assert_eq!(ok(".5 2"), Command::Answer(vec![0.5, 2.0]));
        assert_eq!(
            ok("[0.9, 0.0016, 0.09]"),
            Command::Answer(vec![0.9, 0.0016, 0.09])
        );
        assert!(parse("answer").is_err());
        assert!(
            parse("answer 1 two")
                .unwrap_err()
                .to_string()
                .contains("two")
        );
        assert!(parse("1 nan").is_err());
    }

    fn err(line: &str) -> String {
        parse(line).unwrap_err().to_string()
    }

    #[test]
    fn plot_and_redirect_parse_and_a_sentence_keeps_its_gt() {
        assert_eq!(
            ok("plot enc.0.attn.weights[1] w.svg"),
            Command::Plot {
                address: Address::parse("enc.0.attn.weights[1]").unwrap(),
                path: "w.svg".into(),
                force: false,
            }
        );
        assert!(matches!(
            ok("plot! scores m.md"),
            Command::Plot { force: true, .. }
        ));
        assert!(err("plot").contains("needs a step name and a file"));
        assert!(err("plot scores").contains("needs a file name"));
        assert_eq!(
            ok("show enc.0.attn.weights[0] > out/w.md"),
            Command::Redirect {
                command: Box::new(Command::Show(Some(
                    Address::parse("enc.0.attn.weights[0]").unwrap()
                ))),
                line: "show enc.0.attn.weights[0]".into(),
                path: "out/w.md".into(),
                force: false,
            }
        );
        assert!(matches!(
            ok("show>s.md"),
            Command::Redirect { force: false, .. }
        ));
        assert!(matches!(
            ok("explain >! e.md"),
            Command::Redirect { force: true, .. }
        ));
        assert!(matches!(ok("diff > d.md"), Command::Redirect { .. }));
        assert!(err("show scores >").contains("a file name after `>`"));
        assert!(err("show scores > a > b").contains("one file name"));
        // Sentences and notes may hold `>`: no redirection there.
        assert_eq!(ok("text a > b"), Command::Text("a > b".into()));
        assert_eq!(
            ok("target <bos> I go"),
            Command::Target("<bos> I go".into())
        );
        assert_eq!(ok("note q > k here"), Command::Note("q > k here".into()));
    }

    #[test]
    fn every_command_parses() {
        assert_eq!(
            ok("text 나는 학교에 간다"),
            Command::Text("나는 학교에 간다".into())
        );
        assert_eq!(
            ok("target <bos> I go"),
            Command::Target("<bos> I go".into())
        );
        assert_eq!(ok("show"), Command::Show(None));
        assert_eq!(
            ok("show enc.0.attn.weights[0]"),
            Command::Show(Some(Address::parse("enc.0.attn.weights[0]").unwrap()))
        );
        assert!(
            matches!(ok("explain enc.0.attn.scores[0][1][2]"), Command::Explain(Some(a)) if a.indices == [0, 1, 2])
        );
        assert_eq!(ok("explain"), Command::Explain(None));
        assert_eq!(ok("layer 1"), Command::Layer(1));
        assert_eq!(ok("head 0"), Command::Head(0));
        assert_eq!(ok("cell 2 3"), Command::Cell(2, 3));
        assert_eq!(ok("next"), Command::Next);
        assert_eq!(ok("prev"), Command::Prev);
        assert_eq!(ok("mask on"), Command::Mask(MaskKind::Causal));
        assert_eq!(ok("mask causal"), Command::Mask(MaskKind::Causal));
        assert_eq!(ok("mask off"), Command::Mask(MaskKind::None));
        assert_eq!(ok("scale off"), Command::Scale(Switch::Off));
        assert_eq!(ok("pe on"), Command::Pe(Switch::On));
        assert_eq!(ok("norm pre"), Command::Norm(Norm::Pre));
        assert_eq!(
            ok("set model.heads 4"),
            Command::SetModel(ModelField::Heads(4))
        );
        assert_eq!(
            ok("set model.arch decoder"),
            Command::SetModel(ModelField::Arch(Arch::Decoder))
        );
        assert_eq!(
            ok("set model.seed 7"),
            Command::SetModel(ModelField::Seed(7))
        );
        assert_eq!(
            ok("set model.scale off"),
            Command::SetModel(ModelField::Scale(false))
        );
        assert_eq!(
            ok("set embed 바나나 [0.12, -0.87, 0.33, 0.55]"),
            Command::SetEmbed {
                token: "바나나".into(),
                vector: vec![0.12, -0.87, 0.33, 0.55]
            }
        );
        assert_eq!(
            ok("set weight enc.0.attn.W_Q [[1, 0], [0, 1]]"),
            Command::SetWeight {
                name: "enc.0.attn.W_Q".into(),
                rows: vec![vec![1.0, 0.0], vec![0.0, 1.0]]
            }
        );
        assert_eq!(ok("set precision 6"), Command::SetPrecision(6));
        assert_eq!(
            ok(
                "attend q=[1, 2, 3] k=[[2, 1, 2], [0, 1, -1], [1, 1, 1]] v=[[1, 0], [0, 1], [1, 1]]"
            ),
            Command::Attend(AttendArgs {
                q: vec![vec![1.0, 2.0, 3.0]],
                k: vec![
                    vec![2.0, 1.0, 2.0],
                    vec![0.0, 1.0, -1.0],
                    vec![1.0, 1.0, 1.0]
                ],
                v: vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 1.0]],
                causal: false,
                scale: true,
            })
        );
        assert!(
            matches!(ok("attend q=[1] k=[[1]] v=[[1]] mask=causal scale=off"), Command::Attend(a) if a.causal && !a.scale)
        );
        assert_eq!(ok("diff"), Command::Diff);
        assert_eq!(ok("note look here"), Command::Note("look here".into()));
        assert_eq!(
            ok("save my.yaml"),
            Command::Save {
                path: "my.yaml".into(),
                force: false
            }
        );
        assert_eq!(
            ok("save! my.yaml"),
            Command::Save {
                path: "my.yaml".into(),
                force: true
            }
        );
        assert_eq!(
            ok("load scenarios/default.yaml"),
            Command::Load {
                path: "scenarios/default.yaml".into(),
                force: false
            }
        );
        assert_eq!(ok("replay"), Command::Replay(None));
        assert_eq!(ok("replay a.yaml"), Command::Replay(Some("a.yaml".into())));
        assert_eq!(ok("replay stop"), Command::StopReplay);
        assert_eq!(ok("check"), Command::Check);
        assert_eq!(
            ok("export t.npz"),
            Command::Export {
                path: "t.npz".into(),
                force: false
            }
        );
        assert_eq!(
            ok("export! t.json"),
            Command::Export {
                path: "t.json".into(),
                force: true
            }
        );
        assert_eq!(ok("params"), Command::Params);
        assert_eq!(ok("help"), Command::Help(None));
        assert_eq!(ok("help show"), Command::Help(Some("show".into())));
        assert_eq!(ok("quit"), Command::Quit { force: false });
        assert_eq!(ok("exit"), Command::Quit { force: false });
        assert_eq!(ok("quit!"), Command::Quit { force: true });
        assert_eq!(parse("   ").unwrap(), None);
        assert_eq!(parse("# a comment").unwrap(), None);
    }

    #[test]
    fn malformed_commands_say_what_is_wrong() {
        assert_eq!(
            err("shwo"),
            "unknown command \"shwo\" (did you mean `show`?); type `help` for the list"
        );
        assert_eq!(
            err("frobnicate"),
            "unknown command \"frobnicate\"; type `help` for the list"
        );
        assert_eq!(
            err("text"),
            "text needs a sentence: usage `text <sentence>`"
        );
        assert_eq!(
            err("target"),
            "target needs a sentence: usage `target <sentence>`"
        );
        assert_eq!(
            err("layer x"),
            "layer: \"x\" is not a non-negative integer; usage `layer <l>`"
        );
        assert_eq!(
            err("layer"),
            "layer needs a layer number: usage `layer <l>`"
        );
        assert_eq!(
            err("head -1"),
            "head: \"-1\" is not a non-negative integer; usage `head <h>`"
        );
        assert_eq!(
            err("cell 1"),
            "cell needs a column: usage `cell <row> <col>`"
        );
        assert_eq!(
            err("cell 1 2 3"),
            "cell takes no more arguments, but got \"3\"; usage `cell <row> <col>`"
        );
        assert_eq!(
            err("mask maybe"),
            "mask: \"maybe\" is not on, off or causal; usage `mask [enc|dec] on|off|causal`"
        );
        assert_eq!(err("scale"), "scale needs on or off: usage `scale on|off`");
        assert_eq!(
            err("pe sometimes"),
            "pe: \"sometimes\" is not on or off; usage `pe on|off`"
        );
        assert_eq!(
            err("norm sideways"),
            "norm: \"sideways\" is not one of post, pre; usage `norm pre|post`"
        );
        assert!(err("set model.colour red").contains(
            "is not a model field: preset, arch, d_model, heads, d_ff, layers, norm, scale, mask, dec_mask, positional, embed_scale, seed, eps, tokenizer, max_tokens; usage `set model.<field> <value>`"
        ));
        assert!(
            help(Some("set"))
                .unwrap()
                .contains("fields: preset, arch, d_model")
        );
        assert!(err("set model.heads many").contains("\"many\" is not a non-negative integer"));
        assert!(
            err("set model.arch gpt")
                .contains("\"gpt\" is not one of encoder, decoder, encoder-decoder")
        );
        assert!(err("set embed 바나나").contains("needs the vector"));
        assert!(err("set embed 바나나 [1, x]").contains("a list of numbers like [1, 2]"));
        assert!(
            err("set weight enc.0.attn.W_Q [[1], 2]")
                .contains("\"[[1], 2]\" is not a list of numbers like [1, 2] or of rows")
        );
        assert!(
            err("attend q=[] k=[[1]] v=[[1]]")
                .contains("\"[]\" is not a non-empty list of numbers")
        );
        assert!(err("attend q=[1] q=[2] k=[[1]] v=[[1]]").contains("a second q: give q once"));
        assert!(err("set precision 40").contains("from 0 to 12"));
        assert!(err("set colour red").contains("model.<field>, embed, weight or precision"));
        assert_eq!(
            err("attend k=[[1]] v=[[1]]"),
            "attend needs q=[…]: usage `attend q=[…] k=[[…], …] v=[[…], …] [mask=causal] [scale=on|off]`"
        );
        assert!(err("attend q=[1 k=[[1]]").contains("matching [ and ]"));
        assert!(err("attend q=[1] k=[[1]] v=[[1]] w=[1]").contains("one of q, k, v, mask, scale"));
        assert!(err("attend q=[1] k=[[1]] v=[[1]] mask=sometimes").contains("causal or none"));
        assert!(err("attend q=[1] k=[[1]] v=[[1]] junk").contains("key=value"));
        assert!(
            err("show enc.0[").contains("bad address") || err("show enc.0[").contains("not closed")
        );
        assert_eq!(
            err("save"),
            "save needs a file name: usage `save <file> | save! <file>`"
        );
        assert_eq!(
            err("load"),
            "load needs a file name: usage `load <file> | load! <file>`"
        );
        assert_eq!(
            err("export"),
            "export needs a file name: usage `export <file.npz|file.json> | export! <file>`"
        );
        assert_eq!(
            err("diff now"),
            "diff takes no more arguments, but got \"now\"; usage `diff`"
        );
        assert_eq!(
            err("note"),
            "note needs the text of the note: usage `note <text>`"
        );
        assert!(err("quit now").contains("takes no more arguments"));
    }

    #[test]
    fn help_lists_every_command_and_each_usage() {
        let all = help(None).unwrap();
        for c in COMMANDS {
            assert!(all.contains(c.summary), "{}", c.name);
        }
        assert_eq!(
            help(Some("scale")).unwrap(),
            "scale on|off\n  divide scores by √d_k or not\n"
        );
        assert!(
            help(Some("shwo"))
                .unwrap_err()
                .to_string()
                .contains("did you mean `show`")
        );
    }

    #[test]
    fn rows_parse() {
        assert_eq!(parse_rows("[1, 2]").unwrap(), vec![vec![1.0, 2.0]]);
        assert_eq!(
            parse_rows(" [[1], [2]] ").unwrap(),
            vec![vec![1.0], vec![2.0]]
        );
        assert!(parse_rows("[]").is_err());
        assert!(parse_rows("[[1], []]").is_err());
        assert!(parse_rows("{\"a\": 1}").is_err());
    }
}
