//! Practice mode's own sentences in English and Korean: the question ([`PracticeMsg`]), the
//! grading lines, and the classic mistakes a wrong number is checked against
//! ([`MistakeMsg`]), one exhaustive `match` per language as in [`super::ui`]. The numbers
//! are formatted by the caller and passed in as text, so both languages print the same
//! digits.

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
    /// The scores a scaled score is computed from.
    ScoresColumns {
        /// `scores[h][i]`.
        row: String,
        /// The columns asked, `0, 1, 2`.
        cols: String,
        /// Their values, `[10, −1, 6]`.
        values: String,
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
            PracticeMsg::Formula("scaled[i][j] = scores[i][j] ÷ √d_k".into()),
            PracticeMsg::ScoresColumns {
                row: "scores[0]".into(),
                cols: "0, 1, 2".into(),
                values: "[10, −1, 6]".into(),
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
            } => format!(
                "compute {address}  (row {row} {row_label}): {n} numbers, columns 0 to {}",
                n.saturating_sub(1)
            ),
            PracticeMsg::Formula(f) => format!("formula: {f}"),
            PracticeMsg::ScoresColumns { row, cols, values } => {
                format!("scores = {row} columns {cols} = {values}")
            }
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
            } => format!(
                "{address} 계산하기  (행 {row} {row_label}): 숫자 {n}개, 열 0부터 {}까지",
                n.saturating_sub(1)
            ),
            PracticeMsg::Formula(f) => format!("식: {f}"),
            PracticeMsg::ScoresColumns { row, cols, values } => {
                format!("scores = {row}의 열 {cols} = {values}")
            }
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

