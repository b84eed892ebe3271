//! Parameter counts by formula, per component.

use super::config::{Config, Norm};

/// One line of a parameter count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRow {
    /// What is counted.
    pub component: String,
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
        component: "embedding table embed.E (shared, tied to the output)".into(),
        formula: "V · d_model".into(),
        arithmetic: format!("{vocab} · {d}"),
        count: vocab * d,
    }];
    if config.has_encoder() {
        let l = config.layers.encoder as u64;
        let per = attn + ffn + 2 * norm;
        rows.push(ParamRow {
            component: format!("encoder: {l} layers × (self-attention + FFN + 2 LayerNorms)"),
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
        let what = if cross {
            "masked self-attention + cross-attention + FFN + 3 LayerNorms"
        } else {
            "masked self-attention + FFN + 2 LayerNorms"
        };
        rows.push(ParamRow {
            component: format!("decoder: {l} layers × ({what})"),
            formula: format!("L · ({attns}·4·d² + (2·d·d_ff + d_ff + d) + {norms}·2·d)"),
            arithmetic: format!("{l} · ({} + {ffn} + {})", attns * attn, norms * norm),
            count: l * per,
        });
    }
    if config.norm == Norm::Pre {
        let stacks = u64::from(config.has_encoder()) + u64::from(config.has_decoder());
        rows.push(ParamRow {
            component: format!("final LayerNorm of each stack ({stacks})"),
            formula: "stacks · 2·d".into(),
            arithmetic: format!("{stacks} · {norm}"),
            count: stacks * norm,
        });
    }
    let total = rows.iter().map(|r| r.count).sum();
    ParamReport { rows, total, vocab }
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
