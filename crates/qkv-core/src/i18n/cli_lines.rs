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
    /// One line of every kind, for the catalogue test.
    pub fn samples() -> Vec<CliLine> {
        vec![
            CliLine::HandCheck,
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
