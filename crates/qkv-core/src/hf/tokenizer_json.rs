//! `tokenizer.json`, read by Hugging Face's own `tokenizers` library (the one `transformers`
//! uses for its fast tokenizers), so that pieces and ids are exactly `transformers`' — for any
//! family whose directory has one (GPT-2's byte-level BPE, BERT's WordPiece).
//!
//! Besides encoding and decoding, a BPE model's merges are read from the same file, so that
//! [`JsonTokenizer::merges_of`] can replay the merges that formed a piece; and
//! [`byte_level`] turns a byte-level piece (`ëĤĺ`) back into the bytes it stands for.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::HfError;

/// A sentence cut into pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The pieces, as the vocabulary spells them.
    pub pieces: Vec<String>,
    /// Their ids.
    pub ids: Vec<usize>,
}

/// One merge of a BPE model: `left` + `right` → `left right` joined, with its rank (its line
/// in the merges list: a lower rank is applied first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    /// The left part.
    pub left: String,
    /// The right part.
    pub right: String,
    /// Its rank (from 0).
    pub rank: usize,
}

/// An opened `tokenizer.json`.
#[derive(Clone)]
pub struct JsonTokenizer {
    /// The file.
    pub file: PathBuf,
    inner: tokenizers::Tokenizer,
    /// A BPE model's merges by pair, their rank the value (empty for other models).
    ranks: HashMap<(String, String), usize>,
}

impl std::fmt::Debug for JsonTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonTokenizer")
            .field("file", &self.file)
            .field("vocab", &self.vocab_size())
            .field("merges", &self.ranks.len())
            .finish_non_exhaustive()
    }
}

/// The part of `tokenizer.json` the library does not hand out: a BPE model's merges, either
/// `"a b"` strings (older files) or `["a", "b"]` pairs.
#[derive(Deserialize)]
struct File {
    model: ModelPart,
}

