//! What the session says about its files and outputs (`save`, `check`, `export`, `params`,
//! `plot`, `> file.md`), about `set embed` and `attend`, and `diff`'s per-step lines, in
//! English and Korean: one exhaustive `match` per language as in [`super::session`]. Paths,
//! command words and step names stay as they are in both languages.

use super::Lang;
use crate::i18n::plural;

/// One thing the session says about files and outputs, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is documented by its English text
pub enum FilesMsg {
    /// `(showing 8 of 12 rows, 8 of 32 columns; --full shows all)` under a printed matrix.
    Showing {
        rows: usize,
        of_rows: usize,
        cols: usize,
        of_cols: usize,
    },
    /// `(each row's 3 largest of 102 columns, largest first)` over a `--top 3` listing.
    TopOf { k: usize, of: usize },
    /// `saved a.yaml (2 tour stops, 1 expectation); `qkv check a.yaml` verifies it`.
    Saved {
        path: String,
        stops: usize,
        checks: usize,
    },
    /// `note: <what was left out>` under a saved or loaded file.
    Note(String),
    /// `left out the scenario's 2 tour stops: they were written for the old sentence`.
    LeftOutOldStops(usize),
    /// `left out 2 tour stops that no longer fit the model`.
    LeftOutUnfitStops(usize),
    /// `left out 2 practice questions that no longer fit the trace`.
    LeftOutPractice(usize),
    /// `left out the target sentence: only an encoder-decoder model reads it`.
    LeftOutTarget,
    /// `left out 2 embedding override(s) of tokens no longer in the input`.
    LeftOutEmbeddings(usize),
    /// `left out 2 expectation(s) that no longer hold for this model`.
    LeftOutExpectations(usize),
    /// A hand-check's expected matrices were replaced by the values computed now.
    HandExpectRecomputed,
    /// `nothing was written: the scenario would not load back (<why>)`.
    WouldNotLoadBack(String),
    /// Saving over a file with comments.
    HasComments { path: String },
    /// `save` while the session studies weights trained here, which are in no file.
    TrainedWeightsInNoFile,
    /// `check` on a scenario without `expect:`.
    NoExpectations,
    /// `export` on a hand-check.
    HandNoExport,
    /// `a.json would be about 120 MB; nothing was written: …`.
    ExportTooLarge { path: String, mb: u64, json: bool },
    /// `wrote a.npz (numpy .npz: 100 steps, 40 weights + embed.E)`.
    Exported {
        path: String,
        format: String,
        steps: usize,
        weights: usize,
    },
    /// `parameters (vocabulary of this session: 12 tokens):`.
    ParamsHeading { vocab: u64 },
    /// `total` (the last line of `params`).
    ParamsTotal,
    /// `1234 parameters` (the status line of `params`).
    ParamsStatus(u64),
    /// The title `save` writes once the sentence has changed: `Session on <text> (from
    /// “<title>”)`.
    SessionTitle { text: String, from: Option<String> },
    /// The description `save` writes for a new sentence.
    SavedDescription,
    /// The title of a hand-check made by `attend`.
    HandTitle,
    /// The description of a hand-check made by `attend`.
    HandDescription,
    /// `attend` without `v`: what is not computed.
    NoValues,
    /// `wrote a.svg (svg: enc.0.attn.weights, 3 × 3, cell [0][1] selected)`.
    Plotted {
        path: String,
        format: String,
        name: String,
        rows: usize,
        cols: usize,
        /// The selected cell, and whether its explanation is beside it.
        cell: Option<(usize, usize, bool)>,
    },
    /// `> file.md` after a command that prints nothing.
    NothingToRedirect { line: String },
    /// `wrote out.md (12 lines of Markdown: the output of `show weights`)`.
    Redirected {
        path: String,
        lines: usize,
        line: String,
    },
    /// `3 digits after the decimal point.` (the last line of a Markdown table file).
    MarkdownDigits(usize),
    /// `set embed` with a token not in the input.
    NotAToken { token: String, tokens: String },
    /// `set embed` with a vector of the wrong length.
    EmbedLength { token: String, got: usize, d: usize },
    /// The status line of `attend`.
    Attended,
    /// `diff`: a step whose values did not move.
    DiffUnchanged,
    /// `diff`: `max |Δ| 0.25` (`None`: a cell became or stopped being −∞).
    DiffMax(Option<String>),
    /// `diff`: a step whose shape changed.
    DiffReshaped,
    /// `diff`: a step only in the new run.
    DiffNew,
    /// `diff`: a step only in the old run.
    DiffGone,
}

