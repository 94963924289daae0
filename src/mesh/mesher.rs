//! The sparse mesher: from a tape to one watertight triangle mesh, at a cost that
//! grows with the surface, not the volume.
//!
//! 1. **Grid.** The domain (the tree's interval bounds padded by a cell, or the
//!    caller's box) is cut into cubic cells, `resolution` along the longest axis.
//!    Samples sit on the cell corners. Samples on the domain's outer faces count
//!    as outside, so a shape cut by the caller's box is closed by a cap there.
//! 2. **Pruning.** The grid is split into chunks of [`CHUNK`]³ cells and those into
//!    an octree. Each octree block is bounded with the interval evaluator; blocks
//!    that provably hold no surface are dropped, and the tape is simplified for
//!    the survivors (branches that cannot win there are dropped); each surviving
//!    block's subtree is descended as a parallel task of its own (down to
//!    blocks of 4³ chunks, each one task).
//! 3. **Sampling**, with the chunk's short tape, in SIMD blocks. When the
//!    field has a certified Lipschitz bound `L` (`Tape::lipschitz`, from the
//!    tree's node kinds), each 2³-cell sub-block's centre is evaluated first,
//!    and a sub-block whose centre is more than `L·√3` cells from the surface
//!    takes the centre's sign unevaluated: the demo tree at 256³ needs 2.7 M
//!    of the surviving chunks' 9.2 M samples, and the mesh is the same as with
//!    every sample evaluated. Without a bound, blocks of [`BLOCK`]³ cells are
//!    bounded with the interval evaluator instead, and only the samples of
//!    blocks that may hold surface are evaluated.
//!    With a [`BulkSampler`] ([`mesh_with`]; the GPU's, `crate::gpu`), batches
//!    of surviving chunks instead have all their corner samples evaluated in
//!    one call each; if the sampler fails, the rest of the job samples on the
//!    CPU. Shared samples are at the same positions in both, so chunks sampled
//!    by the same evaluator agree on them exactly.
//! 4. **Meshing**, per chunk in parallel, in two passes so that chunk borders need
//!    no welding. Pass one creates the chunk's vertices (one per surface piece of
//!    a cell for the dual methods, one per crossed edge for marching cubes) and
//!    the faces whose vertices are all the chunk's (nearly all), numbered
//!    locally. Pass two, once every chunk's vertices have global numbers, creates
//!    the faces along the chunk's faces, looking up vertices that live in the
//!    neighbouring chunk, and writes all the chunk's faces into the mesh, in a
//!    range cut before the pass from counts that pass one made. Every vertex
//!    exists once, so the mesh is closed and
//!    2-manifold by construction wherever the sample signs agree, which they do
//!    because every chunk computes a shared sample with the same arithmetic.
//! 5. **Normals**: the SDF gradient at each vertex, from a tetrahedral
//!    four-point stencil, computed in pass two straight into the mesh.
#![warn(missing_docs)]

use std::hash::{BuildHasher, BuildHasherDefault};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Mesh;
use super::cube::{self, CORNERS};
use crate::sdf::bounds::{self, Extent};
use crate::sdf::eval::interval::{Interval, IntervalScratch};
use crate::sdf::eval::{Level, SimdWidth};
use crate::sdf::tape::{Choice, Tape};

/// Chunk edge, in cells: the unit of parallel work and of the two-pass stitching.
pub const CHUNK: usize = 16;
/// Block edge, in cells: the unit of in-chunk pruning before sampling.
pub const BLOCK: usize = 8;
/// Samples along a chunk edge.
const S: usize = CHUNK + 1;
/// Points per SIMD evaluation block.
const LANES: usize = 256;
/// Marker of "no vertex" in the per-chunk vertex tables.
const NONE: u16 = u16::MAX;
/// Flag on a dual table entry whose cell has more than one surface piece:
/// only then does a face need the case table to find the edge's piece. Vertex
/// numbers stay below it (at most 4 pieces in each of 16³ cells: 2¹⁴).
const MULTI: u16 = 1 << 15;
const _: () = assert!(4 * CHUNK * CHUNK * CHUNK <= MULTI as usize);
/// The largest Lipschitz bound for which sampling leaves finding a chunk's
/// empty space to [`Ctx::refine`] alone. Its reach grows with the bound (a
/// sub-block is evaluated when its centre is within `L·√3` cells of the
/// surface); up to 2 that is under half a [`BLOCK`], so it skips what
/// bounding the blocks would, for less. Every bound certified today is 1.
const REFINE_ALONE_UP_TO: f32 = 2.0;
/// Chunks per [`BulkSampler`] call: about 5 M samples (60 MB of positions), so
/// one call is large enough for a GPU and memory stays bounded at any resolution.
const SAMPLER_BATCH: usize = 1024;

/// Evaluates many points in one call on other hardware (the GPU sampler in
/// `crate::gpu`). The mesher calls it from one thread at a time, per batch of
/// chunks, with the chunks' corner samples in order.
pub trait BulkSampler: Sync {
    /// Distances at `points`, in order, or `None` when the sampler failed (it
    /// logs why); the mesher then samples the rest of the job on the CPU.
    fn eval_points(&self, points: &[[f32; 3]]) -> Option<Vec<f32>>;
}

/// How vertices are placed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// One vertex per surface cell, at the mean of the cell's edge crossings.
    #[default]
    SurfaceNets,
    /// One vertex per crossed edge, triangles from the 256-case table.
    MarchingCubes,
    /// One vertex per surface cell, placed by minimising the distance to the
    /// tangent planes at the edge crossings, which keeps sharp edges and corners.
    DualContouring,
}

impl Method {
    /// Every method, in documentation order.
    pub const ALL: [Method; 3] = [
        Method::SurfaceNets,
        Method::MarchingCubes,
        Method::DualContouring,
    ];

    /// The name used in the API and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Method::SurfaceNets => "surface_nets",
            Method::MarchingCubes => "marching_cubes",
            Method::DualContouring => "dual_contouring",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown method name; the message lists the known ones.
#[derive(Debug, thiserror::Error)]
#[error("unknown method {0:?}; expected one of surface_nets, marching_cubes, dual_contouring")]
pub struct MethodError(pub String);

impl FromStr for Method {
    type Err = MethodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| MethodError(s.to_string()))
    }
}

/// An axis-aligned box `(min, max)`.
pub type Aabb = ([f32; 3], [f32; 3]);

/// What to mesh and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeshSettings {
    /// Vertex placement.
    pub method: Method,
    /// Cells along the longest axis of the bounds (at least 1); the one-cell
    /// padding of the default bounds comes on top.
    pub resolution: u32,
    /// The domain; `None` means the shape's interval bounds, padded by one cell.
    pub bounds: Option<Aabb>,
    /// Whether to compute vertex normals.
    pub normals: bool,
    /// Vector width of the sampling evaluator.
    pub simd: SimdWidth,
}

impl Default for MeshSettings {
    fn default() -> Self {
        MeshSettings {
            method: Method::SurfaceNets,
            resolution: 128,
            bounds: None,
            normals: true,
            simd: SimdWidth::Auto,
        }
    }
}

/// Why no mesh was made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MeshError {
    /// The shape has no bounds and none were given.
    #[error(
        "the shape is unbounded (it reaches infinity, e.g. a plane or an infinite repeat); pass bounds"
    )]
    Unbounded,
    /// The given bounds are not a box.
    #[error("bounds must be finite with min < max on every axis")]
    BadBounds,
    /// Resolution 0.
    #[error("resolution must be at least 1")]
    BadResolution,
}

/// Where meshing stands: chunk passes done out of the total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Chunk passes finished.
    pub done: usize,
    /// Chunk passes in all (two per surviving chunk).
    pub total: usize,
}

/// A mesh and how it was made.
#[derive(Clone, Debug)]
pub struct MeshOutput {
    /// The mesh.
    pub mesh: Mesh,
    /// The sampled domain.
    pub domain: Aabb,
    /// Cell edge length.
    pub cell_size: f32,
    /// Cells along each axis.
    pub cells: [u32; 3],
    /// Chunks that were meshed, out of all chunks of the grid.
    pub chunks_meshed: usize,
    /// All chunks of the grid.
    pub chunks_total: usize,
    /// Samples evaluated.
    pub samples: usize,
    /// Whether every face found all its vertices: the mesh is then closed and
    /// 2-manifold by construction (the tests check this with [`super::check`]).
    pub watertight: bool,
    /// Where the time went, for benchmarks and tuning.
    pub phases: Phases,
}

/// Wall time of each stage of one mesh (zero for an empty shape).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Phases {
    /// Bounding the octree blocks and simplifying their tapes.
    pub prune: std::time::Duration,
    /// Pass one: sampling, vertices and the faces inside each chunk.
    pub first_pass: std::time::Duration,
    /// Pass two: the faces along chunk borders, and every face, position and
    /// normal written into the mesh.
    pub border_pass: std::time::Duration,
    /// Freeing the chunks' buffers (the faces were copied into the mesh in
    /// their own phase until pass two wrote them in place).
    pub assemble: std::time::Duration,
}

impl Phases {
    /// Each phase's median over `runs` (zero when there are none).
    pub fn median(runs: &[Phases]) -> Phases {
        let median = |phase: fn(&Phases) -> std::time::Duration| {
            let mut times: Vec<_> = runs.iter().map(phase).collect();
            times.sort_unstable();
            times.get(times.len() / 2).copied().unwrap_or_default()
        };
        Phases {
            prune: median(|p| p.prune),
            first_pass: median(|p| p.first_pass),
            border_pass: median(|p| p.border_pass),
            assemble: median(|p| p.assemble),
        }
    }
}

/// The sample lattice: sample `i` on axis `a` is at `origin[a] + h·i`.
#[derive(Clone, Copy, Debug)]
struct Grid {
    origin: [f32; 3],
    h: f32,
    cells: [usize; 3],
}

impl Grid {
    fn coord(&self, axis: usize, i: usize) -> f32 {
        self.origin[axis] + self.h * i as f32
    }

    /// The box of cells `[lo, hi)` (its corner samples), grown by a tenth of a cell
    /// so that pruning and simplification stay valid a little beyond the samples
    /// (the gradient stencil reaches there).
    fn cell_box(&self, lo: [usize; 3], hi: [usize; 3]) -> [Interval; 3] {
        let m = 0.1 * self.h;
        [0, 1, 2].map(|a| Interval::new(self.coord(a, lo[a]) - m, self.coord(a, hi[a]) + m))
    }
}

/// Meshes the surface `value = 0` of `tape`. `shape_bounds` is the tape's interval
/// bounds (`Compiled::bounds`), used when `settings.bounds` is `None`.
pub fn mesh(
    tape: &Tape,
    shape_bounds: Option<Aabb>,
    settings: &MeshSettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<MeshOutput, MeshError> {
    mesh_with(tape, shape_bounds, settings, progress, None)
}

/// [`mesh`], with the chunks' samples evaluated by `sampler` when one is given
/// (pruning, vertices, normals and faces stay on the CPU).
pub fn mesh_with(
    tape: &Tape,
    shape_bounds: Option<Aabb>,
    settings: &MeshSettings,
    progress: &(dyn Fn(Progress) + Sync),
    sampler: Option<&dyn BulkSampler>,
) -> Result<MeshOutput, MeshError> {
    if settings.resolution == 0 {
        return Err(MeshError::BadResolution);
    }
    let padded = settings.bounds.is_none();
    let (lo, hi) = match settings.bounds {
        Some(b) => {
            let ok = (0..3).all(|k| b.0[k].is_finite() && b.1[k].is_finite() && b.0[k] < b.1[k]);
            if !ok {
                return Err(MeshError::BadBounds);
            }
            b
        }
        None => match shape_bounds {
            Some(b) => b,
            None => match bounds::extent(tape) {
                Extent::Bounded(lo, hi) => (lo, hi),
                Extent::Empty => return Ok(empty_output()),
                Extent::Unbounded => return Err(MeshError::Unbounded),
            },
        },
    };
    let grid = grid_for(lo, hi, settings.resolution as usize, padded);
    let chunks = [0, 1, 2].map(|a| grid.cells[a].div_ceil(CHUNK));
    let chunks_total = chunks.iter().product();
    let started = std::time::Instant::now();
    let leaves = prune(tape, &grid, chunks);
    let pruned = std::time::Instant::now();
    let total = 2 * leaves.len();
    let done = AtomicUsize::new(0);
    let tick = || {
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(Progress { done: d, total });
    };
    progress(Progress { done: 0, total });

    let level = Level::resolve(settings.simd);
    let ctx = Ctx {
        grid,
        chunks,
        method: settings.method,
        level,
        lipschitz: tape.lipschitz(),
        margin: rounding_margin(&grid),
    };
    let first = |s: &mut Scratch, leaf: &Leaf, pre: Option<&[f32]>| {
        let out = ctx.first_pass(leaf, pre, s);
        tick();
        out
    };
    let mut outs: Vec<ChunkOut> = match sampler {
        None => leaves
            .par_iter()
            .map_init(Scratch::default, |s, leaf| first(s, leaf, None))
            .collect(),
        Some(sampler) => {
            let mut outs = Vec::with_capacity(leaves.len());
            let mut sampler = Some(sampler);
            for batch in leaves.chunks(SAMPLER_BATCH) {
                let pre = sampler.and_then(|b| ctx.bulk_sample(batch, b));
                if pre.is_none() {
                    sampler = None; // failed: the CPU samples from here on
                }
                match &pre {
                    Some((values, starts)) => outs.par_extend(
                        batch
                            .par_iter()
                            .zip(starts.par_windows(2))
                            .map_init(Scratch::default, |s, (leaf, w)| {
                                first(s, leaf, Some(&values[w[0]..w[1]]))
                            }),
                    ),
                    None => outs.par_extend(
                        batch
                            .par_iter()
                            .map_init(Scratch::default, |s, leaf| first(s, leaf, None)),
                    ),
                }
            }
            outs
        }
    };
    let first_done = std::time::Instant::now();
    // Global vertex numbers: each chunk's vertices follow the previous chunks'.
    let mut offset = 0u32;
    for o in &mut outs {
        o.first_vertex = offset;
        offset += o.positions.len() as u32;
    }
    let mut slots = vec![u32::MAX; chunks_total];
    for (i, leaf) in leaves.iter().enumerate() {
        slots[ctx.slot(leaf.chunk)] = i as u32;
    }
    let border = Border {
        outs: &outs,
        slots: &slots,
    };
    let (triangles, border_missing, positions, normals) =
        ctx.border_pass(&outs, &leaves, border, settings.normals, &tick);
    let samples = outs.iter().map(|o| o.samples).sum();
    let missing = outs.iter().map(|o| o.missing).sum::<usize>() + border_missing;
    let border_done = std::time::Instant::now();
    let chunks_meshed = leaves.len();
    release(outs, leaves);
    let mesh = Mesh {
        positions,
        normals,
        triangles,
    };
    let phases = Phases {
        prune: pruned - started,
        first_pass: first_done - pruned,
        border_pass: border_done - first_done,
        assemble: border_done.elapsed(),
    };
    let (dlo, dhi) = (
        [0, 1, 2].map(|a| grid.coord(a, 0)),
        [0, 1, 2].map(|a| grid.coord(a, grid.cells[a])),
    );
    Ok(MeshOutput {
        mesh,
        domain: (dlo, dhi),
        cell_size: grid.h,
        cells: grid.cells.map(|c| c as u32),
        chunks_meshed,
        chunks_total,
        samples,
        watertight: missing == 0,
        phases,
    })
}

/// Frees the chunks' buffers and the leaves' tapes (at 256³, ~1,900 chunks
/// of five buffers each) on the pool's threads. This pays with the binary's
/// allocator (mimalloc: a block freed on another thread than its owner's
/// goes onto a lock-free list), 0.26 ms against 0.39 on one thread; with
/// glibc's, whose arenas are locked, two threads were slower than one.
fn release(outs: Vec<ChunkOut>, leaves: Vec<Leaf>) {
    rayon::join(
        || outs.into_par_iter().with_min_len(128).for_each(drop),
        || leaves.into_par_iter().with_min_len(128).for_each(drop),
    );
}

/// Splits the first `len` elements of `faces` into one slice per chunk, in
/// order, as long as the chunk's inner faces plus its [`ChunkOut::border_bound`].
fn face_slices<'a>(
    outs: &[ChunkOut],
    faces: &'a mut Vec<[u32; 3]>,
    len: usize,
) -> Vec<&'a mut [std::mem::MaybeUninit<[u32; 3]>]> {
    let mut rest = &mut faces.spare_capacity_mut()[..len];
    advise_huge_pages(rest);
    let mut slices = Vec::with_capacity(outs.len());
    for o in outs {
        let (t, tail) = rest.split_at_mut(o.inner_faces.len() + o.border_bound);
        rest = tail;
        slices.push(t);
    }
    debug_assert!(rest.is_empty());
    slices
}

