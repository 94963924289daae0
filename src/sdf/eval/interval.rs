//! Interval arithmetic over a [`Tape`]: bounds on the distance over an axis-aligned
//! box, and which branch of each `Min`/`Max`/`Select` can win there.
//!
//! Soundness: for every point of the box, the value the batch evaluator computes
//! lies inside the returned [`Interval`]. Exact operations (+ − × ÷ √, min, max,
//! floor…) rely on round-to-nearest being monotonic, so evaluating at the
//! endpoints in f32 is enough. Transcendentals are widened by a small margin
//! because the batch evaluator's approximations differ from libm by a few ulp.
//!
//! NaN: an interval whose bounds are NaN means "may be NaN, range unknown" (e.g.
//! `ln` of something that may be negative). It propagates, except through the
//! operations that absorb NaN in the batch evaluator (`min`/`max` return the
//! other operand, `sqrt` clamps, comparisons and selects).
#![warn(missing_docs)]

use std::f64::consts::{FRAC_PI_2 as HALF_PI_64, PI as PI_64, TAU};

use crate::sdf::tape::{Choice, Opcode, Tape};

/// A closed range `[lo, hi]` of f32 values (`lo <= hi`), or "maybe NaN" when both
/// bounds are NaN.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lo: f32,
    /// Upper bound.
    pub hi: f32,
}

const NAN: Interval = Interval {
    lo: f32::NAN,
    hi: f32::NAN,
};
const ALL: Interval = Interval {
    lo: f32::NEG_INFINITY,
    hi: f32::INFINITY,
};

impl Interval {
    /// `[lo, hi]`.
    pub fn new(lo: f32, hi: f32) -> Self {
        Interval { lo, hi }
    }

    /// The single value `v`.
    pub fn point(v: f32) -> Self {
        Interval { lo: v, hi: v }
    }

    /// Whether the range is unknown because a NaN may occur.
    pub fn is_nan(self) -> bool {
        self.lo.is_nan() || self.hi.is_nan()
    }

    /// Whether `v` lies in the interval (NaN values lie only in NaN intervals).
    pub fn contains(self, v: f32) -> bool {
        if self.is_nan() {
            return true;
        }
        v >= self.lo && v <= self.hi
    }

    fn checked(lo: f32, hi: f32) -> Self {
        if lo.is_nan() || hi.is_nan() {
            NAN
        } else {
            Interval { lo, hi }
        }
    }

    /// Widens by `rel·|v| + abs` on each side (for approximated functions).
    fn widen(self, rel: f32, abs: f32) -> Self {
        Interval {
            lo: self.lo - self.lo.abs() * rel - abs,
            hi: self.hi + self.hi.abs() * rel + abs,
        }
    }

    fn contains_zero(self) -> bool {
        self.lo <= 0.0 && self.hi >= 0.0
    }

    fn abs(self) -> Self {
        if self.lo >= 0.0 {
            self
        } else if self.hi <= 0.0 {
            Interval::new(-self.hi, -self.lo)
        } else {
            Interval::new(0.0, (-self.lo).max(self.hi))
        }
    }

    fn mul(self, o: Self) -> Self {
        let p = [
            self.lo * o.lo,
            self.lo * o.hi,
            self.hi * o.lo,
            self.hi * o.hi,
        ];
        // f32::min/max skip the NaNs of 0·inf corners.
        let lo = p.iter().copied().fold(f32::NAN, f32::min);
        let hi = p.iter().copied().fold(f32::NAN, f32::max);
        Interval::checked(lo, hi)
    }

    fn div(self, o: Self) -> Self {
        if o.contains_zero() {
            return if self.contains_zero() { NAN } else { ALL };
        }
        let p = [
            self.lo / o.lo,
            self.lo / o.hi,
            self.hi / o.lo,
            self.hi / o.hi,
        ];
        let lo = p.iter().copied().fold(f32::NAN, f32::min);
        let hi = p.iter().copied().fold(f32::NAN, f32::max);
        Interval::checked(lo, hi)
    }

    fn square(self) -> Self {
        let a = self.abs();
        Interval::new(a.lo * a.lo, a.hi * a.hi)
    }

