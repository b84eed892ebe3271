//! The errors of the model, the trace, the files and the session in English and Korean.
//!
//! Each error enum keeps its `thiserror` `Display` (the English, which the binary and the
//! tests use) and gets a `text_in(lang)` here: English is the `Display` itself, Korean is
//! one exhaustive `match` that writes the whole sentence with the same bad value and the
//! same list of what is allowed. [`ErrorMsg`] holds the errors the session builds as text
//! (`SessionError::NotHere`), one variant per message as in [`super::session`].
//!
//! Not translated (quoted as they are, inside a Korean sentence): the operating system's
//! own reason for a failed read or write (`No such file or directory`) and the messages of
//! a scenario file's problems (`LoadError::Invalid`, `ScenarioProblem`), which are built as
//! English text where they are found.

use super::Lang;
use crate::atomic::Refusal;
use crate::explain::ExplainError;
use crate::export::ExportError;
use crate::model::weights::{WeightError, shape_text};
use crate::plot::PlotError;
use crate::scenario::io::{LoadError, SaveError};
use crate::trace::TraceError;

/// `0부터 3까지`, `0 또는 1`, `0만`, `없음`: the Korean of [`crate::util::range_text`].
pub fn range_ko(lo: usize, hi: usize) -> String {
    match hi.checked_sub(lo) {
        None => "없음".to_string(),
        Some(0) => format!("{lo}만"),
        Some(1) => format!("{lo} 또는 {hi}"),
        Some(_) => format!("{lo}부터 {hi}까지"),
    }
}

/// The valid indices of `n` things in Korean (see [`crate::util::indices_text`]).
pub fn indices_ko(n: usize) -> String {
    match n {
        0 => "없음".to_string(),
        n => range_ko(0, n - 1),
    }
}

/// `; did you mean a, b?` in Korean, or nothing.
fn did_you_mean_ko(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; {}을(를) 말씀하셨나요?", s.join(", "))
    }
}

/// The axis of an index (`head`, `row`, `column`) in Korean.
fn axis_ko(axis: &str) -> &str {
    match axis {
        "head" => "헤드",
        "row" => "행",
        "column" => "열",
        other => other,
    }
}

/// What kind of file system object a path is ([`crate::scenario::io::file_kind`]) in Korean.
fn file_kind_ko(kind: &str) -> &str {
    match kind {
        "a directory" => "디렉터리",
        "a symbolic link" => "심볼릭 링크",
        "a FIFO (named pipe)" => "FIFO(이름 있는 파이프)",
        "a socket" => "소켓",
        "a character device" => "문자 장치",
        "a block device" => "블록 장치",
        "a regular file" => "일반 파일",
        other => other,
    }
}

/// Why a text is not an address ([`crate::trace::Address::parse`]) in Korean.
fn address_reason_ko(reason: &str) -> String {
    match reason {
        "it has no step name before '['" => "'[' 앞에 단계 이름이 없습니다".into(),
        "a name has only letters, digits, '.' and '_' (e.g. enc.0.attn.weights)" => {
            "이름에는 영문자, 숫자, '.', '_'만 쓸 수 있습니다 (예: enc.0.attn.weights)".into()
        }
        "expected '[' after the name or after ']'" => {
            "이름이나 ']' 뒤에는 '['이(가) 와야 합니다".into()
        }
        "a '[' is not closed by ']'" => "'['이(가) ']'로 닫히지 않았습니다".into(),
        "at most three indices: [head][row][column]" => {
            "인덱스는 최대 세 개입니다: [헤드][행][열]".into()
        }
        other => match other
            .strip_prefix("index ")
            .and_then(|r| r.strip_suffix(" is not a non-negative integer"))
        {
            Some(num) => format!("인덱스 {num}은(는) 음이 아닌 정수가 아닙니다"),
            None => other.to_string(),
        },
    }
}

