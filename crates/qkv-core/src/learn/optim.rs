//! Optimisers and learning-rate schedules: Adam (β₁ 0.9, β₂ 0.98, ε 1e-9, the paper's §5.3)
//! with the paper's warm-up schedule, and plain SGD / a constant rate for teaching.

use std::collections::HashMap;
use std::fmt;

use crate::model::{Param, Weights};

/// How the learning rate moves with the step number (steps count from 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// The paper's `lr = factor · d_model^−0.5 · min(step^−0.5, step · warmup^−1.5)`: a
    /// linear warm-up for `warmup` steps, then decay with the inverse square root.
    Paper {
        /// Warm-up steps.
        warmup: usize,
        /// Scale factor (1 in the paper).
        factor: f32,
    },
    /// The same rate at every step.
    Constant(f32),
}

impl Schedule {
    /// Why the schedule cannot train: a rate (`Constant`) or scale factor (`Paper`) that is
    /// not a positive finite number (a negative one climbs the loss, NaN ruins every
    /// weight at the first update).
    pub fn problem(&self) -> Option<String> {
        let (what, v) = match *self {
            Schedule::Constant(lr) => ("learning rate", lr),
            Schedule::Paper { factor, .. } => ("learning-rate factor", factor),
        };
        (!(v > 0.0 && v.is_finite()))
            .then(|| format!("the {what} {v} must be a positive finite number"))
    }

    /// The rate at `step` (≥ 1) for a model of width `d_model`.
    pub fn rate(&self, step: usize, d_model: usize) -> f32 {
        match *self {
            Schedule::Constant(lr) => lr,
            Schedule::Paper { warmup, factor } => {
                let s = step.max(1) as f64;
                let w = warmup.max(1) as f64;
                let lr = (d_model.max(1) as f64).powf(-0.5) * s.powf(-0.5).min(s * w.powf(-1.5));
                (f64::from(factor) * lr) as f32
            }
        }
    }
}

/// How much room a schedule's formula ([`Schedule::formula`]) may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `0.5 · d_model^−0.5 · min(step^−0.5, step · 100^−1.5)`.
    Full,
    /// `0.5·32^−0.5·min(s^−0.5, s·100^−1.5)`: the width put in, `s` the step.
    Numbers,
    /// `lr=0.5·32^−½·min(s^−½,s·100^−1.5)`: the whole formula, left side included.
    Short,
}

impl Schedule {
    /// The right-hand side of `lr = …` for a model of width `d_model`, with every factor
    /// (the scale factor included), in as much room as `form` says ([`Form::Short`]: the
    /// whole formula).
    pub fn formula(&self, d_model: usize, form: Form) -> String {
        match (*self, form) {
            (Schedule::Paper { warmup, factor }, Form::Full) => {
                format!("{factor} · d_model^−0.5 · min(step^−0.5, step · {warmup}^−1.5)")
            }
            (Schedule::Paper { warmup, factor }, Form::Numbers) => {
                format!("{factor}·{d_model}^−0.5·min(s^−0.5, s·{warmup}^−1.5)")
            }
            (Schedule::Paper { warmup, factor }, Form::Short) => {
                format!("lr={factor}·{d_model}^−½·min(s^−½,s·{warmup}^−1.5)")
            }
            (Schedule::Constant(lr), Form::Full) => format!("{lr} (constant)"),
            (Schedule::Constant(lr), Form::Numbers) => lr.to_string(),
            (Schedule::Constant(lr), Form::Short) => format!("lr={lr}"),
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lr = {}", self.formula(0, Form::Full))
    }
}

/// The update rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Adam with the paper's β₁ = 0.9, β₂ = 0.98, ε = 1e-9.
    Adam,
    /// `w ← w − lr · g`.
    Sgd,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Adam => "adam",
            Method::Sgd => "sgd",
        })
    }
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Method, String> {
        match s {
            "adam" => Ok(Method::Adam),
            "sgd" => Ok(Method::Sgd),
            other => Err(format!("unknown optimiser {other:?}: expected adam or sgd")),
        }
    }
}

