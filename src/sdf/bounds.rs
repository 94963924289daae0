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
///
/// Face bisection alone stalls when a rotation mixes the axes: a slab that is
/// thin in x but spans the whole universe in y and z still overlaps a rotated
/// shape's interval, so no face moves (a 0.5 m sphere turned 30° came out as a
/// 4 km box). An octree descent from the box found so far cuts every axis at
/// once, which is what the interval evaluator needs; a last bisection round
/// then tightens the faces of the octree's box.
pub fn extent(tape: &Tape) -> Extent {
    let mut s = IntervalScratch::new();
    let universe = ([-LIMIT; 3], [LIMIT; 3]);
    let start = match bisect(tape, universe, &STEPS, true, &mut s) {
        Extent::Empty => return Extent::Empty,
        Extent::Unbounded => universe,
        Extent::Bounded(lo, hi) => (lo, hi),
    };
    let Some((lo, hi)) = octree(tape, start, &mut s) else {
        return Extent::Empty;
    };
    let edge = LIMIT * 0.999;
    if (0..3).any(|k| lo[k] <= -edge || hi[k] >= edge) {
        return Extent::Unbounded;
    }
    bisect(tape, (lo, hi), &STEPS[1..], false, &mut s)
}

/// Most boxes kept per octree level: a plane or a surface spread through the
/// whole box multiplies boxes by four or more per level; past this the union
/// of the boxes so far is the answer.
const OCTREE_CAP: usize = 512;
/// Deepest octree level: from the universe box, 2·LIMIT/2^24 ≈ 1 mm.
const OCTREE_DEPTH: usize = 24;
/// Tape instructions the octree may run in all (well under 1 ms): enough for
/// thousands of boxes on a small tree, a few dozen on a 1000-node one, so
/// the descent never dominates a compile. When it runs out, the last whole
/// level's union is the answer.
const OCTREE_BUDGET: usize = 100_000;

/// The union of the octree boxes that may hold inside points, from `start`
/// down while the union keeps shrinking; `None` when no box survives.
fn octree(
    tape: &Tape,
    start: ([f32; 3], [f32; 3]),
    s: &mut IntervalScratch,
) -> Option<([f32; 3], [f32; 3])> {
    // Each first-level box keeps its own simplified tape: deeper boxes inside
    // it use that, which keeps big trees cheap (a union of parts mostly drops
    // the parts that are elsewhere).
    let mut tapes: Vec<Tape> = Vec::new();
    let mut level: Vec<([f32; 3], [f32; 3], usize)> = vec![(start.0, start.1, usize::MAX)];
    let mut union = start;
    let mut budget = OCTREE_BUDGET;
    for depth in 0..OCTREE_DEPTH {
        let mut next = Vec::new();
        for &(lo, hi, t) in &level {
            let cost = 8 * if t == usize::MAX {
                tape.len()
            } else {
                tapes[t].len()
            };
            if cost > budget {
                return Some(union);
            }
            budget -= cost;
            let mid = [0, 1, 2].map(|k| 0.5 * (lo[k] + hi[k]));
            // Split only the long sides, so boxes stay near cubes: halving an
            // axis that is already thin multiplies boxes without pruning any.
            let longest = (0..3).map(|k| hi[k] - lo[k]).fold(0.0f32, f32::max);
            let split = [0, 1, 2].map(|k| hi[k] - lo[k] >= 0.5 * longest);
            for corner in 0..8u32 {
                if (0..3).any(|k| !split[k] && corner & (1 << k) != 0) {
                    continue;
                }
                let mut clo = lo;
                let mut chi = hi;
                for k in 0..3 {
                    if !split[k] {
                        continue;
                    }
                    if corner & (1 << k) == 0 {
                        chi[k] = mid[k];
                    } else {
                        clo[k] = mid[k];
                    }
                }
                let child_tape = if t == usize::MAX { tape } else { &tapes[t] };
                if empty(child_tape, clo, chi, s) {
                    continue;
                }
                let t = if t == usize::MAX {
                    tapes.push(child_tape.simplify(&s.choices));
                    tapes.len() - 1
                } else {
                    t
                };
                next.push((clo, chi, t));
            }
        }
        if next.is_empty() {
            return None;
        }
        if next.len() > OCTREE_CAP {
            break;
        }
        let mut lo = [f32::INFINITY; 3];
        let mut hi = [f32::NEG_INFINITY; 3];
        for (blo, bhi, _) in &next {
            for k in 0..3 {
                lo[k] = lo[k].min(blo[k]);
                hi[k] = hi[k].max(bhi[k]);
            }
        }
        let shrunk = (0..3).any(|k| hi[k] - lo[k] < 0.9 * (union.1[k] - union.0[k]));
        union = (lo, hi);
        level = next;
        // The first level cannot shrink a box around a shape at its centre;
        // after that, stop once a level no longer pays.
        if depth >= 1 && !shrunk {
            break;
        }
    }
    Some(union)
}

/// Pushes each face of `start` inward by bisection, `steps[r]` steps per face
/// in round `r`. With `check_universe`, a shape that reaches a face of the
/// universe box is [`Extent::Unbounded`].
fn bisect(
    tape: &Tape,
    start: ([f32; 3], [f32; 3]),
    steps: &[usize],
    check_universe: bool,
    s: &mut IntervalScratch,
) -> Extent {
    let (mut lo, mut hi) = start;
    if empty(tape, lo, hi, s) {
        return Extent::Empty;
    }
    // Simplify once for the starting box: later boxes are inside it.
    let mut tape = tape.simplify(&s.choices);
    for (round, &steps) in steps.iter().enumerate() {
        if round > 0 {
            // Branches that cannot win inside the box found so far are dropped.
            if empty(&tape, lo, hi, s) {
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
                if round == 0 && check_universe {
                    // A shape touching the universe face is unbounded.
                    let mut sl = lo;
                    let mut sh = hi;
                    let edge = LIMIT * 0.999;
                    if upper {
                        sl[axis] = edge;
                    } else {
                        sh[axis] = -edge;
                    }
                    if !empty(tape, sl, sh, s) {
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
                    if empty(tape, sl, sh, s) {
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
        assert_eq!(extent(&Tape::new(&p)), Extent::Unbounded);
    }

    #[test]
    fn rotated_shapes_get_tight_bounds() {
        // A 0.5 sphere off the origin, turned 30 degrees about z: face
        // bisection alone stalls at kilometres; the octree gets it.
        let tree = serde_json::json!({"Rotate": {"child": {"Translate": {"child":
            {"Sphere": {"radius": 0.5}}, "offset": [1.0, 0.0, 0.0]}},
            "rotation": [0.0, 0.0, 0.258_819, 0.965_925_8]}});
        let node: crate::sdf::node::Node = serde_json::from_value(tree).unwrap();
        let g = crate::sdf::lower::lower(&node, 10_000).unwrap();
        let (lo, hi) = bounds(&Tape::new(&g)).unwrap();
        // The centre lands at (cos 30°, sin 30°, 0) = (0.866, 0.5, 0).
        let want_lo = [0.366, 0.0, -0.5];
        let want_hi = [1.366, 1.0, 0.5];
        for k in 0..3 {
            assert!(
                lo[k] <= want_lo[k] && lo[k] > want_lo[k] - 0.15,
                "{lo:?} {hi:?}"
            );
            assert!(
                hi[k] >= want_hi[k] && hi[k] < want_hi[k] + 0.15,
                "{lo:?} {hi:?}"
            );
        }
    }
}
