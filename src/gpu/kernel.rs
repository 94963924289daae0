//! `compute_eval` kernels: the WGSL module a [`Gpu`](super::Gpu) runs, and the
//! interface every kernel shares (documented on [`Kernel`]).
//!
//! [`Kernel::from_tape`] writes the register tape the CPU evaluators run as
//! straight-line WGSL: one `var` per register, one assignment per instruction,
//! each with the semantics of [`Tape::eval_point`] (floored `mod`, `sqrt` of a
//! clamped argument, `asin`/`acos` clamped to [-1, 1], `lt` as 0/1, `select` on
//! non-zero). Finite constants are written exactly (`bitcast` of their bits);
//! non-finite ones, which WGSL literals cannot express, go to the parameter
//! buffer. Because it translates the very tape the CPU runs (after constant
//! folding and common sub-tree elimination), its results agree with the CPU to
//! float rounding and the GPU's transcendental precision.
//!
//! The tree-level transpiler (`crate::shader`, with dynamic parameters) writes
//! kernels with the same interface; the GPU code does not care which produced one.
#![warn(missing_docs)]

use std::fmt::Write as _;

use crate::sdf::tape::{Opcode, Tape};

/// A `compute_eval` WGSL module and the values of its parameter buffer.
///
/// The interface (shared with `crate::shader`):
/// ```text
/// struct Params { v: array<vec4<f32>, N> }     // N >= 1; parameter k is v[k/4][k%4]
/// @group(0) @binding(0) var<uniform> params: Params;
/// struct Job { origin: vec4<f32>, step: vec4<f32>, dims: vec4<u32> }
/// @group(0) @binding(1) var<uniform> job: Job;
/// @group(0) @binding(2) var<storage, read> points: array<f32>;        // eval_points only
/// @group(0) @binding(3) var<storage, read_write> distances: array<f32>;
/// @compute @workgroup_size(64)      fn eval_points(gid, num_workgroups)  // dims.w points
/// @compute @workgroup_size(4, 4, 4) fn eval_grid(gid)   // dims.xyz samples, origin + gid * step
/// ```
/// `eval_points` reads point `i = gid.x + gid.y * nwg.x * 64`, so a dispatch may
/// spread over two dimensions when one is not enough.
#[derive(Clone, Debug, PartialEq)]
pub struct Kernel {
    /// The WGSL source.
    pub wgsl: String,
    /// Parameter values; the buffer is `params` padded with zeros to `16·N` bytes.
    pub params: Vec<f32>,
}

/// Everything after `fn sdf`: the bindings' users, identical for every kernel.
const ENTRY_POINTS: &str = r"
@compute @workgroup_size(64)
fn eval_points(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 64u;
    if (i >= job.dims.w) { return; }
    distances[i] = sdf(vec3<f32>(points[3u * i], points[3u * i + 1u], points[3u * i + 2u]));
}

@compute @workgroup_size(4, 4, 4)
fn eval_grid(@builtin(global_invocation_id) gid: vec3<u32>) {
    if (any(gid >= job.dims.xyz)) { return; }
    let p = job.origin.xyz + vec3<f32>(gid) * job.step.xyz;
    distances[gid.x + job.dims.x * (gid.y + job.dims.y * gid.z)] = sdf(p);
}
";

impl Kernel {
    /// A kernel whose `sdf` is `body` (WGSL statements ending in a `return`),
    /// with the standard bindings and entry points, and `params` as parameters.
    /// Tests use it for hand-written kernels.
    pub fn from_sdf_body(body: &str, params: Vec<f32>) -> Kernel {
        let n = params.len().div_ceil(4).max(1);
        let mut wgsl = header(n);
        wgsl.push_str("fn sdf(p: vec3<f32>) -> f32 {\n");
        wgsl.push_str(body);
        wgsl.push_str("\n}\n");
        wgsl.push_str(ENTRY_POINTS);
        Kernel { wgsl, params }
    }

