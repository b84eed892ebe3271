//! The backward pass, written by hand, step by step.
//!
//! The forward trace records every step with the names of its inputs (earlier steps or
//! weights), so the backward pass walks the trace from the end to the start and applies
//! each step kind's rule, accumulating `∂loss/∂input` into the inputs. Every step and every
//! weight gets a gradient under `grad.<name>` with the forward value's shape. The rules:
//!
//! | step | forward | backward |
//! |---|---|---|
//! | logits | `x · Eᵀ` | `∂x = g · E`, `∂E += gᵀ · x` |
//! | add_norm sum | `a + b` | `∂a += g`, `∂b += g` |
//! | LayerNorm | `γ ⊙ x̂ + β`, `x̂ = (x − μ)/σ` | `∂γ += Σ g ⊙ x̂`, `∂β += Σ g`, `∂x = (ĝ − mean ĝ − x̂ · mean(ĝ ⊙ x̂)) / σ` with `ĝ = g ⊙ γ` |
//! | ffn out | `r · W2 + b2` | `∂r = g · W2ᵀ`, `∂W2 += rᵀ · g`, `∂b2 += Σ g` |
//! | relu | `max(0, h)` | `∂h = g` where `h > 0`, else 0 |
//! | attn out | `c · W_O` | `∂c = g · W_Oᵀ`, `∂W_O += cᵀ · g` |
//! | head_out | `w_h · V_h` | `∂w_h = g_h · V_hᵀ`, `∂V_h += w_hᵀ · g_h` |
//! | weights | `softmax(m)` | `∂m_j = w_j (g_j − Σ_k w_k g_k)` |
//! | masked | `s + M` | `∂s = g` where M = 0, 0 where M = −∞ |
//! | scaled | `scores / √d_k` | `∂scores = g / √d_k` |
//! | scores | `Q_h · K_hᵀ` | `∂Q_h += g · K_h`, `∂K_h += gᵀ · Q_h` |
//! | q, k, v | `X · W` | `∂X += g · Wᵀ`, `∂W += Xᵀ · g` |
//! | embed sum | `t · s + pe` | `∂t = s · g`, `∂pe = g` (s = √d_model with `embed_scale`, else 1) |
//! | tokens | `E[token_i]` | `∂E[token_i] += g_i` |
//!
//! `embed.E` is tied: its gradient sums the token lookups of both sides and the output
//! projection.

use std::collections::HashMap;
use std::sync::Arc;

use ndarray::{Array1, Array2, Array3, ArrayView2, Axis, CowArray, Ix2, Slice};

use crate::model::attention::attention_settings;
use crate::model::linalg::{MatView, MatViewMut, matmul, product_into_view};
use crate::model::vecmath::lane_sum_f64;
use crate::model::vocab::UNK;
use crate::model::weights::EMBEDDING;
use crate::model::{Param, Transformer};
use crate::trace::{Step, StepKind, StepName, Tensor, Trace, TraceError, split_heads};

use super::loss::{Loss, LossError, cross_entropy, targets};

mod ops;
use ops::*;
pub use ops::{layer_norm_backward, softmax_backward};

