//! `plot`: the SVG, Markdown, CSV and LaTeX of one matrix, for the article's dot-product
//! example and the softmax of 나는 학교에 간다. Golden files (insta snapshots) fix the
//! whole text; the checks below read each format back (the SVG as XML) and compare its
//! numbers, labels and colours with the trace and the terminal.

use std::path::Path;

use qkv::plot::{self, Plot, PlotFormat};
use qkv::render::fmt_value;
use qkv::scenario::io;
use qkv::session::Session;
use qkv::trace::{Address, Trace};
use ratatui::style::Color;

/// The plot of `address` in `trace` with `cell` selected and explained.
fn plot_of(model: Option<&qkv::model::Transformer>, trace: &Trace, address: &str) -> Plot {
    plot::of_address(
        model.map(Into::into),
        trace,
        &Address::parse(address).unwrap(),
        4,
        None,
    )
    .unwrap()
}

fn dot_product() -> Plot {
    let loaded = io::load(Path::new("scenarios/dot-product.yaml")).unwrap();
    let r = loaded.runnable;
    // scaled[0][0]: q·k0 / √3 = 10 / 1.7320508 = 5.7735027, selected and explained.
    plot_of(r.model(), r.trace(), "scaled[0][0]")
}

fn korean() -> (Session, Plot) {
    let s = Session::default_scenario().unwrap();
    let p = plot_of(s.model(), s.trace(), "enc.0.attn.weights[0][1][2]");
    (s, p)
}

/// The text of every element with class `class`, in document order.
fn texts_of(doc: &roxmltree::Document<'_>, class: &str) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

/// Checks the SVG against the plot: well-formed XML, every cell's text is the trace value
/// at 4 digits and sits on a rectangle of the terminal's colour, labels are the tokens.
fn check_svg(p: &Plot, svg: &str) {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert_eq!(texts_of(&doc, "row-label"), p.rows);
    assert_eq!(texts_of(&doc, "col-label"), p.cols);
    let (nr, nc) = p.dims();
    let scale = qkv::heat::scale_of(p.kind, p.values.iter().copied());
    let cells: Vec<roxmltree::Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("cell"))
        .collect();
    assert_eq!(cells.len(), nr * nc);
    for c in cells {
        let i: usize = c.attribute("data-row").unwrap().parse().unwrap();
        let j: usize = c.attribute("data-col").unwrap().parse().unwrap();
        let v = p.values[[i, j]];
        assert_eq!(c.text().unwrap(), fmt_value(v, 4), "cell [{i}][{j}]");
        // The rectangle just before the text has the terminal's background colour.
        let rect = c
            .prev_sibling_element()
            .filter(|r| r.tag_name().name() == "rect")
            .expect("a rect under each number");
        let Color::Indexed(bg) = qkv::tui::view::style::heat(p.kind, v, scale)
            .bg
            .expect("a background")
        else {
            panic!("the terminal uses palette colours")
        };
        assert_eq!(rect.attribute("fill"), Some(qkv::heat::hex(bg).as_str()));
    }
    let title = texts_of(&doc, "title");
    assert_eq!(title.len(), 1);
    assert!(title[0].starts_with(&p.name), "{title:?}");
    assert_eq!(texts_of(&doc, "formula"), vec![p.formula.clone()]);
    // The selected cell is outlined and its explanation is drawn.
    assert_eq!(
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("selected"))
            .count(),
        1
    );
    let explanation: String = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "tspan")
        .map(|n| n.text().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    let first = p.explanation.as_deref().unwrap().lines().next().unwrap();
    let first_words: Vec<&str> = first.split_whitespace().take(3).collect();
    assert!(
        explanation.contains(&first_words.join(" ")),
        "{explanation}"
    );
}

/// A small RFC 4180 reader: records of fields, quoted fields with doubled quotes.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CRLF line ends");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record ends in CRLF"
    );
    records
}

fn check_csv(p: &Plot, csv: &str) {
    let rec = read_csv(csv);
    let (nr, nc) = p.dims();
    assert_eq!(rec.len(), nr + 1);
    assert_eq!(rec[0][0], p.name);
    assert_eq!(&rec[0][1..], p.cols.as_slice());
    for i in 0..nr {
        assert_eq!(rec[i + 1][0], p.rows[i]);
        assert_eq!(rec[i + 1].len(), nc + 1);
        for j in 0..nc {
            let x: f32 = rec[i + 1][j + 1].parse().expect("a number");
            let v = p.values[[i, j]];
            if v.is_finite() {
                assert!((x - v).abs() <= 0.5e-4 + 1e-6, "[{i}][{j}] {x} vs {v}");
            } else {
                assert_eq!(x, v);
            }
        }
    }
}

