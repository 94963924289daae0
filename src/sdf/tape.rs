//! The flat register tape every evaluator runs, compiled from a [`Graph`].
//!
//! A [`Tape`] holds each instruction twice, index for index:
//! - the *SSA* form, whose operands are indices of earlier instructions of the same
//!   tape (what [`Tape::simplify`] rewrites), and
//! - the *register* form, whose operands and result are slots of a small register
//!   file (what the evaluators run).
//!
//! Registers are allocated by one backward linear scan, so a register is reused as
//! soon as the value in it is dead and the working set stays small (a block of
//! registers fits in L1). Binary operations with one constant operand become
//! immediate forms (`AddImm`, `ImmSub`, …) so constants cost no register and no load.
//! Compiling folds constants and identities after applying [`Choice`]s, so a
//! simplified tape carries no arithmetic on the branches it dropped.
//!
//! Invariants:
//! - instructions are in evaluation order; an instruction's result register is never
//!   one of its operand registers (the batch kernels rely on this to borrow the
//!   output slot mutably and the operands shared, without copies);
//! - `ssa[k]` and `regs[k]` describe the same instruction, so per-instruction data
//!   (the interval evaluator's [`Choice`]s) indexes both;
//! - the value of the tape is register [`Tape::output`] after the last instruction.
#![warn(missing_docs)]

use super::expr::{Axis, Binary, Graph, Id, Op, Unary};

/// What an instruction computes. `*Imm` forms take their second operand from
/// [`Inst::imm`]; `ImmSub`/`ImmDiv` compute `imm - a` and `imm / a`.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Opcode {
    X,
    Y,
    Z,
    /// Loads [`Inst::imm`].
    Const,
    /// Copies operand `a` (left by simplification when a register is still in use).
    Copy,
    Neg,
    Abs,
    Sqrt,
    Square,
    Recip,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Exp,
    Ln,
    Floor,
    Ceil,
    Sign,
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
    Atan2,
    Mod,
    Lt,
    AddImm,
    SubImm,
    ImmSub,
    MulImm,
    DivImm,
    ImmDiv,
    MinImm,
    MaxImm,
    /// `if a != 0 { b } else { c }` (operand order: condition, then, else).
    Select,
}

impl Opcode {
    /// How many register operands the instruction reads.
    pub fn arity(self) -> usize {
        use Opcode::*;
        match self {
            X | Y | Z | Const => 0,
            Copy | Neg | Abs | Sqrt | Square | Recip | Sin | Cos | Tan | Asin | Acos | Atan
            | Exp | Ln | Floor | Ceil | Sign | AddImm | SubImm | ImmSub | MulImm | DivImm
            | ImmDiv | MinImm | MaxImm => 1,
            Add | Sub | Mul | Div | Min | Max | Atan2 | Mod | Lt => 2,
            Select => 3,
        }
    }

    fn unary(u: Unary) -> Self {
        match u {
            Unary::Neg => Opcode::Neg,
            Unary::Abs => Opcode::Abs,
            Unary::Sqrt => Opcode::Sqrt,
            Unary::Square => Opcode::Square,
            Unary::Recip => Opcode::Recip,
            Unary::Sin => Opcode::Sin,
            Unary::Cos => Opcode::Cos,
            Unary::Tan => Opcode::Tan,
            Unary::Asin => Opcode::Asin,
            Unary::Acos => Opcode::Acos,
            Unary::Atan => Opcode::Atan,
            Unary::Exp => Opcode::Exp,
            Unary::Ln => Opcode::Ln,
            Unary::Floor => Opcode::Floor,
            Unary::Ceil => Opcode::Ceil,
            Unary::Sign => Opcode::Sign,
        }
    }

    fn binary(b: Binary) -> Self {
        match b {
            Binary::Add => Opcode::Add,
            Binary::Sub => Opcode::Sub,
            Binary::Mul => Opcode::Mul,
            Binary::Div => Opcode::Div,
            Binary::Min => Opcode::Min,
            Binary::Max => Opcode::Max,
            Binary::Atan2 => Opcode::Atan2,
            Binary::Mod => Opcode::Mod,
            Binary::Lt => Opcode::Lt,
        }
    }
}

/// One instruction. Unused operands are 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Inst {
    /// The operation.
    pub op: Opcode,
    /// Result register (register form) or own index (SSA form).
    pub out: u32,
    /// First operand.
    pub a: u32,
    /// Second operand.
    pub b: u32,
    /// Third operand (`Select`'s else branch).
    pub c: u32,
    /// Immediate operand of `Const` and the `*Imm` forms.
    pub imm: f32,
}