/// Why gradients cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BackwardError {
    /// The loss is undefined.
    #[error(transparent)]
    Loss(#[from] LossError),
    /// A step the rule needs is missing or of another shape.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A weight a step names is not in the model.
    #[error("the trace names the weight {0}, which the model does not have")]
    Weight(String),
    /// The forward pass gave no trace (a weight missing; a cancellation).
    #[error(transparent)]
    Forward(#[from] crate::model::ForwardError),
    /// The predicted memory of the backward pass is past the budget
    /// ([`crate::limits::check_memory`]).
    #[error("computing the gradients of this model and sentence needs {0}")]
    Memory(crate::limits::OverBudget),
    /// A step with inputs the rule does not expect (a trace of another kind).
    #[error("cannot differentiate step {name}: {why}")]
    Unsupported {
        /// The step.
        name: String,
        /// What is wrong.
        why: String,
    },
}

/// The gradient of one step, as it is accumulated.
#[derive(Debug, Clone)]
enum Grad {
    /// rows × cols (`q`, `k`, `v`, `head_out` keep their heads side by side here).
    Matrix(Array2<f32>),
    /// heads × rows × cols (scores-like steps).
    Heads(Array3<f32>),
}

/// Every gradient of one backward pass.
#[derive(Debug, Clone)]
pub struct Gradients {
    /// The loss the gradients are of.
    pub loss: Loss,
    /// `grad.<step>` for every forward step, in forward order, same shapes and labels.
    pub trace: Trace,
    /// `grad.<weight>` for every weight, `grad.embed.E` first.
    pub weights: Vec<(String, Param)>,
}

impl Gradients {
    /// The gradient of the weight `name` (without the `grad.` prefix).
    pub fn weight(&self, name: &str) -> Option<&Param> {
        self.weights
            .iter()
            .find(|(n, _)| n.strip_prefix("grad.") == Some(name))
            .map(|(_, p)| p)
    }
}

/// Accumulated weight gradients by name.
struct WeightGrads<'m> {
    model: &'m Transformer,
    table: Array2<f32>,
    matrices: HashMap<String, Array2<f32>>,
    vectors: HashMap<String, Array1<f32>>,
    /// Heads of recomputed attention steps (see [`head`]).
    heads: HashMap<(String, usize), Arc<Array2<f32>>>,
}

impl WeightGrads<'_> {
    fn matrix(&self, name: &str) -> Result<ArrayView2<'_, f32>, BackwardError> {
        if name == EMBEDDING {
            return Ok(self.table.view());
        }
        self.model
            .weights()
            .matrix(name)
            .map_err(|_| BackwardError::Weight(name.to_string()))
    }

    fn vector(&self, name: &str) -> Result<ndarray::ArrayView1<'_, f32>, BackwardError> {
        self.model
            .weights()
            .vector(name)
            .map_err(|_| BackwardError::Weight(name.to_string()))
    }

    fn add_matrix(&mut self, name: &str, g: Array2<f32>) {
        match self.matrices.get_mut(name) {
            Some(acc) => *acc += &g,
            None => {
                self.matrices.insert(name.to_string(), g);
            }
        }
    }

    fn add_vector(&mut self, name: &str, g: Array1<f32>) {
        match self.vectors.get_mut(name) {
            Some(acc) => *acc += &g,
            None => {
                self.vectors.insert(name.to_string(), g);
            }
        }
    }
}

/// The loss of `trace` (see [`super::loss`]) and the gradient of every step and weight.
///
/// `trace` must be a forward trace of `model` (as [`Transformer::forward`] records it).
pub fn backward(
    model: &Transformer,
    trace: &Trace,
    smoothing: f32,
) -> Result<Gradients, BackwardError> {
    let t = trace.tokens();
    let n = crate::model::cost::Lengths {
        source: t.source.len(),
        target: t.target.as_ref().map_or(0, |l| l.len()),
        vocab: t.vocab.len(),
    };
    let need =
        crate::model::cost::backward_bytes(model.config(), n, crate::model::linalg::threads());
    crate::limits::check_memory(need).map_err(BackwardError::Memory)?;
    backward_with(model, trace, smoothing, true)
}

/// The steps of the forward pass in `trace`, in order. A scenario whose tour or checks name
/// gradients carries them after its forward steps (`scenario::learned::with_gradients`);
/// they are not part of the graph the backward pass and its explanations walk.
pub fn forward_steps(trace: &Trace) -> impl Iterator<Item = &Step> {
    trace
        .steps()
        .iter()
        .filter(|s| !StepName::parse(s.name()).is_some_and(|n| n.grad))
}

