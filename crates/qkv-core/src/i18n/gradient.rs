//! The sentences of a gradient cell's explanation (`explain grad.<step>[…]`, the gradient
//! view's "why this number" box) in English and Korean, one exhaustive `match` per
//! language as in [`super::ui`]. The lines that are only arithmetic (`∂ = Σ_c … ≈ …`) are
//! the same in every language and are not here. Numbers come formatted, so both languages
//! print the same digits.

use super::Lang;

/// The backward rule of a step that reads the cell, named in a contribution's heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradRule {
    /// A residual sum.
    ResidualSum,
    /// x · W (or x · Eᵀ).
    WeightProduct,
    /// ReLU.
    Relu,
    /// SiLU.
    Silu,
    /// GELU (tanh approximation).
    Gelu,
    /// The heads side by side.
    Concat,
    /// weights · V.
    WeightsV,
    /// The mask (a blocked cell).
    Mask,
    /// The mask, then the softmax.
    MaskThenSoftmax,
    /// ÷ √d_k.
    Scale,
    /// Q · Kᵀ.
    QK,
    /// The embedding sum.
    EmbeddingSum,
    /// The softmax.
    Softmax,
    /// LayerNorm.
    LayerNorm,
}

impl GradRule {
    /// Every rule.
    pub const ALL: [GradRule; 14] = [
        GradRule::ResidualSum,
        GradRule::WeightProduct,
        GradRule::Relu,
        GradRule::Silu,
        GradRule::Gelu,
        GradRule::Concat,
        GradRule::WeightsV,
        GradRule::Mask,
        GradRule::MaskThenSoftmax,
        GradRule::Scale,
        GradRule::QK,
        GradRule::EmbeddingSum,
        GradRule::Softmax,
        GradRule::LayerNorm,
    ];

    fn en(self) -> &'static str {
        match self {
            GradRule::ResidualSum => "residual sum: passes the gradient on unchanged",
            GradRule::WeightProduct => "a product with a weight matrix",
            GradRule::Relu => "ReLU",
            GradRule::Silu => "SiLU: h · σ(h)",
            GradRule::Gelu => "GELU (tanh approximation)",
            GradRule::Concat => "the heads side by side",
            GradRule::WeightsV => "weights · V",
            GradRule::Mask => "the mask",
            GradRule::MaskThenSoftmax => "the mask, then the softmax",
            GradRule::Scale => "÷√d_k",
            GradRule::QK => "Q · Kᵀ",
            GradRule::EmbeddingSum => "the embedding sum",
            GradRule::Softmax => "softmax backward",
            GradRule::LayerNorm => "LayerNorm backward",
        }
    }

    fn ko(self) -> &'static str {
        match self {
            GradRule::ResidualSum => "잔차 연결의 합: 기울기를 그대로 넘깁니다",
            GradRule::WeightProduct => "가중치 행렬과의 곱",
            GradRule::Relu => "ReLU",
            GradRule::Silu => "SiLU: h · σ(h)",
            GradRule::Gelu => "GELU (tanh 근사)",
            GradRule::Concat => "헤드를 나란히 붙이기(concat)",
            GradRule::WeightsV => "weights · V",
            GradRule::Mask => "마스킹(masking)",
            GradRule::MaskThenSoftmax => "마스킹, 그다음 소프트맥스",
            GradRule::Scale => "÷√d_k",
            GradRule::QK => "Q · Kᵀ",
            GradRule::EmbeddingSum => "임베딩의 합",
            GradRule::Softmax => "소프트맥스 역전파",
            GradRule::LayerNorm => "층 정규화 역전파",
        }
    }
}

