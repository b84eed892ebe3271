//! The subcommands that print or write what a scenario computes: `run`, `export`, `plot`,
//! `params`, `check`, `replay` and `explain`.

use crate::*;
use qkv::i18n::Lang;
use qkv::i18n::cli_lines::CliLine;
use qkv::i18n::session_files::FilesMsg;
use qkv::i18n::ui::{Msg, model_summary};
use qkv::trace::StepKind;

/// `qkv run`'s heading in `lang`: the scenario's title (as written), the model in one line,
/// where its weights come from, the tokens.
pub(crate) fn summary(
    file: &ScenarioFile,
    runnable: &Runnable,
    chosen: &Chosen,
    lang: Lang,
) -> String {
    let mut s = String::new();
    if let Some(line) = chosen.line(lang) {
        s.push_str(&format!("{line}\n"));
    }
    if !file.title_in(lang).is_empty() {
        s.push_str(&format!("{}\n", file.title_in(lang)));
    }
    let trace = runnable.trace();
    if let Runnable::Real(r) = runnable {
        // A scenario's model.hf: the model's heading and the pieces with their ids.
        for l in qkv::hf::transcript::run_lines(r) {
            s.push_str(&format!("{}\n", l.text(lang)));
        }
        return s;
    }
    let Some(model) = runnable.model() else {
        s.push_str(&format!("{}\n", CliLine::HandCheck.text(lang)));
        if matches!(file, ScenarioFile::Attention(a) if a.v.is_none()) {
            s.push_str(&format!("{}\n", FilesMsg::NoValues.text(lang)));
        }
        return s;
    };
    let c = model.config();
    let provenance = Msg::Provenance {
        updates: model.trained_steps(),
        seed: c.seed,
    };
    s.push_str(&format!(
        "{}\n{}\n",
        model_summary(c, lang, 0),
        provenance.text(lang)
    ));
    let t = trace.tokens();
    if let Some(w) = model
        .vocab()
        .and_then(|v| CliLine::mostly_unknown(v, &t.source))
    {
        s.push_str(&format!("{}\n", w.text(lang)));
    }
    s.push_str(&format!(
        "{}\n",
        CliLine::Source(t.source.join(" | ")).text(lang)
    ));
    if let Some(tg) = &t.target {
        s.push_str(&format!("{}\n", CliLine::Target(tg.join(" | ")).text(lang)));
    }
    s
}

pub(crate) fn run(a: RunArgs, lang: Lang) -> Result<ExitCode> {
    if let Some(dir) = &a.hf {
        return super::hf::run(dir, &a, lang);
    }
    let ((file, runnable), chosen) = a.model.run_chosen(a.scenario.as_deref())?;
    print_trace(
        runnable.trace(),
        runnable.model(),
        summary(&file, &runnable, &chosen, lang),
        &a,
        lang,
    )
}

