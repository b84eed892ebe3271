//! The model's fields, declared once: [`MODEL_FIELDS`] names each field of [`ModelSpec`]
//! with its values and help, and [`ModelSpec::set_field`] parses one from text. The YAML
//! `model:` section (serde on `ModelSpec`), the command line's model flags (built from this
//! table by the binary) and `set model.<field>` all fill the same `ModelSpec`, and
//! [`super::apply_spec`] applies it to a configuration; a field added here appears in all
//! three (a test walks the table through each).

use thiserror::Error;

use super::schema::{LayersSpec, ModelSpec, Word};

/// What kind of value a field takes (the command line builds its flag from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A number or a word (`--d-model 64`, `--arch encoder`).
    Value,
    /// On or off (`--scale` / `--no-scale`, `set model.scale off`).
    Switch,
    /// A file (`--checkpoint FILE`).
    Path,
}

/// One field of the model section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    /// The name in `set model.<name>` (and, with `-` for `_`, the command-line flag).
    pub name: &'static str,
    /// The values it takes, as the help shows them.
    pub values: &'static str,
    /// What it does.
    pub help: &'static str,
    /// The kind of value.
    pub kind: FieldKind,
}

impl FieldInfo {
    /// The command-line flag: `d_model` → `d-model`.
    #[must_use]
    pub fn flag(&self) -> String {
        self.name.replace('_', "-")
    }
}

const fn field(
    name: &'static str,
    values: &'static str,
    help: &'static str,
    kind: FieldKind,
) -> FieldInfo {
    FieldInfo {
        name,
        values,
        help,
        kind,
    }
}

/// Every field of the model section, in the order help lists them.
pub const MODEL_FIELDS: &[FieldInfo] = &[
    field(
        "preset",
        "tiny|small|base",
        "Size preset: tiny (8/2/32, 2+2 layers), small (64/4/256), base (the paper: 512/8/2048, 6+6); resets the sizes, keeps the other choices",
        FieldKind::Value,
    ),
    field(
        "arch",
        "encoder|decoder|encoder-decoder",
        "Architecture",
        FieldKind::Value,
    ),
    field("d_model", "N", "Width of token vectors", FieldKind::Value),
    field(
        "heads",
        "N",
        "Number of attention heads (must divide d_model)",
        FieldKind::Value,
    ),
    field(
        "d_ff",
        "N",
        "Width of the FFN hidden layer",
        FieldKind::Value,
    ),
    field(
        "layers",
        "N",
        "Layers in each stack (1..=12)",
        FieldKind::Value,
    ),
    field(
        "enc_layers",
        "N",
        "Layers in the encoder stack (overrides layers)",
        FieldKind::Value,
    ),
    field(
        "dec_layers",
        "N",
        "Layers in the decoder stack (overrides layers)",
        FieldKind::Value,
    ),
    field(
        "seed",
        "N",
        "Seed of every weight and token embedding",
        FieldKind::Value,
    ),
    field(
        "norm",
        "post|pre",
        "LayerNorm placement: post (paper) or pre",
        FieldKind::Value,
    ),
    field(
        "positional",
        "sinusoidal|none",
        "Positional encoding",
        FieldKind::Value,
    ),
    field(
        "scale",
        "on|off",
        "Divide scores by √d_k (on by default)",
        FieldKind::Switch,
    ),
    field(
        "embed_scale",
        "on|off",
        "Multiply embeddings by √d_model (paper §3.4; the base preset does, tiny and small do not)",
        FieldKind::Switch,
    ),
    field(
        "mask",
        "none|causal",
        "Mask of the encoder self-attention",
        FieldKind::Value,
    ),
    field(
        "dec_mask",
        "causal|none",
        "Mask of the decoder self-attention: causal (default; how a decoder is trained) or none (for study: the future leaks into the past)",
        FieldKind::Value,
    ),
    field(
        "eps",
        "X",
        "LayerNorm epsilon (default 1e-5)",
        FieldKind::Value,
    ),
    field(
        "tokenizer",
        "whitespace|char",
        "How a sentence is cut into tokens",
        FieldKind::Value,
    ),
    field(
        "max_tokens",
        "N",
        "Longest sentence accepted, in tokens",
        FieldKind::Value,
    ),
    field(
        "checkpoint",
        "FILE",
        "A trained model (.safetensors, from `qkv train`): its sizes, weights and vocabulary",
        FieldKind::Path,
    ),
];

