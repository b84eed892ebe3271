//! The workbench's texts in English and Korean: fixed labels ([`Label`]), footer key hints
//! ([`Hint`]), sentences with arguments ([`Msg`]), the article's terms ([`Term`]) and the
//! names of the pipeline's steps. Plain data: the engine's consumers (the TUI) decide where
//! each text goes.
//!
//! Each type has one `match` per language (`en`, `ko`), exhaustive, so a key missing in one
//! catalogue does not compile; `ALL`/[`Msg::samples`] list every key for the test that walks
//! them.

use super::Lang;
use crate::model::cancel::{Progress, Stage};
use crate::model::{Arch, Config, MaskKind, Positional};
use crate::trace::StepKind;

mod hints;
pub use hints::*;

mod keys;
pub use keys::*;

mod messages;
pub use messages::*;

mod model;
pub use model::*;

/// The article's terms: Korean with the English beside it on first use in a panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// 임베딩 (embedding).
    Embedding,
    /// 위치 인코딩 (positional encoding).
    PositionalEncoding,
    /// 쿼리 (query).
    Query,
    /// 키 (key).
    Key,
    /// 밸류 (value).
    Value,
    /// 어텐션 스코어 (attention score).
    Score,
    /// 스케일링 (scaling).
    Scaling,
    /// 마스킹 (masking).
    Masking,
    /// 소프트맥스 (softmax).
    Softmax,
    /// 멀티헤드 (multi-head).
    MultiHead,
    /// 잔차 연결 (residual connection).
    Residual,
    /// 층 정규화 (layer normalization).
    LayerNorm,
    /// 피드포워드 (feed-forward).
    FeedForward,
    /// 인코더 (encoder).
    Encoder,
    /// 디코더 (decoder).
    Decoder,
}

impl Term {
    /// Every term.
    pub const ALL: [Term; 15] = [
        Term::Embedding,
        Term::PositionalEncoding,
        Term::Query,
        Term::Key,
        Term::Value,
        Term::Score,
        Term::Scaling,
        Term::Masking,
        Term::Softmax,
        Term::MultiHead,
        Term::Residual,
        Term::LayerNorm,
        Term::FeedForward,
        Term::Encoder,
        Term::Decoder,
    ];

    /// The English term.
    pub fn en(self) -> &'static str {
        match self {
            Term::Embedding => "embedding",
            Term::PositionalEncoding => "positional encoding",
            Term::Query => "query",
            Term::Key => "key",
            Term::Value => "value",
            Term::Score => "attention score",
            Term::Scaling => "scaling",
            Term::Masking => "masking",
            Term::Softmax => "softmax",
            Term::MultiHead => "multi-head",
            Term::Residual => "residual connection",
            Term::LayerNorm => "layer normalization",
            Term::FeedForward => "feed-forward",
            Term::Encoder => "encoder",
            Term::Decoder => "decoder",
        }
    }

    /// The article's Korean term.
    pub fn ko(self) -> &'static str {
        match self {
            Term::Embedding => "임베딩",
            Term::PositionalEncoding => "위치 인코딩",
            Term::Query => "쿼리",
            Term::Key => "키",
            Term::Value => "밸류",
            Term::Score => "어텐션 스코어",
            Term::Scaling => "스케일링",
            Term::Masking => "마스킹",
            Term::Softmax => "소프트맥스",
            Term::MultiHead => "멀티헤드",
            Term::Residual => "잔차 연결",
            Term::LayerNorm => "층 정규화",
            Term::FeedForward => "피드포워드",
            Term::Encoder => "인코더",
            Term::Decoder => "디코더",
        }
    }

    /// The term in `lang`; in Korean with the English beside it when `first`
    /// (`소프트맥스(softmax)`).
    pub fn text(self, lang: Lang, first: bool) -> String {
        match lang {
            Lang::En => self.en().to_string(),
            Lang::Ko if first => format!("{}({})", self.ko(), self.en()),
            Lang::Ko => self.ko().to_string(),
        }
    }
}

