//! Cancelling a long forward pass: a front end calls [`request`] (Ctrl-C in the REPL) and
//! the pass stops at the start of its next layer. Only the forward pass checks it: building
//! weights, exporting and printing are not cancellable.
//!
//! A cancelled pass returns an error whose weight name is [`CANCELLED`]; the caller tells a
//! cancellation from a real missing weight with [`take`].
//!
//! The same checkpoints report progress: a pass announces how many layers it will run
//! ([`begin`]) and each layer counts itself when it starts, so a front end can show
//! "layer 3 of 12" while it waits ([`progress`]). Reading a checkpoint reports its bytes and
//! tensors the same way. The counters are process-wide and only for display: two passes
//! running at once (a training batch) mix their counts, which changes no number.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static STAGE: AtomicU8 = AtomicU8::new(0);
static DONE: AtomicU64 = AtomicU64::new(0);
static TOTAL: AtomicU64 = AtomicU64::new(0);

/// What the counters of [`progress`] count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Nothing announced yet.
    Idle,
    /// Layers of a forward pass.
    Layers,
    /// Bytes of a file being read.
    Bytes,
    /// Tensors of a checkpoint being decoded.
    Tensors,
    /// Comparing a new trace with the previous one (no count).
    Comparing,
}

impl Stage {
    fn code(self) -> u8 {
        match self {
            Stage::Idle => 0,
            Stage::Layers => 1,
            Stage::Bytes => 2,
            Stage::Tensors => 3,
            Stage::Comparing => 4,
        }
    }

    fn from_code(c: u8) -> Stage {
        match c {
            1 => Stage::Layers,
            2 => Stage::Bytes,
            3 => Stage::Tensors,
            4 => Stage::Comparing,
            _ => Stage::Idle,
        }
    }
}

/// A snapshot of the progress counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What is counted.
    pub stage: Stage,
    /// Units finished (layers started, bytes read, tensors decoded).
    pub done: u64,
    /// Units announced.
    pub total: u64,
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (done, total) = (self.done.min(self.total), self.total);
        match self.stage {
            Stage::Idle => write!(f, "working"),
            Stage::Layers => write!(f, "forward pass: layer {done} of {total}"),
            Stage::Bytes => write!(
                f,
                "reading: {:.1} of {:.1} MiB",
                done as f64 / 1_048_576.0,
                total as f64 / 1_048_576.0
            ),
            Stage::Tensors => write!(f, "decoding the checkpoint: tensor {done} of {total}"),
            Stage::Comparing => write!(f, "comparing with the previous trace"),
        }
    }
}

/// Announces a new piece of work of `total` units of `stage` (the count starts at 0).
pub fn begin(stage: Stage, total: u64) {
    DONE.store(0, Ordering::Relaxed);
    TOTAL.store(total, Ordering::Relaxed);
    STAGE.store(stage.code(), Ordering::Relaxed);
}

/// Counts `n` more units of the announced work as finished.
pub fn advance(n: u64) {
    DONE.fetch_add(n, Ordering::Relaxed);
}

/// The counters as they are now.
pub fn progress() -> Progress {
    Progress {
        stage: Stage::from_code(STAGE.load(Ordering::Relaxed)),
        done: DONE.load(Ordering::Relaxed),
        total: TOTAL.load(Ordering::Relaxed),
    }
}

/// The weight name of the error a cancelled pass returns.
pub const CANCELLED: &str = "(cancelled)";

/// Asks the running pass (or the next one) to stop at its next layer.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// True when a cancellation was requested and not yet taken.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Clears the request; true when there was one.
pub fn take() -> bool {
    REQUESTED.swap(false, Ordering::SeqCst)
}

/// `Err` when a cancellation was requested: called at the start of every layer, which it
/// also counts for [`progress`].
pub fn check() -> Result<(), super::weights::MissingWeight> {
    advance(1);
    debug_slow_layer();
    if requested() {
        Err(super::weights::MissingWeight(CANCELLED.to_string()))
    } else {
        Ok(())
    }
}

/// In debug builds only: when `QKV_DEBUG_SLOW_LAYER_MS` is set, every layer waits that many
/// milliseconds. The end-to-end tests use it to make a pass last long enough to see its
/// progress and cancel it on any machine, however fast or loaded; release builds do not have it.
#[cfg(debug_assertions)]
fn debug_slow_layer() {
    static MS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let ms = *MS.get_or_init(|| {
        std::env::var("QKV_DEBUG_SLOW_LAYER_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    });
    if ms > 0 {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(not(debug_assertions))]
fn debug_slow_layer() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_a_sentence() {
        let p = |stage, done, total| Progress { stage, done, total }.to_string();
        assert_eq!(p(Stage::Layers, 3, 12), "forward pass: layer 3 of 12");
        // A count past the total (two passes at once) is shown as the total.
        assert_eq!(p(Stage::Layers, 14, 12), "forward pass: layer 12 of 12");
        // 3 MiB of 12 MiB: 3 · 1,048,576 = 3,145,728 bytes.
        assert_eq!(
            p(Stage::Bytes, 3_145_728, 12_582_912),
            "reading: 3.0 of 12.0 MiB"
        );
        assert_eq!(
            p(Stage::Tensors, 5, 40),
            "decoding the checkpoint: tensor 5 of 40"
        );
        assert_eq!(p(Stage::Idle, 0, 0), "working");
        assert_eq!(
            p(Stage::Comparing, 0, 0),
            "comparing with the previous trace"
        );
    }
}
