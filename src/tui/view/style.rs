//! Colours: heatmaps for values (sequential for weights and probabilities, diverging for
//! signed values), the distinct look of masked −∞ cells, and the chrome. 256-colour palette
//! indices, so they look the same in every terminal that has 256 colours.

use ratatui::style::{Color, Modifier, Style};

use crate::trace::StepKind;

/// Dark → bright for values in [0, 1] (weights, probabilities).
const SEQUENTIAL: [u8; 11] = [235, 53, 54, 61, 67, 30, 36, 71, 149, 184, 226];
/// Blues by magnitude for negative values (index 0 ≈ zero).
const NEGATIVE: [u8; 6] = [236, 17, 18, 19, 26, 33];
/// Reds by magnitude for positive values (index 0 ≈ zero).
const POSITIVE: [u8; 6] = [236, 52, 88, 124, 160, 196];

/// The style of a masked (−∞) cell: grey on black, never mistaken for a small number.
pub const MASKED: Style = Style::new()
    .fg(Color::Indexed(244))
    .bg(Color::Indexed(16))
    .add_modifier(Modifier::ITALIC);
/// The style of a NaN or +∞ cell.
pub const PROBLEM: Style = Style::new()
    .fg(Color::Indexed(231))
    .bg(Color::Indexed(201))
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
    .fg(Color::Indexed(226))
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
    kind.is_distribution()
}

/// Heatmap style of value `v` of a step of `kind`; `scale` is the largest |v| of the matrix
/// (used by the diverging scale).
pub fn heat(kind: StepKind, v: f32, scale: f32) -> Style {
    if v == f32::NEG_INFINITY {
        return MASKED;
    }
    if !v.is_finite() {
        return PROBLEM;
    }
    let (bg, bright) = if sequential(kind) {
        let i = (v.clamp(0.0, 1.0) * 10.0).round() as usize;
        (SEQUENTIAL[i.min(10)], i >= 8)
    } else {
        let t = if scale > 0.0 {
            (v.abs() / scale).min(1.0)
        } else {
            0.0
        };
        let i = (t * 5.0).ceil() as usize;
        let pal = if v < 0.0 { &NEGATIVE } else { &POSITIVE };
        (pal[i.min(5)], false)
    };
    let fg = if bright { 16 } else { 231 };
    Style::new().fg(Color::Indexed(fg)).bg(Color::Indexed(bg))
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
