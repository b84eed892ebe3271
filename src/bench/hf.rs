//! `qkv bench --hf DIR`: a Hugging Face Marian model's load, its forward pass with the full
//! trace, and greedy and beam decoding in tokens per second, with the peak memory. The same
//! sentence, threads and beam as `tools/hf_side_by_side.py` gives `transformers`, which
//! prints the ratio.
//!
//! Nothing here asserts a time: the numbers are reported, never checked.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::{MIB, median, proc_status_bytes};
use crate::hf::decode::LengthPenalty;
use crate::hf::{Gpt2Model, HfModel, MarianModel};

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct HfOptions {
    /// The sentence.
    pub text: String,
    /// Rounds of timing (medians reported).
    pub repeat: usize,
    /// Beam size of the beam search timed (the model's `num_beams` when `None`).
    pub beam: Option<usize>,
}

/// One timed decoding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decoding {
    /// Hypotheses kept (1: greedy).
    pub beams: usize,
    /// Tokens generated (`</s>` counted, the start token not).
    pub tokens: usize,
    /// Median time, ms.
    pub ms: f64,
    /// `tokens` / time.
    pub tokens_per_s: f64,
    /// The translation.
    pub translation: String,
}

/// What `qkv bench --hf` measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HfReport {
    /// The model's directory.
    pub dir: String,
    /// [`HfModel::heading`].
    pub model: String,
    /// Parameters.
    pub params: usize,
    /// The sentence and its source pieces (with `</s>`).
    pub text: String,
    /// Source pieces.
    pub source_pieces: usize,
    /// Rayon's threads (`RAYON_NUM_THREADS`).
    pub threads: usize,
    /// Opening the directory (config, weights, tokenizers), ms.
    pub load_ms: f64,
    /// The first forward pass with its full trace, right after loading, ms.
    pub first_trace_ms: f64,
    /// Median forward pass with its full trace over the source and the greedy output, ms.
    pub forward_ms: f64,
    /// Steps the trace holds.
    pub trace_steps: usize,
    /// Greedy decoding.
    pub greedy: Decoding,
    /// Beam search.
    pub beam: Decoding,
    /// Peak resident memory of the process (`VmHWM`), MiB.
    pub peak_mib: Option<f64>,
    /// The weights by count: parameters × 4 bytes, MiB.
    pub weights_mib: f64,
}

/// Opens `dir` and measures it.
pub fn run_hf(dir: &Path, o: &HfOptions) -> anyhow::Result<HfReport> {
    let t = Instant::now();
    let model = HfModel::open(dir)?;
    let load_ms = ms(t);
    match &model {
        HfModel::Marian(m) => marian(dir, &model, m, o, load_ms),
        HfModel::Gpt2(m) => gpt2(dir, &model, m, o, load_ms),
        HfModel::Bert(_) => anyhow::bail!(
            "{}",
            crate::i18n::hf::HfLine::NotForFamily {
                command: "qkv bench --hf".into(),
                family: model.family().name(),
                allowed: crate::hf::Family::Marian.name().into(),
            }
            .text(crate::i18n::Lang::En)
        ),
    }
}

/// New tokens a GPT-2 bench generates.
const GPT2_NEW_TOKENS: usize = 20;

/// [`run_hf`] on a GPT-2 model: the forward pass over the text, greedy and beam
/// continuations of [`GPT2_NEW_TOKENS`] tokens.
fn gpt2(
    dir: &Path,
    model: &HfModel,
    m: &Gpt2Model,
    o: &HfOptions,
    load_ms: f64,
) -> anyhow::Result<HfReport> {
    let ids = m.tokenizer.encode(&o.text)?.ids;
    let t = Instant::now();
    let first = m.forward(&ids)?;
    let first_trace_ms = ms(t);
    drop(first);
    let repeat = o.repeat.max(1);
    let timed = |beams: usize| -> anyhow::Result<Decoding> {
        let mut times = Vec::new();
        let mut out = Vec::new();
        for _ in 0..repeat {
            let t = Instant::now();
            out = if beams == 1 {
                m.greedy(&ids, GPT2_NEW_TOKENS)?.0
            } else {
                m.beam_search(
                    &ids,
                    beams,
                    GPT2_NEW_TOKENS,
                    LengthPenalty::HuggingFace(1.0),
                )?
                .best
            };
            times.push(ms(t));
        }
        times.sort_by(f64::total_cmp);
        let ms = median(&times);
        let n = out.len().saturating_sub(ids.len());
        Ok(Decoding {
            beams,
            tokens: n,
            ms,
            tokens_per_s: n as f64 / (ms / 1e3).max(1e-9),
            translation: m.tokenizer.decode(&out),
        })
    };
    let greedy = timed(1)?;
    let beam = timed(o.beam.unwrap_or(4).max(1))?;
    let mut fwd_ms = Vec::new();
    let mut trace_steps = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        let trace = m.forward(&ids)?;
        fwd_ms.push(ms(t));
        trace_steps = trace.steps().len();
    }
    fwd_ms.sort_by(f64::total_cmp);
    Ok(HfReport {
        dir: dir.display().to_string(),
        model: model.heading(),
        params: model.param_count(),
        text: o.text.clone(),
        source_pieces: ids.len(),
        threads: rayon::current_num_threads(),
        load_ms,
        first_trace_ms,
        forward_ms: median(&fwd_ms),
        trace_steps,
        greedy,
        beam,
        peak_mib: proc_status_bytes("VmHWM").map(|b| b as f64 / MIB),
        weights_mib: model.param_count() as f64 * 4.0 / MIB,
    })
}

