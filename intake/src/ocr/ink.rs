//! Where a page holds ink, so that the text detector looks nowhere else.
//!
//! A phone photo is about half table and empty paper, and the detector's
//! cost grows with the area it is shown. A stroke is darker than the paper
//! on both sides of it; shading, a shadow's edge or a blurred table is not.
//! The grey closing of the page (its local maxima, then their local minima)
//! minus the page, a black top-hat, keeps the first and drops the rest.
//! It is taken on the means of small cells, which average out sensor noise
//! and JPEG blocks, and it errs towards ink: a page edge or a table rule
//! counts, and only costs detector time.

use rten_tensor::NdTensorView;
use rten_tensor::prelude::*;

/// Side, in pixels, of the square cells whose mean grey is compared.
pub(super) const CELL: usize = 4;
/// Radius, in cells, of the closing: it marks strokes up to about 20 pixels
/// wide, wider than the bold of a clinic's name at the detector's scale.
const RADIUS: usize = 2;
/// How much darker than its closing a cell must be to hold ink. Print is
/// 0.3 or more darker than paper; noise on a cell's mean stays under 0.05.
const INK: f32 = 0.1;
/// Blank rows of cells that part two bands: beyond the margin the detector
/// is given around a band, so no band's margin reaches another's ink.
pub(super) const GAP: usize = 12;

/// A part of the page that holds ink: rows `top..bottom` and columns
/// `left..right`, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub top: usize,
    pub bottom: usize,
    pub left: usize,
    pub right: usize,
}

/// The bands of `grey` (ocrs' normalisation: black -0.5, white 0.5) that
/// hold ink, top to bottom, parted by blank rows.
pub fn bands(grey: NdTensorView<f32, 2>) -> Vec<Band> {
    let ink = ink_cells(grey);
    let rows: Vec<usize> = (0..ink.rows)
        .filter(|&r| ink.row(r).iter().any(|&i| i))
        .collect();
    rows.chunk_by(|a, b| b - a <= GAP)
        .filter_map(|run| ink.band(*run.first()?, *run.last()? + 1))
        .collect()
}

/// One value per cell, row by row.
struct Grid<T> {
    rows: usize,
    cols: usize,
    cells: Vec<T>,
}

impl<T: Copy> Grid<T> {
    fn row(&self, r: usize) -> &[T] {
        &self.cells[r * self.cols..(r + 1) * self.cols]
    }

    fn map<U>(&self, f: impl Fn(usize, T) -> U) -> Grid<U> {
        Grid {
            rows: self.rows,
            cols: self.cols,
            cells: self
                .cells
                .iter()
                .enumerate()
                .map(|(i, &c)| f(i, c))
                .collect(),
        }
    }
}

impl Grid<bool> {
    /// The band of rows `top..bottom`, its columns cut to its ink.
    fn band(&self, top: usize, bottom: usize) -> Option<Band> {
        let inked = |c: usize| (top..bottom).any(|r| self.cells[r * self.cols + c]);
        let left = (0..self.cols).find(|&c| inked(c))?;
        let right = (0..self.cols).rev().find(|&c| inked(c))?;
        Some(Band {
            top: top * CELL,
            bottom: bottom * CELL,
            left: left * CELL,
            right: (right + 1) * CELL,
        })
    }
}

fn ink_cells(grey: NdTensorView<f32, 2>) -> Grid<bool> {
    let means = cell_means(grey);
    let closed = spread(&spread(&means, f32::max), f32::min);
    means.map(|i, m| closed.cells[i] - m > INK)
}

/// Mean grey of each whole cell; the last partial row and column of
/// pixels are left out.
fn cell_means(grey: NdTensorView<f32, 2>) -> Grid<f32> {
    let [h, w] = grey.shape();
    let (rows, cols) = (h / CELL, w / CELL);
    let mut cells = vec![0.; rows * cols];
    for y in 0..rows * CELL {
        for x in 0..cols * CELL {
            cells[(y / CELL) * cols + x / CELL] += grey[[y, x]];
        }
    }
    let n = (CELL * CELL) as f32;
    cells.iter_mut().for_each(|c| *c /= n);
    Grid { rows, cols, cells }
}

