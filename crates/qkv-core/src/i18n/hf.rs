//! The lines of the commands on a Hugging Face model (`--hf DIR`): the model's heading, the
//! tokenizer's pieces, and each decoding step with the hypotheses beam search kept.

use super::Lang;

/// One line about a real model or its decoding.
#[derive(Debug, Clone, PartialEq)]
pub enum HfLine {
    /// The model: directory, sizes and parameter count.
    Model {
        /// The directory.
        dir: String,
        /// `d_model 512 · heads 8 · layers 6+6 · d_ff 2048 · vocab 65001 · swish`.
        shape: String,
        /// Parameters.
        params: usize,
    },
    /// A sentence's pieces with their ids, `|`-separated (`▁학교 (38)`).
    Pieces {
        /// `source` or `target`.
        side: &'static str,
        /// The pieces.
        pieces: String,
    },
    /// SentencePiece's segmentation score and, for a unigram model, the next-best.
    Segmentation {
        /// Sum of the chosen pieces' scores.
        score: String,
        /// The runner-up: its pieces and score, when there is one.
        next: Option<(String, String)>,
    },
    /// One greedy step: the token chosen and its log-probability.
    GreedyStep {
        /// The step (from 1).
        step: usize,
        /// The piece.
        piece: String,
        /// log p.
        logprob: String,
    },
    /// A beam-search step's heading.
    BeamStep {
        /// The step (from 1).
        step: usize,
    },
    /// One candidate of a beam step.
    Candidate {
        /// Its pieces.
        pieces: String,
        /// Σ log p.
        logprob: String,
        /// What became of it.
        fate: Fate,
    },
    /// The decoder's reuse of keys and values.
    Cache {
        /// Source tokens (rows of the cross-attention's K and V, computed once).
        source: usize,
        /// Decoder layers.
        layers: usize,
        /// Steps decoded.
        steps: usize,
    },
    /// The length penalty used.
    Penalty(String),
    /// The translation.
    Translation(String),
}

/// What a beam step did with a candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Fate {
    /// Kept as running hypothesis number `.0`.
    Kept(usize),
    /// Finished with this length-penalised score.
    Finished(String),
    /// Finished but not kept.
    FinishedDropped(String),
    /// Not among the best.
    Dropped,
}

impl Fate {
    /// The fate in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang == Lang::Ko) {
            (Fate::Kept(i), false) => format!("→ kept as hypothesis {i}"),
            (Fate::Kept(i), true) => format!("→ 가설 {i}(으)로 유지"),
            (Fate::Finished(s), false) => format!("→ finished, score {s}"),
            (Fate::Finished(s), true) => format!("→ 완료, 점수 {s}"),
            (Fate::FinishedDropped(s), false) => {
                format!("→ finished with score {s} but not among the best")
            }
            (Fate::FinishedDropped(s), true) => format!("→ 점수 {s}로 끝났지만 상위에 들지 못함"),
            (Fate::Dropped, false) => "→ dropped".into(),
            (Fate::Dropped, true) => "→ 버림".into(),
        }
    }
}

