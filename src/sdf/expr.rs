//! The low-level expression graph every tree is lowered to, and the builder that
//! node kinds use to write their distance formulas.
//!
//! A [`Graph`] is a hash-consed DAG of scalar operations on the point `(x, y, z)`:
//! two requests for the same operation on the same operands return the same
//! [`Id`], so shared sub-trees are computed once (common sub-expression
//! elimination comes for free), and operations whose operands are constants are
//! folded as they are built. Node kinds write their formulas with [`E`], [`V2`] and
//! [`V3`] handles that overload the usual operators, so a formula reads like the
//! GLSL it was derived from:
//!
//! ```
//! use ai_modeler::sdf::expr::Builder;
//! let b = Builder::new();
//! let p = b.point();
//! let sphere = (p.length() - 1.0).id();
//! let graph = b.finish(sphere);
//! assert_eq!(graph.eval_point(graph.root(), [0.0, 0.0, 0.0]), -1.0);
//! ```
//!
//! Invariants: operands always precede their users (`Id`s are topologically
//! ordered), and the graph holds no operation whose operands are all constants.
#![warn(missing_docs)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Index of an operation in a [`Graph`].
pub type Id = u32;

/// A coordinate of the evaluated point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Axis {
    /// The x coordinate.
    X,
    /// The y coordinate.
    Y,
    /// The z coordinate.
    Z,
}

/// Operations with one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unary {
    /// `-a`
    Neg,
    /// `|a|`
    Abs,
    /// `sqrt(a)`; negative operands give 0 (they only arise from rounding).
    Sqrt,
    /// `a * a`
    Square,
    /// `1 / a`
    Recip,
    /// `sin(a)` (radians)
    Sin,
    /// `cos(a)` (radians)
    Cos,
    /// `tan(a)` (radians)
    Tan,
    /// `asin(a)`, operand clamped to [-1, 1]
    Asin,
    /// `acos(a)`, operand clamped to [-1, 1]
    Acos,
    /// `atan(a)`
    Atan,
    /// `e^a`
    Exp,
    /// natural logarithm; `ln(0) = -inf`
    Ln,
    /// largest integer not above `a`
    Floor,
    /// smallest integer not below `a`
    Ceil,
    /// -1, 0 or 1
    Sign,
}

/// Operations with two operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Binary {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
    /// `min(a, b)`
    Min,
    /// `max(a, b)`
    Max,
    /// `atan2(a, b)`: the angle of the vector `(b, a)`, as GLSL's `atan(y, x)`.
    Atan2,
    /// `a - b * floor(a / b)`: GLSL's `mod`, the result has the sign of `b`.
    Mod,
    /// `1.0` when `a < b`, else `0.0` (NaN compares false).
    Lt,
}

/// One operation of a [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// A coordinate of the point.
    Input(Axis),
    /// A constant, stored as its bit pattern so the op can be hashed.
    Const(u32),
    /// A unary operation.
    Unary(Unary, Id),
    /// A binary operation.
    Binary(Binary, Id, Id),
    /// `if c != 0 { a } else { b }`
    Select(Id, Id, Id),
}

impl Op {
    /// The operands of this operation, in order.
    pub fn operands(&self) -> impl Iterator<Item = Id> {
        let (a, b, c) = match *self {
            Op::Input(_) | Op::Const(_) => (None, None, None),
            Op::Unary(_, a) => (Some(a), None, None),
            Op::Binary(_, a, b) => (Some(a), Some(b), None),
            Op::Select(c, a, b) => (Some(c), Some(a), Some(b)),
        };
        a.into_iter().chain(b).chain(c)
    }
}

