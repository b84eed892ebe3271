//! One trace matrix (a step, or one head of a per-head step) as a picture or a table: an SVG
//! heatmap in the terminal's colours ([`crate::heat`]), a Markdown table, CSV (RFC 4180) or
//! LaTeX (`bmatrix` with labels). The renderers are pure functions of a [`Plot`] to a
//! `String`; [`write_file`] writes one through [`crate::atomic`] and refuses to replace an
//! existing file unless told to.
//!
//! Numbers: `precision` digits after the decimal point, rounded (the REPL's `show` rule,
//! [`crate::render::fmt_value`]: `−` for minus, `−0.0000` printed as `0.0000`, −∞ for masked
//! cells). CSV and LaTeX write the same digits with an ASCII `-` so that they read back as
//! numbers (`-inf`, `inf` and `NaN` in CSV; `-\infty` in LaTeX).

use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use thiserror::Error;

use crate::explain::{ExplainOptions, ModelRef};
use crate::i18n::Lang;
use crate::trace::{Address, Step, StepKind, Trace, TraceError};

pub mod svg;
pub mod table;

pub use svg::svg;
pub use table::{csv, latex, markdown};

/// The formats a matrix can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotFormat {
    /// An SVG heatmap.
    Svg,
    /// A Markdown table.
    Markdown,
    /// Comma-separated values (RFC 4180).
    Csv,
    /// A LaTeX `bmatrix` with its labels.
    Latex,
}

/// The names `--format` accepts.
pub const FORMAT_NAMES: &str = "svg, md, csv or tex";

impl fmt::Display for PlotFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlotFormat::Svg => "svg",
            PlotFormat::Markdown => "md",
            PlotFormat::Csv => "csv",
            PlotFormat::Latex => "tex",
        })
    }
}

impl PlotFormat {
    /// The format named `name` (`svg`, `md`/`markdown`, `csv`, `tex`/`latex`).
    pub fn from_name(name: &str) -> Result<PlotFormat, PlotError> {
        match name.to_ascii_lowercase().as_str() {
            "svg" => Ok(PlotFormat::Svg),
            "md" | "markdown" => Ok(PlotFormat::Markdown),
            "csv" => Ok(PlotFormat::Csv),
            "tex" | "latex" => Ok(PlotFormat::Latex),
            _ => Err(PlotError::UnknownFormat {
                name: name.to_string(),
            }),
        }
    }

    /// The format of a file, from its extension.
    pub fn from_path(path: &Path) -> Result<PlotFormat, PlotError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        PlotFormat::from_name(&ext).map_err(|_| PlotError::UnknownExtension {
            path: path.to_path_buf(),
        })
    }
}

/// Why a plot could not be made or written.
#[derive(Debug, Error)]
pub enum PlotError {
    /// `--format` names no format.
    #[error("unknown format {name:?}: the formats are {FORMAT_NAMES}")]
    UnknownFormat {
        /// The name given.
        name: String,
    },
    /// The file's extension names no format.
    #[error(
        "{}: the extension does not say the format; name the file .svg, .md, .csv or .tex (or give --format)",
        path.display()
    )]
    UnknownExtension {
        /// The file.
        path: PathBuf,
    },
    /// A step, head or cell that does not exist.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// The address names a row or more than a head.
    #[error(
        "{address}: a plot shows a whole matrix, `name` or `name[h]`; choose the cell to explain with --cell R,C (or `plot name[h][i][j]` in the REPL)"
    )]
    NotAMatrix {
        /// The address given.
        address: String,
    },
    /// The target exists and overwriting was not asked for.
    #[error(
        "{} exists; nothing was written (overwrite it with `plot!` in the REPL, --force on the command line, or choose another name)",
        path.display()
    )]
    WouldOverwrite {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be written.
    #[error("could not write {}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        cause: std::io::Error,
    },
    /// The destination may not be written ([`crate::atomic::check_destination`]).
    #[error(transparent)]
    Destination(crate::atomic::Refusal),
}

impl From<crate::atomic::Refusal> for PlotError {
    /// An existing file is [`PlotError::WouldOverwrite`] (with the advice of `plot!` and
    /// `--force`); every other refusal is kept as it is.
    fn from(r: crate::atomic::Refusal) -> PlotError {
        match r {
            crate::atomic::Refusal::Exists { path } => PlotError::WouldOverwrite { path },
            other => PlotError::Destination(other),
        }
    }
}