/// Closes the gaps that faces left out for want of a vertex leave in `faces`:
/// chunk `i`'s slice (of `lens[i]` elements, in order from the start) holds
/// `written[i]` faces at its start. Returns how many faces there are, all
/// initialised and contiguous from the start.
///
/// # Safety
/// The first `written[i]` elements of each chunk's slice must be initialised.
unsafe fn close_gaps(faces: &mut Vec<[u32; 3]>, lens: &[usize], written: &[usize]) -> usize {
    let base = faces.as_mut_ptr();
    let (mut from, mut to) = (0, 0);
    for (&len, &n) in lens.iter().zip(written) {
        debug_assert!(n <= len && to <= from);
        // SAFETY: both ranges lie within the capacity (`from + len` does, by
        // how the slices were cut); `copy` allows them to overlap.
        unsafe { std::ptr::copy(base.add(from), base.add(to), n) };
        from += len;
        to += n;
    }
    to
}

/// One chunk's slices of the mesh's positions and normals, not yet written.
type VertexSlices<'a> = (
    &'a mut [std::mem::MaybeUninit<[f32; 3]>],
    &'a mut [std::mem::MaybeUninit<[f32; 3]>],
);

/// Splits the first `vertices` elements of `positions` and `normals` (the
/// latter only when `normals` is set; empty slices otherwise) into one pair
/// of slices per chunk, in order, as long as the chunk's vertices.
fn vertex_slices<'a>(
    outs: &[ChunkOut],
    positions: &'a mut Vec<[f32; 3]>,
    normal_buf: &'a mut Vec<[f32; 3]>,
    vertices: usize,
    normals: bool,
) -> Vec<VertexSlices<'a>> {
    let mut pos_rest = &mut positions.spare_capacity_mut()[..vertices];
    let mut nrm_rest = &mut normal_buf.spare_capacity_mut()[..if normals { vertices } else { 0 }];
    advise_huge_pages(pos_rest);
    advise_huge_pages(nrm_rest);
    let mut slices = Vec::with_capacity(outs.len());
    for o in outs {
        let n = o.positions.len();
        let (p, rest) = pos_rest.split_at_mut(n);
        pos_rest = rest;
        let (q, rest) = nrm_rest.split_at_mut(if normals { n } else { 0 });
        nrm_rest = rest;
        slices.push((p, q));
    }
    debug_assert!(pos_rest.is_empty() && nrm_rest.is_empty());
    slices
}

/// Fills `dst` from the start of `src` (`write_copy_of_slice`, which needs
/// Rust 1.93), as one `memcpy`: element by element, 12-byte elements were
/// copied as three scalar stores each. The callers' `set_len`s rely on
/// every element being written.
fn write_copies<T: Copy>(dst: &mut [std::mem::MaybeUninit<T>], src: &[T]) {
    assert!(src.len() >= dst.len(), "a chunk is shorter than its slice");
    // SAFETY: `src` holds at least `dst.len()` elements; `dst` is borrowed
    // exclusively, so the two do not overlap; `MaybeUninit<T>` has `T`'s
    // layout.
    unsafe {
        std::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr().cast::<T>(), dst.len());
    }
}

/// Fills `dst` with the faces `src`, numbered locally, renumbered from
/// `first`: as one flat run of indices, which the compiler vectorises (face
/// by face, each was three scalar stores).
fn write_renumbered(dst: &mut [std::mem::MaybeUninit<[u32; 3]>], src: &[[u16; 3]], first: u32) {
    assert_eq!(dst.len(), src.len(), "a chunk's faces fill its slice");
    // SAFETY: `MaybeUninit<[u32; 3]>` has the layout of three
    // `MaybeUninit<u32>`, so the flat view covers exactly `dst`'s memory,
    // which it borrows exclusively.
    let flat: &mut [std::mem::MaybeUninit<u32>] =
        unsafe { std::slice::from_raw_parts_mut(dst.as_mut_ptr().cast(), 3 * dst.len()) };
    for (d, &v) in flat.iter_mut().zip(src.as_flattened()) {
        d.write(u32::from(v) + first);
    }
}

