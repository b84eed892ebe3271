//! Real models: a Hugging Face model directory (as `huggingface-cli download` puts it on
//! disk) opened with its weights and its tokenizer, and run with every step recorded under
//! the canonical names of [`crate::trace`], so that the views, exports and checks that read a
//! trace read this one. `config.json`'s `model_type` chooses the family ([`family`]): a Marian
//! translation model (`Helsinki-NLP/opus-mt-*`, its SentencePiece tokenizers and its
//! vocabulary) or GPT-2 (its `tokenizer.json`).
//!
//! - [`family`]: the families and [`HfModel`], the opened model of one of them;
//! - [`config`]: `config.json` (and `generation_config.json`);
//! - [`load`]: the weights from `model.safetensors`, mapped onto canonical names;
//! - [`spm`]: the unigram SentencePiece model of `source.spm` / `target.spm`;
//! - [`tokenizer`]: Marian's pieces → ids through `vocab.json`, `</s>` after the source;
//! - [`tokenizer_json`]: `tokenizer.json` through the `tokenizers` library (GPT-2's
//!   byte-level BPE with its merges);
//! - [`marian`]: the forward pass, with Marian's differences from the paper as named steps;
//! - [`gpt2`]: GPT-2's configuration, weights and forward pass.
//!
//! qkv never downloads anything: the directory is read from disk.

pub mod bert;
pub mod config;
pub mod decode;
pub mod export;
pub mod family;
pub mod gpt2;
pub mod layers;
pub mod load;
pub mod marian;
pub mod run;
pub mod spm;
pub mod tokenizer;
pub mod tokenizer_json;
pub mod transcript;

use std::path::{Path, PathBuf};

pub use config::{Activation, MarianConfig};
pub use family::{Family, HfModel};
pub use gpt2::Gpt2Model;
pub use load::MarianModel;
pub use run::{Run, RunError};

/// The one line that says how to get a model directory qkv cannot find: the Hugging Face
/// CLI's download of `Helsinki-NLP/<dir's name>` when the name is an OPUS-MT model's, else
/// of `Helsinki-NLP/opus-mt-ko-en`.
pub fn how_to_get(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n.starts_with("opus-mt-"))
        .unwrap_or_else(|| "opus-mt-ko-en".to_string());
    format!(
        "huggingface-cli download Helsinki-NLP/{name} --local-dir {}",
        dir.display()
    )
}

/// A Hugging Face model directory qkv cannot open.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HfError {
    /// A file that cannot be read.
    #[error("{file}: {message}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The system's message.
        message: String,
    },
    /// A JSON file that does not parse.
    #[error("{file}:{line}:{column}: {message}")]
    Json {
        /// The file.
        file: PathBuf,
        /// Line (from 1).
        line: usize,
        /// Column (from 1).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A key with a value qkv cannot run.
    #[error("{file}: {key} is {value}; qkv can run {allowed}")]
    BadValue {
        /// The file.
        file: PathBuf,
        /// The key.
        key: &'static str,
        /// Its value.
        value: String,
        /// What qkv accepts.
        allowed: String,
    },
    /// The weights are only in PyTorch's pickle format.
    #[error(
        "{dir} has pytorch_model.bin but no model.safetensors; qkv reads safetensors. Convert it once (needs torch and safetensors):\n  {command}"
    )]
    OnlyPytorch {
        /// The directory.
        dir: PathBuf,
        /// The one-line command that writes model.safetensors beside it.
        command: String,
    },
    /// No weights at all.
    #[error(
        "{dir} has no model.safetensors: a Hugging Face model directory has config.json, model.safetensors, source.spm, target.spm and vocab.json (get one with `huggingface-cli download Helsinki-NLP/opus-mt-ko-en --local-dir DIR`)"
    )]
    NoWeights {
        /// The directory.
        dir: PathBuf,
    },
    /// A tensor that is missing, of the wrong shape or type, or not expected.
    #[error("{file}: {message}")]
    Tensor {
        /// The file.
        file: PathBuf,
        /// What is wrong, naming the tensor.
        message: String,
    },
    /// Reading the weights was stopped (Ctrl-C) before it finished.
    #[error("{file}: reading stopped before the end")]
    Cancelled {
        /// The weights file.
        file: PathBuf,
    },
    /// A `tokenizer.json` that the `tokenizers` library cannot read or use.
    #[error("{file}: {message}")]
    Tokenizer {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A SentencePiece model that cannot be read.
    #[error("{file}: {reason}")]
    Spm {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl HfError {
    /// The error of reading `file`.
    pub fn io(file: &Path, e: &std::io::Error) -> HfError {
        HfError::Io {
            file: file.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// The command that converts `dir/pytorch_model.bin` to `dir/model.safetensors`.
pub fn conversion_command(dir: &Path) -> String {
    let d = dir.display().to_string().replace('\'', "'\\''");
    format!(
        "python3 -c \"import torch, safetensors.torch as s; d='{d}'; s.save_file({{k: v.clone().contiguous() for k, v in torch.load(d + '/pytorch_model.bin', map_location='cpu').items()}}, d + '/model.safetensors', metadata={{'format': 'pt'}})\""
    )
}