impl FilesMsg {
    /// Examples of every message (for the key-completeness test).
    #[expect(
        clippy::too_many_lines,
        reason = "one sample per message, so the completeness test walks every key."
    )]
    pub fn samples() -> Vec<FilesMsg> {
        use FilesMsg as F;
        let path = || "a.yaml".to_string();
        vec![
            F::Showing {
                rows: 8,
                of_rows: 12,
                cols: 9,
                of_cols: 32,
            },
            F::TopOf { k: 3, of: 102 },
            F::Saved {
                path: path(),
                stops: 2,
                checks: 1,
            },
            F::Saved {
                path: path(),
                stops: 1,
                checks: 0,
            },
            F::Note("x".into()),
            F::LeftOutOldStops(2),
            F::LeftOutUnfitStops(1),
            F::LeftOutPractice(3),
            F::LeftOutTarget,
            F::LeftOutEmbeddings(2),
            F::LeftOutExpectations(4),
            F::HandExpectRecomputed,
            F::WouldNotLoadBack("x".into()),
            F::TrainedWeightsInNoFile,
            F::HasComments { path: path() },
            F::NoExpectations,
            F::HandNoExport,
            F::ExportTooLarge {
                path: "a.json".into(),
                mb: 120,
                json: true,
            },
            F::ExportTooLarge {
                path: "a.npz".into(),
                mb: 30,
                json: false,
            },
            F::Exported {
                path: "a.npz".into(),
                format: "numpy .npz".into(),
                steps: 100,
                weights: 40,
            },
            F::ParamsHeading { vocab: 12 },
            F::ParamsTotal,
            F::ParamsStatus(1234),
            F::SessionTitle {
                text: "나는 간다".into(),
                from: None,
            },
            F::SessionTitle {
                text: "나는 간다".into(),
                from: Some("title".into()),
            },
            F::SavedDescription,
            F::HandTitle,
            F::HandDescription,
            F::NoValues,
            F::Plotted {
                path: "a.svg".into(),
                format: "svg".into(),
                name: "enc.attn.weights".into(),
                rows: 3,
                cols: 4,
                cell: None,
            },
            F::Plotted {
                path: "a.svg".into(),
                format: "svg".into(),
                name: "weights".into(),
                rows: 3,
                cols: 4,
                cell: Some((0, 1, false)),
            },
            F::Plotted {
                path: "a.svg".into(),
                format: "svg".into(),
                name: "weights".into(),
                rows: 3,
                cols: 4,
                cell: Some((0, 1, true)),
            },
            F::NothingToRedirect {
                line: "quit".into(),
            },
            F::Redirected {
                path: "out.md".into(),
                lines: 12,
                line: "show weights".into(),
            },
            F::MarkdownDigits(3),
            F::NotAToken {
                token: "x".into(),
                tokens: "나는, 학교에".into(),
            },
            F::EmbedLength {
                token: "나는".into(),
                got: 3,
                d: 4,
            },
            F::Attended,
            F::DiffUnchanged,
            F::DiffMax(Some("0.2500".into())),
            F::DiffMax(None),
            F::DiffReshaped,
            F::DiffNew,
            F::DiffGone,
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
        use FilesMsg as F;
        match self {
            F::Showing {
                rows,
                of_rows,
                cols,
                of_cols,
            } => format!(
                "(showing {rows} of {of_rows} rows, {cols} of {of_cols} columns; --full shows all)"
            ),
            F::TopOf { k, of } => {
                format!("(each row's {k} largest of {of} columns, largest first)")
            }
            F::Saved {
                path,
                stops,
                checks,
            } => format!(
                "saved {path} ({}, {}); `qkv check {path}` verifies it",
                plural(*stops, "tour stop"),
                plural(*checks, "expectation"),
            ),
            F::Note(n) => format!("note: {n}"),
            F::LeftOutOldStops(n) => format!(
                "left out the scenario's {}: they were written for the old sentence",
                plural(*n, "tour stop")
            ),
            F::LeftOutUnfitStops(n) => format!(
                "left out {} that no longer fit the model",
                plural(*n, "tour stop")
            ),
            F::LeftOutPractice(n) => format!(
                "left out {} that no longer fit the trace",
                plural(*n, "practice question")
            ),
            F::LeftOutTarget => {
                "left out the target sentence: only an encoder-decoder model reads it".into()
            }
            F::LeftOutEmbeddings(n) => format!(
                "left out {n} embedding override(s) of tokens no longer in the input"
            ),
            F::LeftOutExpectations(n) => {
                format!("left out {n} expectation(s) that no longer hold for this model")
            }
            F::HandExpectRecomputed => "the hand-check's expected matrices no longer hold (scaling or mask changed): saved the values computed now".into(),
            F::WouldNotLoadBack(e) => {
                format!("nothing was written: the scenario would not load back ({e})")
            }
            F::TrainedWeightsInNoFile => "nothing was written: the weights trained here are in no file yet, and a scenario names its model's file: `checkpoint save model.safetensors`, then `checkpoint load model.safetensors`, then `save`".into(),
            F::HasComments { path } => format!(
                "{path} has comments (hand arithmetic, notes) that saving would drop, since qkv writes its own layout: save under another name, or `save! {path}` to overwrite"
            ),
            F::NoExpectations => "this scenario has no expectations (`expect:`); `save` records the values of the cells you visit".into(),
            F::HandNoExport => {
                "an attention hand-check has no model to export; `show` prints its steps".into()
            }
            F::ExportTooLarge { path, mb, json } => format!(
                "{path} would be about {mb} MB; nothing was written: `export! {path}` writes it{}",
                if *json {
                    " (a .npz is about 5 times smaller)"
                } else {
                    ""
                }
            ),
            F::Exported {
                path,
                format,
                steps,
                weights,
            } => format!("wrote {path} ({format}: {steps} steps, {weights} weights + embed.E)"),
            F::ParamsHeading { vocab } => {
                format!("parameters (vocabulary of this session: {vocab} tokens):")
            }
            F::ParamsTotal => "total".into(),
            F::ParamsStatus(n) => format!("{n} parameters"),
            F::SessionTitle { text, from } => match from {
                Some(t) => format!("Session on {text} (from “{t}”)"),
                None => format!("Session on {text}"),
            },
            F::SavedDescription => "Saved from a qkv session. The expected values at the cells chosen in it were computed by qkv.".into(),
            F::HandTitle => "Hand-check from `attend`".into(),
            F::HandDescription => {
                "Recorded by qkv from an attend command; the expected values were computed by qkv."
                    .into()
            }
            F::NoValues => {
                "no v given: the weighted sum (output = weights · v) is not computed; add v=[[…], …] to see it"
                    .into()
            }
            F::Plotted {
                path,
                format,
                name,
                rows,
                cols,
                cell,
            } => {
                let cell = match cell {
                    Some((i, j, true)) => format!(", cell [{i}][{j}] selected and explained"),
                    Some((i, j, false)) => format!(", cell [{i}][{j}] selected"),
                    None => String::new(),
                };
                format!("wrote {path} ({format}: {name}, {rows} × {cols}{cell})")
            }
            F::NothingToRedirect { line } => format!(
                "`{line}` prints nothing to save; `> file.md` follows show, explain, diff, check, params, help, grad or loss"
            ),
            F::Redirected { path, lines, line } => {
                format!("wrote {path} ({lines} lines of Markdown: the output of `{line}`)")
            }
            F::MarkdownDigits(p) => format!("{p} digits after the decimal point."),
            F::NotAToken { token, tokens } => {
                format!("{token:?} is not a token of the input (tokens: {tokens})")
            }
            F::EmbedLength { token, got, d } => {
                format!("the vector of {token:?} has {got} values: expected d_model = {d}")
            }
            F::Attended => "attend: scores, scaled, weights and output computed; `explain weights[0][0]` for a cell".into(),
            F::DiffUnchanged => "unchanged".into(),
            F::DiffMax(x) => format!(
                "max |Δ| {}",
                x.as_deref().unwrap_or("∞ (cells became or stopped being −∞)")
            ),
            F::DiffReshaped => "shape changed".into(),
            F::DiffNew => "new".into(),
            F::DiffGone => "gone".into(),
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per message: the Korean catalogue."
    )]
    fn ko(&self) -> String {
        use FilesMsg as F;
        match self {
            F::Showing {
                rows,
                of_rows,
                cols,
                of_cols,
            } => format!(
                "(행 {of_rows}개 중 {rows}개, 열 {of_cols}개 중 {cols}개를 보여 줍니다; --full이면 모두 보입니다)"
            ),
            F::TopOf { k, of } => format!("(각 행에서 열 {of}개 중 가장 큰 {k}개, 큰 순서)"),
            F::Saved {
                path,
                stops,
                checks,
            } => format!(
                "{path}에 저장했습니다 (둘러보기 지점 {stops}개, 기댓값 {checks}개); `qkv check {path}`로 검사합니다"
            ),
            F::Note(n) => format!("참고: {n}"),
            F::LeftOutOldStops(n) => format!(
                "시나리오의 둘러보기 지점 {n}개는 뺐습니다: 이전 문장에 맞춰 쓴 것입니다"
            ),
            F::LeftOutUnfitStops(n) => {
                format!("이제 모델에 맞지 않는 둘러보기 지점 {n}개는 뺐습니다")
            }
            F::LeftOutPractice(n) => {
                format!("이제 트레이스에 맞지 않는 연습 문제 {n}개는 뺐습니다")
            }
            F::LeftOutTarget => {
                "목표 문장(target)은 뺐습니다: 인코더-디코더 모델만 그것을 읽습니다".into()
            }
            F::LeftOutEmbeddings(n) => {
                format!("이제 입력에 없는 토큰의 임베딩 덮어쓰기 {n}개는 뺐습니다")
            }
            F::LeftOutExpectations(n) => {
                format!("이 모델에서 더 이상 맞지 않는 기댓값 {n}개는 뺐습니다")
            }
            F::HandExpectRecomputed => "손 계산 검사의 기대 행렬이 더 이상 맞지 않습니다 (스케일링이나 마스킹이 바뀜): 지금 계산한 값을 저장했습니다".into(),
            F::WouldNotLoadBack(e) => {
                format!("아무것도 쓰지 않았습니다: 이 시나리오는 다시 불러올 수 없습니다 ({e})")
            }
            F::TrainedWeightsInNoFile => "아무것도 쓰지 않았습니다: 이 세션에서 학습한 가중치는 아직 어떤 파일에도 없고, 시나리오는 모델의 파일 이름을 적습니다: `checkpoint save model.safetensors`, `checkpoint load model.safetensors`, 그다음 `save`".into(),
            F::HasComments { path } => format!(
                "{path}에는 주석(손 계산, 메모)이 있는데, qkv는 자기 형식으로 쓰므로 저장하면 사라집니다: 다른 이름으로 저장하거나, `save! {path}`로 덮어쓰세요"
            ),
            F::NoExpectations => "이 시나리오에는 기댓값(`expect:`)이 없습니다; `save`가 고른 칸의 값을 기록합니다".into(),
            F::HandNoExport => {
                "어텐션 손 계산 검사에는 내보낼 모델이 없습니다; `show`가 그 단계들을 출력합니다"
                    .into()
            }
            F::ExportTooLarge { path, mb, json } => format!(
                "{path}은(는) 약 {mb} MB가 됩니다; 아무것도 쓰지 않았습니다: `export! {path}`로 씁니다{}",
                if *json {
                    " (.npz는 약 5배 작습니다)"
                } else {
                    ""
                }
            ),
            F::Exported {
                path,
                format,
                steps,
                weights,
            } => format!(
                "{path}을(를) 썼습니다 ({format}: 단계 {steps}개, 가중치 {weights}개 + embed.E)"
            ),
            F::ParamsHeading { vocab } => {
                format!("매개변수 (이 세션의 어휘: 토큰 {vocab}개):")
            }
            F::ParamsTotal => "합계".into(),
            F::ParamsStatus(n) => format!("매개변수 {n}개"),
            F::SessionTitle { text, from } => match from {
                Some(t) => format!("{text}에 대한 세션 (“{t}”에서)"),
                None => format!("{text}에 대한 세션"),
            },
            F::SavedDescription => "qkv 세션에서 저장했습니다. 세션에서 고른 칸의 기댓값은 qkv가 계산한 값입니다.".into(),
            F::HandTitle => "`attend`로 만든 손 계산 확인".into(),
            F::HandDescription => {
                "qkv가 attend 명령에서 기록했습니다; 기댓값은 qkv가 계산한 값입니다.".into()
            }
            F::NoValues => {
                "v가 주어지지 않았습니다: 가중합(output = weights · v)은 계산하지 않습니다; 보려면 v=[[…], …]를 더하세요"
                    .into()
            }
            F::Plotted {
                path,
                format,
                name,
                rows,
                cols,
                cell,
            } => {
                let cell = match cell {
                    Some((i, j, true)) => format!(", 칸 [{i}][{j}] 선택과 설명 포함"),
                    Some((i, j, false)) => format!(", 칸 [{i}][{j}] 선택"),
                    None => String::new(),
                };
                format!("{path}을(를) 썼습니다 ({format}: {name}, {rows} × {cols}{cell})")
            }
            F::NothingToRedirect { line } => format!(
                "`{line}`은(는) 저장할 출력이 없습니다; `> file.md`는 show, explain, diff, check, params, help, grad, loss 뒤에 씁니다"
            ),
            F::Redirected { path, lines, line } => {
                format!("{path}을(를) 썼습니다 (Markdown {lines}줄: `{line}`의 출력)")
            }
            F::MarkdownDigits(p) => format!("소수점 아래 {p}자리."),
            F::NotAToken { token, tokens } => {
                format!("{token:?}은(는) 입력의 토큰이 아닙니다 (토큰: {tokens})")
            }
            F::EmbedLength { token, got, d } => format!(
                "{token:?}의 벡터는 값이 {got}개입니다: d_model = {d}개여야 합니다"
            ),
            F::Attended => "attend: scores, scaled, weights, output을 계산했습니다; 칸 하나는 `explain weights[0][0]`로 설명합니다".into(),
            F::DiffUnchanged => "변화 없음".into(),
            F::DiffMax(x) => format!(
                "최대 |Δ| {}",
                x.as_deref()
                    .unwrap_or("∞ (−∞가 되거나 −∞에서 벗어난 칸이 있음)")
            ),
            F::DiffReshaped => "모양이 바뀜".into(),
            F::DiffNew => "새 단계".into(),
            F::DiffGone => "없어짐".into(),
        }
    }
}

