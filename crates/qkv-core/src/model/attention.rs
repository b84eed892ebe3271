//! Scaled dot-product attention and multi-head attention.
//!
//! The trace keeps `q`, `k`, `v` and `head_out` (n × d_model each, the heads side by side) but
//! not the h × n × m `scores`, `scaled`, `masked` and `weights`: those are recomputed from
//! `q` and `k` when asked for, by the very function the forward pass used (`head_core`),
//! so they are the same bits. That keeps the trace of the paper's base model at 512 tokens
//! under 512 MiB (see the README's "Performance").

use std::sync::{Arc, Mutex};

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::linalg::{
    Backend, MatView, MatViewMut, PARALLEL_HEADS_MIN_FLOP, matmul, product_into, product_into_view,
};
use super::vecmath::softmax_row;
use crate::trace::{DerivedHeads, Flags, Labels, Numbers, Recorder, SharedMatrix, Step, StepKind};

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

/// `scores / √d_k` (or the scores when `root` is `None`: scaling off).
fn scaled_value(score: f32, root: Option<f32>) -> f32 {
    match root {
        Some(r) => score / r,
        None => score,
    }
}

/// The flags of one head's steps and its rows whose every cell was blocked.
#[derive(Debug, Clone, Default, PartialEq)]
struct HeadStats {
    /// Rows whose every cell was blocked.
    fully_masked_rows: Vec<usize>,
    /// NaN / ±∞ of the scores (and of the scaled scores: dividing by √d_k ≥ 1 keeps them).
    scores: Flags,
    /// NaN / ±∞ of the masked scores.
    masked: Flags,
    /// NaN / ±∞ of the weights.
    weights: Flags,
}

/// The scores and the weights of one head; `scaled` and `masked` follow cell by cell.
#[derive(Debug, Clone, PartialEq)]
struct HeadCore {
    /// n × m.
    scores: Array2<f32>,
    /// n × m.
    weights: Array2<f32>,
    /// Flags and fully masked rows.
    stats: HeadStats,
}

/// `scores = q · kᵀ`, then `weights = softmax(mask(scores / √d_k))` row by row, into
/// `scores` and `weights` (n · m values each, row-major; every value is written). Always on
/// the calling thread (faer, sequential), so that it gives the same bits wherever it runs:
/// the forward pass and every later recomputation of a trace step call this.
///
/// # Shapes
/// `q`: n × d_k, `k`: m × d_k → scores, weights: n × m.
fn head_core_into(
    q: MatView<'_>,
    k: MatView<'_>,
    mask: &Mask<'_>,
    scale: bool,
    scores: &mut [f32],
    weights: &mut [f32],
) -> HeadStats {
    let d_k = q.dim().1;
    let m = k.dim().0;
    product_into(Backend::FaerSequential, q, k.t(), scores);
    let root = scale.then(|| (d_k as f32).sqrt());
    let mut st = HeadStats::default();
    if m == 0 {
        return st;
    }
    for (i, (s_row, w_row)) in scores
        .chunks_exact(m)
        .zip(weights.chunks_exact_mut(m))
        .enumerate()
    {
        st.scores.add_slice(s_row);
        // Cells open..m of a causal row are blocked.
        let open = match mask {
            Mask::Causal => (i + 1).min(m),
            Mask::None | Mask::Custom(_) => m,
        };
        let (w_open, w_blocked) = w_row.split_at_mut(open);
        match root {
            Some(r) => {
                for (w, s) in w_open.iter_mut().zip(s_row) {
                    *w = scaled_value(*s, Some(r));
                }
            }
            None => w_open.copy_from_slice(&s_row[..open]),
        }
        let fully = if let Mask::Custom(_) = mask {
            for (j, w) in w_row.iter_mut().enumerate() {
                if mask.blocks(i, j) {
                    *w = f32::NEG_INFINITY;
                }
            }
            st.masked.add_slice(w_row);
            softmax_row(w_row)
        } else {
            st.masked.add_slice(w_open);
            st.masked.neg_inf += w_blocked.len();
            // e^(−∞) = 0: the blocked cells' weights without computing them.
            w_blocked.fill(0.0);
            softmax_row(w_open)
        };
        // `fully`: every entry was −∞. Only a row whose every key the mask blocks is
        // "fully masked" (all-zero weights); −∞ or NaN scores from an overflow give
        // e^(−∞)/Σ = 0/0: NaN, and the row is reported as NaN, not hidden as zeros.
        if fully {
            let all_blocked = match mask {
                Mask::Custom(_) => (0..m).all(|j| mask.blocks(i, j)),
                Mask::Causal | Mask::None => open == 0,
            };
            if all_blocked {
                st.fully_masked_rows.push(i);
            } else {
                w_row.fill(f32::NAN);
            }
        }
        st.weights.add_slice(w_row);
    }
    st
}

