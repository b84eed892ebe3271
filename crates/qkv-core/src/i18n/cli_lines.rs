//! The command line's own lines in both languages: `qkv run`'s heading (the matrices below
//! it carry their own formula lines, [`super::formula`]) and what `qkv export` wrote (`qkv
//! plot` says it as the session does, [`super::session_files`]). The English is what they
//! always printed.

use super::Lang;

/// One line of `qkv run` or `qkv export`.
#[derive(Debug, Clone, PartialEq)]
pub enum CliLine {
    /// A scenario without a model: the article's attention by hand.
    HandCheck,
    /// The model a command ran without a scenario: the trained default.
    ModelTrained,
    /// `--untrained`: random weights.
    ModelUntrained,
    /// A flag the trained model cannot take (`d_model` 32 → 8): random weights.
    ModelReshaped {
        /// The field.
        field: String,
        /// The trained model's value.
        from: String,
        /// The value asked for.
        to: String,
    },
    /// `--checkpoint FILE`.
    ModelCheckpoint(String),
    /// Most words of the sentence are not in the trained model's vocabulary.
    MostlyUnknown {
        /// Unknown words.
        unknown: usize,
        /// Words in all.
        total: usize,
        /// The vocabulary's size.
        size: usize,
        /// Its first words, `, `-separated.
        sample: String,
    },
    /// The source tokens, `|`-separated.
    Source(String),
    /// The target tokens, `|`-separated.
    Target(String),
    /// What `qkv export` wrote.
    Exported {
        /// The file.
        path: String,
        /// Its format's name.
        format: String,
        /// Trace steps.
        steps: usize,
        /// Weights besides the embedding table.
        weights: usize,
        /// Arrays in all.
        arrays: usize,
        /// With `--grads`: the loss (formatted) and the predicted tokens.
        loss: Option<(String, usize)>,
    },
}

impl CliLine {
    /// The warning for a sentence whose words (`labels`, a trace's source row labels) are
    /// mostly unknown to `vocab`, naming the vocabulary; `None` when most are known.
    pub fn mostly_unknown(vocab: &crate::model::vocab::Vocab, labels: &[String]) -> Option<Self> {
        let (unknown, total) = crate::model::vocab::mostly_unknown(labels)?;
        Some(CliLine::MostlyUnknown {
            unknown,
            total,
            size: vocab.len(),
            sample: vocab.sample(6).join(", "),
        })
    }

    /// One line of every kind, for the catalogue test.
    pub fn samples() -> Vec<CliLine> {
        vec![
            CliLine::HandCheck,
            CliLine::ModelTrained,
            CliLine::ModelUntrained,
            CliLine::ModelReshaped {
                field: "d_model".into(),
                from: "32".into(),
                to: "8".into(),
            },
            CliLine::ModelCheckpoint("m.safetensors".into()),
            CliLine::MostlyUnknown {
                unknown: 4,
                total: 4,
                size: 102,
                sample: "나는, 학교에, 간다".into(),
            },
            CliLine::Source("나는 | 학교에 | 간다".into()),
            CliLine::Target("<bos> | I | go".into()),
            CliLine::Exported {
                path: "a.npz".into(),
                format: "numpy .npz".into(),
                steps: 100,
                weights: 60,
                arrays: 161,
                loss: None,
            },
            CliLine::Exported {
                path: "a.npz".into(),
                format: "numpy .npz".into(),
                steps: 100,
                weights: 60,
                arrays: 425,
                loss: Some(("2.302585".into(), 5)),
            },
        ]
    }

    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (CliLine::HandCheck, Lang::En) => {
                "attention hand-check: q · kᵀ, ÷ √d_k, mask, softmax, · v".into()
            }
            (CliLine::HandCheck, Lang::Ko) => {
                "어텐션 손 계산 확인 (모델 없음): q · kᵀ, ÷ √d_k, 마스킹, 소프트맥스, · v".into()
            }
            (CliLine::ModelTrained, Lang::En) => {
                "model: the trained model of scenarios/default.yaml, as the workbench opens it (--untrained: random weights)".into()
            }
            (CliLine::ModelTrained, Lang::Ko) => {
                "모델: scenarios/default.yaml의 학습된 모델, 워크벤치가 여는 것과 같습니다 (--untrained: 무작위 가중치)".into()
            }
            (CliLine::ModelUntrained, Lang::En) => {
                "model: untrained, random weights (--untrained: the tiny preset of scenarios/untrained.yaml with the flags given)".into()
            }
            (CliLine::ModelUntrained, Lang::Ko) => {
                "모델: 학습 안 됨, 무작위 가중치 (--untrained: scenarios/untrained.yaml의 tiny 프리셋에 준 플래그를 적용)".into()
            }
            (CliLine::ModelReshaped { field, from, to }, Lang::En) => format!(
                "model: untrained, random weights (the tiny preset with the flags given): the trained model has {field} {from}, and its weights cannot take {field} {to}"
            ),
            (CliLine::ModelReshaped { field, from, to }, Lang::Ko) => format!(
                "모델: 학습 안 됨, 무작위 가중치 (tiny 프리셋에 준 플래그를 적용): 학습된 모델은 {field} {from}이고, 그 가중치로는 {field} {to}을(를) 쓸 수 없습니다"
            ),
            (CliLine::ModelCheckpoint(p), Lang::En) => format!("model: the trained model of {p}"),
            (CliLine::ModelCheckpoint(p), Lang::Ko) => format!("모델: {p}의 학습된 모델"),
            (
                CliLine::MostlyUnknown {
                    unknown,
                    total,
                    size,
                    sample,
                },
                Lang::En,
            ) => format!(
                "warning: {unknown} of {total} words are not in the model's vocabulary of {size} words ({sample}, …): it reads them all as <unk>, so what it computes says nothing about them"
            ),
            (
                CliLine::MostlyUnknown {
                    unknown,
                    total,
                    size,
                    sample,
                },
                Lang::Ko,
            ) => format!(
                "경고: 단어 {total}개 중 {unknown}개가 모델의 어휘(단어 {size}개: {sample}, …)에 없습니다: 모두 <unk>로 읽으므로 계산 결과는 그 단어들에 대해 아무것도 말하지 않습니다"
            ),
            (CliLine::Source(t), Lang::En) => format!("source: {t}"),
            (CliLine::Source(t), Lang::Ko) => format!("원문: {t}"),
            (CliLine::Target(t), Lang::En) => format!("target: {t}"),
            (CliLine::Target(t), Lang::Ko) => format!("목표: {t}"),
            (
                CliLine::Exported {
                    path,
                    format,
                    steps,
                    weights,
                    arrays,
                    loss,
                },
                Lang::En,
            ) => format!(
                "wrote {path} ({format}: {steps} trace steps, {weights} weights + embed.E{}, {arrays} arrays)",
                loss.as_ref().map_or(String::new(), |(l, n)| format!(
                    ", loss {l} over {n} predicted tokens and every gradient"
                ))
            ),
            (
                CliLine::Exported {
                    path,
                    format,
                    steps,
                    weights,
                    arrays,
                    loss,
                },
                Lang::Ko,
            ) => format!(
                "{path}을(를) 썼습니다 ({format}: 트레이스 단계 {steps}개, 가중치 {weights}개 + embed.E{}, 배열 {arrays}개)",
                loss.as_ref().map_or(String::new(), |(l, n)| format!(
                    ", 모든 기울기와 예측한 토큰 {n}개에 대한 손실 {l}"
                ))
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_cli_line_has_both_texts() {
        check::both_texts(&CliLine::samples(), CliLine::text);
    }
}
