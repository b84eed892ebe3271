//! Scaled dot-product attention and multi-head attention, as the paper writes them:
//! `Attention(Q, K, V) = softmax(QKᵀ / √d_k) V`, and
//! `MultiHead(X) = Concat(head_1, …, head_h) W_O` with `head_i = Attention(X W_Q_i, X W_K_i, X W_V_i)`.
//!
//! The arithmetic of one head (into reused buffers, heads in parallel) is in
//! [`super::kernels`]; this file says what is computed and records it. The trace keeps `q`,
//! `k`, `v` and `head_out` (n × d_model each, the heads side by side) but not the h × n × m
//! `scores`, `scaled`, `masked` and `weights`: those are recomputed from `q` and `k` when
//! asked for, by the very function the forward pass used, so they are the same bits. That
//! keeps the trace of the paper's base model at 512 tokens under 512 MiB.

use std::sync::Arc;

use ndarray::{Array2, ArrayView2};

use super::kernels::derived::{AttentionCore, AttentionStep, Stage, core_of};
use super::kernels::{self, head_core, scaled_value, with_view};
use super::linalg::matmul;
use super::vecmath::{settle_row_without_finite, softmax_row};
use crate::trace::{AttentionSettings, Labels, Numbers, Recorder, SharedMatrix, Step, StepKind};

/// Which score cells are blocked (set to −∞ before softmax).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mask<'a> {
    /// Nothing is blocked.
    None,
    /// Cell (i, j) is blocked when j > i: a token sees itself and the tokens before it.
    Causal,
    /// Cell (i, j) is blocked where the matrix is true.
    ///
    /// # Shapes
    /// n × m, like the scores.
    Custom(ArrayView2<'a, bool>),
}

impl Mask<'_> {
    /// True when cell (`i`, `j`) is blocked.
    pub fn blocks(&self, i: usize, j: usize) -> bool {
        match self {
            Mask::None => false,
            Mask::Causal => j > i,
            Mask::Custom(m) => m.get((i, j)).copied().unwrap_or(false),
        }
    }

    /// True when no cell is blocked.
    pub fn is_none(&self) -> bool {
        matches!(self, Mask::None)
    }
}

/// Every intermediate of one scaled dot-product attention.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionSteps {
    /// `Q · Kᵀ` (n × m).
    pub scores: Array2<f32>,
    /// `scores / √d_k`, or the scores when scaling is off (n × m).
    pub scaled: Array2<f32>,
    /// `scaled` with −∞ in blocked cells (n × m).
    pub masked: Array2<f32>,
    /// Row-wise softmax of `masked` (n × m); a fully blocked row is all zeros.
    pub weights: Array2<f32>,
    /// `weights · V` (n × d_v).
    pub output: Array2<f32>,
    /// Rows whose every cell was blocked.
    pub fully_masked_rows: Vec<usize>,
}

/// `softmax(mask(QKᵀ / √d_k)) · V`, keeping every intermediate.
///
/// Scaling divides by √d_k where d_k is the width of `q`. Blocked cells become the IEEE
/// −∞, never a large negative number, so their weights are exactly 0.
///
/// # Shapes
/// `q`: n × d_k, `k`: m × d_k, `v`: m × d_v; every result n × m except `output`: n × d_v.
pub fn scaled_dot_product(
    q: ArrayView2<'_, f32>,
    k: ArrayView2<'_, f32>,
    v: ArrayView2<'_, f32>,
    mask: Mask<'_>,
    scale: bool,
) -> AttentionSteps {
    let core = with_view(q, |q| with_view(k, |k| head_core(q, k, &mask, scale)));
    let root = scale.then(|| (q.ncols() as f32).sqrt());
    let scaled = core.scores.mapv(|s| scaled_value(s, root));
    let mut masked = scaled.clone();
    if !mask.is_none() {
        for ((i, j), x) in masked.indexed_iter_mut() {
            if mask.blocks(i, j) {
                *x = f32::NEG_INFINITY;
            }
        }
    }
    let output = matmul(core.weights.view(), v);
    AttentionSteps {
        scores: core.scores,
        scaled,
        masked,
        weights: core.weights,
        output,
        fully_masked_rows: core.stats.fully_masked_rows,
    }
}

