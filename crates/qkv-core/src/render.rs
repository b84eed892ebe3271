//! Plain-text rendering of trace steps as aligned matrices with token labels. Widths are
//! display widths (`unicode-width`), so Korean tokens line up.

use ndarray::ArrayView2;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::trace::{Address, Step, Trace, TraceError};

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Digits after the decimal point.
    pub precision: usize,
    /// Rows shown before eliding the middle (`None`: all).
    pub max_rows: Option<usize>,
    /// Columns shown before eliding the middle (`None`: all).
    pub max_cols: Option<usize>,
    /// The language of the formula line (the numbers are the same in both).
    pub lang: crate::i18n::Lang,
    /// Nonzero values that would print as zero at `precision` are printed in scientific
    /// notation instead (`1.2e−6`), as the TUI shows gradients: a trained model's gradients
    /// are often far below 10^−precision.
    pub tiny_as_exponent: bool,
}

impl RenderOptions {
    /// One value as these options print it: [`fmt_value`], or `1.2e−6` for a nonzero value
    /// that would print as zero when `tiny_as_exponent`.
    pub fn number(&self, v: f32) -> String {
        self.tiny_as_exponent
            .then(|| tiny_exponent(v, self.precision))
            .flatten()
            .unwrap_or_else(|| fmt_value(v, self.precision))
    }
}

/// `1.2e−6` for a nonzero value that would print as zero at `precision` (below half its last
/// digit), else `None`: how gradients, often far below 10^−precision, are shown (the REPL
/// through [`RenderOptions::tiny_as_exponent`], the TUI's matrix view).
pub fn tiny_exponent(v: f32, precision: usize) -> Option<String> {
    let tiny = 0.5 * 10f32.powi(-(precision as i32));
    (v != 0.0 && v.abs() < tiny).then(|| format!("{v:.1e}").replace('-', "−"))
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            precision: 4,
            max_rows: Some(40),
            max_cols: Some(16),
            lang: crate::i18n::Lang::En,
            tiny_as_exponent: false,
        }
    }
}

/// Longest label shown (in display columns) before it is cut with `…`.
pub const MAX_LABEL_WIDTH: usize = 14;

/// Display width of `s`.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` padded with spaces on the left to `w` display columns.
pub fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// `s` padded with spaces on the right to `w` display columns.
pub fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// `text` cut into lines of at most `w` display columns (wide characters such as 한글
/// count 2), at a space where it can (the space is dropped), inside a word longer than a
/// line where it must. Leading spaces (indentation) are kept.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    wrap_indices(&chars, w)
        .into_iter()
        .map(|r| chars[r].iter().collect())
        .collect()
}

/// The ranges of `chars` that make the lines of [`wrap`].
pub fn wrap_indices(chars: &[char], w: usize) -> Vec<std::ops::Range<usize>> {
    let w = w.max(2);
    let cw = |c: &char| c.width().unwrap_or(0);
    let mut out = Vec::new();
    let (mut start, mut used) = (0usize, 0usize);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if used + cw(&c) > w && i > start {
            // Break at the last space after some text on this line, else here.
            let line = &chars[start..i];
            let first_text = line.iter().position(|c| *c != ' ').unwrap_or(line.len());
            match line.iter().rposition(|c| *c == ' ') {
                _ if c == ' ' => {
                    out.push(start..i);
                    start = i + 1;
                    i += 1;
                }
                Some(k) if k > first_text => {
                    out.push(start..start + k);
                    start += k + 1;
                }
                _ => {
                    out.push(start..i);
                    start = i;
                }
            }
            used = chars[start..i].iter().map(cw).sum();
            continue;
        }
        used += cw(&c);
        i += 1;
    }
    out.push(start..chars.len());
    out
}

#[cfg(test)]
mod wrap_tests {
    use super::{width, wrap};

