//! Validation of tree documents before they are compiled.
//!
//! Works on the parsed JSON value, not on [`Node`](super::node::Node), so that it
//! can report *every* problem with the JSON path of the node or field at fault
//! (`root.a.child.radius: must be > 0`), including unknown kinds, unknown or
//! missing fields, wrong types, non-finite numbers and broken rules from the
//! catalog, plus the tree-wide limits (node count, depth). The walk is iterative,
//! so a hostile 10,000-deep document cannot overflow the stack here, and
//! [`parse_json`] refuses nesting deeper than the depth limit before serde
//! recurses into it.
#![warn(missing_docs)]

use serde::Serialize;
use serde_json::Value;

use super::catalog::{FieldInfo, FieldType, KindInfo, Rule};
use super::node::{KINDS, kind_info};

/// Tree-wide limits; every one is a config value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most nodes a tree may have (`MAX_TREE_NODES`).
    pub max_nodes: usize,
    /// Deepest a tree may be, counting the root as 1 (`MAX_TREE_DEPTH`).
    pub max_depth: usize,
    /// Most operations the lowered expression graph may have (repeats and IFS
    /// multiply their child).
    pub max_ops: usize,
    /// Longest list field (polygon vertices, heightmap samples, lattice points).
    pub max_list_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_nodes: 1000,
            max_depth: 128,
            max_ops: 200_000,
            max_list_len: 4096,
        }
    }
}

/// One problem, located by its JSON path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathError {
    /// Where: `root`, `root.a.child.radius`, `root.children[2]`…
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Which limit or rule a document broke first; decides the API error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Nesting deeper than `MAX_TREE_DEPTH`.
    TooDeep,
    /// More nodes than `MAX_TREE_NODES`.
    TooManyNodes,
    /// Anything else: kinds, fields, types, values.
    Invalid,
}

/// The outcome of [`validate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Validation {
    /// No errors.
    pub valid: bool,
    /// Nodes seen (counting stops descending past the limits).
    pub node_count: usize,
    /// Depth seen (the root is depth 1).
    pub depth: usize,
    /// Problems, in document order, at most [`MAX_REPORTED`].
    pub errors: Vec<PathError>,
    /// The most serious problem class, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

/// At most this many errors are reported for one document.
pub const MAX_REPORTED: usize = 50;

/// Why a request body is not usable JSON.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// Nested deeper than the tree depth limit allows.
    #[error(
        "JSON nested deeper than {limit} levels (a tree may be at most {max_depth} nodes deep: MAX_TREE_DEPTH)"
    )]
    TooDeep {
        /// JSON nesting limit derived from `max_depth`.
        limit: usize,
        /// The tree depth limit.
        max_depth: usize,
    },
    /// Not JSON.
    #[error("malformed JSON: {0}")]
    Syntax(#[from] serde_json::Error),
}

/// JSON nesting a document with trees of `max_depth` legitimately needs: two
/// levels per node (`{"Kind":{"field":…}}`), list fields, the wrapper and the
/// request envelope.
pub fn json_depth_limit(max_depth: usize) -> usize {
    2 * max_depth + 8
}

