//! A parallel corpus in a plain format: one pair per line, `source<TAB>target`, an optional
//! third column `held-out` for pairs kept out of training; `#` comment lines and blank lines
//! are skipped. The shipped corpus is `data/ko-en.tsv` (Korean → English).

use std::path::{Path, PathBuf};

use crate::model::Vocab;
use crate::model::config::TokenizerKind;
use crate::model::tokenizer::tokenize;
use crate::model::vocab::SourceSide;

/// The corpus `qkv train` and the Learn view read when none is named, and the shipped model
/// was trained on (built in, so it works from any directory; the same text as
/// `data/ko-en.tsv`).
pub const BUILT_IN: &str = include_str!("../../../../data/ko-en.tsv");

/// Largest corpus file read, in bytes.
pub const MAX_CORPUS_BYTES: u64 = 16 * 1024 * 1024;

/// One sentence pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// Source sentence (Korean in the shipped corpus).
    pub source: String,
    /// Target sentence (English), without `<bos>`/`<eos>`.
    pub target: String,
    /// Kept out of training.
    pub held_out: bool,
    /// Line number in the file (from 1).
    pub line: usize,
}

/// Training and held-out pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    /// Where it was read from (or a name for a built-in one).
    pub origin: String,
    /// Every pair in file order.
    pub pairs: Vec<Pair>,
}

/// A corpus that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// File system error.
    #[error("cannot read corpus {path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// Not a regular file or too large.
    #[error("corpus {path} is {what}: expected a regular text file of at most {max} bytes")]
    NotAFile {
        /// The file.
        path: PathBuf,
        /// What it is.
        what: String,
        /// The size limit.
        max: u64,
    },
    /// A malformed line.
    #[error(
        "{origin}:{line}: {why} (expected `source<TAB>target` or `source<TAB>target<TAB>held-out`)"
    )]
    Line {
        /// File name.
        origin: String,
        /// Line number.
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// No training pair.
    #[error("{origin} has no training pairs")]
    Empty {
        /// File name.
        origin: String,
    },
}

