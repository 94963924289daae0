//! Compile-time benchmark: a 1000-node tree through validation, canonical
//! hashing and lowering (issue target: < 5 ms).

use ai_modeler::sdf::compile::compile;
use ai_modeler::sdf::validate::Limits;
use criterion::{Criterion, criterion_group, criterion_main};

mod common;
use common::thousand_node_tree;

fn bench_compile(c: &mut Criterion) {
    let tree = thousand_node_tree();
    let limits = Limits::default();
    let compiled = compile(&tree, &limits).expect("bench tree compiles");
    assert_eq!(compiled.node_count, 1000);
    c.bench_function("compile_1000_nodes", |b| {
        b.iter(|| compile(&tree, &limits).expect("compiles"))
    });
}

criterion_group!(benches, bench_compile);
criterion_main!(benches);
