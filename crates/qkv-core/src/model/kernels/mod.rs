//! The machinery under the attention formula: one head's scores and softmax into reused
//! buffers, every head of a block in parallel into the columns of one `concat` buffer, and the
//! per-head steps that are recomputed when read ([`derived`]).
//!
//! [`head_core_into`] is the only code that computes a head's scores and weights: the forward
//! pass, [`super::attention::scaled_dot_product`] (the hand-checks) and every later read of a
//! trace's `scores` … `weights` call it, so they all see the same bits.

use ndarray::{Array2, ArrayView2};
use std::sync::Arc;

use rayon::prelude::*;

use super::attention::Mask;
use super::linalg::{
    Backend, MatView, MatViewMut, PARALLEL_HEADS_MIN_FLOP, product_into, product_into_view,
};
use super::vecmath::{settle_row_without_finite, softmax_row};
use crate::trace::{Flags, SharedMatrix};

/// `scores / √d_k` (or the scores when `root` is `None`: scaling off).
pub(crate) fn scaled_value(score: f32, root: Option<f32>) -> f32 {
    match root {
        Some(r) => score / r,
        None => score,
    }
}

/// √d_k when the scores are scaled, `None` when scaling is off.
pub(crate) fn scale_root(scale: bool, d_k: usize) -> Option<f32> {
    scale.then(|| (d_k as f32).sqrt())
}

/// `$body` with `$f` bound to the scaling of `$root` (an `Option<f32>`, see
/// [`scale_root`]) as a closure of its own kind: none, a multiplication by the exact
/// reciprocal, a division. Each gives the bits of [`scaled_value`]; each kind (and each
/// pair, nested) compiles to its own loop.
macro_rules! with_scaling {
    ($root:expr, |$f:ident| $body:expr) => {
        match ($root, $root.and_then(exact_reciprocal)) {
            (None, _) => {
                let $f = |s: f32| s;
                $body
            }
            (Some(_), Some(inv)) => {
                let $f = move |s: f32| s * inv;
                $body
            }
            (Some(r), None) => {
                let $f = move |s: f32| s / r;
                $body
            }
        }
    };
}

/// The reciprocal of `r` when it is exact (`r` a power of two, as √d_k is for d_k = 1, 4,
/// 16, 64, 256, 1024): then `s · (1/r)` and `s / r` are the correctly rounded value of the same
/// quotient, the same bits, and a multiplication costs a fraction of a division.
pub(crate) fn exact_reciprocal(r: f32) -> Option<f32> {
    let inv = 1.0 / r;
    // A power of two: no mantissa bits.
    (r.is_normal() && inv.is_normal() && r.to_bits().trailing_zeros() >= 23).then_some(inv)
}

// After the macro above, so that the module sees it.
pub mod derived;

use derived::{AttentionCore, HeadSettings, HeadValues, StageDiffs, most};

/// The flags of one head's steps and its rows whose every cell was blocked.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HeadStats {
    /// Rows whose every cell was blocked.
    pub(crate) fully_masked_rows: Vec<usize>,
    /// NaN / ±∞ of the scores (and of the scaled scores: dividing by √d_k ≥ 1 keeps them).
    pub(crate) scores: Flags,
    /// NaN / ±∞ of the masked scores.
    pub(crate) masked: Flags,
    /// NaN / ±∞ of the weights.
    pub(crate) weights: Flags,
}

/// The scores and the weights of one head; `scaled` and `masked` follow cell by cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeadCore {
    /// n × m.
    pub(crate) scores: Array2<f32>,
    /// n × m.
    pub(crate) weights: Array2<f32>,
    /// Flags and fully masked rows.
    pub(crate) stats: HeadStats,
}

