//! All heads at once: for every attention-weights step of a trace (encoder self, decoder
//! self, cross) and every head, its mean row entropy and a role found by a stated rule.
//!
//! The rule, first match wins (`w` is the head's n × m weights, rows are queries):
//! 1. **previous token** (self-attention only): the mean over rows i ≥ 1 of `w[i][i−1]` > 0.5;
//! 2. **self** (self-attention only): the mean over rows i of `w[i][i]` > 0.5;
//! 3. **first token**: the mean over rows of `w[i][0]` > 0.5 (rows i ≥ 1 in self-attention,
//!    where row 0's key 0 is itself);
//! 4. **broad**: the mean row entropy > 0.8 × the mean of ln(keys the row sees) nats (m keys,
//!    or i + 1 for row i under a causal mask; 0.8 · ln m without a mask);
//! 5. **mixed**: none of these.
//!
//! Rows whose weights are all zero (every key masked) are left out of every mean, and so is
//! row 0 under a causal mask (it sees one key, itself: its weight 1 is forced, not chosen).

use std::fmt;

use ndarray::ArrayView2;

use super::entropy;
use crate::i18n::Lang;
use crate::i18n::explore::{Ex, head_reason, role_text};
use crate::i18n::explore_text::ExText;
use crate::render::{pad_left, pad_right};
use crate::trace::{Block, Place, StepKind, StepName, Trace};

/// The threshold of the mean weight rules.
pub const WEIGHT_THRESHOLD: f64 = 0.5;
/// The broad rule: mean entropy above this fraction of ln(keys).
pub const BROAD_FRACTION: f64 = 0.8;

/// What a head does, by the rule of the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Attends to the token before.
    PreviousToken,
    /// Attends to itself.
    SelfToken,
    /// Attends to the first token.
    FirstToken,
    /// Spreads its weight.
    Broad,
    /// None of the above.
    Mixed,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::PreviousToken => "previous token",
            Role::SelfToken => "self",
            Role::FirstToken => "first token",
            Role::Broad => "broad",
            Role::Mixed => "mixed",
        })
    }
}

/// The numbers the rule looks at, and its verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadStats {
    /// Query rows counted (rows with any weight).
    pub rows: usize,
    /// Keys per row (m).
    pub keys: usize,
    /// Mean row entropy, nats.
    pub entropy: f64,
    /// 0.8 × mean ln(keys seen per row).
    pub broad_above: f64,
    /// Mean of w[i][i−1] over rows i ≥ 1 (self-attention).
    pub previous: Option<f64>,
    /// Mean of w[i][i] (self-attention).
    pub itself: Option<f64>,
    /// Mean of w[i][0].
    pub first: f64,
    /// The role.
    pub role: Role,
}

impl HeadStats {
    /// The rule that fired, with its numbers (or why none did).
    pub fn reason(&self) -> String {
        let t = WEIGHT_THRESHOLD;
        match self.role {
            Role::PreviousToken => format!(
                "mean w[i][i−1] = {:.3} > {t}",
                self.previous.unwrap_or(f64::NAN)
            ),
            Role::SelfToken => format!(
                "mean w[i][i] = {:.3} > {t}",
                self.itself.unwrap_or(f64::NAN)
            ),
            Role::FirstToken => format!("mean w[i][0] = {:.3} > {t}", self.first),
            Role::Broad => format!(
                "mean entropy {:.3} > {:.3} = 0.8·mean ln(keys seen)",
                self.entropy, self.broad_above
            ),
            Role::Mixed => {
                let mut parts = Vec::new();
                if let Some(p) = self.previous {
                    parts.push(format!("w[i][i−1] {p:.2}"));
                }
                if let Some(s) = self.itself {
                    parts.push(format!("w[i][i] {s:.2}"));
                }
                parts.push(format!("w[i][0] {:.2}", self.first));
                format!(
                    "{} all ≤ {t}; entropy {:.3} ≤ {:.3}",
                    parts.join(", "),
                    self.entropy,
                    self.broad_above
                )
            }
        }
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| s / n as f64)
}

