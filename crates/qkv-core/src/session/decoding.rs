//! Decoding in a [`Session`]: one output token at a time, with the session's model (the
//! training run's weights once it studies them) (the Decode view and the REPL's
//! `translate`, `generate`, `decode`, `sample`).

use crate::i18n::training::TrainMsg;
use crate::learn::decode::{DecodeStep, Decoder, Sampling};
use crate::model::{Arch, Transformer};
use crate::render;

use super::learning::{MAX_DECODE, TOP_K, learn_err};
use super::{Outcome, Session, SessionError};

/// A decoding in progress.
#[derive(Debug, Clone)]
pub struct DecodeState {
    /// The source sentence (encoder-decoder) or prompt (decoder-only).
    pub text: String,
    /// Which model decodes (for the header).
    pub model_label: String,
    model: Transformer,
    decoder: Decoder,
    /// The encoder's tokens (encoder-decoder; empty for a decoder-only model).
    pub source: Vec<String>,
    /// Per step: the cross-attention row of the new position over the source, one row per
    /// head, from the last decoder layer (empty for a decoder-only model).
    pub cross: Vec<Vec<Vec<f32>>>,
    /// Sampling, when not greedy.
    pub sampling: Option<Sampling>,
}

impl DecodeState {
    /// The steps so far.
    pub fn steps(&self) -> &[DecodeStep] {
        self.decoder.steps()
    }
    /// The decoder's tokens so far.
    pub fn prefix(&self) -> &[String] {
        self.decoder.prefix()
    }
    /// True once `<eos>` was produced.
    pub fn finished(&self) -> bool {
        self.decoder.finished()
    }
    /// The last decoder layer whose cross-attention is shown.
    pub fn cross_layer(&self) -> usize {
        self.model.config().layers.decoder.saturating_sub(1)
    }
    /// The tokens produced so far (without `<bos>` and `<eos>`).
    pub fn output(&self) -> String {
        self.steps()
            .iter()
            .map(|s| s.chosen.as_str())
            .filter(|t| *t != "<eos>")
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Session {
    /// The model that decodes: the session's (the training run's weights when it studies
    /// them, [`Session::trained_here`]); on a hand-check, the one being trained, if any.
    fn decoding_model(&self) -> Result<(Transformer, String), SessionError> {
        match (self.model_subject(), &self.learning.training) {
            (Ok(m), _) => Ok((
                m.model.clone(),
                TrainMsg::ModelOf(self.provenance()).text(self.lang),
            )),
            (Err(_), Some(t)) => Ok((
                t.model().clone(),
                TrainMsg::ModelBeingTrained(t.steps_done()).text(self.lang),
            )),
            (Err(e), None) => Err(e),
        }
    }

    pub(super) fn start_decoding(&mut self, text: String) -> Result<(), SessionError> {
        let (model, model_label) = self.decoding_model()?;
        let decoder =
            Decoder::new(&model, &text, TOP_K, self.learning.sampling).map_err(learn_err)?;
        let source = match model.config().arch {
            // As labels: a word the vocabulary lacks shows as `바나나→<unk>`.
            Arch::EncoderDecoder => model.labels(&crate::model::tokenizer::tokenize(
                &text,
                model.config().tokenizer,
            )),
            _ => Vec::new(),
        };
        self.learning.decode = Some(DecodeState {
            text,
            model_label,
            model,
            decoder,
            source,
            cross: Vec::new(),
            sampling: self.learning.sampling,
        });
        Ok(())
    }

    fn step_once(&mut self, force: Option<&str>) -> Result<DecodeStep, SessionError> {
        let lang = self.lang;
        let Some(d) = &mut self.learning.decode else {
            return Err(SessionError::NotHere(TrainMsg::NoDecoding.text(lang)));
        };
        if d.decoder.finished() {
            return Err(SessionError::NotHere(TrainMsg::DecodingEnded.text(lang)));
        }
        if let Some(tok) = force
            && d.model.vocab().is_some_and(|v| v.get(tok).is_none())
        {
            return Err(SessionError::NotHere(
                TrainMsg::NotInVocabulary(tok.to_string()).text(lang),
            ));
        }
        let step = d.decoder.step(&d.model, force).map_err(learn_err)?.clone();
        let layer = d.cross_layer();
        let row = d
            .decoder
            .trace()
            .and_then(|t| t.get(&format!("dec.{layer}.cross_attn.weights")))
            .map(|s| {
                let heads = s.heads().unwrap_or(1);
                (0..heads)
                    .filter_map(|h| {
                        let m = s.matrix(Some(h)).ok()?;
                        let last = m.nrows().checked_sub(1)?;
                        Some(m.row(last).to_vec())
                    })
                    .collect()
            })
            .unwrap_or_default();
        d.cross.push(row);
        Ok(step)
    }

    fn step_line(&self, i: usize, s: &DecodeStep) -> String {
        let p = self.precision;
        let top = s
            .top
            .iter()
            .map(|(t, pr)| format!("{t} {}", render::fmt_value(*pr, p)))
            .collect::<Vec<_>>()
            .join(", ");
        let line = TrainMsg::DecodeStep {
            i: i + 1,
            prefix: s.prefix.join(" "),
            chosen: s.chosen.clone(),
            forced: s.forced,
            p: render::fmt_value(s.chosen_prob, p),
            top,
            reused_encoder: s.reused_encoder,
        };
        format!("{}\n", line.text(self.lang))
    }

    /// When sampling: the note that says why the temperature changes (next to) nothing at
    /// the steps (of `steps`, numbered from `first`) where the model's probability of the
    /// top token prints as 1 at the session's precision, with the least probability the
    /// draws gave it there.
    fn one_hot_note(&self, steps: &[DecodeStep], first: usize) -> Option<String> {
        let s = self.learning.decode.as_ref()?.sampling?;
        let p = self.precision;
        let one = render::fmt_value(1.0, p);
        let at: Vec<(usize, f64)> = steps
            .iter()
            .enumerate()
            .filter(|(_, st)| {
                st.top
                    .first()
                    .is_some_and(|(_, pr)| render::fmt_value(*pr, p) == one)
            })
            .filter_map(|(i, st)| st.sampled_top.map(|q| (first + i, q)))
            .collect();
        let least = at.iter().map(|(_, q)| *q).reduce(f64::min)?;
        Some(
            TrainMsg::OneHot {
                steps: at.iter().map(|(i, _)| *i).collect(),
                p: one,
                temperature: s.temperature.to_string(),
                tempered: crate::number::fmt_value_f64(least, p),
            }
            .text(self.lang),
        )
    }

    pub(super) fn decode_all(&mut self, text: String, want: Arch) -> Result<Outcome, SessionError> {
        let (model, _) = self.decoding_model()?;
        let arch = model.config().arch;
        if arch != want {
            let (cmd, other) = if want == Arch::EncoderDecoder {
                ("translate", "generate")
            } else {
                ("generate", "translate")
            };
            return Err(SessionError::NotHere(
                TrainMsg::WrongArch {
                    cmd: cmd.to_string(),
                    want: want.to_string(),
                    arch: arch.to_string(),
                    other: (arch != Arch::Encoder).then(|| other.to_string()),
                }
                .text(self.lang),
            ));
        }
        self.start_decoding(text)?;
        for _ in 0..MAX_DECODE {
            if self
                .learning
                .decode
                .as_ref()
                .is_some_and(DecodeState::finished)
            {
                break;
            }
            self.step_once(None)?;
        }
        let Some(d) = &self.learning.decode else {
            return Err(SessionError::NotHere(TrainMsg::NoDecoding.text(self.lang)));
        };
        let mut text = TrainMsg::DecodingWith {
            text: d.text.clone(),
            model: d.model_label.clone(),
            sampling: d.sampling.map(|s| s.formula()),
        }
        .text(self.lang);
        text.push('\n');
        for (i, s) in d.steps().iter().enumerate() {
            text.push_str(&self.step_line(i, s));
        }
        let out = d.output();
        let end = TrainMsg::DecodeOutput {
            out: out.clone(),
            limit: (!d.finished()).then_some(MAX_DECODE),
        };
        text.push_str(&format!("{}\n", end.text(self.lang)));
        if let Some(note) = self.one_hot_note(d.steps(), 1) {
            text.push_str(&format!("{note}\n"));
        }
        Ok(Outcome::say(text).with_status(TrainMsg::OutputStatus(out).text(self.lang)))
    }

    pub(super) fn decode_start(&mut self) -> Result<Outcome, SessionError> {
        let m = self.model_subject()?;
        let text = m.scenario.input.text.clone();
        self.start_decoding(text.clone())?;
        let label = self
            .learning
            .decode
            .as_ref()
            .map(|d| d.model_label.clone())
            .unwrap_or_default();
        Ok(Outcome::say(
            TrainMsg::DecodeStarted { text, model: label }.text(self.lang),
        ))
    }

    pub(super) fn decode_next(&mut self, force: Option<String>) -> Result<Outcome, SessionError> {
        if self.learning.decode.is_none() {
            self.decode_start()?;
        }
        let s = self.step_once(force.as_deref())?;
        let i = self
            .learning
            .decode
            .as_ref()
            .map_or(0, |d| d.steps().len().saturating_sub(1));
        let mut line = self.step_line(i, &s);
        if let Some(note) = self.one_hot_note(std::slice::from_ref(&s), i + 1) {
            line.push_str(&format!("{note}\n"));
        }
        let status = TrainMsg::DecodeStepStatus {
            i: i + 1,
            chosen: s.chosen.clone(),
            p: render::fmt_value(s.chosen_prob, self.precision),
            forced: s.forced,
        }
        .text(self.lang);
        Ok(Outcome::say(line).with_status(status))
    }

    pub(super) fn decode_back(&mut self) -> Result<Outcome, SessionError> {
        let lang = self.lang;
        let Some(d) = &mut self.learning.decode else {
            return Err(SessionError::NotHere(
                TrainMsg::NothingToStepBack.text(lang),
            ));
        };
        if !d.decoder.back() {
            return Err(SessionError::NotHere(TrainMsg::AtDecodingStart.text(lang)));
        }
        d.cross.pop();
        Ok(Outcome::say(
            TrainMsg::DecodeBack {
                prefix: d.prefix().join(" "),
                step: d.steps().len(),
            }
            .text(lang),
        ))
    }

    pub(super) fn sample(&mut self, s: Option<(f32, Option<usize>, u64)>) -> Outcome {
        self.learning.sampling = s.map(|(temperature, top_k, seed)| Sampling {
            temperature,
            top_k,
            seed,
        });
        match self.learning.sampling {
            Some(s) => Outcome::say(TrainMsg::Sampling(s.formula()).text(self.lang)),
            None => Outcome::say(TrainMsg::Greedy.text(self.lang)),
        }
    }

    /// `translate` on a real model: greedy decoding, then the model's beam search (its
    /// `num_beams`) when it has one, each with its steps, as `qkv translate --hf` prints them.
    pub(super) fn translate_real(&self, text: &str) -> Result<Outcome, SessionError> {
        use crate::hf::transcript::{Decoding, translate};
        use crate::i18n::hf::HfLine;
        let Some(model) = self.real_model().and_then(crate::hf::HfModel::marian) else {
            return Err(SessionError::NotHere(TrainMsg::NoDecoding.text(self.lang)));
        };
        let mut d = Decoding::of_model(model, MAX_DECODE);
        let beams = d.beams;
        let mut out = String::new();
        let mut last = String::new();
        for k in std::iter::once(1).chain((beams > 1).then_some(beams)) {
            d.beams = k;
            let (steps, translation) = translate(model, text, &d, self.lang)
                .map_err(|e| SessionError::NotHere(e.to_string()))?;
            out.push_str(&steps);
            out.push_str(&HfLine::Translation(translation.clone()).text(self.lang));
            out.push('\n');
            last = translation;
        }
        Ok(Outcome::say(out).with_status(HfLine::Translation(last).text(self.lang)))
    }
}
