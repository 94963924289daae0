//! The `ai-modeler` binary: parse the command line and hand over to
//! [`ai_modeler::cli::run`]. No arguments means `serve`.

use clap::Parser;

/// mimalloc rather than glibc's allocator: meshing allocates thousands of
/// per-chunk buffers on the worker threads and frees them on another, and
/// with glibc's allocator a 256³ mesh took ~6 % longer, and a first mesh in
/// a fresh process ~9 % (measured side by side; README, eleventh session).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ai_modeler::cli::run(ai_modeler::cli::Cli::parse())
}
