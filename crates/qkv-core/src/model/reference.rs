//! The forward pass of "Attention Is All You Need", written to be read: plain `ndarray`, one
//! function per idea of the paper, in the paper's order. Start here.
//!
//! ```text
//! x      = E[tokens] (· √d_model) + PE                      embeddings (§3.4, §3.5)
//! Q, K, V = x W_Q, x W_K, x W_V                              projections (§3.2.2)
//! head_h = softmax(Q_h K_hᵀ / √d_k + mask) V_h               scaled dot-product attention (§3.2.1)
//! out    = [head_1 … head_h] W_O                             multi-head attention (§3.2.2)
//! FFN(x) = max(0, x W1 + b1) W2 + b2                         position-wise feed-forward (§3.3)
//! post-LN: LayerNorm(x + Sublayer(x)); pre-LN: x + Sublayer(LayerNorm(x))   (§5.4)
//! logits = x Eᵀ, probs = softmax(logits)                      tied output projection (§3.4)
//! ```
//!
//! The model the workbench runs ([`super::Transformer::forward`]) computes the same numbers
//! with faster machinery (parallel kernels, reused steps, a buffer pool). This file is its
//! oracle: a property test holds every step of the fast pass to the value computed here
//! (`tests/it/reference.rs`). It records each step under its canonical trace name
//! (`enc.0.attn.weights`, `dec.1.add_norm3.out`, …) so that the two can be compared name by
//! name; nothing else in qkv reads it.

use std::collections::BTreeMap;

use ndarray::{Array2, Array3, ArrayView1, ArrayView2, Axis, Slice};

use super::config::{Arch, MaskKind, Norm, Positional};
use super::tokenizer::Input;
use super::vocab::UNK_ID;
use super::weights::MissingWeight;
use super::{Config, Transformer};

/// The value of one step: a matrix, or one matrix per head (heads × rows × cols).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// rows × cols.
    Matrix(Array2<f32>),
    /// heads × rows × cols (`q`, `k`, `v`, `scores` … `head_out` of an attention block).
    Heads(Array3<f32>),
}

/// Every step of a reference forward pass, by canonical trace name.
pub type Steps = BTreeMap<String, Value>;

/// Runs the paper's forward pass on `input` with the weights of `model`, recording every
/// step. The token vectors are the rows of `model`'s embedding table for the pass's
/// vocabulary (a fixed vocabulary's, the `<unk>` row for a word outside it).
pub fn forward(model: &Transformer, input: &Input) -> Result<Steps, MissingWeight> {
    let c = model.config();
    let vocab = model.vocab_for(input);
    let table = model.embedding_table(&vocab);
    let embed = |tokens: &[String]| -> Array2<f32> {
        let mut x = Array2::zeros((tokens.len(), c.d_model));
        for (i, t) in tokens.iter().enumerate() {
            let id = vocab.iter().position(|v| v == t).unwrap_or(UNK_ID);
            x.row_mut(i).assign(&table.row(id));
        }
        x
    };
    let mut p = Pass {
        model,
        c,
        steps: Steps::new(),
    };
    let source = p.embeddings("embed", embed(&input.source));
    let last = match c.arch {
        Arch::Encoder => {
            let x = p.encoder(source)?;
            p.final_norm(x, "final_norm")?
        }
        Arch::Decoder => {
            let x = p.decoder(source, None)?;
            p.final_norm(x, "final_norm")?
        }
        Arch::EncoderDecoder => {
            let memory = p.encoder(source)?;
            let memory = p.final_norm(memory, "enc.final_norm")?;
            let target = input.target.clone().unwrap_or_default();
            let y = p.embeddings("dec.embed", embed(&target));
            let y = p.decoder(y, Some(&memory))?;
            p.final_norm(y, "final_norm")?
        }
    };
    // Output projection tied to the embedding table (§3.4).
    let logits = last.dot(&table.t());
    let probs = softmax_rows(logits.view());
    p.record("logits", logits);
    p.record("probs", probs);
    Ok(p.steps)
}

/// One pass: the model's weights and configuration, and the steps recorded so far.
struct Pass<'a> {
    model: &'a Transformer,
    c: &'a Config,
    steps: Steps,
}

