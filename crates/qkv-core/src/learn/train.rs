//! Training on a corpus: minibatches of sentence pairs, the gradients of each pair summed
//! (in batch order, so the result does not depend on the number of threads) and averaged,
//! then one optimiser update.

use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rayon::prelude::*;

use crate::model::config::{Arch, Problem};
use crate::model::{Input, Param, Pass, Transformer};

use super::backward::{BackwardError, backward_with};
use super::corpus::{Corpus, Pair};
use super::decode::{DecodeError, greedy};
use super::optim::{Method, Optimizer, Schedule};

/// The model `qkv train` builds when no scenario or flag says otherwise: an
/// encoder-decoder of d_model 32, 4 heads (d_k 8), d_ff 64, 2 + 2 layers, post-LN, seed 42.
pub fn default_config() -> crate::model::Config {
    let mut c = crate::model::Config::preset(crate::model::Preset::Tiny);
    c.d_model = 32;
    c.heads = 4;
    c.d_ff = 64;
    c.layers.encoder = 2;
    c.layers.decoder = 2;
    c
}

/// Settings of a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Optimiser updates to make.
    pub steps: usize,
    /// Sentence pairs per update (their gradients are averaged).
    pub batch: usize,
    /// Update rule.
    pub method: Method,
    /// Learning-rate schedule.
    pub schedule: Schedule,
    /// Label smoothing ε (0: none; the paper uses 0.1).
    pub smoothing: f32,
    /// Seed of the order in which pairs are visited.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            steps: 1000,
            batch: 16,
            method: Method::Adam,
            schedule: Schedule::Paper {
                warmup: 100,
                factor: 0.5,
            },
            smoothing: 0.0,
            seed: 42,
        }
    }
}

/// Why training cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    /// An encoder-only model has nothing to generate.
    #[error(
        "an encoder-only model cannot be trained on a corpus: use arch encoder-decoder (translation) or decoder (next word)"
    )]
    Arch,
    /// The model has no fixed vocabulary.
    #[error(
        "the model has no fixed vocabulary: build it from the corpus (Transformer::with_vocab)"
    )]
    NoVocab,
    /// A pair does not fit the model.
    #[error("corpus line {line}: {problem}")]
    Pair {
        /// Line in the corpus.
        line: usize,
        /// What does not fit.
        problem: Problem,
    },
    /// Bad options.
    #[error("{0}")]
    Options(String),
    /// The run's predicted memory is past the budget ([`crate::limits::check_memory`]).
    #[error("training this model (batch {batch}, sentences of up to {tokens} tokens) needs {over}")]
    Memory {
        /// Pairs per update.
        batch: usize,
        /// Longest sentence of the corpus, in tokens.
        tokens: usize,
        /// The prediction and the budget.
        over: crate::limits::OverBudget,
    },
    /// The backward pass failed.
    #[error(transparent)]
    Backward(#[from] BackwardError),
    /// Decoding failed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// One pair's loss, predicted tokens and weight gradients.
type PairGrads = (f64, usize, Vec<(String, Param)>);

/// What one update did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepStats {
    /// Update number (from 1).
    pub step: usize,
    /// Mean loss of the batch before the update.
    pub loss: f64,
    /// Learning rate used.
    pub rate: f32,
    /// Tokens predicted in the batch.
    pub tokens: usize,
}

/// The model's input for a pair: source + `<bos> target` for an encoder-decoder, `<bos>
/// target <eos>` alone for a decoder-only model (which learns the target language).
pub fn pair_input(model: &Transformer, pair: &Pair) -> Result<Input, TrainError> {
    let c = model.config();
    let made = match c.arch {
        Arch::EncoderDecoder => {
            Input::new(c, &pair.source, Some(&format!("<bos> {}", pair.target)))
        }
        Arch::Decoder => Input::new(c, &format!("<bos> {} <eos>", pair.target), None),
        Arch::Encoder => return Err(TrainError::Arch),
    };
    made.map_err(|mut p| TrainError::Pair {
        line: pair.line,
        problem: p.remove(0),
    })
}

