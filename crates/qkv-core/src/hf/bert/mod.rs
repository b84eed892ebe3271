//! A BERT-family model (`bert-base-uncased`, sentence-transformers' MiniLM models, any
//! `model_type: bert` directory): its `config.json`, its weights mapped onto qkv's canonical
//! names, and the forward pass of the encoder alone, with the masked-language-model head when
//! the checkpoint has one.
//!
//! The weights, in the row-vector convention `x · W` (PyTorch keeps `nn.Linear` weights as
//! out × in, so every projection is transposed); the `bert.` prefix is there in
//! `BertForMaskedLM` files and absent in `BertModel` ones:
//!
//! ```text
//! embeddings.word_embeddings                       embed.E (also the MLM head's output)
//! embeddings.position_embeddings                   embed.P (learned, one row per position)
//! embeddings.token_type_embeddings                 embed.T (sentence A / sentence B)
//! embeddings.LayerNorm                             embed.{gamma,beta}
//! encoder.layer.{l}.attention.self.{query,key,value}   enc.{l}.attn.{W_Q,W_K,W_V} + b_Q …
//! encoder.layer.{l}.attention.output.dense         enc.{l}.attn.{W_O,b_O}
//! encoder.layer.{l}.attention.output.LayerNorm     enc.{l}.norm1.{gamma,beta}
//! encoder.layer.{l}.intermediate.dense, output.dense   enc.{l}.ffn.{W1,b1}, {W2,b2}
//! encoder.layer.{l}.output.LayerNorm               enc.{l}.norm2.{gamma,beta}
//! cls.predictions.transform.dense                  mlm_W, mlm_b
//! cls.predictions.transform.LayerNorm              final_norm.{gamma,beta}
//! cls.predictions.bias                             final_logits_bias
//! ```
//!
//! The steps: `embed.tokens`, `embed.pos` (rows of the learned table, not the paper's
//! sinusoids), `embed.types`, `embed.sum = tokens + pos + types`, `embed.norm` (a LayerNorm
//! the paper does not have), then per layer the paper's post-LN encoder layer with biases and
//! GELU (`enc.{l}.attn.*`, `enc.{l}.add_norm1.*`, `enc.{l}.ffn.{hidden,gelu,out}`,
//! `enc.{l}.add_norm2.*`), and with a head `mlm_hidden`, `mlm_gelu`, `final_norm` (the head's
//! LayerNorm, the last before the output), `logits_tied = final_norm · Eᵀ`, `logits = logits_tied + final_logits_bias`, `probs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::Array2;

mod config;

pub use config::BertConfig;

use super::HfError;
use super::config::Activation;
use super::layers::{Flow, Mask, Steps};
use super::load::{Expected, FINAL_LOGITS_BIAS, read_safetensors};
use super::tokenizer_json::JsonTokenizer;
use crate::model::Weights;
use crate::model::attention::softmax_rows;
use crate::model::cancel::Control;
use crate::model::linalg::matmul_bt;
use crate::model::weights::{EMBEDDING, MissingWeight};
use crate::trace::{Labels, StepKind, Tensor, Trace, TraceTokens};

/// The learned position table among the weights.
pub const POSITIONS: &str = "embed.P";
/// The token-type table among the weights.
pub const TOKEN_TYPES: &str = "embed.T";

/// An opened BERT model: configuration and weights under canonical names.
#[derive(Debug, Clone)]
pub struct BertModel {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// `config.json`.
    pub config: BertConfig,
    /// The weights, canonical names.
    pub weights: Weights,
    /// True when the checkpoint has the masked-language-model head (`cls.predictions.*`).
    pub mlm: bool,
    /// The pieces by id (the tokenizer's vocabulary; the columns of `logits`).
    pub vocab: Labels,
    /// `tokenizer.json` (WordPiece).
    pub tokenizer: JsonTokenizer,
}