/// Row-wise softmax `e^(x_j − max) / Σ_k e^(x_k − max)` without a mask (the output
/// probabilities): a row without a finite entry (all −∞, or NaN) becomes NaN, never zeros,
/// by [`settle_row_without_finite`].
///
/// # Shapes
/// `x`: n × m → n × m.
pub fn softmax_rows(x: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut out = x.as_standard_layout().into_owned();
    let m = out.ncols();
    if let Some(s) = out.as_slice_mut()
        && m > 0
    {
        for row in s.chunks_exact_mut(m) {
            if softmax_row(row) {
                settle_row_without_finite(row, false);
            }
        }
    }
    out
}

/// How a recorded attention step (`scores`, `scaled`, `masked`, `weights` of a model's
/// block) was computed; `None` for other steps.
pub fn attention_settings(step: &Step) -> Option<AttentionSettings> {
    step.attention()
}

/// `concat = [head_out_0 | head_out_1]`, with `…` only when there are more than three heads.
pub fn concat_formula(heads: usize) -> String {
    let parts: Vec<String> = match heads {
        0..=3 => (0..heads).map(|i| format!("head_out_{i}")).collect(),
        h => vec![
            "head_out_0".into(),
            "…".into(),
            format!("head_out_{}", h - 1),
        ],
    };
    format!("concat = [{}]", parts.join(" | "))
}

/// The four projections of one multi-head attention block (no biases, as in the paper),
/// borrowed from the [`Weights`](super::weights::Weights).
#[derive(Debug, Clone, PartialEq)]
pub struct MultiHeadAttention<'w> {
    /// d_model × d_model; head h uses columns h·d_k..(h+1)·d_k.
    pub w_q: ArrayView2<'w, f32>,
    /// d_model × d_model.
    pub w_k: ArrayView2<'w, f32>,
    /// d_model × d_model.
    pub w_v: ArrayView2<'w, f32>,
    /// d_model × d_model.
    pub w_o: ArrayView2<'w, f32>,
}

/// Names, labels and switches of one attention call.
#[derive(Debug, Clone)]
pub struct AttnCall<'a> {
    /// Step prefix, e.g. `enc.0.attn` or `dec.1.cross_attn`.
    pub prefix: &'a str,
    /// Number of heads.
    pub heads: usize,
    /// Divide by √d_k.
    pub scale: bool,
    /// Causal mask (self-attention only).
    pub causal: bool,
    /// Name of the step the queries are computed from.
    pub q_from: &'a str,
    /// Name of the step the keys and values are computed from.
    pub kv_from: &'a str,
    /// Tokens of the query rows.
    pub q_tokens: Labels,
    /// Tokens of the key/value rows.
    pub kv_tokens: Labels,
    /// Labels of the d_model columns.
    pub dims: Labels,
    /// Keep every head's scores and weights in the trace (a pass whose backward pass will
    /// read them all, a workbench session's trace) instead of recomputing them when read;
    /// with `compare_with`, each compared head of the previous trace is let go of.
    pub keep_heads: bool,
    /// The same block's `scores` step in a previous trace: every head is compared with it
    /// while its scores and weights are at hand, so that the diff after a rerun does not
    /// compute them again (see [`crate::trace::Step::max_abs_diff`]).
    pub compare_with: Option<&'a Step>,
}

impl MultiHeadAttention<'_> {
    /// Multi-head attention of the rows of `x_q` over the rows of `x_kv`; records
    /// `q k v scores scaled masked weights head_out concat out` under `call.prefix`.
    ///
    /// Heads run in parallel when the block is large (at least
    /// [`PARALLEL_HEADS_MIN_FLOP`] multiply-adds); each head's products run on one
    /// thread, so the numbers do not depend on the number of threads.
    ///
    /// # Shapes
    /// `x_q`: n × d_model, `x_kv`: m × d_model → n × d_model.
    pub fn forward(
        &self,
        call: &AttnCall<'_>,
        x_q: ArrayView2<'_, f32>,
        x_kv: ArrayView2<'_, f32>,
        rec: &mut Recorder,
    ) -> SharedMatrix {
        self.forward_with(call, x_q, x_kv, [None, None, None], rec)
    }

    /// [`MultiHeadAttention::forward`] with `q`, `k`, `v` already computed (`X·W_Q`,
    /// `X·W_K`, `X·W_V` of these inputs and weights, e.g. from a previous trace), each or not.
    ///
    /// # Shapes
    /// `x_q`: n × d_model, `x_kv`: m × d_model, `projections`: (n, m, m) × d_model →
    /// n × d_model.
    pub fn forward_with(
        &self,
        call: &AttnCall<'_>,
        x_q: ArrayView2<'_, f32>,
        x_kv: ArrayView2<'_, f32>,
        projections: [Option<SharedMatrix>; 3],
        rec: &mut Recorder,
    ) -> SharedMatrix {
        // Q = X · W_Q, K = X_kv · W_K, V = X_kv · W_V (all heads side by side; head h is
        // columns h·d_k..(h+1)·d_k).
        let [q, k, v] = projections;
        let q = q.unwrap_or_else(|| SharedMatrix::new(matmul(x_q, self.w_q)));
        let k = k.unwrap_or_else(|| SharedMatrix::new(matmul(x_kv, self.w_k)));
        let v = v.unwrap_or_else(|| SharedMatrix::new(matmul(x_kv, self.w_v)));
        // head_out_h = softmax(mask(Q_h · K_hᵀ / √d_k)) · V_h, side by side: the concat.
        let heads = kernels::attend_heads(
            &q,
            &k,
            &v,
            call.heads,
            call.scale,
            call.causal,
            call.keep_heads,
            call.compare_with.and_then(core_of),
        );
        // out = concat · W_O
        let out = SharedMatrix::new(matmul(heads.concat.view(), self.w_o));
        let d_k = q.dim().1 / call.heads.max(1);
        let record = Record { call, d_k };
        record.projections(&q, &k, &v, rec);
        record.attention(&q, &k, &heads, rec);
        record.outputs(&heads.concat, &out, rec);
        out
    }
}

