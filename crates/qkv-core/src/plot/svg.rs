//! The SVG heatmap, written directly: the picture is rectangles and text at computed
//! positions, which needs no drawing library (docs/reference/plot.md has the comparison with the
//! `svg` crate and `plotters`' SVG backend).

use std::fmt::Write as _;

use super::Plot;
use crate::heat::{self, CURRENT, hex};
use crate::i18n::ui::Msg;
use crate::render::{fmt_value, width, wrap};

/// Fonts for labels and titles: Korean-capable fonts first, then the generic family
/// (written as is into a double-quoted attribute: no `"`, `&` or `<` in it).
pub const SANS: &str =
    "'Noto Sans CJK KR', 'Apple SD Gothic Neo', 'Malgun Gothic', NanumGothic, sans-serif";
/// Fonts for the explanation (its arithmetic is aligned in columns).
pub const MONO: &str =
    "D2Coding, 'Noto Sans Mono CJK KR', 'Nanum Gothic Coding', 'DejaVu Sans Mono', monospace";

const MARGIN: f64 = 20.0;
const CELL_FONT: f64 = 12.0;
const LABEL_FONT: f64 = 13.0;
const CELL_H: f64 = 24.0;
const LINE_H: f64 = 16.0;
/// Widest explanation line before wrapping, in display columns.
const EXPLAIN_COLS: usize = 96;

/// `s` with tabs as spaces, newlines dropped, the other control and format characters shown escaped
/// ([`crate::util::escape_controls`]: most controls are not allowed in XML 1.0), and the
/// XML specials `& < > " '` as entities.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in crate::util::escape_controls(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push(' '),
            '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// Width in pixels of `s` at `size` (an estimate: 0.6 em a column, 한글 two columns).
fn text_w(s: &str, size: f64) -> f64 {
    width(s) as f64 * size * 0.6
}

/// The text of a cell, as the terminal prints it (`fmt_value`; masked −∞, NaN, ∞).
fn cell_text(v: f32, precision: usize) -> String {
    fmt_value(v, precision)
}

