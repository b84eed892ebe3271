//! The Transformer of "Attention Is All You Need", written with `ndarray`. Pure math: no
//! printing, no files, no UI. [`Transformer::forward`] records every intermediate into a
//! [`Trace`](crate::trace::Trace).
//!
//! Start with [`reference`](mod@reference): the whole forward pass in plain `ndarray`, in
//! the paper's order, one function per idea. [`Transformer::forward`] computes the same
//! numbers with faster machinery (`layer`, `attention`, `kernels`, reuse, a buffer pool), and
//! a property test holds every step of it to [`reference::forward`].

pub mod attention;
pub mod cancel;
pub mod config;
pub mod cost;
pub mod embedding;
pub mod ffn;
pub mod init;
mod kernels;
pub mod layer;
pub mod linalg;
pub mod norm;
pub mod params;
pub mod provenance;
pub mod reference;
pub mod reuse;
pub mod tokenizer;
pub mod transformer;
pub mod vecmath;
pub mod vocab;
pub mod weights;

pub use cancel::{Cancelled, Control};
pub use config::{
    Arch, Config, ConfigError, Layers, MaskKind, Norm, Positional, Preset, Problem, TokenizerKind,
    ValidConfig,
};
pub use tokenizer::Input;
pub use transformer::{ForwardError, NeedsNewWeights, PartsError, Pass, Transformer};
pub use vocab::Vocab;
pub use weights::{Param, WeightError, Weights};

/// Validates `config` and tokenizes the input under it, reporting every problem of both at
/// once (fields of the config first, then `input.text` / `input.target`).
pub fn prepare(
    config: Config,
    text: &str,
    target: Option<&str>,
) -> Result<(ValidConfig, Input), ConfigError> {
    let mut problems = config.problems();
    let input = Input::new(&config, text, target);
    if let Err(p) = &input {
        problems.extend(p.iter().cloned());
    }
    match (config.validate(), input) {
        (Ok(valid), Ok(input)) if problems.is_empty() => Ok((valid, input)),
        _ => Err(ConfigError { problems }),
    }
}
