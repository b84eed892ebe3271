//! Decoding one token at a time: run the model on the tokens so far, read the next-token
//! distribution of the last row, choose (greedy, or sampled with a temperature and top-k),
//! append, repeat until `<eos>` or a length limit.
//!
//! For an encoder-decoder the source is encoded once: each step reruns the model with the
//! previous step's trace, which takes over the encoder's steps and the cross-attention keys
//! and values unchanged (what a KV cache does); [`DecodeStep::reused_encoder`] records it.

use ndarray::Array1;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::model::config::{Arch, Problem};
use crate::model::tokenizer::{BOS, EOS};
use crate::model::{Input, Transformer};
use crate::trace::{Block, Place, Side, Step, StepName, Trace, TraceError};

/// Why decoding stopped with an error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// The input does not fit the model.
    #[error("{0}")]
    Input(Problem),
    /// The model lacks a weight.
    #[error("the model has no weight {0}")]
    Weight(String),
    /// The trace lacks a step.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// Encoder-only models do not generate.
    #[error("an encoder-only model does not generate text: use a decoder or encoder-decoder")]
    Arch,
    /// Bad sampling settings.
    #[error("{0}")]
    Sampling(String),
}

/// Sampling instead of greedy choice: `p_i ∝ exp(logit_i / T)` over the `top_k` most likely
/// tokens, drawn from a seeded stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    /// Temperature T (> 0).
    pub temperature: f32,
    /// Keep only the k most likely tokens (`None`: all).
    pub top_k: Option<usize>,
    /// Seed of the draws.
    pub seed: u64,
}

impl Sampling {
    /// The formula, for display.
    pub fn formula(&self) -> String {
        let k = self.top_k.map_or_else(
            || "all tokens".to_string(),
            |k| format!("the {k} most likely"),
        );
        format!(
            "p_i = e^(logit_i / {t}) / Σ_j e^(logit_j / {t}) over {k}, drawn with seed {s}",
            t = self.temperature,
            s = self.seed
        )
    }
}

/// One decoding step.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeStep {
    /// The decoder's tokens before this step (starting with `<bos>`).
    pub prefix: Vec<String>,
    /// The most likely next tokens and their probabilities, most likely first.
    pub top: Vec<(String, f32)>,
    /// The token appended.
    pub chosen: String,
    /// Its probability.
    pub chosen_prob: f32,
    /// Chosen by the caller instead of by the model.
    pub forced: bool,
    /// True when the step took over the encoder's numbers from the step before.
    pub reused_encoder: bool,
}

/// A finished decoding.
#[derive(Debug, Clone)]
pub struct Decoding {
    /// The source tokens (encoder-decoder) or the prompt (decoder-only).
    pub source: Vec<String>,
    /// Every step.
    pub steps: Vec<DecodeStep>,
    /// True when it ended with `<eos>`; false at the length limit.
    pub finished: bool,
    /// The trace of the last step.
    pub trace: Option<Trace>,
}

impl Decoding {
    /// The tokens produced, without `<eos>`.
    pub fn output_words(&self) -> Vec<String> {
        self.steps
            .iter()
            .map(|s| s.chosen.clone())
            .filter(|t| t != EOS)
            .collect()
    }
}

/// The distribution over the next token after `prefix`, from a fresh run or a rerun of
/// `previous`, with that run's trace.
///
/// For an encoder-decoder, `text` is the source and `prefix` the decoder input; for a
/// decoder-only model `text` is ignored and `prefix` is the text so far.
///
/// # Shapes
/// Returns probabilities of length vocab.
pub fn next_distribution(
    model: &Transformer,
    text: &str,
    prefix: &[String],
    previous: Option<&Trace>,
) -> Result<(Array1<f32>, Trace), DecodeError> {
    let c = model.config();
    let joined = prefix.join(" ");
    let input = match c.arch {
        Arch::EncoderDecoder => Input::new(c, text, Some(&joined)),
        Arch::Decoder => Input::new(c, &joined, None),
        Arch::Encoder => return Err(DecodeError::Arch),
    }
    .map_err(|mut p| DecodeError::Input(p.remove(0)))?;
    let trace = match previous {
        Some(p) => model.rerun(&input, p),
        None => model.forward(&input),
    }
    .map_err(|e| DecodeError::Weight(e.0))?;
    let probs = trace.step("probs")?.matrix(None)?;
    let last = probs.nrows().saturating_sub(1);
    let row = probs.row(last).to_owned();
    Ok((row, trace))
}

