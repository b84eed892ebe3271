//! The learning commands of the command language: gradients, loss, training, decoding and
//! checkpoints (`grad`, `loss`, `train`, `translate`, `generate`, `decode`, `sample`,
//! `checkpoint`).

use std::path::PathBuf;

use super::{Command, ParseError, address, bad, index, missing, no_extra, path, split_word};
use crate::trace::Address;

/// Steps `train` makes when no count is given.
pub const DEFAULT_TRAIN_STEPS: usize = 10;

/// A learning command.
#[derive(Debug, Clone, PartialEq)]
pub enum LearnCommand {
    /// The gradient of a step, head, row or cell (`None`: the current step's).
    Grad(Option<Address>),
    /// The loss of the current trace and the ids it predicts.
    Loss,
    /// Train for this many updates (starting a training run when there is none).
    Train(usize),
    /// Keep the current weights as a snapshot.
    Snapshot,
    /// Show snapshot `i` (`None`: the live weights) in the Learn view.
    ViewSnapshot(Option<usize>),
    /// Train on this corpus (from the next training run on).
    Corpus(PathBuf),
    /// Drop the training run (back to an untrained model on the next `train`).
    ResetTraining,
    /// Decode a source sentence (encoder-decoder) to the end.
    Translate(String),
    /// Continue a text (decoder-only) to the end.
    Generate(String),
    /// Start a step-by-step decoding of the current sentence.
    DecodeStart,
    /// One more token (the model's choice, or this one).
    DecodeNext(Option<String>),
    /// Take back the last token.
    DecodeBack,
    /// Sampling for the next decodings: temperature, top-k, seed (`None`: greedy).
    Sample(Option<(f32, Option<usize>, u64)>),
    /// Load a trained model into the session.
    CheckpointLoad(PathBuf),
    /// Save the model being trained (or the session's) as a checkpoint.
    CheckpointSave {
        /// Target file.
        path: PathBuf,
        /// Overwrite whatever is there.
        force: bool,
    },
}

