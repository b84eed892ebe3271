//! Generating a translation with a Marian model, greedy or by beam search, as Hugging Face's
//! `generate` does, keeping what each step decided.
//!
//! The decoder runs one new token per step: each self-attention keeps the keys and values of
//! the tokens before (a KV cache) and each cross-attention's keys and values of the encoder
//! output are computed once per sentence ([`Memory`]). The numbers are those of
//! [`MarianModel::forward`] on the whole prefix (the same [`linear`], [`head`] and LayerNorm),
//! which a test checks.
//!
//! Generation settings follow the model's `generation_config.json` / `config.json`:
//! `bad_words_ids` (Marian: `<pad>`) never generated, `</s>` forced at `max_length − 1`.
//!
//! Beam search keeps K hypotheses. Each step scores every continuation of every hypothesis by
//! its summed log-probability, takes the best 2K; those ending in `</s>` among the best K are
//! finished, scored with the length penalty; the best K that do not end become the next
//! hypotheses. It stops when no running hypothesis can beat the worst of K finished ones
//! (Hugging Face's heuristic: the best running sum divided by the current length's penalty)
//! or at `max_length`. Length penalties: Hugging Face's `sum / |Y|^α` (the default, α from
//! `length_penalty`, 1.0 unless the model says otherwise) and the paper's GNMT
//! `sum / ((5 + |Y|) / 6)^α` (α = 0.6 in the paper), |Y| the generated tokens with `</s>`.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use super::load::{FINAL_LOGITS_BIAS, MarianModel};
use super::marian::{EPS, all_heads, linear, marian_sinusoids};
use crate::model::linalg::matmul_bt;
use crate::model::norm::LayerNorm;
use crate::model::weights::{EMBEDDING, MissingWeight};

/// How a finished hypothesis's summed log-probability is divided by its length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LengthPenalty {
    /// `sum / |Y|^α` (Hugging Face `generate`).
    HuggingFace(f32),
    /// `sum / ((5 + |Y|) / 6)^α` (GNMT, used by the paper with α = 0.6).
    Gnmt(f32),
}

impl LengthPenalty {
    /// The divisor for `len` generated tokens.
    pub fn divisor(self, len: usize) -> f32 {
        match self {
            LengthPenalty::HuggingFace(a) => (len as f32).powf(a),
            LengthPenalty::Gnmt(a) => ((5.0 + len as f32) / 6.0).powf(a),
        }
    }

    /// The formula, for display.
    pub fn formula(self) -> String {
        match self {
            LengthPenalty::HuggingFace(a) => format!("score = Σ log p / |Y|^{a}"),
            LengthPenalty::Gnmt(a) => format!("score = Σ log p / ((5 + |Y|) / 6)^{a}"),
        }
    }
}

/// The encoder's output and every cross-attention's keys and values, computed once.
pub struct Memory {
    /// m × d_model.
    pub encoded: Array2<f32>,
    /// Per decoder layer: (K, V) of the cross-attention, m × d_model each.
    cross: Vec<(Array2<f32>, Array2<f32>)>,
}

/// One hypothesis's self-attention keys and values, per decoder layer (t × d_model each).
#[derive(Clone)]
struct Cache {
    layers: Vec<(Array2<f32>, Array2<f32>)>,
}

/// One step of greedy decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct GreedyStep {
    /// The token chosen.
    pub token: usize,
    /// Its log-probability.
    pub logprob: f32,
}

/// A continuation considered at one beam step.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The hypothesis it continues (index into the previous step's running hypotheses).
    pub parent: usize,
    /// Its tokens, start token first.
    pub tokens: Vec<usize>,
    /// Summed log-probability.
    pub logprob: f32,
    /// What became of it.
    pub fate: Fate,
}

/// What a beam step did with a candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fate {
    /// Kept as running hypothesis number `.0`.
    Kept(usize),
    /// Finished (ends in `</s>` or reached `max_length`) with the length-penalised score.
    Finished(f32),
    /// Finished but not among the best K of this step, or no better than the K kept.
    FinishedDropped(f32),
    /// Not among the K best running continuations.
    Dropped,
}

/// A beam search and its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct BeamSearch {
    /// The best finished hypothesis (start token first).
    pub best: Vec<usize>,
    /// Its score.
    pub score: f32,
    /// The finished hypotheses kept, best first: (tokens, score).
    pub finished: Vec<(Vec<usize>, f32)>,
    /// Per step, the 2K candidates in order of summed log-probability.
    pub steps: Vec<Vec<Candidate>>,
}

