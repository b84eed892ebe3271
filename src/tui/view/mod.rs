//! `render`: draws the [`App`] into a frame. Reads only; every position comes from
//! [`layout`](super::layout), the same pure function `update` uses for mouse clicks.

pub mod matrix;
pub mod style;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::model::{Arch, Config, Positional};
use crate::render::{fmt_value, truncate, width};
use crate::trace::Step;

use super::app::{App, Field, LineEdit, Mode, Pane, PromptKind, StatusKind};
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::tree::{Node, step_label};

/// The key reference shown by `?`: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    (
        "←↑↓→ hjkl",
        "move the cell (matrix), the cursor (tree), scroll (detail)",
    ),
    ("PgUp PgDn", "a screenful up / down"),
    (
        "Home End",
        "first / last column (tree and detail: top / bottom)",
    ),
    ("Tab S-Tab", "next / previous pane: tree → matrix → detail"),
    (
        "Enter",
        "tree: select the step, open or close a section; tour: next stop",
    ),
    (
        "n p",
        "next / previous step in pipeline order (tour: next / previous stop)",
    ),
    ("[ ]", "previous / next head"),
    ("{ }", "previous / next layer"),
    ("i", "edit the source sentence: Enter reruns, Esc cancels"),
    ("t", "edit the target sentence (encoder-decoder)"),
    (
        "m",
        "encoder mask on / off (causal); every rerun highlights what changed",
    ),
    ("s", "scaling by √d_k on / off"),
    ("e", "positional encoding on / off"),
    ("o", "post-LN / pre-LN"),
    (
        ":",
        "command prompt, the REPL's language: help, show, explain, set, attend, …",
    ),
    (
        "w",
        "save the session as a scenario (asks for the file; never overwrites silently)",
    ),
    (
        "r",
        "replay the scenario's guided tour (n / p step through its stops, Esc ends it)",
    ),
    (
        "Esc",
        "clear the change highlight and the status line; close a box",
    ),
    ("?", "this help"),
    (
        "q Ctrl-C",
        "quit (asks once when there are unsaved changes)",
    ),
    (
        "mouse",
        "click a tree line, a cell or a head tab; the wheel scrolls",
    ),
];

/// Draws the whole screen.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    let Some(a) = layout::areas(app, area) else {
        too_small(f, area);
        return;
    };
    header(app, f, a.header);
    tree(app, f, a.tree);
    matrix::render(app, f, a.matrix, app.focus() == Pane::Matrix);
    if let Some(n) = a.note {
        note(app, f, n);
    }
    detail(app, f, a.detail);
    status(app, f, a.status);
    footer(app, f, a.footer);
    match app.mode() {
        Mode::Help { scroll } => help(f, area, *scroll),
        Mode::Output {
            title,
            text,
            scroll,
        } => output(f, area, title, text, *scroll),
        _ => {}
    }
}

