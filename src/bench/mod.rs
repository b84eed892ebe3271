//! `qkv bench`: the machine's matrix-product rate and the forward pass measured side by side
//! in one process, so that their ratio holds on a noisy, shared machine.
//!
//! What is measured, in this order:
//! 1. time to the first trace from process start: a child `qkv bench --probe` is started
//!    and timed until it reports its trace (median of 3);
//! 2. memory: resident memory before and after building the model, and the peak while the
//!    first forward pass runs (`VmHWM` of `/proc/self/status`, reset through
//!    `/proc/self/clear_refs` first), next to the formulas of [`crate::model::cost`];
//! 3. `repeat` rounds, each timing one 512 × 512 × 512 product on every backend, a forward
//!    pass with its full trace, a rerun after switching `scale` and the diff of the two
//!    traces (what a session shows as changed). The forward pass's rate (its products' FLOP
//!    from [`crate::model::cost::flops`] over the median time) divided by the best product
//!    rate seen is the *efficiency*.
//!
//! Nothing here asserts a time: the numbers are reported, never checked.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ndarray::Array2;
use serde::Serialize;
use thiserror::Error;

use crate::model::config::{DEFAULT_MAX_TOKENS, Preset};
use crate::model::cost::{self, Lengths};
use crate::model::linalg::{self, Backend, MatView};
use crate::model::{Arch, Config, ConfigError, Input, NeedsNewWeights, Transformer, prepare};

mod render;

mod bandwidth;
mod first_trace;
mod hf;
pub use hf::{HfOptions, HfReport, render_hf, run_hf};
pub mod shapes;
mod train;

pub use bandwidth::*;
use first_trace::first_trace;
pub use first_trace::{FirstTrace, probe};
pub use render::{render, table_row};
use train::TrainBench;
pub use train::TrainStep;

/// What to measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Model size.
    pub preset: Preset,
    /// Architecture.
    pub arch: Arch,
    /// Source tokens (and target tokens, `<bos>` included, of an encoder-decoder model).
    pub tokens: usize,
    /// Rounds of timing (forward passes, reruns, products per backend).
    pub repeat: usize,
    /// The `qkv` executable to start for the time to the first trace (`None`: skipped).
    pub probe_exe: Option<PathBuf>,
    /// Also time a training step (forward, backward, Adam) each round, beside a forward pass
    /// of the same model.
    pub train: bool,
    /// Also time each product shape of the pass alone ([`shapes`]).
    pub shapes: bool,
}