impl Unary {
    /// The reference (libm) value of this operation.
    pub fn apply(self, a: f32) -> f32 {
        match self {
            Unary::Neg => -a,
            Unary::Abs => a.abs(),
            Unary::Sqrt => a.max(0.0).sqrt(),
            Unary::Square => a * a,
            Unary::Recip => 1.0 / a,
            Unary::Sin => a.sin(),
            Unary::Cos => a.cos(),
            Unary::Tan => a.tan(),
            Unary::Asin => a.clamp(-1.0, 1.0).asin(),
            Unary::Acos => a.clamp(-1.0, 1.0).acos(),
            Unary::Atan => a.atan(),
            Unary::Exp => a.exp(),
            Unary::Ln => a.ln(),
            Unary::Floor => a.floor(),
            Unary::Ceil => a.ceil(),
            Unary::Sign => {
                if a > 0.0 {
                    1.0
                } else if a < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// Lower-case name, as used by the `.vm` format and in diagnostics.
    pub fn name(self) -> &'static str {
        match self {
            Unary::Neg => "neg",
            Unary::Abs => "abs",
            Unary::Sqrt => "sqrt",
            Unary::Square => "square",
            Unary::Recip => "recip",
            Unary::Sin => "sin",
            Unary::Cos => "cos",
            Unary::Tan => "tan",
            Unary::Asin => "asin",
            Unary::Acos => "acos",
            Unary::Atan => "atan",
            Unary::Exp => "exp",
            Unary::Ln => "ln",
            Unary::Floor => "floor",
            Unary::Ceil => "ceil",
            Unary::Sign => "sign",
        }
    }
}

impl Binary {
    /// The reference value of this operation.
    pub fn apply(self, a: f32, b: f32) -> f32 {
        match self {
            Binary::Add => a + b,
            Binary::Sub => a - b,
            Binary::Mul => a * b,
            Binary::Div => a / b,
            Binary::Min => a.min(b),
            Binary::Max => a.max(b),
            Binary::Atan2 => a.atan2(b),
            Binary::Mod => a - b * (a / b).floor(),
            Binary::Lt => {
                if a < b {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// Lower-case name, as used by the `.vm` format and in diagnostics.
    pub fn name(self) -> &'static str {
        match self {
            Binary::Add => "add",
            Binary::Sub => "sub",
            Binary::Mul => "mul",
            Binary::Div => "div",
            Binary::Min => "min",
            Binary::Max => "max",
            Binary::Atan2 => "atan2",
            Binary::Mod => "mod",
            Binary::Lt => "lt",
        }
    }

    /// Whether `a op b == b op a`, so operands can be put in a canonical order.
    fn commutes(self) -> bool {
        matches!(self, Binary::Add | Binary::Mul | Binary::Min | Binary::Max)
    }
}

/// A hash-consed, constant-folded DAG of scalar operations with one root.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    ops: Vec<Op>,
    index: HashMap<Op, Id>,
    root: Id,
    tracking: Option<Tracking>,
}

/// Provenance bookkeeping of a tracking graph (see [`Builder::tracking`]).
#[derive(Clone, Debug, Default)]
struct Tracking {
    /// The owner tag current while ops are pushed.
    owner: u32,
    /// `(constant op, owner tag when it was made)`, in creation order.
    const_owners: Vec<(Id, u32)>,
}

impl Graph {
    /// The operations, operands before users.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// The operation whose value is the distance.
    pub fn root(&self) -> Id {
        self.root
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the graph has no operations.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The constant value of `id`, if it is a constant.
    pub fn constant(&self, id: Id) -> Option<f32> {
        match self.ops[id as usize] {
            Op::Const(bits) => Some(f32::from_bits(bits)),
            _ => None,
        }
    }

    /// Sets the root; used by importers that build a graph op by op.
    pub fn set_root(&mut self, root: Id) {
        self.root = root;
    }

    /// Interns an operation, folding and simplifying it first.
    pub fn push(&mut self, op: Op) -> Id {
        let op = match self.simplify(op) {
            Ok(id) => return id,
            Err(op) => op,
        };
        if let Some(t) = &mut self.tracking
            && let Op::Const(_) = op
        {
            // Every constant gets its own op so its origin stays known.
            let id = self.ops.len() as Id;
            self.ops.push(op);
            t.const_owners.push((id, t.owner));
            return id;
        }
        if let Some(&id) = self.index.get(&op) {
            return id;
        }
        let id = self.ops.len() as Id;
        self.ops.push(op);
        self.index.insert(op, id);
        id
    }

    /// Whether this graph was built by a [`Builder::tracking`] builder.
    pub fn is_tracking(&self) -> bool {
        self.tracking.is_some()
    }

    /// For a tracking graph, each constant op with the owner tag that was current
    /// when it was made, in creation order; empty otherwise.
    pub fn const_owners(&self) -> &[(Id, u32)] {
        self.tracking
            .as_ref()
            .map_or(&[], |t| t.const_owners.as_slice())
    }

    /// Interns a constant. `-0.0` is stored as `0.0` so both share one op.
    pub fn constant_id(&mut self, value: f32) -> Id {
        let value = if value == 0.0 { 0.0 } else { value };
        self.push(Op::Const(value.to_bits()))
    }

    /// Either an existing id the op reduces to, or the op in canonical form.
    // Guards (`if z == 0.0`) rather than float patterns: they read as the
    // algebra they implement and match -0.0 explicitly.
    #[allow(clippy::redundant_guards)]
    fn simplify(&mut self, op: Op) -> Result<Id, Op> {
        match op {
            Op::Unary(u, a) => {
                if let Some(va) = self.constant(a) {
                    return Ok(self.constant_id(u.apply(va)));
                }
                match (u, self.ops[a as usize]) {
                    (Unary::Neg, Op::Unary(Unary::Neg, inner)) => Ok(inner),
                    (Unary::Abs, Op::Unary(Unary::Abs | Unary::Square, _)) => Ok(a),
                    (Unary::Abs, Op::Unary(Unary::Neg, inner)) => Err(Op::Unary(Unary::Abs, inner)),
                    (Unary::Square, Op::Unary(Unary::Neg | Unary::Abs, inner)) => {
                        Err(Op::Unary(Unary::Square, inner))
                    }
                    _ => Err(op),
                }
            }
            Op::Binary(b, x, y) => {
                let (cx, cy) = (self.constant(x), self.constant(y));
                if let (Some(vx), Some(vy)) = (cx, cy) {
                    return Ok(self.constant_id(b.apply(vx, vy)));
                }
                // A tracking graph keeps `x + c` even when `c` happens to be 0
                // today: the constant may be a parameter that changes later.
                let identities = self.tracking.is_none();
                match (b, cx, cy) {
                    _ if !identities => {}
                    (Binary::Add, Some(z), _) if z == 0.0 => return Ok(y),
                    (Binary::Add | Binary::Sub, _, Some(z)) if z == 0.0 => return Ok(x),
                    (Binary::Sub, Some(z), _) if z == 0.0 => {
                        return Ok(self.push(Op::Unary(Unary::Neg, y)));
                    }
                    (Binary::Mul, Some(o), _) if o == 1.0 => return Ok(y),
                    (Binary::Mul | Binary::Div, _, Some(o)) if o == 1.0 => return Ok(x),
                    (Binary::Mul, Some(z), _) | (Binary::Mul, _, Some(z)) if z == 0.0 => {
                        return Ok(self.constant_id(0.0));
                    }
                    (Binary::Mul, Some(m), _) if m == -1.0 => {
                        return Ok(self.push(Op::Unary(Unary::Neg, y)));
                    }
                    (Binary::Mul, _, Some(m)) if m == -1.0 => {
                        return Ok(self.push(Op::Unary(Unary::Neg, x)));
                    }
                    (Binary::Min | Binary::Max, Some(v), _)
                    | (Binary::Min | Binary::Max, _, Some(v))
                        if v == f32::INFINITY =>
                    {
                        let other = if cx.is_some() { y } else { x };
                        return Ok(if b == Binary::Min {
                            other
                        } else {
                            self.constant_id(v)
                        });
                    }
                    (Binary::Min | Binary::Max, Some(v), _)
                    | (Binary::Min | Binary::Max, _, Some(v))
                        if v == f32::NEG_INFINITY =>
                    {
                        let other = if cx.is_some() { y } else { x };
                        return Ok(if b == Binary::Max {
                            other
                        } else {
                            self.constant_id(v)
                        });
                    }
                    _ => {}
                }
                // `x - (-y)` is `x + y` and `x + (-y)` is `x - y`: subtractions
                // write `-b` once and reuse it, which leaves these behind.
                match (b, self.ops[y as usize]) {
                    (Binary::Sub, Op::Unary(Unary::Neg, inner)) => {
                        return Ok(self.push(Op::Binary(Binary::Add, x, inner)));
                    }
                    (Binary::Add, Op::Unary(Unary::Neg, inner)) => {
                        return Ok(self.push(Op::Binary(Binary::Sub, x, inner)));
                    }
                    _ => {}
                }
                if x == y {
                    match b {
                        Binary::Min | Binary::Max => return Ok(x),
                        Binary::Sub => return Ok(self.constant_id(0.0)),
                        Binary::Mul => return Ok(self.push(Op::Unary(Unary::Square, x))),
                        _ => {}
                    }
                }
                if b.commutes() && x > y {
                    Err(Op::Binary(b, y, x))
                } else {
                    Err(op)
                }
            }
            Op::Select(c, t, f) => {
                if t == f {
                    return Ok(t);
                }
                if self.tracking.is_some() {
                    return Err(op);
                }
                match self.constant(c) {
                    Some(v) if v != 0.0 => Ok(t),
                    Some(_) => Ok(f),
                    None => Err(op),
                }
            }
            Op::Input(_) | Op::Const(_) => Err(op),
        }
    }

    /// Evaluates the sub-graph rooted at `id` at one point with the reference
    /// (libm) operations. Slow: for tests and one-off values.
    pub fn eval_point(&self, id: Id, p: [f32; 3]) -> f32 {
        let mut values = vec![0.0f32; id as usize + 1];
        for (i, op) in self.ops[..=id as usize].iter().enumerate() {
            let v = |j: Id| values[j as usize];
            values[i] = match *op {
                Op::Input(Axis::X) => p[0],
                Op::Input(Axis::Y) => p[1],
                Op::Input(Axis::Z) => p[2],
                Op::Const(bits) => f32::from_bits(bits),
                Op::Unary(u, a) => u.apply(v(a)),
                Op::Binary(b, a, c) => b.apply(v(a), v(c)),
                Op::Select(c, a, b) => {
                    if v(c) != 0.0 {
                        v(a)
                    } else {
                        v(b)
                    }
                }
            };
        }
        values[id as usize]
    }
}

/// Builds a [`Graph`] through [`E`]/[`V2`]/[`V3`] handles.
///
/// Interior mutability lets handles be `Copy` and overload `+`, `*`…; a builder
/// lives on one thread for one compile.
#[derive(Default)]
pub struct Builder {
    graph: RefCell<Graph>,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder that records where every constant came from, for the shader
    /// back ends' dynamic parameters: constants are not shared between uses,
    /// each is tagged with the owner set by [`set_owner`](Self::set_owner), and
    /// no simplification depends on a constant's value (other than folding
    /// operations whose operands are all constants), so the graph's shape does
    /// not change when a parameter does.
    pub fn tracking() -> Self {
        let graph = Graph {
            tracking: Some(Tracking::default()),
            ..Graph::default()
        };
        Self {
            graph: RefCell::new(graph),
        }
    }

    /// Sets the owner tag recorded with constants from now on; returns the
    /// previous one. A no-op (returning 0) on a non-tracking builder.
    pub fn set_owner(&self, owner: u32) -> u32 {
        match &mut self.graph.borrow_mut().tracking {
            Some(t) => std::mem::replace(&mut t.owner, owner),
            None => 0,
        }
    }

    fn push(&self, op: Op) -> E<'_> {
        let id = self.graph.borrow_mut().push(op);
        E { b: self, id }
    }

    /// Wraps an existing id of this builder's graph.
    pub fn wrap(&self, id: Id) -> E<'_> {
        E { b: self, id }
    }

    /// The x coordinate.
    pub fn x(&self) -> E<'_> {
        self.push(Op::Input(Axis::X))
    }
    /// The y coordinate.
    pub fn y(&self) -> E<'_> {
        self.push(Op::Input(Axis::Y))
    }
    /// The z coordinate.
    pub fn z(&self) -> E<'_> {
        self.push(Op::Input(Axis::Z))
    }