/// [`head_core_into`] into new buffers.
fn head_core(q: MatView<'_>, k: MatView<'_>, mask: &Mask<'_>, scale: bool) -> HeadCore {
    let shape = (q.dim().0, k.dim().0);
    let mut scores = crate::buffers::recycled(shape.0 * shape.1);
    let mut weights = crate::buffers::recycled(shape.0 * shape.1);
    let stats = head_core_into(q, k, mask, scale, &mut scores, &mut weights);
    HeadCore {
        scores: crate::buffers::into_matrix(shape, scores),
        weights: crate::buffers::into_matrix(shape, weights),
        stats,
    }
}

/// A view of `x`, copied into standard layout first when it is in another layout.
fn with_view<R>(x: ArrayView2<'_, f32>, f: impl FnOnce(MatView<'_>) -> R) -> R {
    match MatView::of(&x) {
        Some(v) => f(v),
        None => {
            let owned = x.as_standard_layout().into_owned();
            let v = MatView::of(&owned.view());
            f(v.unwrap_or_else(MatView::empty))
        }
    }
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

/// Row-wise softmax `e^(x_j − max) / Σ_k e^(x_k − max)`. A row whose entries are all −∞
/// gives all zeros (and its index is returned), never NaN.
///
/// # Shapes
/// `x`: n × m → n × m.
pub fn softmax_rows(x: ArrayView2<'_, f32>) -> (Array2<f32>, Vec<usize>) {
    let mut out = x.as_standard_layout().into_owned();
    let mut fully = Vec::new();
    let m = out.ncols();
    if let Some(s) = out.as_slice_mut()
        && m > 0
    {
        for (i, row) in s.chunks_exact_mut(m).enumerate() {
            if softmax_row(row) {
                fully.push(i);
            }
        }
    }
    (out, fully)
}

/// What the four per-head attention steps of one block are recomputed from: `q` and `k`
/// (shared with the `q` and `k` steps, not copied), the mask and the scaling. Keeps the
/// last head it computed, so that reading one head cell by cell computes it once.
#[derive(Debug)]
pub struct AttentionCore {
    q: SharedMatrix,
    k: SharedMatrix,
    heads: usize,
    scale: bool,
    causal: bool,
    last: Mutex<Option<(usize, Arc<HeadCore>)>>,
}

impl AttentionCore {
    /// The core of queries `q` and keys `k`, heads side by side.
    ///
    /// # Shapes
    /// `q`: n × d_model, `k`: m × d_model.
    pub fn new(q: SharedMatrix, k: SharedMatrix, heads: usize, scale: bool, causal: bool) -> Self {
        AttentionCore {
            q,
            k,
            heads: heads.max(1),
            scale,
            causal,
            last: Mutex::new(None),
        }
    }

    fn compute(&self, head: usize) -> HeadCore {
        let mask = if self.causal {
            Mask::Causal
        } else {
            Mask::None
        };
        head_core(
            head_view(&self.q, self.heads, head),
            head_view(&self.k, self.heads, head),
            &mask,
            self.scale,
        )
    }

    /// The head's scores and weights, from the one-head cache when it holds that head.
    fn head(&self, head: usize) -> Arc<HeadCore> {
        if let Ok(last) = self.last.lock()
            && let Some((h, core)) = last.as_ref()
            && *h == head
        {
            return Arc::clone(core);
        }
        let core = Arc::new(self.compute(head));
        if let Ok(mut last) = self.last.lock() {
            *last = Some((head, Arc::clone(&core)));
        }
        core
    }

    fn d_k(&self) -> usize {
        self.q.dim().1 / self.heads
    }
}

/// Which of the four attention steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Scores,
    Scaled,
    Masked,
    Weights,
}

