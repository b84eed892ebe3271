//! Model configuration, presets and validation.
//!
//! A [`Config`] is plain data; [`Config::validate`] checks it and returns a [`ValidConfig`]
//! (the only kind the model accepts) or a [`ConfigError`] that lists *every* problem at
//! once, each naming the field, the bad value and what is allowed.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Largest `d_model` qkv accepts (the paper's big model uses 1024).
pub const MAX_D_MODEL: usize = 1024;
/// Largest number of layers in one stack.
pub const MAX_LAYERS: usize = 12;
/// Largest FFN width qkv accepts.
pub const MAX_D_FF: usize = 16 * MAX_D_MODEL;
/// Hard upper bound for `max_tokens` itself.
pub const MAX_TOKENS_LIMIT: usize = 4096;
/// Default upper bound on the number of tokens of one sentence.
pub const DEFAULT_MAX_TOKENS: usize = 256;
/// The default sentence of the article.
pub const DEFAULT_TEXT: &str = "나는 학교에 간다";
/// The article's translation of [`DEFAULT_TEXT`], as decoder input.
pub const DEFAULT_TARGET: &str = "<bos> I go to school";

/// Which stacks the model has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// BERT-like: an encoder stack only.
    Encoder,
    /// GPT-like: a decoder stack with masked self-attention and no cross-attention.
    Decoder,
    /// The paper: encoder stack, decoder stack with masked self-attention and cross-attention.
    EncoderDecoder,
}

/// Where LayerNorm sits relative to the residual connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Norm {
    /// `LayerNorm(x + Sublayer(x))` (the paper).
    Post,
    /// `x + Sublayer(LayerNorm(x))`, with a final LayerNorm after the stack.
    Pre,
}

/// Positional encoding added to the token embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Positional {
    /// The paper's sin/cos encoding.
    Sinusoidal,
    /// No positional information (`embed.pos` is all zeros).
    None,
}

/// Mask of a self-attention block: the encoder's (`Config::mask`, none by default) or the
/// decoder's (`Config::dec_mask`, causal unless switched off for study).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaskKind {
    /// Every token sees every token.
    None,
    /// Token i sees tokens 0..=i; the rest get -∞ before softmax.
    Causal,
}

/// How a sentence is cut into tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenizerKind {
    /// Split on whitespace; Korean words such as 학교에 stay whole.
    Whitespace,
    /// One token per non-space character (special tokens like `<bos>` stay whole).
    Char,
}

/// Layer counts of the two stacks. Only the stacks the architecture has are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layers {
    /// Number of encoder layers.
    pub encoder: usize,
    /// Number of decoder layers.
    pub decoder: usize,
}

/// A named starting point for a [`Config`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// d_model 8, 2 heads, d_ff 32, 2+2 layers: every number fits on a screen.
    Tiny,
    /// d_model 64, 4 heads, d_ff 256, 2+2 layers.
    Small,
    /// The paper's base model: d_model 512, 8 heads, d_ff 2048, 6+6 layers.
    Base,
}

/// Everything that decides the model's shape and behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Which stacks exist.
    pub arch: Arch,
    /// Width of every token vector.
    pub d_model: usize,
    /// Number of attention heads; must divide `d_model`.
    pub heads: usize,
    /// Width of the FFN hidden layer.
    pub d_ff: usize,
    /// Layer counts.
    pub layers: Layers,
    /// Post-LN (paper) or pre-LN.
    pub norm: Norm,
    /// Positional encoding.
    pub positional: Positional,
    /// Divide scores by √d_k (paper) or not (for study).
    pub scale: bool,
    /// Multiply token embeddings by √d_model (paper §3.4); off by default.
    pub embed_scale: bool,
    /// Mask of the encoder self-attention.
    pub mask: MaskKind,
    /// Mask of the decoder self-attention: causal (the paper, how a decoder is trained);
    /// `None` only for study, to watch the future leak into the past.
    pub dec_mask: MaskKind,
    /// LayerNorm epsilon.
    pub eps: f32,
    /// Seed of every random weight and token embedding.
    pub seed: u64,
    /// Longest sentence accepted, in tokens.
    pub max_tokens: usize,
    /// Tokenizer.
    pub tokenizer: TokenizerKind,
}

