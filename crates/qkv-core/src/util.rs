//! Small helpers with no dependencies, shared by every layer.

/// Levenshtein distance between two strings, in characters (for "did you mean" suggestions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
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

/// `text` safe to print on a terminal: every control character except newline and tab
/// (ESC, CR, BEL, the C1 controls such as U+009B CSI, DEL) is shown as a visible escape
/// (`\x1b`, `\u{9b}`), so that a title or note from someone else's scenario cannot
/// retitle, clear or rewrite the user's terminal.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x80 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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
    fn distances_by_hand() {
        // kitten → sitting: k→s, e→i, +g = 3
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("학교에", "학교"), 1);
    }
}
