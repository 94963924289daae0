//! The block kernel: runs a [`Tape`] over `N` points at once, instruction by
//! instruction, each instruction a loop over the `N` lanes of its registers.
//!
//! The loops have a constant trip count and no branches, so LLVM vectorises each
//! one with whatever vector width the enclosing function is compiled for; the
//! dispatcher in [`super`] instantiates this kernel inside `#[target_feature]`
//! functions (AVX-512, AVX2+FMA) and as a portable fallback. The interpreter
//! overhead (one `match` per instruction) is paid once per block, not per point.
//!
//! Invariant relied on: an instruction's result register is never one of its
//! operand registers ([`Tape`]'s allocator guarantees it), so the result slot can
//! be borrowed mutably beside shared borrows of the operands.

use super::fastmath;
use crate::sdf::tape::{Opcode, Tape};

/// Splits the register file into the result slot and a reader for the others.
#[inline(always)]
fn split<const N: usize>(regs: &mut [[f32; N]], out: u32) -> (&mut [f32; N], Reader<'_, N>) {
    let out = out as usize;
    let (lo, rest) = regs.split_at_mut(out);
    let (o, hi) = rest
        .split_first_mut()
        .expect("tape invariant: result register inside the register file");
    (o, Reader { lo, hi, out })
}

struct Reader<'a, const N: usize> {
    lo: &'a [[f32; N]],
    hi: &'a [[f32; N]],
    out: usize,
}

impl<const N: usize> Reader<'_, N> {
    #[inline(always)]
    fn get(&self, k: u32) -> &[f32; N] {
        let k = k as usize;
        if k < self.out {
            &self.lo[k]
        } else {
            &self.hi[k - self.out - 1]
        }
    }
}

/// Runs `tape` on one block; the result is left in register [`Tape::output`].
/// `regs` must hold at least [`Tape::reg_count`] registers.
#[inline(always)]
pub(crate) fn run_block<const N: usize>(
    tape: &Tape,
    regs: &mut [[f32; N]],
    x: &[f32; N],
    y: &[f32; N],
    z: &[f32; N],
) {
    let insts = tape.insts();
    let fused = tape.fused();
    let mut k = 0;
    while k < insts.len() {
        let inst = &insts[k];
        if fused[k] {
            run_fused(inst, &insts[k + 1], regs);
            k += 2;
            continue;
        }
        k += 1;
        let (o, r) = split(regs, inst.out);
        let imm = inst.imm;
        macro_rules! un {
            (|$a:ident| $e:expr) => {{
                let av = r.get(inst.a);
                for i in 0..N {
                    let $a = av[i];
                    o[i] = $e;
                }
            }};
        }
        macro_rules! bin {
            (|$a:ident, $b:ident| $e:expr) => {{
                let av = r.get(inst.a);
                let bv = r.get(inst.b);
                for i in 0..N {
                    let $a = av[i];
                    let $b = bv[i];
                    o[i] = $e;
                }
            }};
        }
        match inst.op {
            Opcode::X => *o = *x,
            Opcode::Y => *o = *y,
            Opcode::Z => *o = *z,
            Opcode::Const => *o = [imm; N],
            Opcode::Copy => *o = *r.get(inst.a),
            Opcode::Neg => un!(|a| -a),
            Opcode::Abs => un!(|a| a.abs()),
            Opcode::Sqrt => un!(|a| a.max(0.0).sqrt()),
            Opcode::Square => un!(|a| a * a),
            Opcode::Recip => un!(|a| 1.0 / a),
            Opcode::Sin => un!(|a| fastmath::sin(a)),
            Opcode::Cos => un!(|a| fastmath::cos(a)),
            Opcode::Tan => un!(|a| fastmath::tan(a)),
            Opcode::Asin => un!(|a| fastmath::asin(a)),
            Opcode::Acos => un!(|a| fastmath::acos(a)),
            Opcode::Atan => un!(|a| fastmath::atan(a)),
            Opcode::Exp => un!(|a| fastmath::exp(a)),
            Opcode::Ln => un!(|a| fastmath::ln(a)),
            Opcode::Floor => un!(|a| a.floor()),
            Opcode::Ceil => un!(|a| a.ceil()),
            Opcode::Sign => un!(|a| if a > 0.0 {
                1.0
            } else if a < 0.0 {
                -1.0
            } else {
                0.0
            }),
            Opcode::Add => bin!(|a, b| a + b),
            Opcode::Sub => bin!(|a, b| a - b),
            Opcode::Mul => bin!(|a, b| a * b),
            Opcode::Div => bin!(|a, b| a / b),
            Opcode::Min => bin!(|a, b| a.min(b)),
            Opcode::Max => bin!(|a, b| a.max(b)),
            Opcode::Atan2 => bin!(|a, b| fastmath::atan2(a, b)),
            Opcode::Mod => bin!(|a, b| a - b * (a / b).floor()),
            Opcode::Lt => bin!(|a, b| if a < b { 1.0 } else { 0.0 }),
            Opcode::AddImm => un!(|a| a + imm),
            Opcode::SubImm => un!(|a| a - imm),
            Opcode::ImmSub => un!(|a| imm - a),
            Opcode::MulImm => un!(|a| a * imm),
            Opcode::DivImm => un!(|a| a / imm),
            Opcode::ImmDiv => un!(|a| imm / a),
            Opcode::MinImm => un!(|a| a.min(imm)),
            Opcode::MaxImm => un!(|a| a.max(imm)),
            Opcode::Select => {
                let c = r.get(inst.a);
                let t = r.get(inst.b);
                let f = r.get(inst.c);
                for i in 0..N {
                    o[i] = if c[i] != 0.0 { t[i] } else { f[i] };
                }
            }
        }
    }
}

