//! One [`TrainMsg`] of every kind, and the catalogue's tests.

use super::TrainMsg;

impl TrainMsg {
    /// Examples of every message (for the key-completeness test).
    #[expect(
        clippy::too_many_lines,
        reason = "one sample per message, so the completeness test walks every key."
    )]
    pub fn samples() -> Vec<TrainMsg> {
        use TrainMsg as T;
        let s = |x: &str| x.to_string();
        vec![
            T::CorpusSet {
                path: s("c.tsv"),
                pairs: 12,
                held: 2,
                after_reset: false,
            },
            T::CorpusSet {
                path: s("c.tsv"),
                pairs: 12,
                held: 2,
                after_reset: true,
            },
            T::TrainingDropped(30),
            T::NoRunToDrop,
            T::TrainFailed {
                updates: 3,
                why: s("x"),
            },
            T::Trained {
                updates: 10,
                corpus: s("ko-en.tsv"),
                cancelled: false,
                step: 40,
                loss: s("2.3000"),
                rate: s("0.000100"),
            },
            T::Trained {
                updates: 1,
                corpus: s("ko-en.tsv"),
                cancelled: true,
                step: 41,
                loss: s("2.3000"),
                rate: s("0.000100"),
            },
            T::TrainCancelledAt(3),
            T::NoUpdate(3),
            T::TrainProgress {
                done: 20,
                n: 100,
                step: 20,
                loss: s("2.1"),
            },
            T::TrainedOf {
                done: 20,
                n: 100,
                cancelled: false,
                step: 20,
                loss: s("2.1000"),
            },
            T::TrainedOf {
                done: 20,
                n: 100,
                cancelled: true,
                step: 20,
                loss: s("2.1000"),
            },
            T::NoRun,
            T::SnapshotKept { step: 30, i: 2 },
            T::SnapshotAlready(30),
            T::NoSnapshot { i: 5, n: 2 },
            T::ShowingSnapshot { i: 1, step: 20 },
            T::ShowingLive(30),
            T::CheckpointExists(s("m.safetensors")),
            T::CheckpointNoVocab,
            T::CheckpointSaved {
                step: Some(30),
                path: s("m.safetensors"),
            },
            T::CheckpointSaved {
                step: None,
                path: s("m.safetensors"),
            },
            T::CheckpointLoaded {
                path: s("m.safetensors"),
                summary: s("x"),
            },
            T::CheckpointDroppedExpectations(2),
            T::ModelBeingTrained(30),
            T::OneHot {
                steps: vec![1, 2, 3],
                p: s("1.0000"),
                temperature: s("2"),
                tempered: s("0.9830"),
            },
            T::OneHot {
                steps: vec![4],
                p: s("1.0000"),
                temperature: s("0.5"),
                tempered: s("1.0000"),
            },
            T::StudyingTrainedHere("trained here: 30 updates from random weights (seed 42)".into()),
            T::StudyingOwnModel("trained (1000 updates) · ko-en.safetensors".into()),
            T::ModelOf(s("x")),
            T::NoDecoding,
            T::DecodingEnded,
            T::NotInVocabulary(s("xyz")),
            T::WrongArch {
                cmd: s("translate"),
                want: s("encoder-decoder"),
                arch: s("decoder"),
                other: Some(s("generate")),
            },
            T::WrongArch {
                cmd: s("translate"),
                want: s("encoder-decoder"),
                arch: s("encoder"),
                other: None,
            },
            T::NothingToStepBack,
            T::AtDecodingStart,
            T::DecodingWith {
                text: s("나는"),
                model: s("x"),
                sampling: None,
            },
            T::DecodingWith {
                text: s("나는"),
                model: s("x"),
                sampling: Some(s("f")),
            },
            T::DecodeStep {
                i: 1,
                prefix: s("<bos>"),
                chosen: s("I"),
                forced: false,
                p: s("0.91"),
                top: s("I 0.91, you 0.05"),
                reused_encoder: false,
            },
            T::DecodeStep {
                i: 2,
                prefix: s("<bos> I"),
                chosen: s("go"),
                forced: true,
                p: s("0.50"),
                top: s("go 0.50"),
                reused_encoder: true,
            },
            T::DecodeOutput {
                out: s("I go"),
                limit: None,
            },
            T::DecodeOutput {
                out: s("I go"),
                limit: Some(40),
            },
            T::OutputStatus(s("I go")),
            T::DecodeStarted {
                text: s("나는"),
                model: s("x"),
            },
            T::DecodeStepStatus {
                i: 2,
                chosen: s("go"),
                p: s("0.50"),
                forced: false,
            },
            T::DecodeStepStatus {
                i: 2,
                chosen: s("go"),
                p: s("0.50"),
                forced: true,
            },
            T::DecodeBack {
                prefix: s("<bos> I"),
                step: 1,
            },
            T::Sampling(s("f")),
            T::Greedy,
            T::PracticeStarted(3),
            T::PracticeStarted(1),
            T::Question {
                i: 1,
                n: 3,
                question: s("x"),
            },
            T::PracticeEnded {
                pos: 1,
                n: 3,
                run: s("1/1"),
                session: s("4/5"),
            },
            T::Verdict(true),
            T::Verdict(false),
            T::AnswerStatus {
                all_right: true,
                right: 2,
                asked: 2,
                score: s("3/4"),
            },
            T::AnswerStatus {
                all_right: false,
                right: 1,
                asked: 2,
                score: s("3/4"),
            },
            T::PracticeDone {
                right: 2,
                asked: 3,
                score: s("5/6"),
            },
            T::NoPractice,
            T::NoQuestion,
            T::PracticeOver,
            T::NoStepToPractise,
            T::QuestionDoesNotFit {
                at: s("weights"),
                why: s("x"),
            },
            T::NoGradients(s("x")),
            T::GradHeading {
                forward: s("enc.attn.q"),
                loss: s("2.3026"),
            },
            T::GradStatus {
                name: s("grad.enc.attn.q"),
                loss: s("2.3026"),
            },
            T::LossHeading {
                loss: s("2.3026"),
                positions: 5,
                smoothing: None,
            },
            T::LossHeading {
                loss: s("2.3026"),
                positions: 5,
                smoothing: Some(s("0.1")),
            },
            T::TinyGradients { loss: s("2.9e-6") },
            T::TinyGradientsShort,
            T::LossColumns,
            T::Ignored,
            T::LossStatus {
                loss: s("2.3026"),
                positions: 5,
            },
            T::RunLoss {
                step: 30,
                loss: s("3.6200"),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::i18n::check;

    #[test]
    fn every_training_message_has_both_texts_with_the_same_numbers() {
        check::both_texts(&TrainMsg::samples(), TrainMsg::text);
    }

    #[test]
    fn the_loss_table_heads_line_up_with_its_rows_in_both_languages() {
        use unicode_width::UnicodeWidthStr;
        // A row is `{i:>8}  {:<18} {}`: the third column starts at 8 + 2 + 18 + 1 = 29.
        for lang in Lang::ALL {
            let head = TrainMsg::LossColumns.text(lang);
            let at = head.find('−').unwrap_or(0);
            assert_eq!(head[..at].width(), 29, "{lang:?}: {head:?}");
        }
    }

    #[test]
    fn a_train_line_reads_in_korean_order() {
        // 10 updates from step 30 to 40 on the built-in corpus (named as such), then on a
        // file (named by its path).
        let mut m = TrainMsg::Trained {
            updates: 10,
            corpus: super::super::BUILT_IN_CORPUS_ORIGIN.into(),
            cancelled: false,
            step: 40,
            loss: "2.3000".into(),
            rate: "0.000100".into(),
        };
        assert_eq!(
            m.text(Lang::En),
            "trained 10 updates: step 40, loss 2.3000, rate 0.000100 · corpus the built-in copy of data/ko-en.tsv"
        );
        assert_eq!(
            m.text(Lang::Ko),
            "10번 갱신했습니다: 갱신 40, 손실 2.3000, 학습률 0.000100 · 말뭉치 내장된 data/ko-en.tsv 사본"
        );
        if let TrainMsg::Trained { corpus, .. } = &mut m {
            *corpus = "my/c.tsv".into();
        }
        assert!(m.text(Lang::En).ends_with(" · corpus my/c.tsv"));
        assert!(m.text(Lang::Ko).ends_with(" · 말뭉치 my/c.tsv"));
    }
}
