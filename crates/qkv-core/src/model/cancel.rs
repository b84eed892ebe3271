//! Cancelling a long piece of work and watching its progress, through a [`Control`] that its
//! owner (a [`crate::session::Session`], or a command of the CLI) passes to the work: a front
//! end calls [`Control::request`] (Ctrl-C) and a forward pass stops at the start of its next
//! layer with [`Cancelled`]; reading a checkpoint stops between two pieces. Building weights,
//! exporting and printing are not cancellable.
//!
//! The same control counts progress: a pass announces how many layers it will run
//! ([`Control::begin`]) and each layer counts itself when it starts, so a front end can show
//! "layer 3 of 12" while it waits ([`Control::progress`]). Reading a checkpoint reports its
//! bytes and tensors the same way. The counters are only for display: two passes sharing one
//! control (a training batch) mix their counts, which changes no number.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

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

/// Cancellation and progress of the work of one owner (a session, a command).
#[derive(Debug, Default)]
pub struct Control {
    requested: AtomicBool,
    stage: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
}

/// The work was stopped by [`Control::request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

impl Control {
    /// A control with nothing requested and nothing announced.
    pub fn new() -> Control {
        Control::default()
    }

    /// Announces a new piece of work of `total` units of `stage` (the count starts at 0).
    pub fn begin(&self, stage: Stage, total: u64) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.stage.store(stage.code(), Ordering::Relaxed);
    }

    /// Counts `n` more units of the announced work as finished.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// The counters as they are now.
    pub fn progress(&self) -> Progress {
        Progress {
            stage: Stage::from_code(self.stage.load(Ordering::Relaxed)),
            done: self.done.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
        }
    }

    /// Asks the running work (or the next) to stop at its next checkpoint.
    pub fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
    }

    /// True when a cancellation was requested and not yet taken.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Clears the request; true when there was one.
    pub fn take(&self) -> bool {
        self.requested.swap(false, Ordering::SeqCst)
    }

    /// `Err(Cancelled)` when a cancellation was requested: called at the start of every
    /// layer, which it also counts for [`Control::progress`].
    pub fn check(&self) -> Result<(), Cancelled> {
        self.advance(1);
        debug_slow_layer();
        if self.requested() {
            Err(Cancelled)
        } else {
            Ok(())
        }
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

    #[test]
    fn a_request_stops_the_next_check_once_taken_it_is_gone() {
        let c = Control::new();
        c.begin(Stage::Layers, 2);
        assert_eq!(c.check(), Ok(()));
        c.request();
        assert_eq!(c.check(), Err(Cancelled));
        // Two layers counted: 2 of 2.
        assert_eq!(c.progress().done, 2);
        assert!(c.take());
        assert!(!c.take());
        assert_eq!(c.check(), Ok(()));
        // A second control does not see the first one's request.
        let other = Control::new();
        c.request();
        assert_eq!(other.check(), Ok(()));
    }
}
