//! The attention steps `scores`, `scaled`, `masked` and `weights` of a model's block, kept
//! as the `q` and `k` they come from and recomputed per head when read (by
//! [`super::head_core`], the forward pass's own code, so with the same bits).

use std::sync::{Arc, Mutex};

use ndarray::Array2;

use super::{HeadCore, head_core, head_view, scaled_value};
use crate::model::attention::Mask;
use crate::trace::{DerivedHeads, SharedMatrix};

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
    /// Every head, when the forward pass kept them (a pass for training): read, never
    /// recomputed.
    kept: Option<Vec<Arc<HeadCore>>>,
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
            kept: None,
        }
    }

    /// The same core holding every head's scores and weights as the forward pass computed
    /// them (`kept[h]` is head h), so that reading a head costs no recomputation.
    #[must_use]
    pub(crate) fn with_kept(mut self, kept: Option<Vec<Arc<HeadCore>>>) -> Self {
        self.kept = kept.filter(|k| k.len() == self.heads);
        self
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
        if let Some(core) = self.kept.as_ref().and_then(|k| k.get(head)) {
            return Arc::clone(core);
        }
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
            stage => {
                // Whole rows at a time (a diff reads every head of two traces): the scaling
                // as one map, then the mask's upper triangle; the same bits as
                // `cell_of_score` gives cell by cell.
                let root = self.core.scale.then(|| (self.core.d_k() as f32).sqrt());
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

    fn kept(&self) -> Option<(usize, usize)> {
        let kept = self.core.kept.as_ref()?;
        let values: usize = kept.iter().map(|c| c.scores.len() + c.weights.len()).sum();
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