impl crate::practice::PracticeError {
    /// The message in `lang` (English: the `Display`).
    pub fn text_in(&self, lang: Lang) -> String {
        use crate::practice::PracticeError as P;
        match (lang, self) {
            (Lang::En, e) => e.to_string(),
            (Lang::Ko, P::Trace(e)) => e.text_in(lang),
            (
                Lang::Ko,
                P::NotRowOrCell {
                    address,
                    head,
                    example,
                },
            ) => {
                let what = match head {
                    Some(h) => format!("헤드 하나(헤드 {h})"),
                    None => "단계 전체".to_string(),
                };
                format!(
                    "{address}은(는) {what}입니다: 연습은 칸 하나나 행 하나를 묻습니다, 예: {example} 또는 {example}[0]"
                )
            }
            (
                Lang::Ko,
                P::WrongCount {
                    address,
                    expected,
                    got,
                },
            ) => format!("{address}은(는) 숫자 {expected}개를 묻는데, {got}개를 받았습니다"),
            (Lang::Ko, P::BadTolerance { value }) => format!(
                "허용 오차 {value}은(는) 쓸 수 없습니다: 0.01처럼 0 이상의 유한한 수여야 합니다"
            ),
        }
    }
}

impl TraceError {
    /// The message in `lang` (English: the `Display`).
    pub fn text_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ko => self.ko(),
        }
    }

    fn ko(&self) -> String {
        match self {
            TraceError::UnknownStep { name, suggestions } if suggestions.is_empty() => {
                format!("{name:?}라는 단계는 없습니다; `show`가 모든 단계를 보여 줍니다")
            }
            TraceError::UnknownStep { name, suggestions } => format!(
                "{name:?}라는 단계는 없습니다{}",
                did_you_mean_ko(suggestions)
            ),
            TraceError::BadAddress { text, reason } => format!(
                "{text:?}은(는) 주소가 아닙니다: {}",
                address_reason_ko(reason)
            ),
            TraceError::NotPerHead { name, head } => {
                format!("{name}은(는) 헤드별 단계가 아닙니다: 헤드 인덱스 [{head}]을(를) 빼세요")
            }
            TraceError::HeadOutOfRange { name, head, heads } => format!(
                "{name}: 헤드 {head}은(는) 없습니다 (헤드는 {})",
                indices_ko(*heads)
            ),
            TraceError::NeedsHead { name, heads } => format!(
                "{name}에는 헤드마다 행렬이 하나씩 있습니다: 헤드 인덱스를 붙이세요, {name}[0]부터 {name}[{}]까지",
                heads.saturating_sub(1)
            ),
            TraceError::WrongIndexCount {
                name,
                got,
                expected,
            } => format!("{name}: 칸 하나에는 인덱스 {expected}개가 필요한데 {got}개를 받았습니다"),
            TraceError::IndexOutOfRange {
                name,
                axis,
                index,
                len,
            } => {
                let a = axis_ko(axis);
                format!(
                    "{name}: {a} 인덱스 {index}은(는) 범위 밖입니다 (가능한 {a}: {})",
                    indices_ko(*len)
                )
            }
        }
    }
}

impl WeightError {
    /// The message in `lang` (English: the `Display`).
    pub fn text_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ko => self.ko(),
        }
    }

    fn ko(&self) -> String {
        match self {
            WeightError::Unknown { name, suggestions } => format!(
                "{name:?}라는 가중치는 없습니다{}",
                did_you_mean_ko(suggestions)
            ),
            WeightError::Shape {
                name,
                expected,
                got,
            } => format!(
                "가중치 {name}은(는) {}이어야 하는데 주어진 값은 {}입니다",
                shape_text(expected),
                shape_text(got)
            ),
            WeightError::NotFinite { name, index, value } => format!(
                "가중치 {name}의 평탄화 인덱스 {index}에 유한하지 않은 값 {value}이(가) 있습니다: 가중치는 유한한 숫자여야 합니다"
            ),
            WeightError::EmbeddingTable => {
                "embed.E는 문장의 토큰으로 만들어집니다; 대신 토큰 하나의 벡터를 바꾸세요 (시나리오의 `embeddings:` 또는 `set embed <token> [...]`)".into()
            }
        }
    }
}

