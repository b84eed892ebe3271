//! Canonical step and weight names as a type.
//!
//! Every name in a trace, a weight set or a gradient trace has one of these shapes
//! (docs/reference/trace.md lists them):
//!
//! ```text
//! embed.<part>            dec.embed.<part>                 embeddings (source / target side)
//! enc.<l>.<block>.<part>  dec.<l>.<block>.<part>           inside a layer
//! enc.final_norm[.<part>] final_norm[.<part>]              the pre-LN final LayerNorms
//! <part>                                                   logits, probs, a hand-check's steps
//! grad.<any of the above>                                  a gradient
//! ```
//!
//! [`StepName`] parses them (`FromStr`) and prints them back (`Display`) exactly, so code that
//! needs the layer, the block or the last part of a name matches on fields instead of
//! splitting strings, and the model builds names through the same type.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The encoder or the decoder side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// `enc` (and the source embedding `embed.*`).
    Enc,
    /// `dec` (and the target embedding `dec.embed.*`).
    Dec,
}

impl Side {
    /// `enc` or `dec`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Enc => "enc",
            Side::Dec => "dec",
        }
    }
}

/// A sublayer of an encoder or decoder layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Block {
    /// `attn`: the encoder's self-attention.
    Attn,
    /// `self_attn`: the decoder's (masked) self-attention.
    SelfAttn,
    /// `cross_attn`: the decoder's cross-attention.
    CrossAttn,
    /// `ffn`: the position-wise feed-forward network.
    Ffn,
    /// `add_norm<k>`: the k-th residual sum and LayerNorm (k from 1).
    AddNorm(u8),
    /// `norm<k>`: the k-th LayerNorm's weights (gamma, beta).
    Norm(u8),
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Block::Attn => f.write_str("attn"),
            Block::SelfAttn => f.write_str("self_attn"),
            Block::CrossAttn => f.write_str("cross_attn"),
            Block::Ffn => f.write_str("ffn"),
            Block::AddNorm(k) => write!(f, "add_norm{k}"),
            Block::Norm(k) => write!(f, "norm{k}"),
        }
    }
}

impl FromStr for Block {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let numbered = |prefix: &str| {
            s.strip_prefix(prefix)
                .filter(|k| {
                    !k.is_empty() && !k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit())
                })
                .and_then(|k| k.parse::<u8>().ok())
        };
        Ok(match s {
            "attn" => Block::Attn,
            "self_attn" => Block::SelfAttn,
            "cross_attn" => Block::CrossAttn,
            "ffn" => Block::Ffn,
            _ => {
                if let Some(k) = numbered("add_norm") {
                    Block::AddNorm(k)
                } else if let Some(k) = numbered("norm") {
                    Block::Norm(k)
                } else {
                    return Err(());
                }
            }
        })
    }
}

/// Where in the model a name lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// `embed.*` (source side, also decoder-only) or `dec.embed.*` (target side).
    Embed(Side),
    /// `enc.<l>.<block>.*` or `dec.<l>.<block>.*`.
    Layer {
        /// Encoder or decoder stack.
        side: Side,
        /// Layer index, from 0.
        layer: usize,
        /// The sublayer.
        block: Block,
    },
    /// `enc.final_norm` (the encoder output of a pre-LN encoder-decoder) or `final_norm`
    /// (`None`: the last LayerNorm before the output).
    FinalNorm(Option<Side>),
    /// A top-level name: `logits`, `probs`, and a hand-check's `q` … `head_out`.
    Top,
}

/// A canonical step or weight name, taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepName {
    /// `grad.` in front: the gradient of the name that follows.
    pub grad: bool,
    /// Where the name lives.
    pub place: Place,
    /// The last part (`weights`, `W_Q`, `sum`, `gamma`, `logits`); empty for the final
    /// LayerNorm steps themselves (`final_norm`, `enc.final_norm`).
    pub part: String,
}

/// A string that is not a canonical name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "`{name}` is not a step or weight name (names look like embed.sum, enc.0.attn.weights, \
     dec.1.add_norm2.out, final_norm, logits, grad.<name>)"
)]
pub struct NameError {
    /// The string given.
    pub name: String,
}

fn is_part(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl StepName {
    /// A name inside layer `layer` of `side`: `enc.0.attn.weights`.
    #[must_use]
    pub fn layer(side: Side, layer: usize, block: Block, part: &str) -> Self {
        StepName {
            grad: false,
            place: Place::Layer { side, layer, block },
            part: part.to_string(),
        }
    }

    /// The name parsed, or `None` when it is not canonical.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }

    /// The layer index, for a name inside a layer.
    #[must_use]
    pub fn layer_index(&self) -> Option<usize> {
        match self.place {
            Place::Layer { layer, .. } => Some(layer),
            _ => None,
        }
    }

    /// The stack side, for a name inside a layer or an embedding.
    #[must_use]
    pub fn side(&self) -> Option<Side> {
        match self.place {
            Place::Layer { side, .. } | Place::Embed(side) => Some(side),
            Place::FinalNorm(side) => side,
            Place::Top => None,
        }
    }

    /// The sublayer, for a name inside a layer.
    #[must_use]
    pub fn block(&self) -> Option<Block> {
        match self.place {
            Place::Layer { block, .. } => Some(block),
            _ => None,
        }
    }

    /// The same name in layer `layer` (unchanged outside the layers).
    #[must_use]
    pub fn in_layer(mut self, layer: usize) -> Self {
        if let Place::Layer { layer: l, .. } = &mut self.place {
            *l = layer;
        }
        self
    }

    /// The same name with another last part.
    #[must_use]
    pub fn with_part(mut self, part: &str) -> Self {
        part.clone_into(&mut self.part);
        self
    }

    /// The last dot-separated part as printed: `enc.0.attn.scores` → `scores`,
    /// `enc.final_norm` → `final_norm`.
    #[must_use]
    pub fn short(&self) -> &str {
        if self.part.is_empty() {
            "final_norm"
        } else {
            &self.part
        }
    }

    /// The name of a sublayer, the prefix of its steps and weights: `enc.0.attn`.
    #[must_use]
    pub fn block_path(side: Side, layer: usize, block: Block) -> String {
        format!("{}.{layer}.{block}", side.as_str())
    }
}

impl fmt::Display for StepName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.grad {
            f.write_str("grad.")?;
        }
        let dot_part = |f: &mut fmt::Formatter<'_>| {
            if self.part.is_empty() {
                Ok(())
            } else {
                write!(f, ".{}", self.part)
            }
        };
        match self.place {
            Place::Embed(Side::Enc) => write!(f, "embed.{}", self.part),
            Place::Embed(Side::Dec) => write!(f, "dec.embed.{}", self.part),
            Place::Layer { side, layer, block } => {
                write!(f, "{}.{layer}.{block}.{}", side.as_str(), self.part)
            }
            Place::FinalNorm(side) => {
                if let Some(side) = side {
                    write!(f, "{}.", side.as_str())?;
                }
                f.write_str("final_norm")?;
                dot_part(f)
            }
            Place::Top => f.write_str(&self.part),
        }
    }
}

