//! What a forward pass costs, by formula: floating-point operations of its matrix products,
//! and the bytes its trace keeps. `qkv bench` compares both with measurements.
//!
//! Symbols: d = d_model, f = d_ff, s = source tokens, t = target tokens (decoder side of an
//! encoder-decoder model; a decoder-only model runs its decoder on the s source tokens),
//! V = vocabulary size (columns of `logits`).

use super::config::{Arch, Config, Norm};

/// One line of a cost table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostRow {
    /// What is counted.
    pub component: String,
    /// How, in symbols.
    pub formula: String,
    /// The count.
    pub count: u64,
}

/// A cost table and its total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostReport {
    /// Per component, in model order.
    pub rows: Vec<CostRow>,
    /// Sum of the rows.
    pub total: u64,
}

impl CostReport {
    fn new(rows: Vec<CostRow>) -> CostReport {
        let total = rows.iter().map(|r| r.count).sum();
        CostReport { rows, total }
    }
}

/// The sizes a cost depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lengths {
    /// Source tokens.
    pub source: usize,
    /// Target tokens (encoder-decoder only; ignored otherwise).
    pub target: usize,
    /// Vocabulary size.
    pub vocab: usize,
}

impl Lengths {
    /// Rows of the decoder stack and of `logits`.
    fn decoder_rows(&self, config: &Config) -> u64 {
        if config.arch == Arch::EncoderDecoder {
            self.target as u64
        } else {
            self.source as u64
        }
    }
}

fn row(component: impl Into<String>, formula: impl Into<String>, count: u64) -> CostRow {
    CostRow {
        component: component.into(),
        formula: formula.into(),
        count,
    }
}

/// Floating-point operations of the matrix products of one forward pass: 2·n·k·m for each
/// n × k by k × m product (a multiply and an add per term). Softmax, LayerNorm, the
/// residual sums and the embeddings are O(n·d) or O(h·n²) and not counted (under 2 % at
/// the `base` size).
///
/// Per encoder layer: Q, K, V, O projections 4·2·s·d², scores Q_h·K_hᵀ and weighted sums
/// weights·V_h over all heads 2·2·s²·d, FFN 2·2·s·d·f. Per decoder layer: masked
/// self-attention 8·t·d² + 4·t²·d; cross-attention (encoder-decoder) Q and O 2·2·t·d², K
/// and V 2·2·s·d², scores and weighted sums 2·2·t·s·d; FFN 4·t·d·f. Output: 2·t·d·V.
pub fn flops(config: &Config, n: Lengths) -> CostReport {
    let d = config.d_model as u64;
    let f = config.d_ff as u64;
    let s = n.source as u64;
    let t = n.decoder_rows(config);
    let mut rows = Vec::new();
    if config.has_encoder() {
        let l = config.layers.encoder as u64;
        rows.push(row(
            format!("encoder self-attention × {l}"),
            "L · (8·s·d² + 4·s²·d)",
            l * (8 * s * d * d + 4 * s * s * d),
        ));
        rows.push(row(
            format!("encoder FFN × {l}"),
            "L · 4·s·d·f",
            l * 4 * s * d * f,
        ));
    }
    if config.has_decoder() {
        let l = config.layers.decoder as u64;
        let tn = if config.arch == Arch::EncoderDecoder {
            "t"
        } else {
            "s"
        };
        rows.push(row(
            format!("decoder masked self-attention × {l}"),
            format!("L · (8·{tn}·d² + 4·{tn}²·d)"),
            l * (8 * t * d * d + 4 * t * t * d),
        ));
        if config.has_encoder() {
            rows.push(row(
                format!("decoder cross-attention × {l}"),
                "L · (4·t·d² + 4·s·d² + 4·t·s·d)",
                l * (4 * t * d * d + 4 * s * d * d + 4 * t * s * d),
            ));
        }
        rows.push(row(
            format!("decoder FFN × {l}"),
            format!("L · 4·{tn}·d·f"),
            l * 4 * t * d * f,
        ));
    }
    let out = if config.has_decoder() { t } else { s };
    let on = if config.arch == Arch::EncoderDecoder {
        "t"
    } else {
        "s"
    };
    rows.push(row(
        "output projection (logits)",
        format!("2·{on}·d·V"),
        2 * out * d * n.vocab as u64,
    ));
    CostReport::new(rows)
}

