//! The compile pipeline and its cache: JSON document (or `.vm` text) →
//! validated tree → canonical form + content hash → expression graph → tape.
//!
//! A `compiled_id` is `sdf_` + the first 128 bits of the BLAKE3 hash of the
//! canonical tree (the [`Node`] re-serialised by serde: fixed field order,
//! shortest round-trip numbers, wrapper and metadata dropped), so the same tree
//! gets the same id on every replica and any replica can recompile it.
#![warn(missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;

use super::document::Document;
use super::eval::{self, SimdWidth};
use super::expr::Graph;
use super::lower::{self, LowerError};
use super::node::Node;
use super::slice::{self, SliceSettings};
use super::tape::Tape;
use super::validate::{self, Limits, PathError, Problem};
use super::{bounds, vm};

/// Why a document could not be compiled. Each variant has a stable [`code`](Self::code).
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The document broke the catalog's rules or the limits.
    #[error("invalid tree: {}", .errors.first().map(ToString::to_string).unwrap_or_default())]
    Invalid {
        /// Which limit or rule class.
        problem: Problem,
        /// Every problem found, with its JSON path.
        errors: Vec<PathError>,
    },
    /// The tree is valid but expands to too large a graph.
    #[error(transparent)]
    Lower(#[from] LowerError),
    /// A `.vm` file could not be read.
    #[error("invalid .vm expression: {0}")]
    Vm(String),
}

impl CompileError {
    /// Stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            CompileError::Invalid {
                problem: Problem::TooDeep,
                ..
            } => "tree_too_deep",
            CompileError::Invalid {
                problem: Problem::TooManyNodes,
                ..
            } => "too_many_nodes",
            CompileError::Invalid { .. } => "invalid_tree",
            CompileError::Lower(LowerError::TooComplex { .. }) => "tree_too_complex",
            CompileError::Lower(LowerError::EmptyUnion) => "invalid_tree",
            CompileError::Vm(_) => "invalid_vm",
        }
    }

    /// The located problems, when there are any.
    pub fn errors(&self) -> &[PathError] {
        match self {
            CompileError::Invalid { errors, .. } => errors,
            _ => &[],
        }
    }
}

/// A compiled tree: everything needed to evaluate it, immutable and shareable.
#[derive(Debug)]
pub struct Compiled {
    /// Content address of the canonical tree.
    pub id: String,
    /// Nodes in the tree (operations, for `.vm` input).
    pub node_count: usize,
    /// Depth of the tree (1 for `.vm` input).
    pub depth: usize,
    /// The canonical tree, when compiled from JSON.
    pub tree: Option<Node>,
    /// The lowered expression graph (kept for the shader back ends).
    pub graph: Graph,
    /// The register tape every evaluator runs.
    pub tape: Tape,
    /// A box `(min, max)` holding the whole inside; `None` when unbounded.
    pub bounds: Option<([f32; 3], [f32; 3])>,
    /// Wall time of the compile (validation to bounds), in milliseconds.
    pub compile_time_ms: f64,
}

impl Compiled {
    /// Distances at `points`, in order (SIMD batches, rayon across blocks).
    pub fn eval_points(&self, points: &[[f32; 3]], simd: SimdWidth) -> Vec<f32> {
        let mut out = vec![0.0; points.len()];
        eval::eval_points(&self.tape, points, &mut out, simd);
        out
    }

    /// The cross-section described by `settings`, as a grayscale PNG.
    pub fn slice_png(&self, settings: &SliceSettings) -> Result<Vec<u8>, slice::SliceError> {
        slice::slice(&self.tape, settings).to_png()
    }

    /// Approximate heap size, for the cache's byte budget.
    pub fn byte_size(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.graph.len() * 48
            + self.tape.byte_size()
            + self.node_count * 64
    }

