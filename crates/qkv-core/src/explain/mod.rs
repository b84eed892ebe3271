//! Cell-by-cell explanations: for any cell of any trace step, the arithmetic that produced it
//! with the actual numbers ("why is this number what it is").
//!
//! [`explain`] looks the cell up, finds its operands through the step's
//! [`inputs`](crate::trace::Step::inputs) (other trace steps, or weights of the model under
//! their canonical names), and writes the computation stage by stage with the numbers put in,
//! e.g. for the article's first raw score (`qkv explain scenarios/dot-product.yaml
//! scores[0][0]`):
//!
//! ```text
//! scores[0][0] = 10  — raw attention score, query q0 (row 0) · key k0 (column 0)
//!   scores[i][j] = q[i] · k[j] = Σ_t q[i][t] × k[j][t]
//!   q = q[0] (q0), k = k[0] (k0): d_k = 3 terms
//!   q·k = 1×2 + 2×1 + 3×2 = 10
//! ```
//!
//! # With or without a model
//!
//! `model` is an `Option`: a `kind: attention` hand-check trace (steps `q`, `k`, `v`, `scores`,
//! `scaled`, `masked`, `weights`, `output`, plain matrices without heads) has no model. Its
//! steps are explained from the trace alone: `q`, `k` and `v` have no inputs and are "given in
//! the scenario"; the rest only need other steps. Every other kind of step needs the model's
//! weights or configuration and gives [`ExplainError::NeedsModel`] without one.
//!
//! Switches are read from the model's configuration when there is one (`scale`,
//! `positional`, `embed_scale`, `eps`). Without a model they are read from the numbers: scaling
//! is on when `scaled` differs from `scores` somewhere in the head, and a cell is masked when
//! `masked` is −∞ where `scaled` is not. Masks are always read from the numbers (a causal
//! mask is recognised when the blocked cells are exactly those with j > i), so step names
//! never need to be interpreted.
//!
//! Every explanation recomputes the cell from the operands it shows
//! ([`Explanation::recomputed`]); when that disagrees with the trace (the model was changed
//! after the forward pass) a `note:` line says so.
//!
//! # Numbers
//!
//! Numbers are printed by [`fmt_number`] (the one rule of [`crate::number`]): at `precision`
//! digits, a nonzero value that would round to 0 with its significant digits (`1.64e−5`),
//! then trailing zeros dropped (`1.0000` → `1`, so the article's example
//! reads `1×2 + 2×1 + 3×2 = 10`), with the Unicode minus sign `−` (U+2212) and `∞` for
//! infinities. Negative operands are put in parentheses: `(−0.87)×0.31`, `0.5 + (−0.25)`.
//! Sums, vectors and softmax rows longer than [`ExplainOptions::max_terms`] show their first
//! and last terms and say how many there are.

use std::fmt;

use ndarray::{ArrayView1, ArrayView2, Axis};
use thiserror::Error;

use crate::hf::bert::BertModel;
use crate::hf::{Gpt2Model, HfModel, MarianModel};
use crate::i18n::Lang;
use crate::i18n::explain::{ExplainText, Proj};
use crate::model::config::Positional;
use crate::model::embedding::{pe_angle, pe_value};
use crate::model::norm::mean_var;
use crate::model::{Transformer, Weights};
use crate::trace::{Address, Cell, Step, StepKind, StepName, Trace, TraceError};

mod attention;
mod embedding;
mod heads_out;
mod output;
mod sublayer;
mod weight;

use attention::{masked, projection, scaled, scores, softmax};
use embedding::{embedding_sum, positional, token_embedding, token_types};
use heads_out::{attn_out, concat, head_out};
use output::logits;
use sublayer::{ffn_gelu, ffn_gelu_tanh, ffn_linear, ffn_relu, ffn_silu, layer_norm, residual_sum};

mod context;
mod numbers;

use context::*;
use numbers::*;
pub use numbers::{fmt_number, fmt_operand};
pub use weight::explain_weight_in;
pub(crate) use weight::reader_kind;

pub use crate::number::MINUS;

/// How explanations print numbers and long sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Digits after the decimal point (trailing zeros are dropped).
    pub precision: usize,
    /// Longest sum (or vector, or softmax row) shown in full; longer ones show the first
    /// ⌈max/2⌉ and the last ⌊max/2⌋ terms and the count. Values below 2 count as 2.
    pub max_terms: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            precision: 4,
            max_terms: 8,
        }
    }
}

