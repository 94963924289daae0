//! Lowering: a [`Node`] tree becomes an expression [`Graph`](super::expr::Graph).
//!
//! Each kind's distance formula lives in the file of its family; this module
//! only dispatches. Transforms and modifiers lower their child at a new point
//! expression, so they fold into the point maths instead of costing a call.
//! Operations lower their operands first and combine the two distances.
//!
//! Families: [`primitives`] (solids at the origin), [`profiles`] (2-D shapes
//! extruded along Z), [`polyhedra`], [`lattices`] (triply periodic surfaces and
//! terrain), [`operations`], [`transforms`], [`modifiers`], [`expression`].
#![warn(missing_docs)]
// Lowering functions take a kind's fields as arguments, one per JSON field.
#![allow(clippy::too_many_arguments)]

pub mod expression;
pub mod lattices;
pub mod modifiers;
pub mod operations;
pub mod polyhedra;
pub mod primitives;
pub mod profiles;
#[cfg(test)]
pub(crate) mod testing;
pub mod transforms;

use std::collections::HashMap;

use super::expr::{Builder, E, Graph, V3};
use super::node::Node;

/// Why a valid tree could not be lowered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LowerError {
    /// The expression graph grew past the configured limit (repeats and IFS
    /// multiply their child).
    #[error("the tree expands to more than {limit} operations; simplify it or lower repeat counts")]
    TooComplex {
        /// The limit that was hit.
        limit: usize,
    },
    /// A `Union` with neither `a`/`b` nor any `children`.
    #[error("Union needs a and b, or at least one of children")]
    EmptyUnion,
}

/// Lowering context: the builder and the size budget.
pub struct Lower<'a> {
    /// The graph being built.
    pub b: &'a Builder,
    max_ops: usize,
    /// Owner tag of each node (by address), for a tracking builder.
    owners: Option<&'a HashMap<*const Node, u32>>,
}

impl<'a> Lower<'a> {
    /// A context that refuses graphs larger than `max_ops` operations.
    pub fn new(b: &'a Builder, max_ops: usize) -> Self {
        Self {
            b,
            max_ops,
            owners: None,
        }
    }

