//! The whole model: embeddings, the stacks, the tied output projection; `forward` records
//! every step into a [`Trace`].

use std::collections::HashMap;
use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView2};

use super::attention::softmax_rows;
use super::cancel::{Cancelled, Control, Stage};
use super::config::{Arch, Norm, Positional, ValidConfig};
use super::embedding::{TokenEmbedding, sinusoidal};
use super::layer::{Flow, LayerCtx};
use super::linalg::{self, matmul_bt};
use super::norm;
use super::reuse::Previous;
use super::tokenizer::Input;
use super::vocab::{UNK_ID, Vocab};
use super::weights::{EMBEDDING, MissingWeight, Weights, WeightsStamp};
use crate::model::config::Config;
use crate::trace::{Labels, Recorder, SharedMatrix, Step, StepKind, Tensor, Trace, TraceTokens};

/// A configuration change that [`Transformer::set_config`] cannot make in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("changing {field} from {from} to {to} needs new weights: build a new model")]
pub struct NeedsNewWeights {
    /// The field.
    pub field: &'static str,
    /// Its current value.
    pub from: String,
    /// The value asked for.
    pub to: String,
}

impl NeedsNewWeights {
    /// The first field in which `new` differs from `old` in a way the weights of `old` cannot
    /// follow (`arch`, `d_model`, `heads`, `d_ff`, `norm`, `seed`, the layers); `None` when
    /// the weights still fit.
    pub fn between(old: &Config, new: &Config) -> Option<NeedsNewWeights> {
        let fields: [(&'static str, String, String); 6] = [
            ("arch", old.arch.to_string(), new.arch.to_string()),
            ("d_model", old.d_model.to_string(), new.d_model.to_string()),
            ("heads", old.heads.to_string(), new.heads.to_string()),
            ("d_ff", old.d_ff.to_string(), new.d_ff.to_string()),
            ("norm", old.norm.to_string(), new.norm.to_string()),
            ("seed", old.seed.to_string(), new.seed.to_string()),
        ];
        let layers = |c: &Config| {
            format!(
                "{}+{}",
                if c.has_encoder() { c.layers.encoder } else { 0 },
                if c.has_decoder() { c.layers.decoder } else { 0 }
            )
        };
        let layer_field = ("layers", layers(old), layers(new));
        fields
            .into_iter()
            .chain(std::iter::once(layer_field))
            .find(|(_, a, b)| a != b)
            .map(|(field, from, to)| NeedsNewWeights { field, from, to })
    }
}

/// A Transformer: configuration, named weights and token embeddings.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformer {
    config: ValidConfig,
    weights: Weights,
    embedding: TokenEmbedding,
    /// The fixed vocabulary of a model trained (or to be trained) on a corpus; its table is
    /// the weight `embed.E`. `None`: the vocabulary is the sentence's tokens and a token's
    /// vector depends only on (seed, text).
    vocab: Option<Arc<Vocab>>,
    /// Optimiser updates its weights have had (0: as initialised).
    trained_steps: usize,
}

/// Weights that do not fit a configuration (a checkpoint's).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PartsError {
    /// A weight the configuration needs is not there.
    #[error("weight {0} is missing")]
    Missing(String),
    /// A weight the configuration does not have.
    #[error("weight {0} is not part of this model (the configuration has no such weight)")]
    Unexpected(String),
    /// A weight of the wrong shape.
    #[error("weight {name} is {got} but the configuration needs {expected}")]
    Shape {
        /// The weight.
        name: String,
        /// Shape needed.
        expected: String,
        /// Shape found.
        got: String,
    },
    /// A NaN or infinite value.
    #[error("weight {name} has the non-finite value {value} at flat index {index}")]
    NotFinite {
        /// The weight.
        name: String,
        /// Row-major position.
        index: usize,
        /// The value.
        value: f32,
    },
}

