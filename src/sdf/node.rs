//! The SDF tree: every node kind, its JSON form, and its catalog entry.
//!
//! One table (the `node_kinds!` invocation below) is the single source of truth
//! for a kind: it generates the [`Node`] variant (serde's external tagging, the
//! same field names as ALICE-SDF 6.x, `{"Sphere":{"radius":1.0}}`) and the
//! [`KindInfo`] the validator, the `/v1/engine/nodes` palette and the LLM prompt
//! read (category, fields, types, defaults, units, rules, one-line doc).
//!
//! Beyond ALICE-SDF: n-ary `Union` (`{"Union":{"children":[…]}}`) and the
//! expression layer (`X`, `Y`, `Z`, `Const`, arithmetic and functions), so any
//! closed-form implicit surface can be written as a tree.
#![warn(missing_docs)]

use std::f32::consts::{FRAC_PI_2, PI};

use serde::{Deserialize, Serialize};

pub use super::catalog::{Category, DefaultValue, FieldInfo, FieldType, KindInfo, Rule, Unit};
use super::catalog::{IDENTITY4, LATTICE4, SCALE_HALF4};

/// A bone of [`Node::SdfSkinning`]: column-major 4x4 matrices and a weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bone {
    /// World space to bone space at bind time (column-major).
    pub inv_bind_pose: [f32; 16],
    /// Bone space to world space now (column-major).
    pub current_pose: [f32; 16],
    /// Blend weight of this bone.
    pub weight: f32,
}

/// `[r_xz, r_y]` reach of a tapered child; `null`/absent means unknown (unbounded).
pub type TaperReach = [Option<f32>; 2];

