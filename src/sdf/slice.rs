//! Cross-sections: the set `value < 0` on the plane `z = const`, rendered as an
//! 8-bit grayscale image (inside black, outside white) and encoded as PNG.
//!
//! Rendering is hierarchical: the image is cut into tiles of [`TILE_SIZES`]`[0]`
//! pixels, spread over the current rayon pool. Each tile's distance is bounded
//! with the interval evaluator; a tile wholly inside or outside is filled without
//! evaluating a pixel, otherwise the tape is simplified for the tile (branches
//! that cannot win there are dropped) and the tile is split into the next, smaller
//! size; the smallest tiles are evaluated pixel by pixel with the SIMD batch
//! evaluator on their simplified tape.
//!
//! Guarantee: a pixel is black exactly when the batch evaluator's value at its
//! centre is `< 0` (pruning only skips pixels whose sign it has proved), so the
//! image equals a brute-force render up to the batch evaluator's rounding.
//! Pixel `(col, row)` has centre `x = x0 + (col + ½)·w/size`,
//! `y = y1 − (row + ½)·h/size`: row 0 is the top of the image (largest y).
#![warn(missing_docs)]

use rayon::prelude::*;

use super::eval::interval::{Interval, IntervalScratch};
use super::eval::{Level, SimdWidth};
use super::tape::Tape;

/// Tile edge lengths in pixels, coarse to fine; the last level is evaluated per
/// pixel, in blocks of [`LEAF`]² = 64 points.
pub const TILE_SIZES: [usize; 4] = [256, 64, 16, 8];
const LEAF: usize = 8;
const LEAF_POINTS: usize = LEAF * LEAF;

/// Gray level of inside pixels.
pub const INSIDE: u8 = 0;
/// Gray level of outside pixels.
pub const OUTSIDE: u8 = 255;

/// What to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SliceSettings {
    /// Image width and height in pixels.
    pub size: usize,
    /// Height of the cutting plane.
    pub z: f32,
    /// Region `[x_min, x_max, y_min, y_max]` mapped onto the image.
    pub region: [f32; 4],
    /// Vector width of the per-pixel evaluator.
    pub simd: SimdWidth,
}

impl Default for SliceSettings {
    fn default() -> Self {
        SliceSettings {
            size: 512,
            z: 0.0,
            region: [-1.0, 1.0, -1.0, 1.0],
            simd: SimdWidth::Auto,
        }
    }
}

/// A square 8-bit grayscale image, row-major, row 0 at the top.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Width and height.
    pub size: usize,
    /// `size²` gray levels ([`INSIDE`] or [`OUTSIDE`]).
    pub pixels: Vec<u8>,
}

/// Why an image could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum SliceError {
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
    /// The image is too large for PNG's 32-bit dimensions.
    #[error("image size {0} is too large")]
    TooLarge(usize),
}

impl Image {
    /// Encodes as an 8-bit grayscale PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, SliceError> {
        let side = u32::try_from(self.size).map_err(|_| SliceError::TooLarge(self.size))?;
        let mut buf = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut buf, side, side);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_compression(png::Compression::Fast);
            let mut w = enc.write_header()?;
            w.write_image_data(&self.pixels)?;
        }
        Ok(buf)
    }
}

/// Pixel-centre coordinates, shared by the pruning and the per-pixel pass so both
/// see exactly the same f32 values.
#[derive(Clone, Copy)]
struct Frame {
    x0: f32,
    y1: f32,
    dx: f32,
    dy: f32,
    z: f32,
}

impl Frame {
    fn x(&self, col: usize) -> f32 {
        self.x0 + (col as f32 + 0.5) * self.dx
    }
    fn y(&self, row: usize) -> f32 {
        self.y1 - (row as f32 + 0.5) * self.dy
    }
}

struct Scratch {
    interval: IntervalScratch,
    regs: Vec<[f32; LEAF_POINTS]>,
}