/// Asks Linux to back the whole 2 MiB pages inside `v` with transparent huge
/// pages (where THP is `madvise` or `always`). `v` must be freshly allocated
/// and not yet written: then its pages fault in 512 at a time (a cold 256³
/// CLI run: 3.2 k fewer page faults, ~8 % less CPU time).
fn advise_huge_pages<T>(v: &mut [T]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = v.as_mut_ptr() as usize;
        let end = start + std::mem::size_of_val(v);
        let (lo, hi) = (start.next_multiple_of(HUGE), end / HUGE * HUGE);
        if hi > lo {
            // SAFETY: `lo..hi` lies inside `v`'s live allocation, and
            // MADV_HUGEPAGE changes only how its pages are backed, never what
            // they hold. A refusal (no THP) leaves ordinary pages: ignored.
            unsafe {
                libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

fn empty_output() -> MeshOutput {
    MeshOutput {
        mesh: Mesh::empty(),
        domain: ([0.0; 3], [0.0; 3]),
        cell_size: 0.0,
        cells: [0; 3],
        chunks_meshed: 0,
        chunks_total: 0,
        samples: 0,
        watertight: true,
        phases: Phases::default(),
    }
}

/// Slack for the rounding of evaluations in [`Ctx::refine`]'s distance test:
/// a hundred ULPs of the largest coordinate of the grid (the field's rounding
/// error grows with the magnitude of the coordinates it works on).
fn rounding_margin(grid: &Grid) -> f32 {
    let far = (0..3)
        .map(|a| {
            grid.coord(a, 0)
                .abs()
                .max(grid.coord(a, grid.cells[a]).abs())
        })
        .fold(1.0f32, f32::max);
    100.0 * f32::EPSILON * far
}

/// The lattice for box `lo..hi` with `resolution` cells along its longest axis,
/// centred on the box; `pad` adds one cell of margin on every side.
fn grid_for(lo: [f32; 3], hi: [f32; 3], resolution: usize, pad: bool) -> Grid {
    let ext = [0, 1, 2].map(|a| (hi[a] - lo[a]).max(0.0));
    let longest = ext.iter().copied().fold(0.0f32, f32::max);
    let h = if longest > 0.0 {
        longest / resolution as f32
    } else {
        1e-3
    };
    let margin = if pad { 2 } else { 0 };
    let cells = ext.map(|e| ((e / h).ceil() as usize).clamp(1, resolution) + margin);
    let origin = [0, 1, 2].map(|a| 0.5 * (lo[a] + hi[a]) - 0.5 * h * cells[a] as f32);
    Grid { origin, h, cells }
}

/// A chunk that may hold surface, with its tape simplified for its box.
struct Leaf {
    chunk: [usize; 3],
    tape: Arc<Tape>,
}

/// The octree descent: the surviving chunks, each with its own short tape, in
/// octree order.
fn prune(tape: &Tape, grid: &Grid, chunks: [usize; 3]) -> Vec<Leaf> {
    let span = chunks
        .iter()
        .copied()
        .max()
        .unwrap_or(1)
        .next_power_of_two();
    let tapes = Tapes::default();
    descend(&Arc::new(tape.clone()), [0; 3], span, grid, chunks, &tapes)
}

/// The simplified tapes made so far in one descent, by the tape they were
/// simplified from (its address) and the choices. Blocks far apart in the
/// octree often narrow the same branches of the same tape: each distinct tape
/// is compiled once (compiling is most of pruning's cost). Every key's tape
/// stays alive while the map does (it is the root's or one of the map's own),
/// so no address is reused during the descent.
///
/// The map is split into shards, each behind its own lock: behind a single
/// lock, two threads waited on each other so often that a two-thread
/// descent was slower than a one-thread one.
#[derive(Default)]
struct Tapes([std::sync::Mutex<TapeMap>; TAPE_SHARDS]);

/// Shards of [`Tapes`]: enough that two threads rarely want the same one.
const TAPE_SHARDS: usize = 32;

type TapeMap = std::collections::HashMap<TapeKey, Arc<Tape>, BuildHasherDefault<KeyHasher>>;

/// A simplified tape's source (its address) and choices (packed four a byte).
type TapeKey = (usize, Box<[u8]>);

impl Tapes {
    /// `tape` simplified by `choices`, compiled on first use.
    fn simplified(&self, tape: &Arc<Tape>, choices: &[Choice]) -> Arc<Tape> {
        // Four choices a byte: hashed as one short slice, not element by element.
        let packed = choices
            .chunks(4)
            .map(|c| c.iter().rev().fold(0u8, |b, &c| b << 2 | c as u8))
            .collect();
        let key = (Arc::as_ptr(tape) as usize, packed);
        // The shard from the hash's middle bits: the map's own table reads
        // its low and its top bits.
        let hash = BuildHasherDefault::<KeyHasher>::default().hash_one(&key);
        let shard = &self.0[(hash >> 32) as usize % TAPE_SHARDS];
        let lock = || {
            shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(t) = lock().get(&key) {
            return Arc::clone(t);
        }
        // Compiled outside the lock; a task that raced us to the same key
        // made an identical tape, and the first one in is kept.
        let t = Arc::new(tape.simplify(choices));
        Arc::clone(lock().entry(key).or_insert(t))
    }
}

/// A multiply-rotate hash for [`TapeKey`]s: an address and a few bytes, made
/// in this process, so there is no adversary to resist, and SipHash (the
/// default) costs more than the lookup it serves.
#[derive(Default)]
struct KeyHasher(u64);

impl KeyHasher {
    fn add(&mut self, word: u64) {
        // An odd constant with well-spread bits (from the golden ratio).
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for word in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..word.len()].copy_from_slice(word);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // The product's high bits are its best mixed: rotated down to where
        // the table and the shard index read.
        self.0.rotate_left(26)
    }
}

/// The surviving chunks inside the octree block of `size` chunks at `origin`,
/// whose tape is `tape`. The block's children are bounded here together; each
/// surviving child's subtree is then descended as a task of its own, as soon
/// as its parent is done, rather than level by level with every block of a
/// level waiting for the slowest.
fn descend(
    tape: &Arc<Tape>,
    origin: [usize; 3],
    size: usize,
    grid: &Grid,
    chunks: [usize; 3],
    tapes: &Tapes,
) -> Vec<Leaf> {
    let mut s = IntervalScratch::new();
    let mut kids = Vec::new();
    // A block of one chunk (only the root of a one-chunk grid) is its own child.
    let (half, step) = if size == 1 { (1, 1) } else { (size / 2, 2) };
    for k in 0..step * step * step {
        let o = [0, 1, 2].map(|a| origin[a] + half * (k >> a & 1) * (step - 1));
        if (0..3).any(|a| o[a] >= chunks[a]) {
            continue;
        }
        let lo = o.map(|c| c * CHUNK);
        let hi = [0, 1, 2].map(|a| ((o[a] + half) * CHUNK).min(grid.cells[a]));
        if let Some(t) = survive(tape, grid, lo, hi, &mut s, tapes) {
            kids.push((o, t));
        }
    }
    if half == 1 {
        return kids
            .into_iter()
            .map(|(chunk, tape)| Leaf { chunk, tape })
            .collect();
    }
    if size <= TASK_BLOCK {
        return kids
            .into_iter()
            .flat_map(|(o, t)| descend(&t, o, half, grid, chunks, tapes))
            .collect();
    }
    kids.into_par_iter()
        .flat_map_iter(|(o, t)| descend(&t, o, half, grid, chunks, tapes))
        .collect()
}

/// Octree blocks of at most this many chunks a side are descended as one
/// task each, subtree and all: a block of 4³ chunks is tens of µs of work
/// (2.6 ms of pruning over a few dozen such blocks at 256³), and finer tasks
/// cost the threads more in waking and stealing than they share.
const TASK_BLOCK: usize = 4;

/// The simplified tape for cells `lo..hi`, or `None` when no surface can be there.
/// A block on the domain's outer faces is kept when it may be inside, since the
/// outer samples count as outside and the cap passes through it.
fn survive(
    tape: &Arc<Tape>,
    grid: &Grid,
    lo: [usize; 3],
    hi: [usize; 3],
    s: &mut IntervalScratch,
    tapes: &Tapes,
) -> Option<Arc<Tape>> {
    let [x, y, z] = grid.cell_box(lo, hi);
    let v = tape.eval_interval_with(x, y, z, s);
    let on_face = (0..3).any(|a| lo[a] == 0 || hi[a] == grid.cells[a]);
    if v.lo >= 0.0 || (v.hi < 0.0 && !on_face) {
        return None;
    }
    if !s.any_choice() {
        return Some(Arc::clone(tape));
    }
    Some(tapes.simplified(tape, &s.choices))
}

/// Per-thread buffers of the first pass.
#[derive(Default)]
struct Scratch {
    interval: IntervalScratch,
    values: Vec<f32>,
    /// Per sample row, the samples to evaluate (bit x of row `y + S·z`).
    wanted: Vec<u32>,
    /// Per sample row, the samples of blocks proven inside.
    filled: Vec<u32>,
    regs: Vec<[f32; LANES]>,
    xs: Vec<f32>,
    ys: Vec<f32>,
    zs: Vec<f32>,
    out: Vec<f32>,
    /// Points of the gradient stencils.
    stencil: [Vec<f32>; 3],
    /// The dense tables of the chunk in hand (see [`ChunkOut::table`]), lent
    /// to each chunk in turn rather than allocated per chunk.
    table: Vec<u16>,
    cases: Vec<u8>,
    /// The chunk's table entries on its faces as found: `(table index,
    /// vertex, case)`; [`ChunkOut::drop_tables`] keeps them compactly.
    border: Vec<(u16, u16, u8)>,
    /// Surface nets' vertices of the chunk in hand, copied out exactly sized.
    positions: Vec<[f32; 3]>,
    /// Sign bits of the evaluated samples (bit `i % 64` of word `i / 64`).
    negative: Vec<u64>,
    /// [`Ctx::refine`]'s rows: the sub-block centres, the samples kept.
    centres: Vec<u32>,
    keep: Vec<u32>,
    /// [`Ctx::faces`]'s output, before it is copied where it belongs.
    faces: Vec<[u32; 3]>,
}

/// What the first pass leaves for the second.
#[derive(Default)]
struct ChunkOut {
    /// Cells of this chunk per axis (`CHUNK`, less at the grid's far faces).
    size: [usize; 3],
    /// Sign bits: bit `x` of `rows[y + S·z]` is set when sample `(x, y, z)` is inside.
    rows: Vec<u32>,
    /// Dual methods: vertex of cell `(x, y, z)` at `x + CHUNK·(y + CHUNK·z)`.
    /// Marching cubes: vertex of the edge along axis `a` from sample `(x, y, z)`
    /// at `a + 3·(x + CHUNK·(y + CHUNK·z))`.
    table: Vec<u16>,
    /// Dual methods: the corner-sign case of each surface cell.
    cases: Vec<u8>,
    /// After the first pass the dense tables go back to the thread's scratch
    /// (they are most of a chunk's memory); the second pass only needs the
    /// entries of cells (or edges) on the chunk's six faces, in table order,
    /// with the vertex's position: the second pass reads the neighbours'
    /// entries, and one cache line beats three.
    border: Vec<BorderEntry>,
    /// Per word of 64 table indices: which have a border entry (bit `k % 64`)
    /// and how many entries precede the word. Finds an entry in O(1).
    border_index: Vec<(u64, u32)>,
    positions: Vec<[f32; 3]>,
    first_vertex: u32,
    samples: usize,
    /// Faces whose vertices are all this chunk's, numbered locally (a chunk's
    /// vertices are numbered by its `u16` table; half the bytes of global numbers).
    inner_faces: Vec<[u16; 3]>,
    /// Faces of the first pass left out for want of a vertex.
    missing: usize,
    /// At most this many faces come from pass two (exactly this many when
    /// none is left out): the mesh's face buffer is cut from these bounds
    /// before pass two, which then writes every face in place.
    border_bound: usize,
}

impl ChunkOut {
    /// Table entry `k` (vertex, case) with the vertex's position, from the
    /// dense table while it exists, else from the border entries.
    fn entry(&self, k: usize) -> Option<(u16, u8, [f32; 3])> {
        if !self.table.is_empty() {
            let v = *self.table.get(k)?;
            if v == NONE {
                return None;
            }
            let v = v & !MULTI;
            let case = self.cases.get(k).copied().unwrap_or(0);
            return Some((v, case, *self.positions.get(usize::from(v))?));
        }
        let (bits, before) = *self.border_index.get(k / 64)?;
        let bit = k % 64;
        if bits >> bit & 1 == 0 {
            return None;
        }
        let i = before as usize + (bits & ((1 << bit) - 1)).count_ones() as usize;
        let e = self.border.get(i)?;
        Some((e.vertex, e.case, e.position))
    }

    /// Vertex `v + extra` (`extra`: a cell's piece after its first) and its
    /// position, given `entry`'s result for the cell.
    fn piece(&self, (v, _, position): (u16, u8, [f32; 3]), extra: u16) -> Option<(u16, [f32; 3])> {
        if extra == 0 {
            return Some((v, position));
        }
        let v = v + extra;
        Some((v, *self.positions.get(usize::from(v))?))
    }

    /// Indexes the border entries and hands the dense tables back to `s` once
    /// the first pass is done: only `border` is looked up after that.
    fn drop_tables(&mut self, s: &mut Scratch) {
        s.border.sort_unstable_by_key(|e| e.0);
        self.border_index = vec![(0, 0); self.table.len().div_ceil(64)];
        for &(k, _, _) in &s.border {
            self.border_index[usize::from(k) / 64].0 |= 1 << (k % 64);
        }
        // Exactly sized: a chunk's border entries live until the mesh is done.
        self.border = s
            .border
            .drain(..)
            .map(|(_, vertex, case)| BorderEntry {
                vertex,
                case,
                position: self.positions[usize::from(vertex)],
            })
            .collect();
        let mut before = 0u32;
        for (bits, at) in &mut self.border_index {
            *at = before;
            before += bits.count_ones();
        }
        s.table = std::mem::take(&mut self.table);
        s.cases = std::mem::take(&mut self.cases);
    }

    fn inside(&self, p: [usize; 3]) -> bool {
        self.rows[p[1] + S * p[2]] >> p[0] & 1 == 1
    }
}

/// A table entry on a chunk's faces, kept for the second pass.
#[derive(Clone, Copy)]
struct BorderEntry {
    vertex: u16,
    case: u8,
    position: [f32; 3],
}

/// `buf`'s allocation, refilled with `n` copies of `fill`.
fn lend<T: Copy>(buf: &mut Vec<T>, n: usize, fill: T) -> Vec<T> {
    let mut v = std::mem::take(buf);
    v.clear();
    v.resize(n, fill);
    v
}

fn sample_index(x: usize, y: usize, z: usize) -> usize {
    x + S * (y + S * z)
}

fn cell_index(x: usize, y: usize, z: usize) -> usize {
    x + CHUNK * (y + CHUNK * z)
}

struct Ctx {
    grid: Grid,
    chunks: [usize; 3],
    method: Method,
    level: Level,
    /// A Lipschitz bound of the field, when one is known: lets sampling skip
    /// samples that provably share their neighbourhood's sign.
    lipschitz: Option<f32>,
    /// Absolute slack for rounding in [`Ctx::refine`]'s distance test.
    margin: f32,
}

impl Ctx {
    fn slot(&self, c: [usize; 3]) -> usize {
        c[0] + self.chunks[0] * (c[1] + self.chunks[1] * c[2])
    }

    fn point(&self, g: [usize; 3]) -> [f32; 3] {
        [0, 1, 2].map(|a| self.grid.coord(a, g[a]))
    }

    /// Samples, sign rows and vertices of one chunk.
    #[inline(never)]
    fn first_pass(&self, leaf: &Leaf, sampled: Option<&[f32]>, s: &mut Scratch) -> ChunkOut {
        let base = leaf.chunk.map(|c| c * CHUNK);
        let size = self.chunk_size(base);
        let tape = &leaf.tape;
        let mut rows = vec![0; S * S];
        let samples = match sampled {
            Some(values) => self.take_samples(values, base, size, &mut rows, s),
            None => self.sample(tape, base, size, &mut rows, s),
        };
        let values_buf = std::mem::take(&mut s.values);
        let values = &values_buf[..];
        let mut out = ChunkOut {
            size,
            rows,
            samples,
            ..ChunkOut::default()
        };
        match self.method {
            Method::SurfaceNets | Method::DualContouring => {
                // One vertex per surface piece of each cell; the table points at
                // the cell's first piece, `cases` says which edge is in which piece.
                out.table = lend(&mut s.table, CHUNK * CHUNK * CHUNK, NONE);
                // Not refilled: a cell's case is read only where the table
                // marks the cell as holding several pieces, and both are
                // written together, below.
                out.cases = std::mem::take(&mut s.cases);
                out.cases.resize(CHUNK * CHUNK * CHUNK, 0);
                let cases = cube::cases();
                let means = cube::piece_means();
                let mut pieces: Vec<Piece> = Vec::new();
                let mut positions = std::mem::take(&mut s.positions);
                positions.clear();
                let nets = self.method == Method::SurfaceNets;
                let h = self.grid.h;
                for_each_surface_cell(&out.rows, out.size, |c, case| {
                    let ci = cell_index(c[0], c[1], c[2]);
                    let first = (positions.len() + pieces.len()) as u16;
                    let info = &cases[case];
                    out.table[ci] = if info.patches > 1 {
                        first | MULTI
                    } else {
                        first
                    };
                    out.cases[ci] = case as u8;
                    if on_face(size, c) {
                        s.border.push((ci as u16, first, case as u8));
                    }
                    if nets {
                        let t = edge_crossings(&corner_values(values, c));
                        let o = [0, 1, 2].map(|a| self.grid.coord(a, base[a] + c[a]));
                        for piece in &means[case][..usize::from(info.patches)] {
                            let m = mean_crossing(&t, piece);
                            positions.push([0, 1, 2].map(|a| o[a] + h * m[a]));
                        }
                    } else {
                        for patch in 0..info.patches {
                            pieces.push(Piece {
                                cell: c,
                                case,
                                patch,
                            });
                        }
                    }
                });
                out.positions = if nets {
                    // Exactly sized, from a buffer that has stopped growing.
                    let exact = positions.to_vec();
                    s.positions = positions;
                    exact
                } else {
                    self.dual_contour(tape, base, &pieces, values, s)
                };
            }
            Method::MarchingCubes => {
                out.table = lend(&mut s.table, 3 * CHUNK * CHUNK * CHUNK, NONE);
                for_each_owned_crossing(&out.rows, out.size, |axis, p| {
                    let q = step(p, axis);
                    let (va, vb) = (
                        values[sample_index(p[0], p[1], p[2])],
                        values[sample_index(q[0], q[1], q[2])],
                    );
                    let t = crossing(va, vb);
                    let g = [0, 1, 2].map(|a| base[a] + p[a]);
                    let mut pos = self.point(g);
                    pos[axis] += t * self.grid.h;
                    let k = axis + 3 * cell_index(p[0], p[1], p[2]);
                    out.table[k] = out.positions.len() as u16;
                    if on_face(size, p) {
                        s.border.push((k as u16, out.positions.len() as u16, 0));
                    }
                    out.positions.push(pos);
                });
            }
        }
        s.values = values_buf;
        (out.inner_faces, out.missing, out.border_bound) = match self.method {
            Method::MarchingCubes => {
                let mut faces = std::mem::take(&mut s.faces);
                let missing = self.faces(leaf, &out, None, &mut faces);
                // Local numbers are below the chunk's vertex count, which fits
                // its u16 table.
                let local = faces.iter().map(|t| t.map(|v| v as u16)).collect();
                s.faces = faces;
                // Pass two makes the triangles of the cells on the high faces.
                let mut bound = 0;
                for_each_surface_cell_on_high_faces(&out.rows, out.size, &mut |_, case| {
                    bound += cube::cases()[case].triangles.len();
                });
                (local, missing, bound)
            }
            Method::SurfaceNets | Method::DualContouring => inner_dual_faces(&out),
        };
        out.drop_tables(s);
        out
    }

    /// Pass two, once every chunk's vertices have global numbers: each chunk's
    /// faces, written straight into the mesh's (its inner faces from pass one,
    /// renumbered, then those along its borders, [`Ctx::faces`]), and its
    /// vertices' positions and, with `normals`, their normals (computed here
    /// rather than in pass one, so they are never copied). Returns the faces,
    /// how many faces were left out for want of a vertex, the positions and
    /// the normals (empty without `normals`).
    #[allow(clippy::type_complexity)]
    fn border_pass(
        &self,
        outs: &[ChunkOut],
        leaves: &[Leaf],
        border: Border<'_>,
        normals: bool,
        tick: &(dyn Fn() + Sync),
    ) -> (Vec<[u32; 3]>, usize, Vec<[f32; 3]>, Vec<[f32; 3]>) {
        let vertices: usize = outs.iter().map(|o| o.positions.len()).sum();
        let mut positions = Vec::with_capacity(vertices);
        let mut normal_buf = Vec::with_capacity(if normals { vertices } else { 0 });
        let slices = vertex_slices(outs, &mut positions, &mut normal_buf, vertices, normals);
        let lens: Vec<usize> = outs
            .iter()
            .map(|o| o.inner_faces.len() + o.border_bound)
            .collect();
        let bound = lens.iter().sum();
        // Uninitialised, not zero-filled: what is read is written below.
        let mut faces = Vec::with_capacity(bound);
        let face_slots = face_slices(outs, &mut faces, bound);
        let written: Vec<(usize, usize)> = outs
            .par_iter()
            .zip(leaves)
            .zip(slices)
            .zip(face_slots)
            .map_init(Scratch::default, |s, (((o, leaf), (p, n)), f)| {
                // Made in the thread's buffer: the face slice is filled from it.
                let mut outer = std::mem::take(&mut s.faces);
                let mut missing = self.faces(leaf, o, Some(border), &mut outer);
                let (inner, rest) = f.split_at_mut(o.inner_faces.len());
                write_renumbered(inner, &o.inner_faces, o.first_vertex);
                // The bound holds by construction; were a face past it, it
                // would be left out (and the mesh reported open), not panic.
                let fit = outer.len().min(rest.len());
                debug_assert_eq!(fit, outer.len(), "more border faces than bounded");
                missing += outer.len() - fit;
                write_copies(&mut rest[..fit], &outer[..fit]);
                write_copies(p, &o.positions);
                if normals {
                    self.gradients_into(&leaf.tape, &o.positions, n, s);
                }
                tick();
                let written = o.inner_faces.len() + fit;
                s.faces = outer;
                (written, missing)
            })
            .collect();
        let missing = written.iter().map(|w| w.1).sum();
        let counts: Vec<usize> = written.iter().map(|w| w.0).collect();
        let len = if counts == lens {
            bound
        } else {
            // SAFETY: each task wrote the first `counts[i]` elements of its
            // slice `i` (its inner faces, then its border faces).
            unsafe { close_gaps(&mut faces, &lens, &counts) }
        };
        // SAFETY: `vertex_slices` tiled the first `vertices` elements of both
        // vertex buffers (of `normal_buf` only with `normals`) with the chunks'
        // slices, and every task above wrote the whole of both of its slices.
        // The first `len` faces are written: every slice was filled when the
        // counts equal the lengths, and `close_gaps` made them contiguous
        // otherwise.
        unsafe {
            positions.set_len(vertices);
            normal_buf.set_len(if normals { vertices } else { 0 });
            faces.set_len(len);
        }
        (faces, missing, positions, normal_buf)
    }

    /// Cells of the chunk at sample `base` per axis: `CHUNK`, less at the far faces.
    fn chunk_size(&self, base: [usize; 3]) -> [usize; 3] {
        [0, 1, 2].map(|a| CHUNK.min(self.grid.cells[a] - base[a]))
    }

    /// All corner samples of the chunks of `batch` evaluated by `sampler`, x
    /// fastest, chunk after chunk, with the chunks' start offsets (and the end).
    /// `None` when the sampler failed.
    fn bulk_sample(
        &self,
        batch: &[Leaf],
        sampler: &dyn BulkSampler,
    ) -> Option<(Vec<f32>, Vec<usize>)> {
        let mut starts = Vec::with_capacity(batch.len() + 1);
        let mut n = 0;
        for leaf in batch {
            starts.push(n);
            let size = self.chunk_size(leaf.chunk.map(|c| c * CHUNK));
            n += (size[0] + 1) * (size[1] + 1) * (size[2] + 1);
        }
        starts.push(n);
        let mut points = vec![[0.0f32; 3]; n];
        let mut rest = &mut points[..];
        let mut slices = Vec::with_capacity(batch.len());
        for w in starts.windows(2) {
            let (head, tail) = rest.split_at_mut(w[1] - w[0]);
            slices.push(head);
            rest = tail;
        }
        slices.into_par_iter().zip(batch).for_each(|(out, leaf)| {
            let base = leaf.chunk.map(|c| c * CHUNK);
            let size = self.chunk_size(base);
            let mut k = 0;
            for z in 0..=size[2] {
                for y in 0..=size[1] {
                    for x in 0..=size[0] {
                        // The same arithmetic as `sample`, so a sample shared by
                        // two chunks is at the same position in both.
                        out[k] = self.point([base[0] + x, base[1] + y, base[2] + z]);
                        k += 1;
                    }
                }
            }
        });
        let values = sampler.eval_points(&points)?;
        (values.len() == n).then_some((values, starts))
    }

    /// [`Ctx::sample`]'s result from values evaluated elsewhere (`bulk_sample`'s
    /// order for this chunk). Returns how many samples there were.
    fn take_samples(
        &self,
        values: &[f32],
        base: [usize; 3],
        size: [usize; 3],
        rows: &mut [u32],
        s: &mut Scratch,
    ) -> usize {
        s.values.clear();
        s.values.resize(S * S * S, 1.0);
        let mut k = 0;
        for z in 0..=size[2] {
            for y in 0..=size[1] {
                let r = y + S * z;
                let mut inside = 0u32;
                for x in 0..=size[0] {
                    let v = values[k];
                    k += 1;
                    s.values[r * S + x] = v;
                    inside |= u32::from(v < 0.0) << x;
                }
                rows[r] = inside;
            }
        }
        self.force_outer_faces(base, size, rows, |_| u32::MAX, &mut s.values);
        k
    }

    /// Evaluates the chunk's samples into `s.values` (stride [`S`]) and their
    /// signs into `rows`. Samples whose sign is proven or inferred are not
    /// evaluated: only their sign (in `rows`) is read, except on the domain's
    /// faces, where [`Ctx::force_outer_faces`] gives them values. Returns how
    /// many samples were evaluated.
    #[inline(never)]
    fn sample(
        &self,
        tape: &Tape,
        base: [usize; 3],
        size: [usize; 3],
        rows: &mut [u32],
        s: &mut Scratch,
    ) -> usize {
        let refine_alone = self.lipschitz.is_some_and(|l| l <= REFINE_ALONE_UP_TO);
        if !refine_alone {
            // Samples of blocks proven outside are read unevaluated, as +1.
            s.values.clear();
        }
        // Otherwise not refilled (1.2 ms of writes at 256³): every value read
        // is evaluated (see `refine`) or set by `force_outer_faces`.
        s.values.resize(S * S * S, 1.0);
        s.wanted.clear();
        s.wanted.resize(S * S, 0);
        s.filled.clear();
        s.filled.resize(S * S, 0);
        if refine_alone {
            // `refine` finds the empty space from the 2³-cell sub-blocks'
            // centres. Bounding the BLOCK³ blocks first saved 20 % of the
            // samples but cost more than it saved (an interval evaluation runs
            // ~100 times slower per op than one SIMD lane): without it, the
            // first pass at 256³ takes 1.5 ms less of 40 on one thread.
            mark_rows(&mut s.wanted, [0; 3], size);
        } else {
            // One level of BLOCK³ pruning: bounding smaller blocks costs about
            // as much as evaluating their samples, so it did not pay.
            for bz in (0..size[2]).step_by(BLOCK) {
                for by in (0..size[1]).step_by(BLOCK) {
                    for bx in (0..size[0]).step_by(BLOCK) {
                        let lo = [bx, by, bz];
                        let hi = [0, 1, 2].map(|a| (lo[a] + BLOCK).min(size[a]));
                        if !self.classify(tape, base, lo, hi, s) {
                            mark_rows(&mut s.wanted, lo, hi);
                        }
                    }
                }
            }
        }
        for ((row, filled), wanted) in rows.iter_mut().zip(&s.filled).zip(&s.wanted) {
            // Proven-inside samples start inside; evaluated ones are set below.
            *row = filled & !wanted;
        }
        let mut wanted = std::mem::take(&mut s.wanted);
        let mut count = 0;
        if let Some(lipschitz) = self.lipschitz {
            count += self.refine(tape, base, size, lipschitz, &mut wanted, rows, s);
        }
        count += self.eval_rows(tape, base, size, &wanted, rows, s);
        // The samples evaluated: the centres (with a Lipschitz bound) and
        // those wanted after them.
        let centres = if self.lipschitz.is_some() {
            &s.centres[..]
        } else {
            &[]
        };
        let evaluated = |r: usize| wanted[r] | centres.get(r).copied().unwrap_or(0);
        self.force_outer_faces(base, size, rows, evaluated, &mut s.values);
        s.wanted = wanted;
        count
    }

    /// Evaluates the samples whose bits are set in `want` (per sample row, bit
    /// x of row `y + S·z`) into `s.values`, and sets their bits of `rows` to
    /// their signs. Returns how many there were.
    fn eval_rows(
        &self,
        tape: &Tape,
        base: [usize; 3],
        size: [usize; 3],
        want: &[u32],
        rows: &mut [u32],
        s: &mut Scratch,
    ) -> usize {
        // Gather the wanted samples, evaluate, scatter values and signs.
        let coords: [[f32; S]; 3] =
            [0, 1, 2].map(|a| std::array::from_fn(|i| self.grid.coord(a, base[a] + i)));
        let rows_used = [size[1] + 1, size[2] + 1];
        // Fixed-size buffers written by index: pushes in this loop cost more
        // than the arithmetic.
        let full = S * S * S;
        for buf in [&mut s.xs, &mut s.ys, &mut s.zs] {
            buf.resize(full, 0.0);
        }
        let avx512 = self.level.avx512();
        let xyz = [&mut s.xs[..], &mut s.ys[..], &mut s.zs[..]];
        let n = match avx512 {
            // SAFETY: `Level::avx512` is only true after `Level::resolve`
            // detected AVX-512F on this CPU.
            #[cfg(target_arch = "x86_64")]
            true => unsafe { gather_avx512(&coords, rows_used, want, xyz) },
            _ => gather(&coords, rows_used, want, xyz),
        };
        if n == 0 {
            return 0;
        }
        let mut out = std::mem::take(&mut s.out);
        self.eval(
            tape,
            &s.xs[..n],
            &s.ys[..n],
            &s.zs[..n],
            &mut out,
            &mut s.regs,
        );
        match avx512 {
            // SAFETY: as for the gather above.
            #[cfg(target_arch = "x86_64")]
            true => unsafe { scatter_avx512(&out, rows_used, want, &mut s.values, rows) },
            _ => scatter(&out, rows_used, want, &mut s.values, rows, &mut s.negative),
        }
        s.out = out;
        n
    }

    /// Narrows `wanted` with the field's Lipschitz bound `lipschitz`: the
    /// centre of every 2³-cell sub-block is evaluated first, and a sub-block
    /// whose centre is farther from the surface than `lipschitz` times the
    /// reach of its 27 samples (√3 cells) holds no sign change: its samples
    /// take the centre's sign unevaluated. Only the other sub-blocks' samples
    /// stay wanted. A surface cell lies inside one sub-block, so every corner
    /// of every surface cell is still evaluated. Returns the centres evaluated.
    #[allow(clippy::too_many_arguments)]
    fn refine(
        &self,
        tape: &Tape,
        base: [usize; 3],
        size: [usize; 3],
        lipschitz: f32,
        wanted: &mut [u32],
        rows: &mut [u32],
        s: &mut Scratch,
    ) -> usize {
        const ODD: u32 = 0xAAAA_AAAA;
        let mut centres = lend(&mut s.centres, S * S, 0);
        for z in (1..=size[2]).step_by(2) {
            for y in (1..=size[1]).step_by(2) {
                let r = y + S * z;
                centres[r] = wanted[r] & ODD;
                wanted[r] &= !ODD;
            }
        }
        let n = self.eval_rows(tape, base, size, &centres, rows, s);
        let reach = lipschitz * 3f32.sqrt() * self.grid.h * (1.0 + 1e-3) + self.margin;
        let row_mask = (1u32 << (size[0] + 1)) - 1;
        let spread = |b: u32| (b | b << 1 | b >> 1) & row_mask;
        let mut keep = lend(&mut s.keep, S * S, 0);
        for z in (1..=size[2]).step_by(2) {
            for y in (1..=size[1]).step_by(2) {
                let r = y + S * z;
                // Every odd column, then only the centres evaluated: without
                // branches, which the near/far/inside pattern mispredicted.
                let row = &s.values[r * S..r * S + S];
                let (mut near, mut inside) = (0u32, 0u32);
                for x in (1..S).step_by(2) {
                    let v = row[x];
                    near |= u32::from(v.abs() <= reach || v.is_nan()) << x;
                    inside |= u32::from(v < 0.0) << x;
                }
                let near = near & centres[r];
                let inside = inside & centres[r] & !near;
                if near | inside == 0 {
                    continue;
                }
                let (near, inside) = (spread(near), spread(inside));
                for zz in z - 1..=(z + 1).min(size[2]) {
                    for yy in y - 1..=(y + 1).min(size[1]) {
                        keep[yy + S * zz] |= near;
                        rows[yy + S * zz] |= inside;
                    }
                }
            }
        }
        for ((w, keep), centre) in wanted.iter_mut().zip(&keep).zip(&centres) {
            // The near sub-blocks' samples, less the centres already evaluated
            // (`eval_rows` replaces any inferred signs among them, which agree).
            *w = keep & !centre;
        }
        s.centres = centres;
        s.keep = keep;
        n
    }

    /// Bounds cells `lo..hi` of the chunk at `base`; when the sign is proven, marks
    /// the samples as filled (inside) or leaves them outside and returns true.
    fn classify(
        &self,
        tape: &Tape,
        base: [usize; 3],
        lo: [usize; 3],
        hi: [usize; 3],
        s: &mut Scratch,
    ) -> bool {
        let [x, y, z] = self.grid.cell_box(
            [0, 1, 2].map(|a| base[a] + lo[a]),
            [0, 1, 2].map(|a| base[a] + hi[a]),
        );
        let v = tape.eval_interval_with(x, y, z, &mut s.interval);
        if v.lo >= 0.0 {
            return true;
        }
        if v.hi < 0.0 {
            mark_rows(&mut s.filled, lo, hi);
            for z in lo[2]..=hi[2] {
                for y in lo[1]..=hi[1] {
                    let at = sample_index(lo[0], y, z);
                    s.values[at..=at + hi[0] - lo[0]].fill(-1.0);
                }
            }
            return true;
        }
        false
    }

    /// The domain's outer samples count as outside (just outside, so a cap lies
    /// on the domain's face): that closes a shape cut by the domain.
    ///
    /// The cap's edges run from those samples to inside ones whose sign may
    /// have been inferred, not evaluated (see [`Ctx::refine`]), and the
    /// crossings on them are read from the values: so first every inside
    /// sample of such a chunk gets a negative value, as evaluated ones have.
    /// `evaluated(r)` is the row's samples that hold their own value; the
    /// others may hold a fill value or an earlier chunk's.
    fn force_outer_faces(
        &self,
        base: [usize; 3],
        size: [usize; 3],
        rows: &mut [u32],
        evaluated: impl Fn(usize) -> u32,
        values: &mut [f32],
    ) {
        let low = base.map(|b| b == 0);
        let high = [0, 1, 2].map(|a| base[a] + size[a] == self.grid.cells[a]);
        if !low.iter().chain(&high).any(|f| *f) {
            return;
        }
        for (r, &row) in rows.iter().enumerate() {
            let inferred = row & !evaluated(r);
            for x in set_bits(row) {
                let v = &mut values[r * S + x];
                // An evaluated zero may be inside by its sign bit (-0.0).
                if inferred >> x & 1 == 1 || *v >= 0.0 {
                    *v = -1.0;
                }
            }
        }
        let mut x_faces = 0u32;
        if low[0] {
            x_faces |= 1;
        }
        if high[0] {
            x_faces |= 1 << size[0];
        }
        for z in 0..=size[2] {
            for y in 0..=size[1] {
                let whole = (low[1] && y == 0)
                    || (high[1] && y == size[1])
                    || (low[2] && z == 0)
                    || (high[2] && z == size[2]);
                let r = y + S * z;
                let mut bits = rows[r] & if whole { u32::MAX } else { x_faces };
                rows[r] &= !bits;
                while bits != 0 {
                    let x = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    values[r * S + x] = f32::MIN_POSITIVE;
                }
            }
        }
    }

    /// Values of `tape` at the points `(xs[i], ys[i], zs[i])` into `out`.
    #[inline(never)]
    fn eval(
        &self,
        tape: &Tape,
        xs: &[f32],
        ys: &[f32],
        zs: &[f32],
        out: &mut Vec<f32>,
        regs: &mut Vec<[f32; LANES]>,
    ) {
        let n = xs.len();
        // Appended block by block: filling it first would write it twice.
        out.clear();
        out.reserve(n);
        if regs.len() < tape.reg_count().max(1) {
            regs.resize(tape.reg_count().max(1), [0.0; LANES]);
        }
        let mut bx = [0.0f32; LANES];
        let mut by = [0.0f32; LANES];
        let mut bz = [0.0f32; LANES];
        for start in (0..n).step_by(LANES) {
            let m = LANES.min(n - start);
            let range = start..start + m;
            let (x, y, z) = (&xs[range.clone()], &ys[range.clone()], &zs[range]);
            match (x.try_into(), y.try_into(), z.try_into()) {
                (Ok(x), Ok(y), Ok(z)) => self.level.run_block::<LANES>(tape, regs, x, y, z),
                _ => {
                    // The tail: copied into full-width blocks.
                    bx[..m].copy_from_slice(x);
                    by[..m].copy_from_slice(y);
                    bz[..m].copy_from_slice(z);
                    self.level.run_block::<LANES>(tape, regs, &bx, &by, &bz);
                }
            }
            out.extend_from_slice(&regs[tape.output() as usize][..m]);
        }
    }

    /// [`Ctx::gradients_into`] a new vector.
    fn gradients(&self, tape: &Tape, points: &[[f32; 3]], s: &mut Scratch) -> Vec<[f32; 3]> {
        let mut normals = Vec::with_capacity(points.len());
        self.gradients_into(
            tape,
            points,
            &mut normals.spare_capacity_mut()[..points.len()],
            s,
        );
        // SAFETY: `gradients_into` writes every element of the slice it is
        // given, here the first `points.len()`.
        unsafe { normals.set_len(points.len()) };
        normals
    }

    /// Unit gradients of `tape` at `points` into `normals`, which must be as
    /// long: every element is written.
    fn gradients_into(
        &self,
        tape: &Tape,
        points: &[[f32; 3]],
        normals: &mut [std::mem::MaybeUninit<[f32; 3]>],
        s: &mut Scratch,
    ) {
        assert_eq!(normals.len(), points.len(), "one normal per point");
        // The tetrahedral stencil: four evaluations, second-order accurate like
        // central differences (which need six).
        const K: [[f32; 3]; 4] = [[1., -1., -1.], [-1., -1., 1.], [-1., 1., -1.], [1., 1., 1.]];
        let d = 0.05 * self.grid.h;
        // Own buffers: `xs`/`ys`/`zs` keep their full size for sampling.
        let n = 4 * points.len();
        for buf in &mut s.stencil {
            // Only grown: every element used is written below.
            if buf.len() < n {
                buf.resize(n, 0.0);
            }
        }
        let [gx, gy, gz] = s.stencil.each_mut().map(|b| &mut b[..n]);
        // Per axis, the four points' offsets: one 4-lane add and store per
        // point and axis (written point by point, the stores were scalar and
        // most of this function's time).
        let offsets: [[f32; 4]; 3] = std::array::from_fn(|a| K.map(|k| d * k[a]));
        let (gx, gy, gz) = (
            gx.as_chunks_mut::<4>().0,
            gy.as_chunks_mut::<4>().0,
            gz.as_chunks_mut::<4>().0,
        );
        for (p, ((x, y), z)) in points.iter().zip(gx.iter_mut().zip(gy).zip(gz)) {
            *x = offsets[0].map(|o| p[0] + o);
            *y = offsets[1].map(|o| p[1] + o);
            *z = offsets[2].map(|o| p[2] + o);
        }
        let mut out = std::mem::take(&mut s.out);
        let [gx, gy, gz] = s.stencil.each_ref().map(|b| &b[..n]);
        self.eval(tape, gx, gy, gz, &mut out, &mut s.regs);
        for (normal, v) in normals.iter_mut().zip(out.chunks_exact(4)) {
            normal.write(normalize([0, 1, 2].map(|a| {
                K[0][a] * v[0] + K[1][a] * v[1] + K[2][a] * v[2] + K[3][a] * v[3]
            })));
        }
        s.out = out;
    }

    /// Dual contouring: per cell, the point nearest (in least squares) to the
    /// tangent planes at its edge crossings, pulled gently toward the mean
    /// crossing and kept inside the cell.
    fn dual_contour(
        &self,
        tape: &Tape,
        base: [usize; 3],
        pieces: &[Piece],
        values: &[f32],
        s: &mut Scratch,
    ) -> Vec<[f32; 3]> {
        let h = self.grid.h as f64;
        // Crossing points of every piece, in order; `spans[i]` is piece i's range.
        let mut points: Vec<[f32; 3]> = Vec::new();
        let mut spans = Vec::with_capacity(pieces.len());
        for pc in pieces {
            let c = pc.cell;
            let start = points.len();
            for e in pc.edges() {
                if let Some(p) = edge_crossing(e, c, values) {
                    points.push([0, 1, 2].map(|a| {
                        (self.grid.origin[a] as f64 + h * ((base[a] + c[a]) as f64 + p[a])) as f32
                    }));
                }
            }
            spans.push(start..points.len());
        }
        let normals = self.gradients(tape, &points, s);
        pieces
            .iter()
            .zip(spans)
            .map(|(pc, span)| {
                let c = pc.cell;
                let pts = &points[span.clone()];
                let ns = &normals[span];
                let lo =
                    [0, 1, 2].map(|a| self.grid.origin[a] as f64 + h * (base[a] + c[a]) as f64);
                qef_vertex(pts, ns, lo, h)
            })
            .collect()
    }

    /// Faces owned by a chunk: quads around its crossed edges (dual methods) or
    /// the table's triangles of its cells (marching cubes).
    ///
    /// Called twice for marching cubes, once (the second pass) for the dual
    /// methods, whose first-pass faces are [`inner_dual_faces`]'s. In the first
    /// pass (`border == None`) it makes the faces whose vertices all belong to
    /// this chunk, numbered locally; that is nearly all of them. In the second
    /// (`border == Some(..)`, once every chunk's vertices have global numbers)
    /// it makes the rest, which reach into the neighbouring chunks, numbered
    /// globally. The faces replace `faces`'s contents; returns how many faces
    /// were left out for want of a vertex (none when the sample signs agree
    /// across chunk borders, as they should).
    fn faces(
        &self,
        leaf: &Leaf,
        me: &ChunkOut,
        border: Option<Border<'_>>,
        faces: &mut Vec<[u32; 3]>,
    ) -> usize {
        debug_assert!(border.is_some() || self.method == Method::MarchingCubes);
        faces.clear();
        let cases = cube::cases();
        let local = |l: [isize; 3]| (0..3).all(|a| l[a] >= 0 && (l[a] as usize) < me.size[a]);
        // The chunk holding local coordinates `l` (which may lie one step into
        // a neighbouring chunk) and the coordinates within it.
        let locate = |l: [isize; 3]| -> Option<(&ChunkOut, u32, [usize; 3])> {
            if local(l) {
                let first = if border.is_some() { me.first_vertex } else { 0 };
                return Some((me, first, l.map(|v| v as usize)));
            }
            let Border { outs, slots } = border?;
            let mut chunk = leaf.chunk;
            let mut q = [0usize; 3];
            for a in 0..3 {
                let v = l[a];
                if v < 0 {
                    chunk[a] = chunk[a].checked_sub(1)?;
                    q[a] = (v + CHUNK as isize) as usize;
                } else if v as usize >= me.size[a] {
                    chunk[a] += 1;
                    if chunk[a] >= self.chunks[a] {
                        return None;
                    }
                    q[a] = v as usize - me.size[a];
                } else {
                    q[a] = v as usize;
                }
            }
            let j = slots[self.slot(chunk)];
            let o = outs.get(j as usize)?;
            Some((o, o.first_vertex, q))
        };
        // Entry `k` of a chunk's table, plus `extra`, as a vertex number and position.
        let vertex = |(o, first, _): (&ChunkOut, u32, [usize; 3]), k: usize, extra: u16| {
            let (v, position) = o.piece(o.entry(k)?, extra)?;
            Some((first + u32::from(v), position))
        };
        let mut missing = 0usize;
        match self.method {
            Method::SurfaceNets | Method::DualContouring => {
                // The cells around these edges lie in this chunk or one step
                // below it on some axes: the chunk `below[m]` holds those below
                // on the axes of bit mask `m` (found once, not per cell).
                let below: [Option<(&ChunkOut, u32)>; 8] = std::array::from_fn(|m| {
                    let l = [0, 1, 2].map(|a| if m >> a & 1 == 1 { -1 } else { 0 });
                    locate(l).map(|(o, first, _)| (o, first))
                });
                // Only the edges on the chunk's low faces in b or c (the first
                // pass made the rest): their cells reach into the neighbours.
                for_each_owned_crossing_on_low_faces(&me.rows, me.size, |axis, p| {
                    let (b, c) = ((axis + 1) % 3, (axis + 2) % 3);
                    // The vertex of the piece that holds this edge in the cell at
                    // offset (db, dc) on axes (b, c); the edge is that cell's edge
                    // number 4·axis + (−db) + 2·(−dc).
                    let cell = |db: isize, dc: isize| {
                        let e = 4 * axis + (-db) as usize + 2 * (-dc) as usize;
                        let (mut q, mut m) = (p, 0);
                        for (a, d) in [(b, db), (c, dc)] {
                            if d < 0 {
                                if q[a] == 0 {
                                    // A chunk below another is never short.
                                    q[a] = CHUNK - 1;
                                    m |= 1 << a;
                                } else {
                                    q[a] -= 1;
                                }
                            }
                        }
                        let (o, first) = below[m]?;
                        let entry = o.entry(cell_index(q[0], q[1], q[2]))?;
                        let patch = cases[usize::from(entry.1)].edge_patch[e];
                        if patch == cube::NO_PATCH {
                            return None;
                        }
                        let (v, position) = o.piece(entry, u16::from(patch))?;
                        Some((first + u32::from(v), position))
                    };
                    let (Some((qa, pa)), Some((qb, pb)), Some((qc, pc)), Some((qd, pd))) =
                        (cell(-1, -1), cell(0, -1), cell(0, 0), cell(-1, 0))
                    else {
                        missing += 1;
                        return;
                    };
                    // Around the edge, a→b→c→d turns counter-clockwise about +axis,
                    // the outward direction when the edge's low end is inside.
                    let outward_up = me.inside(p);
                    let split_ac = dist2(pa, pc) <= dist2(pb, pd);
                    let tris = if split_ac {
                        [[qa, qb, qc], [qa, qc, qd]]
                    } else {
                        [[qa, qb, qd], [qb, qc, qd]]
                    };
                    for t in tris {
                        faces.push(if outward_up { t } else { [t[0], t[2], t[1]] });
                    }
                });
            }
            Method::MarchingCubes => {
                // A cell's edges are all this chunk's unless it touches the
                // chunk's high faces: the first pass takes the others.
                let visit = if border.is_some() {
                    for_each_surface_cell_on_high_faces
                } else {
                    for_each_inner_surface_cell
                };
                visit(&me.rows, me.size, &mut |c, case| {
                    for t in &cases[case].triangles {
                        let v = t.map(|e| {
                            let e = e as usize;
                            let o = cube::edge_origin(e);
                            let l = [0, 1, 2].map(|a| (c[a] + o[a] as usize) as isize);
                            let at = locate(l)?;
                            let k = cube::edge_axis(e) + 3 * cell_index(at.2[0], at.2[1], at.2[2]);
                            vertex(at, k, 0)
                        });
                        if let [Some((a, _)), Some((b, _)), Some((c, _))] = v {
                            faces.push([a, b, c]);
                        } else {
                            missing += 1;
                        }
                    }
                });
            }
        }
        missing
    }
}

/// The dual methods' faces whose four cells are all in chunk `me` (the hot loop
/// of meshing: no neighbour lookups), numbered locally; how many were left
/// out for want of a vertex; and how many faces pass two makes at most.
fn inner_dual_faces(me: &ChunkOut) -> (Vec<[u16; 3]>, usize, usize) {
    const STRIDE: [usize; 3] = [1, CHUNK, CHUNK * CHUNK];
    let cases = cube::cases();
    let mut faces = Vec::with_capacity(2 * me.positions.len() + 16);
    let mut missing = 0;
    let mut on_low_faces = 0;
    for_each_owned_crossing(&me.rows, me.size, |axis, p| {
        let (b, c) = ((axis + 1) % 3, (axis + 2) % 3);
        if p[b] == 0 || p[c] == 0 {
            // Pass two's (`for_each_owned_crossing_on_low_faces`): two
            // triangles each, unless a vertex is missing.
            on_low_faces += 1;
            return;
        }
        let k = cell_index(p[0], p[1], p[2]);
        let (sb, sc) = (STRIDE[b], STRIDE[c]);
        // Cells a, b, c, d at offsets (−1,−1), (0,−1), (0,0), (−1,0) on axes
        // (b, c); the edge is their edge 4·axis + 3, + 2, + 0, + 1.
        let cells = [k - sb - sc, k - sc, k, k - sb];
        let edges = [4 * axis + 3, 4 * axis + 2, 4 * axis, 4 * axis + 1];
        let mut v = [0u16; 4];
        for i in 0..4 {
            let entry = me.table[cells[i]];
            if entry == NONE {
                missing += 1;
                return;
            }
            // A crossed edge of a one-piece cell is that piece's.
            if entry & MULTI == 0 {
                v[i] = entry;
                continue;
            }
            let patch = cases[usize::from(me.cases[cells[i]])].edge_patch[edges[i]];
            if patch == cube::NO_PATCH {
                missing += 1;
                return;
            }
            // A piece of a cell that has a vertex: below the vertex count.
            v[i] = (entry & !MULTI) + u16::from(patch);
        }
        let pos = |i: usize| me.positions[usize::from(v[i])];
        let split_ac = dist2(pos(0), pos(2)) <= dist2(pos(1), pos(3));
        let [qa, qb, qc, qd] = v;
        let tris = if split_ac {
            [[qa, qb, qc], [qa, qc, qd]]
        } else {
            [[qa, qb, qd], [qb, qc, qd]]
        };
        // a→b→c→d turns counter-clockwise about +axis, the outward direction
        // when the edge's low end is inside.
        let outward_up = me.inside(p);
        for t in tris {
            faces.push(if outward_up { t } else { [t[0], t[2], t[1]] });
        }
    });
    (faces, missing, 2 * on_low_faces)
}

/// What the second pass sees of the other chunks.
#[derive(Clone, Copy)]
struct Border<'a> {
    outs: &'a [ChunkOut],
    /// Chunk slot (see `Ctx::slot`) → index into `outs`, `u32::MAX` when pruned.
    slots: &'a [u32],
}

/// Whether local coordinates `c` lie on one of the six faces of a chunk of
/// `size` cells (the table entries neighbours and the second pass look up).
fn on_face(size: [usize; 3], c: [usize; 3]) -> bool {
    (0..3).any(|a| c[a] == 0 || c[a] + 1 >= size[a])
}

/// Gathers the coordinates of the samples whose bits are set in `want` (bit
/// x of row `y + S·z`, for the first `rows[0]` values of y and `rows[1]` of
/// z) into `xyz`, row by row, low x first. Returns how many there were.
fn gather(
    coords: &[[f32; S]; 3],
    rows: [usize; 2],
    want: &[u32],
    [xs, ys, zs]: [&mut [f32]; 3],
) -> usize {
    let mut n = 0;
    for_each_wanted_row(rows, want, |y, z, bits| {
        let len = bits.count_ones() as usize;
        ys[n..n + len].fill(coords[1][y]);
        zs[n..n + len].fill(coords[2][z]);
        if let Some(x) = single_run(bits) {
            xs[n..n + len].copy_from_slice(&coords[0][x..x + len]);
        } else {
            // Scattered samples (after `refine`): one at a time.
            for (d, x) in xs[n..n + len].iter_mut().zip(set_bits(bits)) {
                *d = coords[0][x];
            }
        }
        n += len;
    });
    n
}

/// The inverse of [`gather`]: writes the values `out` (in gather order) into
/// their rows of `values` (stride [`S`]) and sets their bits of `signs` (bit x
/// of row `y + S·z`) to whether they are inside. `negative` is scratch.
fn scatter(
    out: &[f32],
    rows: [usize; 2],
    want: &[u32],
    values: &mut [f32],
    signs: &mut [u32],
    negative: &mut Vec<u64>,
) {
    // The signs first, 64 at a time (a loop the compiler vectorises), then
    // scatter in the gather's order (row by row), so no index needs dividing
    // back into a row and a column.
    sign_bits(out, negative);
    let mut k = 0;
    for_each_wanted_row(rows, want, |y, z, bits| {
        let r = y + S * z;
        let len = bits.count_ones() as usize;
        let row = &mut values[r * S..r * S + S];
        let inside = if let Some(x) = single_run(bits) {
            row[x..x + len].copy_from_slice(&out[k..k + len]);
            bit_run(negative, k, len) << x
        } else {
            let mut inside = 0;
            for (x, &v) in set_bits(bits).zip(&out[k..k + len]) {
                row[x] = v;
                inside |= u32::from(v < 0.0) << x;
            }
            inside
        };
        k += len;
        signs[r] = signs[r] & !bits | inside;
    });
    debug_assert_eq!(k, out.len());
}

/// [`gather`] with AVX-512: a row's first 16 x coordinates are compressed by
/// its bits in one instruction and stored under a mask, which replaces the
/// per-bit loop, the small copies and their mispredicted branches (the 17th
/// sample, x = 16, is done by hand).
///
/// # Safety
/// The CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn gather_avx512(
    coords: &[[f32; S]; 3],
    rows: [usize; 2],
    want: &[u32],
    [xs, ys, zs]: [&mut [f32]; 3],
) -> usize {
    use std::arch::x86_64::*;
    const { assert!(S == 17) };
    // The stores below write lanes n..n + 16 at most, with n below the
    // number of bits in `want`, at most S³ (17 bits in each of S² rows).
    assert!(want.len() >= S * S && [&xs, &ys, &zs].iter().all(|b| b.len() >= S * S * S));
    assert!(rows[0] <= S && rows[1] <= S);
    // SAFETY: `coords[0]` holds S ≥ 16 floats.
    let xv = unsafe { _mm512_loadu_ps(coords[0].as_ptr()) };
    let mut n = 0;
    for_each_wanted_row(rows, want, |y, z, bits| {
        debug_assert_eq!(bits >> S, 0);
        let low = bits as u16;
        let len = low.count_ones() as usize;
        let lanes = ((1u32 << len) - 1) as u16;
        // SAFETY: the masks store lanes n..n + len, inside the buffers
        // (asserted above).
        unsafe {
            _mm512_mask_storeu_ps(
                xs.as_mut_ptr().add(n),
                lanes,
                _mm512_maskz_compress_ps(low, xv),
            );
            _mm512_mask_storeu_ps(ys.as_mut_ptr().add(n), lanes, _mm512_set1_ps(coords[1][y]));
            _mm512_mask_storeu_ps(zs.as_mut_ptr().add(n), lanes, _mm512_set1_ps(coords[2][z]));
        }
        n += len;
        if bits >> 16 & 1 == 1 {
            xs[n] = coords[0][16];
            ys[n] = coords[1][y];
            zs[n] = coords[2][z];
            n += 1;
        }
    });
    n
}

/// [`scatter`] with AVX-512: a row's values are expanded to their bit
/// positions, stored and compared with zero under the row's mask.
///
/// # Safety
/// The CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn scatter_avx512(
    out: &[f32],
    rows: [usize; 2],
    want: &[u32],
    values: &mut [f32],
    signs: &mut [u32],
) {
    use std::arch::x86_64::*;
    assert!(want.len() >= S * S && signs.len() >= S * S && values.len() >= S * S * S);
    assert!(rows[0] <= S && rows[1] <= S);
    let zero = _mm512_setzero_ps();
    let mut k = 0;
    for_each_wanted_row(rows, want, |y, z, bits| {
        let r = y + S * z;
        let low = bits as u16;
        let len = low.count_ones() as usize;
        assert!(k + len <= out.len(), "fewer values than wanted samples");
        let lanes = ((1u32 << len) - 1) as u16;
        // SAFETY: the load reads lanes k..k + len of `out` (checked just
        // above); the store writes lanes 0..16 of row r, inside `values`
        // (asserted at the top).
        let v = unsafe {
            let v = _mm512_maskz_expand_ps(low, _mm512_maskz_loadu_ps(lanes, out.as_ptr().add(k)));
            _mm512_mask_storeu_ps(values.as_mut_ptr().add(r * S), low, v);
            v
        };
        // Ordered less-than: NaN and −0 count as outside, as `v < 0.0` does.
        let mut inside = u32::from(_mm512_mask_cmp_ps_mask::<_CMP_LT_OQ>(low, v, zero));
        k += len;
        if bits >> 16 & 1 == 1 {
            let v = out[k];
            values[r * S + 16] = v;
            inside |= u32::from(v < 0.0) << 16;
            k += 1;
        }
        signs[r] = signs[r] & !bits | inside;
    });
    debug_assert_eq!(k, out.len());
}

