//! `--hf DIR`: a Hugging Face model directory on `qkv run`, `qkv export`, `qkv translate`
//! (greedy or `--beam K`, Marian) and `qkv tokenize`.

use std::sync::Arc;

use qkv::hf::decode::LengthPenalty;
use qkv::hf::{HfModel, MarianModel, Run};
use qkv::i18n::Lang;
use qkv::i18n::hf::HfLine;

use crate::*;

/// `qkv tokenize --hf DIR TEXT`.
#[derive(Args)]
pub(crate) struct TokenizeArgs {
    /// The sentence to cut.
    text: String,
    /// The Hugging Face model directory whose tokenizer to use (Marian or GPT-2).
    #[arg(long, value_name = "DIR", required = true)]
    hf: PathBuf,
    /// Cut with the target side's model (target.spm) instead of the source's.
    #[arg(long)]
    target: bool,
    /// A byte-level BPE (GPT-2): each piece's bytes, the characters they spell and the merges
    /// that formed it.
    #[arg(long)]
    merges: bool,
}

/// `qkv fill --hf DIR TEXT`.
#[derive(Args)]
pub(crate) struct FillArgs {
    /// The sentence, with [MASK] where the model should fill in a piece.
    text: String,
    /// The Hugging Face BERT model directory (config.json, model.safetensors, tokenizer.json).
    #[arg(long, value_name = "DIR", required = true)]
    hf: PathBuf,
    /// How many candidates to show for each [MASK].
    #[arg(long, value_name = "K", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    top: u16,
}

/// A session on the model directory `dir` with `--text` and `--target` (`qkv tui --hf`,
/// `qkv repl --hf`, `qkv plot --hf`, `qkv explain --hf`). The other model flags shape qkv's
/// own models and are refused.
pub(crate) fn session(dir: &Path, model: &ModelArgs, lang: Lang) -> Result<Session> {
    if model.spec != ModelSpec::default() || model.untrained {
        anyhow::bail!(
            "--hf {}: the model is the directory's (its config.json and weights); --{} applies to qkv's own models",
            dir.display(),
            if model.untrained {
                "untrained".to_string()
            } else {
                model
                    .spec
                    .describe()
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .replace('_', "-")
            }
        );
    }
    let text = model.text.as_deref().unwrap_or(DEFAULT_TEXT);
    Session::open_hf(dir, text, model.target.as_deref())
        .map_err(|e| anyhow::anyhow!("{}", e.text_in(lang)))
        .with_context(|| format!("--hf {}", dir.display()))
}

/// Opens `dir`, saying which directory failed.
pub(crate) fn open(dir: &Path) -> Result<HfModel> {
    HfModel::open(dir).with_context(|| format!("--hf {}", dir.display()))
}

use qkv::hf::transcript::{pieces_line, run_lines};

/// `qkv run --hf DIR`: the forward pass on `--text` with `--target` as the decoder's input
/// (an encoder-decoder's).
pub(crate) fn run(dir: &Path, a: &RunArgs, lang: Lang) -> Result<ExitCode> {
    let r = run_on(dir, &a.model)?;
    let heading = run_lines(&r).iter().map(|l| l.text(lang) + "\n").collect();
    print_trace(&r.trace, None, heading, a, lang)
}

/// Opens `dir` and runs it on `--text` (and `--target`).
pub(crate) fn run_on(dir: &Path, args: &ModelArgs) -> Result<Run> {
    let model = open(dir)?;
    let text = args.text.as_deref().unwrap_or(DEFAULT_TEXT);
    Run::new(Arc::new(model), text, args.target.as_deref()).context("the forward pass")
}

/// The Marian model `model` is, or the refusal of `command` on another family.
pub(crate) fn marian<'m>(model: &'m HfModel, command: &str, lang: Lang) -> Result<&'m MarianModel> {
    model.marian().ok_or_else(|| {
        anyhow::anyhow!(
            "{}",
            HfLine::NotForFamily {
                command: command.to_string(),
                family: model.family().name(),
                allowed: qkv::hf::Family::Marian.name().to_string(),
            }
            .text(lang)
        )
    })
}

/// `qkv export --hf DIR -o F.json`.
pub(crate) fn export(dir: &Path, a: &ExportArgs, lang: Lang) -> Result<ExitCode> {
    let r = run_on(dir, &a.model)?;
    export_trace(&r.model, &r.trace, (&r.source, &r.target), a, lang)
}

/// Writes a real model's trace as JSON (`qkv export --hf DIR`, or a scenario's model.hf).
pub(crate) fn export_trace(
    model: &HfModel,
    trace: &qkv::trace::Trace,
    (source, target): (&[usize], &[usize]),
    a: &ExportArgs,
    lang: Lang,
) -> Result<ExitCode> {
    let format = qkv::export::Format::from_path(&a.output)?;
    if format != qkv::export::Format::Json {
        anyhow::bail!(
            "{}",
            HfLine::ExportJsonOnly {
                path: a.output.display().to_string()
            }
            .text(lang)
        );
    }
    if a.grads {
        anyhow::bail!(
            "--grads: a Hugging Face model's weights are read-only and qkv does not differentiate it"
        );
    }
    let values = qkv::hf::export::value_count(model, trace);
    // About 20 characters a number, as the engine's JSON export.
    let predicted = 20 * values;
    if predicted > qkv::export::LARGE_EXPORT_BYTES && !a.force {
        too_large(&a.output, predicted, values, format, None)?;
    }
    qkv::hf::export::write_json(model, trace, source, target, &a.output)?;
    let wrote = qkv::i18n::cli_lines::CliLine::Exported {
        path: a.output.display().to_string(),
        format: format.to_string(),
        steps: trace.steps().len(),
        weights: model.weights().len() - 1,
        arrays: trace.steps().len() + model.weights().len(),
        loss: None,
    };
    eprintln!("{}", wrote.text(lang));
    Ok(ExitCode::SUCCESS)
}

