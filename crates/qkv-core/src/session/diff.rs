//! What a rerun changed: the traces before and after compared step by step.

use crate::i18n::{Lang, session::SessionMsg};
use crate::trace::{Step, Trace};

/// What a rerun changed, step by step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diff {
    /// (step, max |Δ|) for steps present in both runs with the same shape.
    pub changed: Vec<(String, f32)>,
    /// Steps whose shape changed.
    pub reshaped: Vec<String>,
    /// Steps only in the new run.
    pub added: Vec<String>,
    /// Steps only in the old run.
    pub removed: Vec<String>,
}

impl Diff {
    /// Compares two traces step by step. Consecutive per-head steps (an attention block's
    /// `q` … `head_out`) are compared on one thread, so that the four steps a trace
    /// recomputes on access compare their heads once ([`Step::max_abs_diff`]: each head's
    /// scores and weights of both sides computed once, or not at all when the rerun's pass
    /// compared them as it went); blocks run in parallel.
    pub fn between(old: &Trace, new: &Trace) -> Diff {
        use rayon::prelude::*;
        let steps = new.steps();
        // Runs of consecutive steps: per-head runs of one head count, or single steps.
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            match runs.last_mut() {
                Some(r)
                    if s.heads().is_some() && steps[r.start].heads() == s.heads() && r.end == i =>
                {
                    r.end = i + 1;
                }
                _ => runs.push(i..i + 1),
            }
        }
        let compare = |r: &std::ops::Range<usize>| compare_run(old, &steps[r.clone()], r.start);
        // Threads pay off only when there is real work (recomputed heads at base size).
        let results: Vec<Vec<(usize, Option<Option<f32>>)>> = if new.stored_bytes() > 1 << 20 {
            runs.par_iter().map(compare).collect()
        } else {
            runs.iter().map(compare).collect()
        };
        let mut d = Diff::default();
        for (i, res) in results.into_iter().flatten() {
            let name = steps[i].name().to_string();
            match res {
                None => d.added.push(name),
                Some(Some(x)) => d.changed.push((name, x)),
                Some(None) => d.reshaped.push(name),
            }
        }
        d.removed = old
            .names()
            .filter(|n| new.get(n).is_none())
            .map(str::to_string)
            .collect();
        d
    }

    /// Steps whose values moved.
    pub fn changed_count(&self) -> usize {
        self.changed.iter().filter(|(_, x)| *x > 0.0).count()
    }

    /// The largest change and its step.
    pub fn largest(&self) -> Option<(&str, f32)> {
        self.changed
            .iter()
            .filter(|(_, x)| *x > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(n, x)| (n.as_str(), *x))
    }

    /// One line: `12 of 100 steps changed, largest change 0.53 in enc.0.attn.scaled`.
    pub fn summary(&self, precision: usize) -> String {
        self.summary_in(precision, Lang::En)
    }

    /// [`Diff::summary`] in `lang` (`단계 100개 중 12개가 바뀜, …`).
    pub fn summary_in(&self, precision: usize, lang: Lang) -> String {
        let total = self.changed.len() + self.reshaped.len() + self.added.len();
        SessionMsg::Summary {
            changed: self.changed_count() + self.reshaped.len() + self.added.len(),
            total,
            largest: self.largest().map(|(n, x)| {
                let value = (!x.is_infinite()).then(|| crate::render::fmt_value(x, precision));
                (value, n.to_string())
            }),
            reshaped: self.reshaped.len(),
            added: self.added.len(),
            removed: self.removed.len(),
        }
        .text(lang)
    }
}

/// For each step of a run (indices from `first`): `None` when `old` lacks it, `Some(None)`
/// when its shape changed, else the largest change.
#[allow(clippy::option_option)] // the three cases above, private to the diff
fn compare_run(old: &Trace, run: &[Step], first: usize) -> Vec<(usize, Option<Option<f32>>)> {
    run.iter()
        .enumerate()
        .map(|(k, s)| {
            let res = old
                .get(s.name())
                .map(|o| (o.shape() == s.shape()).then(|| o.max_abs_diff(s).unwrap_or(0.0)));
            (first + k, res)
        })
        .collect()
}