/// A classic mistake recognised in a wrong number: what went wrong ([`MistakeMsg::what`])
/// and the arithmetic that shows it ([`MistakeMsg::detail`]). Numbers come formatted.
#[derive(Debug, Clone, PartialEq)]
pub enum MistakeMsg {
    /// Raw score: one product of q·k with its sign flipped.
    ProductSign {
        /// Term number, 1-based.
        term: usize,
        /// q[t].
        a: String,
        /// k[t].
        b: String,
        /// a·b.
        product: String,
        /// −a·b.
        negated: String,
    },
    /// Raw score: one product of q·k left out.
    ProductLeftOut {
        /// Term number, 1-based.
        term: usize,
        /// q[t].
        a: String,
        /// k[t].
        b: String,
        /// a·b.
        product: String,
    },
    /// Raw score: Σ (q[t] + k[t]).
    Added {
        /// The sum.
        sum: String,
    },
    /// Scaled score: the raw score itself.
    ForgotScale {
        /// The raw score.
        raw: String,
        /// The raw score as an operand.
        raw_op: String,
        /// d_k.
        d_k: usize,
        /// The right value.
        value: String,
    },
    /// Scaled score: ÷ d_k.
    DividedByDk {
        /// The raw score as an operand.
        raw_op: String,
        /// d_k.
        d_k: usize,
        /// raw ÷ d_k.
        result: String,
        /// √d_k.
        root: String,
    },
    /// Scaled score: × √d_k.
    MultipliedByRoot {
        /// The raw score as an operand.
        raw_op: String,
        /// d_k.
        d_k: usize,
        /// raw × √d_k.
        result: String,
    },
    /// Scaled score: one product of q·k with its sign flipped, then scaled.
    ScaledProductSign {
        /// Term number, 1-based.
        term: usize,
        /// q[t].
        a: String,
        /// k[t].
        b: String,
        /// a·b.
        product: String,
        /// −a·b.
        negated: String,
        /// q·k with the sign flipped.
        dot: String,
        /// d_k.
        d_k: usize,
    },
    /// Softmax weight: the softmax of the unscaled scores.
    SoftmaxUnscaled {
        /// The raw scores, `a, b, c`.
        raw: String,
        /// Their softmax at j.
        weight: String,
    },
    /// Softmax: e^(x_j − max) without ÷ Σ.
    NotNormalised {
        /// j.
        j: usize,
        /// e^(x_j − max).
        numerator: String,
        /// Σ.
        sum: String,
        /// The right value.
        value: String,
    },
    /// Softmax: e^(x_j) without ÷ Σ.
    NotNormalisedRaw {
        /// j.
        j: usize,
        /// e^(x_j).
        numerator: String,
        /// The right value.
        value: String,
    },
    /// Softmax: x_j / Σ x.
    WithoutExp {
        /// j.
        j: usize,
        /// x_j as an operand.
        x: String,
        /// Σ x as an operand.
        sum: String,
        /// x_j / Σ x.
        result: String,
    },
    /// Softmax: one term left out of Σ.
    TermLeftOut {
        /// The term's column.
        t: usize,
        /// e^(x_t − max).
        term: String,
        /// Σ without it.
        rest: String,
        /// Terms in Σ.
        n: usize,
    },
    /// LayerNorm: ÷ (n − 1) in the variance.
    Unbiased {
        /// The unbiased variance.
        unbiased: String,
        /// The biased (right) variance.
        var: String,
    },
    /// LayerNorm: ÷ (var + eps) without the square root.
    DividedByVariance {
        /// x[j].
        x: String,
        /// The mean as an operand.
        mean: String,
        /// var + eps.
        var_eps: String,
        /// (x − mean) ÷ (var + eps).
        result: String,
        /// √(var + eps).
        sigma: String,
    },
    /// LayerNorm: the mean not subtracted.
    NoMean {
        /// x[j].
        x: String,
        /// √(var + eps).
        sigma: String,
        /// x ÷ σ.
        result: String,
        /// The mean.
        mean: String,
    },
    /// LayerNorm: centred but not divided.
    NotDivided {
        /// x[j].
        x: String,
        /// The mean as an operand.
        mean: String,
        /// x − mean.
        result: String,
        /// √(var + eps).
        sigma: String,
    },
    /// LayerNorm: gamma and beta left out.
    NoGammaBeta {
        /// x̂.
        xhat: String,
        /// gamma[j] as an operand.
        gamma: String,
        /// beta[j] as an operand.
        beta: String,
    },
    /// Any step: the sign flipped.
    SignFlipped {
        /// The right value.
        value: String,
    },
    /// Any step: another cell of the same row.
    OtherCell {
        /// That cell's value.
        value: String,
        /// Its column.
        col: usize,
        /// Its column's token.
        label: String,
        /// The column asked.
        asked: usize,
    },
}