/// Classifies one head's weights. `self_attention`: queries and keys are the same tokens
/// (the previous-token and self rules apply); `causal`: a causal mask hid the keys j > i
/// (row 0 is left out).
///
/// # Shapes
/// `w`: n × m (queries × keys).
pub fn classify(w: ArrayView2<'_, f32>, self_attention: bool, causal: bool) -> HeadStats {
    let (_, m) = w.dim();
    let live: Vec<usize> = w
        .rows()
        .into_iter()
        .enumerate()
        .filter(|(i, r)| r.iter().any(|x| *x != 0.0) && !(causal && *i == 0))
        .map(|(i, _)| i)
        .collect();
    let at = |i: usize, j: usize| f64::from(w[[i, j]]);
    let ent = mean(
        live.iter()
            .map(|&i| entropy(w.row(i).iter().map(|x| f64::from(*x)))),
    )
    .unwrap_or(0.0);
    let previous = self_attention
        .then(|| {
            mean(
                live.iter()
                    .filter(|&&i| i >= 1 && i - 1 < m)
                    .map(|&i| at(i, i - 1)),
            )
        })
        .flatten();
    let itself = self_attention
        .then(|| mean(live.iter().filter(|&&i| i < m).map(|&i| at(i, i))))
        .flatten();
    let first = mean(
        live.iter()
            .filter(|&&i| !self_attention || i >= 1)
            .filter(|_| m > 0)
            .map(|&i| at(i, 0)),
    )
    .unwrap_or(0.0);
    // The keys a row can see: m, or i + 1 under a causal mask.
    let seen = |i: usize| if causal { (i + 1).min(m) } else { m };
    let broad_above =
        BROAD_FRACTION * mean(live.iter().map(|&i| (seen(i).max(1) as f64).ln())).unwrap_or(0.0);
    let over = |x: Option<f64>| x.is_some_and(|v| v > WEIGHT_THRESHOLD);
    let role = if over(previous) {
        Role::PreviousToken
    } else if over(itself) {
        Role::SelfToken
    } else if first > WEIGHT_THRESHOLD {
        Role::FirstToken
    } else if broad_above > 0.0 && ent > broad_above {
        Role::Broad
    } else {
        Role::Mixed
    };
    HeadStats {
        rows: live.len(),
        keys: m,
        entropy: ent,
        broad_above,
        previous,
        itself,
        first,
        role,
    }
}

/// One head of one attention block of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadSummary {
    /// The weights step, e.g. `enc.0.attn.weights`.
    pub step: String,
    /// Head index.
    pub head: usize,
    /// True for self-attention (encoder or decoder self), false for cross-attention.
    pub self_attention: bool,
    /// A causal mask hid the keys after each query (row 0 left out of the means).
    pub causal: bool,
    /// The numbers and the role.
    pub stats: HeadStats,
}

/// Every head of every attention-weights step of `trace`, in pipeline order.
pub fn summarize(trace: &Trace) -> Vec<HeadSummary> {
    let mut out = Vec::new();
    for s in trace
        .steps()
        .iter()
        .filter(|s| s.kind() == StepKind::Weights)
    {
        // Self-attention: an encoder or decoder self block (a hand-check's queries and keys
        // are different vectors, a cross block's different sentences).
        let (rows, cols) = s.dims();
        let self_attention = StepName::parse(s.name())
            .and_then(|n| n.block())
            .is_some_and(|b| b != Block::CrossAttn)
            && rows == cols;
        let masked =
            StepName::parse(s.name()).and_then(|n| trace.get(&n.with_part("masked").to_string()));
        for h in 0..s.heads().unwrap_or(1) {
            let head = s.heads().map(|_| h);
            let Ok(w) = s.matrix(head) else {
                continue;
            };
            // Causal: every score above the diagonal was set to −∞ (and there is one).
            let causal = self_attention
                && rows > 1
                && masked.and_then(|m| m.matrix(head).ok()).is_some_and(|m| {
                    m.indexed_iter()
                        .all(|((i, j), x)| j <= i || *x == f32::NEG_INFINITY)
                });
            out.push(HeadSummary {
                step: s.name().to_string(),
                head: h,
                self_attention,
                causal,
                stats: classify(w.view(), self_attention, causal),
            });
        }
    }
    out
}

/// The block of a weights step name, short: `enc.0.attn.weights` → `enc 0 self`,
/// `dec.1.cross_attn.weights` → `dec 1 cross`.
pub fn block_label(step: &str) -> String {
    match block_label_parts(step) {
        (place, "") => place,
        (place, kind) => format!("{place} {kind}"),
    }
}

/// [`block_label`] in its two parts: (`enc 0`, `self`); (the name, ``) outside the layers.
pub fn block_label_parts(step: &str) -> (String, &'static str) {
    match StepName::parse(step).map(|n| n.place) {
        Some(Place::Layer { side, layer, block }) => {
            let kind = if block == Block::CrossAttn {
                "cross"
            } else {
                "self"
            };
            (format!("{} {layer}", side.as_str()), kind)
        }
        _ => (step.to_string(), ""),
    }
}

/// The table `explore heads` prints, in `lang`: one line per head (its block, head, mean
/// row entropy, role and the rule's numbers), then the rule; columns padded by display
/// width (Hangul is two columns).
pub fn table(heads: &[HeadSummary], lang: Lang) -> String {
    if heads.is_empty() {
        return format!("{}\n", ExText::NoWeights.text(lang));
    }
    let word = |t: ExText| t.text(lang);
    // The entropy and role columns fit their heading and the longest role in the language.
    let (entropy_w, role_w) = match lang {
        Lang::En => (7, 14),
        Lang::Ko => (8, 10),
    };
    let mut s = format!(
        "{} {}  {}  {}  {}\n",
        pad_right(&word(ExText::Block), 26),
        pad_left(&word(ExText::Head), 4),
        pad_left(&word(ExText::Entropy), entropy_w),
        pad_right(&word(ExText::Role), role_w),
        word(ExText::Why)
    );
    for h in heads {
        s.push_str(&format!(
            "{} {:>4}  {:>entropy_w$.3}  {}  {}\n",
            pad_right(&h.step, 26),
            h.head,
            h.stats.entropy,
            pad_right(&role_text(h.stats.role, lang), role_w),
            head_reason(&h.stats, lang)
        ));
    }
    s.push_str(Ex::HeadsRule.text(lang).trim_end());
    s.push('\n');
    s
}

