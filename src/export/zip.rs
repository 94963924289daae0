//! The zip container of a 3MF package (OPC): deflated parts, each with its
//! sizes and CRC-32 in the local header (so no data descriptors, which some
//! OPC readers refuse), then the central directory. A part is compressed in
//! memory before it is written, which is what lets the header come first on
//! a destination that cannot seek. Zip64 is not written: a package past
//! 4 GiB is an error (about 40 million triangles of 3MF XML, compressed).

use std::io::{self, Write};

use flate2::Compression;
use flate2::write::DeflateEncoder;

use super::invalid;

/// Deflate level: the model XML is most of the work, and level 1 takes it to
/// about a fifth of its size at about three times level 6's speed (which gets
/// it to about a sixth): ~200 ms for a million triangles.
const LEVEL: u32 = 1;

/// MS-DOS date 1980-01-01, the earliest zip can state: the file's bytes then
/// depend only on the mesh.
const DOS_DATE: u16 = (1 << 5) | 1;

/// One part being written: deflated and checksummed as it goes.
pub(super) struct Part {
    deflate: DeflateEncoder<Vec<u8>>,
    crc: crc32fast::Hasher,
    size: u64,
}

impl Part {
    pub(super) fn new() -> Self {
        Self {
            deflate: DeflateEncoder::new(Vec::new(), Compression::new(LEVEL)),
            crc: crc32fast::Hasher::new(),
            size: 0,
        }
    }
}

impl Write for Part {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.deflate.write(bytes)?;
        self.crc.update(&bytes[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.deflate.flush()
    }
}

/// What the central directory says of a part.
struct Entry {
    name: &'static str,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

/// A zip archive written front to back.
pub(super) struct Zip<'a> {
    out: &'a mut dyn Write,
    at: u64,
    entries: Vec<Entry>,
}

fn too_big() -> io::Error {
    invalid("a 3MF package past 4 GiB needs Zip64, which this writer does not produce")
}

fn u32_of(n: u64) -> io::Result<u32> {
    u32::try_from(n)
        .ok()
        .filter(|&n| n != u32::MAX)
        .ok_or_else(too_big)
}

impl<'a> Zip<'a> {
    pub(super) fn new(out: &'a mut dyn Write) -> Self {
        Self {
            out,
            at: 0,
            entries: Vec::new(),
        }
    }

    /// Appends a finished part under `name` (ASCII, no leading slash).
    pub(super) fn add(&mut self, name: &'static str, part: Part) -> io::Result<()> {
        let crc = part.crc.finalize();
        let size = u32_of(part.size)?;
        let data = part.deflate.finish()?;
        let compressed = u32_of(data.len() as u64)?;
        let offset = u32_of(self.at)?;
        let entry = Entry {
            name,
            crc,
            compressed,
            size,
            offset,
        };
        let mut header = Vec::with_capacity(30 + name.len());
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common_fields(&mut header, &entry);
        header.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        header.extend_from_slice(name.as_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(&data)?;
        self.at += (header.len() + data.len()) as u64;
        self.entries.push(entry);
        Ok(())
    }

    /// Writes the central directory and its end record.
    pub(super) fn finish(self) -> io::Result<()> {
        let start = u32_of(self.at)?;
        let mut dir = Vec::new();
        for e in &self.entries {
            dir.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            dir.extend_from_slice(&20u16.to_le_bytes()); // made by: zip 2.0, MS-DOS attributes
            common_fields(&mut dir, e);
            for field in [0u16, 0, 0, 0] {
                // extra, comment, disk number, internal attributes
                dir.extend_from_slice(&field.to_le_bytes());
            }
            dir.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            dir.extend_from_slice(&e.offset.to_le_bytes());
            dir.extend_from_slice(e.name.as_bytes());
        }
        let count = u16::try_from(self.entries.len()).map_err(|_| too_big())?;
        let dir_len = u32_of(dir.len() as u64)?;
        u32_of(self.at + u64::from(dir_len))?;
        dir.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        for field in [0u16, 0, count, count] {
            // this disk, directory's disk, entries here, entries in all
            dir.extend_from_slice(&field.to_le_bytes());
        }
        dir.extend_from_slice(&dir_len.to_le_bytes());
        dir.extend_from_slice(&start.to_le_bytes());
        dir.extend_from_slice(&0u16.to_le_bytes()); // comment length
        self.out.write_all(&dir)?;
        self.out.flush()
    }
}

/// The fields local and central headers share, from "version needed" to the
/// name length.
fn common_fields(buf: &mut Vec<u8>, e: &Entry) {
    for field in [20u16, 0, 8, 0, DOS_DATE] {
        // version needed (2.0: deflate), flags, method (deflate), time, date
        buf.extend_from_slice(&field.to_le_bytes());
    }
    for field in [e.crc, e.compressed, e.size] {
        buf.extend_from_slice(&field.to_le_bytes());
    }
    // Names are fixed part names, far shorter than 64 KiB.
    buf.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
}
