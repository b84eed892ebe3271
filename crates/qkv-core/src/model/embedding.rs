//! Token embeddings and the sinusoidal positional encoding.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use ndarray::{Array1, Array2, Axis, Slice};

use super::init::token_vector;

/// The paper's positional encoding:
/// `PE[pos, 2i] = sin(pos / 10000^(2i/d_model))`, `PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model))`.
/// An odd `d_model` is allowed: its last column is a sine.
///
/// # Shapes
/// Returns n × d_model.
pub fn sinusoidal(n: usize, d_model: usize) -> Array2<f32> {
    // Row pos does not depend on n: the last table computed (up to CACHE_MAX_VALUES values)
    // is kept, and a pass over as many tokens or fewer copies its first n rows instead of
    // computing 2 · n · d_model sines and cosines again (0.85 ms of a base pass over
    // 128 + 128 tokens). The same values either way.
    const CACHE_MAX_VALUES: usize = 1 << 20;
    static LAST: Mutex<Option<Arc<Array2<f32>>>> = Mutex::new(None);
    let cached = LAST.lock().ok().and_then(|last| last.clone());
    if let Some(table) = cached
        && table.ncols() == d_model
        && table.nrows() >= n
    {
        return table.slice_axis(Axis(0), Slice::from(0..n)).to_owned();
    }
    let table = sinusoidal_rows(n, d_model);
    if n * d_model <= CACHE_MAX_VALUES
        && let Ok(mut last) = LAST.lock()
    {
        *last = Some(Arc::new(table.clone()));
    }
    table
}

/// [`sinusoidal`], computed.
fn sinusoidal_rows(n: usize, d_model: usize) -> Array2<f32> {
    // The denominators 10000^(2i/d_model) of each column, computed once (the same values
    // `pe_angle` computes cell by cell).
    let denominators: Vec<f64> = (0..d_model)
        .map(|c| 10000f64.powf((c - c % 2) as f64 / d_model as f64))
        .collect();
    Array2::from_shape_fn((n, d_model), |(pos, c)| {
        let angle = pos as f64 / denominators[c];
        if c.is_multiple_of(2) {
            angle.sin() as f32
        } else {
            angle.cos() as f32
        }
    })
}

/// One entry of [`sinusoidal`], computed in f64 and rounded to f32.
pub fn pe_value(pos: usize, c: usize, d_model: usize) -> f32 {
    pe_value_f64(pos, c, d_model) as f32
}

/// One entry of [`sinusoidal`] in f64 (before the rounding to f32): the sine of
/// [`pe_angle`] in an even column, its cosine in an odd one.
pub fn pe_value_f64(pos: usize, c: usize, d_model: usize) -> f64 {
    let angle = pe_angle(pos, c, d_model);
    if c.is_multiple_of(2) {
        angle.sin()
    } else {
        angle.cos()
    }
}

/// The angle `pos / 10000^(2i/d_model)` of column `c` (2i = c rounded down to even).
pub fn pe_angle(pos: usize, c: usize, d_model: usize) -> f64 {
    let two_i = (c - c % 2) as f64;
    pos as f64 / 10000f64.powf(two_i / d_model as f64)
}

/// Token text → vector. A token's vector depends only on (seed, text) unless overridden.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenEmbedding {
    seed: u64,
    d_model: usize,
    overrides: BTreeMap<String, Array1<f32>>,
}

/// An override vector whose length is not `d_model`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("embedding of {token:?} has {got} values: expected d_model = {expected}")]
pub struct EmbeddingShapeError {
    /// The token.
    pub token: String,
    /// Length given.
    pub got: usize,
    /// `d_model`.
    pub expected: usize,
}

impl TokenEmbedding {
    /// Embeddings for `d_model`-wide vectors under `seed`, with no overrides.
    pub fn new(seed: u64, d_model: usize) -> TokenEmbedding {
        TokenEmbedding {
            seed,
            d_model,
            overrides: BTreeMap::new(),
        }
    }

