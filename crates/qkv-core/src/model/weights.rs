//! Every learnable tensor of the model under its canonical name
//! (`enc.0.attn.W_Q`, `dec.1.ffn.b2`, `dec.0.norm3.gamma`, `final_norm.beta`, …).

use std::collections::HashMap;
use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;
use thiserror::Error;

use super::config::{Config, Norm};
use super::init::xavier;
use crate::trace::{Block, Side, StepName};
use crate::util::edit_distance;

/// Models with at least this many values update their weights on several threads
/// ([`Weights::update_each`]). An Adam update costs about 2 ns per value on one thread, so
/// below this it takes under about 0.1 ms, where waking a second thread gains little.
pub const PARALLEL_UPDATE_MIN_VALUES: usize = 1 << 16;

/// A weight matrix or vector.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// rows × cols.
    Matrix(Array2<f32>),
    /// len.
    Vector(Array1<f32>),
}

impl Param {
    /// The shape as a list.
    pub fn shape(&self) -> Vec<usize> {
        match self {
            Param::Matrix(m) => m.shape().to_vec(),
            Param::Vector(v) => v.shape().to_vec(),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Param::Matrix(m) => m.len(),
            Param::Vector(v) => v.len(),
        }
    }

    /// True when it holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All values in row-major order.
    pub fn values(&self) -> Box<dyn Iterator<Item = f32> + '_> {
        match self {
            Param::Matrix(m) => Box::new(m.iter().copied()),
            Param::Vector(v) => Box::new(v.iter().copied()),
        }
    }
}

/// A weight name or value that does not fit the model.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum WeightError {
    /// No weight of that name.
    #[error("unknown weight {name:?}{}", hint(suggestions))]
    Unknown {
        /// The name given.
        name: String,
        /// Existing names close to it.
        suggestions: Vec<String>,
    },
    /// Value of the wrong shape.
    #[error(
        "weight {name} must be {} but the value given is {}",
        shape_text(expected),
        shape_text(got)
    )]
    Shape {
        /// Weight name.
        name: String,
        /// Its shape.
        expected: Vec<usize>,
        /// Shape given.
        got: Vec<usize>,
    },
    /// NaN or infinity in a value.
    #[error(
        "weight {name} has a non-finite value {value} at flat index {index}: weights must be finite numbers"
    )]
    NotFinite {
        /// Weight name.
        name: String,
        /// Position (row-major).
        index: usize,
        /// The value.
        value: f32,
    },
    /// `embed.E` depends on the sentence's vocabulary.
    #[error(
        "embed.E is built from the sentence's tokens; override one token's vector instead (scenario `embeddings:` or `set embed <token> [...]`)"
    )]
    EmbeddingTable,
}

fn hint(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", s.join(", "))
    }
}

/// `[4, 8]` → `4 × 8`.
pub fn shape_text(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(std::string::ToString::to_string).collect();
    parts.join(" × ")
}

/// A weight the model needs is not in the store (a config changed without new weights).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "the model has no weight {0:?} of the expected kind; rebuild the weights for this configuration"
)]
pub struct MissingWeight(pub String);

/// The name of the embedding table (a weight only in models with a fixed vocabulary).
pub const EMBEDDING: &str = "embed.E";

/// Models with at least this many values draw their matrices in parallel.
const PARALLEL_INIT_MIN: usize = 1 << 20;

/// How one weight starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// Xavier-uniform rows × cols from the stream of the weight's name: uniform in
    /// [−a, a) with a = √(6 / (rows + cols)).
    Xavier(usize, usize),
    /// A vector of ones (gamma).
    Ones(usize),
    /// A vector of zeros (biases, beta).
    Zeros(usize),
}

/// How the weight `name` of a model of `config` starts (`None` for `embed.E`, whose rows
/// are each token's seeded vector, [`super::init::token_vector`], and for a name the model
/// does not have).
pub fn init_of(config: &Config, name: &str) -> Option<Init> {
    specs(config)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, i)| i)
}

