//! The blocks of a loaded model's forward pass, recorded under the canonical names of
//! [`crate::trace`]: biased multi-head attention with a causal or a padding mask, the residual
//! sum and its LayerNorm, the FFN with the family's activation. A family's pass
//! ([`super::bert`]) holds a [`Steps`] and calls these in its own order.

use std::sync::Arc;

use ndarray::{Array2, Array3, ArrayView1, ArrayView2, Axis, Slice};

use super::config::Activation;
use super::marian::linear;
use crate::model::attention::softmax_rows;
use crate::model::linalg::{matmul, matmul_bt};
use crate::model::norm::LayerNorm;
use crate::model::transformer::dim_labels;
use crate::model::weights::{MissingWeight, Weights};
use crate::trace::{
    AttentionSettings, Labels, Numbers, Recorder, SharedMatrix, Step, StepKind, Tensor,
};

/// A tensor flowing through the stack and the name of the step that holds it.
#[derive(Debug, Clone)]
pub struct Flow {
    /// The numbers, rows × columns.
    pub x: Array2<f32>,
    /// The step that holds them.
    pub name: String,
    /// Row labels (the pieces).
    pub rows: Labels,
}

/// What attention may not look at.
#[derive(Debug, Clone, Copy)]
pub enum Mask<'a> {
    /// Every key.
    None,
    /// Keys after the query (j > i).
    Causal,
    /// The keys whose entry is `false` (padding).
    Padding(&'a [bool]),
}

impl Mask<'_> {
    /// True where query `i` may not look at key `j`.
    fn hides(self, i: usize, j: usize) -> bool {
        match self {
            Mask::None => false,
            Mask::Causal => j > i,
            Mask::Padding(keep) => !keep.get(j).copied().unwrap_or(true),
        }
    }

    fn text(self) -> &'static str {
        match self {
            Mask::None => "0 everywhere (no mask)",
            Mask::Causal => "−∞ where j > i (causal), else 0",
            Mask::Padding(_) => {
                "−∞ in the columns of [PAD] (attention_mask 0, the padding mask), else 0"
            }
        }
    }
}

/// The recorder of a pass and what every block reads.
pub struct Steps<'m> {
    /// The steps so far.
    pub rec: Recorder,
    /// `d0 … d{d_model−1}`.
    pub dims: Labels,
    /// The weights, canonical names.
    pub weights: &'m Weights,
    /// Attention heads.
    pub heads: usize,
    /// LayerNorm epsilon.
    pub eps: f32,
    /// Who adds the biases, in the formulas (`BERT`, `Marian`).
    pub family: &'static str,
}

