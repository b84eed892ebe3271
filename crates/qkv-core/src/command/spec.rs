//! The one table of commands: each one's words, arguments, usage and summary, and the
//! function that parses its arguments. Parsing dispatch ([`parse`]), `help`, the REPL's
//! completion, hints and highlighting, and `> file.md` redirection all read it; the Korean
//! summary is found under the command's name (`crate::i18n::command::summary_ko`).

use super::*;

/// What an argument is, for completion: the REPL offers the words of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// One of these words.
    Words(&'static [&'static str]),
    /// A step name, then `[h]` (these words offered beside the names).
    Address(&'static [&'static str]),
    /// A step or weight name (a gradient's).
    Gradient,
    /// A head number.
    Head,
    /// A layer number.
    Layer,
    /// A command name.
    Command,
    /// A file.
    Path,
    /// What `set` changes: `embed`, `weight`, `precision` or `model.<field>`.
    SetTarget,
    /// The value after `set <target>`: a token, a weight name, or a field's words.
    SetValue,
}

/// Parses the words after a command word; `force` when the word ended in `!`.
pub type ParseArgs = fn(rest: &str, force: bool) -> Result<Command, ParseError>;

/// One command of the table.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// The command word.
    pub name: &'static str,
    /// Other words for it (`n` for `next`, `?` for `help`).
    pub aliases: &'static [&'static str],
    /// It also has a `name!` form (overwrite, discard, leave anyway).
    pub bang: bool,
    /// It prints, so `> file.md` may follow it.
    pub prints: bool,
    /// Its arguments in order, as completion offers them.
    pub args: &'static [Arg],
    /// Usage line.
    pub usage: &'static str,
    /// What it does (English; the Korean is under the name in `i18n::command`).
    pub summary: &'static str,
    /// Its parser.
    pub parse: ParseArgs,
}

const fn cmd(
    name: &'static str,
    usage: &'static str,
    summary: &'static str,
    parse: ParseArgs,
) -> CommandSpec {
    CommandSpec {
        name,
        aliases: &[],
        bang: false,
        prints: false,
        args: &[],
        usage,
        summary,
        parse,
    }
}

impl CommandSpec {
    const fn aliases(self, aliases: &'static [&'static str]) -> Self {
        CommandSpec { aliases, ..self }
    }

    const fn bang(self) -> Self {
        CommandSpec { bang: true, ..self }
    }

    const fn prints(self) -> Self {
        CommandSpec {
            prints: true,
            ..self
        }
    }

    const fn args(self, args: &'static [Arg]) -> Self {
        CommandSpec { args, ..self }
    }

    /// Every word that starts it: the name, the aliases, and their `!` forms.
    pub fn words(&self) -> impl Iterator<Item = String> + '_ {
        let plain = std::iter::once(self.name).chain(self.aliases.iter().copied());
        let banged = plain.clone().filter(|_| self.bang).map(|w| format!("{w}!"));
        plain.map(str::to_string).chain(banged)
    }
}

/// The command a word starts (any case), and whether it was its `!` form.
pub fn find(word: &str) -> Option<(&'static CommandSpec, bool)> {
    let word = word.to_ascii_lowercase();
    let (base, force) = match word.strip_suffix('!') {
        Some(b) => (b, true),
        None => (word.as_str(), false),
    };
    COMMANDS
        .iter()
        .find(|c| (c.name == base || c.aliases.contains(&base)) && (c.bang || !force))
        .map(|c| (c, force))
}

