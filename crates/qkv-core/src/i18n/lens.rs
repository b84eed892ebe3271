//! The lines of the logit lens (`qkv lens`): its heading, each position's table heading and
//! the table's row labels.

use super::Lang;

/// One line (or label) of the logit lens.
#[derive(Debug, Clone, PartialEq)]
pub enum LensLine {
    /// What the lens is, with the readout's formula (`final_norm(x) · embed.Eᵀ`).
    Intro {
        /// The formula.
        formula: String,
    },
    /// A position's table: its index, its token and the candidates per row.
    Position {
        /// The position (from 0).
        pos: usize,
        /// Its token.
        token: String,
        /// Candidates per layer.
        k: usize,
    },
    /// The row label of the embeddings (before the first layer).
    Embeddings,
    /// The row label of a layer.
    Layer(usize),
    /// The model has no decoder to read.
    NoDecoder,
    /// The workbench view's title.
    Title,
    /// The workbench view's status line.
    Status,
    /// The workbench view on a study without a decoder.
    NoDecoderHere,
}

impl LensLine {
    /// One of each, for the catalogue test.
    pub fn samples() -> Vec<LensLine> {
        vec![
            LensLine::Intro {
                formula: "final_norm(x) · embed.Eᵀ".into(),
            },
            LensLine::Position {
                pos: 2,
                token: "go".into(),
                k: 5,
            },
            LensLine::Embeddings,
            LensLine::Layer(1),
            LensLine::NoDecoder,
            LensLine::Title,
            LensLine::Status,
            LensLine::NoDecoderHere,
        ]
    }

    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(&self) -> String {
        match self {
            LensLine::Intro { formula } => format!(
                "logit lens: each decoder layer's output (the residual stream) read as if it were the last, logits = {formula}\nThis is a reading of intermediate states, not what the model outputs: only the last layer's row is the model's own prediction."
            ),
            LensLine::Position { pos, token, k } => {
                format!("position {pos} ({token}): the next token, top {k} per layer")
            }
            LensLine::Embeddings => "embed".into(),
            LensLine::Title => "logit lens".into(),
            LensLine::Status => "logit lens: each decoder layer's output read as the next word; a reading of intermediate states, not what the model outputs".into(),
            LensLine::NoDecoderHere => "the logit lens reads a decoder's layers; what is studied here has none (an encoder-only model or a hand-check)".into(),
            LensLine::Layer(l) => format!("layer {l}"),
            LensLine::NoDecoder => {
                "the logit lens reads a decoder's layers and this model has none (an encoder-only model): use --arch decoder or encoder-decoder".into()
            }
        }
    }

    fn ko(&self) -> String {
        match self {
            LensLine::Intro { formula } => format!(
                "로짓 렌즈: 디코더 각 층의 출력(잔차 흐름)을 마지막 층의 출력인 것처럼 읽습니다, logits = {formula}\n중간 상태를 읽어 본 것이지 모델이 내놓는 출력이 아닙니다: 마지막 층의 행만 모델 자신의 예측입니다."
            ),
            LensLine::Position { pos, token, k } => {
                format!("위치 {pos} ({token}): 다음 토큰, 층마다 상위 {k}개")
            }
            LensLine::Embeddings => "임베딩".into(),
            LensLine::Title => "로짓 렌즈".into(),
            LensLine::Status => "로짓 렌즈: 디코더 각 층의 출력을 다음 단어로 읽습니다; 중간 상태를 읽어 본 것이지 모델이 내놓는 출력이 아닙니다".into(),
            LensLine::NoDecoderHere => "로짓 렌즈는 디코더의 층을 읽는데 여기서 보는 것에는 디코더가 없습니다 (인코더 전용 모델이나 손 계산)".into(),
            LensLine::Layer(l) => format!("{l}층"),
            LensLine::NoDecoder => {
                "로짓 렌즈는 디코더의 층을 읽는데 이 모델에는 디코더가 없습니다 (인코더 전용 모델): --arch decoder나 encoder-decoder를 쓰세요".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_lens_line_has_both_texts() {
        check::both_texts(&LensLine::samples(), LensLine::text);
    }
}
