//! Practice mode's own sentences in English and Korean: the question ([`PracticeMsg`]) and
//! the grading lines, one exhaustive `match` per language as in [`super::ui`]; the classic
//! mistakes a wrong number is checked against are in [`super::mistakes`]. The numbers are
//! formatted by the caller and passed in as text, so both languages print the same digits.

use super::Lang;

/// A line of a practice question or of its grading.
#[derive(Debug, Clone, PartialEq)]
pub enum PracticeMsg {
    /// What to compute when one cell is asked.
    AskCell {
        /// The cell's address.
        address: String,
        /// Its row.
        row: usize,
        /// The row's token.
        row_label: String,
        /// Its column.
        col: usize,
        /// The column's token.
        col_label: String,
    },
    /// What to compute when a whole row is asked.
    AskRow {
        /// The row's address.
        address: String,
        /// The row.
        row: usize,
        /// The row's token.
        row_label: String,
        /// Numbers asked (the row's width).
        n: usize,
    },
    /// The step's formula (given as printed).
    Formula(String),
    /// The scores a scaled score is computed from: one cell (`scores[0][1][2] = 4.2034`) or
    /// several columns of one row (`scores[0][1], columns 0, 1, 2 = [10, −1, 6]`).
    ScoresColumns {
        /// `scores[h][i]`.
        row: String,
        /// The columns asked.
        cols: Vec<usize>,
        /// Their values, formatted, in the order of `cols`.
        values: Vec<String>,
    },
    /// The d_k of the scaling.
    DkWidth {
        /// d_k.
        d_k: usize,
        /// The query step it is the head width of.
        step: String,
    },
    /// A step (or weight) the cell uses that is not shown row by row.
    Uses(String),
    /// The item's hint (the scenario's text, as written).
    Hint(String),
    /// How to answer in the REPL.
    HowToAnswer {
        /// More than one number (a row).
        many: bool,
        /// The tolerance, as printed.
        tol: String,
    },
    /// A graded number.
    Graded {
        /// Within the tolerance.
        right: bool,
        /// The cell.
        address: String,
        /// The student's number.
        yours: String,
        /// The trace's number.
        value: String,
    },
    /// A wrong number no classic mistake explains.
    NoBlame,
    /// Numbers right of numbers asked.
    Tally {
        /// Right.
        right: usize,
        /// Asked.
        asked: usize,
        /// The tolerance, as printed.
        tol: String,
    },
}

