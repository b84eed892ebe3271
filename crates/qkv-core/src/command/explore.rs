//! The explorer commands of the command language: `explore pe`, `explore scaling`,
//! `explore heads` (the numbers of the TUI views `E`, `S`, `H`).

use super::{Command, ParseError, bad, missing, split_word};

/// Positions (and offsets) `explore pe` shows when none are given.
pub const DEFAULT_PE_POSITIONS: usize = 8;
/// Dimensions `explore pe` prints when none are given (at most d_model).
pub const DEFAULT_PE_DIMS: usize = 8;

/// An explorer request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExploreCommand {
    /// The positional-encoding explorer.
    Pe {
        /// Positions (rows of the table) and offsets k of the dot-product table.
        positions: usize,
        /// Dimensions printed of the PE table (`None`: up to 8).
        dims: Option<usize>,
        /// Position p of the rotation.
        p: usize,
        /// Offset k of the rotation.
        k: usize,
        /// Frequency pair i of the rotation (columns 2i, 2i+1).
        pair: usize,
    },
    /// The scaling explorer, with the row shown at this d_k.
    Scaling {
        /// Head width of the single row shown.
        d_k: usize,
    },
    /// Every head of the current trace: entropy and role.
    Heads,
}

const USAGE: &str =
    "explore pe [positions] [dims] [p=P] [k=K] [i=I] | explore scaling [d_k] | explore heads";

fn number(value: &str, what: &str) -> Result<usize, ParseError> {
    value
        .parse()
        .map_err(|_| bad("explore", value, format!("{what} (a whole number ≥ 0)")))
}

/// Parses the words after `explore`.
pub(super) fn parse(rest: &str) -> Result<Command, ParseError> {
    let (which, args) = split_word(rest);
    let words: Vec<&str> = args.split_whitespace().collect();
    let e = match which.to_ascii_lowercase().as_str() {
        "" => return Err(missing("explore", "pe, scaling or heads")),
        "pe" | "positional" => {
            let mut plain = Vec::new();
            let (mut p, mut k, mut pair) = (0, 1, 0);
            for w in words {
                match w.split_once('=') {
                    Some(("p", v)) => p = number(v, "a position p")?,
                    Some(("k", v)) => k = number(v, "an offset k")?,
                    Some(("i", v)) => pair = number(v, "a frequency pair i")?,
                    Some(_) => return Err(bad("explore", w, "p=…, k=… or i=…")),
                    None => plain.push(number(w, "a count of positions or dimensions")?),
                }
            }
            if plain.len() > 2 {
                return Err(bad(
                    "explore",
                    args,
                    "at most two numbers: positions, then dimensions",
                ));
            }
            ExploreCommand::Pe {
                positions: plain.first().copied().unwrap_or(DEFAULT_PE_POSITIONS),
                dims: plain.get(1).copied(),
                p,
                k,
                pair,
            }
        }
        "scaling" | "scale" => ExploreCommand::Scaling {
            d_k: match words.as_slice() {
                [] => 64,
                [d] => number(d, "a head width d_k")?,
                _ => return Err(bad("explore", args, "one head width d_k")),
            },
        },
        "heads" => {
            if !words.is_empty() {
                return Err(bad("explore", args, "nothing after `explore heads`"));
            }
            ExploreCommand::Heads
        }
        other => return Err(bad("explore", other, "pe, scaling or heads")),
    };
    Ok(Command::Explore(e))
}

/// The usage line of `explore`.
pub const fn usage() -> &'static str {
    USAGE
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_line;
    use super::*;

    fn ok(line: &str) -> ExploreCommand {
        match parse_line(line) {
            Ok(Some(Command::Explore(e))) => e,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn explore_lines_parse() {
        assert_eq!(
            ok("explore pe"),
            ExploreCommand::Pe {
                positions: 8,
                dims: None,
                p: 0,
                k: 1,
                pair: 0
            }
        );
        assert_eq!(
            ok("explore pe 16 4 p=3 k=5 i=1"),
            ExploreCommand::Pe {
                positions: 16,
                dims: Some(4),
                p: 3,
                k: 5,
                pair: 1
            }
        );
        assert_eq!(ok("explore scaling"), ExploreCommand::Scaling { d_k: 64 });
        assert_eq!(
            ok("explore scaling 512"),
            ExploreCommand::Scaling { d_k: 512 }
        );
        assert_eq!(ok("explore heads"), ExploreCommand::Heads);
    }

    #[test]
    fn bad_explore_lines_say_what_is_allowed() {
        let err = |l: &str| parse_line(l).unwrap_err().to_string();
        assert!(
            err("explore").contains("pe, scaling or heads"),
            "{}",
            err("explore")
        );
        assert!(err("explore waves").contains("\"waves\" is not pe, scaling or heads"));
        assert!(err("explore pe x=1").contains("p=…, k=… or i=…"));
        assert!(err("explore scaling big").contains("a head width d_k"));
        assert!(err("explore pe 1 2 3").contains("at most two numbers"));
    }
}
