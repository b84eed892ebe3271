//! Scaled dot-product attention and multi-head attention.

use std::sync::Arc;

use ndarray::{Array2, Array3, ArrayView2, Axis, Slice};

use super::linalg::{matmul, matmul_bt};
use crate::trace::{Labels, Recorder, Step, StepKind, Tensor, concat_heads, split_heads};

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
    fn blocks(&self, i: usize, j: usize) -> bool {
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
    let d_k = q.ncols();
    let scores = matmul_bt(q, k);
    let scaled = if scale {
        let root = (d_k as f32).sqrt();
        scores.mapv(|x| x / root)
    } else {
        scores.clone()
    };
    let mut masked = scaled.clone();
    if !mask.is_none() {
        for ((i, j), x) in masked.indexed_iter_mut() {
            if mask.blocks(i, j) {
                *x = f32::NEG_INFINITY;
            }
        }
    }
    let (weights, fully_masked_rows) = softmax_rows(masked.view());
    let output = matmul(weights.view(), v);
    AttentionSteps {
        scores,
        scaled,
        masked,
        weights,
        output,
        fully_masked_rows,
    }
}

/// Row-wise softmax `e^(x_j − max) / Σ_k e^(x_k − max)`. A row whose entries are all −∞
/// gives all zeros (and its index is returned), never NaN.
///
/// # Shapes
/// `x`: n × m → n × m.
pub fn softmax_rows(x: ArrayView2<'_, f32>) -> (Array2<f32>, Vec<usize>) {
    let mut out = x.to_owned();
    let mut fully = Vec::new();
    for (i, mut row) in out.axis_iter_mut(Axis(0)).enumerate() {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        if max == f32::NEG_INFINITY {
            row.fill(0.0);
            fully.push(i);
            continue;
        }
        let mut sum = 0.0f32;
        for v in row.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        for v in row.iter_mut() {
            *v /= sum;
        }
    }
    (out, fully)
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
}

