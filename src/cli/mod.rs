//! The command line: `serve` (the default with no arguments) and the offline
//! commands, which use the engine directly and need no server or database.
//!
//! Layout: [`offline`] (`eval`, `slice`, `bench`, and tree-file loading),
//! [`mesh`] (`mesh`, `export`), [`healthcheck`] (the container probe, so images
//! need no curl), [`database`] (`migrate`, `backup`).
//! Every command returns an [`ExitCode`]; errors print one line on stderr.

pub mod database;
pub mod healthcheck;
pub mod mesh;
pub mod offline;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;

/// ai-modeler: SDF engine, HTTP API and CLI in one binary.
#[derive(Debug, Parser)]
#[command(name = "ai-modeler", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API on $HOST:$PORT (default 0.0.0.0:3000).
    Serve,
    /// Evaluate a tree at points; prints {"distances":[…]}.
    Eval {
        /// Tree file: ALICE-SDF JSON (.json) or fidget .vm.
        tree: PathBuf,
        /// Points file: JSON [[x,y,z],…] or whitespace-separated x y z triples.
        /// Reads stdin when omitted or `-`.
        #[arg(long, short)]
        points: Option<PathBuf>,
    },
    /// Render the cross-section at height z as a PNG (inside black).
    Slice {
        /// Tree file: ALICE-SDF JSON (.json) or fidget .vm.
        tree: PathBuf,
        /// Image side in pixels.
        #[arg(long, default_value_t = 1024)]
        size: u32,
        /// Height of the cut.
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        z: f32,
        /// Region shown: xmin,ymin,xmax,ymax.
        #[arg(long, value_parser = parse_region, allow_hyphen_values = true, default_value = "-1,-1,1,1")]
        region: [f32; 4],
        /// Output file.
        #[arg(long, short, default_value = "slice.png")]
        output: PathBuf,
    },
    /// Time an evaluation of N points (after one warm-up); prints {points, threads, ms, mpts_per_s}.
    Bench {
        /// Tree file: ALICE-SDF JSON (.json) or fidget .vm.
        tree: PathBuf,
        /// Points to evaluate (uniform in [-1,1]^3, fixed seed).
        #[arg(long, default_value_t = 1_000_000)]
        points: usize,
        /// Worker threads (default: RAYON_NUM_THREADS, 0 = all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Time a SIZE×SIZE slice render instead; prints {size, threads, ms}.
        #[arg(long, conflicts_with = "mesh")]
        slice: Option<u32>,
        /// Time meshing at this resolution (in memory) instead; prints
        /// {resolution, method, threads, ms, vertices, triangles, domain, …}.
        #[arg(long)]
        mesh: Option<u32>,
        /// Meshing method for --mesh.
        #[arg(long, default_value = "surface_nets")]
        method: crate::mesh::Method,
        /// Domain box x0,y0,z0,x1,y1,z1 for --mesh (default: the tree's
        /// bounds, padded by a cell): to compare with another mesher over its
        /// box, or to time an unbounded tree.
        #[arg(long, requires = "mesh", value_parser = mesh::parse_bounds, allow_hyphen_values = true)]
        bounds: Option<crate::mesh::mesher::Aabb>,
        /// Timed repetitions (after one warm-up); the median and the best are reported.
        #[arg(long, default_value_t = 5)]
        repeat: u32,
    },
    /// Mesh a tree; prints a one-line JSON summary, and with -o writes the mesh
    /// as a file (format from the extension, or --format).
    Mesh {
        /// Tree file: ALICE-SDF JSON (.json) or fidget .vm.
        tree: PathBuf,
        /// Output file (written atomically); without it the tree is only meshed.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Format name (e.g. stl_ascii) instead of the output's extension.
        #[arg(long, requires = "output")]
        format: Option<String>,
        #[command(flatten)]
        settings: mesh::MeshArgs,
    },
    /// Mesh a tree and write it as a file (format from the extension, or
    /// --format; `-o -` writes to stdout and needs --format).
    Export {
        /// Tree file: ALICE-SDF JSON (.json) or fidget .vm.
        #[arg(required_unless_present = "list_formats")]
        tree: Option<PathBuf>,
        /// Output file (written atomically), or `-` for stdout.
        #[arg(long, short, required_unless_present = "list_formats")]
        output: Option<PathBuf>,
        /// Format name (e.g. stl_ascii, ply_ascii) instead of the output's extension.
        #[arg(long)]
        format: Option<String>,
        #[command(flatten)]
        settings: mesh::MeshArgs,
        /// Print the formats (name, extension, MIME type, units) and exit.
        #[arg(long, exclusive = true)]
        list_formats: bool,
    },
    /// Transpile a tree to a shader; prints the source (with --json, the API's
    /// JSON answer; with -o, writes the source to a file; SPIR-V is binary there).
    Shader {
        /// Tree file: ALICE-SDF JSON (.json) or fidget .vm.
        #[arg(required_unless_present = "list_targets")]
        tree: Option<PathBuf>,
        /// Target language: wgsl, glsl, glsl-es, hlsl, msl, spirv.
        #[arg(long, short, default_value = "wgsl")]
        target: String,
        /// Shape of the code: sdf_function, fragment_raymarch, compute_eval.
        #[arg(long, short, default_value = "sdf_function")]
        kind: String,
        /// Read numeric parameters from a uniform buffer instead of baking them in.
        #[arg(long)]
        dynamic: bool,
        /// Print the whole JSON answer (entry points, parameter layout) instead.
        #[arg(long)]
        json: bool,
        /// Write the source to this file (atomically) instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Print the targets and exit.
        #[arg(long, exclusive = true)]
        list_targets: bool,
    },
    /// Apply the database migrations (DATABASE_URL) and exit; the server also
    /// applies them at start-up.
    Migrate,
    /// Write a consistent copy of the SQLite database to PATH, atomically
    /// (for Postgres, use pg_dump).
    Backup {
        /// Where the copy goes (replaced atomically if it exists).
        path: PathBuf,
    },
    /// Print the effective configuration (secrets redacted).
    CheckConfig {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ConfigFormat::Toml)]
        format: ConfigFormat,
    },
    /// Probe GET /health on this machine's $PORT; exit 0 when it answers 200.
    Healthcheck {
        /// Full URL to probe instead (http only).
        #[arg(long)]
        url: Option<String>,
    },
}