/// Fixed labels of the workbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// Header: no file, the built-in scenario.
    BuiltIn,
    /// Header: an attention hand-check (no model).
    HandCheck,
    /// Header: the session has changes not saved.
    Unsaved,
    /// Header: the source sentence's label (9 columns in English).
    Source,
    /// Header: the target sentence's label.
    Target,
    /// Header: no sentence yet.
    NoSentence,
    /// Pipeline box title, forward values.
    PipelineForward,
    /// Pipeline box title, gradients.
    PipelineBackward,
    /// Detail box title.
    WhyThisNumber,
    /// The statistics box title.
    StepAndRow,
    /// Statistics: the step's formula (6 columns, aligned with [`Label::From`]).
    StepLine,
    /// Statistics: the step's inputs.
    From,
    /// Statistics: the colour legend.
    Colours,
    /// Matrix: the head tabs' label.
    Head,
    /// Matrix: nothing selected.
    NoStep,
    /// Matrix bottom: the last rerun did not change this step.
    Unchanged,
    /// Matrix bottom: cells became or stopped being −∞.
    InfinityChanged,
    /// Matrix bottom: the step changed shape.
    NewShape,
    /// Matrix bottom: the step is new.
    NewStep,
    /// Tour box: a stop without a note.
    NoNote,
    /// Tour box: its keys.
    TourKeys,
    /// Detail: row statistics hidden during practice.
    StatsHidden,
    /// Detail: no explanation for this cell (the reason follows on its own line).
    NoExplanation,
    /// Gradient legend.
    GradLegend,
    /// Busy box title.
    Working,
    /// Busy box: a cancel was asked for.
    Cancelling,
    /// Busy box: how to cancel.
    CancelHint,
    /// Help box title.
    HelpTitle,
    /// Help box bottom line.
    HelpBottom,
    /// Output box bottom line.
    OutputBottom,
    /// Too small: first line.
    TooSmall,
    /// Too small: what to do.
    TooSmallHint,
    /// About box: no title.
    ThisScenario,
    /// About box: no description.
    NoDescription,
    /// Prompt: the file to save to.
    PromptSave,
    /// Prompt: the SVG file.
    PromptPlot,
    /// Prompt: the checkpoint file.
    PromptCheckpoint,
    /// Prompt: the token to force.
    PromptForceToken,
    /// Prompt: the practice answer.
    PromptAnswer,
    /// Header of a hand-check: scaling on (short form).
    ScaledShort,
    /// Header of a hand-check: scaling off (short form).
    UnscaledShort,
    /// Header of a hand-check: scaling off.
    Unscaled,
}