/// Adam's first and second moments of one weight.
#[derive(Debug, Clone, PartialEq)]
struct Moments {
    m: Vec<f32>,
    v: Vec<f32>,
}

/// An optimiser with its state.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimizer {
    /// The update rule.
    pub method: Method,
    /// The learning-rate schedule.
    pub schedule: Schedule,
    /// Adam's β₁.
    pub beta1: f32,
    /// Adam's β₂.
    pub beta2: f32,
    /// Adam's ε.
    pub eps: f32,
    /// Updates made so far.
    step: usize,
    moments: HashMap<String, Moments>,
}

impl Optimizer {
    /// A fresh optimiser (the paper's Adam constants).
    pub fn new(method: Method, schedule: Schedule) -> Optimizer {
        Optimizer {
            method,
            schedule,
            beta1: 0.9,
            beta2: 0.98,
            eps: 1e-9,
            step: 0,
            moments: HashMap::new(),
        }
    }

    /// Updates made so far.
    pub fn steps(&self) -> usize {
        self.step
    }

    /// The rate the next update will use.
    pub fn next_rate(&self, d_model: usize) -> f32 {
        self.schedule.rate(self.step + 1, d_model)
    }

    /// One update of every weight from `grads` (`grad.<name>` → gradient, as
    /// [`super::Gradients::weights`]); returns the rate used. Weights without a gradient
    /// stay as they are.
    pub fn update(
        &mut self,
        weights: &mut Weights,
        grads: &[(String, Param)],
        d_model: usize,
    ) -> f32 {
        self.step += 1;
        let t = self.step as i32;
        let lr = self.schedule.rate(self.step, d_model);
        let by_name: HashMap<&str, &Param> = grads
            .iter()
            .map(|(n, p)| (n.strip_prefix("grad.").unwrap_or(n), p))
            .collect();
        let (b1, b2, eps) = (self.beta1, self.beta2, self.eps);
        let (c1, c2) = (1.0 - b1.powi(t), 1.0 - b2.powi(t));
        let method = self.method;
        // Adam's moments of every weight with a gradient exist before the weights are
        // updated in parallel, each weight with its own moments (the same arithmetic on each
        // value whatever the order).
        if method == Method::Adam {
            for (name, p) in weights.iter() {
                let fits = by_name.get(name).is_some_and(|g| g.len() == p.len());
                if fits && !self.moments.contains_key(name) {
                    self.moments.insert(
                        name.to_string(),
                        Moments {
                            m: vec![0.0; p.len()],
                            v: vec![0.0; p.len()],
                        },
                    );
                }
            }
        }
        let mut moments: HashMap<&str, &mut Moments> = self
            .moments
            .iter_mut()
            .map(|(n, m)| (n.as_str(), m))
            .collect();
        let per_weight: Vec<(Option<&Param>, Option<&mut Moments>)> = weights
            .iter()
            .map(|(name, _)| (by_name.get(name).copied(), moments.remove(name)))
            .collect();
        weights.update_each(per_weight, |_, p, (g, st)| {
            let Some(g) = g else {
                return;
            };
            let (values, grad): (&mut [f32], &[f32]) = match (p, g) {
                (Param::Matrix(m), Param::Matrix(g)) => match (m.as_slice_mut(), g.as_slice()) {
                    (Some(v), Some(g)) => (v, g),
                    _ => return,
                },
                (Param::Vector(v), Param::Vector(g)) => match (v.as_slice_mut(), g.as_slice()) {
                    (Some(v), Some(g)) => (v, g),
                    _ => return,
                },
                _ => return,
            };
            if grad.len() != values.len() {
                return;
            }
            match (method, st) {
                (Method::Sgd, _) => {
                    for (w, g) in values.iter_mut().zip(grad) {
                        *w -= lr * g;
                    }
                }
                (Method::Adam, Some(st)) => {
                    adam(
                        values,
                        grad,
                        &mut st.m,
                        &mut st.v,
                        [b1, b2, c1, c2, lr, eps],
                    );
                }
                (Method::Adam, None) => {}
            }
        });
        lr
    }
}

