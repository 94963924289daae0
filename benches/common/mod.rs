//! Trees the benchmarks share.
#![allow(dead_code)]

use ai_modeler::sdf::compile::{Compiled, compile};
use ai_modeler::sdf::validate::Limits;
use serde_json::{Value, json};

/// The allocator the binary ships with (`src/main.rs`), so that benchmarks
/// measure what runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The ALICE-SDF demo tree (11 nodes), compiled with the default limits.
pub fn demo() -> Compiled {
    let text = include_str!("../../tests/data/alice-demo.asdf.json");
    compile(
        &serde_json::from_str(text).expect("demo JSON"),
        &Limits::default(),
    )
    .expect("demo")
}

/// Deterministic points in [-1.5, 1.5]³ (the demo's bounds and some air).
pub fn points(n: usize) -> Vec<[f32; 3]> {
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 40) as f32 / (1u64 << 24) as f32 * 3.0 - 1.5
    };
    (0..n).map(|_| [next(), next(), next()]).collect()
}

/// A 1000-node scene: 111 parts of 9 nodes in an n-ary union (1 + 111 * 9 = 1000).
pub fn thousand_node_tree() -> Value {
    let parts: Vec<Value> = (0..111)
        .map(|i| {
            let f = i as f32;
            json!({"Translate": {"offset": [f * 0.1, (f * 0.37).sin(), (f * 0.11).cos()], "child":
                {"Rotate": {"rotation": [0.0, (f * 0.2).sin() * 0.5, 0.0, 1.0], "child":
                    {"SmoothUnion": {"k": 0.05,
                        "a": {"Translate": {"offset": [0.0, -0.1, 0.0], "child": {"Sphere": {"radius": 0.2 + f * 0.001}}}},
                        "b": {"SmoothSubtraction": {"k": 0.02,
                            "a": {"Box3d": {"half_extents": [0.15, 0.3, 0.15]}},
                            "b": {"Translate": {"offset": [0.0, 0.1, 0.0], "child":
                                {"Cylinder": {"radius": 0.05, "half_height": 0.5}}}}}}}}}}}})
        })
        .collect();
    json!({"Union": {"children": parts}})
}