/// The SVG picture of `p`: the title (name and shape) and formula, the column and row
/// token labels, each cell in the terminal's colour with its number where it fits, the
/// selected cell outlined, the legend of the colour scale with the matrix's min and max,
/// and the selected cell's explanation in a box to the right.
#[expect(
    clippy::too_many_lines,
    reason = "the SVG document top to bottom (title, labels, cells, legend, explanation), in the order it is drawn."
)]
pub fn svg(p: &Plot) -> String {
    let (nr, nc) = p.dims();
    let scale = heat::scale_of(p.kind, p.values.iter().copied());
    let texts: Vec<String> = p
        .values
        .iter()
        .map(|&v| cell_text(v, p.precision))
        .collect();
    let widest_num = texts
        .iter()
        .map(|t| text_w(t, CELL_FONT))
        .fold(0.0, f64::max);
    let cell_w = (widest_num + 12.0).clamp(40.0, 84.0);
    let row_label_w = p
        .rows
        .iter()
        .map(|r| text_w(r, LABEL_FONT))
        .fold(0.0, f64::max);
    let col_label_w = p
        .cols
        .iter()
        .map(|c| text_w(c, LABEL_FONT))
        .fold(0.0, f64::max);
    // Column labels are horizontal when they fit their column, else slanted at −45°.
    let slanted = col_label_w > cell_w - 4.0;
    let header_h = if slanted {
        col_label_w * std::f64::consts::FRAC_1_SQRT_2 + 18.0
    } else {
        22.0
    };
    let title = format!("{} ({nr} × {nc})", p.name);
    let x0 = MARGIN + row_label_w + 10.0;
    let y0 = 64.0 + header_h;
    let mat_w = cell_w * nc as f64;
    let mat_h = CELL_H * nr as f64;

    // The explanation, wrapped.
    let explain_lines: Vec<String> = p
        .explanation
        .as_deref()
        .map(|e| e.lines().flat_map(|l| wrap(l, EXPLAIN_COLS)).collect())
        .unwrap_or_default();
    let (info, omitted_note) = legend_text(p, &texts, cell_w);
    let legend_w = [
        11.0 * 24.0 + 110.0,
        text_w(&info, 11.0),
        text_w(&omitted_note, 11.0),
    ]
    .into_iter()
    .fold(0.0, f64::max);
    let box_x = x0 + mat_w.max(legend_w) + 30.0;
    let box_w = explain_lines
        .iter()
        .map(|l| text_w(l, CELL_FONT))
        .fold(0.0, f64::max)
        + 24.0;
    let box_h = LINE_H * (explain_lines.len() as f64 + 1.0) + 12.0;

    let legend_y = y0 + mat_h + 26.0;
    let legend_h = 78.0;
    let width = [
        MARGIN + text_w(&title, 16.0),
        MARGIN + text_w(&p.formula, LABEL_FONT),
        x0 + mat_w,
        x0 + legend_w,
        if explain_lines.is_empty() {
            0.0
        } else {
            box_x + box_w
        },
        // Slanted labels reach right of their column.
        if slanted {
            x0 + mat_w + col_label_w * std::f64::consts::FRAC_1_SQRT_2
        } else {
            0.0
        },
    ]
    .into_iter()
    .fold(0.0, f64::max)
        + MARGIN;
    let height = (legend_y + legend_h).max(y0 + box_h) + MARGIN;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{SANS}">"#
    );
    let _ = writeln!(
        s,
        "<title>{} — {}</title>",
        xml_escape(&title),
        xml_escape(&p.formula)
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r##"<text class="title" x="{MARGIN}" y="28" font-size="16" font-weight="bold" fill="#000000">{}</text>"##,
        xml_escape(&title)
    );
    let _ = writeln!(
        s,
        r##"<text class="formula" x="{MARGIN}" y="48" font-size="{LABEL_FONT}" fill="#333333">{}</text>"##,
        xml_escape(&p.formula)
    );

    // Column labels.
    for (j, c) in p.cols.iter().enumerate() {
        let cx = x0 + cell_w * (j as f64 + 0.5);
        let bold = p.selected.is_some_and(|(_, sj)| sj == j);
        let weight = if bold { r#" font-weight="bold""# } else { "" };
        if slanted {
            let y = y0 - 8.0;
            let _ = writeln!(
                s,
                r##"<text class="col-label" x="{cx:.1}" y="{y:.1}" font-size="{LABEL_FONT}"{weight} fill="#000000" transform="rotate(-45 {cx:.1} {y:.1})">{}</text>"##,
                xml_escape(c)
            );
        } else {
            let _ = writeln!(
                s,
                r##"<text class="col-label" x="{cx:.1}" y="{:.1}" font-size="{LABEL_FONT}"{weight} fill="#000000" text-anchor="middle">{}</text>"##,
                y0 - 8.0,
                xml_escape(c)
            );
        }
    }
    // Row labels.
    for (i, r) in p.rows.iter().enumerate() {
        let y = y0 + CELL_H * i as f64 + CELL_H / 2.0 + 4.5;
        let bold = p.selected.is_some_and(|(si, _)| si == i);
        let weight = if bold { r#" font-weight="bold""# } else { "" };
        let _ = writeln!(
            s,
            r##"<text class="row-label" x="{:.1}" y="{y:.1}" font-size="{LABEL_FONT}"{weight} fill="#000000" text-anchor="end">{}</text>"##,
            x0 - 8.0,
            xml_escape(r)
        );
    }
    // Cells.
    let mut omitted = 0usize;
    for i in 0..nr {
        for j in 0..nc {
            let v = p.values[[i, j]];
            let h = heat::heat(p.kind, v, scale);
            let (x, y) = (x0 + cell_w * j as f64, y0 + CELL_H * i as f64);
            let _ = writeln!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{cell_w:.1}" height="{CELL_H}" fill="{}"/>"#,
                hex(h.bg)
            );
            let t = &texts[i * nc + j];
            if text_w(t, CELL_FONT) > cell_w - 4.0 {
                omitted += 1;
                continue;
            }
            let style = if h.masked {
                r#" font-style="italic""#
            } else if h.problem {
                r#" font-weight="bold""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r#"<text class="cell" data-row="{i}" data-col="{j}" x="{:.1}" y="{:.1}" font-size="{CELL_FONT}"{style} fill="{}" text-anchor="middle">{}</text>"#,
                x + cell_w / 2.0,
                y + CELL_H / 2.0 + 4.0,
                hex(h.fg),
                xml_escape(t)
            );
        }
    }
    // The selected cell.
    if let Some((i, j)) = p.selected.filter(|&(i, j)| i < nr && j < nc) {
        let _ = writeln!(
            s,
            r#"<rect class="selected" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="{}" stroke-width="3"/>"#,
            x0 + cell_w * j as f64 + 1.5,
            y0 + CELL_H * i as f64 + 1.5,
            cell_w - 3.0,
            CELL_H - 3.0,
            hex(CURRENT)
        );
    }

    debug_assert_eq!(omitted > 0, !omitted_note.is_empty());
    legend(&mut s, p, scale, x0, legend_y, &info, &omitted_note);

    if !explain_lines.is_empty() {
        let _ = writeln!(
            s,
            r##"<rect class="explanation-box" x="{box_x:.1}" y="{y0:.1}" width="{box_w:.1}" height="{box_h:.1}" fill="#f7f7f7" stroke="#888888" rx="4"/>"##
        );
        let _ = writeln!(
            s,
            r##"<text class="explanation" font-family="{MONO}" font-size="{CELL_FONT}" fill="#000000" xml:space="preserve">"##
        );
        for (k, l) in explain_lines.iter().enumerate() {
            let _ = writeln!(
                s,
                r#"<tspan x="{:.1}" y="{:.1}">{}</tspan>"#,
                box_x + 12.0,
                y0 + 12.0 + LINE_H * (k as f64 + 1.0),
                xml_escape(l)
            );
        }
        let _ = writeln!(s, "</text>");
    }
    s.push_str("</svg>\n");
    s
}

