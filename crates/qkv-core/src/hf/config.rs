//! `config.json` of a Hugging Face Marian model (`Helsinki-NLP/opus-mt-*`): the keys qkv
//! reads, with `transformers`' defaults for the ones a file leaves out, and the checks that
//! say which key has which bad value and what qkv can run.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::HfError;

/// The FFN activation named by `activation_function`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `swish` / `silu`: `x · σ(x)` (the OPUS-MT models).
    Silu,
    /// `relu`: `max(0, x)` (the paper).
    Relu,
    /// `gelu_new`: GELU's tanh approximation, `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`
    /// (GPT-2).
    GeluTanh,
    /// `gelu`: `x · Φ(x) = x/2 · (1 + erf(x/√2))`, with the exact erf (BERT's `hidden_act`).
    Gelu,
}

impl Activation {
    /// The activation's value at `x`.
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Silu => x / (1.0 + (-x).exp()),
            Activation::Relu => x.max(0.0),
            Activation::GeluTanh => gelu_tanh(x),
            Activation::Gelu => {
                let x = f64::from(x);
                (0.5 * x * (1.0 + libm::erf(x / std::f64::consts::SQRT_2))) as f32
            }
        }
    }

    /// Its formula, as the FFN step shows it.
    pub fn formula(self) -> &'static str {
        match self {
            Activation::Silu => {
                "silu(hidden) = hidden · σ(hidden) = hidden / (1 + e^(−hidden)) (Marian's \"swish\", from config.json; the paper uses ReLU)"
            }
            Activation::Relu => "relu = max(0, hidden)",
            Activation::GeluTanh => {
                "gelu(hidden) = 0.5 · hidden · (1 + tanh(√(2/π) · (hidden + 0.044715 · hidden³))) (GELU's tanh approximation, GPT-2's \"gelu_new\" from config.json; the paper uses ReLU)"
            }
            Activation::Gelu => {
                "gelu(hidden) = hidden · Φ(hidden) = hidden / 2 · (1 + erf(hidden / √2)) (hidden_act \"gelu\" in config.json, the exact erf; the paper uses ReLU)"
            }
        }
    }

    /// The kind of the step that applies it.
    pub fn kind(self) -> crate::trace::StepKind {
        match self {
            Activation::Silu => crate::trace::StepKind::FfnSilu,
            Activation::Relu => crate::trace::StepKind::FfnRelu,
            Activation::GeluTanh => crate::trace::StepKind::FfnGeluTanh,
            Activation::Gelu => crate::trace::StepKind::FfnGelu,
        }
    }

    /// The step name's last part: `relu` (the paper's name) or `silu`.
    pub fn part(self) -> &'static str {
        match self {
            Activation::Silu => "silu",
            Activation::Relu => "relu",
            Activation::GeluTanh => "gelu",
            Activation::Gelu => "gelu",
        }
    }
}

/// The slope of [`gelu_tanh`] at `x`: with `u = √(2/π)·(x + 0.044715·x³)`,
/// `0.5·(1 + tanh u) + 0.5·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²)`.
pub fn gelu_tanh_slope(x: f32) -> f32 {
    let x = f64::from(x);
    let k = (2.0 / std::f64::consts::PI).sqrt();
    let t = (k * (x + 0.044_715 * x * x * x)).tanh();
    (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * k * (1.0 + 3.0 * 0.044_715 * x * x)) as f32
}

/// GELU's tanh approximation at `x`: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, computed
/// in f64 as PyTorch's `NewGELUActivation` computes it in f32 to within rounding.
pub fn gelu_tanh(x: f32) -> f32 {
    let x = f64::from(x);
    let inner = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044_715 * x * x * x);
    (0.5 * x * (1.0 + inner.tanh())) as f32
}

/// The slope of GELU at `h`: `Φ(h) + h · φ(h)`, φ the standard normal density.
pub fn gelu_slope(h: f32) -> f32 {
    let h = f64::from(h);
    let cdf = 0.5 * (1.0 + libm::erf(h / std::f64::consts::SQRT_2));
    let pdf = (-0.5 * h * h).exp() / (2.0 * std::f64::consts::PI).sqrt();
    (cdf + h * pdf) as f32
}

/// The activation names `config.json` may give.
pub const ACTIVATIONS: &str = "swish, silu, relu";

fn default_model_type() -> String {
    "marian".into()
}
fn default_activation() -> String {
    "gelu".into()
}
fn yes() -> bool {
    true
}
fn default_max_length() -> usize {
    512
}
fn one() -> f32 {
    1.0
}
fn default_num_beams() -> usize {
    1
}

