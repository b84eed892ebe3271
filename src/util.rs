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
    fn distances_by_hand() {
        // kitten → sitting: k→s, e→i, +g = 3
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("학교에", "학교"), 1);
    }
}
