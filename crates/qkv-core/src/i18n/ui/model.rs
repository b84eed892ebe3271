//! The model's summary, the step labels and the pipeline tree's headings in both languages.

use super::*;

/// An architecture's name in `lang` (`encoder-decoder`, `인코더-디코더`).
pub fn arch_name(a: Arch, lang: Lang) -> String {
    match lang {
        Lang::En => a.to_string(),
        Lang::Ko => arch_ko(a).to_string(),
    }
}

/// A mask's name in Korean.
pub(super) fn mask_ko(m: MaskKind) -> &'static str {
    match m {
        MaskKind::None => "없음",
        MaskKind::Causal => "인과",
    }
}

/// An architecture's name in Korean.
pub(super) fn arch_ko(a: Arch) -> &'static str {
    match a {
        Arch::Encoder => "인코더",
        Arch::Decoder => "디코더",
        Arch::EncoderDecoder => "인코더-디코더",
    }
}

/// The model in one line, in `lang` (English: [`Config::summary`]); `level` 0 is the full
/// line, 1 shorter (`h 2 · L 2+2`), 2 the shortest (`d 8 · h 2 · ff 32`).
pub fn model_summary(c: &Config, lang: Lang, level: u8) -> String {
    let layers = match c.arch {
        Arch::Encoder => c.layers.encoder.to_string(),
        Arch::Decoder => c.layers.decoder.to_string(),
        Arch::EncoderDecoder => format!("{}+{}", c.layers.encoder, c.layers.decoder),
    };
    let mask = match c.arch {
        Arch::Encoder => mask_ko(c.mask).to_string(),
        Arch::Decoder => mask_ko(c.dec_mask).to_string(),
        Arch::EncoderDecoder => {
            format!("인코더 {}, 디코더 {}", mask_ko(c.mask), mask_ko(c.dec_mask))
        }
    };
    match lang {
        Lang::En => c.summary(),
        Lang::Ko => {
            let sizes = match level {
                0 => format!(
                    "d_model {} · 헤드 {} · d_k {} · d_ff {} · 층 {layers}",
                    c.d_model,
                    c.heads,
                    c.d_k(),
                    c.d_ff
                ),
                1 => format!(
                    "d_model {} · h {} · d_k {} · d_ff {} · L {layers}",
                    c.d_model,
                    c.heads,
                    c.d_k(),
                    c.d_ff
                ),
                _ => format!(
                    "d {} · h {} · ff {} · L {layers}",
                    c.d_model, c.heads, c.d_ff
                ),
            };
            // The shortest line of an encoder-decoder leaves the architecture to the mask's
            // "인코더 …, 디코더 …" (`인코더-디코더 · ` does not fit in 80 columns).
            let arch = if level >= 2 && c.arch == Arch::EncoderDecoder {
                String::new()
            } else {
                format!("{} · ", arch_ko(c.arch))
            };
            format!(
                "{arch}{sizes} · {}-LN{}{}{} · 마스킹 {mask}",
                c.norm,
                if c.positional == Positional::None {
                    " · 위치 인코딩 없음"
                } else {
                    ""
                },
                match (c.scale, level) {
                    (true, 0) => " · ÷√d_k",
                    (true, _) => "",
                    (false, _) => " · 스케일링 없음",
                },
                if c.embed_scale { " · ×√d" } else { "" },
            )
        }
    }
}

