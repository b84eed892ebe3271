//! The heading lines of `qkv run` in both languages (the matrices below them carry their
//! own formula lines, [`super::formula`]); the English is what `qkv run` always printed.

use super::Lang;

/// One heading line of `qkv run`.
#[derive(Debug, Clone, PartialEq)]
pub enum RunLine {
    /// A scenario without a model: the article's attention by hand.
    HandCheck,
    /// The source tokens, `|`-separated.
    Source(String),
    /// The target tokens, `|`-separated.
    Target(String),
}

impl RunLine {
    /// One line of every kind, for the catalogue test.
    pub fn samples() -> Vec<RunLine> {
        vec![
            RunLine::HandCheck,
            RunLine::Source("나는 | 학교에 | 간다".into()),
            RunLine::Target("<bos> | I | go".into()),
        ]
    }

    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (RunLine::HandCheck, Lang::En) => {
                "attention hand-check: q · kᵀ, ÷ √d_k, mask, softmax, · v".into()
            }
            (RunLine::HandCheck, Lang::Ko) => {
                "어텐션 손 계산 확인 (모델 없음): q · kᵀ, ÷ √d_k, 마스킹, 소프트맥스, · v".into()
            }
            (RunLine::Source(t), Lang::En) => format!("source: {t}"),
            (RunLine::Source(t), Lang::Ko) => format!("원문: {t}"),
            (RunLine::Target(t), Lang::En) => format!("target: {t}"),
            (RunLine::Target(t), Lang::Ko) => format!("목표: {t}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_run_line_has_both_texts() {
        check::both_texts(&RunLine::samples(), RunLine::text);
    }
}
