//! The whole model: embeddings, the stacks, the tied output projection; `forward` records
//! every step into a [`Trace`].

use std::sync::Arc;

use ndarray::Array2;

use super::attention::softmax_rows;
use super::config::{Arch, Norm, Positional, ValidConfig};
use super::embedding::{TokenEmbedding, sinusoidal};
use super::layer::{Flow, LayerCtx};
use super::linalg::matmul_bt;
use super::tokenizer::Input;
use super::weights::{MissingWeight, Weights};
use crate::model::config::Config;
use crate::trace::{Labels, Recorder, SharedMatrix, Step, StepKind, Tensor, Trace, TraceTokens};

/// A Transformer: configuration, named weights and token embeddings.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformer {
    config: ValidConfig,
    weights: Weights,
    embedding: TokenEmbedding,
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
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
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
        self.embedding.lookup(vocab)
    }

    /// Runs the model on `input` and records every step.
    pub fn forward(&self, input: &Input) -> Result<Trace, MissingWeight> {
        let cfg: &Config = &self.config;
        let mut rec = Recorder::new();
        let source: Labels = Arc::new(input.source.clone());
        let target: Option<Labels> = input.target.clone().map(Arc::new);
        let vocab: Labels = Arc::new(input.vocab(cfg));
        let mut ctx = LayerCtx {
            config: cfg,
            weights: &self.weights,
            rec: &mut rec,
            dims: dim_labels("d", cfg.d_model),
            ff_dims: dim_labels("h", cfg.d_ff),
        };
        let src = self.embed(&mut ctx, "embed", &source);
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
                let mut x = self.embed(&mut ctx, "dec.embed", &tgt_rows);
                for l in 0..cfg.layers.decoder {
                    x = ctx.decoder_layer(l, x, Some(&memory))?;
                }
                final_norm(&mut ctx, x, "final_norm")?
            }
        };
        let table = self.embedding_table(&vocab);
        let logits = matmul_bt(last.x.view(), table.view());
        let (probs, _) = softmax_rows(logits.view());
        rec.record(Step::new(
            "logits",
            StepKind::Logits,
            Tensor::Matrix(logits),
            last.rows.clone(),
            vocab.clone(),
            format!(
                "logits = {} · Eᵀ (output projection tied to the embeddings)",
                last.name
            ),
            vec![last.name.clone(), "embed.E".to_string()],
        ));
        rec.record(Step::new(
            "probs",
            StepKind::Probs,
            Tensor::Matrix(probs),
            last.rows,
            vocab.clone(),
            "probs = softmax(logits) row-wise",
            vec!["logits".to_string()],
        ));
        Ok(rec.finish(TraceTokens {
            source,
            target,
            vocab,
        }))
    }

    /// Records `<prefix>.tokens`, `<prefix>.pos`, `<prefix>.sum` and returns the sum.
    fn embed(&self, ctx: &mut LayerCtx<'_>, prefix: &str, tokens: &Labels) -> Flow {
        let cfg = ctx.config;
        let n = tokens.len();
        let d = cfg.d_model;
        let emb = self.embedding.lookup(tokens);
        let pos = match cfg.positional {
            Positional::Sinusoidal => sinusoidal(n, d),
            Positional::None => Array2::zeros((n, d)),
        };
        let sum = SharedMatrix::new(if cfg.embed_scale {
            &emb * (d as f32).sqrt() + &pos
        } else {
            &emb + &pos
        });
        let name = |s: &str| format!("{prefix}.{s}");
        ctx.rec.record(Step::new(
            name("tokens"),
            StepKind::TokenEmbedding,
            Tensor::Matrix(emb),
            tokens.clone(),
            ctx.dims.clone(),
            "tokens[i] = E[token_i] (row of the embedding table)",
            vec!["embed.E".to_string()],
        ));
        let pos_formula = match cfg.positional {
            Positional::Sinusoidal => {
                "PE[pos][2i] = sin(pos / 10000^(2i/d_model)), PE[pos][2i+1] = cos(pos / 10000^(2i/d_model))"
            }
            Positional::None => "pos = 0 (positional encoding off)",
        };
        ctx.rec.record(Step::new(
            name("pos"),
            StepKind::Positional,
            Tensor::Matrix(pos),
            tokens.clone(),
            ctx.dims.clone(),
            pos_formula,
            vec![],
        ));
        let sum_formula = if cfg.embed_scale {
            format!(
                "sum = tokens · √d_model + pos = tokens · {:.4} + pos",
                (d as f32).sqrt()
            )
        } else {
            "sum = tokens + pos".to_string()
        };
        ctx.rec.record(Step::with_numbers(
            name("sum"),
            StepKind::EmbeddingSum,
            sum.clone().into(),
            tokens.clone(),
            ctx.dims.clone(),
            sum_formula,
            vec![name("tokens"), name("pos")],
        ));
        Flow {
            x: sum,
            name: name("sum"),
            rows: tokens.clone(),
        }
    }
}

fn run_encoder(ctx: &mut LayerCtx<'_>, mut x: Flow) -> Result<Flow, MissingWeight> {
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
