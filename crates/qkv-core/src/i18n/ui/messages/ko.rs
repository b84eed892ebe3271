//! The workbench messages in Korean: one arm per message.

use super::*;

impl Msg {
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per message: the Korean catalogue."
    )]
    pub(super) fn ko(&self) -> String {
        match self {
            Msg::Tokens(n) => format!("토큰 {n}개"),
            Msg::PracticeFile { score, file } => format!("연습 {score} · {file}"),
            Msg::Tour { pos, n } => format!(" 둘러보기 {pos}/{n} "),
            Msg::Rows { first, last, n } => format!("행 {first}–{last} (전체 {n})"),
            Msg::Cols { first, last, n } => format!("열 {first}–{last} (전체 {n})"),
            Msg::TopView { k, n, step } => {
                format!("행마다 {n}개 중 큰 값 {k}개, 큰 순서 · :show {step}: 행렬로")
            }
            Msg::Changed(x) => format!("바뀜 • 최대 |Δ| {x}"),
            Msg::Row(r) => format!("행 {r} "),
            Msg::Sum { sum, skipped: 0 } => format!("  합 {sum}"),
            Msg::Sum { sum, skipped } => format!("  합 {sum} (−∞ {skipped}개 제외)"),
            Msg::Max { max, at, col } => format!("  최댓값 {max}: {at} (열 {col})"),
            Msg::Entropy(e) => format!("  엔트로피 {e} nats"),
            Msg::FullyMasked(r) => {
                format!("행 {r}: 모든 키가 마스킹되어 가중치가 모두 0입니다")
            }
            Msg::NonFinite { nan, pos_inf } => {
                format!("이 단계에 NaN {nan}개, +∞ {pos_inf}개가 있습니다")
            }
            Msg::FirstNonFinite { at, value } => {
                format!("이번 계산에서 처음 나온 유한하지 않은 값: {at} = {value}")
            }
            Msg::BackwardRule(f) => format!("  역전파 규칙: {f}"),
            Msg::ForwardValue { addr, value, loss } => {
                format!("  순전파 값 {addr} = {value}, 손실 = {loss}")
            }
            Msg::Progress(p) => {
                let (done, total) = (p.done.min(p.total), p.total);
                match p.stage {
                    Stage::Idle => "작업 중".to_string(),
                    Stage::Layers => format!("순전파: 층 {done}/{total}"),
                    Stage::Bytes => format!(
                        "읽는 중: {:.1} / {:.1} MiB",
                        done as f64 / 1_048_576.0,
                        total as f64 / 1_048_576.0
                    ),
                    Stage::Tensors => format!("체크포인트 해독: 텐서 {done}/{total}"),
                    Stage::Comparing => "이전 트레이스와 비교하는 중".to_string(),
                }
            }
            Msg::Elapsed { what, secs } => format!("{what} · {secs:.1}초"),
            Msg::Provenance { updates: 0, seed } => {
                format!("학습 전 (무작위 가중치, 시드 {seed})")
            }
            Msg::Provenance { updates, .. } => format!("학습됨 ({updates}번 갱신)"),
            Msg::TrainedHere {
                updates,
                snapshot: None,
                seed,
            } => format!("이 세션에서 학습함: 무작위 가중치(시드 {seed})에서 {updates}번 갱신"),
            Msg::TrainedHere {
                updates,
                snapshot: Some(i),
                seed,
            } => format!(
                "이 세션 학습의 스냅숏 {i}: 무작위 가중치(시드 {seed})에서 {updates}번 갱신"
            ),
            Msg::AboutModel {
                provenance: p,
                trained: false,
            } => format!(
                "모델: {p}. 어텐션 패턴은 계산이 어떻게 이루어지는지를 보여 줄 뿐, 학습된 모델이 어디에 주목할지를 보여 주지는 않습니다."
            ),
            Msg::AboutModel { provenance: p, .. } => format!(
                "모델: {p}. 말뭉치로 학습한 가중치이므로, 어텐션 패턴은 계산이 어떻게 이루어지는지와 함께 이 작은 모델이 무엇에 주목하도록 배웠는지도 보여 줍니다."
            ),
            Msg::AboutTour {
                stops,
                start,
                step,
                close,
            } => format!(
                "{start} 키를 누르면 안내 둘러보기를 시작합니다 (지점 {stops}개, {step} 키로 이동). {close} 키로 닫습니다."
            ),
            Msg::AboutReplay {
                stops,
                replay,
                about,
                close,
            } => format!(
                "{replay} 키를 누르면 안내 둘러보기를 다시 봅니다 (지점 {stops}개). {about} 키를 누르면 이 창을 다시 엽니다. {close} 키로 닫습니다."
            ),
            Msg::AboutAgain { about, close } => {
                format!("{about} 키를 누르면 이 창을 다시 엽니다. {close} 키로 닫습니다.")
            }
            Msg::TooSmallSize { w, h, min_w, min_h } => {
                format!("지금 {w}×{h}, qkv에는 최소 {min_w}×{min_h}이 필요합니다")
            }
            Msg::Welcome(t) if t.is_empty() => {
                "n/p로 파이프라인을 한 단계씩 따라갑니다. ?를 누르면 모든 키를 봅니다".to_string()
            }
            Msg::Welcome(t) => format!(
                "{t} — n/p로 파이프라인을 한 단계씩 따라갑니다. ?를 누르면 모든 키를 봅니다"
            ),
            Msg::PracticeHeading { pos, n, score } => {
                format!("연습 {pos}/{n} · 점수 {score} — 먼저 예측하고, 답을 확인하세요")
            }
            Msg::PracticeHowTo { many, tol } => format!(
                "  아래에 {}입력하고 Enter를 누르세요 (Esc: 연습 끝내기). ±{tol} 안이면 정답입니다",
                if *many {
                    "숫자들을 한 줄에 "
                } else {
                    "숫자를 "
                }
            ),
            Msg::Graded {
                all,
                right,
                asked,
                score,
            } => format!(
                "연습: {} — {asked}개 중 {right}개 정답 · 점수 {score}",
                if *all { "정답" } else { "오답" }
            ),
            Msg::GradedNumber {
                ok,
                addr,
                yours,
                value,
            } => format!(
                "  {} {addr}: 내 답 {yours}, 트레이스 {value}",
                if *ok { "✓" } else { "✗" }
            ),
            Msg::NoBlame => {
                "    어느 항이 틀렸는지 알 수 없습니다: 아래 계산과 비교해 보세요".to_string()
            }
            Msg::GradTitle { name, fwd, r, c } => {
                format!(" {name} · ∂loss/∂{fwd} · 역전파 ↑ · {r} × {c} ")
            }
            Msg::HandHeader { scale, mask, values } => format!(
                "어텐션 손 계산 확인 (모델 없음): q · kᵀ {scale} · 마스킹(masking) {} · 소프트맥스(softmax) · {}",
                mask_ko(*mask),
                if *values { "× v" } else { "v 없음: 가중합 없음" }
            ),
            Msg::HandHeaderShort { scale, mask } => {
                format!("손 계산 · {scale} · 마스킹 {}", mask_ko(*mask))
            }
            Msg::LearnIntro => "학습 화면: space 학습 시작 / 일시 정지, . 한 번 갱신, ← → 스냅숏 넘기기, k 스냅숏 보관, w 체크포인트 저장, Esc 돌아가기".into(),
            Msg::DecodeIntro => "디코딩 화면: n 다음 토큰 더하기, p 되돌리기, f 직접 고른 토큰 넣기, r 처음부터, Esc 돌아가기".into(),
            Msg::ForwardValues => "순전파 값 (g를 누르면 기울기를 봅니다)".into(),
            Msg::BackToWorkbench => "워크벤치로 돌아왔습니다".into(),
            Msg::TrainingFrom(step) => {
                format!("갱신 {step}부터 학습 중… (space나 Esc로 일시 정지)")
            }
            Msg::PausedAt(step) => format!("갱신 {step}에서 일시 정지했습니다; 학습 기록은 남아 있습니다"),
            Msg::NoSnapshotThatWay => "그쪽으로는 스냅숏이 더 없습니다".into(),
            Msg::EditCancelled => "편집을 취소했습니다; 바뀐 것은 없습니다".into(),
            Msg::NothingToComplete => "Tab: 여기서는 완성할 것이 없습니다".into(),
            Msg::OverwriteNotLoaded(path) => {
                format!("{path}이(가) 이미 있고 불러온 파일이 아닙니다: 덮어쓸까요? y/n")
            }
            Msg::OverwriteExists(path) => format!("{path}이(가) 이미 있습니다: 덮어쓸까요? y/n"),
            Msg::NotWritten => "쓰지 않았습니다".into(),
            Msg::NotSaved => "저장하지 않았습니다".into(),
            Msg::HeadOpened { at, role, reason } => {
                format!("{at}: {role} — 근거: {reason} (H: 모든 헤드로 돌아가기)")
            }
            Msg::PlotRange { min, max } => format!("최소 {min}   최대 {max}"),
            Msg::PlotNoFinite => "유한한 값이 없습니다".into(),
            Msg::PlotColour { sequential: true } => "   색: 값 그대로 (0에서 1)".into(),
            Msg::PlotColour { sequential: false } => "   색: |값| / 최대 |값|".into(),
            Msg::PlotOmitted(n) => format!(
                "칸보다 넓은 숫자 {n}개는 빠져 있습니다 (.csv에는 모두 있습니다)"
            ),
            Msg::PlotMasked => "마스킹됨".into(),
            Msg::Error(e) => format!("오류: {e}"),
            Msg::UnsavedQuit => {
                "저장하지 않은 변경이 있습니다: w로 저장하세요; q를 한 번 더 누르면 저장하지 않고 나갑니다".into()
            }
            Msg::UnsavedTraining(n) => format!(
                "학습 갱신 {n}번이 저장되지 않았습니다: 학습 화면(L)에서 w로 체크포인트에 남기세요; q를 한 번 더 누르면 남기지 않고 나갑니다"
            ),
            Msg::KeyError(k) => match k {
                KeyError::LayerZero => "오류: 이미 층 0입니다; }는 다음 층으로 갑니다",
                KeyError::HandNoSentence => {
                    "오류: 어텐션 손 계산에는 문장이 없습니다; `:text <문장>`으로 모델로 돌아갑니다"
                }
                KeyError::NoTarget => {
                    "오류: 목표 문장은 인코더-디코더 모델에만 있습니다; i는 원문을 편집합니다"
                }
                KeyError::NothingWritten => "오류: 파일 이름이 없습니다; 아무것도 쓰지 않았습니다",
                KeyError::NothingSaved => "오류: 파일 이름이 없습니다; 아무것도 저장하지 않았습니다",
                KeyError::NoToken => "오류: 토큰이 없습니다; 아무것도 바꾸지 않았습니다",
            }
            .into(),
        }
    }
}
