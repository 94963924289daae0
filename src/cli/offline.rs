//! Offline commands: `eval`, `slice`, `bench`. They read a tree file, compile it
//! with the configured limits, and call the engine directly: no server, no database.
//!
//! Tree files are chosen by extension: `.vm` is fidget's VM text format, anything
//! else is ALICE-SDF JSON (wrapper or bare node).

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;

use super::fail;
use crate::config::Config;
use crate::mesh::mesher::Aabb;
use crate::mesh::{MeshSettings, Method};
use crate::sdf::compile::{self, Compiled};
use crate::server::compute::{limits, render_slice};
use crate::server::meshes::round3;

/// Reads and compiles a tree file.
pub fn load_tree(config: &Config, path: &Path) -> anyhow::Result<Compiled> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let is_vm = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("vm"));
    let limits = limits(config);
    if is_vm {
        let text = std::str::from_utf8(&bytes)
            .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
        return compile::compile_vm(text, &limits)
            .with_context(|| format!("compiling {}", path.display()));
    }
    let doc = crate::sdf::validate::parse_json(&bytes, &limits)
        .with_context(|| format!("{} is not usable JSON", path.display()))?;
    compile::compile(&doc, &limits).with_context(|| format!("compiling {}", path.display()))
}

/// Parses points: JSON `[[x,y,z],…]`, or whitespace-separated numbers taken three at a time.
pub fn parse_points(text: &str) -> anyhow::Result<Vec<[f32; 3]>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return serde_json::from_str(trimmed).context("points JSON must be [[x,y,z],…]");
    }
    let numbers: Vec<f32> = text
        .split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            w.parse::<f32>()
                .with_context(|| format!("number {} (`{w}`) is not a number", i + 1))
        })
        .collect::<anyhow::Result<_>>()?;
    if !numbers.len().is_multiple_of(3) {
        bail!(
            "{} numbers is not a whole number of x y z triples",
            numbers.len()
        );
    }
    Ok(numbers
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect())
}

/// `ai-modeler eval TREE [--points FILE]`.
pub fn eval(config: &Config, tree: &Path, points: Option<&Path>) -> ExitCode {
    let run = || -> anyhow::Result<()> {
        let compiled = load_tree(config, tree)?;
        let mut text = String::new();
        match points {
            Some(p) if p != Path::new("-") => {
                text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
            }
            _ => {
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("reading points from stdin")?;
            }
        }
        let points = parse_points(&text)?;
        let (distances, _) = crate::gpu::eval_points(
            config.gpu_mode,
            &compiled,
            &points,
            config.simd_width.engine(),
        );
        println!("{}", json!({ "distances": distances }));
        Ok(())
    };
    run().map_or_else(|e| fail(&e), |()| ExitCode::SUCCESS)
}

/// `ai-modeler slice TREE --size N [--z Z] [--region …] -o out.png`.
pub fn slice(
    config: &Config,
    tree: &Path,
    size: u32,
    z: f32,
    region: [f32; 4],
    output: &Path,
) -> ExitCode {
    let run = || -> anyhow::Result<()> {
        if size == 0 || size > config.max_slice_size {
            bail!(
                "--size must be between 1 and MAX_SLICE_SIZE ({})",
                config.max_slice_size
            );
        }
        let compiled = load_tree(config, tree)?;
        let png = render_slice(&compiled, z, size, region, config.simd_width.engine())?;
        write_atomically(output, &png)?;
        eprintln!("wrote {} ({size}×{size})", output.display());
        Ok(())
    };
    run().map_or_else(|e| fail(&e), |()| ExitCode::SUCCESS)
}

/// Writes through a unique temporary file, fsync and a rename, so a crash
/// leaves no half file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::server::exports::write_atomically(path, |w| w.write_all(bytes))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// What `bench` times.
pub struct BenchWhat {
    /// Points evaluated (the default measurement).
    pub points: usize,
    /// A slice of this size instead.
    pub slice: Option<u32>,
    /// A mesh at this resolution with this method instead.
    pub mesh: Option<(u32, Method)>,
    /// The mesh's domain (default: the tree's bounds, padded by a cell).
    pub bounds: Option<Aabb>,
}

