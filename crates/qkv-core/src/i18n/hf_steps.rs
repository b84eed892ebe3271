//! The explanations of the steps a real model's family adds to the paper (`qkv explain` and
//! the workbench's explain panel): BERT's learned positions, its token types and GELU, and
//! what `qkv fill` says about a masked word.

use super::Lang;

/// One title or sentence about a family's own step.
#[derive(Debug, Clone, PartialEq)]
pub enum HfStepText {
    /// Title of a learned position's cell.
    PositionTitle {
        /// The position.
        pos: usize,
        /// Its piece.
        token: String,
        /// The column.
        col: usize,
    },
    /// Why a learned position is a row of a table.
    PositionNote {
        /// The table (`embed.P`).
        table: String,
        /// The position.
        pos: usize,
    },
    /// Title of a token type's cell.
    TypeTitle {
        /// The position.
        pos: usize,
        /// Its piece.
        token: String,
        /// The column.
        col: usize,
    },
    /// What the token type of this position is.
    TypeNote {
        /// The table (`embed.T`).
        table: String,
        /// The type (0: sentence A, 1: sentence B).
        ty: usize,
    },
    /// Title of a token's row of the word-embedding table.
    TokenTitle {
        /// The piece.
        token: String,
        /// The row.
        row: usize,
        /// The column.
        col: usize,
        /// Its id (row of the table).
        id: usize,
    },
    /// Title of a cell of `tokens + pos + types`.
    SumTitle {
        /// The piece.
        token: String,
        /// The row.
        row: usize,
        /// The column.
        col: usize,
    },
    /// Title of a GELU cell.
    GeluTitle {
        /// The row's piece.
        token: String,
        /// The row.
        row: usize,
        /// The column.
        col: usize,
    },
    /// How GELU treats negative numbers, against ReLU.
    GeluNote,
    /// `qkv fill`: the model has no masked-language-model head.
    NoMlmHead {
        /// The model's directory.
        dir: String,
    },
    /// `qkv fill`: the sentence has no `[MASK]`.
    NoMask {
        /// The mask token.
        mask: String,
    },
    /// `qkv fill`: one candidate, its rank from 1.
    Candidate {
        /// Rank (1: most likely).
        rank: usize,
        /// The piece.
        piece: String,
        /// Its id.
        id: usize,
        /// Its probability, formatted.
        prob: String,
    },
    /// `qkv fill`: the heading of one mask's candidates.
    FillAt {
        /// The position of the mask.
        pos: usize,
    },
}