impl SaveError {
    /// The message in `lang` (English: the `Display`).
    pub fn text_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ko => self.ko(),
        }
    }

    fn ko(&self) -> String {
        match self {
            SaveError::IsDirectory { path } => format!(
                "{p}은(는) 디렉터리입니다: 파일 이름을 주세요, 예: {p}/my.yaml",
                p = path.display()
            ),
            SaveError::WouldOverwrite { path } => format!(
                "{}이(가) 이미 있고, 불러온 시나리오가 아닙니다: 다른 이름을 고르거나 덮어쓰세요 (REPL에서는 `save! <파일>`, TUI에서는 y)",
                path.display()
            ),
            SaveError::NotRegular { path, kind } => format!(
                "{}은(는) {}이며 일반 파일이 아닙니다: .yaml 파일로 저장하세요",
                path.display(),
                file_kind_ko(kind)
            ),
            SaveError::ChangedOnDisk { path } => format!(
                "{}은(는) 불러온 뒤 디스크에서 바뀌었습니다: 다른 이름으로 저장하거나 덮어쓰세요 (REPL에서는 `save! <파일>`, TUI에서는 y)",
                path.display()
            ),
            SaveError::Io { path, cause } => {
                format!("{}에 쓸 수 없습니다: {cause}", path.display())
            }
            SaveError::Serialize(e) => format!("시나리오를 직렬화할 수 없습니다: {e}"),
        }
    }
}

impl LoadError {
    /// The message in `lang` (English: the `Display`). The problems of an invalid file keep
    /// their English messages; Korean says where each is and that the file is not valid.
    pub fn text_in(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, e) => e.to_string(),
            (Lang::Ko, LoadError::Read { path, cause }) => {
                format!("{}을(를) 읽을 수 없습니다: {cause}", path.display())
            }
            (Lang::Ko, LoadError::Invalid { origin, problems }) => format!(
                "{origin}은(는) 올바른 시나리오가 아닙니다 (문제 {}개):\n{}",
                problems.len(),
                crate::scenario::io::invalid_text(origin, problems)
            ),
            (Lang::Ko, LoadError::NoHfModel { origin, dir }) => format!(
                "{origin}: {}이(가) 없습니다. 모델을 한 번 받아 두세요: `{}` (qkv는 아무것도 내려받지 않습니다)",
                dir.display(),
                crate::hf::how_to_get(dir)
            ),
        }
    }
}

impl ExportError {
    /// The message in `lang` (English: the `Display`).
    pub fn text_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ko => self.ko(),
        }
    }

    fn ko(&self) -> String {
        match self {
            ExportError::UnknownFormat { path } => format!(
                "{}의 내보내기 형식을 알 수 없습니다: .npz나 .json으로 끝나는 파일 이름을 쓰세요",
                path.display()
            ),
            ExportError::Io { path, cause } => {
                format!("{}에 쓸 수 없습니다: {cause}", path.display())
            }
            ExportError::Npz { path, message } => {
                format!("{}에 쓸 수 없습니다: {message}", path.display())
            }
            ExportError::Destination(r) => refusal_ko(r),
        }
    }
}

/// Why a destination may not be written ([`crate::atomic::Refusal`]) in `lang`.
pub fn refusal_text(r: &Refusal, lang: Lang) -> String {
    match lang {
        Lang::En => r.to_string(),
        Lang::Ko => refusal_ko(r),
    }
}

fn refusal_ko(r: &Refusal) -> String {
    match r {
        Refusal::Directory { path } => format!(
            "{}은(는) 디렉터리입니다: 그 안의 파일 이름을 주세요",
            path.display()
        ),
        Refusal::NotRegular { path, kind } => format!(
            "{}은(는) {}입니다: 일반 파일만 바꿔 씁니다",
            path.display(),
            file_kind_ko(kind)
        ),
        Refusal::NoDirectory { path, dir } => format!(
            "{}: 디렉터리 {}이(가) 없습니다",
            path.display(),
            dir.display()
        ),
        Refusal::Exists { path } => format!("{}이(가) 이미 있습니다", path.display()),
        Refusal::Io { path, cause } => format!("{}에 쓸 수 없습니다: {cause}", path.display()),
    }
}