/// A BERT input: ids, the sentence (0 or 1) of each, and which are real tokens (`false`
/// for `[PAD]`: the padding mask).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BertInput {
    /// Token ids (`[CLS]` … `[SEP]`).
    pub ids: Vec<usize>,
    /// Token-type ids: 0 for sentence A, 1 for sentence B.
    pub types: Vec<usize>,
    /// `attention_mask`: false for padding.
    pub keep: Vec<bool>,
}

impl BertInput {
    /// One sentence: every type 0, no padding.
    pub fn single(ids: Vec<usize>) -> BertInput {
        let n = ids.len();
        BertInput {
            ids,
            types: vec![0; n],
            keep: vec![true; n],
        }
    }
}

/// Tensors a BERT file may hold that qkv does not read: the position ids (0, 1, 2, …),
/// the pooler and the next-sentence head (not on the path to the hidden states or the MLM
/// logits), the decoder copy of the tied word embeddings and its copy of the bias.
fn ignored(prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = [
        "embeddings.position_ids",
        "pooler.dense.weight",
        "pooler.dense.bias",
    ]
    .iter()
    .map(|n| format!("{prefix}{n}"))
    .collect();
    v.extend(
        [
            "cls.predictions.decoder.weight",
            "cls.predictions.decoder.bias",
            "cls.seq_relationship.weight",
            "cls.seq_relationship.bias",
        ]
        .iter()
        .map(|n| (*n).to_string()),
    );
    v
}

/// Every weight of `c`'s model under `prefix` (`bert.` or nothing), with the head when `mlm`.
#[expect(
    clippy::too_many_lines,
    reason = "one row per tensor of a BERT checkpoint (embeddings, each layer, the head): its name, its canonical name, its shape, its layout"
)]
fn expected(c: &BertConfig, prefix: &str, mlm: bool) -> Vec<Expected> {
    let d = c.hidden_size;
    let e = |hf: &str, q: &str, shape: Vec<usize>, t: bool| -> Expected {
        (format!("{prefix}{hf}"), q.to_string(), shape, t)
    };
    let mut out = vec![
        e(
            "embeddings.word_embeddings.weight",
            EMBEDDING,
            vec![c.vocab_size, d],
            false,
        ),
        e(
            "embeddings.position_embeddings.weight",
            POSITIONS,
            vec![c.max_position_embeddings, d],
            false,
        ),
        e(
            "embeddings.token_type_embeddings.weight",
            TOKEN_TYPES,
            vec![c.type_vocab_size, d],
            false,
        ),
        e("embeddings.LayerNorm.weight", "embed.gamma", vec![d], false),
        e("embeddings.LayerNorm.bias", "embed.beta", vec![d], false),
    ];
    for l in 0..c.num_hidden_layers {
        let hf = format!("encoder.layer.{l}");
        let q = format!("enc.{l}");
        for (p, w, b) in [
            ("attention.self.query", "attn.W_Q", "attn.b_Q"),
            ("attention.self.key", "attn.W_K", "attn.b_K"),
            ("attention.self.value", "attn.W_V", "attn.b_V"),
            ("attention.output.dense", "attn.W_O", "attn.b_O"),
        ] {
            out.push(e(
                &format!("{hf}.{p}.weight"),
                &format!("{q}.{w}"),
                vec![d, d],
                true,
            ));
            out.push(e(
                &format!("{hf}.{p}.bias"),
                &format!("{q}.{b}"),
                vec![d],
                false,
            ));
        }
        let f = c.intermediate_size;
        out.extend([
            e(
                &format!("{hf}.attention.output.LayerNorm.weight"),
                &format!("{q}.norm1.gamma"),
                vec![d],
                false,
            ),
            e(
                &format!("{hf}.attention.output.LayerNorm.bias"),
                &format!("{q}.norm1.beta"),
                vec![d],
                false,
            ),
            e(
                &format!("{hf}.intermediate.dense.weight"),
                &format!("{q}.ffn.W1"),
                vec![f, d],
                true,
            ),
            e(
                &format!("{hf}.intermediate.dense.bias"),
                &format!("{q}.ffn.b1"),
                vec![f],
                false,
            ),
            e(
                &format!("{hf}.output.dense.weight"),
                &format!("{q}.ffn.W2"),
                vec![d, f],
                true,
            ),
            e(
                &format!("{hf}.output.dense.bias"),
                &format!("{q}.ffn.b2"),
                vec![d],
                false,
            ),
            e(
                &format!("{hf}.output.LayerNorm.weight"),
                &format!("{q}.norm2.gamma"),
                vec![d],
                false,
            ),
            e(
                &format!("{hf}.output.LayerNorm.bias"),
                &format!("{q}.norm2.beta"),
                vec![d],
                false,
            ),
        ]);
    }
    if mlm {
        let h = |hf: &str, q: &str, shape: Vec<usize>, t: bool| -> Expected {
            (hf.to_string(), q.to_string(), shape, t)
        };
        out.extend([
            h(
                "cls.predictions.transform.dense.weight",
                "mlm_W",
                vec![d, d],
                true,
            ),
            h(
                "cls.predictions.transform.dense.bias",
                "mlm_b",
                vec![d],
                false,
            ),
            h(
                "cls.predictions.transform.LayerNorm.weight",
                "final_norm.gamma",
                vec![d],
                false,
            ),
            h(
                "cls.predictions.transform.LayerNorm.bias",
                "final_norm.beta",
                vec![d],
                false,
            ),
            h(
                "cls.predictions.bias",
                FINAL_LOGITS_BIAS,
                vec![c.vocab_size],
                false,
            ),
        ]);
    }
    out
}