impl Pass<'_> {
    fn record(&mut self, name: &str, m: Array2<f32>) {
        self.steps.insert(name.to_string(), Value::Matrix(m));
    }

    fn w(&self, name: &str) -> Result<ArrayView2<'_, f32>, MissingWeight> {
        self.model.weights().matrix(name)
    }

    fn b(&self, name: &str) -> Result<ArrayView1<'_, f32>, MissingWeight> {
        self.model.weights().vector(name)
    }

    /// Token vectors (times √d_model when `embed_scale`) plus the sinusoidal positional
    /// encoding.
    ///
    /// # Shapes
    /// `tokens`: n × d_model; returns n × d_model.
    fn embeddings(&mut self, prefix: &str, tokens: Array2<f32>) -> Array2<f32> {
        let (n, d) = tokens.dim();
        let pos = match self.c.positional {
            Positional::Sinusoidal => positional_encoding(n, d),
            Positional::None => Array2::zeros((n, d)),
        };
        let scale = if self.c.embed_scale {
            (d as f32).sqrt()
        } else {
            1.0
        };
        let sum = &tokens * scale + &pos;
        self.record(&format!("{prefix}.tokens"), tokens);
        self.record(&format!("{prefix}.pos"), pos);
        self.record(&format!("{prefix}.sum"), sum.clone());
        sum
    }

    /// The encoder stack: self-attention and FFN per layer.
    fn encoder(&mut self, mut x: Array2<f32>) -> Result<Array2<f32>, MissingWeight> {
        let causal = self.c.mask == MaskKind::Causal;
        for l in 0..self.c.layers.encoder {
            let p = format!("enc.{l}");
            x = self.sublayer(
                x,
                &format!("{p}.add_norm1"),
                &format!("{p}.norm1"),
                |s, h| s.attention(&format!("{p}.attn"), h, None, causal),
            )?;
            x = self.sublayer(
                x,
                &format!("{p}.add_norm2"),
                &format!("{p}.norm2"),
                |s, h| s.feed_forward(&format!("{p}.ffn"), h),
            )?;
        }
        Ok(x)
    }

    /// The decoder stack: masked self-attention, cross-attention over `memory` (the
    /// encoder's output, when there is an encoder) and FFN per layer.
    fn decoder(
        &mut self,
        mut x: Array2<f32>,
        memory: Option<&Array2<f32>>,
    ) -> Result<Array2<f32>, MissingWeight> {
        let causal = self.c.dec_mask == MaskKind::Causal;
        for l in 0..self.c.layers.decoder {
            let p = format!("dec.{l}");
            x = self.sublayer(
                x,
                &format!("{p}.add_norm1"),
                &format!("{p}.norm1"),
                |s, h| s.attention(&format!("{p}.self_attn"), h, None, causal),
            )?;
            let mut k = 2;
            if let Some(m) = memory {
                x = self.sublayer(
                    x,
                    &format!("{p}.add_norm2"),
                    &format!("{p}.norm2"),
                    |s, h| s.attention(&format!("{p}.cross_attn"), h, Some(m), false),
                )?;
                k = 3;
            }
            x = self.sublayer(
                x,
                &format!("{p}.add_norm{k}"),
                &format!("{p}.norm{k}"),
                |s, h| s.feed_forward(&format!("{p}.ffn"), h),
            )?;
        }
        Ok(x)
    }

    /// A residual connection around `f` with LayerNorm: post-LN `LayerNorm(x + f(x))`, or
    /// pre-LN `x + f(LayerNorm(x))`. Records `<an>.sum` (the residual sum) and `<an>.out`
    /// (the LayerNorm's output).
    fn sublayer(
        &mut self,
        x: Array2<f32>,
        an: &str,
        norm: &str,
        f: impl FnOnce(&mut Self, &Array2<f32>) -> Result<Array2<f32>, MissingWeight>,
    ) -> Result<Array2<f32>, MissingWeight> {
        if self.c.norm == Norm::Pre {
            let normed = self.layer_norm(&x, norm)?;
            self.record(&format!("{an}.out"), normed.clone());
            let sum = &x + &f(self, &normed)?;
            self.record(&format!("{an}.sum"), sum.clone());
            Ok(sum)
        } else {
            let sum = &x + &f(self, &x)?;
            let out = self.layer_norm(&sum, norm)?;
            self.record(&format!("{an}.sum"), sum);
            self.record(&format!("{an}.out"), out.clone());
            Ok(out)
        }
    }

    /// A pre-LN stack ends with a LayerNorm; a post-LN stack already ends with one.
    fn final_norm(&mut self, x: Array2<f32>, name: &str) -> Result<Array2<f32>, MissingWeight> {
        if self.c.norm == Norm::Pre {
            let y = self.layer_norm(&x, name)?;
            self.record(name, y.clone());
            Ok(y)
        } else {
            Ok(x)
        }
    }

    fn layer_norm(&self, x: &Array2<f32>, norm: &str) -> Result<Array2<f32>, MissingWeight> {
        let (gamma, beta) = (
            self.b(&format!("{norm}.gamma"))?,
            self.b(&format!("{norm}.beta"))?,
        );
        Ok(layer_norm(x.view(), gamma, beta, self.c.eps))
    }

    /// Multi-head attention: queries from `x`, keys and values from `memory` (cross-
    /// attention) or from `x` itself (self-attention), the causal mask when `causal`.
    ///
    /// # Shapes
    /// `x`: n × d_model, `memory`: m × d_model; returns n × d_model.
    fn attention(
        &mut self,
        prefix: &str,
        x: &Array2<f32>,
        memory: Option<&Array2<f32>>,
        causal: bool,
    ) -> Result<Array2<f32>, MissingWeight> {
        let kv = memory.unwrap_or(x);
        let w = |n: &str| self.w(&format!("{prefix}.{n}"));
        let q = x.dot(&w("W_Q")?);
        let k = kv.dot(&w("W_K")?);
        let v = kv.dot(&w("W_V")?);
        let w_o = w("W_O")?.to_owned();
        let h = self.c.heads;
        let d_k = self.c.d_model / h;
        let (n, m) = (q.nrows(), k.nrows());
        let mut steps: [Array3<f32>; 4] = std::array::from_fn(|_| Array3::zeros((h, n, m)));
        let mut head_out = Array3::zeros((h, n, d_k));
        for head in 0..h {
            let cols = |x: &Array2<f32>| {
                x.slice_axis(Axis(1), Slice::from(head * d_k..(head + 1) * d_k))
                    .to_owned()
            };
            let (q_h, k_h, v_h) = (cols(&q), cols(&k), cols(&v));
            let scores = q_h.dot(&k_h.t());
            let scaled = if self.c.scale {
                &scores / (d_k as f32).sqrt()
            } else {
                scores.clone()
            };
            let masked = &scaled + &mask(n, m, causal);
            let weights = softmax_rows(masked.view());
            head_out
                .index_axis_mut(Axis(0), head)
                .assign(&weights.dot(&v_h));
            for (slot, value) in steps.iter_mut().zip([scores, scaled, masked, weights]) {
                slot.index_axis_mut(Axis(0), head).assign(&value);
            }
        }
        let concat = concat_heads(&head_out);
        let out = concat.dot(&w_o);
        let split = |x: &Array2<f32>| split_heads(x, h);
        let per_head = [
            ("q", split(&q)),
            ("k", split(&k)),
            ("v", split(&v)),
            ("head_out", head_out),
        ];
        for (name, value) in per_head {
            self.steps
                .insert(format!("{prefix}.{name}"), Value::Heads(value));
        }
        let [scores, scaled, masked, weights] = steps;
        for (name, value) in [
            ("scores", scores),
            ("scaled", scaled),
            ("masked", masked),
            ("weights", weights),
        ] {
            self.steps
                .insert(format!("{prefix}.{name}"), Value::Heads(value));
        }
        self.record(&format!("{prefix}.concat"), concat);
        self.record(&format!("{prefix}.out"), out.clone());
        Ok(out)
    }

    /// The position-wise feed-forward network `max(0, x W1 + b1) W2 + b2`.
    fn feed_forward(
        &mut self,
        prefix: &str,
        x: &Array2<f32>,
    ) -> Result<Array2<f32>, MissingWeight> {
        let name = |n: &str| format!("{prefix}.{n}");
        let hidden = x.dot(&self.w(&name("W1"))?) + self.b(&name("b1"))?;
        let relu = hidden.mapv(|v| v.max(0.0));
        let out = relu.dot(&self.w(&name("W2"))?) + self.b(&name("b2"))?;
        self.record(&name("hidden"), hidden);
        self.record(&name("relu"), relu);
        self.record(&name("out"), out.clone());
        Ok(out)
    }
}

