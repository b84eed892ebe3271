//! The gradient check: every weight's gradient from [`backward`] against central differences
//! `(loss(w + h) − loss(w − h)) / 2h`, one value at a time.

use ndarray::Array1;

use crate::model::weights::EMBEDDING;
use crate::model::{Input, Param, Pass, Transformer};

use super::backward::{BackwardError, backward};
use super::loss::{cross_entropy, targets};

/// How one weight's gradient compares with central differences.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightCheck {
    /// Weight name (`embed.E`, `enc.0.attn.W_Q`, …).
    pub name: String,
    /// Number of values checked.
    pub checked: usize,
    /// Values where the slopes left and right of the value differ by more than 2 % (a ReLU
    /// unit switching within ±h, or strong curvature): their gradient is checked against the
    /// interval between the two slopes instead of the central difference.
    pub kinks: usize,
    /// Largest |analytic − central difference| (at kinks: distance from the interval
    /// between the one-sided slopes).
    pub max_abs: f64,
    /// Largest such distance / max(|analytic|, |central difference|, floor).
    pub max_rel: f64,
    /// Where the largest relative difference is: (flat index, analytic, numeric).
    pub worst: (usize, f64, f64),
}

impl WeightCheck {
    /// True when the largest relative difference is within `tolerance`; a NaN difference
    /// never is.
    pub fn passes(&self, tolerance: f64) -> bool {
        self.max_rel <= tolerance
    }
}

/// The loss of `model` on `input`.
pub fn loss_of(model: &Transformer, input: &Input, smoothing: f32) -> Result<f64, BackwardError> {
    let trace = model.forward(input, Pass::default())?;
    let t = targets(&trace)?;
    let logits = trace.step("logits")?.matrix(None)?;
    Ok(cross_entropy(logits.view(), &t, smoothing)?.0.value)
}

/// Checks every weight of `model` (at most `per_weight` values of each, evenly spaced, when
/// given) with step `h`. Relative differences use `floor` as the smallest denominator, so
/// that gradients near zero compare by absolute difference.
pub fn gradcheck(
    model: &Transformer,
    input: &Input,
    smoothing: f32,
    h: f32,
    per_weight: Option<usize>,
    floor: f64,
) -> Result<Vec<WeightCheck>, BackwardError> {
    let trace = model.forward(input, Pass::default())?;
    let grads = backward(model, &trace, smoothing)?;
    let vocab = trace.tokens().vocab.clone();
    let base = loss_of(model, input, smoothing)?;
    let mut out = Vec::new();
    for (grad_name, analytic) in &grads.weights {
        let name = grad_name.trim_start_matches("grad.");
        let analytic: Vec<f32> = analytic.values().collect();
        let len = analytic.len();
        let picks: Vec<usize> = match per_weight {
            Some(k) if k < len => (0..k).map(|i| i * len / k).collect(),
            _ => (0..len).collect(),
        };
        let mut check = WeightCheck {
            name: name.to_string(),
            checked: 0,
            kinks: 0,
            max_abs: 0.0,
            max_rel: 0.0,
            worst: (0, 0.0, 0.0),
        };
        for index in picks {
            let at = |delta: f32| -> Result<f64, BackwardError> {
                let mut m = model.clone();
                nudge(&mut m, name, &vocab, index, delta)?;
                loss_of(&m, input, smoothing)
            };
            // On a smooth loss the slopes left and right of w agree with the central
            // difference up to about h · L''; where a ReLU unit switches within ±h they
            // differ by a jump, and the true derivative at w is one of them. Where the two
            // slopes differ by more than 2 % (a kink, or strong curvature) the gradient is
            // compared with the interval between them, elsewhere with the central difference.
            let (plus, minus) = (at(h)?, at(-h)?);
            let step = f64::from(h);
            let (right, left) = ((plus - base) / step, (base - minus) / step);
            let numeric = (plus - minus) / (2.0 * step);
            let kink = (right - left).abs() > 0.02 * right.abs().max(left.abs()).max(floor);
            check.checked += 1;
            let a = f64::from(analytic[index]);
            let abs = if kink {
                check.kinks += 1;
                let (lo, hi) = (left.min(right), left.max(right));
                if a < lo {
                    lo - a
                } else if a > hi {
                    a - hi
                } else {
                    0.0
                }
            } else {
                (a - numeric).abs()
            };
            let rel = abs / a.abs().max(numeric.abs()).max(floor);
            // A NaN difference (a NaN loss or gradient) is the worst there is: it takes the
            // maximum and keeps it (`f64::max` would drop it, and the check would pass).
            if abs.is_nan() || abs > check.max_abs {
                check.max_abs = abs;
            }
            if check.max_rel.is_nan() {
                continue;
            }
            if rel.is_nan() || rel >= check.max_rel {
                check.max_rel = rel;
                check.worst = (index, a, numeric);
            }
        }
        out.push(check);
    }
    Ok(out)
}

