//! The logit lens: each decoder layer's output (the residual stream after the layer) read
//! as if it were the last one, through the model's final normalisation (when it has one)
//! and its output projection, so that a student sees the next word forming layer by layer.
//!
//! It is a reading of intermediate states, not what the model outputs: only the last layer
//! feeds the output projection in the model itself (there, the lens is the model's logits).
//!
//! [`read`] is the one projection, model-independent: it takes the states and a
//! [`Readout`] (the final norm and the output weights). Each model family gives its
//! readout ([`transformer_readout`] for qkv's own models, [`marian_readout`] for a Hugging
//! Face Marian model) and [`decoder_states`] finds the states in a trace by their canonical
//! names.

use ndarray::{Array2, ArrayView1, ArrayView2, CowArray, Ix2};

use crate::hf::gpt2::FINAL_NORM;
use crate::hf::load::FINAL_LOGITS_BIAS;
use crate::hf::{Gpt2Model, HfModel, MarianModel};
use crate::model::attention::softmax_rows;
use crate::model::linalg::matmul_bt;
use crate::model::norm::LayerNorm;
use crate::model::weights::{EMBEDDING, MissingWeight};
use crate::model::{Norm, Transformer};
use crate::trace::{StepKind, Trace};

/// What turns a residual-stream row into logits: `logits = norm(x) · Wᵀ + b`.
pub struct Readout<'a> {
    /// The final normalisation and the name of its step (`final_norm`), when the model has
    /// one (pre-LN stacks; post-LN layers already end in a LayerNorm).
    pub norm: Option<(LayerNorm<'a>, String)>,
    /// The output projection, vocab × d_model (the embedding table when tied).
    pub output: CowArray<'a, f32, Ix2>,
    /// Its name (`embed.E`).
    pub output_name: String,
    /// A bias per vocabulary entry (Marian's `final_logits_bias`).
    pub bias: Option<(ArrayView1<'a, f32>, String)>,
}

impl Readout<'_> {
    /// `norm(x) · Wᵀ + b` for each row of `x`.
    ///
    /// # Shapes
    /// `x`: n × d_model → n × vocab.
    pub fn logits(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        let normed;
        let x = match &self.norm {
            Some((ln, _)) => {
                normed = ln.forward(x);
                normed.view()
            }
            None => x,
        };
        let mut logits = matmul_bt(x, self.output.view());
        if let Some((b, _)) = &self.bias {
            logits += b;
        }
        logits
    }

    /// The readout as a formula: `final_norm(x) · embed.Eᵀ + final_logits_bias`.
    pub fn formula(&self) -> String {
        let x = match &self.norm {
            Some((_, name)) => format!("{name}(x)"),
            None => "x".to_string(),
        };
        let bias = self
            .bias
            .as_ref()
            .map(|(_, n)| format!(" + {n}"))
            .unwrap_or_default();
        format!("{x} · {}ᵀ{bias}", self.output_name)
    }
}

/// One state read: the step it was taken from and, per position, the top candidates
/// (vocabulary index, probability), best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The step holding the residual stream (`dec.embed.sum`, `dec.0.add_norm3.out`).
    pub step: String,
    /// The layer (None: the embeddings, before the first layer).
    pub layer: Option<usize>,
    /// Per position, the `k` most probable next tokens.
    pub top: Vec<Vec<(usize, f32)>>,
    /// The logits (positions × vocab).
    pub logits: Array2<f32>,
}

/// A residual-stream state: its step name, its layer (None: the embeddings) and its rows.
pub type State = (String, Option<usize>, Array2<f32>);

/// Reads every state through `readout`: the logits, the softmax and each position's `k`
/// most probable tokens (ties: the lower index first).
pub fn read(states: Vec<State>, readout: &Readout<'_>, k: usize) -> Vec<Reading> {
    states
        .into_iter()
        .map(|(step, layer, x)| {
            let logits = readout.logits(x.view());
            let probs = softmax_rows(logits.view());
            let top = probs
                .rows()
                .into_iter()
                .map(|row| {
                    let mut idx: Vec<(usize, f32)> = row.iter().copied().enumerate().collect();
                    idx.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                    idx.truncate(k);
                    idx
                })
                .collect();
            Reading {
                step,
                layer,
                top,
                logits,
            }
        })
        .collect()
}