impl MarianModel {
    /// Runs the encoder on `source` and computes every cross-attention's keys and values.
    pub fn encode(&self, source: &[usize]) -> Result<Memory, MissingWeight> {
        let trace_free = self.embed_rows(source, 0)?;
        let mut x = trace_free;
        for l in 0..self.config.encoder_layers {
            let p = format!("enc.{l}");
            let a = self.attend(&format!("{p}.attn"), x.view(), None, None)?;
            x = self.norm(&(&x + &a), &format!("{p}.norm1"))?;
            let f = self.feed_forward(&format!("{p}.ffn"), x.view())?;
            x = self.norm(&(&x + &f), &format!("{p}.norm2"))?;
        }
        let mut cross = Vec::with_capacity(self.config.decoder_layers);
        for l in 0..self.config.decoder_layers {
            let p = format!("dec.{l}.cross_attn");
            let w = &self.weights;
            let k = linear(
                x.view(),
                w.matrix(&format!("{p}.W_K"))?,
                w.vector(&format!("{p}.b_K"))?,
            );
            let v = linear(
                x.view(),
                w.matrix(&format!("{p}.W_V"))?,
                w.vector(&format!("{p}.b_V"))?,
            );
            cross.push((k, v));
        }
        Ok(Memory { encoded: x, cross })
    }

    /// Rows `E[id] · scale + PE[start + i]`.
    fn embed_rows(&self, ids: &[usize], start: usize) -> Result<Array2<f32>, MissingWeight> {
        let d = self.config.d_model;
        let table = self.weights.matrix(EMBEDDING)?;
        let pe = marian_sinusoids(start + ids.len(), d);
        let scale = if self.config.scale_embedding {
            (d as f32).sqrt()
        } else {
            1.0
        };
        let mut x = Array2::zeros((ids.len(), d));
        for (i, (mut row, &id)) in x.rows_mut().into_iter().zip(ids).enumerate() {
            if id < table.nrows() {
                row.assign(&(&table.row(id) * scale));
            }
            row += &pe.row(start + i);
        }
        Ok(x)
    }

    fn norm(&self, x: &Array2<f32>, prefix: &str) -> Result<Array2<f32>, MissingWeight> {
        let w = &self.weights;
        let ln = LayerNorm {
            gamma: w.vector(&format!("{prefix}.gamma"))?,
            beta: w.vector(&format!("{prefix}.beta"))?,
            eps: EPS,
        };
        Ok(ln.forward(x.view()))
    }

    fn feed_forward(
        &self,
        prefix: &str,
        x: ArrayView2<'_, f32>,
    ) -> Result<Array2<f32>, MissingWeight> {
        let w = &self.weights;
        let act = self.config.activation();
        let hidden = linear(
            x,
            w.matrix(&format!("{prefix}.W1"))?,
            w.vector(&format!("{prefix}.b1"))?,
        );
        let a = hidden.mapv(|v| act.apply(v));
        Ok(linear(
            a.view(),
            w.matrix(&format!("{prefix}.W2"))?,
            w.vector(&format!("{prefix}.b2"))?,
        ))
    }

    /// Attention of `x`'s rows over `kv` (precomputed keys and values) or over `x` itself
    /// (with `cache`: the new rows' keys and values are appended and all are attended to).
    fn attend(
        &self,
        prefix: &str,
        x: ArrayView2<'_, f32>,
        kv: Option<&(Array2<f32>, Array2<f32>)>,
        cache: Option<&mut (Array2<f32>, Array2<f32>)>,
    ) -> Result<Array2<f32>, MissingWeight> {
        let w = &self.weights;
        let m = |n: &str| w.matrix(&format!("{prefix}.{n}"));
        let b = |n: &str| w.vector(&format!("{prefix}.{n}"));
        let q = linear(x, m("W_Q")?, b("b_Q")?);
        let own;
        let (k, v): (&Array2<f32>, &Array2<f32>) = match (kv, cache) {
            (Some((k, v)), _) => (k, v),
            (None, Some(c)) => {
                let k_new = linear(x, m("W_K")?, b("b_K")?);
                let v_new = linear(x, m("W_V")?, b("b_V")?);
                append_rows(&mut c.0, &k_new);
                append_rows(&mut c.1, &v_new);
                (&c.0, &c.1)
            }
            (None, None) => {
                own = (
                    linear(x, m("W_K")?, b("b_K")?),
                    linear(x, m("W_V")?, b("b_V")?),
                );
                (&own.0, &own.1)
            }
        };
        // The cached rows are all before (or at) the new one: no mask is needed.
        let concat = all_heads(
            q.view(),
            k.view(),
            v.view(),
            self.config.encoder_attention_heads,
            false,
            |_, _, _| {},
        );
        Ok(linear(concat.view(), m("W_O")?, b("b_O")?))
    }