    /// The evaluated point.
    pub fn point(&self) -> V3<'_> {
        V3::new(self.x(), self.y(), self.z())
    }

    /// A constant.
    pub fn c(&self, v: f32) -> E<'_> {
        let id = self.graph.borrow_mut().constant_id(v);
        E { b: self, id }
    }

    /// A constant 2-vector.
    pub fn v2(&self, v: [f32; 2]) -> V2<'_> {
        V2::new(self.c(v[0]), self.c(v[1]))
    }

    /// A constant 3-vector.
    pub fn v3(&self, v: [f32; 3]) -> V3<'_> {
        V3::new(self.c(v[0]), self.c(v[1]), self.c(v[2]))
    }

    /// Number of operations so far (used to enforce size limits while lowering).
    pub fn len(&self) -> usize {
        self.graph.borrow().len()
    }

    /// Whether nothing was built yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends building; `root` (an [`E::id`]) is the distance.
    pub fn finish(self, root: Id) -> Graph {
        let mut g = self.graph.into_inner();
        g.root = root;
        g
    }
}

/// A scalar expression handle. Cheap to copy; arithmetic builds graph ops.
#[derive(Clone, Copy)]
pub struct E<'a> {
    b: &'a Builder,
    id: Id,
}

impl std::fmt::Debug for E<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "E({})", self.id)
    }
}

