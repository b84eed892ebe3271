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
    /// About box: closing line without a tour.
    AboutAgain,
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
    pub const ALL: [Label; 43] = [
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
        Label::AboutAgain,
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
            Label::AboutAgain => "a shows this again; Esc closes.",
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
            Label::AboutAgain => "a를 누르면 이 창을 다시 엽니다. Esc로 닫습니다.",
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

/// What a key does, in the footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is its English text
pub enum Hint {
    Run,
    Cancel,
    Move,
    Ends,
    Clear,
    History,
    ListsCommands,
    Grade,
    LeavePractice,
    AnswerExample,
    Write,
    Save,
    NewName,
    EditThisOne,
    Overwrite,
    KeepFile,
    StartTour,
    Scroll,
    Close,
    Pause,
    Train,
    OneStep,
    Snapshots,
    Keep,
    Decode,
    Back,
    Quit,
    HeadBlock,
    PairI,
    P,
    K,
    ScalingHeads,
    Dk,
    PeHeads,
    Open,
    PeScaling,
    NextToken,
    YourToken,
    Restart,
    Learn,
    Cell,
    Select,
    CloseOpen,
    Stop,
    EndTour,
    Step,
    Toggle,
    Cmd,
    Help,
    Edit,
    Svg,
    Forward,
    Grad,
    DecodeLearn,
    Head,
    Layer,
    Answer,
    Practice,
    Tour,
    About,
    Pane,
}

impl Hint {
    /// Every hint.
    pub const ALL: [Hint; 61] = [
        Hint::Run,
        Hint::Cancel,
        Hint::Move,
        Hint::Ends,
        Hint::Clear,
        Hint::History,
        Hint::ListsCommands,
        Hint::Grade,
        Hint::LeavePractice,
        Hint::AnswerExample,
        Hint::Write,
        Hint::Save,
        Hint::NewName,
        Hint::EditThisOne,
        Hint::Overwrite,
        Hint::KeepFile,
        Hint::StartTour,
        Hint::Scroll,
        Hint::Close,
        Hint::Pause,
        Hint::Train,
        Hint::OneStep,
        Hint::Snapshots,
        Hint::Keep,
        Hint::Decode,
        Hint::Back,
        Hint::Quit,
        Hint::HeadBlock,
        Hint::PairI,
        Hint::P,
        Hint::K,
        Hint::ScalingHeads,
        Hint::Dk,
        Hint::PeHeads,
        Hint::Open,
        Hint::PeScaling,
        Hint::NextToken,
        Hint::YourToken,
        Hint::Restart,
        Hint::Learn,
        Hint::Cell,
        Hint::Select,
        Hint::CloseOpen,
        Hint::Stop,
        Hint::EndTour,
        Hint::Step,
        Hint::Toggle,
        Hint::Cmd,
        Hint::Help,
        Hint::Edit,
        Hint::Svg,
        Hint::Forward,
        Hint::Grad,
        Hint::DecodeLearn,
        Hint::Head,
        Hint::Layer,
        Hint::Answer,
        Hint::Practice,
        Hint::Tour,
        Hint::About,
        Hint::Pane,
    ];

    /// The hint in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(self) -> &'static str {
        match self {
            Hint::Run => "run",
            Hint::Cancel => "cancel",
            Hint::Move => "move",
            Hint::Ends => "ends",
            Hint::Clear => "clear",
            Hint::History => "history",
            Hint::ListsCommands => "lists the commands",
            Hint::Grade => "grade",
            Hint::LeavePractice => "leave practice",
            Hint::AnswerExample => "0.25 or 0.9 0.1",
            Hint::Write => "write",
            Hint::Save => "save",
            Hint::NewName => "a new name",
            Hint::EditThisOne => "edit this one",
            Hint::Overwrite => "overwrite",
            Hint::KeepFile => "keep the file",
            Hint::StartTour => "start the tour",
            Hint::Scroll => "scroll",
            Hint::Close => "close",
            Hint::Pause => "pause",
            Hint::Train => "train",
            Hint::OneStep => "one step",
            Hint::Snapshots => "snapshots",
            Hint::Keep => "keep",
            Hint::Decode => "decode",
            Hint::Back => "back",
            Hint::Quit => "quit",
            Hint::HeadBlock => "head/block",
            Hint::PairI => "pair i",
            Hint::P => "p",
            Hint::K => "k",
            Hint::ScalingHeads => "scaling/heads",
            Hint::Dk => "d_k",
            Hint::PeHeads => "pe/heads",
            Hint::Open => "open",
            Hint::PeScaling => "pe/scaling",
            Hint::NextToken => "next token",
            Hint::YourToken => "your token",
            Hint::Restart => "restart",
            Hint::Learn => "learn",
            Hint::Cell => "cell",
            Hint::Select => "select",
            Hint::CloseOpen => "close/open",
            Hint::Stop => "stop",
            Hint::EndTour => "end tour",
            Hint::Step => "step",
            Hint::Toggle => "toggle",
            Hint::Cmd => "cmd",
            Hint::Help => "help",
            Hint::Edit => "edit",
            Hint::Svg => "svg",
            Hint::Forward => "forward",
            Hint::Grad => "grad",
            Hint::DecodeLearn => "decode/learn",
            Hint::Head => "head",
            Hint::Layer => "layer",
            Hint::Answer => "answer",
            Hint::Practice => "practice",
            Hint::Tour => "tour",
            Hint::About => "about",
            Hint::Pane => "pane",
        }
    }

    fn ko(self) -> &'static str {
        match self {
            Hint::Run => "실행",
            Hint::Cancel => "취소",
            Hint::Move => "이동",
            Hint::Ends => "처음/끝",
            Hint::Clear => "지우기",
            Hint::History => "기록",
            Hint::ListsCommands => "명령 목록",
            Hint::Grade => "채점",
            Hint::LeavePractice => "연습 끝내기",
            Hint::AnswerExample => "0.25 또는 0.9 0.1",
            Hint::Write => "쓰기",
            Hint::Save => "저장",
            Hint::NewName => "새 이름",
            Hint::EditThisOne => "이 이름 고치기",
            Hint::Overwrite => "덮어쓰기",
            Hint::KeepFile => "파일 유지",
            Hint::StartTour => "둘러보기 시작",
            Hint::Scroll => "스크롤",
            Hint::Close => "닫기",
            Hint::Pause => "일시 정지",
            Hint::Train => "학습",
            Hint::OneStep => "한 번 갱신",
            Hint::Snapshots => "스냅숏",
            Hint::Keep => "보관",
            Hint::Decode => "디코딩",
            Hint::Back => "돌아가기",
            Hint::Quit => "끝내기",
            Hint::HeadBlock => "헤드/블록",
            Hint::PairI => "짝 i",
            Hint::P => "위치 p",
            Hint::K => "거리 k",
            Hint::ScalingHeads => "스케일링/헤드",
            Hint::Dk => "d_k",
            Hint::PeHeads => "위치 인코딩/헤드",
            Hint::Open => "열기",
            Hint::PeScaling => "위치 인코딩/스케일링",
            Hint::NextToken => "다음 토큰",
            Hint::YourToken => "직접 고른 토큰",
            Hint::Restart => "다시 시작",
            Hint::Learn => "학습",
            Hint::Cell => "칸",
            Hint::Select => "선택",
            Hint::CloseOpen => "접기/펴기",
            Hint::Stop => "지점",
            Hint::EndTour => "둘러보기 끝",
            Hint::Step => "단계",
            Hint::Toggle => "켜기/끄기",
            Hint::Cmd => "명령",
            Hint::Help => "도움말",
            Hint::Edit => "문장 편집",
            Hint::Svg => "svg",
            Hint::Forward => "순전파",
            Hint::Grad => "기울기",
            Hint::DecodeLearn => "디코딩/학습",
            Hint::Head => "헤드",
            Hint::Layer => "층",
            Hint::Answer => "답하기",
            Hint::Practice => "연습",
            Hint::Tour => "둘러보기",
            Hint::About => "소개",
            Hint::Pane => "창 이동",
        }
    }
}

