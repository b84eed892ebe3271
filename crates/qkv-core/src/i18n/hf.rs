//! The lines of the commands on a Hugging Face model (`--hf DIR`): the model's heading, the
//! tokenizer's pieces, and each decoding step with the hypotheses beam search kept.

use super::Lang;

/// One line about a real model or its decoding.
#[derive(Debug, Clone, PartialEq)]
pub enum HfLine {
    /// The model: directory, sizes and parameter count.
    Model {
        /// The family's name (`Marian`).
        family: &'static str,
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
    /// A command that changes, trains or differentiates a model, refused on a real one.
    ReadOnly {
        /// The model's directory.
        dir: String,
    },
    /// An export of a real model's trace to another format than JSON.
    ExportJsonOnly {
        /// The file asked for.
        path: String,
    },
    /// A command that needs another family of model than the directory's.
    NotForFamily {
        /// The command (`qkv translate --hf`).
        command: String,
        /// The directory's family (`GPT-2`).
        family: &'static str,
        /// The families the command runs on (`Marian`).
        allowed: String,
    },
    /// The header's model line: `opus-mt-ko-en · d_model 512 · …` and the parameters.
    Header {
        /// [`crate::hf::HfModel::heading`].
        heading: String,
        /// Parameters.
        params: usize,
    },
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
                family: "Marian",
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
            HfLine::ReadOnly {
                dir: "opus-mt-ko-en".into(),
            },
            HfLine::ExportJsonOnly {
                path: "trace.npz".into(),
            },
            HfLine::Header {
                heading: "opus-mt-ko-en · d_model 512".into(),
                params: 77_000_000,
            },
            HfLine::NotForFamily {
                command: "qkv translate --hf".into(),
                family: "GPT-2",
                allowed: "Marian".into(),
            },
        ]
    }

    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        match self {
            HfLine::Model {
                family,
                dir,
                shape,
                params,
            } => {
                if ko {
                    format!("Hugging Face {family} 모델 {dir}: {shape} · 매개변수 {params}개")
                } else {
                    format!("Hugging Face {family} model {dir}: {shape} · {params} parameters")
                }
            }
            HfLine::NotForFamily {
                command,
                family,
                allowed,
            } => {
                if ko {
                    format!(
                        "{command}: {allowed} 모델에서 쓰는 명령입니다. 이 디렉터리의 모델은 {family} 모델입니다"
                    )
                } else {
                    format!(
                        "{command} runs on {allowed} models; this directory holds a {family} model"
                    )
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
            HfLine::ReadOnly { dir } => {
                if ko {
                    format!(
                        "이 세션은 Hugging Face 모델({dir})을 봅니다. 가중치는 읽기 전용이고 설정은 그 config.json의 것이라, 모델을 바꾸거나 학습하거나 기울기를 구하는 이 명령은 쓸 수 없습니다 (매개변수가 77M개인 모델의 학습은 qkv가 다루는 범위 밖입니다). qkv의 모델에서 해 보세요: `load scenarios/default.yaml`"
                    )
                } else {
                    format!(
                        "this session is on a Hugging Face model ({dir}): its weights are read-only and its settings are its config.json's, so this command, which changes, trains or differentiates a model, does not apply (training a 77M-parameter model is out of qkv's scope); try it on one of qkv's models: `load scenarios/default.yaml`"
                    )
                }
            }
            HfLine::ExportJsonOnly { path } => {
                if ko {
                    format!(
                        "{path}: Hugging Face 모델의 트레이스는 JSON(.json으로 끝나는 이름)으로 내보냅니다. .npz는 아직 쓰지 않습니다"
                    )
                } else {
                    format!(
                        "{path}: a Hugging Face model's trace is exported as JSON (a name ending in .json); .npz is not written for it yet"
                    )
                }
            }
            HfLine::Header { heading, params } => {
                let m = *params as f64 / 1e6;
                if ko {
                    format!("{heading} · 매개변수 {m:.2}M개 (읽기 전용)")
                } else {
                    format!("{heading} · {m:.2}M parameters (read-only)")
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
