//! How an address names part of a weight: the one rule `show`, `plot`, `explain` and `grad`
//! share for `enc.0.attn.W_Q`, `embed.E`, `enc.0.ffn.b1` and their parts.
//!
//! - `name`: the whole weight (a vector as one row).
//! - An attention projection (`W_Q`, `W_K`, `W_V`, `W_O`): `name[h]` is head h's slice (the
//!   d_model × d_k columns of head h of `W_Q`/`W_K`/`W_V`, the d_k × d_model rows of `W_O`
//!   that read head h); `name[h][i][j]` a cell of that slice; `name[i][j]` a cell of the
//!   whole matrix, as numpy reads the export's `enc.0.attn.W_Q[i, j]`.
//! - Any other matrix (`embed.E`, `W1`, `W2`): `name[i]` a row, `name[i][j]` a cell.
//! - A vector (a bias, a LayerNorm's gamma or beta): `name[j]` its entry j.

use ndarray::{ArrayView2, Axis, Slice};

use crate::model::{Param, Transformer};
use crate::trace::{Address, TraceError};

/// Part of a weight, as an address picks it.
#[derive(Debug, Clone)]
pub struct WeightView<'a> {
    /// The weight's name with the head, e.g. `enc.0.attn.W_Q[1]`.
    pub name: String,
    /// The matrix shown: the whole weight, one head's slice, or one row.
    ///
    /// # Shapes
    /// rows.len() × cols.len().
    pub values: ArrayView2<'a, f32>,
    /// A label for each row (the vocabulary's tokens for `embed.E`, else the row's index in
    /// the whole weight).
    pub rows: Vec<String>,
    /// A label for each column (its index in the whole weight).
    pub cols: Vec<String>,
    /// The cell the address names within `values`, when it names one.
    pub cell: Option<(usize, usize)>,
    /// The cell's place in the whole weight (row, column), when the address names one.
    pub whole_cell: Option<(usize, usize)>,
    /// The head, for a head's slice.
    pub head: Option<usize>,
}

/// Which axis of a weight a head owns: the columns of `W_Q`, `W_K`, `W_V` (head h's d_k
/// outputs), the rows of `W_O` (the d_k inputs it reads from head h); `None` for weights
/// that are not split by head.
pub fn head_axis(name: &str) -> Option<Axis> {
    match name.rsplit('.').next() {
        Some("W_Q" | "W_K" | "W_V") => Some(Axis(1)),
        Some("W_O") => Some(Axis(0)),
        _ => None,
    }
}

/// The part of the weight `p` (called `name`, in a model of `heads` heads, its rows labelled
/// `row_labels` when given) that `indices` name, by the rule of the module docs.
#[expect(
    clippy::too_many_lines,
    reason = "every addressing case of the module docs with its own error."
)]
pub fn pick<'a>(
    name: &str,
    p: &'a Param,
    heads: usize,
    row_labels: Option<&[String]>,
    indices: &[usize],
) -> Result<WeightView<'a>, TraceError> {
    let whole = match p {
        Param::Matrix(m) => m.view(),
        Param::Vector(v) => v.view().insert_axis(Axis(0)),
    };
    let numbers = |r: std::ops::Range<usize>| -> Vec<String> { r.map(|i| i.to_string()).collect() };
    let rows = match row_labels {
        Some(l) if l.len() == whole.nrows() => l.to_vec(),
        _ => numbers(0..whole.nrows()),
    };
    let out_of_range = |axis: &'static str, index: usize, len: usize| TraceError::IndexOutOfRange {
        name: name.to_string(),
        axis,
        index,
        len,
    };
    let view = |values, rows, cols, head: Option<usize>| WeightView {
        name: match head {
            Some(h) => format!("{name}[{h}]"),
            None => name.to_string(),
        },
        values,
        rows,
        cols,
        cell: None,
        whole_cell: None,
        head,
    };
    let whole_view = || view(whole, rows.clone(), numbers(0..whole.ncols()), None);
    let with_cell = |mut v: WeightView<'a>, i: usize, j: usize, at: (usize, usize)| {
        if i >= v.values.nrows() {
            return Err(out_of_range("row", i, v.values.nrows()));
        }
        if j >= v.values.ncols() {
            return Err(out_of_range("column", j, v.values.ncols()));
        }
        v.cell = Some((i, j));
        v.whole_cell = Some(at);
        Ok(v)
    };
    if let Param::Vector(_) = p {
        return match indices {
            [] => Ok(whole_view()),
            [j] => with_cell(whole_view(), 0, *j, (0, *j)),
            _ => Err(TraceError::WrongIndexCount {
                name: name.to_string(),
                got: indices.len(),
                expected: 1,
            }),
        };
    }
    let Some(axis) = head_axis(name) else {
        return match indices {
            [] => Ok(whole_view()),
            [i] if *i < whole.nrows() => {
                let row = whole.slice_axis_move(Axis(0), Slice::from(*i..=*i));
                Ok(view(
                    row,
                    rows[*i..=*i].to_vec(),
                    numbers(0..whole.ncols()),
                    None,
                ))
            }
            [i] => Err(out_of_range("row", *i, whole.nrows())),
            [i, j] => with_cell(whole_view(), *i, *j, (*i, *j)),
            _ => Err(TraceError::WrongIndexCount {
                name: name.to_string(),
                got: indices.len(),
                expected: 2,
            }),
        };
    };
    let slice = |h: usize| -> Result<WeightView<'a>, TraceError> {
        if h >= heads {
            return Err(TraceError::HeadOutOfRange {
                name: name.to_string(),
                head: h,
                heads,
            });
        }
        let d_k = whole.len_of(axis) / heads.max(1);
        let span = h * d_k..(h + 1) * d_k;
        let m = whole.slice_axis_move(axis, Slice::from(span.clone()));
        Ok(if axis == Axis(1) {
            view(m, rows.clone(), numbers(span), Some(h))
        } else {
            view(m, numbers(span), numbers(0..whole.ncols()), Some(h))
        })
    };
    match indices {
        [] => Ok(whole_view()),
        [h] => slice(*h),
        [i, j] => with_cell(whole_view(), *i, *j, (*i, *j)),
        [h, i, j] => {
            let v = slice(*h)?;
            let d_k = whole.len_of(axis) / heads.max(1);
            let at = if axis == Axis(1) {
                (*i, h * d_k + j)
            } else {
                (h * d_k + i, *j)
            };
            with_cell(v, *i, *j, at)
        }
        _ => Err(TraceError::WrongIndexCount {
            name: name.to_string(),
            got: indices.len(),
            expected: 3,
        }),
    }
}

