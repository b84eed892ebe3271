//! What the session says about training (`train`, `corpus`, snapshots, checkpoints), decoding
//! (`decode`, `translate`, `generate`, `sample`) and the status of a practice (not its
//! questions), in English and Korean: one exhaustive `match` per language as in
//! [`super::session`]. Tokens, paths, command words and formulas stay as they are.

use super::Lang;
use crate::i18n::plural;

/// The origin of the corpus built into qkv (a copy of `data/ko-en.tsv`), as a corpus
/// carries it; [`corpus_name`] says it in words.
pub const BUILT_IN_CORPUS_ORIGIN: &str = "built-in:data/ko-en.tsv";

/// A corpus's origin as said to the student: its file's path, or for the built-in copy
/// `the built-in copy of data/ko-en.tsv` (`내장된 data/ko-en.tsv 사본`).
pub fn corpus_name(origin: &str, lang: Lang) -> String {
    match (origin.strip_prefix("built-in:"), lang) {
        (Some(path), Lang::En) => format!("the built-in copy of {path}"),
        (Some(path), Lang::Ko) => format!("내장된 {path} 사본"),
        (None, _) => origin.to_string(),
    }
}

/// One thing the session says about training, decoding or a practice, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is documented by its English text
pub enum TrainMsg {
    /// `training will read c.tsv (12 pairs, 2 held out)`.
    CorpusSet {
        path: String,
        pairs: usize,
        held: usize,
        /// A run is under way: the corpus is read after `train reset`.
        after_reset: bool,
    },
    /// `training run dropped after 30 updates; …`.
    TrainingDropped(usize),
    /// `train reset` without a run.
    NoRunToDrop,
    /// `training stopped after 3 updates: <why>`.
    TrainFailed { updates: usize, why: String },
    /// `trained 10 updates: step 10, loss 2.3, rate 0.000100 · corpus data/ko-en.tsv` (the
    /// rate update `step` used).
    Trained {
        updates: usize,
        corpus: String,
        cancelled: bool,
        step: usize,
        loss: String,
        rate: String,
    },
    /// `training stopped at step 3 (stopped by Ctrl-C); the session is kept`.
    TrainCancelledAt(usize),
    /// `no update made; the run is at step 3`.
    NoUpdate(usize),
    /// Under `grad` when the loss is tiny: why every gradient is, and where they are large.
    TinyGradients { loss: String },
    /// The same, short, after the status line of `grad`.
    TinyGradientsShort,
    /// The REPL's progress line of a long `train`: `20/100 updates · step 20, loss 2.1`.
    TrainProgress {
        done: usize,
        n: usize,
        step: usize,
        loss: String,
    },
    /// The REPL's summary of a long `train`: `trained 20 of 100 updates: step 20, loss 2.1`.
    TrainedOf {
        done: usize,
        n: usize,
        cancelled: bool,
        step: usize,
        loss: String,
    },
    /// `no training run: `train` starts one`.
    NoRun,
    /// `kept the weights of step 30 as snapshot 2`.
    SnapshotKept { step: usize, i: usize },
    /// `the weights of step 30 are already kept`.
    SnapshotAlready(usize),
    /// `snapshot 5 does not exist: there are 2 (0..2)`.
    NoSnapshot { i: usize, n: usize },
    /// `showing snapshot 1 (step 20)`.
    ShowingSnapshot { i: usize, step: usize },
    /// `showing the live weights (step 30)`.
    ShowingLive(usize),
    /// `m.safetensors exists: `checkpoint save! m.safetensors` overwrites it`.
    CheckpointExists(String),
    /// A model without a fixed vocabulary cannot be saved as a checkpoint.
    CheckpointNoVocab,
    /// `saved the model being trained (step 30) to m.safetensors; …` (`None`: the session's model).
    CheckpointSaved { step: Option<usize>, path: String },
    /// `loaded the trained model m.safetensors (<config summary>)`.
    CheckpointLoaded { path: String, summary: String },
    /// `note: left out 2 expectations written for the old model`.
    CheckpointDroppedExpectations(usize),
    /// The session has begun to study the run's weights: `every command now reads the
    /// weights <provenance>: …; `train reset` goes back`.
    StudyingTrainedHere(String),
    /// After `train reset`: `the session studies its own model again: <provenance>`.
    StudyingOwnModel(String),
    /// The model a decoding uses: `model being trained (step 30)`.
    ModelBeingTrained(usize),
    /// The model a decoding uses: `model: <provenance>`.
    ModelOf(String),
    /// `no decoding: `decode` starts one on the current sentence`.
    NoDecoding,
    /// `the decoding has ended with <eos>; …`.
    DecodingEnded,
    /// `"xyz" is not in the model's vocabulary`.
    NotInVocabulary(String),
    /// `translate` on a decoder-only model and the like.
    WrongArch {
        cmd: String,
        want: String,
        arch: String,
        /// The command that fits this model, if any.
        other: Option<String>,
    },
    /// `no decoding to step back in`.
    NothingToStepBack,
    /// `already at the start of the decoding (<bos>)`.
    AtDecodingStart,
    /// The first line of `translate`/`generate`: `decoding "나는" with the <model>`.
    DecodingWith {
        text: String,
        model: String,
        sampling: Option<String>,
    },
    /// One decoded token: `step 1: <bos> → I (p = 0.91)   top: I 0.91, you 0.05`.
    DecodeStep {
        i: usize,
        prefix: String,
        chosen: String,
        forced: bool,
        p: String,
        top: String,
        reused_encoder: bool,
    },
    /// `output: I go to school  (ended with <eos>)` (`limit`: stopped after that many tokens).
    DecodeOutput { out: String, limit: Option<usize> },
    /// The status line of `translate`/`generate`: `output: I go to school`.
    OutputStatus(String),
    /// `decode` started: `decoding "나는" with the <model>: `decode next` (n) adds one token`.
    DecodeStarted { text: String, model: String },
    /// The status line of `decode next`: `step 2: go (p = 0.50), chosen by you`.
    DecodeStepStatus {
        i: usize,
        chosen: String,
        p: String,
        forced: bool,
    },
    /// `back to <bos> I (step 1)`.
    DecodeBack { prefix: String, step: usize },
    /// Sampling where the model's distribution is one-hot: `p(top) = 1.0000 at steps 1, 2:
    /// a temperature cannot change a one-hot distribution …`.
    OneHot {
        /// The steps (from 1).
        steps: Vec<usize>,
        /// p(top) as printed.
        p: String,
        /// The temperature.
        temperature: String,
        /// The least probability the draws gave the top token at those steps, as printed.
        tempered: String,
    },
    /// `the next decodings sample: <formula>`.
    Sampling(String),
    /// `the next decodings are greedy (the most likely token)`.
    Greedy,
    /// The status line of `practice`: `practice: 3 questions — type your answer (Esc leaves)`.
    PracticeStarted(usize),
    /// `question 1 of 3: <question>` (the question itself is the practice's own text).
    Question {
        i: usize,
        n: usize,
        question: String,
    },
    /// `practice ended after 1 of 3 questions: this practice 1/1, session score 4/5`.
    PracticeEnded {
        pos: usize,
        n: usize,
        run: String,
        session: String,
    },
    /// `right` or `wrong` (the first line of a graded answer).
    Verdict(bool),
    /// The status line of an answer: `right — 2 of 2 right · score 3/4`.
    AnswerStatus {
        all_right: bool,
        right: usize,
        asked: usize,
        score: String,
    },
    /// `practice done: 2 right of 3 (session score 5/6)`.
    PracticeDone {
        right: usize,
        asked: usize,
        score: String,
    },
    /// `no practice is open: `practice` starts one`.
    NoPractice,
    /// `no practice question is open: `practice` asks one`.
    NoQuestion,
    /// `the practice is over`.
    PracticeOver,
    /// `no step is selected to practise on`.
    NoStepToPractise,
    /// `practice question <address> does not fit this trace: <why>`.
    QuestionDoesNotFit { at: String, why: String },
    /// `no gradients for this trace: <why>`.
    NoGradients(String),
    /// The heading of `grad`: `∂loss/∂enc.0.attn.q (backward ↑; loss 2.3026):`.
    GradHeading { forward: String, loss: String },
    /// The status line of `grad`: `gradient grad.enc.0.attn.q (loss 2.3026)`.
    GradStatus { name: String, loss: String },
    /// The first line of `loss`: `loss = 2.3026 (mean cross-entropy over 5 predicted
    /// positions, label smoothing ε = 0.1)`.
    LossHeading {
        loss: String,
        positions: usize,
        smoothing: Option<String>,
    },
    /// The column heads of `loss`'s table, aligned with its rows (`{:>8}  {:<18} {}`).
    LossColumns,
    /// A position `loss` ignores (padding): `(ignored)`.
    Ignored,
    /// The status line of `loss`: `loss 2.3026 over 5 positions`.
    LossStatus { loss: String, positions: usize },
    /// Under `loss` while the session studies a run's weights: the run's own loss of its
    /// last update, which is another number (its batch, before that update).
    RunLoss { step: usize, loss: String },
}