impl Default for Config {
    fn default() -> Self {
        Config::preset(Preset::Tiny)
    }
}

impl Config {
    /// The configuration of a preset (encoder-decoder, post-LN, sinusoidal PE, scaling on,
    /// seed 42).
    pub fn preset(preset: Preset) -> Config {
        let (d_model, heads, d_ff, layers) = match preset {
            Preset::Tiny => (8, 2, 32, 2),
            Preset::Small => (64, 4, 256, 2),
            Preset::Base => (512, 8, 2048, 6),
        };
        Config {
            arch: Arch::EncoderDecoder,
            d_model,
            heads,
            d_ff,
            layers: Layers {
                encoder: layers,
                decoder: layers,
            },
            norm: Norm::Post,
            positional: Positional::Sinusoidal,
            scale: true,
            // The paper multiplies embeddings by √d_model (§3.4); the small presets do not,
            // so that a hand-set vector (the article's 바나나) is added to the PE as it is.
            embed_scale: preset == Preset::Base,
            mask: MaskKind::None,
            dec_mask: MaskKind::Causal,
            eps: 1e-5,
            seed: 42,
            max_tokens: DEFAULT_MAX_TOKENS,
            tokenizer: TokenizerKind::Whitespace,
        }
    }

    /// Width of one head, `d_model / heads` (integer division; meaningful once validated).
    pub fn d_k(&self) -> usize {
        self.d_model.checked_div(self.heads).unwrap_or(0)
    }

    /// One line: `encoder-decoder · d_model 8 · heads 2 · d_k 4 · d_ff 32 · layers 2+2 ·
    /// post-LN · ÷√d_k · mask enc none, dec causal` (the mask each attention block uses;
    /// `no PE` and `emb ×√d_model` when so). The seed is in the model's provenance line (`Transformer::provenance`).
    pub fn summary(&self) -> String {
        let layers = match self.arch {
            Arch::Encoder => self.layers.encoder.to_string(),
            Arch::Decoder => self.layers.decoder.to_string(),
            Arch::EncoderDecoder => format!("{}+{}", self.layers.encoder, self.layers.decoder),
        };
        format!(
            "{} · d_model {} · heads {} · d_k {} · d_ff {} · layers {layers} · {}-LN{} · {}{} · {}",
            self.arch,
            self.d_model,
            self.heads,
            self.d_k(),
            self.d_ff,
            self.norm,
            if self.positional == Positional::None {
                " · no PE"
            } else {
                ""
            },
            if self.scale { "÷√d_k" } else { "unscaled" },
            if self.embed_scale {
                " · emb ×√d_model"
            } else {
                ""
            },
            self.mask_summary()
        )
    }

    /// The masks the attention blocks use: `mask none` (encoder), `mask causal` (decoder),
    /// `mask enc none, dec causal` (encoder-decoder; cross-attention is never masked).
    pub fn mask_summary(&self) -> String {
        match self.arch {
            Arch::Encoder => format!("mask {}", self.mask),
            Arch::Decoder => format!("mask {}", self.dec_mask),
            Arch::EncoderDecoder => format!("mask enc {}, dec {}", self.mask, self.dec_mask),
        }
    }

    /// The mask the `mask` toggle switches: the encoder's, or the decoder's in a
    /// decoder-only model.
    pub fn toggled_mask(&self) -> MaskKind {
        if self.arch == Arch::Decoder {
            self.dec_mask
        } else {
            self.mask
        }
    }

    /// Does the architecture have an encoder stack?
    pub fn has_encoder(&self) -> bool {
        matches!(self.arch, Arch::Encoder | Arch::EncoderDecoder)
    }

    /// Does the architecture have a decoder stack?
    pub fn has_decoder(&self) -> bool {
        matches!(self.arch, Arch::Decoder | Arch::EncoderDecoder)
    }

