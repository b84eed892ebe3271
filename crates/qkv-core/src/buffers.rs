//! Recycled f32 buffers: when a trace is dropped, its matrices come back here, and the
//! next forward pass of the same shapes takes them instead of asking the system for fresh
//! memory.
//!
//! Fresh memory costs a page fault per 4 KiB page on first write; on a virtual machine that
//! is about 0.35 ms per MiB, a third of a forward pass at `base` with 128 tokens (measured
//! with `qkv bench`). Reruns (after a toggle, or the bench's repeats) reuse the buffers of
//! the trace they replace.
//!
//! The pool keeps at most [`MAX_BYTES`], in buckets of equal length, and only buffers that
//! were handed back; [`zeroed`] gives zeroed memory, [`recycled`] (for outputs written in
//! full) memory as it was. Values never depend on where a buffer came from.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Most bytes the pool keeps (above it, returned buffers are freed).
pub const MAX_BYTES: usize = 256 << 20;

/// Buffers shorter than this are not pooled (the allocator reuses small blocks itself).
pub const MIN_LEN: usize = 16 << 10;

#[derive(Default)]
struct Pool {
    by_len: HashMap<usize, Vec<Vec<f32>>>,
    bytes: usize,
}

fn pool() -> &'static Mutex<Pool> {
    static POOL: OnceLock<Mutex<Pool>> = OnceLock::new();
    POOL.get_or_init(|| Mutex::new(Pool::default()))
}

/// A zeroed buffer of `len` values, recycled when one of that length is in the pool.
pub fn zeroed(len: usize) -> Vec<f32> {
    if len >= MIN_LEN
        && let Ok(mut p) = pool().lock()
        && let Some(mut v) = p.by_len.get_mut(&len).and_then(Vec::pop)
    {
        p.bytes -= v.capacity() * 4;
        drop(p);
        v.clear();
        v.resize(len, 0.0);
        return v;
    }
    vec![0.0; len]
}

/// A buffer of `len` values for a caller that overwrites every one of them (a product's
/// output): a recycled buffer keeps its old values, which saves clearing it; a fresh one
/// is zeroed.
pub fn recycled(len: usize) -> Vec<f32> {
    if len >= MIN_LEN
        && let Ok(mut p) = pool().lock()
        && let Some(v) = p.by_len.get_mut(&len).and_then(Vec::pop)
    {
        p.bytes -= v.capacity() * 4;
        return v;
    }
    vec![0.0; len]
}

/// Hands a buffer back for reuse (freed instead when the pool is full or it is small).
pub fn give_back(v: Vec<f32>) {
    let len = v.len();
    if len < MIN_LEN || v.capacity() != len {
        return;
    }
    if let Ok(mut p) = pool().lock()
        && p.bytes + len * 4 <= MAX_BYTES
    {
        p.bytes += len * 4;
        p.by_len.entry(len).or_default().push(v);
    }
}

/// Bytes of the block [`keep_freed_memory`] allocates and frees.
pub const KEEP_FREED_BYTES: usize = 4 << 20;

/// Lets the system allocator keep memory the program frees, for the next allocations, instead
/// of returning it to the system at once. Called once by `qkv`'s `main`.
///
/// Why: a training step allocates and frees a few MiB of small matrices (its gradients and
/// products, each below the pool's [`MIN_LEN`]). glibc's heap returns free memory above 128
/// KiB to the system at every free, so the next step takes the same memory back through page
/// faults, about a fifth of the backward pass at `small` with 64 tokens (measured in
/// `docs/performance.md`). glibc raises that limit by itself, to twice the size of the
/// largest block that had its own mapping (≥ 128 KiB) when it is freed (its dynamic mmap
/// threshold, mallopt(3)); this function frees one such block of [`KEEP_FREED_BYTES`], so
/// the heap keeps up to 8 MiB of freed memory, and blocks under 4 MiB come from the heap.
/// `mallopt` would say the same directly, but it needs `unsafe`, which the crates forbid.
/// With another allocator this allocates and frees 4 MiB (zeroed by the system, never
/// touched), nothing else. Values never depend on it.
pub fn keep_freed_memory() {
    let block: Vec<u8> = std::hint::black_box(vec![0u8; KEEP_FREED_BYTES]);
    drop(std::hint::black_box(block));
}

/// Bytes the pool keeps now.
pub fn pooled_bytes() -> usize {
    pool().lock().map_or(0, |p| p.bytes)
}

/// Frees every pooled buffer.
pub fn clear() {
    if let Ok(mut p) = pool().lock() {
        p.by_len.clear();
        p.bytes = 0;
    }
}

/// The `rows × cols` matrix over `data`, a buffer its caller filled with exactly
/// `rows · cols` values (from [`recycled`] or [`zeroed`] with that length).
///
/// The length is proved at every call site, so a mismatch is a bug in qkv, not bad input: it
/// stops with the invariant's reason instead of handing on plausible zeros.
///
/// # Shapes
/// `data`: rows · cols values → rows × cols.
pub fn into_matrix(shape: (usize, usize), data: Vec<f32>) -> ndarray::Array2<f32> {
    let len = data.len();
    ndarray::Array2::from_shape_vec(shape, data).unwrap_or_else(|_| {
        panic!(
            "invariant: a buffer of rows · cols values (got {len} for a {}×{} matrix)",
            shape.0, shape.1
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test for the whole (process-wide) pool, so that parallel tests do not race.
    #[test]
    fn buffers_come_back_zeroed_and_the_pool_is_bounded() {
        let len = MIN_LEN + 12_345; // a length no other test uses
        let mut v = zeroed(len);
        v[7] = 3.0;
        let ptr = v.as_ptr();
        give_back(v);
        let w = zeroed(len);
        assert_eq!(w.as_ptr(), ptr, "the same memory");
        assert!(w.iter().all(|x| *x == 0.0));
        let mut w = w;
        w[9] = 5.0;
        give_back(w);
        let r = recycled(len);
        assert_eq!(
            (r.as_ptr(), r.len(), r[9]),
            (ptr, len, 5.0),
            "kept as it was"
        );
        let w = r;
        give_back(vec![1.0; 10]); // small: not kept
        let big = MAX_BYTES / 4 + 1;
        give_back(vec![0.0; big]); // over the bound: freed
        assert!(pooled_bytes() <= MAX_BYTES);
        drop(w);
    }
}