/// What the session says when a change reruns the model (`set`, `text`, `target`, toggles)
/// and about the subject of a study (a model or a hand-check).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is documented by its English text
pub enum RerunMsg {
    /// A model command on a hand-check.
    HandCheckHasNoModel,
    /// A hand-check command without one.
    NoHandCheck,
    /// `the trained model m.safetensors does not fit these sizes: …`.
    CheckpointDoesNotFit(String),
    /// `dropped the override of enc.0.attn.W_Q: <why>`.
    DroppedWeight { name: String, why: String },
    /// `dropped the embedding override of "나는": <why>`.
    DroppedEmbedding { token: String, why: String },
    /// The warning printed when the decoder's causal mask was taken off.
    DecoderUnmasked,
    /// `target` on a model that is not an encoder-decoder.
    TargetNeedsEncoderDecoder { arch: String },
}

impl RerunMsg {
    /// Examples of every message (for the key-completeness test).
    pub fn samples() -> Vec<RerunMsg> {
        vec![
            RerunMsg::HandCheckHasNoModel,
            RerunMsg::NoHandCheck,
            RerunMsg::CheckpointDoesNotFit("m.safetensors".into()),
            RerunMsg::DroppedWeight {
                name: "enc.attn.W_Q".into(),
                why: "x".into(),
            },
            RerunMsg::DroppedEmbedding {
                token: "나는".into(),
                why: "x".into(),
            },
            RerunMsg::DecoderUnmasked,
            RerunMsg::TargetNeedsEncoderDecoder {
                arch: "encoder".into(),
            },
        ]
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        use RerunMsg as R;
        match (lang, self) {
            (Lang::En, R::HandCheckHasNoModel) => "this is an attention hand-check (attend / kind: attention): it has no model; `load` a model scenario or `text <sentence>` to go back to the model".into(),
            (Lang::En, R::NoHandCheck) => "no hand-check is open".into(),
            (Lang::En, R::CheckpointDoesNotFit(c)) => format!(
                "the trained model {c} does not fit these sizes: the model is now untrained (random weights)"
            ),
            (Lang::En, R::DroppedWeight { name, why }) => {
                format!("dropped the override of {name}: {why}")
            }
            (Lang::En, R::DroppedEmbedding { token, why }) => {
                format!("dropped the embedding override of {token:?}: {why}")
            }
            (Lang::En, R::DecoderUnmasked) => "warning: the decoder's causal mask is off, so each token sees the tokens after it; this is not how a decoder is trained (it would learn to copy the next word); `mask dec on` restores it".into(),
            (Lang::En, R::TargetNeedsEncoderDecoder { arch }) => format!(
                "target applies to an encoder-decoder model, and this one is {arch}; `set model.arch encoder-decoder` first"
            ),
            (Lang::Ko, R::HandCheckHasNoModel) => "지금은 어텐션 손 계산 검사(attend / kind: attention)입니다: 모델이 없습니다; 모델로 돌아가려면 모델 시나리오를 `load`하거나 `text <문장>`을 쓰세요".into(),
            (Lang::Ko, R::NoHandCheck) => "열린 손 계산 검사가 없습니다".into(),
            (Lang::Ko, R::CheckpointDoesNotFit(c)) => format!(
                "학습된 모델 {c}은(는) 이 크기에 맞지 않습니다: 이제 모델은 학습되지 않은 모델(무작위 가중치)입니다"
            ),
            (Lang::Ko, R::DroppedWeight { name, why }) => {
                format!("{name}의 덮어쓰기를 버렸습니다: {why}")
            }
            (Lang::Ko, R::DroppedEmbedding { token, why }) => {
                format!("{token:?}의 임베딩 덮어쓰기를 버렸습니다: {why}")
            }
            (Lang::Ko, R::DecoderUnmasked) => "경고: 디코더의 인과 마스킹(causal mask)이 꺼져서 각 토큰이 자기 뒤의 토큰까지 봅니다; 디코더는 이렇게 학습하지 않습니다 (다음 단어를 베끼는 법을 배우게 됩니다); `mask dec on`으로 되돌립니다".into(),
            (Lang::Ko, R::TargetNeedsEncoderDecoder { arch }) => format!(
                "target은 인코더-디코더 모델에 쓰는데, 이 모델은 {arch}입니다; 먼저 `set model.arch encoder-decoder`를 하세요"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_files_message_has_both_texts_with_the_same_numbers() {
        check::both_texts(&FilesMsg::samples(), FilesMsg::text);
        check::both_texts(&RerunMsg::samples(), RerunMsg::text);
    }

    #[test]
    fn english_counts_are_singular_or_plural_and_korean_counts_with_gae() {
        let m = FilesMsg::Saved {
            path: "a.yaml".into(),
            stops: 1,
            checks: 3,
        };
        assert_eq!(
            m.text(Lang::En),
            "saved a.yaml (1 tour stop, 3 expectations); `qkv check a.yaml` verifies it"
        );
        assert_eq!(
            m.text(Lang::Ko),
            "a.yaml에 저장했습니다 (둘러보기 지점 1개, 기댓값 3개); `qkv check a.yaml`로 검사합니다"
        );
    }
}
