//! Checkpoints in safetensors (the format PyTorch, Hugging Face and candle read): f32
//! tensors under the canonical weight names (`embed.E`, `enc.0.attn.W_Q`, …, in the
//! row-vector convention `x · W`), and metadata `qkv.format` = `1`, `qkv.config` (the
//! configuration as JSON, the keys of the export's `meta.config`) and `qkv.vocab` (a JSON
//! list of the tokens by id).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde_json::Value;

use crate::atomic::{Existing, Refusal};
use crate::export::config_json;
use crate::model::cancel::{Control, Stage};
use crate::model::vocab::VocabError;
use crate::model::{Config, Param, PartsError, Transformer, Vocab, Weights};

/// The file name of the shipped trained model (`scenarios/ko-en.safetensors`, trained by
/// `qkv train -o scenarios/ko-en.safetensors` on `data/ko-en.tsv` with the defaults).
pub const SHIPPED_NAME: &str = "ko-en.safetensors";

/// The shipped trained model's bytes, built into the binary so that `qkv` opens on it from
/// anywhere.
const SHIPPED: &[u8] = include_bytes!("../../../../scenarios/ko-en.safetensors");

/// The shipped trained model (Korean → English, see [`SHIPPED_NAME`]).
pub fn shipped() -> Result<Transformer, CheckpointError> {
    from_bytes(Path::new(SHIPPED_NAME), SHIPPED)
}

/// The `qkv.format` this code writes and reads.
pub const FORMAT: &str = "1";
/// Largest checkpoint read, in bytes (a `base` model with a 37 000-word vocabulary is about
/// 250 MiB).
pub const MAX_CHECKPOINT_BYTES: u64 = 1 << 30;

/// A checkpoint that cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// File system error.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// Not a regular file, or too large.
    #[error("{path} is {what}: a checkpoint is a regular .safetensors file of at most {max} bytes")]
    NotAFile {
        /// The file.
        path: PathBuf,
        /// What it is.
        what: String,
        /// The limit.
        max: u64,
    },
    /// The safetensors layer refused the bytes.
    #[error("{path} is not a readable safetensors file: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What safetensors said.
        message: String,
    },
    /// Reading was stopped by a cancellation request ([`Control::request`]).
    #[error("{path}: reading was cancelled")]
    Cancelled {
        /// The file.
        path: PathBuf,
    },
    /// Metadata missing or wrong.
    #[error("{path}: metadata {key}: {why}")]
    Metadata {
        /// The file.
        path: PathBuf,
        /// The key.
        key: &'static str,
        /// What is wrong.
        why: String,
    },
    /// A tensor that is not f32.
    #[error("{path}: tensor {name} is {dtype}; qkv checkpoints hold F32 tensors")]
    Dtype {
        /// The file.
        path: PathBuf,
        /// Tensor name.
        name: String,
        /// Its dtype.
        dtype: String,
    },
    /// Names, shapes or values that do not fit the configuration.
    #[error("{path}: {cause}")]
    Parts {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        cause: PartsError,
    },
    /// The destination may not be written ([`crate::atomic::check_destination`]).
    #[error("{refusal}{}", replace_hint(refusal))]
    Destination {
        /// Why.
        #[from]
        refusal: Refusal,
    },
    /// Reading the file would take more memory than the budget.
    #[error("reading {path} (its bytes and the tensors decoded from them) needs {over}")]
    Memory {
        /// The file.
        path: PathBuf,
        /// The prediction and the budget.
        over: crate::limits::OverBudget,
    },
    /// The model to save has no fixed vocabulary.
    #[error(
        "only a model with a fixed vocabulary can be saved as a checkpoint (train one with `qkv train`)"
    )]
    NoVocab,
}

/// How to replace an existing file, after [`Refusal::Exists`].
fn replace_hint(r: &Refusal) -> &'static str {
    match r {
        Refusal::Exists { .. } => {
            ": a checkpoint replaces a file only when asked (qkv train --force, checkpoint save! FILE)"
        }
        _ => "",
    }
}

fn bytes_of(values: impl Iterator<Item = f32>) -> Vec<u8> {
    values.flat_map(f32::to_le_bytes).collect()
}

