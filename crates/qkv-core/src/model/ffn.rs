//! The position-wise feed-forward network `max(0, x W1 + b1) W2 + b2`.

use ndarray::{Array2, ArrayView1, ArrayView2};

use super::linalg::matmul;
use super::vecmath;

/// Matrices with at least this many values add the bias and take the ReLU on all cores:
/// below it, waking the other threads costs more than the work.
const PARALLEL_MIN_VALUES: usize = 1 << 20;

/// Two linear maps with a ReLU between them, applied to every position alike.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedForward<'w> {
    /// d_model × d_ff.
    pub w1: ArrayView2<'w, f32>,
    /// d_ff.
    pub b1: ArrayView1<'w, f32>,
    /// d_ff × d_model.
    pub w2: ArrayView2<'w, f32>,
    /// d_model.
    pub b2: ArrayView1<'w, f32>,
}

/// Every intermediate of one FFN call.
#[derive(Debug, Clone, PartialEq)]
pub struct FfnSteps {
    /// `x W1 + b1` (n × d_ff).
    pub hidden: Array2<f32>,
    /// `max(0, hidden)` (n × d_ff).
    pub relu: Array2<f32>,
    /// `relu W2 + b2` (n × d_model).
    pub out: Array2<f32>,
}

impl FeedForward<'_> {
    /// Runs the FFN on every row of `x`.
    ///
    /// # Shapes
    /// `x`: n × d_model → hidden, relu: n × d_ff; out: n × d_model.
    pub fn forward(&self, x: ArrayView2<'_, f32>) -> FfnSteps {
        let hidden = add_bias(matmul(x, self.w1), self.b1);
        let relu = match hidden.as_slice() {
            Some(h) => {
                // max(0, hidden), row by row (on all cores when large)
                let mut relu = crate::buffers::recycled(h.len());
                let width = hidden.ncols();
                vecmath::for_rows(&mut relu, width, PARALLEL_MIN_VALUES, |i, row| {
                    for (r, h) in row.iter_mut().zip(&h[i * width..]) {
                        *r = h.max(0.0);
                    }
                });
                crate::buffers::into_matrix(hidden.dim(), relu)
            }
            None => hidden.mapv(|h| h.max(0.0)),
        };
        let out = add_bias(matmul(relu.view(), self.w2), self.b2);
        FfnSteps { hidden, relu, out }
    }
}

/// `x + b` with `b` added to every row (row by row, on all cores when large).
///
/// # Shapes
/// `x`: n × m, `b`: m → n × m.
fn add_bias(mut x: Array2<f32>, b: ArrayView1<'_, f32>) -> Array2<f32> {
    let width = x.ncols();
    match (x.as_slice_mut(), b.as_slice()) {
        (Some(data), Some(b)) if b.len() == width => {
            vecmath::for_rows(data, width, PARALLEL_MIN_VALUES, |_, row| {
                for (v, b) in row.iter_mut().zip(b) {
                    *v += b;
                }
            });
            x
        }
        _ => x + b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn ffn_by_hand() {
        // x = [1, −1]; W1 = [[1, 2], [3, 4]], b1 = [0.5, 0]
        // hidden = [1·1 + (−1)·3 + 0.5, 1·2 + (−1)·4 + 0] = [−1.5, −2] → relu [0, 0]
        // x = [2, 1]: hidden = [2 + 3 + 0.5, 4 + 4] = [5.5, 8] → relu [5.5, 8]
        // W2 = [[1], [−1]] (d_model 1 for the output), b2 = [0.25]: out = 5.5 − 8 + 0.25 = −2.25
        let (w1, b1) = (array![[1.0, 2.0], [3.0, 4.0]], array![0.5, 0.0]);
        let (w2, b2) = (array![[1.0], [-1.0]], array![0.25]);
        let f = FeedForward {
            w1: w1.view(),
            b1: b1.view(),
            w2: w2.view(),
            b2: b2.view(),
        };
        let s = f.forward(array![[1.0f32, -1.0], [2.0, 1.0]].view());
        assert_eq!(s.hidden, array![[-1.5, -2.0], [5.5, 8.0]]);
        assert_eq!(s.relu, array![[0.0, 0.0], [5.5, 8.0]]);
        assert_eq!(s.out, array![[0.25], [-2.25]]);
    }
}