    /// The distance of `node` at point `p`.
    pub fn node(&self, node: &Node, p: V3<'a>) -> Result<E<'a>, LowerError> {
        let Some(owners) = self.owners else {
            return self.node_formula(node, p);
        };
        // Constants made while this node's own formula is built belong to it;
        // its children set their own tags and this one comes back after them.
        let tag = owners.get(&(node as *const Node)).copied().unwrap_or(0);
        let previous = self.b.set_owner(tag);
        let distance = self.node_formula(node, p);
        self.b.set_owner(previous);
        distance
    }

    fn node_formula(&self, node: &Node, p: V3<'a>) -> Result<E<'a>, LowerError> {
        if self.b.len() > self.max_ops {
            return Err(LowerError::TooComplex {
                limit: self.max_ops,
            });
        }
        Ok(match node {
            Node::Sphere { radius } => primitives::sphere(p, *radius),
            Node::Box3d { half_extents } => primitives::box3d(p, *half_extents),
            Node::Cylinder {
                radius,
                half_height,
            } => primitives::cylinder(p, *radius, *half_height),
            Node::Torus {
                major_radius,
                minor_radius,
            } => primitives::torus(p, *major_radius, *minor_radius),
            Node::Plane { normal, distance } => primitives::plane(p, *normal, *distance),
            Node::Capsule {
                point_a,
                point_b,
                radius,
            } => primitives::capsule(p, *point_a, *point_b, *radius),
            Node::Cone {
                radius,
                half_height,
            } => primitives::cone(p, *radius, *half_height),
            Node::Ellipsoid { radii } => primitives::ellipsoid(p, *radii),
            Node::RoundedCone {
                r1,
                r2,
                half_height,
            } => primitives::rounded_cone(p, *r1, *r2, *half_height),
            Node::Pyramid { half_height } => primitives::pyramid(p, *half_height),
            Node::Octahedron { size } => primitives::octahedron(p, *size),
            Node::HexPrism {
                hex_radius,
                half_height,
            } => primitives::hex_prism(p, *hex_radius, *half_height),
            Node::Link {
                half_length,
                r1,
                r2,
            } => primitives::link(p, *half_length, *r1, *r2),
            Node::Triangle {
                point_a,
                point_b,
                point_c,
            } => primitives::triangle(p, *point_a, *point_b, *point_c),
            Node::Bezier {
                point_a,
                point_b,
                point_c,
                radius,
            } => primitives::bezier(p, *point_a, *point_b, *point_c, *radius),
            Node::RoundedBox {
                half_extents,
                round_radius,
            } => primitives::rounded_box(p, *half_extents, *round_radius),
            Node::CappedCone {
                half_height,
                r1,
                r2,
            } => primitives::capped_cone(p, *half_height, *r1, *r2),
            Node::CappedTorus {
                major_radius,
                minor_radius,
                cap_angle,
            } => primitives::capped_torus(p, *major_radius, *minor_radius, *cap_angle),
            Node::RoundedCylinder {
                radius,
                round_radius,
                half_height,
            } => primitives::rounded_cylinder(p, *radius, *round_radius, *half_height),
            Node::TriangularPrism { width, half_depth } => {
                primitives::triangular_prism(p, *width, *half_depth)
            }
            Node::CutSphere { radius, cut_height } => {
                primitives::cut_sphere(p, *radius, *cut_height)
            }
            Node::CutHollowSphere {
                radius,
                cut_height,
                thickness,
            } => primitives::cut_hollow_sphere(p, *radius, *cut_height, *thickness),
            Node::DeathStar { ra, rb, d } => primitives::death_star(p, *ra, *rb, *d),
            Node::SolidAngle { angle, radius } => primitives::solid_angle(p, *angle, *radius),
            Node::Rhombus {
                la,
                lb,
                half_height,
                round_radius,
            } => primitives::rhombus(p, *la, *lb, *half_height, *round_radius),
            Node::Horseshoe {
                angle,
                radius,
                half_length,
                width,
                thickness,
            } => primitives::horseshoe(p, *angle, *radius, *half_length, *width, *thickness),
            Node::Vesica { radius, half_dist } => primitives::vesica(p, *radius, *half_dist),
            Node::InfiniteCylinder { radius } => primitives::infinite_cylinder(p, *radius),
            Node::InfiniteCone { angle } => primitives::infinite_cone(p, *angle),
            Node::Gyroid { scale, thickness } => lattices::gyroid(p, *scale, *thickness),
            Node::MetricBall {
                radius,
                w_l1,
                w_l2,
                w_linf,
            } => primitives::metric_ball(p, *radius, *w_l1, *w_l2, *w_linf),
            Node::MetricBlend {
                inner,
                outer,
                center,
                radius,
                skin,
            } => {
                let inner = self.node(inner, p)?;
                let outer = self.node(outer, p)?;
                primitives::metric_blend(p, inner, outer, *center, *radius, *skin)
            }
            Node::Heart { size } => primitives::heart(p, *size),
            Node::Tube {
                outer_radius,
                thickness,
                half_height,
            } => primitives::tube(p, *outer_radius, *thickness, *half_height),
            Node::Barrel {
                radius,
                half_height,
                bulge,
            } => primitives::barrel(p, *radius, *half_height, *bulge),
            Node::Diamond {
                radius,
                half_height,
            } => primitives::diamond(p, *radius, *half_height),
            Node::ChamferedCube {
                half_extents,
                chamfer,
            } => primitives::chamfered_cube(p, *half_extents, *chamfer),
            Node::SchwarzP { scale, thickness } => lattices::schwarz_p(p, *scale, *thickness),
            Node::Superellipsoid {
                half_extents,
                e1,
                e2,
            } => primitives::superellipsoid(p, *half_extents, *e1, *e2),
            Node::RoundedX {
                width,
                round_radius,
                half_height,
            } => profiles::rounded_x(p, *width, *round_radius, *half_height),
            Node::Pie {
                angle,
                radius,
                half_height,
            } => profiles::pie(p, *angle, *radius, *half_height),
            Node::Trapezoid {
                r1,
                r2,
                trap_height,
                half_depth,
            } => profiles::trapezoid(p, *r1, *r2, *trap_height, *half_depth),
            Node::Parallelogram {
                width,
                para_height,
                skew,
                half_depth,
            } => profiles::parallelogram(p, *width, *para_height, *skew, *half_depth),
            Node::Tunnel {
                width,
                height_2d,
                half_depth,
            } => profiles::tunnel(p, *width, *height_2d, *half_depth),
            Node::UnevenCapsule {
                r1,
                r2,
                cap_height,
                half_depth,
            } => profiles::uneven_capsule(p, *r1, *r2, *cap_height, *half_depth),
            Node::Egg { ra, rb } => primitives::egg(p, *ra, *rb),
            Node::ArcShape {
                aperture,
                radius,
                thickness,
                half_height,
            } => profiles::arc_shape(p, *aperture, *radius, *thickness, *half_height),
            Node::Moon {
                d,
                ra,
                rb,
                half_height,
            } => profiles::moon(p, *d, *ra, *rb, *half_height),
            Node::CrossShape {
                length,
                thickness,
                round_radius,
                half_height,
            } => profiles::cross_shape(p, *length, *thickness, *round_radius, *half_height),
            Node::BlobbyCross { size, half_height } => {
                profiles::blobby_cross(p, *size, *half_height)
            }
            Node::ParabolaSegment {
                width,
                para_height,
                half_depth,
            } => profiles::parabola_segment(p, *width, *para_height, *half_depth),
            Node::RegularPolygon {
                radius,
                n_sides,
                half_height,
            } => profiles::regular_polygon(p, *radius, *n_sides, *half_height),
            Node::StarPolygon {
                radius,
                n_points,
                m,
                half_height,
            } => profiles::star_polygon(p, *radius, *n_points, *m, *half_height),
            Node::Stairs {
                step_width,
                step_height,
                n_steps,
                half_depth,
            } => profiles::stairs(p, *step_width, *step_height, *n_steps, *half_depth),
            Node::Helix {
                major_r,
                minor_r,
                pitch,
                half_height,
            } => primitives::helix(p, *major_r, *minor_r, *pitch, *half_height),
            Node::Tetrahedron { size } => polyhedra::tetrahedron(p, *size),
            Node::Dodecahedron { radius } => polyhedra::dodecahedron(p, *radius),
            Node::Icosahedron { radius } => polyhedra::icosahedron(p, *radius),
            Node::TruncatedOctahedron { radius } => polyhedra::truncated_octahedron(p, *radius),
            Node::TruncatedIcosahedron { radius } => polyhedra::truncated_icosahedron(p, *radius),
            Node::BoxFrame { half_extents, edge } => primitives::box_frame(p, *half_extents, *edge),
            Node::DiamondSurface { scale, thickness } => {
                lattices::diamond_surface(p, *scale, *thickness)
            }
            Node::Neovius { scale, thickness } => lattices::neovius(p, *scale, *thickness),
            Node::Lidinoid { scale, thickness } => lattices::lidinoid(p, *scale, *thickness),
            Node::IWP { scale, thickness } => lattices::iwp(p, *scale, *thickness),
            Node::FRD { scale, thickness } => lattices::frd(p, *scale, *thickness),
            Node::FischerKochS { scale, thickness } => {
                lattices::fischer_koch_s(p, *scale, *thickness)
            }
            Node::PMY { scale, thickness } => lattices::pmy(p, *scale, *thickness),
            Node::Circle2D {
                radius,
                half_height,
            } => profiles::circle2d(p, *radius, *half_height),
            Node::Rect2D {
                half_extents,
                half_height,
            } => profiles::rect2d(p, *half_extents, *half_height),
            Node::Segment2D {
                a,
                b,
                thickness,
                half_height,
            } => profiles::segment2d(p, *a, *b, *thickness, *half_height),
            Node::Polygon2D {
                vertices,
                half_height,
            } => profiles::polygon2d(p, vertices, *half_height),
            Node::RoundedRect2D {
                half_extents,
                round_radius,
                half_height,
            } => profiles::rounded_rect2d(p, *half_extents, *round_radius, *half_height),
            Node::Annular2D {
                outer_radius,
                thickness,
                half_height,
            } => profiles::annular2d(p, *outer_radius, *thickness, *half_height),
            Node::Union { a, b, children } => {
                let mut acc: Option<E<'a>> = None;
                for n in a
                    .iter()
                    .chain(b.iter())
                    .map(|n| &**n)
                    .chain(children.iter().flatten())
                {
                    let d = self.node(n, p)?;
                    acc = Some(match acc {
                        Some(x) => operations::union(x, d),
                        None => d,
                    });
                }
                acc.ok_or(LowerError::EmptyUnion)?
            }
            Node::Intersection { a, b } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::intersection(a, b)
            }
            Node::Subtraction { a, b } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::subtraction(a, b)
            }
            Node::SmoothUnion { a, b, k } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::smooth_union(a, b, *k)
            }
            Node::SmoothIntersection { a, b, k } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::smooth_intersection(a, b, *k)
            }
            Node::SmoothSubtraction { a, b, k } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::smooth_subtraction(a, b, *k)
            }
            Node::ChamferUnion { a, b, r } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::chamfer_union(a, b, *r)
            }
            Node::ChamferIntersection { a, b, r } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::chamfer_intersection(a, b, *r)
            }
            Node::ChamferSubtraction { a, b, r } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::chamfer_subtraction(a, b, *r)
            }
            Node::StairsUnion { a, b, r, n } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::stairs_union(a, b, *r, *n)
            }
            Node::StairsIntersection { a, b, r, n } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::stairs_intersection(a, b, *r, *n)
            }
            Node::StairsSubtraction { a, b, r, n } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::stairs_subtraction(a, b, *r, *n)
            }
            Node::XOR { a, b } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::xor(a, b)
            }
            Node::Morph { a, b, t } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::morph(a, b, *t)
            }
            Node::ColumnsUnion { a, b, r, n } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::columns_union(a, b, *r, *n)
            }
            Node::ColumnsIntersection { a, b, r, n } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::columns_intersection(a, b, *r, *n)
            }
            Node::ColumnsSubtraction { a, b, r, n } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::columns_subtraction(a, b, *r, *n)
            }
            Node::Pipe { a, b, r } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::pipe(a, b, *r)
            }
            Node::Engrave { a, b, r } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::engrave(a, b, *r)
            }
            Node::Groove { a, b, ra, rb } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::groove(a, b, *ra, *rb)
            }
            Node::Tongue { a, b, ra, rb } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::tongue(a, b, *ra, *rb)
            }
            Node::ExpSmoothUnion { a, b, k } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::exp_smooth_union(a, b, *k)
            }
            Node::ExpSmoothIntersection { a, b, k } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::exp_smooth_intersection(a, b, *k)
            }
            Node::ExpSmoothSubtraction { a, b, k } => {
                let a = self.node(a, p)?;
                let b = self.node(b, p)?;
                operations::exp_smooth_subtraction(a, b, *k)
            }
            Node::Translate { child, offset } => transforms::translate(self, child, p, *offset)?,
            Node::Rotate { child, rotation } => transforms::rotate(self, child, p, *rotation)?,
            Node::Scale { child, factor } => transforms::scale(self, child, p, *factor)?,
            Node::ScaleNonUniform { child, factors } => {
                transforms::scale_non_uniform(self, child, p, *factors)?
            }
            Node::ProjectiveTransform {
                child,
                inv_matrix,
                lipschitz_bound,
            } => transforms::projective_transform(self, child, p, *inv_matrix, *lipschitz_bound)?,
            Node::LatticeDeform {
                child,
                control_points,
                nx,
                ny,
                nz,
                bbox_min,
                bbox_max,
            } => transforms::lattice_deform(
                self,
                child,
                p,
                control_points,
                *nx,
                *ny,
                *nz,
                *bbox_min,
                *bbox_max,
            )?,
            Node::SdfSkinning { child, bones } => transforms::sdf_skinning(self, child, p, bones)?,
            Node::Twist { child, strength } => modifiers::twist(self, child, p, *strength)?,
            Node::Bend { child, curvature } => modifiers::bend(self, child, p, *curvature)?,
            Node::RepeatInfinite { child, spacing } => {
                modifiers::repeat_infinite(self, child, p, *spacing)?
            }
            Node::RepeatFinite {
                child,
                count,
                spacing,
            } => modifiers::repeat_finite(self, child, p, *count, *spacing)?,
            Node::Noise {
                child,
                amplitude,
                frequency,
                seed,
            } => modifiers::noise(self, child, p, *amplitude, *frequency, *seed)?,
            Node::Round { child, radius } => modifiers::round(self, child, p, *radius)?,
            Node::Onion { child, thickness } => modifiers::onion(self, child, p, *thickness)?,
            Node::Elongate { child, amount } => modifiers::elongate(self, child, p, *amount)?,
            Node::Mirror { child, axes } => modifiers::mirror(self, child, p, *axes)?,
            Node::Revolution { child, offset } => modifiers::revolution(self, child, p, *offset)?,
            Node::Extrude { child, half_height } => {
                modifiers::extrude(self, child, p, *half_height)?
            }
            Node::SweepBezier { child, p0, p1, p2 } => {
                modifiers::sweep_bezier(self, child, p, *p0, *p1, *p2)?
            }
            Node::Taper {
                child,
                factor,
                reach,
            } => modifiers::taper(self, child, p, *factor, *reach)?,
            Node::Displacement { child, strength } => {
                modifiers::displacement(self, child, p, *strength)?
            }
            Node::SineDisplacement {
                child,
                amplitude,
                frequency,
            } => modifiers::sine_displacement(self, child, p, *amplitude, *frequency)?,
            Node::PolarRepeat { child, count } => modifiers::polar_repeat(self, child, p, *count)?,
            Node::OctantMirror { child } => modifiers::octant_mirror(self, child, p)?,
            Node::Shear { child, shear } => modifiers::shear(self, child, p, *shear)?,
            Node::Animated {
                child,
                speed,
                amplitude,
            } => modifiers::animated(self, child, p, *speed, *amplitude)?,
            Node::WithMaterial { child, material_id } => {
                modifiers::with_material(self, child, p, *material_id)?
            }
            Node::IcosahedralSymmetry { child } => modifiers::icosahedral_symmetry(self, child, p)?,
            Node::IFS {
                child,
                transforms,
                iterations,
            } => modifiers::ifs(self, child, p, transforms, *iterations)?,
            Node::HeightmapDisplacement {
                child,
                heightmap,
                width,
                height,
                amplitude,
                scale,
            } => modifiers::heightmap_displacement(
                self, child, p, heightmap, *width, *height, *amplitude, *scale,
            )?,
            Node::SurfaceRoughness {
                child,
                frequency,
                amplitude,
                octaves,
            } => modifiers::surface_roughness(self, child, p, *frequency, *amplitude, *octaves)?,
            Node::Terrain { scale, amplitude } => lattices::terrain(p, *scale, *amplitude),
            Node::Neg { child } => expression::neg(self.node(child, p)?),
            Node::Abs { child } => expression::abs(self.node(child, p)?),
            Node::Sqrt { child } => expression::sqrt(self.node(child, p)?),
            Node::Square { child } => expression::square(self.node(child, p)?),
            Node::Recip { child } => expression::recip(self.node(child, p)?),
            Node::Sin { child } => expression::sin(self.node(child, p)?),
            Node::Cos { child } => expression::cos(self.node(child, p)?),
            Node::Tan { child } => expression::tan(self.node(child, p)?),
            Node::Asin { child } => expression::asin(self.node(child, p)?),
            Node::Acos { child } => expression::acos(self.node(child, p)?),
            Node::Atan { child } => expression::atan(self.node(child, p)?),
            Node::Exp { child } => expression::exp(self.node(child, p)?),
            Node::Ln { child } => expression::ln(self.node(child, p)?),
            Node::Floor { child } => expression::floor(self.node(child, p)?),
            Node::Ceil { child } => expression::ceil(self.node(child, p)?),
            Node::Sign { child } => expression::sign(self.node(child, p)?),
            Node::Add { a, b } => expression::add(self.node(a, p)?, self.node(b, p)?),
            Node::Sub { a, b } => expression::sub(self.node(a, p)?, self.node(b, p)?),
            Node::Mul { a, b } => expression::mul(self.node(a, p)?, self.node(b, p)?),
            Node::Div { a, b } => expression::div(self.node(a, p)?, self.node(b, p)?),
            Node::Min { a, b } => expression::min(self.node(a, p)?, self.node(b, p)?),
            Node::Max { a, b } => expression::max(self.node(a, p)?, self.node(b, p)?),
            Node::Mod { a, b } => expression::r#mod(self.node(a, p)?, self.node(b, p)?),
            Node::Atan2 { a, b } => expression::atan2(self.node(a, p)?, self.node(b, p)?),
            Node::X => p.x,
            Node::Y => p.y,
            Node::Z => p.z,
            Node::Const { value } => self.b.c(*value),
        })
    }
}