/// Bytes of every attention head's scores and weights, when a trace keeps them (a
/// session's trace, so that the next rerun compares its heads without recomputing the old
/// ones; a pass for a backward pass): two h × n × m matrices per attention block with n
/// query rows and m key rows. Encoder self-attention s × s, decoder self-attention t × t,
/// cross-attention t × s; a decoder-only model's self-attention s × s. Times 4 bytes.
pub fn heads_bytes(config: &Config, n: Lengths) -> u64 {
    let h = config.heads as u64;
    let s = n.source as u64;
    let t = n.decoder_rows(config);
    let mut cells = 0;
    if config.has_encoder() {
        cells += config.layers.encoder as u64 * s * s;
    }
    if config.has_decoder() {
        let cross = if config.has_encoder() { t * s } else { 0 };
        cells += config.layers.decoder as u64 * (t * t + cross);
    }
    4 * 2 * h * cells
}

/// Bytes the trace of one forward pass keeps (f32 values, 4 bytes each), as stored by
/// [`crate::trace`]: `q`, `k`, `v` and `head_out` are kept once each (heads side by side;
/// `concat` shares `head_out`'s buffer, the stream shares the steps' buffers), while the
/// h × n × m `scores`, `scaled`, `masked`, `weights` and the FFN's `relu` are recomputed on
/// access and keep nothing.
///
/// Per token side: embeddings `tokens`, `pos`, `sum` 3·n·d. Per attention block with n
/// query rows and m key rows: q, head_out, out 3·n·d, k, v 2·m·d. Per Add & Norm: sum and
/// out 2·n·d. Per FFN: hidden n·f, out n·d. Pre-LN: a final LayerNorm n·d per stack.
/// Output: logits and probs 2·t·V. Times 4 bytes.
pub fn trace_bytes(config: &Config, n: Lengths) -> CostReport {
    let d = config.d_model as u64;
    let f = config.d_ff as u64;
    let s = n.source as u64;
    let t = n.decoder_rows(config);
    let pre = config.norm == Norm::Pre;
    let mut rows = vec![row("source embeddings", "3·s·d", 3 * s * d)];
    if config.has_encoder() {
        let l = config.layers.encoder as u64;
        rows.push(row(
            format!("encoder layers × {l}"),
            "L · ((3s+2s)·d + 2·2·s·d + s·f + s·d)",
            l * (5 * s * d + 4 * s * d + s * f + s * d),
        ));
        if pre {
            rows.push(row("encoder final LayerNorm", "s·d", s * d));
        }
    }
    if config.has_decoder() {
        let l = config.layers.decoder as u64;
        let (tn, self_attn, addnorms, cross) = if config.has_encoder() {
            ("t", 5 * t * d, 3, 3 * t * d + 2 * s * d)
        } else {
            ("s", 5 * t * d, 2, 0)
        };
        if config.has_encoder() {
            rows.push(row("target embeddings", "3·t·d", 3 * t * d));
            rows.push(row(
                format!("decoder layers × {l}"),
                "L · (5·t·d + (3t+2s)·d + 3·2·t·d + t·f + t·d)",
                l * (self_attn + cross + addnorms * 2 * t * d + t * f + t * d),
            ));
        } else {
            rows.push(row(
                format!("decoder layers × {l}"),
                format!("L · (5·{tn}·d + 2·2·{tn}·d + {tn}·f + {tn}·d)"),
                l * (self_attn + addnorms * 2 * t * d + t * f + t * d),
            ));
        }
        if pre {
            rows.push(row("final LayerNorm", format!("{tn}·d"), t * d));
        }
    }
    let out = if config.has_decoder() { t } else { s };
    rows.push(row("logits and probs", "2·t·V", 2 * out * n.vocab as u64));
    let mut r = CostReport::new(rows);
    for row in &mut r.rows {
        row.count *= 4;
        row.formula = format!("4 B · {}", row.formula);
    }
    r.total *= 4;
    r
}