impl PlotError {
    /// The message in `lang` (English: the `Display`).
    pub fn text_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ko => self.ko(),
        }
    }

    fn ko(&self) -> String {
        match self {
            PlotError::UnknownFormat { name } => {
                format!("{name:?}은(는) 알 수 없는 형식입니다: 형식은 svg, md, csv, tex입니다")
            }
            PlotError::UnknownExtension { path } => format!(
                "{}: 확장자로 형식을 알 수 없습니다; 파일 이름을 .svg, .md, .csv, .tex로 하세요 (또는 --format을 주세요)",
                path.display()
            ),
            PlotError::Trace(e) => e.ko(),
            PlotError::NotAMatrix { address } => format!(
                "{address}: 그림은 행렬 전체(`name` 또는 `name[h]`)를 보여 줍니다; 설명할 칸은 --cell R,C로 고르세요 (REPL에서는 `plot name[h][i][j]`)"
            ),
            PlotError::WouldOverwrite { path } => format!(
                "{}이(가) 이미 있습니다; 아무것도 쓰지 않았습니다 (REPL에서는 `plot!`, 명령줄에서는 --force로 덮어쓰거나 다른 이름을 고르세요)",
                path.display()
            ),
            PlotError::Io { path, cause } => {
                format!("{}에 쓸 수 없습니다: {cause}", path.display())
            }
            PlotError::Destination(r) => refusal_ko(r),
        }
    }
}

/// What a model or input field accepts ([`crate::model::config::Problem`]'s `allowed`) as a
/// Korean sentence ending, or `None` for a phrase the table lacks.
fn allowed_ko(allowed: &str) -> Option<String> {
    let fixed = match allowed {
        "a positive divisor of d_model" => Some("d_model의 양의 약수여야 합니다"),
        "a positive integer" => Some("양의 정수여야 합니다"),
        "a number in (0, 1]" => Some("(0, 1] 범위의 수여야 합니다"),
        "a sentence with at least one token" => Some("토큰이 하나 이상인 문장이어야 합니다"),
        _ => None,
    };
    if let Some(f) = fixed {
        return Some(f.to_string());
    }
    if let Some(n) = allowed.strip_prefix("an integer from 1 to ") {
        return Some(format!("1부터 {n}까지의 정수여야 합니다"));
    }
    if let Some(n) = allowed
        .strip_prefix("at most ")
        .and_then(|r| r.strip_suffix(" tokens (max_tokens)"))
    {
        return Some(format!("토큰 {n}개 이하여야 합니다 (max_tokens)"));
    }
    let (d, list) = allowed
        .strip_prefix("a divisor of d_model = ")?
        .strip_suffix(')')?
        .split_once(" (one of ")?;
    Some(format!("d_model = {d}의 약수여야 합니다 ({list} 중 하나)"))
}

/// A scenario problem in Korean when it is a field's bad value and what the field accepts
/// (`model.heads = 3: expected a divisor of d_model = 32 (one of 1, 2, 4, 8, 16, 32)`),
/// else `None` (the other problems are English text where they are found).
pub fn scenario_problem_ko(p: &crate::scenario::ScenarioProblem) -> Option<String> {
    // `= 3: expected …`, or `layers.encoder = 13: expected …` under `model.layers`.
    let (head, rest) = p.message.split_once("= ")?;
    let (value, allowed) = rest.split_once(": expected ")?;
    let allowed = allowed_ko(allowed)?;
    let value = match value.strip_suffix(" tokens") {
        Some(n) => format!("토큰 {n}개"),
        None => value.to_string(),
    };
    let path = p.path.to_string();
    Some(if head.is_empty() {
        format!("{path} = {value}: {allowed}")
    } else {
        format!("{path}: {head}= {value}: {allowed}")
    })
}

/// `the whole step`, `one head (head 1)`, `one row (head 1, row 2)` in Korean.
fn not_a_cell_what_ko(what: &str) -> String {
    what.replace("the whole step", "단계 전체")
        .replace("the whole weight", "가중치 전체")
        .replace("one head's slice", "헤드 하나의 조각")
        .replace("one head", "헤드 하나")
        .replace("one row", "행 하나")
        .replace("head ", "헤드 ")
        .replace("row ", "행 ")
}