/// The arithmetic behind one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The cell, e.g. `enc.0.attn.scores[1][0][2]`.
    pub address: String,
    /// What the step computes.
    pub kind: StepKind,
    /// The cell's value in the trace.
    pub value: f32,
    /// One line saying what the cell is, with its tokens.
    pub title: String,
    /// The formula of the cell in symbols.
    pub formula: String,
    /// The computation with the numbers put in, one stage per line.
    pub lines: Vec<String>,
    /// The value recomputed from the operands shown (`None` when the value is given, as
    /// `q`, `k`, `v` of a hand-check).
    pub recomputed: Option<f32>,
    /// Digits the numbers were printed with ([`ExplainOptions::precision`]).
    pub precision: usize,
}

impl Explanation {
    /// The explanation as text: `address = value  — title`, then the formula and the lines,
    /// indented by two spaces; ends with a newline.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} = {}  — {}\n  {}\n",
            self.address,
            fmt_number(self.value, self.precision),
            self.title,
            self.formula
        );
        for l in &self.lines {
            out.push_str("  ");
            out.push_str(l);
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Why a cell cannot be explained.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExplainError {
    /// Unknown step name, index out of range, too many indices.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A whole step, head or row instead of one cell.
    #[error("{address} is {what}: explain needs one cell, {needs} (e.g. {example})")]
    NotACell {
        /// The address given.
        address: String,
        /// What it names (`the whole step`, `one head`, `one row`).
        what: String,
        /// The indices a cell of this step needs: `[h][i][j]` or `[i][j]`.
        needs: String,
        /// A valid cell address of the step.
        example: String,
    },
    /// A weight name instead of a trace step.
    #[error(
        "{name} is a weight of the model, not a trace step: its values are parameters, not computed; explain a step that uses it (see its inputs)"
    )]
    NotAStep {
        /// The weight name given.
        name: String,
    },
    /// The step needs weights or configuration and no model was given.
    #[error(
        "{step} ({kind}) is computed from {needs}, which only the model holds, and none was given (a hand-check trace has no model: its q, k, v, scores, scaled, masked, weights and output need none)"
    )]
    NeedsModel {
        /// Step name.
        step: String,
        /// What the step computes.
        kind: String,
        /// What is needed from the model.
        needs: String,
    },
    /// The step lists fewer inputs than its kind needs.
    #[error(
        "{step} needs {role} as input {index}, but its inputs are [{}]",
        inputs.join(", ")
    )]
    MissingInput {
        /// Step name.
        step: String,
        /// Position in the step's inputs.
        index: usize,
        /// What the input is for.
        role: String,
        /// The inputs the step lists.
        inputs: Vec<String>,
    },
    /// An input name that is neither a step of the trace nor a weight of the model.
    #[error("{step}: input {input:?} ({role}) is not a step of the trace{}", if *needs_weight { " nor a weight of the model" } else { "" })]
    UnknownInput {
        /// Step name.
        step: String,
        /// The input name.
        input: String,
        /// What the input is for.
        role: String,
        /// True when a weight of the model was looked for too.
        needs_weight: bool,
    },
    /// Operands whose shapes do not fit the cell.
    #[error(
        "{step}: {detail}; the trace and the model do not fit together (was the model changed after the forward pass?)"
    )]
    Inconsistent {
        /// Step name.
        step: String,
        /// What does not fit.
        detail: String,
    },
}