/// What one forward pass ([`Transformer::forward`]) is asked for beyond its trace.
/// `Pass::default()` is a plain pass: nothing kept, nothing reused, not cancellable.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pass<'a> {
    /// Keep every attention head's scores and weights (a backward pass, a session's trace).
    pub keep_heads: bool,
    /// A trace of the same tokens whose untouched steps are taken over.
    pub reuse: Option<&'a Trace>,
    /// With `reuse`: compare the heads computed again with the old ones while at hand.
    pub compare: bool,
    /// Where the pass counts its layers and looks for a cancellation.
    pub control: Option<&'a Control>,
}

impl<'a> Pass<'a> {
    /// A pass that keeps its heads when `keep_heads`.
    pub fn keeping(keep_heads: bool) -> Pass<'a> {
        Pass {
            keep_heads,
            ..Pass::default()
        }
    }

    /// A pass that takes over from `previous` what did not change.
    pub fn reusing(previous: &'a Trace) -> Pass<'a> {
        Pass {
            reuse: Some(previous),
            ..Pass::default()
        }
    }

    /// A session's rerun: takes over from `previous` what did not change and compares the heads
    /// computed again with the old ones; keeps its own heads when `keep_heads`.
    pub fn comparing(previous: &'a Trace, keep_heads: bool) -> Pass<'a> {
        Pass {
            keep_heads,
            reuse: Some(previous),
            compare: true,
            control: None,
        }
    }

    /// This pass, counting its layers in `control` and stopping when it asks.
    pub fn controlled(self, control: &'a Control) -> Pass<'a> {
        Pass {
            control: Some(control),
            ..self
        }
    }
}

/// Why a forward pass gave no trace.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForwardError {
    /// A weight the configuration needs is not there.
    #[error(transparent)]
    Missing(#[from] MissingWeight),
    /// The pass's [`Control`] asked it to stop.
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
}

/// Labels `prefix0`, `prefix1`, … of `n` columns.
pub fn dim_labels(prefix: &str, n: usize) -> Labels {
    Arc::new((0..n).map(|i| format!("{prefix}{i}")).collect())
}

impl Transformer {
    /// A model with fresh weights for `config`.
    pub fn new(config: ValidConfig) -> Transformer {
        let weights = Weights::init(&config);
        let embedding = TokenEmbedding::new(config.seed, config.d_model);
        Transformer {
            config,
            weights,
            embedding,
            vocab: None,
            trained_steps: 0,
        }
    }

    /// A model with fresh weights and the fixed vocabulary `vocab`: its embedding table
    /// `embed.E` starts with each token's seeded vector (the vector the token has in an
    /// untrained model without a vocabulary).
    pub fn with_vocab(config: ValidConfig, vocab: Vocab) -> Transformer {
        let embedding = TokenEmbedding::new(config.seed, config.d_model);
        let table = embedding.lookup(vocab.tokens());
        let weights = Weights::init(&config).with_embedding(table);
        Transformer {
            config,
            weights,
            embedding,
            vocab: Some(Arc::new(vocab)),
            trained_steps: 0,
        }
    }

    /// A model from its parts (a checkpoint's), after checking that `weights` has exactly
    /// the names and shapes `config` and `vocab` need and only finite values.
    pub fn from_parts(
        config: ValidConfig,
        weights: Weights,
        vocab: Vocab,
    ) -> Result<Transformer, PartsError> {
        let shape = |s: &[usize]| crate::model::weights::shape_text(s);
        let mut expected = Weights::expected(&config);
        expected.insert(
            0,
            (EMBEDDING.to_string(), vec![vocab.len(), config.d_model]),
        );
        for (name, want) in &expected {
            let got = weights
                .get(name)
                .ok_or_else(|| PartsError::Missing(name.clone()))?;
            if got.shape() != *want {
                return Err(PartsError::Shape {
                    name: name.clone(),
                    expected: shape(want),
                    got: shape(&got.shape()),
                });
            }
            if let Some((index, value)) = got.values().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(PartsError::NotFinite {
                    name: name.clone(),
                    index,
                    value,
                });
            }
        }
        if let Some((name, _)) = weights
            .iter()
            .find(|(n, _)| !expected.iter().any(|(e, _)| e == n))
        {
            return Err(PartsError::Unexpected(name.to_string()));
        }
        let embedding = TokenEmbedding::new(config.seed, config.d_model);
        Ok(Transformer {
            config,
            weights,
            embedding,
            vocab: Some(Arc::new(vocab)),
            trained_steps: 0,
        })
    }

    /// Optimiser updates the weights have had (0: as initialised).
    pub fn trained_steps(&self) -> usize {
        self.trained_steps
    }

    /// Records how many optimiser updates the weights have had (the trainer counts them,
    /// a checkpoint keeps the count).
    pub fn set_trained_steps(&mut self, steps: usize) {
        self.trained_steps = steps;
    }

    /// The row labels of `tokens` in a trace: each token, or `바나나→<unk>` for a word the
    /// fixed vocabulary lacks ([`Vocab::label`]): a trained model reads `<unk>`'s row there,
    /// and every matrix, explanation and export says so.
    pub fn labels(&self, tokens: &[String]) -> Vec<String> {
        match &self.vocab {
            Some(v) => tokens.iter().map(|t| v.label(t)).collect(),
            None => tokens.to_vec(),
        }
    }

    /// The fixed vocabulary, for a model that has one.
    pub fn vocab(&self) -> Option<&Vocab> {
        self.vocab.as_deref()
    }

    /// The vocabulary a pass over `input` scores: the fixed one, or the sentence's tokens.
    pub fn vocab_for(&self, input: &Input) -> Vec<String> {
        match &self.vocab {
            Some(v) => v.tokens().to_vec(),
            None => input.vocab(&self.config),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Switches to `config` keeping the weights and embeddings, when it differs from the
    /// current one only in settings that do not shape the weights (`scale`, `mask`,
    /// `positional`, `embed_scale`, `eps`, `tokenizer`, `max_tokens`). Otherwise nothing
    /// changes and the error names the first field that needs new weights.
    pub fn set_config(&mut self, config: ValidConfig) -> Result<(), NeedsNewWeights> {
        if let Some(e) = NeedsNewWeights::between(&self.config, &config) {
            return Err(e);
        }
        self.config = config;
        Ok(())
    }

    /// The named weights.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The named weights, for overrides.
    pub fn weights_mut(&mut self) -> &mut Weights {
        &mut self.weights
    }

    /// Token embeddings and their overrides.
    pub fn embedding(&self) -> &TokenEmbedding {
        &self.embedding
    }

    /// Token embeddings, for overrides.
    pub fn embedding_mut(&mut self) -> &mut TokenEmbedding {
        &mut self.embedding
    }

    /// The embedding table `embed.E` of a vocabulary (one row per token).
    ///
    /// # Shapes
    /// Returns vocab.len() × d_model.
    pub fn embedding_table(&self, vocab: &[String]) -> Array2<f32> {
        match self.trained_table(vocab) {
            Some(table) => table.to_owned(),
            None => self.embedding.lookup(vocab),
        }
    }

    /// The trained table `embed.E` when the rows of [`Transformer::embedding_table`] for
    /// `vocab` are its rows (a model with that very vocabulary), `None` when they are the
    /// tokens' seeded vectors.
    ///
    /// # Shapes
    /// Returns vocab.len() × d_model.
    pub fn trained_table(&self, vocab: &[String]) -> Option<ArrayView2<'_, f32>> {
        match (&self.vocab, self.weights.matrix(EMBEDDING)) {
            (Some(v), Ok(table)) if v.tokens() == vocab => Some(table),
            _ => None,
        }
    }

    /// Row `id` of [`Transformer::embedding_table`] for `vocab`, without building the table.
    ///
    /// # Shapes
    /// Returns d_model values; `None` when `id` ≥ vocab.len().
    pub fn embedding_row(&self, vocab: &[String], id: usize) -> Option<Array1<f32>> {
        match self.trained_table(vocab) {
            Some(table) => (id < table.nrows()).then(|| table.row(id).to_owned()),
            None => vocab.get(id).map(|t| self.embedding.vector(t)),
        }
    }

    /// Runs the model on `input` and records every step: the one entry point of the forward
    /// pass, asked by `pass` for more than the trace ([`Pass`]):
    ///
    /// - `keep_heads`: every attention head's scores and weights are kept instead of
    ///   recomputed when read (a backward pass reads them all: at `small` with 64 tokens,
    ///   recomputing them cost as much as the forward pass, see docs/performance.md; a
    ///   session keeps them when they fit its memory budget, [`crate::model::cost::heads_bytes`],
    ///   so that the next rerun reads the old heads). More memory, two n × m matrices per head
    ///   and block; the same trace, bit for bit.
    /// - `reuse`: a run again after a change (a setting switched with
    ///   [`Transformer::set_config`], a weight or an embedding set), taking over from that
    ///   trace what the change did not touch: after switching `scale`, the embeddings and the
    ///   first block's `q`, `k`, `v`; after changing a decoder weight, the whole encoder. The
    ///   result is the trace of a plain pass, bit for bit (see [`Previous`] for the rules).
    ///   The trace may come from anywhere: nothing is reused unless its source tokens are
    ///   `input`'s (a step is taken over only when its inputs are the very buffers the
    ///   previous trace used).
    /// - `compare` (with `reuse`, for a rerun whose diff follows, a session's): every attention
    ///   block computed again compares its heads' four steps with the previous trace's while
    ///   they are at hand (the old ones are read where the previous trace kept them, else
    ///   recomputed once). With `keep_heads` the new trace keeps its heads, taking over the
    ///   memory of the old ones as it compares them. A block of another shape or a new source
    ///   sentence is not compared: with `keep_heads`, the old heads are let go of before it is
    ///   computed, so that their memory serves the new ones.
    /// - `control`: the pass counts its layers there and stops with
    ///   [`ForwardError::Cancelled`] at the start of the next layer once a cancellation is
    ///   requested.
    pub fn forward(&self, input: &Input, pass: Pass<'_>) -> Result<Trace, ForwardError> {
        let Some(previous) = pass.reuse else {
            return self.run(input, None, pass.keep_heads, pass.control);
        };
        // The source side decides: with the same source, a new target (one more token
        // while decoding) still takes over the encoder and what depends only on it.
        if *previous.tokens().source != self.labels(&input.source) {
            if pass.compare && pass.keep_heads {
                // Nothing to take over: the old heads' memory serves the new pass.
                previous.release_heads();
            }
            return self.run(input, None, pass.keep_heads, pass.control);
        }
        self.run(
            input,
            Some(Previous {
                trace: previous,
                stamp: previous
                    .origin()
                    .and_then(|o| o.downcast_ref::<WeightsStamp>()),
                compare: pass.compare,
            }),
            pass.keep_heads,
            pass.control,
        )
    }

    /// [`Transformer::pass`], on a thread of rayon's pool when the pass has parallel loops:
    /// each loop (a product's blocks, the heads, LayerNorm rows) then runs part of its work
    /// on the thread that reached it and wakes one other, instead of handing everything to
    /// the pool from outside and sleeping until it is done (two thread switches per loop,
    /// about 150 loops per pass at `base`). A pass without parallel loops stays on the
    /// calling thread (handing it over costs about 70 µs, as much as a whole pass at `tiny`).
    /// The numbers do not change.
    fn run(
        &self,
        input: &Input,
        previous: Option<Previous<'_>>,
        keep_heads: bool,
        control: Option<&Control>,
    ) -> Result<Trace, ForwardError> {
        if self.has_parallel_loops(input) && rayon::current_thread_index().is_none() {
            rayon::scope(|_| self.pass(input, previous, keep_heads, control))
        } else {
            self.pass(input, previous, keep_heads, control)
        }
    }

    /// True when a pass over `input` has a loop that runs on several threads (a product split
    /// by [`linalg::splits`], heads in parallel, LayerNorm rows in parallel).
    fn has_parallel_loops(&self, input: &Input) -> bool {
        let c: &Config = &self.config;
        let n = input
            .source
            .len()
            .max(input.target.as_ref().map_or(0, Vec::len));
        let d = c.d_model;
        linalg::splits(n, d, d.max(c.d_ff))
            || (linalg::threads() > 1
                && (2 * n * n * d >= linalg::PARALLEL_HEADS_MIN_FLOP
                    || n * d >= norm::PARALLEL_MIN_VALUES))
    }

    #[expect(
        clippy::too_many_lines,
        reason = "the forward pass in the paper's order (embeddings, the architecture's stacks, final norms, logits, probs) in one place."
    )]
    fn pass(
        &self,
        input: &Input,
        previous: Option<Previous<'_>>,
        keep_heads: bool,
        control: Option<&Control>,
    ) -> Result<Trace, ForwardError> {
        let cfg: &Config = &self.config;
        let layers = match cfg.arch {
            Arch::Encoder => cfg.layers.encoder,
            Arch::Decoder => cfg.layers.decoder,
            Arch::EncoderDecoder => cfg.layers.encoder + cfg.layers.decoder,
        };
        if let Some(c) = control {
            c.begin(Stage::Layers, layers as u64);
        }
        let mut rec = Recorder::new();
        let source: Labels = Arc::new(self.labels(&input.source));
        let target: Option<Labels> = input.target.as_deref().map(|t| Arc::new(self.labels(t)));
        let vocab: Labels = match &self.vocab {
            Some(v) => Arc::new(v.tokens().to_vec()),
            None => Arc::new(input.vocab(cfg)),
        };
        let mut ctx = LayerCtx {
            config: cfg,
            weights: &self.weights,
            rec: &mut rec,
            dims: dim_labels("d", cfg.d_model),
            ff_dims: dim_labels("h", cfg.d_ff),
            previous,
            keep_heads,
            control,
        };
        // Each distinct token's vector once: the table of the tied output projection, whose
        // rows the embedding steps gather.
        let table = self.embedding_table(&vocab);
        let rows: HashMap<&str, usize> = vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i))
            .collect();
        let lookup = |tokens: &[String]| {
            let mut out = Array2::zeros((tokens.len(), cfg.d_model));
            for (mut row, t) in out.rows_mut().into_iter().zip(tokens) {
                match (rows.get(t.as_str()), &self.vocab) {
                    (Some(i), _) => row.assign(&table.row(*i)),
                    (None, Some(_)) => row.assign(&table.row(UNK_ID)),
                    (None, None) => row.assign(&self.embedding.vector(t)),
                }
            }
            out
        };
        let src = self.embed(&mut ctx, "embed", &source, lookup(&input.source));
        let last = match cfg.arch {
            Arch::Encoder => {
                let x = run_encoder(&mut ctx, src)?;
                final_norm(&mut ctx, x, "final_norm")?
            }
            Arch::Decoder => {
                let mut x = src;
                for l in 0..cfg.layers.decoder {
                    x = ctx.decoder_layer(l, x, None)?;
                }
                final_norm(&mut ctx, x, "final_norm")?
            }
            Arch::EncoderDecoder => {
                let memory = run_encoder(&mut ctx, src)?;
                let memory = final_norm(&mut ctx, memory, "enc.final_norm")?;
                let tgt_rows = target.clone().unwrap_or_else(|| Arc::new(vec![]));
                let emb = lookup(input.target.as_deref().unwrap_or_default());
                let mut x = self.embed(&mut ctx, "dec.embed", &tgt_rows, emb);
                for l in 0..cfg.layers.decoder {
                    x = ctx.decoder_layer(l, x, Some(&memory))?;
                }
                final_norm(&mut ctx, x, "final_norm")?
            }
        };
        let logits = matmul_bt(last.x.view(), table.view());
        let probs = softmax_rows(logits.view());
        rec.record(
            Step::build("logits", StepKind::Logits, Tensor::Matrix(logits))
                .rows(last.rows.clone())
                .cols(vocab.clone())
                .formula(format!(
                    "logits = {} · Eᵀ (output projection tied to the embeddings)",
                    last.name
                ))
                .inputs(vec![last.name.clone(), "embed.E".to_string()])
                .finish(),
        );
        rec.record(
            Step::build("probs", StepKind::Probs, Tensor::Matrix(probs))
                .rows(last.rows)
                .cols(vocab.clone())
                .formula("probs = softmax(logits) row-wise")
                .inputs(vec!["logits".to_string()])
                .finish(),
        );
        Ok(rec
            .finish(TraceTokens {
                source,
                target,
                vocab,
            })
            .with_origin(Arc::new(self.weights.stamp())))
    }

    /// Records `<prefix>.tokens` (`emb`, the tokens' vectors), `<prefix>.pos`,
    /// `<prefix>.sum` and returns the sum.
    fn embed(
        &self,
        ctx: &mut LayerCtx<'_>,
        prefix: &str,
        tokens: &Labels,
        emb: Array2<f32>,
    ) -> Flow {
        let cfg = ctx.config;
        let n = tokens.len();
        let d = cfg.d_model;
        let pos = match cfg.positional {
            Positional::Sinusoidal => sinusoidal(n, d),
            Positional::None => Array2::zeros((n, d)),
        };
        let name = |s: &str| format!("{prefix}.{s}");
        let sum = ctx.adopt(
            &name("sum"),
            SharedMatrix::new(if cfg.embed_scale {
                &emb * (d as f32).sqrt() + &pos
            } else {
                &emb + &pos
            }),
        );
        let emb = ctx.adopt(&name("tokens"), SharedMatrix::new(emb));
        let pos = ctx.adopt(&name("pos"), SharedMatrix::new(pos));
        ctx.rec.record(
            Step::build(name("tokens"), StepKind::TokenEmbedding, emb)
                .rows(tokens.clone())
                .cols(ctx.dims.clone())
                .formula("tokens[i] = E[token_i] (row of the embedding table)")
                .inputs(vec!["embed.E".to_string()])
                .finish(),
        );
        let pos_formula = match cfg.positional {
            Positional::Sinusoidal => {
                "PE[pos][2i] = sin(pos / 10000^(2i/d_model)), PE[pos][2i+1] = cos(pos / 10000^(2i/d_model))"
            }
            Positional::None => "pos = 0 (positional encoding off)",
        };
        ctx.rec.record(
            Step::build(name("pos"), StepKind::Positional, pos)
                .rows(tokens.clone())
                .cols(ctx.dims.clone())
                .formula(pos_formula)
                .inputs(vec![])
                .finish(),
        );
        let sum_formula = if cfg.embed_scale {
            format!(
                "sum = tokens · √d_model + pos = tokens · {:.4} + pos",
                (d as f32).sqrt()
            )
        } else {
            "sum = tokens + pos".to_string()
        };
        ctx.rec.record(
            Step::build(name("sum"), StepKind::EmbeddingSum, sum.clone())
                .rows(tokens.clone())
                .cols(ctx.dims.clone())
                .formula(sum_formula)
                .inputs(vec![name("tokens"), name("pos")])
                .finish(),
        );
        Flow {
            x: sum,
            name: name("sum"),
            rows: tokens.clone(),
        }
    }
}