/// Every `\begin{x}` is closed by `\end{x}` in order, and the numbers are there.
fn check_latex(p: &Plot, tex: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = tex;
    while let Some(k) = rest.find('\\') {
        rest = &rest[k + 1..];
        for (word, open) in [("begin{", true), ("end{", false)] {
            if let Some(r) = rest.strip_prefix(word) {
                let name = &r[..r.find('}').unwrap()];
                if open {
                    stack.push(name.to_string());
                } else {
                    assert_eq!(stack.pop().as_deref(), Some(name), "unbalanced at {name}");
                }
            }
        }
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
    assert!(tex.contains("\\begin{bmatrix}"));
    for v in p.values.iter() {
        let n = match *v {
            f32::NEG_INFINITY => "-\\infty".to_string(),
            v => plot::plain_number(v, 4),
        };
        assert!(tex.contains(&format!("{{${n}$}}")), "{v}");
    }
}

fn check_markdown(p: &Plot, md: &str) {
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    let (nr, nc) = p.dims();
    assert_eq!(rows.len(), nr + 2, "header, alignment, one line a row");
    for (i, line) in rows[2..].iter().enumerate() {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), nc + 1, "{line}");
        assert_eq!(cells[0], p.rows[i]);
        for j in 0..nc {
            assert_eq!(cells[j + 1], fmt_value(p.values[[i, j]], 4));
        }
    }
    assert!(md.contains(p.explanation.as_deref().unwrap()));
}

fn check_all(p: &Plot) {
    check_svg(p, &p.render(PlotFormat::Svg));
    check_csv(p, &p.render(PlotFormat::Csv));
    check_latex(p, &p.render(PlotFormat::Latex));
    check_markdown(p, &p.render(PlotFormat::Markdown));
}

#[test]
fn dot_product_numbers_are_the_articles() {
    let p = dot_product();
    // q = [1, 2, 3]; q·k = 10, −1, 6; ÷ √3 = 1.7320508: 5.7735, −0.5774, 3.4641.
    assert_eq!(p.rows, ["q0"]);
    assert_eq!(p.cols, ["k0", "k1", "k2"]);
    let svg = p.render(PlotFormat::Svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(texts_of(&doc, "cell"), ["5.7735", "−0.5774", "3.4641"]);
    assert_eq!(p.selected, Some((0, 0)));
    assert!(p.explanation.as_deref().unwrap().contains("10"));
    check_all(&p);
}

#[test]
fn dot_product_golden_files() {
    let p = dot_product();
    insta::assert_snapshot!("dot_product_svg", p.render(PlotFormat::Svg));
    insta::assert_snapshot!("dot_product_md", p.render(PlotFormat::Markdown));
    insta::assert_snapshot!("dot_product_csv", p.render(PlotFormat::Csv));
    insta::assert_snapshot!("dot_product_tex", p.render(PlotFormat::Latex));
}

#[test]
fn korean_softmax_labels_are_hangul_and_numbers_the_traces() {
    let (s, p) = korean();
    assert_eq!(p.rows, ["나는", "학교에", "간다"]);
    assert_eq!(p.cols, ["나는", "학교에", "간다"]);
    // The values are the trace's, and each row of a softmax sums to 1.
    let step = s.trace().step("enc.0.attn.weights").unwrap();
    assert_eq!(p.values, step.matrix(Some(0)).unwrap().to_owned());
    for row in p.values.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-5);
    }
    check_all(&p);
}

#[test]
fn korean_softmax_golden_files() {
    let (_, p) = korean();
    insta::assert_snapshot!("korean_softmax_svg", p.render(PlotFormat::Svg));
    insta::assert_snapshot!("korean_softmax_md", p.render(PlotFormat::Markdown));
    insta::assert_snapshot!("korean_softmax_csv", p.render(PlotFormat::Csv));
    insta::assert_snapshot!("korean_softmax_tex", p.render(PlotFormat::Latex));
}

#[test]
fn special_characters_in_tokens_are_escaped_in_every_format() {
    let (_, mut p) = korean();
    p.rows = vec!["<bos>".into(), "a,b".into(), "\"q\" & 50%_x".into()];
    p.cols = vec!["|".into(), "{}".into(), "ü\\".into()];
    p.values[[0, 0]] = f32::NEG_INFINITY;
    p.kind = qkv::trace::StepKind::Masked;
    check_svg(&p, &p.render(PlotFormat::Svg));
    check_csv(&p, &p.render(PlotFormat::Csv));
    let tex = p.render(PlotFormat::Latex);
    check_latex(&p, &tex);
    assert!(tex.contains("\\textless{}bos\\textgreater{}"));
    assert!(tex.contains("\\\"q\\\"") || tex.contains("\"q\" \\& 50\\%\\_x"));
    assert!(tex.contains("-\\infty"));
    let md = p.render(PlotFormat::Markdown);
    assert!(md.contains("| &lt;bos&gt; |"), "{md}");
    assert!(md.contains(" \\| |"), "{md}");
    // The masked cell is drawn as the terminal draws it: −∞, grey on black, in italics.
    let svg = p.render(PlotFormat::Svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let masked = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("cell") && n.text() == Some("−∞"))
        .expect("a −∞ cell");
    assert_eq!(masked.attribute("font-style"), Some("italic"));
    assert_eq!(
        masked.attribute("fill"),
        Some(qkv::heat::hex(qkv::heat::MASKED_FG).as_str())
    );
}