/// Parses a request body, refusing nesting deeper than the tree limits allow
/// before any recursive parser sees it.
pub fn parse_json(bytes: &[u8], limits: &Limits) -> Result<Value, JsonError> {
    let limit = json_depth_limit(limits.max_depth);
    if nesting_depth(bytes) > limit {
        return Err(JsonError::TooDeep {
            limit,
            max_depth: limits.max_depth,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // Safe: nesting was bounded above, so recursion is bounded too.
    de.disable_recursion_limit();
    let v = serde::Deserialize::deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Deepest `[`/`{` nesting in a JSON text, ignoring brackets inside strings.
pub fn nesting_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &c in bytes {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The tree inside a document: the `root` of ALICE-SDF's wrapper, or the bare node.
pub fn root_of(doc: &Value) -> &Value {
    match doc {
        Value::Object(o) if o.contains_key("root") => &o["root"],
        v => v,
    }
}

/// Checks a document (wrapper or bare node) against the catalog and the limits.
pub fn validate(doc: &Value, limits: &Limits) -> Validation {
    let mut w = Walker {
        limits,
        errors: Vec::new(),
        problem: None,
        node_count: 0,
        depth: 0,
    };
    if let Value::Object(o) = doc
        && o.contains_key("root")
    {
        for (k, v) in o {
            match k.as_str() {
                "root" => {}
                "version" if v.is_string() || v.is_null() => {}
                "version" => w.error("version".into(), "must be a string".into()),
                "metadata" => {}
                other => w.error(
                    other.into(),
                    format!("unknown field `{other}` in the document wrapper; expected root, version, metadata"),
                ),
            }
        }
    }
    w.walk(root_of(doc));
    Validation {
        valid: w.errors.is_empty(),
        node_count: w.node_count,
        depth: w.depth,
        errors: w.errors,
        problem: w.problem,
    }
}

struct Walker<'l> {
    limits: &'l Limits,
    errors: Vec<PathError>,
    problem: Option<Problem>,
    node_count: usize,
    depth: usize,
}

impl Walker<'_> {
    fn error(&mut self, path: String, message: String) {
        self.note(Problem::Invalid);
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(PathError { path, message });
        }
    }

    fn note(&mut self, p: Problem) {
        // A depth or size problem explains the rest; keep the first one.
        if matches!(self.problem, None | Some(Problem::Invalid)) {
            self.problem = Some(p);
        }
    }

    fn walk(&mut self, root: &Value) {
        let mut stack: Vec<(&Value, String, usize)> = vec![(root, "root".to_string(), 1)];
        while let Some((node, path, depth)) = stack.pop() {
            self.node_count += 1;
            self.depth = self.depth.max(depth);
            if depth > self.limits.max_depth {
                self.note(Problem::TooDeep);
                let message = format!(
                    "tree is deeper than the limit of {} nodes (MAX_TREE_DEPTH)",
                    self.limits.max_depth
                );
                self.errors.insert(
                    0,
                    PathError {
                        path: shorten(&path),
                        message,
                    },
                );
                self.errors.truncate(MAX_REPORTED);
                continue;
            }
            if self.node_count == self.limits.max_nodes + 1 {
                self.note(Problem::TooManyNodes);
                let message = format!(
                    "tree has more than {} nodes (MAX_TREE_NODES)",
                    self.limits.max_nodes
                );
                self.errors.insert(
                    0,
                    PathError {
                        path: "root".into(),
                        message,
                    },
                );
                self.errors.truncate(MAX_REPORTED);
            }
            if self.node_count > self.limits.max_nodes.saturating_mul(4) {
                // Far past the limit: stop walking a hostile document.
                return;
            }
            let mut children = Vec::new();
            self.check_node(node, &path, &mut children);
            // Reverse so errors come out in document order.
            for (child, child_path) in children.into_iter().rev() {
                stack.push((child, child_path, depth + 1));
            }
        }
    }

    fn check_node<'v>(
        &mut self,
        node: &'v Value,
        path: &str,
        children: &mut Vec<(&'v Value, String)>,
    ) {
        let (kind, body) = match node {
            Value::String(name) => match kind_info(name) {
                Some(k) if k.fields.is_empty() => return,
                Some(k) => {
                    let fields = field_names(k);
                    return self.error(path.into(), format!("`{name}` needs fields: {fields}"));
                }
                None => return self.error(path.into(), unknown_kind(name)),
            },
            Value::Object(o) if o.len() == 1 => {
                let Some((name, body)) = o.iter().next() else {
                    return;
                };
                match kind_info(name) {
                    Some(k) => (k, body),
                    None => return self.error(path.into(), unknown_kind(name)),
                }
            }
            Value::Object(o) if o.is_empty() => {
                return self.error(
                    path.into(),
                    "empty object: expected a node such as {\"Sphere\":{\"radius\":1.0}}".into(),
                );
            }
            Value::Object(o) => {
                let keys: Vec<&str> = o.keys().map(String::as_str).take(4).collect();
                return self.error(
                    path.into(),
                    format!(
                        "a node is an object with exactly one key, its kind; found {}",
                        keys.join(", ")
                    ),
                );
            }
            other => {
                return self.error(
                    path.into(),
                    format!(
                        "expected a node such as {{\"Sphere\":{{\"radius\":1.0}}}}, found {}",
                        type_name(other)
                    ),
                );
            }
        };
        let body = match body {
            Value::Object(b) => b,
            Value::Null if kind.fields.is_empty() => return,
            other => {
                return self.error(
                    path.into(),
                    format!(
                        "the body of `{}` must be an object of its fields, found {}",
                        kind.name,
                        type_name(other)
                    ),
                );
            }
        };
        for key in body.keys() {
            if !kind.fields.iter().any(|f| f.name == key) {
                let expected = field_names(kind);
                self.error(
                    format!("{path}.{key}"),
                    format!(
                        "unknown field `{key}` for `{}`; expected: {expected}",
                        kind.name
                    ),
                );
            }
        }
        for field in kind.fields {
            let fpath = format!("{path}.{}", field.name);
            match body.get(field.name) {
                None | Some(Value::Null) if optional(kind, field) => {}
                None => self.error(
                    fpath,
                    format!("missing field `{}` ({})", field.name, field.doc),
                ),
                Some(v) => self.check_field(field, v, &fpath, children),
            }
        }
        self.check_kind(kind, body, path);
    }

    fn check_field<'v>(
        &mut self,
        field: &FieldInfo,
        v: &'v Value,
        path: &str,
        children: &mut Vec<(&'v Value, String)>,
    ) {
        let rule = field.rule;
        match field.ty {
            FieldType::F32 => self.number(v, path, rule, false),
            FieldType::U32 => self.number(v, path, rule, true),
            FieldType::Vec2 => self.vector(v, path, 2, rule, false),
            FieldType::Vec3 => self.vector(v, path, 3, rule, false),
            FieldType::Quat => self.vector(v, path, 4, rule, false),
            FieldType::Mat4 => self.vector(v, path, 16, rule, false),
            FieldType::U32x3 => self.vector(v, path, 3, rule, true),
            FieldType::Node | FieldType::OptionalNode => children.push((v, path.to_string())),
            FieldType::NodeList => match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        children.push((item, format!("{path}[{i}]")));
                    }
                }
                other => self.error(
                    path.into(),
                    format!("expected a list of nodes, found {}", type_name(other)),
                ),
            },
            FieldType::F32List => self.list(v, path, |w, item, p| w.number(item, p, rule, false)),
            FieldType::Vec2List => {
                self.list(v, path, |w, item, p| w.vector(item, p, 2, rule, false))
            }
            FieldType::Vec3List => {
                self.list(v, path, |w, item, p| w.vector(item, p, 3, rule, false))
            }
            FieldType::Mat4List => {
                self.list(v, path, |w, item, p| w.vector(item, p, 16, rule, false))
            }
            FieldType::Bones => self.list(v, path, |w, item, p| w.bone(item, p)),
            FieldType::Reach => match v {
                Value::Array(items) if items.len() == 2 => {
                    for (i, item) in items.iter().enumerate() {
                        if !item.is_null() {
                            w_number(self, item, &format!("{path}[{i}]"), Rule::NonNegative);
                        }
                    }
                }
                other => self.error(
                    path.into(),
                    format!(
                        "expected [r_xz, r_y] (numbers or null), found {}",
                        type_name(other)
                    ),
                ),
            },
        }
    }

    fn list<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
        mut each: impl FnMut(&mut Self, &'v Value, &str),
    ) {
        match v {
            Value::Array(items) if items.len() > self.limits.max_list_len => self.error(
                path.into(),
                format!(
                    "list has {} items; the limit is {}",
                    items.len(),
                    self.limits.max_list_len
                ),
            ),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    each(self, item, &format!("{path}[{i}]"));
                }
            }
            other => self.error(
                path.into(),
                format!("expected a list, found {}", type_name(other)),
            ),
        }
    }

    fn bone(&mut self, v: &Value, path: &str) {
        let Value::Object(o) = v else {
            return self.error(
                path.into(),
                "expected a bone {inv_bind_pose, current_pose, weight}".into(),
            );
        };
        for key in o.keys() {
            if !matches!(key.as_str(), "inv_bind_pose" | "current_pose" | "weight") {
                self.error(
                    format!("{path}.{key}"),
                    format!("unknown field `{key}`; expected inv_bind_pose, current_pose, weight"),
                );
            }
        }
        for (name, len) in [("inv_bind_pose", 16), ("current_pose", 16), ("weight", 1)] {
            let p = format!("{path}.{name}");
            match o.get(name) {
                None => self.error(p, format!("missing field `{name}`")),
                Some(x) if len == 1 => self.number(x, &p, Rule::NonNegative, false),
                Some(x) => self.vector(x, &p, len, Rule::Any, false),
            }
        }
    }

    fn number(&mut self, v: &Value, path: &str, rule: Rule, integer: bool) {
        let Some(x) = v.as_f64() else {
            let want = if integer {
                "a non-negative integer"
            } else {
                "a number"
            };
            return self.error(
                path.into(),
                format!("expected {want}, found {}", type_name(v)),
            );
        };
        if integer && !(v.is_u64() && x <= u32::MAX as f64) {
            return self.error(
                path.into(),
                format!("must be a non-negative integer below 2^32, found {x}"),
            );
        }
        let f = x as f32;
        if !f.is_finite() {
            return self.error(
                path.into(),
                format!("{x} is out of range for a 32-bit float"),
            );
        }
        if !rule.accepts(f) {
            self.error(path.into(), format!("{} (found {x})", rule.message()));
        }
    }

    fn vector(&mut self, v: &Value, path: &str, len: usize, rule: Rule, integer: bool) {
        let Value::Array(items) = v else {
            return self.error(
                path.into(),
                format!("expected an array of {len} numbers, found {}", type_name(v)),
            );
        };
        if items.len() != len {
            return self.error(
                path.into(),
                format!("expected {len} numbers, found {}", items.len()),
            );
        }
        let before = self.errors.len();
        for (i, item) in items.iter().enumerate() {
            self.number(
                item,
                &format!("{path}[{i}]"),
                if rule == Rule::NonZero {
                    Rule::Any
                } else {
                    rule
                },
                integer,
            );
        }
        if rule == Rule::NonZero
            && self.errors.len() == before
            && items.iter().all(|i| i.as_f64() == Some(0.0))
        {
            self.error(path.into(), rule.message());
        }
    }

    /// Rules that involve several fields of one kind.
    fn check_kind(&mut self, kind: &KindInfo, body: &serde_json::Map<String, Value>, path: &str) {
        let num = |name: &str| body.get(name).and_then(Value::as_f64);
        let len = |name: &str| body.get(name).and_then(Value::as_array).map(Vec::len);
        match kind.name {
            "Union" => {
                let pair = body.get("a").is_some_and(|v| !v.is_null()) as u8
                    + body.get("b").is_some_and(|v| !v.is_null()) as u8;
                let list = len("children");
                match (pair, list) {
                    (2, None) => {}
                    (0, Some(n)) if n >= 1 => {}
                    (0, Some(_)) => {
                        self.error(format!("{path}.children"), "needs at least one node".into())
                    }
                    (0, None) => self.error(path.into(), "Union needs a and b, or children".into()),
                    (1, None) => self.error(
                        path.into(),
                        "Union needs both a and b (or use children)".into(),
                    ),
                    _ => self.error(
                        path.into(),
                        "give either a and b, or children, not both".into(),
                    ),
                }
            }
            "Polygon2D" if len("vertices").is_some_and(|n| n < 3) => {
                self.error(
                    format!("{path}.vertices"),
                    "a polygon needs at least 3 vertices".into(),
                );
            }
            "MetricBall" => {
                let sum: f64 = ["w_l1", "w_l2", "w_linf"]
                    .iter()
                    .filter_map(|f| num(f))
                    .sum();
                if sum <= 0.0 {
                    self.error(
                        path.into(),
                        "at least one of w_l1, w_l2, w_linf must be > 0".into(),
                    );
                }
            }
            "LatticeDeform" => {
                if let (Some(nx), Some(ny), Some(nz), Some(n)) =
                    (num("nx"), num("ny"), num("nz"), len("control_points"))
                {
                    let want = ((nx + 1.0) * (ny + 1.0) * (nz + 1.0)) as usize;
                    if n != want {
                        self.error(
                            format!("{path}.control_points"),
                            format!("expected (nx+1)(ny+1)(nz+1) = {want} points, found {n}"),
                        );
                    }
                }
                let lo = body.get("bbox_min").and_then(Value::as_array);
                let hi = body.get("bbox_max").and_then(Value::as_array);
                if let (Some(lo), Some(hi)) = (lo, hi)
                    && lo.iter().zip(hi).any(|(a, b)| a.as_f64() >= b.as_f64())
                {
                    self.error(
                        format!("{path}.bbox_max"),
                        "must be greater than bbox_min on every axis".into(),
                    );
                }
            }
            "HeightmapDisplacement" => {
                if let (Some(w), Some(h), Some(n)) = (num("width"), num("height"), len("heightmap"))
                {
                    let want = (w * h) as usize;
                    if n != want {
                        self.error(
                            format!("{path}.heightmap"),
                            format!("expected width*height = {want} samples, found {n}"),
                        );
                    }
                }
            }
            "IFS" if len("transforms").is_some_and(|n| !(1..=8).contains(&n)) => {
                self.error(
                    format!("{path}.transforms"),
                    "needs between 1 and 8 transforms".into(),
                );
            }
            "SdfSkinning" if len("bones") == Some(0) => {
                self.error(format!("{path}.bones"), "needs at least one bone".into());
            }
            _ => {}
        }
    }
}