impl PracticeMsg {
    /// One message of every kind, for the catalogue test.
    pub fn samples() -> Vec<PracticeMsg> {
        vec![
            PracticeMsg::AskCell {
                address: "scores[0][1]".into(),
                row: 0,
                row_label: "q0".into(),
                col: 1,
                col_label: "k1".into(),
            },
            PracticeMsg::AskRow {
                address: "enc.0.attn.weights[1][2]".into(),
                row: 2,
                row_label: "간다".into(),
                n: 4,
            },
            PracticeMsg::AskRow {
                address: "output[0]".into(),
                row: 0,
                row_label: "q0".into(),
                n: 1,
            },
            PracticeMsg::Formula("scaled[i][j] = scores[i][j] ÷ √d_k".into()),
            PracticeMsg::ScoresColumns {
                row: "scores[0]".into(),
                cols: vec![0, 1, 2],
                values: vec!["10".into(), "−1".into(), "6".into()],
            },
            PracticeMsg::ScoresColumns {
                row: "scores[0][1]".into(),
                cols: vec![2],
                values: vec!["4.2034".into()],
            },
            PracticeMsg::DkWidth {
                d_k: 3,
                step: "q".into(),
            },
            PracticeMsg::Uses("enc.0.ffn.w1".into()),
            PracticeMsg::Hint("1×2 + 2×1 + 3×2".into()),
            PracticeMsg::HowToAnswer {
                many: false,
                tol: "0.01".into(),
            },
            PracticeMsg::HowToAnswer {
                many: true,
                tol: "0.05".into(),
            },
            PracticeMsg::Graded {
                right: true,
                address: "scores[0][0]".into(),
                yours: "10".into(),
                value: "10".into(),
            },
            PracticeMsg::Graded {
                right: false,
                address: "scaled[0][0]".into(),
                yours: "10".into(),
                value: "5.7735".into(),
            },
            PracticeMsg::NoBlame,
            PracticeMsg::Tally {
                right: 2,
                asked: 3,
                tol: "0.01".into(),
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
            PracticeMsg::AskCell {
                address,
                row,
                row_label,
                col,
                col_label,
            } => format!(
                "compute {address}  (row {row} {row_label}, column {col} {col_label}): 1 number"
            ),
            PracticeMsg::AskRow {
                address,
                row,
                row_label,
                n,
            } => match n {
                1 => format!("compute {address}  (row {row} {row_label}): 1 number, column 0"),
                _ => format!(
                    "compute {address}  (row {row} {row_label}): {n} numbers, columns 0 to {}",
                    n.saturating_sub(1)
                ),
            },
            PracticeMsg::Formula(f) => format!("formula: {f}"),
            PracticeMsg::ScoresColumns { row, cols, values } => match (&cols[..], &values[..]) {
                ([c], [v]) => format!("score = {row}[{c}] = {v}"),
                _ => format!(
                    "scores = {row}, columns {} = [{}]",
                    join(cols),
                    values.join(", ")
                ),
            },
            PracticeMsg::DkWidth { d_k, step } => {
                format!("d_k = {d_k} (the width of one head of {step})")
            }
            PracticeMsg::Uses(name) => format!("uses {name}"),
            PracticeMsg::Hint(h) => format!("hint: {h}"),
            PracticeMsg::HowToAnswer { many, tol } => format!(
                "answer with `answer <number{}>` or type the number{}; right within ±{tol}",
                if *many { "s…" } else { "" },
                if *many { "s on one line" } else { "" },
            ),
            PracticeMsg::Graded {
                right,
                address,
                yours,
                value,
            } => format!(
                "{} {address} : you {yours}, trace {value} — {}",
                if *right { "✓" } else { "✗" },
                if *right { "right" } else { "wrong" }
            ),
            PracticeMsg::NoBlame => {
                "could not tell which term went wrong: compare your steps with the arithmetic below"
                    .to_string()
            }
            PracticeMsg::Tally { right, asked, tol } => {
                format!("{right} of {asked} right (tolerance ±{tol})")
            }
        }
    }

    fn ko(&self) -> String {
        match self {
            PracticeMsg::AskCell {
                address,
                row,
                row_label,
                col,
                col_label,
            } => format!(
                "{address} 계산하기  (행 {row} {row_label}, 열 {col} {col_label}): 숫자 1개"
            ),
            PracticeMsg::AskRow {
                address,
                row,
                row_label,
                n,
            } => match n {
                1 => format!("{address} 계산하기  (행 {row} {row_label}): 숫자 1개, 열 0"),
                _ => format!(
                    "{address} 계산하기  (행 {row} {row_label}): 숫자 {n}개, 열 0부터 {}까지",
                    n.saturating_sub(1)
                ),
            },
            PracticeMsg::Formula(f) => format!("식: {f}"),
            PracticeMsg::ScoresColumns { row, cols, values } => match (&cols[..], &values[..]) {
                ([c], [v]) => format!("점수 = {row}[{c}] = {v}"),
                _ => format!("점수 = {row}의 {}열 = [{}]", join(cols), values.join(", ")),
            },
            PracticeMsg::DkWidth { d_k, step } => {
                format!("d_k = {d_k} ({step}의 헤드 하나의 너비)")
            }
            PracticeMsg::Uses(name) => format!("사용하는 값: {name}"),
            PracticeMsg::Hint(h) => format!("힌트: {h}"),
            PracticeMsg::HowToAnswer { many, tol } => format!(
                "{}; ±{tol} 안이면 정답입니다",
                if *many {
                    "`answer <숫자…>`로 답하거나 숫자들을 한 줄에 입력하세요"
                } else {
                    "`answer <숫자>`로 답하거나 숫자를 입력하세요"
                }
            ),
            PracticeMsg::Graded {
                right,
                address,
                yours,
                value,
            } => format!(
                "{} {address}: 내 답 {yours}, 트레이스 {value} — {}",
                if *right { "✓" } else { "✗" },
                if *right { "정답" } else { "오답" }
            ),
            PracticeMsg::NoBlame => {
                "어느 항이 틀렸는지 알 수 없습니다: 내 계산 과정을 아래 계산과 비교해 보세요"
                    .to_string()
            }
            PracticeMsg::Tally { right, asked, tol } => {
                format!("{asked}개 중 {right}개 정답 (허용 오차 ±{tol})")
            }
        }
    }
}

/// `0, 1, 2`.
fn join(cols: &[usize]) -> String {
    cols.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::{has_hangul, numbers};

    #[test]
    fn one_column_is_a_cell_and_several_are_columns() {
        let one = PracticeMsg::ScoresColumns {
            row: "enc.0.attn.scores[0][1]".into(),
            cols: vec![2],
            values: vec!["4.2034".into()],
        };
        assert_eq!(
            one.text(Lang::En),
            "score = enc.0.attn.scores[0][1][2] = 4.2034"
        );
        assert_eq!(
            one.text(Lang::Ko),
            "점수 = enc.0.attn.scores[0][1][2] = 4.2034"
        );
        let three = PracticeMsg::ScoresColumns {
            row: "scores[0]".into(),
            cols: vec![0, 1, 2],
            values: vec!["10".into(), "−1".into(), "6".into()],
        };
        assert_eq!(
            three.text(Lang::En),
            "scores = scores[0], columns 0, 1, 2 = [10, −1, 6]"
        );
        assert_eq!(
            three.text(Lang::Ko),
            "점수 = scores[0]의 0, 1, 2열 = [10, −1, 6]"
        );
        let row = PracticeMsg::AskRow {
            address: "output[0]".into(),
            row: 0,
            row_label: "q0".into(),
            n: 1,
        };
        assert_eq!(
            row.text(Lang::En),
            "compute output[0]  (row 0 q0): 1 number, column 0"
        );
    }

    #[test]
    fn every_practice_line_has_both_languages_with_the_same_numbers() {
        for m in PracticeMsg::samples() {
            let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
            assert!(!en.trim().is_empty() && has_hangul(&ko), "{m:?}: {ko}");
            assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
        }
    }
}
