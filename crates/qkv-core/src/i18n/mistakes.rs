//! The classic mistakes practice mode checks a wrong number against, in English and Korean
//! ([`MistakeMsg`]): what went wrong and the arithmetic that shows it, one exhaustive `match`
//! per language. The numbers come formatted by the caller, so both languages print the same
//! digits.

use super::Lang;

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
    #[expect(
        clippy::too_many_lines,
        reason = "one sample per kind of mistake, for the catalogue test"
    )]
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

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per kind of mistake, the English catalogue"
    )]
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
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per kind of mistake, the Korean catalogue"
    )]
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
