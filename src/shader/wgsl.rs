//! The one transpiler: an expression [`Graph`] becomes WGSL, in one of three
//! shapes ([`Kind`]). Every other language comes from this text through naga
//! (see [`super::targets`]), so there is one place where the meaning of each
//! graph operation on the GPU is decided.
//!
//! Each operation keeps the CPU evaluators' semantics: `sqrt` of a negative
//! rounding residue is 0, `asin`/`acos` clamp their operand (and are written
//! through `atan2`, which GPUs compute more accurately), `mod` is GLSL's
//! floored modulo, comparisons give 1.0 or 0.0. Constants are exact: written
//! as the shortest decimal that reads back to the same `f32`; the few that WGSL
//! cannot spell (infinities, NaN) are made at run time from a private zero.

use std::fmt::Write as _;

use crate::sdf::expr::{Axis, Binary, Graph, Id, Op, Unary};

use super::Kind;

/// Parameter slots: constant op → slot in the `params` uniform.
pub type Slots = std::collections::HashMap<Id, u32>;

/// Bind group 0 layout shared by every shape (documented in the README).
pub const PARAMS_BINDING: u32 = 0;
/// `fragment_raymarch`'s camera uniform.
pub const CAMERA_BINDING: u32 = 1;
/// `compute_eval`'s job uniform.
pub const JOB_BINDING: u32 = 1;
/// `compute_eval`'s packed input points.
pub const POINTS_BINDING: u32 = 2;
/// `compute_eval`'s output distances.
pub const DISTANCES_BINDING: u32 = 3;

/// A stage's entry point in the generated module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Function name.
    pub name: &'static str,
    /// `vertex`, `fragment` or `compute`.
    pub stage: Stage,
}

/// Pipeline stage of an entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Vertex shader.
    Vertex,
    /// Fragment shader.
    Fragment,
    /// Compute shader.
    Compute,
}

/// The entry points each shape defines. `sdf_function` has none of its own;
/// back ends that need one (GLSL, SPIR-V) get the `sdf_probe` fragment stage,
/// a one-liner that shows how to call `sdf`.
pub fn entry_points(kind: Kind) -> &'static [Entry] {
    match kind {
        Kind::SdfFunction => &[Entry {
            name: "sdf_probe",
            stage: Stage::Fragment,
        }],
        Kind::FragmentRaymarch => &[
            Entry {
                name: "vs_main",
                stage: Stage::Vertex,
            },
            Entry {
                name: "fs_main",
                stage: Stage::Fragment,
            },
        ],
        Kind::ComputeEval => &[
            Entry {
                name: "eval_points",
                stage: Stage::Compute,
            },
            Entry {
                name: "eval_grid",
                stage: Stage::Compute,
            },
        ],
    }
}

/// The whole WGSL module of shape `kind` for `graph`. `param_count` is the
/// number of dynamic parameters (`slots` maps constants to them); with none,
/// no parameter uniform is declared unless the shape always has one
/// (`compute_eval`, whose bind group layout is fixed: runners declare the
/// layout explicitly, since a layout derived from the module would leave out
/// a uniform it never reads).
pub fn module(
    graph: &Graph,
    slots: &Slots,
    param_count: usize,
    kind: Kind,
    header: &str,
) -> String {
    let mut sdf = String::with_capacity(64 * graph.len() + 256);
    sdf_function(&mut sdf, graph, slots);
    module_around(&sdf, param_count, kind, header)
}