fn run_encoder(ctx: &mut LayerCtx<'_>, mut x: Flow) -> Result<Flow, ForwardError> {
    for l in 0..ctx.config.layers.encoder {
        x = ctx.encoder_layer(l, x)?;
    }
    Ok(x)
}

/// Pre-LN stacks end with a LayerNorm `name` (weights `<name>.gamma/beta`); post-LN stacks
/// already end with one, so `x` is returned as is.
fn final_norm(ctx: &mut LayerCtx<'_>, x: Flow, name: &str) -> Result<Flow, MissingWeight> {
    if ctx.config.norm == Norm::Pre {
        ctx.record_norm(name.to_string(), name, &x, StepKind::LayerNorm)
    } else {
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Preset;

    #[test]
    fn set_config_keeps_weights_or_says_why_not() {
        let c = Config::preset(Preset::Tiny);
        let mut m = Transformer::new(c.validate().unwrap());
        let w = m.weights().clone();
        let mut off = c.clone();
        off.scale = false;
        m.set_config(off.validate().unwrap()).unwrap();
        assert!(!m.config().scale);
        assert_eq!(m.weights(), &w);
        let mut bigger = c;
        bigger.d_ff = 64;
        let err = m.set_config(bigger.validate().unwrap()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "changing d_ff from 32 to 64 needs new weights: build a new model"
        );
        assert!(!m.config().scale);
    }
}