impl Inst {
    fn new(op: Opcode, a: u32, b: u32, c: u32, imm: f32) -> Self {
        Inst {
            op,
            out: 0,
            a,
            b,
            c,
            imm,
        }
    }

    /// The reference (libm) value of this instruction at point `p` with operand
    /// values `a`, `b`, `c` (register form or SSA form alike).
    #[inline(always)]
    fn scalar(&self, p: [f32; 3], a: f32, b: f32, c: f32) -> f32 {
        match self.op {
            Opcode::X => p[0],
            Opcode::Y => p[1],
            Opcode::Z => p[2],
            Opcode::Const => self.imm,
            Opcode::Copy => a,
            Opcode::Neg => Unary::Neg.apply(a),
            Opcode::Abs => Unary::Abs.apply(a),
            Opcode::Sqrt => Unary::Sqrt.apply(a),
            Opcode::Square => Unary::Square.apply(a),
            Opcode::Recip => Unary::Recip.apply(a),
            Opcode::Sin => Unary::Sin.apply(a),
            Opcode::Cos => Unary::Cos.apply(a),
            Opcode::Tan => Unary::Tan.apply(a),
            Opcode::Asin => Unary::Asin.apply(a),
            Opcode::Acos => Unary::Acos.apply(a),
            Opcode::Atan => Unary::Atan.apply(a),
            Opcode::Exp => Unary::Exp.apply(a),
            Opcode::Ln => Unary::Ln.apply(a),
            Opcode::Floor => Unary::Floor.apply(a),
            Opcode::Ceil => Unary::Ceil.apply(a),
            Opcode::Sign => Unary::Sign.apply(a),
            Opcode::Add => Binary::Add.apply(a, b),
            Opcode::Sub => Binary::Sub.apply(a, b),
            Opcode::Mul => Binary::Mul.apply(a, b),
            Opcode::Div => Binary::Div.apply(a, b),
            Opcode::Min => Binary::Min.apply(a, b),
            Opcode::Max => Binary::Max.apply(a, b),
            Opcode::Atan2 => Binary::Atan2.apply(a, b),
            Opcode::Mod => Binary::Mod.apply(a, b),
            Opcode::Lt => Binary::Lt.apply(a, b),
            Opcode::AddImm => a + self.imm,
            Opcode::SubImm => a - self.imm,
            Opcode::ImmSub => self.imm - a,
            Opcode::MulImm => a * self.imm,
            Opcode::DivImm => a / self.imm,
            Opcode::ImmDiv => self.imm / a,
            Opcode::MinImm => a.min(self.imm),
            Opcode::MaxImm => a.max(self.imm),
            Opcode::Select => {
                if a != 0.0 {
                    b
                } else {
                    c
                }
            }
        }
    }
}

impl Inst {
    /// The operands actually read, as a small vector (diagnostics and tests).
    pub fn operands_vec(&self) -> Vec<u32> {
        [self.a, self.b, self.c][..self.op.arity()].to_vec()
    }
}

/// For a `Min`/`Max`/`Select` instruction, which operand can be the result over a
/// region (recorded by the interval evaluator, consumed by [`Tape::simplify`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Choice {
    /// Either operand can win (or the instruction is not a choice).
    #[default]
    Both,
    /// Only the first (`Min`/`Max`: `a`; `Select`: the then-branch) can win.
    Left,
    /// Only the second (`Min`/`Max`: `b` or the immediate; `Select`: the else-branch).
    Right,
}

/// A compiled, register-allocated tape. Cheap to evaluate, immutable, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Tape {
    ssa: Vec<Inst>,
    regs: Vec<Inst>,
    nregs: u32,
    output: u32,
    /// SSA index of the result (the last instruction in practice).
    root: u32,
    /// `fused[k]`: instruction `k + 1` is a unary [`is_fusable_tail`] op whose only
    /// input is `k`'s result (or an [`is_fusable_binary_tail`] op with `k`'s result
    /// as one operand), `k`'s result is used nowhere else, and whose result register is none of
    /// `k`'s operands, so the batch kernel may run the pair in one pass without
    /// storing `k`'s result.
    fused: Vec<bool>,
    /// A certified Lipschitz constant of the function (see
    /// [`crate::sdf::lipschitz`]), when the compiler knows one.
    lipschitz: Option<f32>,
}

/// Heads of fused pairs: cheap arithmetic whose result feeds a tail directly.
pub fn is_fusable_head(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        Add | Sub
            | Mul
            | Min
            | Max
            | MaxImm
            | MinImm
            | AddImm
            | SubImm
            | ImmSub
            | MulImm
            | Square
            | Abs
            | Neg
            | Sqrt
    )
}

/// Binary tails of fused pairs: one operand is the head's result, the other a
/// register.
pub fn is_fusable_binary_tail(op: Opcode) -> bool {
    use Opcode::*;
    matches!(op, Add | Sub | Mul | Min | Max)
}