/// Why a bench could not run.
#[derive(Debug, Error)]
pub enum BenchError {
    /// The preset, architecture and length make no valid model input.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The model lacks a weight (never for a fresh model).
    #[error(transparent)]
    Model(#[from] crate::model::ForwardError),
    /// Switching `scale` was refused (never for a fresh model).
    #[error(transparent)]
    Toggle(#[from] NeedsNewWeights),
    /// The child process for the time to the first trace failed.
    #[error("timing the first trace with {exe}: {message}")]
    Probe {
        /// The executable started.
        exe: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The backward pass of the training step failed (never for a fresh model).
    #[error(transparent)]
    Train(#[from] crate::learn::BackwardError),
}

/// Words the bench sentences are made of.
const WORDS: [&str; 32] = [
    "the",
    "cat",
    "sat",
    "on",
    "mat",
    "a",
    "dog",
    "ran",
    "to",
    "school",
    "나는",
    "학교에",
    "간다",
    "and",
    "then",
    "it",
    "was",
    "very",
    "happy",
    "with",
    "of",
    "attention",
    "is",
    "all",
    "you",
    "need",
    "바나나",
    "queries",
    "keys",
    "values",
    "heads",
    "layer",
];

/// A sentence of `n` generated words (a fixed pattern over 32 words, so the vocabulary
/// stays small as in real text).
pub fn sentence(n: usize, offset: usize) -> String {
    let words: Vec<&str> = (0..n)
        .map(|i| WORDS[(i * 7 + offset + i / WORDS.len()) % WORDS.len()])
        .collect();
    words.join(" ")
}

/// The configuration the bench runs: the preset with the architecture and room for the
/// tokens.
pub fn config(opts: &Options) -> Config {
    let mut c = Config::preset(opts.preset);
    c.arch = opts.arch;
    c.max_tokens = opts.tokens.max(DEFAULT_MAX_TOKENS);
    c
}

/// The model input: `tokens` source words and, for an encoder-decoder model, `<bos>` and
/// `tokens − 1` target words.
pub fn input(opts: &Options) -> Result<(crate::model::ValidConfig, Input), ConfigError> {
    let text = sentence(opts.tokens, 0);
    let target = sentence(opts.tokens.saturating_sub(1), 3);
    let target = format!("<bos> {target}");
    prepare(config(opts), &text, Some(&target))
}

/// The product rate of one backend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// Backend name.
    pub backend: String,
    /// Best rate of a 512 × 512 × 512 product, GFLOP/s.
    pub gflops: f64,
    /// Median rate, GFLOP/s.
    pub median_gflops: f64,
}

/// Times, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Times {
    /// Median.
    pub median_ms: f64,
    /// Fastest.
    pub min_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

impl Times {
    fn of(samples: &[Duration]) -> Times {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        Times {
            median_ms: median(&ms),
            min_ms: ms.first().copied().unwrap_or(0.0),
            max_ms: ms.last().copied().unwrap_or(0.0),
        }
    }
}

/// The median over the rounds of `a[round] / b[round]`.
fn paired_ratio(a: &[Duration], b: &[Duration]) -> f64 {
    let mut r: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64().max(1e-12))
        .collect();
    r.sort_by(f64::total_cmp);
    median(&r)
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => f64::midpoint(sorted[n / 2 - 1], sorted[n / 2]),
    }
}

/// Memory, in MiB (`None` where `/proc/self/status` could not be read).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Memory {
    /// Weights by formula: parameters × 4 bytes.
    pub weights_predicted_mib: f64,
    /// Resident memory added by building the model.
    pub weights_measured_mib: Option<f64>,
    /// What the trace keeps, by the formula of [`cost::trace_bytes`].
    pub trace_predicted_mib: f64,
    /// What the trace keeps, counted buffer by buffer ([`crate::trace::Trace::stored_bytes`]).
    pub trace_counted_mib: f64,
    /// Working buffers of the largest block, by [`cost::working_bytes`].
    pub working_predicted_mib: f64,
    /// Peak resident memory of the forward pass above the memory before it.
    pub trace_peak_measured_mib: Option<f64>,
    /// Resident memory before the model was built (the program itself).
    pub baseline_mib: Option<f64>,
    /// baseline + weights + trace + working buffers.
    pub process_peak_predicted_mib: Option<f64>,
    /// Peak resident memory of the process up to the end of the first forward pass.
    pub process_peak_measured_mib: Option<f64>,
    /// Buffers kept for reuse by [`crate::buffers`] after the timing rounds.
    pub pooled_after_mib: f64,
    /// Every head's scores and weights, which a workbench session's trace keeps beside the
    /// trace when they fit the memory budget, by [`cost::heads_bytes`]; `None` when they do
    /// not fit (the session then recomputes the old heads at a toggle).
    pub session_heads_predicted_mib: Option<f64>,
    /// The same, counted: the bytes the session's trace keeps beyond a plain pass's.
    pub session_heads_counted_mib: f64,
}

