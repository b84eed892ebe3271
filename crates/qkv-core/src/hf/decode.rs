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
//! Beam search keeps K hypotheses. Each step feeds the K hypotheses' last tokens through the
//! decoder as one K-row batch (one matrix product per projection for all of them, each row
//! attending to its own hypothesis's cache; the caches follow the hypotheses kept), scores
//! every continuation of every hypothesis by its summed log-probability, takes the best 2K
//! (a selection, not a sort of all K × vocabulary); those ending in `</s>` among the best K are
//! finished, scored with the length penalty; the best K that do not end become the next
//! hypotheses. It stops when no running hypothesis can beat the worst of K finished ones
//! (Hugging Face's heuristic: the best running sum divided by the current length's penalty)
//! or at `max_length`. Length penalties: Hugging Face's `sum / |Y|^α` (the default, α from
//! `length_penalty`, 1.0 unless the model says otherwise) and the paper's GNMT
//! `sum / ((5 + |Y|) / 6)^α` (α = 0.6 in the paper), |Y| the generated tokens with `</s>`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Slice};

use super::load::{FINAL_LOGITS_BIAS, MarianModel};
use super::marian::{EPS, all_heads, linear, marian_sinusoid_row};
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
        let positions: Vec<usize> = (0..source.len()).collect();
        let mut x = self.embed_rows(source, &positions)?;
        for l in 0..self.config.encoder_layers {
            let p = format!("enc.{l}");
            let a = self.attend(&format!("{p}.attn"), x.view(), None)?;
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

    /// Rows `E[ids[i]] · scale + PE[positions[i]]`.
    fn embed_rows(&self, ids: &[usize], positions: &[usize]) -> Result<Array2<f32>, MissingWeight> {
        let d = self.config.d_model;
        let table = self.weights.matrix(EMBEDDING)?;
        let scale = if self.config.scale_embedding {
            (d as f32).sqrt()
        } else {
            1.0
        };
        let mut x = Array2::zeros((ids.len(), d));
        for ((mut row, &id), &pos) in x.rows_mut().into_iter().zip(ids).zip(positions) {
            if id < table.nrows() {
                row.assign(&(&table.row(id) * scale));
            }
            row += &marian_sinusoid_row(pos, d);
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

    /// Attention of `x`'s rows over `kv` (precomputed keys and values) or over `x` itself.
    fn attend(
        &self,
        prefix: &str,
        x: ArrayView2<'_, f32>,
        kv: Option<&(Array2<f32>, Array2<f32>)>,
    ) -> Result<Array2<f32>, MissingWeight> {
        let w = &self.weights;
        let m = |n: &str| w.matrix(&format!("{prefix}.{n}"));
        let b = |n: &str| w.vector(&format!("{prefix}.{n}"));
        let q = linear(x, m("W_Q")?, b("b_Q")?);
        let own;
        let (k, v): (&Array2<f32>, &Array2<f32>) = match kv {
            Some((k, v)) => (k, v),
            None => {
                own = (
                    linear(x, m("W_K")?, b("b_K")?),
                    linear(x, m("W_V")?, b("b_V")?),
                );
                (&own.0, &own.1)
            }
        };
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

    /// The decoder's self-attention for a batch: row b of `x` is the newest token of the
    /// hypothesis whose cache is `caches[b]`; its key and value are appended to that cache
    /// (layer `l`) and it attends to that cache's rows. The projections are one product for
    /// all rows.
    fn self_attend_batch(
        &self,
        prefix: &str,
        x: ArrayView2<'_, f32>,
        caches: &mut [Cache],
        l: usize,
    ) -> Result<Array2<f32>, MissingWeight> {
        let w = &self.weights;
        let m = |n: &str| w.matrix(&format!("{prefix}.{n}"));
        let b = |n: &str| w.vector(&format!("{prefix}.{n}"));
        let q = linear(x, m("W_Q")?, b("b_Q")?);
        let k_new = linear(x, m("W_K")?, b("b_K")?);
        let v_new = linear(x, m("W_V")?, b("b_V")?);
        let mut concat = Array2::zeros(q.raw_dim());
        for (row, cache) in caches.iter_mut().enumerate() {
            let Some(c) = cache.layers.get_mut(l) else {
                continue;
            };
            append_row(&mut c.0, k_new.row(row));
            append_row(&mut c.1, v_new.row(row));
            // The cached rows are all before (or at) the new one: no mask is needed.
            let out = all_heads(
                q.slice_axis(Axis(0), Slice::from(row..=row)),
                c.0.view(),
                c.1.view(),
                self.config.encoder_attention_heads,
                false,
                |_, _, _| {},
            );
            concat.row_mut(row).assign(&out.row(0));
        }
        Ok(linear(concat.view(), m("W_O")?, b("b_O")?))
    }

    /// Feeds `tokens[b]` at position `pos` through the decoder with `caches[b]`, all rows
    /// as one batch; the logits of each row's next token.
    ///
    /// # Shapes
    /// Returns tokens.len() × vocab_size.
    fn step_batch(
        &self,
        memory: &Memory,
        caches: &mut [Cache],
        tokens: &[usize],
        pos: usize,
    ) -> Result<Array2<f32>, MissingWeight> {
        let mut x = self.embed_rows(tokens, &vec![pos; tokens.len()])?;
        for l in 0..self.config.decoder_layers {
            let p = format!("dec.{l}");
            let a = self.self_attend_batch(&format!("{p}.self_attn"), x.view(), caches, l)?;
            x = self.norm(&(&x + &a), &format!("{p}.norm1"))?;
            let a = self.attend(&format!("{p}.cross_attn"), x.view(), memory.cross.get(l))?;
            x = self.norm(&(&x + &a), &format!("{p}.norm2"))?;
            let f = self.feed_forward(&format!("{p}.ffn"), x.view())?;
            x = self.norm(&(&x + &f), &format!("{p}.norm3"))?;
        }
        let logits = matmul_bt(x.view(), self.weights.matrix(EMBEDDING)?);
        Ok(logits + self.weights.vector(FINAL_LOGITS_BIAS)?)
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
        logits: ArrayView1<'_, f32>,
        tokens: &[usize],
        max_length: usize,
    ) -> Array1<f32> {
        let mut lp = log_softmax(logits);
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
            let logits = self.step_batch(
                &memory,
                std::slice::from_mut(&mut cache),
                &[last],
                tokens.len() - 1,
            )?;
            let lp = self.next_logprobs(logits.row(0), &tokens, max_length);
            let (token, logprob) = argmax(lp.view());
            tokens.push(token);
            steps.push(GreedyStep { token, logprob });
            if token == self.config.eos_token_id {
                break;
            }
        }
        Ok((tokens, steps))
    }

    /// Beam search with `beams` hypotheses (see the module docs): the K live hypotheses go
    /// through the decoder as one K-row batch, each row with its own cache.
    pub fn beam_search(
        &self,
        source: &[usize],
        beams: usize,
        max_length: usize,
        penalty: LengthPenalty,
    ) -> Result<BeamSearch, MissingWeight> {
        let memory = self.encode(source)?;
        let start = Beam {
            tokens: vec![self.config.decoder_start()],
            prompt: 1,
            eos: Some(self.config.eos_token_id),
            beams,
            max_length,
            penalty,
        };
        start.search(self.empty_cache(), |caches, running| {
            let last: Vec<usize> = running.iter().map(|t| t[t.len() - 1]).collect();
            let pos = running[0].len() - 1;
            let logits = self.step_batch(&memory, caches, &last, pos)?;
            Ok(running
                .iter()
                .zip(logits.rows())
                .map(|(tokens, row)| self.next_logprobs(row, tokens, max_length))
                .collect())
        })
    }
}

/// A beam search to run: the tokens it starts from and its settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Beam {
    /// The tokens every hypothesis starts with (Marian: the start token; GPT-2: the prompt).
    pub tokens: Vec<usize>,
    /// How many of them are not generated (the length penalty counts the others).
    pub prompt: usize,
    /// The token that ends a hypothesis.
    pub eos: Option<usize>,
    /// Hypotheses kept.
    pub beams: usize,
    /// Longest hypothesis, `tokens` counted.
    pub max_length: usize,
    /// The length penalty of finished hypotheses.
    pub penalty: LengthPenalty,
}

impl Beam {
    /// Runs the search. `next(states, running)` gives, for every running hypothesis at once
    /// (its tokens in `running[b]`, its state — a cache — in `states[b]`), the
    /// log-probabilities of the token after it; the states follow the hypotheses kept (moved
    /// when one continuation keeps a state, copied when several do).
    #[expect(
        clippy::too_many_lines,
        reason = "one beam step (score, rank, finish, keep, stop) reads best in one place."
    )]
    pub fn search<S: Clone>(
        &self,
        state: S,
        mut next: impl FnMut(&mut [S], &[Vec<usize>]) -> Result<Vec<Array1<f32>>, MissingWeight>,
    ) -> Result<BeamSearch, MissingWeight> {
        let k = self.beams.max(1);
        let (max_length, penalty) = (self.max_length, self.penalty);
        // Generated tokens once a continuation is added to a hypothesis of `cur_len` tokens.
        let generated = |cur_len: usize| (cur_len + 1).saturating_sub(self.prompt).max(1);
        // Running hypotheses: tokens and summed log-probability; their states, row by row.
        let mut running = vec![(self.tokens.clone(), 0.0f32)];
        let mut states = vec![state];
        let mut finished: Vec<(Vec<usize>, f32)> = Vec::new();
        let mut steps = Vec::new();
        let mut can_improve = true;
        loop {
            let cur_len = running[0].0.len();
            let tokens: Vec<Vec<usize>> = running.iter().map(|(t, _)| t.clone()).collect();
            let lps = next(&mut states, &tokens)?;
            // Every continuation of every hypothesis: (summed log p, parent, token).
            let mut all: Vec<(f32, usize, usize)> =
                Vec::with_capacity(lps.iter().map(Array1::len).sum());
            for (b, ((_, score), lp)) in running.iter().zip(&lps).enumerate() {
                all.extend(lp.iter().enumerate().map(|(t, l)| (l + *score, b, t)));
            }
            // The best 2K, best first (ties: lower parent, then lower token first).
            let best_first = |a: &(f32, usize, usize), b: &(f32, usize, usize)| {
                b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
            };
            let top = (2 * k).min(all.len());
            if top > 0 && top < all.len() {
                all.select_nth_unstable_by(top - 1, best_first);
                all.truncate(top);
            }
            all.sort_unstable_by(best_first);
            let hits: Vec<bool> = all
                .iter()
                .map(|&(_, _, t)| Some(t) == self.eos || cur_len + 1 >= max_length)
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
            let len = generated(cur_len);
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
            let chosen: Vec<usize> = order.iter().take(k).copied().collect();
            let mut keep = Vec::with_capacity(k);
            for &i in &chosen {
                let c = &mut cands[i];
                let penalised = if hits[i] { c.logprob - 1e9 } else { c.logprob };
                if !hits[i] {
                    c.fate = Fate::Kept(keep.len());
                }
                keep.push((c.tokens.clone(), penalised));
            }
            states = reorder(states, chosen.iter().map(|&i| cands[i].parent));
            steps.push(cands);
            running = keep;
            let all_hit = hits.iter().all(|h| *h);
            if finished.len() == k {
                let best_possible = running[0].1 / penalty.divisor(len);
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

/// The states of the next hypotheses: `parents` (each an index into `states`) in order; a
/// state used once is moved, one used more often is copied.
fn reorder<S: Clone>(states: Vec<S>, parents: impl Iterator<Item = usize> + Clone) -> Vec<S> {
    let mut uses = vec![0usize; states.len()];
    for p in parents.clone() {
        if let Some(u) = uses.get_mut(p) {
            *u += 1;
        }
    }
    let mut old: Vec<Option<S>> = states.into_iter().map(Some).collect();
    parents
        .filter_map(|p| {
            let u = uses.get_mut(p)?;
            *u -= 1;
            if *u == 0 {
                old[p].take()
            } else {
                old[p].clone()
            }
        })
        .collect()
}

/// The log-probabilities of `logits` (log-softmax).
pub fn log_softmax(logits: ArrayView1<'_, f32>) -> Array1<f32> {
    let max = logits.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let lse = max + logits.mapv(|l| (l - max).exp()).sum().ln();
    logits.mapv(|l| l - lse)
}

/// The largest value of `x` and its index (the first one on a tie).
pub(super) fn argmax(x: ArrayView1<'_, f32>) -> (usize, f32) {
    x.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv { (i, v) } else { (bi, bv) }
        })
}

fn append_row(m: &mut Array2<f32>, r: ArrayView1<'_, f32>) {
    // push_row fails only on a width mismatch, which the weights' shapes rule out.
    if m.push_row(r).is_err() {
        *m = ndarray::concatenate(Axis(0), &[m.view(), r.insert_axis(Axis(0))])
            .unwrap_or_else(|_| m.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_follow_the_hypotheses_kept() {
        // Hypothesis b's cache holds the single value b. Parents [1, 1, 0]: the next
        // hypotheses 0 and 1 continue hypothesis 1 (one copy, then the cache itself), the
        // next hypothesis 2 continues hypothesis 0; hypothesis 2's cache is dropped.
        let cache = |v: f32| Cache {
            layers: vec![(Array2::from_elem((1, 1), v), Array2::from_elem((1, 1), v))],
        };
        let next = reorder(
            vec![cache(0.0), cache(1.0), cache(2.0)],
            [1, 1, 0].into_iter(),
        );
        let firsts: Vec<f32> = next.iter().map(|c| c.layers[0].0[[0, 0]]).collect();
        assert_eq!(firsts, [1.0, 1.0, 0.0]);
    }

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
