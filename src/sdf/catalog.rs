//! Catalog types: what the node table says about each kind and field.
//!
//! The validator enforces [`Rule`]s, the `/v1/engine/nodes` route serialises
//! [`KindInfo`] for the editor palette and the LLM prompt, and [`Exactness`]
//! documents whether a kind's value is a true Euclidean distance.
#![warn(missing_docs)]

use serde::Serialize;
use serde::ser::SerializeStruct;

/// Where a kind sits in the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A solid shape at the origin.
    Primitive,
    /// A 2-D profile extruded along an axis (see each kind for its plane).
    Extruded2d,
    /// A triply periodic surface (lattice) filling space.
    Lattice,
    /// Combines two or more shapes.
    Operation,
    /// Moves, rotates or scales a shape.
    Transform,
    /// Deforms or repeats a shape.
    Modifier,
    /// Low-level arithmetic on coordinates.
    Expression,
}

/// The JSON type of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// A number.
    F32,
    /// A non-negative integer.
    U32,
    /// `[x, y]`
    Vec2,
    /// `[x, y, z]`
    Vec3,
    /// A quaternion `[x, y, z, w]`.
    Quat,
    /// 16 numbers: a column-major 4x4 matrix.
    Mat4,
    /// `[nx, ny, nz]` non-negative integers.
    U32x3,
    /// A child node.
    Node,
    /// A child node that may be absent.
    OptionalNode,
    /// A list of child nodes.
    NodeList,
    /// A list of numbers.
    F32List,
    /// A list of `[x, y]`.
    Vec2List,
    /// A list of `[x, y, z]`.
    Vec3List,
    /// A list of 4x4 matrices.
    Mat4List,
    /// A list of bones `{inv_bind_pose, current_pose, weight}`.
    Bones,
    /// `[r_xz, r_y]`, each a number or `null` (unknown).
    Reach,
}

/// Physical meaning of a number, for the palette and the LLM prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Scene length units (metres when exported).
    Length,
    /// Radians.
    Angle,
    /// Dimensionless multiplier or weight.
    Factor,
    /// Per unit length (or per second for animation).
    Frequency,
    /// An integer count.
    Count,
    /// No unit.
    None,
}

/// What a valid value of a field looks like (every number must also be finite).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// Any finite value.
    Any,
    /// `> 0` (every component, for vectors).
    Positive,
    /// `>= 0` (every component, for vectors).
    NonNegative,
    /// `>= n`.
    AtLeast(f32),
    /// `lo <= v <= hi`.
    Range(f32, f32),
    /// A vector with at least one non-zero component.
    NonZero,
}

impl Rule {
    /// Whether `v` satisfies the rule (vectors: checked per component, except `NonZero`).
    pub fn accepts(self, v: f32) -> bool {
        match self {
            Rule::Any | Rule::NonZero => true,
            Rule::Positive => v > 0.0,
            Rule::NonNegative => v >= 0.0,
            Rule::AtLeast(n) => v >= n,
            Rule::Range(lo, hi) => (lo..=hi).contains(&v),
        }
    }