/// `scores = q · kᵀ`, then `weights = softmax(mask(scores / √d_k))` row by row, into
/// `scores` and `weights` (n · m values each, row-major; every value is written). Always on
/// the calling thread (faer, sequential), so that it gives the same bits wherever it runs:
/// the forward pass and every later recomputation of a trace step call this.
///
/// # Shapes
/// `q`: n × d_k, `k`: m × d_k → scores, weights: n × m.
pub(crate) fn head_core_into(
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
    let root = scale_root(scale, d_k);
    faer::traits::pulp::Arch::new().dispatch(WeightsOfScores {
        scores,
        weights,
        m,
        mask,
        root,
    })
}

/// The rows of [`head_core_into`] after the product (scaling, mask, softmax, flags) run
/// through [`faer::traits::pulp`]'s dispatch, compiled for the processor's vector
/// instructions: a division (or a multiplication by an exact reciprocal), a comparison and
/// a count give the same result at any width, so the same bits.
struct WeightsOfScores<'a, 'm> {
    scores: &'a [f32],
    weights: &'a mut [f32],
    m: usize,
    mask: &'a Mask<'m>,
    root: Option<f32>,
}

impl faer::traits::pulp::WithSimd for WeightsOfScores<'_, '_> {
    type Output = HeadStats;
    #[inline(always)]
    fn with_simd<S: faer::traits::pulp::Simd>(self, _: S) -> HeadStats {
        weights_of_scores(self.scores, self.weights, self.m, self.mask, self.root)
    }
}

#[inline(always)]
fn weights_of_scores(
    scores: &[f32],
    weights: &mut [f32],
    m: usize,
    mask: &Mask<'_>,
    root: Option<f32>,
) -> HeadStats {
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
        with_scaling!(root, |f| {
            for (w, s) in w_open.iter_mut().zip(s_row) {
                *w = f(*s);
            }
        });
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
        // `fully`: no entry was finite; the whole row (blocked cells too) is settled.
        if fully {
            let all_blocked = match mask {
                Mask::Custom(_) => (0..m).all(|j| mask.blocks(i, j)),
                Mask::Causal | Mask::None => open == 0,
            };
            if settle_row_without_finite(w_row, all_blocked) {
                st.fully_masked_rows.push(i);
            }
        }
        st.weights.add_slice(w_row);
    }
    st
}

/// [`head_core_into`] into new buffers.
pub(crate) fn head_core(q: MatView<'_>, k: MatView<'_>, mask: &Mask<'_>, scale: bool) -> HeadCore {
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
pub(crate) fn with_view<R>(x: ArrayView2<'_, f32>, f: impl FnOnce(MatView<'_>) -> R) -> R {
    match MatView::of(&x) {
        Some(v) => f(v),
        None => {
            let owned = x.as_standard_layout().into_owned();
            let v = MatView::of(&owned.view());
            #[allow(clippy::expect_used, reason = "a stated invariant, never the input's")]
            f(v.expect("invariant: a standard-layout copy is always a row-major view"))
        }
    }
}

/// Columns of head `head` of a matrix whose `heads` heads sit side by side (a view).
pub(crate) fn head_view(x: &SharedMatrix, heads: usize, head: usize) -> MatView<'_> {
    let (n, d) = x.dim();
    let d_k = d / heads.max(1);
    #[allow(clippy::expect_used, reason = "a stated invariant, never the input's")]
    MatView::columns(x.as_slice(), n, d, head * d_k, (head + 1) * d_k)
        .expect("invariant: head < heads, so its d_k columns lie inside the n × d_model matrix")
}

/// Every head of one block: the heads' outputs side by side (both `head_out` and `concat`)
/// and what the heads' steps hold.
pub(crate) struct Heads {
    /// n × d_model: head h's `weights_h · V_h` in columns h·d_k..(h+1)·d_k.
    pub(crate) concat: SharedMatrix,
    /// NaN / ±∞ of every head's scores (and scaled scores).
    pub(crate) scores: Flags,
    /// NaN / ±∞ of every head's masked scores.
    pub(crate) masked: Flags,
    /// NaN / ±∞ of every head's weights.
    pub(crate) weights: Flags,
    /// (head, row) of the rows whose every key was masked.
    pub(crate) fully_masked: Vec<(usize, usize)>,
    /// Every head's scores and weights, when the pass keeps them (for a backward pass, or a
    /// workbench session's trace).
    pub(crate) kept: Option<Vec<Arc<HeadCore>>>,
    /// The core the heads were compared with as they were computed, and the largest |Δ|
    /// of each of the four steps over every head.
    pub(crate) compared: Option<(Arc<AttentionCore>, StageDiffs)>,
}