    /// The kernel that evaluates `tape` (see the module doc).
    pub fn from_tape(tape: &Tape) -> Kernel {
        let mut params = Vec::new();
        let mut body = String::with_capacity(64 * tape.len() + 256);
        for r in 0..tape.reg_count().max(1) {
            let _ = writeln!(body, "    var r{r}: f32 = 0.0;");
        }
        for inst in tape.insts() {
            let (a, b, c) = (
                format!("r{}", inst.a),
                format!("r{}", inst.b),
                format!("r{}", inst.c),
            );
            let imm = if inst.imm.is_finite() {
                format!("bitcast<f32>({:#010x}u)", inst.imm.to_bits())
            } else {
                let k = params.len();
                params.push(inst.imm);
                format!("params.v[{}][{}]", k / 4, k % 4)
            };
            use Opcode::*;
            let expr = match inst.op {
                X => "p.x".to_string(),
                Y => "p.y".to_string(),
                Z => "p.z".to_string(),
                Const => imm,
                Copy => a,
                Neg => format!("-{a}"),
                Abs => format!("abs({a})"),
                Sqrt => format!("sqrt(max({a}, 0.0))"),
                Square => format!("{a} * {a}"),
                Recip => format!("1.0 / {a}"),
                Sin => format!("sin({a})"),
                Cos => format!("cos({a})"),
                Tan => format!("tan({a})"),
                Asin => format!("asin(clamp({a}, -1.0, 1.0))"),
                Acos => format!("acos(clamp({a}, -1.0, 1.0))"),
                Atan => format!("atan({a})"),
                Exp => format!("exp({a})"),
                Ln => format!("log({a})"),
                Floor => format!("floor({a})"),
                Ceil => format!("ceil({a})"),
                Sign => format!("sign({a})"),
                Add => format!("{a} + {b}"),
                Sub => format!("{a} - {b}"),
                Mul => format!("{a} * {b}"),
                Div => format!("{a} / {b}"),
                Min => format!("min({a}, {b})"),
                Max => format!("max({a}, {b})"),
                Atan2 => format!("atan2({a}, {b})"),
                Mod => format!("{a} - {b} * floor({a} / {b})"),
                Lt => format!("select(0.0, 1.0, {a} < {b})"),
                AddImm => format!("{a} + {imm}"),
                SubImm => format!("{a} - {imm}"),
                ImmSub => format!("{imm} - {a}"),
                MulImm => format!("{a} * {imm}"),
                DivImm => format!("{a} / {imm}"),
                ImmDiv => format!("{imm} / {a}"),
                MinImm => format!("min({a}, {imm})"),
                MaxImm => format!("max({a}, {imm})"),
                Select => format!("select({c}, {b}, {a} != 0.0)"),
            };
            let _ = writeln!(body, "    r{} = {expr};", inst.out);
        }
        let _ = write!(body, "    return r{};", tape.output());
        Kernel::from_sdf_body(&body, params)
    }
}

/// The bindings, with a parameter array of `n` vec4s.
fn header(n: usize) -> String {
    format!(
        "struct Params {{ v: array<vec4<f32>, {n}> }}\n\
         @group(0) @binding(0) var<uniform> params: Params;\n\
         struct Job {{ origin: vec4<f32>, step: vec4<f32>, dims: vec4<u32> }}\n\
         @group(0) @binding(1) var<uniform> job: Job;\n\
         @group(0) @binding(2) var<storage, read> points: array<f32>;\n\
         @group(0) @binding(3) var<storage, read_write> distances: array<f32>;\n\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdf::compile::compile;
    use crate::sdf::validate::Limits;

    #[test]
    fn tape_kernel_has_the_interface() {
        let c = compile(
            &serde_json::json!({"Sphere": {"radius": 1.0}}),
            &Limits::default(),
        )
        .unwrap();
        let k = Kernel::from_tape(&c.tape);
        for needle in [
            "var<uniform> params: Params",
            "@binding(1) var<uniform> job: Job",
            "@binding(2) var<storage, read> points",
            "@binding(3) var<storage, read_write> distances",
            "fn sdf(p: vec3<f32>) -> f32",
            "fn eval_points(",
            "fn eval_grid(",
        ] {
            assert!(k.wgsl.contains(needle), "missing {needle}:\n{}", k.wgsl);
        }
        assert!(k.params.is_empty());
    }

    #[test]
    fn non_finite_constants_go_to_params() {
        let k = Kernel::from_sdf_body("    return params.v[0][1];", vec![1.0, f32::INFINITY]);
        assert!(k.wgsl.contains("array<vec4<f32>, 1>"));
        let k = Kernel::from_sdf_body("    return 0.0;", vec![0.0; 5]);
        assert!(k.wgsl.contains("array<vec4<f32>, 2>"));
    }
}
