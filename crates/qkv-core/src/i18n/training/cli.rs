//! The lines of `qkv train`, `qkv translate` and `qkv generate` in both languages (the
//! REPL's `train` and `translate` speak through [`TrainMsg`](super::TrainMsg); these are the
//! command line's own lines, whose English is what it always printed). Numbers come in
//! formatted, so both languages print the same digits.

use super::Lang;
use crate::model::Arch;

/// One line (or error) of `qkv translate` / `qkv generate`.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeLine {
    /// `prompt: I go` (generate).
    Prompt(String),
    /// `source: 나는 학교에 간다` (translate).
    Source(String),
    /// `sampling: <formula>`.
    Sampling(String),
    /// Greedy decoding, said once.
    Greedy,
    /// The encoder runs once (translate).
    EncoderOnce,
    /// One decoded token: `step 1: <bos> → I (0.910)   top: I 0.910, you 0.050`, with
    /// `[encoder reused]` or `[encoder recomputed]` after the first step of a translation.
    Step {
        /// The step, 1-based.
        i: usize,
        /// The tokens read.
        prefix: String,
        /// The token chosen.
        chosen: String,
        /// Its probability, formatted.
        p: String,
        /// The most likely tokens with their probabilities, formatted.
        top: String,
        /// Whether the encoder's output was reused (`None`: not said).
        reused_encoder: Option<bool>,
    },
    /// The decoding stopped at the length limit.
    LengthLimit,
    /// Words the model's vocabulary lacks, read as `<unk>`.
    Unknown(String),
    /// `translate` given a model that is not an encoder-decoder.
    TranslateNeedsEncoderDecoder(Arch),
    /// `generate` given a model that is not decoder-only.
    GenerateNeedsDecoder(Arch),
}

impl DecodeLine {
    /// One line of every kind, for the catalogue test.
    pub fn samples() -> Vec<DecodeLine> {
        let step = |reused_encoder| DecodeLine::Step {
            i: 2,
            prefix: "<bos> I".into(),
            chosen: "go".into(),
            p: "0.910".into(),
            top: "go 0.910, goes 0.050".into(),
            reused_encoder,
        };
        vec![
            DecodeLine::Prompt("I go".into()),
            DecodeLine::Source("나는 학교에 간다".into()),
            DecodeLine::Sampling("T = 0.8".into()),
            DecodeLine::Greedy,
            DecodeLine::EncoderOnce,
            step(None),
            step(Some(true)),
            step(Some(false)),
            DecodeLine::LengthLimit,
            DecodeLine::Unknown("고양이가".into()),
            DecodeLine::TranslateNeedsEncoderDecoder(Arch::Decoder),
            DecodeLine::GenerateNeedsDecoder(Arch::EncoderDecoder),
        ]
    }

    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(&self) -> String {
        match self {
            DecodeLine::Prompt(t) => format!("prompt: {t}"),
            DecodeLine::Source(t) => format!("source: {t}"),
            DecodeLine::Sampling(f) => format!("sampling: {f}"),
            DecodeLine::Greedy => "greedy: each step takes the most likely next token".into(),
            DecodeLine::EncoderOnce => "the encoder runs once; every later step takes over its output and the cross-attention K and V (a KV cache)".into(),
            DecodeLine::Step {
                i,
                prefix,
                chosen,
                p,
                top,
                reused_encoder,
            } => format!(
                "step {i}: {prefix} → {chosen} ({p})   top: {top}{}",
                match reused_encoder {
                    Some(true) => "  [encoder reused]",
                    Some(false) => "  [encoder recomputed]",
                    None => "",
                }
            ),
            DecodeLine::LengthLimit => "stopped at the length limit before <eos>".into(),
            DecodeLine::Unknown(words) => {
                format!("not in the model's vocabulary (read as <unk>): {words}")
            }
            DecodeLine::TranslateNeedsEncoderDecoder(arch) => format!(
                "translate needs an encoder-decoder model; this checkpoint is {arch} (use `qkv generate` for a decoder)"
            ),
            DecodeLine::GenerateNeedsDecoder(arch) => format!(
                "generate continues text with a decoder-only model; this checkpoint is {arch} (use `qkv translate`, or --checkpoint scenarios/en-next.safetensors, the shipped decoder-only model)"
            ),
        }
    }

