//! A translation with its steps, as `qkv translate --hf` and the session's `translate` print
//! it: the model, the source pieces, each greedy choice or each beam step's candidates with
//! what became of them, the reuse of keys and values, the translation.

use super::decode::{Fate, LengthPenalty};
use super::{HfModel, MarianModel};
use crate::i18n::Lang;
use crate::i18n::hf::{Fate as FateLine, HfLine};
use crate::model::weights::MissingWeight;

/// How to decode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decoding {
    /// Hypotheses kept (1: greedy).
    pub beams: usize,
    /// Hugging Face's `max_length` (the start token counted).
    pub max_length: usize,
    /// The length penalty of beam search.
    pub penalty: LengthPenalty,
}

impl Decoding {
    /// The model's own settings: its `num_beams`, `max_length` (at most `max_len` generated
    /// tokens) and Hugging Face's length penalty with its `length_penalty`.
    pub fn of_model(model: &MarianModel, max_len: usize) -> Decoding {
        Decoding {
            beams: model.config.num_beams.max(1),
            max_length: model.config.max_length.min(max_len + 1).max(2),
            penalty: LengthPenalty::HuggingFace(model.config.length_penalty),
        }
    }
}

/// The model's heading line.
pub fn heading(model: &HfModel) -> HfLine {
    match model {
        HfModel::Marian(m) => marian_heading(m),
        HfModel::Gpt2(m) => HfLine::Model {
            family: super::Family::Gpt2.name(),
            dir: m.dir.display().to_string(),
            shape: m.shape_line(),
            params: model.param_count(),
        },
        HfModel::Bert(m) => HfLine::Model {
            family: super::Family::Bert.name(),
            dir: m.dir.display().to_string(),
            shape: m.shape_line(),
            params: m.param_count(),
        },
    }
}

/// `d_model 512 · heads 8 · layers 6+6 · d_ff 2048 · vocab 65001 · swish`.
fn marian_shape(model: &MarianModel) -> String {
    let c = &model.config;
    format!(
        "d_model {} · heads {} · layers {}+{} · d_ff {} · vocab {} · {}",
        c.d_model,
        c.encoder_attention_heads,
        c.encoder_layers,
        c.decoder_layers,
        c.encoder_ffn_dim,
        c.vocab_size,
        c.activation_function
    )
}

/// [`heading`] of a Marian model.
fn marian_heading(model: &MarianModel) -> HfLine {
    HfLine::Model {
        family: super::Family::Marian.name(),
        dir: model.dir.display().to_string(),
        shape: marian_shape(model),
        params: model.param_count(),
    }
}

/// The lines above a run's trace: the model's heading, the pieces fed to it with their ids
/// (the encoder's and the decoder's, or a decoder-only model's one sequence).
pub fn run_lines(run: &super::Run) -> Vec<HfLine> {
    let mut lines = vec![
        heading(&run.model),
        HfLine::Pieces {
            side: "source",
            pieces: pieces_line(&run.model, &run.source),
        },
    ];
    if run.model.family().has_target() {
        lines.push(HfLine::Pieces {
            side: "target",
            pieces: pieces_line(&run.model, &run.target),
        });
    }
    lines
}

/// `▁나 (7) | 는 (4)`.
pub fn pieces_line(model: &HfModel, ids: &[usize]) -> String {
    join_pieces(ids, |i| model.piece(i))
}

