//! Parameter counts by formula, per component.

use super::config::{Config, Norm};

/// What a row of a parameter count counts (named in the interface's language by
/// `crate::i18n::params`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// The embedding table `embed.E`, shared and tied to the output.
    Embedding,
    /// The encoder's layers: self-attention, FFN and 2 LayerNorms each.
    Encoder {
        /// Layers.
        layers: u64,
    },
    /// The decoder's layers: masked self-attention (+ cross-attention), FFN and 2 (3)
    /// LayerNorms each.
    Decoder {
        /// Layers.
        layers: u64,
        /// With cross-attention (an encoder-decoder model).
        cross: bool,
    },
    /// The final LayerNorm of each stack (pre-LN).
    FinalNorms {
        /// Stacks.
        stacks: u64,
    },
}

/// One line of a parameter count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRow {
    /// What is counted.
    pub component: Component,
    /// How, in symbols.
    pub formula: String,
    /// The formula with the numbers put in.
    pub arithmetic: String,
    /// The count.
    pub count: u64,
}

/// Parameter counts of a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamReport {
    /// Per component, in model order.
    pub rows: Vec<ParamRow>,
    /// Sum of the rows.
    pub total: u64,
    /// Vocabulary size used for the embedding table.
    pub vocab: u64,
}

/// Counts the parameters of `config` with an embedding table of `vocab` tokens, shared by
/// source, target and the tied output projection (paper §3.4). Positional encodings are
/// fixed sinusoids and have no parameters.
pub fn count(config: &Config, vocab: u64) -> ParamReport {
    let d = config.d_model as u64;
    let f = config.d_ff as u64;
    let attn = 4 * d * d;
    let ffn = 2 * d * f + f + d;
    let norm = 2 * d;
    let mut rows = vec![ParamRow {
        component: Component::Embedding,
        formula: "V · d_model".into(),
        arithmetic: format!("{vocab} · {d}"),
        count: vocab * d,
    }];
    if config.has_encoder() {
        let l = config.layers.encoder as u64;
        let per = attn + ffn + 2 * norm;
        rows.push(ParamRow {
            component: Component::Encoder { layers: l },
            formula: "L · (4·d² + (2·d·d_ff + d_ff + d) + 2·2·d)".into(),
            arithmetic: format!("{l} · ({attn} + {ffn} + {})", 2 * norm),
            count: l * per,
        });
    }
    if config.has_decoder() {
        let l = config.layers.decoder as u64;
        let cross = config.has_encoder();
        let (attns, norms) = if cross { (2, 3) } else { (1, 2) };
        let per = attns * attn + ffn + norms * norm;
        rows.push(ParamRow {
            component: Component::Decoder { layers: l, cross },
            formula: format!("L · ({attns}·4·d² + (2·d·d_ff + d_ff + d) + {norms}·2·d)"),
            arithmetic: format!("{l} · ({} + {ffn} + {})", attns * attn, norms * norm),
            count: l * per,
        });
    }
    if config.norm == Norm::Pre {
        let stacks = u64::from(config.has_encoder()) + u64::from(config.has_decoder());
        rows.push(ParamRow {
            component: Component::FinalNorms { stacks },
            formula: "stacks · 2·d".into(),
            arithmetic: format!("{stacks} · {norm}"),
            count: stacks * norm,
        });
    }
    let total = rows.iter().map(|r| r.count).sum();
    ParamReport { rows, total, vocab }
}

/// One row of the paper's Table 3 that changes the model's size: its sizes and the
/// parameter count the paper prints (in millions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table3Row {
    /// The row as the paper labels it (`base`, `(A) N=2`, …).
    pub label: &'static str,
    /// Layers in each stack (N).
    pub layers: usize,
    /// d_model.
    pub d_model: usize,
    /// d_ff.
    pub d_ff: usize,
    /// Heads (h).
    pub heads: usize,
    /// d_k, the width of a head's queries and keys (d_v stays d_model / h).
    pub d_k: usize,
    /// The paper's count, in millions.
    pub paper_millions: f64,
}

const fn t3(
    label: &'static str,
    layers: usize,
    d_model: usize,
    d_ff: usize,
    heads: usize,
    d_k: usize,
    paper_millions: f64,
) -> Table3Row {
    Table3Row {
        label,
        layers,
        d_model,
        d_ff,
        heads,
        d_k,
        paper_millions,
    }
}

