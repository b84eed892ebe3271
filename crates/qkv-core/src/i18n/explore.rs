//! The explorer views' texts (`E` positional encoding, `S` scaling, `H` all heads) in English
//! and Korean: fixed labels ([`Ex`]) and sentences with arguments ([`ExMsg`]), one exhaustive
//! `match` per language as in [`super::ui`].

use super::Lang;
use crate::explore::heads::{HeadStats, Role, WEIGHT_THRESHOLD};

/// Fixed labels of the explorer views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is its English text
pub enum Ex {
    HeadsTitle,
    NoHeads,
    SelectedHead,
    HeadsKeys,
    HeadsRule,
    ScalingTitle,
    UnscaledBox,
    UnscaledColumn,
    MaxW,
    JacobianNote,
    ThisRow,
    VarianceBox,
    Measured,
    PeDotsBox,
    PeDotsNote,
    RotationBox,
    NoPair,
    Residual,
    RotationNote,
    PeStatus,
    ScalingStatus,
    HeadsStatus,
}

impl Ex {
    /// Every label.
    pub const ALL: [Ex; 22] = [
        Ex::PeStatus,
        Ex::ScalingStatus,
        Ex::HeadsStatus,
        Ex::HeadsTitle,
        Ex::NoHeads,
        Ex::SelectedHead,
        Ex::HeadsKeys,
        Ex::HeadsRule,
        Ex::ScalingTitle,
        Ex::UnscaledBox,
        Ex::UnscaledColumn,
        Ex::MaxW,
        Ex::JacobianNote,
        Ex::ThisRow,
        Ex::VarianceBox,
        Ex::Measured,
        Ex::PeDotsBox,
        Ex::PeDotsNote,
        Ex::RotationBox,
        Ex::NoPair,
        Ex::Residual,
        Ex::RotationNote,
    ];