impl BertModel {
    /// Reads `dir/config.json` and `dir/model.safetensors` (the tokenizer is read apart).
    pub fn open(dir: &Path) -> Result<BertModel, HfError> {
        BertModel::open_controlled(dir, &Control::new())
    }

    /// [`BertModel::open`] reporting the weights' bytes read to `control` and stopping
    /// between two tensors when `control` is asked to ([`HfError::Cancelled`]).
    pub fn open_controlled(dir: &Path, control: &Control) -> Result<BertModel, HfError> {
        let config = BertConfig::read(&dir.join("config.json"))?;
        let mut mlm = false;
        let weights = read_safetensors(dir, "a BERT model", control, |present| {
            let prefix = if present.contains("bert.embeddings.word_embeddings.weight") {
                "bert."
            } else {
                ""
            };
            mlm = present.contains("cls.predictions.transform.dense.weight");
            (expected(&config, prefix, mlm), ignored(prefix))
        })?;
        let tokenizer = JsonTokenizer::open(&dir.join("tokenizer.json"))?;
        for special in [CLS, SEP] {
            if tokenizer.id(special).is_none() {
                return Err(HfError::Tokenizer {
                    file: tokenizer.file.clone(),
                    message: format!(
                        "{special} is not in the vocabulary; a BERT tokenizer has [CLS], [SEP] and [MASK]"
                    ),
                });
            }
        }
        let vocab = Arc::new(tokenizer.pieces(config.vocab_size));
        Ok(BertModel {
            dir: dir.to_path_buf(),
            config,
            weights,
            mlm,
            vocab,
            tokenizer,
        })
    }

    /// The piece of id `id`.
    pub fn piece(&self, id: usize) -> &str {
        self.vocab.get(id).map_or("?", String::as_str)
    }

    /// `text` cut into WordPiece pieces (`##` continues a word) with `[CLS]` first and
    /// `[SEP]` last, as BERT's template puts them, and their ids.
    pub fn encode(&self, text: &str) -> Result<(Vec<String>, Vec<usize>), HfError> {
        let mut e = self.tokenizer.encode(text)?;
        // A tokenizer.json may carry a padding setting (sentence-transformers' pads to 128):
        // the model is fed the sentence alone.
        while e.pieces.last().is_some_and(|p| p == PAD) {
            e.pieces.pop();
            e.ids.pop();
        }
        let id = |p: &str| self.tokenizer.id(p).unwrap_or(0);
        let mut pieces = vec![CLS.to_string()];
        pieces.extend(e.pieces);
        pieces.push(SEP.to_string());
        let mut ids = vec![id(CLS)];
        ids.extend(e.ids);
        ids.push(id(SEP));
        Ok((pieces, ids))
    }

