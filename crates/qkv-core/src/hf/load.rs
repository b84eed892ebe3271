//! Opening a Marian model directory: `config.json`, `generation_config.json` (optional),
//! `model.safetensors`, the tokenizer files. The weights are mapped onto qkv's canonical
//! names in the row-vector convention `x · W` (PyTorch's `nn.Linear` keeps `W` as out × in,
//! so every projection matrix is transposed):
//!
//! ```text
//! model.shared.weight                                   embed.E (also the output projection)
//! model.encoder.layers.{l}.self_attn.{q,k,v,out}_proj   enc.{l}.attn.{W_Q,W_K,W_V,W_O} + b_Q …
//! model.encoder.layers.{l}.self_attn_layer_norm         enc.{l}.norm1.{gamma,beta}
//! model.encoder.layers.{l}.fc1, fc2                     enc.{l}.ffn.{W1,b1}, {W2,b2}
//! model.encoder.layers.{l}.final_layer_norm             enc.{l}.norm2.{gamma,beta}
//! model.decoder.layers.{l}.self_attn / encoder_attn     dec.{l}.self_attn.* / dec.{l}.cross_attn.*
//! model.decoder.layers.{l}.{self_attn,encoder_attn,final}_layer_norm   dec.{l}.norm{1,2,3}.*
//! final_logits_bias                                     final_logits_bias
//! ```
//!
//! The biases of the projections (`b_Q`, `b_K`, `b_V`, `b_O`) and `final_logits_bias` are
//! Marian's additions to the paper's weights.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, Metadata};
use serde::Deserialize;

use super::config::MarianConfig;
use super::tokenizer::MarianTokenizer;
use super::{HfError, conversion_command};
use crate::model::cancel::{Control, Stage};
use crate::model::weights::EMBEDDING;
use crate::model::{Param, Weights};

/// The name of the final-logits bias among the weights.
pub const FINAL_LOGITS_BIAS: &str = "final_logits_bias";
/// Largest weights file read, in bytes (the 77M-parameter OPUS-MT models are about 300 MB).
pub const MAX_WEIGHTS_BYTES: u64 = 4 << 30;

/// An opened Marian model: configuration, weights under canonical names, tokenizer.
#[derive(Debug, Clone)]
pub struct MarianModel {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// `config.json` (with `generation_config.json`'s generation settings over it).
    pub config: MarianConfig,
    /// The weights, canonical names.
    pub weights: Weights,
    /// Pieces and ids.
    pub tokenizer: MarianTokenizer,
}

/// The generation settings of `generation_config.json` qkv uses.
#[derive(Debug, Default, Deserialize)]
struct GenerationConfig {
    num_beams: Option<usize>,
    max_length: Option<usize>,
    bad_words_ids: Option<Vec<Vec<usize>>>,
    decoder_start_token_id: Option<usize>,
    length_penalty: Option<f32>,
}

impl MarianModel {
    /// Opens the model directory `dir`. Reads only local files.
    pub fn open(dir: &Path) -> Result<MarianModel, HfError> {
        MarianModel::open_controlled(dir, &Control::new())
    }

