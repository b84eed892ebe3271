//! Which kind of model a directory holds, and the opened model of that kind.
//!
//! `config.json`'s `model_type` chooses the [`Family`]; [`HfModel::open`] reads the directory
//! with that family's loader. A new family is a new variant of both enums, its loader and its
//! forward pass; the front ends hold an [`HfModel`] and ask it what they need (its directory,
//! its weights, its heading, its pieces), or ask for one family's model
//! ([`HfModel::marian`]) where only that family has the feature (translation).

use crate::model::cancel::Control;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::HfError;
use super::bert::BertModel;
use super::gpt2::Gpt2Model;
use super::load::MarianModel;
use crate::model::Weights;
use crate::model::weights::MissingWeight;
use crate::trace::Trace;

/// A kind of Hugging Face model qkv can open, named by `config.json`'s `model_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `marian`: the encoder-decoder translation models `Helsinki-NLP/opus-mt-*`.
    Marian,
    /// `gpt2`: the decoder alone, predicting the next token (`openai-community/gpt2`).
    Gpt2,
    /// `bert`: the encoder alone (`bert-base-uncased`, sentence-transformers' MiniLM).
    Bert,
}

impl Family {
    /// Every family, in the order error messages list them.
    pub const ALL: [Family; 3] = [Family::Marian, Family::Gpt2, Family::Bert];