#[derive(Debug)]
struct AttentionStep {
    core: Arc<AttentionCore>,
    stage: Stage,
}

impl AttentionStep {
    fn cell_of_score(&self, s: f32, i: usize, j: usize) -> f32 {
        let root = self.core.scale.then(|| (self.core.d_k() as f32).sqrt());
        match self.stage {
            Stage::Scores => s,
            Stage::Scaled => scaled_value(s, root),
            Stage::Masked if self.core.causal && j > i => f32::NEG_INFINITY,
            Stage::Masked => scaled_value(s, root),
            // not reached: weights are read from the head's weights
            Stage::Weights => s,
        }
    }
}

impl DerivedHeads for AttentionStep {
    fn shape(&self) -> (usize, usize, usize) {
        (self.core.heads, self.core.q.dim().0, self.core.k.dim().0)
    }

    fn head(&self, head: usize) -> Array2<f32> {
        let core = self.core.head(head);
        match self.stage {
            Stage::Weights => core.weights.clone(),
            Stage::Scores => core.scores.clone(),
            _ => {
                let mut out = core.scores.clone();
                for ((i, j), x) in out.indexed_iter_mut() {
                    *x = self.cell_of_score(*x, i, j);
                }
                out
            }
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn cell(&self, head: usize, row: usize, col: usize) -> f32 {
        let core = self.core.head(head);
        match self.stage {
            Stage::Weights => core.weights[[row, col]],
            _ => self.cell_of_score(core.scores[[row, col]], row, col),
        }
    }
}

/// (heads, scale, causal) of a recorded attention step (`scores`, `scaled`, `masked`,
/// `weights`), `None` for other steps.
pub fn attention_settings(step: &Step) -> Option<(usize, bool, bool)> {
    match step.numbers() {
        Numbers::Derived { source, .. } => {
            let a = source.as_any().downcast_ref::<AttentionStep>()?;
            Some((a.core.heads, a.core.scale, a.core.causal))
        }
        _ => None,
    }
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

/// Columns of head `head` of a matrix whose `heads` heads sit side by side (a view).
fn head_view(x: &SharedMatrix, heads: usize, head: usize) -> MatView<'_> {
    let (n, d) = x.dim();
    let d_k = d / heads.max(1);
    MatView::columns(x.as_slice(), n, d, head * d_k, (head + 1) * d_k)
        .unwrap_or_else(MatView::empty)
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
        let (n, d_model) = x_q.dim();
        let m = x_kv.nrows();
        let h = call.heads.max(1);
        let d_k = d_model / h;
        let p = call.prefix;

        let [q, k, v] = projections;
        let q = q.unwrap_or_else(|| SharedMatrix::new(matmul(x_q, self.w_q)));
        let k = k.unwrap_or_else(|| SharedMatrix::new(matmul(x_kv, self.w_k)));
        let v = v.unwrap_or_else(|| SharedMatrix::new(matmul(x_kv, self.w_v)));
        let core = Arc::new(AttentionCore::new(
            q.clone(),
            k.clone(),
            h,
            call.scale,
            call.causal,
        ));

        // The heads' outputs side by side: this is both `head_out` and `concat`. Each head
        // writes its d_k columns; every value is written when the heads cover d_model.
        let mut concat = if h * d_k == d_model {
            crate::buffers::recycled(n * d_model)
        } else {
            crate::buffers::zeroed(n * d_model)
        };
        let mask = if call.causal {
            Mask::Causal
        } else {
            Mask::None
        };
        let run_head = |(head, out): (usize, MatViewMut<'_>)| -> HeadStats {
            let mut scores = crate::buffers::recycled(n * m);
            let mut weights = crate::buffers::recycled(n * m);
            let st = head_core_into(
                head_view(&q, h, head),
                head_view(&k, h, head),
                &mask,
                call.scale,
                &mut scores,
                &mut weights,
            );
            if let Some(w) = MatView::row_major(&weights, n, m, m.max(1)) {
                product_into_view(w, head_view(&v, h, head), out);
            }
            crate::buffers::give_back(scores);
            crate::buffers::give_back(weights);
            st
        };
        let blocks = MatViewMut::column_blocks(&mut concat, n, d_model, d_k.max(1))
            .unwrap_or_default()
            .into_iter()
            .take(h)
            .enumerate();
        let results: Vec<HeadStats> = if h > 1 && 2 * h * n * m * d_k >= PARALLEL_HEADS_MIN_FLOP {
            blocks
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(run_head)
                .collect()
        } else {
            blocks.map(run_head).collect()
        };
        let (mut scores_flags, mut masked_flags, mut weights_flags) =
            (Flags::default(), Flags::default(), Flags::default());
        let mut fully = Vec::new();
        for (head, r) in results.into_iter().enumerate() {
            scores_flags.merge(&r.scores);
            masked_flags.merge(&r.masked);
            weights_flags.merge(&r.weights);
            fully.extend(r.fully_masked_rows.into_iter().map(|row| (head, row)));
        }
        let concat = crate::buffers::into_matrix((n, d_model), concat);
        let concat = SharedMatrix::new(concat);
        let out = SharedMatrix::new(matmul(concat.view(), self.w_o));

        let name = |s: &str| format!("{p}.{s}");
        let qt = call.q_tokens.clone();
        let kt = call.kv_tokens.clone();
        let dims = call.dims.clone();
        let heads = |x: &SharedMatrix| Numbers::SideBySide {
            whole: x.clone(),
            heads: h,
        };
        let derived = |stage: Stage, flags: &Flags| Numbers::Derived {
            source: Arc::new(AttentionStep {
                core: Arc::clone(&core),
                stage,
            }),
            flags: flags.clone(),
        };
        let proj = |w: &str, from: &str| {
            format!(
                "{w_l} = {from} · W_{w}; head h = columns h·d_k..(h+1)·d_k, d_k = {d_k}",
                w_l = w.to_lowercase()
            )
        };
        rec.record(Step::with_numbers(
            name("q"),
            StepKind::Query,
            heads(&q),
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
        rec.record(Step::with_numbers(
            name("k"),
            StepKind::Key,
            heads(&k),
            kt.clone(),
            dims.clone(),
            proj("K", kv_src),
            vec![call.kv_from.to_string(), name("W_K")],
        ));
        rec.record(Step::with_numbers(
            name("v"),
            StepKind::Value,
            heads(&v),
            kt.clone(),
            dims.clone(),
            proj("V", kv_src),
            vec![call.kv_from.to_string(), name("W_V")],
        ));
        rec.record(Step::with_numbers(
            name("scores"),
            StepKind::Scores,
            derived(Stage::Scores, &scores_flags),
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
        // Dividing by √d_k ≥ 1 keeps NaN and ±∞ as they are: the flags of the scores.
        rec.record(Step::with_numbers(
            name("scaled"),
            StepKind::Scaled,
            derived(Stage::Scaled, &scores_flags),
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
        rec.record(Step::with_numbers(
            name("masked"),
            StepKind::Masked,
            derived(Stage::Masked, &masked_flags),
            qt.clone(),
            kt.clone(),
            masked_formula,
            vec![name("scaled")],
        ));
        rec.record(
            Step::with_numbers(
                name("weights"),
                StepKind::Weights,
                derived(Stage::Weights, &weights_flags),
                qt.clone(),
                kt.clone(),
                "weights[i][j] = e^(masked[i][j] − max_i) / Σ_k e^(masked[i][k] − max_i)",
                vec![name("masked")],
            )
            .with_masked_rows(fully),
        );
        rec.record(Step::with_numbers(
            name("head_out"),
            StepKind::HeadOut,
            heads(&concat),
            qt.clone(),
            dims.clone(),
            "head_out = weights_h · V_h",
            vec![name("weights"), name("v")],
        ));
        rec.record(Step::with_numbers(
            name("concat"),
            StepKind::Concat,
            concat.clone().into(),
            qt.clone(),
            dims.clone(),
            concat_formula(h),
            vec![name("head_out")],
        ));
        rec.record(Step::with_numbers(
            name("out"),
            StepKind::AttnOut,
            out.clone().into(),
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
