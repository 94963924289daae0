//! Dynamic parameters: which numbers of a tree a shader can read from a uniform
//! buffer instead of baking them in, so an editor can move a slider without
//! asking for a new shader.
//!
//! Lowering computes everything that depends only on parameters in plain `f32`
//! (a rotation's sines, a cone's slope), so most numbers reach the graph only
//! through derived constants, and only some appear there verbatim. Rather than
//! trusting each kind to declare which, the graph is *measured*: the tree is
//! lowered with a [tracking builder](crate::sdf::expr::Builder::tracking) (every
//! constant its own op, tagged with the node whose formula made it), then lowered
//! again with every number nudged to a distinct value. A number is dynamic when
//! the two graphs have the same shape and every constant of its node that changed
//! changed from exactly that number to exactly its nudged value; such a node's
//! numbers are all live. A node with a constant that changed in any other way
//! (a derived value) is retried one number at a time, within a budget; whatever
//! is left is baked. The shape check also catches formulas that branch on a
//! number: only numbers whose nudge kept the branch are dynamic.
//!
//! Limits of the method, documented for users: a value that crosses one of a
//! formula's branch points (a capsule whose ends meet, a cone whose radii swap)
//! keeps the branch the shader was written for; ask for a new shader when an
//! edit is committed.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::sdf::catalog::FieldType;
use crate::sdf::expr::{Graph, Id, Op};
use crate::sdf::lower::{self, LowerError};
use crate::sdf::node::{Node, kind_info};

/// Most dynamic parameters in one shader: 4096 floats fill 16 KiB, the
/// smallest uniform block WebGL2 must support.
pub const MAX_PARAMETERS: usize = 4096;

/// Extra single-number lowerings spent on nodes whose constants are derived.
const REFINE_LOWERINGS: usize = 16;
/// ... and the most graph ops those lowerings may build in all.
const REFINE_OPS: usize = 400_000;

/// One number of the tree that lives in the parameter buffer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parameter {
    /// JSON pointer to the node, into the canonical tree: `/Union/a/Sphere`.
    pub node_path: String,
    /// The node's kind.
    pub kind: &'static str,
    /// The field name.
    pub field: &'static str,
    /// Component within the field (0 for a number, 0..3 for a vec3, ...).
    pub index: u32,
    /// Byte offset in the parameter buffer (`4 * slot`).
    pub offset: u32,
    /// The value in the tree, which the buffer starts with.
    pub value: f32,
}

/// A number that was baked into the shader, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baked {
    /// JSON pointer to the node.
    pub node_path: String,
    /// The field name.
    pub field: &'static str,
    /// Component within the field.
    pub index: u32,
}

/// The outcome: the graph to transpile and which of its constants are parameters.
#[derive(Debug)]
pub struct Dynamic {
    /// The tracking graph of the tree with its real values.
    pub graph: Graph,
    /// Constant op → parameter slot.
    pub slots: HashMap<Id, u32>,
    /// The parameters, by slot.
    pub parameters: Vec<Parameter>,
    /// Numbers the shader bakes in.
    pub baked: Vec<Baked>,
}

/// One number of the tree, found by walking its canonical JSON.
#[derive(Clone, Debug)]
struct Component {
    node_path: String,
    kind: &'static str,
    field: &'static str,
    index: u32,
    /// Pre-order index of the node (the tracking graph's owner tag).
    tag: u32,
    value: f32,
}

/// Finds the dynamic parameters of `tree`. `max_ops` bounds each lowering.
pub fn discover(tree: &Node, max_ops: usize) -> Result<Dynamic, LowerError> {
    let graph = lower::lower_tracking(tree, max_ops)?;
    let canonical = serde_json::to_value(tree).unwrap_or(Value::Null);
    let components = components(&canonical);

    let all: Vec<usize> = (0..components.len()).collect();
    let mut dynamic = vec![false; components.len()];
    let mut explained: HashMap<Id, usize> = HashMap::new();

    // One lowering with every number nudged settles most nodes at once.
    let mut tainted: Vec<u32> = match compare(&graph, &canonical, &components, &all, max_ops) {
        Some(outcome) => {
            let mut tainted = outcome.tainted;
            tainted.sort_unstable();
            tainted.dedup();
            for (id, k) in outcome.explained {
                if tainted.binary_search(&components[k].tag).is_err() {
                    dynamic[k] = true;
                    explained.insert(id, k);
                }
            }
            tainted
        }
        None => components.iter().map(|c| c.tag).collect(),
    };
    tainted.sort_unstable();
    tainted.dedup();

    // Nodes with derived constants: one number at a time, within the budget.
    let mut lowerings = 0;
    for (k, component) in components.iter().enumerate() {
        if tainted.binary_search(&component.tag).is_err() {
            continue;
        }
        if lowerings >= REFINE_LOWERINGS || (lowerings + 1) * graph.len() > REFINE_OPS {
            break;
        }
        lowerings += 1;
        if let Some(outcome) = compare(&graph, &canonical, &components, &[k], max_ops)
            && outcome.tainted.is_empty()
            && !outcome.explained.is_empty()
        {
            dynamic[k] = true;
            explained.extend(outcome.explained);
        }
    }

    // Slots in tree order; past the cap, numbers are baked.
    let mut slot_of = vec![None; components.len()];
    let mut parameters = Vec::new();
    let mut baked = Vec::new();
    for (k, c) in components.iter().enumerate() {
        if dynamic[k] && parameters.len() < MAX_PARAMETERS {
            let slot = parameters.len() as u32;
            slot_of[k] = Some(slot);
            parameters.push(Parameter {
                node_path: c.node_path.clone(),
                kind: c.kind,
                field: c.field,
                index: c.index,
                offset: slot * 4,
                value: c.value,
            });
        } else {
            baked.push(Baked {
                node_path: c.node_path.clone(),
                field: c.field,
                index: c.index,
            });
        }
    }
    let slots = explained
        .into_iter()
        .filter_map(|(id, k)| slot_of[k].map(|s| (id, s)))
        .collect();
    Ok(Dynamic {
        graph,
        slots,
        parameters,
        baked,
    })
}

