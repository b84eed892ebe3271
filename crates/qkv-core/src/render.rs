//! Plain-text rendering of trace steps as aligned matrices with token labels. Widths are
//! display widths (`unicode-width`), so Korean tokens line up.

use ndarray::ArrayView2;
use unicode_width::UnicodeWidthChar;

use crate::trace::{Address, Step, Trace, TraceError};
pub use crate::util::{truncate, width};

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
    /// The selected cell (row, column) of the matrix shown: its row and column are never
    /// elided.
    pub focus: Option<(usize, usize)>,
    /// Instead of the matrix, each row's `k` largest values with their column labels,
    /// largest first (`--top K`: what a probability or logit row predicts).
    pub top: Option<usize>,
}

impl RenderOptions {
    /// One value as these options print it: [`fmt_value`] at their precision.
    pub fn number(&self, v: f32) -> String {
        fmt_value(v, self.precision)
    }

    /// Every row and column (`--full`), or the default eliding when `full` is false.
    pub fn with_full(self, full: bool) -> Self {
        let d = RenderOptions::default();
        RenderOptions {
            max_rows: if full { None } else { d.max_rows },
            max_cols: if full { None } else { d.max_cols },
            ..self
        }
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            precision: 4,
            max_rows: Some(40),
            max_cols: Some(16),
            lang: crate::i18n::Lang::En,
            focus: None,
            top: None,
        }
    }
}

/// Longest label shown (in display columns) before it is cut with `…`.
pub const MAX_LABEL_WIDTH: usize = 14;

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

pub use crate::number::fmt_value;

/// Indices to show out of `n` when at most `max` fit: the first and last ones, less as many
/// as it takes to keep those of `must` (in order, as many as leave room for the first and
/// the last index), with `None` marking each elided run.
fn shown(n: usize, max: Option<usize>, must: &[usize]) -> Vec<Option<usize>> {
    use std::collections::BTreeSet;
    let m = match max {
        Some(m) if n > m && m >= 2 => m,
        _ => return (0..n).map(Some).collect(),
    };
    let mut kept: Vec<usize> = Vec::new();
    for &i in must {
        if i < n && !kept.contains(&i) && kept.len() + 2 < m.max(3) {
            kept.push(i);
        }
    }
    let edges = |r: usize| -> BTreeSet<usize> { (0..r.div_ceil(2)).chain(n - r / 2..n).collect() };
    // Give the indices to keep the room of as many edge ones as lie outside the edges.
    let mut extra = 0;
    let keep = loop {
        let e = edges(m - extra);
        let outside = kept.iter().filter(|i| !e.contains(i)).count();
        if outside <= extra {
            break e.into_iter().chain(kept).collect::<BTreeSet<usize>>();
        }
        extra = outside;
    };
    let mut out = Vec::with_capacity(keep.len() + 2);
    let mut next = 0;
    for k in keep {
        if k > next {
            out.push(None);
        }
        out.push(Some(k));
        next = k + 1;
    }
    if next < n {
        out.push(None);
    }
    out
}

/// The column of the largest value of `row` (NaN skipped; `None` for an empty row).
fn largest(row: ndarray::ArrayView1<'_, f32>) -> Option<usize> {
    row.iter()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .fold(None, |best: Option<(usize, f32)>, (j, &v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((j, v)),
        })
        .map(|(j, _)| j)
}

/// Each row's `k` largest values, largest first, with their column labels:
/// `나는  I 0.9981 · you 1.20e−3 · they 3.20e−4`.
///
/// # Shapes
/// `m`: rows.len() × cols.len().
pub fn top_values(
    m: ArrayView2<'_, f32>,
    rows: &[String],
    cols: &[String],
    k: usize,
    opts: &RenderOptions,
) -> String {
    let label = |v: &[String], i: usize| {
        truncate(v.get(i).map(String::as_str).unwrap_or("?"), MAX_LABEL_WIDTH)
    };
    let row_w = (0..m.nrows())
        .map(|i| width(&label(rows, i)))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (i, row) in m.rows().into_iter().enumerate() {
        let mut order: Vec<usize> = (0..row.len()).collect();
        // Largest first; NaN last; equal values in column order.
        order.sort_by(|&a, &b| {
            let (x, y) = (row[a], row[b]);
            y.is_nan()
                .cmp(&x.is_nan())
                .reverse()
                .then(y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal))
        });
        let items: Vec<String> = order
            .iter()
            .take(k)
            .map(|&j| format!("{} {}", label(cols, j), opts.number(row[j])))
            .collect();
        out.push_str(&pad_right(&label(rows, i), row_w));
        out.push_str("  ");
        out.push_str(&items.join(" · "));
        out.push('\n');
    }
    out
}