/// Adds `delta` to value `index` (row-major) of weight `name`. For a model without a fixed
/// vocabulary, `embed.E`'s rows are the tokens' vectors, changed through overrides.
fn nudge(
    m: &mut Transformer,
    name: &str,
    vocab: &[String],
    index: usize,
    delta: f32,
) -> Result<(), BackwardError> {
    let d = m.config().d_model;
    if name == EMBEDDING && m.vocab().is_none() {
        let token = vocab
            .get(index / d.max(1))
            .ok_or_else(|| BackwardError::Weight(name.to_string()))?;
        let mut v: Array1<f32> = m.embedding().vector(token);
        v[index % d] += delta;
        return m
            .embedding_mut()
            .set_override(token, v)
            .map_err(|_| BackwardError::Weight(name.to_string()));
    }
    let mut p = m
        .weights()
        .get(name)
        .cloned()
        .ok_or_else(|| BackwardError::Weight(name.to_string()))?;
    match &mut p {
        Param::Matrix(a) => {
            if let Some(v) = a.iter_mut().nth(index) {
                *v += delta;
            }
        }
        Param::Vector(a) => {
            if let Some(v) = a.iter_mut().nth(index) {
                *v += delta;
            }
        }
    }
    m.weights_mut()
        .set(name, p)
        .map(|_| ())
        .map_err(|_| BackwardError::Weight(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arch, Config, Norm, Preset, Vocab};

    fn tiny(arch: Arch, norm: Norm) -> Config {
        let mut c = Config::preset(Preset::Tiny);
        c.arch = arch;
        c.norm = norm;
        c.layers.encoder = 1;
        c.layers.decoder = 1;
        c
    }

    /// Every weight of a tiny model of each architecture and norm placement agrees with
    /// central differences (f32 forward passes: h = 2e-3, relative to max(|g|, 1e-2)).
    #[test]
    fn every_architecture_matches_finite_differences() {
        for arch in [Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder] {
            for norm in [Norm::Post, Norm::Pre] {
                let c = tiny(arch, norm);
                let input =
                    Input::new(&c, "나는 학교에 간다", Some("<bos> I go to school")).unwrap();
                let model = Transformer::new(c.clone().validate().unwrap());
                let checks = gradcheck(&model, &input, 0.0, 2e-3, Some(12), 1e-2).unwrap();
                assert!(checks.len() > 10);
                for ch in &checks {
                    assert!(
                        ch.max_rel < 2e-2,
                        "{arch} {norm}: {} max_rel {} at {:?}",
                        ch.name,
                        ch.max_rel,
                        ch.worst
                    );
                }
                // Some gradient is not zero, and most values were compared with the central
                // difference rather than the wider interval of the slopes at a kink (the
                // check is not vacuous).
                assert!(
                    checks.iter().any(|c| c.worst.1.abs() > 1e-3),
                    "{arch} {norm}"
                );
                let (done, kinks): (usize, usize) = checks
                    .iter()
                    .fold((0, 0), |(d, k), c| (d + c.checked, k + c.kinks));
                assert!(
                    kinks * 5 < done,
                    "{arch} {norm}: {kinks} kinks, {done} checked"
                );
            }
        }
    }

    /// With h = 0 every central difference is (L − L) / 0 = 0/0 = NaN: each check fails
    /// (its maximum is NaN), none has the NaN dropped from its maximum as `f64::max` drops
    /// it (which reported 0 and passed).
    #[test]
    fn a_nan_difference_fails_the_check() {
        let c = tiny(Arch::EncoderDecoder, Norm::Post);
        let input = Input::new(&c, "나는 학교에 간다", Some("<bos> I go to school")).unwrap();
        let model = Transformer::new(c.clone().validate().unwrap());
        let checks = gradcheck(&model, &input, 0.0, 0.0, Some(2), 1e-2).unwrap();
        assert!(!checks.is_empty());
        for ch in &checks {
            assert!(ch.max_rel.is_nan() && ch.max_abs.is_nan(), "{ch:?}");
            assert!(!ch.passes(2e-2), "{ch:?}");
        }
    }

    #[test]
    fn vocabulary_models_and_smoothing_match_too() {
        let c = tiny(Arch::EncoderDecoder, Norm::Post);
        let vocab = Vocab::build(["나는", "학교에", "간다", "I", "go", "to", "school"]);
        let model = Transformer::with_vocab(c.clone().validate().unwrap(), vocab);
        // 집에 is unknown: it reads <unk>'s row.
        let input = Input::new(&c, "나는 집에 간다", Some("<bos> I go to school")).unwrap();
        let checks = gradcheck(&model, &input, 0.1, 2e-3, Some(10), 1e-2).unwrap();
        assert_eq!(checks[0].name, "embed.E");
        for ch in &checks {
            assert!(
                ch.max_rel < 2e-2,
                "{}: {} at {:?}",
                ch.name,
                ch.max_rel,
                ch.worst
            );
        }
    }
}
