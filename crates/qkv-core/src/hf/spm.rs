//! Marian's subword tokenizer: a SentencePiece unigram model read from `source.spm` /
//! `target.spm` (a protobuf `ModelProto`), segmenting a sentence by the Viterbi path of
//! highest total piece score.
//!
//! Written here rather than taken from a crate: Cargo.lock has no protobuf or SentencePiece
//! crate, the `tokenizers` crate brings dozens of dependencies (and still needs the pieces
//! read from the protobuf first), and what Marian needs is small: the pieces with their scores
//! and types (three protobuf fields), and a dynamic programme over the characters.
//!
//! What SentencePiece does and this code does too: leading, trailing and repeated spaces are
//! dropped, `▁` is put before the sentence and for every space, pieces of type normal and
//! user-defined are matched, a character no piece covers becomes the unknown piece with score
//! `min score − 10`, and a run of unknown characters is one unknown piece. Not done: the
//! model's Unicode normalisation table (`nmt_nfkc`, `precompiled_charsmap`), which maps rare
//! compatibility characters (full-width letters, ligatures) to their plain forms; text made
//! of ordinary Hangul syllables and ASCII is unchanged by it.

use std::collections::HashMap;
use std::path::Path;

use super::HfError;

/// The word-boundary mark SentencePiece puts where a space was.
pub const SPACE: char = '▁';
/// SentencePiece's penalty for an unknown character, below the lowest piece score.
pub const UNK_PENALTY: f32 = 10.0;

/// What a piece is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// An ordinary subword.
    Normal,
    /// The unknown piece.
    Unknown,
    /// A control symbol such as `</s>` (never matched in text).
    Control,
    /// A piece the trainer was told to keep whole.
    UserDefined,
    /// Kept in the table but never used.
    Unused,
    /// A byte-fallback piece `<0x..>`.
    Byte,
}

/// One piece of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// Its text (`▁학교`).
    pub text: String,
    /// Its log-probability in the unigram model.
    pub score: f32,
    /// Its type.
    pub kind: PieceKind,
}

/// A piece of a segmented sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The piece's text; for an unknown piece, the characters it stands for.
    pub text: String,
    /// Its id in the SentencePiece model (the unknown piece's for unknown text).
    pub spm_id: usize,
    /// True for text no piece covers.
    pub unknown: bool,
    /// Its score (the unknown score for unknown text).
    pub score: f32,
}

/// A SentencePiece unigram model.
#[derive(Debug, Clone, PartialEq)]
pub struct SpmModel {
    pieces: Vec<Piece>,
    index: HashMap<String, usize>,
    longest: usize,
    unk_id: usize,
    min_score: f32,
    max_score: f32,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    /// The name of the model's normalisation rule (`identity`, `nmt_nfkc`, …).
    pub normalizer: String,
}

impl SpmModel {
    /// Reads a `.spm` / `.model` file.
    pub fn read(path: &Path) -> Result<SpmModel, HfError> {
        let bytes = std::fs::read(path).map_err(|e| HfError::io(path, &e))?;
        SpmModel::from_bytes(&bytes).map_err(|reason| HfError::Spm {
            file: path.to_path_buf(),
            reason,
        })
    }

