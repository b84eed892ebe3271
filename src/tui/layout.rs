//! Where everything goes: a pure function of the app state and the terminal size, shared by
//! the view (to draw) and by `update` (to map a mouse click to a tree line or a matrix cell,
//! and to keep the cursor inside the visible window).

use ratatui::layout::{Constraint, Layout, Rect};

use crate::render::{MAX_LABEL_WIDTH, width};
use crate::trace::Step;

use super::app::{App, Scroll};
use super::tree::Node;

/// Smallest terminal the layout fits in.
pub const MIN_WIDTH: u16 = 60;
/// Smallest terminal height the layout fits in.
pub const MIN_HEIGHT: u16 = 18;

/// The panes of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Title, model summary and the sentence(s).
    pub header: Rect,
    /// The pipeline tree (with its border).
    pub tree: Rect,
    /// The matrix (with its border).
    pub matrix: Rect,
    /// The tour note beside the matrix, while a tour is replayed.
    pub note: Option<Rect>,
    /// Formula, row statistics and the cell's arithmetic (with its border).
    pub detail: Rect,
    /// Status, error or prompt line.
    pub status: Rect,
    /// The keys that apply now.
    pub footer: Rect,
}

/// Lines inside the header box: summary, source, and target for encoder-decoder models.
pub fn header_lines(app: &App) -> u16 {
    let target = app.session().input().is_some_and(|i| i.target.is_some());
    if target { 3 } else { 2 }
}

/// The panes for a terminal of `area`, or `None` when it is smaller than the minimum.
pub fn areas(app: &App, area: Rect) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [header, middle, status, footer] = Layout::vertical([
        Constraint::Length(header_lines(app) + 2),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let tree_w = match area.width {
        w if w >= 110 => 28,
        w if w >= 90 => 25,
        _ => 22,
    };
    let [tree, right] =
        Layout::horizontal([Constraint::Length(tree_w), Constraint::Min(0)]).areas(middle);
    // The matrix gets what its rows need (tabs, labels, borders included), the detail box
    // the rest, between a third and two thirds of the height.
    let wanted = app.session().current_step().map_or(0, |s| {
        s.dims().0
            + usize::from(s.heads().is_some())
            + 3
            + if app.session().tour().is_some() && right.width < 90 {
                4
            } else {
                0
            }
    });
    let spare = middle
        .height
        .saturating_sub(u16::try_from(wanted).unwrap_or(u16::MAX));
    let lo = (middle.height / 3).max(6);
    let hi = (middle.height * 2 / 3).max(lo);
    let detail_h = spare.clamp(lo, hi);
    let [top, detail] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(detail_h)]).areas(right);
    let (matrix, note) = if app.session().tour().is_some() {
        if top.width >= 90 {
            let [m, n] =
                Layout::horizontal([Constraint::Min(0), Constraint::Length(32)]).areas(top);
            (m, Some(n))
        } else {
            let [n, m] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(top);
            (m, Some(n))
        }
    } else {
        (top, None)
    };
    Some(Areas {
        header,
        tree,
        matrix,
        note,
        detail,
        status,
        footer,
    })
}

/// The inside of a bordered box.
pub fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

/// The first index to show so that `cursor` is visible in a window of `cap` out of `n`,
/// moving `offset` as little as possible.
pub fn follow(offset: usize, cursor: usize, cap: usize, n: usize) -> usize {
    let cap = cap.max(1);
    let mut o = offset.min(n.saturating_sub(cap));
    if cursor < o {
        o = cursor;
    } else if cursor >= o + cap {
        o = cursor + 1 - cap;
    }
    o
}

/// How the selected step's matrix sits in the matrix box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// The head tabs line (per-head steps).
    pub tabs: Option<Rect>,
    /// The column labels line.
    pub header: Rect,
    /// The rows (row labels included).
    pub body: Rect,
    /// Width of the row label column.
    pub label_w: u16,
    /// Width of one value column (a one-column gap comes before each).
    pub col_w: u16,
    /// First and one-past-last row shown.
    pub rows: (usize, usize),
    /// First and one-past-last column shown.
    pub cols: (usize, usize),
    /// Rows of the matrix.
    pub n_rows: usize,
    /// Columns of the matrix.
    pub n_cols: usize,
}

impl Grid {
    /// Rows that fit.
    pub fn row_capacity(&self) -> usize {
        usize::from(self.body.height).max(1)
    }
    /// Columns that fit.
    pub fn col_capacity(&self) -> usize {
        let w = self.body.width.saturating_sub(self.label_w);
        usize::from(w / (self.col_w + 1)).max(1)
    }
    /// The x of the value column `j` (a visible one).
    pub fn col_x(&self, j: usize) -> u16 {
        let k = (j.saturating_sub(self.cols.0)) as u16;
        self.body.x + self.label_w + k * (self.col_w + 1) + 1
    }
    /// The cell at screen position (x, y), if any.
    pub fn cell_at(&self, x: u16, y: u16) -> Option<(usize, usize)> {
        if y < self.body.y || y >= self.body.y + self.body.height {
            return None;
        }
        let r = self.rows.0 + usize::from(y - self.body.y);
        let left = self.body.x + self.label_w;
        if x < left || r >= self.rows.1 {
            return None;
        }
        let c = self.cols.0 + usize::from((x - left) / (self.col_w + 1));
        (c < self.cols.1).then_some((r, c))
    }
}