/// Where a number of the tree sits.
struct Site<'a> {
    node_path: &'a str,
    kind: &'static str,
    field: &'static str,
    /// Component within the field.
    index: u32,
    /// Pre-order index of the node (the tracking graph's owner tag).
    tag: u32,
}

/// Visits every number of a canonical node in pre-order (children in field
/// order, the order [`lower::lower_tracking`] tags them in); the visitor may
/// rewrite the number.
fn walk(node: &mut Value, path: &str, tag: &mut u32, visit: &mut dyn FnMut(&Site, &mut Value)) {
    let my_tag = *tag;
    *tag += 1;
    let Value::Object(map) = node else { return };
    let Some((kind, body)) = map.iter_mut().next() else {
        return;
    };
    let Some(info) = kind_info(kind) else { return };
    let path = format!("{path}/{kind}");
    for field in info.fields {
        let Some(value) = body.get_mut(field.name) else {
            continue;
        };
        match field.ty {
            FieldType::Node | FieldType::OptionalNode => {
                if !value.is_null() {
                    walk(value, &format!("{path}/{}", field.name), tag, visit);
                }
            }
            FieldType::NodeList => {
                if let Value::Array(items) = value {
                    for (i, child) in items.iter_mut().enumerate() {
                        walk(child, &format!("{path}/{}/{i}", field.name), tag, visit);
                    }
                }
            }
            FieldType::F32
            | FieldType::Vec2
            | FieldType::Vec3
            | FieldType::Quat
            | FieldType::Mat4
            | FieldType::F32List
            | FieldType::Vec2List
            | FieldType::Vec3List
            | FieldType::Mat4List => {
                let mut leaves = Vec::new();
                number_leaves(value, &mut leaves);
                for (index, leaf) in leaves.into_iter().enumerate() {
                    let site = Site {
                        node_path: &path,
                        kind: info.name,
                        field: field.name,
                        index: index as u32,
                        tag: my_tag,
                    };
                    visit(&site, leaf);
                }
            }
            FieldType::U32 | FieldType::U32x3 | FieldType::Bones | FieldType::Reach => {}
        }
    }
}

fn number_leaves<'v>(v: &'v mut Value, out: &mut Vec<&'v mut Value>) {
    match v {
        Value::Number(_) => out.push(v),
        Value::Array(items) => items.iter_mut().for_each(|i| number_leaves(i, out)),
        _ => {}
    }
}

/// The numbers of a canonical tree, in walk order.
fn components(canonical: &Value) -> Vec<Component> {
    let mut out = Vec::new();
    let mut copy = canonical.clone();
    walk(&mut copy, "", &mut 0, &mut |site, v| {
        out.push(Component {
            node_path: site.node_path.to_string(),
            kind: site.kind,
            field: site.field,
            index: site.index,
            tag: site.tag,
            value: v.as_f64().unwrap_or(0.0) as f32,
        });
    });
    out
}

/// The nudged value of component `k`: a small step that differs for every
/// component, so a changed constant names its source.
fn nudge(v: f32, k: usize) -> f32 {
    let spread = 1.0 + (k as f64 * 0.618_033_988_749_895).fract();
    let step = (f64::from(v).abs() * 0.01 + 0.01) * spread;
    (f64::from(v) + step) as f32
}

struct Outcome {
    /// Constant op → the component it equals.
    explained: Vec<(Id, usize)>,
    /// Owner tags with a constant that changed in an unexplained way.
    tainted: Vec<u32>,
}