#[test]
fn a_session_plot_writes_the_file_and_never_moves_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::default_scenario().unwrap();
    s.apply_line("show enc.0.attn.weights[1][2][0]").unwrap();
    let before = s.cursor().clone();
    let f = dir.path().join("w.svg");
    let line = format!("plot enc.0.attn.weights[1] {}", f.display());
    let o = s.apply_line(&line).unwrap();
    assert!(o.text.contains("wrote"), "{}", o.text);
    assert!(
        o.text.contains("cell [2][0] selected and explained"),
        "{}",
        o.text
    );
    assert_eq!(s.cursor(), &before);
    let svg = std::fs::read_to_string(&f).unwrap();
    check_svg(
        &s.plot_of(&Address::parse("enc.0.attn.weights[1]").unwrap())
            .unwrap(),
        &svg,
    );
    // A second plot to the same file is refused and leaves it as it was; plot! replaces it.
    let e = s.apply_line(&line).unwrap_err().to_string();
    assert!(e.contains("exists; nothing was written"), "{e}");
    s.apply_line(&format!("plot! enc.0.attn.weights[0] {}", f.display()))
        .unwrap();
    assert!(
        std::fs::read_to_string(&f)
            .unwrap()
            .contains("enc.0.attn.weights[0]")
    );
    // Unknown extension, step and head: errors, nothing written.
    for (bad, says) in [
        ("plot enc.0.attn.weights x.png", "extension"),
        ("plot enc.0.atn.weights x.svg", "did you mean"),
        ("plot enc.0.attn.weights[7] x.svg", "head 7"),
        ("plot enc.0.attn.weights[0][1] x.svg", "whole matrix"),
    ] {
        let e = s.apply_line(bad).unwrap_err().to_string();
        assert!(e.contains(says), "{bad}: {e}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn show_and_explain_output_go_to_a_markdown_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::default_scenario().unwrap();
    let f = dir.path().join("w.md");
    let o = s
        .apply_line(&format!("show enc.0.attn.weights[0] > {}", f.display()))
        .unwrap();
    assert!(o.text.starts_with("wrote"), "{}", o.text);
    let md = std::fs::read_to_string(&f).unwrap();
    let p = s
        .plot_of(&Address::parse("enc.0.attn.weights[0]").unwrap())
        .unwrap();
    assert!(md.starts_with("`show enc.0.attn.weights[0]`"), "{md}");
    assert!(md.contains(&plot::table::markdown_table(&p)), "{md}");
    // An existing file is not replaced without >!, and the command does not run.
    let e = s
        .apply_line(&format!(
            "explain enc.0.attn.scores[0][1][2] > {}",
            f.display()
        ))
        .unwrap_err()
        .to_string();
    assert!(e.contains("exists"), "{e}");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), md);
    assert_ne!(s.cursor().step, "enc.0.attn.scores");
    s.apply_line(&format!(
        "explain enc.0.attn.scores[0][1][2] >! {}",
        f.display()
    ))
    .unwrap();
    let md = std::fs::read_to_string(&f).unwrap();
    let printed = s
        .apply_line("explain enc.0.attn.scores[0][1][2]")
        .unwrap()
        .text;
    assert!(md.contains("```text\n"), "{md}");
    assert!(md.contains(&printed), "{md}");
    // `>` in a sentence is text, not a file.
    let o = s.apply_line("text 나는 > 간다").unwrap();
    assert!(!o.text.starts_with("wrote"));
    // The trained model's vocabulary lacks `>`: it reads as <unk>, and the label says so.
    assert!(s.trace().tokens().source.iter().any(|t| t == ">→<unk>"));
}

/// The article's attend without scaling: scores 10, −1, 6, so weights[0][1] is
/// e^(−11) / (1 + e^(−11) + e^(−4)) = 1.6702e−5 / 1.01833 = 1.64e−5. Every format writes it
/// with its significant digits, not as 0.0000: Markdown as the terminal does, CSV with an
/// ASCII minus, LaTeX as a power of ten (`1.64e-5` in math mode would read as 1.64·e − 5).
#[test]
fn a_tiny_weight_keeps_its_digits_in_every_format() {
    let mut s = crate::util::session();
    crate::util::say(
        &mut s,
        "attend q=[1,2,3] k=[[2,1,2],[0,1,-1],[1,1,1]] v=[[1,0],[0,1],[1,1]] scale=off",
    );
    let p = plot_of(None, s.trace(), "weights");
    assert!(p.render(PlotFormat::Markdown).contains("| 1.64e−5 |"));
    assert!(
        p.render(PlotFormat::Csv)
            .contains("q0,0.9820,1.64e-5,0.0180\r\n")
    );
    let tex = p.render(PlotFormat::Latex);
    assert!(tex.contains("{$1.64\\times10^{-5}$}"), "{tex}");
    assert!(!tex.contains("e-5"), "{tex}");
}
