//! The forward pass of a Marian model, recording every step under the canonical names of
//! [`crate::trace`] (`embed.*`, `enc.{l}.attn.*`, `dec.{l}.self_attn.*`,
//! `dec.{l}.cross_attn.*`, `add_norm{k}.{sum,out}`, `ffn.*`, `logits`, `probs`).
//!
//! It is a sibling of [`crate::model::Transformer`]'s pass rather than a mode of it: that pass
//! is built around reusing a previous trace, recomputing heads lazily and training, with
//! unbiased projections, ReLU and interleaved sinusoids wired into its kernels; this one is
//! the plain computation of a loaded model, in the same products ([`linalg::matmul`]), the
//! same LayerNorm and the same softmax. Where Marian differs from the paper, the step says
//! so in its formula, and what the paper does not have is a step of its own:
//!
//! - `embed.sum = tokens · √d_model + pos` (`scale_embedding`; the paper does this too, §3.4);
//! - `embed.pos`: Marian's sinusoids, sin in the first half of the vector and cos in the
//!   second, not interleaved;
//! - `q`, `k`, `v` and the block's `out` add biases `b_Q`, `b_K`, `b_V`, `b_O`;
//! - `ffn.silu` instead of `ffn.relu` for `activation_function: swish`;
//! - `logits_tied = x · Eᵀ`, then `logits = logits_tied + final_logits_bias`;
//! - the decoder's first input is `<pad>` (`decoder_start_token_id`), the source ends in `</s>`.

use std::sync::Arc;

use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, Axis, Slice};

use super::load::{FINAL_LOGITS_BIAS, MarianModel};
use crate::model::attention::softmax_rows;
use crate::model::linalg::{matmul, matmul_bt};
use crate::model::norm::LayerNorm;
use crate::model::transformer::dim_labels;
use crate::model::weights::{EMBEDDING, MissingWeight};
use crate::trace::{
    AttentionSettings, Labels, Numbers, Recorder, SharedMatrix, Step, StepKind, Tensor, Trace,
    TraceTokens,
};

/// LayerNorm epsilon of Marian (PyTorch's `nn.LayerNorm` default).
pub const EPS: f32 = 1e-5;

/// Marian's sinusoidal positions: for column j < d/2, `sin(pos / 10000^(2j/d))`; for column
/// d/2 + j, `cos(pos / 10000^(2j/d))` (the halves side by side, not interleaved as in the
/// paper; for odd d the sin half has one column more).
///
/// # Shapes
/// Returns n × d.
pub fn marian_sinusoids(n: usize, d: usize) -> Array2<f32> {
    let half = d.div_ceil(2);
    let mut pe = Array2::zeros((n, d));
    for pos in 0..n {
        for j in 0..half {
            // transformers computes the angle as pos / 10000^(2·j / d) in float64.
            let angle = pos as f64 / 10000f64.powf((2 * j) as f64 / d as f64);
            pe[[pos, j]] = angle.sin() as f32;
            if half + j < d {
                pe[[pos, half + j]] = angle.cos() as f32;
            }
        }
    }
    pe
}

/// `x · W + b`, `b` added to every row.
///
/// # Shapes
/// `x`: n × a, `w`: a × b, `b`: b → n × b.
pub fn linear(
    x: ArrayView2<'_, f32>,
    w: ArrayView2<'_, f32>,
    b: ArrayView1<'_, f32>,
) -> Array2<f32> {
    matmul(x, w) + b
}

/// One head of scaled dot-product attention: `scores = q · kᵀ`, `weights =
/// softmax(scores / √d_k + mask)` (causal: −∞ where j > i), `out = weights · v`.
///
/// # Shapes
/// `q`: n × d_k, `k`, `v`: m × d_k → scores, weights: n × m; out: n × d_k.
pub fn head(
    q: ArrayView2<'_, f32>,
    k: ArrayView2<'_, f32>,
    v: ArrayView2<'_, f32>,
    causal: bool,
) -> (Array2<f32>, Array2<f32>, Array2<f32>) {
    let root = (q.ncols() as f32).sqrt();
    let scores = matmul_bt(q, k);
    let mut masked = &scores / root;
    if causal {
        for ((i, j), x) in masked.indexed_iter_mut() {
            if j > i {
                *x = f32::NEG_INFINITY;
            }
        }
    }
    let weights = softmax_rows(masked.view());
    let out = matmul(weights.view(), v);
    (scores, weights, out)
}

