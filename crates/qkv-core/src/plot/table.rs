//! The text formats: Markdown, CSV and LaTeX.

use super::{Plot, plain_number};
use crate::render::fmt_value;
use crate::util::escape_controls;

/// The caption line: `name (rows × cols): formula`.
fn caption(p: &Plot) -> String {
    let (r, c) = p.dims();
    format!("{} ({r} × {c})", p.name)
}

/// A Markdown code span holding `s` (a fence longer than any run of backticks in it), its
/// control and format characters shown escaped ([`escape_controls`]).
pub fn code_span(s: &str) -> String {
    let s = escape_controls(s);
    let s = s.as_ref();
    let longest = longest_run(s, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// A fenced Markdown code block of `text` (the fence longer than any backtick run in it),
/// its control and format characters shown escaped ([`escape_controls`]).
pub fn fenced(text: &str) -> String {
    let text = escape_controls(text);
    let text = text.as_ref();
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    let mut out = format!("{fence}text\n{text}");
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// A token as the text of a Markdown table cell: newlines as spaces, other control and
/// format characters shown escaped ([`escape_controls`]), then `|` and `\` (the escapes'
/// too) escaped, `<`, `>`, `&` as entities (so `<bos>` is not read as HTML); an empty label
/// as `·`.
fn md_cell(s: &str) -> String {
    if s.is_empty() {
        return "·".into();
    }
    let mut out = String::new();
    for c in escape_controls(&s.replace(['\n', '\r'], " ")).chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '*' | '_' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// The matrix as a Markdown table: a heading line with the name and shape, the formula,
/// a table with the column tokens as header and the row tokens in the first column, and
/// the selected cell's explanation as a code block.
pub fn markdown(p: &Plot) -> String {
    let mut out = format!(
        "**{}**: {}\n\n",
        md_cell(&caption(p)),
        code_span(&p.formula)
    );
    out.push_str(&markdown_table(p));
    out.push_str(&format!(
        "\n{} digits after the decimal point.\n",
        p.precision
    ));
    if let (Some((i, j)), Some(e)) = (p.selected, &p.explanation) {
        out.push_str(&format!(
            "\nThe selected cell, row {i} ({}) and column {j} ({}):\n\n",
            md_cell(p.rows.get(i).map_or("", String::as_str)),
            md_cell(p.cols.get(j).map_or("", String::as_str)),
        ));
        out.push_str(&fenced(e));
    }
    out
}

/// Only the table of [`markdown`] (header, alignment row, one line per matrix row).
pub fn markdown_table(p: &Plot) -> String {
    let (nr, nc) = p.dims();
    let mut out = String::from("| |");
    for c in &p.cols {
        out.push_str(&format!(" {} |", md_cell(c)));
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(nc));
    out.push('\n');
    for i in 0..nr {
        out.push_str(&format!("| {} |", md_cell(&p.rows[i])));
        for j in 0..nc {
            out.push_str(&format!(" {} |", fmt_value(p.values[[i, j]], p.precision)));
        }
        out.push('\n');
    }
    out
}

/// One CSV text field (a token or the name; the numbers are written by [`plain_number`]
/// and never pass here): its control and format characters shown escaped
/// ([`escape_controls`]: a CR becomes `\x0d`); neutralised with a leading `'` when it
/// begins with `=`, `+`, `-`, `@` or a tab, which a spreadsheet would read as the start of
/// a formula (`=HYPERLINK(…)`: OWASP's CSV injection); then quoted when it holds a comma,
/// a quote or LF (quotes doubled), or begins or ends with a space (RFC 4180).
///
/// Only text is prefixed: a label is text whatever it looks like, so a token `-0.25` is
/// written `'-0.25` (a spreadsheet must not compute with it), while a cell's value −0.25
/// is a number and stays `-0.25` (see [`csv`]).
fn csv_field(s: &str) -> String {
    let s = escape_controls(s);
    let s = if s.starts_with(['=', '+', '-', '@', '\t']) {
        format!("'{s}")
    } else {
        s.into_owned()
    };
    if s.contains([',', '"', '\r', '\n']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The matrix as CSV (RFC 4180, CRLF line ends): a header record with the name in the
/// corner and the column tokens, then one record per row, its token first. Text (the name
/// and tokens) goes through [`csv_field`]; the values are numbers and are written as
/// numbers, a negative one with its minus sign.
pub fn csv(p: &Plot) -> String {
    let (nr, nc) = p.dims();
    let mut out = csv_field(&p.name);
    for c in &p.cols {
        out.push(',');
        out.push_str(&csv_field(c));
    }
    out.push_str("\r\n");
    for i in 0..nr {
        out.push_str(&csv_field(&p.rows[i]));
        for j in 0..nc {
            out.push(',');
            out.push_str(&plain_number(p.values[[i, j]], p.precision));
        }
        out.push_str("\r\n");
    }
    out
}

/// `s` as LaTeX text: newlines as spaces, other control and format characters shown
/// escaped ([`escape_controls`]), then the specials `\ # $ % & _ { } ~ ^` (the escapes'
/// backslashes too) and `< >` (which the default font encoding draws as ¡ ¿) escaped.
pub fn latex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in escape_controls(&s.replace(['\n', '\r'], " ")).chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '#' | '$' | '%' | '&' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            c => out.push(c),
        }
    }
    out
}

/// A value in LaTeX math: [`plain_number`]'s digits, a nonzero value that would round to
/// zero written as a power of ten (`1.64\times10^{-5}`: `1.64e-5` in math mode would read
/// as a product with a variable e), `-\infty`, `\mathrm{NaN}`.
fn latex_number(v: f32, precision: usize) -> String {
    if v.is_nan() {
        "\\mathrm{NaN}".into()
    } else if v == f32::NEG_INFINITY {
        "-\\infty".into()
    } else if v == f32::INFINITY {
        "\\infty".into()
    } else {
        let s = plain_number(v, precision);
        match s.split_once('e') {
            Some((mantissa, exponent)) => format!("{mantissa}\\times10^{{{exponent}}}"),
            None => s,
        }
    }
}

/// The matrix as LaTeX (amsmath): a display with the name and formula above, and an
/// `array` whose first row holds the column tokens, whose first column holds the row
/// tokens, and whose corner holds the `bmatrix` of the numbers. Every number and label is
/// in a box of the same width so the labels line up with the matrix columns. Hangul
/// labels need a Korean-capable setup (XeLaTeX with `kotex`, or `\usepackage{kotex}`).
pub fn latex(p: &Plot) -> String {
    let (nr, nc) = p.dims();
    let numbers: Vec<Vec<String>> = (0..nr)
        .map(|i| {
            (0..nc)
                .map(|j| latex_number(p.values[[i, j]], p.precision))
                .collect()
        })
        .collect();
    // Box width in em: about half an em a character of the number as text (`1.64e-5`
    // for `1.64\times10^{-5}`, about as wide typeset), at least 2.5em.
    let widest = p
        .values
        .iter()
        .map(|&v| plain_number(v, p.precision).chars().count())
        .chain(p.cols.iter().map(|c| crate::render::width(c)))
        .max()
        .unwrap_or(1);
    let w = format!("{:.1}em", (widest as f64 * 0.55).max(2.5));
    let cell = |x: &str| format!("\\makebox[{w}][r]{{${x}$}}");
    let label = |x: &str| format!("\\makebox[{w}][r]{{\\text{{{}}}}}", latex_escape(x));
    let mut out = format!(
        "% {} — written by qkv: {} digits after the decimal point.\n% Needs \\usepackage{{amsmath}}; Hangul and the formula's symbols need XeLaTeX or LuaLaTeX with kotex.\n",
        latex_escape(&caption(p)),
        p.precision
    );
    out.push_str("\\begin{equation*}\n");
    out.push_str(&format!(
        "\\text{{{}}} = \\text{{{}}}\n",
        latex_escape(&p.name),
        latex_escape(&p.formula)
    ));
    out.push_str("\\end{equation*}\n");
    out.push_str("\\begin{equation*}\n\\begin{array}{r@{\\;}c}\n");
    // Column labels: an array of the same column count, shifted right past the bracket.
    out.push_str(" & \\begin{array}{@{\\hspace{0.6em}}");
    out.push_str(&"r".repeat(nc));
    out.push_str("@{\\hspace{0.6em}}}\n");
    out.push_str(&format!(
        "  {}\n  \\end{{array}} \\\\\n",
        p.cols
            .iter()
            .map(|c| label(c))
            .collect::<Vec<_>>()
            .join(" & ")
    ));
    // Row labels beside the bmatrix, one per line.
    out.push_str(" \\begin{array}{r}\n");
    for (i, r) in p.rows.iter().enumerate() {
        let end = if i + 1 < nr { " \\\\" } else { "" };
        out.push_str(&format!("  \\text{{{}}}{end}\n", latex_escape(r)));
    }
    out.push_str(" \\end{array} &\n \\begin{bmatrix}\n");
    for (i, row) in numbers.iter().enumerate() {
        let end = if i + 1 < nr { " \\\\" } else { "" };
        out.push_str(&format!(
            "  {}{end}\n",
            row.iter().map(|x| cell(x)).collect::<Vec<_>>().join(" & ")
        ));
    }
    out.push_str(" \\end{bmatrix}\n\\end{array}\n\\end{equation*}\n");
    if let (Some((i, j)), Some(e)) = (p.selected, &p.explanation) {
        out.push_str(&format!(
            "% The selected cell, row {i}, column {j}:\n\\begin{{verbatim}}\n"
        ));
        // Nothing can end the verbatim early, nor reach a terminal raw.
        let e = escape_controls(e);
        out.push_str(&e.replace("\\end{verbatim}", "\\end {verbatim}"));
        if !e.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("\\end{verbatim}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that a spreadsheet would read as a formula gets a leading `'`, whatever it
    /// looks like (`-0.25` as a token is text); then RFC 4180 quoting.
    #[test]
    fn csv_text_fields_are_neutralised_escaped_and_quoted() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-0.25"), "'-0.25");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tx"), "'\tx");
        // A CR is shown escaped: `\x0d`, which starts no formula.
        assert_eq!(csv_field("\r=1"), "\\x0d=1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("학교에"), "학교에");
        assert_eq!(csv_field("a\u{1b}[2Jb\u{202e}"), "a\\x1b[2Jb\\u{202e}");
    }
}