/// Adam's update of one weight's values `w` from its gradient `g` and moments `m`, `v`, with
/// `[β₁, β₂, 1 − β₁ᵗ, 1 − β₂ᵗ, rate, ε]`, run through pulp's dispatch like the softmax
/// (`model::vecmath`): the loop is compiled for the processor's vector instructions (AVX2
/// where available), 8 lanes instead of the baseline's 4, which halves the divisions' cost.
/// The same bits either way: division and square root are exactly rounded at every width, and
/// Rust never fuses a multiply and an add.
///
/// # Shapes
/// `w`, `g`, `m`, `v`: n.
fn adam(w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], k: [f32; 6]) {
    faer::traits::pulp::Arch::new().dispatch(AdamKernel { w, g, m, v, k });
}

/// The arguments of [`adam`], for the dispatch.
struct AdamKernel<'a> {
    w: &'a mut [f32],
    g: &'a [f32],
    m: &'a mut [f32],
    v: &'a mut [f32],
    k: [f32; 6],
}

impl faer::traits::pulp::WithSimd for AdamKernel<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: faer::traits::pulp::Simd>(self, _: S) {
        adam_kernel(self.w, self.g, self.m, self.v, self.k);
    }
}

/// The loop of [`adam`]: slices of one length, indexed alike, so that the compiler turns it
/// into vector instructions (the same operations on every lane).
#[inline(always)]
fn adam_kernel(w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], k: [f32; 6]) {
    let [b1, b2, c1, c2, lr, eps] = k;
    let n = w.len().min(g.len()).min(m.len()).min(v.len());
    let (w, g, m, v) = (&mut w[..n], &g[..n], &mut m[..n], &mut v[..n]);
    for i in 0..n {
        m[i] = b1 * m[i] + (1.0 - b1) * g[i];
        v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
        let m_hat = m[i] / c1;
        let v_hat = v[i] / c2;
        w[i] -= lr * m_hat / (v_hat.sqrt() + eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    #[test]
    fn paper_schedule_by_hand() {
        // d_model 512, warmup 4000: step 1 → 512^−0.5 · 1 · 4000^−1.5
        //   = 0.0441942 · 3.9528e-6 = 1.7469e-7
        // step 4000 (the peak) → 0.0441942 · 4000^−0.5 = 0.0441942 · 0.0158114 = 6.9877e-4
        let s = Schedule::Paper {
            warmup: 4000,
            factor: 1.0,
        };
        assert!((s.rate(1, 512) - 1.7469e-7).abs() < 1e-10);
        assert!((s.rate(4000, 512) - 6.9877e-4).abs() < 1e-7);
        assert!(s.rate(4000, 512) > s.rate(3999, 512));
        assert!(s.rate(4000, 512) > s.rate(4001, 512));
        assert_eq!(Schedule::Constant(0.5).rate(7, 8), 0.5);
    }

    #[test]
    fn a_rate_or_factor_must_be_positive_and_finite() {
        for v in [-1.0, 0.0, f32::NAN, f32::INFINITY] {
            let c = Schedule::Constant(v).problem();
            assert_eq!(
                c,
                Some(format!(
                    "the learning rate {v} must be a positive finite number"
                ))
            );
            let p = Schedule::Paper {
                warmup: 10,
                factor: v,
            };
            assert!(p.problem().is_some_and(|m| m.contains("factor")), "{v}");
        }
        assert_eq!(Schedule::Constant(1e-4).problem(), None);
        assert_eq!(
            Schedule::Paper {
                warmup: 0,
                factor: 0.5
            }
            .problem(),
            None
        );
    }

    fn one_weight(v: f32) -> Weights {
        Weights::from_named(vec![("w".into(), Param::Vector(Array1::from(vec![v])))])
    }

    #[test]
    fn sgd_and_adam_steps_by_hand() {
        let g = vec![("grad.w".to_string(), Param::Vector(Array1::from(vec![2.0])))];
        // SGD: 1 − 0.1 · 2 = 0.8
        let mut w = one_weight(1.0);
        let mut o = Optimizer::new(Method::Sgd, Schedule::Constant(0.1));
        o.update(&mut w, &g, 8);
        assert!((w.vector("w").unwrap()[0] - 0.8).abs() < 1e-7);
        // Adam, first step: m = 0.1·2 = 0.2, v = 0.02·4 = 0.08; m̂ = 0.2/0.1 = 2,
        // v̂ = 0.08/0.02 = 4; w = 1 − 0.1 · 2 / (2 + 1e-9) = 0.9
        let mut w = one_weight(1.0);
        let mut o = Optimizer::new(Method::Adam, Schedule::Constant(0.1));
        o.update(&mut w, &g, 8);
        assert!((w.vector("w").unwrap()[0] - 0.9).abs() < 1e-6);
        assert_eq!(o.steps(), 1);
    }

    /// Enough weights for the update to run on several threads: every value gets the bits
    /// of Adam's formula computed value by value here, over two steps (so the moments carry
    /// over), and a weight without a gradient keeps its values.
    #[test]
    fn a_parallel_update_gives_every_value_the_formulas_bits() {
        let (rows, cols) = (300, 256); // 76,800 values per matrix, 3 matrices
        assert!(3 * rows * cols >= crate::model::weights::PARALLEL_UPDATE_MIN_VALUES);
        let value = |i: usize, k: usize| ((i * 7919 + k * 104_729) % 1000) as f32 / 500.0 - 1.0;
        let matrix = |k: usize| {
            Param::Matrix(ndarray::Array2::from_shape_fn((rows, cols), |(r, c)| {
                value(r * cols + c, k)
            }))
        };
        let mut w = Weights::from_named(vec![
            ("a".into(), matrix(1)),
            ("b".into(), matrix(2)),
            ("c".into(), matrix(3)),
        ]);
        let before = w.clone();
        let grads = |step: usize| {
            ["a", "b"]
                .iter()
                .enumerate()
                .map(|(k, n)| (format!("grad.{n}"), matrix(10 * step + k)))
                .collect::<Vec<_>>()
        };
        let mut o = Optimizer::new(Method::Adam, Schedule::Constant(0.01));
        o.update(&mut w, &grads(1), 8);
        o.update(&mut w, &grads(2), 8);
        let (b1, b2, eps, lr) = (0.9f32, 0.98f32, 1e-9f32, 0.01f32);
        for (k, name) in ["a", "b"].iter().enumerate() {
            let (start, end) = (before.matrix(name).unwrap(), w.matrix(name).unwrap());
            let (start, end) = (start.as_slice().unwrap(), end.as_slice().unwrap());
            for i in 0..rows * cols {
                let (mut x, mut m, mut v) = (start[i], 0.0f32, 0.0f32);
                for t in 1..=2 {
                    let g = value(i, 10 * t + k);
                    m = b1 * m + (1.0 - b1) * g;
                    v = b2 * v + (1.0 - b2) * g * g;
                    let m_hat = m / (1.0 - b1.powi(t as i32));
                    let v_hat = v / (1.0 - b2.powi(t as i32));
                    x -= lr * m_hat / (v_hat.sqrt() + eps);
                }
                assert_eq!(end[i].to_bits(), x.to_bits(), "{name}[{i}]");
            }
        }
        assert_eq!(w.get("c"), before.get("c"));
    }
}