/// Lowers a whole tree at the world point `(x, y, z)`.
pub fn lower(node: &Node, max_ops: usize) -> Result<Graph, LowerError> {
    let b = Builder::new();
    let root = {
        let cx = Lower::new(&b, max_ops);
        cx.node(node, b.point())?.id()
    };
    Ok(b.finish(root))
}

/// Lowers `node` with a [tracking](Builder::tracking) builder: every constant is
/// its own op, tagged with the pre-order index (root 0, children in field
/// order, as [`Node::children`]) of the node whose formula made it.
pub fn lower_tracking(node: &Node, max_ops: usize) -> Result<Graph, LowerError> {
    let mut owners = HashMap::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        let tag = owners.len() as u32;
        owners.insert(n as *const Node, tag);
        let children = n.children();
        stack.extend(children.into_iter().rev());
    }
    let b = Builder::tracking();
    let root = {
        let cx = Lower {
            b: &b,
            max_ops,
            owners: Some(&owners),
        };
        cx.node(node, b.point())?.id()
    };
    Ok(b.finish(root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdf::document::Document;

    #[test]
    fn alice_demo_tree_lowers_and_evaluates() {
        let text = include_str!("../../../tests/data/alice-demo.asdf.json");
        let doc = Document::from_value(serde_json::from_str(text).unwrap()).unwrap();
        let g = lower(&doc.root, 100_000).unwrap();
        // The sphere of radius 1 minus a 0.6 box, smoothly: the centre is carved out
        // but the cylinders of radius 0.3 along each axis fill it back in.
        let d0 = g.eval_point(g.root(), [0.0, 0.0, 0.0]);
        assert!(d0 < 0.0, "{d0}");
        let far = g.eval_point(g.root(), [3.0, 0.0, 0.0]);
        assert!((far - 2.0).abs() < 0.05, "{far}");
        assert!(g.len() < 150, "{} ops", g.len());
    }
}