    fn build(
        id: String,
        node_count: usize,
        depth: usize,
        tree: Option<Node>,
        graph: Graph,
        start: Instant,
    ) -> Self {
        let lipschitz = tree.as_ref().and_then(super::lipschitz::lipschitz);
        let tape = Tape::new(&graph).with_lipschitz(lipschitz);
        let bounds = bounds::bounds(&tape);
        Compiled {
            id,
            node_count,
            depth,
            tree,
            graph,
            tape,
            bounds,
            compile_time_ms: start.elapsed().as_secs_f64() * 1e3,
        }
    }
}

/// Hashes canonical bytes into a compiled id.
pub fn content_id(canonical: &[u8]) -> String {
    let hash = blake3::hash(canonical);
    format!("sdf_{}", &hash.to_hex()[..32])
}

/// A validated, canonicalised tree whose id is known but which is not lowered
/// yet: the cheap half of [`compile`], so a cache can be asked first.
#[derive(Debug)]
pub struct Prepared {
    /// Content address of the canonical tree.
    pub id: String,
    tree: Node,
    node_count: usize,
    depth: usize,
    start: Instant,
}

/// Validates a document (ALICE wrapper or bare node) and computes its id.
pub fn prepare(doc: &Value, limits: &Limits) -> Result<Prepared, CompileError> {
    let start = Instant::now();
    let report = validate::validate(doc, limits);
    if !report.valid {
        return Err(CompileError::Invalid {
            problem: report.problem.unwrap_or(Problem::Invalid),
            errors: report.errors,
        });
    }
    let document = Document::from_value(doc.clone()).map_err(|e| CompileError::Invalid {
        problem: Problem::Invalid,
        errors: vec![PathError {
            path: serde_path(&e),
            message: e.inner().to_string(),
        }],
    })?;
    let tree = document.root;
    let canonical = serde_json::to_vec(&tree).map_err(|e| CompileError::Invalid {
        problem: Problem::Invalid,
        errors: vec![PathError {
            path: "root".into(),
            message: e.to_string(),
        }],
    })?;
    Ok(Prepared {
        id: content_id(&canonical),
        tree,
        node_count: report.node_count,
        depth: report.depth,
        start,
    })
}

impl Prepared {
    /// Lowers the tree and builds its tape and bounds.
    pub fn finish(self, limits: &Limits) -> Result<Compiled, CompileError> {
        let graph = lower::lower(&self.tree, limits.max_ops)?;
        Ok(Compiled::build(
            self.id,
            self.node_count,
            self.depth,
            Some(self.tree),
            graph,
            self.start,
        ))
    }
}

/// Compiles a document (ALICE wrapper or bare node), validating it first.
pub fn compile(doc: &Value, limits: &Limits) -> Result<Compiled, CompileError> {
    prepare(doc, limits)?.finish(limits)
}

/// Compiles a fidget `.vm` expression text. Its id hashes the parsed graph, so
/// comments, spacing and op names do not change it.
pub fn compile_vm(text: &str, limits: &Limits) -> Result<Compiled, CompileError> {
    let start = Instant::now();
    let graph = vm::parse(text).map_err(|e| CompileError::Vm(e.to_string()))?;
    if graph.len() > limits.max_ops {
        return Err(LowerError::TooComplex {
            limit: limits.max_ops,
        }
        .into());
    }
    let canonical = format!("vm:{:?}:{}", graph.ops(), graph.root());
    let id = content_id(canonical.as_bytes());
    Ok(Compiled::build(id, graph.len(), 1, None, graph, start))
}

fn serde_path(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let p = e.path().to_string();
    if p == "." || p.is_empty() {
        "root".into()
    } else {
        format!("root.{p}")
    }
}

/// A bounded LRU of compiled trees, keyed by id, charged by [`Compiled::byte_size`].
///
/// A std `Mutex` is right here: it is held only for map operations, never
/// across an `.await` or an evaluation.
pub struct CompiledCache {
    inner: Mutex<CacheInner>,
    max_bytes: usize,
}

struct CacheInner {
    map: lru::LruCache<String, Arc<Compiled>>,
    bytes: usize,
}

