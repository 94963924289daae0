//! The unit cube's combinatorics shared by the meshing methods: corner and edge
//! numbering, and the marching-cubes triangulation of all 256 corner-sign cases.
//!
//! The triangulation is derived, not transcribed: for each case, every cube face
//! contributes the segments that separate its inside corners from its outside
//! ones, the segments chain into closed loops (each crossed edge is the end of one
//! segment and the start of another), and each loop is fanned into triangles.
//! A face with two diagonal inside corners is always cut so that the inside
//! corners are separated. That decision depends only on the face's own corner
//! signs, so the two cubes sharing a face cut it the same way and the mesh has no
//! cracks, which the classic hand-written tables do not promise.
//!
//! Numbering: corner `c` (0..8) sits at offset `(c & 1, c >> 1 & 1, c >> 2 & 1)`.
//! Edge `e = 4·a + k` runs along axis `a` from the corner with bits
//! `(k & 1)` on axis `(a+1) % 3` and `(k >> 1)` on axis `(a+2) % 3` (bit `a` clear)
//! to the same corner with bit `a` set.

use std::sync::OnceLock;

/// Corner offsets.
pub const CORNERS: [[u32; 3]; 8] = [
    [0, 0, 0],
    [1, 0, 0],
    [0, 1, 0],
    [1, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [0, 1, 1],
    [1, 1, 1],
];

/// Axis of edge `e`.
pub const fn edge_axis(e: usize) -> usize {
    e / 4
}

/// The two corners of edge `e`, low end first.
pub const fn edge_corners(e: usize) -> (usize, usize) {
    let a = e / 4;
    let k = e % 4;
    let base = ((k & 1) << ((a + 1) % 3)) | ((k >> 1) << ((a + 2) % 3));
    (base, base | (1 << a))
}

/// [`edge_corners`] of every edge.
pub const EDGE_CORNERS: [(usize, usize); 12] = {
    let mut table = [(0, 0); 12];
    let mut e = 0;
    while e < 12 {
        table[e] = edge_corners(e);
        e += 1;
    }
    table
};

/// Offset of edge `e`'s low corner within the cube.
pub const fn edge_origin(e: usize) -> [u32; 3] {
    CORNERS[edge_corners(e).0]
}

/// The edge joining corners `c0` and `c1` (which differ in one bit).
fn edge_between(c0: usize, c1: usize) -> usize {
    let diff = c0 ^ c1;
    debug_assert!(diff.is_power_of_two() && diff < 8);
    let a = diff.trailing_zeros() as usize;
    let base = c0 & !diff;
    let k = ((base >> ((a + 1) % 3)) & 1) | (((base >> ((a + 2) % 3)) & 1) << 1);
    4 * a + k
}

/// The surface inside a cube for one corner-sign case.
#[derive(Clone, Debug, Default)]
pub struct Case {
    /// Marching-cubes triangles as triples of edge numbers, wound
    /// counter-clockwise seen from outside (the side of the positive corners).
    pub triangles: Vec<[u8; 3]>,
    /// Separate surface pieces (loops) in the cube: 0 to 4.
    pub patches: u8,
    /// The piece each crossed edge belongs to; [`NO_PATCH`] for uncrossed edges.
    /// The dual methods give each piece its own vertex, so that two sheets
    /// passing through one cell do not share a vertex (which would make the mesh
    /// non-manifold there).
    pub edge_patch: [u8; 12],
    /// The edges of each piece, as bit masks over the 12 edge numbers.
    pub patch_edges: [u16; 4],
}

/// Surface nets' vertex of one piece of a case, in a form that needs no
/// branches or bit counting per cell: the mean of the piece's edge crossings,
/// in cell units from the cell's low corner, is, per axis lane `a`,
/// `(offset[a] + Σ_k LANE_ON[lanes[k]][a] · t[k][a]) / count`, where `t[k][a]`
/// is the crossing fraction on edge `4·a + k` (which runs along axis `a`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PieceMean {
    /// Per `k`: bit `a` set when edge `4·a + k` is one of the piece's.
    pub lanes: [u8; 4],
    /// Per axis, the sum of the piece's edges' low-corner offsets; lane 3 is 0.
    pub offset: [f32; 4],
    /// How many edges the piece crosses (at least 1 for a real piece).
    pub count: f32,
}

