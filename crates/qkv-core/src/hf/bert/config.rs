//! A BERT `config.json`: the keys that decide the computation, their defaults, and the
//! values qkv cannot run.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::hf::HfError;
use crate::hf::config::{Activation, MAX_VOCAB};

fn default_act() -> String {
    "gelu".into()
}
fn default_eps() -> f64 {
    1e-12
}
fn default_types() -> usize {
    2
}
fn default_pos_type() -> String {
    "absolute".into()
}
fn default_max_pos() -> usize {
    512
}

/// The keys of a BERT `config.json` that decide the computation (others are ignored).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct BertConfig {
    /// `bert`.
    pub model_type: String,
    /// Width of every token vector (d_model).
    pub hidden_size: usize,
    /// Encoder layers.
    pub num_hidden_layers: usize,
    /// Heads of every attention block.
    pub num_attention_heads: usize,
    /// FFN width (d_ff).
    pub intermediate_size: usize,
    /// Rows of the word-embedding table.
    pub vocab_size: usize,
    /// Rows of the learned position table.
    #[serde(default = "default_max_pos")]
    pub max_position_embeddings: usize,
    /// Rows of the token-type table.
    #[serde(default = "default_types")]
    pub type_vocab_size: usize,
    /// The FFN activation: `gelu` (with erf).
    #[serde(default = "default_act")]
    pub hidden_act: String,
    /// LayerNorm epsilon.
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    /// `absolute`: one learned row per position.
    #[serde(default = "default_pos_type")]
    pub position_embedding_type: String,
    /// Id of `[PAD]`.
    #[serde(default)]
    pub pad_token_id: usize,
}

impl BertConfig {
    /// Reads and checks `config.json` at `path`.
    pub fn read(path: &Path) -> Result<BertConfig, HfError> {
        let text = std::fs::read_to_string(path).map_err(|e| HfError::io(path, &e))?;
        let config: BertConfig = serde_json::from_str(&text).map_err(|e| HfError::Json {
            file: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        config.check(path)?;
        Ok(config)
    }

    /// The FFN activation.
    pub fn activation(&self) -> Activation {
        Activation::Gelu
    }

    /// LayerNorm epsilon as the pass uses it.
    #[allow(clippy::cast_possible_truncation)]
    pub fn eps(&self) -> f32 {
        self.layer_norm_eps as f32
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one check per config.json key qkv cannot run, in the file's order"
    )]
    fn check(&self, file: &Path) -> Result<(), HfError> {
        let bad = |key: &'static str, value: String, allowed: String| HfError::BadValue {
            file: file.to_path_buf(),
            key,
            value,
            allowed,
        };
        if self.model_type != "bert" {
            return Err(bad(
                "model_type",
                self.model_type.clone(),
                "bert (the BERT family)".into(),
            ));
        }
        if !matches!(self.hidden_act.as_str(), "gelu") {
            return Err(bad(
                "hidden_act",
                self.hidden_act.clone(),
                "gelu (with erf, BERT's activation)".into(),
            ));
        }
        if self.position_embedding_type != "absolute" {
            return Err(bad(
                "position_embedding_type",
                self.position_embedding_type.clone(),
                "absolute (one learned row per position)".into(),
            ));
        }
        let limits: [(&'static str, usize, usize, usize); 7] = [
            (
                "hidden_size",
                self.hidden_size,
                1,
                crate::model::config::MAX_D_MODEL,
            ),
            (
                "num_hidden_layers",
                self.num_hidden_layers,
                1,
                crate::model::config::MAX_LAYERS,
            ),
            (
                "num_attention_heads",
                self.num_attention_heads,
                1,
                self.hidden_size.max(1),
            ),
            (
                "intermediate_size",
                self.intermediate_size,
                1,
                crate::model::config::MAX_D_FF,
            ),
            ("vocab_size", self.vocab_size, 2, MAX_VOCAB),
            (
                "max_position_embeddings",
                self.max_position_embeddings,
                1,
                1 << 16,
            ),
            ("type_vocab_size", self.type_vocab_size, 1, 1 << 10),
        ];
        for (key, value, lo, hi) in limits {
            if !(lo..=hi).contains(&value) {
                return Err(bad(key, value.to_string(), format!("{lo} to {hi}")));
            }
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(bad(
                "num_attention_heads",
                self.num_attention_heads.to_string(),
                format!("a divisor of hidden_size = {}", self.hidden_size),
            ));
        }
        if !(self.layer_norm_eps > 0.0 && self.layer_norm_eps < 1.0) {
            return Err(bad(
                "layer_norm_eps",
                self.layer_norm_eps.to_string(),
                "a positive number below 1".into(),
            ));
        }
        Ok(())
    }
}
