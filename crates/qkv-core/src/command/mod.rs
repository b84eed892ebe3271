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

pub mod explore;
pub mod learn;
mod parse;
mod spec;
pub use explore::ExploreCommand;
pub use learn::LearnCommand;
use parse::*;
pub use parse::{REDIRECTABLE, parse, parse_rows};
use spec::*;
pub use spec::{COMMANDS, CommandSpec, help, help_in, usage};

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
        assert_eq!(ok("toggle pe"), Command::Toggle(Setting::Pe));
        assert_eq!(ok("toggle Mask"), Command::Toggle(Setting::Mask));
        assert!(parse("toggle").is_err());
        assert!(parse("toggle heads").is_err());
        let spec = |f: fn(&mut ModelSpec)| {
            let mut s = ModelSpec::default();
            f(&mut s);
            Command::SetModel(s)
        };
        assert_eq!(ok("set model.heads 4"), spec(|s| s.heads = Some(4)));
        assert_eq!(
            ok("set model.arch decoder"),
            spec(|s| s.arch = Some(Word(crate::model::Arch::Decoder)))
        );
        assert_eq!(ok("set model.seed 7"), spec(|s| s.seed = Some(7)));
        assert_eq!(ok("set model.scale off"), spec(|s| s.scale = Some(false)));
        assert!(
            parse("set model.colour red")
                .unwrap_err()
                .to_string()
                .contains("d_model")
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
            "is not a model field: preset, arch, d_model, heads, d_ff, layers, enc_layers, dec_layers, seed, norm, positional, scale, embed_scale, mask, dec_mask, eps, tokenizer, max_tokens, checkpoint; usage `set model.<field> <value>`"
        ));
        assert!(err("set model.checkpoint m.safetensors").contains("checkpoint load <file>"));
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
