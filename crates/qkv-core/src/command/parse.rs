//! Parsing one line of the command language into a [`Command`].

use super::*;
use crate::scenario::fields::FieldError;

pub(super) fn bad(command: &'static str, value: &str, expected: impl Into<String>) -> ParseError {
    ParseError::Bad {
        command,
        value: value.to_string(),
        expected: expected.into(),
        usage: spec(command),
    }
}

pub(super) fn missing(command: &'static str, what: &'static str) -> ParseError {
    ParseError::Missing {
        command,
        what,
        usage: spec(command),
    }
}

pub(super) fn no_extra(command: &'static str, rest: &str) -> Result<(), ParseError> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(ParseError::Extra {
            command,
            extra: rest.to_string(),
            usage: spec(command),
        })
    }
}

pub(super) fn switch(command: &'static str, rest: &str) -> Result<Switch, ParseError> {
    match rest.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(Switch::On),
        "off" | "false" | "no" | "0" => Ok(Switch::Off),
        "" => Err(missing(command, "on or off")),
        _ => Err(bad(command, rest, "on or off")),
    }
}

pub(super) fn index(
    command: &'static str,
    what: &'static str,
    word: &str,
) -> Result<usize, ParseError> {
    if word.is_empty() {
        return Err(missing(command, what));
    }
    word.parse()
        .map_err(|_| bad(command, word, "a non-negative integer"))
}

pub(super) fn bool_word(command: &'static str, word: &str) -> Result<bool, ParseError> {
    switch(command, word).map(|s| s == Switch::On)
}

pub(super) fn parse_word<T: std::str::FromStr>(
    command: &'static str,
    word: &str,
) -> Result<T, ParseError>
where
    T::Err: fmt::Display,
{
    word.parse::<T>().map_err(|e| ParseError::Bad {
        command,
        value: word.to_string(),
        expected: {
            let m = e.to_string();
            let tail = m.rsplit(": ").next().unwrap_or("a valid value").to_string();
            tail.strip_prefix("expected ")
                .map(str::to_string)
                .unwrap_or(tail)
        },
        usage: spec(command),
    })
}

/// Parses `[1, 2]` (one row) or `[[1, 2], [3, 4]]` (rows) into rows of numbers. The error
/// says what was expected (it reads after "… is not").
pub fn parse_rows(text: &str) -> Result<Rows, String> {
    const EXPECTED: &str = "a list of numbers like [1, 2] or of rows like [[1, 2], [3, 4]]";
    let v: serde_json::Value =
        serde_json::from_str(text.trim()).map_err(|_| EXPECTED.to_string())?;
    let row = |x: &serde_json::Value| -> Option<Vec<f64>> {
        match x {
            serde_json::Value::Array(r) if !r.is_empty() => {
                r.iter().map(serde_json::Value::as_f64).collect()
            }
            _ => None,
        }
    };
    match &v {
        serde_json::Value::Array(items) if items.is_empty() => {
            Err("a non-empty list of numbers".into())
        }
        serde_json::Value::Array(items) if items.iter().all(serde_json::Value::is_number) => {
            row(&v).map(|r| vec![r]).ok_or_else(|| EXPECTED.to_string())
        }
        serde_json::Value::Array(items) => items
            .iter()
            .map(row)
            .collect::<Option<Rows>>()
            .ok_or_else(|| EXPECTED.to_string()),
        _ => Err(EXPECTED.to_string()),
    }
}

/// Splits `key=value key=[..]` arguments, keeping bracketed values whole.
pub(super) fn key_values(
    command: &'static str,
    text: &str,
) -> Result<Vec<(String, String)>, ParseError> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            return Err(bad(command, rest, "key=value"));
        };
        let key = rest[..eq].trim().to_ascii_lowercase();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(bad(
                command,
                &rest[..eq],
                "a key such as q, k, v, mask or scale",
            ));
        }
        let after = rest[eq + 1..].trim_start();
        let end = if after.starts_with('[') {
            let mut depth = 0i32;
            let mut end = None;
            for (i, c) in after.char_indices() {
                match c {
                    '[' => depth += 1,
                    ']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            end.ok_or_else(|| bad(command, after, "a value with matching [ and ]"))?
        } else {
            after.find(char::is_whitespace).unwrap_or(after.len())
        };
        out.push((key, after[..end].to_string()));
        rest = after[end..].trim_start();
    }
    Ok(out)
}