    #[test]
    fn wrap_counts_display_columns_and_keeps_indentation() {
        // "token embedding of 나는" is 19 + 4 = 23 columns (나는 is two wide characters).
        assert_eq!(width("token embedding of 나는"), 23);
        assert_eq!(
            wrap("token embedding of 나는 (row 0)", 22),
            vec!["token embedding of", "나는 (row 0)"]
        );
        // Exactly full lines break at the space that follows them.
        assert_eq!(wrap("ab cd ef", 5), vec!["ab cd", "ef"]);
        assert_eq!(wrap("  x = 1 + 2", 7), vec!["  x = 1", "+ 2"]);
        // A word longer than the line is cut inside, by columns: 바나나 is 6 wide.
        assert_eq!(wrap("바나나를", 5), vec!["바나", "나를"]);
        for l in wrap("바나나를 먹는 고양이가 학교에 간다", 7) {
            assert!(width(&l) <= 7, "{l}");
        }
    }
}

/// `s` cut to at most `w` display columns, ending in `…` when cut.
pub fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// A number as printed, in the style of the explanations everywhere (REPL, `qkv run`, the
/// TUI): fixed `precision`, the minus sign `−` (U+2212), `−∞` / `∞` / `NaN` for the rest, no
/// `−0`. (Exports keep machine-readable numbers.)
pub fn fmt_value(v: f32, precision: usize) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v == f32::NEG_INFINITY {
        "−∞".to_string()
    } else if v == f32::INFINITY {
        "∞".to_string()
    } else {
        let s = format!("{v:.precision$}");
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            Some(rest) => format!("−{rest}"),
            None => s,
        }
    }
}

/// Indices to show out of `n` when at most `max` fit: the first and last halves, with
/// `None` marking the elided middle.
fn shown(n: usize, max: Option<usize>) -> Vec<Option<usize>> {
    match max {
        Some(m) if n > m && m >= 2 => {
            let head = m.div_ceil(2);
            let tail = m / 2;
            let mut v: Vec<Option<usize>> = (0..head).map(Some).collect();
            v.push(None);
            v.extend((n - tail..n).map(Some));
            v
        }
        _ => (0..n).map(Some).collect(),
    }
}

/// A matrix with row labels on the left and column labels on top.
///
/// # Shapes
/// `m`: rows.len() × cols.len().
pub fn matrix(
    m: ArrayView2<'_, f32>,
    rows: &[String],
    cols: &[String],
    opts: &RenderOptions,
) -> String {
    let (nr, nc) = m.dim();
    let number = |v: f32| opts.number(v);
    let label = |v: &[String], i: usize| {
        truncate(v.get(i).map(String::as_str).unwrap_or("?"), MAX_LABEL_WIDTH)
    };
    let rsel = shown(nr, opts.max_rows);
    let csel = shown(nc, opts.max_cols);
    let row_w = rsel
        .iter()
        .map(|r| r.map_or(1, |i| width(&label(rows, i))))
        .max()
        .unwrap_or(0);
    let col_w: Vec<usize> = csel
        .iter()
        .map(|c| match c {
            None => 1,
            Some(j) => {
                let vals = rsel.iter().flatten().map(|i| width(&number(m[[*i, *j]])));
                vals.chain(std::iter::once(width(&label(cols, *j))))
                    .max()
                    .unwrap_or(1)
            }
        })
        .collect();
    let mut out = String::new();
    out.push_str(&" ".repeat(row_w));
    for (c, w) in csel.iter().zip(&col_w) {
        out.push_str("  ");
        out.push_str(&match c {
            Some(j) => pad_left(&label(cols, *j), *w),
            None => "…".to_string(),
        });
    }
    out.push('\n');
    for r in &rsel {
        match r {
            None => {
                out.push_str(&pad_right("⋮", row_w));
                out.push('\n');
            }
            Some(i) => {
                out.push_str(&pad_right(&label(rows, *i), row_w));
                for (c, w) in csel.iter().zip(&col_w) {
                    out.push_str("  ");
                    out.push_str(&match c {
                        Some(j) => pad_left(&number(m[[*i, *j]]), *w),
                        None => "…".to_string(),
                    });
                }
                out.push('\n');
            }
        }
    }
    if rsel.len() < nr || csel.len() < nc || rsel.contains(&None) || csel.contains(&None) {
        let note = crate::i18n::session_files::FilesMsg::Showing {
            rows: rsel.iter().flatten().count(),
            of_rows: nr,
            cols: csel.iter().flatten().count(),
            of_cols: nc,
        };
        out.push_str(&note.text(opts.lang));
        out.push('\n');
    }
    out
}