/// Calls `f(y, z, bits)` for the rows of `want` with bits set, z slowest:
/// the first `rows[0]` values of y and `rows[1]` of z (the order of
/// [`gather`] and [`scatter`]). Nested loops: an iterator chain here cost 3 %
/// more instructions per mesh.
#[inline(always)]
fn for_each_wanted_row(rows: [usize; 2], want: &[u32], mut f: impl FnMut(usize, usize, u32)) {
    for z in 0..rows[1] {
        for y in 0..rows[0] {
            let bits = want[y + S * z];
            if bits != 0 {
                f(y, z, bits);
            }
        }
    }
}

/// Bit `i % 64` of word `i / 64` of `bits` set when `values[i] < 0`.
fn sign_bits(values: &[f32], bits: &mut Vec<u64>) {
    bits.clear();
    let whole = values.chunks_exact(64);
    let tail = whole.remainder();
    bits.extend(whole.map(sign_word));
    if !tail.is_empty() {
        bits.push(sign_word_plain(tail));
    }
}

/// [`sign_bits`] of 64 values: four comparisons and one `movmskps` per four
/// values (SSE, which every x86-64 has), where LLVM's own vectorisation of
/// the plain loop shifted each lane into place separately (3× the instructions).
#[cfg(target_arch = "x86_64")]
fn sign_word(c: &[f32]) -> u64 {
    #[target_feature(enable = "sse")]
    fn with_sse(c: &[f32]) -> u64 {
        use std::arch::x86_64::{_mm_cmplt_ps, _mm_movemask_ps, _mm_set_ps, _mm_setzero_ps};
        let zero = _mm_setzero_ps();
        let mut w = 0u64;
        for (q, v) in c.chunks_exact(4).enumerate() {
            let lanes = _mm_set_ps(v[3], v[2], v[1], v[0]);
            // Ordered less-than: NaN and −0 count as outside, as `v < 0.0` does.
            let m = _mm_movemask_ps(_mm_cmplt_ps(lanes, zero)) as u64;
            w |= m << (4 * q);
        }
        w
    }
    // SAFETY: SSE is part of the x86-64 baseline: every x86-64 CPU has it.
    unsafe { with_sse(c) }
}