impl HfStepText {
    /// The text in `lang`.
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per text, English and Korean side by side"
    )]
    pub fn text(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        match self {
            HfStepText::PositionTitle { pos, token, col } => {
                if ko {
                    format!("학습된 위치 벡터: 위치 {pos} ({token}), 차원 {col}")
                } else {
                    format!("learned position vector of position {pos} ({token}), dimension {col}")
                }
            }
            HfStepText::PositionNote { table, pos } => {
                if ko {
                    format!(
                        "BERT의 위치 벡터는 계산하지 않고 학습합니다: 위치마다 표 {table}의 한 행이 있고, 모델과 함께 훈련되었습니다. 위치 {pos}의 벡터는 {table}의 {pos}번 행입니다 (논문은 sin과 cos로 계산합니다)"
                    )
                } else {
                    format!(
                        "BERT's positions are learned, not computed: each position has a row of the table {table}, trained with the model; position {pos} reads row {pos} of {table} (the paper computes sines and cosines)"
                    )
                }
            }
            HfStepText::TypeTitle { pos, token, col } => {
                if ko {
                    format!("토큰 타입 벡터: 위치 {pos} ({token}), 차원 {col}")
                } else {
                    format!("token-type vector of position {pos} ({token}), dimension {col}")
                }
            }
            HfStepText::TypeNote { table, ty } => {
                let sentence = if *ty == 0 { "A" } else { "B" };
                if ko {
                    format!(
                        "BERT는 두 문장을 한 입력에 넣을 수 있어서, 토큰마다 어느 문장에 속하는지를 벡터로 더합니다: 문장 A는 {table}의 0번 행, 문장 B는 1번 행. 이 토큰은 타입 {ty} (문장 {sentence})이라 {table}의 {ty}번 행을 읽습니다. 논문에는 이 표가 없습니다"
                    )
                } else {
                    format!(
                        "BERT can take two sentences in one input, so each token adds a vector saying which one it belongs to: row 0 of {table} for sentence A, row 1 for sentence B. This token has type {ty} (sentence {sentence}) and reads row {ty} of {table}. The paper has no such table"
                    )
                }
            }
            HfStepText::TokenTitle {
                token,
                row,
                col,
                id,
            } => {
                if ko {
                    format!(
                        "토큰 임베딩(embedding): {token} (행 {row}, tokenizer.json의 id {id}), 차원 {col}"
                    )
                } else {
                    format!(
                        "token embedding of {token} (row {row}, id {id} in tokenizer.json), dimension {col}"
                    )
                }
            }
            HfStepText::SumTitle { token, row, col } => {
                if ko {
                    format!("토큰 + 위치 + 토큰 타입: {token} (행 {row}), 차원 {col}")
                } else {
                    format!(
                        "tokens + positions + token types of {token} (row {row}), dimension {col}"
                    )
                }
            }
            HfStepText::GeluTitle { token, row, col } => {
                if ko {
                    format!("GELU: {token} (행 {row}), 열 {col}")
                } else {
                    format!("GELU of {token} (row {row}), column {col}")
                }
            }
            HfStepText::GeluNote => {
                if ko {
                    "GELU(BERT의 config.json에서 hidden_act \"gelu\")는 값에 Φ(값), 곧 표준정규분포에서 그보다 작은 값이 나올 확률을 곱합니다. 큰 양수는 거의 그대로, 큰 음수는 거의 0이 되고, 작은 음수는 조금 남습니다 (최솟값은 약 −0.17, hidden ≈ −0.75에서). 논문의 ReLU는 음수를 모두 0으로 자릅니다".to_string()
                } else {
                    "GELU (hidden_act \"gelu\" in BERT's config.json) multiplies a value by Φ(value), the probability that a standard normal number is smaller: large positive values pass almost unchanged, large negative ones become almost 0, small negative ones keep a little (its lowest value is about −0.17, at hidden ≈ −0.75); the paper's ReLU cuts every negative value to 0".to_string()
                }
            }
            HfStepText::NoMlmHead { dir } => {
                if ko {
                    format!(
                        "{dir}에는 마스크 언어 모델 헤드(cls.predictions.*)가 없습니다 (문장 임베딩용 BertModel). 그래서 [MASK] 자리에 올 단어를 고를 수 없습니다: 이 모델의 단계는 마지막 층의 은닉 상태에서 끝납니다 (`qkv run --hf {dir}`로 볼 수 있습니다). BertForMaskedLM 체크포인트(예: bert-base-uncased)로 해 보세요"
                    )
                } else {
                    format!(
                        "{dir} has no masked-language-model head (cls.predictions.*; a BertModel, made for sentence embeddings), so it cannot choose a word for [MASK]: its steps stop at the last layer's hidden state (see them with `qkv run --hf {dir}`). Try a BertForMaskedLM checkpoint such as bert-base-uncased"
                    )
                }
            }
            HfStepText::NoMask { mask } => {
                if ko {
                    format!(
                        "문장에 {mask}가 없습니다: 모델이 채울 자리에 {mask}를 넣으세요 (예: \"나는 {mask}에 간다\")"
                    )
                } else {
                    format!(
                        "the sentence has no {mask}: put {mask} where the model should fill in a word (e.g. \"I go to {mask}\")"
                    )
                }
            }
            HfStepText::Candidate {
                rank,
                piece,
                id,
                prob,
            } => {
                if ko {
                    format!("  {rank}. {piece} ({id})  확률 {prob}")
                } else {
                    format!("  {rank}. {piece} ({id})  p = {prob}")
                }
            }
            HfStepText::FillAt { pos } => {
                if ko {
                    format!("위치 {pos}의 [MASK] 후보:")
                } else {
                    format!("candidates for the [MASK] at position {pos}:")
                }
            }
        }
    }

    /// One text of every kind, for the catalogue test.
    pub fn samples() -> Vec<HfStepText> {
        vec![
            HfStepText::PositionTitle {
                pos: 1,
                token: "나는".into(),
                col: 0,
            },
            HfStepText::PositionNote {
                table: "embed.P".into(),
                pos: 1,
            },
            HfStepText::TypeTitle {
                pos: 5,
                token: "i".into(),
                col: 2,
            },
            HfStepText::TypeNote {
                table: "embed.T".into(),
                ty: 0,
            },
            HfStepText::TypeNote {
                table: "embed.T".into(),
                ty: 1,
            },
            HfStepText::TokenTitle {
                token: "학교에".into(),
                row: 2,
                col: 0,
                id: 244,
            },
            HfStepText::SumTitle {
                token: "학교에".into(),
                row: 2,
                col: 0,
            },
            HfStepText::GeluTitle {
                token: "학교에".into(),
                row: 2,
                col: 3,
            },
            HfStepText::GeluNote,
            HfStepText::NoMlmHead {
                dir: "all-MiniLM-L6-v2".into(),
            },
            HfStepText::NoMask {
                mask: "[MASK]".into(),
            },
            HfStepText::Candidate {
                rank: 1,
                piece: "학교".into(),
                id: 244,
                prob: "0.4775".into(),
            },
            HfStepText::FillAt { pos: 2 },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_hf_step_text_has_both_texts() {
        check::both_texts(&HfStepText::samples(), HfStepText::text);
    }
}