/// The buffer as text, one line per row, wide characters once (the cell they cover is
/// skipped), trailing spaces removed: what a screenshot of the terminal shows.
pub fn buffer_text(buf: &Buffer) -> String {
    let w = usize::from(buf.area.width).max(1);
    let mut out = String::new();
    for row in buf.content.chunks(w) {
        let mut line = String::new();
        let mut skip = 0usize;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(c.symbol());
            skip = width(c.symbol()).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn too_small(f: &mut Frame, area: Rect) {
    let text = Text::from(vec![
        Line::styled("the terminal is too small for qkv", style::TITLE),
        Line::from(format!(
            "it is {}×{}; qkv needs at least {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::from("enlarge the window, or press q to quit"),
    ]);
    let h = 3.min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    f.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect {
            y,
            height: area.height.saturating_sub(y - area.y),
            ..area
        },
    );
}

fn border(focused: bool) -> Style {
    if focused { style::FOCUS } else { style::BORDER }
}

/// `encoder-decoder · d_model 8 · heads 2 · d_k 4 · d_ff 32 · layers 2+2 · post-LN · seed 42`.
pub fn model_summary(c: &Config) -> String {
    c.summary()
}

/// The summary in fewer columns: `enc-dec · d_model 8 · h 2 · d_k 4 · d_ff 32 · L 2+2 · post-LN · seed 42`.
pub fn short_summary(c: &Config) -> String {
    let (arch, layers) = match c.arch {
        Arch::Encoder => ("encoder", c.layers.encoder.to_string()),
        Arch::Decoder => ("decoder", c.layers.decoder.to_string()),
        Arch::EncoderDecoder => (
            "enc-dec",
            format!("{}+{}", c.layers.encoder, c.layers.decoder),
        ),
    };
    format!(
        "{arch} · d_model {} · h {} · d_k {} · d_ff {} · L {layers} · {}-LN · seed {}{}{}{}",
        c.d_model,
        c.heads,
        c.d_k(),
        c.d_ff,
        c.norm,
        c.seed,
        if c.positional == Positional::None {
            " · no PE"
        } else {
            ""
        },
        if c.scale { "" } else { " · unscaled" },
        if c.mask == crate::model::MaskKind::None {
            ""
        } else {
            " · causal"
        },
    )
}

/// The part of `line` that fits in `w` columns with the cursor visible, and the cursor's
/// column in it.
fn edit_window(line: &LineEdit, w: usize) -> (String, usize) {
    let col = line.cursor_column();
    let mut skipped = 0;
    let mut chars = line.text().chars();
    let mut shown: String = String::new();
    while col - skipped >= w.max(1) {
        match chars.next() {
            Some(c) => skipped += width(&c.to_string()),
            None => break,
        }
    }
    for c in chars {
        if width(&shown) + width(&c.to_string()) > w {
            break;
        }
        shown.push(c);
    }
    (shown, col - skipped)
}

fn header(app: &App, f: &mut Frame, area: Rect) {
    let s = app.session();
    let title = if s.title().is_empty() {
        " qkv ".to_string()
    } else {
        format!(" qkv · {} ", s.title())
    };
    let file = match s.file() {
        Some(p) => p.display().to_string(),
        None if s.is_hand_check() => "hand-check".to_string(),
        None => "built-in scenario".to_string(),
    };
    let dirty = if s.is_dirty() { " · unsaved" } else { "" };
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(
            truncate(
                &title,
                usize::from(area.width)
                    .saturating_sub(width(&file) + width(dirty) + 8)
                    .max(8),
            ),
            style::TITLE,
        ))
        .title(Line::styled(format!(" {file}{dirty} "), style::DIM).right_aligned());
    let inner = layout::inner(area);
    f.render_widget(block, area);
    let mut lines: Vec<Line> = Vec::new();
    match s.config() {
        Some(c) => {
            let full = model_summary(c);
            let text = if width(&full) <= usize::from(inner.width) {
                full
            } else {
                short_summary(c)
            };
            lines.push(Line::styled(text, style::DIM));
        }
        None => lines.push(Line::styled(
            "attention hand-check: q · kᵀ, ÷ √d_k, mask, softmax, · v (no model)",
            style::DIM,
        )),
    }
    let editing = match app.mode() {
        Mode::Edit { field, line } => Some((*field, line)),
        _ => None,
    };
    let label_w = 9u16;
    let mut fields = vec![(Field::Source, "source ▸ ")];
    if s.input().is_some_and(|i| i.target.is_some()) {
        fields.push((Field::Target, "target ▸ "));
    }
    for (i, (field, label)) in fields.into_iter().enumerate() {
        let y = inner.y + 1 + i as u16;
        if y >= inner.y + inner.height {
            break;
        }
        let text_w = usize::from(inner.width.saturating_sub(label_w));
        let mut spans = vec![Span::styled(label, style::TITLE)];
        match editing {
            Some((ef, line)) if ef == field => {
                let (shown, col) = edit_window(line, text_w.saturating_sub(1));
                let pad = text_w.saturating_sub(width(&shown));
                spans.push(Span::styled(
                    format!("{shown}{}", " ".repeat(pad)),
                    style::EDITING,
                ));
                f.set_cursor_position((inner.x + label_w + col as u16, y));
            }
            _ => {
                let (text, n) = match (field, s.input()) {
                    (Field::Source, Some(i)) => (i.text.clone(), i.source.len()),
                    (Field::Target, Some(i)) => {
                        let toks = i.target.clone().unwrap_or_default();
                        (
                            i.target_text.clone().unwrap_or_else(|| toks.join(" ")),
                            toks.len(),
                        )
                    }
                    (_, None) => ("(no sentence: `:text <sentence>` runs the model)".into(), 0),
                };
                let count = if n > 0 {
                    format!("  ({})", crate::session::plural(n, "token"))
                } else {
                    String::new()
                };
                spans.push(Span::raw(truncate(
                    &text,
                    text_w.saturating_sub(width(&count)),
                )));
                spans.push(Span::styled(count, style::DIM));
            }
        }
        lines.push(Line::from(spans));
    }
    let summary = lines.remove(0);
    f.render_widget(Paragraph::new(summary), Rect { height: 1, ..inner });
    for (i, l) in lines.into_iter().enumerate() {
        let y = inner.y + 1 + i as u16;
        if y < inner.y + inner.height {
            f.render_widget(
                Paragraph::new(l),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
        }
    }
}

/// The tree lines with their text, in the order of [`App::tree_rows`]; the current step is
/// marked with `●`.
fn tree_lines(app: &App) -> Vec<(Node, String)> {
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

fn tree(app: &App, f: &mut Frame, area: Rect) {
    let focused = app.focus() == Pane::Tree;
    let block = Block::bordered()
        .border_style(border(focused))
        .title(Line::styled(" pipeline ", style::TITLE));
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

fn note(app: &App, f: &mut Frame, area: Rect) {
    let s = app.session();
    let Some(t) = s.tour() else { return };
    let text = t
        .current()
        .and_then(|st| st.note.clone())
        .unwrap_or_else(|| "(no note at this stop)".into());
    let body = Text::from(text);
    f.render_widget(
        Paragraph::new(body).wrap(Wrap { trim: true }).block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::styled(
                    format!(" tour {}/{} ", t.pos + 1, t.steps.len()),
                    style::TITLE,
                ))
                .title_bottom(Line::styled(" n / p: next / previous stop ", style::DIM)),
        ),
        area,
    );
}

/// The cell's arithmetic: the explanation of the selected cell.
fn explanation_lines(app: &App) -> Vec<Line<'static>> {
    match app.session().explanation(None) {
        Ok(e) => {
            let mut v = vec![Line::styled(
                format!(
                    "{} = {}  — {}",
                    e.address,
                    crate::explain::fmt_number(e.value, e.precision),
                    e.title
                ),
                style::TITLE,
            )];
            v.push(Line::from(format!("  {}", e.formula)));
            v.extend(e.lines.iter().map(|l| Line::from(format!("  {l}"))));
            v
        }
        Err(e) => vec![Line::styled(format!("no explanation: {e}"), style::DIM)],
    }
}

/// The step's formula, inputs, the selected row's statistics and the colour legend.
fn stats_lines(app: &App, step: &Step) -> Vec<Line<'static>> {
    let s = app.session();
    let p = s.precision();
    let head = s.current_head();
    let c = s.cursor();
    let mut v = vec![
        Line::from(vec![
            Span::styled("step  ", style::DIM),
            Span::raw(step.formula().to_string()),
        ]),
        Line::from(vec![
            Span::styled("from  ", style::DIM),
            Span::raw(step.inputs().join(", ")),
        ]),
    ];
    let row_label = step.row_labels().get(c.row).cloned().unwrap_or_default();
    v.push(Line::from(vec![
        Span::styled(format!("row {} ", c.row), style::DIM),
        Span::styled(row_label, style::CURRENT),
    ]));
    if let Ok(rs) = step.row_stats(head, c.row) {
        let arg = step
            .col_labels(head)
            .get(rs.argmax)
            .cloned()
            .unwrap_or_default();
        v.push(Line::from(format!("  sum {}", fmt_value(rs.sum, p))));
        v.push(Line::from(format!(
            "  max {} at {arg} (col {})",
            fmt_value(rs.max, p),
            rs.argmax
        )));
        if let Some(e) = rs.entropy {
            v.push(Line::from(format!("  entropy {} nats", fmt_value(e, p))));
        }
    }
    let f = step.flags();
    for (h, r) in &f.masked_rows {
        if head.is_none_or(|x| x == *h) {
            v.push(Line::styled(
                format!("row {r} is fully masked: its weights are all 0"),
                style::WARNING,
            ));
        }
    }
    if f.has_problem() {
        v.push(Line::styled(
            format!("{} NaN and {} +∞ values in this step", f.nan, f.pos_inf),
            style::WARNING,
        ));
        if let Some((at, x)) = s.trace().first_non_finite() {
            v.push(Line::styled(
                format!("first non-finite value of the pass: {at} = {x}"),
                style::WARNING,
            ));
        }
    }
    let mut legend = vec![Span::styled("colours ", style::DIM)];
    legend.extend(matrix::legend(step).spans);
    v.push(Line::from(legend));
    v
}

/// Lines of the detail box (for scrolling).
pub fn detail_line_count(app: &App) -> usize {
    let Some(step) = app.session().current_step() else {
        return 0;
    };
    explanation_lines(app).len() + stats_lines(app, step).len() + 1
}

fn detail(app: &App, f: &mut Frame, area: Rect) {
    let focused = app.focus() == Pane::Detail;
    let block = Block::bordered()
        .border_style(border(focused))
        .title(Line::styled(" why this number ", style::TITLE));
    let Some(step) = app.session().current_step() else {
        f.render_widget(block, area);
        return;
    };
    let scroll = app.scroll().detail;
    let expl = explanation_lines(app);
    let stats = stats_lines(app, step);
    if area.width >= 90 {
        let [left, right] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(38)]).areas(area);
        f.render_widget(
            Paragraph::new(expl)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0))
                .block(block),
            left,
        );
        f.render_widget(
            Paragraph::new(stats).wrap(Wrap { trim: false }).block(
                Block::bordered()
                    .border_style(style::BORDER)
                    .title(Line::styled(" step & row ", style::TITLE)),
            ),
            right,
        );
    } else {
        let mut all = expl;
        all.push(Line::from(""));
        all.extend(stats);
        f.render_widget(
            Paragraph::new(all)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0))
                .block(block),
            area,
        );
    }
}