    /// [`MarianModel::open`] reporting the weights' bytes read to `control` (stage
    /// [`Stage::Bytes`]) and stopping between two tensors when `control` is asked to
    /// ([`HfError::Cancelled`]).
    pub fn open_controlled(dir: &Path, control: &Control) -> Result<MarianModel, HfError> {
        let mut config = MarianConfig::read(&dir.join("config.json"))?;
        let gen_path = dir.join("generation_config.json");
        if gen_path.is_file() {
            let text =
                std::fs::read_to_string(&gen_path).map_err(|e| HfError::io(&gen_path, &e))?;
            let g: GenerationConfig = serde_json::from_str(&text).map_err(|e| HfError::Json {
                file: gen_path.clone(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
            config.num_beams = g.num_beams.unwrap_or(config.num_beams);
            config.max_length = g.max_length.unwrap_or(config.max_length);
            config.bad_words_ids = g.bad_words_ids.unwrap_or(config.bad_words_ids);
            config.length_penalty = g.length_penalty.unwrap_or(config.length_penalty);
            config.decoder_start_token_id =
                g.decoder_start_token_id.or(config.decoder_start_token_id);
        }
        let weights = read_weights(dir, &config, control)?;
        let tokenizer = MarianTokenizer::open(dir, &config)?;
        Ok(MarianModel {
            dir: dir.to_path_buf(),
            config,
            weights,
            tokenizer,
        })
    }

    /// The number of parameters (the embedding table counted once).
    pub fn param_count(&self) -> usize {
        self.weights.param_count()
    }
}

/// Every weight of `config`'s model: (HF name, canonical name, shape in HF's layout,
/// transpose).
#[expect(
    clippy::too_many_lines,
    reason = "one row per tensor of a Marian checkpoint: its name, its canonical name, its shape, its layout"
)]
fn expected(c: &MarianConfig) -> Vec<Expected> {
    let d = c.d_model;
    let mut out = vec![(
        "model.shared.weight".to_string(),
        EMBEDDING.to_string(),
        vec![c.vocab_size, d],
        false,
    )];
    let attn = |out: &mut Vec<_>, hf: &str, qkv: &str| {
        for (p, w, b) in [
            ("q_proj", "W_Q", "b_Q"),
            ("k_proj", "W_K", "b_K"),
            ("v_proj", "W_V", "b_V"),
            ("out_proj", "W_O", "b_O"),
        ] {
            out.push((
                format!("{hf}.{p}.weight"),
                format!("{qkv}.{w}"),
                vec![d, d],
                true,
            ));
            out.push((
                format!("{hf}.{p}.bias"),
                format!("{qkv}.{b}"),
                vec![d],
                false,
            ));
        }
    };
    let norm = |out: &mut Vec<_>, hf: &str, qkv: &str| {
        out.push((
            format!("{hf}.weight"),
            format!("{qkv}.gamma"),
            vec![d],
            false,
        ));
        out.push((format!("{hf}.bias"), format!("{qkv}.beta"), vec![d], false));
    };
    let ffn = |out: &mut Vec<_>, hf: &str, qkv: &str, f: usize| {
        out.push((
            format!("{hf}.fc1.weight"),
            format!("{qkv}.W1"),
            vec![f, d],
            true,
        ));
        out.push((
            format!("{hf}.fc1.bias"),
            format!("{qkv}.b1"),
            vec![f],
            false,
        ));
        out.push((
            format!("{hf}.fc2.weight"),
            format!("{qkv}.W2"),
            vec![d, f],
            true,
        ));
        out.push((
            format!("{hf}.fc2.bias"),
            format!("{qkv}.b2"),
            vec![d],
            false,
        ));
    };
    for l in 0..c.encoder_layers {
        let hf = format!("model.encoder.layers.{l}");
        let q = format!("enc.{l}");
        attn(&mut out, &format!("{hf}.self_attn"), &format!("{q}.attn"));
        norm(
            &mut out,
            &format!("{hf}.self_attn_layer_norm"),
            &format!("{q}.norm1"),
        );
        ffn(&mut out, &hf, &format!("{q}.ffn"), c.encoder_ffn_dim);
        norm(
            &mut out,
            &format!("{hf}.final_layer_norm"),
            &format!("{q}.norm2"),
        );
    }
    for l in 0..c.decoder_layers {
        let hf = format!("model.decoder.layers.{l}");
        let q = format!("dec.{l}");
        attn(
            &mut out,
            &format!("{hf}.self_attn"),
            &format!("{q}.self_attn"),
        );
        norm(
            &mut out,
            &format!("{hf}.self_attn_layer_norm"),
            &format!("{q}.norm1"),
        );
        attn(
            &mut out,
            &format!("{hf}.encoder_attn"),
            &format!("{q}.cross_attn"),
        );
        norm(
            &mut out,
            &format!("{hf}.encoder_attn_layer_norm"),
            &format!("{q}.norm2"),
        );
        ffn(&mut out, &hf, &format!("{q}.ffn"), c.decoder_ffn_dim);
        norm(
            &mut out,
            &format!("{hf}.final_layer_norm"),
            &format!("{q}.norm3"),
        );
    }
    out.push((
        FINAL_LOGITS_BIAS.to_string(),
        FINAL_LOGITS_BIAS.to_string(),
        vec![1, c.vocab_size],
        false,
    ));
    out
}

/// Tensors a Marian file may hold that qkv does not read: copies of the shared table (tied)
/// and the fixed sinusoidal tables (computed).
const IGNORED: [&str; 5] = [
    "lm_head.weight",
    "model.encoder.embed_tokens.weight",
    "model.decoder.embed_tokens.weight",
    "model.encoder.embed_positions.weight",
    "model.decoder.embed_positions.weight",
];

/// Bytes read from the weights file at a time: a tensor is read in pieces of this size
/// straight into its f32 values, so loading holds the weights once, not the file beside them.
const READ_CHUNK: usize = 1 << 20;

/// `dir/model.safetensors` opened for reading tensor by tensor: its header (8 bytes of
/// length, then JSON) names each tensor's byte range, which [`TensorFile::tensor_f32`] reads
/// in [`READ_CHUNK`] pieces straight into the tensor's values, so loading holds the weights
/// once, not the file beside them. Every family's loader reads through it.
pub(super) struct TensorFile<'c> {
    path: PathBuf,
    file: File,
    data_start: u64,
    header: Metadata,
    control: &'c Control,
}