    fn hull(self, o: Self) -> Self {
        if self.is_nan() || o.is_nan() {
            return NAN;
        }
        Interval::new(self.lo.min(o.lo), self.hi.max(o.hi))
    }

    /// `sin` over the interval, in f64, widened for the approximation.
    fn sin_shift(self, shift: f64) -> Self {
        let (lo, hi) = (self.lo as f64 + shift, self.hi as f64 + shift);
        if hi - lo >= TAU || !lo.is_finite() || !hi.is_finite() {
            return Interval::new(-1.0, 1.0).widen(0.0, 1e-6);
        }
        let (mut a, mut b) = (lo.sin().min(hi.sin()), lo.sin().max(hi.sin()));
        // A maximum at π/2 + 2kπ, a minimum at -π/2 + 2kπ, inside [lo, hi]?
        let k = ((lo - HALF_PI_64) / TAU).ceil();
        if HALF_PI_64 + k * TAU <= hi {
            b = 1.0;
        }
        let k = ((lo + HALF_PI_64) / TAU).ceil();
        if -HALF_PI_64 + k * TAU <= hi {
            a = -1.0;
        }
        Interval::new(a as f32, b as f32).widen(1e-6, 1e-6)
    }

    fn tan(self) -> Self {
        let (lo, hi) = (self.lo as f64, self.hi as f64);
        if hi - lo >= PI_64 || !lo.is_finite() || !hi.is_finite() {
            return ALL;
        }
        // An asymptote at π/2 + kπ inside [lo, hi]?
        let k = ((lo - HALF_PI_64) / PI_64).ceil();
        if HALF_PI_64 + k * PI_64 <= hi {
            return ALL;
        }
        Interval::new(lo.tan() as f32, hi.tan() as f32).widen(1e-5, 1e-6)
    }

    fn monotone(self, f: impl Fn(f32) -> f32, rel: f32, abs: f32) -> Self {
        Interval::checked(f(self.lo), f(self.hi)).widen(rel, abs)
    }
}

/// Per-thread scratch of the interval evaluator: its register file and the
/// recorded [`Choice`]s of the last evaluation (indexed like [`Tape::insts`]).
#[derive(Default, Debug, Clone)]
pub struct IntervalScratch {
    regs: Vec<Interval>,
    /// Which branch of each instruction can win over the last box evaluated.
    pub choices: Vec<Choice>,
}

impl IntervalScratch {
    /// Empty scratch; it grows to fit the tapes it is used with.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the last evaluation found any branch that cannot win (so that
    /// [`Tape::simplify`] would shorten the tape).
    pub fn any_choice(&self) -> bool {
        self.choices.iter().any(|c| *c != Choice::Both)
    }
}

impl Tape {
    /// Bounds on the value over the box `x × y × z`; records the choices in
    /// `scratch.choices`.
    pub fn eval_interval_with(
        &self,
        x: Interval,
        y: Interval,
        z: Interval,
        scratch: &mut IntervalScratch,
    ) -> Interval {
        let insts = self.insts();
        scratch.regs.clear();
        scratch.regs.resize(self.reg_count().max(1), ALL);
        scratch.choices.clear();
        scratch.choices.resize(insts.len(), Choice::Both);
        let regs = &mut scratch.regs;
        // Until some register holds NaN no operand can be NaN, so the NaN
        // bookkeeping of the loop below cannot change a result: run without
        // it, and hand over after the first NaN result (whose own
        // instruction had no NaN operands, so it was evaluated as there).
        // Two loops, not one with a flag tested per instruction: the flag
        // kept the interval evaluator's instruction count where it was.
        let mut resume = insts.len();
        for (k, inst) in insts.iter().enumerate() {
            let (a, b) = (regs[inst.a as usize], regs[inst.b as usize]);
            let imm = Interval::point(inst.imm);
            let (v, choice) = eval_op(inst.op, a, b, imm, inst, regs, x, y, z);
            scratch.choices[k] = choice;
            regs[inst.out as usize] = v;
            if v.is_nan() {
                resume = k + 1;
                break;
            }
        }
        for (k, inst) in insts.iter().enumerate().skip(resume) {
            let a = regs[inst.a as usize];
            let b = regs[inst.b as usize];
            let imm = Interval::point(inst.imm);
            let nan_in = match inst.op.arity() {
                1 => a.is_nan(),
                2 => a.is_nan() || b.is_nan(),
                _ => false,
            };
            let absorbs_nan = matches!(
                inst.op,
                Opcode::Min
                    | Opcode::Max
                    | Opcode::MinImm
                    | Opcode::MaxImm
                    | Opcode::Sqrt
                    | Opcode::Lt
                    | Opcode::Select
            );
            let v = if nan_in && !absorbs_nan {
                NAN
            } else {
                let (v, choice) = eval_op(inst.op, a, b, imm, inst, regs, x, y, z);
                scratch.choices[k] = choice;
                v
            };
            regs[inst.out as usize] = v;
        }
        regs[self.output() as usize]
    }