fn status(app: &App, f: &mut Frame, area: Rect) {
    let w = usize::from(area.width);
    match app.mode() {
        Mode::Prompt { kind, line } => {
            let label = match kind {
                PromptKind::Command => ":",
                PromptKind::SavePath => "save as: ",
            };
            let lw = width(label);
            let (shown, col) = edit_window(line, w.saturating_sub(lw + 1));
            // An untouched suggestion shows selected: typing replaces it.
            let text = if line.is_suggested() {
                Span::styled(
                    shown,
                    Style::new().add_modifier(ratatui::style::Modifier::REVERSED),
                )
            } else {
                Span::raw(shown)
            };
            f.render_widget(
                Paragraph::new(Line::from(vec![Span::styled(label, style::TITLE), text])),
                area,
            );
            f.set_cursor_position((area.x + (lw + col) as u16, area.y));
        }
        _ => {
            if let Some(st) = app.status() {
                let s = match st.kind {
                    StatusKind::Info => Style::new(),
                    StatusKind::Warning => style::WARNING,
                    StatusKind::Error => style::ERROR,
                };
                let text = truncate(&st.text, w);
                let pad = w.saturating_sub(width(&text));
                f.render_widget(
                    Paragraph::new(Line::styled(format!("{text}{}", " ".repeat(pad)), s)),
                    area,
                );
            }
        }
    }
}