/// A sentence of a gradient explanation.
#[derive(Debug, Clone, PartialEq)]
pub enum GradMsg {
    /// The formula when the cell's gradient is a sum over the steps that read it.
    SumFormula,
    /// The title.
    Title {
        /// The gradient, formatted.
        value: String,
        /// The forward step.
        step: String,
        /// The indices, `[0][1][2]`.
        indices: String,
        /// The loss, formatted.
        loss: String,
    },
    /// No step reads the cell's step.
    NoReader(String),
    /// The sum of several contributions.
    Contributions {
        /// How many.
        n: usize,
        /// The terms, `a + b`.
        terms: String,
        /// Their sum.
        total: String,
    },
    /// A contribution's heading: the step that reads the cell, and its rule.
    From {
        /// The reading step.
        step: String,
        /// Its backward rule.
        rule: GradRule,
    },
    /// The loss's contribution's heading.
    FromLoss,
    /// A long dot product with the middle elided.
    Elided {
        /// The first terms.
        head: String,
        /// The last terms.
        tail: String,
        /// All the terms.
        n: usize,
    },
    /// The row's target and the smoothed probability q of the column.
    Target {
        /// The row.
        row: usize,
        /// The token it is trained to predict (quoted).
        word: String,
        /// The column.
        col: usize,
        /// The column's token (quoted).
        token: String,
        /// q, formatted.
        q: String,
        /// The label smoothing ε.
        eps: String,
        /// Predicted rows N.
        n: usize,
    },
    /// A row that predicts nothing.
    NoTarget(usize),
    /// ReLU lets the gradient through.
    ReluPasses {
        /// The hidden value, formatted.
        hidden: String,
        /// Row.
        i: usize,
        /// Column.
        j: usize,
        /// The gradient, formatted.
        grad: String,
    },
    /// ReLU blocks the gradient.
    ReluBlocks {
        /// The hidden value, formatted.
        hidden: String,
        /// The gradient, formatted.
        grad: String,
    },
    /// A masked cell gets no gradient.
    MaskBlocks,
    /// An unmasked cell: the mask passes the gradient to the softmax backward.
    MaskPasses {
        /// The mask step.
        step: String,
        /// Head.
        h: usize,
        /// Row.
        i: usize,
        /// Column.
        j: usize,
    },
    /// Scaling is off.
    ScaleOff(String),
    /// The embedding sum passes the gradient on.
    EmbeddingPasses {
        /// The sum step.
        step: String,
        /// Row.
        i: usize,
        /// Column.
        j: usize,
        /// The gradient, formatted.
        grad: String,
    },
    /// LayerNorm backward: the row's statistics.
    LayerNormRow {
        /// Row.
        i: usize,
        /// Its mean.
        mean: String,
        /// √(var + eps).
        sigma: String,
        /// Column.
        j: usize,
        /// x̂[j].
        xhat: String,
        /// ĝ[j].
        ghat: String,
        /// mean(ĝ).
        mean_g: String,
        /// mean(ĝ ⊙ x̂).
        mean_gx: String,
    },
}

impl GradMsg {
    /// One message of every kind (every rule), for the catalogue test.
    pub fn samples() -> Vec<GradMsg> {
        let s = |x: &str| x.to_string();
        let mut v = vec![
            GradMsg::SumFormula,
            GradMsg::Title {
                value: s("3.2e−5"),
                step: s("enc.0.attn.scaled"),
                indices: s("[0][1][2]"),
                loss: s("4.6"),
            },
            GradMsg::NoReader(s("dec.1.ffn.out")),
            GradMsg::Contributions {
                n: 2,
                terms: s("0.25 + (−0.125)"),
                total: s("0.125"),
            },
            GradMsg::FromLoss,
            GradMsg::Elided {
                head: s("1·2 + 3·4"),
                tail: s("5·6"),
                n: 8,
            },
            GradMsg::Target {
                row: 1,
                word: s("\"go\""),
                col: 7,
                token: s("\"school\""),
                q: s("0.02"),
                eps: s("0.1"),
                n: 5,
            },
            GradMsg::NoTarget(4),
            GradMsg::ReluPasses {
                hidden: s("0.5"),
                i: 1,
                j: 3,
                grad: s("0.25"),
            },
            GradMsg::ReluBlocks {
                hidden: s("−0.5"),
                grad: s("0.25"),
            },
            GradMsg::MaskBlocks,
            GradMsg::MaskPasses {
                step: s("dec.0.self_attn.masked"),
                h: 1,
                i: 2,
                j: 0,
            },
            GradMsg::ScaleOff(s("0.75")),
            GradMsg::EmbeddingPasses {
                step: s("enc.embed.sum"),
                i: 2,
                j: 5,
                grad: s("1.5e−3"),
            },
            GradMsg::LayerNormRow {
                i: 0,
                mean: s("0.1"),
                sigma: s("1.2"),
                j: 3,
                xhat: s("0.4"),
                ghat: s("0.05"),
                mean_g: s("0.01"),
                mean_gx: s("0.02"),
            },
        ];
        v.extend(GradRule::ALL.into_iter().map(|rule| GradMsg::From {
            step: s("enc.1.add_norm1.sum"),
            rule,
        }));
        v
    }