/// The model a trace came from, as an explanation reads it: one of qkv's own, or a Hugging
/// Face Marian model (its weights under the same canonical names, its settings from
/// `config.json`: scaled attention, Marian's sinusoids, `scale_embedding`, LayerNorm eps 1e-5).
#[derive(Debug, Clone, Copy)]
pub enum ModelRef<'a> {
    /// One of qkv's models.
    Paper(&'a Transformer),
    /// A Hugging Face Marian model (`--hf DIR`).
    Marian(&'a MarianModel),
    /// A Hugging Face GPT-2 model (`--hf DIR`).
    Gpt2(&'a Gpt2Model),
    /// A Hugging Face BERT model (`--hf DIR`): learned positions, token types, GELU.
    Bert(&'a BertModel),
}

impl<'a> From<&'a BertModel> for ModelRef<'a> {
    fn from(m: &'a BertModel) -> ModelRef<'a> {
        ModelRef::Bert(m)
    }
}

impl<'a> From<&'a Transformer> for ModelRef<'a> {
    fn from(m: &'a Transformer) -> ModelRef<'a> {
        ModelRef::Paper(m)
    }
}

impl<'a> From<&'a HfModel> for ModelRef<'a> {
    fn from(m: &'a HfModel) -> ModelRef<'a> {
        match m {
            HfModel::Marian(m) => ModelRef::Marian(m),
            HfModel::Gpt2(m) => ModelRef::Gpt2(m),
            HfModel::Bert(m) => ModelRef::Bert(m),
        }
    }
}

impl<'a> ModelRef<'a> {
    /// The weights under their canonical names.
    pub fn weights(self) -> &'a Weights {
        match self {
            ModelRef::Paper(m) => m.weights(),
            ModelRef::Marian(m) => &m.weights,
            ModelRef::Gpt2(m) => &m.weights,
            ModelRef::Bert(m) => &m.weights,
        }
    }

    /// Columns per head.
    pub fn d_k(self) -> usize {
        match self {
            ModelRef::Paper(m) => m.config().d_k(),
            ModelRef::Marian(m) => m.config.d_model / m.config.encoder_attention_heads.max(1),
            ModelRef::Gpt2(m) => m.config.n_embd / m.config.n_head.max(1),
            ModelRef::Bert(m) => m.config.hidden_size / m.config.num_attention_heads.max(1),
        }
    }

    /// Scores divided by √d_k (always, in a Marian model).
    pub fn scale(self) -> bool {
        match self {
            ModelRef::Paper(m) => m.config().scale,
            ModelRef::Marian(_) | ModelRef::Gpt2(_) | ModelRef::Bert(_) => true,
        }
    }

    /// LayerNorm's epsilon.
    pub fn eps(self) -> f32 {
        match self {
            ModelRef::Paper(m) => m.config().eps,
            ModelRef::Marian(_) => crate::hf::marian::EPS,
            ModelRef::Gpt2(m) => m.config.layer_norm_epsilon,
            ModelRef::Bert(m) => m.config.eps(),
        }
    }

    /// Token vectors multiplied by √d_model before the positions are added.
    pub fn embed_scale(self) -> bool {
        match self {
            ModelRef::Paper(m) => m.config().embed_scale,
            ModelRef::Marian(m) => m.config.scale_embedding,
            ModelRef::Gpt2(_) => false,
            ModelRef::Bert(_) => false,
        }
    }

    /// No positional encoding at all.
    pub fn positional_off(self) -> bool {
        match self {
            ModelRef::Paper(m) => m.config().positional == Positional::None,
            ModelRef::Marian(_) | ModelRef::Gpt2(_) | ModelRef::Bert(_) => false,
        }
    }

    /// qkv's own model, when it is one.
    pub fn paper(self) -> Option<&'a Transformer> {
        match self {
            ModelRef::Paper(m) => Some(m),
            ModelRef::Marian(_) | ModelRef::Gpt2(_) | ModelRef::Bert(_) => None,
        }
    }

    /// The Marian model, when it is one.
    pub fn marian(self) -> Option<&'a MarianModel> {
        match self {
            ModelRef::Marian(m) => Some(m),
            ModelRef::Paper(_) | ModelRef::Gpt2(_) | ModelRef::Bert(_) => None,
        }
    }
}

/// Parses `text` as an address and explains that cell (see [`explain`]).
pub fn explain_str(
    model: Option<&Transformer>,
    trace: &Trace,
    text: &str,
    opts: &ExplainOptions,
) -> Result<Explanation, ExplainError> {
    explain(model, trace, &Address::parse(text)?, opts)
}

/// The arithmetic that produced the cell at `address` of `trace`, with the actual numbers.
///
/// `address` must name one cell: `name[h][i][j]` for per-head steps, `name[i][j]` otherwise.
/// `model` is the model that computed `trace`; it may be `None` for a hand-check trace (see
/// the module docs): then only attention steps can be explained.
pub fn explain(
    model: Option<&Transformer>,
    trace: &Trace,
    address: &Address,
    opts: &ExplainOptions,
) -> Result<Explanation, ExplainError> {
    explain_in(model, trace, address, opts, Lang::En)
}

