//! The fixed vocabulary of a trained model: ids 0 `<pad>`, 1 `<unk>`, 2 `<bos>`, 3 `<eos>`,
//! then the corpus words in a stable order (first appearance, source side of every pair
//! before its target side). One vocabulary serves both sides, as the paper shares one
//! embedding matrix between the two embeddings and the output projection (§3.4).
//!
//! An untrained model without a corpus has no fixed vocabulary: its "vocabulary" is the
//! current sentence's tokens (see [`Input::vocab`](super::Input::vocab)).

use std::collections::{BTreeSet, HashMap};

use super::tokenizer::{BOS, EOS};

/// The padding token (id 0).
pub const PAD: &str = "<pad>";
/// The token every unknown word maps to (id 1).
pub const UNK: &str = "<unk>";
/// The four special tokens, in id order.
pub const SPECIALS: [&str; 4] = [PAD, UNK, BOS, EOS];

/// What a label adds to a word the vocabulary lacks: `바나나→<unk>`.
pub const UNK_MARK: &str = "→<unk>";

/// The word a label names, and whether the model read it as `<unk>` ([`Vocab::label`]):
/// `바나나→<unk>` → (`바나나`, true), `나는` → (`나는`, false).
pub fn unmark(label: &str) -> (&str, bool) {
    match label.strip_suffix(UNK_MARK) {
        Some(word) => (word, true),
        None => (label, false),
    }
}

/// Id of `<unk>`.
pub const UNK_ID: usize = 1;
/// Id of `<bos>`.
pub const BOS_ID: usize = 2;
/// Id of `<eos>`.
pub const EOS_ID: usize = 3;

/// A token list that does not make a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabError {
    /// The first four tokens are not the specials in order.
    #[error(
        "a vocabulary starts with <pad> <unk> <bos> <eos> (ids 0 to 3); token {id} is {found:?}"
    )]
    Specials {
        /// The id.
        id: usize,
        /// The token found there.
        found: String,
    },
    /// A token appears twice.
    #[error("token {token:?} appears twice in the vocabulary (ids {first} and {second})")]
    Duplicate {
        /// The token.
        token: String,
        /// Its first id.
        first: usize,
        /// The repeated id.
        second: usize,
    },
    /// An empty token.
    #[error("token {id} of the vocabulary is empty or contains white space")]
    Blank {
        /// The id.
        id: usize,
    },
}

/// The words a model saw on its source (input) side, and the corpus they come from. One
/// vocabulary serves both sides, so a sentence in the target language has no `<unk>`; only
/// this set says that its words were never input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSide {
    /// The corpus (its file, or `built-in:data/ko-en.tsv`).
    pub origin: String,
    /// Every word of its training pairs' source sentences.
    pub words: BTreeSet<String>,
}

/// How many of a sentence's words a model never saw as input, out of how many
/// ([`Vocab::mostly_unseen`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unseen {
    /// Words never seen on the source side (or, when the source side is not known, read as
    /// `<unk>`).
    pub unseen: usize,
    /// Words of the sentence.
    pub total: usize,
}

/// Token ↔ id, and the source side when the corpus is known.
#[derive(Debug, Clone)]
pub struct Vocab {
    tokens: Vec<String>,
    ids: HashMap<String, usize>,
    source: Option<SourceSide>,
}

/// Two vocabularies are equal when they map the same tokens to the same ids (whether the
/// source side is known is not part of the mapping).
impl PartialEq for Vocab {
    fn eq(&self, other: &Vocab) -> bool {
        self.tokens == other.tokens
    }
}

impl Eq for Vocab {}