pub(super) fn parse_attend(rest: &str) -> Result<AttendArgs, ParseError> {
    const C: &str = "attend";
    let mut q = None;
    let mut k = None;
    let mut v = None;
    let mut causal = false;
    let mut scale = true;
    for (key, value) in key_values(C, rest)? {
        let rows = |value: &str| parse_rows(value).map_err(|e| bad(C, value, e));
        let once = |slot: &Option<Rows>, key: &str| {
            if slot.is_some() {
                Err(bad(
                    C,
                    &format!("{key}={value}"),
                    format!("a second {key}: give {key} once"),
                ))
            } else {
                Ok(())
            }
        };
        match key.as_str() {
            "q" => {
                once(&q, "q")?;
                q = Some(rows(&value)?);
            }
            "k" => {
                once(&k, "k")?;
                k = Some(rows(&value)?);
            }
            "v" => {
                once(&v, "v")?;
                v = Some(rows(&value)?);
            }
            "mask" => {
                causal = match value.to_ascii_lowercase().as_str() {
                    "causal" | "on" => true,
                    "none" | "off" => false,
                    _ => return Err(bad(C, &value, "causal or none")),
                }
            }
            "scale" => scale = bool_word(C, &value)?,
            other => return Err(bad(C, other, "one of q, k, v, mask, scale")),
        }
    }
    Ok(AttendArgs {
        q: q.ok_or_else(|| missing(C, "q=[…]"))?,
        k: k.ok_or_else(|| missing(C, "k=[[…], …]"))?,
        v,
        causal,
        scale,
    })
}