impl ExplainError {
    /// The message in `lang` (English: the `Display`). Roles and kinds (`the query`,
    /// `scores`) are the explainer's own words and stay as they are.
    pub fn text_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ko => self.ko(),
        }
    }

    fn ko(&self) -> String {
        match self {
            ExplainError::Trace(e) => e.ko(),
            ExplainError::NotACell {
                address,
                what,
                needs,
                example,
            } => format!(
                "{address}은(는) {}입니다: explain에는 칸 하나, {}이(가) 필요합니다 (예: {example})",
                not_a_cell_what_ko(what),
                needs.replace(
                    " (or [h][i][j] in head h's slice)",
                    " (헤드 h의 조각에서는 [h][i][j])"
                )
            ),
            ExplainError::NotAStep { name } => format!(
                "{name}은(는) 모델의 가중치이지 트레이스의 단계가 아닙니다: 그 값은 계산된 것이 아니라 매개변수입니다; 그것을 쓰는 단계를 설명해 보세요 (그 단계의 입력을 보세요)"
            ),
            ExplainError::NeedsModel { step, kind, needs } => format!(
                "{step}({kind})은(는) 모델만 가진 {needs}(으)로 계산되는데, 모델이 없습니다 (손 계산 트레이스에는 모델이 없습니다: 그 q, k, v, scores, scaled, masked, weights, output은 모델이 필요 없습니다)"
            ),
            ExplainError::MissingInput {
                step,
                index,
                role,
                inputs,
            } => format!(
                "{step}에는 입력 {index}(으)로 {role}이(가) 필요한데, 입력은 [{}]입니다",
                inputs.join(", ")
            ),
            ExplainError::UnknownInput {
                step,
                input,
                role,
                needs_weight,
            } => format!(
                "{step}: 입력 {input:?}({role})은(는) 트레이스의 단계{}가 아닙니다",
                if *needs_weight {
                    "도 모델의 가중치도"
                } else {
                    ""
                }
            ),
            ExplainError::Inconsistent { step, detail } => format!(
                "{step}: {detail}; 트레이스와 모델이 서로 맞지 않습니다 (순전파 뒤에 모델이 바뀌었나요?)"
            ),
        }
    }
}

/// An error the session builds as text (`SessionError::NotHere`), with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is documented by its English text
pub enum ErrorMsg {
    /// `grad.x: the gradients are not computed for this trace; `grad` computes them`.
    NoGradients { name: String },
    /// `an attention hand-check has no pe; it has a mask and scaling …`.
    HandHasNo { what: String },
    /// `cancelled: the rerun was stopped; the session is as it was`.
    Cancelled { rerun: bool },
    /// The model or input would be invalid: each problem, already in the language.
    Invalid { problems: Vec<String> },
}

impl crate::session::Session {
    /// `m` in the session's language, as the error `NotHere`.
    pub(crate) fn not_here(&self, m: ErrorMsg) -> crate::session::SessionError {
        crate::session::SessionError::NotHere(m.text(self.lang()))
    }
}

impl ErrorMsg {
    /// Examples of every message (for the key-completeness test).
    pub fn samples() -> Vec<ErrorMsg> {
        use ErrorMsg as E;
        vec![
            E::NoGradients {
                name: "grad.enc.0.attn.q".into(),
            },
            E::HandHasNo { what: "pe".into() },
            E::Cancelled { rerun: true },
            E::Cancelled { rerun: false },
            E::Invalid {
                problems: vec!["d_model 7 is not a multiple of heads 2".into()],
            },
        ]
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(&self) -> String {
        use ErrorMsg as E;
        match self {
            E::NoGradients { name } => format!(
                "{name}: the gradients are not computed for this trace; `grad` computes them"
            ),
            E::HandHasNo { what } => format!(
                "an attention hand-check has no {what}; it has a mask and scaling (toggle mask, toggle scale)"
            ),
            E::Cancelled { rerun } => format!(
                "cancelled: {} was stopped; the session is as it was",
                if *rerun { "the rerun" } else { "the command" }
            ),
            E::Invalid { problems } => problems.join("; "),
        }
    }

    fn ko(&self) -> String {
        use ErrorMsg as E;
        match self {
            E::NoGradients { name } => {
                format!("{name}: 이 트레이스의 기울기는 계산되지 않았습니다; `grad`가 계산합니다")
            }
            E::HandHasNo { what } => format!(
                "어텐션 손 계산에는 {what}이(가) 없습니다; 마스크와 스케일링만 있습니다 (toggle mask, toggle scale)"
            ),
            E::Cancelled { rerun } => format!(
                "취소됨: {}을(를) 멈췄습니다; 세션은 그대로입니다",
                if *rerun { "재실행" } else { "명령" }
            ),
            E::Invalid { problems } => {
                format!("모델이나 입력이 올바르지 않습니다: {}", problems.join("; "))
            }
        }
    }
}

#[cfg(test)]
mod tests;