/// A model being trained, its optimiser and data.
#[derive(Debug, Clone)]
pub struct Trainer {
    /// The model (its weights change with every update).
    pub model: Transformer,
    /// The optimiser and its state.
    pub optimizer: Optimizer,
    /// The settings.
    pub options: TrainOptions,
    train: Vec<Input>,
    held_out: Vec<Input>,
    /// Held-out pairs, for exact-match.
    held_out_pairs: Vec<Pair>,
    order: Vec<usize>,
    cursor: usize,
    epoch: u64,
    /// Every update so far.
    pub history: Vec<StepStats>,
    /// What the run costs, predicted when it was set up.
    plan: Plan,
}

impl Trainer {
    /// A trainer of `model` (which must have a fixed vocabulary) on `corpus`.
    pub fn new(
        model: Transformer,
        corpus: &Corpus,
        options: TrainOptions,
    ) -> Result<Trainer, TrainError> {
        if model.config().arch == Arch::Encoder {
            return Err(TrainError::Arch);
        }
        if model.vocab().is_none() {
            return Err(TrainError::NoVocab);
        }
        if options.batch == 0 {
            return Err(TrainError::Options("batch must be at least 1".into()));
        }
        if !(0.0..1.0).contains(&options.smoothing) {
            return Err(TrainError::Options(format!(
                "label smoothing {} is outside 0 ≤ ε < 1",
                options.smoothing
            )));
        }
        if let Some(why) = options.schedule.problem() {
            return Err(TrainError::Options(why));
        }
        let train = corpus
            .training()
            .map(|p| pair_input(&model, p))
            .collect::<Result<Vec<_>, _>>()?;
        let held_out_pairs: Vec<Pair> = corpus.held_out().cloned().collect();
        let held_out = held_out_pairs
            .iter()
            .map(|p| pair_input(&model, p))
            .collect::<Result<Vec<_>, _>>()?;
        let plan = Plan::of(&model, &train, &held_out, options.batch);
        plan.check_memory()?;
        Ok(Trainer {
            optimizer: Optimizer::new(options.method, options.schedule),
            model,
            options,
            train,
            held_out,
            held_out_pairs,
            order: Vec::new(),
            cursor: 0,
            epoch: 0,
            history: Vec::new(),
            plan,
        })
    }

    /// Updates made so far.
    pub fn steps_done(&self) -> usize {
        self.optimizer.steps()
    }

    /// What an update and an evaluation cost, predicted when the run was set up.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Training pairs.
    pub fn training_pairs(&self) -> usize {
        self.train.len()
    }

    /// The next `batch` training inputs: every pair once per epoch, in an order shuffled by
    /// the seed and the epoch number (a batch larger than the corpus is the whole corpus).
    fn next_batch(&mut self) -> Vec<usize> {
        let size = self.options.batch.min(self.train.len().max(1));
        let mut out = Vec::with_capacity(size);
        while out.len() < size {
            if self.cursor >= self.order.len() {
                self.order = (0..self.train.len()).collect();
                let mut rng = ChaCha8Rng::seed_from_u64(
                    self.options.seed ^ self.epoch.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                );
                self.order.shuffle(&mut rng);
                self.cursor = 0;
                self.epoch += 1;
            }
            out.push(self.order[self.cursor]);
            self.cursor += 1;
        }
        out
    }