impl FromStr for StepName {
    type Err = NameError;

    fn from_str(name: &str) -> Result<Self, NameError> {
        let err = || NameError {
            name: name.to_string(),
        };
        let (grad, rest) = match name.strip_prefix("grad.") {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        // The only place in the engine where a name is taken apart by its dots.
        let parts: Vec<&str> = rest.split('.').collect();
        let side = |s: &str| match s {
            "enc" => Some(Side::Enc),
            "dec" => Some(Side::Dec),
            _ => None,
        };
        let layer = |s: &str| {
            (!s.is_empty()
                && (s == "0" || !s.starts_with('0'))
                && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<usize>().ok())
            .flatten()
        };
        let (place, part) = match parts.as_slice() {
            ["embed", p] => (Place::Embed(Side::Enc), *p),
            ["dec", "embed", p] => (Place::Embed(Side::Dec), *p),
            ["final_norm"] => (Place::FinalNorm(None), ""),
            ["final_norm", p] => (Place::FinalNorm(None), *p),
            [s, "final_norm"] => (Place::FinalNorm(Some(side(s).ok_or_else(err)?)), ""),
            [s, "final_norm", p] => (Place::FinalNorm(Some(side(s).ok_or_else(err)?)), *p),
            [s, l, b, p] => (
                Place::Layer {
                    side: side(s).ok_or_else(err)?,
                    layer: layer(l).ok_or_else(err)?,
                    block: b.parse().map_err(|()| err())?,
                },
                *p,
            ),
            [p] => (Place::Top, *p),
            _ => return Err(err()),
        };
        // `final_norm` and `enc.final_norm` are the only names without a last part; a
        // top-level name may not be a stack's own word.
        let bare_final = part.is_empty() && matches!(place, Place::FinalNorm(_));
        let top_name_clash =
            matches!(place, Place::Top) && matches!(part, "embed" | "grad" | "enc" | "dec");
        if !(bare_final || is_part(part)) || top_name_clash {
            return Err(err());
        }
        Ok(StepName {
            grad,
            place,
            part: part.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_round_trip() {
        for s in [
            "embed.tokens",
            "embed.E",
            "dec.embed.sum",
            "enc.0.attn.weights",
            "enc.11.attn.W_Q",
            "dec.1.self_attn.masked",
            "dec.0.cross_attn.head_out",
            "enc.0.add_norm2.out",
            "dec.3.add_norm3.sum",
            "enc.0.norm1.gamma",
            "enc.0.ffn.W1",
            "enc.final_norm",
            "enc.final_norm.beta",
            "final_norm",
            "final_norm.gamma",
            "logits",
            "probs",
            "weights",
            "grad.enc.0.attn.weights",
            "grad.embed.E",
            "grad.logits",
        ] {
            let n: StepName = s.parse().unwrap();
            assert_eq!(n.to_string(), s);
        }
    }

    #[test]
    fn fields_are_what_the_name_says() {
        let n: StepName = "dec.2.cross_attn.scores".parse().unwrap();
        assert_eq!(
            n.place,
            Place::Layer {
                side: Side::Dec,
                layer: 2,
                block: Block::CrossAttn
            }
        );
        assert_eq!(n.short(), "scores");
        assert_eq!(n.clone().in_layer(0).to_string(), "dec.0.cross_attn.scores");
        assert_eq!(n.with_part("masked").to_string(), "dec.2.cross_attn.masked");
        let f: StepName = "enc.final_norm".parse().unwrap();
        assert_eq!(f.short(), "final_norm");
        assert_eq!(
            StepName::layer(Side::Enc, 0, Block::AddNorm(1), "sum").to_string(),
            "enc.0.add_norm1.sum"
        );
    }

    #[test]
    fn non_names_are_refused() {
        for s in [
            "",
            "enc",
            "enc.0",
            "enc.0.attn",
            "enc.x.attn.q",
            "enc.01.attn.q",
            "enc.0.bogus.q",
            "enc.0.add_norm.out",
            "enc.0.add_norm01.out",
            "mid.0.attn.q",
            "embed",
            "embed.a.b",
            "grad.",
            "enc.0.attn.q.r",
            "enc.0.attn.q[0]",
            "x.final_norm",
        ] {
            assert!(s.parse::<StepName>().is_err(), "{s} parsed");
        }
    }
}
