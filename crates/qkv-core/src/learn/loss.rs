//! The training loss: cross-entropy of each next token given the ones before it (teacher
//! forcing), mean over the predicted positions, with optional label smoothing in PyTorch's
//! convention (`F.cross_entropy(logits, targets, label_smoothing=ε)`: the target
//! distribution is ε/V on every class plus 1 − ε on the right one).
//!
//! Which rows predict what: for an encoder-decoder, the decoder input `<bos> I go to school`
//! predicts `I go to school <eos>` (every row); for a model without a target side each token
//! predicts the next one and the last row predicts nothing (its target is [`IGNORE`]).

use ndarray::{Array2, ArrayView2};

use crate::model::tokenizer::EOS;
use crate::model::vocab::UNK;
use crate::trace::Trace;

/// The target of a row that predicts nothing (PyTorch's `ignore_index` default).
pub const IGNORE: i64 = -100;

/// Why no loss can be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LossError {
    /// No row has a next token to predict.
    #[error(
        "nothing to predict: the loss needs at least two tokens (or a target side), got {tokens} token(s)"
    )]
    NothingToPredict {
        /// Rows of the logits.
        tokens: usize,
    },
    /// A target token is not a column of the logits.
    #[error("the token {token:?} to predict is not in the vocabulary (and there is no <unk>)")]
    NotInVocab {
        /// The token.
        token: String,
    },
    /// The trace has no `logits` step.
    #[error("the trace has no logits")]
    NoLogits,
    /// A non-finite logit.
    #[error("logits[{row}][{col}] is {value}: the loss of a non-finite logit is undefined")]
    NotFinite {
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// The value.
        value: f32,
    },
    /// Label smoothing outside [0, 1).
    #[error("label smoothing {0} is outside 0 ≤ ε < 1")]
    Smoothing(f32),
}

/// The loss of one trace and what it predicted.
#[derive(Debug, Clone, PartialEq)]
pub struct Loss {
    /// Mean cross-entropy over the predicted rows (f64: summed in f64).
    pub value: f64,
    /// One entry per row of the logits: the vocabulary id it predicts, or [`IGNORE`].
    pub targets: Vec<i64>,
    /// Each row's own cross-entropy (0 for ignored rows).
    pub rows: Vec<f64>,
    /// Label smoothing ε.
    pub smoothing: f32,
}

impl Loss {
    /// Number of predicted rows.
    pub fn predicted(&self) -> usize {
        self.targets.iter().filter(|t| **t != IGNORE).count()
    }
}

/// The vocabulary ids the rows of `trace`'s logits predict (see the module docs); tokens
/// missing from the vocabulary become `<unk>`.
pub fn targets(trace: &Trace) -> Result<Vec<i64>, LossError> {
    let t = trace.tokens();
    let vocab = &t.vocab;
    let id = |token: &str| -> Result<i64, LossError> {
        vocab
            .iter()
            .position(|v| v == token)
            .or_else(|| vocab.iter().position(|v| v == UNK))
            .map(|i| i as i64)
            .ok_or_else(|| LossError::NotInVocab {
                token: token.to_string(),
            })
    };
    match &t.target {
        Some(target) => target
            .iter()
            .skip(1)
            .map(String::as_str)
            .chain(std::iter::once(EOS))
            .map(id)
            .collect(),
        None => {
            let n = t.source.len();
            let mut out = Vec::with_capacity(n);
            for next in t.source.iter().skip(1) {
                out.push(id(next)?);
            }
            if n > 0 {
                out.push(IGNORE);
            }
            Ok(out)
        }
    }
}

