//! The export file cache on disk under `EXPORT_STORAGE_PATH`, and the one
//! atomic file write the service and the CLI use.
//!
//! Files are `<mesh_id>.<ext>` (`<mesh_id>.<format>.<ext>` for the formats that
//! share an extension with another: `stl_ascii`, `ply_ascii`), so a name is
//! content-addressed and any process may serve it as it finds it.
//!
//! Invariants:
//! - Nothing half-written is ever under a final name: a file is written to a
//!   unique `*.partial` temp file in the same directory, fsynced, then renamed
//!   (atomic on POSIX); concurrent identical writes each rename a complete file
//!   with the same bytes over the other. Start-up deletes leftover `*.partial`
//!   files, so the directory belongs to one process (replicas each get their own;
//!   sharing one is safe for readers but a restart may delete a neighbour's temp
//!   file mid-write, which then fails and is retried by its request).
//! - The directory's size is bounded by `EXPORT_STORAGE_MAX_MB`: an in-memory LRU
//!   index (seeded at start from the files' modification times) deletes the least
//!   recently served files. The file just written is never its own victim; one
//!   file larger than the whole budget is served from its open handle and
//!   deleted at once.
//! - A file is served from an open handle: eviction may unlink it meanwhile and
//!   the reader still gets every byte.
//! - When `EXPORT_STORAGE_PATH` cannot be created or written (`/data/exports` on a
//!   laptop), a directory under the OS temp dir is used instead, with a warning
//!   naming both, so a fresh `cargo run` just works.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::lru::ByteLru;
use crate::export::FormatInfo;

/// The suffix of temp files; anything ending in it is never served.
pub const PARTIAL: &str = ".partial";

/// The directory name used under the OS temp dir when the configured one fails.
pub const FALLBACK_DIR: &str = "ai-modeler-exports";

/// Writes `path` atomically: `write` fills a unique temp file next to it, which
/// is flushed, fsynced and renamed over `path`. On any error the temp file is
/// removed and `path` is untouched. Returns the finished file, open for reading
/// at its start, and its length.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<(File, u64)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let tmp = dir.join(format!(
        ".{}.{}{PARTIAL}",
        name.to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let mut out = EarlyWriteback::new(BufWriter::with_capacity(1 << 20, file));
        write(&mut out)?;
        let mut file = out.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        let len = file.seek(SeekFrom::End(0))?;
        file.seek(SeekFrom::Start(0))?;
        Ok((file, len))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A file being written front to back (through its write buffer) that asks the
/// kernel to start writing each few megabytes to disk as soon as they reach
/// the file (Linux's `sync_file_range(SYNC_FILE_RANGE_WRITE)`, which does not
/// wait), so the disk works while the rest is still being made and the final
/// fsync has only the tail left. Elsewhere a plain pass-through. It sits above
/// the `BufWriter`, so big vectored writes still go straight to the file.
struct EarlyWriteback {
    out: BufWriter<File>,
    /// Bytes taken so far (some may still be in `out`'s buffer).
    taken: u64,
    /// Bytes whose writeback has been started.
    started: u64,
}

impl EarlyWriteback {
    /// Writeback is started this many bytes at a time.
    const STEP: u64 = 4 << 20;

    fn new(out: BufWriter<File>) -> Self {
        Self {
            out,
            taken: 0,
            started: 0,
        }
    }

