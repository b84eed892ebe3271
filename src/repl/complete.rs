//! What Tab completes and what the hint shows, as pure functions of the line and the
//! session (testable without a terminal).

use crate::command::{Arg, COMMANDS, find};
use crate::scenario::fields::{FieldKind, MODEL_FIELDS};
use crate::session::Session;

/// The words the session offers for completion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    /// Step names in pipeline order.
    pub steps: Vec<String>,
    /// Weight names.
    pub weights: Vec<String>,
    /// Tokens of the input.
    pub tokens: Vec<String>,
    /// Number of heads of the current model (or 0).
    pub heads: usize,
    /// Largest layer count of the stacks (or 0).
    pub layers: usize,
}

impl Words {
    /// The words of `session` as it is now.
    pub fn of(session: &Session) -> Words {
        let steps: Vec<String> = session.trace().names().map(str::to_string).collect();
        let (weights, heads, layers) = match session.model() {
            Some(m) => {
                let c = m.config();
                (
                    m.weights().iter().map(|(n, _)| n.to_string()).collect(),
                    c.heads,
                    c.layers.encoder.max(c.layers.decoder),
                )
            }
            None => (Vec::new(), 0, 0),
        };
        let tokens = session
            .input()
            .map(|i| {
                let mut t: Vec<String> = Vec::new();
                for x in i.source.iter().chain(i.target.iter().flatten()) {
                    if !t.contains(x) {
                        t.push(x.clone());
                    }
                }
                t
            })
            .unwrap_or_default();
        Words {
            steps,
            weights,
            tokens,
            heads,
            layers,
        }
    }
}

/// What kind of thing the word under the cursor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A candidate list (start of the word in the line, candidates).
    Words(usize, Vec<String>),
    /// A file path starting at this byte (completed by the file-name completer).
    Path(usize),
}

fn matching(prefix: &str, words: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = words
        .into_iter()
        .filter(|w| w.starts_with(prefix))
        .collect();
    v.dedup();
    v
}

/// The completion for `line` with the cursor at byte `pos`. Every candidate ends with a
/// space, so that the next word can be typed at once (`show` + Tab + `enc…`), except the
/// address of `show` / `explain` / `grad`, which may go on with `[h]`.
pub fn complete(line: &str, pos: usize, w: &Words) -> Slot {
    let before = &line[..pos.min(line.len())];
    let address = before
        .split_whitespace()
        .next()
        .and_then(find)
        .and_then(|(c, _)| c.args.first())
        .is_some_and(|a| matches!(a, Arg::Address(_) | Arg::Gradient))
        && before.contains(char::is_whitespace);
    match complete_words(line, pos, w) {
        Slot::Words(start, c) if !address => {
            Slot::Words(start, c.into_iter().map(|x| format!("{x} ")).collect())
        }
        other => other,
    }
}

fn complete_words(line: &str, pos: usize, w: &Words) -> Slot {
    let before = &line[..pos.min(line.len())];
    let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &before[start..];
    let prior: Vec<&str> = before[..start].split_whitespace().collect();
    let cmd = prior.first().copied().unwrap_or("");
    let list = |c: &[&str]| {
        c.iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<_>>()
    };
    let Some(n) = prior.len().checked_sub(1) else {
        // The command word: every name, and the `!` forms.
        let names = COMMANDS.iter().flat_map(|c| {
            let bang = c.bang.then(|| format!("{}!", c.name));
            std::iter::once(c.name.to_string()).chain(bang)
        });
        return Slot::Words(start, matching(word, names));
    };
    // The argument's kind, from the command's entry in the table.
    let cands: Vec<String> = match find(cmd).and_then(|(c, _)| c.args.get(n)) {
        Some(Arg::Words(words)) => matching(word, list(words)),
        Some(Arg::Address(also)) => {
            // After `name[`, offer the head indices.
            if let Some(open) = word.find('[') {
                let base = &word[..open];
                if w.steps.iter().any(|s| s == base) && w.heads > 0 {
                    return Slot::Words(
                        start,
                        matching(word, (0..w.heads).map(|h| format!("{base}[{h}]"))),
                    );
                }
                Vec::new()
            } else {
                matching(word, list(also).into_iter().chain(w.steps.iter().cloned()))
            }
        }
        Some(Arg::Gradient) => matching(word, w.steps.iter().chain(w.weights.iter()).cloned()),
        Some(Arg::Head) => matching(word, (0..w.heads).map(|h| h.to_string())),
        Some(Arg::Layer) => matching(word, (0..w.layers).map(|l| l.to_string())),
        Some(Arg::Command) => matching(word, COMMANDS.iter().map(|c| c.name.to_string())),
        Some(Arg::Path) => return Slot::Path(start),
        Some(Arg::SetTarget) => {
            let mut c = list(&["embed", "weight", "precision"]);
            // `checkpoint load` loads a trained model; `set` changes the other fields.
            c.extend(
                MODEL_FIELDS
                    .iter()
                    .filter(|f| f.kind != FieldKind::Path)
                    .map(|f| format!("model.{}", f.name)),
            );
            matching(word, c)
        }
        Some(Arg::SetValue) => match prior[1] {
            "weight" => matching(word, w.weights.iter().cloned()),
            "embed" => matching(word, w.tokens.iter().cloned()),
            // A field with a list of words offers them (from the one table of model fields).
            field => match field
                .strip_prefix("model.")
                .and_then(|name| MODEL_FIELDS.iter().find(|f| f.name == name))
            {
                Some(f) if f.values.contains('|') => {
                    matching(word, f.values.split('|').map(str::to_string))
                }
                _ => Vec::new(),
            },
        },
        None => Vec::new(),
    };
    Slot::Words(start, cands)
}