/// Parses the words after a learning command's `word` (its entry in `COMMANDS` calls this).
#[expect(
    clippy::too_many_lines,
    reason = "one arm per learning command word (train, grad, loss, decode, sample, checkpoint, corpus)."
)]
pub(super) fn parse(word: &str, rest: &str) -> Result<Command, ParseError> {
    let c = match word {
        "grad" => LearnCommand::Grad(if rest.is_empty() {
            None
        } else {
            let name = if rest.starts_with("grad.") {
                rest.to_string()
            } else {
                format!("grad.{rest}")
            };
            Some(address("grad", &name)?)
        }),
        "loss" => {
            no_extra("loss", rest)?;
            LearnCommand::Loss
        }
        "train" => match split_word(rest) {
            ("", _) => LearnCommand::Train(DEFAULT_TRAIN_STEPS),
            ("snapshot", x) => {
                no_extra("train", x)?;
                LearnCommand::Snapshot
            }
            ("reset", x) => {
                no_extra("train", x)?;
                LearnCommand::ResetTraining
            }
            ("corpus", "") => return Err(missing("train", "the corpus file")),
            ("corpus", p) => LearnCommand::Corpus(path("train", p)?),
            ("view", "live") => LearnCommand::ViewSnapshot(None),
            ("view", i) => {
                LearnCommand::ViewSnapshot(Some(index("train", "a snapshot number", i)?))
            }
            (n, x) => {
                no_extra("train", x)?;
                let steps = n
                    .parse::<usize>()
                    .ok()
                    .filter(|s| (1..=100_000).contains(s))
                    .ok_or_else(|| {
                        bad(
                            "train",
                            n,
                            "a number of steps from 1 to 100000, snapshot, view <i>|live or reset",
                        )
                    })?;
                LearnCommand::Train(steps)
            }
        },
        "translate" => {
            if rest.is_empty() {
                return Err(missing("translate", "a sentence"));
            }
            LearnCommand::Translate(rest.to_string())
        }
        "generate" => {
            if rest.is_empty() {
                return Err(missing("generate", "a text to continue"));
            }
            LearnCommand::Generate(rest.to_string())
        }
        "decode" => match split_word(rest) {
            ("" | "start", x) => {
                no_extra("decode", x)?;
                LearnCommand::DecodeStart
            }
            ("next" | "n", "") => LearnCommand::DecodeNext(None),
            ("next" | "n", tok) => LearnCommand::DecodeNext(Some(tok.to_string())),
            ("force", "") => return Err(missing("decode", "the token to put next")),
            ("force", tok) => LearnCommand::DecodeNext(Some(tok.to_string())),
            ("back" | "prev" | "p", x) => {
                no_extra("decode", x)?;
                LearnCommand::DecodeBack
            }
            (other, _) => {
                return Err(bad(
                    "decode",
                    other,
                    "start, next [token], force <token> or back",
                ));
            }
        },
        "sample" => {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                [] => return Err(missing("sample", "a temperature or off")),
                ["off" | "greedy"] => LearnCommand::Sample(None),
                [t, more @ ..] if more.len() <= 2 => {
                    let temp = t
                        .parse::<f32>()
                        .ok()
                        .filter(|x| x.is_finite() && *x > 0.0)
                        .ok_or_else(|| bad("sample", t, "a temperature > 0 or off"))?;
                    let k = match more.first() {
                        None | Some(&"all") => None,
                        Some(k) => Some(
                            k.parse::<usize>()
                                .ok()
                                .filter(|k| *k > 0)
                                .ok_or_else(|| bad("sample", k, "a top-k of 1 or more, or all"))?,
                        ),
                    };
                    let seed = match more.get(1) {
                        None => 0,
                        Some(s) => s
                            .parse::<u64>()
                            .map_err(|_| bad("sample", s, "a seed (a non-negative integer)"))?,
                    };
                    LearnCommand::Sample(Some((temp, k, seed)))
                }
                _ => {
                    return Err(bad(
                        "sample",
                        rest,
                        "<temperature> [<top-k>|all] [<seed>] or off",
                    ));
                }
            }
        }
        "checkpoint" => match split_word(rest) {
            ("load", p) => LearnCommand::CheckpointLoad(path("checkpoint", p)?),
            ("save", p) => LearnCommand::CheckpointSave {
                path: path("checkpoint", p)?,
                force: false,
            },
            ("save!", p) => LearnCommand::CheckpointSave {
                path: path("checkpoint", p)?,
                force: true,
            },
            ("", _) => return Err(missing("checkpoint", "load <file> or save <file>")),
            (other, _) => return Err(bad("checkpoint", other, "load, save or save!")),
        },
        _ => {
            return Err(ParseError::UnknownCommand {
                word: word.to_string(),
                suggestion: None,
            });
        }
    };
    Ok(Command::Learn(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse as parse_line;

    fn ok(line: &str) -> LearnCommand {
        match parse_line(line) {
            Ok(Some(Command::Learn(c))) => c,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn learning_commands_parse() {
        assert_eq!(ok("train"), LearnCommand::Train(DEFAULT_TRAIN_STEPS));
        assert_eq!(ok("train 25"), LearnCommand::Train(25));
        assert_eq!(ok("train view 2"), LearnCommand::ViewSnapshot(Some(2)));
        assert_eq!(ok("loss"), LearnCommand::Loss);
        assert_eq!(
            ok("grad enc.0.attn.weights[1]"),
            LearnCommand::Grad(Some(Address::parse("grad.enc.0.attn.weights[1]").unwrap()))
        );
        assert_eq!(
            ok("grad grad.logits"),
            LearnCommand::Grad(Some(Address::parse("grad.logits").unwrap()))
        );
        assert_eq!(
            ok("translate 나는 학교에 간다"),
            LearnCommand::Translate("나는 학교에 간다".into())
        );
        assert_eq!(
            ok("decode force home"),
            LearnCommand::DecodeNext(Some("home".into()))
        );
        assert_eq!(
            ok("sample 0.7 5 3"),
            LearnCommand::Sample(Some((0.7, Some(5), 3)))
        );
        assert_eq!(ok("sample off"), LearnCommand::Sample(None));
        assert_eq!(
            ok("checkpoint save m.safetensors"),
            LearnCommand::CheckpointSave {
                path: "m.safetensors".into(),
                force: false
            }
        );
    }

    #[test]
    fn bad_learning_commands_say_what_is_allowed() {
        let e = |l: &str| parse_line(l).unwrap_err().to_string();
        assert!(
            e("train 0").contains("from 1 to 100000"),
            "{}",
            e("train 0")
        );
        assert!(e("sample -1").contains("temperature > 0"));
        assert!(e("checkpoint eat x").contains("load, save"));
        assert!(e("translate").contains("a sentence"));
    }
}