/// [`pick`] on the weight of `model` that `address` names (`embed.E`'s rows labelled with
/// the vocabulary); `None` when the model has no weight of that name.
pub fn of_model<'a>(
    model: &'a Transformer,
    address: &Address,
) -> Option<Result<WeightView<'a>, TraceError>> {
    let p = model.weights().get(&address.name)?;
    let labels = match (address.name.as_str(), model.vocab()) {
        (crate::model::weights::EMBEDDING, Some(v)) => Some(v.tokens()),
        _ => None,
    };
    Some(pick(
        &address.name,
        p,
        model.config().heads,
        labels,
        &address.indices,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4 × 4 W_Q of 2 heads holds 10·i + j at [i][j]: head 1 owns columns 2 and 3, so
    /// W_Q[1][3][0] is row 3, column 2 + 0 = 2: 32; W_Q[3][2] is the same cell of the whole
    /// matrix. W_O's head 1 owns rows 2 and 3: W_O[1][0][3] is row 2, column 3: 23.
    #[test]
    fn heads_slices_and_cells() {
        let m = ndarray::Array2::from_shape_fn((4, 4), |(i, j)| (10 * i + j) as f32);
        let p = Param::Matrix(m);
        let v = pick("enc.0.attn.W_Q", &p, 2, None, &[1, 3, 0]).unwrap();
        assert_eq!(v.name, "enc.0.attn.W_Q[1]");
        assert_eq!(v.values.dim(), (4, 2));
        assert_eq!(v.cols, ["2", "3"]);
        assert_eq!((v.cell, v.whole_cell), (Some((3, 0)), Some((3, 2))));
        let (i, j) = v.cell.unwrap();
        assert_eq!(v.values[[i, j]], 32.0);
        let w = pick("enc.0.attn.W_Q", &p, 2, None, &[3, 2]).unwrap();
        assert_eq!(
            (w.name.as_str(), w.whole_cell),
            ("enc.0.attn.W_Q", Some((3, 2)))
        );
        let o = pick("enc.0.attn.W_O", &p, 2, None, &[1, 0, 3]).unwrap();
        assert_eq!(o.rows, ["2", "3"]);
        assert_eq!(o.values[[0, 3]], 23.0);
        assert_eq!(o.whole_cell, Some((2, 3)));
        assert!(matches!(
            pick("enc.0.attn.W_Q", &p, 2, None, &[2]),
            Err(TraceError::HeadOutOfRange { head: 2, .. })
        ));
        assert!(matches!(
            pick("enc.0.attn.W_Q", &p, 2, None, &[0, 4]),
            Err(TraceError::IndexOutOfRange { axis: "column", .. })
        ));
        // W1 is not split by head: [1] is its row 1.
        let r = pick("enc.0.ffn.W1", &p, 2, None, &[1]).unwrap();
        assert_eq!(
            (r.values.dim(), r.rows.as_slice()),
            ((1, 4), ["1".to_string()].as_slice())
        );
        // A vector's entry.
        let b = Param::Vector(ndarray::array![0.5, 0.25]);
        let e = pick("enc.0.ffn.b1", &b, 2, None, &[1]).unwrap();
        assert_eq!(e.cell, Some((0, 1)));
        assert!(pick("enc.0.ffn.b1", &b, 2, None, &[0, 1]).is_err());
    }
}