impl Init {
    /// The bound a of a Xavier-uniform matrix (`None` for ones and zeros).
    pub fn bound(self) -> Option<f32> {
        match self {
            Init::Xavier(r, c) => Some((6.0 / (r + c) as f64).sqrt() as f32),
            Init::Ones(_) | Init::Zeros(_) => None,
        }
    }

    /// The value entry (`row`, `col`) of the weight `name` starts with under `seed` (a
    /// vector's entry j is (0, j)); `None` past its end.
    pub fn entry(self, seed: u64, name: &str, row: usize, col: usize) -> Option<f32> {
        match self.make(seed, name) {
            Param::Matrix(m) => m.get((row, col)).copied(),
            Param::Vector(v) => (row == 0).then(|| v.get(col).copied()).flatten(),
        }
    }

    fn len(self) -> usize {
        match self {
            Init::Xavier(r, c) => r * c,
            Init::Ones(n) | Init::Zeros(n) => n,
        }
    }

    fn make(self, seed: u64, name: &str) -> Param {
        match self {
            Init::Xavier(r, c) => Param::Matrix(xavier(seed, name, r, c)),
            Init::Ones(n) => Param::Vector(Array1::ones(n)),
            Init::Zeros(n) => Param::Vector(Array1::zeros(n)),
        }
    }
}

/// Name → tensor, in canonical order.
#[derive(Debug, Clone)]
pub struct Weights {
    /// Shared, so that cloning a model (the Session does, to rerun without losing the old
    /// one on error) copies no numbers; `set` replaces one entry.
    entries: Vec<(String, Arc<Param>)>,
    index: HashMap<String, usize>,
    /// One number per entry, changed whenever that entry's value changes (unique in the
    /// process; clones share them).
    generations: Arc<Vec<u64>>,
}

/// The weights of `config` and how each starts, in canonical order.
fn specs(config: &Config) -> Vec<(String, Init)> {
    let mut specs: Vec<(String, Init)> = Vec::new();
    let (d, f) = (config.d_model, config.d_ff);
    let attention = |specs: &mut Vec<(String, Init)>, prefix: &str| {
        for n in ["W_Q", "W_K", "W_V", "W_O"] {
            specs.push((format!("{prefix}.{n}"), Init::Xavier(d, d)));
        }
    };
    let norm = |specs: &mut Vec<(String, Init)>, prefix: &str| {
        specs.push((format!("{prefix}.gamma"), Init::Ones(d)));
        specs.push((format!("{prefix}.beta"), Init::Zeros(d)));
    };
    let ffn = |specs: &mut Vec<(String, Init)>, prefix: &str| {
        specs.push((format!("{prefix}.W1"), Init::Xavier(d, f)));
        specs.push((format!("{prefix}.b1"), Init::Zeros(f)));
        specs.push((format!("{prefix}.W2"), Init::Xavier(f, d)));
        specs.push((format!("{prefix}.b2"), Init::Zeros(d)));
    };
    if config.has_encoder() {
        for l in 0..config.layers.encoder {
            let p = |block| StepName::block_path(Side::Enc, l, block);
            attention(&mut specs, &p(Block::Attn));
            norm(&mut specs, &p(Block::Norm(1)));
            ffn(&mut specs, &p(Block::Ffn));
            norm(&mut specs, &p(Block::Norm(2)));
        }
        if config.norm == Norm::Pre {
            let name = if config.has_decoder() {
                "enc.final_norm"
            } else {
                "final_norm"
            };
            norm(&mut specs, name);
        }
    }
    if config.has_decoder() {
        let cross = config.has_encoder();
        for l in 0..config.layers.decoder {
            let p = |block| StepName::block_path(Side::Dec, l, block);
            attention(&mut specs, &p(Block::SelfAttn));
            norm(&mut specs, &p(Block::Norm(1)));
            if cross {
                attention(&mut specs, &p(Block::CrossAttn));
                norm(&mut specs, &p(Block::Norm(2)));
            }
            ffn(&mut specs, &p(Block::Ffn));
            norm(&mut specs, &p(Block::Norm(if cross { 3 } else { 2 })));
        }
        if config.norm == Norm::Pre {
            norm(&mut specs, "final_norm");
        }
    }
    specs
}