/// The keys of a Marian `config.json` that decide the computation (others are ignored).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct MarianConfig {
    /// `marian` for the models qkv opens.
    #[serde(default = "default_model_type")]
    pub model_type: String,
    /// Width of every token vector.
    pub d_model: usize,
    /// Encoder layers.
    pub encoder_layers: usize,
    /// Decoder layers.
    pub decoder_layers: usize,
    /// Heads of the encoder's attention.
    pub encoder_attention_heads: usize,
    /// Heads of the decoder's attentions.
    pub decoder_attention_heads: usize,
    /// FFN width of the encoder.
    pub encoder_ffn_dim: usize,
    /// FFN width of the decoder.
    pub decoder_ffn_dim: usize,
    /// Rows of the shared embedding table.
    pub vocab_size: usize,
    /// Longest sentence the positional table covers.
    #[serde(default = "default_max_length")]
    pub max_position_embeddings: usize,
    /// `swish` in the OPUS-MT models.
    #[serde(default = "default_activation")]
    pub activation_function: String,
    /// Multiply the embeddings by √d_model.
    #[serde(default)]
    pub scale_embedding: bool,
    /// Pre-LN (`true`) or post-LN (`false`, the paper and Marian).
    #[serde(default)]
    pub normalize_before: bool,
    /// A LayerNorm right after the embeddings (not in Marian).
    #[serde(default)]
    pub normalize_embedding: bool,
    /// One embedding table for source, target and output.
    #[serde(default = "yes")]
    pub share_encoder_decoder_embeddings: bool,
    /// Id of `<pad>`.
    pub pad_token_id: usize,
    /// Id of `</s>`.
    pub eos_token_id: usize,
    /// The decoder's first input (Marian: `<pad>`).
    pub decoder_start_token_id: Option<usize>,
    /// Beam size `generate` uses by default.
    #[serde(default = "default_num_beams")]
    pub num_beams: usize,
    /// Longest output of `generate`, counting the start token.
    #[serde(default = "default_max_length")]
    pub max_length: usize,
    /// α of `generate`'s length penalty `score / |Y|^α`.
    #[serde(default = "one")]
    pub length_penalty: f32,
    /// Tokens `generate` never produces (Marian: `[[pad]]`).
    #[serde(default)]
    pub bad_words_ids: Vec<Vec<usize>>,
}

impl MarianConfig {
    /// Reads and checks `config.json` at `path`.
    pub fn read(path: &Path) -> Result<MarianConfig, HfError> {
        let text = std::fs::read_to_string(path).map_err(|e| HfError::io(path, &e))?;
        let config: MarianConfig = serde_json::from_str(&text).map_err(|e| HfError::Json {
            file: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        config.check(path)?;
        Ok(config)
    }

    /// The activation of the FFNs.
    pub fn activation(&self) -> Activation {
        match self.activation_function.as_str() {
            "relu" => Activation::Relu,
            _ => Activation::Silu,
        }
    }

    /// The decoder's first input: `decoder_start_token_id`, else `<pad>`.
    pub fn decoder_start(&self) -> usize {
        self.decoder_start_token_id.unwrap_or(self.pad_token_id)
    }

    /// Every key whose value qkv cannot run, the first one found.
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
        if self.model_type != "marian" {
            return Err(bad(
                "model_type",
                self.model_type.clone(),
                "marian (the Helsinki-NLP/opus-mt-* models)".into(),
            ));
        }
        if !matches!(self.activation_function.as_str(), "swish" | "silu" | "relu") {
            return Err(bad(
                "activation_function",
                self.activation_function.clone(),
                ACTIVATIONS.into(),
            ));
        }
        let bool_key = |key: &'static str, value: bool, want: bool, why: &str| {
            if value == want {
                Ok(())
            } else {
                Err(bad(key, value.to_string(), format!("{want} ({why})")))
            }
        };
        bool_key(
            "normalize_before",
            self.normalize_before,
            false,
            "post-LN, as Marian and the paper",
        )?;
        bool_key(
            "normalize_embedding",
            self.normalize_embedding,
            false,
            "no LayerNorm after the embeddings",
        )?;
        bool_key(
            "share_encoder_decoder_embeddings",
            self.share_encoder_decoder_embeddings,
            true,
            "one table for source, target and output",
        )?;
        let limits: [(&'static str, usize, usize, usize); 8] = [
            (
                "d_model",
                self.d_model,
                1,
                crate::model::config::MAX_D_MODEL,
            ),
            (
                "encoder_layers",
                self.encoder_layers,
                1,
                crate::model::config::MAX_LAYERS,
            ),
            (
                "decoder_layers",
                self.decoder_layers,
                1,
                crate::model::config::MAX_LAYERS,
            ),
            (
                "encoder_attention_heads",
                self.encoder_attention_heads,
                1,
                self.d_model.max(1),
            ),
            (
                "decoder_attention_heads",
                self.decoder_attention_heads,
                1,
                self.d_model.max(1),
            ),
            (
                "encoder_ffn_dim",
                self.encoder_ffn_dim,
                1,
                crate::model::config::MAX_D_FF,
            ),
            (
                "decoder_ffn_dim",
                self.decoder_ffn_dim,
                1,
                crate::model::config::MAX_D_FF,
            ),
            ("vocab_size", self.vocab_size, 2, MAX_VOCAB),
        ];
        for (key, value, lo, hi) in limits {
            if !(lo..=hi).contains(&value) {
                return Err(bad(key, value.to_string(), format!("{lo} to {hi}")));
            }
        }
        for (key, heads) in [
            ("encoder_attention_heads", self.encoder_attention_heads),
            ("decoder_attention_heads", self.decoder_attention_heads),
        ] {
            if !self.d_model.is_multiple_of(heads) {
                return Err(bad(
                    key,
                    heads.to_string(),
                    format!("a divisor of d_model = {}", self.d_model),
                ));
            }
        }
        if self.encoder_attention_heads != self.decoder_attention_heads {
            return Err(bad(
                "decoder_attention_heads",
                self.decoder_attention_heads.to_string(),
                format!(
                    "{} (the encoder's head count: qkv runs one head count)",
                    self.encoder_attention_heads
                ),
            ));
        }
        for (key, id) in [
            ("pad_token_id", self.pad_token_id),
            ("eos_token_id", self.eos_token_id),
            ("decoder_start_token_id", self.decoder_start()),
        ] {
            if id >= self.vocab_size {
                return Err(bad(
                    key,
                    id.to_string(),
                    format!("an id below vocab_size = {}", self.vocab_size),
                ));
            }
        }
        Ok(())
    }
}

/// Largest vocabulary qkv opens (the OPUS-MT models have about 65 000 pieces).
pub const MAX_VOCAB: usize = 1 << 18;