    /// Feeds `token` at position `pos` through the decoder with `cache`; the logits of the
    /// next token.
    ///
    /// # Shapes
    /// Returns vocab_size values.
    fn step(
        &self,
        memory: &Memory,
        cache: &mut Cache,
        token: usize,
        pos: usize,
    ) -> Result<Array1<f32>, MissingWeight> {
        let mut x = self.embed_rows(&[token], pos)?;
        for (l, layer_cache) in cache.layers.iter_mut().enumerate() {
            let p = format!("dec.{l}");
            let a = self.attend(&format!("{p}.self_attn"), x.view(), None, Some(layer_cache))?;
            x = self.norm(&(&x + &a), &format!("{p}.norm1"))?;
            let a = self.attend(
                &format!("{p}.cross_attn"),
                x.view(),
                memory.cross.get(l),
                None,
            )?;
            x = self.norm(&(&x + &a), &format!("{p}.norm2"))?;
            let f = self.feed_forward(&format!("{p}.ffn"), x.view())?;
            x = self.norm(&(&x + &f), &format!("{p}.norm3"))?;
        }
        let logits = matmul_bt(x.view(), self.weights.matrix(EMBEDDING)?);
        let bias = self.weights.vector(FINAL_LOGITS_BIAS)?;
        Ok(logits.index_axis(Axis(0), 0).to_owned() + bias)
    }

    fn empty_cache(&self) -> Cache {
        let d = self.config.d_model;
        Cache {
            layers: (0..self.config.decoder_layers)
                .map(|_| (Array2::zeros((0, d)), Array2::zeros((0, d))))
                .collect(),
        }
    }

    /// Log-probabilities of the next token after `tokens`, with the generation rules applied
    /// (`bad_words_ids` → −∞; at `max_length − 1` everything but `</s>` → −∞ and `</s>` → 0).
    fn next_logprobs(
        &self,
        logits: &Array1<f32>,
        tokens: &[usize],
        max_length: usize,
    ) -> Array1<f32> {
        let max = logits.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        let lse = max + logits.mapv(|l| (l - max).exp()).sum().ln();
        let mut lp = logits.mapv(|l| l - lse);
        for bad in &self.config.bad_words_ids {
            if let Some((&last, prefix)) = bad.split_last()
                && tokens.ends_with(prefix)
                && last < lp.len()
            {
                lp[last] = f32::NEG_INFINITY;
            }
        }
        if tokens.len() + 1 == max_length {
            lp.fill(f32::NEG_INFINITY);
            if let Some(e) = lp.get_mut(self.config.eos_token_id) {
                *e = 0.0;
            }
        }
        lp
    }

    /// Greedy decoding of `source` (ids with `</s>`): the tokens (start token first) and
    /// each step's choice.
    pub fn greedy(
        &self,
        source: &[usize],
        max_length: usize,
    ) -> Result<(Vec<usize>, Vec<GreedyStep>), MissingWeight> {
        let memory = self.encode(source)?;
        let mut cache = self.empty_cache();
        let mut tokens = vec![self.config.decoder_start()];
        let mut steps = Vec::new();
        while tokens.len() < max_length.max(2) {
            let last = tokens[tokens.len() - 1];
            let logits = self.step(&memory, &mut cache, last, tokens.len() - 1)?;
            let lp = self.next_logprobs(&logits, &tokens, max_length);
            let (token, logprob) = argmax(&lp);
            tokens.push(token);
            steps.push(GreedyStep { token, logprob });
            if token == self.config.eos_token_id {
                break;
            }
        }
        Ok((tokens, steps))
    }

