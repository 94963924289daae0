//! Offline `mesh` and `export`: a tree file to a mesh, and optionally to a file
//! in any export format, with no server and no database.
//!
//! The file is written atomically (a temp file next to it, fsynced, renamed), so
//! an interrupted run leaves the previous file or none, never half of one. The
//! summary is one JSON line on stdout; a progress bar goes to stderr only when
//! stderr is a terminal (redrawn with `\r`, at most about ten times a second).
//!
//! Limits: `--resolution` is capped at [`MAX_RESOLUTION`] here, a fixed hard cap
//! (the server's `MAX_MESH_RESOLUTION` protects a shared service, not a user's
//! own machine). Usage errors (bad resolution, bounds, format, an unbounded tree
//! without `--bounds`) exit with 2, other failures with 1.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use super::offline::load_tree;
use crate::config::Config;
use crate::export::{self, Exporter};
use crate::mesh::mesher::Aabb;
use crate::mesh::{MeshError, Method, Progress};
use crate::server::exports::write_atomically;
use crate::server::meshes::{MeshEntry, MeshRequest, MeshSummary, check_bounds, round3};

/// The offline cap on `--resolution` (cells along the longest side). A dense
/// 4096³ grid would be 69 G samples; the sparse mesher pays for the surface only,
/// but beyond this a mesh of a detailed tree no longer fits in memory.
pub const MAX_RESOLUTION: u32 = 4096;

/// The meshing flags `mesh` and `export` share.
#[derive(Debug, Args)]
pub struct MeshArgs {
    /// Cells along the longest side of the domain (1 to 4096).
    #[arg(long, default_value_t = 128, value_parser = parse_resolution)]
    pub resolution: u32,
    /// Meshing method: surface_nets, marching_cubes or dual_contouring.
    #[arg(long, default_value = "surface_nets")]
    pub method: Method,
    /// Domain box x0,y0,z0,x1,y1,z1 (default: the tree's bounds, padded by a
    /// cell). Needed for unbounded trees (a Plane, an infinite repeat).
    #[arg(long, value_parser = parse_bounds, allow_hyphen_values = true)]
    pub bounds: Option<Aabb>,
    /// Do not compute vertex normals.
    #[arg(long)]
    pub no_normals: bool,
}

fn parse_resolution(s: &str) -> Result<u32, String> {
    let bad = || {
        format!(
            "`{s}`: resolution must be a whole number from 1 to {MAX_RESOLUTION} (the offline cap)"
        )
    };
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_RESOLUTION).contains(&n) => Ok(n),
        _ => Err(bad()),
    }
}

pub(crate) fn parse_bounds(s: &str) -> Result<Aabb, String> {
    let v: Vec<f32> = s
        .split(',')
        .map(|p| p.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("bounds: {e}"))?;
    let [x0, y0, z0, x1, y1, z1] = <[f32; 6]>::try_from(v)
        .map_err(|_| "bounds needs six numbers: x0,y0,z0,x1,y1,z1".to_string())?;
    check_bounds(([x0, y0, z0], [x1, y1, z1])).map_err(|why| format!("bounds: {why}"))
}

/// Where `export` writes.
pub enum Output {
    /// A file.
    File(PathBuf),
    /// Standard output (`-o -`).
    Stdout,
}

/// Why a command stopped: the user's input (exit 2) or anything else (exit 1).
enum Failure {
    Usage(String),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => super::fail(&e),
    }
}

fn format_list() -> String {
    export::formats()
        .iter()
        .map(|e| format!("{} (.{})", e.info().name, e.info().extension))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The format `--format` names, or else the one `path`'s extension means.
fn choose_format(
    format: Option<&str>,
    path: Option<&Path>,
) -> Result<&'static dyn Exporter, Failure> {
    if let Some(name) = format {
        return export::by_name(name).ok_or_else(|| {
            Failure::Usage(format!(
                "unknown format `{name}`; formats: {}",
                format_list()
            ))
        });
    }
    let ext = path
        .and_then(Path::extension)
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    export::by_extension(&ext).ok_or_else(|| {
        let what = if ext.is_empty() {
            "the output has no extension".to_string()
        } else {
            format!("unknown extension `.{ext}`")
        };
        Failure::Usage(format!(
            "{what}; name the file with one of the formats' extensions or pass --format: {}",
            format_list()
        ))
    })
}