impl CompiledCache {
    /// A cache that holds at most `max_bytes` of compiled trees.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            inner: Mutex::new(CacheInner {
                map: lru::LruCache::unbounded(),
                bytes: 0,
            }),
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        // A panic while holding the lock cannot leave the map inconsistent
        // (every update is a single call), so poisoning is ignored.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The compiled tree with this id, marking it recently used.
    pub fn get(&self, id: &str) -> Option<Arc<Compiled>> {
        self.lock().map.get(id).cloned()
    }

    /// Adds a compiled tree, evicting the least recently used ones over budget.
    /// A tree larger than the whole budget is not kept.
    pub fn insert(&self, c: Arc<Compiled>) {
        let size = c.byte_size();
        if size > self.max_bytes {
            return;
        }
        let mut inner = self.lock();
        if let Some(old) = inner.map.put(c.id.clone(), c) {
            inner.bytes -= old.byte_size();
        }
        inner.bytes += size;
        while inner.bytes > self.max_bytes {
            match inner.map.pop_lru() {
                Some((_, old)) => inner.bytes -= old.byte_size(),
                None => break,
            }
        }
    }

    /// Number of cached trees.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes charged to cached trees.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

impl std::fmt::Debug for CompiledCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledCache")
            .field("len", &self.len())
            .field("max_bytes", &self.max_bytes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn same_tree_same_id_whatever_the_wrapper_or_number_spelling() {
        let limits = Limits::default();
        let a = compile(&json!({"Sphere":{"radius":1.0}}), &limits).unwrap();
        let b = compile(
            &json!({"version":"6.1.0","root":{"Sphere":{"radius":1}},"metadata":null}),
            &limits,
        )
        .unwrap();
        assert_eq!(a.id, b.id);
        let c = compile(&json!({"Sphere":{"radius":1.5}}), &limits).unwrap();
        assert_ne!(a.id, c.id);
        assert!(a.id.starts_with("sdf_") && a.id.len() == 36);
        let (lo, hi) = a.bounds.expect("a sphere is bounded");
        assert!(lo.iter().all(|&v| (-1.1..=-0.99).contains(&v)), "{lo:?}");
        assert!(hi.iter().all(|&v| (0.99..=1.1).contains(&v)), "{hi:?}");
        assert_eq!(
            a.eval_points(&[[0.0, 0.0, 0.0], [2.0, 0.0, 0.0]], SimdWidth::Auto),
            vec![-1.0, 1.0]
        );
    }

    #[test]
    fn vm_files_compile_and_evaluate() {
        let text = include_str!("../../tests/data/prospero.vm");
        let c = compile_vm(text, &Limits::default()).unwrap();
        assert!(c.node_count > 5000);
        let d = c.eval_points(&[[0.0, 0.0, 0.0]], SimdWidth::Auto)[0];
        assert!((d - c.graph.eval_point(c.graph.root(), [0.0, 0.0, 0.0])).abs() < 1e-4);
        let e = compile_vm("_0 const 1\n_1 frobnicate _0", &Limits::default()).unwrap_err();
        assert_eq!(e.code(), "invalid_vm");
    }

    #[test]
    fn invalid_trees_report_codes() {
        let e = compile(&json!({"Sphere":{"radius":0}}), &Limits::default()).unwrap_err();
        assert_eq!(e.code(), "invalid_tree");
        assert_eq!(e.errors()[0].path, "root.radius");
    }

    #[test]
    fn cache_evicts_least_recently_used_within_budget() {
        let limits = Limits::default();
        let one = Arc::new(compile(&json!({"Sphere":{"radius":1.0}}), &limits).unwrap());
        let two = Arc::new(compile(&json!({"Sphere":{"radius":2.0}}), &limits).unwrap());
        let cache = CompiledCache::new(one.byte_size() + two.byte_size() / 2);
        cache.insert(one.clone());
        cache.insert(two.clone());
        assert!(cache.get(&one.id).is_none());
        assert!(cache.get(&two.id).is_some());
        assert!(cache.bytes() <= one.byte_size() + two.byte_size() / 2);
    }
}