/// The legend's text: the matrix's min and max and how the colour is read; and a note on
/// the numbers too wide for their cell (empty when every number is printed).
fn legend_text(p: &Plot, texts: &[String], cell_w: f64) -> (String, String) {
    let mut info = match p.finite_range() {
        Some((mn, mx)) => Msg::PlotRange {
            min: fmt_value(mn, p.precision),
            max: fmt_value(mx, p.precision),
        },
        None => Msg::PlotNoFinite,
    }
    .text(p.lang);
    let colour = Msg::PlotColour {
        sequential: heat::sequential(p.kind),
    };
    info.push_str(&colour.text(p.lang));
    let omitted = texts
        .iter()
        .filter(|t| text_w(t, CELL_FONT) > cell_w - 4.0)
        .count();
    let note = if omitted > 0 {
        Msg::PlotOmitted(omitted).text(p.lang)
    } else {
        String::new()
    };
    (info, note)
}

/// The colour scale as the terminal's legend shows it, 11 swatches from the low end to the
/// high end, labelled with their values; the matrix's min and max; a −∞ swatch when some
/// cells are masked.
#[expect(
    clippy::too_many_lines,
    reason = "the colour scale's ticks and labels, drawn in order."
)]
fn legend(s: &mut String, p: &Plot, scale: f32, x0: f64, y: f64, info: &str, note: &str) {
    const SW: f64 = 24.0;
    let sequential = heat::sequential(p.kind);
    let _ = writeln!(s, r#"<g class="legend">"#);
    let (lo, hi) = if sequential {
        (0.0f32, 1.0f32)
    } else {
        (-scale, scale)
    };
    // One swatch per colour of the scale: 0, 0.1, …, 1 (sequential); the middle of each of
    // the five blue bins, zero, the five red bins (diverging).
    let swatch_value = |k: usize| -> f32 {
        if sequential {
            k as f32 / 10.0
        } else {
            let sign = if k < 5 { -1.0 } else { 1.0 };
            let bin = (k as f32 - 5.0).abs();
            if bin == 0.0 {
                0.0
            } else {
                sign * (bin - 0.5) / 5.0 * scale.max(f32::MIN_POSITIVE)
            }
        }
    };
    for k in 0..11 {
        let h = heat::heat(p.kind, swatch_value(k), scale.max(f32::MIN_POSITIVE));
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{y:.1}" width="{SW}" height="14" fill="{}" stroke="#ffffff" stroke-width="0.5"/>"##,
            x0 + SW * k as f64,
            hex(h.bg)
        );
    }
    let label_y = y + 28.0;
    let num = |v: f32| fmt_value(v, p.precision.min(4));
    let mut labels = if sequential {
        vec![
            (x0, "start", "0".to_string()),
            (x0 + SW * 11.0, "end", "1".to_string()),
        ]
    } else {
        vec![(x0, "start", num(lo)), (x0 + SW * 11.0, "end", num(hi))]
    };
    if !sequential {
        labels.push((x0 + SW * 5.5, "middle", "0".to_string()));
    }
    for (x, anchor, t) in labels {
        let _ = writeln!(
            s,
            r##"<text class="legend-label" x="{x:.1}" y="{label_y:.1}" font-size="11" fill="#333333" text-anchor="{anchor}">{}</text>"##,
            xml_escape(&t)
        );
    }
    let _ = writeln!(
        s,
        r##"<text class="legend-range" x="{x0:.1}" y="{:.1}" font-size="11" fill="#333333">{}</text>"##,
        label_y + 18.0,
        xml_escape(info)
    );
    if !note.is_empty() {
        let _ = writeln!(
            s,
            r##"<text class="legend-note" x="{x0:.1}" y="{:.1}" font-size="11" fill="#333333">{}</text>"##,
            label_y + 34.0,
            xml_escape(note)
        );
    }
    if p.values.iter().any(|v| *v == f32::NEG_INFINITY) {
        let mx = x0 + SW * 11.0 + 40.0;
        let _ = writeln!(
            s,
            r#"<rect x="{mx:.1}" y="{y:.1}" width="{SW}" height="14" fill="{}"/>"#,
            hex(heat::MASKED_BG)
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" font-style="italic" fill="{}" text-anchor="middle">−∞</text>"#,
            mx + SW / 2.0,
            y + 11.0,
            hex(heat::MASKED_FG)
        );
        let _ = writeln!(
            s,
            r##"<text class="legend-label" x="{:.1}" y="{:.1}" font-size="11" fill="#333333">{}</text>"##,
            mx + SW + 6.0,
            y + 11.0,
            Msg::PlotMasked.text(p.lang)
        );
    }
    let _ = writeln!(s, "</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml() {
        assert_eq!(
            xml_escape(r#"<bos> & "x" 'y'"#),
            "&lt;bos&gt; &amp; &quot;x&quot; &apos;y&apos;"
        );
        // Shown as the terminal shows them, bidi overrides too.
        assert_eq!(xml_escape("a\u{7}b\u{202e}c"), "a\\x07b\\u{202e}c");
    }
}