/// Which values the weights had: a snapshot of [`Weights`]' generations, recorded in a
/// trace so that [`Transformer::rerun`](super::Transformer::rerun) can tell which weights
/// changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightsStamp {
    generations: Arc<Vec<u64>>,
}

/// Equal when every weight is equal (the generation is not compared).
impl PartialEq for Weights {
    fn eq(&self, other: &Weights) -> bool {
        self.entries == other.entries
    }
}

/// A number no other weights of this process have had.
fn fresh_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Weights {
    /// Fresh weights for `config`: Xavier-uniform matrices (each from the stream of its
    /// name), zero biases, gamma = 1, beta = 0.
    ///
    /// Each matrix has its own stream, so large models draw their matrices in parallel
    /// (same values as one after the other).
    pub fn init(config: &Config) -> Weights {
        let specs = specs(config);
        let seed = config.seed;
        let total: usize = specs.iter().map(|(_, i)| i.len()).sum();
        let params: Vec<Param> = if total >= PARALLEL_INIT_MIN {
            specs.par_iter().map(|(n, i)| i.make(seed, n)).collect()
        } else {
            specs.iter().map(|(n, i)| i.make(seed, n)).collect()
        };
        let mut w = Weights {
            entries: Vec::with_capacity(specs.len()),
            index: HashMap::with_capacity(specs.len()),
            generations: Arc::new(Vec::new()),
        };
        let family = fresh_generation();
        for ((name, _), p) in specs.into_iter().zip(params) {
            w.push(name, p);
        }
        w.generations = Arc::new(vec![family; w.entries.len()]);
        w
    }

    fn push(&mut self, name: String, p: Param) {
        self.index.insert(name.clone(), self.entries.len());
        self.entries.push((name, Arc::new(p)));
    }

    /// Weights made of `named` as given, in that order (a checkpoint's; the caller checks
    /// names and shapes against the configuration with [`Weights::expected`]).
    pub fn from_named(named: Vec<(String, Param)>) -> Weights {
        let mut w = Weights {
            entries: Vec::with_capacity(named.len()),
            index: HashMap::with_capacity(named.len()),
            generations: Arc::new(Vec::new()),
        };
        for (name, p) in named {
            w.push(name, p);
        }
        let family = fresh_generation();
        w.generations = Arc::new(vec![family; w.entries.len()]);
        w
    }

    /// These weights with the learned embedding table `embed.E` first (a model with a fixed
    /// vocabulary; the table replaces any there was).
    ///
    /// # Shapes
    /// `table`: vocab × d_model.
    pub fn with_embedding(self, table: Array2<f32>) -> Weights {
        let named = std::iter::once((EMBEDDING.to_string(), Param::Matrix(table)))
            .chain(
                self.entries
                    .into_iter()
                    .filter(|(n, _)| n != EMBEDDING)
                    .map(|(n, p)| (n, Arc::unwrap_or_clone(p))),
            )
            .collect();
        Weights::from_named(named)
    }

    /// The name and shape of every weight a model of `config` has, in canonical order
    /// (without `embed.E`, whose rows depend on the vocabulary).
    pub fn expected(config: &Config) -> Vec<(String, Vec<usize>)> {
        specs(config)
            .into_iter()
            .map(|(n, i)| {
                let shape = match i {
                    Init::Xavier(r, c) => vec![r, c],
                    Init::Ones(n) | Init::Zeros(n) => vec![n],
                };
                (n, shape)
            })
            .collect()
    }

    /// Applies `f` to every weight with the item of `extra` at its place in canonical order
    /// (`extra` has one item per weight; missing items leave their weights alone), weights
    /// in parallel when the model is large enough for threads to pay off; each weight counts as
    /// changed. What `f` does to one weight must not depend on the others.
    pub fn update_each<T: Send>(&mut self, extra: Vec<T>, f: impl Fn(&str, &mut Param, T) + Sync) {
        let family = fresh_generation();
        let values: usize = self.entries.iter().map(|(_, p)| p.len()).sum();
        let run = |((name, p), x): (&mut (String, Arc<Param>), T)| f(name, Arc::make_mut(p), x);
        if values >= PARALLEL_UPDATE_MIN_VALUES {
            self.entries.par_iter_mut().zip(extra).for_each(run);
        } else {
            self.entries.iter_mut().zip(extra).for_each(run);
        }
        self.generations = Arc::new(vec![family; self.entries.len()]);
    }

    /// A snapshot of which values the weights have now (cheap: shared, not copied).
    pub fn stamp(&self) -> WeightsStamp {
        WeightsStamp {
            generations: Arc::clone(&self.generations),
        }
    }

    /// True when the weights called `names` have the values they had at `stamp` (taken
    /// from these weights or a clone of them); false for unknown names or another model's
    /// stamp.
    pub fn unchanged_since(&self, stamp: &WeightsStamp, names: &[&str]) -> bool {
        names.iter().all(|n| {
            self.index.get(*n).is_some_and(|i| {
                stamp.generations.get(*i).is_some()
                    && stamp.generations.get(*i) == self.generations.get(*i)
            })
        })
    }

    /// Every weight in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.entries.iter().map(|(n, p)| (n.as_str(), p.as_ref()))
    }

    /// Number of weights.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Total number of values.
    pub fn param_count(&self) -> usize {
        self.entries.iter().map(|(_, p)| p.len()).sum()
    }

    /// The weight called `name`.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.index.get(name).map(|i| self.entries[*i].1.as_ref())
    }

    /// The weight called `name`, or an error with suggestions.
    pub fn lookup(&self, name: &str) -> Result<&Param, WeightError> {
        if name == EMBEDDING && self.get(name).is_none() {
            return Err(WeightError::EmbeddingTable);
        }
        self.get(name).ok_or_else(|| WeightError::Unknown {
            name: name.to_string(),
            suggestions: self.suggest(name),
        })
    }

    /// Existing names close to `name`.
    pub fn suggest(&self, name: &str) -> Vec<String> {
        let mut v: Vec<(usize, &str)> = self
            .entries
            .iter()
            .map(|(n, _)| (edit_distance(n, name), n.as_str()))
            .filter(|(d, _)| *d <= 3)
            .collect();
        v.sort_unstable();
        v.into_iter().take(3).map(|(_, n)| n.to_string()).collect()
    }

    /// The matrix called `name`.
    ///
    /// # Shapes
    /// As stored (e.g. d_model × d_model for `W_Q`).
    pub fn matrix(&self, name: &str) -> Result<ArrayView2<'_, f32>, MissingWeight> {
        match self.get(name) {
            Some(Param::Matrix(m)) => Ok(m.view()),
            _ => Err(MissingWeight(name.to_string())),
        }
    }

    /// The vector called `name`.
    ///
    /// # Shapes
    /// As stored (e.g. d_model for `gamma`).
    pub fn vector(&self, name: &str) -> Result<ArrayView1<'_, f32>, MissingWeight> {
        match self.get(name) {
            Some(Param::Vector(v)) => Ok(v.view()),
            _ => Err(MissingWeight(name.to_string())),
        }
    }

    /// Replaces the weight called `name` after checking the name, the shape and that every
    /// value is finite; returns the old value.
    pub fn set(&mut self, name: &str, value: Param) -> Result<Param, WeightError> {
        let current = self.lookup(name)?;
        let (expected, got) = (current.shape(), value.shape());
        // A d × 1 or 1 × d matrix is accepted for a vector of length d.
        let value = match (current, value) {
            (Param::Vector(_), Param::Matrix(m))
                if m.len() == expected[0] && m.ncols().min(m.nrows()) == 1 =>
            {
                Param::Vector(Array1::from_iter(m.iter().copied()))
            }
            (_, v) => v,
        };
        if value.shape() != expected {
            return Err(WeightError::Shape {
                name: name.to_string(),
                expected,
                got,
            });
        }
        if let Some((index, v)) = value.values().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(WeightError::NotFinite {
                name: name.to_string(),
                index,
                value: v,
            });
        }
        let i = self.index[name];
        if let Some(g) = Arc::make_mut(&mut self.generations).get_mut(i) {
            *g = fresh_generation();
        }
        let old = std::mem::replace(&mut self.entries[i].1, Arc::new(value));
        Ok(Arc::unwrap_or_clone(old))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::{Arch, Preset};
    use ndarray::array;

    #[test]
    fn names_follow_the_architecture() {
        let mut c = Config::preset(Preset::Tiny);
        let w = Weights::init(&c);
        assert!(w.get("enc.1.attn.W_Q").is_some());
        assert!(w.get("dec.1.cross_attn.W_O").is_some());
        assert!(w.get("dec.1.norm3.gamma").is_some());
        assert!(w.get("final_norm.gamma").is_none());
        c.arch = Arch::Decoder;
        c.norm = Norm::Pre;
        let w = Weights::init(&c);
        assert!(w.get("dec.0.norm2.beta").is_some());
        assert!(w.get("dec.0.norm3.beta").is_none());
        assert!(w.get("dec.0.cross_attn.W_Q").is_none());
        assert!(w.get("final_norm.gamma").is_some());
    }

    #[test]
    fn set_checks_shape_and_finiteness() {
        let c = Config::preset(Preset::Tiny);
        let mut w = Weights::init(&c);
        let err = w
            .set("enc.0.attn.W_Q", Param::Matrix(Array2::zeros((2, 2))))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "weight enc.0.attn.W_Q must be 8 × 8 but the value given is 2 × 2"
        );
        let mut bad = Array1::<f32>::zeros(8);
        bad[3] = f32::NAN;
        assert!(matches!(
            w.set("enc.0.norm1.gamma", Param::Vector(bad)),
            Err(WeightError::NotFinite { index: 3, .. })
        ));
        let err = w
            .set("enc.0.attn.W_X", Param::Vector(array![1.0]))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("did you mean enc.0.attn.W_K, enc.0.attn.W_O, enc.0.attn.W_Q?"),
            "{err}"
        );
        let old = w
            .set("enc.0.ffn.b2", Param::Vector(Array1::ones(8)))
            .unwrap();
        assert_eq!(old, Param::Vector(Array1::zeros(8)));
        assert_eq!(w.vector("enc.0.ffn.b2").unwrap().sum(), 8.0);
    }

    #[test]
    fn stamps_tell_which_weights_changed() {
        let c = Config::preset(Preset::Tiny);
        let mut w = Weights::init(&c);
        let stamp = w.stamp();
        let clone = w.clone();
        w.set("enc.0.ffn.b2", Param::Vector(Array1::ones(8)))
            .unwrap();
        assert!(w.unchanged_since(&stamp, &["enc.0.attn.W_Q", "enc.0.ffn.b1"]));
        assert!(!w.unchanged_since(&stamp, &["enc.0.ffn.b2"]));
        assert!(!w.unchanged_since(&stamp, &["no.such.weight"]));
        assert!(clone.unchanged_since(&stamp, &["enc.0.ffn.b2"]));
        // equal values, another model: not the same weights
        let other = Weights::init(&c);
        assert_eq!(other, clone);
        assert!(!other.unchanged_since(&stamp, &["enc.0.attn.W_Q"]));
    }

    #[test]
    fn weights_depend_on_name_not_layer_count() {
        let mut c = Config::preset(Preset::Tiny);
        let a = Weights::init(&c);
        c.layers.encoder = 3;
        let b = Weights::init(&c);
        assert_eq!(a.get("enc.1.attn.W_K"), b.get("enc.1.attn.W_K"));
    }
}
