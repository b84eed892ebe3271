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
use crate::model::{Input, Pass, Transformer};
use crate::trace::{Block, Place, Side, Step, StepName, Trace, TraceError};

/// Why decoding stopped with an error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// The input does not fit the model.
    #[error("{0}")]
    Input(Problem),
    /// The forward pass gave no trace (a weight missing; a cancellation).
    #[error(transparent)]
    Forward(#[from] crate::model::ForwardError),
    /// The trace lacks a step.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// Encoder-only models do not generate.
    #[error("an encoder-only model does not generate text: use a decoder or encoder-decoder")]
    Arch,
    /// Bad sampling settings.
    #[error("{0}")]
    Sampling(String),
    /// The predicted memory of decoding is past the budget
    /// ([`crate::limits::check_memory`]).
    #[error("decoding with this model needs {0}")]
    Memory(crate::limits::OverBudget),
    /// The logits hold NaN or ±∞: no token can be chosen from them.
    #[error(
        "the model's logits are not finite ({count} NaN or ±∞ values), so no next token can be chosen; the first non-finite value of the pass is {at} = {value}"
    )]
    NonFinite {
        /// How many logits are NaN or ±∞.
        count: usize,
        /// The first cell of the pass, in pipeline order, that is NaN or ±∞.
        at: String,
        /// Its value.
        value: f32,
    },
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
    /// Refuses a temperature that is not a positive number.
    pub fn check(&self) -> Result<(), DecodeError> {
        if self.temperature > 0.0 && self.temperature.is_finite() {
            Ok(())
        } else {
            Err(DecodeError::Sampling(format!(
                "temperature {} must be a positive number",
                self.temperature
            )))
        }
    }

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
    /// When sampling: the probability the draw gave the most likely token (after the
    /// temperature and top-k), beside its `top` probability under the model.
    pub sampled_top: Option<f64>,
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
    let input = input_for(model, text, prefix)?;
    let pass = match previous {
        Some(p) => Pass::reusing(p),
        None => Pass::default(),
    };
    let trace = model.forward(&input, pass)?;
    let flags = trace.step("logits")?.flags();
    let count = flags.nan + flags.pos_inf + flags.neg_inf;
    if count > 0 {
        let (at, value) = trace
            .first_non_finite()
            .unwrap_or_else(|| ("logits".to_string(), f32::NAN));
        return Err(DecodeError::NonFinite { count, at, value });
    }
    let row = last_row(&trace, "probs")?;
    Ok((row, trace))
}

/// The model's input for the decoder's tokens `prefix`: with the source `text` for an
/// encoder-decoder, alone for a decoder-only model. A source or prefix the model cannot
/// take (longer than `max_tokens`, say) is an error.
fn input_for(model: &Transformer, text: &str, prefix: &[String]) -> Result<Input, DecodeError> {
    let c = model.config();
    let joined = prefix.join(" ");
    match c.arch {
        Arch::EncoderDecoder => Input::new(c, text, Some(&joined)),
        Arch::Decoder => Input::new(c, &joined, None),
        Arch::Encoder => return Err(DecodeError::Arch),
    }
    .map_err(|mut p| DecodeError::Input(p.remove(0)))
}

/// The last row of step `name` (the next token's row of `logits` or `probs`).
///
/// # Shapes
/// Returns a vector of length vocab.
fn last_row(trace: &Trace, name: &str) -> Result<Array1<f32>, DecodeError> {
    let m = trace.step(name)?.matrix(None)?;
    let last = m.nrows().saturating_sub(1);
    Ok(m.row(last).to_owned())
}

/// The unnormalised weights `exp((l_i − max l) / T)` a draw picks from (divided by their
/// sum: the tempered softmax).
fn draw_weights(logits: &[f32], temperature: f32) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let t = f64::from(temperature);
    logits
        .iter()
        .map(|l| ((f64::from(*l) - f64::from(max)) / t).exp())
        .collect()
}

/// Index into `logits` of a draw with probability `e^(logit_i / T) / Σ_j e^(logit_j / T)`,
/// `u` uniform in [0, 1).
///
/// In log space: weight_i = `e^((logit_i − max) / T)`, so the largest logit weighs exactly
/// 1, nothing overflows, and as T → 0 every other weight underflows to 0 and the draw
/// becomes the greedy choice. (The probabilities raised to 1/T all underflowed to 0 at
/// T = 0.002, and the least likely candidate was returned.)
///
/// # Shapes
/// `logits`: the candidates' logits, any length (empty: `None`).
fn draw(logits: &[f32], temperature: f32, u: f64) -> Option<usize> {
    let weights = draw_weights(logits, temperature);
    let total: f64 = weights.iter().sum();
    let mut x = u * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return Some(i);
        }
        x -= w;
    }
    // Rounding left x just past the end: the last candidate that can be drawn.
    weights.iter().rposition(|w| *w > 0.0)
}

/// The token ids, most likely first (ties: lower id first).
fn ranked(probs: &Array1<f32>) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..probs.len()).collect();
    idx.sort_by(|a, b| probs[*b].total_cmp(&probs[*a]).then(a.cmp(b)));
    idx
}