/// The checkpoint of `model` as bytes.
pub fn to_bytes(model: &Transformer) -> Result<Vec<u8>, CheckpointError> {
    let vocab = model.vocab().ok_or(CheckpointError::NoVocab)?;
    let named: Vec<(String, Vec<usize>, Vec<u8>)> = model
        .weights()
        .iter()
        .map(|(n, p)| (n.to_string(), p.shape(), bytes_of(p.values())))
        .collect();
    let mut views = Vec::with_capacity(named.len());
    for (n, shape, data) in &named {
        let view = TensorView::new(Dtype::F32, shape.clone(), data).map_err(|e| {
            CheckpointError::Format {
                path: PathBuf::new(),
                message: e.to_string(),
            }
        })?;
        views.push((n.clone(), view));
    }
    let mut meta = HashMap::new();
    meta.insert("qkv.format".to_string(), FORMAT.to_string());
    meta.insert(
        "qkv.config".to_string(),
        config_json(model.config()).to_string(),
    );
    meta.insert("qkv.steps".to_string(), model.trained_steps().to_string());
    meta.insert(
        "qkv.vocab".to_string(),
        Value::from(vocab.tokens().to_vec()).to_string(),
    );
    let bytes = safetensors::serialize(views, Some(meta)).map_err(|e| CheckpointError::Format {
        path: PathBuf::new(),
        message: e.to_string(),
    })?;
    canonical(&bytes).ok_or_else(|| CheckpointError::Format {
        path: PathBuf::new(),
        message: "the serialised header is not a JSON object".into(),
    })
}

/// The same file with its JSON header's keys in sorted order. The safetensors crate writes
/// the metadata from a hash map, whose order changes from process to process; sorting makes
/// the same model give the same bytes. The tensor data and its offsets do not move.
fn canonical(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::collections::BTreeMap;
    let n = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
    let header = bytes.get(8..8 + n)?;
    let data = bytes.get(8 + n..)?;
    let mut top: BTreeMap<String, Value> = serde_json::from_slice(header).ok()?;
    if let Some(m) = top.get_mut("__metadata__") {
        let sorted: BTreeMap<String, Value> = serde_json::from_value(m.clone()).ok()?;
        *m = serde_json::to_value(sorted).ok()?;
    }
    let mut text = serde_json::to_vec(&top).ok()?;
    // The crate pads its header with spaces to a multiple of 8 bytes; so does this.
    while text.len() % 8 != 0 {
        text.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + text.len() + data.len());
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(&text);
    out.extend_from_slice(data);
    Some(out)
}

/// Writes the checkpoint of `model` to `path` through the one file writer
/// ([`crate::atomic`]): links followed, only a regular file replaced (and only when
/// `existing` allows it), permissions kept, a temporary file renamed over the target when
/// complete.
pub fn save(model: &Transformer, path: &Path, existing: Existing) -> Result<(), CheckpointError> {
    let target = crate::atomic::check_destination(path, existing)?;
    let bytes = to_bytes(model)?;
    crate::atomic::write_atomically(&target, |f| f.write_all(&bytes)).map_err(|cause| {
        CheckpointError::Io {
            path: path.to_path_buf(),
            cause,
        }
    })
}

/// Reads a checkpoint file, counting its bytes and tensors in `control` and stopping with
/// [`CheckpointError::Cancelled`] when it asks.
pub fn load(path: &Path, control: &Control) -> Result<Transformer, CheckpointError> {
    let io = |cause| CheckpointError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() || meta.len() > MAX_CHECKPOINT_BYTES {
        let what = if meta.is_file() {
            format!("{} bytes", meta.len())
        } else if meta.is_dir() {
            "a directory".into()
        } else {
            "not a regular file".into()
        };
        return Err(CheckpointError::NotAFile {
            path: path.to_path_buf(),
            what,
            max: MAX_CHECKPOINT_BYTES,
        });
    }
    // The file's bytes and the tensors decoded from them are held at once.
    crate::limits::check_memory(meta.len().saturating_mul(2)).map_err(|over| {
        CheckpointError::Memory {
            path: path.to_path_buf(),
            over,
        }
    })?;
    let bytes = read_with_progress(path, meta.len(), control).map_err(io)?;
    decode(path, &bytes, Some(control))
}

/// Reads the file in 8 MiB pieces, counting them in `control` and stopping with
/// an `Interrupted` error when a cancellation is requested (a `base` checkpoint is about
/// 250 MiB).
fn read_with_progress(path: &Path, len: u64, control: &Control) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    const PIECE: usize = 8 << 20;
    let mut file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    control.begin(Stage::Bytes, len);
    let mut buf = vec![0u8; PIECE.min(usize::try_from(len).unwrap_or(PIECE).max(1))];
    loop {
        if control.requested() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "reading was cancelled",
            ));
        }
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(bytes);
        }
        bytes.extend_from_slice(&buf[..n]);
        control.advance(n as u64);
        // The size was checked before reading; a file that grows meanwhile is refused.
        if bytes.len() as u64 > MAX_CHECKPOINT_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("grew past {MAX_CHECKPOINT_BYTES} bytes while being read"),
            ));
        }
    }
}