/// `head_out_h = softmax(mask(Q_h K_hᵀ / √d_k)) · V_h` for every head h, written side by
/// side into one buffer. Heads run in parallel when the block is large (at least
/// [`PARALLEL_HEADS_MIN_FLOP`] multiply-adds); each head's products run on one thread, so
/// the numbers do not depend on the number of threads. Unless `keep`, the scores and
/// weights go back to the buffer pool: the trace recomputes them when read.
///
/// With `against` (the same block of a previous trace, of the same shape), each head's
/// scores and weights are compared with that core's while they are at hand, for the diff
/// that follows a rerun ([`Heads::compared`]); the old head is read when that core kept
/// it, else recomputed; the new one is not computed a second time. With `keep` too, the
/// old core lets go of each kept head once it is compared
/// ([`AttentionCore::release_kept`]): the heads move to the new trace, and the memory
/// they take stays that of one trace's heads.
///
/// # Shapes
/// `q`: n × d_model, `k`, `v`: m × d_model (heads side by side) → concat n × d_model.
#[expect(
    clippy::too_many_lines,
    reason = "one head's work (scores, weights, output, comparison) and the loop over heads."
)]
#[allow(clippy::too_many_arguments)] // the block's tensors and switches, as the pass has them
pub(crate) fn attend_heads(
    q: &SharedMatrix,
    k: &SharedMatrix,
    v: &SharedMatrix,
    heads: usize,
    scale: bool,
    causal: bool,
    keep: bool,
    against: Option<Arc<AttentionCore>>,
) -> Heads {
    let (n, d_model) = q.dim();
    let m = k.dim().0;
    let h = heads.max(1);
    let d_k = d_model / h;
    let against = against.filter(|a| {
        let same = a.shape() == (h, n, m);
        if !same && keep {
            // Not compared, so not taken over head by head: its memory serves this block.
            a.release_all_kept();
        }
        same
    });
    let settings = HeadSettings {
        root: scale_root(scale, d_k),
        causal,
    };
    // Each head writes its d_k columns; every value is written when the heads cover d_model.
    let mut concat = if h * d_k == d_model {
        crate::buffers::recycled(n * d_model)
    } else {
        crate::buffers::zeroed(n * d_model)
    };
    let mask = if causal { Mask::Causal } else { Mask::None };
    type HeadResult = (HeadStats, Option<HeadCore>, Option<StageDiffs>);
    let run_head = |(head, out): (usize, MatViewMut<'_>)| -> HeadResult {
        let mut scores = crate::buffers::recycled(n * m);
        let mut weights = crate::buffers::recycled(n * m);
        let st = head_core_into(
            head_view(q, h, head),
            head_view(k, h, head),
            &mask,
            scale,
            &mut scores,
            &mut weights,
        );
        #[allow(clippy::expect_used, reason = "a stated invariant, never the input's")]
        let w = MatView::row_major(&weights, n, m, m.max(1))
            .expect("invariant: the weights buffer holds n · m values");
        product_into_view(w, head_view(v, h, head), out);
        let compared = against.as_ref().map(|old| {
            let d = old.diff_head(head, HeadValues::new(&scores, &weights, settings));
            if keep {
                // This pass keeps its heads: the old one's buffers serve the next head.
                old.release_kept(head);
            }
            d
        });
        if keep {
            let core = HeadCore {
                scores: crate::buffers::into_matrix((n, m), scores),
                weights: crate::buffers::into_matrix((n, m), weights),
                stats: st.clone(),
            };
            return (st, Some(core), compared);
        }
        crate::buffers::give_back(scores);
        crate::buffers::give_back(weights);
        (st, None, compared)
    };
    #[allow(clippy::expect_used, reason = "a stated invariant, never the input's")]
    let blocks = MatViewMut::column_blocks(&mut concat, n, d_model, d_k.max(1))
        .expect("invariant: concat was made with n · d_model values")
        .into_iter()
        .take(h)
        .enumerate();
    let results: Vec<HeadResult> = if h > 1 && 2 * h * n * m * d_k >= PARALLEL_HEADS_MIN_FLOP {
        blocks
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(run_head)
            .collect()
    } else {
        blocks.map(run_head).collect()
    };
    let (mut scores, mut masked, mut weights) =
        (Flags::default(), Flags::default(), Flags::default());
    let mut fully_masked = Vec::new();
    let mut kept = keep.then(|| Vec::with_capacity(h));
    let mut compared = against.map(|a| (a, [0.0; 4]));
    for (head, (r, core, diffs)) in results.into_iter().enumerate() {
        if let (Some(kept), Some(core)) = (&mut kept, core) {
            kept.push(Arc::new(core));
        }
        if let (Some((_, max)), Some(d)) = (&mut compared, diffs) {
            *max = most(*max, d);
        }
        scores.merge(&r.scores);
        masked.merge(&r.masked);
        weights.merge(&r.weights);
        fully_masked.extend(r.fully_masked_rows.into_iter().map(|row| (head, row)));
    }
    Heads {
        concat: SharedMatrix::new(crate::buffers::into_matrix((n, d_model), concat)),
        scores,
        masked,
        weights,
        fully_masked,
        kept,
        compared,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// √d_k is a power of two for d_k = 4, 16, 64, 256: there the product with the
    /// reciprocal gives the division's bits, over a sweep of every 4099th f32 (normal,
    /// subnormal, ±0, ±∞ and NaN among them); elsewhere there is no exact reciprocal.
    #[test]
    fn exact_reciprocals_give_the_division_bits() {
        assert_eq!(exact_reciprocal(2.0), Some(0.5));
        assert_eq!(exact_reciprocal(8.0), Some(0.125));
        assert_eq!(exact_reciprocal(8f32.sqrt()), None);
        assert_eq!(exact_reciprocal(3.0), None);
        assert_eq!(exact_reciprocal(0.0), None);
        for d_k in [4usize, 16, 64, 256] {
            let r = (d_k as f32).sqrt();
            let inv = exact_reciprocal(r).unwrap();
            for bits in (0..=u32::MAX).step_by(4099).chain([0, 1, 0x8000_0001]) {
                let s = f32::from_bits(bits);
                let (a, b) = (s * inv, s / r);
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{s:e} / {r}"
                );
            }
        }
    }

    /// The rows after the product, compiled for the processor's vector instructions, give
    /// the bits and the flags of the baseline build, for every kind of mask, scaled or not,
    /// with overflowing and NaN scores among them.
    #[test]
    fn dispatched_rows_give_the_baseline_bits() {
        let mut x = 7u32;
        let mut next = || {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as f32 / (1u32 << 24) as f32 * 60.0 - 30.0
        };
        let (n, m) = (9, 37);
        let mut scores: Vec<f32> = (0..n * m).map(|_| next()).collect();
        scores[5] = f32::INFINITY;
        scores[m + 3] = f32::NAN;
        let blocked = ndarray::Array2::from_shape_fn((n, m), |(i, j)| (i + 2 * j) % 5 == 0);
        for mask in [Mask::None, Mask::Causal, Mask::Custom(blocked.view())] {
            for root in [None, Some(8.0f32.sqrt())] {
                let mut a = vec![0.0; n * m];
                let mut b = vec![0.0; n * m];
                let sa = faer::traits::pulp::Arch::new().dispatch(WeightsOfScores {
                    scores: &scores,
                    weights: &mut a,
                    m,
                    mask: &mask,
                    root,
                });
                let sb = weights_of_scores(&scores, &mut b, m, &mask, root);
                assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
                assert_eq!(sa, sb);
            }
        }
    }
}