    /// The `model_type` value that names it.
    pub fn model_type(self) -> &'static str {
        match self {
            Family::Marian => "marian",
            Family::Gpt2 => "gpt2",
            Family::Bert => "bert",
        }
    }

    /// Its name in a sentence (`Marian`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Marian => "Marian",
            Family::Gpt2 => "GPT-2",
            Family::Bert => "BERT",
        }
    }

    /// The family whose `model_type` is `name`.
    pub fn from_model_type(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.model_type() == name)
    }

    /// `marian (Helsinki-NLP/opus-mt-*)`: what qkv can open, as an error lists it.
    pub fn allowed() -> String {
        Family::ALL
            .iter()
            .map(|f| format!("{} ({})", f.model_type(), f.examples()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Models of the family, as a reader would find them on the Hub.
    fn examples(self) -> &'static str {
        match self {
            Family::Marian => "the Helsinki-NLP/opus-mt-* models",
            Family::Gpt2 => "openai-community/gpt2, distilgpt2",
            Family::Bert => "bert-base-uncased, sentence-transformers' MiniLM models",
        }
    }

    /// Has an encoder and a decoder (the decoder reads a second sequence).
    pub fn has_target(self) -> bool {
        match self {
            Family::Marian => true,
            Family::Gpt2 => false,
            Family::Bert => false,
        }
    }

    /// The family of the directory `dir`, from its `config.json` (`model_type`; a file
    /// without one is read as Marian's, as qkv did before it opened other families).
    pub fn of_dir(dir: &Path) -> Result<Family, HfError> {
        #[derive(Deserialize)]
        struct Kind {
            model_type: Option<String>,
        }
        let path = dir.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|e| HfError::io(&path, &e))?;
        let kind: Kind = serde_json::from_str(&text).map_err(|e| HfError::Json {
            file: path.clone(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let name = kind
            .model_type
            .unwrap_or_else(|| Family::Marian.model_type().to_string());
        Family::from_model_type(&name).ok_or_else(|| HfError::BadValue {
            file: path,
            key: "model_type",
            value: name,
            allowed: Family::allowed(),
        })
    }
}

/// An opened Hugging Face model, of one of the [`Family`]s.
// One model is open at a time, and its weights live on the heap: the variants' sizes differ
// by a few hundred bytes of configuration and tokenizer tables.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum HfModel {
    /// A Marian translation model (each variant boxed: the enum is a pointer wide).
    Marian(Box<MarianModel>),
    /// A GPT-2 model.
    Gpt2(Box<Gpt2Model>),
    /// A BERT encoder, with or without its masked-language-model head.
    Bert(Box<BertModel>),
}

impl HfModel {
    /// Opens the model directory `dir` with the loader of its family. Reads only local files.
    pub fn open(dir: &Path) -> Result<HfModel, HfError> {
        HfModel::open_controlled(dir, &Control::new())
    }

    /// [`HfModel::open`] reporting the weights' bytes read to `control` (stage
    /// [`Stage::Bytes`](crate::model::cancel::Stage::Bytes)) and stopping between two tensors
    /// when `control` is asked to ([`HfError::Cancelled`]).
    pub fn open_controlled(dir: &Path, control: &Control) -> Result<HfModel, HfError> {
        Ok(match Family::of_dir(dir)? {
            Family::Marian => {
                HfModel::Marian(Box::new(MarianModel::open_controlled(dir, control)?))
            }
            Family::Gpt2 => HfModel::Gpt2(Box::new(Gpt2Model::open_controlled(dir, control)?)),
            Family::Bert => HfModel::Bert(Box::new(BertModel::open_controlled(dir, control)?)),
        })
    }

    /// Its family.
    pub fn family(&self) -> Family {
        match self {
            HfModel::Marian(_) => Family::Marian,
            HfModel::Gpt2(_) => Family::Gpt2,
            HfModel::Bert(_) => Family::Bert,
        }
    }

    /// The directory it was read from.
    pub fn dir(&self) -> &PathBuf {
        match self {
            HfModel::Marian(m) => &m.dir,
            HfModel::Gpt2(m) => &m.dir,
            HfModel::Bert(m) => &m.dir,
        }
    }

    /// The weights, canonical names.
    pub fn weights(&self) -> &Weights {
        match self {
            HfModel::Marian(m) => &m.weights,
            HfModel::Gpt2(m) => &m.weights,
            HfModel::Bert(m) => &m.weights,
        }
    }

    /// The number of parameters (a tied table counted once).
    pub fn param_count(&self) -> usize {
        self.weights().param_count()
    }

    /// The piece of id `id`.
    pub fn piece(&self, id: usize) -> String {
        match self {
            HfModel::Marian(m) => m.tokenizer.piece(id).to_string(),
            HfModel::Gpt2(m) => m.tokenizer.piece(id),
            HfModel::Bert(m) => m.piece(id).to_string(),
        }
    }

    /// `config.json` as the export records it.
    pub fn config_json(&self) -> serde_json::Value {
        match self {
            HfModel::Marian(m) => serde_json::to_value(&m.config).unwrap_or_default(),
            HfModel::Gpt2(m) => serde_json::to_value(&m.config).unwrap_or_default(),
            HfModel::Bert(m) => serde_json::to_value(&m.config).unwrap_or_default(),
        }
    }

    /// Columns per head.
    pub fn d_k(&self) -> usize {
        match self {
            HfModel::Marian(m) => m.config.d_model / m.config.encoder_attention_heads.max(1),
            HfModel::Gpt2(m) => m.config.n_embd / m.config.n_head.max(1),
            HfModel::Bert(m) => m.config.hidden_size / m.config.num_attention_heads.max(1),
        }
    }

    /// Runs the model on `source` (the encoder's ids, or a decoder-only model's ids) and
    /// `target` (the decoder's ids of an encoder-decoder; empty for a decoder-only model).
    pub fn forward(&self, source: &[usize], target: &[usize]) -> Result<Trace, MissingWeight> {
        match self {
            HfModel::Marian(m) => m.forward(source, target),
            HfModel::Gpt2(m) => m.forward(source),
            // One sentence (type 0), no padding; the encoder has no second sequence.
            HfModel::Bert(m) => m.forward_ids(&super::bert::BertInput::single(source.to_vec())),
        }
    }

    /// The Marian model, when it is one.
    pub fn marian(&self) -> Option<&MarianModel> {
        match self {
            HfModel::Marian(m) => Some(m),
            HfModel::Gpt2(_) | HfModel::Bert(_) => None,
        }
    }

    /// The GPT-2 model, when it is one.
    pub fn gpt2(&self) -> Option<&Gpt2Model> {
        match self {
            HfModel::Gpt2(m) => Some(m),
            HfModel::Marian(_) | HfModel::Bert(_) => None,
        }
    }

    /// The BERT model, when it is one.
    pub fn bert(&self) -> Option<&BertModel> {
        match self {
            HfModel::Bert(m) => Some(m),
            HfModel::Marian(_) | HfModel::Gpt2(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_found_by_its_model_type() {
        for f in Family::ALL {
            assert_eq!(Family::from_model_type(f.model_type()), Some(f));
        }
        assert_eq!(Family::from_model_type("t5"), None);
    }

    /// Writes `text` to `path` through the one atomic writer.
    fn write(path: &Path, text: &str) {
        use std::io::Write;
        crate::atomic::write_atomically(path, |f| f.write_all(text.as_bytes())).unwrap();
    }

    #[test]
    fn an_unknown_model_type_is_named_with_what_qkv_opens() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("config.json"), r#"{"model_type": "t5"}"#);
        let err = HfModel::open(dir.path()).unwrap_err();
        assert_eq!(
            err,
            HfError::BadValue {
                file: dir.path().join("config.json"),
                key: "model_type",
                value: "t5".into(),
                allowed: Family::allowed(),
            }
        );
        assert!(
            err.to_string()
                .contains("model_type is t5; qkv can run marian (")
        );
        assert!(err.to_string().contains(", gpt2 (openai-community/gpt2"));
        // A config.json without model_type is read as Marian's (and then fails on its keys).
        write(&dir.path().join("config.json"), "{}");
        assert_eq!(Family::of_dir(dir.path()), Ok(Family::Marian));
    }
}