impl<'c> TensorFile<'c> {
    /// Opens `dir/model.safetensors` and reads its header, counting bytes on `control`
    /// (stage [`Stage::Bytes`]); says what to do when the directory has only
    /// `pytorch_model.bin` or no weights.
    pub(super) fn open(dir: &Path, control: &'c Control) -> Result<TensorFile<'c>, HfError> {
        let path = dir.join("model.safetensors");
        if !path.is_file() {
            return Err(if dir.join("pytorch_model.bin").is_file() {
                HfError::OnlyPytorch {
                    dir: dir.to_path_buf(),
                    command: conversion_command(dir),
                }
            } else {
                HfError::NoWeights {
                    dir: dir.to_path_buf(),
                }
            });
        }
        let meta = std::fs::metadata(&path).map_err(|e| HfError::io(&path, &e))?;
        if meta.len() > MAX_WEIGHTS_BYTES {
            return Err(HfError::Tensor {
                file: path,
                message: format!(
                    "{} bytes is more than qkv reads ({MAX_WEIGHTS_BYTES})",
                    meta.len()
                ),
            });
        }
        let mut file = File::open(&path).map_err(|e| HfError::io(&path, &e))?;
        control.begin(Stage::Bytes, meta.len());
        let (data_start, header) = match read_header(&mut file, meta.len()) {
            Ok(h) => h,
            Err(message) => {
                return Err(HfError::Tensor {
                    file: path,
                    message,
                });
            }
        };
        Ok(TensorFile {
            path,
            file,
            data_start,
            header,
            control,
        })
    }

    /// The names of the file's tensors.
    pub(super) fn names(&self) -> HashSet<String> {
        self.header.tensors().into_keys().collect()
    }

    /// A [`HfError::Tensor`] about this file.
    pub(super) fn bad(&self, message: String) -> HfError {
        HfError::Tensor {
            file: self.path.clone(),
            message,
        }
    }

    /// The values of tensor `hf_name` (qkv's `name`), checked to have `shape`, a float type
    /// and finite values; [`HfError::Cancelled`] when the control asks to stop.
    pub(super) fn tensor_f32(
        &mut self,
        hf_name: &str,
        name: &str,
        shape: &[usize],
    ) -> Result<Vec<f32>, HfError> {
        if self.control.requested() {
            return Err(HfError::Cancelled {
                file: self.path.clone(),
            });
        }
        let info = self
            .header
            .info(hf_name)
            .ok_or_else(|| self.bad(format!("tensor {hf_name} (qkv's {name}) is missing")))?;
        if info.shape != shape {
            return Err(self.bad(format!(
                "tensor {hf_name} is {:?}; config.json makes it {shape:?}",
                info.shape
            )));
        }
        let (dtype, (from, to)) = (info.dtype, info.data_offsets);
        let at = self.data_start + from as u64;
        let values = read_f32(
            &mut self.file,
            dtype,
            at,
            to - from,
            READ_CHUNK,
            self.control,
        )
        .map_err(|e| self.bad(format!("tensor {hf_name}: {e}")))?
        .ok_or_else(|| {
            self.bad(format!(
                "tensor {hf_name} is {dtype:?}; qkv reads F32, F16 and BF16"
            ))
        })?;
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(self.bad(format!(
                "tensor {hf_name} has the non-finite value {v} at flat index {i}"
            )));
        }
        Ok(values)
    }
}