    /// `d_model 384 · heads 12 · layers 6 · d_ff 1536 · vocab 30522 · gelu · MLM head`.
    pub fn shape_line(&self) -> String {
        let c = &self.config;
        format!(
            "d_model {} · heads {} · layers {} · d_ff {} · vocab {} · {}{}",
            c.hidden_size,
            c.num_attention_heads,
            c.num_hidden_layers,
            c.intermediate_size,
            c.vocab_size,
            c.hidden_act,
            if self.mlm { " · MLM head" } else { "" }
        )
    }

    /// [`BertModel::forward`] with the rows labelled by the vocabulary's pieces.
    pub fn forward_ids(&self, input: &BertInput) -> Result<Trace, MissingWeight> {
        let rows: Labels = Arc::new(
            input
                .ids
                .iter()
                .map(|&i| self.piece(i).to_string())
                .collect(),
        );
        self.forward(input, &rows, self.vocab.clone())
    }

    /// The number of parameters.
    pub fn param_count(&self) -> usize {
        self.weights.param_count()
    }

    /// Runs the encoder on `input` (rows labelled `rows`, the pieces) and records every
    /// step; with the MLM head, `logits` and `probs` over `vocab` (the tokenizer's pieces by
    /// id) follow, else the trace ends at the last layer's `add_norm2.out`.
    pub fn forward(
        &self,
        input: &BertInput,
        rows: &Labels,
        vocab: Labels,
    ) -> Result<Trace, MissingWeight> {
        let c = &self.config;
        let mut s = Steps::new(
            &self.weights,
            c.hidden_size,
            c.num_attention_heads,
            c.eps(),
            "BERT",
        );
        let mut x = embed(&mut s, input, rows)?;
        let mask = if input.keep.iter().all(|k| *k) {
            Mask::None
        } else {
            Mask::Padding(&input.keep)
        };
        for l in 0..c.num_hidden_layers {
            let p = format!("enc.{l}");
            let a = s.attention(&format!("{p}.attn"), &x, &x, mask)?;
            x = s.add_norm(
                &x,
                &a,
                &format!("{p}.attn.out"),
                &format!("{p}.add_norm1"),
                &format!("{p}.norm1"),
            )?;
            let f = s.ffn(&format!("{p}.ffn"), &x, c.activation())?;
            x = s.add_norm(
                &x,
                &f,
                &format!("{p}.ffn.out"),
                &format!("{p}.add_norm2"),
                &format!("{p}.norm2"),
            )?;
        }
        if self.mlm {
            mlm_head(&mut s, &x, &vocab, c.activation())?;
        }
        Ok(s.rec.finish(TraceTokens {
            source: rows.clone(),
            target: None,
            vocab,
        }))
    }
}

