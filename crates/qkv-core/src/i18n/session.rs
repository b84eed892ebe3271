//! What [`crate::session::Session::apply`] says (its status lines, its printed text and the
//! errors it makes itself) in English and Korean, one exhaustive `match` per language as in
//! [`super::ui`]. The English texts are the session's own words; step names, command words
//! (`scale off`) and formulas are left as they are in both languages.

use super::Lang;

/// One thing the session says, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is documented by its English text
pub enum SessionMsg {
    /// `step 12/100: enc.0.attn.q[0]  Q = X·W_Q`.
    Step {
        n: usize,
        total: usize,
        here: String,
        formula: String,
    },
    /// `showing enc.0.attn.weights[1]`.
    Showing { here: String },
    /// `layer 1: enc.1.attn.weights[0]`.
    Layer { l: usize, here: String },
    /// `head 1 of 2: enc.0.attn.weights[1]`.
    Head { h: usize, n: usize, here: String },
    /// `layer 9 does not exist: the encoder stack has layers 0 or 1`.
    NoLayer {
        l: usize,
        encoder: bool,
        layers: usize,
    },
    /// `already at the last step (logits); …`.
    AlreadyAt { last: bool, step: String },
    /// `embed.E has no heads; …`.
    NoHeads { step: String },
    /// `selected cell [0][1] (나는 → 학교에) = 0.2500`.
    Selected {
        row: usize,
        col: usize,
        from: String,
        to: String,
        value: String,
    },
    /// `12 steps; `show <name>[h]` shows one`.
    StepCount(usize),
    /// `numbers now print with 3 digits after the point`.
    Precision(usize),
    /// `note added to …`.
    NoteAdded { here: String },
    /// What a rerun changed: `4 of 8 steps changed, largest change 0.53 in enc.0.attn.scaled`.
    Summary {
        changed: usize,
        total: usize,
        /// The largest change as printed (`None`: a cell became or stopped being −∞) and its step.
        largest: Option<(Option<String>, String)>,
        reshaped: usize,
        added: usize,
        removed: usize,
    },
    /// The printed line of a rerun: `scale off: reran; <summary>`.
    Reran { what: String, summary: String },
    /// The printed line of a hand-check recomputed: `scale off: recomputed; <summary>`.
    Recomputed { what: String, summary: String },
    /// The status line of a rerun that took the decoder's causal mask off.
    DecoderUnmasked { what: String, summary: String },
    /// `scale on: already so; nothing to rerun` (`recompute` for a hand-check).
    AlreadySo { what: String, hand: bool },
    /// `since the previous run: <summary>`.
    SincePrevious(String),
    /// `diff: <summary>`.
    DiffStatus(String),
    /// Nothing has been rerun yet.
    NothingToCompare,
    /// The heading of a tour stop: `── stop 2/5: enc.0.attn.weights[0] ──`.
    StopHeading { pos: usize, n: usize, here: String },
    /// The status line of a tour stop: `tour 2/5: <note or step>`.
    TourStop { pos: usize, n: usize, label: String },
    /// `end of the tour (5 stops); …`.
    TourEnd(usize),
    /// `tour ended at stop 2 of 5; …`.
    TourEnded { pos: usize, n: usize },
    /// `no tour is being replayed`.
    NoTour,
    /// `already at the first stop of the tour`.
    TourFirst,
    /// `the tour is empty`.
    TourEmpty,
    /// The scenario has no `steps:`.
    NoGuidedTour,
    /// The keys of a tour, under its title.
    TourKeys,
    /// `load` with unsaved changes.
    UnsavedLoad { path: String },
    /// `quit` with unsaved changes.
    UnsavedQuit,
    /// `quit` with training updates no checkpoint holds.
    UnsavedTraining { updates: usize },
    /// `loaded a.yaml: Title (100 steps)`.
    Loaded {
        path: String,
        title: String,
        steps: usize,
    },
    /// `model load DIR`: `opened opus-mt-ko-en · d_model 512 … (77.5M parameters): 312 steps
    /// of 나는 학교에 간다`.
    ModelOpened {
        heading: String,
        params: String,
        steps: usize,
        text: String,
    },
    /// `model load` alone: `back to <title> (100 steps)`.
    ModelBack { title: String, steps: usize },
    /// `model load` alone with no model studied before.
    NoModelBefore,
    /// `check: 3 passed, 0 failed` (without `check: ` in the printed text).
    CheckSummary { passed: usize, failed: usize },
    /// `check: <summary>`.
    CheckStatus(String),
    /// `bye`.
    Bye,
}