/// Everything `qkv bench` measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Preset name.
    pub preset: String,
    /// Architecture name.
    pub arch: String,
    /// d_model, heads, d_ff.
    pub sizes: [usize; 3],
    /// Encoder and decoder layers.
    pub layers: [usize; 2],
    /// Source tokens.
    pub source_tokens: usize,
    /// Target tokens (encoder-decoder).
    pub target_tokens: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// Timing rounds.
    pub repeat: usize,
    /// Threads of the parallel products.
    pub threads: usize,
    /// 512 × 512 × 512 product rates, one per backend.
    pub products: Vec<Rate>,
    /// Best rate among the backends, GFLOP/s.
    pub attainable_gflops: f64,
    /// FLOP of the forward pass's products, by formula.
    pub forward_flop: u64,
    /// Forward pass with the full trace.
    pub forward: Times,
    /// forward_flop / median time, GFLOP/s.
    pub forward_gflops: f64,
    /// forward_gflops / attainable_gflops.
    pub efficiency: f64,
    /// Median over the rounds of (the round's forward rate / the round's best product
    /// rate): both measured within a second of each other, so it moves less with the load
    /// of a shared machine.
    pub paired_efficiency: f64,
    /// The 1-minute load average when the bench started (other work on the machine).
    pub load_average: Option<f64>,
    /// Forward pass again after switching `scale` from the bench's setting, reusing what the
    /// switch does not change.
    pub rerun_after_toggle: Times,
    /// Median over the rounds of (the round's rerun time / its forward pass time).
    pub rerun_over_forward: f64,
    /// The same toggle as a workbench session runs it (`Transformer::forward` with `Pass::comparing`),
    /// from the trace the session holds (which keeps every head when they fit the memory
    /// budget): every attention block computed again compares its heads with the kept ones
    /// while they are at hand, and takes them over.
    pub compared_rerun: Times,
    /// Median over the rounds of (the round's compared rerun time / its rerun time).
    pub compared_over_rerun: f64,
    /// Comparing the trace before the toggle with the compared rerun's, step by step, as a
    /// session does to show what changed ([`crate::session::Diff::between`]).
    pub diff_after_toggle: Times,
    /// Median over the rounds of (the round's diff time / its rerun time).
    pub diff_over_rerun: f64,
    /// Median over the rounds of ((compared rerun − rerun) + diff) / rerun: all that showing
    /// the changes costs beside the rerun itself.
    pub diff_cost_over_rerun: f64,
    /// A training step (forward pass for a backward pass, backward pass, Adam update) on the
    /// bench's sentence pair, and the median over the rounds of (step time / the time of a
    /// forward pass of the same model in the same round); `None` without `--train`.
    pub train_step: Option<TrainStep>,
    /// The pass's product shapes timed alone, and the time its products would take at those
    /// rates; `None` without `--shapes`.
    pub shapes: Option<Shapes>,
    /// Memory.
    pub memory: Memory,
    /// Memory bandwidth, and the fraction of it the pass uses to read its weights.
    pub bandwidth: Bandwidth,
    /// Time to the first trace (`None` when not measured).
    pub first_trace: Option<FirstTrace>,
}

/// The pass's products timed shape by shape (see [`Report::shapes`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shapes {
    /// Every shape, its count in a pass and its rate alone.
    pub rates: Vec<shapes::ShapeRate>,
    /// What the pass's products would take at those rates, ms.
    pub products_alone_ms: f64,
    /// That over the pass's median time: the rest of the pass is everything else (the
    /// other steps, reading the weights from memory, waking threads, recording).
    pub fraction_of_pass: f64,
}

