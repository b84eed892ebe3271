//! A command written back as the line [`parse`] reads: `parse(&c.to_string()) == Ok(Some(c))`
//! for every command `parse` can produce (a property test holds it). The session names a
//! change by its command (`mask causal: …`) through this, not a text of its own.
//!
//! A [`Command::SetModel`] with several fields (from a scenario or the command line, never
//! from one line) is written `set model.<field> <value>, <field> <value>`, which `parse`
//! does not read back.

use super::*;

impl fmt::Display for Switch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Switch::On => "on",
            Switch::Off => "off",
        })
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Setting::Mask => "mask",
            Setting::Scale => "scale",
            Setting::Pe => "pe",
            Setting::Norm => "norm",
        })
    }
}

/// Rows as `parse_rows` reads them: `[[1, 2], [3, 4]]`.
struct RowsText<'a>(&'a [Vec<f64>]);

impl fmt::Display for RowsText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, row) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", RowText(row))?;
        }
        f.write_str("]")
    }
}

/// One row: `[1, 2]`.
struct RowText<'a>(&'a [f64]);

impl fmt::Display for RowText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, x) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{x}")?;
        }
        f.write_str("]")
    }
}

/// `word` or `word!` (the forms that overwrite or discard).
fn bang(word: &str, force: bool) -> String {
    if force {
        format!("{word}!")
    } else {
        word.to_string()
    }
}

impl fmt::Display for Command {
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per command, each the inverse of its arm in `parse`."
    )]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Text(t) => write!(f, "text {t}"),
            Command::Target(t) => write!(f, "target {t}"),
            Command::Show(a, o) => {
                f.write_str("show")?;
                if let Some(a) = a {
                    write!(f, " {a}")?;
                }
                if o.full {
                    f.write_str(" --full")?;
                }
                if let Some(p) = o.precision {
                    write!(f, " --precision {p}")?;
                }
                if let Some(k) = o.top {
                    write!(f, " --top {k}")?;
                }
                Ok(())
            }
            Command::Explain(None) => f.write_str("explain"),
            Command::Explain(Some(a)) => write!(f, "explain {a}"),
            Command::Layer(l) => write!(f, "layer {l}"),
            Command::Head(h) => write!(f, "head {h}"),
            Command::Cell(r, c) => write!(f, "cell {r} {c}"),
            Command::Next => f.write_str("next"),
            Command::Prev => f.write_str("prev"),
            Command::Mask(m) => write!(f, "mask {m}"),
            Command::Scale(s) => write!(f, "scale {s}"),
            Command::Pe(s) => write!(f, "pe {s}"),
            Command::Norm(n) => write!(f, "norm {n}"),
            Command::Toggle(s) => write!(f, "toggle {s}"),
            Command::SetModel(spec) => write!(f, "set model.{}", spec.describe()),
            Command::SetEmbed { token, vector } => {
                write!(f, "set embed {token} {}", RowText(vector))
            }
            Command::SetWeight { name, rows } => {
                write!(f, "set weight {name} {}", RowsText(rows))
            }
            Command::SetPrecision(p) => write!(f, "set precision {p}"),
            Command::Attend(a) => {
                write!(f, "attend q={} k={}", RowsText(&a.q), RowsText(&a.k))?;
                if let Some(v) = &a.v {
                    write!(f, " v={}", RowsText(v))?;
                }
                if a.causal {
                    f.write_str(" mask=causal")?;
                }
                if !a.scale {
                    f.write_str(" scale=off")?;
                }
                Ok(())
            }
            Command::Diff => f.write_str("diff"),
            Command::Save { path, force } => {
                write!(f, "{} {}", bang("save", *force), path.display())
            }
            Command::Load { path, force } => {
                write!(f, "{} {}", bang("load", *force), path.display())
            }
            // `replay stop` ends a tour: a file of that name is quoted.
            Command::Replay(Some(p)) if matches!(p.to_str(), Some("stop" | "off")) => {
                write!(f, "replay \"{}\"", p.display())
            }
            Command::Replay(Some(p)) => write!(f, "replay {}", p.display()),
            Command::Replay(None) => f.write_str("replay"),
            Command::StopReplay => f.write_str("replay stop"),
            Command::ModelLoad(Some(dir)) => write!(f, "model load {}", dir.display()),
            Command::ModelLoad(None) => f.write_str("model load"),
            Command::Check => f.write_str("check"),
            Command::Export { path, force } => {
                write!(f, "{} {}", bang("export", *force), path.display())
            }
            Command::Plot {
                address,
                path,
                force,
            } => write!(f, "{} {address} {}", bang("plot", *force), path.display()),
            Command::Redirect {
                command,
                path,
                force,
                ..
            } => write!(
                f,
                "{command} {} {}",
                if *force { ">!" } else { ">" },
                path.display()
            ),
            Command::Params => f.write_str("params"),
            Command::Note(t) => write!(f, "note {t}"),
            Command::Practice(None) => f.write_str("practice"),
            Command::Practice(Some(a)) => write!(f, "practice {a}"),
            Command::StopPractice => f.write_str("practice stop"),
            Command::Answer(v) => {
                f.write_str("answer")?;
                for x in v {
                    write!(f, " {x}")?;
                }
                Ok(())
            }
            Command::Help(None) => f.write_str("help"),
            Command::Help(Some(t)) => write!(f, "help {t}"),
            Command::Learn(l) => l.fmt(f),
            Command::Explore(e) => e.fmt(f),
            Command::Quit { force } => f.write_str(&bang("quit", *force)),
        }
    }
}