    /// Replaces the vector of `token` (e.g. the article's 바나나 → [0.12, -0.87, 0.33, 0.55]).
    ///
    /// # Shapes
    /// `vector`: d_model.
    pub fn set_override(
        &mut self,
        token: &str,
        vector: Array1<f32>,
    ) -> Result<(), EmbeddingShapeError> {
        if vector.len() != self.d_model {
            return Err(EmbeddingShapeError {
                token: token.to_string(),
                got: vector.len(),
                expected: self.d_model,
            });
        }
        self.overrides.insert(token.to_string(), vector);
        Ok(())
    }

    /// Removes an override; true when there was one.
    pub fn clear_override(&mut self, token: &str) -> bool {
        self.overrides.remove(token).is_some()
    }

    /// The overridden tokens and their vectors.
    pub fn overrides(&self) -> &BTreeMap<String, Array1<f32>> {
        &self.overrides
    }

    /// The vector of `token`.
    ///
    /// # Shapes
    /// Returns d_model.
    pub fn vector(&self, token: &str) -> Array1<f32> {
        match self.overrides.get(token) {
            Some(v) => v.clone(),
            None => token_vector(self.seed, token, self.d_model),
        }
    }

    /// Stacks the vectors of `tokens` as rows.
    ///
    /// # Shapes
    /// Returns tokens.len() × d_model.
    pub fn lookup(&self, tokens: &[String]) -> Array2<f32> {
        let mut out = Array2::zeros((tokens.len(), self.d_model));
        for (mut row, t) in out.rows_mut().into_iter().zip(tokens) {
            row.assign(&self.vector(t));
        }
        out
    }

    /// `d_model`.
    pub fn d_model(&self) -> usize {
        self.d_model
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn pe_positions_zero_and_one_by_hand() {
        // d_model = 4. Column pairs (0,1) use 10000^(0/4) = 1, (2,3) use 10000^(2/4) = 100.
        // pos 0: [sin 0, cos 0, sin 0, cos 0] = [0, 1, 0, 1]
        // pos 1: [sin 1, cos 1, sin 0.01, cos 0.01]
        //      = [0.841471, 0.540302, 0.0099998, 0.99995]
        let pe = sinusoidal(2, 4);
        let want = [
            [0.0, 1.0, 0.0, 1.0],
            [0.841_471, 0.540_302, 0.009_999_8, 0.999_95],
        ];
        for (r, row) in want.iter().enumerate() {
            for (c, w) in row.iter().enumerate() {
                assert_abs_diff_eq!(pe[[r, c]], *w, epsilon = 1e-6);
            }
        }
    }

    #[test]
    fn table_equals_cell_by_cell() {
        let pe = sinusoidal(50, 12);
        for ((pos, c), v) in pe.indexed_iter() {
            assert_eq!(v.to_bits(), pe_value(pos, c, 12).to_bits());
        }
    }

    /// Copies of the kept table give the values a fresh computation gives, for fewer rows,
    /// more rows and another width (tests run in parallel: whatever table another test
    /// left behind).
    #[test]
    fn kept_table_gives_the_computed_values() {
        for (n, d) in [
            (40, 10),
            (7, 10),
            (60, 10),
            (5, 6),
            (60, 10),
            (1, 10),
            (0, 10),
        ] {
            assert_eq!(sinusoidal(n, d), sinusoidal_rows(n, d), "{n} × {d}");
        }
    }

    #[test]
    fn odd_d_model_ends_with_sine() {
        // d_model = 3: column 2 is sin(pos / 10000^(2/3)); at pos 1: sin(1/464.16) = 0.0021544
        let pe = sinusoidal(2, 3);
        assert_abs_diff_eq!(pe[[1, 2]], 0.002_154_4, epsilon = 1e-6);
    }

    #[test]
    fn overrides_replace_and_check_shape() {
        let mut e = TokenEmbedding::new(1, 4);
        let banana = Array1::from(vec![0.12, -0.87, 0.33, 0.55]);
        e.set_override("바나나", banana.clone()).unwrap();
        assert_eq!(e.vector("바나나"), banana);
        let err = e
            .set_override("x", Array1::from(vec![1.0, 2.0]))
            .unwrap_err();
        assert_eq!(err.got, 2);
        assert_eq!(e.lookup(&["바나나".into(), "y".into()]).dim(), (2, 4));
    }
}