    /// Checks every field and returns all problems at once.
    pub fn validate(&self) -> Result<ValidConfig, ConfigError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(ValidConfig(self.clone()))
        } else {
            Err(ConfigError { problems })
        }
    }

    /// Every problem of this configuration (empty when valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if self.d_model == 0 {
            p.push(Problem::new("d_model", 0, "an integer from 1 to 1024"));
        } else if self.d_model > MAX_D_MODEL {
            p.push(Problem::new(
                "d_model",
                self.d_model,
                format!("an integer from 1 to {MAX_D_MODEL}"),
            ));
        }
        if self.heads == 0 {
            p.push(Problem::new(
                "heads",
                0,
                "a positive divisor of d_model".to_string(),
            ));
        } else if (1..=MAX_D_MODEL).contains(&self.d_model)
            && !self.d_model.is_multiple_of(self.heads)
        {
            p.push(Problem::new(
                "heads",
                self.heads,
                format!(
                    "a divisor of d_model = {} (one of {})",
                    self.d_model,
                    divisors_text(self.d_model)
                ),
            ));
        }
        if self.d_ff == 0 {
            p.push(Problem::new("d_ff", 0, "a positive integer"));
        } else if self.d_ff > MAX_D_FF {
            p.push(Problem::new(
                "d_ff",
                self.d_ff,
                format!("an integer from 1 to {MAX_D_FF}"),
            ));
        }
        if self.has_encoder() && !(1..=MAX_LAYERS).contains(&self.layers.encoder) {
            p.push(Problem::new(
                "layers.encoder",
                self.layers.encoder,
                format!("an integer from 1 to {MAX_LAYERS}"),
            ));
        }
        if self.has_decoder() && !(1..=MAX_LAYERS).contains(&self.layers.decoder) {
            p.push(Problem::new(
                "layers.decoder",
                self.layers.decoder,
                format!("an integer from 1 to {MAX_LAYERS}"),
            ));
        }
        if !(self.eps.is_finite() && self.eps > 0.0 && self.eps <= 1.0) {
            p.push(Problem::new("eps", self.eps, "a number in (0, 1]"));
        }
        if self.max_tokens == 0 || self.max_tokens > MAX_TOKENS_LIMIT {
            p.push(Problem::new(
                "max_tokens",
                self.max_tokens,
                format!("an integer from 1 to {MAX_TOKENS_LIMIT}"),
            ));
        }
        p
    }
}

/// The divisors of `n` for a message. Only called with `n` in 1..=[`MAX_D_MODEL`]: counting
/// up to an out-of-range `n` (u64::MAX) would never end.
fn divisors_text(n: usize) -> String {
    let n = n.min(MAX_D_MODEL);
    let divs: Vec<String> = (1..=n)
        .filter(|d| n.is_multiple_of(*d))
        .map(|d| d.to_string())
        .collect();
    if divs.len() > 12 {
        format!(
            "{}, …, {}",
            divs[..6].join(", "),
            divs[divs.len() - 3..].join(", ")
        )
    } else {
        divs.join(", ")
    }
}

/// A configuration that passed [`Config::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidConfig(Config);

impl ValidConfig {
    /// The checked configuration.
    pub fn get(&self) -> &Config {
        &self.0
    }
    /// Gives the configuration back (for editing and re-validating).
    pub fn into_inner(self) -> Config {
        self.0
    }
}

impl std::ops::Deref for ValidConfig {
    type Target = Config;
    fn deref(&self) -> &Config {
        &self.0
    }
}

/// One thing wrong with a configuration or an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field, e.g. `heads` or `input.text`.
    pub field: String,
    /// The bad value as the user gave it.
    pub value: String,
    /// What would have been accepted.
    pub allowed: String,
}

impl Problem {
    /// A problem with `field` = `value`; `allowed` says what is accepted.
    pub fn new(
        field: impl Into<String>,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> Problem {
        Problem {
            field: field.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {}: expected {}",
            self.field, self.value, self.allowed
        )
    }
}

/// Every problem found in a configuration or input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct ConfigError {
    /// The problems, in field order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "invalid model: {one}"),
            many => {
                write!(f, "invalid model ({} problems):", many.len())?;
                for p in many {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
        }
    }
}

/// A word that names none of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {what} {value:?}: expected one of {allowed}")]
pub struct ParseEnumError {
    /// What kind of value was being parsed (e.g. `arch`).
    pub what: &'static str,
    /// The bad word.
    pub value: String,
    /// The accepted words.
    pub allowed: &'static str,
}