/// Runs a fused pair: `head`'s result goes straight into `tail` without a store.
/// The pair's result register is none of the head's operands ([`Tape`] checks).
#[inline(always)]
fn run_fused<const N: usize>(
    head: &crate::sdf::tape::Inst,
    tail: &crate::sdf::tape::Inst,
    regs: &mut [[f32; N]],
) {
    let (o, r) = split(regs, tail.out);
    let (hi, ti) = (head.imm, tail.imm);
    macro_rules! with_tail {
        (|$v:ident| $e:expr) => {
            match tail.op {
                Opcode::AddImm => with_tail!(@ |$v| $e, |t| t + ti),
                Opcode::SubImm => with_tail!(@ |$v| $e, |t| t - ti),
                Opcode::ImmSub => with_tail!(@ |$v| $e, |t| ti - t),
                Opcode::Neg => with_tail!(@ |$v| $e, |t| -t),
                Opcode::MulImm => with_tail!(@ |$v| $e, |t| t * ti),
                Opcode::MaxImm => with_tail!(@ |$v| $e, |t| t.max(ti)),
                Opcode::MinImm => with_tail!(@ |$v| $e, |t| t.min(ti)),
                Opcode::Abs => with_tail!(@ |$v| $e, |t| t.abs()),
                Opcode::Square => with_tail!(@ |$v| $e, |t| t * t),
                Opcode::Sqrt => with_tail!(@ |$v| $e, |t| t.max(0.0).sqrt()),
                Opcode::Add => with_tail!(@2 |$v| $e, |t, u| t + u),
                Opcode::Sub => with_tail!(@2 |$v| $e, |t, u| t - u),
                Opcode::Mul => with_tail!(@2 |$v| $e, |t, u| t * u),
                Opcode::Min => with_tail!(@2 |$v| $e, |t, u| t.min(u)),
                Opcode::Max => with_tail!(@2 |$v| $e, |t, u| t.max(u)),
                _ => unreachable!("tape fused a non-tail op"),
            }
        };
        // Binary tail: `$t`/`$u` are the tail's first/second operands in order;
        // one of them is the head's result, the other comes from a register.
        (@2 |$v:ident| $e:expr, |$t:ident, $u:ident| $f:expr) => {{
            let av = r.get(head.a);
            let bv = if head.op.arity() > 1 { r.get(head.b) } else { av };
            if tail.a == head.out {
                let other = r.get(tail.b);
                for i in 0..N {
                    let $v = (av[i], bv[i]);
                    let $t = $e;
                    let $u = other[i];
                    o[i] = $f;
                }
            } else {
                let other = r.get(tail.a);
                for i in 0..N {
                    let $v = (av[i], bv[i]);
                    let $u = $e;
                    let $t = other[i];
                    o[i] = $f;
                }
            }
        }};
        (@ |$v:ident| $e:expr, |$t:ident| $f:expr) => {{
            let av = r.get(head.a);
            // Unary heads have no second operand (`b` is a placeholder 0).
            let bv = if head.op.arity() > 1 { r.get(head.b) } else { av };
            for i in 0..N {
                let $v = (av[i], bv[i]);
                let $t = $e;
                o[i] = $f;
            }
        }};
    }
    match head.op {
        Opcode::Add => with_tail!(|v| v.0 + v.1),
        Opcode::Sub => with_tail!(|v| v.0 - v.1),
        Opcode::Mul => with_tail!(|v| v.0 * v.1),
        Opcode::Min => with_tail!(|v| v.0.min(v.1)),
        Opcode::Max => with_tail!(|v| v.0.max(v.1)),
        Opcode::MaxImm => with_tail!(|v| v.0.max(hi)),
        Opcode::MinImm => with_tail!(|v| v.0.min(hi)),
        Opcode::AddImm => with_tail!(|v| v.0 + hi),
        Opcode::SubImm => with_tail!(|v| v.0 - hi),
        Opcode::ImmSub => with_tail!(|v| hi - v.0),
        Opcode::Neg => with_tail!(|v| -v.0),
        Opcode::Sqrt => with_tail!(|v| v.0.max(0.0).sqrt()),
        Opcode::MulImm => with_tail!(|v| v.0 * hi),
        Opcode::Square => with_tail!(|v| v.0 * v.0),
        Opcode::Abs => with_tail!(|v| v.0.abs()),
        _ => unreachable!("tape fused a non-head op"),
    }
}
