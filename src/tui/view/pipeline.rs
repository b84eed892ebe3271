//! The pipeline pane: the steps in forward order, grouped by layer and block.

use super::*;

/// The tree lines with their text, in the order of [`App::tree_rows`]; the current step is
/// marked with `●`.
pub(super) fn tree_lines(app: &App) -> Vec<(Node, String)> {
    let current = &app.session().cursor().step;
    let s = app.session();
    let t = app.tree();
    let mut out = Vec::new();
    for (si, sec) in t.sections.iter().enumerate() {
        let open = app.is_open(si);
        out.push((
            Node::Section(si),
            format!("{} {}", if open { "▾" } else { "▸" }, sec.label),
        ));
        if !open {
            continue;
        }
        for (gi, g) in sec.groups.iter().enumerate() {
            let indent = if let Some(l) = &g.label {
                out.push((Node::Group(si, gi), format!("  {l}")));
                "    "
            } else {
                "  "
            };
            for name in &g.steps {
                let label = s
                    .trace()
                    .get(name)
                    .map_or_else(|| name.clone(), |st| step_label(name, st.kind()));
                let mark = if name == current {
                    format!("{}● ", &indent[2..])
                } else {
                    indent.to_string()
                };
                out.push((Node::Step(name.clone()), format!("{mark}{label}")));
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
                " pipeline ↑ backward "
            } else {
                " pipeline ↓ forward "
            },
            style::TITLE,
        ));
    let inner = layout::inner(area);
    f.render_widget(block, area);
    let (first, _) = layout::tree_window(app, area, app.scroll());
    let lines = tree_lines(app);
    let current = &app.session().cursor().step;
    let w = usize::from(inner.width);
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