/// One matrix with everything a picture of it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// The step's name with the head, e.g. `enc.0.attn.weights[1]`.
    pub name: String,
    /// The step's formula, e.g. `softmax(masked)`.
    pub formula: String,
    /// How the values are coloured (sequential for distributions, diverging otherwise).
    pub kind: StepKind,
    /// The values.
    ///
    /// # Shapes
    /// rows × cols; `rows` and `cols` have one label each.
    pub values: Array2<f32>,
    /// A label for each row (tokens).
    pub rows: Vec<String>,
    /// A label for each column (tokens, or dimension indices).
    pub cols: Vec<String>,
    /// Digits after the decimal point.
    pub precision: usize,
    /// The selected cell (row, column), outlined.
    pub selected: Option<(usize, usize)>,
    /// The selected cell's explanation (the text `explain` prints), drawn beside the matrix.
    pub explanation: Option<String>,
    /// The language of the picture's words (its formula line, legend and explanation).
    pub lang: Lang,
}

impl Plot {
    /// The plot of `step` (head `head` of a per-head step; `None` for the others, or for the
    /// heads side by side of q, k, v).
    pub fn of_step(step: &Step, head: Option<usize>, precision: usize) -> Result<Plot, TraceError> {
        let m = step.matrix(head)?;
        let name = match head {
            Some(h) => format!("{}[{h}]", step.name()),
            None => step.name().to_string(),
        };
        let (nr, nc) = m.dim();
        let label = |v: &[String], n: usize| -> Vec<String> {
            (0..n)
                .map(|i| v.get(i).cloned().unwrap_or_else(|| i.to_string()))
                .collect()
        };
        Ok(Plot {
            name,
            formula: step.formula().to_string(),
            kind: step.kind(),
            values: m.to_owned(),
            rows: label(step.row_labels(), nr),
            cols: label(step.col_labels(head), nc),
            precision,
            selected: None,
            explanation: None,
            lang: Lang::En,
        })
    }

    /// The same plot with cell (row, column) selected and its explanation.
    pub fn with_selection(mut self, cell: (usize, usize), explanation: Option<String>) -> Plot {
        self.selected = Some(cell);
        self.explanation = explanation;
        self
    }

    /// The plot written in `format`.
    pub fn render(&self, format: PlotFormat) -> String {
        match format {
            PlotFormat::Svg => svg(self),
            PlotFormat::Markdown => markdown(self),
            PlotFormat::Csv => csv(self),
            PlotFormat::Latex => latex(self),
        }
    }

    /// rows × cols.
    pub fn dims(&self) -> (usize, usize) {
        self.values.dim()
    }

    /// The smallest and largest finite values (`None` when there is none).
    pub fn finite_range(&self) -> Option<(f32, f32)> {
        crate::util::finite_range(&self.values)
    }
}

/// Where the user is, for [`of_address`]: a step, its head and the selected cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Here<'a> {
    /// Step name.
    pub step: &'a str,
    /// Head (ignored for steps without heads).
    pub head: usize,
    /// Selected (row, column).
    pub cell: (usize, usize),
}

/// The plot of what `address` names: `name` (head 0 of a per-head step, or the head of
/// `here` when it is on that step), `name[h]`, or with a cell, `name[h][i][j]` (`name[i][j]`
/// without heads), which is selected and explained. Without a cell, the cell of `here` is
/// selected when `here` is on the same matrix. A row address (`name[h][i]`) is refused.
pub fn of_address(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    address: &Address,
    precision: usize,
    here: Option<Here<'_>>,
) -> Result<Plot, PlotError> {
    of_address_in(model, trace, address, precision, here, Lang::En)
}

/// [`of_address`] with the picture's words (the formula line, the legend, the selected
/// cell's explanation) in `lang`; the numbers and labels are the same.
pub fn of_address_in(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    address: &Address,
    precision: usize,
    here: Option<Here<'_>>,
    lang: Lang,
) -> Result<Plot, PlotError> {
    if trace.get(&address.name).is_none()
        && let Some(ModelRef::Paper(m)) = model
        && let Some(v) = crate::weight_view::of_model(m, address)
    {
        return of_weight(m, trace, address, &v?, precision, lang);
    }
    let step = trace.step(&address.name)?;
    let idx = address.indices.as_slice();
    let here = here.filter(|h| h.step == step.name());
    let (head, cell) = match (step.heads(), idx) {
        (Some(_), []) => (Some(here.map_or(0, |h| h.head)), None),
        (Some(_), [h]) => (Some(*h), None),
        (Some(_), [h, i, j]) => (Some(*h), Some((*i, *j))),
        (None, []) => (None, None),
        (None, [i, j]) => (None, Some((*i, *j))),
        _ => {
            return Err(PlotError::NotAMatrix {
                address: address.to_string(),
            });
        }
    };
    if let (Some(h), Some(n)) = (head, step.heads())
        && h >= n
    {
        return Err(TraceError::HeadOutOfRange {
            name: step.name().to_string(),
            head: h,
            heads: n,
        }
        .into());
    }
    let mut plot = Plot::of_step(step, head, precision)?;
    if lang != Lang::En {
        plot.formula = crate::i18n::formula::formula_in(step, lang);
        plot.lang = lang;
    }
    let cell = match cell {
        Some(c) => {
            // Validate the cell (the error names the axis and its length).
            let mut full: Vec<usize> = head.into_iter().collect();
            full.extend([c.0, c.1]);
            step.cell(&full)?;
            Some(c)
        }
        None => here
            .filter(|h| step.heads().is_none() || Some(h.head) == head)
            .map(|h| h.cell)
            .filter(|&(i, j)| {
                let (r, c) = plot.dims();
                i < r && j < c
            }),
    };
    Ok(match cell {
        Some((i, j)) => {
            let mut indices: Vec<usize> = head.into_iter().collect();
            indices.extend([i, j]);
            let at = Address {
                name: step.name().to_string(),
                indices,
            };
            let opts = ExplainOptions {
                precision,
                ..ExplainOptions::default()
            };
            let text = crate::explain::explain_with(model, trace, &at, &opts, lang)
                .ok()
                .map(|e| e.to_text());
            plot.with_selection((i, j), text)
        }
        None => plot,
    })
}

