//! Shader generation: the 1000-node tree of the compile benchmark and the ALICE
//! demo tree, to WGSL (constants baked in and with dynamic parameters) and
//! through naga to the other targets (issue target: < 10 ms for WGSL at 1000
//! nodes).

use ai_modeler::sdf::compile::compile;
use ai_modeler::sdf::validate::Limits;
use ai_modeler::shader::{self, Kind};
use criterion::{Criterion, criterion_group, criterion_main};

mod common;
use common::thousand_node_tree;

fn bench_shader(c: &mut Criterion) {
    let limits = Limits::default();
    let big = compile(&thousand_node_tree(), &limits).expect("bench tree compiles");
    let demo_text = include_str!("../tests/data/alice-demo.asdf.json");
    let demo = compile(&serde_json::from_str(demo_text).unwrap(), &limits).unwrap();
    let mut group = c.benchmark_group("shader");
    group.sample_size(20);
    for (name, compiled) in [("1000_nodes", &big), ("demo", &demo)] {
        group.bench_function(format!("{name}/wgsl_text_only"), |b| {
            b.iter(|| shader::wgsl_module(compiled, Kind::SdfFunction, false, limits.max_ops))
        });
        for (target, kind, dynamic) in [
            ("wgsl", Kind::SdfFunction, false),
            ("wgsl", Kind::SdfFunction, true),
            ("glsl-es", Kind::FragmentRaymarch, true),
            ("hlsl", Kind::SdfFunction, false),
            ("msl", Kind::SdfFunction, false),
            ("spirv", Kind::ComputeEval, false),
        ] {
            let label = format!(
                "{name}/{target}/{}/{}",
                kind.name(),
                if dynamic { "dynamic" } else { "baked" }
            );
            group.bench_function(label, |b| {
                b.iter(|| {
                    shader::generate(compiled, target, kind, dynamic, limits.max_ops).unwrap()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_shader);
criterion_main!(benches);