/// [`backward`], keeping the gradient of every step in [`Gradients::trace`] only when
/// `keep_steps` (training needs the weights' gradients alone; the steps' are what the
/// workbench shows). The weight gradients are the same either way.
pub fn backward_with(
    model: &Transformer,
    trace: &Trace,
    smoothing: f32,
    keep_steps: bool,
) -> Result<Gradients, BackwardError> {
    let logits = trace.get("logits").ok_or(LossError::NoLogits)?;
    let targets = targets(trace)?;
    let (loss, d_logits, d_probs) =
        cross_entropy(logits.matrix(None)?.view(), &targets, smoothing)?;

    let mut weights = WeightGrads {
        model,
        table: model.embedding_table(&trace.tokens().vocab),
        matrices: HashMap::new(),
        vectors: HashMap::new(),
        heads: HashMap::new(),
    };
    let mut grads: HashMap<String, Grad> = HashMap::new();
    grads.insert("logits".into(), Grad::Matrix(d_logits));
    grads.insert("probs".into(), Grad::Matrix(d_probs));
    let mut recorded: Vec<Step> = Vec::with_capacity(trace.steps().len());
    let forward: Vec<&Step> = forward_steps(trace).collect();
    for step in forward.into_iter().rev() {
        let g = match grads.remove(step.name()) {
            Some(g) => g,
            None => zeros_like(step)?,
        };
        // The rules take the gradient over (and pass it on without copying where they can);
        // the workbench keeps a copy of every step's gradient to show.
        let shown = keep_steps.then(|| g.clone());
        propagate(model, trace, step, g, &mut grads, &mut weights)?;
        if let Some(g) = shown {
            recorded.push(grad_step(step, g)?);
        }
    }
    recorded.reverse();
    let grad_trace = Trace::new(recorded, trace.tokens().clone());

    let mut out = Vec::with_capacity(model.weights().len() + 1);
    let table_shape = weights.table.dim();
    let e = weights
        .matrices
        .remove(EMBEDDING)
        .unwrap_or_else(|| Array2::zeros(table_shape));
    out.push((format!("grad.{EMBEDDING}"), Param::Matrix(e)));
    for (name, p) in model.weights().iter() {
        if name == EMBEDDING {
            continue;
        }
        let g = match p {
            Param::Matrix(m) => Param::Matrix(
                weights
                    .matrices
                    .remove(name)
                    .unwrap_or_else(|| Array2::zeros(m.dim())),
            ),
            Param::Vector(v) => Param::Vector(
                weights
                    .vectors
                    .remove(name)
                    .unwrap_or_else(|| Array1::zeros(v.len())),
            ),
        };
        out.push((format!("grad.{name}"), g));
    }
    Ok(Gradients {
        loss,
        trace: grad_trace,
        weights: out,
    })
}