impl Corpus {
    /// Parses corpus text; `origin` names it in errors.
    pub fn parse(origin: &str, text: &str) -> Result<Corpus, CorpusError> {
        let mut pairs = Vec::new();
        let bad = |line: usize, why: String| CorpusError::Line {
            origin: origin.to_string(),
            line,
            why,
        };
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim_end_matches('\r');
            let l = if line == 1 {
                l.trim_start_matches('\u{feff}')
            } else {
                l
            };
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = l.split('\t').collect();
            let (source, target, held_out) = match cols.as_slice() {
                [s, t] => (*s, *t, false),
                [s, t, mark] if mark.trim() == "held-out" => (*s, *t, true),
                [s, t, mark] if mark.trim().is_empty() => (*s, *t, false),
                [_, _, mark] => {
                    return Err(bad(line, format!("unknown third column {mark:?}")));
                }
                _ => return Err(bad(line, format!("{} tab-separated columns", cols.len()))),
            };
            let (source, target) = (source.trim(), target.trim());
            if source.is_empty() || target.is_empty() {
                return Err(bad(line, "an empty sentence".to_string()));
            }
            if [source, target]
                .iter()
                .any(|s| s.contains("<bos>") || s.contains("<eos>") || s.contains("<pad>"))
            {
                return Err(bad(
                    line,
                    "special tokens are added by qkv, not written in the corpus".to_string(),
                ));
            }
            pairs.push(Pair {
                source: source.to_string(),
                target: target.to_string(),
                held_out,
                line,
            });
        }
        let corpus = Corpus {
            origin: origin.to_string(),
            pairs,
        };
        if corpus.training().next().is_none() {
            return Err(CorpusError::Empty {
                origin: origin.to_string(),
            });
        }
        Ok(corpus)
    }

    /// Reads and parses a corpus file (a regular file of at most [`MAX_CORPUS_BYTES`]).
    pub fn load(path: &Path) -> Result<Corpus, CorpusError> {
        let io = |cause| CorpusError::Io {
            path: path.to_path_buf(),
            cause,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() || meta.len() > MAX_CORPUS_BYTES {
            let what = if meta.is_file() {
                format!("{} bytes", meta.len())
            } else if meta.is_dir() {
                "a directory".to_string()
            } else {
                "not a regular file".to_string()
            };
            return Err(CorpusError::NotAFile {
                path: path.to_path_buf(),
                what,
                max: MAX_CORPUS_BYTES,
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        Corpus::parse(&path.display().to_string(), &text)
    }

    /// The training pairs.
    pub fn training(&self) -> impl Iterator<Item = &Pair> {
        self.pairs.iter().filter(|p| !p.held_out)
    }

    /// The held-out pairs.
    pub fn held_out(&self) -> impl Iterator<Item = &Pair> {
        self.pairs.iter().filter(|p| p.held_out)
    }

    /// The vocabulary of the training pairs (specials, then each pair's source words and
    /// target words in order of first appearance). Held-out words that never occur in
    /// training are left out: they read as `<unk>`, as they would for a real model.
    /// The vocabulary knows its source side: the training pairs' source words.
    pub fn vocab(&self, tokenizer: TokenizerKind) -> Vocab {
        let words: Vec<String> = self
            .training()
            .flat_map(|p| {
                tokenize(&p.source, tokenizer)
                    .into_iter()
                    .chain(tokenize(&p.target, tokenizer))
            })
            .collect();
        let source = SourceSide {
            origin: self.origin.clone(),
            words: self
                .training()
                .flat_map(|p| tokenize(&p.source, tokenizer))
                .collect(),
        };
        Vocab::build(words.iter().map(String::as_str)).with_source(source)
    }

    /// `vocab` (a checkpoint's, which records no corpus) knowing its source side when it is
    /// the built-in corpus's vocabulary, word for word: the shipped model's. Any other
    /// vocabulary is returned as it is, its source side unknown.
    pub fn with_built_in_source(vocab: Vocab, tokenizer: TokenizerKind) -> Vocab {
        match Corpus::parse(crate::i18n::training::BUILT_IN_CORPUS_ORIGIN, BUILT_IN) {
            Ok(c) => {
                let built_in = c.vocab(tokenizer);
                match built_in.source() {
                    Some(s) if built_in == vocab => vocab.with_source(s.clone()),
                    _ => vocab,
                }
            }
            Err(_) => vocab,
        }
    }

    /// The vocabulary of the training pairs' target side alone (a decoder-only model
    /// learns the target language).
    pub fn target_vocab(&self, tokenizer: TokenizerKind) -> Vocab {
        let words: Vec<String> = self
            .training()
            .flat_map(|p| tokenize(&p.target, tokenizer))
            .collect();
        Vocab::build(words.iter().map(String::as_str))
    }

    /// The vocabulary a model of `arch` learns from this corpus.
    pub fn vocab_for(&self, arch: crate::model::Arch, tokenizer: TokenizerKind) -> Vocab {
        match arch {
            crate::model::Arch::Decoder => self.target_vocab(tokenizer),
            _ => self.vocab(tokenizer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_comments_and_held_out() {
        let c = Corpus::parse(
            "t.tsv",
            "\u{feff}# comment\n나는 학교에 간다\tI go to school\n\n너는 집에 간다\tyou go home\theld-out\n",
        )
        .unwrap();
        assert_eq!(c.pairs.len(), 2);
        assert_eq!(c.training().count(), 1);
        assert_eq!(c.held_out().next().unwrap().line, 4);
        let v = c.vocab(TokenizerKind::Whitespace);
        assert_eq!(v.len(), 4 + 7);
        assert_eq!(v.get("너는"), None);
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let err = Corpus::parse("t.tsv", "a\tb\nno tab here\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.tsv:2: 1 tab-separated columns (expected `source<TAB>target` or `source<TAB>target<TAB>held-out`)"
        );
        assert!(Corpus::parse("t.tsv", "a\tb\tmaybe\n").is_err());
        assert!(Corpus::parse("t.tsv", "a\t<eos>\n").is_err());
        assert!(matches!(
            Corpus::parse("t.tsv", "a\tb\theld-out\n"),
            Err(CorpusError::Empty { .. })
        ));
    }
}
