//! The interactive subcommands: `tui`, `repl`, `practice` and `explore`.

use crate::*;

pub(crate) fn explore(a: ExploreArgs, lang: qkv::i18n::Lang) -> Result<ExitCode> {
    let mut s = match &a.scenario {
        Some(p) => Session::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        None => Session::default_scenario()?,
    };
    s.set_lang(lang);
    let line = format!("explore {}", a.args.join(" "));
    let out = s.apply_line(&line)?;
    emit(&out.text)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn tui(a: TuiArgs, lang: qkv::i18n::Lang) -> Result<ExitCode> {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        eprintln!("{}", qkv::i18n::cli_lines::CliLine::NoTerminal.text(lang));
        return Ok(ExitCode::from(2));
    }
    // Toggles and their diffs follow: the traces keep their heads when they fit.
    qkv::limits::set_sessions_keep_heads(true);
    let mut session = match &a.hf {
        Some(dir) => super::hf::session(dir, &a.model, lang)?,
        None => session_for(a.scenario.as_deref(), &a.model)?,
    };
    if let Some(c) = &a.corpus {
        session
            .apply(qkv::command::Command::Learn(
                qkv::command::LearnCommand::Corpus(c.clone()),
            ))
            .with_context(|| format!("cannot train on {}", c.display()))?;
    }
    qkv::tui::run_lang(session, a.train, lang).context("the terminal failed")?;
    Ok(ExitCode::SUCCESS)
}

/// The session `tui` and `repl` start on: the scenario (or the built-in one), with the
/// model flags applied as `run` applies them.
pub(crate) fn session_for(path: Option<&Path>, model: &ModelArgs) -> Result<Session> {
    Ok(session_chosen(path, model)?.0)
}

/// [`session_for`], and which model it runs ([`ModelArgs::resolve`]'s choice).
pub(crate) fn session_chosen(path: Option<&Path>, model: &ModelArgs) -> Result<(Session, Chosen)> {
    if model.overrides_model() {
        let ((file, runnable), chosen) = model.run_chosen(path)?;
        return Ok((Session::from_runnable(file, runnable), chosen));
    }
    Ok(match path {
        Some(p) => (Session::open(p)?, Chosen::File),
        // The same model resolve() chooses, with the built-in scenario's tour and checks.
        None => (Session::default_scenario()?, Chosen::Trained),
    })
}

pub(crate) fn repl(a: ReplArgs, lang: qkv::i18n::Lang) -> Result<ExitCode> {
    use std::io::IsTerminal;
    qkv::limits::set_sessions_keep_heads(true);
    let mut session = match &a.hf {
        Some(dir) => super::hf::session(dir, &a.model, lang)?,
        None => session_for(a.scenario.as_deref(), &a.model)?,
    };
    session.set_lang(lang);
    if let Some(p) = a.precision {
        session.apply(qkv::command::Command::SetPrecision(p))?;
    }
    let code = if std::io::stdin().is_terminal() {
        qkv::repl::interactive(session)?
    } else {
        let opts = qkv::repl::Options {
            echo: a.echo,
            keep_going: a.keep_going,
        };
        qkv::repl::script(session, std::io::stdin().lock(), &opts)?
    };
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

pub(crate) fn practice(a: PracticeArgs, lang: qkv::i18n::Lang) -> Result<ExitCode> {
    use std::io::IsTerminal;
    let mut session =
        Session::open(&a.scenario).with_context(|| format!("opening {}", a.scenario.display()))?;
    session.set_lang(lang);
    if let Some(p) = a.precision {
        session.apply(qkv::command::Command::SetPrecision(p))?;
    }
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let code = qkv::repl::practice(session, terminal, stdin.lock())?;
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}
