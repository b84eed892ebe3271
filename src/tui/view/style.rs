//! Colours: heatmaps for values (sequential for weights and probabilities, diverging for
//! signed values; the colour math is in [`crate::heat`]), the distinct look of masked −∞ cells, and the chrome. 256-colour palette
//! indices, so they look the same in every terminal that has 256 colours.

use ratatui::style::{Color, Modifier, Style};

use crate::heat;
use crate::trace::StepKind;

/// The style of a masked (−∞) cell: grey on black, never mistaken for a small number.
pub const MASKED: Style = Style::new()
    .fg(Color::Indexed(heat::MASKED_FG))
    .bg(Color::Indexed(heat::MASKED_BG))
    .add_modifier(Modifier::ITALIC);
/// The style of a NaN or +∞ cell.
pub const PROBLEM: Style = Style::new()
    .fg(Color::Indexed(heat::PROBLEM_FG))
    .bg(Color::Indexed(heat::PROBLEM_BG))
    .add_modifier(Modifier::BOLD);
/// Focused pane border.
pub const FOCUS: Style = Style::new().fg(Color::Indexed(45));
/// Unfocused pane border.
pub const BORDER: Style = Style::new().fg(Color::Indexed(240));
/// Pane and section titles.
pub const TITLE: Style = Style::new().add_modifier(Modifier::BOLD);
/// Secondary text.
pub const DIM: Style = Style::new().fg(Color::Indexed(245));
/// A key in the footer and the help.
pub const KEY: Style = Style::new()
    .fg(Color::Indexed(16))
    .bg(Color::Indexed(250))
    .add_modifier(Modifier::BOLD);
/// The selected thing (tree cursor, head tab).
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
/// The step or cell under the study cursor.
pub const CURRENT: Style = Style::new()
    .fg(Color::Indexed(heat::CURRENT))
    .add_modifier(Modifier::BOLD);
/// A cell changed by the last rerun.
pub const CHANGED: Style = Style::new()
    .fg(Color::Indexed(226))
    .add_modifier(Modifier::BOLD);
/// Error status line.
pub const ERROR: Style = Style::new()
    .fg(Color::Indexed(231))
    .bg(Color::Indexed(124))
    .add_modifier(Modifier::BOLD);
/// Warning status line.
pub const WARNING: Style = Style::new().fg(Color::Indexed(16)).bg(Color::Indexed(214));
/// The sentence being edited.
pub const EDITING: Style = Style::new().fg(Color::Indexed(231)).bg(Color::Indexed(24));

/// True when `kind` is coloured on the sequential [0, 1] scale.
pub fn sequential(kind: StepKind) -> bool {
    heat::sequential(kind)
}

/// Heatmap style of value `v` of a step of `kind`; `scale` is the largest |v| of the matrix
/// (used by the diverging scale). The colours are [`crate::heat::heat`]'s, which the SVG
/// pictures of `plot` use too.
pub fn heat(kind: StepKind, v: f32, scale: f32) -> Style {
    let h = heat::heat(kind, v, scale);
    if h.masked {
        return MASKED;
    }
    if h.problem {
        return PROBLEM;
    }
    Style::new()
        .fg(Color::Indexed(h.fg))
        .bg(Color::Indexed(h.bg))
}

/// A cell hidden by a practice question (`?`).
pub const HIDDEN: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);

/// The term a practice grading blames (highlighted in the explanation).
pub const BLAMED: Style = Style::new()
    .fg(Color::Red)
    .add_modifier(Modifier::BOLD)
    .add_modifier(Modifier::UNDERLINED);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales() {
        assert_eq!(
            heat(StepKind::Weights, 0.0, 1.0).bg,
            Some(Color::Indexed(235))
        );
        assert_eq!(
            heat(StepKind::Weights, 1.0, 1.0).bg,
            Some(Color::Indexed(226))
        );
        assert_eq!(
            heat(StepKind::Scores, -2.0, 2.0).bg,
            Some(Color::Indexed(33))
        );
        assert_eq!(
            heat(StepKind::Scores, 2.0, 2.0).bg,
            Some(Color::Indexed(196))
        );
        assert_eq!(
            heat(StepKind::Scores, 0.0, 2.0).bg,
            Some(Color::Indexed(236))
        );
        assert_eq!(heat(StepKind::Masked, f32::NEG_INFINITY, 2.0), MASKED);
    }
}