/// Renders the cross-section of `tape` described by `settings`.
pub fn slice(tape: &Tape, settings: &SliceSettings) -> Image {
    let size = settings.size;
    if size == 0 {
        return Image {
            size,
            pixels: Vec::new(),
        };
    }
    let [x0, x1, y0, y1] = settings.region;
    let frame = Frame {
        x0,
        y1,
        dx: (x1 - x0) / size as f32,
        dy: (y1 - y0) / size as f32,
        z: settings.z,
    };
    let level = Level::resolve(settings.simd);
    let top = TILE_SIZES[0];
    let tiles_per_side = size.div_ceil(top);
    let mut pixels = vec![OUTSIDE; size * size];
    // One band of `top` rows per task group; tiles within a band in parallel too.
    pixels
        .par_chunks_mut(size * top)
        .enumerate()
        .for_each(|(band, rows)| {
            let tiles: Vec<(usize, Vec<u8>)> = (0..tiles_per_side)
                .into_par_iter()
                .map_init(
                    || Scratch {
                        interval: IntervalScratch::new(),
                        regs: Vec::new(),
                    },
                    |s, t| {
                        let mut tile = vec![OUTSIDE; top * top];
                        let (col0, row0) = (t * top, band * top);
                        render(tape, &frame, size, col0, row0, 0, &mut tile, top, level, s);
                        (t, tile)
                    },
                )
                .collect();
            let band_rows = rows.len() / size;
            for (t, tile) in tiles {
                let col0 = t * top;
                let w = top.min(size - col0);
                for r in 0..band_rows.min(top) {
                    rows[r * size + col0..r * size + col0 + w]
                        .copy_from_slice(&tile[r * top..r * top + w]);
                }
            }
        });
    Image { size, pixels }
}