/// The `k` most likely tokens, most likely first (ties: lower id first).
pub fn top_k(probs: &Array1<f32>, vocab: &[String], k: usize) -> Vec<(String, f32)> {
    ranked(probs)
        .into_iter()
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
        if let Some(s) = sampling {
            s.check()?;
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
        // The source and the prompt are checked before the first step, for every front
        // end: a prompt past `max_tokens` would otherwise leave no room to decode into, and
        // a length-limited run would end at once with the prompt as its result.
        input_for(model, text, &prefix)?;
        check_memory(model, text, &prefix)?;
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
        let logits = match self.rng {
            Some(_) => last_row(&trace, "logits")?,
            None => Array1::zeros(0),
        };
        let reused = self
            .trace
            .as_ref()
            .is_some_and(|before| encoder_reused(before, &trace));
        let top = top_k(&probs, &vocab, self.top);
        let (chosen, forced, sampled_top) = match force {
            Some(t) => (t.to_string(), true, None),
            None => {
                let (c, p) = self.choose(&probs, &logits, &vocab);
                (c, false, p)
            }
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
            sampled_top,
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

    /// The next token: the most likely, or drawn by [`draw`] from the `top_k` most likely
    /// with the sampling's temperature (then also the probability the draw gave the most
    /// likely token).
    ///
    /// # Shapes
    /// `probs`, `logits` (empty when not sampling), `vocab`: length vocab.
    fn choose(
        &mut self,
        probs: &Array1<f32>,
        logits: &Array1<f32>,
        vocab: &[String],
    ) -> (String, Option<f64>) {
        let Some((s, rng)) = &mut self.rng else {
            let top = top_k(probs, vocab, 1)
                .into_iter()
                .next()
                .map_or_else(|| EOS.to_string(), |(t, _)| t);
            return (top, None);
        };
        let (id, top) = sample_index(s, probs, logits, rng);
        let chosen = id
            .and_then(|i| vocab.get(i))
            .map_or_else(|| EOS.to_string(), Clone::clone);
        (chosen, top)
    }
}

/// A draw of a token id under `s` (temperature over the `top_k` most likely by `probs`),
/// from `rng`: the id (`None` when nothing can be drawn) and the probability the draw gave
/// the most likely candidate.
///
/// # Shapes
/// `probs`, `logits`: length vocab.
pub fn sample_index(
    s: &Sampling,
    probs: &Array1<f32>,
    logits: &Array1<f32>,
    rng: &mut ChaCha8Rng,
) -> (Option<usize>, Option<f64>) {
    let k = s.top_k.unwrap_or(probs.len()).max(1);
    let cands: Vec<usize> = ranked(probs).into_iter().take(k).collect();
    let cand_logits: Vec<f32> = cands
        .iter()
        .map(|i| logits.get(*i).copied().unwrap_or(f32::NEG_INFINITY))
        .collect();
    let weights = draw_weights(&cand_logits, s.temperature);
    let total: f64 = weights.iter().sum();
    let top = weights.first().map(|w| w / total);
    let chosen = draw(&cand_logits, s.temperature, rng.random::<f64>())
        .and_then(|c| cands.get(c))
        .copied();
    (chosen, top)
}

/// Refuses decoding whose predicted peak is past the memory budget: a forward pass with the
/// decoder grown to the model's longest sentence over the model's whole vocabulary (a
/// checkpoint's vocabulary sets the width of `logits`), beside the previous step's trace.
fn check_memory(model: &Transformer, text: &str, prefix: &[String]) -> Result<(), DecodeError> {
    use crate::model::cost;
    let c = model.config();
    let source = match c.arch {
        Arch::EncoderDecoder => crate::model::tokenizer::tokenize(text, c.tokenizer).len(),
        _ => c.max_tokens.max(prefix.len()),
    };
    let n = cost::Lengths {
        source,
        target: c.max_tokens,
        vocab: model
            .vocab()
            .map_or(source + c.max_tokens + 2, crate::model::Vocab::len),
    };
    let need = cost::peak_bytes(c, n, crate::model::linalg::threads())
        .saturating_add(cost::trace_bytes(c, n).total);
    crate::limits::check_memory(need).map_err(DecodeError::Memory)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Logits 2, 1, 0 at T = 1: weights e^0 = 1, e^−1 = 0.3678794, e^−2 = 0.1353353,
    /// Σ = 1.5032147. u·Σ falls in [0, 1) → 0, in [1, 1.3678794) → 1, past it → 2.
    #[test]
    fn a_draw_by_hand() {
        let l = [2.0, 1.0, 0.0];
        // u = 0.5: 0.7516 < 1
        assert_eq!(draw(&l, 1.0, 0.5), Some(0));
        // u = 0.7: 1.0522 − 1 = 0.0522 < 0.3679
        assert_eq!(draw(&l, 1.0, 0.7), Some(1));
        // u = 0.95: 1.4281 − 1 − 0.3679 = 0.0602 < 0.1353
        assert_eq!(draw(&l, 1.0, 0.95), Some(2));
        assert_eq!(draw(&[], 1.0, 0.5), None);
    }

    /// As T → 0 the draw is the greedy choice, whatever u: at T = 0.002 the weights are
    /// 1, e^(−1/0.002) = e^−500 ≈ 7e−218 and e^−1000 = 0 in f64, so Σ rounds to 1 and
    /// u·Σ < 1 for every u < 1. (Probabilities raised to 1/T = 500 all underflowed to 0
    /// when the largest was below e^(−745/500) ≈ 0.23, and the last candidate was drawn.)
    #[test]
    fn a_tiny_temperature_draws_the_largest_logit() {
        // 40 candidates a little apart: the largest probability is about 0.03.
        let l: Vec<f32> = (0..40).map(|i| -(i as f32) * 0.05).collect();
        for t in [0.002f32, 1e-10, f32::MIN_POSITIVE] {
            for u in [0.0, 0.5, 0.999_999_9] {
                assert_eq!(draw(&l, t, u), Some(0), "T {t}, u {u}");
            }
        }
        // −∞ logits are never drawn.
        assert_eq!(
            draw(&[f32::NEG_INFINITY, 0.5, f32::NEG_INFINITY], 1.0, 0.9),
            Some(1)
        );
    }
}