/// Lowers the tree with `nudged` components moved and compares it with `base`.
/// `None` when the graphs differ in shape.
fn compare(
    base: &Graph,
    canonical: &Value,
    components: &[Component],
    nudged: &[usize],
    max_ops: usize,
) -> Option<Outcome> {
    let mut moved: Vec<Option<f32>> = vec![None; components.len()];
    for &k in nudged {
        moved[k] = Some(nudge(components[k].value, k));
    }
    let mut json = canonical.clone();
    let mut i = 0;
    walk(&mut json, "", &mut 0, &mut |_, v| {
        if let Some(x) = moved.get(i).copied().flatten()
            && let Some(n) = serde_json::Number::from_f64(f64::from(x))
        {
            *v = Value::Number(n);
        }
        i += 1;
    });
    let other_tree: Node = serde_json::from_value(json).ok()?;
    let other = lower::lower_tracking(&other_tree, max_ops).ok()?;
    if other.len() != base.len() || other.const_owners() != base.const_owners() {
        return None;
    }
    let same_shape = base
        .ops()
        .iter()
        .zip(other.ops())
        .all(|(a, b)| matches!((a, b), (Op::Const(_), Op::Const(_))) || a == b);
    if !same_shape {
        return None;
    }
    // (value, nudged value, owner) → component.
    let mut by_pair: HashMap<(u32, u32, u32), usize> = HashMap::new();
    for &k in nudged {
        let c = &components[k];
        let key = (
            canonical_bits(c.value),
            canonical_bits(moved[k].unwrap_or(c.value)),
            c.tag,
        );
        by_pair.entry(key).or_insert(k);
    }
    let mut explained = Vec::new();
    let mut tainted = Vec::new();
    for &(id, owner) in base.const_owners() {
        let (Op::Const(a), Op::Const(b)) = (base.ops()[id as usize], other.ops()[id as usize])
        else {
            continue;
        };
        if a == b {
            continue;
        }
        match by_pair.get(&(a, b, owner)) {
            Some(&k) => explained.push((id, k)),
            None => tainted.push(owner),
        }
    }
    Some(Outcome { explained, tainted })
}

/// Bits of `v` as the graph stores constants (`-0.0` as `0.0`).
fn canonical_bits(v: f32) -> u32 {
    if v == 0.0 { 0 } else { v.to_bits() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(json: &str) -> Node {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_sphere_radius_is_live() {
        let d = discover(&tree(r#"{"Sphere":{"radius":1.5}}"#), 100_000).unwrap();
        assert_eq!(d.parameters.len(), 1);
        let p = &d.parameters[0];
        assert_eq!(
            (p.node_path.as_str(), p.field, p.index, p.offset, p.value),
            ("/Sphere", "radius", 0, 0, 1.5)
        );
        assert_eq!(d.slots.len(), 1);
    }

    #[test]
    fn nested_paths_and_offsets_follow_tree_order() {
        let t = tree(
            r#"{"Union":{"a":{"Translate":{"child":{"Sphere":{"radius":1.0}},"offset":[1.0,0.0,0.0]}},
                "b":{"Box3d":{"half_extents":[1.0,1.0,1.0]}}}}"#,
        );
        let d = discover(&t, 100_000).unwrap();
        let names: Vec<_> = d
            .parameters
            .iter()
            .map(|p| format!("{}.{}[{}]@{}", p.node_path, p.field, p.index, p.offset))
            .collect();
        assert!(
            names.contains(&"/Union/a/Translate/child/Sphere.radius[0]@0".to_string())
                || names
                    .iter()
                    .any(|n| n.starts_with("/Union/a/Translate/child/Sphere.radius")),
            "{names:?}"
        );
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("/Union/b/Box3d.half_extents[2]")),
            "{names:?}"
        );
        // Offsets are 4 * slot, slots in tree order.
        for (slot, p) in d.parameters.iter().enumerate() {
            assert_eq!(p.offset as usize, slot * 4);
        }
    }

    #[test]
    fn derived_values_are_baked_not_claimed() {
        // A rotation's angles reach the graph only as sines and cosines.
        let t = tree(
            r#"{"Rotate":{"child":{"Box3d":{"half_extents":[1.0,2.0,3.0]}},"rotation":[0.0,0.38268343,0.0,0.9238795]}}"#,
        );
        let d = discover(&t, 100_000).unwrap();
        assert!(
            d.parameters.iter().all(|p| p.kind != "Rotate"),
            "{:?}",
            d.parameters
        );
        assert!(d.baked.iter().any(|b| b.field == "rotation"));
        assert_eq!(d.parameters.iter().filter(|p| p.kind == "Box3d").count(), 3);
    }

    #[test]
    fn substituting_the_values_back_gives_the_same_distances() {
        // The tracking graph with its parameters in place evaluates like the
        // compiled graph.
        let t = tree(
            r#"{"SmoothUnion":{"a":{"Sphere":{"radius":1.0}},"b":{"Translate":{"child":{"Torus":{"major_radius":1.0,"minor_radius":0.25}},"offset":[0.5,0.25,0.0]}},"k":0.2}}"#,
        );
        let d = discover(&t, 100_000).unwrap();
        let plain = lower::lower(&t, 100_000).unwrap();
        for p in [[0.1, 0.2, 0.3], [1.0, -0.5, 0.25], [2.0, 0.0, 0.0]] {
            let a = d.graph.eval_point(d.graph.root(), p);
            let b = plain.eval_point(plain.root(), p);
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        assert!(!d.parameters.is_empty());
    }
}
