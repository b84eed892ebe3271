//! The explorer views' state (`E` positional encoding, `S` scaling, `H` all heads) and the
//! heads grid's arrangement; what their keys do is in `update/explore.rs`.

use crate::explore::{heads, scaling};

/// Positions on the x axis of the PE waves and rows of the PE heatmaps.
pub const PE_POSITIONS: usize = 32;
/// Offsets k of the dot-product heatmap.
pub const PE_OFFSETS: usize = 32;

/// The explorers' view state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExploreView {
    /// Frequency pair i of the waves and the rotation (columns 2i, 2i+1).
    pub pair: usize,
    /// Position p of the rotation.
    pub p: usize,
    /// Offset k of the rotation.
    pub k: usize,
    /// Index into [`scaling::DIMS`] of the row shown.
    pub d_k: usize,
    /// Index of the selected head in [`heads::summarize`]'s list.
    pub head: usize,
    /// The logit lens's position.
    pub lens_pos: usize,
}

impl Default for ExploreView {
    fn default() -> ExploreView {
        ExploreView {
            pair: 0,
            p: 0,
            k: 1,
            // d_k = 64, the paper's head width
            d_k: 6,
            head: 0,
            lens_pos: 0,
        }
    }
}

impl ExploreView {
    /// d_k of the row shown.
    pub fn d_k(&self) -> usize {
        scaling::DIMS[self.d_k.min(scaling::DIMS.len() - 1)]
    }
}

/// The (blocks, heads) grid of the heads view: the block of each entry of the list, and
/// the heads of the widest block.
pub fn grid(list: &[heads::HeadSummary]) -> (Vec<String>, usize) {
    let mut blocks: Vec<String> = Vec::new();
    for h in list {
        if blocks.last() != Some(&h.step) {
            blocks.push(h.step.clone());
        }
    }
    let per = list.iter().map(|h| h.head + 1).max().unwrap_or(0);
    (blocks, per)
}