/// Tails of fused pairs: unary ops applied to the head's result in registers.
pub fn is_fusable_tail(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        AddImm | SubImm | ImmSub | MulImm | MaxImm | MinImm | Abs | Square | Sqrt | Neg
    )
}

const NONE: u32 = u32::MAX;

impl Tape {
    /// Compiles the graph's root: immediate forms, dead-code removal, register
    /// allocation.
    pub fn new(graph: &Graph) -> Tape {
        let ops = graph.ops();
        // Graph id -> SSA index (NONE: a constant not materialised yet).
        let mut map = vec![NONE; ops.len()];
        let mut ssa: Vec<Inst> = Vec::with_capacity(ops.len());
        fn val(ops: &[Op], map: &mut [u32], ssa: &mut Vec<Inst>, id: Id) -> u32 {
            let i = id as usize;
            if map[i] == NONE {
                // Only constants are materialised lazily; every other op was
                // emitted when it was visited (operands precede users).
                let imm = match ops[i] {
                    Op::Const(bits) => f32::from_bits(bits),
                    _ => f32::NAN,
                };
                map[i] = ssa.len() as u32;
                ssa.push(Inst::new(Opcode::Const, 0, 0, 0, imm));
            }
            map[i]
        }
        for i in post_order(graph) {
            let inst = match ops[i] {
                Op::Input(axis) => Inst::new(
                    match axis {
                        Axis::X => Opcode::X,
                        Axis::Y => Opcode::Y,
                        Axis::Z => Opcode::Z,
                    },
                    0,
                    0,
                    0,
                    0.0,
                ),
                Op::Const(_) => continue,
                Op::Unary(u, a) => {
                    let a = val(ops, &mut map, &mut ssa, a);
                    Inst::new(Opcode::unary(u), a, 0, 0, 0.0)
                }
                Op::Binary(b, x, y) => {
                    let (cx, cy) = (graph.constant(x), graph.constant(y));
                    let imm_form = match (cx, cy) {
                        (Some(_), Some(_)) | (None, None) => None,
                        (Some(c), None) => imm_form(Opcode::binary(b), true).map(|o| (o, c)),
                        (None, Some(c)) => imm_form(Opcode::binary(b), false).map(|o| (o, c)),
                    };
                    match imm_form {
                        Some((opc, c)) => {
                            let other = if cy.is_some() { x } else { y };
                            let a = val(ops, &mut map, &mut ssa, other);
                            Inst::new(opc, a, 0, 0, c)
                        }
                        None => {
                            let a = val(ops, &mut map, &mut ssa, x);
                            let bb = val(ops, &mut map, &mut ssa, y);
                            Inst::new(Opcode::binary(b), a, bb, 0, 0.0)
                        }
                    }
                }
                Op::Select(c, t, f) => {
                    let c = val(ops, &mut map, &mut ssa, c);
                    let t = val(ops, &mut map, &mut ssa, t);
                    let f = val(ops, &mut map, &mut ssa, f);
                    Inst::new(Opcode::Select, c, t, f, 0.0)
                }
            };
            map[i] = ssa.len() as u32;
            ssa.push(inst);
        }
        if ssa.is_empty() && ops.is_empty() {
            // An empty graph is the constant 0 (never produced by lowering).
            ssa.push(Inst::new(Opcode::Const, 0, 0, 0, 0.0));
            return compile(&ssa, 0, None);
        }
        let out = val(ops, &mut map, &mut ssa, graph.root());
        compile(&ssa, out, None)
    }

    /// Number of instructions.
    pub fn len(&self) -> usize {
        self.regs.len()
    }

    /// Whether the tape has no instructions (never true for a compiled tape).
    pub fn is_empty(&self) -> bool {
        self.regs.is_empty()
    }

    /// Approximate heap + inline size in bytes, for caches bounded by memory.
    pub fn byte_size(&self) -> usize {
        std::mem::size_of::<Tape>()
            + (self.ssa.capacity() + self.regs.capacity()) * std::mem::size_of::<Inst>()
            + self.fused.capacity()
    }

    /// Number of registers the register form uses.
    pub fn reg_count(&self) -> usize {
        self.nregs as usize
    }

    /// The register holding the result after the last instruction.
    pub fn output(&self) -> u32 {
        self.output
    }

    /// The register form, in evaluation order.
    pub fn insts(&self) -> &[Inst] {
        &self.regs
    }

    /// Fusion flags, index for index with [`Tape::insts`] (see the field doc).
    pub fn fused(&self) -> &[bool] {
        &self.fused
    }