impl Label {
    /// Every label.
    pub const ALL: [Label; 42] = [
        Label::BuiltIn,
        Label::HandCheck,
        Label::Unsaved,
        Label::Source,
        Label::Target,
        Label::NoSentence,
        Label::PipelineForward,
        Label::PipelineBackward,
        Label::WhyThisNumber,
        Label::StepAndRow,
        Label::StepLine,
        Label::From,
        Label::Colours,
        Label::Head,
        Label::NoStep,
        Label::Unchanged,
        Label::InfinityChanged,
        Label::NewShape,
        Label::NewStep,
        Label::NoNote,
        Label::TourKeys,
        Label::StatsHidden,
        Label::NoExplanation,
        Label::GradLegend,
        Label::Working,
        Label::Cancelling,
        Label::CancelHint,
        Label::HelpTitle,
        Label::HelpBottom,
        Label::OutputBottom,
        Label::TooSmall,
        Label::TooSmallHint,
        Label::ThisScenario,
        Label::NoDescription,
        Label::PromptSave,
        Label::PromptPlot,
        Label::PromptCheckpoint,
        Label::PromptForceToken,
        Label::PromptAnswer,
        Label::ScaledShort,
        Label::UnscaledShort,
        Label::Unscaled,
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
            Label::BuiltIn => "built-in scenario",
            Label::HandCheck => "hand-check",
            Label::Unsaved => " · unsaved",
            Label::Source => "source ▸ ",
            Label::Target => "target ▸ ",
            Label::NoSentence => "(no sentence: `:text <sentence>` runs the model)",
            Label::PipelineForward => " pipeline ↓ forward ",
            Label::PipelineBackward => " pipeline ↑ backward ",
            Label::WhyThisNumber => " why this number ",
            Label::StepAndRow => " step & row ",
            Label::StepLine => "step  ",
            Label::From => "from  ",
            Label::Colours => "colours ",
            Label::Head => "head",
            Label::NoStep => "no step selected",
            Label::Unchanged => "unchanged",
            Label::InfinityChanged => "Δ: cells became or stopped being −∞",
            Label::NewShape => "new shape",
            Label::NewStep => "new step",
            Label::NoNote => "(no note at this stop)",
            Label::TourKeys => " n / p: next / previous stop ",
            Label::StatsHidden => "row statistics hidden until you answer",
            Label::NoExplanation => "no explanation:",
            Label::GradLegend => {
                "  red: raising this number raises the loss; blue: lowers it (g: forward values)"
            }
            Label::Working => " working ",
            Label::Cancelling => "cancelling… the session stays as it was",
            Label::CancelHint => "Esc or Ctrl-C cancels; the session stays as it was",
            Label::HelpTitle => " keys ",
            Label::HelpBottom => " ↑↓ scroll · Esc closes ",
            Label::OutputBottom => " ↑↓ PgUp PgDn scroll · Esc closes ",
            Label::TooSmall => "the terminal is too small for qkv",
            Label::TooSmallHint => "enlarge the window, or press q to quit",
            Label::ThisScenario => "this scenario",
            Label::NoDescription => "(this scenario has no description)",
            Label::PromptSave => "save as: ",
            Label::PromptPlot => "write the matrix as SVG to: ",
            Label::PromptCheckpoint => "save checkpoint as: ",
            Label::PromptForceToken => "next token (instead of the model's): ",
            Label::PromptAnswer => "your answer: ",
            Label::ScaledShort => "÷√d_k",
            Label::UnscaledShort => "unscaled",
            Label::Unscaled => "unscaled (no ÷ √d_k)",
        }
    }

    fn ko(self) -> &'static str {
        match self {
            Label::BuiltIn => "내장 시나리오",
            Label::HandCheck => "손 계산 확인",
            Label::Unsaved => " · 저장 안 됨",
            Label::Source => "원문   ▸ ",
            Label::Target => "목표   ▸ ",
            Label::NoSentence => "(문장 없음: `:text <문장>`으로 모델을 실행합니다)",
            Label::PipelineForward => " 순전파 단계 ↓ ",
            Label::PipelineBackward => " 역전파 단계 ↑ ",
            Label::WhyThisNumber => " 이 숫자가 나온 이유 ",
            Label::StepAndRow => " 단계와 행 ",
            Label::StepLine => "식    ",
            Label::From => "입력  ",
            Label::Colours => "색 ",
            Label::Head => "헤드",
            Label::NoStep => "선택된 단계가 없습니다",
            Label::Unchanged => "변화 없음",
            Label::InfinityChanged => "Δ: −∞가 되거나 −∞에서 벗어난 칸이 있음",
            Label::NewShape => "모양이 바뀜",
            Label::NewStep => "새 단계",
            Label::NoNote => "(이 지점에는 설명이 없습니다)",
            Label::TourKeys => " n / p: 다음 / 이전 지점 ",
            Label::StatsHidden => "답을 낼 때까지 행 통계를 숨깁니다",
            Label::NoExplanation => "이 칸은 설명할 수 없습니다. 이유:",
            Label::GradLegend => {
                "  빨강: 이 값을 키우면 손실이 커짐, 파랑: 손실이 작아짐 (g: 순전파 값)"
            }
            Label::Working => " 작업 중 ",
            Label::Cancelling => "취소하는 중… 세션은 그대로 유지됩니다",
            Label::CancelHint => "Esc 또는 Ctrl-C: 취소 (세션은 그대로 유지됩니다)",
            Label::HelpTitle => " 키 ",
            Label::HelpBottom => " ↑↓ 스크롤 · Esc 닫기 ",
            Label::OutputBottom => " ↑↓ PgUp PgDn 스크롤 · Esc 닫기 ",
            Label::TooSmall => "터미널이 qkv에 비해 너무 작습니다",
            Label::TooSmallHint => "창을 키우거나 q를 눌러 끝내세요",
            Label::ThisScenario => "이 시나리오",
            Label::NoDescription => "(이 시나리오에는 설명이 없습니다)",
            Label::PromptSave => "저장할 파일: ",
            Label::PromptPlot => "행렬을 SVG로 저장할 파일: ",
            Label::PromptCheckpoint => "체크포인트를 저장할 파일: ",
            Label::PromptForceToken => "다음 토큰 (모델 대신 직접 고름): ",
            Label::PromptAnswer => "답: ",
            Label::ScaledShort => "÷√d_k",
            Label::UnscaledShort => "스케일링 없음",
            Label::Unscaled => "스케일링(scaling) 안 함",
        }
    }
}

#[cfg(test)]
mod tests;
