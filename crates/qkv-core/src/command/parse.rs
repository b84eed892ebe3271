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

fn attend_args(rest: &str) -> Result<AttendArgs, ParseError> {
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

#[expect(
    clippy::too_many_lines,
    reason = "each `set` target (model field, embed, weight, precision) parsed in turn with its own errors."
)]
pub(super) fn parse_set(rest: &str, _: bool) -> Result<Command, ParseError> {
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
pub(super) fn parse_show(rest: &str, _: bool) -> Result<Command, ParseError> {
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

/// `show … > file` / `show … >! file`: the command and the file, when the line is a
/// printing command (`prints` in [`COMMANDS`]) with a `>`.
pub(super) fn redirect(line: &str) -> Result<Option<Command>, ParseError> {
    let Some(gt) = line.find('>') else {
        return Ok(None);
    };
    let before = &line[..gt];
    let word = before.split_whitespace().next().unwrap_or("");
    // Only printing commands: their arguments never contain `>` (step addresses, numbers,
    // command names), while the sentences of `text`, `target` and `note` may (`<bos>`).
    if !find(word).is_some_and(|(c, _)| c.prints) {
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

/// Parses one line. Blank lines and `#` comments give `Ok(None)`. The command word is
/// looked up in [`COMMANDS`], whose entry parses the rest.
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
    match find(word) {
        Some((spec, force)) => (spec.parse)(rest, force).map(Some),
        None => {
            let word = word.to_ascii_lowercase();
            let suggestion = COMMANDS
                .iter()
                .map(|c| (edit_distance(c.name, &word), c.name))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, n)| n.to_string());
            Err(ParseError::UnknownCommand { word, suggestion })
        }
    }
}

// The arguments of each command, in the order of `COMMANDS`.

fn sentence(command: &'static str, rest: &str) -> Result<String, ParseError> {
    if rest.is_empty() {
        Err(missing(command, "a sentence"))
    } else {
        Ok(rest.to_string())
    }
}

fn optional_address(command: &'static str, rest: &str) -> Result<Option<Address>, ParseError> {
    if rest.is_empty() {
        Ok(None)
    } else {
        address(command, rest).map(Some)
    }
}

/// A command without arguments.
fn bare(command: &'static str, rest: &str, c: Command) -> Result<Command, ParseError> {
    no_extra(command, rest)?;
    Ok(c)
}

pub(super) fn parse_text(rest: &str, _: bool) -> Result<Command, ParseError> {
    sentence("text", rest).map(Command::Text)
}

pub(super) fn parse_target(rest: &str, _: bool) -> Result<Command, ParseError> {
    sentence("target", rest).map(Command::Target)
}

pub(super) fn parse_explain(rest: &str, _: bool) -> Result<Command, ParseError> {
    optional_address("explain", rest).map(Command::Explain)
}

pub(super) fn parse_layer(rest: &str, _: bool) -> Result<Command, ParseError> {
    index("layer", "a layer number", rest).map(Command::Layer)
}

pub(super) fn parse_head(rest: &str, _: bool) -> Result<Command, ParseError> {
    index("head", "a head number", rest).map(Command::Head)
}

pub(super) fn parse_cell(rest: &str, _: bool) -> Result<Command, ParseError> {
    let (r, c) = split_word(rest);
    let (c, extra) = split_word(c);
    no_extra("cell", extra)?;
    Ok(Command::Cell(
        index("cell", "a row", r)?,
        index("cell", "a column", c)?,
    ))
}

pub(super) fn parse_next(rest: &str, _: bool) -> Result<Command, ParseError> {
    bare("next", rest, Command::Next)
}

pub(super) fn parse_prev(rest: &str, _: bool) -> Result<Command, ParseError> {
    bare("prev", rest, Command::Prev)
}

/// `mask [enc|dec] on|off|causal`: without a stack, the self-attention mask the session
/// picks; with one, that stack's model field.
pub(super) fn parse_mask(rest: &str, _: bool) -> Result<Command, ParseError> {
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
    Ok(match stack {
        None => Command::Mask(kind),
        Some(false) => Command::SetModel(ModelSpec {
            mask: Some(Word(kind)),
            ..ModelSpec::default()
        }),
        Some(true) => Command::SetModel(ModelSpec {
            dec_mask: Some(Word(kind)),
            ..ModelSpec::default()
        }),
    })
}

pub(super) fn parse_scale(rest: &str, _: bool) -> Result<Command, ParseError> {
    switch("scale", rest).map(Command::Scale)
}

pub(super) fn parse_toggle(rest: &str, _: bool) -> Result<Command, ParseError> {
    Ok(Command::Toggle(match rest.to_ascii_lowercase().as_str() {
        "mask" => Setting::Mask,
        "scale" => Setting::Scale,
        "pe" => Setting::Pe,
        "norm" => Setting::Norm,
        "" => return Err(missing("toggle", "mask, scale, pe or norm")),
        _ => return Err(bad("toggle", rest, "mask, scale, pe or norm")),
    }))
}

pub(super) fn parse_pe(rest: &str, _: bool) -> Result<Command, ParseError> {
    switch("pe", rest).map(Command::Pe)
}

pub(super) fn parse_norm(rest: &str, _: bool) -> Result<Command, ParseError> {
    match rest.to_ascii_lowercase().as_str() {
        "" => Err(missing("norm", "pre or post")),
        w => parse_word("norm", w).map(Command::Norm),
    }
}

pub(super) fn parse_attend(rest: &str, _: bool) -> Result<Command, ParseError> {
    attend_args(rest).map(Command::Attend)
}

pub(super) fn parse_diff(rest: &str, _: bool) -> Result<Command, ParseError> {
    bare("diff", rest, Command::Diff)
}

pub(super) fn parse_note(rest: &str, _: bool) -> Result<Command, ParseError> {
    if rest.is_empty() {
        return Err(missing("note", "the text of the note"));
    }
    Ok(Command::Note(rest.to_string()))
}

pub(super) fn parse_save(rest: &str, force: bool) -> Result<Command, ParseError> {
    let path = path("save", rest)?;
    Ok(Command::Save { path, force })
}

pub(super) fn parse_load(rest: &str, force: bool) -> Result<Command, ParseError> {
    let path = path("load", rest)?;
    Ok(Command::Load { path, force })
}

pub(super) fn parse_replay(rest: &str, _: bool) -> Result<Command, ParseError> {
    Ok(match rest {
        "" => Command::Replay(None),
        "stop" | "off" => Command::StopReplay,
        _ => Command::Replay(Some(path("replay", rest)?)),
    })
}

pub(super) fn parse_model(rest: &str, _: bool) -> Result<Command, ParseError> {
    Ok(match split_word(rest) {
        ("load", "") => Command::ModelLoad(None),
        ("load", dir) => Command::ModelLoad(Some(path("model", dir)?)),
        ("", _) => return Err(missing("model", "load <dir> (or load alone)")),
        (other, _) => return Err(bad("model", other, "load")),
    })
}

pub(super) fn parse_check(rest: &str, _: bool) -> Result<Command, ParseError> {
    bare("check", rest, Command::Check)
}

pub(super) fn parse_export(rest: &str, force: bool) -> Result<Command, ParseError> {
    let path = path("export", rest)?;
    Ok(Command::Export { path, force })
}

pub(super) fn parse_plot(rest: &str, force: bool) -> Result<Command, ParseError> {
    let (a, file) = split_word(rest);
    if a.is_empty() {
        return Err(missing("plot", "a step name and a file"));
    }
    Ok(Command::Plot {
        address: address("plot", a)?,
        path: path("plot", file)?,
        force,
    })
}

pub(super) fn parse_params(rest: &str, _: bool) -> Result<Command, ParseError> {
    bare("params", rest, Command::Params)
}

pub(super) fn parse_practice(rest: &str, _: bool) -> Result<Command, ParseError> {
    Ok(match rest.to_ascii_lowercase().as_str() {
        "" => Command::Practice(None),
        "stop" | "end" | "off" => Command::StopPractice,
        _ => Command::Practice(Some(address("practice", rest)?)),
    })
}

pub(super) fn parse_answer(rest: &str, _: bool) -> Result<Command, ParseError> {
    if rest.is_empty() {
        return Err(missing("answer", "a number"));
    }
    answer_numbers(rest).map(Command::Answer)
}

pub(super) fn parse_explore(rest: &str, _: bool) -> Result<Command, ParseError> {
    explore::parse(rest)
}

pub(super) fn parse_help(rest: &str, _: bool) -> Result<Command, ParseError> {
    Ok(Command::Help((!rest.is_empty()).then(|| rest.to_string())))
}

/// `quit` takes nothing; `quit!` leaves whatever follows.
pub(super) fn parse_quit(rest: &str, force: bool) -> Result<Command, ParseError> {
    if !force {
        no_extra("quit", rest)?;
    }
    Ok(Command::Quit { force })
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
