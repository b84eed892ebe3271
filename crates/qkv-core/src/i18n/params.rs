//! What a parameter count says, in English and Korean: the name of each counted component
//! (the rows of `qkv params` and of the REPL's `params`, drawn by the one [`rows`]) and the
//! lines `qkv params` prints around them. Formulas, numbers and weight names stay as they are
//! in both languages.

use super::Lang;
use crate::model::params::{Component, ParamReport};

/// One line of a parameter count.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamsMsg {
    /// The name of a row.
    Component(Component),
    /// `qkv params`'s first line: the model counted.
    Heading {
        /// The preset's name.
        preset: String,
        /// The architecture.
        arch: String,
        /// d_model.
        d_model: usize,
        /// Heads.
        heads: usize,
        /// d_ff.
        d_ff: usize,
        /// Encoder layers.
        encoder: usize,
        /// Decoder layers.
        decoder: usize,
        /// Vocabulary size.
        vocab: u64,
    },
    /// The total, `(63.05M)` given as printed.
    Total(String),
    /// What has no parameters: the tied output projection and the fixed positional encoding.
    NotCounted,
    /// The base model against the paper's 65M: the count, the difference and the percentage,
    /// as printed.
    Paper {
        /// The count in millions.
        count: String,
        /// The difference in millions, signed.
        diff: String,
        /// The difference in percent, signed.
        percent: String,
    },
    /// `--table3`'s first line.
    Table3Heading {
        /// Vocabulary size.
        vocab: u64,
    },
    /// `--table3`'s column heading `row` (the other columns are symbols).
    Table3Row,
    /// `--table3`'s column headings `counted` and `paper`.
    Table3Counted,
    /// `--table3`'s column heading `paper`.
    Table3Paper,
    /// `--table3`'s column heading `diff`.
    Table3Diff,
    /// Why the counts differ from the paper's.
    Table3Why {
        /// Millions per 1000 vocabulary tokens, as printed.
        per_thousand: String,
        /// d_model.
        d_model: usize,
    },
}

impl ParamsMsg {
    /// One line of every kind, for the catalogue test.
    pub fn samples() -> Vec<ParamsMsg> {
        vec![
            ParamsMsg::Component(Component::Embedding),
            ParamsMsg::Component(Component::Encoder { layers: 6 }),
            ParamsMsg::Component(Component::Encoder { layers: 1 }),
            ParamsMsg::Component(Component::Decoder {
                layers: 6,
                cross: true,
            }),
            ParamsMsg::Component(Component::Decoder {
                layers: 2,
                cross: false,
            }),
            ParamsMsg::Component(Component::FinalNorms { stacks: 2 }),
            ParamsMsg::Heading {
                preset: "base".into(),
                arch: "encoder-decoder".into(),
                d_model: 512,
                heads: 8,
                d_ff: 2048,
                encoder: 6,
                decoder: 6,
                vocab: 37000,
            },
            ParamsMsg::Total("63.05M".into()),
            ParamsMsg::NotCounted,
            ParamsMsg::Paper {
                count: "63.05".into(),
                diff: "-1.95".into(),
                percent: "-3.0".into(),
            },
            ParamsMsg::Table3Heading { vocab: 37000 },
            ParamsMsg::Table3Row,
            ParamsMsg::Table3Counted,
            ParamsMsg::Table3Paper,
            ParamsMsg::Table3Diff,
            ParamsMsg::Table3Why {
                per_thousand: "0.512".into(),
                d_model: 512,
            },
        ]
    }

    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(&self) -> String {
        match self {
            ParamsMsg::Component(Component::Embedding) => {
                "embedding table embed.E (shared, tied to the output)".into()
            }
            ParamsMsg::Component(Component::Encoder { layers }) => format!(
                "encoder: {layers} {} × (self-attention + FFN + 2 LayerNorms)",
                if *layers == 1 { "layer" } else { "layers" }
            ),
            ParamsMsg::Component(Component::Decoder { layers, cross }) => format!(
                "decoder: {layers} {} × ({})",
                if *layers == 1 { "layer" } else { "layers" },
                if *cross {
                    "masked self-attention + cross-attention + FFN + 3 LayerNorms"
                } else {
                    "masked self-attention + FFN + 2 LayerNorms"
                }
            ),
            ParamsMsg::Component(Component::FinalNorms { stacks }) => {
                format!("final LayerNorm of each stack ({stacks})")
            }
            ParamsMsg::Heading {
                preset,
                arch,
                d_model,
                heads,
                d_ff,
                encoder,
                decoder,
                vocab,
            } => format!(
                "parameters of {preset} ({arch}, d_model {d_model}, heads {heads}, d_ff {d_ff}, layers {encoder}+{decoder}, vocabulary {vocab})"
            ),
            ParamsMsg::Total(m) => format!("total ({m})"),
            ParamsMsg::NotCounted => "output projection: tied to embed.E (paper §3.4), 0 extra; positional encoding: fixed sinusoids, 0".into(),
            ParamsMsg::Paper {
                count,
                diff,
                percent,
            } => format!(
                "the paper reports 65M for the base model (Table 3): this count is {count}M, {diff}M ({percent}%) from it"
            ),
            ParamsMsg::Table3Heading { vocab } => format!(
                "The paper's Table 3, counted (encoder-decoder, shared vocabulary of {vocab} tokens):"
            ),
            ParamsMsg::Table3Row => "row".into(),
            ParamsMsg::Table3Counted => "counted".into(),
            ParamsMsg::Table3Paper => "paper".into(),
            ParamsMsg::Table3Diff => "diff".into(),
            ParamsMsg::Table3Why {
                per_thousand,
                d_model,
            } => format!(
                "Why they differ: the paper rounds to millions and does not give its formula. This count shares one embedding table between encoder, decoder and output (§3.4; separate tables would add V·d_model per table), has no biases in the attention projections, and its positional encoding is fixed (0 parameters). The vocabulary matters most: every 1000 tokens is {per_thousand}M at d_model {d_model} (--vocab changes it)."
            ),
        }
    }