    /// One update: the batch's gradients, averaged, then the optimiser.
    ///
    /// The pairs are worked on in groups of one per thread; each group's gradients are
    /// added into the sum, in batch order, before the next group starts. So the memory is
    /// that of one group whatever the batch size (see [`crate::model::cost::training_bytes`]),
    /// and the sum is the same, bit for bit, on any number of threads.
    pub fn step(&mut self) -> Result<StepStats, TrainError> {
        let batch = self.next_batch();
        let model = &self.model;
        let smoothing = self.options.smoothing;
        let mut sum: Option<Vec<(String, Param)>> = None;
        let (mut loss, mut tokens) = (0.0, 0);
        for group in batch.chunks(at_once()) {
            let results: Vec<Result<PairGrads, TrainError>> = group
                .par_iter()
                .map(|i| {
                    let trace = model
                        .forward(&self.train[*i], Pass::keeping(true))
                        .map_err(|e| TrainError::Backward(e.into()))?;
                    let g = backward_with(model, &trace, smoothing, false)?;
                    Ok((g.loss.value, g.loss.predicted(), g.weights))
                })
                .collect();
            for r in results {
                let (l, t, g) = r?;
                loss += l;
                tokens += t;
                match &mut sum {
                    None => sum = Some(g),
                    Some(acc) => add_into(acc, &g),
                }
            }
        }
        let mut grads = sum.unwrap_or_default();
        let scale = 1.0 / batch.len().max(1) as f32;
        for (_, p) in &mut grads {
            match p {
                Param::Matrix(m) => m.mapv_inplace(|v| v * scale),
                Param::Vector(v) => v.mapv_inplace(|x| x * scale),
            }
        }
        let d_model = self.model.config().d_model;
        let rate = self
            .optimizer
            .update(self.model.weights_mut(), &grads, d_model);
        let done = self.model.trained_steps() + 1;
        self.model.set_trained_steps(done);
        let stats = StepStats {
            step: self.optimizer.steps(),
            loss: loss / batch.len().max(1) as f64,
            rate,
            tokens,
        };
        self.history.push(stats);
        Ok(stats)
    }

    /// Mean loss over the held-out pairs (`None` without any).
    pub fn held_out_loss(&self) -> Result<Option<f64>, TrainError> {
        mean_loss(&self.model, &self.held_out, self.options.smoothing)
    }

    /// Mean loss over the training pairs.
    pub fn training_loss(&self) -> Result<Option<f64>, TrainError> {
        mean_loss(&self.model, &self.train, self.options.smoothing)
    }

    /// Held-out pairs whose greedy translation equals the reference exactly: (right, total,
    /// the wrong ones as (pair, output)).
    pub fn held_out_exact_match(&self) -> Result<ExactMatch, TrainError> {
        exact_match(&self.model, &self.held_out_pairs)
    }
}

/// What a training run will cost, predicted from the corpus and the model before the
/// first update (the formulas of [`crate::model::cost`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Pairs per update (the batch, at most the training pairs).
    pub batch: usize,
    /// The longest pair's sizes and the model's vocabulary.
    pub longest: crate::model::cost::Lengths,
    /// Peak bytes of an update ([`crate::model::cost::training_bytes`] for the longest pair).
    pub bytes: u64,
    /// Floating-point operations of one update: the forward pass's
    /// ([`crate::model::cost::flops`]) of an average pair, three times (the backward pass
    /// costs about twice the forward), times the batch.
    pub flop_per_update: u64,
    /// Floating-point operations of one loss evaluation over every training pair.
    pub flop_per_evaluation: u64,
}

impl Plan {
    /// The plan of training `model` on `train` (and evaluating on `held_out`) with `batch`
    /// pairs per update.
    fn of(model: &Transformer, train: &[Input], held_out: &[Input], batch: usize) -> Plan {
        use crate::model::cost::{Lengths, flops};
        let c = model.config();
        let fixed = model.vocab().map(crate::model::Vocab::len);
        let lengths = |i: &Input| {
            let (source, target) = (i.source.len(), i.target.as_ref().map_or(0, Vec::len));
            Lengths {
                source,
                target,
                vocab: fixed.unwrap_or(source + target + 2),
            }
        };
        let mut longest = Lengths {
            source: 0,
            target: 0,
            vocab: 0,
        };
        for n in train.iter().chain(held_out).map(lengths) {
            longest.source = longest.source.max(n.source);
            longest.target = longest.target.max(n.target);
            longest.vocab = longest.vocab.max(n.vocab);
        }
        let evaluation: u64 = train
            .iter()
            .map(|i| flops(c, lengths(i)).total)
            .fold(0, u64::saturating_add);
        let batch = batch.min(train.len().max(1));
        let average = evaluation / train.len().max(1) as u64;
        Plan {
            batch,
            longest,
            bytes: crate::model::cost::training_bytes(c, longest, batch, at_once()),
            flop_per_update: average.saturating_mul(3).saturating_mul(batch as u64),
            flop_per_evaluation: evaluation,
        }
    }