    /// The SSA form, index for index with [`Tape::insts`].
    pub fn ssa(&self) -> &[Inst] {
        &self.ssa
    }

    /// Scalar reference evaluation with libm functions (same semantics as
    /// [`Graph::eval_point`]).
    pub fn eval_point(&self, p: [f32; 3]) -> f32 {
        let mut regs = vec![0.0f32; self.nregs as usize];
        self.eval_point_with(p, &mut regs)
    }

    /// [`Tape::eval_point`] with a caller-provided register file of at least
    /// [`Tape::reg_count`] slots, so loops over points do not allocate.
    pub fn eval_point_with(&self, p: [f32; 3], regs: &mut [f32]) -> f32 {
        for inst in &self.regs {
            let a = regs[inst.a as usize];
            let b = regs[inst.b as usize];
            let c = regs[inst.c as usize];
            let v = inst.scalar(p, a, b, c);
            regs[inst.out as usize] = v;
        }
        regs[self.output as usize]
    }

    /// A shorter tape equal to this one wherever `choices` hold: the branches of
    /// `Min`/`Max`/`Select` that cannot win are dropped, then dead code. `choices`
    /// is indexed like [`Tape::insts`] (as filled by the interval evaluator); a
    /// short or empty slice means "no choice known" for the rest.
    pub fn simplify(&self, choices: &[Choice]) -> Tape {
        // Equal to this tape's function wherever the choices hold, so no steeper.
        compile(&self.ssa, self.root, Some(choices)).with_lipschitz(self.lipschitz)
    }

    /// This tape, certified `lipschitz`-Lipschitz (`None`: no bound known).
    pub fn with_lipschitz(mut self, lipschitz: Option<f32>) -> Tape {
        self.lipschitz = lipschitz;
        self
    }

    /// A certified Lipschitz constant of the tape's function, if known.
    pub fn lipschitz(&self) -> Option<f32> {
        self.lipschitz
    }
}

/// The non-constant ops reachable from the root, each after its operands, in
/// depth-first post-order: a value used once is then computed right before its
/// user, which keeps few registers live and lets the batch kernel fuse pairs.
/// Iterative, so deep graphs cannot overflow the stack.
fn post_order(graph: &Graph) -> Vec<usize> {
    let ops = graph.ops();
    let mut done = vec![false; ops.len()];
    let mut order = Vec::with_capacity(ops.len());
    if ops.is_empty() {
        return order;
    }
    // (op, index of the next operand to visit)
    let mut stack: Vec<(usize, usize)> = vec![(graph.root() as usize, 0)];
    while let Some(&mut (i, ref mut next)) = stack.last_mut() {
        if done[i] {
            stack.pop();
            continue;
        }
        let operand = ops[i].operands().nth(*next);
        *next += 1;
        match operand {
            Some(o) if !done[o as usize] => stack.push((o as usize, 0)),
            Some(_) => {}
            None => {
                done[i] = true;
                stack.pop();
                if !matches!(ops[i], Op::Const(_)) {
                    order.push(i);
                }
            }
        }
    }
    order
}

/// Rewrites `inst` (SSA form) under `choice`: returns `Ok(inst)` to keep it as is or
/// rewritten, or `Err(src)` when its value is simply the value of `src`.
fn apply_choice(inst: Inst, choice: Choice) -> Result<Inst, u32> {
    use Opcode::*;
    match (inst.op, choice) {
        (_, Choice::Both) => Ok(inst),
        (Min | Max | MinImm | MaxImm, Choice::Left) => Err(inst.a),
        (Min | Max, Choice::Right) => Err(inst.b),
        (MinImm | MaxImm, Choice::Right) => Ok(Inst::new(Const, 0, 0, 0, inst.imm)),
        (Select, Choice::Left) => Err(inst.b),
        (Select, Choice::Right) => Err(inst.c),
        _ => Ok(inst),
    }
}

/// The immediate form of binary `op` when its constant operand is on the
/// left (`const_left`) or the right, if it has one.
fn imm_form(op: Opcode, const_left: bool) -> Option<Opcode> {
    use Opcode::*;
    Some(match (op, const_left) {
        (Add, _) => AddImm,
        (Mul, _) => MulImm,
        (Min, _) => MinImm,
        (Max, _) => MaxImm,
        (Sub, false) => SubImm,
        (Sub, true) => ImmSub,
        (Div, false) => DivImm,
        (Div, true) => ImmDiv,
        _ => return None,
    })
}

