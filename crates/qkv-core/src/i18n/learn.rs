//! The Learn (`L`) and Decode (`d`) views' texts in English and Korean: fixed labels
//! ([`Lv`]) and sentences with arguments ([`LvMsg`]), one exhaustive `match` per language as
//! in [`super::ui`].

use super::Lang;

/// Fixed labels of the Learn and Decode views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is its English text
pub enum Lv {
    LearnTitle,
    NoTraining,
    Training,
    Paused,
    TrainingLoss,
    HeldOut,
    LossBox,
    Snapshots,
    NoDecoding,
    DecodeSource,
    DecoderInput,
    Output,
    Done,
    FirstToken,
    ChosenByYou,
    ModelsChoice,
    NoCross,
    FirstStepLooks,
    You,
    KvReused,
    StepsBox,
    Greedy,
    KvCache,
}

impl Lv {
    /// Every label.
    pub const ALL: [Lv; 23] = [
        Lv::LearnTitle,
        Lv::NoTraining,
        Lv::Training,
        Lv::Paused,
        Lv::TrainingLoss,
        Lv::HeldOut,
        Lv::LossBox,
        Lv::Snapshots,
        Lv::NoDecoding,
        Lv::DecodeSource,
        Lv::DecoderInput,
        Lv::Output,
        Lv::Done,
        Lv::FirstToken,
        Lv::ChosenByYou,
        Lv::ModelsChoice,
        Lv::NoCross,
        Lv::FirstStepLooks,
        Lv::You,
        Lv::KvReused,
        Lv::StepsBox,
        Lv::Greedy,
        Lv::KvCache,
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
            Lv::LearnTitle => " qkv · Learn — watch it learn ",
            Lv::NoTraining => "no training run: press L to start one",
            Lv::Training => " ▶ training ",
            Lv::Paused => " ⏸ paused ",
            Lv::TrainingLoss => "training loss",
            Lv::HeldOut => "held-out",
            Lv::LossBox => " loss (cross-entropy) per update ",
            Lv::Snapshots => "snapshots ",
            Lv::NoDecoding => "no decoding: press r to start one",
            Lv::DecodeSource => "source        ▸ ",
            Lv::DecoderInput => "decoder input ▸ ",
            Lv::Output => "output        ▸ ",
            Lv::Done => "  (<eos>: done)",
            Lv::FirstToken => "n: the model's first token",
            Lv::ChosenByYou => " ▶ chosen by you ",
            Lv::ModelsChoice => " ▶ the model's choice ",
            Lv::NoCross => "a decoder-only model has no cross-attention",
            Lv::FirstStepLooks => "n: the first step shows where <bos> looks",
            Lv::You => " (you)",
            Lv::KvReused => " · K/V reused",
            Lv::StepsBox => " steps ",
            Lv::Greedy => {
                "greedy: next = argmax_i p_i, p = softmax(x_last · Eᵀ) (`:sample T k seed` samples instead)"
            }
            Lv::KvCache => {
                "the encoder runs once: its K and V are reused by every step (a KV cache)"
            }
        }
    }

    fn ko(self) -> &'static str {
        match self {
            Lv::LearnTitle => " qkv · 학습 — 배우는 모습 보기 ",
            Lv::NoTraining => "학습이 없습니다: L을 눌러 시작하세요",
            Lv::Training => " ▶ 학습 중 ",
            Lv::Paused => " ⏸ 일시 정지 ",
            Lv::TrainingLoss => "학습 손실",
            Lv::HeldOut => "검증 손실",
            Lv::LossBox => " 갱신마다의 손실 (교차 엔트로피) ",
            Lv::Snapshots => "스냅숏 ",
            Lv::NoDecoding => "디코딩이 없습니다: r을 눌러 시작하세요",
            Lv::DecodeSource => "원문          ▸ ",
            Lv::DecoderInput => "디코더 입력   ▸ ",
            Lv::Output => "출력          ▸ ",
            Lv::Done => "  (<eos>: 끝)",
            Lv::FirstToken => "n: 모델의 첫 토큰",
            Lv::ChosenByYou => " ▶ 직접 고른 토큰 ",
            Lv::ModelsChoice => " ▶ 모델이 고른 토큰 ",
            Lv::NoCross => "디코더만 있는 모델에는 크로스 어텐션이 없습니다",
            Lv::FirstStepLooks => "n: 첫 단계에서 <bos>가 어디를 보는지 나옵니다",
            Lv::You => " (직접)",
            Lv::KvReused => " · K/V 재사용",
            Lv::StepsBox => " 단계 ",
            Lv::Greedy => {
                "탐욕(greedy): 다음 = argmax_i p_i, p = softmax(x_last · Eᵀ) (`:sample T k seed`로 샘플링)"
            }
            Lv::KvCache => {
                "인코더는 한 번만 계산합니다: 그 K와 V를 모든 단계가 다시 씁니다 (KV 캐시)"
            }
        }
    }
}