/// Every head of a block: head h uses columns h·d_k..(h+1)·d_k of `q`, `k`, `v`; `each`
/// gets each head's scores and weights; the heads' outputs side by side are returned.
///
/// # Shapes
/// `q`: n × d, `k`, `v`: m × d → n × d.
pub fn all_heads(
    q: ArrayView2<'_, f32>,
    k: ArrayView2<'_, f32>,
    v: ArrayView2<'_, f32>,
    heads: usize,
    causal: bool,
    mut each: impl FnMut(usize, Array2<f32>, Array2<f32>),
) -> Array2<f32> {
    let d_k = q.ncols() / heads.max(1);
    let mut concat = Array2::zeros((q.nrows(), q.ncols()));
    for hd in 0..heads {
        let cols = Slice::from(hd * d_k..(hd + 1) * d_k);
        let (scores, weights, out) = head(
            q.slice_axis(Axis(1), cols),
            k.slice_axis(Axis(1), cols),
            v.slice_axis(Axis(1), cols),
            causal,
        );
        concat.slice_axis_mut(Axis(1), cols).assign(&out);
        each(hd, scores, weights);
    }
    concat
}

/// A tensor flowing through the stack and the name of the step that holds it.
struct Flow {
    x: Array2<f32>,
    name: String,
    rows: Labels,
}

struct Pass<'m> {
    model: &'m MarianModel,
    rec: Recorder,
    dims: Labels,
}

impl MarianModel {
    /// Runs the model on the encoder input `source` and the decoder input `target` (ids of
    /// the vocabulary; `target` starts with the decoder start token) and records every step.
    pub fn forward(&self, source: &[usize], target: &[usize]) -> Result<Trace, MissingWeight> {
        let tok = &self.tokenizer;
        let label = |ids: &[usize]| -> Labels {
            Arc::new(ids.iter().map(|&i| tok.piece(i).to_string()).collect())
        };
        let (src_rows, tgt_rows) = (label(source), label(target));
        let mut p = Pass {
            model: self,
            rec: Recorder::new(),
            dims: dim_labels("d", self.config.d_model),
        };
        let mut x = p.embed("embed", source, &src_rows, "the source's pieces, then </s>")?;
        for l in 0..self.config.encoder_layers {
            x = p.encoder_layer(l, x)?;
        }
        let memory = x;
        let mut y = p.embed(
            "dec.embed",
            target,
            &tgt_rows,
            "the decoder starts from <pad> (Marian's decoder_start_token_id; the paper's <bos>)",
        )?;
        for l in 0..self.config.decoder_layers {
            y = p.decoder_layer(l, y, &memory)?;
        }
        let vocab: Labels = Arc::new(tok.tokens().to_vec());
        p.logits(&y, &vocab)?;
        Ok(p.rec.finish(TraceTokens {
            source: src_rows,
            target: Some(tgt_rows),
            vocab,
        }))
    }
}

