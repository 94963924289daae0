//! The buffered output every writer goes through: bytes, fixed strings, and
//! numbers as text in shortest round-trip form (`ryu` for floats, `itoa` for
//! integers), so a reader gets back exactly the `f32` that was written and no
//! number costs a `format!` or a write call of its own.

use std::io::{self, Write};
use std::ops::{Deref, DerefMut};

use rayon::prelude::*;

/// Bytes are gathered here and handed to the destination in blocks this big.
const BLOCK: usize = 1 << 16;
/// Records formatted by one parallel task in [`Sink::records`].
const BATCH: usize = 8192;
/// Batches formatted before they are written: bounds the text held in memory
/// (about 32 MB for vertex lines) whatever the mesh size.
const WINDOW: usize = 64;

/// Text being built: bytes plus number formatting. Appending never fails.
pub(super) struct Text {
    buf: Vec<u8>,
    floats: ryu::Buffer,
    ints: itoa::Buffer,
}

/// A write buffer with number formatting: [`Text`] plus the destination.
/// Callers call [`Sink::flush_if_full`] once per record (vertex, triangle), or
/// hand whole lists to [`Sink::records`], and call [`Sink::finish`] at the end.
pub(super) struct Sink<'a> {
    out: &'a mut dyn Write,
    text: Text,
}

impl Deref for Sink<'_> {
    type Target = Text;
    fn deref(&self) -> &Text {
        &self.text
    }
}

impl DerefMut for Sink<'_> {
    fn deref_mut(&mut self) -> &mut Text {
        &mut self.text
    }
}

impl Text {
    fn with_capacity(bytes: usize) -> Self {
        Self {
            buf: Vec::with_capacity(bytes),
            floats: ryu::Buffer::new(),
            ints: itoa::Buffer::new(),
        }
    }

    /// Appends text.
    pub(super) fn s(&mut self, text: &str) -> &mut Self {
        self.buf.extend_from_slice(text.as_bytes());
        self
    }

    /// Appends bytes.
    pub(super) fn b(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// Appends a float as text in its shortest form that reads back as the same
    /// `f32` (`1.0`, `0.1`, `1e-7`). Non-finite values were refused before.
    pub(super) fn f(&mut self, v: f32) -> &mut Self {
        let text = self.floats.format_finite(v);
        self.buf.extend_from_slice(text.as_bytes());
        self
    }

    /// Appends an integer as text.
    pub(super) fn i(&mut self, v: impl itoa::Integer) -> &mut Self {
        let text = self.ints.format(v);
        self.buf.extend_from_slice(text.as_bytes());
        self
    }

    /// Appends three floats separated by `sep`.
    pub(super) fn f3(&mut self, v: [f32; 3], sep: &str) -> &mut Self {
        self.f(v[0]).s(sep).f(v[1]).s(sep).f(v[2])
    }
}

impl<'a> Sink<'a> {
    pub(super) fn new(out: &'a mut dyn Write) -> Self {
        Self {
            out,
            text: Text::with_capacity(BLOCK + 4096),
        }
    }

    /// Appends `fmt(text, k, item)` for every item, in order. Big lists are
    /// formatted in parallel batches on the rayon pool (number formatting is
    /// most of a text format's cost) and written in order, a bounded window
    /// at a time.
    pub(super) fn records<T: Sync>(
        &mut self,
        items: &[T],
        fmt: impl Fn(&mut Text, usize, &T) + Sync,
    ) -> io::Result<()> {
        if items.len() <= BATCH {
            for (k, item) in items.iter().enumerate() {
                fmt(&mut self.text, k, item);
                self.flush_if_full()?;
            }
            return Ok(());
        }
        self.out.write_all(&self.text.buf)?;
        self.text.buf.clear();
        for (w, window) in items.chunks(BATCH * WINDOW).enumerate() {
            let texts: Vec<Vec<u8>> = window
                .par_chunks(BATCH)
                .enumerate()
                .map(|(b, batch)| {
                    let mut t = Text::with_capacity(batch.len() * 48);
                    let first = w * BATCH * WINDOW + b * BATCH;
                    for (k, item) in batch.iter().enumerate() {
                        fmt(&mut t, first + k, item);
                    }
                    t.buf
                })
                .collect();
            for t in texts {
                self.out.write_all(&t)?;
            }
        }
        Ok(())
    }

    /// Appends a list of vectors: `open x sep y sep z close`, with `between`
    /// between vectors (`(x, y, z), (...)` in USDA, `x y z, ...` in X3D).
    pub(super) fn vec3_list(
        &mut self,
        items: &[[f32; 3]],
        between: &str,
        [open, sep, close]: [&str; 3],
    ) -> io::Result<()> {
        self.records(items, |t, k, &v| {
            if k > 0 {
                t.s(between);
            }
            t.s(open).f3(v, sep).s(close);
        })
    }

    /// Appends every triangle's three indices, all separated by `sep`.
    pub(super) fn index_list(&mut self, triangles: &[[u32; 3]], sep: &str) -> io::Result<()> {
        self.records(triangles, |x, k, t| {
            if k > 0 {
                x.s(sep);
            }
            x.i(t[0]).s(sep).i(t[1]).s(sep).i(t[2]);
        })
    }

    /// Hands a full block to the destination.
    pub(super) fn flush_if_full(&mut self) -> io::Result<()> {
        if self.text.buf.len() >= BLOCK {
            self.out.write_all(&self.text.buf)?;
            self.text.buf.clear();
        }
        Ok(())
    }

    /// Writes what is left and flushes the destination.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        self.out.write_all(&self.text.buf)?;
        self.text.buf.clear();
        self.out.flush()
    }
}

/// Lets binary payloads and encoders (base64, deflate) write through the same
/// buffer; large slices go straight to the destination.
impl Write for Sink<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if bytes.len() >= BLOCK {
            self.out.write_all(&self.text.buf)?;
            self.text.buf.clear();
            self.out.write_all(bytes)?;
        } else {
            self.text.buf.extend_from_slice(bytes);
            self.flush_if_full()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.finish()
    }
}