    /// [`Tape::eval_interval_with`] with fresh scratch, returning the choices too.
    pub fn eval_interval(&self, x: Interval, y: Interval, z: Interval) -> (Interval, Vec<Choice>) {
        let mut s = IntervalScratch::new();
        let v = self.eval_interval_with(x, y, z, &mut s);
        (v, s.choices)
    }
}

fn min_max(a: Interval, b: Interval, is_min: bool) -> (Interval, Choice) {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => return (NAN, Choice::Both),
        // The NaN side yields the other operand, the other side is unknown:
        // min is at most the known operand's upper bound, max at least its lower.
        (true, false) => {
            let v = if is_min {
                Interval::new(f32::NEG_INFINITY, b.hi)
            } else {
                Interval::new(b.lo, f32::INFINITY)
            };
            return (v, Choice::Both);
        }
        (false, true) => {
            let v = if is_min {
                Interval::new(f32::NEG_INFINITY, a.hi)
            } else {
                Interval::new(a.lo, f32::INFINITY)
            };
            return (v, Choice::Both);
        }
        _ => {}
    }
    if is_min {
        if a.hi < b.lo {
            (a, Choice::Left)
        } else if b.hi < a.lo {
            (b, Choice::Right)
        } else {
            (Interval::new(a.lo.min(b.lo), a.hi.min(b.hi)), Choice::Both)
        }
    } else if a.lo > b.hi {
        (a, Choice::Left)
    } else if b.lo > a.hi {
        (b, Choice::Right)
    } else {
        (Interval::new(a.lo.max(b.lo), a.hi.max(b.hi)), Choice::Both)
    }
}

fn modulo(a: Interval, b: Interval) -> Interval {
    if b.contains_zero() || b.is_nan() {
        return NAN;
    }
    let amax = a.lo.abs().max(a.hi.abs());
    let eps = amax * 2.4e-7 + 1e-37;
    if b.lo == b.hi {
        let (fl, fh) = ((a.lo / b.lo).floor(), (a.hi / b.lo).floor());
        if fl == fh && fl.is_finite() {
            // One period: the result is a shifted copy of `a` (up to rounding).
            let lo = a.lo - b.lo * fl;
            let hi = a.hi - b.lo * fl;
            return Interval::checked(lo.min(hi), lo.max(hi)).widen(0.0, eps);
        }
    }
    if b.lo > 0.0 {
        Interval::new(-eps, b.hi + eps)
    } else {
        Interval::new(b.lo - eps, eps)
    }
}

