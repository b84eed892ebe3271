//! A Hugging Face model run on a sentence: the pieces fed to it, their ids and the trace, as
//! the session, the scenarios and the command line hold it.

use std::sync::Arc;

use super::{HfModel, MarianModel};
use crate::model::Input;
use crate::trace::Trace;

/// A sentence the model cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// More pieces than the model has positions for.
    #[error(
        "{side} is {pieces} pieces long; the model has positions for {max} (max_position_embeddings in config.json)"
    )]
    TooLong {
        /// `the sentence` or `the target`.
        side: &'static str,
        /// Its pieces.
        pieces: usize,
        /// `max_position_embeddings`.
        max: usize,
    },
    /// A weight the forward pass needs is missing (the directory was checked when opened).
    #[error("{0}")]
    Weights(String),
    /// `tokenizer.json` could not cut the sentence.
    #[error("{0}")]
    Tokenizer(String),
}

/// The model, a sentence (and the reference the decoder reads), their ids and the trace.
#[derive(Debug, Clone)]
pub struct Run {
    /// The model (shared: its weights are read-only).
    pub model: Arc<HfModel>,
    /// The sentences and their pieces (`source` ends in `</s>`, `target` starts with
    /// `<pad>`, the decoder's start token).
    pub input: Input,
    /// The encoder's input ids (a decoder-only model's: its only input).
    pub source: Vec<usize>,
    /// The decoder's input ids (empty for a decoder-only model).
    pub target: Vec<usize>,
    /// Every step of the forward pass.
    pub trace: Trace,
}

impl Run {
    /// Cuts `text` (and `target`) into the model's pieces and runs the model on them.
    pub fn new(model: Arc<HfModel>, text: &str, target: Option<&str>) -> Result<Run, RunError> {
        let (input, source, target) = match &*model {
            HfModel::Marian(m) => marian_inputs(m, text, target)?,
            HfModel::Gpt2(m) => super::gpt2::inputs(m, text)?,
            HfModel::Bert(m) => bert_inputs(m, text)?,
        };
        let trace = model
            .forward(&source, &target)
            .map_err(|e| RunError::Weights(e.to_string()))?;
        Ok(Run {
            model,
            input,
            source,
            target,
            trace,
        })
    }

    /// The model's heading: `opus-mt-ko-en · d_model 512 · layers 6+6 · heads 8 · vocab
    /// 65001 · swish`.
    pub fn heading(&self) -> String {
        self.model.heading()
    }
}

/// A Marian model's input: `text`'s pieces then `</s>` for the encoder, `<pad>` then
/// `target`'s pieces for the decoder.
fn marian_inputs(
    model: &MarianModel,
    text: &str,
    target: Option<&str>,
) -> Result<(Input, Vec<usize>, Vec<usize>), RunError> {
    let tok = &model.tokenizer;
    let enc = tok.encode_source(text);
    let mut tgt_pieces = vec![tok.piece(model.config.decoder_start()).to_string()];
    let mut tgt_ids = vec![model.config.decoder_start()];
    if let Some(t) = target {
        let e = tok.encode_target(t);
        tgt_pieces.extend(e.pieces);
        tgt_ids.extend(e.ids);
    }
    let max = model.config.max_position_embeddings;
    for (side, pieces) in [
        ("the sentence", enc.ids.len()),
        ("the target", tgt_ids.len()),
    ] {
        if pieces > max {
            return Err(RunError::TooLong { side, pieces, max });
        }
    }
    Ok((
        Input {
            text: text.to_string(),
            target_text: target.map(str::to_string),
            source: enc.pieces,
            target: Some(tgt_pieces),
        },
        enc.ids,
        tgt_ids,
    ))
}

/// A BERT model's input: `[CLS]`, `text`'s pieces, `[SEP]` (one sentence, type 0).
fn bert_inputs(
    model: &super::bert::BertModel,
    text: &str,
) -> Result<(Input, Vec<usize>, Vec<usize>), RunError> {
    let (pieces, ids) = model
        .encode(text)
        .map_err(|e| RunError::Tokenizer(e.to_string()))?;
    let max = model.config.max_position_embeddings;
    if ids.len() > max {
        return Err(RunError::TooLong {
            side: "the sentence",
            pieces: ids.len(),
            max,
        });
    }
    Ok((
        Input {
            text: text.to_string(),
            target_text: None,
            source: pieces,
            target: None,
        },
        ids,
        Vec::new(),
    ))
}

impl HfModel {
    /// `DIR-NAME · d_model 512 · layers 6+6 · heads 8 · vocab 65001 · swish`: the model as a
    /// header names it.
    pub fn heading(&self) -> String {
        let dir = self.dir();
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!("{name} · {}", self.shape_line())
    }

    /// `d_model 512 · layers 6+6 · heads 8 · vocab 65001 · swish`.
    fn shape_line(&self) -> String {
        match self {
            HfModel::Marian(m) => m.shape_line(),
            HfModel::Gpt2(m) => m.shape_line(),
            HfModel::Bert(m) => m.shape_line(),
        }
    }
}

impl MarianModel {
    /// `d_model 512 · layers 6+6 · heads 8 · vocab 65001 · swish`.
    fn shape_line(&self) -> String {
        let c = &self.config;
        format!(
            "d_model {} · layers {}+{} · heads {} · vocab {} · {}",
            c.d_model,
            c.encoder_layers,
            c.decoder_layers,
            c.encoder_attention_heads,
            c.vocab_size,
            c.activation_function
        )
    }
}