/// The decoder's residual stream in `trace`: the embeddings' sum (`dec.embed.sum`, or
/// `embed.sum` in a decoder-only model), then after each layer `dec.{l}` its last residual
/// sum or LayerNorm (post-LN: `add_norm{k}.out`; pre-LN: `add_norm{k}.sum`). Empty when the
/// trace has no decoder.
pub fn decoder_states(trace: &Trace) -> Vec<State> {
    let mut out = Vec::new();
    if trace.get("dec.0.self_attn.q").is_none() {
        return out;
    }
    let matrix = |name: &str| trace.get(name).and_then(|s| s.matrix(None).ok());
    let embed = ["dec.embed.sum", "embed.sum"]
        .into_iter()
        .find_map(|n| matrix(n).map(|m| (n.to_string(), None, m.to_owned())));
    out.extend(embed);
    for l in 0.. {
        let prefix = format!("dec.{l}.");
        let last = trace
            .steps()
            .iter()
            .filter(|s| {
                s.name().starts_with(&prefix)
                    && matches!(s.kind(), StepKind::ResidualSum | StepKind::LayerNorm)
            })
            .last();
        let Some(step) = last else { break };
        if let Ok(m) = step.matrix(None) {
            out.push((step.name().to_string(), Some(l), m.to_owned()));
        }
    }
    out
}

/// The readout of qkv's own model: `final_norm` for pre-LN stacks, the embedding table of
/// `vocab` (the tied output projection), no bias.
pub fn transformer_readout<'m>(
    model: &'m Transformer,
    vocab: &[String],
) -> Result<Readout<'m>, MissingWeight> {
    let w = model.weights();
    let norm = if model.config().norm == Norm::Pre {
        Some((
            LayerNorm {
                gamma: w.vector("final_norm.gamma")?,
                beta: w.vector("final_norm.beta")?,
                eps: model.config().eps,
            },
            "final_norm".to_string(),
        ))
    } else {
        None
    };
    let output = match model.trained_table(vocab) {
        Some(t) => CowArray::from(t),
        None => CowArray::from(model.embedding_table(vocab)),
    };
    Ok(Readout {
        norm,
        output,
        output_name: EMBEDDING.to_string(),
        bias: None,
    })
}

/// The readout of a Hugging Face model's decoder, by its family; `None` for an encoder
/// alone (BERT), which has no next token to read.
pub fn hf_readout(model: &HfModel) -> Result<Option<Readout<'_>>, MissingWeight> {
    match model {
        HfModel::Marian(m) => marian_readout(m).map(Some),
        HfModel::Gpt2(m) => gpt2_readout(m).map(Some),
        HfModel::Bert(_) => Ok(None),
    }
}

/// The readout of GPT-2: the final LayerNorm `ln_f` (`final_norm`, pre-LN) and the token
/// table `wte` (`embed.E`, tied), no bias.
pub fn gpt2_readout(model: &Gpt2Model) -> Result<Readout<'_>, MissingWeight> {
    let w = &model.weights;
    Ok(Readout {
        norm: Some((
            LayerNorm {
                gamma: w.vector(&format!("{FINAL_NORM}.gamma"))?,
                beta: w.vector(&format!("{FINAL_NORM}.beta"))?,
                eps: model.config.layer_norm_epsilon,
            },
            FINAL_NORM.to_string(),
        )),
        output: CowArray::from(w.matrix(EMBEDDING)?),
        output_name: EMBEDDING.to_string(),
        bias: None,
    })
}

