//! The attention steps `scores`, `scaled`, `masked` and `weights` of a model's block, kept
//! as the `q` and `k` they come from and recomputed per head when read (by
//! [`super::head_core`], the forward pass's own code, so with the same bits).

use std::sync::{Arc, Mutex, Weak};

use ndarray::Array2;

use super::{
    HeadCore, exact_reciprocal, head_core, head_core_into, head_view, scale_root, scaled_value,
};
use crate::model::attention::Mask;
use crate::trace::{DerivedHeads, MaxAbsDiff, SharedMatrix};

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
    /// Every head, when the pass kept them (a pass for training, a session's trace): read,
    /// never recomputed. A rerun that compared a head with this one may take it out
    /// ([`AttentionCore::release_kept`]); the head is then recomputed when read.
    kept: Option<Vec<Mutex<Option<Arc<HeadCore>>>>>,
    /// The last core this one was compared with and the result, so that the four steps of
    /// a block compare their heads once (and a rerun's pass can compare as it goes).
    compared: Mutex<Option<Compared>>,
}

/// A comparison of two cores: the other one (held weakly, which keeps its address from
/// being reused while this is kept) and the largest |Δ| of each of the four steps.
#[derive(Debug)]
struct Compared {
    other: Weak<AttentionCore>,
    max: StageDiffs,
}

