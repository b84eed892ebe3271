//! Output to files in a [`Session`]: `plot` (one matrix as an SVG heatmap or a Markdown,
//! CSV or LaTeX table) and `> file.md` after a printing command.

use std::path::Path;

use crate::command::Command;
use crate::i18n::errors::ErrorMsg;
use crate::i18n::session_files::FilesMsg;
use crate::plot::{self, Here, Plot, PlotError, PlotFormat};
use crate::trace::Address;

use super::{Outcome, Session, SessionError};

impl Session {
    /// The plot of `address` as `plot` would write it (the selected cell explained when
    /// the cursor is on that matrix). Changes nothing.
    pub fn plot_of(&self, address: &Address) -> Result<Plot, SessionError> {
        let c = self.cursor();
        if address.name.starts_with("grad.") {
            return self.gradient_plot(address);
        }
        let here = Here {
            step: &c.step,
            head: c.head,
            cell: (c.row, c.col),
        };
        Ok(plot::of_address_in(
            self.model_ref(),
            self.trace(),
            address,
            self.precision(),
            Some(here),
            self.lang,
        )?)
    }

    /// The plot of a gradient step `grad.<name>` (computed by `grad` or the TUI's `g`), on
    /// the diverging scale the gradient view uses, the selected cell's backward arithmetic
    /// beside it.
    fn gradient_plot(&self, address: &Address) -> Result<Plot, SessionError> {
        let Some(g) = self.gradients() else {
            return Err(self.not_here(ErrorMsg::NoGradients {
                name: address.name.clone(),
            }));
        };
        let c = self.cursor();
        let on = format!("grad.{}", c.step);
        let here = Here {
            step: &on,
            head: c.head,
            cell: (c.row, c.col),
        };
        let mut p = plot::of_address(None, &g.trace, address, self.precision(), Some(here))?;
        p.kind = crate::trace::StepKind::Scores;
        // The legend in the session's language (the explanation below is the session's).
        p.lang = self.lang;
        if let Some((i, j)) = p.selected {
            let step = g.trace.step(&address.name)?;
            let mut indices: Vec<usize> = match (step.heads(), address.indices.first()) {
                (Some(_), Some(h)) => vec![*h],
                (Some(_), None) => {
                    vec![
                        if Some(c.step.as_str()) == address.name.strip_prefix("grad.") {
                            c.head
                        } else {
                            0
                        },
                    ]
                }
                (None, _) => Vec::new(),
            };
            indices.extend([i, j]);
            let at = Address {
                name: address.name.clone(),
                indices,
            };
            p.explanation = self
                .gradient_explanation(Some(&at))
                .ok()
                .map(|e| e.to_text());
        }
        Ok(p)
    }

    /// The name `x` in the TUI suggests for the matrix on screen: `<step>-h<head>.svg`
    /// (`<step>.svg` for steps without heads).
    pub fn plot_file_name(&self) -> String {
        let c = self.cursor();
        match self.current_head() {
            Some(h) => format!("{}-h{h}.svg", c.step),
            None => format!("{}.svg", c.step),
        }
    }

    pub(super) fn plot(
        &self,
        address: &Address,
        path: &Path,
        force: bool,
    ) -> Result<Outcome, SessionError> {
        let format = PlotFormat::from_path(path)?;
        let p = self.plot_of(address)?;
        plot::write_file(path, &p.render(format), force)?;
        let (r, c) = p.dims();
        Ok(Outcome::say(
            FilesMsg::Plotted {
                path: path.display().to_string(),
                format: format.to_string(),
                name: p.name.clone(),
                rows: r,
                cols: c,
                cell: p.selected.map(|(i, j)| (i, j, p.explanation.is_some())),
            }
            .text(self.lang),
        ))
    }

    /// Runs a printing command and writes what it would print to `path` as Markdown.
    pub(super) fn redirect(
        &mut self,
        command: Command,
        line: &str,
        path: &Path,
        force: bool,
    ) -> Result<Outcome, SessionError> {
        if matches!(
            command,
            Command::Redirect { .. } | Command::Plot { .. } | Command::Quit { .. }
        ) {
            return Err(SessionError::NotHere(
                FilesMsg::NothingToRedirect {
                    line: line.to_string(),
                }
                .text(self.lang),
            ));
        }
        // Refuse before running anything: an existing file is never replaced without `>!`.
        crate::atomic::check_destination(path, crate::atomic::Existing::forced(force))
            .map_err(PlotError::from)?;
        let tables = match &command {
            Command::Show(Some(a), _) => self.markdown_tables(a),
            _ => None,
        };
        let out = self.apply(command)?;
        let mut md = format!("{}\n\n", plot::table::code_span(line));
        match tables {
            Some(t) => md.push_str(&t),
            None => md.push_str(&plot::table::fenced(&out.text)),
        }
        plot::write_file(path, &md, true)?;
        Ok(Outcome::say(
            FilesMsg::Redirected {
                path: path.display().to_string(),
                lines: md.lines().count(),
                line: line.to_string(),
            }
            .text(self.lang),
        ))
    }

    /// `show name` / `show name[h]` as Markdown tables (one per head when a per-head step
    /// is shown whole); `None` for rows, cells and addresses that do not resolve.
    fn markdown_tables(&self, a: &Address) -> Option<String> {
        let step = self.trace().get(&a.name)?;
        let heads: Vec<Option<usize>> = match (step.heads(), a.indices.as_slice()) {
            (Some(_), [h]) => vec![Some(*h)],
            (Some(_), []) if step.matrix(None).is_ok() => vec![None],
            (Some(n), []) => (0..n).map(Some).collect(),
            (None, []) => vec![None],
            _ => return None,
        };
        let mut out = String::new();
        for h in heads {
            let p = Plot::of_step(step, h, self.precision()).ok()?;
            if !out.is_empty() {
                out.push('\n');
            }
            let (r, c) = p.dims();
            out.push_str(&format!(
                "**{}** ({r} × {c}): {}\n\n",
                p.name,
                plot::table::code_span(&p.formula)
            ));
            out.push_str(&plot::table::markdown_table(&p));
        }
        out.push_str(&format!(
            "\n{}\n",
            FilesMsg::MarkdownDigits(self.precision()).text(self.lang)
        ));
        Some(out)
    }
}