macro_rules! word_enum {
    ($ty:ident, $what:literal, $allowed:literal, { $($word:literal $(| $alias:literal)* => $variant:ident),+ $(,)? }) => {
        impl $ty {
            /// The canonical word for this value (as used in YAML and on the command line).
            pub fn as_str(&self) -> &'static str {
                match self { $($ty::$variant => $word),+ }
            }
            /// Every accepted canonical word.
            pub const ALLOWED: &'static str = $allowed;
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($word $(| $alias)* => Ok($ty::$variant),)+
                    _ => Err(ParseEnumError { what: $what, value: s.to_string(), allowed: $allowed }),
                }
            }
        }
    };
}

word_enum!(Arch, "arch", "encoder, decoder, encoder-decoder", {
    "encoder" => Encoder,
    "decoder" => Decoder,
    "encoder-decoder" | "encoder_decoder" | "enc-dec" => EncoderDecoder,
});
word_enum!(Norm, "norm", "post, pre", { "post" => Post, "pre" => Pre });
word_enum!(Positional, "positional", "sinusoidal, none", {
    "sinusoidal" | "sin" => Sinusoidal,
    "none" | "off" => None,
});
word_enum!(MaskKind, "mask", "none, causal", { "none" | "off" => None, "causal" => Causal });
word_enum!(TokenizerKind, "tokenizer", "whitespace, char", {
    "whitespace" | "word" => Whitespace,
    "char" | "chars" => Char,
});
word_enum!(Preset, "preset", "tiny, small, base", {
    "tiny" => Tiny,
    "small" => Small,
    "base" => Base,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid() {
        for p in [Preset::Tiny, Preset::Small, Preset::Base] {
            let c = Config::preset(p);
            assert!(c.validate().is_ok(), "{p}");
        }
        let base = Config::preset(Preset::Base);
        assert_eq!(
            (base.d_model, base.heads, base.d_k(), base.d_ff),
            (512, 8, 64, 2048)
        );
    }

    /// A huge d_model is reported at once as out of range; heads are not checked against it
    /// (listing the divisors of u64::MAX counted up to it and never returned).
    #[test]
    fn huge_d_model_is_out_of_range_without_listing_divisors() {
        let start = std::time::Instant::now();
        for d in [100_000_000_001usize, usize::MAX] {
            let c = Config {
                d_model: d,
                heads: 2,
                ..Config::default()
            };
            let p = c.problems();
            assert_eq!(p.len(), 1, "{p:?}");
            assert_eq!(p[0].field, "d_model");
            assert_eq!(p[0].allowed, "an integer from 1 to 1024");
        }
        assert!(start.elapsed().as_secs() < 1);
    }

    #[test]
    fn validate_reports_every_problem() {
        let mut c = Config::preset(Preset::Tiny);
        c.heads = 3;
        c.d_ff = 0;
        c.layers.encoder = 13;
        let err = c.validate().unwrap_err();
        let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["heads", "d_ff", "layers.encoder"]);
        let text = err.to_string();
        assert!(text.contains("heads = 3"), "{text}");
        assert!(text.contains("1, 2, 4, 8"), "{text}");
        assert!(text.contains("layers.encoder = 13"), "{text}");
    }

    #[test]
    fn unused_stack_is_not_checked() {
        let mut c = Config::preset(Preset::Tiny);
        c.arch = Arch::Encoder;
        c.layers.decoder = 0;
        assert!(c.validate().is_ok());
    }

    #[test]
    fn big_d_model_rejected() {
        let mut c = Config::preset(Preset::Tiny);
        c.d_model = 2048;
        c.heads = 8;
        let err = c.validate().unwrap_err();
        assert_eq!(err.problems[0].field, "d_model");
        assert_eq!(err.problems[0].value, "2048");
    }

    #[test]
    fn words_parse() {
        assert_eq!("Encoder-Decoder".parse::<Arch>(), Ok(Arch::EncoderDecoder));
        assert_eq!("pre".parse::<Norm>(), Ok(Norm::Pre));
        let e = "sideways".parse::<Norm>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown norm \"sideways\": expected one of post, pre"
        );
    }
}
