//! A box that holds the whole inside (`value < 0`) of a shape, found with the
//! interval evaluator.
//!
//! Starting from the universe box `[-LIMIT, LIMIT]³`, each face in turn is pushed
//! inward by bisection: a slab between the old face and a candidate plane is cut
//! off when the interval evaluator proves the value is `>= 0` all over it (no
//! inside there). Faces are revisited in rounds, since a tighter box gives tighter
//! intervals for the other axes. The result is conservative: the true inside is in
//! the box (up to interval soundness), the box may be loose.
//!
//! `None` when the shape reaches a face of the universe box (a plane, an infinite
//! repetition) or is empty.
#![warn(missing_docs)]

use super::eval::interval::{Interval, IntervalScratch};
use super::tape::Tape;

/// Half-size of the universe box.
pub const LIMIT: f32 = 1.0e4;
/// Bisection steps per face in each round over the six faces: the first round
/// finds the faces to within 2·LIMIT/2^14 ≈ 1.2, the second refines them to
/// 1/1024 of the box found.
const STEPS: [usize; 2] = [14, 10];

/// Whether the box `b` provably holds no inside point.
fn empty(tape: &Tape, lo: [f32; 3], hi: [f32; 3], s: &mut IntervalScratch) -> bool {
    let iv = |k: usize| Interval::new(lo[k], hi[k]);
    let v = tape.eval_interval_with(iv(0), iv(1), iv(2), s);
    v.lo >= 0.0
}

/// What the interval evaluator can say about where a shape's inside lies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Extent {
    /// Inside a box `(min, max)`.
    Bounded([f32; 3], [f32; 3]),
    /// It reaches the universe box (a plane, an infinite repetition).
    Unbounded,
    /// Provably nowhere.
    Empty,
}

/// A box `(min, max)` that contains every point where `tape` is negative, or
/// `None` if the inside is unbounded (or the shape is empty).
pub fn bounds(tape: &Tape) -> Option<([f32; 3], [f32; 3])> {
    match extent(tape) {
        Extent::Bounded(lo, hi) => Some((lo, hi)),
        Extent::Unbounded | Extent::Empty => None,
    }
}

/// Where the inside of `tape` lies: a box, unbounded, or empty.
pub fn extent(tape: &Tape) -> Extent {
    let mut s = IntervalScratch::new();
    let mut lo = [-LIMIT; 3];
    let mut hi = [LIMIT; 3];
    if empty(tape, lo, hi, &mut s) {
        return Extent::Empty;
    }
    // Simplify once for the universe box: later boxes are inside it.
    let mut tape = tape.simplify(&s.choices);
    for (round, steps) in STEPS.into_iter().enumerate() {
        if round > 0 {
            // Branches that cannot win inside the box found so far are dropped.
            if empty(&tape, lo, hi, &mut s) {
                return Extent::Empty;
            }
            tape = tape.simplify(&s.choices);
        }
        let tape = &tape;
        for axis in 0..3 {
            for upper in [false, true] {
                // Bisect the face position t between the current face (`far`,
                // cut-off slab empty) and the opposite face (`near`).
                let (mut far, mut near) = if upper {
                    (hi[axis], lo[axis])
                } else {
                    (lo[axis], hi[axis])
                };
                if round == 0 {
                    // A shape touching the universe face is unbounded.
                    let mut sl = lo;
                    let mut sh = hi;
                    let edge = LIMIT * 0.999;
                    if upper {
                        sl[axis] = edge;
                    } else {
                        sh[axis] = -edge;
                    }
                    if !empty(tape, sl, sh, &mut s) {
                        return Extent::Unbounded;
                    }
                }
                for _ in 0..steps {
                    let mid = 0.5 * (far + near);
                    let (mut sl, mut sh) = (lo, hi);
                    if upper {
                        sl[axis] = mid;
                    } else {
                        sh[axis] = mid;
                    }
                    if empty(tape, sl, sh, &mut s) {
                        far = mid;
                    } else {
                        near = mid;
                    }
                }
                if upper {
                    hi[axis] = far;
                } else {
                    lo[axis] = far;
                }
            }
        }
    }
    if (0..3).any(|k| lo[k] >= hi[k]) {
        // Every slab was cut away: no inside anywhere.
        return Extent::Empty;
    }
    Extent::Bounded(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdf::expr::{Axis, Binary, Graph, Op, Unary};

    fn sphere(g: &mut Graph, c: [f32; 3], r: f32) -> u32 {
        let mut sum = None;
        for (k, axis) in [Axis::X, Axis::Y, Axis::Z].into_iter().enumerate() {
            let v = g.push(Op::Input(axis));
            let cc = g.constant_id(c[k]);
            let d = g.push(Op::Binary(Binary::Sub, v, cc));
            let d2 = g.push(Op::Unary(Unary::Square, d));
            sum = Some(match sum {
                None => d2,
                Some(s) => g.push(Op::Binary(Binary::Add, s, d2)),
            });
        }
        let l = g.push(Op::Unary(Unary::Sqrt, sum.unwrap()));
        let rr = g.constant_id(r);
        g.push(Op::Binary(Binary::Sub, l, rr))
    }

    #[test]
    fn sphere_bounds_are_tight_and_plane_is_unbounded() {
        let mut g = Graph::default();
        let a = sphere(&mut g, [1.0, 2.0, -3.0], 0.5);
        let b = sphere(&mut g, [-2.0, 0.0, 0.0], 1.0);
        let u = g.push(Op::Binary(Binary::Min, a, b));
        g.set_root(u);
        let (lo, hi) = bounds(&Tape::new(&g)).unwrap();
        let want_lo = [-3.0, -1.0, -3.5];
        let want_hi = [1.5, 2.5, 1.0];
        for k in 0..3 {
            assert!(lo[k] <= want_lo[k] && lo[k] > want_lo[k] - 0.3, "{lo:?}");
            assert!(hi[k] >= want_hi[k] && hi[k] < want_hi[k] + 0.3, "{hi:?}");
        }
        let mut p = Graph::default();
        let y = p.push(Op::Input(Axis::Y));
        p.set_root(y);
        assert_eq!(bounds(&Tape::new(&p)), None);
    }
}