const MIB: f64 = 1024.0 * 1024.0;

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`), `None` off Linux.
pub fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.split(':').next() == Some(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Minor page faults of the whole process so far (`minflt` of `/proc/self/stat`: pages the
/// system had to map on first touch), `None` off Linux.
pub fn proc_minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name in parentheses: state, ppid, pgrp, session, tty_nr, tpgid,
    // flags, minflt (fields 3 to 10 of proc(5)).
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(7)?.parse().ok()
}

/// Resets the peak resident memory (`VmHWM`) to the current one; false when unsupported.
pub fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mib(bytes: Option<u64>) -> Option<f64> {
    bytes.map(|b| b as f64 / MIB)
}

/// The one 512 × 512 × 512 product of the bench on `backend`, timed.
struct ProductBench {
    a: Array2<f32>,
    b: Array2<f32>,
    out: Vec<f32>,
}

impl ProductBench {
    const N: usize = 512;

    fn new() -> ProductBench {
        let n = ProductBench::N;
        let a = Array2::from_shape_fn((n, n), |(i, j)| ((i * 7 + j * 3) % 17) as f32 * 0.01);
        let b = Array2::from_shape_fn((n, n), |(i, j)| ((i * 5 + j * 11) % 13) as f32 * 0.01);
        ProductBench {
            a,
            b,
            out: vec![0.0; n * n],
        }
    }

    fn flop() -> f64 {
        2.0 * (ProductBench::N as f64).powi(3)
    }

    fn time(&mut self, backend: Backend) -> Duration {
        let t = Instant::now();
        match backend {
            // ndarray's own API, as a user of ndarray would call it.
            Backend::Ndarray => {
                std::hint::black_box(self.a.dot(&self.b));
            }
            _ => {
                if let (Some(a), Some(b)) =
                    (MatView::of(&self.a.view()), MatView::of(&self.b.view()))
                {
                    linalg::product_into(backend, a, b, &mut self.out);
                }
                std::hint::black_box(&self.out);
            }
        }
        t.elapsed()
    }
}

/// Runs the bench.
#[expect(
    clippy::too_many_lines,
    reason = "the benchmark's phases in order (memory of the model and its first pass, the first trace, product rates, timed passes), each a few lines."
)]
pub fn run(opts: &Options) -> Result<Report, BenchError> {
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok());
    // Bad options fail here, before any child process is started.
    input(opts)?;
    let first_trace = match &opts.probe_exe {
        Some(exe) => Some(first_trace(exe, opts)?),
        None => None,
    };

    // Memory: the model, then the first forward pass, in a process that has done nothing else.
    let baseline = proc_status_bytes("VmRSS");
    let (valid, input) = input(opts)?;
    let mut model = Transformer::new(valid);
    let after_model = proc_status_bytes("VmRSS");
    let reset = reset_peak_memory();
    let before_forward = proc_status_bytes("VmRSS");
    let trace = model.forward(&input, crate::model::Pass::default())?;
    let peak = proc_status_bytes("VmHWM");
    let counted = trace.stored_bytes();
    drop(trace);

    let c = model.config().clone();
    let tokens = input.target.as_ref().map_or(0, Vec::len);
    let lengths = Lengths {
        source: input.source.len(),
        target: tokens,
        vocab: input.vocab(&c).len(),
    };
    let flop = cost::flops(&c, lengths).total;
    let weights_bytes = crate::model::params::count(&c, 0).total * 4;
    let trace_bytes = cost::trace_bytes(&c, lengths).total;
    let working = cost::working_bytes(&c, lengths, linalg::threads());
    let mut memory = Memory {
        weights_predicted_mib: weights_bytes as f64 / MIB,
        weights_measured_mib: mib(after_model.zip(baseline).map(|(a, b)| a.saturating_sub(b))),
        trace_predicted_mib: trace_bytes as f64 / MIB,
        trace_counted_mib: counted as f64 / MIB,
        working_predicted_mib: working as f64 / MIB,
        trace_peak_measured_mib: if reset {
            mib(peak.zip(before_forward).map(|(p, b)| p.saturating_sub(b)))
        } else {
            None
        },
        baseline_mib: mib(baseline),
        process_peak_predicted_mib: mib(baseline.map(|b| b + weights_bytes + trace_bytes + working)),
        process_peak_measured_mib: mib(peak),
        pooled_after_mib: 0.0,
        session_heads_predicted_mib: crate::scenario::heads_fit(&c, &input)
            .then(|| cost::heads_bytes(&c, lengths) as f64 / MIB),
        session_heads_counted_mib: 0.0,
    };

    // Timing rounds: every backend's product, a forward pass and a rerun, side by side.
    let mut bench = ProductBench::new();
    for backend in Backend::ALL {
        bench.time(backend); // warm up (thread pools, caches)
    }
    let mut product_times: Vec<Vec<Duration>> = vec![Vec::new(); Backend::ALL.len()];
    let (mut forwards, mut reruns) = (Vec::new(), Vec::new());
    let toggled = {
        let mut t = c.clone();
        t.scale = !t.scale;
        t.validate()?
    };
    let original = c.validate()?;
    let (mut compared, mut diffs) = (Vec::new(), Vec::new());
    let mut train = if opts.train {
        Some(TrainBench::new(original.clone(), &input))
    } else {
        None
    };
    // `held` is the trace a workbench session holds: with every head kept when they fit the
    // memory budget, as the workbench keeps them (`crate::scenario::memory_check`). Every
    // timed pass runs beside it.
    let keep = memory.session_heads_predicted_mib.is_some();
    let mut held = model.forward(&input, crate::model::Pass::keeping(keep))?;
    memory.session_heads_counted_mib = held.stored_bytes().saturating_sub(counted) as f64 / MIB;
    for _ in 0..opts.repeat.max(1) {
        for (i, backend) in Backend::ALL.into_iter().enumerate() {
            let best = bench.time(backend).min(bench.time(backend));
            product_times[i].push(best);
        }
        let t = Instant::now();
        let trace = model.forward(&input, crate::model::Pass::default())?;
        forwards.push(t.elapsed());
        drop(trace);
        // Both reruns start from the held trace with the last trace's buffers in the pool.
        model.set_config(toggled.clone())?;
        let t = Instant::now();
        let rerun = model.forward(&input, crate::model::Pass::reusing(&held))?;
        reruns.push(t.elapsed());
        drop(rerun);
        // The same toggle as a session runs it: the rerun comparing the heads as it goes
        // (reading the held trace's kept heads and taking them over), then the diff.
        let t = Instant::now();
        let rerun = model.forward(&input, crate::model::Pass::comparing(&held, keep))?;
        compared.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(crate::session::Diff::between(&held, &rerun));
        diffs.push(t.elapsed());
        drop(std::mem::replace(&mut held, rerun));
        // Toggled back (untimed), as the session's next toggle would, for the next round.
        model.set_config(original.clone())?;
        let back = model.forward(&input, crate::model::Pass::comparing(&held, keep))?;
        drop(std::mem::replace(&mut held, back));
        if let Some(tb) = &mut train {
            tb.round(&input)?;
        }
    }
    drop(held);
    memory.pooled_after_mib = crate::buffers::pooled_bytes() as f64 / MIB;
    let products: Vec<Rate> = Backend::ALL
        .into_iter()
        .zip(&product_times)
        .map(|(backend, times)| {
            let mut rates: Vec<f64> = times
                .iter()
                .map(|d| ProductBench::flop() / d.as_secs_f64().max(1e-12) / 1e9)
                .collect();
            rates.sort_by(f64::total_cmp);
            Rate {
                backend: backend.name().to_string(),
                gflops: rates.last().copied().unwrap_or(0.0),
                median_gflops: median(&rates),
            }
        })
        .collect();
    let attainable = products.iter().map(|r| r.gflops).fold(0.0, f64::max);
    let mut paired: Vec<f64> = forwards
        .iter()
        .enumerate()
        .map(|(round, t)| {
            let best = product_times
                .iter()
                .filter_map(|times| times.get(round))
                .min()
                .copied()
                .unwrap_or_default();
            let product_rate = ProductBench::flop() / best.as_secs_f64().max(1e-12);
            flop as f64 / t.as_secs_f64().max(1e-12) / product_rate
        })
        .collect();
    paired.sort_by(f64::total_cmp);
    let forward = Times::of(&forwards);
    let bandwidth = Bandwidth::of(weights_bytes as u64, forward.median_ms, stream_read_gbs(3));
    let shapes = opts.shapes.then(|| {
        let mut rates = shapes::of(&c, lengths);
        shapes::measure(&mut rates);
        let alone: f64 = rates.iter().map(|s| s.seconds(linalg::threads())).sum();
        Shapes {
            rates,
            products_alone_ms: alone * 1e3,
            fraction_of_pass: alone * 1e3 / forward.median_ms.max(1e-12),
        }
    });
    let forward_gflops = flop as f64 / (forward.median_ms / 1e3).max(1e-12) / 1e9;
    Ok(Report {
        preset: opts.preset.to_string(),
        arch: c.arch.to_string(),
        sizes: [c.d_model, c.heads, c.d_ff],
        layers: [
            if c.has_encoder() { c.layers.encoder } else { 0 },
            if c.has_decoder() { c.layers.decoder } else { 0 },
        ],
        source_tokens: lengths.source,
        target_tokens: tokens,
        vocab: lengths.vocab,
        repeat: opts.repeat.max(1),
        threads: linalg::threads(),
        products,
        attainable_gflops: attainable,
        forward_flop: flop,
        forward,
        forward_gflops,
        efficiency: if attainable > 0.0 {
            forward_gflops / attainable
        } else {
            0.0
        },
        paired_efficiency: median(&paired),
        load_average,
        rerun_after_toggle: Times::of(&reruns),
        rerun_over_forward: paired_ratio(&reruns, &forwards),
        compared_rerun: Times::of(&compared),
        compared_over_rerun: paired_ratio(&compared, &reruns),
        diff_after_toggle: Times::of(&diffs),
        diff_over_rerun: paired_ratio(&diffs, &reruns),
        diff_cost_over_rerun: {
            // (compared rerun − rerun) + diff, over the rerun, round by round.
            let cost: Vec<Duration> = compared
                .iter()
                .zip(&reruns)
                .zip(&diffs)
                .map(|((c, r), d)| c.saturating_sub(*r) + *d)
                .collect();
            paired_ratio(&cost, &reruns)
        },
        train_step: train.as_ref().map(TrainBench::report),
        shapes,
        memory,
        bandwidth,
        first_trace,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_fraction_is_the_pass_read_rate_over_the_stream_rate() {
        // 178,257,920 bytes (170 MiB) in 100 ms = 1.7825792 GB/s; over 17.825792 GB/s = 0.1.
        let b = Bandwidth::of(178_257_920, 100.0, 17.825_792);
        assert!((b.pass_read_gbs - 1.782_579_2).abs() < 1e-9, "{b:?}");
        assert!((b.fraction - 0.1).abs() < 1e-12, "{b:?}");
        assert_eq!(Bandwidth::of(1, 1.0, 0.0).fraction, 0.0);
    }

    #[test]
    fn sentences_have_the_asked_length_and_a_small_vocabulary() {
        let s = sentence(300, 0);
        let words: Vec<&str> = s.split_whitespace().collect();
        assert_eq!(words.len(), 300);
        let mut distinct = words.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() <= WORDS.len());
        let opts = Options {
            preset: Preset::Tiny,
            arch: Arch::EncoderDecoder,
            tokens: 300,
            repeat: 1,
            probe_exe: None,
            train: false,
            shapes: false,
        };
        let (_, input) = input(&opts).unwrap();
        assert_eq!(input.source.len(), 300);
        assert_eq!(input.target.as_ref().map(Vec::len), Some(300));
    }

    #[test]
    fn paired_ratios_are_the_median_of_each_rounds_ratio() {
        let ms = Duration::from_millis;
        // Rounds: 1/2, 6/3, 3/4 → 0.5, 2.0, 0.75; the median is 0.75 (not 10/9, the ratio of sums).
        assert_eq!(
            paired_ratio(&[ms(1), ms(6), ms(3)], &[ms(2), ms(3), ms(4)]),
            0.75
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[1.0, 2.0, 10.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 10.0]), 2.5);
        let t = Times::of(&[Duration::from_millis(3), Duration::from_millis(1)]);
        assert_eq!((t.min_ms, t.median_ms, t.max_ms), (1.0, 2.0, 3.0));
    }

    /// One quick round at tiny size: the report is complete and consistent (no timing is
    /// checked).
    #[test]
    fn a_tiny_bench_reports_everything() {
        let opts = Options {
            preset: Preset::Tiny,
            arch: Arch::EncoderDecoder,
            tokens: 8,
            repeat: 1,
            probe_exe: None,
            train: false,
            shapes: false,
        };
        let r = run(&opts).unwrap();
        assert_eq!(r.products.len(), Backend::ALL.len());
        assert_eq!(r.source_tokens, 8);
        assert_eq!(r.forward_flop, {
            let c = config(&opts);
            cost::flops(
                &c,
                Lengths {
                    source: 8,
                    target: 8,
                    vocab: r.vocab,
                },
            )
            .total
        });
        assert_eq!(r.memory.trace_predicted_mib, r.memory.trace_counted_mib);
        assert!(r.train_step.is_none());
        let text = render(&r);
        assert!(text.contains("efficiency"), "{text}");
        assert!(text.contains("diff of the two traces"), "{text}");
        assert_eq!(r.diff_after_toggle.median_ms > 0.0, r.diff_over_rerun > 0.0);
        assert!(r.compared_rerun.median_ms > 0.0 && r.compared_over_rerun > 0.0);
        assert!(
            r.diff_cost_over_rerun >= r.diff_over_rerun * 0.999,
            "{text}"
        );
        assert!(
            text.contains("all that showing the changes costs"),
            "{text}"
        );
        assert!(table_row(&r).starts_with("| tiny | encoder-decoder | 8 |"));
    }

    /// With `train`, a training step is timed each round beside a forward pass of the same
    /// model, and with `shapes` every product shape alone (no timing is checked, only that
    /// each was taken).
    #[test]
    fn a_bench_with_train_and_shapes_times_them() {
        let opts = Options {
            preset: Preset::Tiny,
            arch: Arch::EncoderDecoder,
            tokens: 8,
            repeat: 2,
            probe_exe: None,
            train: true,
            shapes: true,
        };
        let r = run(&opts).unwrap();
        let t = r.train_step.as_ref().unwrap();
        assert!(t.step.min_ms > 0.0 && t.forward.min_ms > 0.0);
        assert!(t.step_over_forward > 0.0);
        assert!(render(&r).contains("training step (forward, backward, Adam)"));
        // With `shapes`: every shape timed, adding up to the pass's FLOP.
        let sh = r.shapes.as_ref().unwrap();
        assert!(sh.rates.iter().all(|s| s.gflops > 0.0));
        let flop: f64 = sh.rates.iter().map(shapes::ShapeRate::flop).sum();
        assert_eq!(flop, r.forward_flop as f64);
        assert!(sh.products_alone_ms > 0.0 && sh.fraction_of_pass > 0.0);
        assert!(render(&r).contains("products timed alone"));
    }
}