    fn ko(&self) -> String {
        match self {
            ParamsMsg::Component(Component::Embedding) => {
                "임베딩 표 embed.E (공유, 출력과 묶임)".into()
            }
            ParamsMsg::Component(Component::Encoder { layers }) => format!(
                "인코더: 층 {layers}개 × (셀프 어텐션 + FFN + 층 정규화 2개)"
            ),
            ParamsMsg::Component(Component::Decoder { layers, cross }) => format!(
                "디코더: 층 {layers}개 × ({})",
                if *cross {
                    "마스킹된 셀프 어텐션 + 크로스 어텐션 + FFN + 층 정규화 3개"
                } else {
                    "마스킹된 셀프 어텐션 + FFN + 층 정규화 2개"
                }
            ),
            ParamsMsg::Component(Component::FinalNorms { stacks }) => {
                format!("각 스택의 마지막 층 정규화 ({stacks}개)")
            }
            ParamsMsg::Heading {
                preset,
                arch,
                d_model,
                heads,
                d_ff,
                encoder,
                decoder,
                vocab,
            } => format!(
                "{preset}의 매개변수 ({arch}, d_model {d_model}, 헤드 {heads}개, d_ff {d_ff}, 층 {encoder}+{decoder}, 어휘 {vocab}개)"
            ),
            ParamsMsg::Total(m) => format!("합계 ({m})"),
            ParamsMsg::NotCounted => "출력 투영: embed.E와 묶여 있어 추가 0개 (논문 §3.4); 위치 인코딩: 고정된 사인파라 0개".into(),
            ParamsMsg::Paper {
                count,
                diff,
                percent,
            } => format!(
                "논문은 base 모델을 65M으로 적습니다 (Table 3): 이 계산은 {count}M으로, 논문과 {diff}M ({percent}%) 차이입니다"
            ),
            ParamsMsg::Table3Heading { vocab } => format!(
                "논문의 Table 3을 세어 봅니다 (인코더-디코더, 공유 어휘 토큰 {vocab}개):"
            ),
            ParamsMsg::Table3Row => "행".into(),
            ParamsMsg::Table3Counted => "계산".into(),
            ParamsMsg::Table3Paper => "논문".into(),
            ParamsMsg::Table3Diff => "차이".into(),
            ParamsMsg::Table3Why {
                per_thousand,
                d_model,
            } => format!(
                "차이가 나는 까닭: 논문은 백만 단위로 반올림하고 식을 밝히지 않습니다. 이 계산은 인코더, 디코더, 출력이 임베딩 표 하나를 함께 쓰고 (§3.4; 표를 따로 두면 표마다 V·d_model이 더해집니다), 어텐션 투영에 편향이 없으며, 위치 인코딩은 고정입니다 (매개변수 0개). 가장 큰 차이는 어휘 크기에서 옵니다: d_model {d_model}에서 토큰 1000개마다 {per_thousand}M입니다 (--vocab으로 바꿉니다)."
            ),
        }
    }
}

/// The rows of a parameter count, two lines each: the count and the component, then the
/// formula and its arithmetic; `count` writes a number (`63045632` or `63,045,632`). The
/// REPL's `params` and `qkv params` both print these.
pub fn rows(r: &ParamReport, lang: Lang, count: impl Fn(u64) -> String) -> String {
    let mut out = String::new();
    for row in &r.rows {
        out.push_str(&format!(
            "  {:>12}  {}\n  {:>12}    = {} = {}\n",
            count(row.count),
            ParamsMsg::Component(row.component).text(lang),
            "",
            row.formula,
            row.arithmetic
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_params_line_has_both_texts_with_the_same_numbers() {
        // The column headings are single words, checked for Hangul and a difference only.
        check::both_texts(&ParamsMsg::samples(), ParamsMsg::text);
    }

    #[test]
    fn one_layer_is_singular() {
        let m = ParamsMsg::Component(Component::Encoder { layers: 1 });
        assert_eq!(
            m.text(Lang::En),
            "encoder: 1 layer × (self-attention + FFN + 2 LayerNorms)"
        );
        assert_eq!(
            m.text(Lang::Ko),
            "인코더: 층 1개 × (셀프 어텐션 + FFN + 층 정규화 2개)"
        );
    }
}
