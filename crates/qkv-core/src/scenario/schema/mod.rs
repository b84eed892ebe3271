//! The scenario file format, version 1 (serde structs; strict: unknown fields are errors).
//!
//! Two kinds of file:
//! - a *model* scenario (`kind: model`, the default): a model, an input, optional embedding and
//!   weight overrides, a guided tour (`steps`) and expectations (`expect`);
//! - an *attention* hand-check (`kind: attention`): only `q`, `k`, `v`, an optional `mask` and
//!   `scale`, and the expected `scores` / `scaled` / `masked` / `weights` / `output`.
//!
//! This module has no YAML code: reading and writing live in [`super::io`].

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::i18n::Lang;
use crate::model::{Arch, MaskKind, Norm, Positional, Preset, TokenizerKind};

mod wire;
pub use wire::*;

/// The only format version this qkv reads and writes.
pub const VERSION: u32 = 1;

/// A scenario file of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioFile {
    /// `kind: model` (or no kind).
    Model(Scenario),
    /// `kind: attention`.
    Attention(AttentionScenario),
}

impl ScenarioFile {
    /// Title of either kind (the English `title`).
    pub fn title(&self) -> &str {
        self.title_in(Lang::En)
    }
    /// Description of either kind (the English `description`).
    pub fn description(&self) -> &str {
        self.description_in(Lang::En)
    }
    /// Title of either kind in `lang` ([`in_lang`]).
    pub fn title_in(&self, lang: Lang) -> &str {
        match self {
            ScenarioFile::Model(s) => in_lang(&s.title, &s.title_ko, lang),
            ScenarioFile::Attention(a) => in_lang(&a.title, &a.title_ko, lang),
        }
    }
    /// Description of either kind in `lang` ([`in_lang`]).
    pub fn description_in(&self, lang: Lang) -> &str {
        match self {
            ScenarioFile::Model(s) => in_lang(&s.description, &s.description_ko, lang),
            ScenarioFile::Attention(a) => in_lang(&a.description, &a.description_ko, lang),
        }
    }
    /// Guided tour of either kind.
    pub fn steps(&self) -> &[TourStep] {
        match self {
            ScenarioFile::Model(s) => &s.steps,
            ScenarioFile::Attention(a) => &a.steps,
        }
    }
}

/// A scenario's text in `lang`: the Korean one (`title_ko`, `description_ko`) under a Korean
/// interface when the file has it, else the English one (`title`, `description`), which an
/// older file has alone.
pub fn in_lang<'a>(en: &'a str, ko: &'a str, lang: Lang) -> &'a str {
    match lang {
        Lang::Ko if !ko.is_empty() => ko,
        _ => en,
    }
}

/// The `kind` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A model scenario.
    #[default]
    Model,
    /// A standalone attention hand-check.
    Attention,
}

impl Kind {
    fn is_model(&self) -> bool {
        *self == Kind::Model
    }
}

/// A model scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; must be 1.
    pub version: u32,
    /// `model` (may be left out).
    #[serde(default, skip_serializing_if = "Kind::is_model")]
    pub kind: Kind,
    /// One line shown as the heading (English).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The heading in Korean (shown under `--lang ko`; `title` when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_ko: String,
    /// Free text that teaches what to look at (English).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The description in Korean (shown under `--lang ko`; `description` when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description_ko: String,
    /// The model: a preset and/or fields (fields override the preset).
    #[serde(default)]
    pub model: ModelSpec,
    /// The sentence(s).
    pub input: InputSpec,
    /// Per-token embedding overrides, in the file's order.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub embeddings: OrderedMap<Vec<f64>>,
    /// Weight overrides by canonical name, in the file's order.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub weights: OrderedMap<Numbers>,
    /// The guided tour.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<TourStep>,
    /// Checks run by `qkv check`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<Expectation>,
    /// Practice questions (`qkv practice`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub practice: Vec<PracticeSpec>,
    /// A recorded decoding, checked by `qkv check` (a trained model's translation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decode: Option<Box<DecodeSpec>>,
    /// A short training run, checked by `qkv check` (the loss after some steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<Box<TrainingSpec>>,
    /// The directory of the file the scenario was read from: `model.checkpoint` is relative
    /// to it. Not part of the file.
    #[serde(skip)]
    pub base_dir: BaseDir,
}