/// The rows of the paper's Table 3 that print a parameter count (Vaswani et al. 2017).
pub const TABLE3: &[Table3Row] = &[
    t3("base", 6, 512, 2048, 8, 64, 65.0),
    t3("(B) d_k=16", 6, 512, 2048, 8, 16, 58.0),
    t3("(B) d_k=32", 6, 512, 2048, 8, 32, 60.0),
    t3("(C) N=2", 2, 512, 2048, 8, 64, 36.0),
    t3("(C) N=4", 4, 512, 2048, 8, 64, 50.0),
    t3("(C) N=8", 8, 512, 2048, 8, 64, 80.0),
    t3("(C) d_model=256", 6, 256, 2048, 8, 32, 28.0),
    t3("(C) d_model=1024", 6, 1024, 2048, 8, 128, 168.0),
    t3("(C) d_ff=1024", 6, 512, 1024, 8, 64, 53.0),
    t3("(C) d_ff=4096", 6, 512, 4096, 8, 64, 90.0),
    t3("big", 6, 1024, 4096, 16, 64, 213.0),
];

impl Table3Row {
    /// The encoder-decoder configuration of this row (from `base`, which gives the rest).
    pub fn config(&self, base: &Config) -> Config {
        let mut c = base.clone();
        c.d_model = self.d_model;
        c.d_ff = self.d_ff;
        c.heads = self.heads;
        c.layers.encoder = self.layers;
        c.layers.decoder = self.layers;
        c
    }

    /// This row's count with an embedding table of `vocab` tokens: [`count`] of its
    /// configuration, whose attention has d_k = d_model / h, less what a narrower d_k
    /// saves: each attention block's W_Q and W_K have d_model · h · d_k values each, so
    /// every block (one per encoder layer, two per decoder layer) shrinks by
    /// 2 · d_model · h · (d_model / h − d_k).
    pub fn count(&self, base: &Config, vocab: u64) -> u64 {
        let c = self.config(base);
        let full = count(&c, vocab).total;
        let (d, h) = (self.d_model as u64, self.heads as u64);
        let narrower = (d / h.max(1)).saturating_sub(self.d_k as u64);
        let blocks = 3 * self.layers as u64;
        full - blocks * 2 * d * h * narrower
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::{Arch, Preset};
    use crate::model::weights::Weights;

    #[test]
    fn paper_base_count() {
        // V = 37000, d = 512, d_ff = 2048:
        // embedding 37000·512 = 18,944,000
        // encoder 6 · (4·512² + (2·512·2048 + 2048 + 512) + 4·512) = 6 · 3,150,336 = 18,902,016
        // decoder 6 · (8·512² + 2,099,712 + 6·512) = 6 · 4,199,936 = 25,199,616
        // total 63,045,632
        let r = count(&Config::preset(Preset::Base), 37000);
        let counts: Vec<u64> = r.rows.iter().map(|r| r.count).collect();
        assert_eq!(counts, [18_944_000, 18_902_016, 25_199_616]);
        assert_eq!(r.total, 63_045_632);
    }

    /// Table 3 (B), d_k = 16 at the base sizes: base 63,045,632 less 18 attention blocks
    /// (6 encoder + 2·6 decoder) × 2 · 512 · 8 · (64 − 16) = 18 × 393,216 = 7,077,888:
    /// 55,967,744 (the paper: 58M). Rows with d_k = d_model / h are [`count`] itself.
    #[test]
    fn table3_counts() {
        let base = Config::preset(Preset::Base);
        let row = |label: &str| TABLE3.iter().find(|r| r.label == label).copied().unwrap();
        assert_eq!(row("(B) d_k=16").count(&base, 37000), 55_967_744);
        assert_eq!(row("base").count(&base, 37000), 63_045_632);
        let big = row("big");
        assert_eq!(
            big.count(&base, 37000),
            count(&big.config(&base), 37000).total
        );
    }

    #[test]
    fn formula_matches_the_weights_the_model_builds() {
        for arch in [Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder] {
            for norm in [Norm::Post, Norm::Pre] {
                let mut c = Config::preset(Preset::Tiny);
                c.arch = arch;
                c.norm = norm;
                let r = count(&c, 0);
                assert_eq!(
                    r.total,
                    Weights::init(&c).param_count() as u64,
                    "{arch} {norm}"
                );
            }
        }
    }
}
