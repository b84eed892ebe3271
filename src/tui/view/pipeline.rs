//! The pipeline pane: the steps in forward order, grouped by layer and block.

use super::*;
use crate::i18n::Lang;
use crate::i18n::ui::{self as text, Label, tree_heading};

/// The first use of a term in the pane, in Korean: the English beside it (`소프트맥스(softmax)`)
/// the first time a label is shown, when the line still fits in `w` columns. Labels that
/// differ only by a number (`Encoder layer 0`, `… 1`) count as the same term.
struct FirstUse {
    lang: Lang,
    w: usize,
    seen: std::collections::HashSet<String>,
}

impl FirstUse {
    /// `prefix` + the label, `long` (with the English) on the label's first use if it fits.
    fn line(&mut self, prefix: &str, key: &str, long: String, short: String) -> String {
        let key: String = key.chars().filter(|c| !c.is_ascii_digit()).collect();
        let first = self.lang == Lang::Ko && self.seen.insert(key);
        let long = format!("{prefix}{long}");
        if first && width(&long) <= self.w {
            long
        } else {
            format!("{prefix}{short}")
        }
    }

    /// A tree heading in the language (the English label when the catalogue lacks it).
    fn heading(&mut self, prefix: &str, english: &str) -> String {
        let long = tree_heading(english, self.lang, true).unwrap_or_else(|| english.to_string());
        let short = tree_heading(english, self.lang, false).unwrap_or_else(|| english.to_string());
        self.line(prefix, english, long, short)
    }
}

/// The tree lines with their text, in the order of [`App::tree_rows`], for a pane `w`
/// columns wide; the current step is marked with `●`.
pub(super) fn tree_lines(app: &App, w: usize) -> Vec<(Node, String)> {
    let current = &app.session().cursor().step;
    let s = app.session();
    let t = app.tree();
    let lang = app.lang();
    let mut first = FirstUse {
        lang,
        w,
        seen: std::collections::HashSet::new(),
    };
    let mut out = Vec::new();
    for (si, sec) in t.sections.iter().enumerate() {
        let open = app.is_open(si);
        out.push((
            Node::Section(si),
            first.heading(if open { "▾ " } else { "▸ " }, &sec.label),
        ));
        if !open {
            continue;
        }
        for (gi, g) in sec.groups.iter().enumerate() {
            let indent = if let Some(l) = &g.label {
                out.push((Node::Group(si, gi), first.heading("  ", l)));
                "    "
            } else {
                "  "
            };
            for name in &g.steps {
                let mark = if name == current {
                    format!("{}● ", &indent[2..])
                } else {
                    indent.to_string()
                };
                let Some(st) = s.trace().get(name) else {
                    out.push((Node::Step(name.clone()), format!("{mark}{name}")));
                    continue;
                };
                let final_norm = crate::tui::tree::is_final_norm(name);
                let label = first.line(
                    &mark,
                    &format!("{:?}{final_norm}", st.kind()),
                    text::step_label(st.kind(), final_norm, lang, true),
                    text::step_label(st.kind(), final_norm, lang, false),
                );
                out.push((Node::Step(name.clone()), label));
            }
        }
    }
    out
}

pub(super) fn tree(app: &App, f: &mut Frame, area: Rect) {
    let focused = app.focus() == Pane::Tree;
    let block = Block::bordered()
        .border_style(border(focused))
        .title(Line::styled(
            if app.grad_view() {
                Label::PipelineBackward.text(app.lang())
            } else {
                Label::PipelineForward.text(app.lang())
            },
            style::TITLE,
        ));
    let inner = layout::inner(area);
    f.render_widget(block, area);
    let (first, _) = layout::tree_window(app, area, app.scroll());
    let w = usize::from(inner.width);
    let lines = tree_lines(app, w);
    let current = &app.session().cursor().step;
    let buf = f.buffer_mut();
    for (k, (node, text)) in lines
        .iter()
        .skip(first)
        .take(usize::from(inner.height))
        .enumerate()
    {
        let is_current = matches!(node, Node::Step(n) if n == current);
        let mut st = match node {
            Node::Section(_) => style::TITLE,
            Node::Group(..) => style::DIM,
            Node::Step(_) if is_current => style::CURRENT,
            Node::Step(_) => Style::new(),
        };
        let mut text = text.clone();
        if focused && node == app.tree_selection() {
            st = st.patch(style::SELECTED);
            text = format!("{text:<w$}");
        }
        buf.set_stringn(inner.x, inner.y + k as u16, truncate(&text, w), w, st);
    }
}