/// `PE[pos, 2i] = sin(pos / 10000^(2i/d_model))`, `PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model))`.
///
/// # Shapes
/// Returns n × d_model.
pub fn positional_encoding(n: usize, d_model: usize) -> Array2<f32> {
    Array2::from_shape_fn((n, d_model), |(pos, c)| {
        let two_i = (c - c % 2) as f64;
        let angle = pos as f64 / 10000f64.powf(two_i / d_model as f64);
        (if c % 2 == 0 { angle.sin() } else { angle.cos() }) as f32
    })
}

/// The mask added to the scaled scores: 0 where query i may look at key j, −∞ where it may
/// not (a key after the query, when causal).
///
/// # Shapes
/// Returns n × m.
pub fn mask(n: usize, m: usize, causal: bool) -> Array2<f32> {
    Array2::from_shape_fn((n, m), |(i, j)| {
        if causal && j > i {
            f32::NEG_INFINITY
        } else {
            0.0
        }
    })
}

/// Softmax of each row, after subtracting the row's maximum; a row whose every entry is
/// −∞ (every key masked) gives zeros.
///
/// # Shapes
/// `x`: n × m; returns n × m.
pub fn softmax_rows(x: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut out = x.to_owned();
    for mut row in out.rows_mut() {
        let max = row.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        if max == f32::NEG_INFINITY {
            row.fill(0.0);
            continue;
        }
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|v| v / sum);
    }
    out
}