/// Records one block's steps under `call.prefix`.
struct Record<'c, 'a> {
    call: &'c AttnCall<'a>,
    d_k: usize,
}

impl Record<'_, '_> {
    fn name(&self, part: &str) -> String {
        format!("{}.{part}", self.call.prefix)
    }

    /// `q`, `k`, `v`: the projections, heads side by side.
    fn projections(
        &self,
        q: &SharedMatrix,
        k: &SharedMatrix,
        v: &SharedMatrix,
        rec: &mut Recorder,
    ) {
        let c = self.call;
        let kv_src = if c.q_from == c.kv_from { "X" } else { "X_enc" };
        let d_k = self.d_k;
        let parts = [
            ("q", StepKind::Query, q, "Q", "X", c.q_from, &c.q_tokens),
            ("k", StepKind::Key, k, "K", kv_src, c.kv_from, &c.kv_tokens),
            (
                "v",
                StepKind::Value,
                v,
                "V",
                kv_src,
                c.kv_from,
                &c.kv_tokens,
            ),
        ];
        for (part, kind, x, w, from, input, tokens) in parts {
            let numbers = Numbers::SideBySide {
                whole: x.clone(),
                heads: c.heads.max(1),
            };
            rec.record(
                Step::build(self.name(part), kind, numbers)
                    .rows(tokens.clone())
                    .cols(c.dims.clone())
                    .formula(format!(
                        "{part} = {from} · W_{w}; head h = columns h·d_k..(h+1)·d_k, d_k = {d_k}"
                    ))
                    .inputs(vec![input.to_string(), self.name(&format!("W_{w}"))])
                    .finish(),
            );
        }
    }

