//! The buffered output every writer goes through: bytes, fixed strings, and
//! numbers as text in shortest round-trip form (`ryu` for floats, `itoa` for
//! integers), so a reader gets back exactly the `f32` that was written and no
//! number costs a `format!` or a write call of its own.

use std::io::{self, Write};

/// Bytes are gathered here and handed to the destination in blocks this big.
const BLOCK: usize = 1 << 16;

/// A write buffer with number formatting. Appending never fails; callers call
/// [`Sink::flush_if_full`] once per record (vertex, triangle) and
/// [`Sink::finish`] at the end.
pub(super) struct Sink<'a> {
    out: &'a mut dyn Write,
    buf: Vec<u8>,
    floats: ryu::Buffer,
    ints: itoa::Buffer,
}

impl<'a> Sink<'a> {
    pub(super) fn new(out: &'a mut dyn Write) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(BLOCK + 4096),
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

    /// Appends a list of vectors: `open x sep y sep z close`, with `between`
    /// between vectors (`(x, y, z), (...)` in USDA, `x y z, ...` in X3D).
    pub(super) fn vec3_list(
        &mut self,
        items: &[[f32; 3]],
        between: &str,
        [open, sep, close]: [&str; 3],
    ) -> io::Result<()> {
        for (k, &v) in items.iter().enumerate() {
            if k > 0 {
                self.s(between);
            }
            self.s(open).f3(v, sep).s(close);
            self.flush_if_full()?;
        }
        Ok(())
    }

    /// Appends every triangle's three indices, all separated by `sep`.
    pub(super) fn index_list(&mut self, triangles: &[[u32; 3]], sep: &str) -> io::Result<()> {
        for (k, t) in triangles.iter().enumerate() {
            if k > 0 {
                self.s(sep);
            }
            self.i(t[0]).s(sep).i(t[1]).s(sep).i(t[2]);
            self.flush_if_full()?;
        }
        Ok(())
    }

    /// Hands a full block to the destination.
    pub(super) fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= BLOCK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes what is left and flushes the destination.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}

/// Lets binary payloads and encoders (base64, deflate) write through the same
/// buffer; large slices go straight to the destination.
impl Write for Sink<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if bytes.len() >= BLOCK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
            self.out.write_all(bytes)?;
        } else {
            self.buf.extend_from_slice(bytes);
            self.flush_if_full()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.finish()
    }
}