/// `qkv tokenize --hf DIR TEXT`.
pub(crate) fn tokenize(a: &TokenizeArgs, lang: Lang) -> Result<ExitCode> {
    let opened = open(&a.hf)?;
    if let Some(g) = opened.gpt2() {
        let enc = g.tokenizer.encode(&a.text)?;
        let mut lines = vec![HfLine::Pieces {
            side: "source",
            pieces: pieces_line(&opened, &enc.ids),
        }];
        if a.merges {
            lines.extend(qkv::hf::transcript::byte_pieces(g, &a.text)?);
        }
        for l in lines {
            outln!("{}", l.text(lang));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(bert) = opened.bert() {
        // WordPiece: [CLS], the pieces (## marks one that continues a word), [SEP].
        let (_, ids) = bert.encode(&a.text)?;
        outln!(
            "{}",
            HfLine::Pieces {
                side: "source",
                pieces: pieces_line(&opened, &ids)
            }
            .text(lang)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let model = marian(&opened, "qkv tokenize --hf", lang)?;
    let (side, enc) = if a.target {
        ("target", model.tokenizer.encode_target(&a.text))
    } else {
        ("source", model.tokenizer.encode_source(&a.text))
    };
    outln!(
        "{}",
        HfLine::Pieces {
            side,
            pieces: pieces_line(&opened, &enc.ids)
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
    let opened = open(dir)?;
    let model = marian(&opened, "qkv translate --hf", lang)?;
    let text = a.text.as_deref().unwrap_or(DEFAULT_TEXT);
    let mut d = qkv::hf::transcript::Decoding::of_model(model, a.max_len);
    d.beams = a.beam.unwrap_or(d.beams).max(1);
    let alpha = a.length_penalty.unwrap_or(model.config.length_penalty);
    d.penalty = if a.gnmt {
        LengthPenalty::Gnmt(alpha)
    } else {
        LengthPenalty::HuggingFace(alpha)
    };
    let (steps, translation) =
        qkv::hf::transcript::translate(model, text, &d, lang).context("decoding")?;
    let out = if a.quiet {
        format!("{translation}\n")
    } else {
        format!("{steps}{}\n", HfLine::Translation(translation).text(lang))
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `qkv generate --hf DIR TEXT`: a GPT-2 model continues `TEXT` step by step (greedy,
/// `--temperature`/`--top-k` sampling, or `--beam K`), at most `--max-len` new tokens.
pub(crate) fn generate(dir: &Path, a: &cli::learn::DecodeArgs, lang: Lang) -> Result<ExitCode> {
    use qkv::hf::transcript::{Continue, continue_text};
    let opened = open(dir)?;
    let Some(model) = opened.gpt2() else {
        anyhow::bail!(
            "{}",
            HfLine::NotForFamily {
                command: "qkv generate --hf".into(),
                family: opened.family().name(),
                allowed: qkv::hf::Family::Gpt2.name().to_string(),
            }
            .text(lang)
        );
    };
    let text = a.text.as_deref().unwrap_or("I go");
    let sampling = a.temperature.map(|t| qkv::learn::decode::Sampling {
        temperature: t,
        top_k: a.top_k,
        seed: a.seed,
    });
    if let Some(s) = sampling {
        s.check()?;
    }
    let alpha = a.length_penalty.unwrap_or(1.0);
    let d = Continue {
        new_tokens: a.max_len,
        beams: a.beam.unwrap_or(1).max(1),
        penalty: if a.gnmt {
            LengthPenalty::Gnmt(alpha)
        } else {
            LengthPenalty::HuggingFace(alpha)
        },
        sampling,
    };
    let (steps, result) = continue_text(model, text, &d, lang).context("generating")?;
    let out = if a.quiet {
        format!("{result}\n")
    } else {
        format!("{steps}{}\n", HfLine::Continuation(result).text(lang))
    };
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `qkv fill --hf DIR TEXT [--top K]`.
pub(crate) fn fill(a: &FillArgs, lang: Lang) -> Result<ExitCode> {
    use qkv::i18n::hf_steps::HfStepText;
    let opened = open(&a.hf)?;
    let Some(model) = opened.bert() else {
        anyhow::bail!(
            "{}",
            HfLine::NotForFamily {
                command: "qkv fill --hf".to_string(),
                family: opened.family().name(),
                allowed: qkv::hf::Family::Bert.name().to_string(),
            }
            .text(lang)
        );
    };
    let f = model
        .fill(&a.text, usize::from(a.top))
        .map_err(|e| anyhow::anyhow!("{}", e.text_in(lang)))
        .with_context(|| format!("--hf {}", a.hf.display()))?;
    let mut out = String::new();
    for line in [
        qkv::hf::transcript::heading(&opened),
        HfLine::Pieces {
            side: "source",
            pieces: pieces_line(&opened, &f.ids),
        },
    ] {
        out.push_str(&line.text(lang));
        out.push('\n');
    }
    for (pos, candidates) in &f.masks {
        out.push_str(&HfStepText::FillAt { pos: *pos }.text(lang));
        out.push('\n');
        for (rank, (id, p)) in candidates.iter().enumerate() {
            let line = HfStepText::Candidate {
                rank: rank + 1,
                piece: model.piece(*id).to_string(),
                id: *id,
                prob: format!("{p:.4}"),
            };
            out.push_str(&line.text(lang));
            out.push('\n');
        }
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