/// The value of `inst` given constant operands `a`, `b`, `c`, for the ops the
/// batch kernels compute with the same IEEE operations as [`Inst::scalar`]
/// (so folding changes no result); `None` for the others (the kernels' `sin`
/// & co. are approximations, not libm's).
fn exact_value(inst: &Inst, a: f32, b: f32, c: f32) -> Option<f32> {
    use Opcode::*;
    match inst.op {
        X | Y | Z | Const | Sin | Cos | Tan | Asin | Acos | Atan | Exp | Ln | Atan2 => None,
        _ => Some(inst.scalar([0.0; 3], a, b, c)),
    }
}

/// Forward pass: applies `choices`, then folds what became constant and drops
/// identities (`x + 0`, `x · 1`, `min(x, x)`, …, the rules [`Graph`] applies
/// when building; like it, `x + 0` keeps a −0 that the addition would have
/// made +0). A simplified tape needs it: a `max(k − |a − b|, 0)` whose `0`
/// won leaves a chain of arithmetic on a constant behind (the ALICE demo
/// tree's chunk tapes at 256³ were 40–60 instructions long, 21–40 folded).
/// Fills `out` with the rewritten instructions (SSA indices unchanged) and
/// `same` with, per value, the value it equals: itself, or an earlier one (no
/// instruction needed).
// Guards rather than float patterns, as in `Graph`: they read as the algebra.
#[allow(clippy::redundant_guards)]
fn fold(
    ssa: &[Inst],
    root: u32,
    choices: Option<&[Choice]>,
    out: &mut Vec<Inst>,
    same: &mut Vec<u32>,
) {
    use Opcode::*;
    let n = root as usize + 1;
    out.clear();
    same.clear();
    for (i, &inst) in ssa[..n].iter().enumerate() {
        let choice = choices.and_then(|c| c.get(i)).copied().unwrap_or_default();
        let mut inst = match apply_choice(inst, choice) {
            Ok(inst) => inst,
            Err(src) => {
                same.push(same[src as usize]);
                out.push(inst);
                continue;
            }
        };
        let arity = inst.op.arity();
        for o in [&mut inst.a, &mut inst.b, &mut inst.c]
            .into_iter()
            .take(arity)
        {
            *o = same[*o as usize];
        }
        let constant = |o: u32| (out[o as usize].op == Const).then(|| out[o as usize].imm);
        let ops = [inst.a, inst.b, inst.c];
        let consts: [Option<f32>; 3] = std::array::from_fn(|k| match k < arity {
            true => constant(ops[k]),
            false => None,
        });
        let all_const = arity > 0 && consts[..arity].iter().all(Option::is_some);
        let value = |k: usize| consts[k].unwrap_or(0.0);
        let folded = match all_const {
            true => exact_value(&inst, value(0), value(1), value(2)),
            false => None,
        };
        let mut alias = None;
        if let Some(v) = folded {
            inst = Inst::new(Const, 0, 0, 0, v);
        } else if arity == 2 && consts[0].is_some() != consts[1].is_some() {
            let (c, other) = match consts[0] {
                Some(c) => (c, inst.b),
                None => (consts[1].unwrap_or(0.0), inst.a),
            };
            if let Some(op) = imm_form(inst.op, consts[0].is_some()) {
                inst = Inst::new(op, other, 0, 0, c);
            }
        }
        match (inst.op, inst.imm) {
            (Copy, _) => alias = Some(inst.a),
            (Select, _) if consts[0].is_some() => {
                alias = Some(if value(0) != 0.0 { inst.b } else { inst.c });
            }
            (Min | Max, _) if inst.a == inst.b => alias = Some(inst.a),
            (AddImm | SubImm, z) if z == 0.0 => alias = Some(inst.a),
            (MulImm | DivImm, o) if o == 1.0 => alias = Some(inst.a),
            (MinImm, v) if v == f32::INFINITY => alias = Some(inst.a),
            (MaxImm, v) if v == f32::NEG_INFINITY => alias = Some(inst.a),
            (ImmSub, z) if z == 0.0 => inst = Inst::new(Neg, inst.a, 0, 0, 0.0),
            (MulImm, m) if m == -1.0 => inst = Inst::new(Neg, inst.a, 0, 0, 0.0),
            _ => {}
        }
        same.push(alias.unwrap_or(i as u32));
        out.push(inst);
    }
}

/// [`compile`]'s working buffers, kept per thread: meshing compiles a
/// simplified tape for each distinct set of choices among its octree blocks
/// (~1,700 at 256³), and allocating these afresh each time made compiling a
/// third of the mesher's calls to the allocator.
#[derive(Default)]
struct CompileScratch {
    /// `reg[i]`: register of SSA value i, assigned at its last use (first seen
    /// walking backward) and freed at its definition.
    reg: Vec<u32>,
    /// `alias[i]`: the SSA value that i turned out to equal (no instruction emitted).
    alias: Vec<u32>,
    /// Free registers, oldest first: taking the least recently freed one means
    /// an instruction's operands rarely land in the register its single user
    /// writes, which is what lets the batch kernel fuse the pair (the count of
    /// registers is the peak of live values whatever the choice).
    free: std::collections::VecDeque<u32>,
    /// Emitted instructions in reverse order: (old SSA index, SSA inst, register inst).
    emitted: Vec<(u32, Inst, Inst)>,
    /// New SSA index of each old value (through aliases).
    new_of: Vec<u32>,
    /// Uses of each new SSA value.
    uses: Vec<u32>,
    /// [`fold`]'s results.
    folded: Vec<Inst>,
    same: Vec<u32>,
}

