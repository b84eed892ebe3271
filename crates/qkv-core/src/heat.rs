//! The heat colour scale of matrices, shared by the terminal (`tui::view::style`) and the
//! pictures (`plot`), so the two cannot drift: the colours are xterm 256-colour palette
//! indices, and [`rgb`] gives the colour a terminal with the standard xterm palette shows
//! for an index.

use crate::trace::StepKind;

/// Dark → bright for values in [0, 1] (weights, probabilities).
pub const SEQUENTIAL: [u8; 11] = [235, 53, 54, 61, 67, 30, 36, 71, 149, 184, 226];
/// Blues by magnitude for negative values (index 0 ≈ zero).
pub const NEGATIVE: [u8; 6] = [236, 17, 18, 19, 26, 33];
/// Reds by magnitude for positive values (index 0 ≈ zero).
pub const POSITIVE: [u8; 6] = [236, 52, 88, 124, 160, 196];

/// Foreground of a masked (−∞) cell: grey.
pub const MASKED_FG: u8 = 244;
/// Background of a masked (−∞) cell: black.
pub const MASKED_BG: u8 = 16;
/// Foreground of a NaN or +∞ cell: white.
pub const PROBLEM_FG: u8 = 231;
/// Background of a NaN or +∞ cell: magenta.
pub const PROBLEM_BG: u8 = 201;
/// The colour that marks the selected cell (the terminal's cursor colour): yellow.
pub const CURRENT: u8 = 226;

/// What a cell looks like: palette indices and its special case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heat {
    /// Text colour (palette index).
    pub fg: u8,
    /// Cell colour (palette index).
    pub bg: u8,
    /// −∞ (masked): drawn grey on black in italics.
    pub masked: bool,
    /// NaN or +∞: drawn white on magenta in bold.
    pub problem: bool,
}

/// True when `kind` is coloured on the sequential [0, 1] scale.
pub fn sequential(kind: StepKind) -> bool {
    kind.is_distribution()
}

/// The `scale` of [`heat`] for a matrix of `kind`: 1 on the sequential scale, else the
/// largest finite |v| (0 when there is none).
pub fn scale_of(kind: StepKind, values: impl Iterator<Item = f32>) -> f32 {
    if sequential(kind) {
        1.0
    } else {
        values
            .filter(|v| v.is_finite())
            .fold(0.0f32, |a, v| a.max(v.abs()))
    }
}

/// Colour of value `v` of a step of `kind`; `scale` is the largest |v| of the matrix (used
/// by the diverging scale, see [`scale_of`]).
///
/// Sequential: index round(10·clamp(v, 0, 1)) of [`SEQUENTIAL`], black text on the three
/// brightest. Diverging: t = |v| / scale, index ⌈5t⌉ of [`NEGATIVE`] or [`POSITIVE`],
/// white text.
pub fn heat(kind: StepKind, v: f32, scale: f32) -> Heat {
    if v == f32::NEG_INFINITY {
        return Heat {
            fg: MASKED_FG,
            bg: MASKED_BG,
            masked: true,
            problem: false,
        };
    }
    if !v.is_finite() {
        return Heat {
            fg: PROBLEM_FG,
            bg: PROBLEM_BG,
            masked: false,
            problem: true,
        };
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
    Heat {
        fg: if bright { 16 } else { 231 },
        bg,
        masked: false,
        problem: false,
    }
}

/// The red, green and blue of palette index `i` in the standard xterm palette: 0–15 the
/// system colours, 16–231 the 6 × 6 × 6 cube (levels 0, 95, 135, 175, 215, 255),
/// 232–255 the greys 8, 18, …, 238.
pub fn rgb(i: u8) -> [u8; 3] {
    const SYSTEM: [[u8; 3]; 16] = [
        [0, 0, 0],
        [205, 0, 0],
        [0, 205, 0],
        [205, 205, 0],
        [0, 0, 238],
        [205, 0, 205],
        [0, 205, 205],
        [229, 229, 229],
        [127, 127, 127],
        [255, 0, 0],
        [0, 255, 0],
        [255, 255, 0],
        [92, 92, 255],
        [255, 0, 255],
        [0, 255, 255],
        [255, 255, 255],
    ];
    const LEVEL: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        0..=15 => SYSTEM[usize::from(i)],
        16..=231 => {
            let c = i - 16;
            [
                LEVEL[usize::from(c / 36)],
                LEVEL[usize::from(c / 6 % 6)],
                LEVEL[usize::from(c % 6)],
            ]
        }
        _ => {
            let g = 8 + 10 * (i - 232);
            [g, g, g]
        }
    }
}

/// `#rrggbb` of palette index `i`.
pub fn hex(i: u8) -> String {
    let [r, g, b] = rgb(i);
    format!("#{r:02x}{g:02x}{b:02x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_and_palette() {
        // Sequential: 0 → index 0 (235), 1 → index 10 (226), 0.84 → round(8.4) = 8 (149,
        // black text).
        assert_eq!(heat(StepKind::Weights, 0.0, 1.0).bg, 235);
        assert_eq!(heat(StepKind::Weights, 1.0, 1.0).bg, 226);
        assert_eq!(heat(StepKind::Weights, 0.84, 1.0).fg, 16);
        // Diverging with scale 2: −2 → t = 1 → NEGATIVE[5] = 33; 0.3 → t = 0.15 → ⌈0.75⌉
        // = 1 → POSITIVE[1] = 52.
        assert_eq!(heat(StepKind::Scores, -2.0, 2.0).bg, 33);
        assert_eq!(heat(StepKind::Scores, 0.3, 2.0).bg, 52);
        assert!(heat(StepKind::Masked, f32::NEG_INFINITY, 2.0).masked);
        assert!(heat(StepKind::Scores, f32::NAN, 2.0).problem);
        assert_eq!(
            scale_of(StepKind::Scores, [1.0, -3.0, f32::NEG_INFINITY].into_iter()),
            3.0
        );
        // 226 = 16 + 210 = 16 + 5·36 + 5·6 + 0 → (255, 255, 0); 235 = grey 8 + 30 = 38;
        // 33 = 16 + 17 = 0·36 + 2·6 + 5 → (0, 135, 255).
        assert_eq!(rgb(226), [255, 255, 0]);
        assert_eq!(rgb(235), [38, 38, 38]);
        assert_eq!(hex(33), "#0087ff");
    }
}