/// `embed.tokens`, `embed.pos`, `embed.types`, `embed.sum`, `embed.norm`.
fn embed(s: &mut Steps<'_>, input: &BertInput, rows: &Labels) -> Result<Flow, MissingWeight> {
    let gather = |table: ndarray::ArrayView2<'_, f32>, ids: &[usize]| -> Array2<f32> {
        let mut m = Array2::zeros((ids.len(), table.ncols()));
        for (mut row, &id) in m.rows_mut().into_iter().zip(ids) {
            if id < table.nrows() {
                row.assign(&table.row(id));
            }
        }
        m
    };
    let n = input.ids.len();
    let tokens = gather(s.w(EMBEDDING)?, &input.ids);
    let positions: Vec<usize> = (0..n).collect();
    let pos = gather(s.w(POSITIONS)?, &positions);
    let types = gather(s.w(TOKEN_TYPES)?, &input.types);
    let sum = &tokens + &pos + &types;
    let dims = s.dims.clone();
    let kinds: String = input
        .types
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    s.record("embed.tokens", StepKind::TokenEmbedding, Tensor::Matrix(tokens), (rows, &dims), "tokens[i] = E[id_i] (row of the word-embedding table, also the MLM head's output; ids from tokenizer.json; [CLS] first, [SEP] after each sentence)".to_string(), vec![EMBEDDING.to_string()]);
    s.record("embed.pos", StepKind::Positional, Tensor::Matrix(pos), (rows, &dims), "pos[i] = P[i] (BERT's positions are learned: row i of the table embed.P, trained with the model; the paper computes sinusoids)".to_string(), vec![POSITIONS.to_string()]);
    s.record("embed.types", StepKind::TokenTypes, Tensor::Matrix(types), (rows, &dims), format!("types[i] = T[type_i] (BERT's token types: row 0 for sentence A, row 1 for sentence B; here {kinds}; the paper has none)"), vec![TOKEN_TYPES.to_string()]);
    s.record(
        "embed.sum",
        StepKind::EmbeddingSum,
        Tensor::Matrix(sum.clone()),
        (rows, &dims),
        "sum = tokens + pos + types (no √d_model scale)".to_string(),
        vec![
            "embed.tokens".into(),
            "embed.pos".into(),
            "embed.types".into(),
        ],
    );
    let flow = Flow {
        x: sum,
        name: "embed.sum".into(),
        rows: rows.clone(),
    };
    s.layer_norm(&flow, "embed.norm", "embed")
}

/// `mlm_hidden`, `mlm_gelu`, `final_norm`, `logits_tied`, `logits`, `probs`.
fn mlm_head(
    s: &mut Steps<'_>,
    x: &Flow,
    vocab: &Labels,
    act: Activation,
) -> Result<(), MissingWeight> {
    let h = s.dense(x, "mlm_hidden", ("mlm_W", "mlm_b"))?;
    let g = s.activate(&h, "mlm_gelu", act);
    let y = s.layer_norm(&g, "final_norm", "final_norm")?;
    let tied = matmul_bt(y.x.view(), s.w(EMBEDDING)?);
    let logits = &tied + &s.b(FINAL_LOGITS_BIAS)?;
    let probs = softmax_rows(logits.view());
    s.record(
        "logits_tied",
        StepKind::Logits,
        Tensor::Matrix(tied),
        (&y.rows, vocab),
        "logits_tied = final_norm · Eᵀ (the MLM head's output is tied to the word embeddings)"
            .to_string(),
        vec![y.name.clone(), EMBEDDING.to_string()],
    );
    s.record("logits", StepKind::Logits, Tensor::Matrix(logits), (&y.rows, vocab), "logits = logits_tied + final_logits_bias (cls.predictions.bias: one number per vocabulary entry)".to_string(), vec!["logits_tied".to_string(), FINAL_LOGITS_BIAS.to_string()]);
    s.record(
        "probs",
        StepKind::Probs,
        Tensor::Matrix(probs),
        (&y.rows, vocab),
        "probs = softmax(logits) row-wise: at a [MASK], the model's guess for the hidden word"
            .to_string(),
        vec!["logits".to_string()],
    );
    Ok(())
}

/// Why `qkv fill` cannot fill a sentence in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FillError {
    /// The checkpoint has no `cls.predictions.*` (a `BertModel`, e.g. MiniLM).
    #[error("{dir} has no masked-language-model head (cls.predictions.*)")]
    NoHead {
        /// The model directory.
        dir: PathBuf,
    },
    /// The sentence has no mask token.
    #[error("the sentence has no {mask}")]
    NoMask {
        /// The mask token (`[MASK]`).
        mask: String,
    },
    /// More pieces than positions.
    #[error("the sentence is {pieces} pieces long; the model has positions for {max}")]
    TooLong {
        /// Its pieces.
        pieces: usize,
        /// `max_position_embeddings`.
        max: usize,
    },
    /// A weight the pass needs is missing.
    #[error("{0}")]
    Weights(String),
    /// The tokenizer failed on the sentence.
    #[error("{0}")]
    Tokenizer(String),
}