/// The readout of a Marian model: no final norm (post-LN), the shared table `embed.E`
/// and `final_logits_bias`.
pub fn marian_readout(model: &MarianModel) -> Result<Readout<'_>, MissingWeight> {
    let w = &model.weights;
    Ok(Readout {
        norm: None,
        output: CowArray::from(w.matrix(EMBEDDING)?),
        output_name: EMBEDDING.to_string(),
        bias: Some((w.vector(FINAL_LOGITS_BIAS)?, FINAL_LOGITS_BIAS.to_string())),
    })
}

/// The lens of a session's trace, ready to show: the readout's formula, the positions'
/// tokens, the vocabulary and the readings (embeddings first, then each layer).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// [`Readout::formula`].
    pub formula: String,
    /// The decoder's tokens (the rows of every reading).
    pub positions: Vec<String>,
    /// The vocabulary (the readings' token indices point into it).
    pub vocab: Vec<String>,
    /// One reading per state.
    pub readings: Vec<Reading>,
}

/// The lens of what `session` studies (qkv's model or a Marian model), `k` candidates per
/// layer and position; `None` when it has no decoder (an encoder-only model, a hand-check).
pub fn of_session(session: &crate::session::Session, k: usize) -> Option<Table> {
    let trace = session.trace();
    let tokens = trace.tokens();
    let readout = match (session.model(), session.real_model()) {
        (Some(m), _) => transformer_readout(m, &tokens.vocab).ok()?,
        (None, Some(hf)) => hf_readout(hf).ok()??,
        (None, None) => return None,
    };
    let states = decoder_states(trace);
    if states.is_empty() {
        return None;
    }
    Some(Table {
        formula: readout.formula(),
        positions: tokens.target.as_ref().unwrap_or(&tokens.source).to_vec(),
        vocab: tokens.vocab.to_vec(),
        readings: read(states, &readout, k),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, arr2};

    #[test]
    fn a_readout_by_hand() {
        // W = [[1, 0], [0, 1], [1, 1]] (3 tokens, d = 2), b = [0, 0, −1], x = [2, 1]:
        // x · Wᵀ = [2, 1, 3], + b = [2, 1, 2]; softmax: e^2 / (2e^2 + e) = 0.4223 for
        // tokens 0 and 2 (tie: the lower index first), e / (2e^2 + e) = 0.1554 for token 1.
        let w = arr2(&[[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0]]);
        let b = arr1(&[0.0f32, 0.0, -1.0]);
        let r = Readout {
            norm: None,
            output: CowArray::from(w.view()),
            output_name: "W".into(),
            bias: Some((b.view(), "b".into())),
        };
        assert_eq!(r.formula(), "x · Wᵀ + b");
        let got = read(vec![("s".into(), Some(0), arr2(&[[2.0, 1.0]]))], &r, 2);
        assert_eq!(got[0].logits, arr2(&[[2.0, 1.0, 2.0]]));
        let top = &got[0].top[0];
        assert_eq!((top[0].0, top[1].0), (0, 2));
        let e = std::f32::consts::E;
        let p = e * e / (2.0 * e * e + e);
        assert!((top[0].1 - p).abs() < 1e-6 && (p - 0.4223).abs() < 1e-4);
        // With a LayerNorm (gamma 1, beta 0, eps 0): [2, 1] → mean 1.5, var 0.25 → [1, −1];
        // · Wᵀ = [1, −1, 0], + b = [1, −1, −1].
        let ones = arr1(&[1.0f32, 1.0]);
        let zeros = arr1(&[0.0f32, 0.0]);
        let r = Readout {
            norm: Some((
                LayerNorm {
                    gamma: ones.view(),
                    beta: zeros.view(),
                    eps: 0.0,
                },
                "final_norm".into(),
            )),
            ..r
        };
        assert_eq!(r.formula(), "final_norm(x) · Wᵀ + b");
        assert_eq!(
            r.logits(arr2(&[[2.0, 1.0]]).view()),
            arr2(&[[1.0, -1.0, -1.0]])
        );
    }
}