/// Renders the tile of `TILE_SIZES[depth]` pixels at `(col0, row0)` into `tile`
/// (a `stride`-wide buffer whose origin is the top tile's corner).
#[allow(clippy::too_many_arguments)]
fn render(
    tape: &Tape,
    f: &Frame,
    size: usize,
    col0: usize,
    row0: usize,
    depth: usize,
    tile: &mut [u8],
    stride: usize,
    level: Level,
    s: &mut Scratch,
) {
    if col0 >= size || row0 >= size {
        return;
    }
    let edge = TILE_SIZES[depth];
    let (col1, row1) = ((col0 + edge).min(size) - 1, (row0 + edge).min(size) - 1);
    let top = TILE_SIZES[0];
    let (tc, tr) = (col0 % top, row0 % top);
    let fill = |tile: &mut [u8], v: u8| {
        for r in 0..=(row1 - row0) {
            let at = (tr + r) * stride + tc;
            tile[at..at + (col1 - col0 + 1)].fill(v);
        }
    };
    let xi = Interval::new(f.x(col0), f.x(col1));
    let yi = Interval::new(f.y(row1), f.y(row0));
    let v = tape.eval_interval_with(xi, yi, Interval::point(f.z), &mut s.interval);
    if v.hi < 0.0 {
        return fill(tile, INSIDE);
    }
    if v.lo >= 0.0 {
        return fill(tile, OUTSIDE);
    }
    let simplified;
    let tape = if s.interval.any_choice() {
        simplified = tape.simplify(&s.interval.choices);
        &simplified
    } else {
        tape
    };
    if depth + 1 < TILE_SIZES.len() {
        let sub = TILE_SIZES[depth + 1];
        for r in (row0..=row1).step_by(sub) {
            for c in (col0..=col1).step_by(sub) {
                render(tape, f, size, c, r, depth + 1, tile, stride, level, s);
            }
        }
        return;
    }
    debug_assert_eq!(edge, LEAF);
    let mut xs = [0.0f32; LEAF_POINTS];
    let mut ys = [0.0f32; LEAF_POINTS];
    for r in 0..LEAF {
        for c in 0..LEAF {
            xs[r * LEAF + c] = f.x(col0 + c);
            ys[r * LEAF + c] = f.y(row0 + r);
        }
    }
    let zs = [f.z; LEAF_POINTS];
    if s.regs.len() < tape.reg_count() {
        s.regs.resize(tape.reg_count(), [0.0; LEAF_POINTS]);
    }
    level.run_block::<LEAF_POINTS>(tape, &mut s.regs, &xs, &ys, &zs);
    let out = &s.regs[tape.output() as usize];
    for r in 0..=(row1 - row0) {
        for c in 0..=(col1 - col0) {
            tile[(tr + r) * stride + tc + c] = if out[r * LEAF + c] < 0.0 {
                INSIDE
            } else {
                OUTSIDE
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdf::eval::eval_points;
    use crate::sdf::vm;

    #[test]
    fn prospero_matches_brute_force() {
        let g = vm::parse(include_str!("../../tests/data/prospero.vm")).unwrap();
        let tape = Tape::new(&g);
        let settings = SliceSettings {
            size: 256,
            ..SliceSettings::default()
        };
        let img = slice(&tape, &settings);
        let n = settings.size;
        let f = Frame {
            x0: -1.0,
            y1: 1.0,
            dx: 2.0 / n as f32,
            dy: 2.0 / n as f32,
            z: 0.0,
        };
        let pts: Vec<[f32; 3]> = (0..n * n).map(|i| [f.x(i % n), f.y(i / n), 0.0]).collect();
        let mut vals = vec![0.0; pts.len()];
        eval_points(&tape, &pts, &mut vals, SimdWidth::Scalar);
        let mut inside = 0;
        for (i, v) in vals.iter().enumerate() {
            let want = if *v < 0.0 { INSIDE } else { OUTSIDE };
            inside += usize::from(want == INSIDE);
            assert!(
                img.pixels[i] == want || v.abs() < 1e-5,
                "pixel {i}: {} but value {v}",
                img.pixels[i]
            );
        }
        assert!(inside > n * n / 50 && inside < n * n / 2, "{inside} inside");
        let png = img.to_png().unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }

    #[test]
    fn odd_sizes_render_like_a_disc() {
        // A unit-radius disc scaled into the region: sizes that are not multiples
        // of the tile sizes must still cover every pixel.
        let mut g = crate::sdf::expr::Graph::default();
        use crate::sdf::expr::{Axis, Binary, Op, Unary};
        let x = g.push(Op::Input(Axis::X));
        let y = g.push(Op::Input(Axis::Y));
        let x2 = g.push(Op::Unary(Unary::Square, x));
        let y2 = g.push(Op::Unary(Unary::Square, y));
        let s = g.push(Op::Binary(Binary::Add, x2, y2));
        let r = g.push(Op::Unary(Unary::Sqrt, s));
        let c = g.constant_id(0.5);
        let d = g.push(Op::Binary(Binary::Sub, r, c));
        g.set_root(d);
        let tape = Tape::new(&g);
        assert!(
            slice(
                &tape,
                &SliceSettings {
                    size: 0,
                    ..SliceSettings::default()
                }
            )
            .pixels
            .is_empty()
        );
        for size in [1, 7, 100, 130] {
            let img = slice(
                &tape,
                &SliceSettings {
                    size,
                    ..SliceSettings::default()
                },
            );
            let f = Frame {
                x0: -1.0,
                y1: 1.0,
                dx: 2.0 / size as f32,
                dy: 2.0 / size as f32,
                z: 0.0,
            };
            for row in 0..size {
                for col in 0..size {
                    let v = tape.eval_point([f.x(col), f.y(row), 0.0]);
                    let want = if v < 0.0 { INSIDE } else { OUTSIDE };
                    assert!(
                        img.pixels[row * size + col] == want || v.abs() < 1e-5,
                        "size {size} ({col},{row})"
                    );
                }
            }
        }
    }
}