#[cfg(not(target_arch = "x86_64"))]
fn sign_word(c: &[f32]) -> u64 {
    sign_word_plain(c)
}

/// The sign bits of up to 64 values, one at a time.
fn sign_word_plain(c: &[f32]) -> u64 {
    c.iter()
        .enumerate()
        .fold(0u64, |w, (j, v)| w | u64::from(*v < 0.0) << j)
}

/// Bits `at..at + len` of `bits` (`len` ≤ 32), as the low bits of a word.
fn bit_run(bits: &[u64], at: usize, len: usize) -> u32 {
    let (w, b) = (at / 64, at % 64);
    let mut run = bits[w] >> b;
    if b + len > 64 {
        // b > 32 here, so the shift is below 64.
        run |= bits[w + 1] << (64 - b);
    }
    (run & ((1u64 << len) - 1)) as u32
}

/// The first bit of `bits` when its set bits form one run (and it is not 0).
fn single_run(bits: u32) -> Option<usize> {
    let low = bits & bits.wrapping_neg();
    (bits != 0 && bits & bits.wrapping_add(low) == 0).then_some(bits.trailing_zeros() as usize)
}

/// The positions of the set bits of `bits`, low first.
fn set_bits(mut bits: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if bits == 0 {
            return None;
        }
        let x = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        Some(x)
    })
}