/// `qkv run`'s output for `trace` (of `model`, whose weights `--show` may also name) under
/// `heading`: the step list (`--list`) or the steps of `--show` (default: every attention's
/// weights).
pub(crate) fn print_trace(
    trace: &qkv::trace::Trace,
    model: Option<&qkv::model::Transformer>,
    heading: String,
    a: &RunArgs,
    lang: Lang,
) -> Result<ExitCode> {
    if a.list {
        for s in trace.steps() {
            outln!(
                "{:<32} {}",
                s.name(),
                qkv::model::weights::shape_text(&s.shape())
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let opts = qkv::command::ShowOptions {
        full: a.full,
        precision: Some(a.precision),
        top: a.top,
    }
    .apply_to(RenderOptions {
        lang,
        ..RenderOptions::default()
    });
    let shows: Vec<String> = if a.show.is_empty() {
        trace
            .steps()
            .iter()
            .filter(|s| s.kind() == StepKind::Weights)
            .map(|s| s.name().to_string())
            .collect()
    } else {
        a.show.clone()
    };
    let mut out = heading;
    for s in &shows {
        let addr = Address::parse(s).with_context(|| format!("--show {s}"))?;
        // A weight of the model (`enc.0.attn.W_Q`, `enc.0.attn.W_Q[1]`, `embed.E`), else a step.
        let weight = (trace.get(&addr.name).is_none())
            .then_some(model)
            .flatten()
            .and_then(|m| render::weight(m, &addr, &opts));
        let text = match weight {
            Some(w) => w,
            None => render::address(trace, &addr, &opts),
        }
        .with_context(|| format!("--show {s}"))?;
        out.push('\n');
        out.push_str(&text);
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn export(a: ExportArgs, lang: Lang) -> Result<ExitCode> {
    // The destination first: nothing is computed for a file that cannot be written.
    qkv::export::check_destination(&a.output)?;
    if let Some(dir) = &a.hf {
        return super::hf::export(dir, &a, lang);
    }
    let ((_, runnable), chosen) = a.model.run_chosen(a.scenario.as_deref())?;
    if let Some(line) = chosen.line(lang) {
        eprintln!("{line}");
    }
    if let Runnable::Real(r) = &runnable {
        return super::hf::export_trace(&r.model, &r.trace, (&r.source, &r.target), &a, lang);
    }
    let (Some(model), trace) = (runnable.model(), runnable.trace()) else {
        anyhow::bail!("an attention hand-check has no model to export: `qkv run` prints its steps");
    };
    let format = qkv::export::Format::from_path(&a.output)?;
    // Gradients double what is written.
    let predicted =
        qkv::export::predicted_bytes(model, trace, format) * if a.grads { 2 } else { 1 };
    if predicted > qkv::export::LARGE_EXPORT_BYTES && !a.force {
        let npz = qkv::export::predicted_bytes(model, trace, qkv::export::Format::Npz);
        too_large(
            &a.output,
            predicted,
            qkv::export::value_count(model, trace),
            format,
            (format == qkv::export::Format::Json).then_some(npz),
        )?;
    }
    let grads = if a.grads {
        Some(qkv::learn::backward(model, trace, a.label_smoothing).context("the gradients")?)
    } else {
        None
    };
    let format = qkv::export::write_with(model, trace, grads.as_ref(), &a.output)?;
    let weights = model
        .weights()
        .iter()
        .filter(|(n, _)| *n != qkv::model::weights::EMBEDDING)
        .count();
    let mut arrays = trace.steps().len() + weights + 1;
    if let Some(g) = &grads {
        arrays += 2 + g.trace.steps().len() + g.weights.len();
    }
    let wrote = CliLine::Exported {
        path: a.output.display().to_string(),
        format: format.to_string(),
        steps: trace.steps().len(),
        weights,
        arrays,
        loss: grads.as_ref().map(|g| {
            (
                qkv::number::fmt_value_f64(g.loss.value, 4),
                g.loss.predicted(),
            )
        }),
    };
    eprintln!("{}", wrote.text(lang));
    Ok(ExitCode::SUCCESS)
}

/// The refusal of an export predicted at `predicted` bytes (`values` numbers as `format`),
/// naming the smaller `.npz` when there is one.
pub(crate) fn too_large(
    output: &Path,
    predicted: u64,
    values: u64,
    format: qkv::export::Format,
    npz: Option<u64>,
) -> Result<()> {
    anyhow::bail!(
        "{} would be about {} ({values} numbers as {format}); nothing was written. Add --force to write it{}",
        output.display(),
        size_text(predicted),
        npz.map_or(String::new(), |n| format!(
            ", or export to .npz (about {})",
            size_text(n)
        ))
    )
}

pub(crate) fn plot(a: PlotArgs, lang: Lang) -> Result<ExitCode> {
    use qkv::plot::{self, PlotFormat};
    let to_stdout = a.output.as_deref().is_none_or(|p| p == Path::new("-"));
    // Everything is checked before the model runs and before anything is written.
    let format = match (&a.format, &a.output) {
        (Some(f), _) => PlotFormat::from_name(f)?,
        (None, Some(p)) if !to_stdout => PlotFormat::from_path(p)?,
        (None, _) => PlotFormat::Markdown,
    };
    if let (false, Some(path)) = (to_stdout, &a.output) {
        qkv::atomic::check_destination(path, qkv::atomic::Existing::forced(a.force))
            .map_err(plot::PlotError::from)?;
    }
    let mut addr = Address::parse(&a.show).with_context(|| format!("--show {}", a.show))?;
    let cell = match &a.cell {
        None => None,
        Some(c) => {
            let parsed = c
                .split_once(',')
                .and_then(|(r, c)| Some((r.trim().parse().ok()?, c.trim().parse().ok()?)));
            Some(parsed.with_context(|| {
                format!("--cell {c:?}: give the row and column as R,C, e.g. --cell 1,2")
            })?)
        }
    };
    // The scenario the workbench opens (the built-in one by default), so that the picture
    // shows what `qkv` shows.
    let session = match &a.hf {
        Some(dir) => super::hf::session(dir, &a.model, lang)?,
        None => {
            let (session, chosen) = session_chosen(a.scenario.as_deref(), &a.model)?;
            if let Some(line) = chosen.line(lang) {
                eprintln!("{line}");
            }
            session
        }
    };
    let trace = session.trace();
    // A weight of the model (`enc.0.attn.W_Q`, a head's slice `enc.0.attn.W_Q[1]`, `embed.E`):
    // --cell picks a cell of the matrix shown.
    let weight = (trace.get(&addr.name).is_none())
        .then(|| session.model())
        .flatten()
        .and_then(|m| m.weights().get(&addr.name));
    if let Some(p) = weight {
        if let Some((r, c)) = cell {
            let vector = matches!(p, qkv::model::Param::Vector(_));
            let head = qkv::weight_view::head_axis(&addr.name).is_some();
            match (addr.indices.len(), vector, head) {
                (0, true, _) if r == 0 => addr.indices = vec![c],
                (0, false, _) | (1, false, true) => addr.indices.extend([r, c]),
                _ => anyhow::bail!(
                    "--show {} names more than a matrix: give `name` or `name[h]` with --cell",
                    a.show
                ),
            }
        }
    } else if let Some((r, c)) = cell {
        let step = trace
            .step(&addr.name)
            .with_context(|| format!("--show {}", a.show))?;
        match (step.heads(), addr.indices.len()) {
            (Some(_), 0) => addr.indices = vec![0, r, c],
            (Some(_), 1) | (None, 0) => addr.indices.extend([r, c]),
            _ => anyhow::bail!(
                "--show {} names more than a matrix: give `name` or `name[h]` with --cell",
                a.show
            ),
        }
    }
    let p = plot::of_address_in(session.model_ref(), trace, &addr, a.precision, None, lang)
        .with_context(|| format!("--show {}", a.show))?;
    let text = p.render(format);
    if to_stdout {
        let mut o = std::io::stdout().lock();
        o.write_all(text.as_bytes())?;
        o.flush()?;
    } else if let Some(path) = &a.output {
        plot::write_file(path, &text, a.force)?;
        let (rows, cols) = p.dims();
        let wrote = FilesMsg::Plotted {
            path: path.display().to_string(),
            format: format.to_string(),
            name: p.name.clone(),
            rows,
            cols,
            cell: p.selected.map(|(i, j)| (i, j, false)),
        };
        eprintln!("{}", wrote.text(lang));
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn params(a: ParamsArgs, lang: Lang) -> Result<ExitCode> {
    use qkv::i18n::params::{ParamsMsg as P, rows};
    if a.table3 {
        return table3(&a, lang);
    }
    let c = a.model.apply(Config::preset(Preset::Base));
    let r = qkv::model::params::count(&c, a.vocab);
    outln!(
        "{}",
        P::Heading {
            preset: a
                .model
                .spec
                .preset
                .map_or(Preset::Base, |p| p.0)
                .to_string(),
            arch: c.arch.to_string(),
            d_model: c.d_model,
            heads: c.heads,
            d_ff: c.d_ff,
            encoder: if c.has_encoder() { c.layers.encoder } else { 0 },
            decoder: if c.has_decoder() { c.layers.decoder } else { 0 },
            vocab: a.vocab,
        }
        .text(lang)
    );
    emit(&rows(&r, lang, group))?;
    outln!(
        "  {:>12}  {}",
        group(r.total),
        P::Total(format!("{:.2}M", r.total as f64 / 1e6)).text(lang)
    );
    outln!("  {}", P::NotCounted.text(lang));
    let base = Config::preset(Preset::Base);
    if (c.d_model, c.heads, c.d_ff, c.layers, c.arch)
        == (base.d_model, base.heads, base.d_ff, base.layers, base.arch)
    {
        let paper = 65e6;
        let diff = r.total as f64 - paper;
        outln!(
            "  {}",
            P::Paper {
                count: format!("{:.2}", r.total as f64 / 1e6),
                diff: format!("{:+.2}", diff / 1e6),
                percent: format!("{:+.1}", 100.0 * diff / paper),
            }
            .text(lang)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `qkv params --table3`: each row of the paper's Table 3 that changes the size, counted.
fn table3(a: &ParamsArgs, lang: Lang) -> Result<ExitCode> {
    use qkv::i18n::params::ParamsMsg as P;
    use qkv::model::params::TABLE3;
    let base = a.model.apply(Config::preset(Preset::Base));
    outln!("{}", P::Table3Heading { vocab: a.vocab }.text(lang));
    // Headings padded by display width, so Korean words line up as English ones do.
    let pad = |t: String, w: usize, right: bool| {
        let fill = " ".repeat(w.saturating_sub(qkv::render::width(&t)));
        if right {
            format!("{fill}{t}")
        } else {
            format!("{t}{fill}")
        }
    };
    outln!(
        "  {} {:>2} {:>7} {:>5} {:>2} {:>4}  {} {}  {}",
        pad(P::Table3Row.text(lang), 18, false),
        "N",
        "d_model",
        "d_ff",
        "h",
        "d_k",
        pad(P::Table3Counted.text(lang), 8, true),
        pad(P::Table3Paper.text(lang), 6, true),
        pad(P::Table3Diff.text(lang), 7, true)
    );
    for r in TABLE3 {
        let n = r.count(&base, a.vocab) as f64 / 1e6;
        outln!(
            "  {:<18} {:>2} {:>7} {:>5} {:>2} {:>4}  {:>7.2}M {:>5}M  {:>+6.1}%",
            r.label,
            r.layers,
            r.d_model,
            r.d_ff,
            r.heads,
            r.d_k,
            n,
            r.paper_millions,
            100.0 * (n - r.paper_millions) / r.paper_millions
        );
    }
    let d = base.d_model;
    let per_thousand = d as f64 * 1000.0 / 1e6;
    outln!(
        "{}",
        P::Table3Why {
            per_thousand: format!("{per_thousand:.3}"),
            d_model: d,
        }
        .text(lang)
    );
    Ok(ExitCode::SUCCESS)
}

/// 63045632 → 63,045,632.
pub(crate) fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The scenario files under `paths`: files as given, directories searched recursively for
/// `.yaml`/`.yml`, sorted. Each real directory is searched once (by its path with links
/// resolved): a link back to a directory already searched is reported and skipped, so a
/// directory of links to itself cannot make the search grow without end.
pub(crate) fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(
        dir: &Path,
        seen: &mut std::collections::HashSet<PathBuf>,
        out: &mut Vec<PathBuf>,
    ) -> Result<()> {
        let real = std::fs::canonicalize(dir)
            .with_context(|| format!("cannot read directory {}", dir.display()))?;
        if !seen.insert(real.clone()) {
            eprintln!(
                "NOTE  {}: skipped, it is {} again (a link loop or a second link to it)",
                qkv::util::escape_controls(&dir.display().to_string()),
                qkv::util::escape_controls(&real.display().to_string())
            );
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, seen, out)?;
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut seen, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            anyhow::bail!("{}: no such file or directory", p.display());
        }
    }
    if out.is_empty() {
        anyhow::bail!(
            "no .yaml scenario files found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(out)
}

pub(crate) fn check(a: CheckArgs, lang: Lang) -> Result<ExitCode> {
    qkv::limits::set_long_checks(a.long);
    let files = scenario_files(&a.paths)?;
    let (mut passed, mut failed, mut broken, mut skipped) = (0, 0, 0, 0);
    for f in &files {
        let loaded = match io::load(f) {
            Ok(l) => l,
            // A real model the user has not downloaded: skipped with how to get it.
            Err(e @ io::LoadError::NoHfModel { .. }) => {
                skipped += 1;
                outln!("SKIP  {}", qkv::util::escape_controls(&e.to_string()));
                continue;
            }
            Err(e) => {
                broken += 1;
                eprintln!("ERROR  {}", qkv::util::escape_controls(&e.to_string()));
                continue;
            }
        };
        let report = match (&loaded.file, &loaded.runnable) {
            (ScenarioFile::Model(s), r) => {
                let mut report = qkv::scenario::check::check_model(r.trace(), s);
                if let Some(m) = r.model() {
                    match qkv::scenario::learned::run_checks(s, m) {
                        Ok(results) => report.results.extend(results),
                        Err(why) => {
                            broken += 1;
                            eprintln!(
                                "ERROR  {}: {}",
                                f.display(),
                                qkv::util::escape_controls(&why)
                            );
                            continue;
                        }
                    }
                }
                report
            }
            (ScenarioFile::Attention(att), r) => {
                qkv::scenario::check::check_attention(r.trace(), att)
            }
        };
        if report.results.is_empty() && !a.quiet {
            outln!(
                "{}",
                CliLine::NoExpectations(f.display().to_string()).text(lang)
            );
        }
        for r in &report.results {
            if !a.quiet || !r.passed {
                emit(&format!(
                    "{}\n",
                    r.line_in(lang)
                        .replacen("  ", &format!("  {}  ", f.display()), 1)
                ))?;
            }
        }
        passed += report.passed();
        failed += report.failed();
    }
    outln!(
        "{}",
        CliLine::CheckSummary {
            passed,
            failed,
            broken,
            skipped,
        }
        .text(lang)
    );
    Ok(if broken > 0 {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub(crate) fn replay(a: ReplayArgs, lang: Lang) -> Result<ExitCode> {
    use qkv::command::Command as C;
    use qkv::i18n::session::SessionMsg;
    let mut s = Session::open(&a.scenario)?;
    s.set_lang(lang);
    s.apply(C::SetPrecision(a.precision))?;
    let first = s
        .apply(C::Replay(None))
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.scenario.display()))?;
    let stops = s.tour().map_or(0, |t| t.steps.len());
    // The REPL's hint about Enter does not apply here.
    let keys = SessionMsg::TourKeys.text(lang);
    let strip = |t: &str| -> String {
        t.lines()
            .filter(|l| *l != keys)
            .map(|l| format!("{l}\n"))
            .collect()
    };
    match a.step {
        None => {
            let mut out = strip(&first.text);
            for _ in 1..stops {
                out.push('\n');
                out.push_str(&s.apply(C::Next)?.text);
            }
            emit(&out)?;
        }
        Some(k) if (1..=stops).contains(&k) => {
            let mut last = first;
            for _ in 1..k {
                last = s.apply(C::Next)?;
            }
            let text = last.text;
            // Only the stop itself, without the scenario's title and description: from its
            // heading (`── stop k/n: …`).
            let heading = SessionMsg::StopHeading {
                pos: k,
                n: stops,
                here: String::new(),
            }
            .text(lang);
            let marker = heading.split(": ").next().unwrap_or("── ");
            let from = text.find(marker).unwrap_or(0);
            emit(&text[from..])?;
        }
        Some(k) => anyhow::bail!(
            "--step {k}: the tour has stops {}",
            qkv::util::range_text(1, stops)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn explain(a: ExplainArgs, lang: qkv::i18n::Lang) -> Result<ExitCode> {
    let opts = qkv::explain::ExplainOptions {
        precision: a.precision,
        max_terms: a.max_terms,
    };
    if let Some(dir) = &a.hf {
        let [cell] = a.args.as_slice() else {
            anyhow::bail!("with --hf give only the cell: the model is the directory's");
        };
        let model = ModelArgs {
            text: a.text.clone(),
            target: a.target.clone(),
            ..ModelArgs::default()
        };
        let session = super::hf::session(dir, &model, lang)?;
        let e = qkv::explain::explain_with(
            session.model_ref(),
            session.trace(),
            &Address::parse(cell)?,
            &opts,
            lang,
        )
        .map_err(|e| anyhow::anyhow!("{}", e.text_in(lang)))?;
        emit(&e.to_text())?;
        return Ok(ExitCode::SUCCESS);
    }
    let (runnable, cell) = match a.args.as_slice() {
        [cell] => {
            let ((_, runnable), chosen) = ModelArgs::default().run_chosen(None)?;
            if let Some(line) = chosen.line(lang) {
                eprintln!("{line}");
            }
            (runnable, cell)
        }
        [scenario, cell] => (io::load(Path::new(scenario))?.runnable, cell),
        _ => anyhow::bail!("give the cell, optionally after a scenario file"),
    };
    let trace = runnable.trace();
    let e = if cell.starts_with("grad.") && trace.get(cell).is_none() {
        // A gradient cell: the backward arithmetic (the loss without label smoothing).
        let Some(model) = runnable.model() else {
            anyhow::bail!("an attention hand-check has no loss, so no gradients");
        };
        let addr = Address::parse(cell)?;
        let grads = qkv::learn::backward(model, trace, 0.0).context("the gradients")?;
        qkv::learn::explain::explain_gradient_in(model, trace, &grads, &addr, &opts, lang)?
    } else {
        let addr = Address::parse(cell)?;
        match runnable.model() {
            // A number of a weight, with its gradient on this sentence's loss when the
            // model has one (no target: none).
            Some(model)
                if trace.get(&addr.name).is_none() && model.weights().get(&addr.name).is_some() =>
            {
                let grads = qkv::learn::backward(model, trace, 0.0).ok();
                let grad = grads.as_ref().and_then(|g| g.weight(&addr.name));
                qkv::explain::explain_weight_in(model, trace, &addr, grad, &opts, lang)?
            }
            _ => qkv::explain::explain_with(runnable.model_ref(), trace, &addr, &opts, lang)?,
        }
    };
    emit(&e.to_text())?;
    Ok(ExitCode::SUCCESS)
}