/// Width of a value column for `step` at `precision` digits: room for `-12.3456`, and for the
/// column labels up to two more columns.
pub fn col_width(step: &Step, head: Option<usize>, precision: usize) -> u16 {
    let base = precision + 4 + usize::from(precision == 0);
    let label = step
        .col_labels(head)
        .iter()
        .take(4096)
        .map(|l| width(l))
        .max()
        .unwrap_or(1);
    (base.max(label.min(base + 2))) as u16
}

/// Width of the row label column.
pub fn label_width(step: &Step) -> u16 {
    let w = step
        .row_labels()
        .iter()
        .take(4096)
        .map(|l| width(l))
        .max()
        .unwrap_or(1);
    w.clamp(3, MAX_LABEL_WIDTH.min(12)) as u16
}

/// Head tabs: the label `head` then ` 0 `, ` 1 `, … separated by `│`; returns (x offset,
/// width) of each tab from the start of the line.
pub fn tab_positions(heads: usize) -> Vec<(u16, u16)> {
    let mut x = 5u16; // "head "
    (0..heads)
        .map(|h| {
            let w = h.to_string().len() as u16 + 2;
            let at = (x, w);
            x += w + 1;
            at
        })
        .collect()
}

/// The grid of the selected step inside the matrix box `area` (border included), scrolled
/// from `scroll` just enough to show the cursor.
pub fn grid(app: &App, area: Rect, scroll: Scroll) -> Option<Grid> {
    let s = app.session();
    let step = s.current_step()?;
    let head = s.current_head();
    let inside = inner(area);
    let (n_rows, n_cols) = step.dims();
    let per_head = step.heads().is_some();
    let tabs_h = u16::from(per_head);
    if inside.height < tabs_h + 2 {
        return None;
    }
    let tabs = per_head.then_some(Rect {
        height: 1,
        ..inside
    });
    let header = Rect {
        y: inside.y + tabs_h,
        height: 1,
        ..inside
    };
    let body = Rect {
        y: inside.y + tabs_h + 1,
        height: inside.height - tabs_h - 1,
        ..inside
    };
    let mut g = Grid {
        tabs,
        header,
        body,
        label_w: label_width(step),
        col_w: col_width(step, head, s.precision()),
        rows: (0, 0),
        cols: (0, 0),
        n_rows,
        n_cols,
    };
    let c = s.cursor();
    let rcap = g.row_capacity();
    let ccap = g.col_capacity();
    let r0 = follow(scroll.row, c.row, rcap, n_rows);
    let c0 = follow(scroll.col, c.col, ccap, n_cols);
    g.rows = (r0, (r0 + rcap).min(n_rows));
    g.cols = (c0, (c0 + ccap).min(n_cols));
    Some(g)
}

/// The tree lines shown in the tree box `area`: (first line index, the lines).
pub fn tree_window(app: &App, area: Rect, scroll: Scroll) -> (usize, Vec<Node>) {
    let rows = app.tree_rows();
    let cap = usize::from(inner(area).height);
    let sel = rows
        .iter()
        .position(|n| n == app.tree_selection())
        .unwrap_or(0);
    (follow(scroll.tree, sel, cap, rows.len()), rows)
}

/// What a mouse click at (x, y) lands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hit {
    /// A line of the tree.
    Tree(Node),
    /// A cell of the matrix.
    Cell(usize, usize),
    /// A head tab.
    Head(usize),
    /// Somewhere in the matrix box.
    Matrix,
    /// Somewhere in the detail box.
    Detail,
    /// Nothing clickable.
    Nothing,
}

fn contains(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
}

/// What is at (x, y) on a terminal of the app's size.
pub fn hit(app: &App, x: u16, y: u16) -> Hit {
    let area = Rect::new(0, 0, app.size().width, app.size().height);
    let Some(a) = areas(app, area) else {
        return Hit::Nothing;
    };
    let scroll = app.scroll();
    if contains(inner(a.tree), x, y) {
        let (first, rows) = tree_window(app, a.tree, scroll);
        let i = first + usize::from(y - inner(a.tree).y);
        return rows.get(i).cloned().map_or(Hit::Nothing, Hit::Tree);
    }
    if contains(a.matrix, x, y) {
        if let Some(g) = grid(app, a.matrix, scroll) {
            if let Some(t) = g.tabs
                && y == t.y
            {
                let heads = app
                    .session()
                    .current_step()
                    .and_then(Step::heads)
                    .unwrap_or(0);
                for (h, (off, w)) in tab_positions(heads).into_iter().enumerate() {
                    if x >= t.x + off && x < t.x + off + w {
                        return Hit::Head(h);
                    }
                }
            }
            if let Some((r, c)) = g.cell_at(x, y) {
                return Hit::Cell(r, c);
            }
        }
        return Hit::Matrix;
    }
    if contains(a.detail, x, y) {
        return Hit::Detail;
    }
    Hit::Nothing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_moves_the_window_as_little_as_possible() {
        assert_eq!(follow(0, 3, 5, 10), 0);
        assert_eq!(follow(0, 7, 5, 10), 3);
        assert_eq!(follow(5, 2, 5, 10), 2);
        assert_eq!(follow(9, 9, 5, 10), 5);
        assert_eq!(follow(0, 0, 0, 0), 0);
    }

    #[test]
    fn tabs_are_laid_out_after_the_word_head() {
        assert_eq!(tab_positions(3), [(5, 3), (9, 3), (13, 3)]);
        assert_eq!(tab_positions(11)[10], (5 + 10 * 4, 4));
    }
}
