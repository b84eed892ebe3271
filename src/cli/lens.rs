//! `qkv lens`: the logit lens of a decoder (qkv's decoder-only or encoder-decoder model, or a
//! Hugging Face Marian model's decoder), one table per position: a row per layer, its top
//! candidates for the next token.

use crate::*;
use qkv::i18n::Lang;
use qkv::i18n::lens::LensLine;
use qkv::lens::{Reading, Readout, decoder_states, hf_readout, read, transformer_readout};
use qkv::render::pad_right;
use qkv::trace::Trace;

#[derive(Args)]
pub(crate) struct LensArgs {
    /// A scenario file whose model and sentence to read (flags change them).
    scenario: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Candidates per layer and position.
    #[arg(long, default_value_t = 5, value_parser = positive_arg)]
    top: usize,
    /// Read the decoder of a Hugging Face Marian model directory on --text (the source) and
    /// --target (the decoder's input after <pad>) instead of a scenario's model.
    #[arg(long, value_name = "DIR", conflicts_with = "scenario")]
    hf: Option<PathBuf>,
}

pub(crate) fn lens(a: &LensArgs, lang: Lang) -> Result<ExitCode> {
    if let Some(dir) = &a.hf {
        let run = super::hf::run_on(dir, &a.model)?;
        let Some(readout) = hf_readout(&run.model)? else {
            anyhow::bail!("{}", LensLine::NoDecoder.text(lang));
        };
        let head = qkv::hf::transcript::heading(&run.model).text(lang);
        outln!("{}", print(&run.trace, &readout, a.top, head, lang)?);
        return Ok(ExitCode::SUCCESS);
    }
    let ((file, runnable), chosen) = a.model.run_chosen(a.scenario.as_deref())?;
    let Some(model) = runnable.model() else {
        anyhow::bail!("{}", LensLine::NoDecoder.text(lang));
    };
    let trace = runnable.trace();
    let readout = transformer_readout(model, &trace.tokens().vocab)?;
    let head = super::study::summary(&file, &runnable, &chosen, lang);
    outln!("{}", print(trace, &readout, a.top, head, lang)?);
    Ok(ExitCode::SUCCESS)
}

/// The lens of `trace` as text: `head`, the intro, then per position a table (the
/// embeddings and each layer, `k` candidates each).
fn print(
    trace: &Trace,
    readout: &Readout<'_>,
    k: usize,
    head: String,
    lang: Lang,
) -> Result<String> {
    let states = decoder_states(trace);
    if states.is_empty() {
        anyhow::bail!("{}", LensLine::NoDecoder.text(lang));
    }
    let readings = read(states, readout, k);
    let tokens = trace.tokens();
    let rows = tokens.target.as_ref().unwrap_or(&tokens.source);
    let vocab = &tokens.vocab;
    let label = |r: &Reading| match r.layer {
        None => LensLine::Embeddings.text(lang),
        Some(l) => LensLine::Layer(l).text(lang),
    };
    let width = readings
        .iter()
        .map(|r| qkv::render::width(&label(r)))
        .max()
        .unwrap_or(0);
    let mut out = head;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(
        &LensLine::Intro {
            formula: readout.formula(),
        }
        .text(lang),
    );
    out.push('\n');
    for (pos, token) in rows.iter().enumerate() {
        out.push('\n');
        out.push_str(
            &LensLine::Position {
                pos,
                token: token.clone(),
                k,
            }
            .text(lang),
        );
        out.push('\n');
        for r in &readings {
            let cands: Vec<String> = r.top[pos]
                .iter()
                .map(|&(t, p)| {
                    let tok = vocab.get(t).map_or("?", String::as_str);
                    format!("{tok} {p:.3}")
                })
                .collect();
            out.push_str(&format!(
                "  {}  {}  ({})\n",
                pad_right(&label(r), width),
                cands.join("  "),
                r.step
            ));
        }
    }
    Ok(out.trim_end().to_string())
}