/// Sets bits `lo[0]..=hi[0]` of rows `y + S·z` for `y`, `z` in `lo..=hi`.
fn mark_rows(rows: &mut [u32], lo: [usize; 3], hi: [usize; 3]) {
    let mask = ((1u32 << (hi[0] - lo[0] + 1)) - 1) << lo[0];
    for z in lo[2]..=hi[2] {
        for y in lo[1]..=hi[1] {
            rows[y + S * z] |= mask;
        }
    }
}

/// Calls `f` with every cell of the chunk whose corners differ in sign.
fn for_each_surface_cell(rows: &[u32], size: [usize; 3], f: impl FnMut([usize; 3], usize)) {
    surface_cells_where(rows, size, |_, _| u32::MAX, f);
}

/// [`for_each_surface_cell`] for the cells not on the chunk's high faces.
fn for_each_inner_surface_cell(
    rows: &[u32],
    size: [usize; 3],
    f: &mut dyn FnMut([usize; 3], usize),
) {
    let [nx, ny, nz] = size;
    let inner = (1u32 << (nx - 1)) - 1;
    let keep = |y: usize, z: usize| if y + 1 < ny && z + 1 < nz { inner } else { 0 };
    surface_cells_where(rows, size, keep, f);
}

/// [`for_each_surface_cell`] for the cells on the chunk's high faces.
fn for_each_surface_cell_on_high_faces(
    rows: &[u32],
    size: [usize; 3],
    f: &mut dyn FnMut([usize; 3], usize),
) {
    let [nx, ny, nz] = size;
    let last = 1u32 << (nx - 1);
    let keep = |y: usize, z: usize| {
        if y + 1 < ny && z + 1 < nz {
            last
        } else {
            u32::MAX
        }
    };
    surface_cells_where(rows, size, keep, f);
}

/// Calls `f(cell, case)` with the cells whose corners differ in sign, in the
/// columns `keep(y, z)` allows (a bit mask over x). `case` is the cell's
/// corner-sign case ([`case_of`]), read off the four sample rows around the
/// cell's column two bits at a time.
fn surface_cells_where(
    rows: &[u32],
    size: [usize; 3],
    keep: impl Fn(usize, usize) -> u32,
    mut f: impl FnMut([usize; 3], usize),
) {
    let [nx, ny, nz] = size;
    let mask = (1u32 << nx) - 1;
    for z in 0..nz {
        for y in 0..ny {
            let allowed = keep(y, z);
            if allowed == 0 {
                continue;
            }
            let r = [
                rows[y + S * z],
                rows[y + 1 + S * z],
                rows[y + S * (z + 1)],
                rows[y + 1 + S * (z + 1)],
            ];
            let any = r[0] | r[1] | r[2] | r[3];
            let all = r[0] & r[1] & r[2] & r[3];
            // A cell at x spans sample columns x and x + 1.
            let any2 = any | (any >> 1);
            let all2 = all & (all >> 1);
            let mut mixed = any2 & !all2 & mask & allowed;
            while mixed != 0 {
                let x = mixed.trailing_zeros() as usize;
                mixed &= mixed - 1;
                // Corner k = dx + 2·dy + 4·dz: row (dy, dz) gives bits 2·dy + 4·dz
                // and the next, for dx = 0 and 1.
                let pair = |row: u32| (row >> x & 0b11) as usize;
                let case = pair(r[0]) | pair(r[1]) << 2 | pair(r[2]) << 4 | pair(r[3]) << 6;
                debug_assert_eq!(case, case_of(rows, [x, y, z]));
                f([x, y, z], case);
            }
        }
    }
}