/// The largest |Δ| of `scores`, `scaled`, `masked` and `weights`, in that order.
pub(crate) type StageDiffs = [f32; 4];

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
            kept: None,
            compared: Mutex::new(None),
        }
    }

    /// The same core, recorded as compared with `other` (the rerun's pass compared every
    /// head as it computed them: [`super::attend_heads`]).
    #[must_use]
    pub(crate) fn with_compared(self, other: &Arc<AttentionCore>, max: StageDiffs) -> Self {
        if let Ok(mut c) = self.compared.lock() {
            *c = Some(Compared {
                other: Arc::downgrade(other),
                max,
            });
        }
        self
    }

    /// The same core holding every head's scores and weights as the forward pass computed
    /// them (`kept[h]` is head h), so that reading a head costs no recomputation (until a
    /// rerun or the session lets go of it: [`AttentionCore::release_kept`]).
    #[must_use]
    pub(crate) fn with_kept(mut self, kept: Option<Vec<Arc<HeadCore>>>) -> Self {
        self.kept = kept
            .filter(|k| k.len() == self.heads)
            .map(|k| k.into_iter().map(|c| Mutex::new(Some(c))).collect());
        self
    }

    /// The kept head `head`, when there is one.
    fn kept_head(&self, head: usize) -> Option<Arc<HeadCore>> {
        let slot = self.kept.as_ref()?.get(head)?.lock().ok()?;
        slot.as_ref().map(Arc::clone)
    }

    /// Lets go of every kept head ([`AttentionCore::release_kept`]).
    pub(crate) fn release_all_kept(&self) {
        for head in 0..self.kept.as_ref().map_or(0, Vec::len) {
            self.release_kept(head);
        }
    }

    /// Lets go of the kept head `head` (a rerun compared it and keeps its own): its two
    /// buffers go back to [`crate::buffers`]' pool for the rerun's next heads, unless
    /// something else still holds the head. Reading the head afterwards recomputes it, with
    /// the same bits.
    pub(crate) fn release_kept(&self, head: usize) {
        let taken = self
            .kept
            .as_ref()
            .and_then(|k| k.get(head))
            .and_then(|slot| slot.lock().ok()?.take());
        if let Some(core) = taken.and_then(|c| Arc::try_unwrap(c).ok()) {
            for m in [core.scores, core.weights] {
                let (values, offset) = m.into_raw_vec_and_offset();
                if offset.unwrap_or(0) == 0 {
                    crate::buffers::give_back(values);
                }
            }
        }
    }

    fn mask(&self) -> Mask<'static> {
        if self.causal {
            Mask::Causal
        } else {
            Mask::None
        }
    }

    fn compute(&self, head: usize) -> HeadCore {
        head_core(
            head_view(&self.q, self.heads, head),
            head_view(&self.k, self.heads, head),
            &self.mask(),
            self.scale,
        )
    }

    /// The head when the core holds it: kept, or the one the one-head cache holds.
    fn held(&self, head: usize) -> Option<Arc<HeadCore>> {
        if let Some(core) = self.kept_head(head) {
            return Some(core);
        }
        let last = self.last.lock().ok()?;
        let (h, core) = last.as_ref()?;
        (*h == head).then(|| Arc::clone(core))
    }

    /// The head's scores and weights, from the one-head cache when it holds that head.
    fn head(&self, head: usize) -> Arc<HeadCore> {
        if let Some(core) = self.held(head) {
            return core;
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

    /// (heads, rows, cols) of each of the four steps.
    pub(crate) fn shape(&self) -> (usize, usize, usize) {
        (self.heads, self.q.dim().0, self.k.dim().0)
    }

    /// How the head's scores become its scaled and masked scores.
    pub(crate) fn settings(&self) -> HeadSettings {
        HeadSettings {
            root: scale_root(self.scale, self.d_k()),
            causal: self.causal,
        }
    }

    /// `f` of head `head`'s scores and weights (n · m values each, row-major): the kept
    /// head or the cached one when there is one, else computed into pooled buffers that
    /// go back afterwards (the one-head cache is left as it is).
    pub(crate) fn with_head<R>(&self, head: usize, f: impl FnOnce(&[f32], &[f32]) -> R) -> R {
        if let Some(core) = self.held(head)
            && let (Some(s), Some(w)) = (core.scores.as_slice(), core.weights.as_slice())
        {
            return f(s, w);
        }
        let (n, m) = (self.q.dim().0, self.k.dim().0);
        let mut scores = crate::buffers::recycled(n * m);
        let mut weights = crate::buffers::recycled(n * m);
        head_core_into(
            head_view(&self.q, self.heads, head),
            head_view(&self.k, self.heads, head),
            &self.mask(),
            self.scale,
            &mut scores,
            &mut weights,
        );
        let r = f(&scores, &weights);
        crate::buffers::give_back(scores);
        crate::buffers::give_back(weights);
        r
    }

    /// The comparison with `other` recorded on either core, if any.
    fn recorded(self: &Arc<Self>, other: &Arc<AttentionCore>) -> Option<StageDiffs> {
        let find = |a: &Arc<AttentionCore>, b: &Arc<AttentionCore>| {
            let c = a.compared.lock().ok()?;
            let c = c.as_ref()?;
            std::ptr::eq(c.other.as_ptr(), Arc::as_ptr(b)).then_some(c.max)
        };
        find(self, other).or_else(|| find(other, self))
    }

    /// The largest |Δ| of each of the four steps between this core's head `head` and
    /// `other` (the same head of another core, of this shape): this head's scores and
    /// weights as [`AttentionCore::with_head`] gives them.
    pub(crate) fn diff_head(&self, head: usize, other: HeadValues<'_>) -> StageDiffs {
        let m = self.k.dim().0;
        self.with_head(head, |s, w| {
            head_diffs(HeadValues::new(s, w, self.settings()), other, m)
        })
    }

    /// The largest |Δ| of each of the four steps between `other` and this core, every head
    /// (the same either way round); computed once (head by head, each side's scores and
    /// weights once) and recorded on this core. Both have the same shape.
    fn compare(self: &Arc<Self>, other: &Arc<AttentionCore>) -> StageDiffs {
        if let Some(max) = self.recorded(other) {
            return max;
        }
        let mut max: StageDiffs = [0.0; 4];
        for h in 0..self.heads {
            let d = self.with_head(h, |s, w| {
                other.diff_head(h, HeadValues::new(s, w, self.settings()))
            });
            max = most(max, d);
        }
        if let Ok(mut c) = self.compared.lock() {
            *c = Some(Compared {
                other: Arc::downgrade(other),
                max,
            });
        }
        max
    }
}

/// The larger of each pair.
pub(crate) fn most(a: StageDiffs, b: StageDiffs) -> StageDiffs {
    [0, 1, 2, 3].map(|i| a[i].max(b[i]))
}

/// How one side's scores become its scaled and masked scores.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeadSettings {
    /// √d_k when the scores are scaled.
    pub(crate) root: Option<f32>,
    /// Cells right of the diagonal blocked.
    pub(crate) causal: bool,
}

/// One head's scores and weights (n · m values each, row-major) and its settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeadValues<'a> {
    scores: &'a [f32],
    weights: &'a [f32],
    settings: HeadSettings,
}

impl<'a> HeadValues<'a> {
    pub(crate) fn new(scores: &'a [f32], weights: &'a [f32], settings: HeadSettings) -> Self {
        HeadValues {
            scores,
            weights,
            settings,
        }
    }
}