/// The module of shape `kind` around an already written `fn sdf` (and what it
/// needs, such as private variables): the parameter uniform, then `sdf`, then
/// the shape's entry points. The GPU tests use it for hand-written kernels.
pub fn module_around(sdf: &str, param_count: usize, kind: Kind, header: &str) -> String {
    let mut out = String::with_capacity(sdf.len() + 4096);
    for line in header.lines() {
        let _ = writeln!(out, "// {line}");
    }
    let with_params = param_count > 0 || kind == Kind::ComputeEval;
    if with_params {
        let vec4s = param_count.div_ceil(4).max(1);
        let _ = write!(
            out,
            "\n// Dynamic parameters: parameter k is at byte offset 4k (v[k / 4][k % 4]).\n\
             struct Params {{ v: array<vec4<f32>, {vec4s}> }}\n\
             @group(0) @binding({PARAMS_BINDING}) var<uniform> params: Params;\n"
        );
    }
    out.push('\n');
    out.push_str(sdf);
    out.push_str(match kind {
        Kind::SdfFunction => SDF_PROBE,
        Kind::FragmentRaymarch => RAYMARCH,
        Kind::ComputeEval => COMPUTE_EVAL,
    });
    out
}

/// Writes `fn sdf(p: vec3<f32>) -> f32`: one `let` per live operation.
fn sdf_function(out: &mut String, graph: &Graph, slots: &Slots) {
    let ops = graph.ops();
    let root = graph.root();
    let mut live = vec![false; ops.len()];
    if !ops.is_empty() {
        live[root as usize] = true;
        for i in (0..=root as usize).rev() {
            if live[i] {
                for o in ops[i].operands() {
                    live[o as usize] = true;
                }
            }
        }
    }
    let needs_zero = ops.iter().enumerate().any(|(i, op)| {
        live[i] && matches!(op, Op::Const(bits) if !f32::from_bits(*bits).is_finite())
    });
    if needs_zero {
        // WGSL has no literal for these; a private variable is not folded.
        out.push_str("var<private> aim_zero: f32 = 0.0;\n\n");
    }
    let needs_mod = ops
        .iter()
        .enumerate()
        .any(|(i, op)| live[i] && matches!(op, Op::Binary(Binary::Mod, ..)));
    if needs_mod {
        out.push_str(AIM_MOD);
    }
    out.push_str("fn sdf(p: vec3<f32>) -> f32 {\n");
    if ops.is_empty() {
        out.push_str("    return 3.4028235e38f;\n}\n");
        return;
    }
    let operand = |id: Id| -> String {
        match ops[id as usize] {
            Op::Input(Axis::X) => "p.x".into(),
            Op::Input(Axis::Y) => "p.y".into(),
            Op::Input(Axis::Z) => "p.z".into(),
            Op::Const(bits) => match slots.get(&id) {
                Some(&slot) => param(slot),
                None => literal(f32::from_bits(bits)),
            },
            _ => format!("v{id}"),
        }
    };
    for (i, op) in ops.iter().enumerate() {
        if !live[i] || matches!(op, Op::Input(_) | Op::Const(_)) {
            continue;
        }
        let expr = match *op {
            Op::Unary(u, a) => unary(u, &operand(a)),
            Op::Binary(b, a, c) => binary(b, &operand(a), &operand(c)),
            Op::Select(c, a, b) => format!(
                "select({}, {}, {} != 0.0f)",
                operand(b),
                operand(a),
                operand(c)
            ),
            Op::Input(_) | Op::Const(_) => unreachable!("skipped above"),
        };
        let _ = writeln!(out, "    let v{i} = {expr};");
    }
    let _ = writeln!(out, "    return {};\n}}", operand(root));
}

fn param(slot: u32) -> String {
    let lane = ["x", "y", "z", "w"][(slot % 4) as usize];
    format!("params.v[{}].{lane}", slot / 4)
}

/// An `f32` literal that reads back bit-exactly (or a run-time expression for
/// the values WGSL cannot write).
pub fn literal(v: f32) -> String {
    if v.is_nan() {
        return "(aim_zero / aim_zero)".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "(1.0f / aim_zero)".into()
        } else {
            "(-1.0f / aim_zero)".into()
        };
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(v);
    if v < 0.0 {
        format!("({text}f)")
    } else {
        format!("{text}f")
    }
}

