//! Explorers: the numbers behind three questions the article leaves open, computed as pure
//! math (no UI, no files) for the TUI views `E`, `S`, `H` and the REPL command `explore`.
//!
//! - [`pe`]: why the sinusoidal positional encoding lets a model attend by relative
//!   position (PE(p)·PE(p+k) depends on k alone; PE(p+k) is a rotation of PE(p)).
//! - [`scaling`]: why the scores are divided by √d_k (Var(q·k) = d_k; an unscaled row
//!   saturates and its softmax gradient vanishes).
//! - [`heads`]: every attention head of a trace at once, with its mean row entropy and a
//!   role found by a stated rule.

pub mod heads;
pub mod pe;
pub mod scaling;

use thiserror::Error;

/// A request an explorer cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExploreError {
    /// A size argument out of its range.
    #[error("{what} = {value} is out of range: allowed {min} to {max}")]
    OutOfRange {
        /// Which argument.
        what: &'static str,
        /// The value given.
        value: usize,
        /// Smallest allowed.
        min: usize,
        /// Largest allowed.
        max: usize,
    },
}

/// `Ok(value)` when `min ≤ value ≤ max`, else [`ExploreError::OutOfRange`].
pub(crate) fn in_range(
    what: &'static str,
    value: usize,
    min: usize,
    max: usize,
) -> Result<usize, ExploreError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ExploreError::OutOfRange {
            what,
            value,
            min,
            max,
        })
    }
}

/// Entropy `−Σ w ln w` of a distribution, in nats (0 ln 0 = 0).
pub fn entropy(w: impl IntoIterator<Item = f64>) -> f64 {
    -w.into_iter()
        .filter(|x| *x > 0.0)
        .map(|x| x * x.ln())
        .sum::<f64>()
}
