//! The matrix products of the model, in one place so that the backend can be chosen here.

use ndarray::{Array2, ArrayView2};

/// `a · b`.
///
/// # Shapes
/// `a`: n × k, `b`: k × m → n × m.
pub fn matmul(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> Array2<f32> {
    a.dot(&b)
}

/// `a · bᵀ`.
///
/// # Shapes
/// `a`: n × k, `b`: m × k → n × m.
pub fn matmul_bt(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> Array2<f32> {
    a.dot(&b.t())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn products_by_hand() {
        // [1 2; 3 4] · [5 6; 7 8] = [1·5+2·7, 1·6+2·8; 3·5+4·7, 3·6+4·8] = [19 22; 43 50]
        let a = array![[1.0f32, 2.0], [3.0, 4.0]];
        let b = array![[5.0f32, 6.0], [7.0, 8.0]];
        assert_eq!(
            matmul(a.view(), b.view()),
            array![[19.0, 22.0], [43.0, 50.0]]
        );
        // a · bᵀ = [1·5+2·6, 1·7+2·8; 3·5+4·6, 3·7+4·8] = [17 23; 39 53]
        assert_eq!(
            matmul_bt(a.view(), b.view()),
            array![[17.0, 23.0], [39.0, 53.0]]
        );
    }
}
