//! Binary payloads: arrays of fixed-size little-endian records (STL facets,
//! PLY vertices, glTF buffers, FBX arrays) encoded a block at a time, so a
//! million triangles cost a few hundred write calls, not millions.

use std::io::{self, Write};

/// Bytes per block handed to the destination.
const BLOCK: usize = 1 << 16;

/// Writes `enc(item)` for every item, in order.
pub(super) fn encode<T, const N: usize>(
    w: &mut dyn Write,
    items: impl IntoIterator<Item = T>,
    enc: impl Fn(T) -> [u8; N],
) -> io::Result<()> {
    let mut block = Vec::with_capacity(BLOCK + N);
    for item in items {
        block.extend_from_slice(&enc(item));
        if block.len() >= BLOCK {
            w.write_all(&block)?;
            block.clear();
        }
    }
    w.write_all(&block)
}

/// Concatenates little-endian byte groups into one record.
pub(super) fn join<const N: usize>(parts: &[&[u8]]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    for p in parts {
        out[at..at + p.len()].copy_from_slice(p);
        at += p.len();
    }
    debug_assert_eq!(at, N, "record parts do not fill the record");
    out
}

/// Three `f32`s, little-endian.
pub(super) fn f32x3(v: [f32; 3]) -> [u8; 12] {
    join(&[
        &v[0].to_le_bytes(),
        &v[1].to_le_bytes(),
        &v[2].to_le_bytes(),
    ])
}

/// Three `u32`s, little-endian.
pub(super) fn u32x3(v: [u32; 3]) -> [u8; 12] {
    join(&[
        &v[0].to_le_bytes(),
        &v[1].to_le_bytes(),
        &v[2].to_le_bytes(),
    ])
}

/// Three `f64`s (widened from `f32`, exactly), little-endian.
pub(super) fn f64x3(v: [f32; 3]) -> [u8; 24] {
    let d = v.map(f64::from);
    join(&[
        &d[0].to_le_bytes(),
        &d[1].to_le_bytes(),
        &d[2].to_le_bytes(),
    ])
}