/// Anything usable as a scalar operand: an [`E`] or an `f32` constant.
pub trait IntoE<'a> {
    /// Converts into a handle of builder `b`.
    fn into_e(self, b: &'a Builder) -> E<'a>;
}
impl<'a> IntoE<'a> for E<'a> {
    fn into_e(self, _: &'a Builder) -> E<'a> {
        self
    }
}
impl<'a> IntoE<'a> for f32 {
    fn into_e(self, b: &'a Builder) -> E<'a> {
        b.c(self)
    }
}

impl<'a> E<'a> {
    /// The op id.
    pub fn id(self) -> Id {
        self.id
    }
    /// The builder this handle belongs to.
    pub fn builder(self) -> &'a Builder {
        self.b
    }
    /// The constant value, if this is a constant.
    pub fn constant(self) -> Option<f32> {
        self.b.graph.borrow().constant(self.id)
    }
    fn un(self, u: Unary) -> Self {
        self.b.push(Op::Unary(u, self.id))
    }
    fn bin(self, op: Binary, o: impl IntoE<'a>) -> Self {
        let o = o.into_e(self.b);
        self.b.push(Op::Binary(op, self.id, o.id))
    }
    /// `|self|`
    pub fn abs(self) -> Self {
        self.un(Unary::Abs)
    }
    /// `sqrt(self)` (0 for negative operands)
    pub fn sqrt(self) -> Self {
        self.un(Unary::Sqrt)
    }
    /// `self²`
    pub fn square(self) -> Self {
        self.un(Unary::Square)
    }
    /// `1/self`
    pub fn recip(self) -> Self {
        self.un(Unary::Recip)
    }
    /// `sin(self)`
    pub fn sin(self) -> Self {
        self.un(Unary::Sin)
    }
    /// `cos(self)`
    pub fn cos(self) -> Self {
        self.un(Unary::Cos)
    }
    /// `tan(self)`
    pub fn tan(self) -> Self {
        self.un(Unary::Tan)
    }
    /// `asin(clamp(self, -1, 1))`
    pub fn asin(self) -> Self {
        self.un(Unary::Asin)
    }
    /// `acos(clamp(self, -1, 1))`
    pub fn acos(self) -> Self {
        self.un(Unary::Acos)
    }
    /// `atan(self)`
    pub fn atan(self) -> Self {
        self.un(Unary::Atan)
    }
    /// `e^self`
    pub fn exp(self) -> Self {
        self.un(Unary::Exp)
    }
    /// `ln(self)`
    pub fn ln(self) -> Self {
        self.un(Unary::Ln)
    }
    /// `floor(self)`
    pub fn floor(self) -> Self {
        self.un(Unary::Floor)
    }
    /// `ceil(self)`
    pub fn ceil(self) -> Self {
        self.un(Unary::Ceil)
    }
    /// Nearest integer, halves rounded up (`floor(self + 0.5)`), the same on every target.
    pub fn round(self) -> Self {
        (self + 0.5).floor()
    }
    /// `self - floor(self)`
    pub fn fract(self) -> Self {
        self - self.floor()
    }
    /// -1, 0 or 1
    pub fn sign(self) -> Self {
        self.un(Unary::Sign)
    }
    /// `min(self, o)`
    pub fn min(self, o: impl IntoE<'a>) -> Self {
        self.bin(Binary::Min, o)
    }
    /// `max(self, o)`
    pub fn max(self, o: impl IntoE<'a>) -> Self {
        self.bin(Binary::Max, o)
    }
    /// `min(max(self, lo), hi)`
    pub fn clamp(self, lo: impl IntoE<'a>, hi: impl IntoE<'a>) -> Self {
        self.max(lo).min(hi)
    }
    /// `atan2(self, x)`: the angle of `(x, self)`.
    pub fn atan2(self, x: impl IntoE<'a>) -> Self {
        self.bin(Binary::Atan2, x)
    }
    /// GLSL `mod(self, m)`: result in `[0, m)` for positive `m`.
    pub fn modulo(self, m: impl IntoE<'a>) -> Self {
        self.bin(Binary::Mod, m)
    }
    /// `1` when `self < o`, else `0`.
    pub fn lt(self, o: impl IntoE<'a>) -> Self {
        self.bin(Binary::Lt, o)
    }
    /// `1` when `self > o`, else `0`.
    pub fn gt(self, o: impl IntoE<'a>) -> Self {
        o.into_e(self.b).lt(self)
    }
    /// `1` when `self <= o`, else `0`.
    pub fn le(self, o: impl IntoE<'a>) -> Self {
        1.0 - self.gt(o)
    }
    /// `1` when `self >= o`, else `0`.
    pub fn ge(self, o: impl IntoE<'a>) -> Self {
        1.0 - self.lt(o)
    }
    /// `self != 0 ? t : f`: branch-free `if` for conditions built with `lt`/`gt`.
    pub fn select(self, t: impl IntoE<'a>, f: impl IntoE<'a>) -> Self {
        let (t, f) = (t.into_e(self.b), f.into_e(self.b));
        self.b.push(Op::Select(self.id, t.id, f.id))
    }
    /// GLSL `mix(self, o, t)` = `self + (o - self) * t`
    pub fn mix(self, o: impl IntoE<'a>, t: impl IntoE<'a>) -> Self {
        let o = o.into_e(self.b);
        self + (o - self) * t.into_e(self.b)
    }
    /// `self^e` for `self >= 0` (as `exp(e ln self)`; `0^e = 0` for `e > 0`).
    pub fn powf(self, e: impl IntoE<'a>) -> Self {
        (self.ln() * e.into_e(self.b)).exp()
    }
}

