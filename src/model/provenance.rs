//! Where a model's numbers come from, in one line for the front ends.

use super::transformer::Transformer;

impl Transformer {
    /// Where the weights come from: `untrained (random weights, seed 42)`. Every front end
    /// (the TUI header, `qkv run`) prints this line, so that nobody reads meaning into the
    /// patterns of random weights.
    pub fn provenance(&self) -> String {
        format!("untrained (random weights, seed {})", self.config().seed)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Config, Transformer};

    #[test]
    fn provenance_says_the_weights_are_random_and_names_the_seed() {
        let c = Config {
            seed: 7,
            ..Config::default()
        };
        let m = Transformer::new(c.validate().unwrap());
        assert_eq!(m.provenance(), "untrained (random weights, seed 7)");
    }
}