/// The largest |new − old| of one head's `scores`, `scaled`, `masked` and `weights`, with
/// the rule of [`crate::trace::max_abs_diff`], as [`AttentionStep`] gives the four steps but
/// without writing out the scaled and masked scores: each row's pairs are scaled as they are
/// compared, and with the same mask on both sides the masked scores are the scaled scores
/// of the open cells (the blocked cells are −∞ on both sides: equal). Runs through
/// [`faer::traits::pulp`]'s dispatch (a maximum does not depend on the order).
///
/// # Shapes
/// `old`, `new`: n × m each (`m` columns).
pub(crate) fn head_diffs(old: HeadValues<'_>, new: HeadValues<'_>, m: usize) -> StageDiffs {
    faer::traits::pulp::Arch::new().dispatch(HeadDiffs { old, new, m })
}

struct HeadDiffs<'a> {
    old: HeadValues<'a>,
    new: HeadValues<'a>,
    m: usize,
}

impl faer::traits::pulp::WithSimd for HeadDiffs<'_> {
    type Output = StageDiffs;
    #[inline(always)]
    fn with_simd<S: faer::traits::pulp::Simd>(self, _: S) -> StageDiffs {
        head_diffs_kernel(self.old, self.new, self.m)
    }
}

#[inline(always)]
fn head_diffs_kernel(old: HeadValues<'_>, new: HeadValues<'_>, m: usize) -> StageDiffs {
    if m == 0 {
        return [0.0; 4];
    }
    with_scaling!(old.settings.root, |fa| with_scaling!(
        new.settings.root,
        |fb| diff_rows(old, new, m, fa, fb)
    ))
}

/// [`head_diffs`] with each side's scaling `fa`, `fb` (each gives the bits of
/// `scaled_value`).
#[inline(always)]
fn diff_rows(
    old: HeadValues<'_>,
    new: HeadValues<'_>,
    m: usize,
    fa: impl Fn(f32) -> f32 + Copy,
    fb: impl Fn(f32) -> f32 + Copy,
) -> StageDiffs {
    let (ro, rn) = (old.settings.root, new.settings.root);
    let unscaled = ro.is_none() && rn.is_none();
    let same_mask = old.settings.causal == new.settings.causal;
    // With the same mask: the scaled scores of the open cells (= the masked scores) and of
    // the blocked ones; with different masks, the masked rows written out.
    let [mut scores, mut open, mut blocked, mut masked, mut weights] = [MaxAbsDiff::default(); 5];
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let rows = old
        .scores
        .chunks_exact(m)
        .zip(new.scores.chunks_exact(m))
        .zip(old.weights.chunks_exact(m).zip(new.weights.chunks_exact(m)));
    for (i, ((os, ns), (ow, nw))) in rows.enumerate() {
        let cut = |causal: bool| if causal { (i + 1).min(m) } else { m };
        weights.add(ow, nw);
        if !unscaled || !same_mask {
            scores.add(os, ns);
        }
        if same_mask {
            let o = cut(old.settings.causal);
            let ((os_open, os_blocked), (ns_open, ns_blocked)) = (os.split_at(o), ns.split_at(o));
            open.add_mapped(os_open, ns_open, fa, fb);
            blocked.add_mapped(os_blocked, ns_blocked, fa, fb);
        } else {
            open.add_mapped(os, ns, fa, fb);
            a.clear();
            a.extend(os.iter().map(|x| fa(*x)));
            b.clear();
            b.extend(ns.iter().map(|x| fb(*x)));
            a[cut(old.settings.causal)..].fill(f32::NEG_INFINITY);
            b[cut(new.settings.causal)..].fill(f32::NEG_INFINITY);
            masked.add(&a, &b);
        }
    }
    let mut scaled = open;
    scaled.merge(&blocked);
    if same_mask {
        masked = open;
        if unscaled {
            // The scaled scores are the scores.
            scores = scaled;
        }
    }
    [scores, scaled, masked, weights].map(|a| a.value())
}

/// The core behind one of a block's four attention steps (`scores`, `scaled`, `masked`,
/// `weights`), when the step is one.
pub(crate) fn core_of(step: &crate::trace::Step) -> Option<Arc<AttentionCore>> {
    match step.numbers() {
        crate::trace::Numbers::Derived { source, .. } => source
            .as_any()
            .downcast_ref::<AttentionStep>()
            .map(|s| Arc::clone(&s.core)),
        _ => None,
    }
}

