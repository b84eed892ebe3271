//! Encoder and decoder layers: sublayers wrapped in residual connections and LayerNorm.
//!
//! Post-LN (paper, default): `add_normK.sum = x + Sublayer(x)`, `add_normK.out =
//! LayerNorm(sum)`; the layer's output is the last `add_normK.out`.
//! Pre-LN: `add_normK.out = LayerNorm(x)` is the sublayer's input and `add_normK.sum = x +
//! Sublayer(add_normK.out)` is the residual stream; the layer's output is the last
//! `add_normK.sum`. So `.out` is always a LayerNorm output and `.sum` always a residual sum.

use ndarray::Array2;

use super::attention::{AttnCall, MultiHeadAttention, attention_settings};
use super::config::{Config, MaskKind, Norm};
use super::ffn::FeedForward;
use super::norm::LayerNorm;
use super::reuse::Previous;
use super::transformer::ForwardError;
use super::vecmath;
use super::weights::{MissingWeight, Weights};
use crate::trace::{
    AttentionSettings, Block, Labels, Numbers, Recorder, SharedMatrix, Side, Step, StepKind,
    StepName,
};

/// What every layer needs to run and record.
pub struct LayerCtx<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The weights.
    pub weights: &'a Weights,
    /// Where steps go.
    pub rec: &'a mut Recorder,
    /// Labels of the d_model columns (`d0`, `d1`, …).
    pub dims: Labels,
    /// Labels of the d_ff columns (`h0`, `h1`, …).
    pub ff_dims: Labels,
    /// A trace of the same tokens whose unchanged steps may be reused.
    pub previous: Option<Previous<'a>>,
    /// Keep every attention head's scores and weights (a pass for training, a workbench
    /// session's trace; with `previous` comparing, the previous trace's heads are taken over).
    pub keep_heads: bool,
    /// Where each layer counts itself and looks for a cancellation.
    pub control: Option<&'a super::cancel::Control>,
}

/// A tensor flowing through the stack and the name of the step that holds it.
pub struct Flow {
    /// The values (shared with the step that recorded them).
    ///
    /// # Shapes
    /// n × d_model.
    pub x: SharedMatrix,
    /// Canonical name of the step it was recorded as.
    pub name: String,
    /// Row labels (tokens).
    pub rows: Labels,
}

