//! Practice mode's own sentences in English and Korean: the question ([`PracticeMsg`]) and
//! the grading lines, written with `crate::catalogue!` (both texts of a line side by side); the classic
//! mistakes a wrong number is checked against are in [`super::mistakes`]. The numbers are
//! formatted by the caller and passed in as text, so both languages print the same digits.

crate::catalogue! {
    /// A line of a practice question or of its grading.
    pub enum PracticeMsg {
        /// What to compute when one cell is asked (its address, row and column with their
        /// tokens).
        AskCell { address: String, row: usize, row_label: String, col: usize, col_label: String }
            samples [{ address: "scores[0][1]".into(), row: 0, row_label: "q0".into(), col: 1, col_label: "k1".into() }]
            en => format!("compute {address}  (row {row} {row_label}, column {col} {col_label}): 1 number"),
            ko => format!("{address} 계산하기  (행 {row} {row_label}, 열 {col} {col_label}): 숫자 1개");
        /// What to compute when a whole row is asked (`n`: the numbers asked, the row's width).
        AskRow { address: String, row: usize, row_label: String, n: usize }
            samples [{ address: "enc.0.attn.weights[1][2]".into(), row: 2, row_label: "간다".into(), n: 4 },
                     { address: "output[0]".into(), row: 0, row_label: "q0".into(), n: 1 }]
            en => match *n {
                1 => format!("compute {address}  (row {row} {row_label}): 1 number, column 0"),
                _ => format!(
                    "compute {address}  (row {row} {row_label}): {n} numbers, columns 0 to {}",
                    n.saturating_sub(1)
                ),
            },
            ko => match *n {
                1 => format!("{address} 계산하기  (행 {row} {row_label}): 숫자 1개, 열 0"),
                _ => format!(
                    "{address} 계산하기  (행 {row} {row_label}): 숫자 {n}개, 열 0부터 {}까지",
                    n.saturating_sub(1)
                ),
            };
        /// The step's formula (given as printed).
        Formula { formula: String }
            samples [{ formula: "scaled[i][j] = scores[i][j] ÷ √d_k".into() }]
            en => format!("formula: {formula}"),
            ko => format!("식: {formula}");
        /// The scores a scaled score is computed from: one cell (`scores[0][1][2] = 4.2034`)
        /// or several columns of one row (`scores[0][1], columns 0, 1, 2 = [10, −1, 6]`);
        /// `values` are formatted, in the order of `cols`.
        ScoresColumns { row: String, cols: Vec<usize>, values: Vec<String> }
            samples [{ row: "scores[0]".into(), cols: vec![0, 1, 2], values: vec!["10".into(), "−1".into(), "6".into()] },
                     { row: "scores[0][1]".into(), cols: vec![2], values: vec!["4.2034".into()] }]
            en => match (&cols[..], &values[..]) {
                ([c], [v]) => format!("score = {row}[{c}] = {v}"),
                _ => format!("scores = {row}, columns {} = [{}]", join(cols), values.join(", ")),
            },
            ko => match (&cols[..], &values[..]) {
                ([c], [v]) => format!("점수 = {row}[{c}] = {v}"),
                _ => format!("점수 = {row}의 {}열 = [{}]", join(cols), values.join(", ")),
            };
        /// The d_k of the scaling, and the query step it is the head width of.
        DkWidth { d_k: usize, step: String }
            samples [{ d_k: 3, step: "q".into() }]
            en => format!("d_k = {d_k} (the width of one head of {step})"),
            ko => format!("d_k = {d_k} ({step}의 헤드 하나의 너비)");
        /// A step (or weight) the cell uses that is not shown row by row.
        Uses { name: String }
            samples [{ name: "enc.0.ffn.w1".into() }]
            en => format!("uses {name}"),
            ko => format!("사용하는 값: {name}");
        /// The item's hint (the scenario's text, as written).
        Hint { hint: String }
            samples [{ hint: "1×2 + 2×1 + 3×2".into() }]
            en => format!("hint: {hint}"),
            ko => format!("힌트: {hint}");
        /// How to answer in the REPL (`many`: a row; `tol`: the tolerance, as printed).
        HowToAnswer { many: bool, tol: String }
            samples [{ many: false, tol: "0.01".into() }, { many: true, tol: "0.05".into() }]
            en => format!(
                "answer with `answer <number{}>` or type the number{}; right within ±{tol}",
                if *many { "s…" } else { "" },
                if *many { "s on one line" } else { "" },
            ),
            ko => format!(
                "{}; ±{tol} 안이면 정답입니다",
                if *many {
                    "`answer <숫자…>`로 답하거나 숫자들을 한 줄에 입력하세요"
                } else {
                    "`answer <숫자>`로 답하거나 숫자를 입력하세요"
                }
            );
        /// A graded number: within the tolerance or not, the cell, the student's number and
        /// the trace's.
        Graded { right: bool, address: String, yours: String, value: String }
            samples [{ right: true, address: "scores[0][0]".into(), yours: "10".into(), value: "10".into() },
                     { right: false, address: "scaled[0][0]".into(), yours: "10".into(), value: "5.7735".into() }]
            en => format!(
                "{} {address} : you {yours}, trace {value} — {}",
                if *right { "✓" } else { "✗" },
                if *right { "right" } else { "wrong" }
            ),
            ko => format!(
                "{} {address}: 내 답 {yours}, 트레이스 {value} — {}",
                if *right { "✓" } else { "✗" },
                if *right { "정답" } else { "오답" }
            );
        /// A wrong number no classic mistake explains.
        NoBlame {}
            samples [{}]
            en => "could not tell which term went wrong: compare your steps with the arithmetic below",
            ko => "어느 항이 틀렸는지 알 수 없습니다: 내 계산 과정을 아래 계산과 비교해 보세요";
        /// Numbers right of numbers asked, and the tolerance.
        Tally { right: usize, asked: usize, tol: String }
            samples [{ right: 2, asked: 3, tol: "0.01".into() }]
            en => format!("{right} of {asked} right (tolerance ±{tol})"),
            ko => format!("{asked}개 중 {right}개 정답 (허용 오차 ±{tol})");
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
    use crate::i18n::Lang;
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