// Over 80 lines: each `set` target (model field, embed, weight, precision) parsed in turn with its own errors.
pub(super) fn parse_set(rest: &str) -> Result<Command, ParseError> {
    const C: &str = "set";
    let (what, value) = split_word(rest);
    if what.is_empty() {
        return Err(missing(C, "what to set"));
    }
    if let Some(field) = what.strip_prefix("model.") {
        if value.is_empty() {
            return Err(missing(C, "a value"));
        }
        if field == "checkpoint" {
            // A trained model replaces the weights and the vocabulary, not one field.
            return Err(bad(
                C,
                "model.checkpoint",
                "a field `set` changes: load a trained model with `checkpoint load <file>`",
            ));
        }
        let mut spec = ModelSpec::default();
        spec.set_field(field, value).map_err(|e| match e {
            FieldError::Unknown { .. } => ParseError::Bad {
                command: C,
                value: format!("model.{field}"),
                expected: format!(
                    "a model field: {}",
                    MODEL_FIELDS
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                usage: "set model.<field> <value>",
            },
            FieldError::Bad {
                value, expected, ..
            } => ParseError::Bad {
                command: C,
                value,
                expected,
                usage: "set model.<field> <value>",
            },
        })?;
        return Ok(Command::SetModel(spec));
    }
    match what {
        "embed" => {
            let (token, vector) = split_word(value);
            if token.is_empty() {
                return Err(missing(C, "a token and its vector"));
            }
            if vector.is_empty() {
                return Err(missing(C, "the vector, e.g. [0.12, -0.87, 0.33, 0.55]"));
            }
            let rows = parse_rows(vector).map_err(|e| bad(C, vector, e))?;
            match rows.as_slice() {
                [one] => Ok(Command::SetEmbed {
                    token: token.to_string(),
                    vector: one.clone(),
                }),
                _ => Err(bad(C, vector, "one list of numbers")),
            }
        }
        "weight" => {
            let (name, matrix) = split_word(value);
            if name.is_empty() {
                return Err(missing(C, "a weight name and its value"));
            }
            if matrix.is_empty() {
                return Err(missing(C, "the value, e.g. [[1, 0], [0, 1]]"));
            }
            let rows = parse_rows(matrix).map_err(|e| bad(C, matrix, e))?;
            Ok(Command::SetWeight {
                name: name.to_string(),
                rows,
            })
        }
        "precision" => {
            let p = index(C, "a number of digits", value)?;
            if p > crate::number::MAX_PRECISION {
                return Err(bad(C, value, "a number of digits from 0 to 12"));
            }
            Ok(Command::SetPrecision(p))
        }
        other => Err(bad(C, other, "model.<field>, embed, weight or precision")),
    }
}

/// First word and the rest (trimmed).
pub(super) fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

/// `show [<address>] [--full] [--precision N] [--top K]`.
fn show(rest: &str) -> Result<Command, ParseError> {
    const C: &str = "show";
    let mut opts = ShowOptions::default();
    let mut words = rest.split_whitespace();
    let mut addr = Vec::new();
    while let Some(w) = words.next() {
        match w {
            "--full" => opts.full = true,
            "--precision" => {
                let v = words.next().unwrap_or("");
                let p = index(C, "a number of digits", v)?;
                if p > crate::number::MAX_PRECISION {
                    return Err(bad(C, v, "a number of digits from 0 to 12"));
                }
                opts.precision = Some(p);
            }
            "--top" => {
                let v = words.next().unwrap_or("");
                match index(C, "a count", v)? {
                    0 => return Err(bad(C, v, "a count of at least 1")),
                    k => opts.top = Some(k),
                }
            }
            w if w.starts_with("--") => {
                return Err(bad(C, w, "--full, --precision N or --top K"));
            }
            w => addr.push(w),
        }
    }
    let addr = match addr.join(" ") {
        a if a.is_empty() => None,
        a => Some(address(C, &a)?),
    };
    Ok(Command::Show(addr, opts))
}

pub(super) fn address(command: &'static str, text: &str) -> Result<Address, ParseError> {
    Address::parse(text).map_err(|e| {
        bad(
            command,
            text,
            // "is not an address: <why>", whatever the reason says.
            match e.to_string().rsplit_once(": ") {
                Some((_, why)) => format!("an address: {why}"),
                None => "an address".to_string(),
            },
        )
    })
}

pub(super) fn path(command: &'static str, rest: &str) -> Result<PathBuf, ParseError> {
    let p = rest.trim().trim_matches('"');
    if p.is_empty() {
        Err(missing(command, "a file name"))
    } else {
        Ok(PathBuf::from(p))
    }
}

/// The printing commands whose output `> file.md` can send to a file. Their arguments never
/// contain `>` (step addresses, numbers, command names); `text`, `target` and `note`, whose
/// sentences may (`<bos>`), are not among them, so a `>` there stays part of the text.
pub const REDIRECTABLE: &[&str] = &[
    "show", "explain", "diff", "check", "params", "help", "?", "grad", "loss",
];

/// `show … > file` / `show … >! file`: the command and the file, when the line is a
/// printing command ([`REDIRECTABLE`]) with a `>`.
pub(super) fn redirect(line: &str) -> Result<Option<Command>, ParseError> {
    let Some(gt) = line.find('>') else {
        return Ok(None);
    };
    let before = &line[..gt];
    let word = before.split_whitespace().next().unwrap_or("");
    if !REDIRECTABLE.contains(&word.to_ascii_lowercase().as_str()) {
        return Ok(None);
    }
    let after = &line[gt + 1..];
    let (force, file) = match after.strip_prefix('!') {
        Some(f) => (true, f),
        None => (false, after),
    };
    let file = file.trim().trim_matches('"');
    if file.is_empty() {
        return Err(ParseError::Missing {
            command: "show",
            what: "a file name after `>`",
            usage: "<command> > file.md | <command> >! file.md",
        });
    }
    if file.contains('>') {
        return Err(ParseError::Bad {
            command: "show",
            value: after.trim().to_string(),
            expected: "one file name after `>` (or `>!` to overwrite)".into(),
            usage: "<command> > file.md | <command> >! file.md",
        });
    }
    let before = before.trim();
    match parse(before)? {
        Some(c) => Ok(Some(Command::Redirect {
            command: Box::new(c),
            line: before.to_string(),
            path: PathBuf::from(file),
            force,
        })),
        None => Ok(None),
    }
}

/// Parses one line. Blank lines and `#` comments give `Ok(None)`.
// Over 80 lines: one arm per command word: the command language's grammar as one table.
pub fn parse(line: &str) -> Result<Option<Command>, ParseError> {
    if line.len() > crate::limits::MAX_LINE_BYTES {
        return Err(ParseError::TooLong {
            len: line.len(),
            max: crate::limits::MAX_LINE_BYTES,
        });
    }
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    if starts_with_number(line) {
        return Ok(Some(Command::Answer(answer_numbers(line)?)));
    }
    if let Some(r) = redirect(line)? {
        return Ok(Some(r));
    }
    let (word, rest) = split_word(line);
    let cmd = match word.to_ascii_lowercase().as_str() {
        "text" => {
            if rest.is_empty() {
                return Err(missing("text", "a sentence"));
            }
            Command::Text(rest.to_string())
        }
        "target" => {
            if rest.is_empty() {
                return Err(missing("target", "a sentence"));
            }
            Command::Target(rest.to_string())
        }
        "show" => show(rest)?,
        "explain" => Command::Explain(if rest.is_empty() {
            None
        } else {
            Some(address("explain", rest)?)
        }),
        "layer" => Command::Layer(index("layer", "a layer number", rest)?),
        "head" => Command::Head(index("head", "a head number", rest)?),
        "cell" => {
            let (r, c) = split_word(rest);
            let (c, extra) = split_word(c);
            no_extra("cell", extra)?;
            Command::Cell(index("cell", "a row", r)?, index("cell", "a column", c)?)
        }
        "next" | "n" => {
            no_extra("next", rest)?;
            Command::Next
        }
        "prev" | "p" => {
            no_extra("prev", rest)?;
            Command::Prev
        }
        "mask" => {
            let (first, value) = split_word(rest);
            let (stack, value) = match first.to_ascii_lowercase().as_str() {
                "enc" | "encoder" => (Some(false), value),
                "dec" | "decoder" => (Some(true), value),
                _ => (None, rest),
            };
            let kind = match value.to_ascii_lowercase().as_str() {
                "on" | "causal" => MaskKind::Causal,
                "off" | "none" => MaskKind::None,
                "" => return Err(missing("mask", "on, off or causal")),
                _ => return Err(bad("mask", value, "on, off or causal")),
            };
            match stack {
                None => Command::Mask(kind),
                Some(false) => Command::SetModel(ModelSpec {
                    mask: Some(Word(kind)),
                    ..ModelSpec::default()
                }),
                Some(true) => Command::SetModel(ModelSpec {
                    dec_mask: Some(Word(kind)),
                    ..ModelSpec::default()
                }),
            }
        }
        "scale" => Command::Scale(switch("scale", rest)?),
        "toggle" => Command::Toggle(match rest.to_ascii_lowercase().as_str() {
            "mask" => Setting::Mask,
            "scale" => Setting::Scale,
            "pe" => Setting::Pe,
            "norm" => Setting::Norm,
            "" => return Err(missing("toggle", "mask, scale, pe or norm")),
            _ => return Err(bad("toggle", rest, "mask, scale, pe or norm")),
        }),
        "pe" => Command::Pe(switch("pe", rest)?),
        "norm" => Command::Norm(match rest.to_ascii_lowercase().as_str() {
            "" => return Err(missing("norm", "pre or post")),
            w => parse_word("norm", w)?,
        }),
        "set" => parse_set(rest)?,
        "attend" => Command::Attend(parse_attend(rest)?),
        "diff" => {
            no_extra("diff", rest)?;
            Command::Diff
        }
        "note" => {
            if rest.is_empty() {
                return Err(missing("note", "the text of the note"));
            }
            Command::Note(rest.to_string())
        }
        "save" => Command::Save {
            path: path("save", rest)?,
            force: false,
        },
        "save!" => Command::Save {
            path: path("save", rest)?,
            force: true,
        },
        "load" => Command::Load {
            path: path("load", rest)?,
            force: false,
        },
        "load!" => Command::Load {
            path: path("load", rest)?,
            force: true,
        },
        "model" => match split_word(rest) {
            ("load", "") => Command::ModelLoad(None),
            ("load", dir) => Command::ModelLoad(Some(path("model", dir)?)),
            ("", _) => return Err(missing("model", "load <dir> (or load alone)")),
            (other, _) => return Err(bad("model", other, "load")),
        },
        "replay" => match rest {
            "" => Command::Replay(None),
            "stop" | "off" => Command::StopReplay,
            _ => Command::Replay(Some(path("replay", rest)?)),
        },
        "check" => {
            no_extra("check", rest)?;
            Command::Check
        }
        "export" => Command::Export {
            path: path("export", rest)?,
            force: false,
        },
        "export!" => Command::Export {
            path: path("export", rest)?,
            force: true,
        },
        "params" => {
            no_extra("params", rest)?;
            Command::Params
        }
        "practice" => match rest.to_ascii_lowercase().as_str() {
            "" => Command::Practice(None),
            "stop" | "end" | "off" => Command::StopPractice,
            _ => Command::Practice(Some(address("practice", rest)?)),
        },
        "answer" => {
            if rest.is_empty() {
                return Err(missing("answer", "a number"));
            }
            Command::Answer(answer_numbers(rest)?)
        }
        w @ ("plot" | "plot!") => {
            let (a, file) = split_word(rest);
            if a.is_empty() {
                return Err(missing("plot", "a step name and a file"));
            }
            Command::Plot {
                address: address("plot", a)?,
                path: path("plot", file)?,
                force: w == "plot!",
            }
        }
        "help" | "?" => Command::Help(if rest.is_empty() {
            None
        } else {
            Some(rest.to_string())
        }),
        "explore" => explore::parse(rest)?,
        w @ ("grad" | "loss" | "train" | "translate" | "generate" | "decode" | "sample"
        | "checkpoint") => match learn::parse(w, rest)? {
            Some(c) => c,
            None => return Ok(None),
        },
        "quit" | "exit" | "q" => {
            no_extra("quit", rest)?;
            Command::Quit { force: false }
        }
        "quit!" | "exit!" | "q!" => Command::Quit { force: true },
        other => {
            let suggestion = COMMANDS
                .iter()
                .map(|c| (edit_distance(c.name, other), c.name))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, n)| n.to_string());
            return Err(ParseError::UnknownCommand {
                word: other.to_string(),
                suggestion,
            });
        }
    };
    Ok(Some(cmd))
}

/// True when the line starts like a number (`10`, `-1`, `.5`, `−0.5`, `[0.9, …]`): an
/// answer to the open practice question.
pub(super) fn starts_with_number(line: &str) -> bool {
    let t = line.trim_start_matches(['[', '(']).trim_start();
    let t = t
        .strip_prefix(['-', '+', '−'])
        .unwrap_or(t)
        .trim_start_matches('.');
    t.chars().next().is_some_and(|c| c.is_ascii_digit())
        || t.to_ascii_lowercase().starts_with("inf")
}

/// The numbers of an answer: separated by spaces or commas, optionally in brackets; `−`
/// (U+2212) is read as a minus sign.
pub(super) fn answer_numbers(text: &str) -> Result<Vec<f64>, ParseError> {
    let cleaned = text.replace('−', "-");
    let mut out = Vec::new();
    for w in cleaned
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '(' | ')'))
        .filter(|w| !w.is_empty())
    {
        match w.parse::<f64>() {
            Ok(x) if !x.is_nan() => out.push(x),
            _ => return Err(bad("answer", w, "a number such as 0.25 or -1")),
        }
    }
    if out.is_empty() {
        return Err(missing("answer", "a number"));
    }
    Ok(out)
}