impl Pass<'_> {
    fn w(&self, name: &str) -> Result<ArrayView2<'_, f32>, MissingWeight> {
        self.model.weights.matrix(name)
    }

    fn b(&self, name: &str) -> Result<ArrayView1<'_, f32>, MissingWeight> {
        self.model.weights.vector(name)
    }

    fn record(
        &mut self,
        name: &str,
        kind: StepKind,
        numbers: impl Into<Numbers>,
        (rows, cols): (&Labels, &Labels),
        formula: String,
        inputs: Vec<String>,
    ) {
        self.rec.record(
            Step::build(name, kind, numbers)
                .rows(rows.clone())
                .cols(cols.clone())
                .formula(formula)
                .inputs(inputs)
                .finish(),
        );
    }

    /// `<prefix>.tokens`, `<prefix>.pos`, `<prefix>.sum`.
    fn embed(
        &mut self,
        prefix: &str,
        ids: &[usize],
        rows: &Labels,
        note: &str,
    ) -> Result<Flow, MissingWeight> {
        let c = &self.model.config;
        let d = c.d_model;
        let table = self.w(EMBEDDING)?;
        let mut tokens = Array2::zeros((ids.len(), d));
        for (mut row, &id) in tokens.rows_mut().into_iter().zip(ids) {
            if id < table.nrows() {
                row.assign(&table.row(id));
            }
        }
        let pos = marian_sinusoids(ids.len(), d);
        let scale = if c.scale_embedding {
            (d as f32).sqrt()
        } else {
            1.0
        };
        let sum = &tokens * scale + &pos;
        let name = |s: &str| format!("{prefix}.{s}");
        let dims = self.dims.clone();
        self.record(&name("tokens"), StepKind::TokenEmbedding, Tensor::Matrix(tokens), (rows, &dims), format!("tokens[i] = E[id_i] (row of the table shared by source, target and output; ids from vocab.json; {note})"), vec![EMBEDDING.to_string()]);
        let half = d.div_ceil(2);
        self.record(&name("pos"), StepKind::Positional, Tensor::Matrix(pos), (rows, &dims), format!("Marian's sinusoids: PE[pos][j] = sin(pos / 10000^(2j/d_model)) for j < {half}, PE[pos][{half}+j] = cos(pos / 10000^(2j/d_model)) (sin half, then cos half; the paper interleaves sin and cos)"), vec![]);
        let formula = if c.scale_embedding {
            format!("sum = tokens · √d_model + pos = tokens · {scale:.4} + pos (scale_embedding)")
        } else {
            "sum = tokens + pos (scale_embedding: false)".to_string()
        };
        self.record(
            &name("sum"),
            StepKind::EmbeddingSum,
            Tensor::Matrix(sum.clone()),
            (rows, &dims),
            formula,
            vec![name("tokens"), name("pos")],
        );
        Ok(Flow {
            x: sum,
            name: name("sum"),
            rows: rows.clone(),
        })
    }

    /// Multi-head attention of `q_in`'s rows over `kv_in`'s, with Marian's biases.
    // Over 80 lines: the block's ten steps in the paper's order, each recorded where computed.
    fn attention(
        &mut self,
        prefix: &str,
        q_in: &Flow,
        kv_in: &Flow,
        causal: bool,
    ) -> Result<Array2<f32>, MissingWeight> {
        let c = &self.model.config;
        let h = c.encoder_attention_heads;
        let d = c.d_model;
        let d_k = d / h;
        let wn = |s: &str| format!("{prefix}.{s}");
        let project =
            |p: &Self, x: &Array2<f32>, w: &str, b: &str| -> Result<Array2<f32>, MissingWeight> {
                Ok(linear(x.view(), p.w(&wn(w))?, p.b(&wn(b))?))
            };
        let q = project(self, &q_in.x, "W_Q", "b_Q")?;
        let k = project(self, &kv_in.x, "W_K", "b_K")?;
        let v = project(self, &kv_in.x, "W_V", "b_V")?;
        let kv_src = if q_in.name == kv_in.name {
            "X"
        } else {
            "X_enc"
        };
        let dims = self.dims.clone();
        for (part, kind, m, w, from, input, rows) in [
            ("q", StepKind::Query, &q, "Q", "X", &q_in.name, &q_in.rows),
            (
                "k",
                StepKind::Key,
                &k,
                "K",
                kv_src,
                &kv_in.name,
                &kv_in.rows,
            ),
            (
                "v",
                StepKind::Value,
                &v,
                "V",
                kv_src,
                &kv_in.name,
                &kv_in.rows,
            ),
        ] {
            let numbers = Numbers::SideBySide {
                whole: SharedMatrix::new(m.clone()),
                heads: h,
            };
            self.record(&wn(part), kind, numbers, (rows, &dims), format!("{part} = {from} · W_{w} + b_{w} (Marian's projections have biases; the paper's have none); head h = columns h·d_k..(h+1)·d_k, d_k = {d_k}"), vec![input.clone(), wn(&format!("W_{w}")), wn(&format!("b_{w}"))]);
        }
        let (n, m) = (q.nrows(), k.nrows());
        let root = (d_k as f32).sqrt();
        let mut scores = Array3::zeros((h, n, m));
        let mut weights = Array3::zeros((h, n, m));
        let head_out = all_heads(q.view(), k.view(), v.view(), h, causal, |hd, sc, wts| {
            scores.index_axis_mut(Axis(0), hd).assign(&sc);
            weights.index_axis_mut(Axis(0), hd).assign(&wts);
        });
        let scaled = &scores / root;
        let mut masked = scaled.clone();
        if causal {
            for ((_, i, j), x) in masked.indexed_iter_mut() {
                if j > i {
                    *x = f32::NEG_INFINITY;
                }
            }
        }
        let settings = AttentionSettings {
            heads: h,
            scale: true,
            causal,
        };
        let mask_text = if causal {
            "−∞ where j > i (causal), else 0"
        } else {
            "0 everywhere (no mask)"
        };
        let kv_labels: Labels = kv_in.rows.clone();
        for (part, kind, t, formula, input) in [
            (
                "scores",
                StepKind::Scores,
                scores,
                "scores = q_h · k_hᵀ".to_string(),
                vec![wn("q"), wn("k")],
            ),
            (
                "scaled",
                StepKind::Scaled,
                scaled,
                format!("scaled = scores / √d_k = scores / {root:.4}"),
                vec![wn("scores")],
            ),
            (
                "masked",
                StepKind::Masked,
                masked,
                format!("masked = scaled + mask ({mask_text})"),
                vec![wn("scaled")],
            ),
            (
                "weights",
                StepKind::Weights,
                weights,
                "weights = softmax(masked) row-wise".to_string(),
                vec![wn("masked")],
            ),
        ] {
            self.rec.record(
                Step::build(wn(part), kind, Tensor::Heads(t))
                    .rows(q_in.rows.clone())
                    .cols(kv_labels.clone())
                    .formula(formula)
                    .inputs(input)
                    .attention(settings)
                    .finish(),
            );
        }
        let head_numbers = Numbers::SideBySide {
            whole: SharedMatrix::new(head_out.clone()),
            heads: h,
        };
        self.record(
            &wn("head_out"),
            StepKind::HeadOut,
            head_numbers,
            (&q_in.rows, &dims),
            "head_out_h = weights_h · v_h".to_string(),
            vec![wn("weights"), wn("v")],
        );
        self.record(
            &wn("concat"),
            StepKind::Concat,
            Tensor::Matrix(head_out.clone()),
            (&q_in.rows, &dims),
            crate::model::attention::concat_formula(h),
            vec![wn("head_out")],
        );
        let out = linear(head_out.view(), self.w(&wn("W_O"))?, self.b(&wn("b_O"))?);
        self.record(
            &wn("out"),
            StepKind::AttnOut,
            Tensor::Matrix(out.clone()),
            (&q_in.rows, &dims),
            "out = concat · W_O + b_O (Marian's output projection has a bias)".to_string(),
            vec![wn("concat"), wn("W_O"), wn("b_O")],
        );
        Ok(out)
    }

    /// `sum = x + y`, `out = LayerNorm(sum)` (post-LN) under `an`, weights `norm`.
    fn add_norm(
        &mut self,
        x: Flow,
        y: &Array2<f32>,
        y_name: &str,
        an: &str,
        norm: &str,
    ) -> Result<Flow, MissingWeight> {
        let sum = &x.x + y;
        let dims = self.dims.clone();
        let sum_name = format!("{an}.sum");
        self.record(
            &sum_name,
            StepKind::ResidualSum,
            Tensor::Matrix(sum.clone()),
            (&x.rows, &dims),
            format!("sum = {} + {y_name}", x.name),
            vec![x.name.clone(), y_name.to_string()],
        );
        let ln = LayerNorm {
            gamma: self.b(&format!("{norm}.gamma"))?,
            beta: self.b(&format!("{norm}.beta"))?,
            eps: EPS,
        };
        let out = ln.forward(sum.view());
        let out_name = format!("{an}.out");
        self.record(&out_name, StepKind::LayerNorm, Tensor::Matrix(out.clone()), (&x.rows, &dims), format!("out = (x − mean) / √(var + eps) · gamma + beta, over each row of {sum_name} (eps = {EPS:e})"), vec![sum_name, format!("{norm}.gamma"), format!("{norm}.beta")]);
        Ok(Flow {
            x: out,
            name: out_name,
            rows: x.rows,
        })
    }

    /// `hidden = x · W1 + b1`, the activation, `out = act · W2 + b2`.
    fn ffn(&mut self, prefix: &str, x: &Flow) -> Result<Array2<f32>, MissingWeight> {
        let act = self.model.config.activation();
        let name = |s: &str| format!("{prefix}.{s}");
        let hidden = linear(x.x.view(), self.w(&name("W1"))?, self.b(&name("b1"))?);
        let a = hidden.mapv(|v| act.apply(v));
        let out = linear(a.view(), self.w(&name("W2"))?, self.b(&name("b2"))?);
        let ff = dim_labels("h", hidden.ncols());
        let dims = self.dims.clone();
        self.record(
            &name("hidden"),
            StepKind::FfnHidden,
            Tensor::Matrix(hidden),
            (&x.rows, &ff),
            format!("hidden = {} · W1 + b1", x.name),
            vec![x.name.clone(), name("W1"), name("b1")],
        );
        let act_name = name(act.part());
        self.record(
            &act_name,
            act.kind(),
            Tensor::Matrix(a),
            (&x.rows, &ff),
            act.formula().to_string(),
            vec![name("hidden")],
        );
        self.record(
            &name("out"),
            StepKind::FfnOut,
            Tensor::Matrix(out.clone()),
            (&x.rows, &dims),
            format!("out = {} · W2 + b2", act.part()),
            vec![act_name, name("W2"), name("b2")],
        );
        Ok(out)
    }

    fn encoder_layer(&mut self, l: usize, x: Flow) -> Result<Flow, MissingWeight> {
        let p = format!("enc.{l}");
        let a = self.attention(&format!("{p}.attn"), &x, &x, false)?;
        let x = self.add_norm(
            x,
            &a,
            &format!("{p}.attn.out"),
            &format!("{p}.add_norm1"),
            &format!("{p}.norm1"),
        )?;
        let f = self.ffn(&format!("{p}.ffn"), &x)?;
        self.add_norm(
            x,
            &f,
            &format!("{p}.ffn.out"),
            &format!("{p}.add_norm2"),
            &format!("{p}.norm2"),
        )
    }

    fn decoder_layer(&mut self, l: usize, x: Flow, memory: &Flow) -> Result<Flow, MissingWeight> {
        let p = format!("dec.{l}");
        let a = self.attention(&format!("{p}.self_attn"), &x, &x, true)?;
        let x = self.add_norm(
            x,
            &a,
            &format!("{p}.self_attn.out"),
            &format!("{p}.add_norm1"),
            &format!("{p}.norm1"),
        )?;
        let a = self.attention(&format!("{p}.cross_attn"), &x, memory, false)?;
        let x = self.add_norm(
            x,
            &a,
            &format!("{p}.cross_attn.out"),
            &format!("{p}.add_norm2"),
            &format!("{p}.norm2"),
        )?;
        let f = self.ffn(&format!("{p}.ffn"), &x)?;
        self.add_norm(
            x,
            &f,
            &format!("{p}.ffn.out"),
            &format!("{p}.add_norm3"),
            &format!("{p}.norm3"),
        )
    }

    /// `logits_tied = x · Eᵀ`, `logits = logits_tied + final_logits_bias`, `probs`.
    fn logits(&mut self, x: &Flow, vocab: &Labels) -> Result<(), MissingWeight> {
        let tied = matmul_bt(x.x.view(), self.w(EMBEDDING)?);
        let bias: Array1<f32> = self.b(FINAL_LOGITS_BIAS)?.to_owned();
        let logits = &tied + &bias;
        let probs = softmax_rows(logits.view());
        self.record(
            "logits_tied",
            StepKind::Logits,
            Tensor::Matrix(tied),
            (&x.rows, vocab),
            format!(
                "logits_tied = {} · Eᵀ (output projection tied to the embeddings)",
                x.name
            ),
            vec![x.name.clone(), EMBEDDING.to_string()],
        );
        self.record("logits", StepKind::Logits, Tensor::Matrix(logits), (&x.rows, vocab), "logits = logits_tied + final_logits_bias (Marian adds a bias per vocabulary entry; the paper has none)".to_string(), vec!["logits_tied".to_string(), FINAL_LOGITS_BIAS.to_string()]);
        self.record(
            "probs",
            StepKind::Probs,
            Tensor::Matrix(probs),
            (&x.rows, vocab),
            "probs = softmax(logits) row-wise".to_string(),
            vec!["logits".to_string()],
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marian_sinusoids_put_sin_first_and_cos_second() {
        // d = 4, half = 2: columns sin(pos/10000^0), sin(pos/10000^(2/4)) = sin(pos/100),
        // cos(pos), cos(pos/100).
        let pe = marian_sinusoids(2, 4);
        assert_eq!(pe.row(0).to_vec(), vec![0.0, 0.0, 1.0, 1.0]);
        let want = [1f64.sin(), 0.01f64.sin(), 1f64.cos(), 0.01f64.cos()];
        for (got, want) in pe.row(1).iter().zip(want) {
            assert!((f64::from(*got) - want).abs() < 1e-7, "{got} vs {want}");
        }
    }
}
