//! `--hf DIR`: a Hugging Face Marian model directory on `qkv run`, `qkv translate` (greedy or
//! `--beam K`) and `qkv tokenize`.

use qkv::hf::HfModel;
use qkv::hf::decode::{Fate, LengthPenalty};
use qkv::i18n::Lang;
use qkv::i18n::hf::{Fate as FateLine, HfLine};

use crate::*;

/// `qkv tokenize --hf DIR TEXT`.
#[derive(Args)]
pub(crate) struct TokenizeArgs {
    /// The sentence to cut.
    text: String,
    /// The Hugging Face Marian model directory whose tokenizer to use.
    #[arg(long, value_name = "DIR", required = true)]
    hf: PathBuf,
    /// Cut with the target side's model (target.spm) instead of the source's.
    #[arg(long)]
    target: bool,
}

/// Opens `dir`, saying which directory failed.
fn open(dir: &Path) -> Result<HfModel> {
    HfModel::open(dir).with_context(|| format!("--hf {}", dir.display()))
}

/// The model's heading line.
fn heading(model: &HfModel) -> HfLine {
    let c = &model.config;
    HfLine::Model {
        dir: model.dir.display().to_string(),
        shape: format!(
            "d_model {} · heads {} · layers {}+{} · d_ff {} · vocab {} · {}",
            c.d_model,
            c.encoder_attention_heads,
            c.encoder_layers,
            c.decoder_layers,
            c.encoder_ffn_dim,
            c.vocab_size,
            c.activation_function
        ),
        params: model.param_count(),
    }
}

