//! `qkv bench`: the matrix-product rate and the forward pass, side by side.

use crate::*;

pub(crate) fn bench(a: BenchArgs) -> Result<ExitCode> {
    if let Some(dir) = &a.hf {
        let opts = qkv::bench::HfOptions {
            text: a.text.clone().unwrap_or_else(|| DEFAULT_TEXT.to_string()),
            repeat: a.repeat,
            beam: a.beam,
        };
        let report =
            qkv::bench::run_hf(dir, &opts).with_context(|| format!("--hf {}", dir.display()))?;
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            emit(&qkv::bench::render_hf(&report))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let probe_exe = if a.no_first_trace || a.probe {
        None
    } else {
        Some(
            std::env::current_exe()
                .context("finding the qkv executable to time a fresh process")?,
        )
    };
    let opts = qkv::bench::Options {
        preset: a.preset,
        arch: a.arch,
        tokens: a.tokens,
        repeat: a.repeat,
        probe_exe,
        train: a.train,
        shapes: a.shapes,
    };
    if a.probe {
        outln!("{}", qkv::bench::probe(&opts)?);
        return Ok(ExitCode::SUCCESS);
    }
    let report = qkv::bench::run(&opts)?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        emit(&qkv::bench::render(&report))?;
        outln!("\n{}", qkv::bench::table_row(&report));
    }
    Ok(ExitCode::SUCCESS)
}