/// The keys that apply in the current mode and pane.
pub fn footer_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    match app.mode() {
        Mode::Edit { .. } => vec![
            ("Enter", "run"),
            ("Esc", "cancel"),
            ("←→", "move"),
            ("Home/End", "ends"),
            ("Ctrl-U", "clear"),
        ],
        Mode::Prompt {
            kind: PromptKind::Command,
            ..
        } => vec![
            ("Enter", "run"),
            ("Esc", "cancel"),
            ("↑↓", "history"),
            ("help", "lists the commands"),
        ],
        Mode::Prompt { line, .. } if line.is_suggested() => vec![
            ("Enter", "save"),
            ("type", "a new name"),
            ("←→/⌫", "edit this one"),
            ("Esc", "cancel"),
        ],
        Mode::Prompt { .. } => vec![("Enter", "save"), ("Esc", "cancel")],
        Mode::ConfirmOverwrite { .. } => vec![("y", "overwrite"), ("n/Esc", "keep the file")],
        Mode::Help { .. } | Mode::Output { .. } => {
            vec![("↑↓ PgUp PgDn", "scroll"), ("Esc", "close")]
        }
        Mode::Normal => {
            let mut v = match app.focus() {
                Pane::Matrix => vec![("←↑↓→", "cell")],
                Pane::Tree => vec![("↑↓", "move"), ("Enter", "select"), ("←→", "close/open")],
                Pane::Detail => vec![("↑↓", "scroll")],
            };
            if app.session().tour().is_some() {
                v.push(("n/p", "stop"));
                v.push(("Esc", "end tour"));
            } else {
                v.push(("n/p", "step"));
            }
            // A hand-check has no sentence, positional encoding or norm: only m and s apply.
            let hand = app.session().is_hand_check();
            if !hand {
                v.push(("i", "edit"));
            }
            v.extend([("?", "help"), ("q", "quit")]);
            if app.session().current_head().is_some() {
                v.push(("[ ]", "head"));
            }
            if app.current_layer().is_some() {
                v.push(("{ }", "layer"));
            }
            v.extend([
                (if hand { "m s" } else { "m s e o" }, "toggle"),
                (":", "cmd"),
                ("w", "save"),
                ("r", "tour"),
                ("Tab", "pane"),
            ]);
            v
        }
    }
}

