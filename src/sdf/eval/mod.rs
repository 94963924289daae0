//! Evaluators of a compiled [`Tape`]: batches of points with SIMD, and boxes with
//! interval arithmetic.
//!
//! - [`eval_points`] / [`eval_soa`]: distances at many points. Points are cut into
//!   blocks of [`BLOCK`] (or [`SMALL_BLOCK`] for tapes with many registers, so a
//!   block's registers stay in L1), blocks are spread over the current rayon pool,
//!   and each block runs the [`batch`] kernel compiled for the CPU's widest vector
//!   unit, chosen at run time ([`SimdWidth`]). Width 1 runs the scalar reference
//!   ([`Tape::eval_point`], libm functions).
//! - [`interval`]: bounds on the distance over a box, and the per-instruction
//!   [`Choice`](crate::sdf::tape::Choice)s that let [`Tape::simplify`] drop branches.
//! - [`fastmath`]: the vectorisable transcendental approximations the kernel uses.
//!
//! Guarantee: for every point, the batch result equals the scalar reference within
//! about 1e-6 relative (1e-5 is what the tests assert), NaN where it is NaN.
#![warn(missing_docs)]

pub mod batch;
pub mod fastmath;
pub mod interval;

use std::str::FromStr;

use rayon::prelude::*;

use super::tape::Tape;

/// Points per block for small tapes.
pub const BLOCK: usize = 512;
/// Points per block for tapes with many registers.
pub const SMALL_BLOCK: usize = 64;
/// Register-file budget per block, in bytes (a share of a 32 KiB L1).
const L1_BUDGET: usize = 32 * 1024;
/// Blocks per rayon task, so scheduling costs stay small beside the work.
const BLOCKS_PER_TASK: usize = 16;

/// Which vector width the batch evaluator uses (the `SIMD_WIDTH` setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SimdWidth {
    /// The widest the CPU supports.
    #[default]
    Auto,
    /// 16 lanes (AVX-512); falls back to narrower if the CPU lacks it.
    W16,
    /// 8 lanes (AVX2 + FMA); falls back to narrower if the CPU lacks it.
    W8,
    /// 4 lanes (the portable baseline: SSE2 on x86-64).
    W4,
    /// No SIMD: the scalar reference with libm functions.
    Scalar,
}

/// A `SIMD_WIDTH` value that is not one of `auto`, `16`, `8`, `4`, `1`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SIMD width must be one of auto, 16, 8, 4, 1 (got {0:?})")]
pub struct SimdWidthError(pub String);

impl FromStr for SimdWidth {
    type Err = SimdWidthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(SimdWidth::Auto),
            "16" => Ok(SimdWidth::W16),
            "8" => Ok(SimdWidth::W8),
            "4" => Ok(SimdWidth::W4),
            "1" => Ok(SimdWidth::Scalar),
            _ => Err(SimdWidthError(s.to_string())),
        }
    }
}

impl std::fmt::Display for SimdWidth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SimdWidth::Auto => "auto",
            SimdWidth::W16 => "16",
            SimdWidth::W8 => "8",
            SimdWidth::W4 => "4",
            SimdWidth::Scalar => "1",
        })
    }
}

/// A kernel variant that is known to be supported by this CPU. Only [`Level::resolve`]
/// builds the SIMD variants, which is what makes calling them sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level(LevelKind);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LevelKind {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Portable,
    Scalar,
}