/// Title line of one matrix: `name[h]  (rows × cols)  formula`.
fn title(
    step: &Step,
    head: Option<usize>,
    rows: usize,
    cols: usize,
    opts: &RenderOptions,
) -> String {
    let h = head.map(|h| format!("[{h}]")).unwrap_or_default();
    format!(
        "{}{h}  ({rows} × {cols})  {}\n",
        step.name(),
        crate::i18n::formula::formula_in(step, opts.lang)
    )
}

/// Renders what `address` names: a whole step (every head of a per-head step), one head, a
/// row, or a single cell.
pub fn address(
    trace: &Trace,
    address: &Address,
    opts: &RenderOptions,
) -> Result<String, TraceError> {
    let step = trace.step(&address.name)?;
    // Gradients are printed as the TUI shows them: tiny values in scientific notation.
    let opts = &RenderOptions {
        tiny_as_exponent: opts.tiny_as_exponent || step.name().starts_with("grad."),
        ..*opts
    };
    let per_head = step.heads().is_some();
    let idx = &address.indices;
    let (head, rest): (Option<usize>, &[usize]) = if per_head && !idx.is_empty() {
        (Some(idx[0]), &idx[1..])
    } else {
        (None, &idx[..])
    };
    match rest {
        [] => match (per_head, head) {
            // q, k, v, head_out: the heads side by side, n × d_model.
            (true, None) if step.matrix(None).is_ok() => one_matrix_in(trace, step, None, opts),
            (true, None) => {
                let heads = step.heads().unwrap_or(1);
                let mut out = String::new();
                for h in 0..heads {
                    if h > 0 {
                        out.push('\n');
                    }
                    out.push_str(&one_matrix_in(trace, step, Some(h), opts)?);
                }
                Ok(out)
            }
            _ => one_matrix_in(trace, step, head, opts),
        },
        [i] => {
            let m = step.matrix(head)?;
            if *i >= m.nrows() {
                return Err(TraceError::IndexOutOfRange {
                    name: step.name().to_string(),
                    axis: "row",
                    index: *i,
                    len: m.nrows(),
                });
            }
            let row = m.slice_axis(ndarray::Axis(0), ndarray::Slice::from(*i..*i + 1));
            let labels = &step.row_labels()[(*i)..=(*i)];
            Ok(format!(
                "{}{}",
                title(step, head, 1, m.ncols(), opts),
                matrix(row, labels, step.col_labels(head), opts)
            ))
        }
        [_, _] => {
            let v = step.value(idx)?;
            Ok(format!("{address} = {}\n", opts.number(v)))
        }
        _ => Err(TraceError::WrongIndexCount {
            name: step.name().to_string(),
            got: idx.len(),
            expected: if per_head { 3 } else { 2 },
        }),
    }
}

fn one_matrix(
    step: &Step,
    head: Option<usize>,
    opts: &RenderOptions,
) -> Result<String, TraceError> {
    let m = step.matrix(head)?;
    let mut out = title(step, head, m.nrows(), m.ncols(), opts);
    out.push_str(&matrix(
        m.view(),
        step.row_labels(),
        step.col_labels(head),
        opts,
    ));
    for (h, r) in &step.flags().masked_rows {
        if head.is_none_or(|x| x == *h) {
            out.push_str(&format!(
                "note: row {r} is fully masked; its weights are all 0\n"
            ));
        }
    }
    if step.flags().has_problem() {
        out.push_str(&format!(
            "warning: {} NaN and {} +inf values in this step\n",
            step.flags().nan,
            step.flags().pos_inf
        ));
    }
    Ok(out)
}