/// Where a scenario was read from. Not part of its content: two scenarios read from
/// different directories are equal when their content is.
#[derive(Debug, Clone, Default)]
pub struct BaseDir(pub Option<std::path::PathBuf>);

impl PartialEq for BaseDir {
    fn eq(&self, _: &BaseDir) -> bool {
        true
    }
}

impl BaseDir {
    /// The directory, if known.
    pub fn as_deref(&self) -> Option<&std::path::Path> {
        self.0.as_deref()
    }
}

/// A recorded decoding: the tokens the model chooses one at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecodeSpec {
    /// What to decode (default: `input.text`): the source of an encoder-decoder, the prompt
    /// of a decoder-only model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The tokens expected, in order, ending with `<eos>` when decoding should stop there.
    pub tokens: Vec<String>,
    /// Shown with the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A short training run from the scenario's model and its expected outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSpec {
    /// Parallel corpus, relative to the scenario file.
    pub corpus: String,
    /// Optimiser updates (Adam with the paper's schedule, `qkv train`'s defaults).
    pub steps: usize,
    /// Sentence pairs per update (default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
    /// The mean training loss after the run must be below this.
    pub loss_below: f64,
    /// Shown with the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The model section. Every field is optional; unset fields come from `preset` (default
/// `tiny`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// `tiny`, `small` or `base`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Word<Preset>>,
    /// `encoder`, `decoder` or `encoder-decoder`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<Word<Arch>>,
    /// Width of token vectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_model: Option<usize>,
    /// Number of heads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heads: Option<usize>,
    /// FFN width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_ff: Option<usize>,
    /// `2` (both stacks) or `{encoder: 2, decoder: 1}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<LayersSpec>,
    /// `post` or `pre`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub norm: Option<Word<Norm>>,
    /// `sinusoidal` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positional: Option<Word<Positional>>,
    /// Divide scores by √d_k.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<bool>,
    /// Multiply embeddings by √d_model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embed_scale: Option<bool>,
    /// Encoder self-attention mask: `none` or `causal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<Word<MaskKind>>,
    /// Decoder self-attention mask: `causal` (default) or `none` (for study only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dec_mask: Option<Word<MaskKind>>,
    /// LayerNorm epsilon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eps: Option<f64>,
    /// Seed of weights and embeddings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Longest sentence accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<usize>,
    /// `whitespace` or `char`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<Word<TokenizerKind>>,
    /// A trained model (`.safetensors`, relative to the scenario file): its configuration,
    /// weights and vocabulary. Other fields may then only change settings that do not
    /// shape the weights (`scale`, `mask`, `positional`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    /// A Hugging Face Marian model directory (relative to the scenario file): the model is
    /// the directory's (its `config.json` and weights, read-only), so no other model field
    /// may be given. Not a flag of [`super::fields::MODEL_FIELDS`]: `--hf DIR` opens one on
    /// the command line, and `set model.hf` does not exist (the weights cannot change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hf: Option<String>,
}

/// Layer counts: one number for both stacks, or one per stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayersSpec {
    /// The same count for the encoder and the decoder.
    Both(usize),
    /// Separate counts (a missing one comes from the preset).
    Each {
        /// Encoder layers.
        encoder: Option<usize>,
        /// Decoder layers.
        decoder: Option<usize>,
    },
}

/// The input sentences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// Source sentence.
    pub text: String,
    /// Decoder-side sentence of an encoder-decoder model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// One stop of a guided tour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TourStep {
    /// Step name, optionally with a head: `enc.0.attn.scores` or `enc.0.attn.scores[1]`.
    pub show: String,
    /// Head of a per-head step (alternative to `[h]` in `show`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<usize>,
    /// Selected cell `[row, column]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<[usize; 2]>,
    /// What to notice here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One check of a model scenario: `at` names a step, head, row or cell, and exactly one of