fn unary(u: Unary, a: &str) -> String {
    match u {
        Unary::Neg => format!("-({a})"),
        Unary::Abs => format!("abs({a})"),
        Unary::Sqrt => format!("sqrt(max({a}, 0.0f))"),
        Unary::Square => format!("({a} * {a})"),
        Unary::Recip => format!("(1.0f / {a})"),
        Unary::Sin => format!("sin({a})"),
        Unary::Cos => format!("cos({a})"),
        Unary::Tan => format!("tan({a})"),
        // Through atan2: GPU asin/acos are loose (Mesa's are off by 2e-4 near
        // 0.8), atan2 is accurate everywhere and gives the same clamped value.
        Unary::Asin => format!("atan2(clamp({a}, -1.0f, 1.0f), sqrt(max(1.0f - {a} * {a}, 0.0f)))"),
        Unary::Acos => format!("atan2(sqrt(max(1.0f - {a} * {a}, 0.0f)), clamp({a}, -1.0f, 1.0f))"),
        Unary::Atan => format!("atan({a})"),
        Unary::Exp => format!("exp({a})"),
        Unary::Ln => format!("log({a})"),
        Unary::Floor => format!("floor({a})"),
        Unary::Ceil => format!("ceil({a})"),
        Unary::Sign => format!("sign({a})"),
    }
}

fn binary(b: Binary, a: &str, c: &str) -> String {
    match b {
        Binary::Add => format!("({a} + {c})"),
        Binary::Sub => format!("({a} - {c})"),
        Binary::Mul => format!("({a} * {c})"),
        Binary::Div => format!("({a} / {c})"),
        Binary::Min => format!("min({a}, {c})"),
        Binary::Max => format!("max({a}, {c})"),
        Binary::Atan2 => format!("atan2({a}, {c})"),
        Binary::Mod => format!("aim_mod({a}, {c})"),
        Binary::Lt => format!("select(0.0f, 1.0f, {a} < {c})"),
    }
}

/// `a - c floor(a / c)`, as the CPU computes it, brought back into `[0, c)`
/// (`(c, 0]` for a negative `c`) when it lands outside: WGSL lets `a / c` be
/// 2.5 ULP off, so `floor` can fall on the other side of a wrap (on an H200,
/// `a == c` gave `a` instead of 0).
const AIM_MOD: &str = "fn aim_mod(a: f32, c: f32) -> f32 {
    let m = a - c * floor(a / c);
    return select(select(m, m + c, m * c < 0.0f), m - c, abs(m) >= abs(c));
}

";

const SDF_PROBE: &str = r#"
// Example use (GLSL and SPIR-V need an entry point; drop it when pasting):
// the distance at the fragment's window position.
@fragment
fn sdf_probe(@builtin(position) frag: vec4<f32>) -> @location(0) vec4<f32> {
    return vec4<f32>(sdf(frag.xyz));
}
"#;

const RAYMARCH: &str = r#"
// Camera uniform (binding 1), 112 bytes:
//   inv_view_proj  mat4x4<f32>  offset 0   clip space -> world (column-major)
//   viewport       vec4<f32>    offset 64  xy: target size in pixels; z: max ray
//                                          length; w: hit threshold (e.g. 1e-3)
//   light          vec4<f32>    offset 80  xyz: direction towards the light
//   background     vec4<f32>    offset 96  colour of pixels whose ray misses
struct Camera {
    inv_view_proj: mat4x4<f32>,
    viewport: vec4<f32>,
    light: vec4<f32>,
    background: vec4<f32>,
}
@group(0) @binding(1) var<uniform> camera: Camera;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
}

// One triangle that covers the screen; draw 3 vertices, no buffers.
@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOut {
    let x = f32((index << 1u) & 2u) * 2.0 - 1.0;
    let y = f32(index & 2u) * 2.0 - 1.0;
    return VertexOut(vec4<f32>(x, y, 0.0, 1.0));
}

fn sdf_normal(p: vec3<f32>, h: f32) -> vec3<f32> {
    // Tetrahedral gradient: four evaluations.
    let k = vec2<f32>(1.0, -1.0);
    return normalize(
        k.xyy * sdf(p + k.xyy * h) + k.yyx * sdf(p + k.yyx * h) +
        k.yxy * sdf(p + k.yxy * h) + k.xxx * sdf(p + k.xxx * h));
}

