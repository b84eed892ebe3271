//! The time to the first trace of a fresh process: `qkv bench` starts itself again with
//! `--probe` three times, and the child builds the model and runs the workbench's pass once.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Serialize;

use super::{BenchError, Options, input};
use crate::model::Transformer;

/// The time to the first trace of a fresh process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstTrace {
    /// From starting the process to reading its report (median of 3).
    pub from_process_start_ms: f64,
    /// Inside the child: building the model (weights).
    pub init_ms: f64,
    /// Inside the child: the forward pass.
    pub forward_ms: f64,
}

/// The child side of the first-trace timing: builds the model and runs it once as the
/// workbench does (keeping every head when they fit: `crate::scenario::memory_check`),
/// returning the line to print (`init_ms forward_ms`).
pub fn probe(opts: &Options) -> Result<String, BenchError> {
    let t = Instant::now();
    let (valid, input) = input(opts)?;
    let model = Transformer::new(valid);
    let init = t.elapsed();
    let keep = crate::scenario::heads_fit(model.config(), &input);
    let t = Instant::now();
    let trace = model.forward(&input, crate::model::Pass::keeping(keep))?;
    let forward = t.elapsed();
    std::hint::black_box(&trace);
    Ok(format!(
        "{:.4} {:.4}",
        init.as_secs_f64() * 1e3,
        forward.as_secs_f64() * 1e3
    ))
}

pub(super) fn first_trace(exe: &Path, opts: &Options) -> Result<FirstTrace, BenchError> {
    let fail = |message: String| BenchError::Probe {
        exe: exe.to_path_buf(),
        message,
    };
    let mut samples = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let mut child = Command::new(exe)
            .args([
                "bench",
                "--probe",
                "--preset",
                &opts.preset.to_string(),
                "--arch",
                &opts.arch.to_string(),
                "--tokens",
                &opts.tokens.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| fail(e.to_string()))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            BufReader::new(out)
                .read_line(&mut line)
                .map_err(|e| fail(e.to_string()))?;
        }
        let elapsed = start.elapsed();
        let status = child.wait().map_err(|e| fail(e.to_string()))?;
        let nums: Vec<f64> = line
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        match nums.as_slice() {
            [init, forward] if status.success() => samples.push((elapsed, *init, *forward)),
            _ => return Err(fail(format!("unexpected report {line:?} ({status})"))),
        }
    }
    samples.sort_by_key(|s| s.0);
    let (elapsed, init, forward) = samples[samples.len() / 2];
    Ok(FirstTrace {
        from_process_start_ms: elapsed.as_secs_f64() * 1e3,
        init_ms: init,
        forward_ms: forward,
    })
}