impl MistakeMsg {
    /// One mistake of every kind, for the catalogue test.
    pub fn samples() -> Vec<MistakeMsg> {
        let s = |x: &str| x.to_string();
        vec![
            MistakeMsg::ProductSign {
                term: 3,
                a: s("3"),
                b: s("(−1)"),
                product: s("−3"),
                negated: s("3"),
            },
            MistakeMsg::ProductLeftOut {
                term: 2,
                a: s("2"),
                b: s("1"),
                product: s("2"),
            },
            MistakeMsg::Added { sum: s("11") },
            MistakeMsg::ForgotScale {
                raw: s("10"),
                raw_op: s("10"),
                d_k: 3,
                value: s("5.7735"),
            },
            MistakeMsg::DividedByDk {
                raw_op: s("10"),
                d_k: 3,
                result: s("3.3333"),
                root: s("1.7321"),
            },
            MistakeMsg::MultipliedByRoot {
                raw_op: s("10"),
                d_k: 3,
                result: s("17.3205"),
            },
            MistakeMsg::ScaledProductSign {
                term: 1,
                a: s("1"),
                b: s("2"),
                product: s("2"),
                negated: s("−2"),
                dot: s("6"),
                d_k: 3,
            },
            MistakeMsg::SoftmaxUnscaled {
                raw: s("10, −1, 6"),
                weight: s("0.982"),
            },
            MistakeMsg::NotNormalised {
                j: 0,
                numerator: s("1"),
                sum: s("1.1011"),
                value: s("0.9082"),
            },
            MistakeMsg::NotNormalisedRaw {
                j: 0,
                numerator: s("321.9743"),
                value: s("0.9082"),
            },
            MistakeMsg::WithoutExp {
                j: 0,
                x: s("5.7735"),
                sum: s("8.6603"),
                result: s("0.6667"),
            },
            MistakeMsg::TermLeftOut {
                t: 2,
                term: s("0.0993"),
                rest: s("1.0017"),
                n: 3,
            },
            MistakeMsg::Unbiased {
                unbiased: s("1.6667"),
                var: s("1.25"),
            },
            MistakeMsg::DividedByVariance {
                x: s("4"),
                mean: s("2.5"),
                var_eps: s("1.25"),
                result: s("1.2"),
                sigma: s("1.118"),
            },
            MistakeMsg::NoMean {
                x: s("4"),
                sigma: s("1.118"),
                result: s("3.5777"),
                mean: s("2.5"),
            },
            MistakeMsg::NotDivided {
                x: s("4"),
                mean: s("2.5"),
                result: s("1.5"),
                sigma: s("1.118"),
            },
            MistakeMsg::NoGammaBeta {
                xhat: s("1.3416"),
                gamma: s("2"),
                beta: s("0.5"),
            },
            MistakeMsg::SignFlipped { value: s("10") },
            MistakeMsg::OtherCell {
                value: s("6"),
                col: 2,
                label: s("k2"),
                asked: 0,
            },
        ]
    }

