//! The steps' formula lines (`Step::formula`) in English and Korean.
//!
//! The model writes each formula once, in English, with the step's own numbers and names
//! (`q = X · W_Q; head h = columns h·d_k..(h+1)·d_k, d_k = 8`). The math is the same in
//! both languages; what is English is the words around it. This catalogue says, per step
//! kind, which English clause a formula carries and its Korean, each clause whole
//! (`(scaling off)` → `(스케일링 꺼짐)`), so the numbers and names stay exactly as the model
//! wrote them and no sentence is assembled in English order.
//!
//! Left as they are, being pure math: scores (`scores = Q_h · K_hᵀ`), the softmax written
//! out (`weights[i][j] = e^(…) / Σ_k …`), the embedding sum (`sum = tokens · √d_model + pos`),
//! the heads' outputs, concat, W_O, the residual sums, the feed-forward's three lines
//! (`relu = max(0, hidden)`) and the hand-check's `output = weights · v`. Not covered here:
//! the gradient steps' rules (`grad.*`) and the decoder's sampling lines.

use super::Lang;
use crate::trace::{Step, StepKind};

/// The English clauses a formula of `kind` may carry, with their Korean.
fn clauses(kind: StepKind) -> &'static [(&'static str, &'static str)] {
    use StepKind as K;
    match kind {
        K::TokenEmbedding => &[(" (row of the embedding table)", " (임베딩 표의 행)")],
        K::Positional => &[(" (positional encoding off)", " (위치 인코딩 꺼짐)")],
        K::Query | K::Key | K::Value => &[
            (
                "; head h = columns h·d_k..(h+1)·d_k, d_k = ",
                "; 헤드 h = 열 h·d_k..(h+1)·d_k, d_k = ",
            ),
            // The hand-check's given matrices.
            (
                ": queries given in the scenario",
                ": 시나리오에 주어진 쿼리",
            ),
            (": keys given in the scenario", ": 시나리오에 주어진 키"),
            (": values given in the scenario", ": 시나리오에 주어진 밸류"),
        ],
        K::Scaled => &[(" (scaling off)", " (스케일링 꺼짐)")],
        K::Masked => &[
            (
                ", M[i][j] = −∞ where j > i (causal), else 0",
                ", j > i이면 M[i][j] = −∞ (인과), 아니면 0",
            ),
            (" (no mask)", " (마스크 없음)"),
        ],
        K::Logits => &[(
            " (output projection tied to the embeddings)",
            " (출력 투영은 임베딩 행렬을 함께 씀)",
        )],
        K::Probs => &[(" row-wise", " (행마다)")],
        _ => &[],
    }
}

/// `step`'s formula in `lang`: English as the model wrote it; Korean with each English
/// clause of the step's kind replaced by its Korean.
pub fn formula_in(step: &Step, lang: Lang) -> String {
    formula_of(step.kind(), step.formula(), lang)
}

/// [`formula_in`] for a formula text and its step kind.
pub fn formula_of(kind: StepKind, formula: &str, lang: Lang) -> String {
    match lang {
        Lang::En => formula.to_string(),
        Lang::Ko if kind == StepKind::LayerNorm => layer_norm_ko(formula),
        Lang::Ko => clauses(kind)
            .iter()
            .fold(formula.to_string(), |f, (en, ko)| f.replace(en, ko)),
    }
}

/// `…, over each row of X (eps = 1e-5)` → `…, X의 각 행마다 (eps = 1e-5)`.
fn layer_norm_ko(formula: &str) -> String {
    match formula.split_once(", over each row of ") {
        Some((math, rest)) => match rest.split_once(" (eps") {
            Some((input, eps)) => format!("{math}, {input}의 각 행마다 (eps{eps}"),
            None => format!("{math}, {rest}의 각 행마다"),
        },
        None => formula.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_formulas_keep_the_math_and_the_numbers() {
        // d_k = 8: the heads' columns are 0..8, 8..16, …
        let f = "q = X · W_Q; head h = columns h·d_k..(h+1)·d_k, d_k = 8";
        assert_eq!(formula_of(StepKind::Query, f, Lang::En), f);
        assert_eq!(
            formula_of(StepKind::Query, f, Lang::Ko),
            "q = X · W_Q; 헤드 h = 열 h·d_k..(h+1)·d_k, d_k = 8"
        );
        let f = "out = (x − mean) / √(var + eps) · gamma + beta, over each row of enc.0.add_norm1.sum (eps = 1e-5)";
        assert_eq!(
            formula_of(StepKind::LayerNorm, f, Lang::Ko),
            "out = (x − mean) / √(var + eps) · gamma + beta, enc.0.add_norm1.sum의 각 행마다 (eps = 1e-5)"
        );
        // Pure math is the same in both languages.
        let f = "scores = Q_h · K_hᵀ";
        assert_eq!(formula_of(StepKind::Scores, f, Lang::Ko), f);
    }
}