/// Visits the child nodes held by a field, whatever its type.
pub trait Children {
    /// Calls `f` on each child node in this field, in order.
    fn each_child<'a>(&'a self, f: &mut dyn FnMut(&'a Node));
}
macro_rules! leaf_field {
    ($($t:ty),*) => {$( impl Children for $t { fn each_child<'a>(&'a self, _: &mut dyn FnMut(&'a Node)) {} } )*};
}
leaf_field!(
    f32,
    u32,
    [f32; 2],
    [f32; 3],
    [f32; 4],
    [f32; 16],
    [u32; 3],
    Vec<f32>,
    Vec<[f32; 2]>,
    Vec<[f32; 3]>,
    Vec<[f32; 16]>,
    Vec<Bone>,
    TaperReach
);
impl Children for Box<Node> {
    fn each_child<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        f(self)
    }
}
impl Children for Option<Box<Node>> {
    fn each_child<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        if let Some(n) = self {
            f(n)
        }
    }
}
impl Children for Option<Vec<Node>> {
    fn each_child<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        for n in self.iter().flatten() {
            f(n)
        }
    }
}

macro_rules! node_kinds {
    ($( $kind:ident => $cat:expr, $doc:literal {
        $( $(#[$fattr:meta])* $field:ident : $fty:ty => $info:expr ),* $(,)?
    } ),* $(,)?) => {
        /// One node of an SDF tree. See each variant's doc and [`KINDS`].
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(missing_docs)] // fields are documented in the catalog (`KINDS`)
        pub enum Node {
            $( #[doc = $doc] $kind { $( $(#[$fattr])* $field: $fty ),* }, )*
            /// Expression layer: the x coordinate of the (transformed) point.
            X,
            /// Expression layer: the y coordinate of the (transformed) point.
            Y,
            /// Expression layer: the z coordinate of the (transformed) point.
            Z,
        }

        /// Catalog entry of every node kind, in table order.
        pub static KINDS: &[KindInfo] = &[
            $( KindInfo { name: stringify!($kind), category: $cat, doc: $doc, fields: &[ $( $info ),* ] }, )*
            KindInfo { name: "X", category: Category::Expression, doc: "Expression layer: the x coordinate of the (transformed) point.", fields: &[] },
            KindInfo { name: "Y", category: Category::Expression, doc: "Expression layer: the y coordinate of the (transformed) point.", fields: &[] },
            KindInfo { name: "Z", category: Category::Expression, doc: "Expression layer: the z coordinate of the (transformed) point.", fields: &[] },
        ];

        impl Node {
            /// The kind's name, as in JSON.
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Node::$kind { .. } => stringify!($kind), )*
                    Node::X => "X",
                    Node::Y => "Y",
                    Node::Z => "Z",
                }
            }

            /// Calls `f` on each direct child, in field order.
            pub fn each_child<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
                match self {
                    $( #[allow(unused_variables)] Node::$kind { $( $field ),* } => { $( Children::each_child($field, f); )* } )*
                    Node::X | Node::Y | Node::Z => {}
                }
            }
        }
    };
}

node_kinds! {
    Sphere => Category::Primitive, "Ball of the given radius centred at the origin." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius." },
    },
    Box3d => Category::Primitive, "Axis-aligned box centred at the origin." {
        half_extents: [f32; 3] => FieldInfo { name: "half_extents", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.5, 0.5, 0.5]), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the size along each axis." },
    },
    Cylinder => Category::Primitive, "Capped cylinder along Y, centred at the origin." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
    },
    Torus => Category::Primitive, "Ring in the XZ plane around Y: a circle of major_radius swept by a tube of minor_radius." {
        major_radius: f32 => FieldInfo { name: "major_radius", ty: FieldType::F32, default: DefaultValue::F32(0.6), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the ring (centre of the tube)." },
        minor_radius: f32 => FieldInfo { name: "minor_radius", ty: FieldType::F32, default: DefaultValue::F32(0.2), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the tube." },
    },
    Plane => Category::Primitive, "Half-space dot(p, normal) <= distance (normal need not be unit; distances are divided by its length)." {
        normal: [f32; 3] => FieldInfo { name: "normal", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.0, 1.0, 0.0]), unit: Unit::None, rule: Rule::NonZero, doc: "Outward normal of the boundary plane." },
        distance: f32 => FieldInfo { name: "distance", ty: FieldType::F32, default: DefaultValue::F32(0.0), unit: Unit::Length, rule: Rule::Any, doc: "Offset along the normal, in units of |normal|: the plane is dot(p, normal) = distance." },
    },
    Capsule => Category::Primitive, "Segment from point_a to point_b, thickened by radius." {
        point_a: [f32; 3] => FieldInfo { name: "point_a", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.0, -0.5, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "First end of the axis segment." },
        point_b: [f32; 3] => FieldInfo { name: "point_b", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.0, 0.5, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Second end of the axis segment." },
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::Positive, doc: "Radius around the segment." },
    },
    Cone => Category::Primitive, "Cone along Y with its base (radius) at y = -half_height and tip at y = +half_height." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the base (at y = -half_height)." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
    },
    Ellipsoid => Category::Primitive, "Ellipsoid with the given semi-axes, centred at the origin." {
        radii: [f32; 3] => FieldInfo { name: "radii", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.8, 0.5, 0.4]), unit: Unit::Length, rule: Rule::Positive, doc: "Semi-axes along X, Y and Z." },
    },
    RoundedCone => Category::Primitive, "Cone along Y joining a sphere of r1 at y = -half_height to a sphere of r2 at y = +half_height." {
        r1: f32 => FieldInfo { name: "r1", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the bottom sphere (centred at y = -half_height)." },
        r2: f32 => FieldInfo { name: "r2", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the top sphere (centred at y = +half_height)." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the distance between the two sphere centres." },
    },
    Pyramid => Category::Primitive, "Square pyramid with a unit base (side 1) on y = -half_height and apex at y = +half_height." {
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
    },
    Octahedron => Category::Primitive, "Regular octahedron with vertices at distance size on each axis." {
        size: f32 => FieldInfo { name: "size", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Distance from the centre to each vertex (on the axes)." },
    },
    HexPrism => Category::Primitive, "Hexagonal prism along Z; hex_radius is the inradius of the hexagon (flat sides facing +-Y)." {
        hex_radius: f32 => FieldInfo { name: "hex_radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Inradius of the hexagon (centre to flat side)." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the length along Z." },
    },
    Link => Category::Primitive, "Chain link: a stretched torus in the XY plane, straight part of half_length along Y." {
        half_length: f32 => FieldInfo { name: "half_length", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half the length of the straight parts (along Y)." },
        r1: f32 => FieldInfo { name: "r1", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the rounded ends of the centre line (in XY)." },
        r2: f32 => FieldInfo { name: "r2", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the wire." },
    },
    Triangle => Category::Primitive, "Thin triangle through three points: a skin of 1/1000 of its longest edge gives it an inside (round it for a thicker solid)." {
        point_a: [f32; 3] => FieldInfo { name: "point_a", ty: FieldType::Vec3, default: DefaultValue::Vec3([-0.5, 0.0, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "First corner." },
        point_b: [f32; 3] => FieldInfo { name: "point_b", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.5, 0.0, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Second corner." },
        point_c: [f32; 3] => FieldInfo { name: "point_c", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.0, 0.8, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Third corner." },
    },
    Bezier => Category::Primitive, "Quadratic Bezier tube from point_a to point_c with control point point_b." {
        point_a: [f32; 3] => FieldInfo { name: "point_a", ty: FieldType::Vec3, default: DefaultValue::Vec3([-0.5, 0.0, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Start point of the curve." },
        point_b: [f32; 3] => FieldInfo { name: "point_b", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.0, 0.8, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Control point (the curve does not pass through it)." },
        point_c: [f32; 3] => FieldInfo { name: "point_c", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.5, 0.0, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "End point of the curve." },
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the tube around the curve." },
    },
    RoundedBox => Category::Primitive, "Box of half_extents grown by round_radius on every side (outer half-size half_extents + round_radius), edges rounded." {
        half_extents: [f32; 3] => FieldInfo { name: "half_extents", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.5, 0.5, 0.5]), unit: Unit::Length, rule: Rule::Positive, doc: "Half-size of the inner box, before rounding adds round_radius." },
        round_radius: f32 => FieldInfo { name: "round_radius", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Rounding radius of the edges." },
    },
    CappedCone => Category::Primitive, "Truncated cone along Y: radius r1 at y = -half_height, r2 at y = +half_height." {
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
        r1: f32 => FieldInfo { name: "r1", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::NonNegative, doc: "Radius at the bottom (y = -half_height)." },
        r2: f32 => FieldInfo { name: "r2", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::NonNegative, doc: "Radius at the top (y = +half_height)." },
    },
    CappedTorus => Category::Primitive, "Arc of a torus in the XY plane, opening cap_angle radians either side of +Y." {
        major_radius: f32 => FieldInfo { name: "major_radius", ty: FieldType::F32, default: DefaultValue::F32(0.6), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the arc (centre of the tube)." },
        minor_radius: f32 => FieldInfo { name: "minor_radius", ty: FieldType::F32, default: DefaultValue::F32(0.15), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the tube." },
        cap_angle: f32 => FieldInfo { name: "cap_angle", ty: FieldType::F32, default: DefaultValue::F32(2.0), unit: Unit::Angle, rule: Rule::Range(0.0, PI), doc: "Half-angle of the arc, measured from +Y (pi = full ring)." },
    },
    RoundedCylinder => Category::Primitive, "Cylinder along Y of radius radius with its rims rounded by round_radius; the height grows to half_height + round_radius." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius." },
        round_radius: f32 => FieldInfo { name: "round_radius", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Rounding radius of the edges." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height before rounding (the solid reaches half_height + round_radius)." },
    },
    TriangularPrism => Category::Primitive, "Prism along Z with an equilateral triangle cross-section (apex +Y, centroid at the origin, inradius width/2)." {
        width: f32 => FieldInfo { name: "width", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Twice the inradius of the triangle (its side is sqrt(3) * width)." },
        half_depth: f32 => FieldInfo { name: "half_depth", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion depth along Z." },
    },
    CutSphere => Category::Primitive, "Sphere with everything below y = cut_height removed (the cap above the cut remains)." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius." },
        cut_height: f32 => FieldInfo { name: "cut_height", ty: FieldType::F32, default: DefaultValue::F32(0.2), unit: Unit::Length, rule: Rule::Any, doc: "Height of the cutting plane (between -radius and radius)." },
    },
    CutHollowSphere => Category::Primitive, "Spherical shell with everything above y = cut_height removed: a bowl opening to +Y." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius." },
        cut_height: f32 => FieldInfo { name: "cut_height", ty: FieldType::F32, default: DefaultValue::F32(0.2), unit: Unit::Length, rule: Rule::Any, doc: "Height of the cutting plane (between -radius and radius)." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.05), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half of the wall thickness (the wall reaches thickness either side of radius)." },
    },
    DeathStar => Category::Primitive, "Sphere ra with a spherical bite of radius rb whose centre is d away along X." {
        ra: f32 => FieldInfo { name: "ra", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the main sphere." },
        rb: f32 => FieldInfo { name: "rb", ty: FieldType::F32, default: DefaultValue::F32(0.35), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the sphere carved out of it." },
        d: f32 => FieldInfo { name: "d", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Any, doc: "X coordinate of the centre of the carved sphere." },
    },
    SolidAngle => Category::Primitive, "Spherical sector (ice-cream cone) of half-angle angle around +Y, radius radius." {
        angle: f32 => FieldInfo { name: "angle", ty: FieldType::F32, default: DefaultValue::F32(0.6), unit: Unit::Angle, rule: Rule::Range(0.0, PI), doc: "Half-angle of the cone around +Y, in radians (pi = whole ball)." },
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the ball the sector is cut from." },
    },
    Rhombus => Category::Primitive, "Rhombus with half-diagonals la (X) and lb (Z), grown by round_radius, extruded half_height either side along Y." {
        la: f32 => FieldInfo { name: "la", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-diagonal along X." },
        lb: f32 => FieldInfo { name: "lb", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-diagonal along Z." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
        round_radius: f32 => FieldInfo { name: "round_radius", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Rounding radius of the edges." },
    },
    Horseshoe => Category::Primitive, "Horseshoe in XY opening towards +Y: an arc of radius with straight legs, a bar of half-width width, extruded thickness either side along Z." {
        angle: f32 => FieldInfo { name: "angle", ty: FieldType::F32, default: DefaultValue::F32(1.2), unit: Unit::Angle, rule: Rule::Range(0.0, PI), doc: "Angle from +Y where the arc ends and the legs start, in radians." },
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the arc (centre line of the bar)." },
        half_length: f32 => FieldInfo { name: "half_length", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Length of the straight legs." },
        width: f32 => FieldInfo { name: "width", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-width of the bar in the XY plane." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half of the extrusion depth along Z." },
    },
    Vesica => Category::Primitive, "Lens revolved around Y: the overlap of two spheres of radius whose centres sit half_dist either side of the axis." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the two spheres." },
        half_dist: f32 => FieldInfo { name: "half_dist", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::Any, doc: "Distance of each sphere centre from the axis (0 = a sphere; >= radius = empty)." },
    },
    InfiniteCylinder => Category::Primitive, "Infinite cylinder along Y." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius." },
    },
    InfiniteCone => Category::Primitive, "Infinite cone with apex at the origin opening towards -Y, half-angle angle from the axis." {
        angle: f32 => FieldInfo { name: "angle", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Angle, rule: Rule::Range(0.0, FRAC_PI_2), doc: "Half-angle from the -Y axis, in radians." },
    },
    Gyroid => Category::Lattice, "Gyroid triply periodic surface f(scale p) = 0 thickened to the shell |f| / scale <= thickness: a lattice that fills space." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(6.0), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.05), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    MetricBall => Category::Primitive, "Ball under a blended metric: weights of the L1, L2 and L-infinity norms." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius under the blended metric." },
        w_l1: f32 => FieldInfo { name: "w_l1", ty: FieldType::F32, default: DefaultValue::F32(0.0), unit: Unit::Factor, rule: Rule::NonNegative, doc: "Weight of the L1 norm |x|+|y|+|z| (an octahedron)." },
        w_l2: f32 => FieldInfo { name: "w_l2", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::Factor, rule: Rule::NonNegative, doc: "Weight of the Euclidean norm (a sphere)." },
        w_linf: f32 => FieldInfo { name: "w_linf", ty: FieldType::F32, default: DefaultValue::F32(0.0), unit: Unit::Factor, rule: Rule::NonNegative, doc: "Weight of the max norm (a cube)." },
    },
    MetricBlend => Category::Primitive, "Blends inner into outer through a transition skin around a sphere (center, radius)." {
        inner: Box<Node> => FieldInfo { name: "inner", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Shape used within radius of center." },
        outer: Box<Node> => FieldInfo { name: "outer", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Shape used beyond radius + skin of center." },
        center: [f32; 3] => FieldInfo { name: "center", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.0, 0.0, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Centre of the blending sphere." },
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius within which the inner shape is used unchanged." },
        skin: f32 => FieldInfo { name: "skin", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Width of the transition shell (0 = hard switch)." },
    },
    Heart => Category::Primitive, "Heart revolved around Y: point at y = size/2, lobes up to about y = 1.6 * size (the origin lies below it)." {
        size: f32 => FieldInfo { name: "size", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Scale: the heart is about 1.1 * size tall." },
    },
    Tube => Category::Primitive, "Pipe along Y: a wall of thickness either side of the radius outer_radius." {
        outer_radius: f32 => FieldInfo { name: "outer_radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the middle of the wall." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half of the wall thickness." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
    },
    Barrel => Category::Primitive, "Cylinder along Y whose side bulges outward by bulge at mid-height." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
        bulge: f32 => FieldInfo { name: "bulge", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::Any, doc: "Extra radius at mid-height (negative pinches the waist)." },
    },
    Diamond => Category::Primitive, "Two cones base to base along Y: radius at y = 0, tips at y = +-half_height." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the girdle (at y = 0)." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Height of each tip above/below the girdle." },
    },
    ChamferedCube => Category::Primitive, "Box whose 8 corners are cut off by planes (|x|+|y|+|z| <= sum(half_extents) - chamfer)." {
        half_extents: [f32; 3] => FieldInfo { name: "half_extents", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.5, 0.5, 0.5]), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the size along each axis." },
        chamfer: f32 => FieldInfo { name: "chamfer", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Length cut off each edge at every corner." },
    },
    SchwarzP => Category::Lattice, "Schwarz P triply periodic surface f(scale p) = 0 thickened to the shell |f| / scale <= thickness: a lattice that fills space." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    Superellipsoid => Category::Primitive, "Superellipsoid: e1 shapes the profile along Y, e2 the cross-section (1 = ellipsoid)." {
        half_extents: [f32; 3] => FieldInfo { name: "half_extents", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.5, 0.5, 0.5]), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the size along each axis." },
        e1: f32 => FieldInfo { name: "e1", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Factor, rule: Rule::Positive, doc: "Exponent of the profile along Y (1 = round, towards 0 = square, 2 = diamond)." },
        e2: f32 => FieldInfo { name: "e2", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Factor, rule: Rule::Positive, doc: "Exponent of the cross-section in XZ (1 = round, towards 0 = square, 2 = diamond)." },
    },
    RoundedX => Category::Primitive, "X-shaped cross in XZ, its arms reaching |x| + |z| = width, stroked with radius round_radius; extruded along Y." {
        width: f32 => FieldInfo { name: "width", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Reach of the arms, measured as |x| + |z| on the centre lines." },
        round_radius: f32 => FieldInfo { name: "round_radius", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Radius of the arms' stroke." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Y." },
    },
    Pie => Category::Primitive, "Disc sector in XZ opening around +Z with half-angle angle; extruded along Y." {
        angle: f32 => FieldInfo { name: "angle", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::Angle, rule: Rule::Range(0.0, PI), doc: "Half opening angle in radians." },
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the disc." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Y." },
    },
    Trapezoid => Category::Primitive, "Isosceles trapezoid in XY: half-width r1 at y = -trap_height and r2 at y = +trap_height; extruded along Z." {
        r1: f32 => FieldInfo { name: "r1", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-width of the bottom edge." },
        r2: f32 => FieldInfo { name: "r2", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-width of the top edge." },
        trap_height: f32 => FieldInfo { name: "trap_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the trapezoid's height along Y." },
        half_depth: f32 => FieldInfo { name: "half_depth", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion depth along Z." },
    },
    Parallelogram => Category::Primitive, "Parallelogram in XY: half-width width, half-height para_height, top edge shifted by +skew and bottom edge by -skew; extruded along Z." {
        width: f32 => FieldInfo { name: "width", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-width along X." },
        para_height: f32 => FieldInfo { name: "para_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-height along Y." },
        skew: f32 => FieldInfo { name: "skew", ty: FieldType::F32, default: DefaultValue::F32(0.2), unit: Unit::Length, rule: Rule::Any, doc: "Shift along X of the top edge (the bottom edge shifts the other way)." },
        half_depth: f32 => FieldInfo { name: "half_depth", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion depth along Z." },
    },
    Tunnel => Category::Primitive, "Arch in XY: the rectangle |x| <= width, |y| <= height_2d topped by a half-disc of radius width; extruded along Z." {
        width: f32 => FieldInfo { name: "width", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-width of the arch, also the radius of its top." },
        height_2d: f32 => FieldInfo { name: "height_2d", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-height of the rectangular part." },
        half_depth: f32 => FieldInfo { name: "half_depth", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion depth along Z." },
    },
    UnevenCapsule => Category::Primitive, "2-D capsule in XY: a disc of r1 at the origin and a disc of r2 at y = 2 cap_height joined by their tangents (not centred); extruded along Z." {
        r1: f32 => FieldInfo { name: "r1", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the bottom disc (at the origin)." },
        r2: f32 => FieldInfo { name: "r2", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the top disc." },
        cap_height: f32 => FieldInfo { name: "cap_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half the distance between the two disc centres." },
        half_depth: f32 => FieldInfo { name: "half_depth", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion depth along Z." },
    },
    Egg => Category::Primitive, "Egg revolved around Y: a sphere of ra at the bottom (centre at the origin) and a tip of radius rb at y = sqrt(3) * (ra - rb)." {
        ra: f32 => FieldInfo { name: "ra", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the large (bottom) end." },
        rb: f32 => FieldInfo { name: "rb", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the small (top) end (at most ra)." },
    },
    ArcShape => Category::Primitive, "Ring arc in XZ: centre-line radius radius, half-thickness thickness, half-angle aperture around +Z, round ends; extruded along Y." {
        aperture: f32 => FieldInfo { name: "aperture", ty: FieldType::F32, default: DefaultValue::F32(1.5), unit: Unit::Angle, rule: Rule::Range(0.0, PI), doc: "Half opening angle in radians." },
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the arc's centre line." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the arc." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Y." },
    },
    Moon => Category::Primitive, "Disc of ra in XZ minus the discs of rb centred at x = +d and x = -d (ALICE-SDF folds |x| first, so both sides are cut); extruded along Y." {
        d: f32 => FieldInfo { name: "d", ty: FieldType::F32, default: DefaultValue::F32(0.3), unit: Unit::Length, rule: Rule::Any, doc: "Distance along X from the centre to the cutting discs." },
        ra: f32 => FieldInfo { name: "ra", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the outer disc." },
        rb: f32 => FieldInfo { name: "rb", ty: FieldType::F32, default: DefaultValue::F32(0.4), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the cutting discs." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Y." },
    },
    CrossShape => Category::Primitive, "Plus sign in XZ: union of a length x thickness and a thickness x length rectangle (half-sizes), grown by round_radius; extruded along Y." {
        length: f32 => FieldInfo { name: "length", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-length of the arms." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-width of the arms." },
        round_radius: f32 => FieldInfo { name: "round_radius", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Outward rounding added around the cross." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Y." },
    },
    BlobbyCross => Category::Primitive, "Soft four-armed cross in XZ (Inigo Quilez's blobby cross) with arms reaching ±size; extruded along Y." {
        size: f32 => FieldInfo { name: "size", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Reach of the arms along X and Z." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Y." },
    },
    ParabolaSegment => Category::Primitive, "Parabolic arch in XY between y = 0 and y = para_height (1 - (x/width)^2); extruded along Z." {
        width: f32 => FieldInfo { name: "width", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half-width of the base." },
        para_height: f32 => FieldInfo { name: "para_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Height of the apex above the base." },
        half_depth: f32 => FieldInfo { name: "half_depth", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion depth along Z." },
    },
    RegularPolygon => Category::Primitive, "Regular polygon in XZ with floor(n_sides) sides, circumradius radius and a vertex on +Z; extruded along Y." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Circumradius: centre to vertex." },
        n_sides: f32 => FieldInfo { name: "n_sides", ty: FieldType::F32, default: DefaultValue::F32(6.0), unit: Unit::Count, rule: Rule::AtLeast(3.0), doc: "Number of sides (truncated to a whole number)." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Y." },
    },
    StarPolygon => Category::Primitive, "Star in XZ with n_points points at radius radius (one on +Z) and inner vertices at radius m; extruded along Y." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the points." },
        n_points: f32 => FieldInfo { name: "n_points", ty: FieldType::F32, default: DefaultValue::F32(5.0), unit: Unit::Count, rule: Rule::AtLeast(3.0), doc: "Number of points (a fraction leaves the last point cut short)." },
        m: f32 => FieldInfo { name: "m", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::NonNegative, doc: "Radius of the inner vertices." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Y." },
    },
    Stairs => Category::Primitive, "Staircase in XY: floor(n_steps) steps rising towards +X, step i filling x in [i, i+1] step_width and y in [0, (i+1) step_height], centred; extruded along Z." {
        step_width: f32 => FieldInfo { name: "step_width", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::Positive, doc: "Width of each step along X." },
        step_height: f32 => FieldInfo { name: "step_height", ty: FieldType::F32, default: DefaultValue::F32(0.25), unit: Unit::Length, rule: Rule::Positive, doc: "Height of each step along Y." },
        n_steps: f32 => FieldInfo { name: "n_steps", ty: FieldType::F32, default: DefaultValue::F32(4.0), unit: Unit::Count, rule: Rule::AtLeast(1.0), doc: "Number of steps (truncated; the centring uses the value as given)." },
        half_depth: f32 => FieldInfo { name: "half_depth", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion depth along Z." },
    },
    Helix => Category::Primitive, "Coil around Y: a tube of minor_r on a helix of major_r and pitch, cut to half_height." {
        major_r: f32 => FieldInfo { name: "major_r", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the coil (centre line of the wire)." },
        minor_r: f32 => FieldInfo { name: "minor_r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the wire." },
        pitch: f32 => FieldInfo { name: "pitch", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Rise along Y per full turn." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
    },
    Tetrahedron => Category::Primitive, "Regular tetrahedron with inradius size, its faces facing (1,1,1), (-1,-1,1), (-1,1,-1) and (1,-1,-1)." {
        size: f32 => FieldInfo { name: "size", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Distance from the centre to each face." },
    },
    Dodecahedron => Category::Primitive, "Regular dodecahedron with inradius radius (face normals: cyclic permutations of (0, ±φ, ±1))." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Distance from the centre to each face." },
    },
    Icosahedron => Category::Primitive, "ALICE-SDF's icosahedron: the octahedron planes and the (0, ±1, ±φ) planes at distance radius (close to, not exactly, a regular icosahedron)." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Distance from the centre to each face." },
    },
    TruncatedOctahedron => Category::Primitive, "Truncated octahedron: the cube planes and the octahedron planes, all at distance radius from the centre." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Distance from the centre to each face." },
    },
    TruncatedIcosahedron => Category::Primitive, "Football-like solid: the octahedron planes and both icosahedral plane families, all at distance radius from the centre." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Distance from the centre to each face." },
    },
    BoxFrame => Category::Primitive, "Wireframe of a box: its 12 edges as bars of thickness edge." {
        half_extents: [f32; 3] => FieldInfo { name: "half_extents", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.5, 0.5, 0.5]), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the outer size along each axis." },
        edge: f32 => FieldInfo { name: "edge", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::Positive, doc: "Thickness of each bar (bars run from half_extents - 2*edge to half_extents)." },
    },
    DiamondSurface => Category::Lattice, "Schwarz diamond (D) triply periodic surface f(scale p) = 0 thickened to the shell |f| / scale <= thickness: a lattice that fills space." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    Neovius => Category::Lattice, "Neovius triply periodic surface f(scale p) = 0 thickened to the shell |f| / scale <= thickness: a lattice that fills space." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    Lidinoid => Category::Lattice, "Lidinoid triply periodic surface f(scale p) = 0 thickened to the shell |f| / scale <= thickness: a lattice that fills space." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    IWP => Category::Lattice, "Schoen I-WP triply periodic surface f(scale p) = 0 thickened to the shell |f| / scale <= thickness: a lattice that fills space." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    FRD => Category::Lattice, "ALICE-SDF's F-RD: the Fischer-Koch S level set without its offset, f(scale p) = 0, thickened to the shell |f| / scale <= thickness." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    FischerKochS => Category::Lattice, "Fischer-Koch S triply periodic surface f(scale p) = 0 thickened to the shell |f| / scale <= thickness: a lattice that fills space." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    PMY => Category::Lattice, "PMY triply periodic surface f(scale p) = 0 thickened to the shell |f| / scale <= thickness: a lattice that fills space." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Positive, doc: "Angular frequency: the pattern repeats every 2π/scale." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-thickness of the shell, measured as |f| / scale." },
    },
    Circle2D => Category::Extruded2d, "Disc in XY extruded along Z." {
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the disc." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Z." },
    },
    Rect2D => Category::Extruded2d, "Rectangle in XY extruded along Z." {
        half_extents: [f32; 2] => FieldInfo { name: "half_extents", ty: FieldType::Vec2, default: DefaultValue::Vec2([0.5, 0.5]), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the size along X and Y." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Z." },
    },
    Segment2D => Category::Extruded2d, "Segment from a to b in XY thickened by thickness (a 2-D capsule), extruded along Z." {
        a: [f32; 2] => FieldInfo { name: "a", ty: FieldType::Vec2, default: DefaultValue::Vec2([-0.5, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "First end point [x, y]." },
        b: [f32; 2] => FieldInfo { name: "b", ty: FieldType::Vec2, default: DefaultValue::Vec2([0.5, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Second end point [x, y]." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Radius around the segment." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Z." },
    },
    Polygon2D => Category::Extruded2d, "Polygon through vertices (in order, even-odd rule) in XY, extruded along Z; fewer than 3 vertices is empty." {
        vertices: Vec<[f32; 2]> => FieldInfo { name: "vertices", ty: FieldType::Vec2List, default: DefaultValue::Vec2List(&[[-0.5, -0.5], [0.5, -0.5], [0.0, 0.5]]), unit: Unit::Length, rule: Rule::Any, doc: "Vertices [x, y] in order." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Z." },
    },
    RoundedRect2D => Category::Extruded2d, "Rectangle in XY with outer half-sizes half_extents and corners rounded by round_radius, extruded along Z." {
        half_extents: [f32; 2] => FieldInfo { name: "half_extents", ty: FieldType::Vec2, default: DefaultValue::Vec2([0.5, 0.5]), unit: Unit::Length, rule: Rule::Positive, doc: "Outer half-size along X and Y." },
        round_radius: f32 => FieldInfo { name: "round_radius", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Radius of the corners." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Z." },
    },
    Annular2D => Category::Extruded2d, "Ring in XY covering radii outer_radius ± thickness, extruded along Z." {
        outer_radius: f32 => FieldInfo { name: "outer_radius", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Radius of the ring's centre line." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-width of the ring." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the extrusion along Z." },
    },
    Union => Category::Operation, "Everything in a or b; or, n-ary, in any of children (give either a and b, or children)." {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        a: Option<Box<Node>> => FieldInfo { name: "a", ty: FieldType::OptionalNode, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand (binary form)." },
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<Box<Node>> => FieldInfo { name: "b", ty: FieldType::OptionalNode, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand (binary form)." },
        #[serde(default, skip_serializing_if = "Option::is_none")]
        children: Option<Vec<Node>> => FieldInfo { name: "children", ty: FieldType::NodeList, default: DefaultValue::Empty, unit: Unit::None, rule: Rule::Any, doc: "Operands (n-ary form, at least one)." },
    },
    Intersection => Category::Operation, "Only what is in both a and b." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Subtraction => Category::Operation, "a with b carved out." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    SmoothUnion => Category::Operation, "Union with a smooth blend of width k." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        k: f32 => FieldInfo { name: "k", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Blend width." },
    },
    SmoothIntersection => Category::Operation, "Intersection with a smooth blend of width k." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        k: f32 => FieldInfo { name: "k", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Blend width." },
    },
    SmoothSubtraction => Category::Operation, "Subtraction with a smooth fillet of width k." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        k: f32 => FieldInfo { name: "k", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Blend width." },
    },
    ChamferUnion => Category::Operation, "Union with a 45-degree chamfer of size r at the seam." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
    },
    ChamferIntersection => Category::Operation, "Intersection with a chamfered edge of size r." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
    },
    ChamferSubtraction => Category::Operation, "Subtraction with a chamfered edge of size r." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
    },
    StairsUnion => Category::Operation, "Union whose seam is a staircase of n steps over r." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
        n: f32 => FieldInfo { name: "n", ty: FieldType::F32, default: DefaultValue::F32(4.0), unit: Unit::Count, rule: Rule::AtLeast(1.0), doc: "Number of steps or columns." },
    },
    StairsIntersection => Category::Operation, "Intersection whose edge is a staircase of n steps over r." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
        n: f32 => FieldInfo { name: "n", ty: FieldType::F32, default: DefaultValue::F32(4.0), unit: Unit::Count, rule: Rule::AtLeast(1.0), doc: "Number of steps or columns." },
    },
    StairsSubtraction => Category::Operation, "Subtraction whose edge is a staircase of n steps over r." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
        n: f32 => FieldInfo { name: "n", ty: FieldType::F32, default: DefaultValue::F32(4.0), unit: Unit::Count, rule: Rule::AtLeast(1.0), doc: "Number of steps or columns." },
    },
    XOR => Category::Operation, "What is in exactly one of a and b." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Morph => Category::Operation, "Linear interpolation between a (t = 0) and b (t = 1)." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        t: f32 => FieldInfo { name: "t", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Factor, rule: Rule::Any, doc: "Blend parameter, 0 = a, 1 = b." },
    },
    ColumnsUnion => Category::Operation, "Union whose seam is a bevel of size r studded with round columns (hg_sdf)." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
        n: f32 => FieldInfo { name: "n", ty: FieldType::F32, default: DefaultValue::F32(4.0), unit: Unit::Count, rule: Rule::AtLeast(1.0), doc: "Number of steps or columns." },
    },
    ColumnsIntersection => Category::Operation, "Intersection whose edge is a bevel of size r with round columns (hg_sdf)." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
        n: f32 => FieldInfo { name: "n", ty: FieldType::F32, default: DefaultValue::F32(4.0), unit: Unit::Count, rule: Rule::AtLeast(1.0), doc: "Number of steps or columns." },
    },
    ColumnsSubtraction => Category::Operation, "Subtraction whose edge is a bevel of size r with round columns (hg_sdf)." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
        n: f32 => FieldInfo { name: "n", ty: FieldType::F32, default: DefaultValue::F32(4.0), unit: Unit::Count, rule: Rule::AtLeast(1.0), doc: "Number of steps or columns." },
    },
    Pipe => Category::Operation, "A tube of radius r around the curve where the surfaces of a and b meet." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
    },
    Engrave => Category::Operation, "b engraved into the surface of a by depth r." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        r: f32 => FieldInfo { name: "r", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Size of the seam feature." },
    },
    Groove => Category::Operation, "A square groove of depth ra and half-width rb cut into a along the surface of b." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        ra: f32 => FieldInfo { name: "ra", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Depth of the groove." },
        rb: f32 => FieldInfo { name: "rb", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-width of the groove, measured by b's distance." },
    },
    Tongue => Category::Operation, "A square ridge of height ra and half-width rb raised on a along the surface of b." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        ra: f32 => FieldInfo { name: "ra", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Height of the ridge." },
        rb: f32 => FieldInfo { name: "rb", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half-width of the ridge, measured by b's distance." },
    },
    ExpSmoothUnion => Category::Operation, "Union blended with an exponential smooth minimum of sharpness k." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        k: f32 => FieldInfo { name: "k", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Blend width." },
    },
    ExpSmoothIntersection => Category::Operation, "Intersection blended with an exponential smooth maximum." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        k: f32 => FieldInfo { name: "k", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Blend width." },
    },
    ExpSmoothSubtraction => Category::Operation, "Subtraction blended with an exponential smooth maximum." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
        k: f32 => FieldInfo { name: "k", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::NonNegative, doc: "Blend width." },
    },
    Translate => Category::Transform, "Moves child by offset." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        offset: [f32; 3] => FieldInfo { name: "offset", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.0, 0.0, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Offset." },
    },
    Rotate => Category::Transform, "Rotates child by a quaternion [x, y, z, w] (normalised)." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        rotation: [f32; 4] => FieldInfo { name: "rotation", ty: FieldType::Quat, default: DefaultValue::Quat([0.0, 0.0, 0.0, 1.0]), unit: Unit::None, rule: Rule::NonZero, doc: "Unit quaternion [x, y, z, w]." },
    },
    Scale => Category::Transform, "Scales child uniformly by factor." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        factor: f32 => FieldInfo { name: "factor", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::Factor, rule: Rule::Positive, doc: "Uniform scale factor (> 0)." },
    },
    ScaleNonUniform => Category::Transform, "Scales child per axis (distance is a bound, not exact)." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        factors: [f32; 3] => FieldInfo { name: "factors", ty: FieldType::Vec3, default: DefaultValue::Vec3([1.0, 1.0, 1.0]), unit: Unit::Factor, rule: Rule::Positive, doc: "Scale factor per axis (> 0)." },
    },
    ProjectiveTransform => Category::Transform, "Views child through a 4x4 projective map (inv_matrix, column-major); the distance is scaled by |w| over the map's stretch, a bound." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        inv_matrix: [f32; 16] => FieldInfo { name: "inv_matrix", ty: FieldType::Mat4, default: DefaultValue::Mat4(IDENTITY4), unit: Unit::None, rule: Rule::Any, doc: "World-to-child projective matrix, column-major." },
        lipschitz_bound: f32 => FieldInfo { name: "lipschitz_bound", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::Factor, rule: Rule::Positive, doc: "Cap on the factor the child's distance is multiplied by." },
    },
    LatticeDeform => Category::Transform, "Cubic Bernstein free-form deformation over the box, as ALICE-SDF: (nx+1)(ny+1)(nz+1) control points, z fastest; the point inside the box is mapped to the blend of the points, outside it is unchanged." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        control_points: Vec<[f32; 3]> => FieldInfo { name: "control_points", ty: FieldType::Vec3List, default: DefaultValue::Vec3List(&LATTICE4), unit: Unit::Length, rule: Rule::Any, doc: "Absolute positions, (nx+1)(ny+1)(nz+1) of them, index (i (ny+1) + j) (nz+1) + k; evenly spaced with nx = ny = nz = 3 is the identity." },
        nx: u32 => FieldInfo { name: "nx", ty: FieldType::U32, default: DefaultValue::U32(3), unit: Unit::Count, rule: Rule::Range(1.0, 16.0), doc: "Lattice cells along x (nx+1 points; only the first four weigh in)." },
        ny: u32 => FieldInfo { name: "ny", ty: FieldType::U32, default: DefaultValue::U32(3), unit: Unit::Count, rule: Rule::Range(1.0, 16.0), doc: "Lattice cells along y (ny+1 points; only the first four weigh in)." },
        nz: u32 => FieldInfo { name: "nz", ty: FieldType::U32, default: DefaultValue::U32(3), unit: Unit::Count, rule: Rule::Range(1.0, 16.0), doc: "Lattice cells along z (nz+1 points; only the first four weigh in)." },
        bbox_min: [f32; 3] => FieldInfo { name: "bbox_min", ty: FieldType::Vec3, default: DefaultValue::Vec3([-1.0, -1.0, -1.0]), unit: Unit::Length, rule: Rule::Any, doc: "Lower corner of the lattice box." },
        bbox_max: [f32; 3] => FieldInfo { name: "bbox_max", ty: FieldType::Vec3, default: DefaultValue::Vec3([1.0, 1.0, 1.0]), unit: Unit::Length, rule: Rule::Any, doc: "Upper corner of the lattice box." },
    },
    SdfSkinning => Category::Transform, "Linear blend skinning: the point is moved to the rest pose by weighted bone matrices." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        bones: Vec<Bone> => FieldInfo { name: "bones", ty: FieldType::Bones, default: DefaultValue::Bones, unit: Unit::None, rule: Rule::Any, doc: "Bones: inv_bind_pose * current_pose maps the point, weighted by weight." },
    },
    Twist => Category::Modifier, "Twists child around Y by strength radians per unit height." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        strength: f32 => FieldInfo { name: "strength", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::None, rule: Rule::Any, doc: "Twist in radians per unit of height." },
    },
    Bend => Category::Modifier, "Bends child in the XY plane: the point is rotated by curvature * x radians." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        curvature: f32 => FieldInfo { name: "curvature", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Frequency, rule: Rule::Any, doc: "Bend in radians per unit of x." },
    },
    RepeatInfinite => Category::Modifier, "Repeats child on an infinite grid of the given spacing." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        spacing: [f32; 3] => FieldInfo { name: "spacing", ty: FieldType::Vec3, default: DefaultValue::Vec3([2.0, 2.0, 2.0]), unit: Unit::Length, rule: Rule::Positive, doc: "Distance between copies along each axis." },
    },
    RepeatFinite => Category::Modifier, "Repeats child on a grid of spacing, cell index clamped to +-count/2 per axis." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        count: [u32; 3] => FieldInfo { name: "count", ty: FieldType::U32x3, default: DefaultValue::U32x3([2, 2, 2]), unit: Unit::Count, rule: Rule::Any, doc: "Copies per axis (the cell index is clamped to +-count/2)." },
        spacing: [f32; 3] => FieldInfo { name: "spacing", ty: FieldType::Vec3, default: DefaultValue::Vec3([2.0, 2.0, 2.0]), unit: Unit::Length, rule: Rule::Positive, doc: "Distance between copies along each axis." },
    },
    Noise => Category::Modifier, "Displaces the surface of child by smooth value noise." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        amplitude: f32 => FieldInfo { name: "amplitude", ty: FieldType::F32, default: DefaultValue::F32(0.05), unit: Unit::Length, rule: Rule::Any, doc: "Largest displacement." },
        frequency: f32 => FieldInfo { name: "frequency", ty: FieldType::F32, default: DefaultValue::F32(4.0), unit: Unit::Frequency, rule: Rule::Positive, doc: "Noise cells per unit length." },
        seed: u32 => FieldInfo { name: "seed", ty: FieldType::U32, default: DefaultValue::U32(0), unit: Unit::None, rule: Rule::Any, doc: "Selects another noise pattern." },
    },
    Round => Category::Modifier, "Rounds child by growing it by radius." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        radius: f32 => FieldInfo { name: "radius", ty: FieldType::F32, default: DefaultValue::F32(0.05), unit: Unit::Length, rule: Rule::Positive, doc: "How far the surface grows." },
    },
    Onion => Category::Modifier, "Turns child into a shell of the given thickness." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        thickness: f32 => FieldInfo { name: "thickness", ty: FieldType::F32, default: DefaultValue::F32(0.05), unit: Unit::Length, rule: Rule::NonNegative, doc: "Wall or shell thickness." },
    },
    Elongate => Category::Modifier, "Stretches child by inserting amount along each axis at the origin." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        amount: [f32; 3] => FieldInfo { name: "amount", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.2, 0.0, 0.0]), unit: Unit::Length, rule: Rule::NonNegative, doc: "Half of the length inserted along each axis." },
    },
    Mirror => Category::Modifier, "Mirrors child across the planes whose axis component is non-zero." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        axes: [f32; 3] => FieldInfo { name: "axes", ty: FieldType::Vec3, default: DefaultValue::Vec3([1.0, 0.0, 0.0]), unit: Unit::None, rule: Rule::Any, doc: "Non-zero components name the mirrored axes." },
    },
    Revolution => Category::Modifier, "Revolves the XY cross-section of child around Y, at offset from the axis." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        offset: f32 => FieldInfo { name: "offset", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::NonNegative, doc: "Distance of the cross-section's origin from the Y axis." },
    },
    Extrude => Category::Modifier, "Extrudes the XY cross-section (z = 0) of child along Z by half_height." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        half_height: f32 => FieldInfo { name: "half_height", ty: FieldType::F32, default: DefaultValue::F32(0.5), unit: Unit::Length, rule: Rule::Positive, doc: "Half of the height along the main axis." },
    },
    SweepBezier => Category::Modifier, "Sweeps the XY-profile of child along a quadratic Bezier in the XZ plane." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        p0: [f32; 2] => FieldInfo { name: "p0", ty: FieldType::Vec2, default: DefaultValue::Vec2([-1.0, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Start of the path (x, z)." },
        p1: [f32; 2] => FieldInfo { name: "p1", ty: FieldType::Vec2, default: DefaultValue::Vec2([0.0, 1.0]), unit: Unit::Length, rule: Rule::Any, doc: "Control point of the path (x, z)." },
        p2: [f32; 2] => FieldInfo { name: "p2", ty: FieldType::Vec2, default: DefaultValue::Vec2([1.0, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "End of the path (x, z)." },
    },
    Taper => Category::Modifier, "Narrows child along Y: scale 1 - factor*y." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        factor: f32 => FieldInfo { name: "factor", ty: FieldType::F32, default: DefaultValue::F32(0.3), unit: Unit::Factor, rule: Rule::Any, doc: "Narrowing per unit of y (the XZ scale is 1 - factor*y)." },
        #[serde(default)]
        reach: TaperReach => FieldInfo { name: "reach", ty: FieldType::Reach, default: DefaultValue::Reach, unit: Unit::None, rule: Rule::Any, doc: "[r_xz, r_y] extent of the child, or null when unknown; only sharpens the distance." },
    },
    Displacement => Category::Modifier, "Adds a sin(5x)sin(5y)sin(5z) ripple of strength to child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        strength: f32 => FieldInfo { name: "strength", ty: FieldType::F32, default: DefaultValue::F32(0.05), unit: Unit::None, rule: Rule::Any, doc: "Amplitude of the ripple." },
    },
    SineDisplacement => Category::Modifier, "Adds amplitude*sin(f.x x)sin(f.y y)sin(f.z z) to child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        amplitude: f32 => FieldInfo { name: "amplitude", ty: FieldType::F32, default: DefaultValue::F32(0.05), unit: Unit::Length, rule: Rule::Any, doc: "Amplitude of the ripple." },
        frequency: [f32; 3] => FieldInfo { name: "frequency", ty: FieldType::Vec3, default: DefaultValue::Vec3([5.0, 5.0, 5.0]), unit: Unit::Frequency, rule: Rule::Any, doc: "Angular frequency along each axis." },
    },
    PolarRepeat => Category::Modifier, "Repeats child count times around the Y axis." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        count: u32 => FieldInfo { name: "count", ty: FieldType::U32, default: DefaultValue::U32(6), unit: Unit::Count, rule: Rule::AtLeast(1.0), doc: "Number of copies around the axis." },
    },
    OctantMirror => Category::Modifier, "Mirrors child into the 48 symmetric wedges of the cube (|p| sorted x >= y >= z)." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
    },
    Shear => Category::Modifier, "Shears child: its y grows by shear.x*x, its z by shear.y*x + shear.z*y." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        shear: [f32; 3] => FieldInfo { name: "shear", ty: FieldType::Vec3, default: DefaultValue::Vec3([0.2, 0.0, 0.0]), unit: Unit::Factor, rule: Rule::Any, doc: "[y per x, z per x, z per y]." },
    },
    Animated => Category::Modifier, "Time-driven bob of child (static here: evaluated at t = 0)." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        speed: f32 => FieldInfo { name: "speed", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::Frequency, rule: Rule::Any, doc: "Animation speed (unused at t = 0)." },
        amplitude: f32 => FieldInfo { name: "amplitude", ty: FieldType::F32, default: DefaultValue::F32(0.1), unit: Unit::Length, rule: Rule::Any, doc: "Animation amplitude (unused at t = 0)." },
    },
    WithMaterial => Category::Modifier, "Tags child with a material id; the distance is unchanged." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        material_id: u32 => FieldInfo { name: "material_id", ty: FieldType::U32, default: DefaultValue::U32(0), unit: Unit::None, rule: Rule::Any, doc: "Material index for shading and export." },
    },
    IcosahedralSymmetry => Category::Modifier, "Folds space by the 120 symmetries of the icosahedron around child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
    },
    IFS => Category::Modifier, "Iterated function system: iterations times, the point takes the affine map that brings it nearest the origin." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        transforms: Vec<[f32; 16]> => FieldInfo { name: "transforms", ty: FieldType::Mat4List, default: DefaultValue::Mat4List(&[SCALE_HALF4]), unit: Unit::None, rule: Rule::Any, doc: "Affine maps, column-major 4x4 (last row ignored)." },
        iterations: u32 => FieldInfo { name: "iterations", ty: FieldType::U32, default: DefaultValue::U32(3), unit: Unit::Count, rule: Rule::Range(1.0, 16.0), doc: "Number of folding rounds." },
    },
    HeightmapDisplacement => Category::Modifier, "Displaces child by a bilinear heightmap projected along the point's dominant axis (ALICE-SDF's projection)." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        heightmap: Vec<f32> => FieldInfo { name: "heightmap", ty: FieldType::F32List, default: DefaultValue::F32List(&[0.0, 0.1, 0.1, 0.0]), unit: Unit::Length, rule: Rule::Any, doc: "Samples, row-major, width per row." },
        width: u32 => FieldInfo { name: "width", ty: FieldType::U32, default: DefaultValue::U32(2), unit: Unit::None, rule: Rule::Range(2.0, 64.0), doc: "Samples per row." },
        height: u32 => FieldInfo { name: "height", ty: FieldType::U32, default: DefaultValue::U32(2), unit: Unit::None, rule: Rule::Range(2.0, 64.0), doc: "Rows." },
        amplitude: f32 => FieldInfo { name: "amplitude", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::Length, rule: Rule::Any, doc: "Displacement per unit of sample value." },
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::Length, rule: Rule::Positive, doc: "Spatial frequency: cells per unit length." },
    },
    SurfaceRoughness => Category::Modifier, "Adds fractal roughness of several octaves to child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "The shape this node changes." },
        frequency: f32 => FieldInfo { name: "frequency", ty: FieldType::F32, default: DefaultValue::F32(8.0), unit: Unit::Frequency, rule: Rule::Positive, doc: "Noise cells per unit length of the first octave." },
        amplitude: f32 => FieldInfo { name: "amplitude", ty: FieldType::F32, default: DefaultValue::F32(0.02), unit: Unit::Length, rule: Rule::Any, doc: "Largest displacement of the first octave." },
        octaves: u32 => FieldInfo { name: "octaves", ty: FieldType::U32, default: DefaultValue::U32(3), unit: Unit::Count, rule: Rule::Range(1.0, 8.0), doc: "Noise layers, each twice the frequency and half the weight." },
    },
    Terrain => Category::Primitive, "Ground below a rolling height field y = amplitude h(scale x, scale z), h a three-octave fractal sum in [-0.86, 0.86] (sines, not ALICE-SDF's hash noise: same structure, other hills)." {
        scale: f32 => FieldInfo { name: "scale", ty: FieldType::F32, default: DefaultValue::F32(1.0), unit: Unit::Frequency, rule: Rule::Positive, doc: "Spatial frequency of the first octave (radians per unit length)." },
        amplitude: f32 => FieldInfo { name: "amplitude", ty: FieldType::F32, default: DefaultValue::F32(0.3), unit: Unit::Length, rule: Rule::Any, doc: "Height scale of the field (negative flips it)." },
    },
    Const => Category::Expression, "Expression layer: a constant value." {
        value: f32 => FieldInfo { name: "value", ty: FieldType::F32, default: DefaultValue::F32(0.0), unit: Unit::None, rule: Rule::Any, doc: "The value." },
    },
    Neg => Category::Expression, "Expression layer: -child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Abs => Category::Expression, "Expression layer: |child|." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Sqrt => Category::Expression, "Expression layer: square root of child (0 below 0)." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Square => Category::Expression, "Expression layer: child squared." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Recip => Category::Expression, "Expression layer: 1 / child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Sin => Category::Expression, "Expression layer: sine of child (radians)." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Cos => Category::Expression, "Expression layer: cosine of child (radians)." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Tan => Category::Expression, "Expression layer: tangent of child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Asin => Category::Expression, "Expression layer: arcsine of child, clamped to [-1, 1]." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Acos => Category::Expression, "Expression layer: arccosine of child, clamped to [-1, 1]." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Atan => Category::Expression, "Expression layer: arctangent of child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Exp => Category::Expression, "Expression layer: e to the power child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Ln => Category::Expression, "Expression layer: natural logarithm of child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Floor => Category::Expression, "Expression layer: child rounded down." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Ceil => Category::Expression, "Expression layer: child rounded up." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Sign => Category::Expression, "Expression layer: -1, 0 or 1 by the sign of child." {
        child: Box<Node> => FieldInfo { name: "child", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Operand." },
    },
    Add => Category::Expression, "Expression layer: a + b." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Sub => Category::Expression, "Expression layer: a - b." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Mul => Category::Expression, "Expression layer: a * b." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Div => Category::Expression, "Expression layer: a / b." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Min => Category::Expression, "Expression layer: min(a, b)." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Max => Category::Expression, "Expression layer: max(a, b)." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Mod => Category::Expression, "Expression layer: a mod b (GLSL mod: sign of b)." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
    Atan2 => Category::Expression, "Expression layer: atan2(a, b): the angle of the vector (b, a)." {
        a: Box<Node> => FieldInfo { name: "a", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "First operand." },
        b: Box<Node> => FieldInfo { name: "b", ty: FieldType::Node, default: DefaultValue::Node, unit: Unit::None, rule: Rule::Any, doc: "Second operand." },
    },
}

/// Looks up the catalog entry of a kind by its JSON name.
pub fn kind_info(name: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.name == name)
}

impl Node {
    /// Direct children, in field order.
    pub fn children(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        self.each_child(&mut |c| out.push(c));
        out
    }

    /// Number of nodes in this tree (iterative: safe on any depth).
    pub fn node_count(&self) -> usize {
        let mut count = 0;
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            count += 1;
            n.each_child(&mut |c| stack.push(c));
        }
        count
    }

    /// Depth of this tree: 1 for a leaf (iterative: safe on any depth).
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((n, d)) = stack.pop() {
            deepest = deepest.max(d);
            n.each_child(&mut |c| stack.push((c, d + 1)));
        }
        deepest
    }
}