    /// What went wrong, in a few words, in `lang`.
    pub fn what(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.what_en(),
            Lang::Ko => self.what_ko(),
        }
        .to_string()
    }

    /// The arithmetic that shows it, in `lang`.
    pub fn detail(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.detail_en(),
            Lang::Ko => self.detail_ko(),
        }
    }

    fn what_en(&self) -> &'static str {
        match self {
            MistakeMsg::ProductSign { .. } => "one product's sign went wrong",
            MistakeMsg::ProductLeftOut { .. } => "one product left out",
            MistakeMsg::Added { .. } => "added instead of multiplied",
            MistakeMsg::ForgotScale { .. } => "forgot to divide by √d_k",
            MistakeMsg::DividedByDk { .. } => "divided by d_k, not by its square root",
            MistakeMsg::MultipliedByRoot { .. } => "multiplied by √d_k instead of dividing",
            MistakeMsg::ScaledProductSign { .. } => "one product's sign went wrong in q·k",
            MistakeMsg::SoftmaxUnscaled { .. } => "forgot to divide by √d_k before the softmax",
            MistakeMsg::NotNormalised { .. } | MistakeMsg::NotNormalisedRaw { .. } => {
                "forgot to normalise"
            }
            MistakeMsg::WithoutExp { .. } => "normalised without e^",
            MistakeMsg::TermLeftOut { .. } => "one term left out of the sum",
            MistakeMsg::Unbiased { .. } => "used the unbiased variance",
            MistakeMsg::DividedByVariance { .. } => {
                "divided by the variance, not by its square root"
            }
            MistakeMsg::NoMean { .. } => "forgot to subtract the mean",
            MistakeMsg::NotDivided { .. } => "centred but not divided by √(var + eps)",
            MistakeMsg::NoGammaBeta { .. } => "left out gamma and beta",
            MistakeMsg::SignFlipped { .. } => "the sign is flipped",
            MistakeMsg::OtherCell { .. } => "that is another cell of the row",
        }
    }

    fn what_ko(&self) -> &'static str {
        match self {
            MistakeMsg::ProductSign { .. } => "곱 하나의 부호가 틀렸습니다",
            MistakeMsg::ProductLeftOut { .. } => "곱 하나를 빠뜨렸습니다",
            MistakeMsg::Added { .. } => "곱하지 않고 더했습니다",
            MistakeMsg::ForgotScale { .. } => "√d_k로 나누는 것을 잊었습니다 (스케일링)",
            MistakeMsg::DividedByDk { .. } => "√d_k가 아니라 d_k로 나눴습니다",
            MistakeMsg::MultipliedByRoot { .. } => "√d_k로 나누지 않고 곱했습니다",
            MistakeMsg::ScaledProductSign { .. } => "q·k에서 곱 하나의 부호가 틀렸습니다",
            MistakeMsg::SoftmaxUnscaled { .. } => {
                "소프트맥스 전에 √d_k로 나누는 것을 잊었습니다 (스케일링)"
            }
            MistakeMsg::NotNormalised { .. } | MistakeMsg::NotNormalisedRaw { .. } => {
                "합 Σ로 나누는 것(정규화)을 잊었습니다"
            }
            MistakeMsg::WithoutExp { .. } => "e^ 없이 정규화했습니다",
            MistakeMsg::TermLeftOut { .. } => "합에서 항 하나를 빠뜨렸습니다",
            MistakeMsg::Unbiased { .. } => "불편 분산을 썼습니다",
            MistakeMsg::DividedByVariance { .. } => "분산의 제곱근이 아니라 분산으로 나눴습니다",
            MistakeMsg::NoMean { .. } => "평균을 빼는 것을 잊었습니다",
            MistakeMsg::NotDivided { .. } => "평균은 뺐지만 √(var + eps)로 나누지 않았습니다",
            MistakeMsg::NoGammaBeta { .. } => "gamma와 beta를 빠뜨렸습니다",
            MistakeMsg::SignFlipped { .. } => "부호가 반대입니다",
            MistakeMsg::OtherCell { .. } => "같은 행의 다른 칸입니다",
        }
    }

    fn detail_en(&self) -> String {
        match self {
            MistakeMsg::ProductSign {
                term,
                a,
                b,
                product,
                negated,
            } => format!(
                "term {term} of q·k is {a}×{b} = {product}; your number is the sum with {negated} there"
            ),
            MistakeMsg::ProductLeftOut {
                term,
                a,
                b,
                product,
            } => format!("your number is q·k without term {term}, {a}×{b} = {product}"),
            MistakeMsg::Added { sum } => {
                format!("Σ (q[t] + k[t]) = {sum}; a dot product multiplies: Σ q[t] × k[t]")
            }
            MistakeMsg::ForgotScale {
                raw,
                raw_op,
                d_k,
                value,
            } => {
                format!("your number is the raw score {raw}; scaled = {raw_op} ÷ √{d_k} = {value}")
            }
            MistakeMsg::DividedByDk {
                raw_op,
                d_k,
                result,
                root,
            } => format!("{raw_op} ÷ {d_k} = {result}; the scale is √d_k = √{d_k} = {root}"),
            MistakeMsg::MultipliedByRoot {
                raw_op,
                d_k,
                result,
            } => format!("{raw_op} × √{d_k} = {result}"),
            MistakeMsg::ScaledProductSign {
                term,
                a,
                b,
                product,
                negated,
                dot,
                d_k,
            } => format!(
                "term {term} of q·k is {a}×{b} = {product}; with {negated} there q·k = {dot}, and ÷ √{d_k} gives your number"
            ),
            MistakeMsg::SoftmaxUnscaled { raw, weight } => format!(
                "the softmax of the raw scores [{raw}] gives {weight}; the weights use the scaled scores"
            ),
            MistakeMsg::NotNormalised {
                j,
                numerator,
                sum,
                value,
            } => format!(
                "e^(x_{j} − max) = {numerator} is the numerator; divide by Σ = {sum} to get {value}"
            ),
            MistakeMsg::NotNormalisedRaw {
                j,
                numerator,
                value,
            } => format!(
                "e^(x_{j}) = {numerator} is the numerator (without the max subtracted, which is fine); divide by the sum of all e^(x_k) to get {value}"
            ),
            MistakeMsg::WithoutExp { j, x, sum, result } => format!(
                "x_{j} / Σ x = {x} / {sum} = {result}; softmax divides e^(x_j) by Σ e^(x_k)"
            ),
            MistakeMsg::TermLeftOut { t, term, rest, n } => {
                format!("Σ without e^(x_{t} − max) = {term} is {rest}; the sum has all {n} terms")
            }
            MistakeMsg::Unbiased { unbiased, var } => {
                format!("Σ (x − mean)² ÷ (n − 1) = {unbiased}; LayerNorm divides by n: var = {var}")
            }
            MistakeMsg::DividedByVariance {
                x,
                mean,
                var_eps,
                result,
                sigma,
            } => format!(
                "({x} − {mean}) ÷ {var_eps} = {result}; the divisor is √(var + eps) = {sigma}"
            ),
            MistakeMsg::NoMean {
                x,
                sigma,
                result,
                mean,
            } => format!("{x} ÷ {sigma} = {result}; first subtract mean = {mean}"),
            MistakeMsg::NotDivided {
                x,
                mean,
                result,
                sigma,
            } => {
                format!("x − mean = {x} − {mean} = {result}; then divide by √(var + eps) = {sigma}")
            }
            MistakeMsg::NoGammaBeta { xhat, gamma, beta } => {
                format!("x̂ = {xhat} is the normalised value; then × gamma {gamma} + beta {beta}")
            }
            MistakeMsg::SignFlipped { value } => {
                format!("the value is {value}, yours has the opposite sign")
            }
            MistakeMsg::OtherCell {
                value,
                col,
                label,
                asked,
            } => {
                format!("{value} is column {col} ({label}); this question asks for column {asked}")
            }
        }
    }

    // The Korean puts a number before a particle only in parentheses or before 입니다, so
    // no particle has to agree with how a number is read.
    fn detail_ko(&self) -> String {
        match self {
            MistakeMsg::ProductSign {
                term,
                a,
                b,
                product,
                negated,
            } => format!(
                "q·k의 {term}번째 항은 {a}×{b} = {product}입니다; 내 답은 그 항의 부호를 바꾼 합입니다 ({negated})"
            ),
            MistakeMsg::ProductLeftOut {
                term,
                a,
                b,
                product,
            } => format!("내 답은 q·k에서 {term}번째 항({a}×{b} = {product})을 뺀 값입니다"),
            MistakeMsg::Added { sum } => {
                format!("Σ (q[t] + k[t]) = {sum}; 내적은 곱해서 더합니다: Σ q[t] × k[t]")
            }
            MistakeMsg::ForgotScale {
                raw,
                raw_op,
                d_k,
                value,
            } => format!(
                "내 답은 스케일링 전의 스코어 {raw}입니다; scaled = {raw_op} ÷ √{d_k} = {value}"
            ),
            MistakeMsg::DividedByDk {
                raw_op,
                d_k,
                result,
                root,
            } => format!("{raw_op} ÷ {d_k} = {result}; 나누는 값은 √d_k = √{d_k} = {root}입니다"),
            MistakeMsg::MultipliedByRoot {
                raw_op,
                d_k,
                result,
            } => format!("{raw_op} × √{d_k} = {result}: 곱하지 말고 나눠야 합니다"),
            MistakeMsg::ScaledProductSign {
                term,
                a,
                b,
                product,
                negated,
                dot,
                d_k,
            } => format!(
                "q·k의 {term}번째 항은 {a}×{b} = {product}입니다; 그 부호를 바꾸면({negated}) q·k = {dot}, 이를 √d_k(= √{d_k})로 나눈 값이 내 답입니다"
            ),
            MistakeMsg::SoftmaxUnscaled { raw, weight } => format!(
                "스케일링 전의 스코어 [{raw}]에 소프트맥스를 하면 {weight}입니다; 가중치는 스케일링한 스코어로 계산합니다"
            ),
            MistakeMsg::NotNormalised {
                j,
                numerator,
                sum,
                value,
            } => format!(
                "분자는 e^(x_{j} − max) = {numerator}입니다; 분모 Σ(= {sum})로 나누면 {value}입니다"
            ),
            MistakeMsg::NotNormalisedRaw {
                j,
                numerator,
                value,
            } => format!(
                "분자는 e^(x_{j}) = {numerator}입니다 (최댓값을 빼지 않은 것은 괜찮습니다); 모든 e^(x_k)의 합으로 나누면 {value}입니다"
            ),
            MistakeMsg::WithoutExp { j, x, sum, result } => format!(
                "x_{j} / Σ x = {x} / {sum} = {result}; 소프트맥스는 e^(x_j)를 Σ e^(x_k)로 나눕니다"
            ),
            MistakeMsg::TermLeftOut { t, term, rest, n } => format!(
                "e^(x_{t} − max)(= {term})를 뺀 Σ는 {rest}입니다; 합에는 항 {n}개가 모두 들어갑니다"
            ),
            MistakeMsg::Unbiased { unbiased, var } => format!(
                "Σ (x − mean)² ÷ (n − 1) = {unbiased}; 층 정규화는 n으로 나눕니다: var = {var}"
            ),
            MistakeMsg::DividedByVariance {
                x,
                mean,
                var_eps,
                result,
                sigma,
            } => format!(
                "({x} − {mean}) ÷ {var_eps} = {result}; 나누는 값은 √(var + eps) = {sigma}입니다"
            ),
            MistakeMsg::NoMean {
                x,
                sigma,
                result,
                mean,
            } => format!("{x} ÷ {sigma} = {result}; 먼저 평균(mean = {mean})을 빼야 합니다"),
            MistakeMsg::NotDivided {
                x,
                mean,
                result,
                sigma,
            } => format!(
                "x − mean = {x} − {mean} = {result}; 그다음 √(var + eps)(= {sigma})로 나눕니다"
            ),
            MistakeMsg::NoGammaBeta { xhat, gamma, beta } => format!(
                "정규화한 값은 x̂ = {xhat}입니다; 그다음 gamma({gamma})를 곱하고 beta({beta})를 더합니다"
            ),
            MistakeMsg::SignFlipped { value } => {
                format!("값은 {value}입니다; 내 답은 부호가 반대입니다")
            }
            MistakeMsg::OtherCell {
                value,
                col,
                label,
                asked,
            } => format!(
                "열 {col} ({label})의 값이 {value}입니다; 이 문제가 묻는 것은 열 {asked}입니다"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::{has_hangul, numbers};

    #[test]
    fn every_practice_line_has_both_languages_with_the_same_numbers() {
        for m in PracticeMsg::samples() {
            let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
            assert!(!en.trim().is_empty() && has_hangul(&ko), "{m:?}: {ko}");
            assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
        }
    }

    #[test]
    fn every_mistake_has_both_languages_with_the_same_numbers() {
        for m in MistakeMsg::samples() {
            let (en_what, ko_what) = (m.what(Lang::En), m.what(Lang::Ko));
            assert!(
                !en_what.is_empty() && has_hangul(&ko_what),
                "{m:?}: {ko_what}"
            );
            let (en, ko) = (m.detail(Lang::En), m.detail(Lang::Ko));
            assert!(!en.is_empty() && has_hangul(&ko), "{m:?}: {ko}");
            assert_eq!(
                numbers(&format!("{en_what} {en}")),
                numbers(&format!("{ko_what} {ko}")),
                "{m:?}\n{en_what}: {en}\n{ko_what}: {ko}"
            );
        }
    }
}
