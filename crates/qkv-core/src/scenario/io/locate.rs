//! Locating a field in the scenario text (line and column), for errors that point at it.

use super::*;

pub(super) struct Line<'a> {
    no: usize,
    indent: usize,
    text: &'a str,
}

pub(super) fn significant_lines(src: &str) -> Vec<Line<'_>> {
    src.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let t = l.trim_start();
            if t.is_empty() || t.starts_with('#') || t == "---" {
                None
            } else {
                Some(Line {
                    no: i + 1,
                    indent: l.len() - t.len(),
                    text: t,
                })
            }
        })
        .collect()
}

pub(super) fn key_matches(text: &str, key: &str) -> bool {
    [key.to_string(), format!("{key:?}"), format!("'{key}'")]
        .iter()
        .any(|k| {
            text.strip_prefix(k.as_str())
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
}

/// Byte position of `key:` inside a flow map on one line (`model: {arch: encoder, heads: 6}`).
pub(super) fn flow_key(text: &str, key: &str) -> Option<usize> {
    let open = text.find('{')?;
    let mut from = open;
    while let Some(p) = text[from..].find(key) {
        let at = from + p;
        let before = text[..at].trim_end();
        let after = text[at + key.len()..].trim_start();
        if (before.ends_with('{') || before.ends_with(',')) && after.starts_with(':') {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

/// Best-effort 1-based (line, column) of a field in block- or flow-style YAML: the deepest
/// part of the path that could be found.
pub fn locate(src: &str, path: &FieldPath) -> (usize, usize) {
    let lines = significant_lines(src);
    let mut best = (1, 1);
    // The current scope: lines[lo..hi] are the children of the node found so far.
    let (mut lo, mut hi) = (0, lines.len());
    let mut segs = path.0.iter().peekable();
    let mut current: Option<usize> = None;
    while let Some(seg) = segs.next() {
        if lo >= hi {
            // No block children: the value may be a flow map on the current line.
            if let (PathSeg::Key(k), Some(c)) = (seg, current) {
                let l = &lines[c];
                if let Some(pos) = flow_key(l.text, k) {
                    return (l.no, l.indent + l.text[..pos].chars().count() + 1);
                }
            }
            return best;
        }
        let child_indent = lines[lo].indent;
        let found = match seg {
            PathSeg::Key(k) => (lo..hi).find(|&i| {
                let l = &lines[i];
                l.indent == child_indent && key_matches(l.text, k)
                    || l.indent == child_indent
                        && l.text.starts_with("- ")
                        && key_matches(l.text[2..].trim_start(), k)
            }),
            PathSeg::Index(n) => (lo..hi)
                .filter(|&i| lines[i].indent == child_indent && lines[i].text.starts_with('-'))
                .nth(*n),
        };
        let Some(i) = found else {
            return best;
        };
        current = Some(i);
        let l = &lines[i];
        let mut col = l.indent + 1;
        if let PathSeg::Key(k) = seg
            && l.text.starts_with("- ")
        {
            col += 2;
            let _ = k;
        }
        best = (l.no, col);
        // Children: the following lines indented deeper than this one (list items may sit at
        // the same indent as their key).
        let own = l.indent;
        let item = l.text.starts_with('-');
        let mut end = i + 1;
        while end < hi
            && (lines[end].indent > own
                || (!item && lines[end].indent == own && lines[end].text.starts_with('-')))
        {
            end += 1;
        }
        if item && segs.peek().is_some() {
            // The item's own first key sits on the dash line: rescan including it.
            let rest = l.text[1..].trim_start();
            if let Some(PathSeg::Key(k)) = segs.peek()
                && key_matches(rest, k)
            {
                segs.next();
                best = (l.no, l.indent + 3);
                lo = i + 1;
                hi = end;
                continue;
            }
        }
        lo = i + 1;
        hi = end;
    }
    best
}