/// Sentences with arguments; each language formats the whole sentence.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// `3 tokens`.
    Tokens(usize),
    /// The header's practice score before the file: `practice 2/3 · file`.
    PracticeFile {
        /// The score, `right/asked`.
        score: String,
        /// The file (or built-in scenario).
        file: String,
    },
    /// The tour box title: stop `pos` (1-based) of `n`.
    Tour {
        /// Stop shown, 1-based.
        pos: usize,
        /// Stops.
        n: usize,
    },
    /// Matrix bottom: rows shown.
    Rows {
        /// First row.
        first: usize,
        /// Last row.
        last: usize,
        /// Rows in all.
        n: usize,
    },
    /// Matrix bottom: columns shown.
    Cols {
        /// First column.
        first: usize,
        /// Last column.
        last: usize,
        /// Columns in all.
        n: usize,
    },
    /// Matrix bottom: the largest change of the last rerun.
    Changed(String),
    /// Statistics: the row's index (its token follows).
    Row(usize),
    /// Statistics: the row's sum, with the −∞ cells left out.
    Sum {
        /// The sum.
        sum: String,
        /// −∞ cells left out.
        skipped: usize,
    },
    /// Statistics: the row's maximum, its column's token and index.
    Max {
        /// The maximum.
        max: String,
        /// The column's token.
        at: String,
        /// The column.
        col: usize,
    },
    /// Statistics: the row's entropy in nats.
    Entropy(String),
    /// A row whose every key is masked.
    FullyMasked(usize),
    /// NaN and +∞ counts of the step.
    NonFinite {
        /// NaN values.
        nan: usize,
        /// +∞ values.
        pos_inf: usize,
    },
    /// The first non-finite value of the pass.
    FirstNonFinite {
        /// Its address.
        at: String,
        /// Its value.
        value: String,
    },
    /// The gradient panel: the backward rule.
    BackwardRule(String),
    /// The gradient panel: the forward value and the loss.
    ForwardValue {
        /// The cell.
        addr: String,
        /// Its forward value.
        value: String,
        /// The loss.
        loss: String,
    },
    /// Busy box: how far a slow command got.
    Progress(Progress),
    /// Busy box: progress and the time so far.
    Elapsed {
        /// The progress sentence.
        what: String,
        /// Seconds.
        secs: f64,
    },
    /// The model's provenance: untrained (seed) or trained (updates).
    Provenance {
        /// Updates made (0: untrained).
        updates: usize,
        /// The seed of the random weights.
        seed: u64,
    },
    /// About box: what the model is.
    AboutModel(String),
    /// About box: Enter or r starts the tour of `n` stops.
    AboutTour(usize),
    /// About box: r replays the tour of `n` stops.
    AboutReplay(usize),
    /// Too small: the size and the size needed.
    TooSmallSize {
        /// Columns.
        w: u16,
        /// Rows.
        h: u16,
        /// Columns needed.
        min_w: u16,
        /// Rows needed.
        min_h: u16,
    },
    /// The first status line (with the scenario's title when it has one).
    Welcome(String),
    /// The practice question's heading.
    PracticeHeading {
        /// Question shown, 1-based.
        pos: usize,
        /// Questions.
        n: usize,
        /// The score, `right/asked`.
        score: String,
    },
    /// How to answer in the workbench.
    PracticeHowTo {
        /// More than one number (a row).
        many: bool,
        /// The tolerance.
        tol: String,
    },
    /// The grading's heading.
    Graded {
        /// Every number right.
        all: bool,
        /// Numbers right.
        right: usize,
        /// Numbers asked.
        asked: usize,
        /// The score.
        score: String,
    },
    /// One graded number.
    GradedNumber {
        /// Right.
        ok: bool,
        /// Its address.
        addr: String,
        /// The answer.
        yours: String,
        /// The trace's value.
        value: String,
    },
    /// No term could be blamed.
    NoBlame,
    /// The matrix title in the gradient view.
    GradTitle {
        /// `grad.<step>[h]`.
        name: String,
        /// The forward step.
        fwd: String,
        /// Rows.
        r: usize,
        /// Columns.
        c: usize,
    },
    /// A hand-check's header line.
    HandHeader {
        /// The scaling (`÷ √d_k` or unscaled).
        scale: String,
        /// The mask.
        mask: MaskKind,
    },
    /// A hand-check's header line, short.
    HandHeaderShort {
        /// The scaling, short.
        scale: String,
        /// The mask.
        mask: MaskKind,
    },
    /// A failed command on the status line: `error: <what the session said>`.
    Error(String),
    /// `q` with unsaved changes.
    UnsavedQuit,
    /// A workbench key that cannot act here (the whole status line, `error: …`).
    KeyError(KeyError),
}