/// `value`, `matrix`, `row`, `sum`, `zero_above_diagonal`, `argmax`, `shape` says what must
/// hold there.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Address: `name`, `name[h]`, `name[h][i]`, `name[h][i][j]` (no head for steps without
    /// heads).
    pub at: String,
    /// The cell's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The whole matrix (of a head, or of a step without heads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Vec<Vec<f64>>>,
    /// One row's values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<Vec<f64>>,
    /// Sum of a row (or of every row of a matrix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    /// Every entry above the diagonal is exactly 0 (`true`), for a head or matrix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_above_diagonal: Option<bool>,
    /// Column (index or label) of the row's largest entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argmax: Option<ArgmaxSpec>,
    /// Shape of the step (`[h, n, d_k]` for per-head steps) or of one head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<Vec<usize>>,
    /// Largest accepted absolute difference (default 1e-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// Shown with the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One practice question: a cell or a row the student computes by hand; the expected
/// numbers come from the trace.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeSpec {
    /// A cell (`name[h][i][j]`, `name[i][j]`) or a row (`name[h][i]`, `name[i]`).
    pub at: String,
    /// Shown with the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Largest accepted absolute difference (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
}

/// The field names of an expectation that state a check.
pub const CHECK_FIELDS: &str = "value, matrix, row, sum, zero_above_diagonal, argmax, shape";

/// Argmax as a column index or a column label (a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgmaxSpec {
    /// Column index.
    Index(usize),
    /// Column label.
    Label(String),
}

/// A standalone hand-check of scaled dot-product attention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttentionScenario {
    /// Format version; must be 1.
    pub version: u32,
    /// Must be `attention`.
    pub kind: Kind,
    /// Heading (English).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The heading in Korean (`title` when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_ko: String,
    /// What it teaches (English).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// What it teaches, in Korean (`description` when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description_ko: String,
    /// Queries, n × d_k.
    pub q: Vec<Vec<f64>>,
    /// Keys, m × d_k.
    pub k: Vec<Vec<f64>>,
    /// Values, m × d_v; without them the hand-check stops at the weights (no `output`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<Vec<Vec<f64>>>,
    /// `none` (default) or `causal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<Word<MaskKind>>,
    /// Divide by √d_k (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<bool>,
    /// Guided tour over `q k v scores scaled masked weights output`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<TourStep>,
    /// Expected results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<AttentionExpect>,
    /// Practice questions (`qkv practice`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub practice: Vec<PracticeSpec>,
}

/// Expected results of an attention hand-check (all optional, at least one needed to check).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttentionExpect {
    /// `Q Kᵀ`, n × m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<Vec<Vec<f64>>>,
    /// `scores / √d_k`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled: Option<Vec<Vec<f64>>>,
    /// `scaled` with `-.inf` where masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<Vec<Vec<f64>>>,
    /// Softmax rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<Vec<f64>>>,
    /// `weights · V`, n × d_v.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Vec<Vec<f64>>>,
    /// Largest accepted absolute difference (default 1e-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
}

impl AttentionExpect {
    /// The expected matrices by step name, in pipeline order.
    pub fn matrices(&self) -> Vec<(&'static str, &Vec<Vec<f64>>)> {
        [
            ("scores", &self.scores),
            ("scaled", &self.scaled),
            ("masked", &self.masked),
            ("weights", &self.weights),
            ("output", &self.output),
        ]
        .into_iter()
        .filter_map(|(n, m)| m.as_ref().map(|m| (n, m)))
        .collect()
    }
}

/// A weight override: a matrix (list of rows) or a vector (list of numbers).
#[derive(Debug, Clone, PartialEq)]
pub enum Numbers {
    /// rows × cols.
    Matrix(Vec<Vec<f64>>),
    /// A vector.
    Vector(Vec<f64>),
}

// ----- serde helpers -------------------------------------------------------------------