/// The `k` most likely tokens, most likely first (ties: lower id first).
pub fn top_k(probs: &Array1<f32>, vocab: &[String], k: usize) -> Vec<(String, f32)> {
    let mut idx: Vec<usize> = (0..probs.len()).collect();
    idx.sort_by(|a, b| probs[*b].total_cmp(&probs[*a]).then(a.cmp(b)));
    idx.into_iter()
        .take(k)
        .filter_map(|i| vocab.get(i).map(|t| (t.clone(), probs[i])))
        .collect()
}

/// True when every encoder step and cross-attention key/value of `now` holds the very
/// numbers of `before` (taken over, not recomputed).
pub fn encoder_reused(before: &Trace, now: &Trace) -> bool {
    let shared = |s: &Step| {
        let Some(n) = StepName::parse(s.name()) else {
            return false;
        };
        match n.place {
            Place::Embed(Side::Enc) | Place::FinalNorm(Some(Side::Enc)) => true,
            Place::Layer { side, block, .. } => {
                side == Side::Enc
                    || (block == Block::CrossAttn && matches!(n.part.as_str(), "k" | "v"))
            }
            _ => false,
        }
    };
    let mut any = false;
    for s in now.steps().iter().filter(|s| shared(s)) {
        let Some(old) = before.get(s.name()) else {
            return false;
        };
        if !s.shares_numbers_with(old) {
            return false;
        }
        any = true;
    }
    any
}

/// A decoding in progress, one step at a time (the Decode view and the REPL drive it).
#[derive(Debug)]
pub struct Decoder {
    text: String,
    prefix: Vec<String>,
    steps: Vec<DecodeStep>,
    trace: Option<Trace>,
    rng: Option<(Sampling, ChaCha8Rng)>,
    top: usize,
}

impl Clone for Decoder {
    /// The same decoding; the sampling stream continues from the same draw.
    fn clone(&self) -> Decoder {
        Decoder {
            text: self.text.clone(),
            prefix: self.prefix.clone(),
            steps: self.steps.clone(),
            trace: self.trace.clone(),
            rng: self.rng.as_ref().map(|(s, r)| {
                let mut c = ChaCha8Rng::seed_from_u64(s.seed);
                c.set_word_pos(r.get_word_pos());
                (*s, c)
            }),
            top: self.top,
        }
    }
}

impl Decoder {
    /// Starts decoding `text`: the source of an encoder-decoder (the decoder starts from
    /// `<bos>`), or the prompt of a decoder-only model (`<bos>` is put first when missing).
    pub fn new(
        model: &Transformer,
        text: &str,
        top: usize,
        sampling: Option<Sampling>,
    ) -> Result<Decoder, DecodeError> {
        if let Some(s) = sampling
            && !(s.temperature > 0.0 && s.temperature.is_finite())
        {
            return Err(DecodeError::Sampling(format!(
                "temperature {} must be a positive number",
                s.temperature
            )));
        }
        let c = model.config();
        let prefix = match c.arch {
            Arch::EncoderDecoder => vec![BOS.to_string()],
            Arch::Decoder => {
                let mut p = crate::model::tokenizer::tokenize(text, c.tokenizer);
                if p.first().map(String::as_str) != Some(BOS) {
                    p.insert(0, BOS.to_string());
                }
                p
            }
            Arch::Encoder => return Err(DecodeError::Arch),
        };
        Ok(Decoder {
            text: text.to_string(),
            prefix,
            steps: Vec::new(),
            trace: None,
            rng: sampling.map(|s| (s, ChaCha8Rng::seed_from_u64(s.seed))),
            top: top.max(1),
        })
    }