/// Reads checkpoint bytes (`path` names them in errors).
pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Transformer, CheckpointError> {
    decode(path, bytes, None)
}

/// [`from_bytes`], counting the tensors in `control` and stopping when it asks.
#[expect(
    clippy::too_many_lines,
    reason = "the checkpoint's fields read and checked in file order, each with its own error."
)]
fn decode(
    path: &Path,
    bytes: &[u8],
    control: Option<&Control>,
) -> Result<Transformer, CheckpointError> {
    let p = || path.to_path_buf();
    let format = |e: safetensors::SafeTensorError| CheckpointError::Format {
        path: p(),
        message: e.to_string(),
    };
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(format)?;
    let md: HashMap<String, String> = header.metadata().clone().unwrap_or_default();
    let get = |key: &'static str| {
        md.get(key).ok_or_else(|| CheckpointError::Metadata {
            path: p(),
            key,
            why: "missing (not a qkv checkpoint?)".into(),
        })
    };
    let version = get("qkv.format")?;
    if version != FORMAT {
        return Err(CheckpointError::Metadata {
            path: p(),
            key: "qkv.format",
            why: format!("version {version:?}; this qkv reads version {FORMAT}"),
        });
    }
    let config = parse_config(get("qkv.config")?).map_err(|why| CheckpointError::Metadata {
        path: p(),
        key: "qkv.config",
        why,
    })?;
    let config = config.validate().map_err(|e| CheckpointError::Metadata {
        path: p(),
        key: "qkv.config",
        why: e.to_string(),
    })?;
    let tokens: Vec<String> =
        serde_json::from_str(get("qkv.vocab")?).map_err(|e| CheckpointError::Metadata {
            path: p(),
            key: "qkv.vocab",
            why: format!("not a JSON list of strings: {e}"),
        })?;
    let vocab = Vocab::from_tokens(tokens).map_err(|e: VocabError| CheckpointError::Metadata {
        path: p(),
        key: "qkv.vocab",
        why: e.to_string(),
    })?;
    // The checkpoint records no corpus: the shipped model's vocabulary is the built-in
    // corpus's, whose source sentences say which words it saw as input.
    let vocab = crate::learn::corpus::Corpus::with_built_in_source(vocab, config.tokenizer);
    let st = SafeTensors::deserialize(bytes).map_err(format)?;
    let expected = Weights::expected(&config);
    let order = |n: &str| {
        if n == crate::model::weights::EMBEDDING {
            0
        } else {
            expected
                .iter()
                .position(|(e, _)| e == n)
                .map_or(usize::MAX, |i| i + 1)
        }
    };
    let mut named: Vec<(String, Param)> = Vec::new();
    let tensors = st.tensors();
    if let Some(c) = control {
        c.begin(Stage::Tensors, tensors.len() as u64);
    }
    for (name, view) in tensors {
        if let Some(c) = control {
            if c.requested() {
                return Err(CheckpointError::Cancelled { path: p() });
            }
            c.advance(1);
        }
        if view.dtype() != Dtype::F32 {
            return Err(CheckpointError::Dtype {
                path: p(),
                name,
                dtype: format!("{:?}", view.dtype()),
            });
        }
        let values: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let param = match view.shape() {
            [_] => Param::Vector(Array1::from(values)),
            [r, c] => Param::Matrix(Array2::from_shape_vec((*r, *c), values).map_err(|e| {
                CheckpointError::Format {
                    path: p(),
                    message: format!("{name}: {e}"),
                }
            })?),
            other => {
                return Err(CheckpointError::Parts {
                    path: p(),
                    cause: PartsError::Shape {
                        name,
                        expected: "a matrix or a vector".into(),
                        got: format!("{} dimensions", other.len()),
                    },
                });
            }
        };
        named.push((name, param));
    }
    named.sort_by_key(|(n, _)| order(n));
    let mut model = Transformer::from_parts(config, Weights::from_named(named), vocab)
        .map_err(|cause| CheckpointError::Parts { path: p(), cause })?;
    // Optimiser updates made (a checkpoint without the key is counted as trained once).
    let steps = match md.get("qkv.steps") {
        Some(s) => s.parse::<usize>().map_err(|_| CheckpointError::Metadata {
            path: p(),
            key: "qkv.steps",
            why: format!("{s:?} is not a whole number"),
        })?,
        None => 1,
    };
    model.set_trained_steps(steps);
    Ok(model)
}