impl LayerCtx<'_> {
    /// The LayerNorm whose weights are `<prefix>.gamma` / `<prefix>.beta`.
    pub fn layer_norm(&self, prefix: &str) -> Result<LayerNorm<'_>, MissingWeight> {
        Ok(LayerNorm {
            gamma: self.weights.vector(&format!("{prefix}.gamma"))?,
            beta: self.weights.vector(&format!("{prefix}.beta"))?,
            eps: self.config.eps,
        })
    }

    fn feed_forward(&self, prefix: &str) -> Result<FeedForward<'_>, MissingWeight> {
        let w = self.weights;
        Ok(FeedForward {
            w1: w.matrix(&format!("{prefix}.W1"))?,
            b1: w.vector(&format!("{prefix}.b1"))?,
            w2: w.matrix(&format!("{prefix}.W2"))?,
            b2: w.vector(&format!("{prefix}.b2"))?,
        })
    }

    /// Records a LayerNorm output `name` of `x`, with weights `<norm>.gamma/beta`.
    ///
    /// # Shapes
    /// `x`: n × d_model → n × d_model.
    pub fn record_norm(
        &mut self,
        name: String,
        norm: &str,
        x: &Flow,
        kind: StepKind,
    ) -> Result<Flow, MissingWeight> {
        let y = self.adopt(
            &name,
            SharedMatrix::new(self.layer_norm(norm)?.forward(x.x.view())),
        );
        self.rec.record(Step::build(name.clone(), kind, y.clone()).rows(x.rows.clone()).cols(self.dims.clone()).formula(format!(
                "out = (x − mean) / √(var + eps) · gamma + beta, over each row of {} (eps = {:e})",
                x.name, self.config.eps
            )).inputs(vec![
                x.name.clone(),
                format!("{norm}.gamma"),
                format!("{norm}.beta"),
            ]).finish());
        Ok(Flow {
            x: y,
            name,
            rows: x.rows.clone(),
        })
    }

    /// One sublayer with its residual connection and LayerNorm (post or pre, see the module
    /// docs). `an` is the step prefix (`enc.0.add_norm1`), `norm` the weight prefix
    /// (`enc.0.norm1`); `sublayer` runs on its input and returns (output, output step name).
    fn residual(
        &mut self,
        input: Flow,
        an: &str,
        norm: &str,
        sublayer: impl FnOnce(&mut Self, &Flow) -> Result<(SharedMatrix, String), MissingWeight>,
    ) -> Result<Flow, MissingWeight> {
        let pre = self.config.norm == Norm::Pre;
        let (y, y_name) = if pre {
            let normed =
                self.record_norm(format!("{an}.out"), norm, &input, StepKind::LayerNorm)?;
            sublayer(self, &normed)?
        } else {
            sublayer(self, &input)?
        };
        let sum_name = format!("{an}.sum");
        let sum = residual_sum(&input.x, &y);
        let sum = self.adopt(&sum_name, SharedMatrix::new(sum));
        self.rec.record(
            Step::build(sum_name.clone(), StepKind::ResidualSum, sum.clone())
                .rows(input.rows.clone())
                .cols(self.dims.clone())
                .formula(format!("sum = {} + {}", input.name, y_name))
                .inputs(vec![input.name.clone(), y_name])
                .finish(),
        );
        let sum = Flow {
            x: sum,
            name: sum_name,
            rows: input.rows,
        };
        if pre {
            Ok(sum)
        } else {
            self.record_norm(format!("{an}.out"), norm, &sum, StepKind::LayerNorm)
        }
    }

    fn attend(
        &mut self,
        prefix: &str,
        q_in: &Flow,
        kv_in: Option<&Flow>,
        causal: bool,
    ) -> Result<(SharedMatrix, String), MissingWeight> {
        let kv = kv_in.unwrap_or(q_in);
        let call = AttnCall {
            prefix,
            heads: self.config.heads,
            scale: self.config.scale,
            causal,
            q_from: &q_in.name,
            kv_from: &kv.name,
            q_tokens: q_in.rows.clone(),
            kv_tokens: kv.rows.clone(),
            dims: self.dims.clone(),
            keep_heads: self.keep_heads,
            compare_with: self
                .previous
                .filter(|p| p.compare)
                .and_then(|p| p.trace.get(&format!("{prefix}.scores"))),
        };
        let mha = attention_weights(self.weights, prefix)?;
        let out_name = format!("{prefix}.out");
        let mut projections: [Option<SharedMatrix>; 3] = [None, None, None];
        if let Some(prev) = self.same_weights(prefix, &["W_Q", "W_K", "W_V", "W_O"]) {
            let same = [
                Self::same_input(prev, &format!("{prefix}.q"), 0, q_in),
                Self::same_input(prev, &format!("{prefix}.k"), 0, kv),
                Self::same_input(prev, &format!("{prefix}.v"), 0, kv),
            ];
            let settings = prev
                .get(&format!("{prefix}.scores"))
                .and_then(attention_settings);
            let parts = [
                "q", "k", "v", "scores", "scaled", "masked", "weights", "head_out", "concat", "out",
            ];
            if same.iter().all(|s| *s)
                && settings
                    == Some(AttentionSettings {
                        heads: call.heads.max(1),
                        scale: call.scale,
                        causal: call.causal,
                    })
                && let Some(steps) = Self::previous_steps(prev, prefix, &parts)
                && let Some(out) = steps.last().and_then(Step::shared_matrix)
            {
                for s in steps {
                    self.rec.record(s);
                }
                return Ok((out, out_name));
            }
            // Each projection whose input is unchanged is taken over on its own: while
            // decoding, the cross-attention's K and V of the encoder output (a KV cache).
            for ((slot, part), same) in projections.iter_mut().zip(["q", "k", "v"]).zip(same) {
                if same {
                    *slot = prev
                        .get(&format!("{prefix}.{part}"))
                        .and_then(Step::shared_matrix);
                }
            }
        }
        let y = mha.forward_with(&call, q_in.x.view(), kv.x.view(), projections, self.rec);
        Ok((y, out_name))
    }

    fn ffn(&mut self, prefix: &str, input: &Flow) -> Result<(SharedMatrix, String), MissingWeight> {
        let ffn = self.feed_forward(prefix)?;
        if let Some(prev) = self.same_weights(prefix, &["W1", "b1", "W2", "b2"])
            && Self::same_input(prev, &format!("{prefix}.hidden"), 0, input)
            && let Some(steps) = Self::previous_steps(prev, prefix, &["hidden", "relu", "out"])
            && let Some(out) = steps.last().and_then(Step::shared_matrix)
        {
            for s in steps {
                self.rec.record(s);
            }
            return Ok((out, format!("{prefix}.out")));
        }
        let s = ffn.forward(input.x.view());
        let hidden = SharedMatrix::new(s.hidden);
        let out = SharedMatrix::new(s.out);
        // relu is recomputed on access: its buffer goes back to the pool.
        crate::buffers::give_back(s.relu.into_raw_vec_and_offset().0);
        let rows = input.rows.clone();
        let name = |n: &str| format!("{prefix}.{n}");
        self.rec.record(
            Step::build(name("hidden"), StepKind::FfnHidden, hidden.clone())
                .rows(rows.clone())
                .cols(self.ff_dims.clone())
                .formula(format!("hidden = {} · W1 + b1", input.name))
                .inputs(vec![input.name.clone(), name("W1"), name("b1")])
                .finish(),
        );
        // relu = max(0, hidden) is recomputed on access instead of kept.
        self.rec.record(
            Step::build(name("relu"), StepKind::FfnRelu, Numbers::Relu(hidden))
                .rows(rows.clone())
                .cols(self.ff_dims.clone())
                .formula("relu = max(0, hidden)")
                .inputs(vec![name("hidden")])
                .finish(),
        );
        self.rec.record(
            Step::build(name("out"), StepKind::FfnOut, out.clone())
                .rows(rows)
                .cols(self.dims.clone())
                .formula("out = relu · W2 + b2")
                .inputs(vec![name("relu"), name("W2"), name("b2")])
                .finish(),
        );
        Ok((out, name("out")))
    }

    /// Counts a layer in the pass's control; `Err` when it asks the pass to stop.
    fn check(&self) -> Result<(), ForwardError> {
        match self.control {
            Some(c) => Ok(c.check()?),
            None => Ok(()),
        }
    }

    /// Encoder layer `l`: self-attention (mask per `config.mask`), Add & Norm, FFN, Add & Norm.
    ///
    /// # Shapes
    /// `x`: n × d_model → n × d_model.
    pub fn encoder_layer(&mut self, l: usize, x: Flow) -> Result<Flow, ForwardError> {
        self.check()?;
        let causal = self.config.mask == MaskKind::Causal;
        let p = |block| StepName::block_path(Side::Enc, l, block);
        let x = self.residual(x, &p(Block::AddNorm(1)), &p(Block::Norm(1)), |c, i| {
            c.attend(&p(Block::Attn), i, None, causal)
        })?;
        Ok(
            self.residual(x, &p(Block::AddNorm(2)), &p(Block::Norm(2)), |c, i| {
                c.ffn(&p(Block::Ffn), i)
            })?,
        )
    }

    /// Decoder layer `l`: masked self-attention (causal per `config.dec_mask`), Add & Norm, then (with an encoder output)
    /// cross-attention with Q from the decoder and K/V from `memory`, Add & Norm, then FFN,
    /// Add & Norm.
    ///
    /// # Shapes
    /// `x`: n × d_model, `memory`: m × d_model → n × d_model.
    pub fn decoder_layer(
        &mut self,
        l: usize,
        x: Flow,
        memory: Option<&Flow>,
    ) -> Result<Flow, ForwardError> {
        self.check()?;
        let p = |block| StepName::block_path(Side::Dec, l, block);
        let causal = self.config.dec_mask == MaskKind::Causal;
        let mut x = self.residual(x, &p(Block::AddNorm(1)), &p(Block::Norm(1)), |c, i| {
            c.attend(&p(Block::SelfAttn), i, None, causal)
        })?;
        let mut k = 2;
        if let Some(mem) = memory {
            x = self.residual(x, &p(Block::AddNorm(2)), &p(Block::Norm(2)), |c, i| {
                c.attend(&p(Block::CrossAttn), i, Some(mem), false)
            })?;
            k = 3;
        }
        Ok(
            self.residual(x, &p(Block::AddNorm(k)), &p(Block::Norm(k)), |c, i| {
                c.ffn(&p(Block::Ffn), i)
            })?,
        )
    }
}