/// Which of the four attention steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Scores,
    Scaled,
    Masked,
    Weights,
}

/// One of the four steps of a block: which stage, of which core.
#[derive(Debug)]
pub(crate) struct AttentionStep {
    pub(crate) core: Arc<AttentionCore>,
    pub(crate) stage: Stage,
}

impl AttentionStep {
    fn index(&self) -> usize {
        match self.stage {
            Stage::Scores => 0,
            Stage::Scaled => 1,
            Stage::Masked => 2,
            Stage::Weights => 3,
        }
    }

    fn cell_of_score(&self, s: f32, i: usize, j: usize) -> f32 {
        let root = self.core.settings().root;
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
            stage => {
                // Whole rows at a time (a diff reads every head of two traces): the scaling
                // as one map, then the mask's upper triangle; the same bits as
                // `cell_of_score` gives cell by cell.
                let root = self.core.settings().root;
                let mut out = core.scores.mapv(|s| scaled_value(s, root));
                if stage == Stage::Masked && self.core.causal {
                    for (i, mut row) in out.rows_mut().into_iter().enumerate() {
                        row.iter_mut()
                            .skip(i + 1)
                            .for_each(|x| *x = f32::NEG_INFINITY);
                    }
                }
                out
            }
        }
    }

    fn max_abs_diff(&self, other: &dyn DerivedHeads) -> Option<f32> {
        let other = other.as_any().downcast_ref::<AttentionStep>()?;
        if other.stage != self.stage || other.core.shape() != self.core.shape() {
            return None;
        }
        Some(self.core.compare(&other.core)[self.index()])
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn release_kept(&self) {
        self.core.release_all_kept();
    }

    fn kept(&self) -> Option<(usize, usize)> {
        let kept = self.core.kept.as_ref()?;
        let values: usize = (0..kept.len())
            .filter_map(|h| self.core.kept_head(h))
            .map(|c| c.scores.len() + c.weights.len())
            .sum();
        Some((
            Arc::as_ptr(&self.core) as usize,
            values * std::mem::size_of::<f32>(),
        ))
    }

    fn cell(&self, head: usize, row: usize, col: usize) -> f32 {
        let core = self.core.head(head);
        match self.stage {
            Stage::Weights => core.weights[[row, col]],
            _ => self.cell_of_score(core.scores[[row, col]], row, col),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side<'a>(
        scores: &'a [f32],
        weights: &'a [f32],
        root: Option<f32>,
        causal: bool,
    ) -> HeadValues<'a> {
        HeadValues::new(scores, weights, HeadSettings { root, causal })
    }

    /// One 2 × 2 head, [scores, scaled, masked, weights], worked by hand.
    #[test]
    fn head_diffs_by_hand() {
        let scores = [4.0, 8.0, 2.0, 6.0];
        // Scaling switched off (÷2 before), causal on both sides, the same scores:
        // scaled old [[2, 4], [1, 3]] against new [[4, 8], [2, 6]]: |Δ| [[2, 4], [1, 3]],
        // largest 4 (row 0, column 1); masked leaves out that blocked cell: largest 3;
        // weights |0.5 − 0.25| = 0.25.
        let d = head_diffs(
            side(&scores, &[1.0, 0.0, 0.5, 0.5], Some(2.0), true),
            side(&scores, &[1.0, 0.0, 0.25, 0.75], None, true),
            2,
        );
        assert_eq!(d, [0.0, 4.0, 3.0, 0.25]);
        // The mask switched off: masked cell (0, 1) is −∞ before and 8 after: ∞.
        let d = head_diffs(
            side(&scores, &[1.0, 0.0, 0.5, 0.5], Some(2.0), true),
            side(&scores, &[0.1, 0.9, 0.25, 0.75], None, false),
            2,
        );
        assert_eq!(d, [0.0, 4.0, f32::INFINITY, 0.9]);
        // Unscaled and unmasked on both sides: all three score steps are the scores,
        // |Δ| [[0, 0.5], [0, 1]] → 1; a NaN weight counts as ∞.
        let d = head_diffs(
            side(
                &[1.0, 2.0, 3.0, 4.0],
                &[0.5, 0.5, f32::NAN, 0.5],
                None,
                false,
            ),
            side(&[1.0, 2.5, 3.0, 3.0], &[0.5, 0.5, 0.5, 0.5], None, false),
            2,
        );
        assert_eq!(d, [1.0, 1.0, 1.0, f32::INFINITY]);
    }
}