impl Level {
    /// The widest supported variant not wider than `width`.
    pub fn resolve(width: SimdWidth) -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            let avx512 = std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx2")
                && std::is_x86_feature_detected!("fma");
            let avx2 =
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
            match width {
                SimdWidth::Auto | SimdWidth::W16 if avx512 => return Level(LevelKind::Avx512),
                SimdWidth::Auto | SimdWidth::W16 | SimdWidth::W8 if avx2 => {
                    return Level(LevelKind::Avx2);
                }
                _ => {}
            }
        }
        match width {
            SimdWidth::Scalar => Level(LevelKind::Scalar),
            _ => Level(LevelKind::Portable),
        }
    }

    /// Lanes per vector of this variant (1 for the scalar reference).
    pub fn lanes(self) -> usize {
        match self.0 {
            #[cfg(target_arch = "x86_64")]
            LevelKind::Avx512 => 16,
            #[cfg(target_arch = "x86_64")]
            LevelKind::Avx2 => 8,
            LevelKind::Portable => 4,
            LevelKind::Scalar => 1,
        }
    }

    /// Whether this is the AVX-512 variant: callers may then use AVX-512 code
    /// of their own around the kernel (the mesher's sample gathering), and
    /// narrower widths, asked for in tests, exercise their portable paths.
    pub fn avx512(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        if self.0 == LevelKind::Avx512 {
            return true;
        }
        false
    }

    /// Runs `tape` on one block of `N` points; the result is in register
    /// [`Tape::output`] of `regs` (which needs [`Tape::reg_count`] registers).
    #[inline]
    pub fn run_block<const N: usize>(
        self,
        tape: &Tape,
        regs: &mut [[f32; N]],
        x: &[f32; N],
        y: &[f32; N],
        z: &[f32; N],
    ) {
        match self.0 {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Level(Avx512)` is only built by `resolve` after detecting
            // avx512f, avx2 and fma on this CPU.
            LevelKind::Avx512 => unsafe { block_avx512(tape, regs, x, y, z) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Level(Avx2)` is only built by `resolve` after detecting avx2
            // and fma on this CPU.
            LevelKind::Avx2 => unsafe { block_avx2(tape, regs, x, y, z) },
            LevelKind::Portable => batch::run_block(tape, regs, x, y, z),
            LevelKind::Scalar => {
                let mut sregs = vec![0.0f32; tape.reg_count()];
                let out = tape.output() as usize;
                for i in 0..N {
                    let v = tape.eval_point_with([x[i], y[i], z[i]], &mut sregs);
                    regs[out][i] = v;
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn block_avx512<const N: usize>(
    tape: &Tape,
    regs: &mut [[f32; N]],
    x: &[f32; N],
    y: &[f32; N],
    z: &[f32; N],
) {
    batch::run_block(tape, regs, x, y, z)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn block_avx2<const N: usize>(
    tape: &Tape,
    regs: &mut [[f32; N]],
    x: &[f32; N],
    y: &[f32; N],
    z: &[f32; N],
) {
    batch::run_block(tape, regs, x, y, z)
}

/// Points per block that keep `tape`'s register file within L1.
fn block_size(tape: &Tape) -> usize {
    if tape.reg_count() * BLOCK * 4 <= L1_BUDGET {
        BLOCK
    } else {
        SMALL_BLOCK
    }
}

/// Distances at `points` into `out` (same length; extra `out` slots are left
/// untouched), in parallel on the current rayon pool.
pub fn eval_points(tape: &Tape, points: &[[f32; 3]], out: &mut [f32], width: SimdWidth) {
    let level = Level::resolve(width);
    let n = points.len().min(out.len());
    let (points, out) = (&points[..n], &mut out[..n]);
    if block_size(tape) == BLOCK {
        par_blocks::<BLOCK>(tape, level, n, out, |start, x, y, z| {
            fill_aos(&points[start..], x, y, z)
        });
    } else {
        par_blocks::<SMALL_BLOCK>(tape, level, n, out, |start, x, y, z| {
            fill_aos(&points[start..], x, y, z)
        });
    }
}

/// Distances at the points `(xs[i], ys[i], zs[i])` into `out`; the shortest of the
/// four slices sets the count.
pub fn eval_soa(
    tape: &Tape,
    xs: &[f32],
    ys: &[f32],
    zs: &[f32],
    out: &mut [f32],
    width: SimdWidth,
) {
    let level = Level::resolve(width);
    let n = xs.len().min(ys.len()).min(zs.len()).min(out.len());
    let out = &mut out[..n];
    let fill = |start: usize, x: &mut [f32], y: &mut [f32], z: &mut [f32]| {
        let m = x.len().min(n - start);
        x[..m].copy_from_slice(&xs[start..start + m]);
        y[..m].copy_from_slice(&ys[start..start + m]);
        z[..m].copy_from_slice(&zs[start..start + m]);
    };
    if block_size(tape) == BLOCK {
        par_blocks::<BLOCK>(tape, level, n, out, fill);
    } else {
        par_blocks::<SMALL_BLOCK>(tape, level, n, out, fill);
    }
}

fn fill_aos(points: &[[f32; 3]], x: &mut [f32], y: &mut [f32], z: &mut [f32]) {
    for (i, p) in points.iter().take(x.len()).enumerate() {
        x[i] = p[0];
        y[i] = p[1];
        z[i] = p[2];
    }
}

/// Per-thread scratch of the block loop.
struct Scratch<const N: usize> {
    regs: Vec<[f32; N]>,
    x: [f32; N],
    y: [f32; N],
    z: [f32; N],
}

fn par_blocks<const N: usize>(
    tape: &Tape,
    level: Level,
    n: usize,
    out: &mut [f32],
    fill: impl Fn(usize, &mut [f32], &mut [f32], &mut [f32]) + Sync,
) {
    let nregs = tape.reg_count().max(1);
    let output = tape.output() as usize;
    out.par_chunks_mut(N * BLOCKS_PER_TASK)
        .enumerate()
        .for_each_init(
            || Scratch::<N> {
                regs: vec![[0.0; N]; nregs],
                x: [0.0; N],
                y: [0.0; N],
                z: [0.0; N],
            },
            |s, (task, chunk)| {
                for (b, dst) in chunk.chunks_mut(N).enumerate() {
                    let start = task * N * BLOCKS_PER_TASK + b * N;
                    debug_assert!(start < n);
                    fill(start, &mut s.x, &mut s.y, &mut s.z);
                    level.run_block::<N>(tape, &mut s.regs, &s.x, &s.y, &s.z);
                    dst.copy_from_slice(&s.regs[output][..dst.len()]);
                }
            },
        );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdf::tape::tests::{every_op_graphs, sample_points};

    #[test]
    fn simd_width_parses() {
        assert_eq!("auto".parse::<SimdWidth>().unwrap(), SimdWidth::Auto);
        assert_eq!("16".parse::<SimdWidth>().unwrap(), SimdWidth::W16);
        assert_eq!("8".parse::<SimdWidth>().unwrap(), SimdWidth::W8);
        assert_eq!("4".parse::<SimdWidth>().unwrap(), SimdWidth::W4);
        assert_eq!("1".parse::<SimdWidth>().unwrap(), SimdWidth::Scalar);
        assert!("3".parse::<SimdWidth>().is_err());
    }

    fn close(got: f32, want: f32) -> bool {
        if want.is_nan() {
            return got.is_nan();
        }
        if want.is_infinite() {
            return got == want || got.abs() > 1e30;
        }
        (got - want).abs() <= 1e-5 * want.abs().max(1.0)
    }

    #[test]
    fn batch_matches_scalar_for_every_op_and_width() {
        let widths = [
            SimdWidth::Auto,
            SimdWidth::W16,
            SimdWidth::W8,
            SimdWidth::W4,
            SimdWidth::Scalar,
        ];
        // 1000 points: several blocks and a partial one.
        let points = sample_points(1000, 3.0, 7);
        for (name, g) in every_op_graphs() {
            let tape = Tape::new(&g);
            for w in widths {
                let mut out = vec![0.0; points.len()];
                eval_points(&tape, &points, &mut out, w);
                for (p, got) in points.iter().zip(&out) {
                    let want = tape.eval_point(*p);
                    assert!(
                        close(*got, want),
                        "{name} width {w} at {p:?}: {got} vs {want}"
                    );
                }
                let xs: Vec<f32> = points.iter().map(|p| p[0]).collect();
                let ys: Vec<f32> = points.iter().map(|p| p[1]).collect();
                let zs: Vec<f32> = points.iter().map(|p| p[2]).collect();
                let mut soa = vec![0.0; points.len()];
                eval_soa(&tape, &xs, &ys, &zs, &mut soa, w);
                assert!(
                    soa.iter()
                        .zip(&out)
                        .all(|(a, b)| a.to_bits() == b.to_bits() || close(*a, *b)),
                    "{name}: soa differs"
                );
            }
        }
    }

    #[test]
    fn demo_tree_batch_matches_scalar() {
        use crate::sdf::document::Document;
        let text = include_str!("../../../tests/data/alice-demo.asdf.json");
        let doc = Document::from_value(serde_json::from_str(text).unwrap()).unwrap();
        let g = crate::sdf::lower::lower(&doc.root, 100_000).unwrap();
        let tape = Tape::new(&g);
        assert!(tape.fused().iter().any(|f| *f), "expected fused pairs");
        let points = sample_points(3000, 1.5, 3);
        for w in [SimdWidth::Auto, SimdWidth::W8, SimdWidth::W4] {
            let mut out = vec![0.0; points.len()];
            eval_points(&tape, &points, &mut out, w);
            for (p, got) in points.iter().zip(&out) {
                let want = g.eval_point(g.root(), *p);
                assert!(close(*got, want), "width {w} at {p:?}: {got} vs {want}");
            }
        }
    }
}
