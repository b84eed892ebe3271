//! Marian's tokenizer: the source sentence cut by `source.spm`, the target by `target.spm`,
//! each piece's id looked up in `vocab.json` (one vocabulary for both sides; a piece not in
//! it is `<unk>`), and `</s>` appended to the source. A leading language code such as
//! `>>fra<<` (multilingual models) is kept whole.

use std::collections::HashMap;
use std::path::Path;

use super::HfError;
use super::config::MarianConfig;
use super::spm::{Segment, SpmModel};

/// A sentence as the model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// The pieces (`▁학교`, `에`, …, `</s>`), one per id.
    pub pieces: Vec<String>,
    /// Their ids in `vocab.json`.
    pub ids: Vec<usize>,
    /// SentencePiece's segmentation (without `</s>`): scores and unknown runs.
    pub segments: Vec<Segment>,
}

/// Marian's two SentencePiece models and its shared vocabulary.
#[derive(Debug, Clone)]
pub struct MarianTokenizer {
    /// `source.spm`.
    pub source: SpmModel,
    /// `target.spm`.
    pub target: SpmModel,
    tokens: Vec<String>,
    ids: HashMap<String, usize>,
    unk_id: usize,
    eos_id: usize,
}

impl MarianTokenizer {
    /// Reads `source.spm`, `target.spm` and `vocab.json` in `dir`.
    pub fn open(dir: &Path, config: &MarianConfig) -> Result<MarianTokenizer, HfError> {
        let source = SpmModel::read(&dir.join("source.spm"))?;
        let target = SpmModel::read(&dir.join("target.spm"))?;
        let path = dir.join("vocab.json");
        let text = std::fs::read_to_string(&path).map_err(|e| HfError::io(&path, &e))?;
        let ids: HashMap<String, usize> =
            serde_json::from_str(&text).map_err(|e| HfError::Json {
                file: path.clone(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        let bad = |key: &'static str, value: String, allowed: String| HfError::BadValue {
            file: path.clone(),
            key,
            value,
            allowed,
        };
        if ids.len() != config.vocab_size {
            return Err(bad(
                "the number of entries",
                ids.len().to_string(),
                format!("config.json's vocab_size = {}", config.vocab_size),
            ));
        }
        let mut tokens = vec![String::new(); ids.len()];
        for (piece, &id) in &ids {
            match tokens.get_mut(id) {
                Some(slot) if slot.is_empty() => slot.clone_from(piece),
                _ => {
                    return Err(bad(
                        "an id",
                        format!("{id} (of {piece:?})"),
                        format!("each id from 0 to {} once", ids.len() - 1),
                    ));
                }
            }
        }
        let unk_id = *ids
            .get("<unk>")
            .ok_or_else(|| bad("<unk>", "missing".into(), "a vocabulary with <unk>".into()))?;
        Ok(MarianTokenizer {
            source,
            target,
            tokens,
            ids,
            unk_id,
            eos_id: config.eos_token_id,
        })
    }

    /// The vocabulary, by id.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The id of `piece`, `<unk>`'s when the vocabulary does not have it.
    pub fn id(&self, piece: &str) -> usize {
        self.ids.get(piece).copied().unwrap_or(self.unk_id)
    }

    /// The piece of `id` (`<unk>` for an id out of range).
    pub fn piece(&self, id: usize) -> &str {
        self.tokens.get(id).map_or("<unk>", String::as_str)
    }

    /// The encoder's input: `text`'s pieces by `source.spm`, then `</s>`.
    pub fn encode_source(&self, text: &str) -> Encoded {
        let mut e = self.encode(&self.source, text);
        e.pieces.push(self.piece(self.eos_id).to_string());
        e.ids.push(self.eos_id);
        e
    }

    /// `text`'s pieces by `target.spm` (a reference translation, without `</s>`).
    pub fn encode_target(&self, text: &str) -> Encoded {
        self.encode(&self.target, text)
    }

    fn encode(&self, spm: &SpmModel, text: &str) -> Encoded {
        let (code, rest) = language_code(text);
        let segments = spm.encode(rest);
        let mut pieces: Vec<String> = code.map(str::to_string).into_iter().collect();
        // An unknown run keeps its text (as Hugging Face's tokenizer shows it); its id is
        // looked up like any piece's, so it is `<unk>`'s unless vocab.json has that text.
        pieces.extend(segments.iter().map(|s| s.text.clone()));
        let ids = pieces.iter().map(|p| self.id(p)).collect();
        Encoded {
            pieces,
            ids,
            segments,
        }
    }

    /// Pieces back to text: joined, `▁` as a space, the leading space dropped; `</s>` and
    /// `<pad>` left out.
    pub fn decode(&self, ids: &[usize]) -> String {
        let text: String = ids
            .iter()
            .map(|&i| self.piece(i))
            .filter(|p| !matches!(*p, "</s>" | "<pad>"))
            .collect();
        text.replace(super::spm::SPACE, " ").trim().to_string()
    }
}

/// A leading `>>xx<<` language code and the rest of `text`.
fn language_code(text: &str) -> (Option<&str>, &str) {
    if let Some(rest) = text.strip_prefix(">>")
        && let Some(end) = rest.find("<<")
    {
        let cut = end + 4;
        return (Some(&text[..cut]), &text[cut..]);
    }
    (None, text)
}