/// [`run_hf`] on a Marian model: the forward pass, greedy and beam translation.
fn marian(
    dir: &Path,
    model: &HfModel,
    m: &MarianModel,
    o: &HfOptions,
    load_ms: f64,
) -> anyhow::Result<HfReport> {
    let source = m.tokenizer.encode_source(&o.text).ids;
    let start = vec![m.config.decoder_start()];
    let t = Instant::now();
    let first = m.forward(&source, &start)?;
    let first_trace_ms = ms(t);
    drop(first);
    let max_length = m.config.max_length.max(2);
    let repeat = o.repeat.max(1);
    let mut greedy_ms = Vec::new();
    let mut out = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        let (tokens, _) = m.greedy(&source, max_length)?;
        greedy_ms.push(ms(t));
        out = tokens;
    }
    let greedy = decoding(m, 1, &out, &mut greedy_ms);
    let beams = o.beam.unwrap_or(m.config.num_beams).max(1);
    let penalty = LengthPenalty::HuggingFace(m.config.length_penalty);
    let mut beam_ms = Vec::new();
    let mut best = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        let search = m.beam_search(&source, beams, max_length, penalty)?;
        beam_ms.push(ms(t));
        best = search.best;
    }
    let beam = decoding(m, beams, &best, &mut beam_ms);
    // The forward pass over the sentence and the greedy translation as the decoder's input
    // (what the workbench runs once a target is given).
    let target: Vec<usize> = out
        .iter()
        .copied()
        .filter(|&t| t != m.config.eos_token_id)
        .collect();
    let mut fwd_ms = Vec::new();
    let mut trace_steps = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        let trace = m.forward(&source, &target)?;
        fwd_ms.push(ms(t));
        trace_steps = trace.steps().len();
    }
    fwd_ms.sort_by(f64::total_cmp);
    Ok(HfReport {
        dir: dir.display().to_string(),
        model: model.heading(),
        params: model.param_count(),
        text: o.text.clone(),
        source_pieces: source.len(),
        threads: rayon::current_num_threads(),
        load_ms,
        first_trace_ms,
        forward_ms: median(&fwd_ms),
        trace_steps,
        greedy,
        beam,
        peak_mib: proc_status_bytes("VmHWM").map(|b| b as f64 / MIB),
        weights_mib: model.param_count() as f64 * 4.0 / MIB,
    })
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn decoding(model: &MarianModel, beams: usize, tokens: &[usize], times: &mut [f64]) -> Decoding {
    times.sort_by(f64::total_cmp);
    let ms = median(times);
    // The start token is not generated.
    let n = tokens.len().saturating_sub(1);
    Decoding {
        beams,
        tokens: n,
        ms,
        tokens_per_s: n as f64 / (ms / 1e3).max(1e-9),
        translation: model.tokenizer.decode(tokens),
    }
}

/// The report as `qkv bench --hf` prints it.
pub fn render_hf(r: &HfReport) -> String {
    let mut s = format!(
        "{}\n  {} parameters ({:.1} MiB of float32), {} threads\n  sentence: {} ({} pieces fed to the model: a Marian source ends in </s>)\n",
        r.model, r.params, r.weights_mib, r.threads, r.text, r.source_pieces
    );
    s.push_str(&format!(
        "  load (config, weights, tokenizers)   {:>10.2} ms\n",
        r.load_ms
    ));
    s.push_str(&format!(
        "  first trace after loading             {:>10.2} ms  (load + first trace: {:.2} ms)\n",
        r.first_trace_ms,
        r.load_ms + r.first_trace_ms
    ));
    s.push_str(&format!(
        "  forward pass, full trace ({} steps)  {:>10.2} ms  (median)\n",
        r.trace_steps, r.forward_ms
    ));
    for (what, d) in [("greedy", &r.greedy), ("beam", &r.beam)] {
        s.push_str(&format!(
            "  {what:<6} (beams {}): {} tokens in {:.2} ms = {:.1} tokens/s  → {}\n",
            d.beams, d.tokens, d.ms, d.tokens_per_s, d.translation
        ));
    }
    s.push_str(&format!(
        "  peak resident memory (VmHWM)          {}\n",
        r.peak_mib
            .map_or_else(|| "n/a".to_string(), |m| format!("{m:>10.1} MiB"))
    ));
    s
}