    fn ko(&self) -> String {
        match self {
            DecodeLine::Prompt(t) => format!("앞부분: {t}"),
            DecodeLine::Source(t) => format!("원문: {t}"),
            DecodeLine::Sampling(f) => format!("샘플링: {f}"),
            DecodeLine::Greedy => {
                "탐욕(greedy) 디코딩: 단계마다 가장 확률이 높은 다음 토큰을 고릅니다".into()
            }
            DecodeLine::EncoderOnce => "인코더는 한 번만 계산합니다: 그 뒤의 단계는 인코더의 출력과 크로스 어텐션의 K, V를 다시 씁니다 (KV 캐시)".into(),
            DecodeLine::Step {
                i,
                prefix,
                chosen,
                p,
                top,
                reused_encoder,
            } => format!(
                "단계 {i}: {prefix} → {chosen} ({p})   상위: {top}{}",
                match reused_encoder {
                    Some(true) => "  [인코더 재사용]",
                    Some(false) => "  [인코더 다시 계산]",
                    None => "",
                }
            ),
            DecodeLine::LengthLimit => "<eos> 전에 길이 한도에서 멈췄습니다".into(),
            DecodeLine::Unknown(words) => {
                format!("모델의 어휘에 없는 단어 (<unk>로 읽음): {words}")
            }
            DecodeLine::TranslateNeedsEncoderDecoder(arch) => format!(
                "translate에는 인코더-디코더 모델이 필요합니다; 이 체크포인트는 {} 모델입니다 (디코더에는 `qkv generate`를 쓰세요)",
                crate::i18n::ui::arch_name(*arch, Lang::Ko)
            ),
            DecodeLine::GenerateNeedsDecoder(arch) => format!(
                "generate는 디코더 전용 모델로 글을 이어 씁니다; 이 체크포인트는 {} 모델입니다 (`qkv translate`를 쓰거나, 함께 배포되는 디코더 전용 모델 --checkpoint scenarios/en-next.safetensors를 쓰세요)",
                crate::i18n::ui::arch_name(*arch, Lang::Ko)
            ),
        }
    }
}

/// One line of `qkv train`.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainLine {
    /// What is trained on what.
    Heading {
        /// The model in one line.
        model: String,
        /// The corpus's file or name.
        corpus: String,
        /// Training pairs.
        pairs: usize,
        /// Pairs held out.
        held_out: usize,
        /// Words in the vocabulary.
        vocab: usize,
        /// Parameters.
        params: usize,
    },
    /// How: the optimizer, the learning-rate schedule (a formula), batch, steps, smoothing.
    Options {
        /// The optimizer.
        method: String,
        /// The schedule's formula.
        schedule: String,
        /// Sentence pairs per update.
        batch: usize,
        /// Updates.
        steps: usize,
        /// Label smoothing ε, formatted.
        smoothing: String,
    },
    /// The progress bar's message: loss and learning rate, formatted.
    BarMessage {
        /// The loss.
        loss: String,
        /// The learning rate.
        rate: String,
    },
    /// A progress line (`--every`): the update, its loss and learning rate, formatted.
    Step {
        /// The update, right-aligned.
        step: String,
        /// The loss.
        loss: String,
        /// The learning rate.
        rate: String,
    },
    /// Ctrl-C: what is saved.
    Interrupted {
        /// Updates made.
        done: usize,
        /// Updates asked for.
        of: usize,
    },
    /// Ctrl-C after the checkpoint was written: the evaluation is skipped.
    EvaluationSkipped {
        /// The checkpoint's path.
        path: String,
    },
    /// After "already exists": how to replace the file.
    ReplaceWithForce,
    /// The end: updates, seconds and tokens per second (formatted), the checkpoint written.
    Done {
        /// Updates made.
        steps: usize,
        /// Seconds.
        secs: String,
        /// Tokens per second.
        tokens_per_s: String,
        /// The checkpoint's path.
        path: String,
    },
    /// The loss over the training pairs.
    TrainingLoss(String),
    /// The loss over the held-out pairs.
    HeldOutLoss(String),
    /// Held-out sentences translated exactly right (greedy).
    ExactMatch {
        /// Right.
        right: usize,
        /// In all.
        total: usize,
        /// Per cent, formatted.
        percent: String,
    },
    /// A held-out sentence translated wrong.
    Wrong {
        /// The source sentence.
        source: String,
        /// The model's translation.
        out: String,
        /// The reference.
        reference: String,
    },
}