fn w_number(w: &mut Walker<'_>, v: &Value, path: &str, rule: Rule) {
    w.number(v, path, rule, false)
}

fn optional(kind: &KindInfo, field: &FieldInfo) -> bool {
    matches!(field.ty, FieldType::OptionalNode | FieldType::Reach)
        || (kind.name == "Union" && field.ty == FieldType::NodeList)
}

fn field_names(kind: &KindInfo) -> String {
    kind.fields
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Keeps error paths of very deep trees readable.
fn shorten(path: &str) -> String {
    if path.len() <= 160 {
        return path.to_string();
    }
    let head: String = path.chars().take(60).collect();
    let tail: String = path
        .chars()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{head}…{tail}")
}

fn unknown_kind(name: &str) -> String {
    let best = KINDS
        .iter()
        .map(|k| {
            (
                edit_distance(&name.to_lowercase(), &k.name.to_lowercase()),
                k.name,
            )
        })
        .min();
    match best {
        Some((d, k)) if d <= 3 => format!(
            "unknown node kind `{name}`; did you mean `{k}`? (GET /v1/engine/nodes lists all kinds)"
        ),
        _ => format!("unknown node kind `{name}` (GET /v1/engine/nodes lists all kinds)"),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (ca != cb) as usize)
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(v: Value) -> Validation {
        validate(&v, &Limits::default())
    }

    #[test]
    fn valid_trees_pass() {
        let v = check(
            json!({"Union":{"a":{"Sphere":{"radius":1.0}},"b":{"Translate":{"child":"X","offset":[1,0,0]}}}}),
        );
        assert!(v.valid, "{:?}", v.errors);
        assert_eq!((v.node_count, v.depth), (4, 3));
        let text = include_str!("../../tests/data/alice-demo.asdf.json");
        let doc: Value = serde_json::from_str(text).unwrap();
        let v = validate(&doc, &Limits::default());
        assert!(v.valid, "{:?}", v.errors);
        assert_eq!(v.node_count, 11);
    }

    #[test]
    fn errors_name_the_json_path() {
        let v = check(
            json!({"Union":{"a":{"Sphere":{"radius":1.0}},"b":{"Translate":{"child":{"Sphere":{"radius":-2}},"offset":[0,0,0]}}}}),
        );
        assert!(!v.valid);
        assert_eq!(v.errors[0].path, "root.b.child.radius");
        assert!(
            v.errors[0].message.contains("> 0"),
            "{}",
            v.errors[0].message
        );
        let v = check(json!({"Sphre":{"radius":1.0}}));
        assert!(
            v.errors[0].message.contains("did you mean `Sphere`"),
            "{:?}",
            v.errors
        );
        let v = check(json!({"Sphere":{"radus":1.0}}));
        assert_eq!(v.errors[0].path, "root.radus");
        assert_eq!(v.errors[1].path, "root.radius");
        let v = check(json!({"Box3d":{"half_extents":[1,"a",1]}}));
        assert_eq!(v.errors[0].path, "root.half_extents[1]");
        let v = check(json!({"Sphere":{"radius":1e39}}));
        assert!(v.errors[0].message.contains("out of range"));
        let v = check(json!({"Union":{"children":[{"Sphere":{"radius":1}}, {"Sphere":{}}]}}));
        assert_eq!(v.errors[0].path, "root.children[1].radius");
    }

    #[test]
    fn limits_are_enforced_without_recursion() {
        let mut tree = json!({"Sphere":{"radius":1.0}});
        for _ in 0..300 {
            tree = json!({"Round":{"child":tree,"radius":0.1}});
        }
        let v = check(tree);
        assert_eq!(v.problem, Some(Problem::TooDeep));
        assert!(v.errors[0].message.contains("MAX_TREE_DEPTH"));
        let children: Vec<Value> = (0..1500)
            .map(|_| json!({"Sphere":{"radius":1.0}}))
            .collect();
        let v = check(json!({"Union":{"children":children}}));
        assert_eq!(v.problem, Some(Problem::TooManyNodes));
    }

    #[test]
    fn hostile_nesting_is_refused_before_parsing() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(matches!(
            parse_json(deep.as_bytes(), &Limits::default()),
            Err(JsonError::TooDeep { .. })
        ));
        let tricky = r#"{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]]"}"#;
        assert!(parse_json(tricky.as_bytes(), &Limits::default()).is_ok());
    }

    #[test]
    fn every_catalog_example_is_valid_and_parses_as_a_node() {
        for kind in KINDS {
            let example = kind.example();
            let v = check(example.clone());
            assert!(v.valid, "{}: {:?}", kind.name, v.errors);
            let node: crate::sdf::node::Node = serde_json::from_value(example.clone())
                .unwrap_or_else(|e| panic!("{}: {e}", kind.name));
            assert_eq!(node.kind(), kind.name);
            let back = serde_json::to_value(&node).unwrap();
            let again: crate::sdf::node::Node = serde_json::from_value(back).unwrap();
            assert_eq!(again, node, "{} does not round-trip", kind.name);
        }
    }
}
