//! `compute_eval` kernels: the WGSL module a [`Gpu`](super::Gpu) runs, and the
//! interface every kernel shares (documented on [`Kernel`]).
//!
//! Kernels come from the shader transpiler ([`Kernel::for_compiled`], the
//! `compute_eval` shape of `crate::shader`), so the GPU runs the same WGSL a
//! user can download, or are written by hand for tests
//! ([`Kernel::from_sdf_body`]).
#![warn(missing_docs)]

use crate::sdf::compile::Compiled;

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

impl Kernel {
    /// The kernel that evaluates `compiled`: the shader transpiler's
    /// `compute_eval` module, constants baked in.
    pub fn for_compiled(compiled: &Compiled) -> Kernel {
        let (wgsl, params) = crate::shader::compute_eval_wgsl(compiled);
        Kernel { wgsl, params }
    }

    /// A kernel whose `sdf` is `body` (WGSL statements ending in a `return`),
    /// with the standard bindings and entry points, and `params` as parameters.
    /// Tests use it for hand-written kernels.
    pub fn from_sdf_body(body: &str, params: Vec<f32>) -> Kernel {
        let sdf = format!("fn sdf(p: vec3<f32>) -> f32 {{\n{body}\n}}\n");
        let wgsl = crate::shader::wgsl::module_around(
            &sdf,
            params.len(),
            crate::shader::Kind::ComputeEval,
            "hand-written kernel",
        );
        Kernel { wgsl, params }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdf::compile::compile;
    use crate::sdf::validate::Limits;

    #[test]
    fn compiled_kernel_has_the_interface() {
        let c = compile(
            &serde_json::json!({"Sphere": {"radius": 1.0}}),
            &Limits::default(),
        )
        .unwrap();
        let k = Kernel::for_compiled(&c);
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
        assert_eq!(k.params, [0.0; 4]);
    }

    #[test]
    fn the_parameter_array_holds_every_parameter() {
        let k = Kernel::from_sdf_body("    return params.v[0][1];", vec![1.0, f32::INFINITY]);
        assert!(k.wgsl.contains("array<vec4<f32>, 1>"));
        let k = Kernel::from_sdf_body("    return 0.0;", vec![0.0; 5]);
        assert!(k.wgsl.contains("array<vec4<f32>, 2>"));
    }
}