impl fmt::Display for LearnCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LearnCommand::Grad(None) => f.write_str("grad"),
            LearnCommand::Grad(Some(a)) => write!(f, "grad {a}"),
            LearnCommand::Loss => f.write_str("loss"),
            LearnCommand::Train(n) => write!(f, "train {n}"),
            LearnCommand::Snapshot => f.write_str("train snapshot"),
            LearnCommand::ViewSnapshot(None) => f.write_str("train view live"),
            LearnCommand::ViewSnapshot(Some(i)) => write!(f, "train view {i}"),
            LearnCommand::Corpus(p) => write!(f, "train corpus {}", p.display()),
            LearnCommand::ResetTraining => f.write_str("train reset"),
            LearnCommand::Translate(t) => write!(f, "translate {t}"),
            LearnCommand::Generate(t) => write!(f, "generate {t}"),
            LearnCommand::DecodeStart => f.write_str("decode start"),
            LearnCommand::DecodeNext(None) => f.write_str("decode next"),
            LearnCommand::DecodeNext(Some(t)) => write!(f, "decode next {t}"),
            LearnCommand::DecodeBack => f.write_str("decode back"),
            LearnCommand::Sample(None) => f.write_str("sample off"),
            LearnCommand::Sample(Some((t, k, seed))) => match k {
                Some(k) => write!(f, "sample {t} {k} {seed}"),
                None => write!(f, "sample {t} all {seed}"),
            },
            LearnCommand::CheckpointLoad(p) => write!(f, "checkpoint load {}", p.display()),
            LearnCommand::CheckpointSave { path, force } => {
                write!(f, "checkpoint {} {}", bang("save", *force), path.display())
            }
        }
    }
}

impl fmt::Display for ExploreCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExploreCommand::Pe {
                positions,
                dims,
                p,
                k,
                pair,
            } => {
                write!(f, "explore pe {positions}")?;
                if let Some(d) = dims {
                    write!(f, " {d}")?;
                }
                write!(f, " p={p} k={k} i={pair}")
            }
            ExploreCommand::Scaling { d_k } => write!(f, "explore scaling {d_k}"),
            ExploreCommand::Heads => f.write_str("explore heads"),
        }
    }
}