    fn took(&mut self, n: usize) {
        self.taken += n as u64;
        let in_file = self.taken - self.out.buffer().len() as u64;
        if in_file - self.started < Self::STEP {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let (from, len) = (self.started as _, (in_file - self.started) as _);
            // SAFETY: a plain system call on an open descriptor this struct
            // owns; it reads no memory of ours. A failure (a filesystem
            // without it) only means the final fsync does all the work.
            unsafe {
                libc::sync_file_range(
                    self.out.get_ref().as_raw_fd(),
                    from,
                    len,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
        }
        self.started = in_file;
    }
}

impl Write for EarlyWriteback {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.took(n);
        Ok(n)
    }

    fn write_vectored(&mut self, parts: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let n = self.out.write_vectored(parts)?;
        self.took(n);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Makes a rename durable (POSIX: the directory entry is data of the directory).
/// Best effort: some filesystems refuse to open a directory for this.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The file name of `mesh_id` in `format`.
pub fn file_name(mesh_id: &str, format: &FormatInfo) -> String {
    if format.name == format.extension {
        format!("{mesh_id}.{}", format.extension)
    } else {
        format!("{mesh_id}.{}.{}", format.name, format.extension)
    }
}

/// Whether a directory entry is one of ours: `mesh_<hex>.…`, no temp file.
fn is_export_file(name: &str) -> bool {
    name.split('.')
        .next()
        .is_some_and(super::meshes::is_mesh_id)
        && !name.ends_with(PARTIAL)
}

/// The export directory and its index.
pub struct ExportStore {
    dir: PathBuf,
    configured: PathBuf,
    index: Mutex<ByteLru<()>>,
    writing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Where the store is and how full, for `/health`.
#[derive(Debug, serde::Serialize)]
pub struct StoreStats {
    /// The directory in use.
    pub path: String,
    /// `EXPORT_STORAGE_PATH` as configured.
    pub configured_path: String,
    /// Whether the configured path could not be used.
    pub fallback: bool,
    /// Files in the index.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// `EXPORT_STORAGE_MAX_MB` in bytes.
    pub max_bytes: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update is one call; a panic elsewhere cannot leave it inconsistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Creates `dir` and checks that a file can be created in it.
fn prepare(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let probe = dir.join(format!(".probe.{}{PARTIAL}", uuid::Uuid::new_v4().simple()));
    File::create(&probe)?;
    fs::remove_file(&probe)
}

impl ExportStore {
    /// Opens (creating it if needed) `configured`, or the fallback under the OS
    /// temp dir; deletes leftover temp files and indexes the files there,
    /// evicting down to `max_bytes`.
    pub fn open(configured: &Path, max_bytes: u64) -> io::Result<Self> {
        Self::open_in(configured, max_bytes, &std::env::temp_dir())
    }

    /// [`open`](Self::open) with the fallback under `temp` instead of the OS
    /// temp dir (tests use their own).
    fn open_in(configured: &Path, max_bytes: u64, temp: &Path) -> io::Result<Self> {
        let dir = match prepare(configured) {
            Ok(()) => configured.to_path_buf(),
            Err(first) => {
                let fallbacks = [
                    temp.join(FALLBACK_DIR),
                    // Another user's directory of that name is not writable for us.
                    temp.join(format!("{FALLBACK_DIR}-{}", std::process::id())),
                ];
                let mut chosen = None;
                for f in &fallbacks {
                    if prepare(f).is_ok() {
                        chosen = Some(f.clone());
                        break;
                    }
                }
                let Some(dir) = chosen else {
                    return Err(io::Error::new(
                        first.kind(),
                        format!(
                            "EXPORT_STORAGE_PATH {} cannot be used ({first}), nor can {} or {}; set EXPORT_STORAGE_PATH to a writable directory",
                            configured.display(),
                            fallbacks[0].display(),
                            fallbacks[1].display()
                        ),
                    ));
                };
                tracing::warn!(
                    configured = %configured.display(),
                    using = %dir.display(),
                    error = %first,
                    "EXPORT_STORAGE_PATH {} cannot be used ({first}); export files go to {} instead (set EXPORT_STORAGE_PATH to a writable directory to keep them)",
                    configured.display(),
                    dir.display(),
                );
                dir
            }
        };
        let store = Self {
            dir,
            configured: configured.to_path_buf(),
            index: Mutex::new(ByteLru::new(max_bytes, usize::MAX)),
            writing: Mutex::new(HashMap::new()),
        };
        store.scan()?;
        Ok(store)
    }

    /// Deletes temp files and indexes export files, oldest first.
    fn scan(&self) -> io::Result<()> {
        let mut found = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            if name.ends_with(PARTIAL) {
                match fs::remove_file(entry.path()) {
                    Ok(()) => {
                        tracing::info!(file = %name, "removed a temp file left by an interrupted export")
                    }
                    Err(e) => {
                        tracing::warn!(file = %name, error = %e, "cannot remove a stale temp file")
                    }
                }
            } else if is_export_file(&name) {
                let used = meta.modified().ok();
                found.push((used, name, meta.len()));
            }
        }
        found.sort();
        for (_, name, len) in found {
            self.index_file(name, len);
        }
        Ok(())
    }

    /// Adds `name` to the index and deletes what that evicts.
    fn index_file(&self, name: String, len: u64) {
        let evicted = lock(&self.index).insert(name.clone(), (), len);
        for (victim, ()) in evicted {
            if victim == name && len <= lock(&self.index).max_bytes() {
                continue; // the old entry of a rewritten name: the file is the new one
            }
            if let Err(e) = fs::remove_file(self.dir.join(&victim))
                && e.kind() != io::ErrorKind::NotFound
            {
                tracing::warn!(file = %victim, error = %e, "cannot evict an export file");
            }
        }
    }

    /// The directory in use.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stored file `name`, open at its start, with its length; marks it used.
    pub fn open_file(&self, name: &str) -> Option<(File, u64)> {
        let file = File::open(self.dir.join(name)).ok()?;
        let len = file.metadata().ok()?.len();
        let known = lock(&self.index).get(name).is_some();
        if !known {
            // Written by another process sharing the directory: take it in.
            self.index_file(name.to_string(), len);
        }
        Some((file, len))
    }

    /// Writes `name` atomically with `write`, indexes it, evicts over budget,
    /// and returns it open at its start with its length. Blocking: call it on a
    /// blocking thread.
    pub fn write(
        &self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<(File, u64)> {
        let (file, len) = write_atomically(&self.dir.join(name), write)?;
        self.index_file(name.to_string(), len);
        Ok((file, len))
    }

    /// Waits until no other request of this process is writing `name`, and
    /// holds it until the guard drops: identical concurrent exports write once,
    /// and the others then find the file.
    pub async fn lock_name(self: &Arc<Self>, name: &str) -> NameGuard {
        let m = lock(&self.writing)
            .entry(name.to_string())
            .or_default()
            .clone();
        NameGuard {
            guard: Some(m.lock_owned().await),
            name: name.to_string(),
            store: self.clone(),
        }
    }

    /// Where the store is and how full.
    pub fn stats(&self) -> StoreStats {
        let index = lock(&self.index);
        StoreStats {
            path: self.dir.display().to_string(),
            configured_path: self.configured.display().to_string(),
            fallback: self.dir != self.configured,
            files: index.len(),
            bytes: index.bytes(),
            max_bytes: index.max_bytes(),
        }
    }
}

/// Holds the write lock of one file name (see [`ExportStore::lock_name`]).
pub struct NameGuard {
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    name: String,
    store: Arc<ExportStore>,
}

impl Drop for NameGuard {
    fn drop(&mut self) {
        let mut writing = lock(&self.store.writing);
        self.guard.take();
        // Nobody else holds or waits for the name (only the map's reference is
        // left, and waiters clone theirs under this lock): forget it.
        if writing
            .get(&self.name)
            .is_some_and(|m| Arc::strong_count(m) == 1)
        {
            writing.remove(&self.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> String {
        format!("mesh_{:032x}", n)
    }

    #[test]
    fn atomic_write_leaves_no_temp_file_and_keeps_the_old_file_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let (_, len) = write_atomically(&path, |w| w.write_all(b"first")).unwrap();
        assert_eq!(len, 5);
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&path).unwrap(), b"first");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temp file left: {names:?}");
    }

    #[test]
    fn a_file_of_many_writeback_steps_reads_back_exactly() {
        // Writes of mixed sizes, plain and vectored, across several of the
        // early-writeback steps.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let mut want = Vec::new();
        let (_, len) = write_atomically(&path, |w| {
            for k in 0..300u32 {
                let part: Vec<u8> = (0..(k % 7 + 1) * 9_000).map(|i| (i ^ k) as u8).collect();
                if k % 3 == 0 {
                    let (a, b) = part.split_at(part.len() / 2);
                    let n = w.write_vectored(&[io::IoSlice::new(a), io::IoSlice::new(b)])?;
                    w.write_all(&part[n..])?;
                } else {
                    w.write_all(&part)?;
                }
                want.extend_from_slice(&part);
            }
            Ok(())
        })
        .unwrap();
        assert!(want.len() as u64 > 2 * EarlyWriteback::STEP);
        assert_eq!(len, want.len() as u64);
        assert!(fs::read(&path).unwrap() == want, "bytes differ");
    }

    #[test]
    fn start_up_cleans_temp_files_and_eviction_keeps_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(format!(".{}.glb.abc{PARTIAL}", id(1))),
            b"x",
        )
        .unwrap();
        fs::write(dir.path().join(format!("{}.glb", id(1))), [0u8; 40]).unwrap();
        fs::write(dir.path().join("notes.txt"), b"not ours").unwrap();
        let store = ExportStore::open(dir.path(), 100).unwrap();
        assert_eq!(store.stats().files, 1);
        assert!(!store.stats().fallback);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![format!("{}.glb", id(1)), "notes.txt".to_string()]
        );

        store
            .write(&format!("{}.glb", id(2)), |w| w.write_all(&[1u8; 40]))
            .unwrap();
        assert!(store.open_file(&format!("{}.glb", id(1))).is_some()); // 1 is now recent
        store
            .write(&format!("{}.glb", id(3)), |w| w.write_all(&[2u8; 40]))
            .unwrap();
        assert!(
            store.open_file(&format!("{}.glb", id(2))).is_none(),
            "2 was least recent"
        );
        assert!(store.open_file(&format!("{}.glb", id(1))).is_some());
        assert!(store.stats().bytes <= 100);
    }

    #[test]
    fn an_unusable_path_falls_back_under_the_temp_dir() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, b"").unwrap();
        let temp = dir.path().join("tmp");
        let store = ExportStore::open_in(&blocker.join("exports"), 1 << 20, &temp).unwrap();
        let stats = store.stats();
        assert!(stats.fallback, "{stats:?}");
        assert_eq!(store.dir(), temp.join(FALLBACK_DIR));
        // Taken by someone else (here: a plain file of that name): the next one.
        let temp2 = dir.path().join("tmp2");
        fs::create_dir(&temp2).unwrap();
        fs::write(temp2.join(FALLBACK_DIR), b"").unwrap();
        let store = ExportStore::open_in(&blocker.join("exports"), 1 << 20, &temp2).unwrap();
        assert_eq!(
            store.dir(),
            temp2.join(format!("{FALLBACK_DIR}-{}", std::process::id()))
        );
    }

    #[test]
    fn shared_extensions_get_distinct_names() {
        let stl = crate::export::by_name("stl").unwrap().info();
        let ascii = crate::export::by_name("stl_ascii").unwrap().info();
        assert_eq!(file_name(&id(7), stl), format!("{}.stl", id(7)));
        assert_eq!(file_name(&id(7), ascii), format!("{}.stl_ascii.stl", id(7)));
        assert!(is_export_file(&file_name(&id(7), ascii)));
        assert!(!is_export_file("mesh_nothex.glb"));
    }
}
