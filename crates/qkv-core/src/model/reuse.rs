//! Reusing a previous trace: after a toggle or an edit, the steps whose inputs and weights
//! did not change are taken over from the trace before instead of being computed again.
//!
//! Reuse rules (each gives the bits a fresh computation would give): a cheap step (an
//! embedding, a residual sum, a LayerNorm) is computed again and, when its bits equal the
//! previous step's, takes over the previous buffer; an attention block's `q`, `k`, `v`, or
//! an FFN, whose inputs are the very buffers the previous trace used, with weights unchanged
//! since, are taken over without computing; an attention block whose projections are
//! taken over and whose heads, scaling and mask are unchanged is taken over whole.

use super::layer::{Flow, LayerCtx};
use super::weights::WeightsStamp;
use crate::trace::{SharedMatrix, Step, Trace};

/// A trace of the same tokens, computed earlier, and which weights it came from.
/// (The rules are in the module documentation.)
#[derive(Debug, Clone, Copy)]
pub struct Previous<'a> {
    /// The earlier trace.
    pub trace: &'a Trace,
    /// The weights it came from, when it records them.
    pub stamp: Option<&'a WeightsStamp>,
    /// Compare every attention block computed again with the earlier trace's as its heads
    /// are computed (for the diff that follows; [`crate::model::Transformer::forward`] with `compare`).
    /// When the pass also keeps its heads, the earlier trace's kept heads are let go of as
    /// they are compared (their values stay: read, they are recomputed).
    pub compare: bool,
}

fn same_bits(a: &SharedMatrix, b: &SharedMatrix) -> bool {
    a.dim() == b.dim()
        && a.as_slice()
            .iter()
            .zip(b.as_slice())
            .all(|(x, y)| x.to_bits() == y.to_bits())
}

impl<'a> LayerCtx<'a> {
    /// `fresh`, or the previous trace's buffer of step `name` when it holds the same bits
    /// (so that the steps computed from it can see that their input did not change).
    pub fn adopt(&self, name: &str, fresh: SharedMatrix) -> SharedMatrix {
        self.previous
            .and_then(|p| p.trace.get(name))
            .and_then(Step::shared_matrix)
            .filter(|old| same_bits(old, &fresh))
            .unwrap_or(fresh)
    }

    /// The previous trace, when the weights `<prefix>.<names>` are unchanged since it.
    pub(super) fn same_weights(&self, prefix: &str, names: &[&str]) -> Option<&'a Trace> {
        let p = self.previous?;
        let names: Vec<String> = names.iter().map(|n| format!("{prefix}.{n}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        p.stamp
            .filter(|s| self.weights.unchanged_since(s, &names))
            .map(|_| p.trace)
    }

    /// True when the previous step `name` was computed from the step `input.name` holding
    /// the very buffer `input.x`.
    pub(super) fn same_input(prev: &Trace, name: &str, index: usize, input: &Flow) -> bool {
        prev.get(name)
            .is_some_and(|s| s.inputs().get(index) == Some(&input.name))
            && prev
                .get(&input.name)
                .and_then(Step::shared_matrix)
                .is_some_and(|old| old.ptr_eq(&input.x))
    }

    /// The previous trace's steps `<prefix>.<part>` when they all exist.
    pub(super) fn previous_steps(prev: &Trace, prefix: &str, parts: &[&str]) -> Option<Vec<Step>> {
        parts
            .iter()
            .map(|part| prev.get(&format!("{prefix}.{part}")).cloned())
            .collect()
    }
}