/// Why a workbench key (not a command) could not act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// `{` on layer 0.
    LayerZero,
    /// `i` on a hand-check.
    HandNoSentence,
    /// `I` on a model without a target.
    NoTarget,
    /// An empty file name at the plot prompt.
    NothingWritten,
    /// An empty file name at a save prompt.
    NothingSaved,
    /// An empty token at the force prompt.
    NoToken,
}

impl KeyError {
    /// Every key error.
    pub const ALL: [KeyError; 6] = [
        KeyError::LayerZero,
        KeyError::HandNoSentence,
        KeyError::NoTarget,
        KeyError::NothingWritten,
        KeyError::NothingSaved,
        KeyError::NoToken,
    ];
}

impl Msg {
    /// One message of every kind, for the catalogue test.
    pub fn samples() -> Vec<Msg> {
        let mut v = vec![
            Msg::Tokens(3),
            Msg::PracticeFile {
                score: "2/3".into(),
                file: "a.yaml".into(),
            },
            Msg::Tour { pos: 2, n: 7 },
            Msg::Rows {
                first: 40,
                last: 59,
                n: 512,
            },
            Msg::Cols {
                first: 0,
                last: 7,
                n: 512,
            },
            Msg::Changed("0.0123".into()),
            Msg::Row(2),
            Msg::Sum {
                sum: "1.0000".into(),
                skipped: 0,
            },
            Msg::Sum {
                sum: "0.5000".into(),
                skipped: 2,
            },
            Msg::Max {
                max: "0.4029".into(),
                at: "간다".into(),
                col: 2,
            },
            Msg::Entropy("1.0824".into()),
            Msg::FullyMasked(3),
            Msg::NonFinite { nan: 4, pos_inf: 1 },
            Msg::FirstNonFinite {
                at: "enc.0.attn.scores[0][1][2]".into(),
                value: "NaN".into(),
            },
            Msg::BackwardRule("∂L/∂x = ∂L/∂y · Wᵀ".into()),
            Msg::ForwardValue {
                addr: "enc.0.attn.q[0][1][2]".into(),
                value: "0.5000".into(),
                loss: "2.3026".into(),
            },
            Msg::Progress(Progress {
                stage: Stage::Layers,
                done: 7,
                total: 12,
            }),
            Msg::Progress(Progress {
                stage: Stage::Bytes,
                done: 80 << 20,
                total: 168 << 20,
            }),
            Msg::Progress(Progress {
                stage: Stage::Tensors,
                done: 66,
                total: 181,
            }),
            Msg::Progress(Progress {
                stage: Stage::Comparing,
                done: 0,
                total: 0,
            }),
            Msg::Progress(Progress {
                stage: Stage::Idle,
                done: 0,
                total: 0,
            }),
            Msg::Elapsed {
                what: "x".into(),
                secs: 1.4,
            },
            Msg::Provenance {
                updates: 0,
                seed: 42,
            },
            Msg::Provenance {
                updates: 1,
                seed: 42,
            },
            Msg::Provenance {
                updates: 250,
                seed: 42,
            },
            Msg::AboutModel("x".into()),
            Msg::AboutTour(5),
            Msg::AboutReplay(5),
            Msg::TooSmallSize {
                w: 30,
                h: 10,
                min_w: 60,
                min_h: 16,
            },
            Msg::Welcome(String::new()),
            Msg::Welcome("나는 학교에 간다".into()),
            Msg::PracticeHeading {
                pos: 1,
                n: 3,
                score: "0/0".into(),
            },
            Msg::PracticeHowTo {
                many: false,
                tol: "0.005".into(),
            },
            Msg::PracticeHowTo {
                many: true,
                tol: "0.005".into(),
            },
            Msg::Graded {
                all: true,
                right: 1,
                asked: 1,
                score: "1/1".into(),
            },
            Msg::Graded {
                all: false,
                right: 1,
                asked: 3,
                score: "1/2".into(),
            },
            Msg::GradedNumber {
                ok: false,
                addr: "enc.0.attn.weights[0][1][2]".into(),
                yours: "0.5".into(),
                value: "0.3036".into(),
            },
            Msg::NoBlame,
            Msg::GradTitle {
                name: "grad.enc.0.attn.q[0]".into(),
                fwd: "enc.0.attn.q".into(),
                r: 3,
                c: 4,
            },
            Msg::HandHeader {
                scale: "÷ √d_k".into(),
                mask: MaskKind::Causal,
            },
            Msg::HandHeaderShort {
                scale: "÷√d_k".into(),
                mask: MaskKind::None,
            },
            Msg::Error("layer 9 does not exist".into()),
            Msg::UnsavedQuit,
        ];
        v.extend(KeyError::ALL.map(Msg::KeyError));
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
            Msg::Tokens(n) => crate::session::plural(*n, "token"),
            Msg::PracticeFile { score, file } => format!("practice {score} · {file}"),
            Msg::Tour { pos, n } => format!(" tour {pos}/{n} "),
            Msg::Rows { first, last, n } => format!("rows {first}–{last} of {n}"),
            Msg::Cols { first, last, n } => format!("cols {first}–{last} of {n}"),
            Msg::Changed(x) => format!("changed • max |Δ| {x}"),
            Msg::Row(r) => format!("row {r} "),
            Msg::Sum { sum, skipped: 0 } => format!("  sum {sum}"),
            Msg::Sum { sum, skipped } => format!("  sum {sum} ({skipped} −∞ left out)"),
            Msg::Max { max, at, col } => format!("  max {max} at {at} (col {col})"),
            Msg::Entropy(e) => format!("  entropy {e} nats"),
            Msg::FullyMasked(r) => format!("row {r} is fully masked: its weights are all 0"),
            Msg::NonFinite { nan, pos_inf } => {
                format!("{nan} NaN and {pos_inf} +∞ values in this step")
            }
            Msg::FirstNonFinite { at, value } => {
                format!("first non-finite value of the pass: {at} = {value}")
            }
            Msg::BackwardRule(f) => format!("  backward rule: {f}"),
            Msg::ForwardValue { addr, value, loss } => {
                format!("  forward value {addr} = {value}; loss = {loss}")
            }
            Msg::Progress(p) => p.to_string(),
            Msg::Elapsed { what, secs } => format!("{what} · {secs:.1} s"),
            Msg::Provenance { updates: 0, seed } => {
                format!("untrained (random weights, seed {seed})")
            }
            Msg::Provenance { updates: 1, .. } => "trained (1 update)".to_string(),
            Msg::Provenance { updates, .. } => format!("trained ({updates} updates)"),
            Msg::AboutModel(p) => format!(
                "The model is {p}: its attention patterns show how the arithmetic works, not what a trained model would attend to."
            ),
            Msg::AboutTour(n) => {
                format!("Enter or r starts the guided tour ({n} stops; n / p step); Esc closes.")
            }
            Msg::AboutReplay(n) => {
                format!("r replays its guided tour ({n} stops); a shows this again; Esc closes.")
            }
            Msg::TooSmallSize { w, h, min_w, min_h } => {
                format!("it is {w}×{h}; qkv needs at least {min_w}×{min_h}")
            }
            Msg::Welcome(t) if t.is_empty() => {
                "n/p walks the pipeline step by step; ? lists every key".to_string()
            }
            Msg::Welcome(t) => {
                format!("{t} — n/p walks the pipeline step by step; ? lists every key")
            }
            Msg::PracticeHeading { pos, n, score } => {
                format!("practice {pos} of {n} · score {score} — predict, then reveal")
            }
            Msg::PracticeHowTo { many, tol } => format!(
                "  type the number{} below and press Enter (Esc leaves the practice); right within ±{tol}",
                if *many { "s, on one line," } else { "" }
            ),
            Msg::Graded {
                all,
                right,
                asked,
                score,
            } => format!(
                "practice: {} — {right} of {asked} right · score {score}",
                if *all { "right" } else { "wrong" }
            ),
            Msg::GradedNumber {
                ok,
                addr,
                yours,
                value,
            } => format!(
                "  {} {addr}: you {yours}, trace {value}",
                if *ok { "✓" } else { "✗" }
            ),
            Msg::NoBlame => {
                "    could not tell which term went wrong: compare with the arithmetic below"
                    .to_string()
            }
            Msg::GradTitle { name, fwd, r, c } => {
                format!(" {name} · ∂loss/∂{fwd} · backward ↑ · {r} × {c} ")
            }
            Msg::HandHeader { scale, mask } => format!(
                "attention hand-check (no model): q · kᵀ {scale} · mask {mask} · softmax · × v"
            ),
            Msg::HandHeaderShort { scale, mask } => format!("hand-check · {scale} · mask {mask}"),
            Msg::Error(e) => format!("error: {e}"),
            Msg::UnsavedQuit => {
                "unsaved changes: w saves them; q again leaves without saving".into()
            }
            Msg::KeyError(k) => match k {
                KeyError::LayerZero => "error: already at layer 0; } goes to the next layer",
                KeyError::HandNoSentence => {
                    "error: an attention hand-check has no sentence; `:text <sentence>` goes back to the model"
                }
                KeyError::NoTarget => {
                    "error: only an encoder-decoder model has a target sentence; i edits the source"
                }
                KeyError::NothingWritten => "error: no file name given; nothing written",
                KeyError::NothingSaved => "error: no file name given; nothing saved",
                KeyError::NoToken => "error: no token given; nothing changed",
            }
            .into(),
        }
    }

    fn ko(&self) -> String {
        match self {
            Msg::Tokens(n) => format!("토큰 {n}개"),
            Msg::PracticeFile { score, file } => format!("연습 {score} · {file}"),
            Msg::Tour { pos, n } => format!(" 둘러보기 {pos}/{n} "),
            Msg::Rows { first, last, n } => format!("행 {first}–{last} (전체 {n})"),
            Msg::Cols { first, last, n } => format!("열 {first}–{last} (전체 {n})"),
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
            Msg::AboutModel(p) => format!(
                "모델: {p}. 어텐션 패턴은 계산이 어떻게 이루어지는지를 보여 줄 뿐, 학습된 모델이 어디에 주목할지를 보여 주지는 않습니다."
            ),
            Msg::AboutTour(n) => format!(
                "Enter 또는 r을 누르면 안내 둘러보기를 시작합니다 (지점 {n}개, n / p로 이동). Esc로 닫습니다."
            ),
            Msg::AboutReplay(n) => format!(
                "r을 누르면 안내 둘러보기를 다시 봅니다 (지점 {n}개). a를 누르면 이 창을 다시 엽니다. Esc로 닫습니다."
            ),
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
            Msg::HandHeader { scale, mask } => format!(
                "어텐션 손 계산 확인 (모델 없음): q · kᵀ {scale} · 마스킹(masking) {} · 소프트맥스(softmax) · × v",
                mask_ko(*mask)
            ),
            Msg::HandHeaderShort { scale, mask } => {
                format!("손 계산 · {scale} · 마스킹 {}", mask_ko(*mask))
            }
            Msg::Error(e) => format!("오류: {e}"),
            Msg::UnsavedQuit => {
                "저장하지 않은 변경이 있습니다: w로 저장하세요; q를 한 번 더 누르면 저장하지 않고 나갑니다".into()
            }
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

/// A mask's name in Korean.
fn mask_ko(m: MaskKind) -> &'static str {
    match m {
        MaskKind::None => "없음",
        MaskKind::Causal => "인과",
    }
}

/// An architecture's name in Korean.
fn arch_ko(a: Arch) -> &'static str {
    match a {
        Arch::Encoder => "인코더",
        Arch::Decoder => "디코더",
        Arch::EncoderDecoder => "인코더-디코더",
    }
}

