//! A certified Lipschitz bound of a tree's field, from its node kinds.
//!
//! `|f(p) - f(q)| <= L |p - q|` lets the mesher skip samples that provably
//! share their neighbours' sign (see `mesh::mesher`). The bound is claimed
//! only where the lowering guarantees it for every parameter: the primitives
//! whose formula is an exact distance or a documented bound (1-Lipschitz), the
//! operations whose value's gradient is a convex combination of (or no steeper
//! than) their operands', and the transforms and modifiers that scale the
//! value no more than they shrink space (isometries, uniform and per-axis
//! scalings, folds, clamps, offsets of the value). Any other kind (twists, noise, expressions, `.vm` programs) gives
//! `None`: no bound is claimed, and the mesher samples everything.
#![warn(missing_docs)]

use super::node::Node;

/// A Lipschitz constant of `node`'s field, or `None` when none is certified.
pub fn lipschitz(node: &Node) -> Option<f32> {
    use Node::*;
    let leaf = matches!(
        node,
        // Exact distances or documented bounds, for every parameter value
        // (kinds whose claim holds only for some parameters are left out).
        Sphere { .. }
            | Box3d { .. }
            | Cylinder { .. }
            | Torus { .. }
            | Plane { .. }
            | Capsule { .. }
            | Cone { .. }
            | CappedCone { .. }
            | CappedTorus { .. }
            | RoundedBox { .. }
            | RoundedCone { .. }
            | Pyramid { .. }
            | Octahedron { .. }
            | HexPrism { .. }
            | Link { .. }
            | Triangle { .. }
            | TriangularPrism { .. }
            | Bezier { .. }
            | BoxFrame { .. }
            | CutSphere { .. }
            | CutHollowSphere { .. }
            | SolidAngle { .. }
            | Rhombus { .. }
            | Horseshoe { .. }
            | Heart { .. }
            | InfiniteCylinder { .. }
            | InfiniteCone { .. }
            | Diamond { .. }
            | Ellipsoid { .. }
            | Barrel { .. }
            | ChamferedCube { .. }
            | MetricBall { .. }
    );
    if leaf {
        return Some(1.0);
    }
    let preserving = matches!(
        node,
        // min / max, and blends whose gradient is a convex combination of
        // the operands' (the quadratic smooth min, the halved chamfer term,
        // the normalised morph).
        Union { .. }
            | Intersection { .. }
            | Subtraction { .. }
            | SmoothUnion { .. }
            | SmoothIntersection { .. }
            | SmoothSubtraction { .. }
            | ChamferUnion { .. }
            | ChamferIntersection { .. }
            | ChamferSubtraction { .. }
            | XOR { .. }
            | Morph { .. }
            // Isometries of space, uniform scaling (`s·child(p/s)`), the
            // per-axis scaling's `min(f)·child(p/f)`, maps of space that
            // never lengthen a distance (mirror's fold, elongate's clamp),
            // offsets of the value.
            | Translate { .. }
            | Rotate { .. }
            | Scale { .. }
            | ScaleNonUniform { .. }
            | Mirror { .. }
            | Elongate { .. }
            | Round { .. }
            | Onion { .. }
            | WithMaterial { .. }
    );
    if !preserving {
        return None;
    }
    let mut worst = Some(0.0f32);
    node.each_child(&mut |child| {
        worst = match (worst, lipschitz(child)) {
            (Some(w), Some(l)) => Some(w.max(l)),
            _ => None,
        };
    });
    worst.filter(|l| l.is_finite())
}

#[cfg(test)]
mod tests {
    use super::lipschitz;
    use crate::sdf::compile::compile;
    use crate::sdf::lower::testing::{Pairs, lipschitz_pairs};
    use crate::sdf::validate::Limits;
    use serde_json::{Value, json};

    fn node(v: Value) -> crate::sdf::node::Node {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn certified_trees_and_refusals() {
        let demo: Value =
            serde_json::from_str(include_str!("../../tests/data/alice-demo.asdf.json")).unwrap();
        let demo = compile(&demo, &Limits::default()).unwrap();
        assert_eq!(demo.tape.lipschitz(), Some(1.0));
        let scaled = json!({"ScaleNonUniform": {"factors": [2.0, 0.5, 1.0],
            "child": {"Sphere": {"radius": 1.0}}}});
        assert_eq!(lipschitz(&node(scaled)), Some(1.0));
        for refused in [
            json!({"Twist": {"strength": 1.0, "child": {"Box3d": {"half_extents": [0.5, 0.5, 0.5]}}}}),
            json!({"Union": {"a": {"Sphere": {"radius": 1.0}},
                "b": {"Twist": {"strength": 1.0, "child": {"Sphere": {"radius": 1.0}}}}}}),
            json!({"Tube": {"outer_radius": 0.5, "thickness": 0.1, "half_height": 0.5}}),
        ] {
            assert_eq!(lipschitz(&node(refused.clone())), None, "{refused}");
        }
    }

    /// The claim holds where it matters to the mesher: nearby pairs of points
    /// of certified trees never differ by more than the bound allows (all
    /// four claim 1, which `lipschitz_pairs` checks).
    #[test]
    fn certified_fields_respect_their_bound() {
        let trees = [
            json!({"SmoothUnion": {"k": 0.3, "a": {"Box3d": {"half_extents": [0.5, 0.2, 0.4]}},
                "b": {"Rotate": {"rotation": [0.3, 0.1, 0.0, 0.9], "child":
                    {"Torus": {"major_radius": 0.6, "minor_radius": 0.2}}}}}}),
            json!({"ChamferSubtraction": {"r": 0.2, "a": {"RoundedBox": {"half_extents": [0.6, 0.6, 0.6], "round_radius": 0.1}},
                "b": {"ScaleNonUniform": {"factors": [3.0, 0.5, 1.0], "child": {"Sphere": {"radius": 0.3}}}}}}),
            json!({"Morph": {"t": 1.7, "a": {"Cone": {"radius": 0.5, "half_height": 0.5}},
                "b": {"Onion": {"thickness": 0.05, "child": {"Ellipsoid": {"radii": [0.8, 0.5, 0.3]}}}}}}),
            json!({"Elongate": {"amount": [0.3, 0.0, 0.2], "child":
                {"Mirror": {"axes": [1.0, 0.0, 1.0], "child": {"Translate": {"offset": [0.2, 0.1, 0.0],
                    "child": {"CappedTorus": {"major_radius": 0.4, "minor_radius": 0.1, "cap_angle": 1.0}}}}}}}}),
        ];
        for tree in trees {
            let c = compile(&tree, &Limits::default()).unwrap();
            assert_eq!(c.tape.lipschitz(), Some(1.0), "{tree}");
            lipschitz_pairs(&c.graph, &tree, Pairs::within(1.5));
        }
    }
}