    /// The sentence in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(&self) -> String {
        match self {
            GradMsg::SumFormula => {
                "∂loss/∂x = Σ over the steps that read x of what each sends back".to_string()
            }
            GradMsg::Title {
                value,
                step,
                indices,
                loss,
            } => format!(
                "{value} — ∂loss/∂{step}{indices}: how the loss ({loss}) changes with this cell"
            ),
            GradMsg::NoReader(step) => {
                format!("no step reads {step} on the way to the loss: its gradient is 0")
            }
            GradMsg::Contributions { n, terms, total } => {
                format!("sum of the {n} contributions: {terms} ≈ {total}")
            }
            GradMsg::From { step, rule } => format!("from {step} ({})", rule.en()),
            GradMsg::FromLoss => "from the loss (cross-entropy of the row's target)".to_string(),
            GradMsg::Elided { head, tail, n } => format!("{head} + … + {tail} ({n} terms)"),
            GradMsg::Target {
                row,
                word,
                col,
                token,
                q,
                eps,
                n,
            } => format!(
                "row {row} is trained to predict {word}; column {col} is {token}, so q = {q} (label smoothing ε = {eps}), N = {n} predicted rows"
            ),
            GradMsg::NoTarget(row) => {
                format!("row {row} predicts nothing (its target is ignored): no gradient")
            }
            GradMsg::ReluPasses { hidden, i, j, grad } => format!(
                "hidden = {hidden} > 0, so the gradient passes: ∂relu[{i}][{j}] = {grad}"
            ),
            GradMsg::ReluBlocks { hidden, grad } => format!(
                "hidden = {hidden} ≤ 0: ReLU is flat there, so nothing passes (∂relu = {grad} is blocked)"
            ),
            GradMsg::MaskBlocks => "the mask puts −∞ here (the cell is blocked): e^−∞ = 0 whatever the score, so the gradient is 0".to_string(),
            GradMsg::MaskPasses { step, h, i, j } => format!(
                "the mask adds 0 here, so ∂scaled = ∂{step}[{h}][{i}][{j}], and that is the softmax backward:"
            ),
            GradMsg::ScaleOff(v) => format!("scaling is off: ∂scores = ∂scaled = {v}"),
            GradMsg::EmbeddingPasses { step, i, j, grad } => {
                format!("∂{step}[{i}][{j}] = {grad} passes on unchanged")
            }
            GradMsg::LayerNormRow {
                i,
                mean,
                sigma,
                j,
                xhat,
                ghat,
                mean_g,
                mean_gx,
            } => format!(
                "row {i}: mean {mean}, σ = √(var + eps) = {sigma}, x̂[{j}] = {xhat}, ĝ[{j}] = {ghat}, mean(ĝ) = {mean_g}, mean(ĝ ⊙ x̂) = {mean_gx}"
            ),
        }
    }

    // A number or a name is followed by a particle only in parentheses, after a colon or
    // before 입니다/이고, so no particle has to agree with how it is read.
    fn ko(&self) -> String {
        match self {
            GradMsg::SumFormula => {
                "∂loss/∂x = Σ (x를 읽는 단계마다 되돌려 보내는 값)".to_string()
            }
            GradMsg::Title {
                value,
                step,
                indices,
                loss,
            } => format!(
                "{value} — ∂loss/∂{step}{indices}: 이 칸이 바뀔 때 손실({loss})이 바뀌는 정도"
            ),
            GradMsg::NoReader(step) => format!(
                "손실로 가는 길에 {step}을(를) 읽는 단계가 없습니다: 기울기는 0입니다"
            ),
            GradMsg::Contributions { n, terms, total } => {
                format!("기여 {n}개의 합: {terms} ≈ {total}")
            }
            GradMsg::From { step, rule } => format!("{step}에서 ({})", rule.ko()),
            GradMsg::FromLoss => "손실에서 (그 행의 정답에 대한 교차 엔트로피)".to_string(),
            GradMsg::Elided { head, tail, n } => format!("{head} + … + {tail} (항 {n}개)"),
            GradMsg::Target {
                row,
                word,
                col,
                token,
                q,
                eps,
                n,
            } => format!(
                "행 {row}의 정답은 {word}, 열 {col}의 토큰은 {token}: 그래서 q = {q} (레이블 스무딩 ε = {eps}), N = {n} (예측하는 행의 수)"
            ),
            GradMsg::NoTarget(row) => {
                format!("행 {row}에는 예측할 정답이 없습니다 (무시되는 행): 기울기 없음")
            }
            GradMsg::ReluPasses { hidden, i, j, grad } => format!(
                "hidden = {hidden} > 0이므로 기울기가 통과합니다: ∂relu[{i}][{j}] = {grad}"
            ),
            GradMsg::ReluBlocks { hidden, grad } => format!(
                "hidden = {hidden} ≤ 0: ReLU가 그곳에서 평평하므로 아무것도 통과하지 못합니다 (∂relu = {grad}: 막힘)"
            ),
            GradMsg::MaskBlocks => "마스크가 여기에 −∞를 넣습니다 (막힌 칸): 스코어와 상관없이 e^−∞ = 0이므로 기울기는 0입니다".to_string(),
            GradMsg::MaskPasses { step, h, i, j } => format!(
                "마스크가 여기에는 0을 더하므로 ∂scaled = ∂{step}[{h}][{i}][{j}]이고, 이것이 소프트맥스 역전파입니다:"
            ),
            GradMsg::ScaleOff(v) => {
                format!("스케일링이 꺼져 있습니다: ∂scores = ∂scaled = {v}")
            }
            GradMsg::EmbeddingPasses { step, i, j, grad } => {
                format!("∂{step}[{i}][{j}] = {grad}: 그대로 전달됩니다")
            }
            GradMsg::LayerNormRow {
                i,
                mean,
                sigma,
                j,
                xhat,
                ghat,
                mean_g,
                mean_gx,
            } => format!(
                "행 {i}: 평균(mean) {mean}, σ = √(var + eps) = {sigma}, x̂[{j}] = {xhat}, ĝ[{j}] = {ghat}, mean(ĝ) = {mean_g}, mean(ĝ ⊙ x̂) = {mean_gx}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::{has_hangul, numbers};

    #[test]
    fn every_gradient_sentence_has_both_languages_with_the_same_numbers() {
        for m in GradMsg::samples() {
            let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
            assert!(!en.trim().is_empty() && has_hangul(&ko), "{m:?}: {ko}");
            assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
        }
    }
}
