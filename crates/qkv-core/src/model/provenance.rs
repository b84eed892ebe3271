//! Where a model's numbers come from, in one line for the front ends.

use super::transformer::Transformer;

impl Transformer {
    /// Where the weights come from: `untrained (random weights, seed 42)` or `trained (1000
    /// updates)`. Every front end (the TUI header, `qkv run`) prints this line, so that
    /// nobody reads meaning into the patterns of random weights.
    pub fn provenance(&self) -> String {
        match self.trained_steps() {
            0 => format!("untrained (random weights, seed {})", self.config().seed),
            1 => "trained (1 update)".to_string(),
            n => format!("trained ({n} updates)"),
        }
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
