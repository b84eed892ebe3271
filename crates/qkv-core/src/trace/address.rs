//! Addresses of steps, heads, rows and cells, and the statistics of a row.

use super::*;

/// One cell of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Head of a per-head step.
    pub head: Option<usize>,
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
}

/// Statistics of one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowStats {
    /// Sum of the finite entries.
    pub sum: f32,
    /// Entries left out of the sum because they are not finite (the −∞ of a mask).
    pub skipped: usize,
    /// Largest entry.
    pub max: f32,
    /// Column of the largest entry.
    pub argmax: usize,
    /// Shannon entropy in nats, when the row is a distribution (non-negative, sums to ≈1).
    pub entropy: Option<f32>,
}

impl RowStats {
    /// Stats of the values of one row.
    pub fn of(values: impl Iterator<Item = f32>) -> RowStats {
        let v: Vec<f32> = values.collect();
        let sum: f32 = v.iter().filter(|x| x.is_finite()).sum();
        let skipped = v.iter().filter(|x| !x.is_finite()).count();
        let (argmax, max) =
            v.iter()
                .copied()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |(bi, bm), (i, x)| {
                    if x > bm { (i, x) } else { (bi, bm) }
                });
        let is_dist = !v.is_empty() && v.iter().all(|x| *x >= 0.0) && (sum - 1.0).abs() < 1e-3;
        let entropy = is_dist.then(|| {
            -v.iter()
                .filter(|p| **p > 0.0)
                .map(|p| p * p.ln())
                .sum::<f32>()
        });
        RowStats {
            sum,
            skipped,
            max,
            argmax,
            entropy,
        }
    }
}

/// A parsed address `name[a][b][c]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Step (or weight) name.
    pub name: String,
    /// The bracketed indices, in order.
    pub indices: Vec<usize>,
}

impl Address {
    /// Parses `enc.0.attn.scores[1][0][2]`, `embed.sum`, `enc.0.attn.weights[0]`.
    pub fn parse(text: &str) -> Result<Address, TraceError> {
        let text = text.trim();
        let bad = |reason: &str| TraceError::BadAddress {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let (name, mut rest) = match text.find('[') {
            Some(p) => (&text[..p], &text[p..]),
            None => (text, ""),
        };
        if name.is_empty() {
            return Err(bad("it has no step name before '['"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            return Err(bad(
                "a name has only letters, digits, '.' and '_' (e.g. enc.0.attn.weights)",
            ));
        }
        let mut indices = Vec::new();
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('[') else {
                return Err(bad("expected '[' after the name or after ']'"));
            };
            let Some(close) = inner.find(']') else {
                return Err(bad("a '[' is not closed by ']'"));
            };
            let num = inner[..close].trim();
            let idx: usize = num
                .parse()
                .map_err(|_| bad(&format!("index {num:?} is not a non-negative integer")))?;
            indices.push(idx);
            rest = &inner[close + 1..];
        }
        if indices.len() > 3 {
            return Err(bad("at most three indices: [head][row][column]"));
        }
        Ok(Address {
            name: name.to_string(),
            indices,
        })
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for i in &self.indices {
            write!(f, "[{i}]")?;
        }
        Ok(())
    }
}