/// `LANE_ON[i]` has lane `a` equal to bit `a` of `i` (lane 3 always 0).
pub const LANE_ON: [[f32; 4]; 8] = {
    let mut table = [[0.0; 4]; 8];
    let mut i = 0;
    while i < 8 {
        let mut a = 0;
        while a < 3 {
            table[i][a] = (i >> a & 1) as f32;
            a += 1;
        }
        i += 1;
    }
    table
};

/// [`PieceMean`] of every piece of every case (pieces past
/// [`Case::patches`] are zero).
pub fn piece_means() -> &'static [[PieceMean; 4]; 256] {
    static TABLE: OnceLock<[[PieceMean; 4]; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let table = cases();
        std::array::from_fn(|case| table[case].patch_edges.map(piece_mean))
    })
}

fn piece_mean(mask: u16) -> PieceMean {
    let mut out = PieceMean::default();
    for e in (0..12).filter(|e| mask >> e & 1 == 1) {
        let (a, k) = (edge_axis(e), e % 4);
        out.lanes[k] |= 1 << a;
        for (axis, offset) in CORNERS[edge_corners(e).0].iter().enumerate() {
            out.offset[axis] += *offset as f32;
        }
        out.count += 1.0;
    }
    out
}

/// [`Case::edge_patch`] of an edge the surface does not cross.
pub const NO_PATCH: u8 = u8::MAX;

/// Every case; bit `c` of the case index is set when corner `c` is inside
/// (negative).
pub fn cases() -> &'static [Case; 256] {
    static TABLE: OnceLock<[Case; 256]> = OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|case| triangulate(case as u8)))
}