/// `▁나 (7) | 는 (4)`.
fn pieces_line(model: &HfModel, ids: &[usize]) -> String {
    ids.iter()
        .map(|&i| format!("{} ({i})", model.tokenizer.piece(i)))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// `qkv run --hf DIR`: the forward pass on `--text` with `--target` as the decoder's input.
pub(crate) fn run(dir: &Path, a: &RunArgs, lang: Lang) -> Result<ExitCode> {
    let model = open(dir)?;
    let (source, target) = inputs(&model, &a.model);
    let trace = model
        .forward(&source, &target)
        .context("the forward pass")?;
    let heading = [
        heading(&model),
        HfLine::Pieces {
            side: "source",
            pieces: pieces_line(&model, &source),
        },
        HfLine::Pieces {
            side: "target",
            pieces: pieces_line(&model, &target),
        },
    ]
    .iter()
    .map(|l| l.text(lang) + "\n")
    .collect();
    print_trace(&trace, None, heading, a, lang)
}

/// The encoder's and the decoder's input ids of `--text` / `--target`.
fn inputs(model: &HfModel, args: &ModelArgs) -> (Vec<usize>, Vec<usize>) {
    let text = args.text.as_deref().unwrap_or(DEFAULT_TEXT);
    let source = model.tokenizer.encode_source(text).ids;
    let mut target = vec![model.config.decoder_start()];
    if let Some(t) = &args.target {
        target.extend(model.tokenizer.encode_target(t).ids);
    }
    (source, target)
}

/// `qkv export --hf DIR -o F.json`.
pub(crate) fn export(dir: &Path, a: &ExportArgs, lang: Lang) -> Result<ExitCode> {
    let format = qkv::export::Format::from_path(&a.output)?;
    if format != qkv::export::Format::Json {
        anyhow::bail!(
            "{}: a Hugging Face model's trace is exported as JSON (a file name ending in .json); .npz is not written for it yet",
            a.output.display()
        );
    }
    let model = open(dir)?;
    let (source, target) = inputs(&model, &a.model);
    let trace = model
        .forward(&source, &target)
        .context("the forward pass")?;
    let values = qkv::hf::export::value_count(&model, &trace);
    // About 20 characters a number, as the engine's JSON export.
    let predicted = 20 * values;
    if predicted > qkv::export::LARGE_EXPORT_BYTES && !a.force {
        too_large(&a.output, predicted, values, format, None)?;
    }
    qkv::hf::export::write_json(&model, &trace, &source, &target, &a.output)?;
    let wrote = qkv::i18n::cli_lines::CliLine::Exported {
        path: a.output.display().to_string(),
        format: format.to_string(),
        steps: trace.steps().len(),
        weights: model.weights.len() - 1,
        arrays: trace.steps().len() + model.weights.len(),
        loss: None,
    };
    eprintln!("{}", wrote.text(lang));
    Ok(ExitCode::SUCCESS)
}

/// `qkv tokenize --hf DIR TEXT`.
pub(crate) fn tokenize(a: &TokenizeArgs, lang: Lang) -> Result<ExitCode> {
    let model = open(&a.hf)?;
    let (side, enc) = if a.target {
        ("target", model.tokenizer.encode_target(&a.text))
    } else {
        ("source", model.tokenizer.encode_source(&a.text))
    };
    outln!(
        "{}",
        HfLine::Pieces {
            side,
            pieces: pieces_line(&model, &enc.ids)
        }
        .text(lang)
    );
    let spm = if a.target {
        &model.tokenizer.target
    } else {
        &model.tokenizer.source
    };
    let score: f32 = enc.segments.iter().map(|s| s.score).sum();
    let next = spm
        .runner_up(&a.text)
        .map(|(pieces, s)| (pieces.join(" | "), format!("{s:.4}")));
    outln!(
        "{}",
        HfLine::Segmentation {
            score: format!("{score:.4}"),
            next
        }
        .text(lang)
    );
    Ok(ExitCode::SUCCESS)
}

/// `qkv translate --hf DIR TEXT [--beam K]`.
pub(crate) fn translate(dir: &Path, a: &cli::learn::DecodeArgs, lang: Lang) -> Result<ExitCode> {
    let model = open(dir)?;
    let text = a.text.as_deref().unwrap_or(DEFAULT_TEXT);
    let source = model.tokenizer.encode_source(text).ids;
    // Hugging Face's max_length counts the start token.
    let max_length = model.config.max_length.min(a.max_len + 1).max(2);
    let beams = a.beam.unwrap_or(model.config.num_beams).max(1);
    let alpha = a.length_penalty.unwrap_or(model.config.length_penalty);
    let penalty = if a.gnmt {
        LengthPenalty::Gnmt(alpha)
    } else {
        LengthPenalty::HuggingFace(alpha)
    };
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
    let tokens = if beams == 1 {
        let (tokens, steps) = model.greedy(&source, max_length).context("decoding")?;
        if !a.quiet {
            line(heading(&model));
            line(HfLine::Pieces {
                side: "source",
                pieces: pieces_line(&model, &source),
            });
            for (i, s) in steps.iter().enumerate() {
                line(HfLine::GreedyStep {
                    step: i + 1,
                    piece: model.tokenizer.piece(s.token).to_string(),
                    logprob: format!("{:.4}", s.logprob),
                });
            }
            line(HfLine::Cache {
                source: source.len(),
                layers: model.config.decoder_layers,
                steps: steps.len(),
            });
        }
        tokens
    } else {
        let search = model
            .beam_search(&source, beams, max_length, penalty)
            .context("beam search")?;
        if !a.quiet {
            line(heading(&model));
            line(HfLine::Pieces {
                side: "source",
                pieces: pieces_line(&model, &source),
            });
            line(HfLine::Penalty(penalty.formula()));
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
            line(HfLine::Cache {
                source: source.len(),
                layers: model.config.decoder_layers,
                steps: search.steps.len(),
            });
        }
        search.best
    };
    let translation = model.tokenizer.decode(&tokens);
    if a.quiet {
        out.push_str(&translation);
        out.push('\n');
    } else {
        out.push_str(&HfLine::Translation(translation).text(lang));
        out.push('\n');
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
