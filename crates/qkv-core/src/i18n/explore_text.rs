//! The words of `explore pe` and `explore scaling` as text (the REPL and `qkv explore`) in
//! both languages; the numbers, formulas and layout are [`crate::explore::pe::text`]'s and
//! [`crate::explore::scaling::text`]'s. The English is what they always printed.

use super::Lang;

/// One sentence or label of the explorers' text.
#[derive(Debug, Clone, PartialEq)]
pub enum ExText {
    /// PE: what is tabulated, with the formula.
    PeHeader(usize),
    /// PE: how many frequency pairs there are beyond the eight shown.
    MorePairs(usize),
    /// PE: the last column of an odd d_model.
    Unpaired(usize),
    /// PE: the table's heading (last position, last dimension shown, d_model).
    PeTable {
        /// Last position.
        last_p: usize,
        /// Last dimension shown.
        last_dim: usize,
        /// d_model.
        d: usize,
    },
    /// PE: the dot products' heading (last row p, last column k).
    DotsTable {
        /// Last p.
        last_p: usize,
        /// Last k.
        last_k: usize,
    },
    /// PE: the spread row's label.
    SpreadLabel,
    /// PE: every column is one number (the largest spread, formatted).
    OneNumberPerColumn(String),
    /// PE: an odd d_model's spread (formatted).
    OddSpread(String),
    /// PE: the rotation's heading.
    Rotation {
        /// The pair.
        pair: usize,
        /// Its first column.
        c0: usize,
        /// Its second column.
        c1: usize,
        /// The offset.
        k: usize,
        /// The position.
        p: usize,
    },
    /// PE: the word before the rotation's residual.
    Residual,
    /// PE: why the rotation matters.
    RotationWhy,
    /// PE: a hand-check's stand-in width.
    HandCheckWidth(usize),
    /// PE: the status line (the residual, formatted).
    PeStatus {
        /// d_model.
        d: usize,
        /// The rotation's residual.
        residual: String,
    },
    /// Scaling: the variance table's heading (seed, samples).
    VarianceHeader {
        /// Seed.
        seed: u64,
        /// Samples per d_k.
        n: usize,
    },
    /// Scaling: the variance table's column heads.
    MeasuredVar,
    /// Scaling: `measured/d_k`.
    MeasuredOverDk,
    /// Scaling: `mean`.
    Mean,
    /// Scaling: why the variance is d_k.
    VarianceWhy,
    /// Scaling: the row's heading (keys, d_k, seed).
    OneRow {
        /// Keys.
        keys: usize,
        /// d_k.
        d_k: usize,
        /// Seed.
        seed: u64,
    },
    /// Scaling: the scores' label.
    Scores,
    /// Scaling: the unscaled softmax row's label.
    UnscaledRow,
    /// Scaling: `max`.
    Max,
    /// Scaling: `entropy`.
    Entropy,
    /// Scaling: the curves' heading (rows, keys, ln keys formatted).
    Curves {
        /// Rows averaged.
        rows: usize,
        /// Keys.
        keys: usize,
        /// ln keys.
        ln: String,
    },
    /// Scaling: the unscaled half of the curves' table.
    Unscaled,
    /// Scaling: what the curves show.
    CurvesWhy,
    /// Scaling: the status line.
    ScalingStatus,
    /// Heads: the table's column heads.
    Block,
    /// Heads: `head`.
    Head,
    /// Heads: `role`.
    Role,
    /// Heads: `why`.
    Why,
    /// Heads: a trace without attention weights.
    NoWeights,
}

