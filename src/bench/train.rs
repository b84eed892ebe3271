//! `qkv bench --train`: a training step timed beside a forward pass of the same model.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::{BenchError, Times, paired_ratio};
use crate::model::{Input, Transformer};

/// A training step's time, next to a forward pass's (see [`Report::train_step`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainStep {
    /// The step: forward pass keeping the heads, backward pass, Adam update.
    pub step: Times,
    /// A forward pass of the same model, in the same rounds.
    pub forward: Times,
    /// Median over the rounds of step / forward.
    pub step_over_forward: f64,
    /// Median over the rounds of the minor page faults the whole process took during the
    /// step (`None` off Linux): memory the allocator gave back to the system and took again.
    /// The first two steps take memory the process did not have yet (Adam's moments, the
    /// heap growing to what a step needs), so the median means the steady state from about
    /// five rounds on.
    pub page_faults_per_step: Option<f64>,
}

/// Times a training step and a forward pass of a model with the input's vocabulary, once per
/// call (one round).
pub(super) struct TrainBench {
    model: Transformer,
    optimizer: crate::learn::optim::Optimizer,
    steps: Vec<Duration>,
    forwards: Vec<Duration>,
    faults: Vec<u64>,
}

impl TrainBench {
    pub(super) fn new(valid: crate::model::ValidConfig, input: &Input) -> TrainBench {
        let words: Vec<&str> = input
            .source
            .iter()
            .chain(input.target.iter().flatten())
            .map(String::as_str)
            .collect();
        let vocab = crate::model::Vocab::build(words);
        TrainBench {
            model: Transformer::with_vocab(valid, vocab),
            optimizer: crate::learn::optim::Optimizer::new(
                crate::learn::optim::Method::Adam,
                crate::learn::optim::Schedule::Constant(1e-4),
            ),
            steps: Vec::new(),
            forwards: Vec::new(),
            faults: Vec::new(),
        }
    }

    /// One forward pass and one training step, timed; as `Trainer::step` runs a step (the
    /// trace is gone before the update).
    pub(super) fn round(&mut self, input: &Input) -> Result<(), BenchError> {
        let t = Instant::now();
        std::hint::black_box(self.model.forward(input, crate::model::Pass::default())?);
        self.forwards.push(t.elapsed());
        let faults = super::proc_minor_faults();
        let t = Instant::now();
        let trace = self
            .model
            .forward(input, crate::model::Pass::keeping(true))?;
        let grads = crate::learn::backward_with(&self.model, &trace, 0.0, false)?;
        drop(trace);
        let d = self.model.config().d_model;
        self.optimizer
            .update(self.model.weights_mut(), &grads.weights, d);
        self.steps.push(t.elapsed());
        if let (Some(before), Some(after)) = (faults, super::proc_minor_faults()) {
            self.faults.push(after.saturating_sub(before));
        }
        Ok(())
    }

    pub(super) fn report(&self) -> TrainStep {
        TrainStep {
            step: Times::of(&self.steps),
            forward: Times::of(&self.forwards),
            step_over_forward: paired_ratio(&self.steps, &self.forwards),
            page_faults_per_step: median_count(&self.faults),
        }
    }
}

/// The median of counts (the bench's [`super::median`]), `None` for none.
fn median_count(counts: &[u64]) -> Option<f64> {
    let mut v: Vec<f64> = counts.iter().map(|c| *c as f64).collect();
    v.sort_by(f64::total_cmp);
    (!v.is_empty()).then(|| super::median(&v))
}