impl SessionMsg {
    /// Examples of every message (for the key-completeness test).
    #[expect(
        clippy::too_many_lines,
        reason = "one sample per message, so the completeness test walks every key."
    )]
    pub fn samples() -> Vec<SessionMsg> {
        use SessionMsg as S;
        let here = || "enc.0.attn.weights[1]".to_string();
        vec![
            S::Step {
                n: 12,
                total: 100,
                here: here(),
                formula: "A = softmax(S)".into(),
            },
            S::Showing { here: here() },
            S::Layer { l: 1, here: here() },
            S::Head {
                h: 1,
                n: 2,
                here: here(),
            },
            S::NoLayer {
                l: 9,
                encoder: true,
                layers: 2,
            },
            S::NoLayer {
                l: 9,
                encoder: false,
                layers: 6,
            },
            S::NoLayer {
                l: 3,
                encoder: false,
                layers: 1,
            },
            S::NoLayer {
                l: 3,
                encoder: true,
                layers: 0,
            },
            S::AlreadyAt {
                last: true,
                step: "logits".into(),
            },
            S::AlreadyAt {
                last: false,
                step: "embed.tokens".into(),
            },
            S::NoHeads {
                step: "embed.E".into(),
            },
            S::Selected {
                row: 0,
                col: 1,
                from: "나는".into(),
                to: "학교에".into(),
                value: "0.2500".into(),
            },
            S::StepCount(42),
            S::Precision(3),
            S::NoteAdded { here: here() },
            S::Summary {
                changed: 4,
                total: 8,
                largest: Some((Some("0.5300".into()), "enc.0.attn.scaled".into())),
                reshaped: 1,
                added: 2,
                removed: 3,
            },
            S::Summary {
                changed: 5,
                total: 9,
                largest: Some((None, "enc.0.attn.masked".into())),
                reshaped: 0,
                added: 0,
                removed: 0,
            },
            S::Summary {
                changed: 0,
                total: 7,
                largest: None,
                reshaped: 0,
                added: 0,
                removed: 0,
            },
            S::Reran {
                what: "scale off".into(),
                summary: "4 of 8".into(),
            },
            S::Recomputed {
                what: "scale off".into(),
                summary: "4 of 8".into(),
            },
            S::DecoderUnmasked {
                what: "mask dec off".into(),
                summary: "4 of 8".into(),
            },
            S::AlreadySo {
                what: "scale on".into(),
                hand: false,
            },
            S::AlreadySo {
                what: "scale on".into(),
                hand: true,
            },
            S::SincePrevious("4 of 8".into()),
            S::DiffStatus("4 of 8".into()),
            S::NothingToCompare,
            S::StopHeading {
                pos: 2,
                n: 5,
                here: here(),
            },
            S::TourStop {
                pos: 2,
                n: 5,
                label: here(),
            },
            S::TourEnd(5),
            S::TourEnded { pos: 2, n: 5 },
            S::NoTour,
            S::TourFirst,
            S::TourEmpty,
            S::NoGuidedTour,
            S::TourKeys,
            S::UnsavedLoad {
                path: "a.yaml".into(),
            },
            S::UnsavedQuit,
            S::UnsavedTraining { updates: 20 },
            S::Loaded {
                path: "a.yaml".into(),
                title: "나는 학교에 간다".into(),
                steps: 100,
            },
            S::Loaded {
                path: "a.yaml".into(),
                title: String::new(),
                steps: 100,
            },
            S::ModelOpened {
                heading: "opus-mt-ko-en · d_model 512 · layers 6+6 · heads 8 · vocab 65001 · swish"
                    .into(),
                params: "77.5M".into(),
                steps: 312,
                text: "나는 학교에 간다".into(),
            },
            S::ModelBack {
                title: "나는 학교에 간다 → I go to school".into(),
                steps: 100,
            },
            S::NoModelBefore,
            S::CheckSummary {
                passed: 3,
                failed: 1,
            },
            S::CheckStatus("3 / 1".into()),
            S::Bye,
        ]
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per message: the English catalogue."
    )]
    fn en(&self) -> String {
        use SessionMsg as S;
        match self {
            S::Step {
                n,
                total,
                here,
                formula,
            } => format!("step {n}/{total}: {here}  {formula}"),
            S::Showing { here } => format!("showing {here}"),
            S::Layer { l, here } => format!("layer {l}: {here}"),
            S::Head { h, n, here } => format!("head {h} of {n}: {here}"),
            S::NoLayer { l, encoder, layers } => format!(
                "layer {l} does not exist: the {} stack has layers {}",
                if *encoder { "encoder" } else { "decoder" },
                crate::util::indices_text(*layers)
            ),
            S::AlreadyAt { last, step } => format!(
                "already at the {} step ({step}); `show` lists every step",
                if *last { "last" } else { "first" }
            ),
            S::NoHeads { step } => format!(
                "{step} has no heads; heads apply to q, k, v, scores, scaled, masked, weights and head_out"
            ),
            S::Selected {
                row,
                col,
                from,
                to,
                value,
            } => format!("selected cell [{row}][{col}] ({from} → {to}) = {value}"),
            S::StepCount(n) => format!("{n} steps; `show <name>[h]` shows one"),
            S::Precision(p) => format!("numbers now print with {p} digits after the point"),
            S::NoteAdded { here } => {
                format!("note added to {here}; `save <file>` keeps it in the tour")
            }
            S::Summary {
                changed,
                total,
                largest,
                reshaped,
                added,
                removed,
            } => {
                let mut s = format!("{changed} of {total} steps changed");
                if let Some((x, n)) = largest {
                    let x = x
                        .as_deref()
                        .unwrap_or("∞ (cells became or stopped being −∞)");
                    s.push_str(&format!(", largest change {x} in {n}"));
                }
                if *reshaped > 0 {
                    s.push_str(&format!(", {reshaped} changed shape"));
                }
                if *added > 0 {
                    s.push_str(&format!(", {added} new"));
                }
                if *removed > 0 {
                    s.push_str(&format!(", {removed} gone"));
                }
                s
            }
            S::Reran { what, summary } => format!("{what}: reran; {summary}"),
            S::Recomputed { what, summary } => format!("{what}: recomputed; {summary}"),
            S::DecoderUnmasked { what, summary } => format!(
                "{what}: warning: the decoder now sees the tokens after each one, which is not how a decoder is trained · {summary}"
            ),
            S::AlreadySo { what, hand } => format!(
                "{what}: already so; nothing to {}",
                if *hand { "recompute" } else { "rerun" }
            ),
            S::SincePrevious(s) => format!("since the previous run: {s}"),
            S::DiffStatus(s) => format!("diff: {s}"),
            S::NothingToCompare => {
                "nothing to compare yet: diff shows what the last rerun (text, toggles, set) changed"
                    .into()
            }
            S::StopHeading { pos, n, here } => format!("── stop {pos}/{n}: {here} ──"),
            S::TourStop { pos, n, label } => format!("tour {pos}/{n}: {label}"),
            S::TourEnd(n) => {
                format!("end of the tour ({n} stops); next/prev walk the pipeline again")
            }
            S::TourEnded { pos, n } => {
                format!("tour ended at stop {pos} of {n}; next/prev walk the pipeline again")
            }
            S::NoTour => "no tour is being replayed".into(),
            S::TourFirst => "already at the first stop of the tour".into(),
            S::TourEmpty => "the tour is empty".into(),
            S::NoGuidedTour => {
                "this scenario has no guided tour (`steps:`); walk with next/prev instead".into()
            }
            S::TourKeys => "(Enter or `next` for the next stop, `prev` to go back)".into(),
            S::UnsavedLoad { path } => format!(
                "unsaved changes would be lost: `save <file>` keeps them, `load! {path}` discards them"
            ),
            S::UnsavedQuit => {
                "unsaved changes: `save <file>` keeps them; `quit` again (or quit!) leaves without saving"
                    .into()
            }
            S::UnsavedTraining { updates } => format!(
                "{} {} not saved: `checkpoint save <file>` keeps the trained weights; `quit` again (or quit!) leaves without them",
                crate::i18n::plural(*updates, "training update"),
                if *updates == 1 { "is" } else { "are" }
            ),
            S::Loaded { path, title, steps } if title.is_empty() => {
                format!("loaded {path} ({steps} steps)")
            }
            S::Loaded { path, title, steps } => format!("loaded {path}: {title} ({steps} steps)"),
            S::ModelOpened {
                heading,
                params,
                steps,
                text,
            } => format!("opened {heading} ({params} parameters): {steps} steps of {text}"),
            S::ModelBack { title, steps } => {
                format!("back to the model studied before: {title} ({steps} steps)")
            }
            S::NoModelBefore => "no model was studied before this one in this session: `model load <dir>` opens a Hugging Face model directory".into(),
            S::CheckSummary { passed, failed } => format!("{passed} passed, {failed} failed"),
            S::CheckStatus(s) => format!("check: {s}"),
            S::Bye => "bye".into(),
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per message: the Korean catalogue."
    )]
    fn ko(&self) -> String {
        use SessionMsg as S;
        match self {
            S::Step {
                n,
                total,
                here,
                formula,
            } => format!("단계 {n}/{total}: {here}  {formula}"),
            S::Showing { here } => format!("{here} 표시 중"),
            S::Layer { l, here } => format!("층 {l}: {here}"),
            S::Head { h, n, here } => format!("헤드 {h} ({n}개 중): {here}"),
            S::NoLayer { l, encoder, layers } => {
                let stack = if *encoder { "인코더" } else { "디코더" };
                match layers {
                    0 => format!("층 {l}은(는) 없습니다: {stack} 스택에는 층이 없습니다"),
                    1 => format!("층 {l}은(는) 없습니다: {stack} 스택에는 층 0만 있습니다"),
                    2 => format!(
                        "층 {l}은(는) 없습니다: {stack} 스택의 층은 0 또는 1입니다"
                    ),
                    n => format!(
                        "층 {l}은(는) 없습니다: {stack} 스택의 층은 0부터 {}까지입니다",
                        n - 1
                    ),
                }
            }
            S::AlreadyAt { last, step } => format!(
                "이미 {} 단계입니다 ({step}); `show`는 모든 단계를 보여 줍니다",
                if *last { "마지막" } else { "첫" }
            ),
            S::NoHeads { step } => format!(
                "{step}에는 헤드가 없습니다; 헤드는 q, k, v, scores, scaled, masked, weights, head_out에 있습니다"
            ),
            S::Selected {
                row,
                col,
                from,
                to,
                value,
            } => format!("선택한 칸 [{row}][{col}] ({from} → {to}) = {value}"),
            S::StepCount(n) => format!("단계 {n}개; `show <이름>[h]`로 하나를 봅니다"),
            S::Precision(p) => format!("이제 숫자를 소수점 아래 {p}자리로 씁니다"),
            S::NoteAdded { here } => {
                format!("{here}에 메모를 달았습니다; `save <파일>`이 둘러보기에 남깁니다")
            }
            S::Summary {
                changed,
                total,
                largest,
                reshaped,
                added,
                removed,
            } => {
                let mut s = format!("단계 {total}개 중 {changed}개가 바뀜");
                if let Some((x, n)) = largest {
                    let x = x
                        .as_deref()
                        .unwrap_or("∞ (−∞가 되거나 −∞에서 벗어난 칸이 있음)");
                    s.push_str(&format!(", 가장 큰 변화는 {n}의 {x}"));
                }
                if *reshaped > 0 {
                    s.push_str(&format!(", 모양이 바뀐 단계 {reshaped}개"));
                }
                if *added > 0 {
                    s.push_str(&format!(", 새 단계 {added}개"));
                }
                if *removed > 0 {
                    s.push_str(&format!(", 없어진 단계 {removed}개"));
                }
                s
            }
            S::Reran { what, summary } => format!("{what}: 다시 실행함; {summary}"),
            S::Recomputed { what, summary } => format!("{what}: 다시 계산함; {summary}"),
            S::DecoderUnmasked { what, summary } => format!(
                "{what}: 경고: 이제 디코더가 각 토큰 뒤의 토큰까지 봅니다. 디코더는 이렇게 학습하지 않습니다 · {summary}"
            ),
            S::AlreadySo { what, hand } => format!(
                "{what}: 이미 그렇습니다; 다시 {}할 것이 없습니다",
                if *hand { "계산" } else { "실행" }
            ),
            S::SincePrevious(s) => format!("이전 실행 이후: {s}"),
            S::DiffStatus(s) => format!("비교(diff): {s}"),
            S::NothingToCompare => {
                "아직 비교할 것이 없습니다: diff는 마지막 재실행(text, 토글, set)이 바꾼 것을 보여 줍니다"
                    .into()
            }
            S::StopHeading { pos, n, here } => format!("── 지점 {pos}/{n}: {here} ──"),
            S::TourStop { pos, n, label } => format!("둘러보기 {pos}/{n}: {label}"),
            S::TourEnd(n) => format!(
                "둘러보기 끝 (지점 {n}개); 이제 next/prev가 다시 파이프라인을 따라 움직입니다"
            ),
            S::TourEnded { pos, n } => format!(
                "둘러보기를 지점 {n}개 중 {pos}번째에서 마쳤습니다; 이제 next/prev가 다시 파이프라인을 따라 움직입니다"
            ),
            S::NoTour => "재생 중인 둘러보기가 없습니다".into(),
            S::TourFirst => "이미 둘러보기의 첫 지점입니다".into(),
            S::TourEmpty => "둘러보기가 비어 있습니다".into(),
            S::NoGuidedTour => {
                "이 시나리오에는 안내 둘러보기(`steps:`)가 없습니다; 대신 next/prev로 걸어 보세요"
                    .into()
            }
            S::TourKeys => "(Enter나 `next`는 다음 지점, `prev`는 이전 지점)".into(),
            S::UnsavedLoad { path } => format!(
                "저장하지 않은 변경이 사라집니다: `save <파일>`로 남기거나, `load! {path}`로 버리세요"
            ),
            S::UnsavedQuit => {
                "저장하지 않은 변경이 있습니다: `save <파일>`로 남기세요; `quit`을 한 번 더 (또는 quit!) 하면 저장하지 않고 나갑니다"
                    .into()
            }
            S::UnsavedTraining { updates } => format!(
                "학습 갱신 {updates}번이 저장되지 않았습니다: `checkpoint save <파일>`로 학습된 가중치를 남기세요; `quit`을 한 번 더 (또는 quit!) 하면 남기지 않고 나갑니다"
            ),
            S::Loaded { path, title, steps } if title.is_empty() => {
                format!("{path}을(를) 불러왔습니다 (단계 {steps}개)")
            }
            S::Loaded { path, title, steps } => {
                format!("{path}을(를) 불러왔습니다: {title} (단계 {steps}개)")
            }
            S::ModelOpened {
                heading,
                params,
                steps,
                text,
            } => format!(
                "{heading} 모델을 열었습니다 (매개변수 {params}개): {text}의 단계 {steps}개"
            ),
            S::ModelBack { title, steps } => {
                format!("그 전에 보던 모델로 돌아왔습니다: {title} (단계 {steps}개)")
            }
            S::NoModelBefore => "이 세션에서 이 모델 전에 보던 모델이 없습니다: `model load <디렉터리>`로 Hugging Face 모델 디렉터리를 엽니다".into(),
            S::CheckSummary { passed, failed } => format!("통과 {passed}개, 실패 {failed}개"),
            S::CheckStatus(s) => format!("검사: {s}"),
            S::Bye => "안녕히 가세요".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::{has_hangul, numbers};

    #[test]
    fn every_session_message_has_both_texts_with_the_same_numbers() {
        for m in SessionMsg::samples() {
            let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
            assert!(!en.trim().is_empty() && !ko.trim().is_empty(), "{m:?}");
            assert!(has_hangul(&ko), "{m:?}: {ko}");
            assert_ne!(en, ko, "{m:?}");
            // The layer list is in words: `0 or 1` / `0 또는 1`, `0 to 5` / `0부터 5까지`,
            // `none` / `층이 없습니다`; every other number appears in both.
            assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
        }
    }

    #[test]
    fn the_diff_summary_is_one_sentence_per_language() {
        // 4 of 8 steps moved; the largest move, 0.53, was in enc.0.attn.scaled.
        let m = SessionMsg::Summary {
            changed: 4,
            total: 8,
            largest: Some((Some("0.5300".into()), "enc.0.attn.scaled".into())),
            reshaped: 0,
            added: 0,
            removed: 0,
        };
        assert_eq!(
            m.text(Lang::En),
            "4 of 8 steps changed, largest change 0.5300 in enc.0.attn.scaled"
        );
        assert_eq!(
            m.text(Lang::Ko),
            "단계 8개 중 4개가 바뀜, 가장 큰 변화는 enc.0.attn.scaled의 0.5300"
        );
    }
}
