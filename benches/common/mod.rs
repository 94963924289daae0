//! Trees the benchmarks share.
#![allow(dead_code)]

use serde_json::{Value, json};

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