impl ExText {
    /// One text of every kind, for the catalogue test.
    pub fn samples() -> Vec<ExText> {
        vec![
            ExText::PeHeader(8),
            ExText::MorePairs(256),
            ExText::Unpaired(6),
            ExText::PeTable {
                last_p: 7,
                last_dim: 5,
                d: 8,
            },
            ExText::DotsTable {
                last_p: 7,
                last_k: 4,
            },
            ExText::SpreadLabel,
            ExText::OneNumberPerColumn("2.4e-7".into()),
            ExText::OddSpread("0.3".into()),
            ExText::Rotation {
                pair: 1,
                c0: 2,
                c1: 3,
                k: 4,
                p: 5,
            },
            ExText::Residual,
            ExText::RotationWhy,
            ExText::HandCheckWidth(8),
            ExText::PeStatus {
                d: 8,
                residual: "1.2e-16".into(),
            },
            ExText::VarianceHeader { seed: 7, n: 4096 },
            ExText::MeasuredVar,
            ExText::MeasuredOverDk,
            ExText::Mean,
            ExText::VarianceWhy,
            ExText::OneRow {
                keys: 8,
                d_k: 64,
                seed: 7,
            },
            ExText::Scores,
            ExText::UnscaledRow,
            ExText::Max,
            ExText::Entropy,
            ExText::Curves {
                rows: 512,
                keys: 8,
                ln: "2.0794".into(),
            },
            ExText::Unscaled,
            ExText::CurvesWhy,
            ExText::ScalingStatus,
            ExText::Block,
            ExText::Head,
            ExText::Role,
            ExText::Why,
            ExText::NoWeights,
        ]
    }

    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(&self) -> String {
        match self {
            ExText::PeHeader(d) => format!(
                "positional encoding, d_model {d}: PE[p][2i] = sin(p·ω_i), PE[p][2i+1] = cos(p·ω_i), ω_i = 1/10000^(2i/{d})"
            ),
            ExText::MorePairs(n) => format!("  … ({n} pairs)"),
            ExText::Unpaired(c) => format!("  (column {c} is a sine without a cosine partner)"),
            ExText::PeTable { last_p, last_dim, d } => {
                format!("PE, positions 0..{last_p} × dimensions 0..{last_dim} (of {d}):")
            }
            ExText::DotsTable { last_p, last_k } => {
                format!("PE(p)·PE(p+k), rows p 0..{last_p}, columns k 0..{last_k}:")
            }
            ExText::SpreadLabel => "max−min over p:".into(),
            ExText::OneNumberPerColumn(w) => format!(
                "every column is one number (max−min over p ≤ {w}): PE(p)·PE(p+k) = Σ_i cos(ω_i·k) depends on the offset k alone, not on p"
            ),
            ExText::OddSpread(w) => format!(
                "max−min over p up to {w}: with an odd d_model the unpaired sine column adds sin(ω p)·sin(ω (p+k)), which depends on p"
            ),
            ExText::Rotation { pair, c0, c1, k, p } => {
                format!("rotation of pair i={pair} (columns {c0}, {c1}) by k={k}, applied at p={p}:")
            }
            ExText::Residual => "residual".into(),
            ExText::RotationWhy => "M depends on k (and i), never on p: one fixed linear map takes any position to the one k further on, so a query can learn \"look k tokens back\" (sin(a+b) = sin a·cos b + cos a·sin b, cos(a+b) = cos a·cos b − sin a·sin b)".into(),
            ExText::HandCheckWidth(d) => {
                format!("(a hand-check has no positional encoding: d_model {d} is used)")
            }
            ExText::PeStatus { d, residual } => format!(
                "PE, d_model {d}: PE(p)·PE(p+k) depends on k alone; rotation residual {residual}"
            ),
            ExText::VarianceHeader { seed, n } => format!(
                "Var(q·k) for q, k with entries uniform on [−√3, √3) (mean 0, variance 1), seed {seed}, N = {n} samples per d_k:"
            ),
            ExText::MeasuredVar => "measured Var".into(),
            ExText::MeasuredOverDk => "measured/d_k".into(),
            ExText::Mean => "mean".into(),
            ExText::VarianceWhy => "q·k is a sum of d_k products of variance 1, so its variance is d_k; ÷√d_k brings it back to 1.".into(),
            ExText::OneRow { keys, d_k, seed } => {
                format!("one row of {keys} keys, d_k = {d_k} (seed {seed}):")
            }
            ExText::Scores => "scores q·k_j".into(),
            ExText::UnscaledRow => "softmax(q·k), unscaled".into(),
            ExText::Max => "max".into(),
            ExText::Entropy => "entropy".into(),
            ExText::Curves { rows, keys, ln } => format!(
                "mean over {rows} rows of {keys} keys: largest weight, entropy (nats; uniform = ln {keys} = {ln}) and ‖diag(w) − w wᵀ‖_F, the softmax Jacobian (its backward pass):"
            ),
            ExText::Unscaled => "unscaled".into(),
            ExText::CurvesWhy => "unscaled, the row saturates as d_k grows (max → 1, entropy → 0) and the Jacobian, which every gradient through the softmax is multiplied by, shrinks toward 0; scaled, the numbers stay where they are for every d_k.".into(),
            ExText::ScalingStatus => "Var(q·k) = d_k; ÷√d_k keeps the softmax rows soft".into(),
            ExText::Block => "block".into(),
            ExText::Head => "head".into(),
            ExText::Role => "role".into(),
            ExText::Why => "why".into(),
            ExText::NoWeights => "this trace has no attention weights (a hand-check has one head: see `show weights`)".into(),
        }
    }