fn triangulate(case: u8) -> Case {
    let inside = |c: usize| case >> c & 1 == 1;
    // next[e] = the crossed edge that the segment starting at e leads to.
    let mut next = [u8::MAX; 12];
    for axis in 0..3 {
        for side in 0..2usize {
            let (b, c) = ((axis + 1) % 3, (axis + 2) % 3);
            let corner = |ob: usize, oc: usize| (side << axis) | (ob << b) | (oc << c);
            // Counter-clockwise seen from outside this face.
            let mut ring = [corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1)];
            if side == 0 {
                ring.reverse();
            }
            // Crossed edges of this face in ring order, each marked as an exit
            // (inside corner to outside corner) or an entry.
            let mut crossings: Vec<(usize, bool)> = Vec::with_capacity(4);
            for i in 0..4 {
                let (c0, c1) = (ring[i], ring[(i + 1) % 4]);
                if inside(c0) != inside(c1) {
                    crossings.push((edge_between(c0, c1), inside(c0)));
                }
            }
            // Each exit joins the crossing before it in ring order: the segment
            // then cuts off the inside corner between them (so diagonal inside
            // corners are separated).
            let n = crossings.len();
            for i in 0..n {
                let (e, exit) = crossings[i];
                if exit {
                    let (prev, _) = crossings[(i + n - 1) % n];
                    next[e] = prev as u8;
                }
            }
        }
    }
    let mut out = Case {
        edge_patch: [NO_PATCH; 12],
        ..Case::default()
    };
    let mut seen = [false; 12];
    for start in 0..12 {
        if next[start] == u8::MAX || seen[start] {
            continue;
        }
        let mut ring = Vec::new();
        let mut e = start;
        while !seen[e] {
            seen[e] = true;
            out.edge_patch[e] = out.patches;
            out.patch_edges[usize::from(out.patches)] |= 1 << e;
            ring.push(e as u8);
            e = next[e] as usize;
        }
        out.patches += 1;
        // The segments run clockwise seen from outside; fan the loop reversed.
        for i in 1..ring.len() - 1 {
            out.triangles.push([ring[0], ring[i + 1], ring[i]]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn edges_are_numbered_consistently() {
        for e in 0..12 {
            let (c0, c1) = edge_corners(e);
            assert_eq!(c0 ^ c1, 1 << edge_axis(e));
            assert_eq!(edge_between(c0, c1), e);
            assert_eq!(edge_between(c1, c0), e);
        }
    }

    #[test]
    fn every_case_is_a_closed_surface_inside_the_cube() {
        // Within one cube, each triangle edge between two crossed edges that lie
        // on a common face is a boundary edge (shared with the neighbour cube);
        // every other triangle edge must be used once in each direction.
        let table = cases();
        assert!(table[0].triangles.is_empty() && table[255].triangles.is_empty());
        for (case, info) in table.iter().enumerate() {
            let tris = &info.triangles;
            let max_patch = info.edge_patch.iter().filter(|p| **p != NO_PATCH).max();
            assert_eq!(max_patch.map_or(0, |p| p + 1), info.patches, "case {case}");
            let crossed = (0..12)
                .filter(|&e| {
                    let (a, b) = edge_corners(e);
                    (case >> a & 1) != (case >> b & 1)
                })
                .count();
            let used: std::collections::HashSet<u8> = tris.iter().flatten().copied().collect();
            assert_eq!(used.len(), crossed, "case {case}: every crossed edge used");
            let mut directed: HashMap<(u8, u8), i32> = HashMap::new();
            for t in tris {
                for k in 0..3 {
                    *directed.entry((t[k], t[(k + 1) % 3])).or_default() += 1;
                }
            }
            for (&(a, b), &n) in &directed {
                assert_eq!(n, 1, "case {case}: edge {a}->{b} used {n} times");
            }
        }
    }

    #[test]
    fn piece_means_sum_the_pieces_edges() {
        // The mean of the edge midpoints (every crossing at one half) by the
        // table's formula equals the direct mean, for every piece of every case.
        let means = piece_means();
        for (case, info) in cases().iter().enumerate() {
            let pieces = usize::from(info.patches);
            for (p, (&mask, m)) in info
                .patch_edges
                .iter()
                .zip(&means[case])
                .take(pieces)
                .enumerate()
            {
                let edges: Vec<usize> = (0..12).filter(|e| mask >> e & 1 == 1).collect();
                assert_eq!(m.count, edges.len() as f32);
                for a in 0..3 {
                    let direct: f32 = edges
                        .iter()
                        .map(|&e| {
                            let (c0, c1) = edge_corners(e);
                            (CORNERS[c0][a] + CORNERS[c1][a]) as f32 / 2.0
                        })
                        .sum();
                    let table: f32 = m.offset[a]
                        + (0..4)
                            .map(|k| LANE_ON[usize::from(m.lanes[k])][a] * 0.5)
                            .sum::<f32>();
                    assert_eq!(table, direct, "case {case} piece {p} axis {a}");
                }
            }
        }
    }

    #[test]
    fn complementary_cases_have_opposite_winding() {
        let table = cases();
        assert_eq!(table[1].patches, 1);
        assert_eq!(
            table[0b1000_0001].patches, 2,
            "opposite corners are two pieces"
        );
        // Case 1 (corner 0 inside) is a triangle whose outward side faces away
        // from corner 0: its normal has positive components.
        let t = table[1].triangles[0];
        let p = |e: u8| {
            let (a, b) = edge_corners(e as usize);
            let (pa, pb) = (CORNERS[a], CORNERS[b]);
            [0, 1, 2].map(|k| (pa[k] + pb[k]) as f32 / 2.0)
        };
        let (a, b, c) = (p(t[0]), p(t[1]), p(t[2]));
        let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
        let n = [
            u[1] * v[2] - u[2] * v[1],
            u[2] * v[0] - u[0] * v[2],
            u[0] * v[1] - u[1] * v[0],
        ];
        assert!(n.iter().all(|x| *x > 0.0), "{n:?}");
    }
}