impl TrainMsg {
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
        use TrainMsg as T;
        match self {
            T::CorpusSet {
                path,
                pairs,
                held,
                after_reset,
            } => format!(
                "training will read {path} ({pairs} pairs, {held} held out){}",
                if *after_reset {
                    " after `train reset` (a run is under way)"
                } else {
                    ""
                }
            ),
            T::TrainingDropped(n) => format!(
                "training run dropped after {n} updates; `train` starts a new untrained model"
            ),
            T::NoRunToDrop => "no training run to drop".into(),
            T::TrainFailed { updates, why } => {
                format!("training stopped after {updates} updates: {why}")
            }
            T::Trained {
                updates,
                corpus,
                cancelled,
                step,
                loss,
                rate,
            } => format!(
                "trained {}{}: step {step}, loss {loss}, rate {rate} · corpus {}",
                plural(*updates, "update"),
                if *cancelled {
                    " (stopped by Ctrl-C)"
                } else {
                    ""
                },
                corpus_name(corpus, Lang::En)
            ),
            T::TrainCancelledAt(n) => {
                format!("training stopped at step {n} (stopped by Ctrl-C); the session is kept")
            }
            T::NoUpdate(n) => format!("no update made; the run is at step {n}"),
            T::TrainProgress {
                done,
                n,
                step,
                loss,
            } => format!("{done}/{n} updates · step {step}, loss {loss}"),
            T::TrainedOf {
                done,
                n,
                cancelled,
                step,
                loss,
            } => format!(
                "trained {done} of {n} updates{}: step {step}, loss {loss}",
                if *cancelled {
                    " (stopped by Ctrl-C)"
                } else {
                    ""
                }
            ),
            T::NoRun => "no training run: `train` starts one".into(),
            T::SnapshotKept { step, i } => {
                format!("kept the weights of step {step} as snapshot {i}")
            }
            T::SnapshotAlready(step) => format!("the weights of step {step} are already kept"),
            T::NoSnapshot { i, n } => {
                format!("snapshot {i} does not exist: there are {n} (0..{n})")
            }
            T::ShowingSnapshot { i, step } => format!("showing snapshot {i} (step {step})"),
            T::ShowingLive(step) => format!("showing the live weights (step {step})"),
            T::CheckpointExists(path) => {
                format!("{path} exists: `checkpoint save! {path}` overwrites it")
            }
            T::CheckpointNoVocab => "this model has no fixed vocabulary (a checkpoint needs one): `train` makes a model that has".into(),
            T::CheckpointSaved { step, path } => {
                let what = match step {
                    Some(s) => format!("the model being trained (step {s})"),
                    None => "the session's model".to_string(),
                };
                format!("saved {what} to {path}; `checkpoint load {path}` studies it")
            }
            T::CheckpointLoaded { path, summary } => {
                format!("loaded the trained model {path} ({summary})")
            }
            T::CheckpointDroppedExpectations(n) => format!(
                "note: left out {} written for the old model",
                plural(*n, "expectation")
            ),
            T::StudyingTrainedHere(p) => format!(
                "the session studies these weights now ({p}): show, explain, loss, grad, translate, decode, export, plot and checkpoint save read them; `train reset` goes back to the scenario's model"
            ),
            T::StudyingOwnModel(p) => {
                format!("the session studies the scenario's model again: {p}")
            }
            T::OneHot {
                steps,
                p,
                temperature,
                tempered,
            } => format!(
                "p(top) = {p} at {} {}: the model's distribution is one-hot there, and a temperature cannot change a one-hot distribution: it reshapes the probabilities the model gives (p_i^(1/T), renormalised) and cannot spread what is not there; with T = {temperature} the top token keeps p ≥ {tempered}, so the draws pick what greedy decoding picks{}",
                if steps.len() == 1 { "step" } else { "steps" },
                steps.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                if tempered == p { "" } else { " (nearly always)" }
            ),
            T::ModelBeingTrained(s) => format!("model being trained (step {s})"),
            T::ModelOf(p) => format!("model: {p}"),
            T::NoDecoding => "no decoding: `decode` starts one on the current sentence".into(),
            T::DecodingEnded => {
                "the decoding has ended with <eos>; `decode back` takes it back".into()
            }
            T::NotInVocabulary(t) => format!("{t:?} is not in the model's vocabulary"),
            T::WrongArch {
                cmd,
                want,
                arch,
                other,
            } => format!(
                "`{cmd}` needs a model of arch {want}; this one is {arch}{}",
                other
                    .as_ref()
                    .map(|o| format!(": use `{o}`"))
                    .unwrap_or_default()
            ),
            T::NothingToStepBack => "no decoding to step back in".into(),
            T::AtDecodingStart => "already at the start of the decoding (<bos>)".into(),
            T::DecodingWith {
                text,
                model,
                sampling,
            } => format!(
                "decoding {text:?} with the {model}{}",
                sampling
                    .as_ref()
                    .map(|s| format!("; sampling {s}"))
                    .unwrap_or_default()
            ),
            T::DecodeStep {
                i,
                prefix,
                chosen,
                forced,
                p,
                top,
                reused_encoder,
            } => format!(
                "step {i}: {prefix} → {chosen}{} (p = {p})   top: {top}{}",
                if *forced { " (chosen by you)" } else { "" },
                if *reused_encoder {
                    "   [encoder K/V reused]"
                } else {
                    ""
                }
            ),
            T::DecodeOutput { out, limit } => match limit {
                None => format!("output: {out}  (ended with <eos>)"),
                Some(n) => format!("output: {out}  (stopped at the limit of {n} tokens)"),
            },
            T::OutputStatus(out) => format!("output: {out}"),
            T::DecodeStarted { text, model } => {
                format!("decoding {text:?} with the {model}: `decode next` (n) adds one token")
            }
            T::DecodeStepStatus {
                i,
                chosen,
                p,
                forced,
            } => format!(
                "step {i}: {chosen} (p = {p}){}",
                if *forced { ", chosen by you" } else { "" }
            ),
            T::DecodeBack { prefix, step } => format!("back to {prefix} (step {step})"),
            T::Sampling(f) => format!("the next decodings sample: {f}"),
            T::Greedy => "the next decodings are greedy (the most likely token)".into(),
            T::PracticeStarted(n) => format!(
                "practice: {} — type your answer (Esc leaves)",
                plural(*n, "question")
            ),
            T::Question { i, n, question } => format!("question {i} of {n}: {question}"),
            T::PracticeEnded {
                pos,
                n,
                run,
                session,
            } => format!(
                "practice ended after {pos} of {}: this practice {run}, session score {session}",
                plural(*n, "question")
            ),
            T::Verdict(right) => if *right { "right" } else { "wrong" }.into(),
            T::AnswerStatus {
                all_right,
                right,
                asked,
                score,
            } => format!(
                "{} — {right} of {asked} right · score {score}",
                if *all_right { "right" } else { "wrong" }
            ),
            T::PracticeDone {
                right,
                asked,
                score,
            } => format!("practice done: {right} right of {asked} (session score {score})"),
            T::NoPractice => "no practice is open: `practice` starts one".into(),
            T::NoQuestion => "no practice question is open: `practice` asks one".into(),
            T::PracticeOver => "the practice is over".into(),
            T::NoStepToPractise => "no step is selected to practise on".into(),
            T::QuestionDoesNotFit { at, why } => {
                format!("practice question {at} does not fit this trace: {why}")
            }
            T::NoGradients(why) => format!("no gradients for this trace: {why}"),
            T::GradHeading { forward, loss } => {
                format!("∂loss/∂{forward} (backward ↑; loss {loss}):")
            }
            T::GradStatus { name, loss } => format!("gradient {name} (loss {loss})"),
            T::TinyGradients { loss } => format!(
                "the loss is {loss}: the model already gives each target p ≈ 1, so ∂loss/∂logits = p − y ≈ 0 and every gradient behind it is tiny; `load scenarios/untrained.yaml` (random weights) has large ones"
            ),
            T::TinyGradientsShort => {
                "all tiny: the model already fits this sentence (scenarios/untrained.yaml has large gradients)".into()
            }
            T::LossHeading {
                loss,
                positions,
                smoothing,
            } => format!(
                "loss = {loss} (mean cross-entropy over {positions} predicted positions{})",
                smoothing
                    .as_ref()
                    .map(|e| format!(", label smoothing ε = {e}"))
                    .unwrap_or_default()
            ),
            T::LossColumns => "position  target (id)        −log p".into(),
            T::Ignored => "(ignored)".into(),
            T::LossStatus { loss, positions } => format!("loss {loss} over {positions} positions"),
            T::RunLoss { step, loss } => format!(
                "(the training run's update {step} had loss {loss}: the mean over its batch of corpus pairs, before that update; above is this sentence on the weights after it)"
            ),
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per message: the Korean catalogue."
    )]
    fn ko(&self) -> String {
        use TrainMsg as T;
        match self {
            T::CorpusSet {
                path,
                pairs,
                held,
                after_reset,
            } => format!(
                "학습은 {path}을(를) 읽습니다 (문장 쌍 {pairs}개, 그중 검증용 {held}개){}",
                if *after_reset {
                    " — 학습이 진행 중이므로 `train reset` 뒤부터"
                } else {
                    ""
                }
            ),
            T::TrainingDropped(n) => format!(
                "갱신 {n}번 뒤의 학습을 버렸습니다; `train`은 학습되지 않은 새 모델로 시작합니다"
            ),
            T::NoRunToDrop => "버릴 학습이 없습니다".into(),
            T::TrainFailed { updates, why } => {
                format!("갱신 {updates}번 뒤에 학습이 멈췄습니다: {why}")
            }
            T::Trained {
                updates,
                corpus,
                cancelled,
                step,
                loss,
                rate,
            } => format!(
                "{updates}번 갱신했습니다{}: 갱신 {step}, 손실 {loss}, 학습률 {rate} · 말뭉치 {}",
                if *cancelled { " (Ctrl-C로 멈춤)" } else { "" },
                corpus_name(corpus, Lang::Ko)
            ),
            T::TrainCancelledAt(n) => {
                format!("학습이 갱신 {n}에서 멈췄습니다 (Ctrl-C); 세션은 그대로입니다")
            }
            T::NoUpdate(n) => format!("갱신하지 않았습니다; 학습은 갱신 {n}에 있습니다"),
            T::TrainProgress {
                done,
                n,
                step,
                loss,
            } => format!("갱신 {done}/{n} · 갱신 {step}, 손실 {loss}"),
            T::TrainedOf {
                done,
                n,
                cancelled,
                step,
                loss,
            } => format!(
                "{n}번 중 {done}번 갱신했습니다{}: 갱신 {step}, 손실 {loss}",
                if *cancelled { " (Ctrl-C로 멈춤)" } else { "" }
            ),
            T::NoRun => "학습이 없습니다: `train`으로 시작합니다".into(),
            T::SnapshotKept { step, i } => {
                format!("갱신 {step}의 가중치를 스냅숏 {i}(으)로 남겼습니다")
            }
            T::SnapshotAlready(step) => format!("갱신 {step}의 가중치는 이미 남아 있습니다"),
            T::NoSnapshot { i, n } => {
                format!("스냅숏 {i}은(는) 없습니다: {n}개가 있습니다 (0..{n})")
            }
            T::ShowingSnapshot { i, step } => format!("스냅숏 {i} (갱신 {step}) 표시 중"),
            T::ShowingLive(step) => format!("현재 가중치 (갱신 {step}) 표시 중"),
            T::CheckpointExists(path) => {
                format!("{path}이(가) 이미 있습니다: `checkpoint save! {path}`로 덮어씁니다")
            }
            T::CheckpointNoVocab => "이 모델에는 고정된 어휘가 없습니다 (체크포인트에는 필요합니다): `train`이 어휘가 있는 모델을 만듭니다".into(),
            T::CheckpointSaved { step, path } => {
                let what = match step {
                    Some(s) => format!("학습 중인 모델 (갱신 {s})"),
                    None => "세션의 모델".to_string(),
                };
                format!("{what}을 {path}에 저장했습니다; `checkpoint load {path}`로 살펴봅니다")
            }
            T::CheckpointLoaded { path, summary } => {
                format!("학습된 모델 {path}을(를) 불러왔습니다 ({summary})")
            }
            T::CheckpointDroppedExpectations(n) => {
                format!("참고: 이전 모델에 맞춰 쓴 기댓값 {n}개는 뺐습니다")
            }
            T::StudyingTrainedHere(p) => format!(
                "이제 세션은 이 가중치를 살펴봅니다 ({p}): show, explain, loss, grad, translate, decode, export, plot, checkpoint save가 모두 이 가중치를 읽습니다; `train reset`으로 시나리오의 모델로 돌아갑니다"
            ),
            T::StudyingOwnModel(p) => {
                format!("세션이 다시 시나리오의 모델을 살펴봅니다: {p}")
            }
            T::OneHot {
                steps,
                p,
                temperature,
                tempered,
            } => format!(
                "{}단계에서 p(top) = {p}: 모델의 분포가 원-핫이고, 원-핫 분포는 온도로 바꿀 수 없습니다: 온도는 모델이 준 확률의 모양을 바꿀 뿐(p_i^(1/T)를 다시 정규화) 없는 확률을 나눠 주지는 못합니다; T = {temperature}에서도 가장 높은 토큰의 p ≥ {tempered}이므로, 샘플링해도 탐욕 디코딩과 같은 토큰을 고릅니다{}",
                steps.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                if tempered == p { "" } else { " (거의 언제나)" }
            ),
            T::ModelBeingTrained(s) => format!("학습 중인 모델 (갱신 {s})"),
            T::ModelOf(p) => format!("모델: {p}"),
            T::NoDecoding => {
                "디코딩 중이 아닙니다: `decode`가 지금 문장으로 디코딩을 시작합니다".into()
            }
            T::DecodingEnded => {
                "디코딩이 <eos>로 끝났습니다; `decode back`으로 되돌립니다".into()
            }
            T::NotInVocabulary(t) => format!("{t:?}은(는) 모델의 어휘에 없습니다"),
            T::WrongArch {
                cmd,
                want,
                arch,
                other,
            } => format!(
                "`{cmd}`에는 arch {want} 모델이 필요한데, 이 모델은 {arch}입니다{}",
                other
                    .as_ref()
                    .map(|o| format!(": `{o}`을(를) 쓰세요"))
                    .unwrap_or_default()
            ),
            T::NothingToStepBack => "되돌릴 디코딩이 없습니다".into(),
            T::AtDecodingStart => "이미 디코딩의 처음(<bos>)입니다".into(),
            T::DecodingWith {
                text,
                model,
                sampling,
            } => format!(
                "{text:?}을(를) 디코딩합니다 — {model}{}",
                sampling
                    .as_ref()
                    .map(|s| format!("; 샘플링 {s}"))
                    .unwrap_or_default()
            ),
            T::DecodeStep {
                i,
                prefix,
                chosen,
                forced,
                p,
                top,
                reused_encoder,
            } => format!(
                "단계 {i}: {prefix} → {chosen}{} (p = {p})   상위: {top}{}",
                if *forced { " (직접 고름)" } else { "" },
                if *reused_encoder {
                    "   [인코더 K/V 재사용]"
                } else {
                    ""
                }
            ),
            T::DecodeOutput { out, limit } => match limit {
                None => format!("출력: {out}  (<eos>로 끝남)"),
                Some(n) => format!("출력: {out}  (토큰 {n}개 한도에서 멈춤)"),
            },
            T::OutputStatus(out) => format!("출력: {out}"),
            T::DecodeStarted { text, model } => format!(
                "{text:?}을(를) 디코딩합니다 — {model}: `decode next` (n)가 토큰을 하나씩 더합니다"
            ),
            T::DecodeStepStatus {
                i,
                chosen,
                p,
                forced,
            } => format!(
                "단계 {i}: {chosen} (p = {p}){}",
                if *forced { ", 직접 고름" } else { "" }
            ),
            T::DecodeBack { prefix, step } => format!("되돌림: {prefix} (단계 {step})"),
            T::Sampling(f) => format!("다음 디코딩부터 샘플링합니다: {f}"),
            T::Greedy => {
                "다음 디코딩부터 탐욕적으로 고릅니다 (가장 확률이 높은 토큰)".into()
            }
            T::PracticeStarted(n) => {
                format!("연습: 문제 {n}개 — 답을 입력하세요 (Esc로 나갑니다)")
            }
            T::Question { i, n, question } => format!("문제 {i}/{n}: {question}"),
            T::PracticeEnded {
                pos,
                n,
                run,
                session,
            } => format!(
                "문제 {n}개 중 {pos}개에서 연습을 마쳤습니다: 이번 연습 {run}, 세션 점수 {session}"
            ),
            T::Verdict(right) => if *right { "정답" } else { "오답" }.into(),
            T::AnswerStatus {
                all_right,
                right,
                asked,
                score,
            } => format!(
                "{} — {asked}개 중 {right}개 정답 · 점수 {score}",
                if *all_right { "정답" } else { "오답" }
            ),
            T::PracticeDone {
                right,
                asked,
                score,
            } => format!("연습 끝: {asked}개 중 {right}개 정답 (세션 점수 {score})"),
            T::NoPractice => "진행 중인 연습이 없습니다: `practice`로 시작합니다".into(),
            T::NoQuestion => "열린 연습 문제가 없습니다: `practice`가 문제를 냅니다".into(),
            T::PracticeOver => "연습이 끝났습니다".into(),
            T::NoStepToPractise => "연습할 단계가 선택되지 않았습니다".into(),
            T::QuestionDoesNotFit { at, why } => {
                format!("연습 문제 {at}은(는) 이 트레이스에 맞지 않습니다: {why}")
            }
            T::NoGradients(why) => format!("이 트레이스의 기울기를 구할 수 없습니다: {why}"),
            T::GradHeading { forward, loss } => {
                format!("∂loss/∂{forward} (역전파 ↑; 손실 {loss}):")
            }
            T::GradStatus { name, loss } => format!("기울기 {name} (손실 {loss})"),
            T::TinyGradients { loss } => format!(
                "손실이 {loss}입니다: 모델이 이미 각 정답에 p ≈ 1을 주므로 ∂loss/∂logits = p − y ≈ 0이고, 그 뒤의 기울기도 모두 아주 작습니다; `load scenarios/untrained.yaml`(무작위 가중치)에서는 기울기가 큽니다"
            ),
            T::TinyGradientsShort => {
                "모두 아주 작음: 모델이 이미 이 문장에 맞춰져 있습니다 (scenarios/untrained.yaml에서는 기울기가 큽니다)".into()
            }
            T::LossHeading {
                loss,
                positions,
                smoothing,
            } => format!(
                "손실 = {loss} (예측한 위치 {positions}곳의 평균 교차 엔트로피{})",
                smoothing
                    .as_ref()
                    .map(|e| format!(", 레이블 스무딩 ε = {e}"))
                    .unwrap_or_default()
            ),
            // `위치` and `정답 (id)` take 4 and 9 columns: padded to the rows' 8 and 18.
            T::LossColumns => "    위치  정답 (id)          −log p".into(),
            T::Ignored => "(무시)".into(),
            T::LossStatus { loss, positions } => format!("손실 {loss} (위치 {positions}곳)"),
            T::RunLoss { step, loss } => format!(
                "(학습의 {step}번째 갱신에서 잰 손실: {loss} — 그 갱신 전의 가중치로 말뭉치 쌍 배치 하나에서 잰 평균입니다; 위의 값은 이 문장을 그 갱신 뒤의 가중치로 잰 것입니다)"
            ),
        }
    }
}

mod samples;

mod cli;
pub use cli::*;