impl Vocab {
    /// The specials followed by `words` in order of first appearance (repeats and specials
    /// among `words` are skipped).
    pub fn build<'a>(words: impl IntoIterator<Item = &'a str>) -> Vocab {
        let mut v = Vocab {
            tokens: Vec::new(),
            ids: HashMap::new(),
            source: None,
        };
        for t in SPECIALS.into_iter().chain(words) {
            if !v.ids.contains_key(t) {
                v.ids.insert(t.to_string(), v.tokens.len());
                v.tokens.push(t.to_string());
            }
        }
        v
    }

    /// A vocabulary read back from a token list (a checkpoint's): the specials first, no
    /// repeats, no blank tokens.
    pub fn from_tokens(tokens: Vec<String>) -> Result<Vocab, VocabError> {
        for (id, want) in SPECIALS.iter().enumerate() {
            let found = tokens.get(id).map(String::as_str).unwrap_or("");
            if found != *want {
                return Err(VocabError::Specials {
                    id,
                    found: found.to_string(),
                });
            }
        }
        let mut ids = HashMap::with_capacity(tokens.len());
        for (id, t) in tokens.iter().enumerate() {
            if t.is_empty() || t.chars().any(char::is_whitespace) {
                return Err(VocabError::Blank { id });
            }
            if let Some(first) = ids.insert(t.clone(), id) {
                return Err(VocabError::Duplicate {
                    token: t.clone(),
                    first,
                    second: id,
                });
            }
        }
        Ok(Vocab {
            tokens,
            ids,
            source: None,
        })
    }

    /// The same vocabulary, knowing which words its model saw as input.
    #[must_use]
    pub fn with_source(mut self, source: SourceSide) -> Vocab {
        self.source = Some(source);
        self
    }

    /// The source side, when the corpus the model learnt from is known.
    pub fn source(&self) -> Option<&SourceSide> {
        self.source.as_ref()
    }

    /// When most of a sentence's words (`labels`, a trace's source row labels such as
    /// `바나나→<unk>`) were never input to the model (more than half): how many, out of how
    /// many. With a known source side a word counts when the source sentences never held it
    /// (English typed into a Korean → English model, whose shared vocabulary knows `school`);
    /// without, only a word read as `<unk>` counts. Specials (`<eos>`) count as seen. A
    /// sentence the model never learnt to read gives an answer that means nothing, and the
    /// student must be told.
    pub fn mostly_unseen(&self, labels: &[String]) -> Option<Unseen> {
        let unseen = labels
            .iter()
            .filter(|label| {
                let (word, unk) = unmark(label);
                match &self.source {
                    Some(s) => !SPECIALS.contains(&word) && (unk || !s.words.contains(word)),
                    None => unk,
                }
            })
            .count();
        (2 * unseen > labels.len()).then_some(Unseen {
            unseen,
            total: labels.len(),
        })
    }

    /// Number of tokens (specials included).
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Always false: the specials are always there.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Every token by id.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The token of `id`, if any.
    pub fn token(&self, id: usize) -> Option<&str> {
        self.tokens.get(id).map(String::as_str)
    }

    /// The id of `token`, `None` when unknown.
    pub fn get(&self, token: &str) -> Option<usize> {
        self.ids.get(token).copied()
    }

    /// The id of `token`, or `<unk>`'s.
    pub fn id(&self, token: &str) -> usize {
        self.get(token).unwrap_or(UNK_ID)
    }

    /// `token` as a label shows it: itself, or `바나나→<unk>` when the vocabulary lacks it
    /// (the model reads `<unk>`'s row in its place).
    pub fn label(&self, token: &str) -> String {
        match self.get(token) {
            Some(_) => token.to_string(),
            None => format!("{token}{UNK_MARK}"),
        }
    }

    /// The first `n` words of the vocabulary (after the specials), to show what it holds.
    pub fn sample(&self, n: usize) -> Vec<&str> {
        self.tokens
            .iter()
            .skip(SPECIALS.len())
            .take(n)
            .map(String::as_str)
            .collect()
    }

    /// The tokens of `tokens` that the vocabulary does not know, each once, in order.
    pub fn unknown<'a>(&self, tokens: impl IntoIterator<Item = &'a String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in tokens {
            if self.get(t).is_none() && !out.contains(t) {
                out.push(t.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials_first_then_words_in_order() {
        let v = Vocab::build(["나는", "학교에", "간다", "I", "나는", "<eos>"]);
        assert_eq!(
            v.tokens(),
            [
                "<pad>",
                "<unk>",
                "<bos>",
                "<eos>",
                "나는",
                "학교에",
                "간다",
                "I"
            ]
        );
        assert_eq!(v.id("학교에"), 5);
        assert_eq!(v.id("바나나"), UNK_ID);
        assert_eq!(v.label("바나나"), "바나나→<unk>");
        assert_eq!(v.label("<bos>"), "<bos>");
        assert_eq!(unmark("바나나→<unk>"), ("바나나", true));
        assert_eq!(unmark("<unk>"), ("<unk>", false));
        assert_eq!(v.get("바나나"), None);
        assert_eq!(
            v.unknown(&["나는".to_string(), "집에".into(), "집에".into()]),
            ["집에"]
        );
    }

    /// One vocabulary for both sides: `I go to school` has no `<unk>`, so only the source
    /// side tells that none of its 4 words was ever input (4 > 4 / 2); `나는 학교에 간다`
    /// has 0 such words. Without a source side only `<unk>` words count: 0 of 4.
    #[test]
    fn mostly_unseen_reads_the_source_side() {
        let v = Vocab::build(["나는", "학교에", "간다", "I", "go", "to", "school"]);
        let labels =
            |v: &Vocab, s: &str| -> Vec<String> { s.split(' ').map(|w| v.label(w)).collect() };
        let english = labels(&v, "I go to school");
        assert_eq!(v.mostly_unseen(&english), None);
        let v = v.with_source(SourceSide {
            origin: "t.tsv".into(),
            words: ["나는", "학교에", "간다"].map(String::from).into(),
        });
        assert_eq!(
            v.mostly_unseen(&english),
            Some(Unseen {
                unseen: 4,
                total: 4
            })
        );
        let words = |s: &str| labels(&v, s);
        assert_eq!(v.mostly_unseen(&words("나는 학교에 간다 <eos>")), None);
        // 바나나→<unk> and go: 2 of 3, more than half; 나는 go: 1 of 2, not more than half.
        assert_eq!(
            v.mostly_unseen(&words("나는 바나나 go")),
            Some(Unseen {
                unseen: 2,
                total: 3
            })
        );
        assert_eq!(v.mostly_unseen(&words("나는 go")), None);
    }

    #[test]
    fn token_lists_are_checked() {
        let ok = Vocab::build(["a"]).tokens().to_vec();
        assert_eq!(Vocab::from_tokens(ok.clone()).unwrap().len(), 5);
        let mut bad = ok.clone();
        bad.swap(0, 1);
        assert!(matches!(
            Vocab::from_tokens(bad),
            Err(VocabError::Specials { id: 0, .. })
        ));
        let mut dup = ok.clone();
        dup.push("a".into());
        assert_eq!(
            Vocab::from_tokens(dup).unwrap_err().to_string(),
            "token \"a\" appears twice in the vocabulary (ids 4 and 5)"
        );
        let mut blank = ok;
        blank.push("a b".into());
        assert!(matches!(
            Vocab::from_tokens(blank),
            Err(VocabError::Blank { id: 5 })
        ));
    }
}