macro_rules! scalar_ops {
    ($($tr:ident $f:ident $bin:ident),*) => {$(
        impl<'a> $tr<E<'a>> for E<'a> {
            type Output = E<'a>;
            fn $f(self, o: E<'a>) -> E<'a> { self.bin(Binary::$bin, o) }
        }
        impl<'a> $tr<f32> for E<'a> {
            type Output = E<'a>;
            fn $f(self, o: f32) -> E<'a> { self.bin(Binary::$bin, o) }
        }
        impl<'a> $tr<E<'a>> for f32 {
            type Output = E<'a>;
            fn $f(self, o: E<'a>) -> E<'a> { o.b.c(self).bin(Binary::$bin, o) }
        }
    )*};
}
scalar_ops!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div);

impl<'a> Neg for E<'a> {
    type Output = E<'a>;
    fn neg(self) -> E<'a> {
        self.un(Unary::Neg)
    }
}

/// A 2-vector of expressions.
#[derive(Clone, Copy, Debug)]
pub struct V2<'a> {
    /// First component.
    pub x: E<'a>,
    /// Second component.
    pub y: E<'a>,
}

/// A 3-vector of expressions.
#[derive(Clone, Copy, Debug)]
pub struct V3<'a> {
    /// First component.
    pub x: E<'a>,
    /// Second component.
    pub y: E<'a>,
    /// Third component.
    pub z: E<'a>,
}