/// The model in one line, in `lang` (English: [`Config::summary`]); `level` 0 is the full
/// line, 1 shorter (`h 2 · L 2+2`), 2 the shortest (`d 8 · h 2 · ff 32`).
pub fn model_summary(c: &Config, lang: Lang, level: u8) -> String {
    let layers = match c.arch {
        Arch::Encoder => c.layers.encoder.to_string(),
        Arch::Decoder => c.layers.decoder.to_string(),
        Arch::EncoderDecoder => format!("{}+{}", c.layers.encoder, c.layers.decoder),
    };
    let mask = match c.arch {
        Arch::Encoder => mask_ko(c.mask).to_string(),
        Arch::Decoder => mask_ko(c.dec_mask).to_string(),
        Arch::EncoderDecoder => {
            format!("인코더 {}, 디코더 {}", mask_ko(c.mask), mask_ko(c.dec_mask))
        }
    };
    match lang {
        Lang::En => c.summary(),
        Lang::Ko => {
            let sizes = match level {
                0 => format!(
                    "d_model {} · 헤드 {} · d_k {} · d_ff {} · 층 {layers}",
                    c.d_model,
                    c.heads,
                    c.d_k(),
                    c.d_ff
                ),
                1 => format!(
                    "d_model {} · h {} · d_k {} · d_ff {} · L {layers}",
                    c.d_model,
                    c.heads,
                    c.d_k(),
                    c.d_ff
                ),
                _ => format!(
                    "d {} · h {} · ff {} · L {layers}",
                    c.d_model, c.heads, c.d_ff
                ),
            };
            // The shortest line of an encoder-decoder leaves the architecture to the mask's
            // "인코더 …, 디코더 …" (`인코더-디코더 · ` does not fit in 80 columns).
            let arch = if level >= 2 && c.arch == Arch::EncoderDecoder {
                String::new()
            } else {
                format!("{} · ", arch_ko(c.arch))
            };
            format!(
                "{arch}{sizes} · {}-LN{}{}{} · 마스킹 {mask}",
                c.norm,
                if c.positional == Positional::None {
                    " · 위치 인코딩 없음"
                } else {
                    ""
                },
                match (c.scale, level) {
                    (true, 0) => " · ÷√d_k",
                    (true, _) => "",
                    (false, _) => " · 스케일링 없음",
                },
                if c.embed_scale { " · ×√d" } else { "" },
            )
        }
    }
}