/// `piece (id) | piece (id)`.
fn join_pieces<S: std::fmt::Display>(ids: &[usize], piece: impl Fn(usize) -> S) -> String {
    ids.iter()
        .map(|&i| format!("{} ({i})", piece(i)))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Decodes `text`: the steps as lines in `lang` (the heading, the pieces, each step, the
/// cache) and the translation.
pub fn translate(
    model: &MarianModel,
    text: &str,
    d: &Decoding,
    lang: Lang,
) -> Result<(String, String), MissingWeight> {
    let source = model.tokenizer.encode_source(text).ids;
    let mut out = String::new();
    let mut line = |l: HfLine| {
        out.push_str(&l.text(lang));
        out.push('\n');
    };
    let pieces = |ids: &[usize]| -> String {
        ids.iter()
            .map(|&i| model.tokenizer.piece(i))
            .collect::<Vec<_>>()
            .join(" ")
    };
    line(marian_heading(model));
    line(HfLine::Pieces {
        side: "source",
        pieces: marian_pieces_line(model, &source),
    });
    let (tokens, steps) = if d.beams <= 1 {
        let (tokens, steps) = model.greedy(&source, d.max_length)?;
        for (i, s) in steps.iter().enumerate() {
            line(HfLine::GreedyStep {
                step: i + 1,
                piece: model.tokenizer.piece(s.token).to_string(),
                logprob: format!("{:.4}", s.logprob),
            });
        }
        (tokens, steps.len())
    } else {
        let search = model.beam_search(&source, d.beams, d.max_length, d.penalty)?;
        line(HfLine::Penalty(d.penalty.formula()));
        for (i, cands) in search.steps.iter().enumerate() {
            line(HfLine::BeamStep { step: i + 1 });
            // Continuations the generation rules ruled out (log p = −∞) are not shown.
            for c in cands.iter().filter(|c| c.logprob.is_finite()) {
                let fate = match c.fate {
                    Fate::Kept(k) => FateLine::Kept(k),
                    Fate::Finished(s) => FateLine::Finished(format!("{s:.4}")),
                    Fate::FinishedDropped(s) => FateLine::FinishedDropped(format!("{s:.4}")),
                    Fate::Dropped => FateLine::Dropped,
                };
                line(HfLine::Candidate {
                    pieces: pieces(&c.tokens),
                    logprob: format!("{:.4}", c.logprob),
                    fate,
                });
            }
        }
        (search.best, search.steps.len())
    };
    line(HfLine::Cache {
        source: source.len(),
        layers: model.config.decoder_layers,
        steps,
    });
    Ok((out, model.tokenizer.decode(&tokens)))
}

/// [`pieces_line`] of a Marian model.
fn marian_pieces_line(model: &MarianModel, ids: &[usize]) -> String {
    join_pieces(ids, |i| model.tokenizer.piece(i))
}

/// How a decoder-only model continues a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Continue {
    /// New tokens at most.
    pub new_tokens: usize,
    /// Hypotheses kept (1: greedy or sampling).
    pub beams: usize,
    /// The length penalty of beam search.
    pub penalty: LengthPenalty,
    /// Sampling instead of the most likely token (with `beams` = 1).
    pub sampling: Option<crate::learn::decode::Sampling>,
}

/// `piece ("text")`: a byte-level piece with the text it spells.
fn shown(model: &super::Gpt2Model, id: usize) -> String {
    format!(
        "{} ({:?})",
        model.tokenizer.piece(id),
        model.tokenizer.decode(&[id])
    )
}

/// Continues `text` with a GPT-2 model: the steps as lines in `lang` (the heading, the
/// pieces, each step or each beam step's candidates) and the text with its continuation.
pub fn continue_text(
    model: &super::Gpt2Model,
    text: &str,
    d: &Continue,
    lang: Lang,
) -> Result<(String, String), MissingWeight> {
    use rand::SeedableRng;
    let ids = model
        .tokenizer
        .encode(text)
        .map_err(|e| MissingWeight(e.to_string()))?
        .ids;
    let mut out = String::new();
    let mut line = |l: HfLine| {
        out.push_str(&l.text(lang));
        out.push('\n');
    };
    line(HfLine::Model {
        family: super::Family::Gpt2.name(),
        dir: model.dir.display().to_string(),
        shape: model.shape_line(),
        params: model.weights.param_count(),
    });
    line(HfLine::Pieces {
        side: "source",
        pieces: join_pieces(&ids, |i| model.tokenizer.piece(i)),
    });
    let tokens = if let Some(s) = d.sampling {
        line(HfLine::Sampling(s.formula()));
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(s.seed);
        let mut tokens = ids.clone();
        for step in 1..=d.new_tokens {
            if tokens.len() >= model.config.n_positions {
                break;
            }
            let logits = model.next_logits(&tokens)?;
            let lp = super::decode::log_softmax(logits.view());
            let probs = lp.mapv(f32::exp);
            let Some(token) = crate::learn::decode::sample_index(&s, &probs, &logits, &mut rng).0
            else {
                break;
            };
            tokens.push(token);
            line(HfLine::SampledStep {
                step,
                piece: shown(model, token),
                logprob: format!("{:.4}", lp[token]),
            });
            if Some(token) == model.eos() {
                break;
            }
        }
        tokens
    } else if d.beams <= 1 {
        let (tokens, steps) = model.greedy(&ids, d.new_tokens)?;
        for (i, s) in steps.iter().enumerate() {
            line(HfLine::GreedyStep {
                step: i + 1,
                piece: shown(model, s.token),
                logprob: format!("{:.4}", s.logprob),
            });
        }
        tokens
    } else {
        let search = model.beam_search(&ids, d.beams, d.new_tokens, d.penalty)?;
        line(HfLine::Penalty(d.penalty.formula()));
        for (i, cands) in search.steps.iter().enumerate() {
            line(HfLine::BeamStep { step: i + 1 });
            for c in cands.iter().filter(|c| c.logprob.is_finite()) {
                let fate = match c.fate {
                    Fate::Kept(k) => FateLine::Kept(k),
                    Fate::Finished(s) => FateLine::Finished(format!("{s:.4}")),
                    Fate::FinishedDropped(s) => FateLine::FinishedDropped(format!("{s:.4}")),
                    Fate::Dropped => FateLine::Dropped,
                };
                line(HfLine::Candidate {
                    pieces: model.tokenizer.decode(&c.tokens[ids.len()..]),
                    logprob: format!("{:.4}", c.logprob),
                    fate,
                });
            }
        }
        search.best
    };
    Ok((out, model.tokenizer.decode(&tokens)))
}

/// Each byte-level piece of `text`: its bytes, the characters they spell (a character cut
/// between pieces as `학[1–2/3]`: bytes 1 to 2 of its 3), the merges that formed it.
pub fn byte_pieces(model: &super::Gpt2Model, text: &str) -> Result<Vec<HfLine>, super::HfError> {
    use super::tokenizer_json::byte_level::bytes_of;
    let enc = model.tokenizer.encode(text)?;
    // Each character's byte range in the text.
    let chars: Vec<(usize, usize, char)> = text
        .char_indices()
        .map(|(i, c)| (i, i + c.len_utf8(), c))
        .collect();
    let mut at = 0;
    let mut out = Vec::new();
    for (piece, id) in enc.pieces.iter().zip(&enc.ids) {
        let bytes = bytes_of(piece).unwrap_or_else(|| piece.as_bytes().to_vec());
        let (lo, hi) = (at, at + bytes.len());
        at = hi;
        let spells = chars
            .iter()
            .filter(|(s, e, _)| *s < hi && *e > lo)
            .map(|&(s, e, c)| {
                let c = if c == ' ' { '␠' } else { c };
                if s >= lo && e <= hi {
                    c.to_string()
                } else {
                    let first = lo.max(s) - s + 1;
                    let last = hi.min(e) - s;
                    let range = if first == last {
                        first.to_string()
                    } else {
                        format!("{first}–{last}")
                    };
                    format!("{c}[{range}/{}]", e - s)
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        out.push(HfLine::BytePiece {
            piece: format!("{piece} ({id})"),
            bytes: bytes
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(" "),
            spells,
            merges: model
                .tokenizer
                .merges_of(piece)
                .iter()
                .map(|m| format!("{} + {}", m.left, m.right))
                .collect(),
        });
    }
    Ok(out)
}