impl<'a> V2<'a> {
    /// A vector from components.
    pub fn new(x: E<'a>, y: E<'a>) -> Self {
        Self { x, y }
    }
    /// The builder the components belong to (for constants: `v.builder().c(1.0)`).
    pub fn builder(self) -> &'a Builder {
        self.x.b
    }
    /// Applies `f` to each component.
    pub fn map(self, f: impl Fn(E<'a>) -> E<'a>) -> Self {
        Self::new(f(self.x), f(self.y))
    }
    /// Component-wise `|v|`.
    pub fn abs(self) -> Self {
        self.map(E::abs)
    }
    /// Dot product.
    pub fn dot(self, o: V2<'a>) -> E<'a> {
        self.x * o.x + self.y * o.y
    }
    /// `dot(self, self)`
    pub fn length_squared(self) -> E<'a> {
        self.x.square() + self.y.square()
    }
    /// Euclidean length.
    pub fn length(self) -> E<'a> {
        self.length_squared().sqrt()
    }
    /// Component-wise max with a scalar.
    pub fn max_s(self, s: impl IntoE<'a> + Copy) -> Self {
        self.map(|c| c.max(s))
    }
    /// Component-wise min with a scalar.
    pub fn min_s(self, s: impl IntoE<'a> + Copy) -> Self {
        self.map(|c| c.min(s))
    }
    /// Component-wise max.
    pub fn max(self, o: V2<'a>) -> Self {
        Self::new(self.x.max(o.x), self.y.max(o.y))
    }
    /// Component-wise min.
    pub fn min(self, o: V2<'a>) -> Self {
        Self::new(self.x.min(o.x), self.y.min(o.y))
    }
    /// Largest component.
    pub fn max_element(self) -> E<'a> {
        self.x.max(self.y)
    }
    /// Smallest component.
    pub fn min_element(self) -> E<'a> {
        self.x.min(self.y)
    }
    /// 2-D cross product `x1*y2 - y1*x2`.
    pub fn cross(self, o: V2<'a>) -> E<'a> {
        self.x * o.y - self.y * o.x
    }
    /// Component-wise select: `c != 0 ? self : o`.
    pub fn select(c: E<'a>, t: V2<'a>, f: V2<'a>) -> Self {
        Self::new(c.select(t.x, f.x), c.select(t.y, f.y))
    }
}