/// What a step computes, as the pipeline tree and the matrix title name it; in Korean with
/// the English term beside the article's term when `first`.
pub fn step_label(kind: StepKind, final_norm: bool, lang: Lang, first: bool) -> String {
    let t = |term: Term| term.text(lang, first);
    match lang {
        Lang::En => match kind {
            StepKind::TokenEmbedding => "token vectors",
            StepKind::Positional => "positional enc.",
            StepKind::EmbeddingSum => "tokens + PE",
            StepKind::Query => "Q",
            StepKind::Key => "K",
            StepKind::Value => "V",
            StepKind::Scores => "scores QKᵀ",
            StepKind::Scaled => "÷√d_k",
            StepKind::Masked => "mask",
            StepKind::Weights => "softmax",
            StepKind::HeadOut => "×V",
            StepKind::Concat => "concat",
            StepKind::AttnOut => "W_O",
            StepKind::ResidualSum => "sum x + f(x)",
            StepKind::LayerNorm if final_norm => "final norm",
            StepKind::LayerNorm => "norm",
            StepKind::FfnHidden => "x·W1 + b1",
            StepKind::FfnRelu => "ReLU",
            StepKind::FfnOut => "·W2 + b2",
            StepKind::Logits => "logits x·Eᵀ",
            StepKind::Probs => "probs",
        }
        .to_string(),
        Lang::Ko => match kind {
            StepKind::TokenEmbedding => format!("토큰 {}", t(Term::Embedding)),
            StepKind::Positional => t(Term::PositionalEncoding),
            StepKind::EmbeddingSum => "토큰 + 위치".to_string(),
            StepKind::Query => format!("{} Q", t(Term::Query)),
            StepKind::Key => format!("{} K", t(Term::Key)),
            StepKind::Value => format!("{} V", t(Term::Value)),
            StepKind::Scores => {
                if first {
                    "스코어(score) QKᵀ".to_string()
                } else {
                    "스코어 QKᵀ".to_string()
                }
            }
            StepKind::Scaled => format!("{} ÷√d_k", t(Term::Scaling)),
            StepKind::Masked => t(Term::Masking),
            StepKind::Weights => t(Term::Softmax),
            StepKind::HeadOut => "×V".to_string(),
            StepKind::Concat => "헤드 이어 붙이기".to_string(),
            StepKind::AttnOut => "W_O".to_string(),
            StepKind::ResidualSum => "합 x + f(x)".to_string(),
            StepKind::LayerNorm if final_norm => format!("최종 {}", t(Term::LayerNorm)),
            StepKind::LayerNorm => t(Term::LayerNorm),
            StepKind::FfnHidden => "x·W1 + b1".to_string(),
            StepKind::FfnRelu => "ReLU".to_string(),
            StepKind::FfnOut => "·W2 + b2".to_string(),
            StepKind::Logits => "로짓 x·Eᵀ".to_string(),
            StepKind::Probs => "확률".to_string(),
        },
    }
}

