//! Process-wide allocator settings, applied once at start-up by the binary
//! (and by the benchmarks, so that they measure what ships).
//!
//! A 256³ mesh's output is ~21 MB in three buffers of 5–11 MB. With glibc's
//! defaults each of those comes from a fresh `mmap` and goes back on free,
//! so meshing back to back (a pipeline, the bench; in the server, once its
//! mesh cache evicts) paid for the kernel zeroing the pages again every
//! time: 4–5 ms of a ~30 ms mesh on 2 cores, a seventh of the time. glibc's own heuristic would keep them after the first free, but
//! a buffer of exactly the size just freed still goes to `mmap` (its test is
//! `size >= threshold`), and a mesh's buffers repeat their sizes.
//!
//! So the heap serves blocks up to glibc's largest threshold (32 MiB) and
//! keeps up to [`RETAINED`] of free memory at its top rather than returning it
//! at once. That bounds what an idle process holds on to (per allocator
//! arena: glibc has one per busy thread, up to 8 per core); blocks above
//! 32 MiB (the buffers of 512³ meshes and up) are still mapped and unmapped
//! one by one, so peak memory at high resolutions does not change (1024³:
//! 746 MiB before and after).

/// Free memory a heap keeps at its top for reuse before giving it back.
pub const RETAINED: usize = 32 << 20;

/// Blocks from this size up are mapped on their own (glibc's ceiling for the
/// threshold on 64-bit targets).
pub const MAPPED_FROM: usize = 32 << 20;

/// Applies the settings above; returns whether the C library took them.
/// Idempotent.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune_allocator() -> bool {
    // SAFETY: `mallopt` only changes glibc's allocation thresholds; it is safe
    // to call at any time, from any thread, and a refused value (it returns 0)
    // leaves glibc's default in place.
    unsafe {
        let mapped = libc::mallopt(libc::M_MMAP_THRESHOLD, MAPPED_FROM as libc::c_int);
        let trimmed = libc::mallopt(libc::M_TRIM_THRESHOLD, RETAINED as libc::c_int);
        mapped == 1 && trimmed == 1
    }
}

/// Where the C library is not glibc (musl, other systems) nothing is changed:
/// those keep their own policies. Returns false.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() -> bool {
    false
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_settings() {
        // A value glibc refused (e.g. a threshold over its ceiling) would
        // silently leave the defaults, and the time they cost, in place.
        assert!(super::tune_allocator());
        assert!(super::tune_allocator(), "idempotent");
    }
}
