//! `qkv bench --shapes`: every product shape of a forward pass timed alone (its operands in
//! cache, nothing else running), so that the pass's own time can be set against what its
//! products alone would take at those rates.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

use crate::model::config::Config;
use crate::model::cost::Lengths;
use crate::model::linalg::{self, Backend, MatView};

/// One product shape of a pass: `rows × inner · inner × cols`, how many times a pass
/// multiplies it, and its rate timed alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapeRate {
    /// What the products are (`projection`, `FFN in`, `head QKᵀ`, …).
    pub what: String,
    /// Rows of the left operand.
    pub rows: usize,
    /// Columns of the left operand, rows of the right one.
    pub inner: usize,
    /// Columns of the right operand.
    pub cols: usize,
    /// Products of this shape in one pass.
    pub count: usize,
    /// One attention head's product: run on one thread, heads side by side on the cores.
    pub per_head: bool,
    /// The best rate of one product timed alone, GFLOP/s (on one thread for a head's).
    pub gflops: f64,
}

impl ShapeRate {
    /// FLOP of this shape in one pass.
    pub fn flop(&self) -> f64 {
        2.0 * (self.rows * self.inner * self.cols * self.count) as f64
    }

    /// Seconds this shape's products take in one pass at the rate timed alone (a head's
    /// products on every core at once).
    pub fn seconds(&self, threads: usize) -> f64 {
        let rate = if self.per_head {
            self.gflops * threads.max(1) as f64
        } else {
            self.gflops
        };
        self.flop() / (rate * 1e9).max(1e-12)
    }
}

/// The product shapes of a pass of `config` over `n` tokens (from the architecture, as
/// [`crate::model::cost::flops`] counts them; a test holds the two to the same total), the
/// rate not yet measured.
pub fn of(config: &Config, n: Lengths) -> Vec<ShapeRate> {
    let (d, f, h) = (config.d_model, config.d_ff, config.heads.max(1));
    let dk = d / h;
    let s = n.source;
    let t = if config.arch == crate::model::Arch::EncoderDecoder {
        n.target
    } else {
        n.source
    };
    let mut counts: BTreeMap<(usize, usize, usize, bool, &'static str), usize> = BTreeMap::new();
    let mut add = |what: &'static str, shape: (usize, usize, usize), count: usize, head: bool| {
        *counts
            .entry((shape.0, shape.1, shape.2, head, what))
            .or_default() += count;
    };
    let mut stack = |rows: usize, layers: usize, keys: Option<usize>| {
        // Self-attention over `rows`; with `keys`, a cross-attention block follows.
        add("projection (Q, K, V, O)", (rows, d, d), 4 * layers, false);
        add("head QKᵀ", (rows, dk, rows), h * layers, true);
        add("head weights·V", (rows, rows, dk), h * layers, true);
        if let Some(m) = keys {
            add("projection (Q, O)", (rows, d, d), 2 * layers, false);
            add(
                "projection (K, V of the encoder)",
                (m, d, d),
                2 * layers,
                false,
            );
            add("head QKᵀ", (rows, dk, m), h * layers, true);
            add("head weights·V", (rows, m, dk), h * layers, true);
        }
        add("FFN in", (rows, d, f), layers, false);
        add("FFN out", (rows, f, d), layers, false);
    };
    if config.has_encoder() {
        stack(s, config.layers.encoder, None);
    }
    if config.has_decoder() {
        let cross = config.has_encoder().then_some(s);
        stack(t, config.layers.decoder, cross);
    }
    let out = if config.has_decoder() { t } else { s };
    add("logits", (out, d, n.vocab), 1, false);
    counts
        .into_iter()
        .filter(|(_, c)| *c > 0)
        .map(|((rows, inner, cols, per_head, what), count)| ShapeRate {
            what: what.to_string(),
            rows,
            inner,
            cols,
            count,
            per_head,
            gflops: 0.0,
        })
        .collect()
}

/// Times each shape alone: the best of 5 runs of a few products each, after 2 to warm up;
/// a head's on one thread (as the pass runs it), the others as the model runs them.
pub fn measure(shapes: &mut [ShapeRate]) {
    for s in shapes {
        let a: Vec<f32> = (0..s.rows * s.inner)
            .map(|i| (i % 13) as f32 * 0.01)
            .collect();
        let b: Vec<f32> = (0..s.inner * s.cols)
            .map(|i| (i % 11) as f32 * 0.01)
            .collect();
        let mut out = vec![0.0f32; s.rows * s.cols];
        let (Some(av), Some(bv)) = (
            MatView::row_major(&a, s.rows, s.inner, s.inner),
            MatView::row_major(&b, s.inner, s.cols, s.cols),
        ) else {
            continue;
        };
        let backend = if s.per_head {
            Backend::FaerSequential
        } else {
            Backend::Model
        };
        let one = 2.0 * (s.rows * s.inner * s.cols) as f64;
        // About 5 ms of work per timed run, at least one product.
        let reps = ((5e-3 * 1e11 / one.max(1.0)) as usize).clamp(1, 1000);
        for _ in 0..2 {
            linalg::product_into(backend, av, bv, &mut out);
        }
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            for _ in 0..reps {
                linalg::product_into(backend, av, bv, &mut out);
            }
            best = best.min(t.elapsed().as_secs_f64() / reps as f64);
        }
        std::hint::black_box(&out);
        s.gflops = one / best.max(1e-12) / 1e9;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Arch;
    use crate::model::config::Preset;

    /// The shapes' FLOP add up to what `cost::flops` counts, for every architecture, and
    /// tiny's encoder self-attention has the shapes by hand: d = 16, 2 heads of d_k = 8.
    #[test]
    fn the_shapes_add_up_to_the_passs_flop() {
        for arch in [Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder] {
            let mut c = Config::preset(Preset::Tiny);
            c.arch = arch;
            let n = Lengths {
                source: 5,
                target: 7,
                vocab: 11,
            };
            let shapes = of(&c, n);
            let total: f64 = shapes.iter().map(ShapeRate::flop).sum();
            assert_eq!(
                total,
                crate::model::cost::flops(&c, n).total as f64,
                "{arch}"
            );
        }
        let mut c = Config::preset(Preset::Tiny);
        c.arch = Arch::Encoder;
        let n = Lengths {
            source: 5,
            target: 0,
            vocab: 11,
        };
        let (d, h) = (c.d_model, c.heads);
        let shapes = of(&c, n);
        let find = |what: &str| shapes.iter().find(|s| s.what == what).unwrap();
        let qk = find("head QKᵀ");
        assert_eq!((qk.rows, qk.inner, qk.cols), (5, d / h, 5));
        assert_eq!(qk.count, h * c.layers.encoder);
        assert!(qk.per_head);
        let p = find("projection (Q, K, V, O)");
        assert_eq!(
            (p.rows, p.inner, p.cols, p.count),
            (5, d, d, 4 * c.layers.encoder)
        );
    }

    /// A head's products run on every core at once: at 2 threads its seconds halve.
    #[test]
    fn seconds_at_the_rate_timed_alone() {
        // 2·4·5·6 = 240 FLOP per product, 10 products = 2400 FLOP at 1 GFLOP/s = 2.4 µs.
        let mut s = ShapeRate {
            what: "x".into(),
            rows: 4,
            inner: 5,
            cols: 6,
            count: 10,
            per_head: false,
            gflops: 1.0,
        };
        assert!((s.seconds(2) - 2.4e-6).abs() < 1e-15);
        s.per_head = true;
        assert!((s.seconds(2) - 1.2e-6).abs() < 1e-15);
    }
}