/// [`for_each_owned_crossing`] for the edges on the chunk's low faces across
/// their axis (`p[b] == 0` or `p[c] == 0` for the other two axes b, c): the ones
/// whose four cells are not all in the chunk.
fn for_each_owned_crossing_on_low_faces(
    rows: &[u32],
    size: [usize; 3],
    mut f: impl FnMut(usize, [usize; 3]),
) {
    let [nx, ny, nz] = size;
    let mask = (1u32 << nx) - 1;
    let mut visit = |axis: usize, mut bits: u32, y: usize, z: usize| {
        while bits != 0 {
            let x = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            f(axis, [x, y, z]);
        }
    };
    for z in 0..nz {
        for y in 0..ny {
            let r = rows[y + S * z];
            // x-edges: b = y, c = z.
            if y == 0 || z == 0 {
                visit(0, (r ^ (r >> 1)) & mask, y, z);
            }
            // y-edges: b = z, c = x; z-edges: b = x, c = y.
            let low_x = if z == 0 { mask } else { 1 };
            visit(1, (r ^ rows[y + 1 + S * z]) & mask & low_x, y, z);
            let low_x = if y == 0 { mask } else { 1 };
            visit(2, (r ^ rows[y + S * (z + 1)]) & mask & low_x, y, z);
        }
    }
}

/// Calls `f(axis, p)` for every edge this chunk owns whose ends differ in sign:
/// the edge along `axis` from local sample `p`, with `p` inside the chunk's cell
/// range on every axis.
fn for_each_owned_crossing(rows: &[u32], size: [usize; 3], mut f: impl FnMut(usize, [usize; 3])) {
    let [nx, ny, nz] = size;
    let mask = (1u32 << nx) - 1;
    for z in 0..nz {
        for y in 0..ny {
            let r = rows[y + S * z];
            let crossed = [
                r ^ (r >> 1),
                r ^ rows[y + 1 + S * z],
                r ^ rows[y + S * (z + 1)],
            ];
            // One call site, so that `f` (the hot loop of the dual methods'
            // faces) is inlined: with one per axis it was called.
            for (axis, bits) in crossed.into_iter().enumerate() {
                let mut bits = bits & mask;
                while bits != 0 {
                    let x = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    f(axis, [x, y, z]);
                }
            }
        }
    }
}

/// The values at the 8 corners of local cell `c`, in corner order.
fn corner_values(values: &[f32], c: [usize; 3]) -> [f32; 8] {
    let i = sample_index(c[0], c[1], c[2]);
    const O: [usize; 8] = [0, 1, S, S + 1, S * S, S * S + 1, S * S + S, S * S + S + 1];
    // One bounds check for the cell's span instead of one per corner.
    let span = &values[i..=i + O[7]];
    O.map(|o| span[o])
}

/// The crossing fraction ([`crossing`]) of each of a cell's 12 edges, from its
/// corner values, grouped as [`cube::PieceMean`] reads them: `t[k][a]` is
/// edge `4·a + k`'s (lane 3 is padding). Meaningless on edges whose ends have
/// the same sign.
fn edge_crossings(corners: &[f32; 8]) -> [[f32; 4]; 4] {
    // All twelve at once: `crossing` has no branches, so the compiler turns
    // this into four 4-wide divisions instead of a division per crossed edge
    // chained through a loop, once the costliest loop of surface nets.
    let end = |k: usize, a: usize, high: bool| {
        if a == 3 {
            return if high { 1.0 } else { -1.0 };
        }
        let (c0, c1) = cube::EDGE_CORNERS[4 * a + k];
        corners[if high { c1 } else { c0 }]
    };
    let lo: [[f32; 4]; 4] = std::array::from_fn(|k| std::array::from_fn(|a| end(k, a, false)));
    let hi: [[f32; 4]; 4] = std::array::from_fn(|k| std::array::from_fn(|a| end(k, a, true)));
    let mut t = [[0.0f32; 4]; 4];
    for k in 0..4 {
        for a in 0..4 {
            t[k][a] = crossing(lo[k][a], hi[k][a]);
        }
    }
    t
}

/// Surface nets: the mean of the crossings of one piece of a cell, in cell
/// units from the cell's low corner (lane 3 is padding), given the cell's
/// [`edge_crossings`]: four-lane multiply-adds, no branches or bit counts.
#[inline(always)]
fn mean_crossing(t: &[[f32; 4]; 4], piece: &cube::PieceMean) -> [f32; 4] {
    let mut sum = piece.offset;
    for (k, tk) in t.iter().enumerate() {
        // `& 7`: lane sets are 3-bit, and the mask spares a bounds check.
        let on = &cube::LANE_ON[usize::from(piece.lanes[k] & 7)];
        for a in 0..4 {
            sum[a] += on[a] * tk[a];
        }
    }
    sum.map(|v| v / piece.count)
}

/// One surface piece of one cell (the dual methods' unit of vertex).
struct Piece {
    cell: [usize; 3],
    case: usize,
    patch: u8,
}

impl Piece {
    /// The cell's edges that this piece crosses.
    fn edges(&self) -> impl Iterator<Item = usize> + '_ {
        let info = &cube::cases()[self.case];
        (0..12).filter(move |&e| info.edge_patch[e] == self.patch)
    }
}

/// The corner-sign case of local cell `c` from a chunk's sign rows, corner by
/// corner: the definition that [`surface_cells_where`]'s faster reading is
/// checked against (in builds with debug assertions, which the tests have).
fn case_of(rows: &[u32], c: [usize; 3]) -> usize {
    let mut case = 0;
    for (k, o) in CORNERS.iter().enumerate() {
        let row = rows[c[1] + o[1] as usize + S * (c[2] + o[2] as usize)];
        case |= ((row >> (c[0] + o[0] as usize) & 1) as usize) << k;
    }
    case
}

fn step(p: [usize; 3], axis: usize) -> [usize; 3] {
    let mut q = p;
    q[axis] += 1;
    q
}

/// Where the linear interpolant of `a`..`b` crosses zero, as a fraction of the
/// edge, kept off the ends so that no two vertices coincide. Only asked of
/// crossed edges (ends of different signs, so `a != b`); written without
/// branches so that [`edge_crossings`] vectorises.
#[inline(always)]
fn crossing(a: f32, b: f32) -> f32 {
    const END: f32 = 1.0 / 1024.0;
    let t = a / (a - b);
    let t = if t < END { END } else { t };
    let t = if t > 1.0 - END { 1.0 - END } else { t };
    // NaN (from infinite values) fails both comparisons: the middle.
    if t.is_nan() { 0.5 } else { t }
}

/// The crossing on edge `e` of local cell `c`, in cell units from the cell's low
/// corner, or `None` when the edge's ends have the same sign.
fn edge_crossing(e: usize, c: [usize; 3], values: &[f32]) -> Option<[f64; 3]> {
    let (c0, c1) = cube::edge_corners(e);
    let at = |k: usize| {
        let o = CORNERS[k];
        values[sample_index(
            c[0] + o[0] as usize,
            c[1] + o[1] as usize,
            c[2] + o[2] as usize,
        )]
    };
    let (a, b) = (at(c0), at(c1));
    if (a < 0.0) == (b < 0.0) {
        return None;
    }
    let t = crossing(a, b);
    let o = CORNERS[c0];
    let mut p = [o[0] as f64, o[1] as f64, o[2] as f64];
    p[cube::edge_axis(e)] += t as f64;
    Some(p)
}

/// The dual-contouring vertex of a cell with low corner `lo` and edge `h`, from
/// the crossing points `pts` and unit normals `ns` there.
fn qef_vertex(pts: &[[f32; 3]], ns: &[[f32; 3]], lo: [f64; 3], h: f64) -> [f32; 3] {
    let n = pts.len().max(1) as f64;
    let mut mass = [0.0f64; 3];
    for p in pts {
        for a in 0..3 {
            mass[a] += p[a] as f64 / n;
        }
    }
    // Minimise Σ (nᵢ·(m + y − pᵢ))² + λ|y|² over y: (AᵀA + λI) y = Aᵀ r with
    // rᵢ = nᵢ·(pᵢ − m). λ keeps the system well posed on flat and edge cells,
    // where AᵀA is singular, and barely moves true corners.
    let lambda = 0.05 * n;
    let mut ata = [[0.0f64; 3]; 3];
    let mut atr = [0.0f64; 3];
    for (p, nrm) in pts.iter().zip(ns) {
        let nv = [nrm[0] as f64, nrm[1] as f64, nrm[2] as f64];
        let r: f64 = (0..3).map(|a| nv[a] * (p[a] as f64 - mass[a])).sum();
        for i in 0..3 {
            atr[i] += nv[i] * r;
            for j in 0..3 {
                ata[i][j] += nv[i] * nv[j];
            }
        }
    }
    for (i, row) in ata.iter_mut().enumerate() {
        row[i] += lambda;
    }
    let y = solve3(ata, atr).unwrap_or([0.0; 3]);
    let mut v = [0.0f64; 3];
    let mut inside_cell = true;
    for a in 0..3 {
        v[a] = mass[a] + y[a];
        if v[a] < lo[a] || v[a] > lo[a] + h || !v[a].is_finite() {
            inside_cell = false;
        }
    }
    // A solution outside its cell would fold the surface over its neighbours.
    let v = if inside_cell { v } else { mass };
    v.map(|x| x as f32)
}

/// Solves the 3×3 system `m·x = r` by Cramer's rule; `None` when singular.
fn solve3(m: [[f64; 3]; 3], r: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&m);
    if d.abs() < 1e-12 {
        return None;
    }
    let mut x = [0.0; 3];
    for (k, xk) in x.iter_mut().enumerate() {
        let mut mk = m;
        for i in 0..3 {
            mk[i][k] = r[i];
        }
        *xk = det(&mk) / d;
    }
    Some(x)
}

fn normalize(v: [f32; 3]) -> [f32; 3] {
    let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    if l > 0.0 && l.is_finite() {
        v.map(|c| c / l)
    } else {
        [0.0, 1.0, 0.0]
    }
}

