//! What can go wrong when a trace is read.

use super::*;

/// A name or index that does not fit the trace.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TraceError {
    /// No step of that name.
    #[error("unknown trace step {name:?}{}", suggestion_text(suggestions))]
    UnknownStep {
        /// The name given.
        name: String,
        /// Close names that do exist.
        suggestions: Vec<String>,
    },
    /// Text that is not an address.
    #[error("bad address {text:?}: {reason}")]
    BadAddress {
        /// The text.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A head index on a step that has no heads.
    #[error("{name} is not a per-head step: drop the head index [{head}]")]
    NotPerHead {
        /// Step name.
        name: String,
        /// Head given.
        head: usize,
    },
    /// Head index too large.
    #[error("{name}: head {head} does not exist (heads {})", crate::util::indices_text(*heads))]
    HeadOutOfRange {
        /// Step name.
        name: String,
        /// Head given.
        head: usize,
        /// Number of heads.
        heads: usize,
    },
    /// A whole per-head step where one head is needed.
    #[error("{name} has one matrix per head: add a head index, {name}[0] to {name}[{}]", heads.saturating_sub(1))]
    NeedsHead {
        /// Step name.
        name: String,
        /// Number of heads.
        heads: usize,
    },
    /// Too many or too few indices for a cell.
    #[error("{name}: a cell needs {expected} indices, got {got}")]
    WrongIndexCount {
        /// Step name.
        name: String,
        /// Indices given.
        got: usize,
        /// Indices needed.
        expected: usize,
    },
    /// Index past the end of an axis.
    #[error("{name}: {axis} index {index} is out of range ({axis}s {})", crate::util::indices_text(*len))]
    IndexOutOfRange {
        /// Step name.
        name: String,
        /// Axis (head, row, column).
        axis: &'static str,
        /// Index given.
        index: usize,
        /// Axis length.
        len: usize,
    },
}

pub(super) fn suggestion_text(s: &[String]) -> String {
    if s.is_empty() {
        "; `show` lists every step".to_string()
    } else {
        format!("; did you mean {}?", s.join(", "))
    }
}