@fragment
fn fs_main(@builtin(position) frag: vec4<f32>) -> @location(0) vec4<f32> {
    let ndc = vec2<f32>(frag.x / camera.viewport.x * 2.0 - 1.0,
                        1.0 - frag.y / camera.viewport.y * 2.0);
    let near = camera.inv_view_proj * vec4<f32>(ndc, 0.0, 1.0);
    let far = camera.inv_view_proj * vec4<f32>(ndc, 1.0, 1.0);
    let origin = near.xyz / near.w;
    let dir = normalize(far.xyz / far.w - origin);
    let max_t = camera.viewport.z;
    let eps = camera.viewport.w;
    var t = 0.0;
    var hit = false;
    for (var i = 0u; i < 512u; i = i + 1u) {
        let d = sdf(origin + dir * t);
        if (d < eps) {
            hit = true;
            break;
        }
        t = t + d;
        if (t > max_t) {
            break;
        }
    }
    if (!hit) {
        return camera.background;
    }
    let p = origin + dir * t;
    let n = sdf_normal(p, max(eps, 1e-4));
    let l = normalize(camera.light.xyz);
    let diffuse = max(dot(n, l), 0.0);
    let sky = 0.5 + 0.5 * n.y;
    let base = vec3<f32>(0.80, 0.78, 0.74);
    let colour = base * (0.15 * sky + 0.85 * diffuse) + vec3<f32>(0.04);
    return vec4<f32>(pow(colour, vec3<f32>(1.0 / 2.2)), 1.0);
}
"#;

const COMPUTE_EVAL: &str = r#"
// Job uniform (binding 1), 48 bytes:
//   origin  vec4<f32>  offset 0   eval_grid: xyz of sample (0, 0, 0)
//   step    vec4<f32>  offset 16  eval_grid: xyz spacing between samples
//   dims    vec4<u32>  offset 32  eval_grid: xyz sample counts; eval_points: w = point count
struct Job {
    origin: vec4<f32>,
    step: vec4<f32>,
    dims: vec4<u32>,
}
@group(0) @binding(1) var<uniform> job: Job;
// x0, y0, z0, x1, y1, z1, ... (eval_points only)
@group(0) @binding(2) var<storage, read> points: array<f32>;
@group(0) @binding(3) var<storage, read_write> distances: array<f32>;

// One point per invocation; dispatch ceil(n / 64) groups, spread over y when
// that exceeds the per-dimension limit.
@compute @workgroup_size(64)
fn eval_points(@builtin(global_invocation_id) gid: vec3<u32>,
               @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if (i >= job.dims.w) {
        return;
    }
    let p_in = vec3<f32>(points[3u * i], points[3u * i + 1u], points[3u * i + 2u]);
    distances[i] = sdf(p_in);
}

// One grid sample per invocation, x fastest in the output.
@compute @workgroup_size(4, 4, 4)
fn eval_grid(@builtin(global_invocation_id) gid: vec3<u32>) {
    if (any(gid >= job.dims.xyz)) {
        return;
    }
    let p_in = job.origin.xyz + vec3<f32>(gid) * job.step.xyz;
    distances[gid.x + job.dims.x * (gid.y + job.dims.y * gid.z)] = sdf(p_in);
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_read_back_exactly() {
        for v in [
            0.0f32,
            1.0,
            -2.5,
            0.1,
            1e-7,
            3.402_823_5e38,
            -1.175_494_4e-38,
        ] {
            let text = literal(v);
            let digits = text
                .trim_matches(|c| c == '(' || c == ')')
                .trim_end_matches('f');
            assert_eq!(
                digits.parse::<f32>().unwrap().to_bits(),
                v.to_bits(),
                "{text}"
            );
        }
        assert!(literal(f32::INFINITY).contains("aim_zero"));
    }
}