/// `check-config` output formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ConfigFormat {
    /// TOML, as in config/default.toml.
    Toml,
    /// JSON.
    Json,
}

fn parse_region(s: &str) -> Result<[f32; 4], String> {
    let parts: Vec<f32> = s
        .split(',')
        .map(|p| p.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("region: {e}"))?;
    <[f32; 4]>::try_from(parts).map_err(|_| "region needs four numbers: xmin,ymin,xmax,ymax".into())
}

/// Loads and validates the configuration, or prints why not.
pub fn load_config() -> Result<Config, ExitCode> {
    Config::load().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

/// Prints an error chain on one line and returns failure.
pub fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::FAILURE
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let config = match load_config() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let command = cli.command.unwrap_or(Command::Serve);
    // Offline commands that evaluate check `GPU_MODE=require` up front, as
    // `serve` does at start-up: a required GPU that is missing stops the run.
    let evaluates = matches!(
        command,
        Command::Eval { .. }
            | Command::Slice { .. }
            | Command::Bench { .. }
            | Command::Mesh { .. }
            | Command::Export {
                list_formats: false,
                ..
            }
    );
    if evaluates
        && config.gpu_mode == crate::gpu::GpuMode::Require
        && let Err(e) = crate::gpu::open(config.gpu_mode)
    {
        eprintln!("error: GPU_MODE=require: {e}");
        return ExitCode::from(2);
    }
    match command {
        Command::Serve => serve(config),
        Command::Eval { tree, points } => offline::eval(&config, &tree, points.as_deref()),
        Command::Slice {
            tree,
            size,
            z,
            region,
            output,
        } => offline::slice(&config, &tree, size, z, region, &output),
        Command::Bench {
            tree,
            points,
            threads,
            slice,
            mesh,
            method,
            bounds,
            repeat,
        } => offline::bench(
            &config,
            &tree,
            offline::BenchWhat {
                points,
                slice,
                mesh: mesh.map(|r| (r, method)),
                bounds,
            },
            threads,
            repeat,
        ),
        Command::Mesh {
            tree,
            output,
            format,
            settings,
        } => mesh::mesh_command(
            &config,
            &tree,
            output.as_deref(),
            format.as_deref(),
            &settings,
        ),
        Command::Export {
            tree,
            output,
            format,
            settings,
            list_formats,
        } => match (list_formats, tree, output) {
            (false, Some(tree), Some(output)) => {
                mesh::export_command(&config, &tree, &output, format.as_deref(), &settings)
            }
            // clap requires TREE and -o unless --list-formats, which stands alone.
            _ => mesh::list_formats(),
        },
        Command::Shader {
            tree,
            target,
            kind,
            dynamic,
            json,
            output,
            list_targets,
        } => match (list_targets, tree) {
            (false, Some(tree)) => offline::shader(
                &config,
                &tree,
                offline::ShaderArgs {
                    target: &target,
                    kind: &kind,
                    dynamic,
                    json,
                    output: output.as_deref(),
                },
            ),
            _ => offline::list_shader_targets(),
        },
        Command::Migrate => database::migrate(&config),
        Command::Backup { path } => database::backup(&config, &path),
        Command::CheckConfig { format } => check_config(&config, format),
        Command::Healthcheck { url } => healthcheck::probe(&config, url.as_deref()),
    }
}

fn check_config(config: &Config, format: ConfigFormat) -> ExitCode {
    let text = match format {
        ConfigFormat::Toml => toml_text(config),
        ConfigFormat::Json => serde_json::to_string_pretty(config).map_err(anyhow::Error::from),
    };
    match text {
        Ok(t) => {
            println!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// The config as flat TOML (`key = value`), from its JSON form: every field is a
/// scalar or null (nulls are written as comments, TOML has none).
fn toml_text(config: &Config) -> anyhow::Result<String> {
    let value = serde_json::to_value(config)?;
    let mut out = String::new();
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            match v {
                serde_json::Value::Null => out.push_str(&format!("# {k} is not set\n")),
                other => out.push_str(&format!("{k} = {other}\n")),
            }
        }
    }
    Ok(out.trim_end().to_string())
}

fn serve(config: Config) -> ExitCode {
    crate::telemetry::init(&config);
    if let Err(e) = rayon::ThreadPoolBuilder::new()
        .num_threads(config.rayon_num_threads)
        .build_global()
    {
        tracing::warn!(error = %e, "rayon pool already initialised");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&anyhow::Error::from(e).context("starting the async runtime")),
    };
    let result: anyhow::Result<()> = runtime.block_on(async {
        let addr = config.bind_address();
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr} (HOST/PORT): {e}"))?;
        crate::server::run(listener, config, crate::server::shutdown_signal()).await?;
        Ok(())
    });
    match result {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            fail(&e)
        }
    }
}