impl<'m> Steps<'m> {
    /// A pass over `weights` with `d_model` columns.
    pub fn new(
        weights: &'m Weights,
        d_model: usize,
        heads: usize,
        eps: f32,
        family: &'static str,
    ) -> Steps<'m> {
        Steps {
            rec: Recorder::new(),
            dims: dim_labels("d", d_model),
            weights,
            heads,
            eps,
            family,
        }
    }

    /// A weight matrix.
    pub fn w(&self, name: &str) -> Result<ArrayView2<'m, f32>, MissingWeight> {
        self.weights.matrix(name)
    }

    /// A weight vector.
    pub fn b(&self, name: &str) -> Result<ArrayView1<'m, f32>, MissingWeight> {
        self.weights.vector(name)
    }

    /// Records a rows × cols step.
    pub fn record(
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

    /// `out = LayerNorm(x)` under `name`, weights `norm.{gamma,beta}`.
    pub fn layer_norm(&mut self, x: &Flow, name: &str, norm: &str) -> Result<Flow, MissingWeight> {
        let ln = LayerNorm {
            gamma: self.b(&format!("{norm}.gamma"))?,
            beta: self.b(&format!("{norm}.beta"))?,
            eps: self.eps,
        };
        let out = ln.forward(x.x.view());
        let dims = dim_labels("d", out.ncols());
        let eps = self.eps;
        self.record(
            name,
            StepKind::LayerNorm,
            Tensor::Matrix(out.clone()),
            (&x.rows, &dims),
            format!(
                "out = (x − mean) / √(var + eps) · gamma + beta, over each row of {} (eps = {eps:e})",
                x.name
            ),
            vec![
                x.name.clone(),
                format!("{norm}.gamma"),
                format!("{norm}.beta"),
            ],
        );
        Ok(Flow {
            x: out,
            name: name.to_string(),
            rows: x.rows.clone(),
        })
    }

    /// Multi-head attention of `q_in`'s rows over `kv_in`'s under `prefix` (`enc.0.attn`),
    /// with biases on the four projections.
    // Over 80 lines: the block's ten steps in the paper's order, each recorded where computed.
    #[allow(clippy::too_many_lines)]
    pub fn attention(
        &mut self,
        prefix: &str,
        q_in: &Flow,
        kv_in: &Flow,
        mask: Mask<'_>,
    ) -> Result<Array2<f32>, MissingWeight> {
        let h = self.heads;
        let d = q_in.x.ncols();
        let d_k = d / h.max(1);
        let family = self.family;
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
            self.record(&wn(part), kind, numbers, (rows, &dims), format!("{part} = {from} · W_{w} + b_{w} ({family}'s projections have biases; the paper's have none); head h = columns h·d_k..(h+1)·d_k, d_k = {d_k}"), vec![input.clone(), wn(&format!("W_{w}")), wn(&format!("b_{w}"))]);
        }
        let (n, m) = (q.nrows(), k.nrows());
        let root = (d_k as f32).sqrt();
        let mut scores = Array3::zeros((h, n, m));
        let mut weights = Array3::zeros((h, n, m));
        let causal = matches!(mask, Mask::Causal);
        let mut head_out = Array2::zeros((n, d));
        for hd in 0..h {
            let cols = Slice::from(hd * d_k..(hd + 1) * d_k);
            let sc = matmul_bt(q.slice_axis(Axis(1), cols), k.slice_axis(Axis(1), cols));
            let mut z = &sc / root;
            for ((i, j), x) in z.indexed_iter_mut() {
                if mask.hides(i, j) {
                    *x = f32::NEG_INFINITY;
                }
            }
            let wts = softmax_rows(z.view());
            let out = matmul(wts.view(), v.slice_axis(Axis(1), cols));
            head_out.slice_axis_mut(Axis(1), cols).assign(&out);
            scores.index_axis_mut(Axis(0), hd).assign(&sc);
            weights.index_axis_mut(Axis(0), hd).assign(&wts);
        }
        let scaled = &scores / root;
        let mut masked = scaled.clone();
        for ((_, i, j), x) in masked.indexed_iter_mut() {
            if mask.hides(i, j) {
                *x = f32::NEG_INFINITY;
            }
        }
        let settings = AttentionSettings {
            heads: h,
            scale: true,
            causal,
        };
        let mask_text = mask.text();
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
            format!("out = concat · W_O + b_O ({family}'s output projection has a bias)"),
            vec![wn("concat"), wn("W_O"), wn("b_O")],
        );
        Ok(out)
    }

    /// `an.sum = x + y`, `an.out = LayerNorm(an.sum)` (post-LN), weights `norm`.
    pub fn add_norm(
        &mut self,
        x: &Flow,
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
        let flow = Flow {
            x: sum,
            name: sum_name,
            rows: x.rows.clone(),
        };
        self.layer_norm(&flow, &format!("{an}.out"), norm)
    }

    /// `hidden = x · W + b`, recorded under `name` with the kind `FfnHidden`.
    pub fn dense(
        &mut self,
        x: &Flow,
        name: &str,
        (w, b): (&str, &str),
    ) -> Result<Flow, MissingWeight> {
        let hidden = linear(x.x.view(), self.w(w)?, self.b(b)?);
        let cols = if hidden.ncols() == self.dims.len() {
            self.dims.clone()
        } else {
            dim_labels("h", hidden.ncols())
        };
        self.record(
            name,
            StepKind::FfnHidden,
            Tensor::Matrix(hidden.clone()),
            (&x.rows, &cols),
            format!("{} = {} · {} + {}", short(name), x.name, short(w), short(b)),
            vec![x.name.clone(), w.to_string(), b.to_string()],
        );
        Ok(Flow {
            x: hidden,
            name: name.to_string(),
            rows: x.rows.clone(),
        })
    }

    /// The activation of `x`, recorded under `name`.
    pub fn activate(&mut self, x: &Flow, name: &str, act: Activation) -> Flow {
        let a = x.x.mapv(|v| act.apply(v));
        let cols = Arc::new(
            (0..a.ncols())
                .map(|c| {
                    format!(
                        "{}{c}",
                        if a.ncols() == self.dims.len() {
                            "d"
                        } else {
                            "h"
                        }
                    )
                })
                .collect::<Vec<_>>(),
        );
        self.record(
            name,
            act.kind(),
            Tensor::Matrix(a.clone()),
            (&x.rows, &cols),
            act.formula().to_string(),
            vec![x.name.clone()],
        );
        Flow {
            x: a,
            name: name.to_string(),
            rows: x.rows.clone(),
        }
    }

    /// `hidden = x · W1 + b1`, the activation, `out = act · W2 + b2` under `prefix`.
    pub fn ffn(
        &mut self,
        prefix: &str,
        x: &Flow,
        act: Activation,
    ) -> Result<Array2<f32>, MissingWeight> {
        let name = |s: &str| format!("{prefix}.{s}");
        let hidden = self.dense(x, &name("hidden"), (&name("W1"), &name("b1")))?;
        let a = self.activate(&hidden, &name(act.part()), act);
        let out = linear(a.x.view(), self.w(&name("W2"))?, self.b(&name("b2"))?);
        let dims = self.dims.clone();
        self.record(
            &name("out"),
            StepKind::FfnOut,
            Tensor::Matrix(out.clone()),
            (&x.rows, &dims),
            format!("out = {} · W2 + b2", act.part()),
            vec![a.name, name("W2"), name("b2")],
        );
        Ok(out)
    }
}

/// The last part of a step name: `hidden` of `enc.0.ffn.hidden`.
fn short(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}