/// Bytes of the working buffers of the largest block of one forward pass, freed when the
/// block ends: per attention head running (one per thread) its scores and weights 2·n·m
/// (the heads write their outputs straight into `head_out`, which the trace keeps); per
/// FFN the ReLU input of the second product n·f. Times 4 bytes; `threads` heads run at
/// once.
pub fn working_bytes(config: &Config, n: Lengths, threads: usize) -> u64 {
    let f = config.d_ff as u64;
    let s = n.source as u64;
    let t = n.decoder_rows(config);
    let rows = s.max(t);
    let keys = s.max(t);
    let heads_at_once = (threads.max(1) as u64).min(config.heads as u64);
    let attention = heads_at_once * 2 * rows * keys;
    let ffn = rows * f;
    4 * attention.max(ffn)
}

/// Bytes a model of `config` and one forward pass over `n` need at their peak: the weights
/// (4 bytes per parameter, an embedding table of `n.vocab` rows), the trace
/// ([`trace_bytes`]) and the largest block's working buffers ([`working_bytes`]).
pub fn peak_bytes(config: &Config, n: Lengths, threads: usize) -> u64 {
    let weights = super::params::count(config, n.vocab as u64)
        .total
        .saturating_mul(4);
    weights
        .saturating_add(trace_bytes(config, n).total)
        .saturating_add(working_bytes(config, n, threads))
}

/// Bytes one backward pass needs beyond the weights, for an input of sizes `n`: the forward
/// trace it reads (with every head's scores and weights, which a pass for a backward pass
/// keeps: [`trace_bytes`] + [`heads_bytes`]), the gradient of every step (the same shapes
/// again, and the gradients of the four h × n × m per-head steps `scores`, `scaled`,
/// `masked`, `weights`: [`trace_bytes`] + 2 · [`heads_bytes`]), the gradient of every weight
/// and the embedding table it reads (4 bytes per parameter, twice), and the largest block's
/// working buffers.
pub fn backward_extra_bytes(config: &Config, n: Lengths, threads: usize) -> u64 {
    let params = super::params::count(config, n.vocab as u64).total;
    let trace = trace_bytes(config, n).total;
    let heads = heads_bytes(config, n);
    trace
        .saturating_add(heads)
        .saturating_add(trace.saturating_add(heads.saturating_mul(2)))
        .saturating_add(params.saturating_mul(8))
        .saturating_add(working_bytes(config, n, threads))
}

/// Bytes a backward pass over an input of sizes `n` needs at its peak: the weights
/// (4 bytes per parameter) and [`backward_extra_bytes`].
pub fn backward_bytes(config: &Config, n: Lengths, threads: usize) -> u64 {
    super::params::count(config, n.vocab as u64)
        .total
        .saturating_mul(4)
        .saturating_add(backward_extra_bytes(config, n, threads))
}

