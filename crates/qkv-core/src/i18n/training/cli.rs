//! The lines of `qkv translate` and `qkv generate` in both languages (the REPL's `translate`
//! speaks through [`TrainMsg`](super::TrainMsg); these are the command line's own lines,
//! whose English is what it always printed).

use super::Lang;
use crate::model::Arch;

/// One line (or error) of `qkv translate` / `qkv generate`.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeLine {
    /// `prompt: I go` (generate).
    Prompt(String),
    /// `source: 나는 학교에 간다` (translate).
    Source(String),
    /// `sampling: <formula>`.
    Sampling(String),
    /// Greedy decoding, said once.
    Greedy,
    /// The encoder runs once (translate).
    EncoderOnce,
    /// One decoded token: `step 1: <bos> → I (0.910)   top: I 0.910, you 0.050`, with
    /// `[encoder reused]` or `[encoder recomputed]` after the first step of a translation.
    Step {
        /// The step, 1-based.
        i: usize,
        /// The tokens read.
        prefix: String,
        /// The token chosen.
        chosen: String,
        /// Its probability, formatted.
        p: String,
        /// The most likely tokens with their probabilities, formatted.
        top: String,
        /// Whether the encoder's output was reused (`None`: not said).
        reused_encoder: Option<bool>,
    },
    /// The decoding stopped at the length limit.
    LengthLimit,
    /// Words the model's vocabulary lacks, read as `<unk>`.
    Unknown(String),
    /// `translate` given a model that is not an encoder-decoder.
    TranslateNeedsEncoderDecoder(Arch),
    /// `generate` given a model that is not decoder-only.
    GenerateNeedsDecoder(Arch),
}

impl DecodeLine {
    /// One line of every kind, for the catalogue test.
    pub fn samples() -> Vec<DecodeLine> {
        let step = |reused_encoder| DecodeLine::Step {
            i: 2,
            prefix: "<bos> I".into(),
            chosen: "go".into(),
            p: "0.910".into(),
            top: "go 0.910, goes 0.050".into(),
            reused_encoder,
        };
        vec![
            DecodeLine::Prompt("I go".into()),
            DecodeLine::Source("나는 학교에 간다".into()),
            DecodeLine::Sampling("T = 0.8".into()),
            DecodeLine::Greedy,
            DecodeLine::EncoderOnce,
            step(None),
            step(Some(true)),
            step(Some(false)),
            DecodeLine::LengthLimit,
            DecodeLine::Unknown("고양이가".into()),
            DecodeLine::TranslateNeedsEncoderDecoder(Arch::Decoder),
            DecodeLine::GenerateNeedsDecoder(Arch::EncoderDecoder),
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
            DecodeLine::Prompt(t) => format!("prompt: {t}"),
            DecodeLine::Source(t) => format!("source: {t}"),
            DecodeLine::Sampling(f) => format!("sampling: {f}"),
            DecodeLine::Greedy => "greedy: each step takes the most likely next token".into(),
            DecodeLine::EncoderOnce => "the encoder runs once; every later step takes over its output and the cross-attention K and V (a KV cache)".into(),
            DecodeLine::Step {
                i,
                prefix,
                chosen,
                p,
                top,
                reused_encoder,
            } => format!(
                "step {i}: {prefix} → {chosen} ({p})   top: {top}{}",
                match reused_encoder {
                    Some(true) => "  [encoder reused]",
                    Some(false) => "  [encoder recomputed]",
                    None => "",
                }
            ),
            DecodeLine::LengthLimit => "stopped at the length limit before <eos>".into(),
            DecodeLine::Unknown(words) => {
                format!("not in the model's vocabulary (read as <unk>): {words}")
            }
            DecodeLine::TranslateNeedsEncoderDecoder(arch) => format!(
                "translate needs an encoder-decoder model; this checkpoint is {arch} (use `qkv generate` for a decoder)"
            ),
            DecodeLine::GenerateNeedsDecoder(arch) => format!(
                "generate continues text with a decoder-only model; this checkpoint is {arch} (use `qkv translate`, or --checkpoint scenarios/en-next.safetensors, the shipped decoder-only model)"
            ),
        }
    }

    fn ko(&self) -> String {
        match self {
            DecodeLine::Prompt(t) => format!("앞부분: {t}"),
            DecodeLine::Source(t) => format!("원문: {t}"),
            DecodeLine::Sampling(f) => format!("샘플링: {f}"),
            DecodeLine::Greedy => {
                "탐욕(greedy) 디코딩: 단계마다 가장 확률이 높은 다음 토큰을 고릅니다".into()
            }
            DecodeLine::EncoderOnce => "인코더는 한 번만 계산합니다: 그 뒤의 단계는 인코더의 출력과 크로스 어텐션의 K, V를 다시 씁니다 (KV 캐시)".into(),
            DecodeLine::Step {
                i,
                prefix,
                chosen,
                p,
                top,
                reused_encoder,
            } => format!(
                "단계 {i}: {prefix} → {chosen} ({p})   상위: {top}{}",
                match reused_encoder {
                    Some(true) => "  [인코더 재사용]",
                    Some(false) => "  [인코더 다시 계산]",
                    None => "",
                }
            ),
            DecodeLine::LengthLimit => "<eos> 전에 길이 한도에서 멈췄습니다".into(),
            DecodeLine::Unknown(words) => {
                format!("모델의 어휘에 없는 단어 (<unk>로 읽음): {words}")
            }
            DecodeLine::TranslateNeedsEncoderDecoder(arch) => format!(
                "translate에는 인코더-디코더 모델이 필요합니다; 이 체크포인트는 {} 모델입니다 (디코더에는 `qkv generate`를 쓰세요)",
                crate::i18n::ui::arch_name(*arch, Lang::Ko)
            ),
            DecodeLine::GenerateNeedsDecoder(arch) => format!(
                "generate는 디코더 전용 모델로 글을 이어 씁니다; 이 체크포인트는 {} 모델입니다 (`qkv translate`를 쓰거나, 함께 배포되는 디코더 전용 모델 --checkpoint scenarios/en-next.safetensors를 쓰세요)",
                crate::i18n::ui::arch_name(*arch, Lang::Ko)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_decode_line_has_both_texts_with_the_same_numbers() {
        check::both_texts(&DecodeLine::samples(), DecodeLine::text);
    }
}