    fn ko(&self) -> String {
        match self {
            ExText::PeHeader(d) => format!(
                "위치 인코딩, d_model {d}: PE[p][2i] = sin(p·ω_i), PE[p][2i+1] = cos(p·ω_i), ω_i = 1/10000^(2i/{d})"
            ),
            ExText::MorePairs(n) => format!("  … (짝 {n}개)"),
            ExText::Unpaired(c) => format!("  (열 {c}은(는) 짝이 되는 코사인이 없는 사인입니다)"),
            ExText::PeTable { last_p, last_dim, d } => {
                format!("PE, 위치 0..{last_p} × 차원 0..{last_dim} ({d}차원 중):")
            }
            ExText::DotsTable { last_p, last_k } => {
                format!("PE(p)·PE(p+k), 행 p 0..{last_p}, 열 k 0..{last_k}:")
            }
            ExText::SpreadLabel => "p에 따른 최대−최소:".into(),
            ExText::OneNumberPerColumn(w) => format!(
                "열마다 숫자가 하나입니다 (p에 따른 최대−최소 ≤ {w}): PE(p)·PE(p+k) = Σ_i cos(ω_i·k)는 p가 아니라 거리 k에만 달렸습니다"
            ),
            ExText::OddSpread(w) => format!(
                "p에 따른 최대−최소가 {w}까지: d_model이 홀수이면 짝이 없는 사인 열이 sin(ω p)·sin(ω (p+k))를 더하고, 이 값은 p에 달렸습니다"
            ),
            ExText::Rotation { pair, c0, c1, k, p } => {
                format!("짝 i={pair} (열 {c0}, {c1})을 k={k}만큼 회전, p={p}에서:")
            }
            ExText::Residual => "잔차".into(),
            ExText::RotationWhy => "M은 k(와 i)에만 달렸고 p와는 무관합니다: 고정된 선형 변환 하나가 모든 위치를 k만큼 뒤의 위치로 옮기므로, 쿼리는 \"k 토큰 앞을 보라\"를 배울 수 있습니다 (sin(a+b) = sin a·cos b + cos a·sin b, cos(a+b) = cos a·cos b − sin a·sin b)".into(),
            ExText::HandCheckWidth(d) => {
                format!("(손 계산 확인에는 위치 인코딩이 없습니다: d_model {d}을(를) 씁니다)")
            }
            ExText::PeStatus { d, residual } => format!(
                "PE, d_model {d}: PE(p)·PE(p+k)는 k에만 달렸습니다; 회전 잔차 {residual}"
            ),
            ExText::VarianceHeader { seed, n } => format!(
                "성분이 [−√3, √3)에서 균등한 (평균 0, 분산 1) q, k의 Var(q·k), 시드 {seed}, d_k마다 표본 N = {n}개:"
            ),
            ExText::MeasuredVar => "측정한 Var".into(),
            ExText::MeasuredOverDk => "측정값/d_k".into(),
            ExText::Mean => "평균".into(),
            ExText::VarianceWhy => "q·k는 분산 1인 곱 d_k개의 합이라 분산이 d_k입니다; ÷√d_k를 하면 다시 1이 됩니다.".into(),
            ExText::OneRow { keys, d_k, seed } => {
                format!("키 {keys}개인 행 하나, d_k = {d_k} (시드 {seed}):")
            }
            ExText::Scores => "스코어 q·k_j".into(),
            ExText::UnscaledRow => "softmax(q·k), 안 나눔".into(),
            ExText::Max => "최대".into(),
            ExText::Entropy => "엔트로피".into(),
            ExText::Curves { rows, keys, ln } => format!(
                "키 {keys}개인 행 {rows}개의 평균: 가장 큰 가중치, 엔트로피 (nats; 균등 분포 = ln {keys} = {ln}), 소프트맥스의 야코비 행렬(역전파에서 곱해지는 것)의 ‖diag(w) − w wᵀ‖_F:"
            ),
            ExText::Unscaled => "안 나눔".into(),
            ExText::CurvesWhy => "나누지 않으면 d_k가 커질수록 행이 포화되고 (최대 → 1, 엔트로피 → 0), 소프트맥스를 지나는 모든 기울기에 곱해지는 야코비 행렬이 0으로 줄어듭니다; 나누면 어떤 d_k에서도 숫자가 제자리에 머뭅니다.".into(),
            ExText::ScalingStatus => {
                "Var(q·k) = d_k; ÷√d_k는 소프트맥스 행을 부드럽게 유지합니다".into()
            }
            ExText::Block => "블록".into(),
            ExText::Head => "헤드".into(),
            ExText::Role => "역할".into(),
            ExText::Why => "근거".into(),
            ExText::NoWeights => "이 트레이스에는 어텐션 가중치가 없습니다 (손 계산 확인에는 헤드가 하나 있습니다: `show weights`를 보세요)".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_explorer_text_has_both_languages_with_the_same_numbers() {
        check::both_texts(&ExText::samples(), ExText::text);
    }
}