    /// Parses the protobuf `ModelProto` in `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<SpmModel, String> {
        let mut pieces = Vec::new();
        let mut model_type = 1u64;
        let mut normalizer = String::new();
        let (mut add_dummy_prefix, mut remove_extra_whitespaces) = (true, true);
        for field in Fields::new(bytes) {
            match field? {
                (1, Value::Bytes(b)) => pieces.push(piece(b)?),
                (2, Value::Bytes(b)) => {
                    for f in Fields::new(b) {
                        if let (3, Value::Varint(v)) = f? {
                            model_type = v;
                        }
                    }
                }
                (3, Value::Bytes(b)) => {
                    for f in Fields::new(b) {
                        match f? {
                            (1, Value::Bytes(name)) => {
                                normalizer = String::from_utf8_lossy(name).into_owned();
                            }
                            (3, Value::Varint(v)) => add_dummy_prefix = v != 0,
                            (4, Value::Varint(v)) => remove_extra_whitespaces = v != 0,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if model_type != 1 {
            let name = match model_type {
                2 => "BPE",
                3 => "word",
                4 => "char",
                _ => "unknown",
            };
            return Err(format!(
                "the model type is {name} ({model_type}); qkv reads unigram models (type 1), as Marian's"
            ));
        }
        let unk_id = pieces
            .iter()
            .position(|p: &Piece| p.kind == PieceKind::Unknown)
            .ok_or("the model has no unknown piece")?;
        let matched = |p: &Piece| matches!(p.kind, PieceKind::Normal | PieceKind::UserDefined);
        let normal = pieces.iter().filter(|p| p.kind == PieceKind::Normal);
        let min_score = normal
            .clone()
            .map(|p| p.score)
            .fold(f32::INFINITY, f32::min);
        let max_score = normal.map(|p| p.score).fold(f32::NEG_INFINITY, f32::max);
        let mut index = HashMap::new();
        let mut longest = 1;
        for (i, p) in pieces.iter().enumerate() {
            if matched(p) && !p.text.is_empty() {
                index.entry(p.text.clone()).or_insert(i);
                longest = longest.max(p.text.chars().count());
            }
        }
        Ok(SpmModel {
            pieces,
            index,
            longest,
            unk_id,
            min_score: if min_score.is_finite() {
                min_score
            } else {
                0.0
            },
            max_score: if max_score.is_finite() {
                max_score
            } else {
                0.0
            },
            add_dummy_prefix,
            remove_extra_whitespaces,
            normalizer,
        })
    }

    /// The pieces, by SentencePiece id.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The score an unknown character gets.
    pub fn unk_score(&self) -> f32 {
        self.min_score - UNK_PENALTY
    }

    /// `text` as SentencePiece sees it: spaces trimmed and collapsed, `▁` for each space and
    /// one in front.
    pub fn normalize(&self, text: &str) -> String {
        let joined = if self.remove_extra_whitespaces {
            text.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            text.to_string()
        };
        let mut out = String::with_capacity(joined.len() + 3);
        if self.add_dummy_prefix && !joined.is_empty() {
            out.push(SPACE);
        }
        out.extend(joined.chars().map(|c| if c == ' ' { SPACE } else { c }));
        out
    }

    /// The segmentation of `text` with the highest total score (SentencePiece's Viterbi).
    pub fn encode(&self, text: &str) -> Vec<Segment> {
        let chars: Vec<char> = self.normalize(text).chars().collect();
        let paths = self.best_paths(&chars, 1);
        let mut out: Vec<Segment> = Vec::new();
        for (b, e, id) in paths.into_iter().next().map(|p| p.0).unwrap_or_default() {
            let text: String = chars[b..e].iter().collect();
            match id {
                Some(id) => out.push(Segment {
                    text,
                    spm_id: id,
                    unknown: false,
                    score: self.pieces[id].score,
                }),
                None => match out.last_mut() {
                    // A run of unknown characters is one unknown piece.
                    Some(last) if last.unknown => last.text.push_str(&text),
                    _ => out.push(Segment {
                        text,
                        spm_id: self.unk_id,
                        unknown: true,
                        score: self.unk_score(),
                    }),
                },
            }
        }
        out
    }

    /// The second-best segmentation of `text` (its pieces, one per character for unknown
    /// text, and its total score), when there is one.
    pub fn runner_up(&self, text: &str) -> Option<(Vec<String>, f32)> {
        let chars: Vec<char> = self.normalize(text).chars().collect();
        let (path, score) = self.best_paths(&chars, 2).into_iter().nth(1)?;
        Some((
            path.iter()
                .map(|&(b, e, _)| chars[b..e].iter().collect())
                .collect(),
            score,
        ))
    }

    /// The `keep` best segmentations of `chars`, best first: each a list of (start, end,
    /// piece id or None for an unknown character) and its total score. A character no piece
    /// covers gets the unknown score.
    fn best_paths(&self, chars: &[char], keep: usize) -> Vec<(Segmentation, f32)> {
        let n = chars.len();
        // best[e][r] = (total score of the r-th best segmentation of chars[..e], start of its
        // last piece, piece id or None, rank of the prefix it extends)
        let mut best: Vec<Vec<Node>> = vec![Vec::new(); n + 1];
        best[0].push((0.0, 0, None, 0));
        let mut buf = String::new();
        for b in 0..n {
            let bases: Vec<f32> = best[b].iter().map(|x| x.0).collect();
            let mut single = false;
            buf.clear();
            for e in b + 1..=(b + self.longest).min(n) {
                buf.push(chars[e - 1]);
                if let Some(&id) = self.index.get(&buf) {
                    single |= e == b + 1;
                    let p = &self.pieces[id];
                    let score = if p.kind == PieceKind::UserDefined {
                        (e - b) as f32 * self.max_score - 0.1
                    } else {
                        p.score
                    };
                    for (r, base) in bases.iter().enumerate() {
                        insert(&mut best[e], keep, (base + score, b, Some(id), r));
                    }
                }
            }
            if !single {
                for (r, base) in bases.iter().enumerate() {
                    insert(
                        &mut best[b + 1],
                        keep,
                        (base + self.unk_score(), b, None, r),
                    );
                }
            }
        }
        let mut out = Vec::new();
        for (rank, &(score, ..)) in best[n].iter().enumerate() {
            let mut path = Vec::new();
            let (mut e, mut r) = (n, rank);
            while e > 0 {
                let Some(&(_, b, id, prev)) = best[e].get(r) else {
                    break;
                };
                path.push((b, e, id));
                (e, r) = (b, prev);
            }
            path.reverse();
            out.push((path, score));
        }
        out
    }
}

/// A lattice entry: total score, start of the last piece, its id (None: an unknown
/// character), rank of the prefix it extends.
type Node = (f32, usize, Option<usize>, usize);

/// A segmentation: (start, end, piece id or None) per piece.
type Segmentation = Vec<(usize, usize, Option<usize>)>;

/// Puts `entry` among the `keep` best of `slot` (highest score first; the first of equal
/// scores stays ahead).
fn insert(
    slot: &mut Vec<(f32, usize, Option<usize>, usize)>,
    keep: usize,
    entry: (f32, usize, Option<usize>, usize),
) {
    let at = slot
        .iter()
        .position(|x| entry.0 > x.0)
        .unwrap_or(slot.len());
    if at < keep {
        slot.insert(at, entry);
        slot.truncate(keep);
    }
}

/// One `SentencePiece` message: text (1), score (2), type (3).
fn piece(bytes: &[u8]) -> Result<Piece, String> {
    let mut p = Piece {
        text: String::new(),
        score: 0.0,
        kind: PieceKind::Normal,
    };
    for f in Fields::new(bytes) {
        match f? {
            (1, Value::Bytes(t)) => {
                p.text = String::from_utf8(t.to_vec())
                    .map_err(|_| "a piece is not valid UTF-8".to_string())?;
            }
            (2, Value::Fixed32(bits)) => p.score = f32::from_bits(bits),
            (3, Value::Varint(t)) => {
                p.kind = match t {
                    1 => PieceKind::Normal,
                    2 => PieceKind::Unknown,
                    3 => PieceKind::Control,
                    4 => PieceKind::UserDefined,
                    5 => PieceKind::Unused,
                    6 => PieceKind::Byte,
                    other => {
                        return Err(format!(
                            "piece type {other} is not a SentencePiece type (1 to 6)"
                        ));
                    }
                };
            }
            _ => {}
        }
    }
    Ok(p)
}

/// A protobuf field's value.
enum Value<'a> {
    Varint(u64),
    Fixed32(u32),
    Fixed64,
    Bytes(&'a [u8]),
}

/// The fields of one protobuf message, in order.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Fields { rest: bytes }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.rest.split_first().ok_or(TRUNCATED)?;
            self.rest = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a varint is longer than 10 bytes".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.rest.len() {
            return Err(TRUNCATED.into());
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }
}

const TRUNCATED: &str = "the file ends inside a field (not a SentencePiece model, or cut short)";

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Value<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let field = (|| {
            let key = self.varint()?;
            let value = match key & 7 {
                0 => Value::Varint(self.varint()?),
                1 => {
                    self.take(8)?;
                    Value::Fixed64
                }
                2 => {
                    let n = usize::try_from(self.varint()?).map_err(|_| TRUNCATED.to_string())?;
                    Value::Bytes(self.take(n)?)
                }
                5 => {
                    let b = self.take(4)?;
                    Value::Fixed32(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                }
                w => {
                    return Err(format!(
                        "protobuf wire type {w} is not one SentencePiece uses"
                    ));
                }
            };
            Ok((key >> 3, value))
        })();
        if field.is_err() {
            self.rest = &[];
        }
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model with pieces `<unk>` (unknown), `</s>` (control), `▁` −1, `a` −2, `b` −2,
    /// `ab` −3, `▁ab` −3.5, written as protobuf by hand.
    fn tiny() -> SpmModel {
        fn piece(text: &str, score: f32, kind: u8) -> Vec<u8> {
            let mut p = vec![0x0a, text.len() as u8];
            p.extend(text.as_bytes());
            p.push(0x15);
            p.extend(score.to_le_bytes());
            p.extend([0x18, kind]);
            let mut f = vec![0x0a, p.len() as u8];
            f.extend(p);
            f
        }
        let mut bytes = Vec::new();
        for (t, s, k) in [
            ("<unk>", 0.0, 2),
            ("</s>", 0.0, 3),
            ("▁", -1.0, 1),
            ("a", -2.0, 1),
            ("b", -2.0, 1),
            ("ab", -3.0, 1),
            ("▁ab", -3.5, 1),
        ] {
            bytes.extend(piece(t, s, k));
        }
        SpmModel::from_bytes(&bytes).unwrap()
    }

    #[test]
    fn viterbi_takes_the_highest_total_score() {
        let m = tiny();
        // "ab" → "▁ab": ▁ab alone −3.5 beats ▁ + ab = −1 − 3 = −4 and ▁ + a + b = −5.
        let s = m.encode("ab");
        assert_eq!(
            s.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
            ["▁ab"]
        );
        // "  ab  ba " → "▁ab▁ba": ▁ab (−3.5), ▁ (−1), b (−2), a (−2); "ba" is no piece.
        let s = m.encode("  ab  ba ");
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["▁ab", "▁", "b", "a"]);
        assert_eq!(s.iter().map(|s| s.spm_id).collect::<Vec<_>>(), [6, 2, 4, 3]);
    }

    #[test]
    fn the_runner_up_is_the_second_highest_total() {
        // "ab" → "▁ab": ▁ab −3.5 (best), ▁ + ab −4 (second), ▁ + a + b −5.
        let (pieces, score) = tiny().runner_up("ab").unwrap();
        assert_eq!(pieces, ["▁", "ab"]);
        assert_eq!(score, -4.0);
    }

    #[test]
    fn unknown_characters_run_together_into_one_unknown_piece() {
        let m = tiny();
        // "xy a": x and y are no piece: one unknown "xy" with score min −3.5 − 10 = −13.5.
        let s = m.encode("xya");
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].text.as_str(), s[0].unknown), ("▁", false));
        assert_eq!(
            (s[1].text.as_str(), s[1].unknown, s[1].spm_id),
            ("xy", true, 0)
        );
        assert_eq!(s[1].score, -13.5);
        assert_eq!(s[2].text, "a");
    }

    #[test]
    fn a_cut_file_is_an_error_not_a_panic() {
        let err = SpmModel::from_bytes(&[0x0a, 0x20, 0x01]).unwrap_err();
        assert!(err.contains("ends inside a field"), "{err}");
    }
}
