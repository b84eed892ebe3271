//! Layer normalisation.

use super::vecmath;

/// Inputs with at least this many values normalise their rows on all cores.
pub const PARALLEL_MIN_VALUES: usize = 1 << 16;
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};

/// `LayerNorm(x) = (x − mean) / √(var + eps) · gamma + beta`, over the last axis, with the
/// biased variance (divide by d, as PyTorch does).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNorm<'w> {
    /// Scale, d_model (initialised to 1).
    pub gamma: ArrayView1<'w, f32>,
    /// Shift, d_model (initialised to 0).
    pub beta: ArrayView1<'w, f32>,
    /// Added to the variance.
    pub eps: f32,
}

/// Mean and biased variance of one row, accumulated in f64 (the same bits as the forward
/// pass: [`vecmath::mean_var`]).
pub fn mean_var(row: impl Iterator<Item = f32> + Clone) -> (f32, f32) {
    vecmath::mean_var(&row.collect::<Vec<f32>>())
}

impl LayerNorm<'_> {
    /// Normalises every row of `x`.
    ///
    /// # Shapes
    /// `x`: n × d_model → n × d_model.
    pub fn forward(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        let (n, d) = x.dim();
        if let (Some(xs), Some(gamma), Some(beta)) =
            (x.as_slice(), self.gamma.as_slice(), self.beta.as_slice())
            && d > 0
            && gamma.len() == d
            && beta.len() == d
        {
            // The same operations in the same order as below, on slices; rows are
            // independent, so large inputs normalise their rows on all cores.
            let mut out = crate::buffers::recycled(n * d);
            vecmath::for_rows(&mut out, d, PARALLEL_MIN_VALUES, |i, row| {
                let x_row = &xs[i * d..(i + 1) * d];
                let (mean, var) = vecmath::mean_var(x_row);
                let inv = 1.0 / (var + self.eps).sqrt();
                for (((v, x), g), b) in row.iter_mut().zip(x_row).zip(gamma).zip(beta) {
                    *v = (*x - mean) * inv * g + b;
                }
            });
            return crate::buffers::into_matrix((n, d), out);
        }
        let mut out = x.to_owned();
        for mut row in out.axis_iter_mut(Axis(0)) {
            let (mean, var) = mean_var(row.iter().copied());
            let inv = 1.0 / (var + self.eps).sqrt();
            for ((v, g), b) in row.iter_mut().zip(self.gamma).zip(self.beta) {
                *v = (*v - mean) * inv * g + b;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::{Array1, array};

    #[test]
    fn layer_norm_by_hand() {
        // x = [1, 2, 3, 4]: mean = 2.5; deviations −1.5, −0.5, 0.5, 1.5;
        // var = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25; √(1.25 + 1e-5) = 1.1180384
        // out = [−1.3416355, −0.4472118, 0.4472118, 1.3416355]
        let (gamma, beta) = (Array1::ones(4), Array1::zeros(4));
        let ln = LayerNorm {
            gamma: gamma.view(),
            beta: beta.view(),
            eps: 1e-5,
        };
        let y = ln.forward(array![[1.0f32, 2.0, 3.0, 4.0]].view());
        for (got, want) in y
            .iter()
            .zip([-1.341_635_5, -0.447_211_8, 0.447_211_8, 1.341_635_5])
        {
            assert_abs_diff_eq!(*got, want, epsilon = 1e-5);
        }
    }

    /// The parallel path (≥ 2^16 values) gives the bits of the row-by-row one.
    #[test]
    fn parallel_rows_give_the_same_bits() {
        let x = Array2::from_shape_fn((300, 256), |(i, j)| {
            ((i * 37 + j * 11) % 101) as f32 * 0.03 - 1.4
        });
        let gamma = Array1::from_shape_fn(256, |j| 1.0 + j as f32 * 0.001);
        let beta = Array1::from_shape_fn(256, |j| j as f32 * -0.002);
        let ln = LayerNorm {
            gamma: gamma.view(),
            beta: beta.view(),
            eps: 1e-5,
        };
        let y = ln.forward(x.view());
        for (i, row) in x.rows().into_iter().enumerate() {
            let one = ln.forward(row.insert_axis(Axis(0)));
            assert_eq!(one.row(0), y.row(i));
        }
    }

    #[test]
    fn gamma_and_beta_apply_after_normalising() {
        // x = [0, 2]: mean 1, var 1 → [−1, 1] (eps ≈ 0); gamma [2, 3], beta [1, 1] → [−1, 4]
        let (gamma, beta) = (array![2.0, 3.0], array![1.0, 1.0]);
        let ln = LayerNorm {
            gamma: gamma.view(),
            beta: beta.view(),
            eps: 1e-12,
        };
        let y = ln.forward(array![[0.0f32, 2.0]].view());
        assert_abs_diff_eq!(y[[0, 0]], -1.0, epsilon = 1e-5);
        assert_abs_diff_eq!(y[[0, 1]], 4.0, epsilon = 1e-5);
    }
}
