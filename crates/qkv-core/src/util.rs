//! Small helpers shared by every layer.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Levenshtein distance between two strings, in characters (for "did you mean"
/// suggestions), by the `strsim` crate.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// The smallest and largest finite values of `values` (`None` when there is none).
pub fn finite_range<'a>(values: impl IntoIterator<Item = &'a f32>) -> Option<(f32, f32)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, &v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// The whole numbers `lo..=hi` in words: `0 or 1`, `0 to 5`, `only 0` (never Rust's `0..2`,
/// which reads as three numbers to most people).
pub fn range_text(lo: usize, hi: usize) -> String {
    match hi.checked_sub(lo) {
        None => "none".to_string(),
        Some(0) => format!("only {lo}"),
        Some(1) => format!("{lo} or {hi}"),
        Some(_) => format!("{lo} to {hi}"),
    }
}

/// The valid indices of `n` things: `0 or 1` for 2, `0 to 5` for 6, `none` for 0.
pub fn indices_text(n: usize) -> String {
    match n {
        0 => "none".to_string(),
        n => range_text(0, n - 1),
    }
}

/// The format characters (Unicode general category Cf, as of Unicode 16): invisible
/// characters that change how the text around them is shown, among them the bidi controls
/// U+200E/U+200F, U+202A–U+202E and U+2066–U+2069 that can show `abc` as `cba`, the
/// zero-width space and joiners, the soft hyphen and the byte order mark.
const FORMAT_CHARS: &[(u32, u32)] = &[
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// True for a character that is never passed on raw (see [`escape_controls`]): a control
/// character (general category Cc) other than newline and tab, or a format character (Cf).
pub fn is_escaped_char(c: char) -> bool {
    if c.is_control() {
        return c != '\n' && c != '\t';
    }
    let u = c as u32;
    // The ranges are sorted and disjoint: a binary search.
    u >= 0xAD
        && FORMAT_CHARS
            .binary_search_by(|(lo, hi)| {
                if *hi < u {
                    std::cmp::Ordering::Less
                } else if *lo > u {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
}

/// `text` safe to print on a terminal or write into a table: every control character
/// except newline and tab (ESC, CR, BEL, the C1 controls such as U+009B CSI, DEL) and every
/// format character (the bidi overrides such as U+202E, zero-width characters) is shown
/// as a visible escape (`\x1b`, `\u{9b}`, `\u{202e}`), so that a title, note or token from
/// someone else's file cannot retitle, clear or rewrite the user's terminal, nor show
/// text in an order or form other than its own.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_escaped_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !is_escaped_char(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Display width of `s`.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_words() {
        assert_eq!(indices_text(2), "0 or 1");
        assert_eq!(indices_text(6), "0 to 5");
        assert_eq!(indices_text(1), "only 0");
        assert_eq!(indices_text(0), "none");
        assert_eq!(range_text(1, 12), "1 to 12");
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        // OSC 0 (set the window title) ends with BEL; CSI 2 J clears the screen.
        let t = "a\u{1b}]0;pwned\u{7}b\u{9b}2J\r\n\tc";
        assert_eq!(
            escape_controls(t),
            "a\\x1b]0;pwned\\x07b\\u{9b}2J\\x0d\n\tc"
        );
        assert_eq!(escape_controls("나는 학교에 간다\n"), "나는 학교에 간다\n");
    }

    #[test]
    fn format_characters_are_shown_not_sent() {
        // U+202E RIGHT-TO-LEFT OVERRIDE shows what follows it reversed; U+2066 (isolate),
        // U+200F (RLM), U+200B (zero-width space), U+FEFF (BOM) and the tag characters
        // U+E0020… are invisible.
        assert_eq!(
            escape_controls("a\u{202e}b\u{2066}c\u{200f}d\u{200b}e\u{feff}f\u{e0041}"),
            "a\\u{202e}b\\u{2066}c\\u{200f}d\\u{200b}e\\u{feff}f\\u{e0041}"
        );
        // The ends of each range, and their neighbours that are not format characters:
        // U+AC (¬) and U+AE (®) beside U+AD, U+2029 beside U+202A, U+2065 between ranges.
        for c in ['\u{ad}', '\u{202a}', '\u{2069}', '\u{206f}', '\u{e007f}'] {
            assert!(is_escaped_char(c), "{:x}", c as u32);
        }
        for c in [
            '\u{ac}', '\u{ae}', '\u{2029}', '\u{2065}', '\u{2070}', '가', ' ',
        ] {
            assert!(!is_escaped_char(c), "{:x}", c as u32);
        }
    }

    #[test]
    fn distances_by_hand() {
        // kitten → sitting: k→s, e→i, +g = 3
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("학교에", "학교"), 1);
    }
}
