//! The machine's memory bandwidth (a streaming read of a buffer far larger than any cache) and the fraction of it a forward pass uses to read its weights.

use super::*;

/// Bytes of the buffer the streaming read goes through: far larger than any cache.
pub const STREAM_BYTES: usize = 256 << 20;

/// The machine's memory bandwidth and how much of it a forward pass uses to read its weights
/// (what bounds a pass over a few tokens: each weight is read once and used a few times).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bandwidth {
    /// Best streaming read of [`STREAM_BYTES`] on every thread, GB/s (10⁹ bytes per second).
    pub stream_read_gbs: f64,
    /// Bytes a forward pass reads at least: every weight once (parameters × 4).
    pub pass_weight_bytes: u64,
    /// `pass_weight_bytes` over the forward pass's median time, GB/s.
    pub pass_read_gbs: f64,
    /// `pass_read_gbs / stream_read_gbs`.
    pub fraction: f64,
}

impl Bandwidth {
    /// The figures of a pass that reads `bytes` in `forward_ms` on a machine that streams
    /// `stream_gbs`.
    pub fn of(bytes: u64, forward_ms: f64, stream_gbs: f64) -> Bandwidth {
        let pass = bytes as f64 / (forward_ms / 1e3).max(1e-12) / 1e9;
        Bandwidth {
            stream_read_gbs: stream_gbs,
            pass_weight_bytes: bytes,
            pass_read_gbs: pass,
            fraction: if stream_gbs > 0.0 {
                pass / stream_gbs
            } else {
                0.0
            },
        }
    }
}

/// The best of `rounds` streaming reads of a [`STREAM_BYTES`] buffer, each thread summing its
/// share with 8 independent lanes (so the adds keep up with memory), in GB/s.
pub fn stream_read_gbs(rounds: usize) -> f64 {
    let data: Vec<f32> = (0..STREAM_BYTES / 4).map(|i| (i % 7) as f32).collect();
    let threads = linalg::threads().max(1);
    let share = data.len().div_ceil(threads);
    let mut best = f64::INFINITY;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let total: f32 = std::thread::scope(|s| {
            let parts: Vec<_> = data
                .chunks(share)
                .map(|part| {
                    s.spawn(move || {
                        let mut lanes = [0.0f32; 8];
                        let mut chunks = part.chunks_exact(8);
                        for c in &mut chunks {
                            for (l, x) in lanes.iter_mut().zip(c) {
                                *l += x;
                            }
                        }
                        lanes.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
                    })
                })
                .collect();
            parts.into_iter().map(|p| p.join().unwrap_or(0.0)).sum()
        });
        std::hint::black_box(total);
        best = best.min(t.elapsed().as_secs_f64());
    }
    STREAM_BYTES as f64 / best.max(1e-12) / 1e9
}