/// Reads `dir/model.safetensors` into canonical weights.
fn read_weights(dir: &Path, config: &MarianConfig, control: &Control) -> Result<Weights, HfError> {
    read_safetensors(dir, "a Marian model", control, |present| {
        let mut list = expected(config);
        if !present.contains("model.shared.weight") {
            // Files written with untied copies name the table after the encoder.
            for e in &mut list {
                if e.0 == "model.shared.weight" {
                    e.0 = "model.encoder.embed_tokens.weight".to_string();
                }
            }
        }
        (list, IGNORED.iter().map(|n| (*n).to_string()).collect())
    })
}

/// One tensor a family reads: (name in the file, canonical name, shape in the file's layout,
/// transpose to the row-vector convention).
pub type Expected = (String, String, Vec<usize>, bool);

/// Reads `dir/model.safetensors` into canonical weights, tensor by tensor through
/// [`TensorFile`] (progress and cancellation on `control`). `plan` gets the names in the file
/// and returns the tensors to read and the ones the file may hold that are not read; any
/// other tensor is an error naming it (`family` says whose model it is not part of).
pub fn read_safetensors(
    dir: &Path,
    family: &str,
    control: &Control,
    plan: impl FnOnce(&HashSet<String>) -> (Vec<Expected>, Vec<String>),
) -> Result<Weights, HfError> {
    let mut tensors = TensorFile::open(dir, control)?;
    let present = tensors.names();
    let (list, ignored) = plan(&present);
    let mut named = Vec::new();
    for (hf_name, name, shape, transpose) in &list {
        let values = tensors.tensor_f32(hf_name, name, shape)?;
        let bad = |e: ndarray::ShapeError| tensors.bad(e.to_string());
        let param = match shape.as_slice() {
            [_] => Param::Vector(Array1::from(values)),
            [1, n] if name == FINAL_LOGITS_BIAS => {
                Param::Vector(Array1::from_shape_vec(*n, values).map_err(bad)?)
            }
            [r, c] => {
                let m = Array2::from_shape_vec((*r, *c), values).map_err(bad)?;
                Param::Matrix(if *transpose {
                    m.reversed_axes().as_standard_layout().into_owned()
                } else {
                    m
                })
            }
            _ => return Err(tensors.bad(format!("tensor {hf_name} has shape {shape:?}"))),
        };
        named.push((name.clone(), param));
    }
    let known: HashSet<&str> = list
        .iter()
        .map(|(hf, ..)| hf.as_str())
        .chain(ignored.iter().map(String::as_str))
        .collect();
    let mut extra: Vec<&String> = present
        .iter()
        .filter(|n| !known.contains(n.as_str()))
        .collect();
    extra.sort();
    if let Some(extra) = extra.first() {
        return Err(tensors.bad(format!(
            "tensor {extra} is not part of {family} with this config.json (qkv would ignore a part of the model)"
        )));
    }
    Ok(Weights::from_named(named))
}

/// The safetensors header of `file` (`len` bytes): where the data starts and each
/// tensor's type, shape and byte range (checked to tile the data exactly).
fn read_header(file: &mut File, len: u64) -> Result<(u64, Metadata), String> {
    let mut n = [0u8; 8];
    file.read_exact(&mut n).map_err(|e| e.to_string())?;
    let n = u64::from_le_bytes(n);
    if n.saturating_add(8) > len {
        return Err(format!(
            "the header says it is {n} bytes long; the file has {len}"
        ));
    }
    let mut json = vec![0u8; n as usize];
    file.read_exact(&mut json).map_err(|e| e.to_string())?;
    let header: Metadata = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
    let data_start = 8 + n;
    let data_len = header.data_len() as u64;
    if data_start + data_len != len {
        return Err(format!(
            "the header's tensors end at byte {}; the file has {len}",
            data_start + data_len
        ));
    }
    Ok((data_start, header))
}

/// `bytes` bytes of `dtype` at `offset` as f32 values, read in pieces of `chunk` bytes (a
/// multiple of 4), each counted on `control`; `None` for a type qkv does not read.
fn read_f32(
    file: &mut File,
    dtype: Dtype,
    offset: u64,
    bytes: usize,
    chunk: usize,
    control: &Control,
) -> std::io::Result<Option<Vec<f32>>> {
    let size = match dtype {
        Dtype::F32 => 4,
        Dtype::F16 | Dtype::BF16 => 2,
        _ => return Ok(None),
    };
    file.seek(SeekFrom::Start(offset))?;
    let mut values = Vec::with_capacity(bytes / size);
    let chunk = chunk.max(4);
    let mut buffer = vec![0u8; chunk.min(bytes)];
    let mut left = bytes;
    while left > 0 {
        let part = &mut buffer[..chunk.min(left)];
        file.read_exact(part)?;
        if let Some(v) = to_f32(dtype, part) {
            values.extend(v);
        }
        left -= part.len();
        control.advance(part.len() as u64);
    }
    Ok(Some(values))
}