/// The rule in one paragraph, as printed under the table and in the view.
pub const RULE: &str = "entropy: mean row entropy in nats. role, first match wins: previous token when mean w[i][i−1] > 0.5 (self-attention, rows i ≥ 1); self when mean w[i][i] > 0.5; first token when mean w[i][0] > 0.5; broad when mean entropy > 0.8 × mean ln(keys a row sees); else mixed. Under a causal mask row 0 is left out (its one weight is forced).\n";

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn pure_previous_token() {
        // row 0 can only see itself (causal); rows 1.. put all weight on i−1
        let w = array![
            [1.0f32, 0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0]
        ];
        let s = classify(w.view(), true, false);
        assert_eq!(s.role, Role::PreviousToken);
        assert_eq!(s.previous, Some(1.0));
        assert_eq!(s.entropy, 0.0);
        assert_eq!(s.reason(), "mean w[i][i−1] = 1.000 > 0.5");
    }

    #[test]
    fn identity_is_self() {
        let w = Array2::<f32>::eye(3);
        let s = classify(w.view(), true, false);
        assert_eq!(s.role, Role::SelfToken);
        // mean w[i][i−1] over rows 1, 2 = 0; mean w[i][i] = 1
        assert_eq!(s.previous, Some(0.0));
    }

    #[test]
    fn first_column_is_first_token() {
        // mean over rows 1, 2 of w[i][0] = (0.7 + 0.7) / 2 = 0.7; w[i][i−1]: (0.7 + 0.1) / 2
        // = 0.4; w[i][i]: (1 + 0.2 + 0.2) / 3 = 0.467
        let w = array![[1.0f32, 0.0, 0.0], [0.7, 0.2, 0.1], [0.7, 0.1, 0.2]];
        let s = classify(w.view(), true, false);
        assert_eq!(s.role, Role::FirstToken);
        assert!((s.first - 0.7).abs() < 1e-6);
    }

    #[test]
    fn uniform_is_broad_and_in_between_is_mixed() {
        // uniform over 4: entropy ln 4 = 1.386 > 0.8·ln 4 = 1.109 ("> 1.109 = 0.8·mean ln")
        let w = Array2::<f32>::from_elem((4, 4), 0.25);
        let s = classify(w.view(), true, false);
        assert_eq!(s.role, Role::Broad);
        assert!((s.entropy - 4f64.ln()).abs() < 1e-6);
        // each row [0.5, 0.5, 0, 0] on the same two keys of a cross-attention:
        // first = 0.5 (not > 0.5), entropy ln 2 = 0.693 ≤ 1.109 → mixed
        let w = array![[0.5f32, 0.5, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]];
        let s = classify(w.view(), false, false);
        assert_eq!(s.role, Role::Mixed);
        assert_eq!(s.previous, None);
        assert!(s.reason().contains("w[i][0] 0.50"), "{}", s.reason());
    }

    #[test]
    fn cross_attention_ignores_positions() {
        // the diagonal of a cross-attention is no "self"
        let w = Array2::<f32>::eye(3);
        assert_ne!(classify(w.view(), false, false).role, Role::SelfToken);
    }

    #[test]
    fn causal_row_zero_is_left_out() {
        // Causal: row 0 = [1, 0, 0] is forced. Rows 1, 2 put 0.4 on themselves:
        // with row 0, mean w[i][i] = (1 + 0.4 + 0.4) / 3 = 0.6 > 0.5 ("self");
        // without it (0.4 + 0.4) / 2 = 0.4: not self.
        let w = array![[1.0f32, 0.0, 0.0], [0.6, 0.4, 0.0], [0.3, 0.3, 0.4]];
        assert_eq!(classify(w.view(), true, false).role, Role::SelfToken);
        let s = classify(w.view(), true, true);
        assert_eq!(s.rows, 2);
        assert_eq!(s.itself.map(|x| (x * 1e6).round() / 1e6), Some(0.4));
        assert_ne!(s.role, Role::SelfToken);
    }

    #[test]
    fn block_labels() {
        assert_eq!(block_label("enc.0.attn.weights"), "enc 0 self");
        assert_eq!(block_label("dec.1.cross_attn.weights"), "dec 1 cross");
        assert_eq!(block_label("dec.0.self_attn.weights"), "dec 0 self");
    }
}