/// `ai-modeler bench TREE [--points N | --slice SIZE | --mesh RES [--bounds BOX]] [--threads T]`.
pub fn bench(
    config: &Config,
    tree: &Path,
    what: BenchWhat,
    threads: Option<usize>,
    repeat: u32,
) -> ExitCode {
    let BenchWhat {
        points,
        slice,
        mesh,
        bounds,
    } = what;
    let run = || -> anyhow::Result<()> {
        let compiled = load_tree(config, tree)?;
        let simd = config.simd_width.engine();
        let threads = threads.unwrap_or(config.rayon_num_threads);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .context("building the thread pool")?;
        let threads = pool.current_num_threads();
        let repeat = repeat.max(1);
        if let Some(size) = slice {
            let region = crate::server::compute::DEFAULT_REGION;
            pool.install(|| render_slice(&compiled, 0.0, size, region, simd))?; // warm-up
            let t = timings(repeat, || {
                pool.install(|| render_slice(&compiled, 0.0, size, region, simd))
                    .map(drop)
            })?;
            println!(
                "{}",
                json!({ "size": size, "threads": threads, "runs": repeat, "ms": round3(t.median), "best_ms": round3(t.best) })
            );
            return Ok(());
        }
        if let Some((resolution, method)) = mesh {
            let settings = MeshSettings {
                method,
                resolution,
                bounds,
                simd,
                ..MeshSettings::default()
            };
            let run = || {
                pool.install(|| crate::gpu::mesh(config.gpu_mode, &compiled, &settings, &|_| {}))
            };
            let out = run()?; // warm-up
            let (vertices, triangles) = (out.mesh.vertex_count(), out.mesh.triangle_count());
            let (chunks_meshed, chunks_total, samples) =
                (out.chunks_meshed, out.chunks_total, out.samples);
            let out_domain = [out.domain.0, out.domain.1];
            // Not held through the timed runs: the process's peak memory is
            // then one mesh's, as a single `mesh` run's is.
            drop(out);
            let mut phases = Vec::with_capacity(repeat as usize);
            let t = timings(repeat, || run().map(|out| phases.push(out.phases)))?;
            println!(
                "{}",
                json!({
                    "resolution": resolution, "method": method, "threads": threads, "runs": repeat,
                    "ms": round3(t.median), "best_ms": round3(t.best),
                    "vertices": vertices, "triangles": triangles,
                    "chunks_meshed": chunks_meshed, "chunks_total": chunks_total,
                    "samples": samples, "domain": out_domain,
                    "phases_median_ms": median_phases(&phases),
                })
            );
            return Ok(());
        }
        let pts = sample_points(points);
        pool.install(|| compiled.eval_points(&pts, simd)); // warm-up
        let t = timings(repeat, || {
            pool.install(|| compiled.eval_points(&pts, simd));
            Ok::<(), anyhow::Error>(())
        })?;
        let rate = |ms: f64| {
            if ms > 0.0 {
                points as f64 / (ms * 1e3)
            } else {
                f64::INFINITY
            }
        };
        println!(
            "{}",
            json!({
                "points": points, "threads": threads, "runs": repeat,
                "ms": round3(t.median), "mpts_per_s": round3(rate(t.median)),
                "best_ms": round3(t.best), "best_mpts_per_s": round3(rate(t.best)),
            })
        );
        Ok(())
    };
    run().map_or_else(|e| fail(&e), |()| ExitCode::SUCCESS)
}

/// Each mesh phase's median over the timed runs, in milliseconds.
fn median_phases(runs: &[crate::mesh::Phases]) -> serde_json::Value {
    let m = crate::mesh::Phases::median(runs);
    let ms = |d: std::time::Duration| round3(d.as_secs_f64() * 1e3);
    json!({
        "prune": ms(m.prune),
        "first_pass": ms(m.first_pass),
        "border_pass": ms(m.border_pass),
        "assemble": ms(m.assemble),
    })
}

/// Median and best wall time of some runs, in milliseconds.
struct Timings {
    median: f64,
    best: f64,
}

/// Times `n` runs (at least one) of `f`.
fn timings<E>(n: u32, mut f: impl FnMut() -> Result<(), E>) -> Result<Timings, E> {
    let mut runs = Vec::with_capacity(n.max(1) as usize);
    for _ in 0..n.max(1) {
        let t = Instant::now();
        f()?;
        runs.push(t.elapsed().as_secs_f64() * 1e3);
    }
    runs.sort_by(f64::total_cmp);
    Ok(Timings {
        median: runs[runs.len() / 2],
        best: runs[0],
    })
}

/// `n` points uniform in [-1,1]^3 from a fixed-seed xorshift, so runs compare.
pub fn sample_points(n: usize) -> Vec<[f32; 3]> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    };
    (0..n).map(|_| [next(), next(), next()]).collect()
}

/// Options of the `shader` command.
pub struct ShaderArgs<'a> {
    /// Target name.
    pub target: &'a str,
    /// Shape name.
    pub kind: &'a str,
    /// Dynamic parameters.
    pub dynamic: bool,
    /// Print the JSON answer instead of the source.
    pub json: bool,
    /// Write the source here instead of stdout.
    pub output: Option<&'a Path>,
}

/// `shader`: transpiles a tree file.
pub fn shader(config: &Config, path: &Path, args: ShaderArgs<'_>) -> ExitCode {
    let run = || -> anyhow::Result<()> {
        let kind = crate::shader::Kind::parse(args.kind).with_context(|| {
            format!(
                "unknown kind {:?}; kinds: sdf_function, fragment_raymarch, compute_eval",
                args.kind
            )
        })?;
        let compiled = load_tree(config, path)?;
        let shader = crate::shader::generate(
            &compiled,
            args.target,
            kind,
            args.dynamic,
            limits(config).max_ops,
        )?;
        let bytes = if args.json {
            let mut text = serde_json::to_string_pretty(&shader)?;
            text.push('\n');
            text.into_bytes()
        } else if crate::shader::by_name(shader.target).is_some_and(|t| t.binary())
            && args.output.is_some()
        {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(&shader.source)
                .context("decoding SPIR-V")?
        } else {
            shader.source.into_bytes()
        };
        match args.output {
            Some(out) => write_atomically(out, &bytes),
            None => {
                use std::io::Write as _;
                std::io::stdout().write_all(&bytes)?;
                Ok(())
            }
        }
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// `shader --list-targets`.
pub fn list_shader_targets() -> ExitCode {
    for t in crate::shader::targets() {
        println!(
            "{:<8} {}{}",
            t.name(),
            t.language(),
            if t.binary() { " (binary)" } else { "" }
        );
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_in_both_forms() {
        assert_eq!(parse_points("[[0,0,0],[1,2,3]]").unwrap().len(), 2);
        assert_eq!(
            parse_points("0 0 0\n1 2 3\n").unwrap(),
            vec![[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]
        );
        assert!(parse_points("1 2").is_err());
        assert!(parse_points("1 x 3").is_err());
    }

    #[test]
    fn sample_points_stay_in_the_unit_cube() {
        let p = sample_points(1000);
        assert!(p.iter().flatten().all(|v| (-1.0..=1.0).contains(v)));
    }
}
