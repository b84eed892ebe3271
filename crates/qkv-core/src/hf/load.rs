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
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use safetensors::SafeTensors;
use safetensors::tensor::Dtype;
use serde::Deserialize;

use super::config::MarianConfig;
use super::tokenizer::MarianTokenizer;
use super::{HfError, conversion_command};
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
        let weights = read_weights(dir, &config)?;
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

/// Reads `dir/model.safetensors` into canonical weights.
fn read_weights(dir: &Path, config: &MarianConfig) -> Result<Weights, HfError> {
    read_safetensors(dir, "a Marian model", |present| {
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

/// Reads `dir/model.safetensors` into canonical weights. `plan` gets the names in the file
/// and returns the tensors to read and the ones the file may hold that are not read; any
/// other tensor is an error naming it (`family` says whose model it is not part of).
pub fn read_safetensors(
    dir: &Path,
    family: &str,
    plan: impl FnOnce(&HashSet<&str>) -> (Vec<Expected>, Vec<String>),
) -> Result<Weights, HfError> {
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
    let bad = |message: String| HfError::Tensor {
        file: path.clone(),
        message,
    };
    if meta.len() > MAX_WEIGHTS_BYTES {
        return Err(bad(format!(
            "{} bytes is more than qkv reads ({MAX_WEIGHTS_BYTES})",
            meta.len()
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| HfError::io(&path, &e))?;
    let st = SafeTensors::deserialize(&bytes).map_err(|e| bad(e.to_string()))?;
    let present: HashSet<&str> = st.names().into_iter().collect();
    let (list, ignored) = plan(&present);
    let mut named = Vec::new();
    for (hf_name, name, shape, transpose) in &list {
        let view = st
            .tensor(hf_name)
            .map_err(|_| bad(format!("tensor {hf_name} (qkv's {name}) is missing")))?;
        if view.shape() != shape.as_slice() {
            return Err(bad(format!(
                "tensor {hf_name} is {:?}; config.json makes it {shape:?}",
                view.shape()
            )));
        }
        let values = to_f32(view.dtype(), view.data()).ok_or_else(|| {
            bad(format!(
                "tensor {hf_name} is {:?}; qkv reads F32, F16 and BF16",
                view.dtype()
            ))
        })?;
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(bad(format!(
                "tensor {hf_name} has the non-finite value {v} at flat index {i}"
            )));
        }
        let param = match shape.as_slice() {
            [_] => Param::Vector(Array1::from(values)),
            [1, n] if name == FINAL_LOGITS_BIAS => {
                Param::Vector(Array1::from_shape_vec(*n, values).map_err(|e| bad(e.to_string()))?)
            }
            [r, c] => {
                let m = Array2::from_shape_vec((*r, *c), values).map_err(|e| bad(e.to_string()))?;
                Param::Matrix(if *transpose {
                    m.reversed_axes().as_standard_layout().into_owned()
                } else {
                    m
                })
            }
            _ => return Err(bad(format!("tensor {hf_name} has shape {shape:?}"))),
        };
        named.push((name.clone(), param));
    }
    let known: HashSet<&str> = list
        .iter()
        .map(|(hf, ..)| hf.as_str())
        .chain(ignored.iter().map(String::as_str))
        .collect();
    if let Some(extra) = st.names().into_iter().find(|n| !known.contains(*n)) {
        return Err(bad(format!(
            "tensor {extra} is not part of {family} with this config.json (qkv would ignore a part of the model)"
        )));
    }
    Ok(Weights::from_named(named))
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
}