/// Bytes a training run needs at its peak, for pairs of at most the sizes `n` and `batch`
/// pairs per update of which `at_once` are worked on at the same time (one per thread):
/// the weights, Adam's two moments and the batch's summed gradient (4 bytes per parameter,
/// four times), and for each pair at work a backward pass ([`backward_extra_bytes`]). The
/// pairs' gradients are added into the sum as each group of `at_once` pairs finishes, so
/// the batch's size beyond `at_once` costs no memory.
pub fn training_bytes(config: &Config, n: Lengths, batch: usize, at_once: usize) -> u64 {
    let params = super::params::count(config, n.vocab as u64).total;
    let pairs = batch.min(at_once).max(1) as u64;
    params
        .saturating_mul(16)
        .saturating_add(pairs.saturating_mul(backward_extra_bytes(config, n, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Preset;

    fn tiny(arch: Arch) -> Config {
        let mut c = Config::preset(Preset::Tiny);
        c.arch = arch;
        c.layers.encoder = 1;
        c.layers.decoder = 1;
        c
    }

    /// An encoder of one layer, d = 8, f = 32, 2 heads (d_k = 4), s = 3 tokens, V = 3,
    /// counted product by product:
    /// Q, K, V, O: 4 products 3×8 · 8×8 = 4 · 2·3·8·8 = 1536;
    /// scores: 2 heads of 3×4 · 4×3 = 2 · 2·3·4·3 = 144; weights·V: 2 heads of 3×3 · 3×4 = 144;
    /// FFN: 3×8 · 8×32 and 3×32 · 32×8 = 2 · 2·3·8·32 = 3072; logits 3×8 · 8×3 = 144.
    /// Total 1536 + 288 + 3072 + 144 = 5040.
    #[test]
    fn flops_of_a_one_layer_encoder_by_hand() {
        let r = flops(
            &tiny(Arch::Encoder),
            Lengths {
                source: 3,
                target: 0,
                vocab: 3,
            },
        );
        let counts: Vec<u64> = r.rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, [1536 + 288, 3072, 144]);
        assert_eq!(r.total, 5040);
    }

    /// Encoder-decoder, one layer each, d = 8, f = 32, s = 3, t = 2, V = 5.
    /// Encoder as above: 1824 + 3072. Decoder self-attention: Q, K, V, O 4 · 2·2·8·8 = 1024;
    /// per head scores 2×4 · 4×2 = 2·2·4·2 = 32 and sums 2×2 · 2×4 = 32, 2 heads → 128;
    /// 1152. Cross-attention: Q, O 2 · 2·2·8·8 = 512; K, V 2 · 2·3·8·8 = 768; per head
    /// scores 2×4 · 4×3 = 48 and sums 2×3 · 3×4 = 48, 2 heads → 192; 1472.
    /// FFN 2 · 2·2·8·32 = 2048. Logits 2·2·8·5 = 160.
    #[test]
    fn flops_of_an_encoder_decoder_by_hand() {
        let r = flops(
            &tiny(Arch::EncoderDecoder),
            Lengths {
                source: 3,
                target: 2,
                vocab: 5,
            },
        );
        let counts: Vec<u64> = r.rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, [1824, 3072, 1152, 1472, 2048, 160]);
    }

    /// Every head kept: 2 matrices · 4 bytes per cell. The one-layer encoder of 2 heads on 3
    /// tokens: 2 · 3 · 3 = 18 cells → 144 bytes. The encoder-decoder of 2 heads, one layer
    /// each, s = 3, t = 4: encoder 2 · 3·3 = 18, decoder self 2 · 4·4 = 32, cross 2 · 4·3 =
    /// 24, 74 cells → 592 bytes; a decoder-only model of one layer on 3 tokens: 18 cells → 144
    /// bytes. `base` (8 heads, 6 + 6 layers) on 512 + 512 tokens: 18
    /// blocks of 8 · 512 · 512 cells, 2 · 4 bytes each → 288 MiB.
    #[test]
    fn heads_bytes_by_hand() {
        let n = |source, target| Lengths {
            source,
            target,
            vocab: 3,
        };
        assert_eq!(heads_bytes(&tiny(Arch::Encoder), n(3, 0)), 144);
        assert_eq!(heads_bytes(&tiny(Arch::EncoderDecoder), n(3, 4)), 592);
        // Decoder-only: its one layer's self-attention on the 3 source tokens, 18 cells.
        assert_eq!(heads_bytes(&tiny(Arch::Decoder), n(3, 4)), 144);
        let base = Config::preset(Preset::Base);
        assert_eq!(heads_bytes(&base, n(512, 512)), 288 << 20);
    }

    /// Encoder, one layer, d = 8, f = 32, s = 3, V = 3 (post-LN):
    /// embeddings 3·3·8 = 72; q, head_out, out 3·3·8 = 72; k, v 2·3·8 = 48; two Add & Norm
    /// 2·2·3·8 = 96; hidden 3·32 = 96, ffn.out 3·8 = 24; logits, probs 2·3·3 = 18.
    /// 72 + 336 + 18 = 426 values = 1704 bytes.
    #[test]
    fn trace_bytes_of_a_one_layer_encoder_by_hand() {
        let r = trace_bytes(
            &tiny(Arch::Encoder),
            Lengths {
                source: 3,
                target: 0,
                vocab: 3,
            },
        );
        assert_eq!(r.total, 1704);
    }
}