/// Each cell replaced by `pick` over the square of `RADIUS` around it, taken
/// along rows and then along columns (a square's extremum is separable).
fn spread(grid: &Grid<f32>, pick: fn(f32, f32) -> f32) -> Grid<f32> {
    let along = |g: &Grid<f32>, step: usize, len: usize, lines: usize, stride: usize| {
        let mut out = g.cells.clone();
        for line in 0..lines {
            let at = |k: usize| line * stride + k * step;
            for k in 0..len {
                let window = k.saturating_sub(RADIUS)..(k + RADIUS + 1).min(len);
                out[at(k)] = window.map(|j| g.cells[at(j)]).reduce(pick).unwrap_or(0.);
            }
        }
        Grid {
            rows: g.rows,
            cols: g.cols,
            cells: out,
        }
    };
    let across = along(grid, 1, grid.cols, grid.rows, grid.cols);
    along(&across, grid.cols, grid.rows, grid.cols, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rten_tensor::NdTensor;

    const PAPER: f32 = 0.4;
    const PRINT: f32 = -0.3;

    fn page(h: usize, w: usize) -> NdTensor<f32, 2> {
        NdTensor::full([h, w], PAPER)
    }

    fn fill(page: &mut NdTensor<f32, 2>, (y0, y1, x0, x1): (usize, usize, usize, usize), v: f32) {
        for y in y0..y1 {
            for x in x0..x1 {
                page[[y, x]] = v;
            }
        }
    }

    /// A line of print: letters 8 px tall with strokes 2 px wide.
    fn print_line(page: &mut NdTensor<f32, 2>, y: usize, x0: usize, x1: usize) {
        for x in (x0..x1).step_by(6) {
            fill(page, (y, y + 8, x, x + 2), PRINT);
        }
        fill(page, (y + 6, y + 8, x0, x1), PRINT);
    }

    #[test]
    fn blank_paper_has_no_band() {
        assert!(bands(page(200, 160).view()).is_empty());
    }

    #[test]
    fn a_table_under_the_page_is_not_ink() {
        // The page's edge and a soft shadow are steps and slopes, not strokes.
        let mut p = page(200, 200);
        fill(&mut p, (0, 200, 0, 60), -0.2);
        for x in 60..100 {
            fill(&mut p, (0, 200, x, x + 1), -0.2 + 0.015 * (x - 60) as f32);
        }
        assert!(bands(p.view()).is_empty());
    }

    #[test]
    fn print_far_apart_makes_two_bands_cut_to_their_columns() {
        let mut p = page(400, 300);
        print_line(&mut p, 40, 20, 120);
        print_line(&mut p, 56, 20, 200);
        print_line(&mut p, 300, 150, 280);
        let got = bands(p.view());
        assert_eq!(got.len(), 2, "{got:?}");
        let (head, foot) = (got[0], got[1]);
        assert!(head.top <= 40 && head.bottom >= 64, "{head:?}");
        assert!(
            head.left <= 20 && (200..=212).contains(&head.right),
            "{head:?}"
        );
        assert!(
            foot.top <= 300 && foot.bottom >= 308 && foot.bottom < 330,
            "{foot:?}"
        );
        assert!(
            (140..=150).contains(&foot.left) && foot.right >= 280,
            "{foot:?}"
        );
    }

    #[test]
    fn lines_a_few_rows_apart_share_a_band() {
        let mut p = page(400, 300);
        print_line(&mut p, 40, 20, 120);
        print_line(&mut p, 80, 20, 120);
        assert_eq!(bands(p.view()).len(), 1);
    }

    proptest! {
        /// Every mark the size of a letter's stroke, wherever it is printed,
        /// lies within a cell of a band: a cell it barely enters may stay
        /// under the threshold, and the detector's margin covers that.
        #[test]
        fn every_stroke_is_inside_a_band(
            strokes in prop::collection::btree_set((0usize..13, 0usize..9), 1..10),
            w in 3usize..7,
            h in 6usize..15,
            offset in 0usize..8,
        ) {
            let mut p = page(400, 300);
            let at = |(row, col): (usize, usize)| (row * 30 + offset, col * 30 + offset);
            for &cell in &strokes {
                let (y, x) = at(cell);
                fill(&mut p, (y, y + h, x, x + w), PRINT);
            }
            let got = bands(p.view());
            for &cell in &strokes {
                let (y, x) = at(cell);
                prop_assert!(
                    got.iter().any(|b| b.top <= y + CELL
                        && y + h <= b.bottom + CELL
                        && b.left <= x + CELL
                        && x + w <= b.right + CELL),
                    "stroke at {:?} outside {:?}", (y, x), got
                );
            }
        }
    }
}