thread_local! {
    static COMPILE_SCRATCH: std::cell::RefCell<CompileScratch> =
        std::cell::RefCell::new(CompileScratch::default());
}

/// Backward pass: liveness, choice rewriting, register allocation; then forward
/// renumbering of the SSA form. `root` is the SSA index of the result.
fn compile(ssa: &[Inst], root: u32, choices: Option<&[Choice]>) -> Tape {
    // Never reentered (compiling calls no compile), so the borrow cannot fail.
    COMPILE_SCRATCH.with_borrow_mut(|s| {
        let tape = compile_with(ssa, root, choices, s);
        // A huge tape's buffers are not worth keeping for the next one.
        if s.reg.capacity() > 1 << 16 {
            *s = CompileScratch::default();
        }
        tape
    })
}

fn compile_with(
    ssa: &[Inst],
    root: u32,
    choices: Option<&[Choice]>,
    s: &mut CompileScratch,
) -> Tape {
    let n = ssa.len();
    let CompileScratch {
        reg,
        alias,
        free,
        emitted,
        new_of,
        uses,
        folded,
        same,
    } = s;
    reg.clear();
    reg.resize(n, NONE);
    alias.clear();
    alias.resize(n, NONE);
    free.clear();
    let mut nregs = 0u32;
    let mut alloc = |free: &mut std::collections::VecDeque<u32>| {
        free.pop_front().unwrap_or_else(|| {
            nregs += 1;
            nregs - 1
        })
    };
    fold(ssa, root, choices, folded, same);
    let output = alloc(free);
    reg[root as usize] = output;
    emitted.clear();
    for i in (0..=root as usize).rev() {
        let r = reg[i];
        if r == NONE {
            continue;
        }
        let src = same[i];
        let inst = match src as usize == i {
            true => folded[i],
            false => {
                if reg[src as usize] == NONE {
                    // The source takes over this value's register: no instruction.
                    reg[src as usize] = r;
                    alias[i] = src;
                    continue;
                }
                Inst::new(Opcode::Copy, src, 0, 0, 0.0)
            }
        };
        let mut rinst = inst;
        rinst.out = r;
        let arity = inst.op.arity();
        let ops = [inst.a, inst.b, inst.c];
        let mut rops = [0u32; 3];
        for k in 0..arity {
            let o = ops[k] as usize;
            if reg[o] == NONE {
                reg[o] = alloc(free);
            }
            rops[k] = reg[o];
        }
        // Freed only now, so the result register differs from every operand's.
        free.push_back(r);
        rinst.a = rops[0];
        rinst.b = rops[1];
        rinst.c = rops[2];
        emitted.push((i as u32, inst, rinst));
    }
    emitted.reverse();
    // Forward: new SSA index of each old value (through aliases).
    new_of.clear();
    new_of.resize(n, NONE);
    let mut k = 0;
    for (old, slot) in new_of.iter_mut().enumerate().take(root as usize + 1) {
        if k < emitted.len() && emitted[k].0 as usize == old {
            *slot = k as u32;
            k += 1;
        }
    }
    for old in 0..=root as usize {
        if alias[old] != NONE {
            new_of[old] = new_of[alias[old] as usize];
        }
    }
    let mut new_ssa = Vec::with_capacity(emitted.len());
    let mut new_regs = Vec::with_capacity(emitted.len());
    for (pos, &(_, mut inst, rinst)) in emitted.iter().enumerate() {
        let arity = inst.op.arity();
        if arity > 0 {
            inst.a = new_of[inst.a as usize];
        }
        if arity > 1 {
            inst.b = new_of[inst.b as usize];
        }
        if arity > 2 {
            inst.c = new_of[inst.c as usize];
        }
        inst.out = pos as u32;
        new_ssa.push(inst);
        new_regs.push(rinst);
    }
    // Fusion: count uses in the SSA form, then pair heads with their only user
    // when it comes right after.
    uses.clear();
    uses.resize(new_ssa.len(), 0);
    for inst in &new_ssa {
        for &o in &[inst.a, inst.b, inst.c][..inst.op.arity()] {
            uses[o as usize] += 1;
        }
    }
    let mut fused = vec![false; new_ssa.len()];
    let mut k = 0;
    while k + 1 < new_ssa.len() {
        let (h, t) = (&new_regs[k], &new_regs[k + 1]);
        let ts = &new_ssa[k + 1];
        let tail_ok = (is_fusable_tail(t.op) && ts.a == k as u32)
            || (is_fusable_binary_tail(t.op) && (ts.a == k as u32 || ts.b == k as u32));
        let ok = is_fusable_head(h.op)
            && tail_ok
            && uses[k] == 1
            && ![h.a, h.b][..h.op.arity()].contains(&t.out);
        if ok {
            fused[k] = true;
            k += 2;
        } else {
            k += 1;
        }
    }
    Tape {
        ssa: new_ssa,
        regs: new_regs,
        nregs,
        output,
        root: new_of[root as usize],
        fused,
        lipschitz: None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A graph that uses every operation, for evaluator tests: returns the graph
    /// and the ids of interesting sub-expressions, with the root being their sum.
    pub(crate) fn every_op_graphs() -> Vec<(String, Graph)> {
        let mut out = Vec::new();
        let unaries = [
            Unary::Neg,
            Unary::Abs,
            Unary::Sqrt,
            Unary::Square,
            Unary::Recip,
            Unary::Sin,
            Unary::Cos,
            Unary::Tan,
            Unary::Asin,
            Unary::Acos,
            Unary::Atan,
            Unary::Exp,
            Unary::Ln,
            Unary::Floor,
            Unary::Ceil,
            Unary::Sign,
        ];
        let binaries = [
            Binary::Add,
            Binary::Sub,
            Binary::Mul,
            Binary::Div,
            Binary::Min,
            Binary::Max,
            Binary::Atan2,
            Binary::Mod,
            Binary::Lt,
        ];
        for u in unaries {
            let mut g = Graph::default();
            let x = g.push(Op::Input(Axis::X));
            let y = g.push(Op::Input(Axis::Y));
            // u(x * y + 0.3): mixes inputs so the argument covers a wide range.
            let m = g.push(Op::Binary(Binary::Mul, x, y));
            let c = g.constant_id(0.3);
            let s = g.push(Op::Binary(Binary::Add, m, c));
            let r = g.push(Op::Unary(u, s));
            g.set_root(r);
            out.push((u.name().to_string(), g));
        }
        for b in binaries {
            for form in 0..3 {
                let mut g = Graph::default();
                let x = g.push(Op::Input(Axis::X));
                let y = g.push(Op::Input(Axis::Y));
                let z = g.push(Op::Input(Axis::Z));
                let yz = g.push(Op::Binary(Binary::Sub, y, z));
                let c = g.constant_id(0.7);
                let (l, r) = match form {
                    0 => (x, yz),
                    1 => (x, c),
                    _ => (c, x),
                };
                let root = g.push(Op::Binary(b, l, r));
                g.set_root(root);
                out.push((format!("{}#{form}", b.name()), g));
            }
        }
        let mut g = Graph::default();
        let x = g.push(Op::Input(Axis::X));
        let y = g.push(Op::Input(Axis::Y));
        let z = g.push(Op::Input(Axis::Z));
        let c = g.push(Op::Binary(Binary::Lt, x, y));
        let sel = g.push(Op::Select(c, y, z));
        g.set_root(sel);
        out.push(("select".into(), g));
        // A larger mixed graph: reuse of registers, shared sub-expressions.
        let mut g = Graph::default();
        let x = g.push(Op::Input(Axis::X));
        let y = g.push(Op::Input(Axis::Y));
        let z = g.push(Op::Input(Axis::Z));
        let mut acc = x;
        for (k, u) in unaries.iter().enumerate() {
            let arg = if k % 2 == 0 { y } else { z };
            let t = g.push(Op::Binary(Binary::Mul, acc, arg));
            let t = g.push(Op::Unary(*u, t));
            let bop = binaries[k % binaries.len()];
            acc = g.push(Op::Binary(bop, t, acc));
            let lim = g.constant_id(10.0);
            acc = g.push(Op::Binary(Binary::Min, acc, lim));
            let lim = g.constant_id(-10.0);
            acc = g.push(Op::Binary(Binary::Max, acc, lim));
        }
        g.set_root(acc);
        out.push(("chain".into(), g));
        out
    }

    pub(crate) fn sample_points(n: usize, scale: f32, seed: u64) -> Vec<[f32; 3]> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let mut next = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        };
        (0..n)
            .map(|_| [next() * scale, next() * scale, next() * scale])
            .collect()
    }

    #[test]
    fn tape_matches_graph_reference() {
        for (name, g) in every_op_graphs() {
            let t = Tape::new(&g);
            for p in sample_points(500, 3.0, 1) {
                let want = g.eval_point(g.root(), p);
                let got = t.eval_point(p);
                assert!(
                    want.to_bits() == got.to_bits() || (want.is_nan() && got.is_nan()),
                    "{name} at {p:?}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn registers_are_reused() {
        // A long chain of sums needs only a handful of registers.
        let mut g = Graph::default();
        let x = g.push(Op::Input(Axis::X));
        let mut acc = x;
        for k in 0..200 {
            let c = g.constant_id(k as f32 * 0.01 + 0.5);
            let t = g.push(Op::Binary(Binary::Mul, x, c));
            let s = g.push(Op::Unary(Unary::Sin, t));
            acc = g.push(Op::Binary(Binary::Add, acc, s));
        }
        g.set_root(acc);
        let t = Tape::new(&g);
        assert!(t.reg_count() <= 4, "{} registers", t.reg_count());
        for inst in t.insts() {
            assert!(!inst.operands_vec().contains(&inst.out), "{inst:?}");
        }
    }

    /// A smooth union whose one side wins outright leaves `a − 0²·c` behind
    /// once its blend's `max(k − |a − b|, 0)` is known to be 0: folding must
    /// shrink that to the winning side's own instructions, and change no value.
    #[test]
    fn simplify_folds_what_the_choices_made_constant() {
        fn sphere(g: &mut Graph, cx: f32) -> Id {
            let x = g.push(Op::Input(Axis::X));
            let y = g.push(Op::Input(Axis::Y));
            let z = g.push(Op::Input(Axis::Z));
            let c = g.constant_id(cx);
            let dx = g.push(Op::Binary(Binary::Sub, x, c));
            let [dx2, y2, z2] = [dx, y, z].map(|v| g.push(Op::Unary(Unary::Square, v)));
            let s = g.push(Op::Binary(Binary::Add, dx2, y2));
            let s = g.push(Op::Binary(Binary::Add, s, z2));
            let r = g.push(Op::Unary(Unary::Sqrt, s));
            let one = g.constant_id(1.0);
            g.push(Op::Binary(Binary::Sub, r, one))
        }
        let mut alone = Graph::default();
        let root = sphere(&mut alone, 0.0);
        alone.set_root(root);
        let mut g = Graph::default();
        let a = sphere(&mut g, 0.0);
        let b = sphere(&mut g, 5.0);
        // min(a, b) − max(k − |a − b|, 0)² / (4k), k = 0.1
        let k = g.constant_id(0.1);
        let d = g.push(Op::Binary(Binary::Sub, a, b));
        let d = g.push(Op::Unary(Unary::Abs, d));
        let h = g.push(Op::Binary(Binary::Sub, k, d));
        let zero = g.constant_id(0.0);
        let h = g.push(Op::Binary(Binary::Max, h, zero));
        let h2 = g.push(Op::Unary(Unary::Square, h));
        let scale = g.constant_id(2.5);
        let blend = g.push(Op::Binary(Binary::Mul, h2, scale));
        let m = g.push(Op::Binary(Binary::Min, a, b));
        let r = g.push(Op::Binary(Binary::Sub, m, blend));
        g.set_root(r);
        let tape = Tape::new(&g);
        let iv = crate::sdf::eval::interval::Interval::new(-1.2, 1.2);
        let (_, choices) = tape.eval_interval(iv, iv, iv);
        let simple = tape.simplify(&choices);
        assert_eq!(
            simple.len(),
            Tape::new(&alone).len(),
            "{:?}",
            simple.insts()
        );
        for p in sample_points(500, 1.2, 5) {
            assert_eq!(
                simple.eval_point(p).to_bits(),
                tape.eval_point(p).to_bits(),
                "{p:?}"
            );
        }
    }

    #[test]
    fn simplify_drops_losing_branches() {
        let mut g = Graph::default();
        let x = g.push(Op::Input(Axis::X));
        let y = g.push(Op::Input(Axis::Y));
        let sx = g.push(Op::Unary(Unary::Sin, x));
        let cy = g.push(Op::Unary(Unary::Cos, y));
        let m = g.push(Op::Binary(Binary::Min, sx, cy));
        g.set_root(m);
        let t = Tape::new(&g);
        let mut choices = vec![Choice::Both; t.len()];
        let k = t.insts().iter().position(|i| i.op == Opcode::Min).unwrap();
        choices[k] = Choice::Left;
        let s = t.simplify(&choices);
        assert_eq!(s.len(), 2, "{:?}", s.insts());
        assert_eq!(s.eval_point([0.5, 0.0, 0.0]), 0.5f32.sin());
    }
}
