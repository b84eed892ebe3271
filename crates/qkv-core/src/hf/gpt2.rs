//! GPT-2 (`openai-community/gpt2`, `distilgpt2`, any directory with a GPT-2 `config.json`,
//! `model.safetensors` and `tokenizer.json`): the decoder alone, predicting the next token.
//!
//! The weights map onto qkv's canonical names of a decoder-only, pre-LN model. GPT-2's
//! `Conv1D` layers keep their weights input × output, already qkv's `x · W` layout, so
//! nothing is transposed; the fused `c_attn` (d × 3d) is cut into `W_Q`, `W_K`, `W_V`:
//!
//! ```text
//! wte.weight                    embed.E (also the output projection, tied)
//! wpe.weight                    embed.P (learned positions)
//! h.{l}.ln_1                    dec.{l}.norm1.{gamma,beta}
//! h.{l}.attn.c_attn             dec.{l}.self_attn.{W_Q,W_K,W_V} + b_Q, b_K, b_V
//! h.{l}.attn.c_proj             dec.{l}.self_attn.{W_O,b_O}
//! h.{l}.ln_2                    dec.{l}.norm2.{gamma,beta}
//! h.{l}.mlp.c_fc, c_proj        dec.{l}.ffn.{W1,b1}, {W2,b2}
//! ln_f                          final_norm.{gamma,beta}
//! ```
//!
//! (names with or without the `transformer.` prefix: `save_pretrained` of
//! `GPT2LMHeadModel` writes it, the Hub's `gpt2` files do not.)
//!
//! The forward pass records the steps of qkv's decoder-only model (`embed.*`,
//! `dec.{l}.add_norm1.out` = the LayerNorm before attention, `dec.{l}.self_attn.*`,
//! `dec.{l}.add_norm1.sum`, `dec.{l}.add_norm2.out`, `dec.{l}.ffn.*`, `dec.{l}.add_norm2.sum`,
//! `final_norm`, `logits`, `probs`); GPT-2's differences from the paper are in the formulas:
//! learned positions, pre-LN with a final LayerNorm, GELU's tanh approximation, biases,
//! the fused Q/K/V, the tied output projection.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::{Array1, Array2, Axis, Slice};
use serde::{Deserialize, Serialize};

use super::config::{Activation, MAX_VOCAB};
use super::load::TensorFile;
use super::marian::{Flow, Pass, Who};
use super::tokenizer_json::JsonTokenizer;
use super::{HfError, RunError};
use crate::model::cancel::Control;
use crate::model::transformer::dim_labels;
use crate::model::weights::{EMBEDDING, MissingWeight};
use crate::model::{Input, Param, Weights};
use crate::trace::{Labels, Recorder, StepKind, Tensor, Trace, TraceTokens};

/// The learned position table among the weights.
pub const POSITIONS: &str = "embed.P";
/// The final LayerNorm (steps and weights).
pub const FINAL_NORM: &str = "final_norm";

fn default_activation() -> String {
    "gelu_new".into()
}
fn default_eps() -> f32 {
    1e-5
}

/// The keys of a GPT-2 `config.json` that decide the computation.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Gpt2Config {
    /// `gpt2`.
    pub model_type: String,
    /// Rows of the token table.
    pub vocab_size: usize,
    /// Rows of the position table: the longest input.
    pub n_positions: usize,
    /// Width of every token vector.
    pub n_embd: usize,
    /// Blocks.
    pub n_layer: usize,
    /// Heads.
    pub n_head: usize,
    /// FFN width (`null`: 4 · n_embd).
    #[serde(default)]
    pub n_inner: Option<usize>,
    /// `gelu_new` (GELU's tanh approximation) in GPT-2.
    #[serde(default = "default_activation")]
    pub activation_function: String,
    /// LayerNorm's epsilon.
    #[serde(default = "default_eps")]
    pub layer_norm_epsilon: f32,
    /// Scores divided by √d_k (true in GPT-2).
    #[serde(default = "yes")]
    pub scale_attn_weights: bool,
    /// Scores further divided by the layer's number (false in GPT-2).
    #[serde(default)]
    pub scale_attn_by_inverse_layer_idx: bool,
    /// Id of `<|endoftext|>`.
    #[serde(default)]
    pub eos_token_id: Option<usize>,
    /// Id that starts a text (`<|endoftext|>` in GPT-2).
    #[serde(default)]
    pub bos_token_id: Option<usize>,
}