/// The loss of `logits` against `targets` and its gradients with respect to the logits and
/// to the probabilities `softmax(logits)`.
///
/// `∂loss/∂logits[r] = (p_r − q_r) / N` and `∂loss/∂probs[r] = −q_r / (N · p_r)` for a
/// predicted row r (q_r the smoothed one-hot target, N the number of predicted rows); zero
/// rows for ignored ones.
///
/// # Shapes
/// `logits`: n × V, `targets`: n → (loss, n × V, n × V).
pub fn cross_entropy(
    logits: ArrayView2<'_, f32>,
    targets: &[i64],
    smoothing: f32,
) -> Result<(Loss, Array2<f32>, Array2<f32>), LossError> {
    if !(0.0..1.0).contains(&smoothing) {
        return Err(LossError::Smoothing(smoothing));
    }
    let (n, v) = logits.dim();
    if let Some(((row, col), value)) = logits.indexed_iter().find(|(_, x)| !x.is_finite()) {
        return Err(LossError::NotFinite {
            row,
            col,
            value: *value,
        });
    }
    let predicted = targets.iter().filter(|t| **t != IGNORE).count();
    if predicted == 0 {
        return Err(LossError::NothingToPredict { tokens: n });
    }
    let count = predicted as f64;
    let eps = f64::from(smoothing);
    let uniform = eps / v as f64;
    let mut d_logits = Array2::zeros((n, v));
    let mut d_probs = Array2::zeros((n, v));
    let mut rows = vec![0.0; n];
    let mut total = 0.0;
    for (r, target) in targets.iter().enumerate().take(n) {
        let Ok(t) = usize::try_from(*target) else {
            continue;
        };
        let row = logits.row(r);
        // log-softmax in f64: log p_j = x_j − max − log Σ e^(x_k − max)
        let max = row
            .iter()
            .fold(f64::NEG_INFINITY, |m, x| m.max(f64::from(*x)));
        let sum: f64 = row.iter().map(|x| (f64::from(*x) - max).exp()).sum();
        let log_z = max + sum.ln();
        let mut loss = 0.0;
        for (j, x) in row.iter().enumerate() {
            let log_p = f64::from(*x) - log_z;
            let p = log_p.exp();
            let q = uniform + if j == t { 1.0 - eps } else { 0.0 };
            loss -= q * log_p;
            d_logits[[r, j]] = ((p - q) / count) as f32;
            d_probs[[r, j]] = (-q / (count * p)) as f32;
        }
        rows[r] = loss;
        total += loss;
    }
    Ok((
        Loss {
            value: total / count,
            targets: targets.to_vec(),
            rows,
            smoothing,
        },
        d_logits,
        d_probs,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn cross_entropy_by_hand() {
        // logits [0, ln 3] → p = [1/4, 3/4]; target 1 → loss = −ln 0.75 = 0.2876821
        // ∂/∂logits = p − onehot = [0.25, −0.25]; ∂/∂probs = −1/p on the target = −4/3
        let logits = array![[0.0, 3f32.ln()]];
        let (loss, dl, dp) = cross_entropy(logits.view(), &[1], 0.0).unwrap();
        assert!((loss.value - 0.287_682_07).abs() < 1e-6, "{}", loss.value);
        assert!((dl[[0, 0]] - 0.25).abs() < 1e-6 && (dl[[0, 1]] + 0.25).abs() < 1e-6);
        assert!((dp[[0, 1]] + 4.0 / 3.0).abs() < 1e-5);
        assert_eq!(dp[[0, 0]], 0.0);
    }

    #[test]
    fn smoothing_follows_pytorch() {
        // V = 2, ε = 0.2: q = [0.1, 0.9] for target 1.
        // loss = −(0.1 ln 0.25 + 0.9 ln 0.75) = 0.1386294 + 0.2589139 = 0.3975433
        // (torch.nn.functional.cross_entropy(torch.tensor([[0., math.log(3)]]),
        //  torch.tensor([1]), label_smoothing=0.2) = 0.3975)
        let logits = array![[0.0, 3f32.ln()]];
        let (loss, dl, _) = cross_entropy(logits.view(), &[1], 0.2).unwrap();
        assert!((loss.value - 0.397_543_3).abs() < 1e-6, "{}", loss.value);
        // ∂/∂logits = p − q = [0.25 − 0.1, 0.75 − 0.9] = [0.15, −0.15]
        assert!((dl[[0, 0]] - 0.15).abs() < 1e-6);
    }

    #[test]
    fn ignored_rows_do_not_count() {
        // Two rows, the second ignored: the mean is over one row.
        let logits = array![[0.0, 3f32.ln()], [5.0, -5.0]];
        let (loss, dl, _) = cross_entropy(logits.view(), &[1, IGNORE], 0.0).unwrap();
        assert!((loss.value - 0.287_682_07).abs() < 1e-6);
        assert_eq!(loss.predicted(), 1);
        assert_eq!(dl.row(1).sum(), 0.0);
        let err = cross_entropy(logits.view(), &[IGNORE, IGNORE], 0.0).unwrap_err();
        assert!(matches!(err, LossError::NothingToPredict { tokens: 2 }));
        assert!(cross_entropy(logits.view(), &[1, 1], 1.0).is_err());
    }
}