/// A configuration from its JSON form ([`crate::export::ConfigOnDisk`], the type
/// [`config_json`] writes).
pub fn parse_config(text: &str) -> Result<Config, String> {
    serde_json::from_str::<crate::export::ConfigOnDisk>(text)
        .map_err(|e| format!("not a configuration: {e}"))?
        .into_config()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Input, Preset};

    #[test]
    fn the_shipped_checkpoint_writes_back_byte_for_byte() {
        // Its configuration is read and written by one type (export::ConfigOnDisk); a key
        // out of order, a missing one or another spelling of eps would change the bytes.
        assert_eq!(to_bytes(&shipped().unwrap()).unwrap(), SHIPPED);
    }

    #[test]
    fn a_configuration_without_dec_mask_reads_as_causal() {
        let mut v = crate::export::config_json(&Config::preset(crate::model::Preset::Tiny));
        v.as_object_mut().unwrap().remove("dec_mask");
        let c = parse_config(&v.to_string()).unwrap();
        assert_eq!(c.dec_mask, crate::model::MaskKind::Causal);
        assert!(parse_config(r#"{"arch": "loop"}"#).is_err());
    }

    #[test]
    fn round_trip_keeps_every_bit() {
        let mut c = Config::preset(Preset::Tiny);
        c.layers.encoder = 1;
        let vocab = Vocab::build(["나는", "학교에", "간다", "I", "go"]);
        let m = Transformer::with_vocab(c.clone().validate().unwrap(), vocab);
        let bytes = to_bytes(&m).unwrap();
        // The same model gives the same bytes (the header's keys are sorted).
        assert_eq!(to_bytes(&m.clone()).unwrap(), bytes);
        let back = from_bytes(Path::new("x"), &bytes).unwrap();
        assert_eq!(back.config(), m.config());
        assert_eq!(back.vocab(), m.vocab());
        assert_eq!(back.weights(), m.weights());
        let input = Input::new(&c, "나는 학교에 간다", Some("<bos> I go")).unwrap();
        assert_eq!(
            back.forward(&input, crate::model::Pass::default()).unwrap(),
            m.forward(&input, crate::model::Pass::default()).unwrap()
        );
    }

    #[test]
    fn parts_are_checked_by_name_shape_and_value() {
        use crate::model::PartsError;
        let mut c = Config::preset(Preset::Tiny);
        c.layers.encoder = 1;
        c.layers.decoder = 1;
        let valid = c.validate().unwrap();
        let vocab = Vocab::build(["a"]);
        let m = Transformer::with_vocab(valid.clone(), vocab.clone());
        type Named = Vec<(String, Param)>;
        let named = |f: &dyn Fn(&mut Named)| {
            let mut v: Named = m
                .weights()
                .iter()
                .map(|(n, p)| (n.to_string(), p.clone()))
                .collect();
            f(&mut v);
            Transformer::from_parts(valid.clone(), Weights::from_named(v), vocab.clone())
        };
        assert!(named(&|_| {}).is_ok());
        let missing = named(&|v| {
            v.retain(|(n, _)| n != "enc.0.attn.W_Q");
        });
        assert_eq!(
            missing.unwrap_err(),
            PartsError::Missing("enc.0.attn.W_Q".into())
        );
        let extra = named(&|v| v.push(("enc.9.attn.W_Q".into(), Param::Vector(Array1::zeros(2)))));
        assert!(matches!(extra, Err(PartsError::Unexpected(n)) if n == "enc.9.attn.W_Q"));
        let shape = named(&|v| v[1].1 = Param::Matrix(Array2::zeros((2, 2))));
        assert!(
            shape
                .unwrap_err()
                .to_string()
                .contains("is 2 × 2 but the configuration needs 8 × 8")
        );
        let nan = named(&|v| {
            if let Param::Vector(b) = &mut v[5].1 {
                b[0] = f32::NAN;
            }
        });
        assert!(
            matches!(nan, Err(PartsError::NotFinite { index: 0, .. })),
            "{nan:?}"
        );
        // The embedding table's rows follow the vocabulary.
        let rows = named(&|v| v[0].1 = Param::Matrix(Array2::zeros((3, 8))));
        assert!(
            rows.unwrap_err()
                .to_string()
                .starts_with("weight embed.E is 3 × 8")
        );
    }

    #[test]
    fn bad_checkpoints_say_what_is_wrong() {
        let c = Config::preset(Preset::Tiny);
        let m = Transformer::with_vocab(c.clone().validate().unwrap(), Vocab::build(["a"]));
        let mut bytes = to_bytes(&m).unwrap();
        // Untrained models without a vocabulary cannot be saved.
        let plain = Transformer::new(c.validate().unwrap());
        assert!(matches!(to_bytes(&plain), Err(CheckpointError::NoVocab)));
        // Truncated file.
        bytes.truncate(bytes.len() - 4);
        let err = from_bytes(Path::new("m.safetensors"), &bytes).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m.safetensors is not a readable safetensors file"),
            "{err}"
        );
    }
}