impl HfLine {
    /// One line of every kind, for the catalogue test.
    pub fn samples() -> Vec<HfLine> {
        vec![
            HfLine::Model {
                dir: "opus-mt-ko-en".into(),
                shape: "d_model 512".into(),
                params: 77_000_000,
            },
            HfLine::Pieces {
                side: "source",
                pieces: "▁학교 (38)".into(),
            },
            HfLine::Segmentation {
                score: "-12.5".into(),
                next: Some(("▁학 | 교".into(), "-13.0".into())),
            },
            HfLine::Segmentation {
                score: "-12.5".into(),
                next: None,
            },
            HfLine::GreedyStep {
                step: 1,
                piece: "▁I".into(),
                logprob: "-0.1".into(),
            },
            HfLine::BeamStep { step: 1 },
            HfLine::Candidate {
                pieces: "▁I ▁go".into(),
                logprob: "-0.3".into(),
                fate: Fate::Kept(0),
            },
            HfLine::Candidate {
                pieces: "▁I </s>".into(),
                logprob: "-0.4".into(),
                fate: Fate::Finished("-0.2".into()),
            },
            HfLine::Candidate {
                pieces: "▁You </s>".into(),
                logprob: "-1.8".into(),
                fate: Fate::FinishedDropped("-0.9".into()),
            },
            HfLine::Candidate {
                pieces: "▁We".into(),
                logprob: "-3.1".into(),
                fate: Fate::Dropped,
            },
            HfLine::Cache {
                source: 5,
                layers: 6,
                steps: 4,
            },
            HfLine::Penalty("score = Σ log p / |Y|^1".into()),
            HfLine::Translation("I go to school.".into()),
        ]
    }

    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        match self {
            HfLine::Model { dir, shape, params } => {
                if ko {
                    format!("Hugging Face Marian 모델 {dir}: {shape} · 매개변수 {params}개")
                } else {
                    format!("Hugging Face Marian model {dir}: {shape} · {params} parameters")
                }
            }
            HfLine::Pieces { side, pieces } => match (ko, *side) {
                (true, "source") => format!("원문 조각 (id): {pieces}"),
                (true, _) => format!("디코더 입력 조각 (id): {pieces}"),
                (false, "source") => format!("source pieces (id): {pieces}"),
                (false, _) => format!("decoder input pieces (id): {pieces}"),
            },
            HfLine::Segmentation { score, next } => match (ko, next) {
                (true, Some((p, s))) => format!(
                    "유니그램 분할 점수 (조각 점수의 합) {score}; 다음으로 좋은 분할 {p}: {s}"
                ),
                (true, None) => {
                    format!("유니그램 분할 점수 (조각 점수의 합) {score}; 다른 분할 없음")
                }
                (false, Some((p, s))) => format!(
                    "unigram segmentation score (sum of the pieces' scores) {score}; next-best {p}: {s}"
                ),
                (false, None) => format!(
                    "unigram segmentation score (sum of the pieces' scores) {score}; no other segmentation"
                ),
            },
            HfLine::GreedyStep {
                step,
                piece,
                logprob,
            } => {
                if ko {
                    format!("{step}단계: {piece} (log p = {logprob}, 가장 큰 값)")
                } else {
                    format!("step {step}: {piece} (log p = {logprob}, the largest)")
                }
            }
            HfLine::BeamStep { step } => {
                if ko {
                    format!("{step}단계 후보 (Σ log p 순):")
                } else {
                    format!("step {step} candidates (by Σ log p):")
                }
            }
            HfLine::Candidate {
                pieces,
                logprob,
                fate,
            } => format!("  {pieces}  Σ log p = {logprob}  {}", fate.text(lang)),
            HfLine::Cache {
                source,
                layers,
                steps,
            } => {
                if ko {
                    format!(
                        "교차 어텐션의 K와 V ({source}행 × 층 {layers}개)는 문장마다 한 번 계산하고, 셀프 어텐션은 앞 토큰들의 K와 V를 캐시해 {steps}단계 동안 새 토큰 하나씩만 계산했습니다"
                    )
                } else {
                    format!(
                        "cross-attention K and V ({source} rows × {layers} layers) computed once for the sentence; self-attention reused the cached K and V of the tokens before, computing one new token per step over {steps} steps"
                    )
                }
            }
            HfLine::Penalty(f) => {
                if ko {
                    format!("길이 벌점: {f}")
                } else {
                    format!("length penalty: {f}")
                }
            }
            HfLine::Translation(t) => {
                if ko {
                    format!("번역: {t}")
                } else {
                    format!("translation: {t}")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_hf_line_has_both_texts() {
        check::both_texts(&HfLine::samples(), HfLine::text);
    }
}