    /// Refuses the run when [`Plan::bytes`] is past the memory budget
    /// ([`crate::limits::check_memory`]).
    pub fn check_memory(&self) -> Result<(), TrainError> {
        crate::limits::check_memory(self.bytes).map_err(|over| TrainError::Memory {
            batch: self.batch,
            tokens: self.longest.source.max(self.longest.target),
            over,
        })
    }
}

/// Pairs whose gradients are computed at the same time: one per thread of the pool.
fn at_once() -> usize {
    rayon::current_num_threads().max(1)
}

/// Greedy exact-match over some pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactMatch {
    /// Pairs translated exactly.
    pub right: usize,
    /// Pairs tried.
    pub total: usize,
    /// The others: the pair and what the model produced.
    pub wrong: Vec<(Pair, String)>,
}

impl ExactMatch {
    /// right / total (1 when there is nothing to try).
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

/// Greedy translations of `pairs` (encoder-decoder) or continuations of `<bos>` plus the
/// first target word (decoder-only) compared with the references.
pub fn exact_match(model: &Transformer, pairs: &[Pair]) -> Result<ExactMatch, TrainError> {
    let results: Vec<Result<(bool, String), TrainError>> = pairs
        .par_iter()
        .map(|p| {
            let limit = p.target.split_whitespace().count() + 4;
            let out = match model.config().arch {
                Arch::Decoder => {
                    let first = p.target.split_whitespace().next().unwrap_or("");
                    let d = greedy(model, &format!("<bos> {first}"), limit)?;
                    let mut words = vec![first.to_string()];
                    words.extend(d.output_words());
                    words.join(" ")
                }
                _ => greedy(model, &p.source, limit)?.output_words().join(" "),
            };
            Ok((out == p.target, out))
        })
        .collect();
    let mut m = ExactMatch {
        right: 0,
        total: pairs.len(),
        wrong: Vec::new(),
    };
    for (p, r) in pairs.iter().zip(results) {
        let (ok, out) = r?;
        if ok {
            m.right += 1;
        } else {
            m.wrong.push((p.clone(), out));
        }
    }
    Ok(m)
}

fn mean_loss(
    model: &Transformer,
    inputs: &[Input],
    smoothing: f32,
) -> Result<Option<f64>, TrainError> {
    if inputs.is_empty() {
        return Ok(None);
    }
    let losses: Vec<Result<f64, TrainError>> = inputs
        .par_iter()
        .map(|i| Ok(super::gradcheck::loss_of(model, i, smoothing)?))
        .collect();
    let mut total = 0.0;
    for l in losses {
        total += l?;
    }
    Ok(Some(total / inputs.len() as f64))
}

/// `acc += g`, weight by weight (same names in the same order).
fn add_into(acc: &mut [(String, Param)], g: &[(String, Param)]) {
    for ((_, a), (_, b)) in acc.iter_mut().zip(g) {
        match (a, b) {
            (Param::Matrix(a), Param::Matrix(b)) if a.dim() == b.dim() => {
                let a: &mut Array2<f32> = a;
                *a += b;
            }
            (Param::Vector(a), Param::Vector(b)) if a.len() == b.len() => {
                let a: &mut Array1<f32> = a;
                *a += b;
            }
            _ => {}
        }
    }
}