impl<'a> V3<'a> {
    /// A vector from components.
    pub fn new(x: E<'a>, y: E<'a>, z: E<'a>) -> Self {
        Self { x, y, z }
    }
    /// The builder the components belong to (for constants: `p.builder().c(1.0)`).
    pub fn builder(self) -> &'a Builder {
        self.x.b
    }
    /// Applies `f` to each component.
    pub fn map(self, f: impl Fn(E<'a>) -> E<'a>) -> Self {
        Self::new(f(self.x), f(self.y), f(self.z))
    }
    /// Component-wise `|v|`.
    pub fn abs(self) -> Self {
        self.map(E::abs)
    }
    /// Dot product.
    pub fn dot(self, o: V3<'a>) -> E<'a> {
        self.x * o.x + self.y * o.y + self.z * o.z
    }
    /// Cross product.
    pub fn cross(self, o: V3<'a>) -> Self {
        Self::new(
            self.y * o.z - self.z * o.y,
            self.z * o.x - self.x * o.z,
            self.x * o.y - self.y * o.x,
        )
    }
    /// `dot(self, self)`
    pub fn length_squared(self) -> E<'a> {
        self.x.square() + self.y.square() + self.z.square()
    }
    /// Euclidean length.
    pub fn length(self) -> E<'a> {
        self.length_squared().sqrt()
    }
    /// Component-wise max with a scalar.
    pub fn max_s(self, s: impl IntoE<'a> + Copy) -> Self {
        self.map(|c| c.max(s))
    }
    /// Component-wise min with a scalar.
    pub fn min_s(self, s: impl IntoE<'a> + Copy) -> Self {
        self.map(|c| c.min(s))
    }
    /// Component-wise max.
    pub fn max(self, o: V3<'a>) -> Self {
        Self::new(self.x.max(o.x), self.y.max(o.y), self.z.max(o.z))
    }
    /// Component-wise min.
    pub fn min(self, o: V3<'a>) -> Self {
        Self::new(self.x.min(o.x), self.y.min(o.y), self.z.min(o.z))
    }
    /// Component-wise clamp.
    pub fn clamp(self, lo: V3<'a>, hi: V3<'a>) -> Self {
        self.max(lo).min(hi)
    }
    /// Largest component.
    pub fn max_element(self) -> E<'a> {
        self.x.max(self.y).max(self.z)
    }
    /// Smallest component.
    pub fn min_element(self) -> E<'a> {
        self.x.min(self.y).min(self.z)
    }
    /// `(x, y)`
    pub fn xy(self) -> V2<'a> {
        V2::new(self.x, self.y)
    }
    /// `(x, z)`
    pub fn xz(self) -> V2<'a> {
        V2::new(self.x, self.z)
    }
    /// `(y, z)`
    pub fn yz(self) -> V2<'a> {
        V2::new(self.y, self.z)
    }
    /// Component-wise select: `c != 0 ? t : f`.
    pub fn select(c: E<'a>, t: V3<'a>, f: V3<'a>) -> Self {
        Self::new(c.select(t.x, f.x), c.select(t.y, f.y), c.select(t.z, f.z))
    }
}

