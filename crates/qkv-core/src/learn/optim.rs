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

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Paper { warmup, factor } => write!(
                f,
                "lr = {factor} · d_model^−0.5 · min(step^−0.5, step · {warmup}^−1.5)"
            ),
            Schedule::Constant(lr) => write!(f, "lr = {lr} (constant)"),
        }
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
        let moments = &mut self.moments;
        weights.update(|name, p| {
            let Some(g) = by_name.get(name) else {
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
            match method {
                Method::Sgd => {
                    for (w, g) in values.iter_mut().zip(grad) {
                        *w -= lr * g;
                    }
                }
                Method::Adam => {
                    if !moments.contains_key(name) {
                        moments.insert(
                            name.to_string(),
                            Moments {
                                m: vec![0.0; grad.len()],
                                v: vec![0.0; grad.len()],
                            },
                        );
                    }
                    let Some(st) = moments.get_mut(name) else {
                        return;
                    };
                    for (((w, g), m), v) in
                        values.iter_mut().zip(grad).zip(&mut st.m).zip(&mut st.v)
                    {
                        *m = b1 * *m + (1.0 - b1) * g;
                        *v = b2 * *v + (1.0 - b2) * g * g;
                        let m_hat = *m / c1;
                        let v_hat = *v / c2;
                        *w -= lr * m_hat / (v_hat.sqrt() + eps);
                    }
                }
            }
        });
        lr
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
}