fn atan2(y: Interval, x: Interval) -> Interval {
    let full = Interval::new(-std::f32::consts::PI, std::f32::consts::PI).widen(1e-6, 1e-6);
    // atan2 is monotone in each argument on each open half-plane that avoids the
    // branch cut (x < 0, y = 0), so the extremes are at the corners there.
    if x.lo > 0.0 || y.lo > 0.0 || y.hi < 0.0 {
        let c = [
            y.lo.atan2(x.lo),
            y.lo.atan2(x.hi),
            y.hi.atan2(x.lo),
            y.hi.atan2(x.hi),
        ];
        let lo = c.iter().copied().fold(f32::NAN, f32::min);
        let hi = c.iter().copied().fold(f32::NAN, f32::max);
        Interval::checked(lo, hi).widen(1e-6, 1e-6)
    } else {
        full
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn eval_op(
    op: Opcode,
    a: Interval,
    b: Interval,
    imm: Interval,
    inst: &crate::sdf::tape::Inst,
    regs: &[Interval],
    x: Interval,
    y: Interval,
    z: Interval,
) -> (Interval, Choice) {
    let both = Choice::Both;
    let v = match op {
        Opcode::X => x,
        Opcode::Y => y,
        Opcode::Z => z,
        Opcode::Const => imm,
        Opcode::Copy => a,
        Opcode::Neg => Interval::new(-a.hi, -a.lo),
        Opcode::Abs => a.abs(),
        Opcode::Sqrt => {
            if a.is_nan() {
                Interval::new(0.0, f32::INFINITY)
            } else {
                Interval::new(a.lo.max(0.0).sqrt(), a.hi.max(0.0).sqrt())
            }
        }
        Opcode::Square => a.square(),
        Opcode::Recip => Interval::point(1.0).div(a),
        Opcode::Sin => a.sin_shift(0.0),
        Opcode::Cos => a.sin_shift(HALF_PI_64),
        Opcode::Tan => a.tan(),
        Opcode::Asin => Interval::new(a.lo.clamp(-1.0, 1.0), a.hi.clamp(-1.0, 1.0)).monotone(
            f32::asin,
            1e-6,
            1e-6,
        ),
        Opcode::Acos => {
            let c = Interval::new(a.lo.clamp(-1.0, 1.0), a.hi.clamp(-1.0, 1.0));
            Interval::new(c.hi.acos(), c.lo.acos()).widen(1e-6, 1e-6)
        }
        Opcode::Atan => a.monotone(f32::atan, 1e-6, 1e-6),
        Opcode::Exp => {
            let v = a.monotone(f32::exp, 1e-6, 0.0);
            // The batch exp flushes subnormal results to 0.
            Interval::new((v.lo - 1.2e-38).max(0.0), v.hi)
        }
        Opcode::Ln => {
            if a.lo < 0.0 {
                NAN
            } else {
                a.monotone(f32::ln, 1e-6, 1e-6)
            }
        }
        Opcode::Floor => a.monotone(f32::floor, 0.0, 0.0),
        Opcode::Ceil => a.monotone(f32::ceil, 0.0, 0.0),
        Opcode::Sign => {
            let s = |v: f32| {
                if v > 0.0 {
                    1.0
                } else if v < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            };
            Interval::new(s(a.lo), s(a.hi))
        }
        Opcode::Add => Interval::checked(a.lo + b.lo, a.hi + b.hi),
        Opcode::Sub => Interval::checked(a.lo - b.hi, a.hi - b.lo),
        Opcode::Mul => a.mul(b),
        Opcode::Div => a.div(b),
        Opcode::Min => return min_max(a, b, true),
        Opcode::Max => return min_max(a, b, false),
        Opcode::Atan2 => atan2(a, b),
        Opcode::Mod => modulo(a, b),
        Opcode::Lt => {
            if a.is_nan() || b.is_nan() {
                Interval::new(0.0, 1.0)
            } else if a.hi < b.lo {
                Interval::point(1.0)
            } else if a.lo >= b.hi {
                Interval::point(0.0)
            } else {
                Interval::new(0.0, 1.0)
            }
        }
        Opcode::AddImm => Interval::checked(a.lo + imm.lo, a.hi + imm.lo),
        Opcode::SubImm => Interval::checked(a.lo - imm.lo, a.hi - imm.lo),
        Opcode::ImmSub => Interval::checked(imm.lo - a.hi, imm.lo - a.lo),
        Opcode::MulImm => a.mul(imm),
        Opcode::DivImm => a.div(imm),
        Opcode::ImmDiv => imm.div(a),
        Opcode::MinImm => return min_max(a, imm, true),
        Opcode::MaxImm => return min_max(a, imm, false),
        Opcode::Select => {
            let t = b;
            let f = regs[inst.c as usize];
            if a.is_nan() {
                // NaN != 0: the then-branch; otherwise either.
                return (t.hull(f), both);
            }
            if a.lo == 0.0 && a.hi == 0.0 {
                return (f, Choice::Right);
            }
            if !a.contains_zero() {
                return (t, Choice::Left);
            }
            return (t.hull(f), both);
        }
    };
    (v, both)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdf::eval::{SimdWidth, eval_points};
    use crate::sdf::tape::tests::{every_op_graphs, sample_points};

    /// A NaN register hands over to the careful loop: NaN propagates through
    /// arithmetic and min is then bounded only by its other operand, whether
    /// the NaN comes first (an input) or mid-tape.
    #[test]
    fn nan_registers_take_the_careful_path() {
        use crate::sdf::expr::{Axis, Binary, Graph, Op};
        let mut g = Graph::default();
        let x = g.push(Op::Input(Axis::X));
        let y = g.push(Op::Input(Axis::Y));
        let one = g.constant_id(1.0);
        let shifted = g.push(Op::Binary(Binary::Add, x, one));
        let scaled = g.push(Op::Binary(Binary::Mul, shifted, y));
        let r = g.push(Op::Binary(Binary::Min, scaled, y));
        g.set_root(r);
        let tape = Tape::new(&g);
        let y_box = Interval::new(2.0, 3.0);
        let mut s = IntervalScratch::new();
        let v = tape.eval_interval_with(NAN, y_box, Interval::point(0.0), &mut s);
        assert_eq!((v.lo, v.hi), (f32::NEG_INFINITY, 3.0));
        assert!(
            !s.any_choice(),
            "no branch can be ruled out: {:?}",
            s.choices
        );
        // Finite inputs: the fast loop alone, min's left operand wins.
        let v = tape.eval_interval_with(
            Interval::new(-2.0, -1.5),
            y_box,
            Interval::point(0.0),
            &mut s,
        );
        assert!(v.hi <= -1.0 && v.lo >= -3.01, "{v:?}");
        assert!(s.any_choice());
    }

    /// Random boxes; every batch-evaluated value inside must be in the interval,
    /// and the simplified tape must agree with the full one inside the box.
    #[test]
    fn intervals_contain_samples_and_simplify_agrees() {
        let boxes = sample_points(60, 3.0, 11);
        let sizes = sample_points(60, 1.0, 12);
        for (name, g) in every_op_graphs() {
            let tape = Tape::new(&g);
            for (c, s) in boxes.iter().zip(&sizes) {
                let half = [s[0].abs() * 0.8, s[1].abs() * 0.8, s[2].abs() * 0.8];
                let iv = |k: usize| Interval::new(c[k] - half[k], c[k] + half[k]);
                let (r, choices) = tape.eval_interval(iv(0), iv(1), iv(2));
                let simple = tape.simplify(&choices);
                assert!(simple.len() <= tape.len());
                let pts: Vec<[f32; 3]> = sample_points(200, 1.0, 13)
                    .into_iter()
                    .map(|u| {
                        [
                            c[0] + u[0] * half[0],
                            c[1] + u[1] * half[1],
                            c[2] + u[2] * half[2],
                        ]
                    })
                    .chain([
                        [c[0] - half[0], c[1] - half[1], c[2] - half[2]],
                        [c[0] + half[0], c[1] + half[1], c[2] + half[2]],
                    ])
                    .collect();
                let mut full = vec![0.0; pts.len()];
                let mut short = vec![0.0; pts.len()];
                eval_points(&tape, &pts, &mut full, SimdWidth::Auto);
                eval_points(&simple, &pts, &mut short, SimdWidth::Auto);
                for ((p, v), w) in pts.iter().zip(&full).zip(&short) {
                    assert!(
                        r.contains(*v),
                        "{name}: {v} at {p:?} outside {r:?} for box {c:?}±{half:?}"
                    );
                    assert!(
                        v.to_bits() == w.to_bits() || (v.is_nan() && w.is_nan()),
                        "{name}: simplified {w} vs {v} at {p:?}"
                    );
                }
            }
        }
    }
}