/// `ai-modeler mesh TREE [-o FILE] [--format NAME] …`: prints the summary.
pub fn mesh_command(
    config: &Config,
    tree: &Path,
    output: Option<&Path>,
    format: Option<&str>,
    args: &MeshArgs,
) -> ExitCode {
    finish((|| {
        let target = match output {
            Some(p) if p == Path::new("-") => {
                return Err(Failure::Usage(
                    "mesh prints its summary on stdout; use `ai-modeler export TREE -o - --format NAME` to write the file there".into(),
                ));
            }
            Some(p) => Some((
                Output::File(p.to_path_buf()),
                choose_format(format, Some(p))?,
            )),
            None => None,
        };
        run(config, tree, target, args, true)
    })())
}

/// `ai-modeler export TREE -o FILE|- [--format NAME] …`.
pub fn export_command(
    config: &Config,
    tree: &Path,
    output: &Path,
    format: Option<&str>,
    args: &MeshArgs,
) -> ExitCode {
    finish((|| {
        let target = if output == Path::new("-") {
            let Some(name) = format else {
                return Err(Failure::Usage(
                    "writing to stdout (-o -) needs --format, e.g. --format stl".into(),
                ));
            };
            (Output::Stdout, choose_format(Some(name), None)?)
        } else {
            (
                Output::File(output.to_path_buf()),
                choose_format(format, Some(output))?,
            )
        };
        let summary = matches!(target.0, Output::File(_));
        run(config, tree, Some(target), args, summary)
    })())
}