macro_rules! vector_ops {
    ($V:ident { $($c:ident),* }) => {
        impl<'a> Add for $V<'a> { type Output = Self; fn add(self, o: Self) -> Self { $V { $($c: self.$c + o.$c),* } } }
        impl<'a> Sub for $V<'a> { type Output = Self; fn sub(self, o: Self) -> Self { $V { $($c: self.$c - o.$c),* } } }
        impl<'a> Mul for $V<'a> { type Output = Self; fn mul(self, o: Self) -> Self { $V { $($c: self.$c * o.$c),* } } }
        impl<'a> Div for $V<'a> { type Output = Self; fn div(self, o: Self) -> Self { $V { $($c: self.$c / o.$c),* } } }
        impl<'a> Mul<E<'a>> for $V<'a> { type Output = Self; fn mul(self, o: E<'a>) -> Self { $V { $($c: self.$c * o),* } } }
        impl<'a> Mul<f32> for $V<'a> { type Output = Self; fn mul(self, o: f32) -> Self { $V { $($c: self.$c * o),* } } }
        impl<'a> Div<E<'a>> for $V<'a> { type Output = Self; fn div(self, o: E<'a>) -> Self { $V { $($c: self.$c / o),* } } }
        impl<'a> Div<f32> for $V<'a> { type Output = Self; fn div(self, o: f32) -> Self { $V { $($c: self.$c / o),* } } }
        impl<'a> Add<f32> for $V<'a> { type Output = Self; fn add(self, o: f32) -> Self { $V { $($c: self.$c + o),* } } }
        impl<'a> Sub<f32> for $V<'a> { type Output = Self; fn sub(self, o: f32) -> Self { $V { $($c: self.$c - o),* } } }
        impl<'a> Add<E<'a>> for $V<'a> { type Output = Self; fn add(self, o: E<'a>) -> Self { $V { $($c: self.$c + o),* } } }
        impl<'a> Sub<E<'a>> for $V<'a> { type Output = Self; fn sub(self, o: E<'a>) -> Self { $V { $($c: self.$c - o),* } } }
        impl<'a> Neg for $V<'a> { type Output = Self; fn neg(self) -> Self { $V { $($c: -self.$c),* } } }
    };
}
vector_ops!(V2 { x, y });
vector_ops!(V3 { x, y, z });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_subexpressions_are_interned_once() {
        let b = Builder::new();
        let p = b.point();
        let l1 = p.length();
        let l2 = p.length();
        assert_eq!(l1.id(), l2.id());
        let id = (l1 - l2).id();
        let g = b.finish(id);
        assert_eq!(g.constant(g.root()), Some(0.0));
    }

    #[test]
    fn constants_fold_and_identities_vanish() {
        let b = Builder::new();
        let x = b.x();
        let two = b.c(1.0) + 1.0;
        assert_eq!(two.constant(), Some(2.0));
        assert_eq!((x * 1.0).id(), x.id());
        assert_eq!((x + 0.0).id(), x.id());
        assert_eq!((x * 0.0).constant(), Some(0.0));
        assert_eq!((-(-x)).id(), x.id());
        assert_eq!(x.min(x).id(), x.id());
        assert_eq!(x.min(b.y()).id(), b.y().min(x).id());
    }

    #[test]
    fn select_and_compare() {
        let b = Builder::new();
        let x = b.x();
        let e = x.lt(0.0).select(-1.0, 1.0);
        let id = e.id();
        let g = b.finish(id);
        assert_eq!(g.eval_point(g.root(), [-2.0, 0.0, 0.0]), -1.0);
        assert_eq!(g.eval_point(g.root(), [2.0, 0.0, 0.0]), 1.0);
    }
}