    /// Beam search with `beams` hypotheses (see the module docs).
    // Over 80 lines: one beam step (score, rank, finish, keep, stop) reads best in one place.
    pub fn beam_search(
        &self,
        source: &[usize],
        beams: usize,
        max_length: usize,
        penalty: LengthPenalty,
    ) -> Result<BeamSearch, MissingWeight> {
        let k = beams.max(1);
        let eos = self.config.eos_token_id;
        let memory = self.encode(source)?;
        // Running hypotheses: tokens, summed log-probability, cache.
        let mut running = vec![(
            vec![self.config.decoder_start()],
            0.0f32,
            self.empty_cache(),
        )];
        let mut finished: Vec<(Vec<usize>, f32)> = Vec::new();
        let mut steps = Vec::new();
        let mut can_improve = true;
        loop {
            let cur_len = running[0].0.len();
            // Every continuation of every hypothesis: (summed log p, parent, token).
            let mut all: Vec<(f32, usize, usize)> = Vec::new();
            for (b, (tokens, score, cache)) in running.iter_mut().enumerate() {
                let last = tokens[tokens.len() - 1];
                let logits = self.step(&memory, cache, last, tokens.len() - 1)?;
                let lp = self.next_logprobs(&logits, tokens, max_length);
                all.extend(lp.iter().enumerate().map(|(t, l)| (l + *score, b, t)));
            }
            // The best 2K (ties: lower parent, then lower token first, as a stable sort).
            all.sort_by(|a, b| b.0.total_cmp(&a.0));
            all.truncate(2 * k);
            let hits: Vec<bool> = all
                .iter()
                .map(|&(_, _, t)| t == eos || cur_len + 1 >= max_length)
                .collect();
            let mut cands: Vec<Candidate> = all
                .iter()
                .map(|&(lp, parent, t)| {
                    let mut tokens = running[parent].0.clone();
                    tokens.push(t);
                    Candidate {
                        parent,
                        tokens,
                        logprob: lp,
                        fate: Fate::Dropped,
                    }
                })
                .collect();
            // Finished: among the best K, when they end; scored with the length penalty.
            let len = cur_len; // generated tokens, </s> included (the start token is not)
            for (rank, c) in cands.iter_mut().enumerate() {
                if hits[rank] {
                    let score = c.logprob / penalty.divisor(len);
                    if rank < k && can_improve {
                        finished.push((c.tokens.clone(), score));
                        c.fate = Fate::Finished(score);
                    } else {
                        c.fate = Fate::FinishedDropped(score);
                    }
                }
            }
            finished.sort_by(|a, b| b.1.total_cmp(&a.1));
            for (tokens, score) in finished.iter().skip(k) {
                if let Some(c) = cands.iter_mut().find(|c| &c.tokens == tokens) {
                    c.fate = Fate::FinishedDropped(*score);
                }
            }
            finished.truncate(k);
            // The next running hypotheses: the best K continuations that did not end (ended
            // ones come last, as Hugging Face's −1e9 puts them).
            let mut order: Vec<usize> = (0..cands.len()).collect();
            order.sort_by_key(|&i| hits[i]);
            let mut next = Vec::with_capacity(k);
            for &i in order.iter().take(k) {
                let c = &mut cands[i];
                let penalised = if hits[i] { c.logprob - 1e9 } else { c.logprob };
                if !hits[i] {
                    c.fate = Fate::Kept(next.len());
                }
                next.push((c.tokens.clone(), penalised, running[c.parent].2.clone()));
            }
            steps.push(cands);
            running = next;
            let all_hit = hits.iter().all(|h| *h);
            if finished.len() == k {
                let best_possible = running[0].1 / penalty.divisor(cur_len);
                let worst = finished.iter().map(|f| f.1).fold(f32::INFINITY, f32::min);
                can_improve &= best_possible > worst;
            }
            if !can_improve || all_hit {
                break;
            }
        }
        let (best, score) = finished
            .first()
            .cloned()
            .unwrap_or_else(|| (running[0].0.clone(), running[0].1));
        Ok(BeamSearch {
            best,
            score,
            finished,
            steps,
        })
    }
}

fn argmax(x: &Array1<f32>) -> (usize, f32) {
    x.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv { (i, v) } else { (bi, bv) }
        })
}

fn append_rows(m: &mut Array2<f32>, rows: &Array2<f32>) {
    for r in rows.rows() {
        // push_row fails only on a width mismatch, which the weights' shapes rule out.
        if m.push_row(r).is_err() {
            *m = ndarray::concatenate(Axis(0), &[m.view(), r.insert_axis(Axis(0))])
                .unwrap_or_else(|_| m.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_penalties_by_hand() {
        // Hugging Face, α = 1: 4 tokens divide by 4^1 = 4; α = 0.5: by √4 = 2.
        assert_eq!(LengthPenalty::HuggingFace(1.0).divisor(4), 4.0);
        assert_eq!(LengthPenalty::HuggingFace(0.5).divisor(4), 2.0);
        // GNMT, α = 0.6, 4 tokens: ((5 + 4) / 6)^0.6 = 1.5^0.6 = e^(0.6 · 0.405465) ≈ 1.275425.
        let g = LengthPenalty::Gnmt(0.6).divisor(4);
        assert!((g - 1.275_425).abs() < 1e-5, "{g}");
        // GNMT, α = 1, 1 token: (5 + 1) / 6 = 1: the score is the log-probability itself.
        assert_eq!(LengthPenalty::Gnmt(1.0).divisor(1), 1.0);
    }
}