    /// The steps so far.
    pub fn steps(&self) -> &[DecodeStep] {
        &self.steps
    }

    /// The decoder's tokens so far.
    pub fn prefix(&self) -> &[String] {
        &self.prefix
    }

    /// The trace of the last step.
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref()
    }

    /// True once `<eos>` was appended.
    pub fn finished(&self) -> bool {
        self.prefix.last().map(String::as_str) == Some(EOS) && !self.steps.is_empty()
    }

    /// One step: the model's choice, or `force` when given (a student's "what if").
    pub fn step(
        &mut self,
        model: &Transformer,
        force: Option<&str>,
    ) -> Result<&DecodeStep, DecodeError> {
        let (probs, trace) =
            next_distribution(model, &self.text, &self.prefix, self.trace.as_ref())?;
        let vocab = trace.tokens().vocab.clone();
        let reused = self
            .trace
            .as_ref()
            .is_some_and(|before| encoder_reused(before, &trace));
        let top = top_k(&probs, &vocab, self.top);
        let (chosen, forced) = match force {
            Some(t) => (t.to_string(), true),
            None => (self.choose(&probs, &vocab), false),
        };
        let chosen_prob = vocab
            .iter()
            .position(|t| *t == chosen)
            .map_or(0.0, |i| probs[i]);
        let step = DecodeStep {
            prefix: self.prefix.clone(),
            top,
            chosen: chosen.clone(),
            chosen_prob,
            forced,
            reused_encoder: reused,
        };
        self.prefix.push(chosen);
        self.trace = Some(trace);
        self.steps.push(step);
        self.steps.last().ok_or(DecodeError::Arch)
    }

    /// Takes back the last step.
    pub fn back(&mut self) -> bool {
        if self.steps.pop().is_some() {
            self.prefix.pop();
            true
        } else {
            false
        }
    }

    fn choose(&mut self, probs: &Array1<f32>, vocab: &[String]) -> String {
        let Some((s, rng)) = &mut self.rng else {
            return top_k(probs, vocab, 1)
                .into_iter()
                .next()
                .map_or_else(|| EOS.to_string(), |(t, _)| t);
        };
        // logit_i / T = ln p_i / T up to a constant, so p_i^(1/T) renormalised.
        let k = s.top_k.unwrap_or(vocab.len()).max(1);
        let cands = top_k(probs, vocab, k);
        let weights: Vec<f64> = cands
            .iter()
            .map(|(_, p)| f64::from(*p).powf(1.0 / f64::from(s.temperature)))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut x = rng.random::<f64>() * total;
        for ((t, _), w) in cands.iter().zip(&weights) {
            if x < *w {
                return t.clone();
            }
            x -= w;
        }
        cands
            .last()
            .map_or_else(|| EOS.to_string(), |(t, _)| t.clone())
    }
}

/// Greedy decoding of `text` until `<eos>` or `max_len` tokens.
pub fn greedy(model: &Transformer, text: &str, max_len: usize) -> Result<Decoding, DecodeError> {
    run(model, text, max_len, 5, None)
}

/// Decoding of `text` (greedy, or sampled) until `<eos>` or `max_len` new tokens, keeping
/// the `top` most likely tokens of each step.
pub fn run(
    model: &Transformer,
    text: &str,
    max_len: usize,
    top: usize,
    sampling: Option<Sampling>,
) -> Result<Decoding, DecodeError> {
    let mut d = Decoder::new(model, text, top, sampling)?;
    let limit = max_len.min(model.config().max_tokens.saturating_sub(d.prefix.len()));
    while d.steps.len() < limit && !d.finished() {
        d.step(model, None)?;
    }
    let source = match model.config().arch {
        Arch::EncoderDecoder => model.labels(&crate::model::tokenizer::tokenize(
            text,
            model.config().tokenizer,
        )),
        _ => d
            .prefix
            .iter()
            .take(d.prefix.len() - d.steps.len())
            .cloned()
            .collect(),
    };
    Ok(Decoding {
        source,
        finished: d.finished(),
        steps: d.steps,
        trace: d.trace,
    })
}
