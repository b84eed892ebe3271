//! Cancelling a long forward pass: a front end calls [`request`] (Ctrl-C in the REPL) and
//! the pass stops at the start of its next layer. Only the forward pass checks it: building
//! weights, exporting and printing are not cancellable.
//!
//! A cancelled pass returns an error whose weight name is [`CANCELLED`]; the caller tells a
//! cancellation from a real missing weight with [`take`].

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

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

/// `Err` when a cancellation was requested: called at the start of every layer.
pub fn check() -> Result<(), super::weights::MissingWeight> {
    if requested() {
        Err(super::weights::MissingWeight(CANCELLED.to_string()))
    } else {
        Ok(())
    }
}