/// Residual sums with at least this many values run on all cores: below it, waking the
/// other threads costs more than the work.
const PARALLEL_SUM_MIN_VALUES: usize = 1 << 20;

/// `x + y`, row by row (on all cores when large).
///
/// # Shapes
/// `x`, `y`: n × d → n × d.
fn residual_sum(x: &SharedMatrix, y: &SharedMatrix) -> Array2<f32> {
    let (n, d) = x.dim();
    if y.dim() != (n, d) {
        return x.array() + y.array();
    }
    let (xs, ys) = (x.as_slice(), y.as_slice());
    let mut sum = crate::buffers::recycled(n * d);
    vecmath::for_rows(&mut sum, d, PARALLEL_SUM_MIN_VALUES, |i, row| {
        let (xr, yr) = (&xs[i * d..(i + 1) * d], &ys[i * d..(i + 1) * d]);
        for ((s, a), b) in row.iter_mut().zip(xr).zip(yr) {
            *s = a + b;
        }
    });
    crate::buffers::into_matrix((n, d), sum)
}

/// The attention block whose weights are `<prefix>.W_Q`, `W_K`, `W_V`, `W_O`.
pub fn attention_weights<'w>(
    weights: &'w Weights,
    prefix: &str,
) -> Result<MultiHeadAttention<'w>, MissingWeight> {
    let m = |n: &str| weights.matrix(&format!("{prefix}.{n}"));
    Ok(MultiHeadAttention {
        w_q: m("W_Q")?,
        w_k: m("W_K")?,
        w_v: m("W_V")?,
        w_o: m("W_O")?,
    })
}