impl MultiHeadAttention<'_> {
    /// Multi-head attention of the rows of `x_q` over the rows of `x_kv`; records
    /// `q k v scores scaled masked weights head_out concat out` under `call.prefix`.
    ///
    /// # Shapes
    /// `x_q`: n × d_model, `x_kv`: m × d_model → n × d_model.
    pub fn forward(
        &self,
        call: &AttnCall<'_>,
        x_q: ArrayView2<'_, f32>,
        x_kv: ArrayView2<'_, f32>,
        rec: &mut Recorder,
    ) -> Array2<f32> {
        let (n, d_model) = x_q.dim();
        let m = x_kv.nrows();
        let h = call.heads;
        let d_k = d_model / h;
        let p = call.prefix;

        let q = matmul(x_q, self.w_q);
        let k = matmul(x_kv, self.w_k);
        let v = matmul(x_kv, self.w_v);

        let mut scores = Array3::zeros((h, n, m));
        let mut scaled = Array3::zeros((h, n, m));
        let mut masked = Array3::zeros((h, n, m));
        let mut weights = Array3::zeros((h, n, m));
        let mut head_out = Array3::zeros((h, n, d_k));
        let mut fully = Vec::new();
        let mask = if call.causal {
            Mask::Causal
        } else {
            Mask::None
        };
        for head in 0..h {
            let cols = Slice::from(head * d_k..(head + 1) * d_k);
            let a = scaled_dot_product(
                q.slice_axis(Axis(1), cols),
                k.slice_axis(Axis(1), cols),
                v.slice_axis(Axis(1), cols),
                mask,
                call.scale,
            );
            scores.index_axis_mut(Axis(0), head).assign(&a.scores);
            scaled.index_axis_mut(Axis(0), head).assign(&a.scaled);
            masked.index_axis_mut(Axis(0), head).assign(&a.masked);
            weights.index_axis_mut(Axis(0), head).assign(&a.weights);
            head_out.index_axis_mut(Axis(0), head).assign(&a.output);
            fully.extend(a.fully_masked_rows.into_iter().map(|r| (head, r)));
        }
        let concat = concat_heads(&head_out);
        let out = matmul(concat.view(), self.w_o);

        let name = |s: &str| format!("{p}.{s}");
        let qt = call.q_tokens.clone();
        let kt = call.kv_tokens.clone();
        let dims = call.dims.clone();
        let split = |x: &Array2<f32>| Tensor::Heads(split_heads(x.view(), h));
        let proj = |w: &str, from: &str| {
            format!(
                "{w_l} = {from} · W_{w}; head h = columns h·d_k..(h+1)·d_k, d_k = {d_k}",
                w_l = w.to_lowercase()
            )
        };
        rec.record(Step::new(
            name("q"),
            StepKind::Query,
            split(&q),
            qt.clone(),
            dims.clone(),
            proj("Q", "X"),
            vec![call.q_from.to_string(), name("W_Q")],
        ));
        let kv_src = if call.q_from == call.kv_from {
            "X"
        } else {
            "X_enc"
        };
        rec.record(Step::new(
            name("k"),
            StepKind::Key,
            split(&k),
            kt.clone(),
            dims.clone(),
            proj("K", kv_src),
            vec![call.kv_from.to_string(), name("W_K")],
        ));
        rec.record(Step::new(
            name("v"),
            StepKind::Value,
            split(&v),
            kt.clone(),
            dims.clone(),
            proj("V", kv_src),
            vec![call.kv_from.to_string(), name("W_V")],
        ));
        rec.record(Step::new(
            name("scores"),
            StepKind::Scores,
            Tensor::Heads(scores),
            qt.clone(),
            kt.clone(),
            "scores = Q_h · K_hᵀ",
            vec![name("q"), name("k")],
        ));
        let scaled_formula = if call.scale {
            format!(
                "scaled = scores / √d_k = scores / √{d_k} = scores / {:.4}",
                (d_k as f32).sqrt()
            )
        } else {
            "scaled = scores (scaling off)".to_string()
        };
        rec.record(Step::new(
            name("scaled"),
            StepKind::Scaled,
            Tensor::Heads(scaled),
            qt.clone(),
            kt.clone(),
            scaled_formula,
            vec![name("scores")],
        ));
        let masked_formula = if call.causal {
            "masked = scaled + M, M[i][j] = −∞ where j > i (causal), else 0"
        } else {
            "masked = scaled (no mask)"
        };
        rec.record(Step::new(
            name("masked"),
            StepKind::Masked,
            Tensor::Heads(masked),
            qt.clone(),
            kt.clone(),
            masked_formula,
            vec![name("scaled")],
        ));
        rec.record(
            Step::new(
                name("weights"),
                StepKind::Weights,
                Tensor::Heads(weights),
                qt.clone(),
                kt.clone(),
                "weights[i][j] = e^(masked[i][j] − max_i) / Σ_k e^(masked[i][k] − max_i)",
                vec![name("masked")],
            )
            .with_masked_rows(fully),
        );
        rec.record(Step::new(
            name("head_out"),
            StepKind::HeadOut,
            Tensor::Heads(head_out),
            qt.clone(),
            dims.clone(),
            "head_out = weights_h · V_h",
            vec![name("weights"), name("v")],
        ));
        rec.record(Step::new(
            name("concat"),
            StepKind::Concat,
            Tensor::Matrix(concat),
            qt.clone(),
            dims.clone(),
            format!("concat = [head_out_0 | … | head_out_{}]", h - 1),
            vec![name("head_out")],
        ));
        rec.record(Step::new(
            name("out"),
            StepKind::AttnOut,
            Tensor::Matrix(out.clone()),
            qt,
            Arc::clone(&dims),
            "out = concat · W_O",
            vec![name("concat"), name("W_O")],
        ));
        out
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