    /// The label in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(self) -> &'static str {
        match self {
            Ex::HeadsTitle => " qkv · all heads — what each head does on this sentence ",
            Ex::NoHeads => "this trace has no attention heads",
            Ex::SelectedHead => " selected head ",
            Ex::HeadsKeys => "Enter opens this head in the workbench; ←↑↓→ choose",
            Ex::HeadsRule => crate::explore::heads::RULE,
            Ex::ScalingTitle => " qkv · scaling explorer — why divide the scores by √d_k ",
            Ex::UnscaledBox => " softmax(q·k), unscaled ",
            Ex::UnscaledColumn => "unscal.",
            Ex::MaxW => "max w",
            Ex::JacobianNote => {
                "‖J‖: ‖diag(w) − wwᵀ‖_F, what a gradient through softmax is multiplied by"
            }
            Ex::ThisRow => " this row ",
            Ex::VarianceBox => " Var(q·k) against d_k (log₂ axes) ",
            Ex::Measured => " measured ",
            Ex::PeDotsBox => " PE(p)·PE(p+k): rows p, columns k ",
            Ex::PeDotsNote => " each column is one colour: k alone decides ",
            Ex::RotationBox => " PE(p) → PE(p+k): a rotation (← → p, ↑ ↓ k) ",
            Ex::NoPair => "d_model < 2: no sine/cosine pair to rotate",
            Ex::Residual => "residual ",
            Ex::PeStatus => {
                "PE explorer: [ ] frequency pair i, ← → position p, ↑ ↓ offset k, Esc back"
            }
            Ex::ScalingStatus => "scaling explorer: ← → d_k of the row, Esc back",
            Ex::HeadsStatus => {
                "all heads: ←↑↓→ choose, Enter opens the head in the workbench, Esc back"
            }
            Ex::RotationNote => {
                "M = [[cos, sin], [−sin, cos]] of ω_i·k depends on k, never on p: one fixed linear map takes every position to the one k further on, so q·k can score \"k tokens away\" the same anywhere in the sentence"
            }
        }
    }

    fn ko(self) -> &'static str {
        match self {
            Ex::HeadsTitle => " qkv · 모든 헤드 — 이 문장에서 각 헤드가 하는 일 ",
            Ex::NoHeads => "이 트레이스에는 어텐션 헤드가 없습니다",
            Ex::SelectedHead => " 고른 헤드 ",
            Ex::HeadsKeys => "Enter: 이 헤드를 워크벤치에서 엽니다. ←↑↓→: 헤드 고르기",
            Ex::HeadsRule => {
                "엔트로피: 행 엔트로피의 평균(nats). 역할은 먼저 맞는 규칙으로 정합니다: 평균 w[i][i−1] > 0.5이면 이전 토큰 (셀프 어텐션, i ≥ 1인 행), 평균 w[i][i] > 0.5이면 자기 자신, 평균 w[i][0] > 0.5이면 첫 토큰, 평균 엔트로피 > 0.8 × 평균 ln(한 행이 보는 키 수)이면 넓게 봄, 나머지는 혼합. 인과 마스크에서는 행 0을 뺍니다 (가중치가 하나뿐이라 정해져 있음)."
            }
            Ex::ScalingTitle => " qkv · 스케일링(scaling) 탐색기 — 왜 스코어를 √d_k로 나누는가 ",
            Ex::UnscaledBox => " softmax(q·k), 안 나눔 ",
            Ex::UnscaledColumn => "안 나눔",
            Ex::MaxW => "최대 w",
            Ex::JacobianNote => "‖J‖: ‖diag(w) − wwᵀ‖_F, 소프트맥스를 지나는 기울기에 곱해지는 값",
            Ex::ThisRow => " 이 행 ",
            Ex::VarianceBox => " d_k에 따른 Var(q·k) (log₂ 축) ",
            Ex::Measured => " 측정값 ",
            Ex::PeDotsBox => " PE(p)·PE(p+k): 행 p, 열 k ",
            Ex::PeDotsNote => " 열마다 한 색: k만으로 정해집니다 ",
            Ex::RotationBox => " PE(p) → PE(p+k): 회전 (← → p, ↑ ↓ k) ",
            Ex::NoPair => "d_model < 2: 회전할 사인/코사인 짝이 없습니다",
            Ex::Residual => "잔차 ",
            Ex::PeStatus => {
                "위치 인코딩 탐색기: [ ] 주파수 짝 i, ← → 위치 p, ↑ ↓ 거리 k, Esc 돌아가기"
            }
            Ex::ScalingStatus => "스케일링 탐색기: ← → 이 행의 d_k, Esc 돌아가기",
            Ex::HeadsStatus => "모든 헤드: ←↑↓→ 고르기, Enter로 워크벤치에서 열기, Esc 돌아가기",
            Ex::RotationNote => {
                "ω_i·k의 M = [[cos, sin], [−sin, cos]]는 k에만 달렸고 p와는 무관합니다: 고정된 선형 변환 하나가 모든 위치를 k만큼 뒤의 위치로 옮기므로, q·k는 문장 어디에서든 \"k 토큰 떨어짐\"을 똑같이 점수 매길 수 있습니다"
            }
        }
    }
}

/// Sentences with arguments of the explorer views.
#[derive(Debug, Clone, PartialEq)]
pub enum ExMsg {
    /// Heads: the selected head's role.
    Role(Role),
    /// Heads: a role in a tile (a few columns).
    ShortRole(Role),
    /// Heads: why the rule gave this role.
    Because(String),
    /// Heads: the mean row entropy.
    Entropy {
        /// Mean entropy, nats.
        entropy: f64,
        /// Rows averaged.
        rows: usize,
        /// Keys.
        keys: usize,
        /// Causal (row 0 left out).
        causal: bool,
    },
    /// Heads: the means the rule looks at.
    Means(String),
    /// Heads: a block's stack and layer (`enc 0`) from the English label.
    Stack(String),
    /// Heads: `self` or `cross`.
    BlockKind(String),
    /// Scaling: the entropy legend.
    EntropyLegend {
        /// Keys of the row.
        keys: usize,
        /// ln keys.
        ln: f64,
    },
    /// Scaling: the row's seed and keys.
    SeedKeys {
        /// Seed.
        seed: u64,
        /// Keys.
        keys: usize,
    },
    /// Scaling: the measured curve's name.
    MeasuredN(usize),
    /// Scaling: what the table's last columns average.
    TableNote(usize),
    /// PE: the title.
    PeTitle(usize),
    /// PE: no PE at this width.
    NoPe(usize),
    /// PE: the chart's pair.
    Pair(usize),
    /// PE: the dot product, the same for all p.
    DotForAllP(String),
    /// PE: its spread over p.
    Spread(String),
    /// Heads: the status line of `explore heads`.
    HeadsCount {
        /// Heads in all.
        heads: usize,
        /// Heads with a role other than mixed.
        roles: usize,
    },
}