fn dist2(a: [f32; 3], b: [f32; 3]) -> f32 {
    (0..3).map(|k| (a[k] - b[k]) * (a[k] - b[k])).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::check::{signed_volume, topology};
    use crate::sdf::compile::compile;
    use crate::sdf::validate::Limits;

    fn compiled(tree: serde_json::Value) -> crate::sdf::compile::Compiled {
        compile(&tree, &Limits::default()).unwrap()
    }

    fn run(tree: serde_json::Value, method: Method, resolution: u32) -> MeshOutput {
        let c = compiled(tree);
        let settings = MeshSettings {
            method,
            resolution,
            ..MeshSettings::default()
        };
        mesh(&c.tape, c.bounds, &settings, &|_| {}).unwrap()
    }

    /// A bulk sampler on the CPU (the full tape, batch evaluator), failing
    /// from its `fail_from`-th call on.
    struct CpuSampler {
        tape: Tape,
        fail_from: usize,
        calls: AtomicUsize,
        /// Added to every other value of a batch: the value at a point then
        /// depends on where it sits in its batch, so neighbouring chunks
        /// disagree on the signs of the corners they share, and faces go
        /// missing along their borders. Zero for a faithful sampler.
        skew: f32,
    }

    impl CpuSampler {
        fn new(tape: &Tape, fail_from: usize, skew: f32) -> Self {
            CpuSampler {
                tape: tape.clone(),
                fail_from,
                calls: AtomicUsize::new(0),
                skew,
            }
        }
    }

    impl BulkSampler for CpuSampler {
        fn eval_points(&self, points: &[[f32; 3]]) -> Option<Vec<f32>> {
            if self.calls.fetch_add(1, Ordering::Relaxed) >= self.fail_from {
                return None;
            }
            let mut out = vec![0.0; points.len()];
            crate::sdf::eval::eval_points(&self.tape, points, &mut out, SimdWidth::Auto);
            for v in out.iter_mut().skip(1).step_by(2) {
                *v += self.skew;
            }
            Some(out)
        }
    }

    #[test]
    fn bulk_sampled_meshes_are_closed_and_failures_fall_back() {
        let doc = serde_json::from_str(include_str!("../../tests/data/alice-demo.asdf.json"));
        let c = compiled(doc.unwrap());
        for method in Method::ALL {
            // 256 cells: more than one sampler batch of chunks.
            let settings = MeshSettings {
                method,
                resolution: 256,
                ..MeshSettings::default()
            };
            let cpu = mesh(&c.tape, c.bounds, &settings, &|_| {}).unwrap();
            assert!(cpu.chunks_meshed > SAMPLER_BATCH, "{}", cpu.chunks_meshed);
            for fail_from in [usize::MAX, 1, 0] {
                let sampler = CpuSampler::new(&c.tape, fail_from, 0.0);
                let out = mesh_with(&c.tape, c.bounds, &settings, &|_| {}, Some(&sampler)).unwrap();
                let t = topology(&out.mesh);
                assert!(out.watertight && t.closed_manifold, "{method} {fail_from}");
                assert_eq!(out.chunks_meshed, cpu.chunks_meshed);
                let (a, b) = (signed_volume(&out.mesh), signed_volume(&cpu.mesh));
                assert!(
                    (a - b).abs() <= 1e-3 * b.abs(),
                    "{method}: volume {a} vs {b}"
                );
                if fail_from == 0 {
                    // Failed at once: the CPU did it all, exactly as without a sampler.
                    assert_eq!(out.mesh.triangles, cpu.mesh.triangles, "{method}");
                    assert_eq!(out.samples, cpu.samples);
                } else {
                    // Every corner of the sampled chunks was evaluated.
                    assert!(out.samples > cpu.samples, "{method}");
                }
            }
        }
    }

    #[test]
    fn faces_left_out_leave_no_gap_in_the_mesh() {
        // Pass two writes faces into ranges sized for none missing: the
        // ranges' unused ends must be closed up, not left as garbage.
        let doc = serde_json::from_str(include_str!("../../tests/data/alice-demo.asdf.json"));
        let c = compiled(doc.unwrap());
        for method in Method::ALL {
            let settings = MeshSettings {
                method,
                resolution: 64,
                ..MeshSettings::default()
            };
            let sampler = CpuSampler::new(&c.tape, usize::MAX, 0.01);
            let out = mesh_with(&c.tape, c.bounds, &settings, &|_| {}, Some(&sampler)).unwrap();
            assert!(
                !out.watertight,
                "{method}: the sampler should break borders"
            );
            assert!(!out.mesh.triangles.is_empty(), "{method}");
            let n = out.mesh.positions.len() as u32;
            for t in &out.mesh.triangles {
                // Real faces have three distinct vertices of the mesh.
                let distinct = t[0] != t[1] && t[1] != t[2] && t[0] != t[2];
                assert!(distinct && t.iter().all(|&v| v < n), "{method}: {t:?}");
            }
        }
    }

    #[test]
    fn unit_sphere_is_closed_with_the_right_volume_for_every_method() {
        let want = 4.0 / 3.0 * std::f64::consts::PI;
        for method in Method::ALL {
            let out = run(serde_json::json!({"Sphere": {"radius": 1.0}}), method, 128);
            let t = topology(&out.mesh);
            assert!(t.closed_manifold, "{method}: not closed");
            assert_eq!(t.euler, 2, "{method}: sphere Euler characteristic");
            let v = signed_volume(&out.mesh);
            assert!(
                (v - want).abs() / want < 0.01,
                "{method}: volume {v} vs {want}"
            );
            // Normals point outward: along the position on a unit sphere.
            for (p, n) in out.mesh.positions.iter().zip(&out.mesh.normals) {
                let d: f32 = (0..3).map(|k| p[k] * n[k]).sum();
                assert!(d > 0.95, "{method}: normal {n:?} at {p:?}");
            }
        }
    }

    #[test]
    fn torus_has_euler_characteristic_zero() {
        for method in Method::ALL {
            let out = run(
                serde_json::json!({"Torus": {"major_radius": 1.0, "minor_radius": 0.3}}),
                method,
                96,
            );
            let t = topology(&out.mesh);
            assert!(t.closed_manifold, "{method}");
            assert_eq!(t.euler, 0, "{method}");
            assert!(signed_volume(&out.mesh) > 0.0);
        }
    }

    #[test]
    fn demo_tree_is_closed_at_several_resolutions() {
        let tree: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/alice-demo.asdf.json")).unwrap();
        for method in Method::ALL {
            for res in [17, 64, 100] {
                let out = run(tree.clone(), method, res);
                let t = topology(&out.mesh);
                assert!(t.closed_manifold, "{method} at {res}");
                assert!(!out.mesh.is_empty());
                assert!(out.chunks_meshed <= out.chunks_total);
            }
        }
    }

    #[test]
    fn shared_chunk_tapes_agree_with_the_full_tape_in_their_chunks() {
        let tree: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/alice-demo.asdf.json")).unwrap();
        let c = compiled(tree);
        let (lo, hi) = c.bounds.unwrap();
        let grid = grid_for(lo, hi, 128, true);
        let chunks = [0, 1, 2].map(|a| grid.cells[a].div_ceil(CHUNK));
        let leaves = prune(&c.tape, &grid, chunks);
        let mut distinct: Vec<*const Tape> = leaves.iter().map(|l| Arc::as_ptr(&l.tape)).collect();
        distinct.sort();
        distinct.dedup();
        assert!(
            distinct.len() < leaves.len(),
            "siblings share tapes: {} for {} chunks",
            distinct.len(),
            leaves.len()
        );
        for leaf in &leaves {
            // A 5³ lattice over the chunk's closed box, corners included.
            let base = leaf.chunk.map(|c| c * CHUNK);
            for k in 0..125 {
                let p = [0, 1, 2].map(|a| {
                    let step = (k / 5usize.pow(a as u32)) % 5;
                    let cells = CHUNK.min(grid.cells[a] - base[a]);
                    grid.coord(a, base[a]) + grid.h * (cells * step) as f32 / 4.0
                });
                let (full, short) = (c.tape.eval_point(p), leaf.tape.eval_point(p));
                assert_eq!(
                    full.to_bits(),
                    short.to_bits(),
                    "chunk {:?} at {p:?}",
                    leaf.chunk
                );
            }
        }
    }

    #[test]
    fn a_shape_cut_by_the_bounds_is_capped() {
        let c = compiled(serde_json::json!({"Sphere": {"radius": 1.0}}));
        let settings = MeshSettings {
            bounds: Some(([-2.0, -2.0, 0.0], [2.0, 2.0, 2.0])),
            resolution: 64,
            ..MeshSettings::default()
        };
        let out = mesh(&c.tape, c.bounds, &settings, &|_| {}).unwrap();
        assert!(topology(&out.mesh).closed_manifold);
        let v = signed_volume(&out.mesh);
        let half = 2.0 / 3.0 * std::f64::consts::PI;
        assert!((v - half).abs() / half < 0.02, "{v}");
    }

    #[test]
    fn empty_and_unbounded_shapes() {
        // Intersection of two disjoint spheres: nothing inside.
        let empty = compiled(serde_json::json!({"Intersection": {
            "a": {"Sphere": {"radius": 1.0}},
            "b": {"Translate": {"offset": [5.0, 0.0, 0.0], "child": {"Sphere": {"radius": 1.0}}}}
        }}));
        let out = mesh(&empty.tape, empty.bounds, &MeshSettings::default(), &|_| {}).unwrap();
        assert!(out.mesh.is_empty());
        let plane =
            compiled(serde_json::json!({"Plane": {"normal": [0.0, 1.0, 0.0], "distance": 0.0}}));
        let err = mesh(&plane.tape, plane.bounds, &MeshSettings::default(), &|_| {}).unwrap_err();
        assert_eq!(err, MeshError::Unbounded);
        let settings = MeshSettings {
            bounds: Some(([-1.0; 3], [1.0; 3])),
            resolution: 32,
            ..MeshSettings::default()
        };
        let out = mesh(&plane.tape, plane.bounds, &settings, &|_| {}).unwrap();
        assert!(topology(&out.mesh).closed_manifold);
        let v = signed_volume(&out.mesh);
        assert!((v - 4.0).abs() < 0.2, "half the box: {v}");
        let bad = MeshSettings {
            resolution: 0,
            ..MeshSettings::default()
        };
        assert_eq!(
            mesh(&plane.tape, None, &bad, &|_| {}).unwrap_err(),
            MeshError::BadResolution
        );
    }

    #[test]
    fn progress_reaches_the_total() {
        let c = compiled(serde_json::json!({"Sphere": {"radius": 1.0}}));
        let last = std::sync::Mutex::new(None);
        let out = mesh(&c.tape, c.bounds, &MeshSettings::default(), &|p| {
            let mut l = last.lock().unwrap();
            if l.is_none_or(|q: Progress| p.done >= q.done) {
                *l = Some(p);
            }
        })
        .unwrap();
        let p = last.lock().unwrap().unwrap();
        assert_eq!(p.done, p.total);
        assert_eq!(p.total, 2 * out.chunks_meshed);
    }

    #[test]
    fn dual_contouring_keeps_a_box_corner_sharp() {
        let out = run(
            serde_json::json!({"Box3d": {"half_extents": [0.5, 0.5, 0.5]}}),
            Method::DualContouring,
            20,
        );
        assert!(topology(&out.mesh).closed_manifold);
        let far = out
            .mesh
            .positions
            .iter()
            .map(|p| p[0].abs().max(p[1].abs()).max(p[2].abs()))
            .fold(0.0f32, f32::max);
        let corner = out
            .mesh
            .positions
            .iter()
            .any(|p| p.iter().all(|c| (c.abs() - 0.5).abs() < 0.01));
        assert!(far < 0.51 && corner, "corner vertex kept: far {far}");
    }

    #[test]
    fn lipschitz_skipping_and_simd_width_change_nothing_but_the_sample_count() {
        let torus = serde_json::json!({"SmoothUnion": {"k": 0.3,
            "a": {"Box3d": {"half_extents": [0.5, 0.2, 0.4]}},
            "b": {"Rotate": {"rotation": [0.3, 0.1, 0.0, 0.9], "child":
                {"Torus": {"major_radius": 0.6, "minor_radius": 0.2}}}}}});
        let demo: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/alice-demo.asdf.json")).unwrap();
        for tree in [demo, torus] {
            let c = compiled(tree);
            assert!(c.tape.lipschitz().is_some());
            let plain = c.tape.clone().with_lipschitz(None);
            // Also cut by the domain: the cap's vertices sit on edges from
            // samples whose inside sign may have been inferred, not evaluated.
            let cut = ([-0.3, -1.2, -1.2], [1.2, 1.2, 0.15]);
            for (method, resolution, bounds) in Method::ALL
                .into_iter()
                .flat_map(|m| [(m, 45, None), (m, 64, None), (m, 64, Some(cut))])
            {
                let settings = MeshSettings {
                    method,
                    resolution,
                    bounds,
                    ..MeshSettings::default()
                };
                let skip = mesh(&c.tape, c.bounds, &settings, &|_| {}).unwrap();
                let all = mesh(&plain, c.bounds, &settings, &|_| {}).unwrap();
                // Four lanes: the portable gathering and scattering,
                // where the default may use AVX-512's.
                let narrow = MeshSettings {
                    simd: SimdWidth::W4,
                    ..settings
                };
                let narrow = mesh(&c.tape, c.bounds, &narrow, &|_| {}).unwrap();
                assert!(skip.watertight && skip.mesh.triangles.len() > 100);
                for other in [&all, &narrow] {
                    let what = format!("{method} {resolution} {bounds:?}");
                    assert_eq!(skip.mesh.positions, other.mesh.positions, "{what}");
                    assert_eq!(skip.mesh.normals, other.mesh.normals, "{what}");
                    assert_eq!(skip.mesh.triangles, other.mesh.triangles, "{what}");
                }
                assert!(
                    4 * skip.samples < 3 * all.samples,
                    "{method} {resolution}: {} of {} samples",
                    skip.samples,
                    all.samples
                );
            }
        }
    }

    #[test]
    fn single_runs_and_set_bits() {
        for bits in [
            0u32,
            1,
            0b110,
            0b1011,
            0x1_fffe,
            0x8000_0000,
            u32::MAX,
            0xAAAA_AAAA,
        ] {
            let set: Vec<usize> = (0..32).filter(|&x| bits >> x & 1 == 1).collect();
            assert_eq!(set_bits(bits).collect::<Vec<_>>(), set, "{bits:#b}");
            let one_run = !set.is_empty() && set.windows(2).all(|w| w[1] == w[0] + 1);
            assert_eq!(single_run(bits), one_run.then(|| set[0]), "{bits:#b}");
        }
    }

    #[test]
    fn avx512_gather_and_scatter_match_the_portable_ones() {
        if !Level::resolve(SimdWidth::Auto).avx512() {
            return; // nothing to compare on this CPU
        }
        let coords: [[f32; S]; 3] =
            [0, 1, 2].map(|a| std::array::from_fn(|i| (a * 100 + i) as f32 * 0.25));
        let mut seed = 0x9e37_79b9_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for round in 0..50 {
            // Runs, scattered bits, full rows, x = 16 alone, and short chunks.
            let rows = if round % 5 == 4 { [9, 4] } else { [S, S] };
            let want: Vec<u32> = (0..S * S)
                .map(|r| match (round + r) % 4 {
                    0 => next() & 0x1_ffff,
                    1 => 0x1_ffff,
                    2 => 1 << 16,
                    _ => (next() & 0x1_ffff) & (next() & 0x1_ffff),
                })
                .collect();
            let bufs = || [0, 1, 2].map(|_| vec![f32::NAN; S * S * S]);
            let (mut a, mut b) = (bufs(), bufs());
            let [ax, ay, az] = &mut a;
            let [bx, by, bz] = &mut b;
            let n = gather(&coords, rows, &want, [ax, ay, az]);
            // SAFETY: `Level::avx512` said this CPU has AVX-512F.
            let m = unsafe { gather_avx512(&coords, rows, &want, [bx, by, bz]) };
            assert_eq!(n, m);
            for k in 0..3 {
                assert_eq!(a[k][..n], b[k][..n], "axis {k}, round {round}");
            }
            // Values of both signs, zeros of both signs and NaN.
            let out: Vec<f32> = (0..n)
                .map(|i| match i % 7 {
                    0 => -0.0,
                    1 => f32::NAN,
                    2 => 0.0,
                    _ => next() as f32 / u32::MAX as f32 - 0.5,
                })
                .collect();
            let signs0: Vec<u32> = (0..S * S).map(|_| next()).collect();
            let (mut va, mut vb) = (vec![7.0f32; S * S * S], vec![7.0f32; S * S * S]);
            let (mut sa, mut sb) = (signs0.clone(), signs0);
            scatter(&out, rows, &want, &mut va, &mut sa, &mut Vec::new());
            // SAFETY: as above.
            unsafe { scatter_avx512(&out, rows, &want, &mut vb, &mut sb) };
            assert_eq!(sa, sb, "round {round}");
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&va), bits(&vb), "round {round}");
        }
    }

    #[test]
    fn sign_bit_runs_match_the_values() {
        // 200 values with an irregular sign pattern, NaN and −0 counted as outside.
        let values: Vec<f32> = (0..200)
            .map(|i| match (i * 7919) % 6 {
                0 => f32::NAN,
                5 => -0.0,
                1 | 3 => -(i as f32) - 0.5,
                _ => i as f32,
            })
            .collect();
        let mut bits = Vec::new();
        sign_bits(&values, &mut bits);
        for at in 0..values.len() {
            for len in 1..=17.min(values.len() - at) {
                let want = (0..len).fold(0u32, |w, i| w | u32::from(values[at + i] < 0.0) << i);
                assert_eq!(bit_run(&bits, at, len), want, "at {at}, len {len}");
            }
        }
    }

    #[test]
    fn qef_finds_a_corner_and_solve3_inverts() {
        let pts = [[1.0, 0.3, 0.2], [0.2, 1.0, 0.4], [0.4, 0.1, 1.0]];
        let ns = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let v = qef_vertex(&pts, &ns, [0.0; 3], 1.2);
        assert!(v.iter().all(|c| (c - 1.0).abs() < 0.1), "{v:?}");
        let x = solve3(
            [[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]],
            [3.0, 5.0, 5.0],
        )
        .unwrap();
        assert!(x.iter().all(|c| (c - 1.0).abs() < 1e-12), "{x:?}");
    }
}