/// What a step computes, as the pipeline tree and the matrix title name it; in Korean with
/// the English term beside the article's term when `first`.
pub fn step_label(kind: StepKind, final_norm: bool, lang: Lang, first: bool) -> String {
    let t = |term: Term| term.text(lang, first);
    match lang {
        Lang::En => match kind {
            StepKind::TokenEmbedding => "token vectors",
            StepKind::Positional => "positional enc.",
            StepKind::EmbeddingSum => "tokens + PE",
            StepKind::Query => "Q",
            StepKind::Key => "K",
            StepKind::Value => "V",
            StepKind::Scores => "scores QKᵀ",
            StepKind::Scaled => "÷√d_k",
            StepKind::Masked => "mask",
            StepKind::Weights => "softmax",
            StepKind::HeadOut => "×V",
            StepKind::Concat => "concat",
            StepKind::AttnOut => "W_O",
            StepKind::ResidualSum => "sum x + f(x)",
            StepKind::LayerNorm if final_norm => "final norm",
            StepKind::LayerNorm => "norm",
            StepKind::FfnHidden => "x·W1 + b1",
            StepKind::FfnRelu => "ReLU",
            StepKind::FfnSilu => "SiLU",
            StepKind::FfnGelu => "GELU",
            StepKind::FfnGeluTanh => "GELU (tanh)",
            StepKind::TokenTypes => "token types",
            StepKind::FfnOut => "·W2 + b2",
            StepKind::Logits => "logits x·Eᵀ",
            StepKind::Probs => "probs",
        }
        .to_string(),
        Lang::Ko => match kind {
            StepKind::TokenEmbedding => format!("토큰 {}", t(Term::Embedding)),
            StepKind::Positional => t(Term::PositionalEncoding),
            StepKind::EmbeddingSum => "토큰 + 위치".to_string(),
            StepKind::Query => format!("{} Q", t(Term::Query)),
            StepKind::Key => format!("{} K", t(Term::Key)),
            StepKind::Value => format!("{} V", t(Term::Value)),
            StepKind::Scores => {
                if first {
                    "스코어(score) QKᵀ".to_string()
                } else {
                    "스코어 QKᵀ".to_string()
                }
            }
            StepKind::Scaled => format!("{} ÷√d_k", t(Term::Scaling)),
            StepKind::Masked => t(Term::Masking),
            StepKind::Weights => t(Term::Softmax),
            StepKind::HeadOut => "×V".to_string(),
            StepKind::Concat => "헤드 이어 붙이기".to_string(),
            StepKind::AttnOut => "W_O".to_string(),
            StepKind::ResidualSum => "합 x + f(x)".to_string(),
            StepKind::LayerNorm if final_norm => format!("최종 {}", t(Term::LayerNorm)),
            StepKind::LayerNorm => t(Term::LayerNorm),
            StepKind::FfnHidden => "x·W1 + b1".to_string(),
            StepKind::FfnRelu => "ReLU".to_string(),
            StepKind::FfnSilu => "SiLU".to_string(),
            StepKind::FfnGelu => "GELU".to_string(),
            StepKind::FfnGeluTanh => "GELU(tanh 근사)".to_string(),
            StepKind::TokenTypes => "토큰 타입(문장 A/B)".to_string(),
            StepKind::FfnOut => "·W2 + b2".to_string(),
            StepKind::Logits => "로짓 x·Eᵀ".to_string(),
            StepKind::Probs => "확률".to_string(),
        },
    }
}

/// Every step kind, for the catalogue test.
pub const STEP_KINDS: [StepKind; 24] = [
    StepKind::TokenEmbedding,
    StepKind::Positional,
    StepKind::EmbeddingSum,
    StepKind::Query,
    StepKind::Key,
    StepKind::Value,
    StepKind::Scores,
    StepKind::Scaled,
    StepKind::Masked,
    StepKind::Weights,
    StepKind::HeadOut,
    StepKind::Concat,
    StepKind::AttnOut,
    StepKind::ResidualSum,
    StepKind::LayerNorm,
    StepKind::FfnHidden,
    StepKind::FfnRelu,
    StepKind::FfnSilu,
    StepKind::FfnGelu,
    StepKind::FfnGeluTanh,
    StepKind::TokenTypes,
    StepKind::FfnOut,
    StepKind::Logits,
    StepKind::Probs,
];

/// A heading of the pipeline tree (the English labels the tree is built with: `Encoder
/// layer 0`, `Masked self-attention`, `Add & Norm 2`, …) in `lang`; in Korean with the
/// English term beside it when `first`. `None` for a label the catalogue does not know.
pub fn tree_heading(english: &str, lang: Lang, first: bool) -> Option<String> {
    if lang == Lang::En {
        return Some(english.to_string());
    }
    let t = |term: Term| term.text(lang, first);
    let fixed = match english {
        "Embedding + PE" => Some(format!(
            "{}+{}",
            t(Term::Embedding),
            Term::PositionalEncoding.ko()
        )),
        "Decoder embedding + PE" => Some(format!("{} 임베딩+위치", t(Term::Decoder))),
        "Encoder output" => Some(format!("{} 출력", t(Term::Encoder))),
        "Output" => Some("출력".to_string()),
        "Attention (hand-check)" => Some("어텐션 (손 계산)".to_string()),
        "Self-attention" => Some(if first {
            "셀프 어텐션(self-attention)".to_string()
        } else {
            "셀프 어텐션".to_string()
        }),
        "Masked self-attention" => Some(format!("{} 셀프 어텐션", Term::Masking.ko())),
        "Self-attention (mask off)" => Some("셀프 어텐션 (마스킹 끔)".to_string()),
        "Cross-attention" => Some(if first {
            "크로스 어텐션(cross-attention)".to_string()
        } else {
            "크로스 어텐션".to_string()
        }),
        "Feed-forward" => Some(t(Term::FeedForward)),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    if let Some(l) = english.strip_prefix("Encoder layer ") {
        return Some(format!("{} 층 {l}", t(Term::Encoder)));
    }
    if let Some(l) = english.strip_prefix("Decoder layer ") {
        return Some(format!("{} 층 {l}", t(Term::Decoder)));
    }
    if let Some(k) = english.strip_prefix("Add & Norm ") {
        return Some(if first {
            format!("잔차+정규화(Add & Norm) {k}")
        } else {
            format!("잔차+정규화 {k}")
        });
    }
    None
}