/// Applies `step`'s backward rule to its gradient `g`.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per step kind: the chain rule of every step, as a table."
)]
fn propagate(
    model: &Transformer,
    trace: &Trace,
    step: &Step,
    g: Grad,
    grads: &mut HashMap<String, Grad>,
    w: &mut WeightGrads<'_>,
) -> Result<(), BackwardError> {
    let cfg = model.config();
    match step.kind() {
        // The loss seeds `logits` directly (log-softmax is stabler than going through probs).
        // qkv's own models have no token types (a real model's trace is never trained).
        StepKind::Probs | StepKind::Positional | StepKind::TokenTypes => {}
        StepKind::Logits => {
            let g = matrix_of(&g, step)?;
            let x_name = input(step, 0)?;
            let x = values(trace, x_name)?;
            let dx = matmul(g.view(), w.matrix(EMBEDDING)?);
            accumulate(grads, x_name, Grad::Matrix(dx));
            w.add_matrix(EMBEDDING, matmul(g.t(), x.view()));
        }
        StepKind::ResidualSum => {
            accumulate(grads, input(step, 0)?, g.clone());
            accumulate(grads, input(step, 1)?, g);
        }
        StepKind::LayerNorm => {
            let g = matrix_of(&g, step)?;
            let x_name = input(step, 0)?;
            let x = values(trace, x_name)?;
            let (gamma_name, beta_name) = (input(step, 1)?, input(step, 2)?);
            let gamma = w.vector(gamma_name)?.to_owned();
            let (dx, dgamma, dbeta) =
                layer_norm_backward(x.view(), gamma.view(), g.view(), cfg.eps);
            accumulate(grads, x_name, Grad::Matrix(dx));
            w.add_vector(gamma_name, dgamma);
            w.add_vector(beta_name, dbeta);
        }
        StepKind::FfnOut
        | StepKind::FfnHidden
        | StepKind::AttnOut
        | StepKind::Query
        | StepKind::Key
        | StepKind::Value => {
            // y = x · W (+ b): ∂x = g · Wᵀ, ∂W = xᵀ · g, ∂b = Σ_rows g
            let g = matrix_of(&g, step)?;
            let (x_name, w_name) = (input(step, 0)?, input(step, 1)?);
            let x = values(trace, x_name)?;
            let dx = matmul(g.view(), w.matrix(w_name)?.t());
            accumulate(grads, x_name, Grad::Matrix(dx));
            w.add_matrix(w_name, matmul(x.t(), g.view()));
            if let Some(b_name) = step.inputs().get(2) {
                w.add_vector(b_name, g.sum_axis(Axis(0)));
            }
        }
        StepKind::FfnRelu => {
            let h_name = input(step, 0)?;
            let hidden = values(trace, h_name)?;
            let mut dh = into_matrix(g, step)?;
            // A select, not a branch around a store, so that the loop vectorises.
            dh.zip_mut_with(&hidden, |d, h| *d = if *h <= 0.0 { 0.0 } else { *d });
            accumulate(grads, h_name, Grad::Matrix(dh));
        }
        StepKind::FfnSilu => {
            // silu(h) = h·σ(h): silu'(h) = σ(h) · (1 + h · (1 − σ(h))).
            let h_name = input(step, 0)?;
            let hidden = values(trace, h_name)?;
            let mut dh = into_matrix(g, step)?;
            dh.zip_mut_with(&hidden, |d, h| {
                let s = 1.0 / (1.0 + (-h).exp());
                *d *= s * (1.0 + h * (1.0 - s));
            });
            accumulate(grads, h_name, Grad::Matrix(dh));
        }
        StepKind::FfnGelu => {
            // gelu(h) = h·Φ(h): gelu'(h) = Φ(h) + h·φ(h), φ the standard normal density.
            let h_name = input(step, 0)?;
            let hidden = values(trace, h_name)?;
            let mut dh = into_matrix(g, step)?;
            dh.zip_mut_with(&hidden, |d, h| *d *= crate::hf::config::gelu_slope(*h));
            accumulate(grads, h_name, Grad::Matrix(dh));
        }
        StepKind::FfnGeluTanh => {
            let h_name = input(step, 0)?;
            let hidden = values(trace, h_name)?;
            let mut dh = into_matrix(g, step)?;
            dh.zip_mut_with(&hidden, |d, h| *d *= crate::hf::config::gelu_tanh_slope(*h));
            accumulate(grads, h_name, Grad::Matrix(dh));
        }
        StepKind::Concat => accumulate(grads, input(step, 0)?, g),
        StepKind::HeadOut => {
            let g = matrix_of(&g, step)?;
            let (w_name, v_name) = (input(step, 0)?, input(step, 1)?);
            let heads = trace.step(w_name)?.heads().unwrap_or(1);
            let v = values(trace, v_name)?;
            let c = v.ncols() / heads.max(1);
            let (dw, dv) = head_out_products(step.name(), g, v.view(), heads, c, |h| {
                head(trace, &mut w.heads, w_name, h)
            })?;
            accumulate(grads, w_name, Grad::Heads(dw));
            accumulate(grads, v_name, Grad::Matrix(dv));
        }
        StepKind::Weights => {
            let g = heads_of(&g, step)?;
            let mut dm = Array3::zeros(g.dim());
            for (h, g_h) in g.axis_iter(Axis(0)).enumerate() {
                let weights = head(trace, &mut w.heads, step.name(), h)?;
                for ((w_row, g_row), mut d_row) in weights
                    .rows()
                    .into_iter()
                    .zip(g_h.rows())
                    .zip(dm.index_axis_mut(Axis(0), h).rows_mut())
                {
                    // Rows of standard-layout matrices are contiguous; any other layout is
                    // copied first (the same numbers either way).
                    match (w_row.as_slice(), g_row.as_slice(), d_row.as_slice_mut()) {
                        (Some(w_row), Some(g_row), Some(d)) => {
                            softmax_backward_into(w_row, g_row, d);
                        }
                        _ => {
                            let d = softmax_backward(&w_row.to_vec(), &g_row.to_vec());
                            d_row.assign(&ndarray::ArrayView1::from(&d));
                        }
                    }
                }
            }
            accumulate(grads, input(step, 0)?, Grad::Heads(dm));
        }
        StepKind::Masked => {
            let mut ds = into_heads(g, step)?;
            for (h, mut d_h) in ds.axis_iter_mut(Axis(0)).enumerate() {
                let masked = head(trace, &mut w.heads, step.name(), h)?;
                d_h.zip_mut_with(&*masked, |d, m| {
                    *d = if *m == f32::NEG_INFINITY { 0.0 } else { *d };
                });
            }
            accumulate(grads, input(step, 0)?, Grad::Heads(ds));
        }
        StepKind::Scaled => {
            let mut ds = into_heads(g, step)?;
            if attention_settings(step).is_none_or(|a| a.scale) {
                let root = (cfg.d_k() as f32).sqrt();
                ds.mapv_inplace(|x| x / root);
            }
            accumulate(grads, input(step, 0)?, Grad::Heads(ds));
        }
        StepKind::Scores => {
            let g = heads_of(&g, step)?;
            let (q_name, k_name) = (input(step, 0)?, input(step, 1)?);
            let q = values(trace, q_name)?;
            let k = values(trace, k_name)?;
            let heads = g.len_of(Axis(0));
            let c = q.ncols() / heads.max(1);
            let (dq, dk) = score_products(step.name(), g, q.view(), k.view(), c)?;
            accumulate(grads, q_name, Grad::Matrix(dq));
            accumulate(grads, k_name, Grad::Matrix(dk));
        }
        StepKind::EmbeddingSum => {
            let factor = if cfg.embed_scale {
                (cfg.d_model as f32).sqrt()
            } else {
                1.0
            };
            let scaled = &matrix_of(&g, step)? * factor;
            accumulate(grads, input(step, 0)?, Grad::Matrix(scaled));
            accumulate(grads, input(step, 1)?, g);
        }
        StepKind::TokenEmbedding => {
            let g = matrix_of(&g, step)?;
            let vocab = &trace.tokens().vocab;
            let unk = vocab.iter().position(|t| t == UNK);
            let mut de = Array2::zeros(w.table.dim());
            for (token, g_row) in step.row_labels().iter().zip(g.rows()) {
                let Some(id) = vocab.iter().position(|t| t == token).or(unk) else {
                    return Err(BackwardError::Unsupported {
                        name: step.name().to_string(),
                        why: format!("the token {token:?} has no row in embed.E"),
                    });
                };
                let mut row = de.row_mut(id);
                row += &g_row;
            }
            w.add_matrix(EMBEDDING, de);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arch, Config, Input, Preset, Vocab};
    use ndarray::{Array1, Array2, ArrayView1, ArrayView2, array};

    #[test]
    fn softmax_backward_by_hand() {
        // w = [0.5, 0.25, 0.25], g = [1, 0, 2]: Σ w·g = 0.5 + 0 + 0.5 = 1
        // ∂ = [0.5·(1−1), 0.25·(0−1), 0.25·(2−1)] = [0, −0.25, 0.25]; a blocked cell (w = 0)
        // gets 0 whatever its g.
        assert_eq!(
            softmax_backward(&[0.5, 0.25, 0.25], &[1.0, 0.0, 2.0]),
            [0.0, -0.25, 0.25]
        );
        assert_eq!(softmax_backward(&[1.0, 0.0], &[0.3, 7.0]), [0.0, 0.0]);
    }

    #[test]
    fn layer_norm_backward_by_hand() {
        // x = [0, 0, 3]: mean 1, var (1 + 1 + 4)/3 = 2, σ = √2, x̂ = [−0.70711, −0.70711, 1.41421]
        // g = [1, 0, 0], γ = 1: mean ĝ = 1/3, mean(ĝ x̂) = −0.70711/3 = −0.235702
        // ∂x0 = (1 − 1/3 − 0.70711·0.235702)/√2 = (0.666667 − 0.166667)/√2 = 0.353553
        // ∂x1 = (0 − 1/3 − 0.166667)/√2 = −0.353553, ∂x2 = (−1/3 + 1.41421·0.235702)/√2 = 0
        let (dx, dg, db) = layer_norm_backward(
            array![[0.0f32, 0.0, 3.0]].view(),
            array![1.0f32, 1.0, 1.0].view(),
            array![[1.0f32, 0.0, 0.0]].view(),
            0.0,
        );
        for (got, want) in dx.iter().zip([0.353_553, -0.353_553, 0.0]) {
            assert!((got - want).abs() < 1e-6, "{dx}");
        }
        assert!((dg[0] + std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6 && dg[1] == 0.0);
        assert_eq!(db, array![1.0, 0.0, 0.0]);
    }

    /// Values in [−0.5, 0.5) from a 64-bit linear congruential generator started at `seed`:
    /// the same every run.
    fn uniform(seed: u64) -> impl FnMut() -> f32 {
        let mut s = seed;
        move || {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (s >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        }
    }

    /// The LayerNorm's backward pass sums its rows in eight lanes (for speed); its f32
    /// results are the bits of the same formulas with one running sum per statistic, written
    /// out here, over rows of the model's widths and odd ones, values of several magnitudes.
    #[test]
    fn layer_norm_backward_lanes_keep_the_bits_of_one_running_sum() {
        fn one_sum(
            x: ArrayView2<'_, f32>,
            gamma: ArrayView1<'_, f32>,
            g: ArrayView2<'_, f32>,
            eps: f32,
        ) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
            let (n, d) = x.dim();
            let (mut dx, mut dgamma, mut dbeta) = (vec![], vec![0f64; d], vec![0f64; d]);
            for r in 0..n {
                let row: Vec<f64> = x.row(r).iter().map(|v| f64::from(*v)).collect();
                let mean = row.iter().sum::<f64>() / d as f64;
                let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / d as f64;
                let inv = 1.0 / (var + f64::from(eps)).sqrt();
                let xhat: Vec<f64> = row.iter().map(|v| (v - mean) * inv).collect();
                let ghat: Vec<f64> = (0..d)
                    .map(|j| f64::from(g[[r, j]]) * f64::from(gamma[j]))
                    .collect();
                let mean_g = ghat.iter().sum::<f64>() / d as f64;
                let mean_gx = ghat.iter().zip(&xhat).map(|(a, b)| a * b).sum::<f64>() / d as f64;
                for j in 0..d {
                    dx.push(((ghat[j] - mean_g - xhat[j] * mean_gx) * inv) as f32);
                    dgamma[j] += f64::from(g[[r, j]]) * xhat[j];
                    dbeta[j] += f64::from(g[[r, j]]);
                }
            }
            let f = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect();
            (dx, f(dgamma), f(dbeta))
        }
        let mut next = uniform(12_345);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut values = 0;
        for (n, d, scale) in [
            (64, 64, 1.0),
            (32, 512, 3.0),
            (7, 3, 1.0),
            (9, 100, 1e-3),
            (5, 1000, 50.0),
        ] {
            let x = Array2::from_shape_fn((n, d), |_| next() * scale + 0.25);
            let g = Array2::from_shape_fn((n, d), |_| next());
            let gamma = Array1::from_shape_fn(d, |_| 1.0 + next());
            let (dx, dg, db) = layer_norm_backward(x.view(), gamma.view(), g.view(), 1e-6);
            let (wx, wg, wb) = one_sum(x.view(), gamma.view(), g.view(), 1e-6);
            assert_eq!(bits(dx.as_slice().unwrap()), bits(&wx), "∂x, {n} × {d}");
            assert_eq!(bits(dg.as_slice().unwrap()), bits(&wg), "∂γ, {n} × {d}");
            assert_eq!(bits(db.as_slice().unwrap()), bits(&wb), "∂β, {n} × {d}");
            values += n * d;
        }
        assert_eq!(values, 64 * 64 + 32 * 512 + 21 + 900 + 5000);
    }

    /// The backward pass's per-head products read the heads' columns in place and write
    /// into their blocks of the output: the bits the products through `matmul` of the same
    /// views gave before (faer's order of summation can depend on which way an operand is
    /// stored: with one row of output, a row-major and a column-major right operand sum in
    /// different orders), at small's shapes (4 heads of 16 columns, 64 rows), base's (8 × 64,
    /// 128 rows; one row of 7 keys, as a decoder's first token) and odd ones.
    #[test]
    fn head_products_in_place_keep_the_bits_of_copies() {
        let mut next = uniform(99);
        let bits = |a: &Array2<f32>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut checked = 0;
        for (n, m, heads, c) in [
            (64, 64, 4, 16),
            (128, 128, 8, 64),
            (1, 7, 8, 64),
            (1, 1, 8, 64),
            (8, 7, 8, 64),
            (7, 5, 3, 3),
        ] {
            let g = Array2::from_shape_fn((n, heads * c), |_| next());
            let v = Array2::from_shape_fn((m, heads * c), |_| next());
            let k = Array2::from_shape_fn((m, heads * c), |_| next());
            let weights = Array2::from_shape_fn((n, m), |_| next());
            let scores_g = Array3::from_shape_fn((heads, n, m), |_| next());
            let (dw, dv) = head_out_products("t", g.view(), v.view(), heads, c, |_| {
                Ok(weights.clone().into())
            })
            .unwrap();
            let (dq, dk) = score_products("t", &scores_g, g.view(), k.view(), c).unwrap();
            for h in 0..heads {
                // What the backward pass computed before, through `matmul` and copies.
                let g_h = cols(&g.view(), h, c);
                let want_dw = matmul(g_h.view(), cols(&v.view(), h, c).t());
                let want_dv = matmul(weights.t(), g_h.view());
                let s_h = scores_g.index_axis(Axis(0), h);
                let want_dq = matmul(s_h.view(), cols(&k.view(), h, c));
                let want_dk = matmul(s_h.t(), cols(&g.view(), h, c));
                assert_eq!(
                    bits(&dw.index_axis(Axis(0), h).to_owned()),
                    bits(&want_dw),
                    "∂W {n}×{m}, head {h}"
                );
                assert_eq!(
                    bits(&cols(&dv.view(), h, c).to_owned()),
                    bits(&want_dv),
                    "∂V {n}×{m}, head {h}"
                );
                assert_eq!(
                    bits(&cols(&dq.view(), h, c).to_owned()),
                    bits(&want_dq),
                    "∂Q {n}×{m}, head {h}"
                );
                assert_eq!(
                    bits(&cols(&dk.view(), h, c).to_owned()),
                    bits(&want_dk),
                    "∂K {n}×{m}, head {h}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 4 + 8 + 8 + 8 + 8 + 3);
    }

    #[test]
    fn blocked_cells_get_no_gradient_and_shapes_match() {
        let mut c = Config::preset(Preset::Tiny);
        c.arch = Arch::Decoder;
        let input = Input::new(&c, "I go to school", None).unwrap();
        let model = Transformer::new(c.validate().unwrap());
        let trace = model
            .forward(&input, crate::model::Pass::default())
            .unwrap();
        let g = backward(&model, &trace, 0.0).unwrap();
        // Every forward step has a gradient of its shape, in the same order.
        assert_eq!(g.trace.steps().len(), trace.steps().len());
        for (f, b) in trace.steps().iter().zip(g.trace.steps()) {
            assert_eq!(b.name(), format!("grad.{}", f.name()));
            assert_eq!(b.shape(), f.shape(), "{}", f.name());
        }
        // 4 tokens, the last predicts nothing: targets go, to, school, ignore
        assert_eq!(g.loss.targets[3], crate::learn::IGNORE);
        assert_eq!(g.loss.predicted(), 3);
        let masked = trace.step("dec.0.self_attn.masked").unwrap();
        let grad = g.trace.step("grad.dec.0.self_attn.scaled").unwrap();
        let mut blocked = 0;
        for h in 0..2 {
            let m = masked.matrix(Some(h)).unwrap();
            let d = grad.matrix(Some(h)).unwrap();
            for (mv, dv) in m.iter().zip(d.iter()) {
                if *mv == f32::NEG_INFINITY {
                    assert_eq!(*dv, 0.0);
                    blocked += 1;
                }
            }
        }
        assert_eq!(blocked, 2 * 6); // 4×4 causal: 6 blocked cells per head
        // The last row predicts nothing and the layer after it is position-wise: its logits
        // gradient is zero.
        let gl = g.trace.step("grad.logits").unwrap().matrix(None).unwrap();
        assert!(gl.row(3).iter().all(|v| *v == 0.0));
    }

    /// The tied table's gradient is the sum of its three uses: source lookups, target
    /// lookups and the output projection (logits = x · Eᵀ, so ∂E += ∂logitsᵀ · x).
    #[test]
    fn tied_embedding_sums_every_use() {
        let c = Config::preset(Preset::Tiny);
        let vocab = Vocab::build(["나는", "학교에", "간다", "I", "go", "to", "school"]);
        let model = Transformer::with_vocab(c.clone().validate().unwrap(), vocab.clone());
        let input = Input::new(&c, "나는 학교에 간다", Some("<bos> I go to school")).unwrap();
        let trace = model
            .forward(&input, crate::model::Pass::default())
            .unwrap();
        let g = backward(&model, &trace, 0.0).unwrap();
        let m = |n: &str| g.trace.step(n).unwrap().matrix(None).unwrap().into_owned();
        let last = trace.step("logits").unwrap().inputs()[0].clone();
        let x = trace
            .step(&last)
            .unwrap()
            .matrix(None)
            .unwrap()
            .into_owned();
        let mut want = m("grad.logits").t().dot(&x);
        for (step, tokens) in [
            ("grad.embed.tokens", &input.source),
            ("grad.dec.embed.tokens", input.target.as_ref().unwrap()),
        ] {
            let gt = m(step);
            for (t, row) in tokens.iter().zip(gt.rows()) {
                let mut r = want.row_mut(vocab.id(t));
                r += &row;
            }
        }
        let Some(Param::Matrix(got)) = g.weight("embed.E") else {
            panic!("no grad.embed.E")
        };
        let diff = (got - &want).mapv(f32::abs).fold(0.0f32, |a, b| a.max(*b));
        assert!(diff < 1e-6, "{diff}");
        assert!(want.iter().any(|v| v.abs() > 1e-3));
    }
}