impl ExMsg {
    /// One message of every kind, for the catalogue test.
    pub fn samples() -> Vec<ExMsg> {
        let mut v: Vec<ExMsg> = [
            Role::PreviousToken,
            Role::SelfToken,
            Role::FirstToken,
            Role::Broad,
            Role::Mixed,
        ]
        .into_iter()
        .flat_map(|r| [ExMsg::Role(r), ExMsg::ShortRole(r)])
        .collect();
        v.extend([
            ExMsg::Because("x".into()),
            ExMsg::Entropy {
                entropy: 0.5,
                rows: 3,
                keys: 4,
                causal: true,
            },
            ExMsg::Entropy {
                entropy: 0.5,
                rows: 3,
                keys: 4,
                causal: false,
            },
            ExMsg::Means("w[i][0] 0.300".into()),
            ExMsg::Stack("enc 1".into()),
            ExMsg::Stack("dec 0".into()),
            ExMsg::BlockKind("self".into()),
            ExMsg::BlockKind("cross".into()),
            ExMsg::EntropyLegend { keys: 8, ln: 2.079 },
            ExMsg::SeedKeys { seed: 7, keys: 8 },
            ExMsg::MeasuredN(4096),
            ExMsg::TableNote(512),
            ExMsg::PeTitle(8),
            ExMsg::NoPe(0),
            ExMsg::Pair(2),
            ExMsg::DotForAllP("2.5000".into()),
            ExMsg::Spread("3e-7".into()),
            ExMsg::HeadsCount {
                heads: 16,
                roles: 9,
            },
        ]);
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
            ExMsg::Role(r) => format!("  role: {r}"),
            ExMsg::ShortRole(r) => match r {
                Role::PreviousToken => "prev",
                Role::SelfToken => "self",
                Role::FirstToken => "first",
                Role::Broad => "broad",
                Role::Mixed => "mixed",
            }
            .to_string(),
            ExMsg::Because(r) => format!("because {r}"),
            ExMsg::Entropy {
                entropy,
                rows,
                keys,
                causal,
            } => format!(
                "mean row entropy {entropy:.3} nats over {rows} rows, {keys} keys{}",
                if *causal {
                    " (causal: row 0 left out)"
                } else {
                    ""
                }
            ),
            ExMsg::Means(m) => format!("means: {m}"),
            ExMsg::Stack(s) | ExMsg::BlockKind(s) => s.clone(),
            ExMsg::EntropyLegend { keys, ln } => {
                format!("H: entropy, nats (uniform: ln {keys} = {ln:.3})")
            }
            ExMsg::SeedKeys { seed, keys } => format!("seed {seed}, {keys} keys"),
            ExMsg::MeasuredN(n) => format!("measured, N={n}"),
            ExMsg::TableNote(rows) => {
                format!("max, H, ‖J‖: mean of {rows} unscaled rows; → 1, 0, 0")
            }
            ExMsg::PeTitle(d) => format!(
                " qkv · PE explorer — d_model {d}: why sinusoids let attention use relative position "
            ),
            ExMsg::NoPe(d) => format!("d_model {d} has no PE to explore"),
            ExMsg::Pair(i) => format!(" pair i={i} ([ ]): "),
            ExMsg::DotForAllP(x) => format!("PE(p)·PE(p+k) = {x} for all p"),
            ExMsg::Spread(x) => format!("(max−min over p {x})"),
            ExMsg::HeadsCount { heads, roles } => {
                format!("{heads} heads, {roles} with a role other than mixed")
            }
        }
    }

    fn ko(&self) -> String {
        match self {
            ExMsg::Role(r) => format!("  역할: {}", role_ko(*r)),
            ExMsg::ShortRole(r) => match r {
                Role::PreviousToken => "이전",
                Role::SelfToken => "자기",
                Role::FirstToken => "첫",
                Role::Broad => "넓게",
                Role::Mixed => "혼합",
            }
            .to_string(),
            ExMsg::Because(r) => format!("근거: {r}"),
            ExMsg::Entropy {
                entropy,
                rows,
                keys,
                causal,
            } => format!(
                "평균 행 엔트로피 {entropy:.3} nats (행 {rows}개, 키 {keys}개{})",
                if *causal {
                    ", 인과 마스크라 행 0 제외"
                } else {
                    ""
                }
            ),
            ExMsg::Means(m) => format!("평균: {m}"),
            ExMsg::Stack(s) => match s.split_once(' ') {
                Some(("enc", l)) => format!("인코더 {l}"),
                Some(("dec", l)) => format!("디코더 {l}"),
                _ => s.clone(),
            },
            ExMsg::BlockKind(k) => match k.as_str() {
                "self" => "셀프".to_string(),
                "cross" => "크로스".to_string(),
                _ => k.clone(),
            },
            ExMsg::EntropyLegend { keys, ln } => {
                format!("H: 엔트로피, nats (균등 분포: ln {keys} = {ln:.3})")
            }
            ExMsg::SeedKeys { seed, keys } => format!("시드 {seed}, 키 {keys}개"),
            ExMsg::MeasuredN(n) => format!("측정값, N={n}"),
            ExMsg::TableNote(rows) => {
                format!("max, H, ‖J‖: 스케일링 없는 행 {rows}개의 평균, → 1, 0, 0")
            }
            ExMsg::PeTitle(d) => format!(
                " qkv · 위치 인코딩(positional encoding) 탐색기 — d_model {d}: 사인파로 상대 위치를 쓸 수 있는 이유 "
            ),
            ExMsg::NoPe(d) => format!("d_model {d}에는 살펴볼 위치 인코딩이 없습니다"),
            ExMsg::Pair(i) => format!(" 짝 i={i} ([ ]): "),
            ExMsg::DotForAllP(x) => format!("모든 p에서 PE(p)·PE(p+k) = {x}"),
            ExMsg::Spread(x) => format!("(p에 따른 최대−최소 {x})"),
            ExMsg::HeadsCount { heads, roles } => {
                format!("헤드 {heads}개 중 {roles}개가 혼합이 아닌 역할")
            }
        }
    }
}