/// [`explain`] in `lang`: the same numbers and formulas, the sentences in that language.
pub fn explain_in(
    model: Option<&Transformer>,
    trace: &Trace,
    address: &Address,
    opts: &ExplainOptions,
    lang: Lang,
) -> Result<Explanation, ExplainError> {
    explain_with(model.map(ModelRef::Paper), trace, address, opts, lang)
}

/// [`explain_in`] for any model a trace can come from, qkv's own or a Hugging Face one.
#[expect(
    clippy::too_many_lines,
    reason = "the dispatch to every step kind's explanation plus the shared checks of the cell."
)]
pub fn explain_with(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    address: &Address,
    opts: &ExplainOptions,
    lang: Lang,
) -> Result<Explanation, ExplainError> {
    let step = match trace.step(&address.name) {
        Ok(s) => s,
        Err(e) => {
            // A number of a weight: where it comes from (its gradient is not at hand here;
            // the session and `qkv explain` pass it to [`explain_weight_in`]).
            if let Some(ModelRef::Paper(m)) = model
                && m.weights().get(&address.name).is_some()
            {
                return explain_weight_in(m, trace, address, None, opts, lang);
            }
            if let Some(ModelRef::Paper(m)) = model
                && address.name == "embed.E"
                && m.vocab().is_none()
            {
                return Err(ExplainError::NotAStep {
                    name: address.name.clone(),
                });
            }
            return Err(e.into());
        }
    };
    let ndim = step.shape().len();
    if address.indices.len() < ndim {
        let per_head = ndim == 3;
        let what = match (address.indices.len(), per_head) {
            (0, _) => "the whole step".to_string(),
            (1, true) => format!("one head (head {})", address.indices[0]),
            (2, true) => format!(
                "one row (head {}, row {})",
                address.indices[0], address.indices[1]
            ),
            _ => format!("one row (row {})", address.indices[0]),
        };
        let (needs, example) = if per_head {
            ("[h][i][j]", format!("{}[0][0][0]", step.name()))
        } else {
            ("[i][j]", format!("{}[0][0]", step.name()))
        };
        return Err(ExplainError::NotACell {
            address: address.to_string(),
            what,
            needs: needs.to_string(),
            example,
        });
    }
    let cell = step.cell(&address.indices)?;
    let value = step.value(&address.indices)?;
    let ctx = Ctx {
        model,
        trace,
        step,
        cell,
        value,
        precision: opts.precision,
        max_terms: opts.max_terms.max(2),
        lang,
    };
    let mut body = match step.kind() {
        StepKind::TokenEmbedding => token_embedding(&ctx)?,
        StepKind::Positional => positional(&ctx)?,
        StepKind::EmbeddingSum => embedding_sum(&ctx)?,
        StepKind::Query | StepKind::Key | StepKind::Value => projection(&ctx)?,
        StepKind::Scores => scores(&ctx)?,
        StepKind::Scaled => scaled(&ctx)?,
        StepKind::Masked => masked(&ctx)?,
        StepKind::Weights | StepKind::Probs => softmax(&ctx)?,
        StepKind::HeadOut => head_out(&ctx)?,
        StepKind::Concat => concat(&ctx)?,
        StepKind::AttnOut => attn_out(&ctx)?,
        StepKind::ResidualSum => residual_sum(&ctx)?,
        StepKind::LayerNorm => layer_norm(&ctx)?,
        StepKind::FfnHidden => ffn_linear(&ctx, "W1", "b1", false)?,
        StepKind::FfnRelu => ffn_relu(&ctx)?,
        StepKind::FfnSilu => ffn_silu(&ctx)?,
        StepKind::FfnGelu => ffn_gelu(&ctx)?,
        StepKind::TokenTypes => token_types(&ctx)?,
        StepKind::FfnGeluTanh => ffn_gelu_tanh(&ctx)?,
        StepKind::FfnOut => ffn_linear(&ctx, "W2", "b2", true)?,
        StepKind::Logits => logits(&ctx)?,
    };
    if let Some(r) = body.recomputed
        && !agrees(r, value)
    {
        body.lines.push(ctx.t(ExplainText::RecomputedDiffers {
            r: ctx.num(r),
            value: ctx.num(value),
        }));
    }
    Ok(Explanation {
        address: address.to_string(),
        kind: step.kind(),
        value,
        title: body.title,
        formula: body.formula,
        lines: body.lines,
        recomputed: body.recomputed,
        precision: opts.precision,
    })
}