/// `one_matrix`, and where the pass first went non-finite when this step has NaN or +∞.
fn one_matrix_in(
    trace: &Trace,
    step: &Step,
    head: Option<usize>,
    opts: &RenderOptions,
) -> Result<String, TraceError> {
    let mut out = one_matrix(step, head, opts)?;
    if step.flags().has_problem()
        && let Some((at, v)) = trace.first_non_finite()
    {
        out.push_str(&format!(
            "note: the first non-finite value of this pass is {at} = {v}\n"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    /// Gradients of a trained model (about 1e-6) would all print as 0.0000: with
    /// `tiny_as_exponent` a nonzero value below half the last digit (0.00005 at precision 4)
    /// is printed in scientific notation, and every other value as before.
    #[test]
    fn tiny_values_as_exponents() {
        let plain = RenderOptions::default();
        let grads = RenderOptions {
            tiny_as_exponent: true,
            ..plain
        };
        assert_eq!(plain.number(3e-5), "0.0000");
        assert_eq!(grads.number(3e-5), "3.0e−5");
        assert_eq!(grads.number(-2.4e-7), "−2.4e−7");
        assert_eq!(grads.number(0.0), "0.0000");
        assert_eq!(grads.number(0.25), "0.2500");
        assert_eq!(grads.number(f32::NEG_INFINITY), "−∞");
        let m = ndarray::array![[1.2e-6f32, 0.0], [-0.5, 7e-9]];
        let labels = vec!["a".to_string(), "b".to_string()];
        let text = matrix(m.view(), &labels, &labels, &grads);
        // Columns as wide as their widest entry: 7 (−0.5000) and 6, two spaces between.
        assert_eq!(
            text,
            "         a       b\na   1.2e−6  0.0000\nb  −0.5000  7.0e−9\n"
        );
    }

    use super::*;
    use ndarray::array;

    #[test]
    fn korean_labels_align() {
        let m = array![[1.0f32, -0.5], [f32::NEG_INFINITY, 0.25]];
        let rows = vec!["나는".to_string(), "a".to_string()];
        let cols = vec!["학교에".to_string(), "b".to_string()];
        let s = matrix(
            m.view(),
            &rows,
            &cols,
            &RenderOptions {
                precision: 2,
                ..Default::default()
            },
        );
        let lines: Vec<&str> = s.lines().collect();
        // Every line has the same display width: labels and numbers are padded by width.
        let widths: Vec<usize> = lines.iter().map(|l| width(l)).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{s}");
        assert_eq!(lines[0], "      학교에      b");
        assert_eq!(lines[1], "나는    1.00  −0.50");
        assert_eq!(lines[2], "a         −∞   0.25");
    }

    #[test]
    fn values_format() {
        assert_eq!(fmt_value(-0.00001, 3), "0.000");
        assert_eq!(fmt_value(f32::NAN, 3), "NaN");
        assert_eq!(fmt_value(5.773_503, 4), "5.7735");
    }

    #[test]
    fn truncates_long_labels_by_width() {
        assert_eq!(truncate("가나다라마바사아자차", 7), "가나다…");
        assert!(width(&truncate("가나다라마바사아자차", 7)) <= 7);
    }

    #[test]
    fn elides_the_middle_of_wide_matrices() {
        let m = ndarray::Array2::<f32>::zeros((1, 10));
        let cols: Vec<String> = (0..10).map(|i| format!("d{i}")).collect();
        let s = matrix(
            m.view(),
            &["x".to_string()],
            &cols,
            &RenderOptions {
                precision: 1,
                max_rows: None,
                max_cols: Some(4),
                ..Default::default()
            },
        );
        assert!(
            s.starts_with("    d0   d1  …   d8   d9\nx  0.0  0.0  …  0.0  0.0\n"),
            "{s}"
        );
        assert!(s.contains("showing 1 of 1 rows, 4 of 10 columns"));
    }
}