/// Every step kind, for the catalogue test.
pub const STEP_KINDS: [StepKind; 20] = [
    StepKind::TokenEmbedding,
    StepKind::Positional,
    StepKind::EmbeddingSum,
    StepKind::Query,
    StepKind::Key,
    StepKind::Value,
    StepKind::Scores,
    StepKind::Scaled,
    StepKind::Masked,
    StepKind::Weights,
    StepKind::HeadOut,
    StepKind::Concat,
    StepKind::AttnOut,
    StepKind::ResidualSum,
    StepKind::LayerNorm,
    StepKind::FfnHidden,
    StepKind::FfnRelu,
    StepKind::FfnOut,
    StepKind::Logits,
    StepKind::Probs,
];

/// A heading of the pipeline tree (the English labels the tree is built with: `Encoder
/// layer 0`, `Masked self-attention`, `Add & Norm 2`, …) in `lang`; in Korean with the
/// English term beside it when `first`. `None` for a label the catalogue does not know.
pub fn tree_heading(english: &str, lang: Lang, first: bool) -> Option<String> {
    if lang == Lang::En {
        return Some(english.to_string());
    }
    let t = |term: Term| term.text(lang, first);
    let fixed = match english {
        "Embedding + PE" => Some(format!(
            "{}+{}",
            t(Term::Embedding),
            Term::PositionalEncoding.ko()
        )),
        "Decoder embedding + PE" => Some(format!("{} 임베딩+위치", t(Term::Decoder))),
        "Encoder output" => Some(format!("{} 출력", t(Term::Encoder))),
        "Output" => Some("출력".to_string()),
        "Attention (hand-check)" => Some("어텐션 (손 계산)".to_string()),
        "Self-attention" => Some(if first {
            "셀프 어텐션(self-attention)".to_string()
        } else {
            "셀프 어텐션".to_string()
        }),
        "Masked self-attention" => Some(format!("{} 셀프 어텐션", Term::Masking.ko())),
        "Self-attention (mask off)" => Some("셀프 어텐션 (마스킹 끔)".to_string()),
        "Cross-attention" => Some(if first {
            "크로스 어텐션(cross-attention)".to_string()
        } else {
            "크로스 어텐션".to_string()
        }),
        "Feed-forward" => Some(t(Term::FeedForward)),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    if let Some(l) = english.strip_prefix("Encoder layer ") {
        return Some(format!("{} 층 {l}", t(Term::Encoder)));
    }
    if let Some(l) = english.strip_prefix("Decoder layer ") {
        return Some(format!("{} 층 {l}", t(Term::Decoder)));
    }
    if let Some(k) = english.strip_prefix("Add & Norm ") {
        return Some(if first {
            format!("잔차+정규화(Add & Norm) {k}")
        } else {
            format!("잔차+정규화 {k}")
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers in a text (runs of ASCII digits), in order.
    fn numbers(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() {
                cur.push(c);
            } else if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out.sort();
        out
    }

    fn has_hangul(s: &str) -> bool {
        s.chars().any(|c| ('가'..='힣').contains(&c))
    }

    #[test]
    fn every_label_and_hint_has_both_texts() {
        for l in Label::ALL {
            let (en, ko) = (l.text(Lang::En), l.text(Lang::Ko));
            assert!(!en.trim().is_empty() && !ko.trim().is_empty(), "{l:?}");
            // Formulas stay formulas; everything else is Korean.
            if l != Label::ScaledShort {
                assert!(has_hangul(ko), "{l:?}: {ko}");
                assert_ne!(en, ko, "{l:?}");
            }
            assert_eq!(numbers(en), numbers(ko), "{l:?}");
        }
        for h in Hint::ALL {
            let (en, ko) = (h.text(Lang::En), h.text(Lang::Ko));
            assert!(!en.is_empty() && !ko.is_empty(), "{h:?}");
            if !matches!(h, Hint::AnswerExample | Hint::Dk | Hint::Svg) {
                assert!(has_hangul(ko), "{h:?}: {ko}");
            }
        }
    }

    #[test]
    fn every_message_has_both_texts_with_the_same_numbers() {
        for m in Msg::samples() {
            let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
            assert!(!en.trim().is_empty() && !ko.trim().is_empty(), "{m:?}");
            assert!(has_hangul(&ko), "{m:?}: {ko}");
            assert_ne!(en, ko, "{m:?}");
            // "1 update" has no number in English but 1번 in Korean; the others match.
            if !matches!(m, Msg::Provenance { updates: 1, .. }) {
                assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
            }
        }
    }

    #[test]
    fn korean_terms_are_the_articles_and_first_use_names_the_english() {
        assert_eq!(Term::Softmax.text(Lang::Ko, true), "소프트맥스(softmax)");
        assert_eq!(Term::Softmax.text(Lang::Ko, false), "소프트맥스");
        assert_eq!(Term::Softmax.text(Lang::En, true), "softmax");
        for t in Term::ALL {
            assert!(has_hangul(t.ko()) && !has_hangul(t.en()), "{t:?}");
        }
    }

    #[test]
    fn every_step_label_and_tree_heading_is_korean() {
        for k in STEP_KINDS {
            for first in [true, false] {
                let en = step_label(k, false, Lang::En, first);
                let ko = step_label(k, false, Lang::Ko, first);
                assert!(!en.is_empty() && !ko.is_empty(), "{k:?}");
                assert_eq!(numbers(&en), numbers(&ko), "{k:?}");
            }
        }
        // The formulas (×V, W_O, the FFN's products, ReLU) stay as they are.
        assert_eq!(
            step_label(StepKind::Weights, false, Lang::Ko, true),
            "소프트맥스(softmax)"
        );
        for h in [
            "Embedding + PE",
            "Decoder embedding + PE",
            "Encoder output",
            "Output",
            "Attention (hand-check)",
            "Self-attention",
            "Masked self-attention",
            "Self-attention (mask off)",
            "Cross-attention",
            "Feed-forward",
            "Encoder layer 3",
            "Decoder layer 11",
            "Add & Norm 2",
        ] {
            for first in [true, false] {
                let ko = tree_heading(h, Lang::Ko, first).unwrap();
                assert!(has_hangul(&ko), "{h}: {ko}");
                assert_eq!(numbers(h), numbers(&ko), "{h}");
            }
        }
        assert_eq!(tree_heading("Something new", Lang::Ko, true), None);
    }

    #[test]
    fn the_korean_model_summary_keeps_every_number() {
        let c = Config::default();
        for level in 0..=2 {
            let ko = model_summary(&c, Lang::Ko, level);
            assert!(has_hangul(&ko), "{ko}");
            assert!(ko.contains(&c.d_model.to_string()), "{ko}");
        }
        assert_eq!(model_summary(&c, Lang::En, 0), c.summary());
    }
}