/// The rows of a matrix as `opts` asks: [`top_values`] with `top`, else [`matrix`].
///
/// # Shapes
/// `m`: rows.len() × cols.len().
fn body(m: ArrayView2<'_, f32>, rows: &[String], cols: &[String], opts: &RenderOptions) -> String {
    match opts.top {
        Some(k) => top_values(m, rows, cols, k, opts),
        None => matrix(m, rows, cols, opts),
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
    // The selected cell stays, and so does each shown row's largest value (a probability
    // row's prediction).
    let rsel = shown(
        nr,
        opts.max_rows,
        &opts.focus.map(|f| f.0).into_iter().collect::<Vec<_>>(),
    );
    let must_cols: Vec<usize> = opts
        .focus
        .map(|f| f.1)
        .into_iter()
        .chain(rsel.iter().flatten().filter_map(|&i| largest(m.row(i))))
        .collect();
    let csel = shown(nc, opts.max_cols, &must_cols);
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
    let top = opts
        .top
        .map(|k| {
            let note = crate::i18n::session_files::FilesMsg::TopOf { k, of: cols };
            format!("\n{}", note.text(opts.lang))
        })
        .unwrap_or_default();
    format!(
        "{}{h}  ({rows} × {cols})  {}{top}\n",
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
            let opts = &RenderOptions {
                focus: opts.focus.filter(|f| f.0 == *i).map(|f| (0, f.1)),
                ..*opts
            };
            Ok(format!(
                "{}{}",
                title(step, head, 1, m.ncols(), opts),
                body(row, labels, step.col_labels(head), opts)
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
    out.push_str(&body(
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

/// Renders the part of a weight of `model` that `address` names, by the one addressing
/// rule of [`crate::weight_view`]: the whole matrix (`enc.0.attn.W_Q`, `embed.E` with its
/// vocabulary as row labels, a bias as one row), one head's slice of an attention
/// projection (`enc.0.attn.W_Q[h]`), a row, or a cell. `None` when `model` has no such
/// weight.
pub fn weight(
    model: &crate::model::Transformer,
    address: &Address,
    opts: &RenderOptions,
) -> Option<Result<String, TraceError>> {
    crate::weight_view::of_model(model, address).map(|v| Ok(weight_text(address, &v?, opts)))
}

/// A picked part of a weight (or of its gradient) as text: `name = value` for a cell, else
/// the title line and the matrix as `opts` asks.
pub fn weight_text(
    address: &Address,
    v: &crate::weight_view::WeightView<'_>,
    opts: &RenderOptions,
) -> String {
    match v.cell {
        Some((i, j)) => format!("{address} = {}\n", opts.number(v.values[[i, j]])),
        None => format!(
            "{}  ({} × {})\n{}",
            v.name,
            v.values.nrows(),
            v.values.ncols(),
            body(v.values, &v.rows, &v.cols, opts)
        ),
    }
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

    /// Gradients of a trained model (about 1e-6) would all print as 0.0000: a nonzero value
    /// below half the last digit (0.00005 at precision 4) is printed with its significant
    /// digits, and every other value at the fixed precision.
    #[test]
    fn tiny_values_keep_their_digits() {
        let opts = RenderOptions::default();
        let m = ndarray::array![[1.2e-6f32, 0.0], [-0.5, 7e-9]];
        let labels = vec!["a".to_string(), "b".to_string()];
        let text = matrix(m.view(), &labels, &labels, &opts);
        // Columns as wide as their widest entry: 7 (1.20e−6, −0.5000) and 7 (7.00e−9).
        assert_eq!(
            text,
            "         a        b\na  1.20e−6   0.0000\nb  −0.5000  7.00e−9\n"
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
        assert_eq!(fmt_value(-0.00001, 3), "−1.00e−5");
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

    /// The selected column and each row's largest value stay in view: of 10 columns with 4
    /// shown, row x peaks at column 5 and the cursor is on column 3, so the columns are
    /// 0, 3, 5, 9 (the first and the last, then the two that must stay).
    #[test]
    fn elision_keeps_the_selected_column_and_each_rows_largest() {
        let mut m = ndarray::Array2::<f32>::zeros((1, 10));
        m[[0, 5]] = 0.9;
        let cols: Vec<String> = (0..10).map(|i| format!("d{i}")).collect();
        let opts = RenderOptions {
            precision: 1,
            max_rows: None,
            max_cols: Some(4),
            focus: Some((0, 3)),
            ..Default::default()
        };
        let s = matrix(m.view(), &["x".to_string()], &cols, &opts);
        assert!(
            s.starts_with("    d0  …   d3  …   d5  …   d9\nx  0.0  …  0.0  …  0.9  …  0.0\n"),
            "{s}"
        );
        assert_eq!(
            shown(10, Some(4), &[]),
            [Some(0), Some(1), None, Some(8), Some(9)]
        );
        assert_eq!(
            shown(10, Some(4), &[1, 9]),
            [Some(0), Some(1), None, Some(8), Some(9)]
        );
        assert_eq!(shown(3, Some(4), &[1]), [Some(0), Some(1), Some(2)]);
    }

    /// `--top 2`: each row's two largest values with their column labels, largest first.
    #[test]
    fn top_values_list_each_rows_largest() {
        let m = ndarray::array![[0.1f32, 0.7, 0.2], [0.5, 0.0, 0.5]];
        let rows = vec!["나는".to_string(), "a".to_string()];
        let cols = vec!["I".to_string(), "go".to_string(), "to".to_string()];
        let opts = RenderOptions {
            precision: 2,
            ..Default::default()
        };
        assert_eq!(
            top_values(m.view(), &rows, &cols, 2, &opts),
            "나는  go 0.70 · to 0.20\na     I 0.50 · to 0.50\n"
        );
    }
}