fn yes() -> bool {
    true
}

/// The activation names a GPT-2 `config.json` may give (all GELU's tanh approximation).
pub const GPT2_ACTIVATIONS: &str = "gelu_new, gelu_pytorch_tanh";

impl Gpt2Config {
    /// Reads and checks `config.json` at `path`.
    pub fn read(path: &Path) -> Result<Gpt2Config, HfError> {
        let text = std::fs::read_to_string(path).map_err(|e| HfError::io(path, &e))?;
        let c: Gpt2Config = serde_json::from_str(&text).map_err(|e| HfError::Json {
            file: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        c.check(path)?;
        Ok(c)
    }

    /// FFN width.
    pub fn d_ff(&self) -> usize {
        self.n_inner.unwrap_or(4 * self.n_embd)
    }

    /// The FFN's activation.
    pub fn activation(&self) -> Activation {
        Activation::GeluTanh
    }

    fn check(&self, file: &Path) -> Result<(), HfError> {
        let bad = |key: &'static str, value: String, allowed: String| HfError::BadValue {
            file: file.to_path_buf(),
            key,
            value,
            allowed,
        };
        if !matches!(
            self.activation_function.as_str(),
            "gelu_new" | "gelu_pytorch_tanh"
        ) {
            return Err(bad(
                "activation_function",
                self.activation_function.clone(),
                GPT2_ACTIVATIONS.into(),
            ));
        }
        if !self.scale_attn_weights {
            return Err(bad(
                "scale_attn_weights",
                "false".into(),
                "true (scores divided by √d_k)".into(),
            ));
        }
        if self.scale_attn_by_inverse_layer_idx {
            return Err(bad(
                "scale_attn_by_inverse_layer_idx",
                "true".into(),
                "false (one √d_k for every layer)".into(),
            ));
        }
        let limits: [(&'static str, usize, usize, usize); 5] = [
            ("n_embd", self.n_embd, 1, crate::model::config::MAX_D_MODEL),
            ("n_layer", self.n_layer, 1, crate::model::config::MAX_LAYERS),
            ("n_head", self.n_head, 1, self.n_embd.max(1)),
            ("n_inner", self.d_ff(), 1, crate::model::config::MAX_D_FF),
            ("vocab_size", self.vocab_size, 2, MAX_VOCAB),
        ];
        for (key, value, lo, hi) in limits {
            if !(lo..=hi).contains(&value) {
                return Err(bad(key, value.to_string(), format!("{lo} to {hi}")));
            }
        }
        if !self.n_embd.is_multiple_of(self.n_head) {
            return Err(bad(
                "n_head",
                self.n_head.to_string(),
                format!("a divisor of n_embd = {}", self.n_embd),
            ));
        }
        Ok(())
    }
}

/// An opened GPT-2 model.
#[derive(Debug, Clone)]
pub struct Gpt2Model {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// `config.json`.
    pub config: Gpt2Config,
    /// The weights, canonical names.
    pub weights: Weights,
    /// `tokenizer.json`.
    pub tokenizer: JsonTokenizer,
    /// Every piece by id (the trace's vocabulary labels).
    pub vocab: Labels,
}

impl Gpt2Model {
    /// Opens the GPT-2 directory `dir`. Reads only local files.
    pub fn open(dir: &Path) -> Result<Gpt2Model, HfError> {
        Gpt2Model::open_controlled(dir, &Control::new())
    }

    /// [`Gpt2Model::open`] reporting the weights' bytes read to `control` and stopping
    /// between two tensors when `control` is asked to ([`HfError::Cancelled`]).
    pub fn open_controlled(dir: &Path, control: &Control) -> Result<Gpt2Model, HfError> {
        let config = Gpt2Config::read(&dir.join("config.json"))?;
        let weights = read_weights(dir, &config, control)?;
        let tok_path = dir.join("tokenizer.json");
        if !tok_path.is_file() {
            return Err(HfError::io(
                &tok_path,
                &std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let tokenizer = JsonTokenizer::open(&tok_path)?;
        let vocab = Arc::new(tokenizer.pieces(config.vocab_size));
        Ok(Gpt2Model {
            dir: dir.to_path_buf(),
            config,
            weights,
            tokenizer,
            vocab,
        })
    }

    /// The end-of-text id (`<|endoftext|>`).
    pub fn eos(&self) -> Option<usize> {
        self.config.eos_token_id
    }

    /// `d_model 32 · layers 2 · heads 4 · vocab 400 · gelu_new`.
    pub fn shape_line(&self) -> String {
        let c = &self.config;
        format!(
            "d_model {} · layers {} · heads {} · d_ff {} · vocab {} · {}",
            c.n_embd,
            c.n_layer,
            c.n_head,
            c.d_ff(),
            c.vocab_size,
            c.activation_function
        )
    }

    /// Runs the model on `ids` and records every step.
    pub fn forward(&self, ids: &[usize]) -> Result<Trace, MissingWeight> {
        let rows: Labels = Arc::new(ids.iter().map(|&i| self.tokenizer.piece(i)).collect());
        let c = &self.config;
        let mut p = Pass {
            weights: &self.weights,
            heads: c.n_head,
            act: c.activation(),
            who: Who::Gpt2,
            rec: Recorder::new(),
            dims: dim_labels("d", c.n_embd),
        };
        let mut x = embed(&mut p, ids, &rows)?;
        let eps = c.layer_norm_epsilon;
        for l in 0..c.n_layer {
            let pre = format!("dec.{l}");
            let n1 = p.layer_norm(
                &x,
                &format!("{pre}.add_norm1.out"),
                &format!("{pre}.norm1"),
                eps,
            )?;
            let a = p.attention(&format!("{pre}.self_attn"), &n1, &n1, true)?;
            x = p.residual(
                &x,
                &a,
                &format!("{pre}.self_attn.out"),
                &format!("{pre}.add_norm1.sum"),
            );
            let n2 = p.layer_norm(
                &x,
                &format!("{pre}.add_norm2.out"),
                &format!("{pre}.norm2"),
                eps,
            )?;
            let f = p.ffn(&format!("{pre}.ffn"), &n2)?;
            x = p.residual(
                &x,
                &f,
                &format!("{pre}.ffn.out"),
                &format!("{pre}.add_norm2.sum"),
            );
        }
        let last = p.layer_norm(&x, FINAL_NORM, FINAL_NORM, eps)?;
        logits(&mut p, &last, &self.vocab)?;
        Ok(p.rec.finish(TraceTokens {
            source: rows,
            target: None,
            vocab: self.vocab.clone(),
        }))
    }

    /// The logits of the next token after `ids` (the last row of [`Gpt2Model::forward`]'s
    /// `logits`, without recording a trace).
    pub fn next_logits(&self, ids: &[usize]) -> Result<Array1<f32>, MissingWeight> {
        let trace = self.forward(ids)?;
        let logits = trace
            .get("logits")
            .and_then(|s| s.matrix(None).ok())
            .and_then(|m| m.rows().into_iter().next_back().map(|r| r.to_owned()))
            .ok_or_else(|| MissingWeight("logits".into()))?;
        Ok(logits)
    }
}

/// `embed.tokens` (rows of `wte`), `embed.pos` (rows of the learned `wpe`), `embed.sum`.
fn embed(p: &mut Pass<'_>, ids: &[usize], rows: &Labels) -> Result<Flow, MissingWeight> {
    let table = p.w(EMBEDDING)?;
    let positions = p.w(POSITIONS)?;
    let d = table.ncols();
    let mut tokens = Array2::zeros((ids.len(), d));
    for (mut row, &id) in tokens.rows_mut().into_iter().zip(ids) {
        if id < table.nrows() {
            row.assign(&table.row(id));
        }
    }
    let n = ids.len().min(positions.nrows());
    let pos = positions.slice_axis(Axis(0), Slice::from(0..n)).to_owned();
    let sum = &tokens + &pos;
    let dims = p.dims.clone();
    p.record(
        "embed.tokens",
        StepKind::TokenEmbedding,
        Tensor::Matrix(tokens),
        (rows, &dims),
        "tokens[i] = E[id_i] (row of wte, the table the output projection shares; ids from tokenizer.json)".into(),
        vec![EMBEDDING.to_string()],
    );
    p.record(
        "embed.pos",
        StepKind::Positional,
        Tensor::Matrix(pos),
        (rows, &dims),
        format!("pos[i] = P[i] (row i of GPT-2's learned position table wpe, {POSITIONS}; the paper computes sinusoids)"),
        vec![POSITIONS.to_string()],
    );
    p.record(
        "embed.sum",
        StepKind::EmbeddingSum,
        Tensor::Matrix(sum.clone()),
        (rows, &dims),
        "sum = tokens + pos (GPT-2 does not scale the embeddings)".into(),
        vec!["embed.tokens".into(), "embed.pos".into()],
    );
    Ok(Flow {
        x: sum,
        name: "embed.sum".into(),
        rows: rows.clone(),
    })
}

/// `logits = final_norm · Eᵀ` (tied to `wte`, no bias), `probs`.
fn logits(p: &mut Pass<'_>, x: &Flow, vocab: &Labels) -> Result<(), MissingWeight> {
    let logits = crate::model::linalg::matmul_bt(x.x.view(), p.w(EMBEDDING)?);
    let probs = crate::model::attention::softmax_rows(logits.view());
    p.record(
        "logits",
        StepKind::Logits,
        Tensor::Matrix(logits),
        (&x.rows, vocab),
        format!(
            "logits = {} · Eᵀ (GPT-2's lm_head is tied to wte, without a bias; row i scores the token after position i)",
            x.name
        ),
        vec![x.name.clone(), EMBEDDING.to_string()],
    );
    p.record(
        "probs",
        StepKind::Probs,
        Tensor::Matrix(probs),
        (&x.rows, vocab),
        "probs = softmax(logits) row-wise".into(),
        vec!["logits".into()],
    );
    Ok(())
}

/// Every weight of `c`'s model: (HF name without prefix, canonical name, shape).
fn expected(c: &Gpt2Config) -> Vec<(String, String, Vec<usize>)> {
    let d = c.n_embd;
    let f = c.d_ff();
    let mut out = vec![
        ("wte.weight".into(), EMBEDDING.into(), vec![c.vocab_size, d]),
        (
            "wpe.weight".into(),
            POSITIONS.into(),
            vec![c.n_positions, d],
        ),
    ];
    for l in 0..c.n_layer {
        let h = format!("h.{l}");
        let q = format!("dec.{l}");
        for (hf, qkv, shape) in [
            ("ln_1.weight", "norm1.gamma", vec![d]),
            ("ln_1.bias", "norm1.beta", vec![d]),
            ("attn.c_attn.weight", "self_attn.W_QKV", vec![d, 3 * d]),
            ("attn.c_attn.bias", "self_attn.b_QKV", vec![3 * d]),
            ("attn.c_proj.weight", "self_attn.W_O", vec![d, d]),
            ("attn.c_proj.bias", "self_attn.b_O", vec![d]),
            ("ln_2.weight", "norm2.gamma", vec![d]),
            ("ln_2.bias", "norm2.beta", vec![d]),
            ("mlp.c_fc.weight", "ffn.W1", vec![d, f]),
            ("mlp.c_fc.bias", "ffn.b1", vec![f]),
            ("mlp.c_proj.weight", "ffn.W2", vec![f, d]),
            ("mlp.c_proj.bias", "ffn.b2", vec![d]),
        ] {
            out.push((format!("{h}.{hf}"), format!("{q}.{qkv}"), shape));
        }
    }
    out.push(("ln_f.weight".into(), format!("{FINAL_NORM}.gamma"), vec![d]));
    out.push(("ln_f.bias".into(), format!("{FINAL_NORM}.beta"), vec![d]));
    out
}

/// Reads `dir/model.safetensors` into canonical weights, cutting each fused `c_attn` into
/// Q, K and V.
fn read_weights(dir: &Path, c: &Gpt2Config, control: &Control) -> Result<Weights, HfError> {
    let mut tensors = TensorFile::open(dir, control)?;
    let present = tensors.names();
    let prefix = if present.contains("transformer.wte.weight") {
        "transformer."
    } else {
        ""
    };
    let d = c.n_embd;
    let mut named = Vec::new();
    let mut known = HashSet::new();
    for (hf, name, shape) in expected(c) {
        let full = format!("{prefix}{hf}");
        let values = tensors.tensor_f32(&full, &name, &shape)?;
        known.insert(full);
        let bad = |e: ndarray::ShapeError| tensors.bad(e.to_string());
        if let Some(block) = name.strip_suffix(".W_QKV") {
            let m = Array2::from_shape_vec((d, 3 * d), values).map_err(bad)?;
            for (k, w) in ["W_Q", "W_K", "W_V"].iter().enumerate() {
                let part = m.slice_axis(Axis(1), Slice::from(k * d..(k + 1) * d));
                named.push((format!("{block}.{w}"), Param::Matrix(part.to_owned())));
            }
        } else if let Some(block) = name.strip_suffix(".b_QKV") {
            for (k, b) in ["b_Q", "b_K", "b_V"].iter().enumerate() {
                let part = Array1::from(values[k * d..(k + 1) * d].to_vec());
                named.push((format!("{block}.{b}"), Param::Vector(part)));
            }
        } else if let [r, cols] = shape.as_slice() {
            let m = Array2::from_shape_vec((*r, *cols), values).map_err(bad)?;
            named.push((name, Param::Matrix(m)));
        } else {
            named.push((name, Param::Vector(Array1::from(values))));
        }
    }
    // The causal mask buffers (`attn.bias`, `attn.masked_bias`) of older files and the tied
    // `lm_head` are not weights qkv needs.
    let ignored = |n: &str| {
        n.ends_with(".attn.bias") || n.ends_with(".attn.masked_bias") || n == "lm_head.weight"
    };
    let mut extra: Vec<&String> = present
        .iter()
        .filter(|n| !known.contains(*n) && !ignored(n))
        .collect();
    extra.sort();
    if let Some(extra) = extra.first() {
        return Err(tensors.bad(format!(
            "tensor {extra} is not part of a GPT-2 model with this config.json (qkv would ignore a part of the model)"
        )));
    }
    Ok(Weights::from_named(named))
}

/// A GPT-2 model's input: `text`'s pieces (no start token: GPT-2's tokenizer adds none).
pub(super) fn inputs(
    model: &Gpt2Model,
    text: &str,
) -> Result<(Input, Vec<usize>, Vec<usize>), RunError> {
    let enc = model
        .tokenizer
        .encode(text)
        .map_err(|e| RunError::Weights(e.to_string()))?;
    let max = model.config.n_positions;
    if enc.ids.len() > max {
        return Err(RunError::TooLong {
            side: "the sentence",
            pieces: enc.ids.len(),
            max,
        });
    }
    Ok((
        Input {
            text: text.to_string(),
            target_text: None,
            source: enc.pieces,
            target: None,
        },
        enc.ids,
        Vec::new(),
    ))
}

impl Gpt2Model {
    /// The log-probabilities of the token after `ids`.
    pub fn next_logprobs(&self, ids: &[usize]) -> Result<Array1<f32>, MissingWeight> {
        Ok(super::decode::log_softmax(self.next_logits(ids)?.view()))
    }

    /// Greedy continuation of `ids` by at most `new_tokens` tokens (stopping after
    /// `<|endoftext|>`): all the tokens and each step's choice.
    pub fn greedy(
        &self,
        ids: &[usize],
        new_tokens: usize,
    ) -> Result<(Vec<usize>, Vec<super::decode::GreedyStep>), MissingWeight> {
        let mut tokens = ids.to_vec();
        let mut steps = Vec::new();
        for _ in 0..new_tokens {
            if tokens.len() >= self.config.n_positions {
                break;
            }
            let lp = self.next_logprobs(&tokens)?;
            let (token, logprob) = super::decode::argmax(lp.view());
            tokens.push(token);
            steps.push(super::decode::GreedyStep { token, logprob });
            if Some(token) == self.eos() {
                break;
            }
        }
        Ok((tokens, steps))
    }

    /// Beam search continuing `ids` by at most `new_tokens` tokens, the length penalty
    /// counting the generated tokens only (as `transformers`).
    pub fn beam_search(
        &self,
        ids: &[usize],
        beams: usize,
        new_tokens: usize,
        penalty: super::decode::LengthPenalty,
    ) -> Result<super::decode::BeamSearch, MissingWeight> {
        let max_length = (ids.len() + new_tokens).min(self.config.n_positions);
        super::decode::Beam {
            tokens: ids.to_vec(),
            prompt: ids.len(),
            eos: self.eos(),
            beams,
            max_length,
            penalty,
        }
        .search((), |_, running| {
            running.iter().map(|t| self.next_logprobs(t)).collect()
        })
    }
}