/// A head's role in `lang`.
pub fn role_text(r: Role, lang: Lang) -> String {
    match lang {
        Lang::En => r.to_string(),
        Lang::Ko => role_ko(r).to_string(),
    }
}

/// A head's role in Korean.
fn role_ko(r: Role) -> &'static str {
    match r {
        Role::PreviousToken => "이전 토큰",
        Role::SelfToken => "자기 자신",
        Role::FirstToken => "첫 토큰",
        Role::Broad => "넓게 봄",
        Role::Mixed => "혼합",
    }
}

/// Why the rule gave `s` its role, in `lang` ([`HeadStats::reason`] in English).
pub fn head_reason(s: &HeadStats, lang: Lang) -> String {
    if lang == Lang::En {
        return s.reason();
    }
    let t = WEIGHT_THRESHOLD;
    match s.role {
        Role::PreviousToken => format!(
            "평균 w[i][i−1] = {:.3} > {t}",
            s.previous.unwrap_or(f64::NAN)
        ),
        Role::SelfToken => format!("평균 w[i][i] = {:.3} > {t}", s.itself.unwrap_or(f64::NAN)),
        Role::FirstToken => format!("평균 w[i][0] = {:.3} > {t}", s.first),
        Role::Broad => format!(
            "평균 엔트로피 {:.3} > {:.3} = 0.8·평균 ln(보는 키 수)",
            s.entropy, s.broad_above
        ),
        Role::Mixed => {
            let mut parts = Vec::new();
            if let Some(p) = s.previous {
                parts.push(format!("w[i][i−1] {p:.2}"));
            }
            if let Some(x) = s.itself {
                parts.push(format!("w[i][i] {x:.2}"));
            }
            parts.push(format!("w[i][0] {:.2}", s.first));
            format!(
                "{} 모두 ≤ {t}, 엔트로피 {:.3} ≤ {:.3}",
                parts.join(", "),
                s.entropy,
                s.broad_above
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::{has_hangul, numbers};

    #[test]
    fn every_explorer_text_has_both_languages_with_the_same_numbers() {
        for l in Ex::ALL {
            let (en, ko) = (l.text(Lang::En), l.text(Lang::Ko));
            assert!(!en.trim().is_empty() && has_hangul(ko), "{l:?}: {ko}");
            assert_eq!(numbers(en), numbers(ko), "{l:?}");
        }
        for m in ExMsg::samples() {
            let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
            assert!(!en.trim().is_empty() && has_hangul(&ko), "{m:?}: {ko}");
            assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
        }
    }
}