/// The grey hint after the cursor: the rest of a unique command word, or the usage of a
/// command whose arguments have not been typed yet.
pub fn hint(line: &str, pos: usize) -> Option<String> {
    if pos != line.len() || line.is_empty() {
        return None;
    }
    if !line.contains(char::is_whitespace) {
        let m: Vec<&str> = COMMANDS
            .iter()
            .map(|c| c.name)
            .filter(|n| n.starts_with(line))
            .collect();
        return match m.as_slice() {
            [one] if *one != line => Some(one[line.len()..].to_string()),
            _ => None,
        };
    }
    let (cmd, rest) = line.split_once(char::is_whitespace)?;
    if !rest.trim().is_empty() {
        return None;
    }
    let spec = COMMANDS.iter().find(|c| c.name == cmd)?;
    let args = spec.usage.strip_prefix(cmd)?.trim_start();
    // Only the first alternative of `a | b` usages.
    let args = args.split(" | ").next().unwrap_or(args);
    (!args.is_empty()).then(|| args.to_string())
}

/// The line with its command word coloured: bold green when it is a command, red once a
/// word that is not one is followed by a space. Comments are dimmed.
pub fn highlight(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() {
        return None;
    }
    let lead = &line[..line.len() - trimmed.len()];
    if trimmed.starts_with('#') {
        return Some(format!("{lead}\x1b[2m{trimmed}\x1b[0m"));
    }
    let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let (word, rest) = trimmed.split_at(end);
    let known = find(word).is_some();
    let colour = if known {
        "\x1b[1;32m"
    } else if !rest.is_empty() {
        "\x1b[31m"
    } else {
        return None;
    };
    Some(format!("{lead}{colour}{word}\x1b[0m{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Words {
        Words {
            steps: vec![
                "embed.sum".into(),
                "enc.0.attn.scores".into(),
                "enc.0.attn.scaled".into(),
                "enc.0.attn.weights".into(),
            ],
            weights: vec!["enc.0.attn.W_Q".into(), "enc.0.attn.W_K".into()],
            tokens: vec!["나는".into(), "학교에".into()],
            heads: 2,
            layers: 2,
        }
    }

    fn cands(line: &str) -> Vec<String> {
        match complete(line, line.len(), &words()) {
            Slot::Words(_, c) => c,
            Slot::Path(_) => vec!["<path>".into()],
        }
    }

    #[test]
    fn completes_the_learning_commands() {
        assert_eq!(cands("tra"), ["train ", "translate "]);
        assert_eq!(cands("grad enc.0.attn.W_K"), ["enc.0.attn.W_K"]);
        assert_eq!(
            cands("grad enc.0.attn.sc"),
            ["enc.0.attn.scores", "enc.0.attn.scaled"]
        );
        assert_eq!(cands("checkpoint s"), ["save ", "save! "]);
        assert_eq!(cands("checkpoint load m"), ["<path>"]);
        assert_eq!(cands("model l"), ["load "]);
        assert_eq!(cands("model load /tmp/op"), ["<path>"]);
        assert_eq!(cands("decode f"), ["force "]);
        assert_eq!(cands("train s"), ["snapshot "]);
    }

    #[test]
    fn completes_practice_addresses() {
        assert_eq!(cands("pra"), ["practice "]);
        assert_eq!(cands("practice st"), ["stop"]);
        assert_eq!(
            cands("practice enc.0.attn.sc"),
            ["enc.0.attn.scores", "enc.0.attn.scaled"]
        );
        assert_eq!(
            cands("practice enc.0.attn.weights["),
            ["enc.0.attn.weights[0]", "enc.0.attn.weights[1]"]
        );
    }

    #[test]
    fn completes_commands_names_heads_and_values() {
        // A command word comes with its space: `show` + Tab + `enc…` gives `show enc…`.
        assert_eq!(cands("sh"), ["show "]);
        assert_eq!(
            cands("s"),
            ["show ", "scale ", "set ", "save ", "save! ", "sample "]
        );
        // Every `!` form of the table, `export!` included.
        assert_eq!(cands("expo"), ["export ", "export! "]);
        // `toggle` takes its words from the table like every command.
        assert_eq!(cands("toggle "), ["mask ", "scale ", "pe ", "norm "]);
        assert_eq!(
            cands("show enc.0.attn.sc"),
            ["enc.0.attn.scores", "enc.0.attn.scaled"]
        );
        assert_eq!(
            cands("show enc.0.attn.weights["),
            ["enc.0.attn.weights[0]", "enc.0.attn.weights[1]"]
        );
        assert_eq!(cands("head "), ["0 ", "1 "]);
        assert_eq!(cands("layer 1"), ["1 "]);
        assert_eq!(cands("mask c"), ["causal "]);
        assert_eq!(cands("norm p"), ["pre ", "post "]);
        assert_eq!(cands("set model.he"), ["model.heads "]);
        assert_eq!(cands("set weight enc.0.attn.W_Q"), ["enc.0.attn.W_Q "]);
        assert_eq!(cands("set embed 학"), ["학교에 "]);
        assert_eq!(
            cands("set model.arch enc"),
            ["encoder ", "encoder-decoder "]
        );
        assert_eq!(cands("save my"), ["<path>"]);
        assert_eq!(cands("help ex"), ["explain ", "export ", "explore "]);
        assert_eq!(cands("explore s"), ["scaling "]);
        assert!(cands("text 나").is_empty());
        // The completion replaces the word under the cursor only.
        assert_eq!(
            complete("show enc", 8, &words()),
            Slot::Words(
                5,
                vec![
                    "enc.0.attn.scores".into(),
                    "enc.0.attn.scaled".into(),
                    "enc.0.attn.weights".into()
                ]
            )
        );
    }

    #[test]
    fn highlights_the_command_word() {
        assert_eq!(
            highlight("show enc.0").unwrap(),
            "\x1b[1;32mshow\x1b[0m enc.0"
        );
        assert_eq!(highlight("shwo x").unwrap(), "\x1b[31mshwo\x1b[0m x");
        // Every word the parser takes is a command: `load!` and `export!` too.
        assert_eq!(highlight("load! a").unwrap(), "\x1b[1;32mload!\x1b[0m a");
        assert_eq!(
            highlight("export! t.npz").unwrap(),
            "\x1b[1;32mexport!\x1b[0m t.npz"
        );
        assert_eq!(highlight("sh"), None, "still typing");
        assert_eq!(highlight("  # note").unwrap(), "  \x1b[2m# note\x1b[0m");
        assert_eq!(highlight(""), None);
    }

    #[test]
    fn hints_finish_words_and_show_usage() {
        assert_eq!(hint("expla", 5), Some("in".into()));
        assert_eq!(hint("explo", 5), Some("re".into()));
        assert_eq!(hint("expl", 4), None); // explain or explore
        assert_eq!(hint("s", 1), None); // ambiguous
        assert_eq!(
            hint("attend ", 7),
            Some("q=[…] k=[[…], …] [v=[[…], …]] [mask=causal] [scale=on|off]".into())
        );
        assert_eq!(hint("save ", 5), Some("<file>".into()));
        assert_eq!(hint("show enc", 8), None);
        assert_eq!(hint("next", 4), None);
    }
}
