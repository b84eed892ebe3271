//! The catalogue of commands: each one's name, usage and summary, and the `help` text made
//! from it.

use super::*;

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
        usage: "show [<name>[h][i][j]] [--full] [--precision N] [--top K]",
        summary: "print a step, a head, a row or a cell (--full: no eliding; --top K: each row's K largest); alone: list every step",
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
        name: "toggle",
        usage: "toggle mask|scale|pe|norm",
        summary: "flip a setting to its other value (what the workbench keys {keys} do: mask, scale, positional encoding, norm)",
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
        usage: "attend q=[…] k=[[…], …] [v=[[…], …]] [mask=causal] [scale=on|off]",
        summary: "hand-check calculator: scores, scaled, weights and (with v) output with their arithmetic",
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
        summary: "train an untrained model on data/ko-en.tsv (default 10 steps; Ctrl-C stops); then every command reads its weights (`train reset` goes back)",
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
        name: "model",
        usage: "model load <dir> | model load",
        summary: "study a Hugging Face Marian model directory (config.json, model.safetensors, source.spm, target.spm, vocab.json) with the current sentence; alone: back to the model studied before",
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

/// The usage line of `name`.
pub fn usage(name: &str) -> &'static str {
    COMMANDS
        .iter()
        .find(|c| c.name == name)
        .map_or("help", |c| c.usage)
}

pub(super) fn spec(name: &'static str) -> &'static str {
    usage(name)
}

/// The summary of `c` in `lang`, the workbench keys it names taken from the key table
/// (`{keys}` in a summary).
pub fn summary_in(c: &CommandSpec, lang: crate::i18n::Lang) -> String {
    let text = match lang {
        crate::i18n::Lang::En => c.summary,
        crate::i18n::Lang::Ko => crate::i18n::command::summary_ko(c.name).unwrap_or(c.summary),
    };
    text.replace("{keys}", &crate::keymap::toggle_keys())
}

/// The text of `help` (all commands) or `help <command>`.
pub fn help(topic: Option<&str>) -> Result<String, ParseError> {
    help_in(topic, crate::i18n::Lang::En)
}

/// [`help`] in `lang`: the summaries and sentences translated, the usage lines (the
/// commands themselves) as they are.
pub fn help_in(topic: Option<&str>, lang: crate::i18n::Lang) -> Result<String, ParseError> {
    use crate::i18n::command as t;
    let summary = |c: &CommandSpec| summary_in(c, lang);
    match topic {
        None => {
            let w = COMMANDS.iter().map(|c| c.name.len()).max().unwrap_or(0);
            let mut s = format!("{}\n", t::help_heading(lang));
            for c in COMMANDS {
                s.push_str(&format!("  {:w$}  {}\n", c.name, summary(c)));
            }
            s.push_str(t::help_footer(lang));
            Ok(s)
        }
        Some(topic) => {
            let topic = topic.trim();
            match COMMANDS.iter().find(|c| c.name == topic) {
                Some(c) if c.name == "set" => Ok(format!(
                    "{}\n  {}\n  {}\n",
                    c.usage,
                    summary(c),
                    t::model_fields(
                        lang,
                        &MODEL_FIELDS
                            .iter()
                            .map(|f| f.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                )),
                Some(c) => Ok(format!("{}\n  {}\n", c.usage, summary(c))),
                None => Err(parse(topic).err().unwrap_or(ParseError::UnknownCommand {
                    word: topic.to_string(),
                    suggestion: None,
                })),
            }
        }
    }
}