/// LayerNorm over each row: `(x − mean) / √(var + eps) · gamma + beta`, with the biased
/// variance.
///
/// # Shapes
/// `x`: n × d, `gamma`, `beta`: d; returns n × d.
pub fn layer_norm(
    x: ArrayView2<'_, f32>,
    gamma: ArrayView1<'_, f32>,
    beta: ArrayView1<'_, f32>,
    eps: f32,
) -> Array2<f32> {
    let mut out = x.to_owned();
    for mut row in out.rows_mut() {
        let mean = row.mean().unwrap_or(0.0);
        let var = row.mapv(|v| (v - mean) * (v - mean)).mean().unwrap_or(0.0);
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(&gamma).zip(&beta) {
            *v = (*v - mean) * inv * g + b;
        }
    }
    out
}

/// Heads side by side → one matrix per head.
///
/// # Shapes
/// `x`: n × (h·d_k); returns h × n × d_k.
fn split_heads(x: &Array2<f32>, h: usize) -> Array3<f32> {
    let (n, d) = x.dim();
    let d_k = d / h;
    Array3::from_shape_fn((h, n, d_k), |(head, i, j)| x[[i, head * d_k + j]])
}

/// One matrix per head → heads side by side.
///
/// # Shapes
/// `x`: h × n × d_k; returns n × (h·d_k).
fn concat_heads(x: &Array3<f32>) -> Array2<f32> {
    let (h, n, d_k) = x.dim();
    Array2::from_shape_fn((n, h * d_k), |(i, c)| x[[c / d_k, i, c % d_k]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn softmax_layer_norm_and_mask_by_hand() {
        // softmax([0, ln 3]) = [1/4, 3/4]; a fully masked row is zeros.
        let x = array![[0.0, 3f32.ln()], [f32::NEG_INFINITY, f32::NEG_INFINITY]];
        let w = softmax_rows(x.view());
        assert!((w[[0, 0]] - 0.25).abs() < 1e-6 && (w[[0, 1]] - 0.75).abs() < 1e-6);
        assert_eq!(w.row(1).to_vec(), vec![0.0, 0.0]);
        // [1, 3]: mean 2, variance 1 → [−1, 1] (eps 0), then · gamma + beta.
        let ln = layer_norm(
            array![[1.0f32, 3.0]].view(),
            array![2.0f32, 1.0].view(),
            array![0.5f32, 0.0].view(),
            0.0,
        );
        assert_eq!(ln, array![[-1.5f32, 1.0]]);
        // Causal: query 0 sees key 0 only.
        assert_eq!(mask(2, 2, true)[[0, 1]], f32::NEG_INFINITY);
        assert_eq!(mask(2, 2, true)[[1, 0]], 0.0);
        // PE[1, 0] = sin(1), PE[1, 1] = cos(1).
        let pe = positional_encoding(2, 2);
        assert!((pe[[1, 0]] - 1f32.sin()).abs() < 1e-7);
        assert!((pe[[1, 1]] - 1f32.cos()).abs() < 1e-7);
    }

    #[test]
    fn heads_split_and_concat_round_trip() {
        let x = Array2::from_shape_fn((3, 6), |(i, j)| (i * 6 + j) as f32);
        let h = split_heads(&x, 2);
        // head 1, row 2 = columns 3..6 of row 2 = 15, 16, 17.
        assert_eq!(
            h.index_axis(Axis(0), 1).row(2).to_vec(),
            vec![15.0, 16.0, 17.0]
        );
        assert_eq!(concat_heads(&h), x);
    }
}