/// Every command, in the order `help` lists them.
pub const COMMANDS: &[CommandSpec] = &[
    cmd(
        "text",
        "text <sentence>",
        "run the model on a new source sentence",
        parse_text,
    ),
    cmd(
        "target",
        "target <sentence>",
        "run on a new decoder-side sentence (encoder-decoder; <bos> is added)",
        parse_target,
    ),
    cmd(
        "show",
        "show [<name>[h][i][j]] [--full] [--precision N] [--top K]",
        "print a step, a head, a row or a cell (--full: no eliding; --top K: each row's K largest); alone: list every step",
        parse_show,
    ).prints().args(&[Arg::Address(&[])]),
    cmd(
        "explain",
        "explain [<name>[h][i][j]]",
        "the arithmetic behind a cell (default: the selected cell)",
        parse_explain,
    ).prints().args(&[Arg::Address(&[])]),
    cmd(
        "layer",
        "layer <l>",
        "move to layer l of the current stack",
        parse_layer,
    ).args(&[Arg::Layer]),
    cmd(
        "head",
        "head <h>",
        "move to head h",
        parse_head,
    ).args(&[Arg::Head]),
    cmd(
        "cell",
        "cell <row> <col>",
        "select a cell of the current step",
        parse_cell,
    ),
    cmd(
        "next",
        "next",
        "next step in pipeline order (or next stop of a replayed tour)",
        parse_next,
    ).aliases(&["n"]),
    cmd(
        "prev",
        "prev",
        "previous step (or stop)",
        parse_prev,
    ).aliases(&["p"]),
    cmd(
        "mask",
        "mask [enc|dec] on|off|causal",
        "self-attention mask: the encoder's (the decoder's in a decoder-only model); `mask dec off` lets a decoder see the future",
        parse_mask,
    ).args(&[
        Arg::Words(&["on", "off", "causal", "enc", "dec"]),
        Arg::Words(&["on", "off", "causal"]),
    ]),
    cmd(
        "scale",
        "scale on|off",
        "divide scores by √d_k or not",
        parse_scale,
    ).args(&[Arg::Words(&["on", "off"])]),
    cmd(
        "toggle",
        "toggle mask|scale|pe|norm",
        "flip a setting to its other value (what the workbench keys {keys} do: mask, scale, positional encoding, norm)",
        parse_toggle,
    ).args(&[Arg::Words(&["mask", "scale", "pe", "norm"])]),
    cmd(
        "pe",
        "pe on|off",
        "sinusoidal positional encoding on or off",
        parse_pe,
    ).args(&[Arg::Words(&["on", "off"])]),
    cmd(
        "norm",
        "norm pre|post",
        "LayerNorm before the sublayer (pre) or after the residual sum (post)",
        parse_norm,
    ).args(&[Arg::Words(&["pre", "post"])]),
    cmd(
        "set",
        "set model.<field> <value> | set embed <token> [v, …] | set weight <name> [[…], …] | set precision <n>",
        "change the model, a token's vector, a weight, or the digits shown",
        parse_set,
    ).args(&[Arg::SetTarget, Arg::SetValue]),
    cmd(
        "attend",
        "attend q=[…] k=[[…], …] [v=[[…], …]] [mask=causal] [scale=on|off]",
        "hand-check calculator: scores, scaled, weights and (with v) output with their arithmetic",
        parse_attend,
    ),
    cmd(
        "diff",
        "diff",
        "largest change of every step since the previous run",
        parse_diff,
    ).prints(),
    cmd(
        "note",
        "note <text>",
        "attach a note to the current step of the recorded tour",
        parse_note,
    ),
    cmd(
        "save",
        "save <file> | save! <file>",
        "save the session as a scenario (save! overwrites)",
        parse_save,
    ).bang().args(&[Arg::Path]),
    cmd(
        "load",
        "load <file> | load! <file>",
        "load a scenario (load! discards unsaved changes)",
        parse_load,
    ).bang().args(&[Arg::Path]),
    cmd(
        "replay",
        "replay [<file>]",
        "step through a guided tour (Enter or next for the next stop)",
        parse_replay,
    ).args(&[Arg::Path]),
    cmd(
        "check",
        "check",
        "run the scenario's expectations",
        parse_check,
    ).prints(),
    cmd(
        "export",
        "export <file.npz|file.json> | export! <file>",
        "write every step and weight for numpy",
        parse_export,
    ).bang().args(&[Arg::Path]),
    cmd(
        "plot",
        "plot <name>[h][i][j] <file.svg|.md|.csv|.tex> | plot! <name>[h] <file>",
        "write a matrix as an SVG heatmap or a Markdown, CSV or LaTeX table; a cell is selected and explained (plot! overwrites)",
        parse_plot,
    ).bang().args(&[Arg::Address(&[]), Arg::Path]),
    cmd(
        "params",
        "params",
        "parameter count of the current model",
        parse_params,
    ).prints(),
    cmd(
        "grad",
        "grad [<name>[h][i][j]]",
        "the gradient of the loss with respect to a step or weight (grad.<name>); alone: the current step's",
        |rest, _| learn::parse("grad", rest),
    ).prints().args(&[Arg::Gradient]),
    cmd(
        "loss",
        "loss",
        "the cross-entropy loss of the current sentence and the ids each position should predict",
        |rest, _| learn::parse("loss", rest),
    ).prints(),
    cmd(
        "train",
        "train [<steps>] | train corpus <file> | train snapshot | train view <i>|live | train reset",
        "train an untrained model on data/ko-en.tsv (default 10 steps; Ctrl-C stops); then every command reads its weights (`train reset` goes back)",
        |rest, _| learn::parse("train", rest),
    ).args(&[Arg::Words(&["snapshot", "view", "reset"])]),
    cmd(
        "translate",
        "translate <sentence>",
        "decode a sentence token by token with the current model (encoder-decoder)",
        |rest, _| learn::parse("translate", rest),
    ),
    cmd(
        "generate",
        "generate <text>",
        "continue a text token by token (decoder-only model)",
        |rest, _| learn::parse("generate", rest),
    ),
    cmd(
        "decode",
        "decode [start] | decode next [<token>] | decode force <token> | decode back",
        "decode the current sentence one token at a time; a token given is put instead of the model's choice",
        |rest, _| learn::parse("decode", rest),
    ).args(&[Arg::Words(&["start", "next", "force", "back"])]),
    cmd(
        "sample",
        "sample <temperature> [<top-k>|all] [<seed>] | sample off",
        "sample the next decodings: p_i ∝ exp(logit_i / T) over the top k, seeded (off: greedy)",
        |rest, _| learn::parse("sample", rest),
    ).args(&[Arg::Words(&["off"])]),
    cmd(
        "checkpoint",
        "checkpoint load <file> | checkpoint save <file> | checkpoint save! <file>",
        "load a trained model (.safetensors) or save the model being trained",
        |rest, _| learn::parse("checkpoint", rest),
    ).args(&[Arg::Words(&["load", "save", "save!"]), Arg::Path]),
    cmd(
        "model",
        "model load <dir> | model load",
        "study a Hugging Face Marian model directory (config.json, model.safetensors, source.spm, target.spm, vocab.json) with the current sentence; alone: back to the model studied before",
        parse_model,
    ).args(&[Arg::Words(&["load"]), Arg::Path]),
    cmd(
        "practice",
        "practice [<name>[h][i][j] | <name>[h][i]] | practice stop",
        "predict, then reveal: compute a hidden cell or row by hand and get it graded (alone: the scenario's questions, or a random cell of the current step)",
        parse_practice,
    ).args(&[Arg::Address(&["stop"])]),
    cmd(
        "answer",
        "answer <number> [<number> …]  (or just type the numbers)",
        "answer the open practice question; graded with the arithmetic beside your number",
        parse_answer,
    ),
    cmd(
        "explore",
        explore::usage(),
        "explorers: the PE table, PE(p)·PE(p+k) and the rotation to PE(p+k); Var(q·k) against d_k and softmax rows with/without ÷√d_k; every head's entropy and role",
        parse_explore,
    ).args(&[Arg::Words(&["pe", "scaling", "heads"])]),
    cmd(
        "help",
        "help [command]",
        "this list, or one command",
        parse_help,
    ).aliases(&["?"]).prints().args(&[Arg::Command]),
    cmd(
        "quit",
        "quit | quit!",
        "leave (quit! leaves even with unsaved changes)",
        parse_quit,
    ).aliases(&["exit", "q"]).bang(),
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
