//! The REPL's prompts while a tour is replayed or a practice is open (`tour 2/5> `,
//! `practice 1/3> `, `answer 1/3> `) and its progress line of a slow command, in English
//! and Korean. The plain prompt `qkv> ` is the program's name and the same in both
//! languages.

use super::Lang;

/// A prompt of the REPL (with its trailing `> `).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// `practice 1/3> `: question `pos` of `n` is open in the REPL.
    Practice {
        /// The open question, from 1.
        pos: usize,
        /// The questions.
        n: usize,
    },
    /// `tour 2/5> `: stop `pos` of `n` of a replayed tour.
    Tour {
        /// The stop shown, from 1.
        pos: usize,
        /// The stops.
        n: usize,
    },
    /// `qkv [trained here 30]> `: the session studies the weights of a training run (its
    /// live weights after `updates` updates, or snapshot `snapshot` kept after them).
    TrainedHere {
        /// Updates made.
        updates: usize,
        /// The snapshot (`None`: the live weights).
        snapshot: Option<usize>,
    },
    /// `answer 1/3> `: `qkv practice` waits for the answer to question `pos` of `n`.
    Answer {
        /// The open question, from 1.
        pos: usize,
        /// The questions.
        n: usize,
    },
}

/// The REPL's progress line while a slow command runs:
/// `forward pass: layer 3 of 12 · 1.5 s (Ctrl-C cancels)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Working {
    /// How far the command got, in the same language (`ui::Msg::Progress`).
    pub progress: String,
    /// The seconds since it started, as printed (`1.5`).
    pub seconds: String,
}

impl Working {
    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let (p, s) = (&self.progress, &self.seconds);
        match lang {
            Lang::En => format!("{p} · {s} s (Ctrl-C cancels)"),
            Lang::Ko => format!("{p} · {s}초 (Ctrl-C로 취소)"),
        }
    }
}

impl Prompt {
    /// Examples of every prompt (for the key-completeness test).
    pub fn samples() -> Vec<Prompt> {
        vec![
            Prompt::Practice { pos: 1, n: 3 },
            Prompt::Tour { pos: 2, n: 5 },
            Prompt::Answer { pos: 1, n: 3 },
            Prompt::TrainedHere {
                updates: 30,
                snapshot: None,
            },
            Prompt::TrainedHere {
                updates: 200,
                snapshot: Some(2),
            },
        ]
    }

    /// The prompt in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, Prompt::Practice { pos, n }) => format!("practice {pos}/{n}> "),
            (Lang::En, Prompt::Tour { pos, n }) => format!("tour {pos}/{n}> "),
            (Lang::En, Prompt::Answer { pos, n }) => format!("answer {pos}/{n}> "),
            (Lang::Ko, Prompt::Practice { pos, n }) => format!("연습 {pos}/{n}> "),
            (Lang::Ko, Prompt::Tour { pos, n }) => format!("둘러보기 {pos}/{n}> "),
            (Lang::Ko, Prompt::Answer { pos, n }) => format!("답 {pos}/{n}> "),
            (
                Lang::En,
                Prompt::TrainedHere {
                    updates,
                    snapshot: None,
                },
            ) => format!("qkv [trained here {updates}]> "),
            (
                Lang::En,
                Prompt::TrainedHere {
                    updates,
                    snapshot: Some(i),
                },
            ) => format!("qkv [snapshot {i}, {updates} updates]> "),
            (
                Lang::Ko,
                Prompt::TrainedHere {
                    updates,
                    snapshot: None,
                },
            ) => format!("qkv [여기서 {updates}번 학습]> "),
            (
                Lang::Ko,
                Prompt::TrainedHere {
                    updates,
                    snapshot: Some(i),
                },
            ) => format!("qkv [스냅숏 {i}, {updates}번 갱신]> "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_prompt_has_both_texts_with_the_same_numbers() {
        check::both_texts(&Prompt::samples(), Prompt::text);
        let w = Working {
            progress: "x".into(),
            seconds: "1.5".into(),
        };
        check::both_texts(&[w], Working::text);
    }
}