fn footer(app: &App, f: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    let w = usize::from(area.width);
    for (k, d) in footer_keys(app) {
        let need = width(k) + width(d) + 3;
        if used + need > w {
            break;
        }
        spans.push(Span::styled(format!(" {k} "), style::KEY));
        spans.push(Span::styled(format!("{d} "), style::DIM));
        used += need;
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A box of `w`×`h` centred in `area`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// `text` cut into lines of at most `w` columns at spaces.
fn wrap_words(text: &str, w: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for word in text.split(' ') {
        let Some(last) = out.last_mut() else { break };
        if !last.is_empty() && width(last) + 1 + width(word) > w {
            out.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    out
}

/// The help lines for a box `w` columns wide inside: keys on the left, what they do wrapped
/// with a hanging indent.
pub fn help_lines(w: u16) -> Vec<Line<'static>> {
    let kw = HELP.iter().map(|(k, _)| width(k)).max().unwrap_or(4);
    let dw = usize::from(w).saturating_sub(kw + 3).max(10);
    let mut lines = Vec::new();
    for (k, d) in HELP {
        for (i, part) in wrap_words(d, dw).into_iter().enumerate() {
            let key = if i == 0 {
                Span::styled(format!(" {k:<kw$} "), style::KEY)
            } else {
                Span::raw(" ".repeat(kw + 2))
            };
            lines.push(Line::from(vec![key, Span::raw(format!(" {part}"))]));
        }
    }
    lines
}

fn help(f: &mut Frame, area: Rect, scroll: u16) {
    let w = area.width.saturating_sub(4).min(96);
    let lines = help_lines(w.saturating_sub(2));
    let r = centred(
        area,
        w,
        area.height.saturating_sub(2).min(lines.len() as u16 + 2),
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::styled(" keys ", style::TITLE))
                .title_bottom(Line::from(" ↑↓ scroll · Esc closes ").right_aligned()),
        ),
        r,
    );
}

fn output(f: &mut Frame, area: Rect, title: &str, text: &str, scroll: u16) {
    let n = text.lines().count() as u16;
    let r = centred(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2).min(n + 2),
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(text.to_string()).scroll((scroll, 0)).block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::styled(format!(" :{title} "), style::TITLE))
                .title_bottom(Line::from(" ↑↓ PgUp PgDn scroll · Esc closes ").right_aligned()),
        ),
        r,
    );
}