    /// The message when a value breaks the rule.
    pub fn message(self) -> String {
        match self {
            Rule::Any => "must be a finite number".into(),
            Rule::Positive => "must be > 0".into(),
            Rule::NonNegative => "must be >= 0".into(),
            Rule::AtLeast(n) => format!("must be >= {n}"),
            Rule::Range(lo, hi) => format!("must be between {lo} and {hi}"),
            Rule::NonZero => "must not be the zero vector".into(),
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Rule", 3)?;
        let (kind, min, max) = match *self {
            Rule::Any => ("finite", None, None),
            Rule::Positive => ("positive", None, None),
            Rule::NonNegative => ("non_negative", Some(0.0), None),
            Rule::AtLeast(n) => ("at_least", Some(n), None),
            Rule::Range(lo, hi) => ("range", Some(lo), Some(hi)),
            Rule::NonZero => ("non_zero", None, None),
        };
        st.serialize_field("kind", kind)?;
        st.serialize_field("min", &min)?;
        st.serialize_field("max", &max)?;
        st.end()
    }
}

/// The palette's starting value for a field (JSON fields are required; this is
/// what an editor or generator fills in).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefaultValue {
    /// A number.
    F32(f32),
    /// An integer.
    U32(u32),
    /// A 2-vector.
    Vec2([f32; 2]),
    /// A 3-vector.
    Vec3([f32; 3]),
    /// A quaternion.
    Quat([f32; 4]),
    /// A matrix.
    Mat4([f32; 16]),
    /// Three integers.
    U32x3([u32; 3]),
    /// Numbers.
    F32List(&'static [f32]),
    /// 2-vectors.
    Vec2List(&'static [[f32; 2]]),
    /// 3-vectors.
    Vec3List(&'static [[f32; 3]]),
    /// Matrices.
    Mat4List(&'static [[f32; 16]]),
    /// One identity bone of weight 1.
    Bones,
    /// Unknown reach `[null, null]`.
    Reach,
    /// A child: the palette puts a unit sphere there.
    Node,
    /// An empty list.
    Empty,
}

impl DefaultValue {
    /// The default as JSON.
    pub fn to_json(self) -> serde_json::Value {
        use serde_json::json;
        match self {
            DefaultValue::F32(v) => json!(v),
            DefaultValue::U32(v) => json!(v),
            DefaultValue::Vec2(v) => json!(v),
            DefaultValue::Vec3(v) => json!(v),
            DefaultValue::Quat(v) => json!(v),
            DefaultValue::Mat4(v) => json!(v),
            DefaultValue::U32x3(v) => json!(v),
            DefaultValue::F32List(v) => json!(v),
            DefaultValue::Vec2List(v) => json!(v),
            DefaultValue::Vec3List(v) => json!(v),
            DefaultValue::Mat4List(v) => json!(v),
            DefaultValue::Bones => {
                json!([{"inv_bind_pose": IDENTITY4, "current_pose": IDENTITY4, "weight": 1.0}])
            }
            DefaultValue::Reach => json!([null, null]),
            DefaultValue::Node => json!({"Sphere": {"radius": 0.5}}),
            DefaultValue::Empty => json!([]),
        }
    }
}

impl Serialize for DefaultValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// One field of a node kind.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct FieldInfo {
    /// JSON name.
    pub name: &'static str,
    /// JSON type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Palette default.
    pub default: DefaultValue,
    /// Physical unit.
    pub unit: Unit,
    /// Validity rule.
    pub rule: Rule,
    /// One-line description.
    pub doc: &'static str,
}

/// One node kind.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct KindInfo {
    /// JSON name (the external tag).
    pub name: &'static str,
    /// Palette category.
    pub category: Category,
    /// One-line description.
    pub doc: &'static str,
    /// Fields, in JSON order.
    pub fields: &'static [FieldInfo],
}

impl KindInfo {
    /// A JSON instance of this kind built from the field defaults.
    pub fn example(&self) -> serde_json::Value {
        if self.fields.is_empty() {
            return serde_json::Value::String(self.name.to_string());
        }
        let mut body = serde_json::Map::new();
        for f in self.fields {
            if f.ty == FieldType::NodeList {
                body.insert(
                    f.name.into(),
                    serde_json::json!([{"Sphere": {"radius": 0.5}}, {"Box3d": {"half_extents": [0.3, 0.3, 0.3]}}]),
                );
            } else if f.ty != FieldType::OptionalNode {
                body.insert(f.name.into(), f.default.to_json());
            }
        }
        let mut outer = serde_json::Map::new();
        outer.insert(self.name.into(), serde_json::Value::Object(body));
        serde_json::Value::Object(outer)
    }
}

/// The identity matrix, column-major.
pub const IDENTITY4: [f32; 16] = [
    1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
];
/// A uniform scale by 1/2, column-major (the IFS palette default).
pub const SCALE_HALF4: [f32; 16] = [
    0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 1.0,
];
/// The undeformed cubic lattice over [-1, 1]^3: 4x4x4 evenly spaced points,
/// z fastest (ALICE-SDF's order); the identity map.
pub const LATTICE4: [[f32; 3]; 64] = [
    [-1.0, -1.0, -1.0],
    [-1.0, -1.0, -0.3333333],
    [-1.0, -1.0, 0.3333333],
    [-1.0, -1.0, 1.0],
    [-1.0, -0.3333333, -1.0],
    [-1.0, -0.3333333, -0.3333333],
    [-1.0, -0.3333333, 0.3333333],
    [-1.0, -0.3333333, 1.0],
    [-1.0, 0.3333333, -1.0],
    [-1.0, 0.3333333, -0.3333333],
    [-1.0, 0.3333333, 0.3333333],
    [-1.0, 0.3333333, 1.0],
    [-1.0, 1.0, -1.0],
    [-1.0, 1.0, -0.3333333],
    [-1.0, 1.0, 0.3333333],
    [-1.0, 1.0, 1.0],
    [-0.3333333, -1.0, -1.0],
    [-0.3333333, -1.0, -0.3333333],
    [-0.3333333, -1.0, 0.3333333],
    [-0.3333333, -1.0, 1.0],
    [-0.3333333, -0.3333333, -1.0],
    [-0.3333333, -0.3333333, -0.3333333],
    [-0.3333333, -0.3333333, 0.3333333],
    [-0.3333333, -0.3333333, 1.0],
    [-0.3333333, 0.3333333, -1.0],
    [-0.3333333, 0.3333333, -0.3333333],
    [-0.3333333, 0.3333333, 0.3333333],
    [-0.3333333, 0.3333333, 1.0],
    [-0.3333333, 1.0, -1.0],
    [-0.3333333, 1.0, -0.3333333],
    [-0.3333333, 1.0, 0.3333333],
    [-0.3333333, 1.0, 1.0],
    [0.3333333, -1.0, -1.0],
    [0.3333333, -1.0, -0.3333333],
    [0.3333333, -1.0, 0.3333333],
    [0.3333333, -1.0, 1.0],
    [0.3333333, -0.3333333, -1.0],
    [0.3333333, -0.3333333, -0.3333333],
    [0.3333333, -0.3333333, 0.3333333],
    [0.3333333, -0.3333333, 1.0],
    [0.3333333, 0.3333333, -1.0],
    [0.3333333, 0.3333333, -0.3333333],
    [0.3333333, 0.3333333, 0.3333333],
    [0.3333333, 0.3333333, 1.0],
    [0.3333333, 1.0, -1.0],
    [0.3333333, 1.0, -0.3333333],
    [0.3333333, 1.0, 0.3333333],
    [0.3333333, 1.0, 1.0],
    [1.0, -1.0, -1.0],
    [1.0, -1.0, -0.3333333],
    [1.0, -1.0, 0.3333333],
    [1.0, -1.0, 1.0],
    [1.0, -0.3333333, -1.0],
    [1.0, -0.3333333, -0.3333333],
    [1.0, -0.3333333, 0.3333333],
    [1.0, -0.3333333, 1.0],
    [1.0, 0.3333333, -1.0],
    [1.0, 0.3333333, -0.3333333],
    [1.0, 0.3333333, 0.3333333],
    [1.0, 0.3333333, 1.0],
    [1.0, 1.0, -1.0],
    [1.0, 1.0, -0.3333333],
    [1.0, 1.0, 0.3333333],
    [1.0, 1.0, 1.0],
];