impl FillError {
    /// The error in `lang`.
    pub fn text_in(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::hf_steps::HfStepText;
        match self {
            FillError::NoHead { dir } => HfStepText::NoMlmHead {
                dir: dir.display().to_string(),
            }
            .text(lang),
            FillError::NoMask { mask } => HfStepText::NoMask { mask: mask.clone() }.text(lang),
            FillError::TooLong { .. } | FillError::Weights(_) | FillError::Tokenizer(_) => {
                self.to_string()
            }
        }
    }
}

/// The candidates for each mask of a sentence.
#[derive(Debug, Clone)]
pub struct Fill {
    /// The pieces fed to the model (`[CLS]` … `[SEP]`).
    pub pieces: Vec<String>,
    /// Their ids.
    pub ids: Vec<usize>,
    /// Per mask: its position and the `top` candidates (id, probability), most likely first.
    pub masks: Vec<(usize, Vec<(usize, f32)>)>,
    /// The trace of the pass.
    pub trace: Trace,
}

/// The mask token of BERT's tokenizers.
pub const MASK: &str = "[MASK]";
/// The first token of every BERT input.
pub const CLS: &str = "[CLS]";
/// The token after each sentence.
pub const SEP: &str = "[SEP]";
/// The padding token.
pub const PAD: &str = "[PAD]";

impl BertModel {
    /// Runs the model on `text` and reads, at each `[MASK]`, the `top` most likely pieces.
    pub fn fill(&self, text: &str, top: usize) -> Result<Fill, FillError> {
        if !self.mlm {
            return Err(FillError::NoHead {
                dir: self.dir.clone(),
            });
        }
        let (pieces, ids) = self
            .encode(text)
            .map_err(|e| FillError::Tokenizer(e.to_string()))?;
        let positions: Vec<usize> = pieces
            .iter()
            .enumerate()
            .filter(|(_, p)| p.as_str() == MASK)
            .map(|(i, _)| i)
            .collect();
        if positions.is_empty() {
            return Err(FillError::NoMask { mask: MASK.into() });
        }
        let max = self.config.max_position_embeddings;
        if ids.len() > max {
            return Err(FillError::TooLong {
                pieces: ids.len(),
                max,
            });
        }
        let trace = self
            .forward_ids(&BertInput::single(ids.clone()))
            .map_err(|e| FillError::Weights(e.to_string()))?;
        let probs = trace
            .step("probs")
            .map_err(|e| FillError::Weights(e.to_string()))?
            .to_tensor()
            .into_owned();
        let Tensor::Matrix(p) = probs else {
            return Err(FillError::Weights("probs is not a matrix".into()));
        };
        let masks = positions
            .into_iter()
            .map(|pos| {
                let row = p.row(pos);
                let mut order: Vec<usize> = (0..row.len()).collect();
                order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
                (
                    pos,
                    order.into_iter().take(top).map(|i| (i, row[i])).collect(),
                )
            })
            .collect();
        Ok(Fill {
            pieces,
            ids,
            masks,
            trace,
        })
    }
}

/// The vocabulary labels of a model whose tokenizer is not at hand: `#0`, `#1`, ….
pub fn id_labels(n: usize) -> Labels {
    Arc::new((0..n).map(|i| format!("#{i}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gelu_with_erf_by_hand() {
        // gelu(1) = 1/2 · (1 + erf(1/√2)) = 0.5 · (1 + 0.6826895) = 0.8413447;
        // gelu(−1) = −0.5 · (1 − 0.6826895) = −0.1586553; the tanh approximation gives
        // 0.8411920 at 1, off by 1.5e-4.
        assert!((Activation::Gelu.apply(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((Activation::Gelu.apply(-1.0) + 0.158_655_3).abs() < 1e-6);
        assert_eq!(Activation::Gelu.apply(0.0), 0.0);
    }
}
