//! Every bound qkv puts on what it reads, in one place (docs/reference/limits.md states them too).
//!
//! Files from other people (a class, a forum, an e-mail) must not make qkv hang, exhaust
//! memory or write anywhere but the file named: the loader, the command reader and the model
//! check these limits before doing the work they bound.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub use crate::model::config::{MAX_D_FF, MAX_D_MODEL, MAX_LAYERS, MAX_TOKENS_LIMIT};

/// Largest scenario file read, in bytes (4 MiB: the largest shipped scenario is a few KiB;
/// a 64 × 64 weight override is about 40 KiB).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Deepest nesting of lists and maps a scenario may have (a matrix is 2 levels inside a
/// map entry: `weights: {W: [[1, 2]]}` is 3 deep). Checked on the text before parsing.
pub const MAX_NESTING: usize = 64;

/// Longest command line (REPL, TUI `:` prompt, piped scripts), in bytes: room for a
/// 64 × 64 matrix in `set`, and a line that long parses in milliseconds.
pub const MAX_LINE_BYTES: usize = 256 << 10;

/// Largest number of queries or keys of an attention hand-check (`kind: attention`,
/// REPL `attend`): the model's own longest sentence.
pub const MAX_ATTENTION_ROWS: usize = MAX_TOKENS_LIMIT;

/// Widest q, k or v of an attention hand-check: the model's own widest vector.
pub const MAX_ATTENTION_WIDTH: usize = MAX_D_MODEL;

/// Default memory budget of one model and its trace, in bytes (1 GiB), lowered to the
/// memory the system reports available when that is less.
pub const DEFAULT_MEMORY_BUDGET: u64 = 1 << 30;

/// 0 = not set (use the default).
static MEMORY_BUDGET: AtomicU64 = AtomicU64::new(0);

/// Sets the memory budget for this process (`--memory-budget`); 0 restores the default.
pub fn set_memory_budget(bytes: u64) {
    MEMORY_BUDGET.store(bytes, Ordering::Relaxed);
}

/// The memory budget: the one set with [`set_memory_budget`], else
/// [`DEFAULT_MEMORY_BUDGET`] or the available memory, whichever is less.
pub fn memory_budget() -> u64 {
    match MEMORY_BUDGET.load(Ordering::Relaxed) {
        0 => available_memory().map_or(DEFAULT_MEMORY_BUDGET, |a| a.min(DEFAULT_MEMORY_BUDGET)),
        b => b,
    }
}

/// Most floating-point operations a scenario's `training:` check may take unless the user
/// asks for long checks (`qkv check --long`): 2·10¹² (about a minute of training on a
/// 2-core machine), so that a small file cannot keep `qkv check` busy for half an hour.
pub const MAX_CHECK_TRAINING_FLOP: u64 = 2_000_000_000_000;

/// Whether `training:` checks past [`MAX_CHECK_TRAINING_FLOP`] run (`qkv check --long`).
static LONG_CHECKS: AtomicBool = AtomicBool::new(false);

/// Lets this process run `training:` checks however long they are predicted to take.
pub fn set_long_checks(on: bool) {
    LONG_CHECKS.store(on, Ordering::Relaxed);
}

/// See [`set_long_checks`].
pub fn long_checks() -> bool {
    LONG_CHECKS.load(Ordering::Relaxed)
}

/// Whether this process's sessions keep every attention head with their traces.
static SESSIONS_KEEP_HEADS: AtomicBool = AtomicBool::new(false);

/// Lets the sessions of this process keep every attention head's scores and weights with
/// their traces, when those fit the memory budget (the workbench and the REPL, where a
/// toggle and its diff follow: see [`crate::scenario::memory_check`]). One-shot commands
/// leave it off: they would pay the memory and its first writes for nothing.
pub fn set_sessions_keep_heads(on: bool) {
    SESSIONS_KEEP_HEADS.store(on, Ordering::Relaxed);
}

/// See [`set_sessions_keep_heads`].
pub fn sessions_keep_heads() -> bool {
    SESSIONS_KEEP_HEADS.load(Ordering::Relaxed)
}

/// `MemAvailable` of `/proc/meminfo`, in bytes (None where there is no such file).
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// A piece of work whose predicted memory is past [`memory_budget`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "about {} of memory, more than the budget of {}: use a smaller model, shorter sentences or a smaller batch, or raise the budget with --memory-budget MIB",
    mib(*need),
    mib(*budget)
)]
pub struct OverBudget {
    /// Predicted bytes.
    pub need: u64,
    /// The budget in force.
    pub budget: u64,
}

/// The one check of the memory budget: refuses `need` bytes (predicted by the formulas of
/// [`crate::model::cost`] before anything is allocated) when they are past
/// [`memory_budget`]. The forward pass, the backward pass, training, decoding and
/// checkpoint reading all ask it.
pub fn check_memory(need: u64) -> Result<(), OverBudget> {
    let budget = memory_budget();
    if need > budget {
        Err(OverBudget { need, budget })
    } else {
        Ok(())
    }
}

/// `n` bytes in MiB with one decimal, for messages.
pub fn mib(n: u64) -> String {
    format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64)
}