    /// `scores`, `scaled`, `masked`, `weights`: kept as `q` and `k` and recomputed per head
    /// when read.
    #[expect(
        clippy::too_many_lines,
        reason = "the four attention steps' formulas and settings, recorded in order."
    )]
    fn attention(
        &self,
        q: &SharedMatrix,
        k: &SharedMatrix,
        heads: &kernels::Heads,
        rec: &mut Recorder,
    ) {
        let c = self.call;
        let settings = AttentionSettings {
            heads: c.heads.max(1),
            scale: c.scale,
            causal: c.causal,
        };
        let mut core = AttentionCore::new(q.clone(), k.clone(), settings.heads, c.scale, c.causal)
            .with_kept(heads.kept.clone());
        if let Some((old, max)) = &heads.compared {
            core = core.with_compared(old, *max);
        }
        let core = Arc::new(core);
        let scaled = if c.scale {
            format!(
                "scaled = scores / √d_k = scores / √{d_k} = scores / {:.4}",
                (self.d_k as f32).sqrt(),
                d_k = self.d_k
            )
        } else {
            "scaled = scores (scaling off)".to_string()
        };
        let masked = if c.causal {
            "masked = scaled + M, M[i][j] = −∞ where j > i (causal), else 0"
        } else {
            "masked = scaled (no mask)"
        };
        // Dividing by √d_k ≥ 1 keeps NaN and ±∞ as they are: the scaled scores have the
        // flags of the scores.
        let steps = [
            (
                "scores",
                StepKind::Scores,
                Stage::Scores,
                &heads.scores,
                "scores = Q_h · K_hᵀ".to_string(),
                vec![self.name("q"), self.name("k")],
            ),
            (
                "scaled",
                StepKind::Scaled,
                Stage::Scaled,
                &heads.scores,
                scaled,
                vec![self.name("scores")],
            ),
            (
                "masked",
                StepKind::Masked,
                Stage::Masked,
                &heads.masked,
                masked.to_string(),
                vec![self.name("scaled")],
            ),
            (
                "weights",
                StepKind::Weights,
                Stage::Weights,
                &heads.weights,
                "weights[i][j] = e^(masked[i][j] − max_i) / Σ_k e^(masked[i][k] − max_i)"
                    .to_string(),
                vec![self.name("masked")],
            ),
        ];
        for (part, kind, stage, flags, formula, inputs) in steps {
            let numbers = Numbers::Derived {
                source: Arc::new(AttentionStep {
                    core: Arc::clone(&core),
                    stage,
                }),
                flags: flags.clone(),
            };
            let step = Step::build(self.name(part), kind, numbers)
                .rows(c.q_tokens.clone())
                .cols(c.kv_tokens.clone())
                .formula(formula)
                .inputs(inputs)
                .attention(settings);
            let step = if stage == Stage::Weights {
                step.masked_rows(heads.fully_masked.clone())
            } else {
                step
            };
            rec.record(step.finish());
        }
    }

    /// `head_out`, `concat` (the same buffer) and `out`.
    fn outputs(&self, concat: &SharedMatrix, out: &SharedMatrix, rec: &mut Recorder) {
        let c = self.call;
        let heads = c.heads.max(1);
        let step =
            |part: &str, kind: StepKind, numbers: Numbers, formula: String, inputs: Vec<String>| {
                Step::build(self.name(part), kind, numbers)
                    .rows(c.q_tokens.clone())
                    .cols(c.dims.clone())
                    .formula(formula)
                    .inputs(inputs)
                    .finish()
            };
        rec.record(step(
            "head_out",
            StepKind::HeadOut,
            Numbers::SideBySide {
                whole: concat.clone(),
                heads,
            },
            "head_out = weights_h · V_h".into(),
            vec![self.name("weights"), self.name("v")],
        ));
        rec.record(step(
            "concat",
            StepKind::Concat,
            concat.clone().into(),
            concat_formula(heads),
            vec![self.name("head_out")],
        ));
        rec.record(step(
            "out",
            StepKind::AttnOut,
            out.clone().into(),
            "out = concat · W_O".into(),
            vec![self.name("concat"), self.name("W_O")],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    /// The article's example: one query, three keys, d_k = 3.
    #[test]
    fn article_dot_product_example() {
        let q = array![[1.0f32, 2.0, 3.0]];
        let k = array![[2.0f32, 1.0, 2.0], [0.0, 1.0, -1.0], [1.0, 1.0, 1.0]];
        let v = array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let a = scaled_dot_product(q.view(), k.view(), v.view(), Mask::None, true);
        // q·k1 = 1·2 + 2·1 + 3·2 = 10 ; q·k2 = 0 + 2 − 3 = −1 ; q·k3 = 1 + 2 + 3 = 6
        assert_eq!(a.scores, array![[10.0, -1.0, 6.0]]);
        // ÷ √3 = 1.7320508: 10/√3 = 5.7735027, −1/√3 = −0.5773503, 6/√3 = 3.4641016
        for (got, want) in a.scaled.iter().zip([5.773_503, -0.577_350_3, 3.464_101_6]) {
            assert_abs_diff_eq!(*got, want, epsilon = 1e-5);
        }
        // softmax with the max 5.7735027 subtracted: exponents 0, −6.3508530, −2.3094011
        // e^0 = 1, e^−6.3508530 = 0.0017453, e^−2.3094011 = 0.0993207; Σ = 1.1010660
        // weights = [1, 0.0017453, 0.0993207] / 1.1010660 = [0.9082108, 0.0015851, 0.0902041]
        let want_w = [0.908_210_8, 0.001_585_1, 0.090_204_1];
        for (got, want) in a.weights.iter().zip(want_w) {
            assert_abs_diff_eq!(*got, want, epsilon = 1e-6);
        }
        assert_abs_diff_eq!(a.weights.sum(), 1.0, epsilon = 1e-6);
        // output = 0.9082108·[1,0] + 0.0015851·[0,1] + 0.0902041·[1,1]
        //        = [0.9082108 + 0.0902041, 0.0015851 + 0.0902041] = [0.9984149, 0.0917892]
        assert_abs_diff_eq!(a.output[[0, 0]], 0.998_414_9, epsilon = 1e-6);
        assert_abs_diff_eq!(a.output[[0, 1]], 0.091_789_2, epsilon = 1e-6);
    }

    #[test]
    fn scaling_off_keeps_scores() {
        let q = array![[1.0f32, 2.0, 3.0]];
        let k = array![[2.0f32, 1.0, 2.0], [1.0, 1.0, 1.0]];
        let a = scaled_dot_product(q.view(), k.view(), k.view(), Mask::None, false);
        assert_eq!(a.scaled, a.scores);
    }

    #[test]
    fn causal_mask_is_true_negative_infinity() {
        // Two tokens, all scores 0. Row 0 sees only itself: weights [1, 0].
        // Row 1 sees both: [1/2, 1/2].
        let x = Array2::<f32>::zeros((2, 2));
        let a = scaled_dot_product(x.view(), x.view(), x.view(), Mask::Causal, true);
        assert_eq!(a.masked[[0, 1]], f32::NEG_INFINITY);
        assert_eq!(a.weights, array![[1.0, 0.0], [0.5, 0.5]]);
    }

    /// Scores that overflow to −∞ are not a mask: the row's weights are NaN (0/0), and the
    /// row is not reported as fully masked. q = [1e30], k = [[-1e30], [-1e30]]: both scores
    /// are 1e30 · −1e30 = −∞ in f32.
    #[test]
    fn overflowed_row_is_nan_not_fully_masked() {
        let q = array![[1e30f32]];
        let k = array![[-1e30f32], [-1e30]];
        let v = array![[1.0f32], [2.0]];
        let a = scaled_dot_product(q.view(), k.view(), v.view(), Mask::None, false);
        assert_eq!(a.scores[[0, 0]], f32::NEG_INFINITY);
        assert!(a.fully_masked_rows.is_empty());
        assert!(a.weights.iter().all(|w| w.is_nan()), "{:?}", a.weights);
        // And under a causal mask, row 0 keeps its one open key: still NaN, not masked.
        let a = scaled_dot_product(q.view(), k.view(), v.view(), Mask::Causal, false);
        assert!(a.fully_masked_rows.is_empty());
        assert!(a.weights[[0, 0]].is_nan());
    }

    /// The output probabilities have no mask: a logits row without a finite entry (all NaN,
    /// all −∞) is NaN, never the zeros of a fully masked row; a row with one NaN is NaN;
    /// a finite row is a distribution: [0, ln 3] → [1, 3] / 4 = [0.25, 0.75].
    #[test]
    fn a_logits_row_without_a_finite_entry_is_nan() {
        let logits = array![
            [f32::NAN, f32::NAN],
            [f32::NEG_INFINITY, f32::NEG_INFINITY],
            [1.0, f32::NAN],
            [0.0, 3.0f32.ln()]
        ];
        let p = softmax_rows(logits.view());
        for i in 0..3 {
            assert!(
                p.row(i).iter().all(|v| v.is_nan()),
                "row {i}: {:?}",
                p.row(i)
            );
        }
        assert_abs_diff_eq!(p[[3, 0]], 0.25, epsilon = 1e-6);
        assert_abs_diff_eq!(p[[3, 1]], 0.75, epsilon = 1e-6);
    }

    #[test]
    fn fully_masked_row_gives_zeros_not_nan() {
        let blocked = array![[true, true], [false, true]];
        let x = array![[1.0f32, 2.0], [3.0, 4.0]];
        let a = scaled_dot_product(
            x.view(),
            x.view(),
            x.view(),
            Mask::Custom(blocked.view()),
            true,
        );
        assert_eq!(a.fully_masked_rows, vec![0]);
        assert_eq!(a.weights.row(0).to_vec(), vec![0.0, 0.0]);
        assert_eq!(a.weights.row(1).to_vec(), vec![1.0, 0.0]);
        assert!(a.output.iter().all(|v| v.is_finite()));
    }
}

#[cfg(test)]
mod concat_formula_tests {
    use super::concat_formula;

    #[test]
    fn concat_names_every_head_up_to_three() {
        assert_eq!(concat_formula(2), "concat = [head_out_0 | head_out_1]");
        assert_eq!(concat_formula(8), "concat = [head_out_0 | … | head_out_7]");
    }
}