/// `ai-modeler export --list-formats`: a table on stdout.
pub fn list_formats() -> ExitCode {
    let rows: Vec<[&str; 4]> = export::formats()
        .iter()
        .map(|e| {
            let i = e.info();
            [i.name, i.extension, i.mime, i.units]
        })
        .collect();
    let head = ["name", "extension", "mime", "units"];
    let width = |k: usize| {
        rows.iter()
            .map(|r| r[k].len())
            .chain([head[k].len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = String::new();
    for r in std::iter::once(head).chain(rows) {
        out.push_str(&format!(
            "{:w0$}  {:w1$}  {:w2$}  {}\n",
            r[0], r[1], r[2], r[3]
        ));
    }
    print!("{out}");
    ExitCode::SUCCESS
}

/// Meshes `tree`, writes it to `target` if any, prints the summary if asked.
fn run(
    config: &Config,
    tree: &Path,
    target: Option<(Output, &'static dyn Exporter)>,
    args: &MeshArgs,
    print_summary: bool,
) -> Result<(), Failure> {
    let started = Instant::now();
    let compiled = load_tree(config, tree)?;
    let request = MeshRequest {
        compiled_id: compiled.id.clone(),
        method: args.method,
        resolution: args.resolution,
        bounds: args.bounds,
        normals: !args.no_normals,
    };
    let settings = request.settings(config.simd_width.engine());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.rayon_num_threads)
        .build()
        .context("building the thread pool")?;
    let bar = ProgressBar::new(std::io::stderr().is_terminal());
    let t = Instant::now();
    let made =
        pool.install(|| crate::gpu::mesh(config.gpu_mode, &compiled, &settings, &|p| bar.show(p)));
    bar.end();
    let output = made.map_err(|e| match e {
        MeshError::Unbounded => Failure::Usage(
            "the shape is unbounded (it reaches infinity: a Plane, an infinite repeat…); pass --bounds x0,y0,z0,x1,y1,z1 to mesh the part inside that box".into(),
        ),
        other => Failure::Usage(other.to_string()),
    })?;
    let entry = MeshEntry {
        id: request.mesh_id(),
        request,
        output,
        mesh_time_ms: t.elapsed().as_secs_f64() * 1e3,
    };
    let mut written: Option<(String, &str, u64, f64)> = None;
    if let Some((out, exporter)) = target {
        let t = Instant::now();
        let mesh = &entry.output.mesh;
        match out {
            Output::File(path) => {
                let (_, bytes) = write_atomically(&path, |w| exporter.write(mesh, w))
                    .with_context(|| format!("writing {}", path.display()))?;
                let ms = t.elapsed().as_secs_f64() * 1e3;
                written = Some((path.display().to_string(), exporter.info().name, bytes, ms));
            }
            Output::Stdout => {
                let stdout = std::io::stdout();
                let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
                exporter
                    .write(mesh, &mut w)
                    .and_then(|()| w.flush())
                    .context("writing to stdout")?;
            }
        }
    }
    if print_summary {
        let summary = MeshSummary::new(&entry, false, started.elapsed());
        // Through text, so f32 fields print as f32 (0.998, not 0.99800002574920654).
        let text = serde_json::to_string(&summary).context("summary")?;
        let mut v: serde_json::Value = serde_json::from_str(&text).context("summary")?;
        if let Some(o) = v.as_object_mut() {
            o.remove("cached");
            let (path, format, bytes, write_ms) = match &written {
                Some((p, f, b, ms)) => (
                    serde_json::json!(p),
                    serde_json::json!(f),
                    serde_json::json!(b),
                    serde_json::json!(round3(*ms)),
                ),
                None => Default::default(),
            };
            o.insert("output".into(), path);
            o.insert("format".into(), format);
            o.insert("bytes".into(), bytes);
            o.insert("write_ms".into(), write_ms);
            o.insert(
                "time_ms".into(),
                serde_json::json!(round3(started.elapsed().as_secs_f64() * 1e3)),
            );
        }
        println!("{v}");
    }
    Ok(())
}

/// The stderr progress bar: drawn only on a terminal, at most every
/// [`BAR_INTERVAL`] plus the final state. Called from the mesher's worker
/// threads, hence the lock (held only to draw).
struct ProgressBar {
    on: bool,
    last: Mutex<Option<Instant>>,
}

const BAR_INTERVAL: Duration = Duration::from_millis(100);
const BAR_WIDTH: usize = 30;

impl ProgressBar {
    fn new(on: bool) -> Self {
        Self {
            on,
            last: Mutex::new(None),
        }
    }

    fn show(&self, p: Progress) {
        if !self.on || p.total == 0 {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let now = Instant::now();
        if p.done < p.total && last.is_some_and(|t| now.duration_since(t) < BAR_INTERVAL) {
            return;
        }
        *last = Some(now);
        let filled = BAR_WIDTH * p.done / p.total;
        let line = format!(
            "\rmeshing [{}{}] {:3}% {}/{} chunk passes",
            "#".repeat(filled),
            " ".repeat(BAR_WIDTH - filled),
            100 * p.done / p.total,
            p.done,
            p.total
        );
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }

    /// Ends the bar's line, if one was drawn.
    fn end(&self) {
        if self.on && self.last.lock().is_ok_and(|l| l.is_some()) {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_refuse_what_they_should() {
        assert_eq!(parse_resolution("4096"), Ok(4096));
        assert!(parse_resolution("0").unwrap_err().contains("4096"));
        assert!(parse_resolution("4097").is_err());
        assert_eq!(
            parse_bounds("-1,-2,-3,1,2,3"),
            Ok(([-1.0, -2.0, -3.0], [1.0, 2.0, 3.0]))
        );
        assert!(parse_bounds("1,1,1,0,0,0").is_err());
        assert!(parse_bounds("1,2,3").is_err());
    }

    #[test]
    fn formats_come_from_the_flag_or_the_extension() {
        let pick = |f: Option<&str>, p: &str| {
            choose_format(f, Some(Path::new(p)))
                .ok()
                .map(|e| e.info().name)
        };
        assert_eq!(pick(None, "a/b.GLB"), Some("glb"));
        assert_eq!(pick(None, "b.stl"), Some("stl"));
        assert_eq!(pick(Some("stl_ascii"), "b.stl"), Some("stl_ascii"));
        assert_eq!(pick(None, "b.xyz"), None);
        assert_eq!(pick(None, "noext"), None);
        assert_eq!(pick(Some("nope"), "b.stl"), None);
    }
}
