//! The buffered output every writer goes through: bytes, fixed strings, and
//! numbers as text in shortest round-trip form (`ryu` for floats, `itoa` for
//! integers), so a reader gets back exactly the `f32` that was written and no
//! number costs a `format!` or a write call of its own.

use std::io::{self, IoSlice, Write};
use std::ops::{Deref, DerefMut};

use rayon::prelude::*;

/// Bytes are gathered here and handed to the destination in blocks this big.
const BLOCK: usize = 1 << 16;
/// Records formatted by one parallel task in [`Sink::records`].
const BATCH: usize = 8192;
/// Most batches formatted before they are written: bounds the text held in
/// memory (two windows, about 40 MB of vertex lines) whatever the mesh size.
/// Windows are smaller on small pools, so writing overlaps formatting sooner.
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

    /// Appends `v`, `sep`, `v` (OBJ's `v//vn`), formatting the number once.
    pub(super) fn i_twice(&mut self, v: impl itoa::Integer, sep: &str) -> &mut Self {
        let text = self.ints.format(v).as_bytes();
        self.buf.extend_from_slice(text);
        self.buf.extend_from_slice(sep.as_bytes());
        self.buf.extend_from_slice(text);
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
    /// most of a text format's cost), a bounded window at a time; while one
    /// window is written (one vectored write, no copy into the write buffer),
    /// the next is formatted into the buffers the window before used.
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
        let window = BATCH * (2 * rayon::current_num_threads()).clamp(4, WINDOW);
        let format = |first: usize, part: &[T], texts: &mut Vec<Vec<u8>>| {
            texts.resize_with(part.len().div_ceil(BATCH), Vec::new);
            texts
                .par_iter_mut()
                .zip(part.par_chunks(BATCH))
                .enumerate()
                .for_each(|(b, (buf, batch))| {
                    let mut t = Text {
                        buf: std::mem::take(buf),
                        floats: ryu::Buffer::new(),
                        ints: itoa::Buffer::new(),
                    };
                    t.buf.clear();
                    t.buf.reserve(batch.len() * 48);
                    let first = first + b * BATCH;
                    for (k, item) in batch.iter().enumerate() {
                        fmt(&mut t, first + k, item);
                    }
                    *buf = t.buf;
                });
        };
        let (mut ready, mut next) = (Vec::new(), Vec::new());
        format(0, &items[..window.min(items.len())], &mut ready);
        for start in (window..items.len()).step_by(window) {
            let part = &items[start..(start + window).min(items.len())];
            // The write runs on this thread (the destination need not be
            // `Send`); the formatting on the pool, which this thread helps
            // while it waits if it is one of the pool's own.
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| format(start, part, &mut next));
                write_all_parts(self.out, &ready)
            })?;
            std::mem::swap(&mut ready, &mut next);
        }
        write_all_parts(self.out, &ready)
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

/// Writes `parts` in order with as few vectored writes as the destination
/// takes (`BufWriter` hands writes bigger than its buffer straight through).
fn write_all_parts(out: &mut dyn Write, parts: &[Vec<u8>]) -> io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| IoSlice::new(p))
        .collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match out.write_vectored(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most 1000 bytes per call, so vectored writes come back short.
    struct Trickle(Vec<u8>);

    impl Write for Trickle {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let n = bytes.len().min(1000);
            self.0.extend_from_slice(&bytes[..n]);
            Ok(n)
        }
        fn write_vectored(&mut self, parts: &[IoSlice<'_>]) -> io::Result<usize> {
            let mut n = 0;
            for p in parts {
                let take = p.len().min(1000 - n);
                self.0.extend_from_slice(&p[..take]);
                n += take;
                if n == 1000 {
                    break;
                }
            }
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn numbers_read_back_exactly() {
        let ints = [
            0u64,
            1,
            9,
            10,
            99,
            100,
            12_345,
            u64::from(u32::MAX),
            u64::MAX,
        ];
        let floats = [
            0.0f32,
            -0.0,
            1.0,
            0.1,
            -123.456,
            1e-7,
            3.4e38,
            f32::MAX,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE / 3.0,
        ];
        let mut t = Text::with_capacity(0);
        for v in ints {
            t.i(v).s(" ");
        }
        for v in floats {
            t.f(v).s(" ");
        }
        let text = String::from_utf8(t.buf).unwrap();
        let words: Vec<&str> = text.split_whitespace().collect();
        for (w, v) in words.iter().zip(ints) {
            assert_eq!(*w, v.to_string());
        }
        for (w, v) in words[ints.len()..].iter().zip(floats) {
            let back: f32 = w.parse().unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{w} for {v:e}");
        }
        assert_eq!(words.len(), ints.len() + floats.len());
    }

    #[test]
    fn records_over_many_windows_come_out_in_order() {
        let items: Vec<u32> = (0..(BATCH * WINDOW * 2 + 12_345) as u32).collect();
        let line = |t: &mut Text, k: usize, &v: &u32| {
            t.i(k).s(" ").f(v as f32 * 0.5).s("\n");
        };
        let mut expected = Text::with_capacity(0);
        for (k, v) in items.iter().enumerate() {
            line(&mut expected, k, v);
        }
        let mut out = Trickle(Vec::new());
        let mut sink = Sink::new(&mut out);
        sink.s("head\n");
        sink.records(&items, line).unwrap();
        sink.s("tail\n");
        sink.finish().unwrap();
        let want = [b"head\n".as_slice(), &expected.buf, b"tail\n"].concat();
        assert!(out.0 == want, "records came out of order or short");
    }
}
