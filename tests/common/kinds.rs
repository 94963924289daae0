//! Random instances of node kinds, drawn from each field's catalog rule: the
//! conformance tests of the CPU evaluators and of the shaders share them.

use ai_modeler::sdf::catalog::{FieldType, KindInfo, Rule};
use serde_json::{Map, Value, json};

/// A small xorshift generator: fixed seeds, reproducible failures.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn f(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.f()
    }
}

pub fn number(rng: &mut Rng, rule: Rule, default: f32) -> f32 {
    match rule {
        Rule::Positive => default.abs().max(0.05) * rng.range(0.5, 1.5),
        Rule::NonNegative => default.abs() * rng.range(0.0, 1.5),
        Rule::AtLeast(n) => (n + rng.range(0.0, 4.0)).round(),
        Rule::Range(lo, hi) => rng.range(lo, hi),
        Rule::Any | Rule::NonZero => default + rng.range(-0.3, 0.3),
    }
}

/// The kind's example with every numeric field redrawn from its rule.
pub fn random_instance(kind: &KindInfo, rng: &mut Rng) -> Value {
    let mut example = kind.example();
    let Some(body) = example.get_mut(kind.name).and_then(Value::as_object_mut) else {
        return example;
    };
    let mut fresh = Map::new();
    for f in kind.fields {
        let Some(v) = body.get(f.name) else { continue };
        let nv = match (f.ty, v) {
            (FieldType::F32, Value::Number(n)) => {
                json!(number(rng, f.rule, n.as_f64().unwrap_or(0.5) as f32))
            }
            (FieldType::Vec2 | FieldType::Vec3, Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .map(|i| json!(number(rng, f.rule, i.as_f64().unwrap_or(0.5) as f32)))
                    .collect(),
            ),
            _ => v.clone(),
        };
        fresh.insert(f.name.to_string(), nv);
    }
    *body = fresh;
    example
}