/// Little-endian F32, F16 or BF16 bytes as f32.
fn to_f32(dtype: Dtype, data: &[u8]) -> Option<Vec<f32>> {
    match dtype {
        Dtype::F32 => Some(
            data.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        Dtype::BF16 => Some(
            data.chunks_exact(2)
                .map(|c| f32::from_bits(u32::from(u16::from_le_bytes([c[0], c[1]])) << 16))
                .collect(),
        ),
        Dtype::F16 => Some(
            data.chunks_exact(2)
                .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
        ),
        _ => None,
    }
}

/// IEEE half precision to single precision.
fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f32::from(h & 0x3ff);
    match exp {
        0 => sign * frac * 2f32.powi(-24),
        31 if frac == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        e => sign * (1.0 + frac / 1024.0) * 2f32.powi(e - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_by_hand() {
        // 0x3c00 = 1.0; 0xc000 = −2.0; 0x3555 ≈ 0.33325 (1 + 341/1024) · 2^−2;
        // 0x0001 = 2^−24 (smallest subnormal).
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), (1.0 + 341.0 / 1024.0) / 4.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        // BF16 0x3f80 is the top half of f32 1.0 (0x3f800000).
        assert_eq!(to_f32(Dtype::BF16, &[0x80, 0x3f]), Some(vec![1.0]));
    }

    #[test]
    fn a_tensor_is_read_piece_by_piece_from_its_byte_range() {
        use std::io::Write;
        // 3 bytes before the tensor, then f32 1.0, −2.0, 0.5, then BF16 1.0 (0x3f80).
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&[9, 9, 9]).unwrap();
        for v in [1.0f32, -2.0, 0.5] {
            f.write_all(&v.to_le_bytes()).unwrap();
        }
        f.write_all(&[0x80, 0x3f]).unwrap();
        let c = Control::new();
        c.begin(Stage::Bytes, 14);
        // Pieces of 4 bytes: one value per read, three reads.
        let got = read_f32(&mut f, Dtype::F32, 3, 12, 4, &c).unwrap();
        assert_eq!(got, Some(vec![1.0, -2.0, 0.5]));
        // Each piece is counted: 12 bytes.
        assert_eq!(c.progress().done, 12);
        // Pieces of 8 bytes: 1.0 and −2.0, then 0.5 alone.
        let got = read_f32(&mut f, Dtype::F32, 3, 12, 8, &c).unwrap();
        assert_eq!(got, Some(vec![1.0, -2.0, 0.5]));
        assert_eq!(
            read_f32(&mut f, Dtype::BF16, 15, 2, 4, &c).unwrap(),
            Some(vec![1.0])
        );
        assert_eq!(read_f32(&mut f, Dtype::I64, 3, 8, 4, &c).unwrap(), None);
        // Past the end of the file: an error, not a short tensor.
        assert!(read_f32(&mut f, Dtype::F32, 15, 4, 4, &c).is_err());
    }

    #[test]
    fn a_header_that_does_not_tile_the_file_is_refused() {
        use std::io::Write;
        // One F32 tensor of 2 values: data_offsets [0, 8], so the file is 8 + n + 8 bytes.
        let json = br#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&(json.len() as u64).to_le_bytes()).unwrap();
        f.write_all(json).unwrap();
        f.write_all(&[0; 8]).unwrap();
        let len = 8 + json.len() as u64 + 8;
        f.seek(SeekFrom::Start(0)).unwrap();
        let (start, header) = read_header(&mut f, len).unwrap();
        assert_eq!(start, 8 + json.len() as u64);
        assert_eq!(header.info("t").unwrap().data_offsets, (0, 8));
        // The same header with 4 bytes of data cut off.
        f.seek(SeekFrom::Start(0)).unwrap();
        let err = read_header(&mut f, len - 4).unwrap_err();
        assert_eq!(
            err,
            format!(
                "the header's tensors end at byte {len}; the file has {}",
                len - 4
            )
        );
    }
}