#[derive(Deserialize)]
struct ModelPart {
    #[serde(default)]
    merges: Vec<MergeEntry>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MergeEntry {
    Joined(String),
    Pair(String, String),
}

impl JsonTokenizer {
    /// Opens `path` (a `tokenizer.json`).
    pub fn open(path: &Path) -> Result<JsonTokenizer, HfError> {
        let text = std::fs::read_to_string(path).map_err(|e| HfError::io(path, &e))?;
        let bad = |message: String| HfError::Tokenizer {
            file: path.to_path_buf(),
            message,
        };
        let inner =
            tokenizers::Tokenizer::from_bytes(text.as_bytes()).map_err(|e| bad(e.to_string()))?;
        let file: File = serde_json::from_str(&text).map_err(|e| HfError::Json {
            file: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let mut ranks = HashMap::new();
        for (rank, m) in file.model.merges.into_iter().enumerate() {
            let pair = match m {
                MergeEntry::Pair(a, b) => (a, b),
                MergeEntry::Joined(s) => match s.split_once(' ') {
                    Some((a, b)) => (a.to_string(), b.to_string()),
                    None => return Err(bad(format!("merge {rank} ({s:?}) is not two pieces"))),
                },
            };
            ranks.entry(pair).or_insert(rank);
        }
        Ok(JsonTokenizer {
            file: path.to_path_buf(),
            inner,
            ranks,
        })
    }

    /// Cuts `text` into pieces, without special tokens.
    pub fn encode(&self, text: &str) -> Result<Encoded, HfError> {
        let e = self
            .inner
            .encode(text, false)
            .map_err(|e| HfError::Tokenizer {
                file: self.file.clone(),
                message: e.to_string(),
            })?;
        Ok(Encoded {
            pieces: e.get_tokens().to_vec(),
            ids: e.get_ids().iter().map(|&i| i as usize).collect(),
        })
    }

    /// The text of `ids` (special tokens kept), as `transformers`' `decode` gives it.
    pub fn decode(&self, ids: &[usize]) -> String {
        let ids: Vec<u32> = ids.iter().map(|&i| i as u32).collect();
        self.inner.decode(&ids, false).unwrap_or_default()
    }

    /// The piece of `id` (`<unk?>` for an id outside the vocabulary).
    pub fn piece(&self, id: usize) -> String {
        u32::try_from(id)
            .ok()
            .and_then(|i| self.inner.id_to_token(i))
            .unwrap_or_else(|| "<unk?>".to_string())
    }

    /// The id of `piece`.
    pub fn id(&self, piece: &str) -> Option<usize> {
        self.inner.token_to_id(piece).map(|i| i as usize)
    }

    /// Entries of the vocabulary, added tokens counted.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// Every piece by id (ids without a piece are `<unk?>`).
    pub fn pieces(&self, n: usize) -> Vec<String> {
        (0..n).map(|i| self.piece(i)).collect()
    }

    /// True for a BPE model with merges.
    pub fn has_merges(&self) -> bool {
        !self.ranks.is_empty()
    }

    /// The merges that form `piece` from its characters, in the order BPE applies them: at
    /// each step the adjacent pair of lowest rank (the leftmost when it occurs twice). Empty
    /// for a single character or a model without merges.
    pub fn merges_of(&self, piece: &str) -> Vec<Merge> {
        let mut parts: Vec<String> = piece.chars().map(String::from).collect();
        let mut out = Vec::new();
        loop {
            let best = parts
                .windows(2)
                .enumerate()
                .filter_map(|(i, w)| {
                    self.ranks
                        .get(&(w[0].clone(), w[1].clone()))
                        .map(|&r| (r, i))
                })
                .min();
            let Some((rank, i)) = best else {
                return out;
            };
            let right = parts.remove(i + 1);
            out.push(Merge {
                left: parts[i].clone(),
                right: right.clone(),
                rank,
            });
            parts[i].push_str(&right);
        }
    }
}

/// GPT-2's byte-level alphabet: each of the 256 bytes is written as one printable character
/// (the printable ones as themselves, the others — space, control bytes, … — as the
/// characters from U+0100 on), so that any text, Korean included, is a string of these.
pub mod byte_level {
    /// The character that stands for byte `b`.
    pub fn char_of(b: u8) -> char {
        let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        if printable(b) {
            char::from(b)
        } else {
            // The n-th byte that is not printable is written as U+0100 + n.
            let n = (0..b).filter(|&x| !printable(x)).count() as u32;
            char::from_u32(256 + n).unwrap_or('?')
        }
    }

    /// The byte a byte-level character stands for.
    pub fn byte_of(c: char) -> Option<u8> {
        (0..=255u8).find(|&b| char_of(b) == c)
    }

    /// The bytes of a byte-level piece (`None` when a character is not of the alphabet).
    pub fn bytes_of(piece: &str) -> Option<Vec<u8>> {
        piece.chars().map(byte_of).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::byte_level::{byte_of, bytes_of, char_of};

    #[test]
    fn byte_level_characters_by_hand() {
        // Printable ASCII is itself; the space (0x20) is the 33rd non-printable byte
        // (0x00..=0x20), so U+0100 + 32 = U+0120 'Ġ'; 0x0A (newline) is U+010A 'Ċ'.
        assert_eq!(char_of(b'A'), 'A');
        assert_eq!(char_of(b' '), 'Ġ');
        assert_eq!(char_of(b'\n'), 'Ċ');
        assert_eq!(byte_of('Ġ'), Some(b' '));
        // 나 is EB 82 98 in UTF-8: 0xEB is printable (ë); before 0x82 come the non-printable
        // 0x00..=0x20 (33) and 0x7F..=0x81 (3), so n = 36, U+0124 'Ĥ'; for 0x98,
        // n = 33 + (0x98 − 0x7F) = 58, U+013A 'ĺ'.
        assert_eq!(bytes_of("ëĤĺ"), Some(vec![0xEB, 0x82, 0x98]));
        assert_eq!(String::from_utf8(vec![0xEB, 0x82, 0x98]).unwrap(), "나");
        for b in 0..=255u8 {
            assert_eq!(byte_of(char_of(b)), Some(b));
        }
    }
}