/// Sentences with arguments of the Learn and Decode views.
#[derive(Debug, Clone, PartialEq)]
pub enum LvMsg {
    /// Learn: a held-out loss and the step it was measured at.
    HeldAt {
        /// The loss.
        loss: String,
        /// The step.
        step: usize,
    },
    /// Learn: the title of the learning-rate chart: `learning rate = <formula>`
    /// (`formula`: [`crate::learn::optim::Schedule::formula`]; where even the shorter form
    /// does not fit, the view shows the formula alone, `lr=…`).
    RateBox {
        /// The right-hand side.
        formula: String,
    },
    /// Learn: the run's first line.
    Progress {
        /// Updates done.
        step: usize,
        /// The update whose rate is shown (the last one made; 1 before any).
        update: usize,
        /// The rate of that update.
        rate: f64,
        /// The last training loss.
        loss: String,
        /// The last held-out loss.
        held: String,
    },
    /// Learn: the model trained and the corpus.
    Start {
        /// Seed.
        seed: u64,
        /// d_model.
        d_model: usize,
        /// Heads.
        heads: usize,
        /// Encoder layers.
        enc: usize,
        /// Decoder layers.
        dec: usize,
        /// The corpus.
        corpus: String,
    },
    /// Learn: the heatmap shows a snapshot.
    Snapshot {
        /// Its index.
        i: usize,
        /// Its step.
        step: usize,
    },
    /// Learn: the heatmap shows the live model.
    Live(usize),
    /// Learn: no cross-attention for the probe sentence.
    NoCross {
        /// Source.
        src: String,
        /// Target.
        tgt: String,
    },
    /// Learn: the heatmap's bottom line.
    Moved {
        /// Source.
        src: String,
        /// Target.
        tgt: String,
        /// The threshold.
        moved: String,
    },
    /// Learn: a snapshot in the strip.
    SnapshotTab {
        /// Index.
        i: usize,
        /// Step.
        step: usize,
    },
    /// Learn: the live tab.
    LiveTab(usize),
    /// Decode: the title.
    DecodeTitle(Option<String>),
    /// Decode: the distribution's title.
    NextToken {
        /// Step.
        step: usize,
        /// Top k shown.
        top: usize,
    },
    /// Decode: the cross-attention box.
    CrossBox {
        /// Layer.
        layer: usize,
        /// The newest token.
        token: String,
    },
    /// Decode: a head row's label.
    Head(usize),
    /// Decode: sampling.
    Sampled(String),
}