impl TrainLine {
    /// The progress bar's template (indicatif's placeholders) in `lang`.
    pub fn bar_template(lang: Lang) -> &'static str {
        match lang {
            Lang::En => "{bar:30} {pos}/{len} steps · {msg} · {per_sec} · eta {eta}",
            Lang::Ko => "{bar:30} {pos}/{len} 갱신 · {msg} · {per_sec} · 남은 시간 {eta}",
        }
    }

    /// One line of every kind, for the catalogue test.
    pub fn samples() -> Vec<TrainLine> {
        vec![
            TrainLine::Heading {
                model: "d_model 32".into(),
                corpus: "data/ko-en.tsv".into(),
                pairs: 260,
                held_out: 37,
                vocab: 102,
                params: 45248,
            },
            TrainLine::Options {
                method: "adam".into(),
                schedule: "lr = 0.001".into(),
                batch: 16,
                steps: 1000,
                smoothing: "0.1".into(),
            },
            TrainLine::BarMessage {
                loss: "2.3026".into(),
                rate: "1.00e-3".into(),
            },
            TrainLine::Step {
                step: "   10".into(),
                loss: "2.3026".into(),
                rate: "1.000e-3".into(),
            },
            TrainLine::Interrupted { done: 12, of: 300 },
            TrainLine::EvaluationSkipped {
                path: "m.safetensors".into(),
            },
            TrainLine::ReplaceWithForce,
            TrainLine::Done {
                steps: 300,
                secs: "4.2".into(),
                tokens_per_s: "14000".into(),
                path: "model.safetensors".into(),
            },
            TrainLine::TrainingLoss("0.0123".into()),
            TrainLine::HeldOutLoss("1.2345".into()),
            TrainLine::ExactMatch {
                right: 30,
                total: 37,
                percent: "81.1".into(),
            },
            TrainLine::Wrong {
                source: "너는 시장에 갔다".into(),
                out: "you go".into(),
                reference: "you went to the market".into(),
            },
        ]
    }

    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    fn en(&self) -> String {
        match self {
            TrainLine::Heading {
                model,
                corpus,
                pairs,
                held_out,
                vocab,
                params,
            } => format!(
                "training {model} on {} ({pairs} training pairs, {held_out} held out, vocabulary {vocab}, {params} parameters)",
                super::corpus_name(corpus, Lang::En)
            ),
            TrainLine::Options {
                method,
                schedule,
                batch,
                steps,
                smoothing,
            } => format!(
                "{method} · {schedule}, batch {batch}, {steps} steps, label smoothing {smoothing}"
            ),
            TrainLine::BarMessage { loss, rate } => format!("loss {loss} · lr {rate}"),
            TrainLine::Step { step, loss, rate } => format!("step {step}  loss {loss}  lr {rate}"),
            TrainLine::Interrupted { done, of } => {
                format!("interrupted after {done} of {of} steps: saving what there is")
            }
            TrainLine::EvaluationSkipped { path } => {
                format!("interrupted: the evaluation is skipped; the checkpoint is saved in {path}")
            }
            TrainLine::ReplaceWithForce => {
                "add --force to replace it, or choose another file name".into()
            }
            TrainLine::Done {
                steps,
                secs,
                tokens_per_s,
                path,
            } => format!("{steps} steps in {secs} s ({tokens_per_s} tokens/s); wrote {path}"),
            TrainLine::TrainingLoss(l) => format!("training loss  {l}"),
            TrainLine::HeldOutLoss(l) => format!("held-out loss  {l}"),
            TrainLine::ExactMatch {
                right,
                total,
                percent,
            } => format!("held-out greedy exact match {right}/{total} = {percent} %"),
            TrainLine::Wrong {
                source,
                out,
                reference,
            } => format!("  {source} → {out}   (reference: {reference})"),
        }
    }

    fn ko(&self) -> String {
        match self {
            TrainLine::Heading {
                model,
                corpus,
                pairs,
                held_out,
                vocab,
                params,
            } => format!(
                "{model} 모델을 {}(으)로 학습합니다 (학습 쌍 {pairs}개, 검증용 {held_out}개, 어휘 {vocab}개, 매개변수 {params}개)",
                super::corpus_name(corpus, Lang::Ko)
            ),
            TrainLine::Options {
                method,
                schedule,
                batch,
                steps,
                smoothing,
            } => format!(
                "{method} · {schedule}, 배치 {batch}, 갱신 {steps}번, 레이블 스무딩 {smoothing}"
            ),
            TrainLine::BarMessage { loss, rate } => format!("손실 {loss} · 학습률 {rate}"),
            TrainLine::Step { step, loss, rate } => {
                format!("갱신 {step}  손실 {loss}  학습률 {rate}")
            }
            TrainLine::Interrupted { done, of } => {
                format!("갱신 {of}번 중 {done}번에서 중단했습니다: 지금까지의 모델을 저장합니다")
            }
            TrainLine::EvaluationSkipped { path } => {
                format!("중단했습니다: 평가는 건너뜁니다; 체크포인트는 {path}에 저장되어 있습니다")
            }
            TrainLine::ReplaceWithForce => {
                "바꿔 쓰려면 --force를 더하거나 다른 파일 이름을 고르세요".into()
            }
            TrainLine::Done {
                steps,
                secs,
                tokens_per_s,
                path,
            } => format!(
                "갱신 {steps}번, {secs}초 (초당 토큰 {tokens_per_s}개); {path}에 저장했습니다"
            ),
            TrainLine::TrainingLoss(l) => format!("학습 손실  {l}"),
            TrainLine::HeldOutLoss(l) => format!("검증 손실  {l}"),
            TrainLine::ExactMatch {
                right,
                total,
                percent,
            } => format!("검증 문장의 탐욕 디코딩 정확 일치 {right}/{total} = {percent} %"),
            TrainLine::Wrong {
                source,
                out,
                reference,
            } => format!("  {source} → {out}   (정답: {reference})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_decode_line_has_both_texts_with_the_same_numbers() {
        check::both_texts(&DecodeLine::samples(), DecodeLine::text);
    }

    #[test]
    fn every_train_line_has_both_texts_with_the_same_numbers() {
        check::both_texts(&TrainLine::samples(), TrainLine::text);
        let (en, ko) = (
            TrainLine::bar_template(Lang::En),
            TrainLine::bar_template(Lang::Ko),
        );
        for placeholder in ["{bar:30}", "{pos}", "{len}", "{msg}", "{per_sec}", "{eta}"] {
            assert!(
                en.contains(placeholder) && ko.contains(placeholder),
                "{placeholder}"
            );
        }
    }
}