/// The plot of a weight of `model` ([`crate::weight_view`]: `enc.0.attn.W_Q`, a head's slice
/// `enc.0.attn.W_Q[h]`, `embed.E`), or of the matrix holding the cell `address` names, which
/// is selected and explained. A row (`enc.0.ffn.W1[i]`) is refused, as a step's is.
fn of_weight(
    model: &crate::model::Transformer,
    trace: &Trace,
    address: &Address,
    v: &crate::weight_view::WeightView<'_>,
    precision: usize,
    lang: Lang,
) -> Result<Plot, PlotError> {
    let is_row = v.cell.is_none() && v.head.is_none() && !address.indices.is_empty();
    if is_row {
        return Err(PlotError::NotAMatrix {
            address: address.to_string(),
        });
    }
    let provenance = crate::i18n::ui::Msg::Provenance {
        updates: model.trained_steps(),
        seed: model.config().seed,
    };
    let plot = Plot {
        name: v.name.clone(),
        formula: provenance.text(lang),
        kind: crate::explain::reader_kind(trace, &address.name),
        values: v.values.to_owned(),
        rows: v.rows.clone(),
        cols: v.cols.clone(),
        precision,
        selected: None,
        explanation: None,
        lang,
    };
    Ok(match v.cell {
        Some(cell) => {
            let opts = ExplainOptions {
                precision,
                ..ExplainOptions::default()
            };
            let text = crate::explain::explain_weight_in(model, trace, address, None, &opts, lang)
                .ok()
                .map(|e| e.to_text());
            plot.with_selection(cell, text)
        }
        None => plot,
    })
}

/// A value with `precision` digits and an ASCII minus, readable by every number parser:
/// `-inf`, `inf`, `NaN` for the non-finite (`-0.0000` prints as `0.0000`).
pub fn plain_number(v: f32, precision: usize) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f32::NEG_INFINITY {
        "-inf".into()
    } else if v == f32::INFINITY {
        "inf".into()
    } else {
        crate::render::fmt_value(v, precision).replace('−', "-")
    }
}

/// Writes `text` to `path` atomically ([`crate::atomic::write_atomically`]), refusing to
/// replace an existing file unless `force`.
pub fn write_file(path: &Path, text: &str, force: bool) -> Result<(), PlotError> {
    let io = |cause| PlotError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let target = crate::atomic::check_destination(path, crate::atomic::Existing::forced(force))?;
    crate::atomic::write_atomically(&target, |f| {
        use std::io::Write;
        f.write_all(text.as_bytes())
    })
    .map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_numbers() {
        assert_eq!(
            PlotFormat::from_path(Path::new("a/w.SVG")).unwrap(),
            PlotFormat::Svg
        );
        assert_eq!(PlotFormat::from_name("latex").unwrap(), PlotFormat::Latex);
        assert!(PlotFormat::from_path(Path::new("w.png")).is_err());
        assert!(PlotFormat::from_name("png").is_err());
        // 1/3 to 4 digits; −0.00001 is not 0: its significant digits, as everywhere.
        assert_eq!(plain_number(-1.0 / 3.0, 4), "-0.3333");
        assert_eq!(plain_number(-0.00001, 4), "-1.00e-5");
        assert_eq!(plain_number(0.0, 4), "0.0000");
        assert_eq!(plain_number(f32::NEG_INFINITY, 4), "-inf");
    }

    #[test]
    fn write_file_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.md");
        write_file(&p, "one", false).unwrap();
        assert!(matches!(
            write_file(&p, "two", false),
            Err(PlotError::WouldOverwrite { .. })
        ));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
        write_file(&p, "two", true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
    }
}