impl LvMsg {
    /// One message of every kind, for the catalogue test.
    pub fn samples() -> Vec<LvMsg> {
        vec![
            LvMsg::HeldAt {
                loss: "2.3000".into(),
                step: 40,
            },
            LvMsg::RateBox {
                formula: "0.5·32^−0.5·min(s^−0.5, s·100^−1.5)".into(),
            },
            LvMsg::Progress {
                step: 120,
                update: 120,
                rate: 0.000_7,
                loss: "1.2000".into(),
                held: "—".into(),
            },
            LvMsg::Start {
                seed: 42,
                d_model: 8,
                heads: 2,
                enc: 2,
                dec: 2,
                corpus: "ko-en.tsv".into(),
            },
            LvMsg::Snapshot { i: 1, step: 50 },
            LvMsg::Live(70),
            LvMsg::NoCross {
                src: "a".into(),
                tgt: "b".into(),
            },
            LvMsg::Moved {
                src: "a".into(),
                tgt: "b".into(),
                moved: "0.05".into(),
            },
            LvMsg::SnapshotTab { i: 2, step: 90 },
            LvMsg::LiveTab(91),
            LvMsg::DecodeTitle(None),
            LvMsg::DecodeTitle(Some("x".into())),
            LvMsg::NextToken { step: 3, top: 10 },
            LvMsg::CrossBox {
                layer: 1,
                token: "go".into(),
            },
            LvMsg::Head(1),
            LvMsg::Sampled("T = 0.8".into()),
        ]
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
            LvMsg::HeldAt { loss, step } => format!("{loss} (step {step})"),
            LvMsg::RateBox { formula } => format!(" learning rate = {formula} "),
            LvMsg::Progress {
                step,
                update,
                rate,
                loss,
                held,
            } => format!(
                "step {step} · rate {rate:.6} (update {update}) · loss {loss} · held-out {held}"
            ),
            LvMsg::Start {
                seed,
                d_model,
                heads,
                enc,
                dec,
                corpus,
            } => format!(
                "from random weights (seed {seed}) · d_model {d_model} · {heads} heads · {enc}+{dec} layers · corpus {}",
                super::training::corpus_name(corpus, Lang::En)
            ),
            LvMsg::Snapshot { i, step } => format!("snapshot {i}, step {step}"),
            LvMsg::Live(step) => format!("live, step {step}"),
            LvMsg::NoCross { src, tgt } => format!("{src} → {tgt}: no cross-attention to show"),
            LvMsg::Moved { src, tgt, moved } => format!(" {src} → {tgt} · • moved > {moved} "),
            LvMsg::SnapshotTab { i, step } => format!("[{i}] step {step}"),
            LvMsg::LiveTab(step) => format!("live {step}"),
            LvMsg::DecodeTitle(Some(m)) => format!(" qkv · Decode — {m} "),
            LvMsg::DecodeTitle(None) => " qkv · Decode ".to_string(),
            LvMsg::NextToken { step, top } => format!(" next-token p, step {step} (top {top}) "),
            LvMsg::CrossBox { layer, token } => {
                format!(" dec.{layer}.cross_attn.weights: {token} → source ")
            }
            LvMsg::Head(h) => format!("head {h}"),
            LvMsg::Sampled(f) => format!("sampled: {f}"),
        }
    }

    fn ko(&self) -> String {
        match self {
            LvMsg::HeldAt { loss, step } => format!("{loss} (갱신 {step})"),
            LvMsg::RateBox { formula } => format!(" 학습률 = {formula} "),
            LvMsg::Progress {
                step,
                update,
                rate,
                loss,
                held,
            } => format!(
                "갱신 {step} · 학습률 {rate:.6} ({update}번째 갱신) · 손실 {loss} · 검증 손실 {held}"
            ),
            LvMsg::Start {
                seed,
                d_model,
                heads,
                enc,
                dec,
                corpus,
            } => format!(
                "학습 전 모델에서 시작 (무작위 가중치, 시드 {seed}) · d_model {d_model} · 헤드 {heads}개 · 층 {enc}+{dec} · 말뭉치 {}",
                super::training::corpus_name(corpus, Lang::Ko)
            ),
            LvMsg::Snapshot { i, step } => format!("스냅숏 {i}, 갱신 {step}"),
            LvMsg::Live(step) => format!("현재, 갱신 {step}"),
            LvMsg::NoCross { src, tgt } => {
                format!("{src} → {tgt}: 보여 줄 크로스 어텐션이 없습니다")
            }
            LvMsg::Moved { src, tgt, moved } => {
                format!(" {src} → {tgt} · • {moved}보다 많이 바뀜 ")
            }
            LvMsg::SnapshotTab { i, step } => format!("[{i}] 갱신 {step}"),
            LvMsg::LiveTab(step) => format!("현재 {step}"),
            LvMsg::DecodeTitle(Some(m)) => format!(" qkv · 디코딩 — {m} "),
            LvMsg::DecodeTitle(None) => " qkv · 디코딩 ".to_string(),
            LvMsg::NextToken { step, top } => {
                format!(" 다음 토큰 확률, 단계 {step} (상위 {top}개) ")
            }
            LvMsg::CrossBox { layer, token } => {
                format!(" dec.{layer}.cross_attn.weights: {token} → 원문 ")
            }
            LvMsg::Head(h) => format!("헤드 {h}"),
            LvMsg::Sampled(f) => format!("샘플링: {f}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check::{has_hangul, numbers};

    #[test]
    fn every_learn_and_decode_text_has_both_languages_with_the_same_numbers() {
        for l in Lv::ALL {
            let (en, ko) = (l.text(Lang::En), l.text(Lang::Ko));
            assert!(!en.trim().is_empty() && has_hangul(ko), "{l:?}: {ko}");
            assert_eq!(numbers(en), numbers(ko), "{l:?}");
        }
        for m in LvMsg::samples() {
            let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
            assert!(!en.trim().is_empty() && has_hangul(&ko), "{m:?}: {ko}");
            assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
        }
    }
}