/// A field name or value that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldError {
    /// No such field.
    #[error("{name:?} is not a model field; the fields are {}", MODEL_FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(", "))]
    Unknown {
        /// The name given.
        name: String,
    },
    /// The value does not parse.
    #[error("model.{field}: {value:?} is not {expected}")]
    Bad {
        /// The field.
        field: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        expected: String,
    },
}

fn info(name: &str) -> Result<&'static FieldInfo, FieldError> {
    MODEL_FIELDS
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| FieldError::Unknown {
            name: name.to_string(),
        })
}

impl ModelSpec {
    /// Sets field `name` from its text (`"64"`, `"encoder"`, `"off"`), as `set model.<name>`
    /// and the command-line flags give it; the other fields stay as they are.
    ///
    /// # Errors
    /// [`FieldError::Unknown`] for a name not in [`MODEL_FIELDS`], [`FieldError::Bad`]
    /// (naming what is allowed) for a value that does not parse. Ranges (heads dividing
    /// d_model, sizes within the limits) are checked when the spec is applied and run.
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per model field: the field table's parser in one place."
    )]
    pub fn set_field(&mut self, name: &str, value: &str) -> Result<(), FieldError> {
        let f = info(name)?;
        let value = value.trim();
        let bad = |expected: &str| FieldError::Bad {
            field: f.name,
            value: value.to_string(),
            expected: expected.to_string(),
        };
        let count = || {
            value
                .parse::<usize>()
                .map_err(|_| bad("a non-negative integer"))
        };
        // A word's own parser names the value and the words allowed ("unknown arch
        // \"lstm\": expected one of …"); what it expects is the part after "expected ".
        fn word<T: std::str::FromStr>(
            value: &str,
            bad: impl Fn(&str) -> FieldError,
            allowed: &str,
        ) -> Result<Word<T>, FieldError>
        where
            T::Err: std::fmt::Display,
        {
            value
                .to_ascii_lowercase()
                .parse::<T>()
                .map(Word)
                .map_err(|e| {
                    let m = e.to_string();
                    bad(m.split_once("expected ").map_or(allowed, |(_, tail)| tail))
                })
        }
        let switch = || match value.to_ascii_lowercase().as_str() {
            "on" | "true" | "yes" => Ok(true),
            "off" | "false" | "no" => Ok(false),
            _ => Err(bad("on or off")),
        };
        let one_of = format!("one of {}", f.values.replace('|', ", "));
        match f.name {
            "preset" => self.preset = Some(word(value, bad, &one_of)?),
            "arch" => self.arch = Some(word(value, bad, &one_of)?),
            "d_model" => self.d_model = Some(count()?),
            "heads" => self.heads = Some(count()?),
            "d_ff" => self.d_ff = Some(count()?),
            "layers" => self.layers = Some(LayersSpec::Both(count()?)),
            "enc_layers" | "dec_layers" => {
                let n = count()?;
                let (mut encoder, mut decoder) = match self.layers {
                    Some(LayersSpec::Both(b)) => (Some(b), Some(b)),
                    Some(LayersSpec::Each { encoder, decoder }) => (encoder, decoder),
                    None => (None, None),
                };
                if f.name == "enc_layers" {
                    encoder = Some(n);
                } else {
                    decoder = Some(n);
                }
                self.layers = Some(LayersSpec::Each { encoder, decoder });
            }
            "seed" => {
                self.seed = Some(
                    value
                        .parse()
                        .map_err(|_| bad("a non-negative integer seed"))?,
                );
            }
            "norm" => self.norm = Some(word(value, bad, &one_of)?),
            "positional" => self.positional = Some(word(value, bad, &one_of)?),
            "scale" => self.scale = Some(switch()?),
            "embed_scale" => self.embed_scale = Some(switch()?),
            "mask" => self.mask = Some(word(value, bad, &one_of)?),
            "dec_mask" => self.dec_mask = Some(word(value, bad, &one_of)?),
            "eps" => {
                self.eps = Some(
                    value
                        .parse::<f64>()
                        .ok()
                        .filter(|e| e.is_finite())
                        .ok_or_else(|| bad("a small positive number such as 1e-5"))?,
                );
            }
            "tokenizer" => self.tokenizer = Some(word(value, bad, &one_of)?),
            "max_tokens" => self.max_tokens = Some(count()?),
            "checkpoint" => {
                if value.is_empty() {
                    return Err(bad("a file name"));
                }
                self.checkpoint = Some(value.to_string());
            }
            // Every name in the table is matched above (a test sets each one).
            other => {
                return Err(FieldError::Unknown {
                    name: other.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The fields that are set, as `name value` pairs in table order (`heads 4, scale off`).
    #[must_use]
    pub fn describe(&self) -> String {
        let on_off = |b: bool| if b { "on" } else { "off" };
        let mut out: Vec<String> = Vec::new();
        let mut push = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                out.push(format!("{name} {v}"));
            }
        };
        push("preset", self.preset.map(|w| w.0.to_string()));
        push("arch", self.arch.map(|w| w.0.to_string()));
        push("d_model", self.d_model.map(|v| v.to_string()));
        push("heads", self.heads.map(|v| v.to_string()));
        push("d_ff", self.d_ff.map(|v| v.to_string()));
        match self.layers {
            Some(LayersSpec::Both(n)) => push("layers", Some(n.to_string())),
            Some(LayersSpec::Each { encoder, decoder }) => {
                push("enc_layers", encoder.map(|v| v.to_string()));
                push("dec_layers", decoder.map(|v| v.to_string()));
            }
            None => {}
        }
        push("seed", self.seed.map(|v| v.to_string()));
        push("norm", self.norm.map(|w| w.0.to_string()));
        push("positional", self.positional.map(|w| w.0.to_string()));
        push("scale", self.scale.map(|b| on_off(b).to_string()));
        push(
            "embed_scale",
            self.embed_scale.map(|b| on_off(b).to_string()),
        );
        push("mask", self.mask.map(|w| w.0.to_string()));
        push("dec_mask", self.dec_mask.map(|w| w.0.to_string()));
        push("eps", self.eps.map(|v| v.to_string()));
        push("tokenizer", self.tokenizer.map(|w| w.0.to_string()));
        push("max_tokens", self.max_tokens.map(|v| v.to_string()));
        push("checkpoint", self.checkpoint.clone());
        out.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value each field accepts.
    fn sample(f: &FieldInfo) -> &'static str {
        match f.name {
            "preset" => "small",
            "arch" => "decoder",
            "norm" => "pre",
            "positional" => "none",
            "mask" | "dec_mask" => "causal",
            "tokenizer" => "char",
            "eps" => "0.001",
            "checkpoint" => "model.safetensors",
            _ if f.kind == FieldKind::Switch => "off",
            _ => "3",
        }
    }

    /// Every field of the table parses, changes the spec, describes itself under its own
    /// name, and survives the YAML model section (serialised and read back).
    #[test]
    fn every_field_is_settable_described_and_saved() {
        for f in MODEL_FIELDS {
            let mut spec = ModelSpec::default();
            spec.set_field(f.name, sample(f)).unwrap();
            assert_ne!(spec, ModelSpec::default(), "{}", f.name);
            assert!(
                spec.describe().starts_with(f.name),
                "{}: {}",
                f.name,
                spec.describe()
            );
            let yaml = crate::scenario::io::model_section_yaml(&spec).unwrap();
            let back = crate::scenario::io::parse_model_section(&yaml).unwrap();
            assert_eq!(back, spec, "{}: {yaml}", f.name);
        }
    }

    #[test]
    fn bad_names_and_values_say_what_is_allowed() {
        let mut spec = ModelSpec::default();
        let e = spec.set_field("colour", "red").unwrap_err().to_string();
        assert!(e.contains("d_model") && e.contains("checkpoint"), "{e}");
        let e = spec.set_field("arch", "lstm").unwrap_err().to_string();
        assert!(
            e.contains("one of encoder, decoder, encoder-decoder"),
            "{e}"
        );
        let e = spec.set_field("scale", "maybe").unwrap_err().to_string();
        assert!(e.contains("on or off"), "{e}");
        assert!(spec.set_field("d_model", "-3").is_err());
        assert!(spec.set_field("eps", "nan").is_err());
        assert_eq!(spec, ModelSpec::default());
    }

    #[test]
    fn stack_layers_combine() {
        let mut spec = ModelSpec::default();
        spec.set_field("layers", "2").unwrap();
        spec.set_field("dec_layers", "1").unwrap();
        assert_eq!(
            spec.layers,
            Some(LayersSpec::Each {
                encoder: Some(2),
                decoder: Some(1)
            })
        );
    }
}
