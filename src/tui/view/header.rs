//! The header: the model in one line, the source and target sentences (and their editor).

use super::*;
use crate::i18n::Lang;
use crate::i18n::ui::{self as text, Label, Msg};

/// `encoder-decoder · d_model 8 · heads 2 · d_k 4 · d_ff 32 · layers 2+2 · post-LN · seed 42`.
pub fn model_summary(c: &Config) -> String {
    c.summary()
}

/// The summary in fewer columns: `enc-dec · d_model 8 · h 2 · d_k 4 · d_ff 32 · L 2+2 ·
/// post-LN · mask enc none, dec causal` (PE off, unscaled scores and embedding scaling are
/// named); with `tiny`, `d 8 · h 2 · ff 32` for an 80-column terminal.
pub fn short_summary(c: &Config, tiny: bool) -> String {
    let (arch, layers) = match c.arch {
        Arch::Encoder => ("encoder", c.layers.encoder.to_string()),
        Arch::Decoder => ("decoder", c.layers.decoder.to_string()),
        Arch::EncoderDecoder => (
            "enc-dec",
            format!("{}+{}", c.layers.encoder, c.layers.decoder),
        ),
    };
    let sizes = if tiny {
        format!("d {} · h {} · ff {}", c.d_model, c.heads, c.d_ff)
    } else {
        format!(
            "d_model {} · h {} · d_k {} · d_ff {}",
            c.d_model,
            c.heads,
            c.d_k(),
            c.d_ff
        )
    };
    format!(
        "{arch} · {sizes} · L {layers} · {}-LN{}{}{} · {}",
        c.norm,
        if c.positional == Positional::None {
            " · no PE"
        } else {
            ""
        },
        if c.scale { "" } else { " · unscaled" },
        if c.embed_scale { " · ×√d" } else { "" },
        c.mask_summary(),
    )
}

/// The target sentence as the model reads it: the text typed, with the `<bos>` the model
/// prepends shown in front when the text does not have it (`<bos> I went home`).
pub fn target_shown(text: Option<&str>, tokens: &[String]) -> String {
    let text = text.map_or_else(|| tokens.join(" "), str::to_string);
    match tokens.first() {
        Some(first) if first == "<bos>" && !text.trim_start().starts_with("<bos>") => {
            format!("<bos> {}", text.trim_start())
        }
        _ => text,
    }
}

/// The part of `line` that fits in `w` columns with the cursor visible, and the cursor's
/// column in it.
pub(super) fn edit_window(line: &LineEdit, w: usize) -> (String, usize) {
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

// Over 80 lines: the header's lines drawn top to bottom, each in a wide and a narrow form.
pub(super) fn header(app: &App, f: &mut Frame, area: Rect) {
    let s = app.session();
    let lang = app.lang();
    let title = if s.title().is_empty() {
        " qkv ".to_string()
    } else {
        format!(" qkv · {} ", s.title())
    };
    let file = match s.file() {
        Some(p) => p.display().to_string(),
        None if s.is_hand_check() => Label::HandCheck.text(lang).to_string(),
        // `--hf DIR`: the model's directory.
        None => s.real_model().map_or_else(
            || Label::BuiltIn.text(lang).to_string(),
            |m| m.dir().display().to_string(),
        ),
    };
    let dirty = if s.is_dirty() {
        Label::Unsaved.text(lang)
    } else {
        ""
    };
    let file = if s.score().asked > 0 || s.practice().is_some() {
        Msg::PracticeFile {
            score: s.score().to_string(),
            file,
        }
        .text(lang)
    } else {
        file
    };
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
    // Where the weights come from, in the session's language (the app sets both together).
    let prov = s.provenance();
    let block = if prov.is_empty() {
        block
    } else {
        block.title_bottom(
            Line::styled(
                format!(
                    " {} ",
                    truncate(&prov, usize::from(area.width).saturating_sub(4))
                ),
                style::DIM,
            )
            .right_aligned(),
        )
    };
    let inner = layout::inner(area);
    f.render_widget(block, area);
    let mut lines: Vec<Line> = Vec::new();
    match (s.config(), s.real_model()) {
        // A Hugging Face model: its directory's name, sizes and activation.
        (None, Some(m)) => {
            lines.push(Line::styled(
                truncate(&m.heading(), usize::from(inner.width)),
                style::DIM,
            ));
        }
        (Some(c), _) => {
            let w = usize::from(inner.width);
            let candidates = match lang {
                Lang::En => vec![model_summary(c), short_summary(c, false)],
                Lang::Ko => vec![
                    text::model_summary(c, lang, 0),
                    text::model_summary(c, lang, 1),
                ],
            };
            let text = candidates
                .into_iter()
                .find(|t| width(t) <= w)
                .unwrap_or_else(|| match lang {
                    Lang::En => short_summary(c, true),
                    Lang::Ko => text::model_summary(c, lang, 2),
                });
            lines.push(Line::styled(text, style::DIM));
        }
        (None, None) => {
            let t = s.toggles();
            let full = Msg::HandHeader {
                scale: if t.scale {
                    "÷ √d_k".to_string()
                } else {
                    Label::Unscaled.text(lang).to_string()
                },
                mask: t.mask,
                values: s.trace().get("v").is_some(),
            }
            .text(lang);
            let short = Msg::HandHeaderShort {
                scale: if t.scale {
                    Label::ScaledShort.text(lang)
                } else {
                    Label::UnscaledShort.text(lang)
                }
                .to_string(),
                mask: t.mask,
            }
            .text(lang);
            lines.push(Line::styled(
                if width(&full) <= usize::from(inner.width) {
                    full
                } else {
                    short
                },
                style::DIM,
            ));
        }
    }
    let editing = match app.mode() {
        Mode::Edit { field, line } => Some((*field, line)),
        _ => None,
    };
    let label_w = 9u16;
    // The labels fill `label_w` columns in either language.
    let label = |l: Label| {
        let t = l.text(lang);
        format!(
            "{t}{}",
            " ".repeat(usize::from(label_w).saturating_sub(width(t)))
        )
    };
    let mut fields = vec![(Field::Source, label(Label::Source))];
    if s.input().is_some_and(|i| i.target.is_some()) {
        fields.push((Field::Target, label(Label::Target)));
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
                let tokens = s.trace().tokens();
                let (text, n) = match (field, s.input()) {
                    (Field::Source, Some(i)) => {
                        (marked(i.text.clone(), &tokens.source), i.source.len())
                    }
                    (Field::Target, Some(i)) => {
                        let toks = i.target.clone().unwrap_or_default();
                        let shown = target_shown(i.target_text.as_deref(), &toks);
                        let labels = tokens.target.as_deref().map_or(&[][..], |t| &t[..]);
                        (marked(shown, labels), toks.len())
                    }
                    (_, None) => (Label::NoSentence.text(lang).to_string(), 0),
                };
                let count = if n > 0 {
                    format!("  ({})", Msg::Tokens(n).text(lang))
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

/// The sentence as typed, or, when the model read a word of it as `<unk>`, its tokens as
/// the trace labels them (`나는 바나나→<unk> 간다`): the header says what the model read.
fn marked(text: String, labels: &[String]) -> String {
    if labels.iter().any(|l| crate::model::vocab::unmark(l).1) {
        labels.join(" ")
    } else {
        text
    }
}
