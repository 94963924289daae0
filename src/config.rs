//! The one typed configuration of the service and the CLI.
//!
//! Layers, later wins: `config/default.toml` (embedded in the binary, so it runs
//! from any directory) < `config/$AIM_ENV.toml` (from `$AIM_CONFIG_DIR`, default
//! `./config`; `production` is also embedded) < environment variables named as the
//! keys in upper case (`PORT`, `LOG_LEVEL`, `MAX_TREE_NODES`… — the names of the
//! deployment spec).
//!
//! Invariants: [`Config::load`] is the only place that reads the environment for
//! settings, and a [`Config`] it returns has passed [`Config::validate`]. Every
//! error names the variable to fix. Secrets ([`Secret`]) never print: `Debug` and
//! `Serialize` both write `[redacted]`.

use std::fmt;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::gpu::GpuMode;

/// The embedded base layer.
const DEFAULT_TOML: &str = include_str!("../config/default.toml");
/// Embedded copy of the production layer, used when the file is not on disk.
const PRODUCTION_TOML: &str = include_str!("../config/production.toml");

/// Every key the environment may set (lower case; the variable is upper case).
/// Listing them keeps unrelated variables (`HOME`, `PATH`…) out of the figment.
const ENV_KEYS: &[&str] = &[
    "host",
    "port",
    "log_level",
    "rust_log",
    "log_format",
    "max_body_mb",
    "request_timeout_sec",
    "shutdown_grace_sec",
    "license_mode",
    "license_key",
    "rayon_num_threads",
    "simd_width",
    "gpu_mode",
    "max_tree_nodes",
    "max_tree_depth",
    "max_tree_ops",
    "max_mesh_resolution",
    "mesh_cache_size_mb",
    "max_eval_points",
    "max_slice_size",
    "max_cpu_jobs",
    "export_storage_path",
    "export_storage_max_mb",
    // accounts and storage (issue 5)
    "database_url",
    "database_max_connections",
    "session_secret",
    "session_ttl_hours",
    "cookie_secure",
    "supabase_jwt_secret",
    "admin_api_key",
    "default_plan",
    "login_max_failures",
    "login_max_failures_per_ip",
    "login_window_sec",
    "trash_retention_days",
    "trust_forwarded_for",
];

/// The effective configuration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Interface to listen on (`HOST`).
    #[serde(deserialize_with = "stringish")]
    pub host: String,
    /// TCP port (`PORT`).
    pub port: u16,
    /// Log filter when `RUST_LOG` is unset (`LOG_LEVEL`): a level or an EnvFilter directive.
    #[serde(deserialize_with = "stringish")]
    pub log_level: String,
    /// Full tracing filter; overrides `log_level` (`RUST_LOG`).
    #[serde(default, deserialize_with = "opt_stringish")]
    pub rust_log: Option<String>,
    /// Log output format (`LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Largest request body in MiB (`MAX_BODY_MB`).
    pub max_body_mb: u32,
    /// Per-request time limit in seconds (`REQUEST_TIMEOUT_SEC`).
    pub request_timeout_sec: u64,
    /// Seconds in-flight requests may take to finish after a shutdown signal (`SHUTDOWN_GRACE_SEC`).
    pub shutdown_grace_sec: u64,
    /// Licence the binary runs under (`LICENSE_MODE`).
    pub license_mode: LicenseMode,
    /// Commercial licence key (`LICENSE_KEY`).
    #[serde(default)]
    pub license_key: Option<Secret>,
    /// Threads for CPU work; 0 = all cores (`RAYON_NUM_THREADS`).
    pub rayon_num_threads: usize,
    /// Evaluator lane width (`SIMD_WIDTH`).
    pub simd_width: SimdWidth,
    /// When to evaluate on the GPU: `auto`, `off` or `require` (`GPU_MODE`).
    pub gpu_mode: GpuMode,
    /// Most nodes a tree may have (`MAX_TREE_NODES`).
    pub max_tree_nodes: usize,
    /// Deepest a tree may nest (`MAX_TREE_DEPTH`).
    pub max_tree_depth: usize,
    /// Most expression operations a tree may expand to (`MAX_TREE_OPS`).
    pub max_tree_ops: usize,
    /// Largest mesh resolution the API accepts: cells along the longest side
    /// (`MAX_MESH_RESOLUTION`). The offline CLI has its own fixed cap.
    pub max_mesh_resolution: u32,
    /// Memory for the in-memory caches in MiB, a quarter for compiled trees and
    /// three quarters for meshes (`MESH_CACHE_SIZE_MB`).
    pub mesh_cache_size_mb: usize,
    /// Most points in one eval request (`MAX_EVAL_POINTS`).
    pub max_eval_points: usize,
    /// Largest slice image side in pixels (`MAX_SLICE_SIZE`).
    pub max_slice_size: u32,
    /// Concurrent CPU-heavy requests; 0 = number of cores (`MAX_CPU_JOBS`).
    pub max_cpu_jobs: usize,
    /// Where export files are cached (`EXPORT_STORAGE_PATH`); a directory under
    /// the OS temp dir when this one cannot be created.
    #[serde(deserialize_with = "stringish")]
    pub export_storage_path: String,
    /// Most disk the export file cache may use in MiB; least recently served
    /// files are deleted beyond it (`EXPORT_STORAGE_MAX_MB`).
    pub export_storage_max_mb: u64,
    // --- accounts and storage ---
    /// `sqlite://PATH` (the default, a file created on first start) or
    /// `postgres://…` (`DATABASE_URL`). A secret: it may carry a password.
    pub database_url: Secret,
    /// Pool size (`DATABASE_MAX_CONNECTIONS`).
    pub database_max_connections: u32,
    /// Key that signs session tokens (`SESSION_SECRET`, at least 32 bytes); when
    /// unset one is generated on first start and kept in the database.
    #[serde(default)]
    pub session_secret: Option<Secret>,
    /// How long a login lasts, in hours (`SESSION_TTL_HOURS`).
    pub session_ttl_hours: u64,
    /// Mark the session cookie `Secure` (HTTPS only) (`COOKIE_SECURE`).
    pub cookie_secure: bool,
    /// With it, Supabase HS256 access tokens are accepted too (`SUPABASE_JWT_SECRET`).
    #[serde(default)]
    pub supabase_jwt_secret: Option<Secret>,
    /// Bearer key of the operator's `/v1/admin/*` routes (`ADMIN_API_KEY`, at
    /// least 24 characters); admin routes are off without it.
    #[serde(default)]
    pub admin_api_key: Option<Secret>,
    /// Plan of new accounts (`DEFAULT_PLAN`), a row of `plan_configs`.
    #[serde(deserialize_with = "stringish")]
    pub default_plan: String,
    /// Failed logins per account within `LOGIN_WINDOW_SEC` before that account's
    /// logins are refused for the rest of the window (`LOGIN_MAX_FAILURES`).
    pub login_max_failures: u32,
    /// Failed logins per client IP within the window (`LOGIN_MAX_FAILURES_PER_IP`).
    pub login_max_failures_per_ip: u32,
    /// The login throttling window in seconds (`LOGIN_WINDOW_SEC`).
    pub login_window_sec: u64,
    /// Days a deleted project stays in the trash before it is purged (`TRASH_RETENTION_DAYS`).
    pub trash_retention_days: u64,
    /// Take the client IP (login throttling, session records) from the last
    /// `X-Forwarded-For` entry, which a reverse proxy appends; only behind one
    /// (`TRUST_FORWARDED_FOR`).
    pub trust_forwarded_for: bool,
}

/// Log output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Pretty on a terminal, JSON otherwise.
    Auto,
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Licence mode of the deployment spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LicenseMode {
    /// Open source use under the AGPL.
    Agpl,
    /// Commercial use; needs `LICENSE_KEY`.
    Commercial,
}

/// Evaluator lane width: `auto` or a fixed 16, 8, 4 or 1 (scalar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimdWidth {
    /// Pick the best width for this CPU.
    Auto,
    /// A fixed number of lanes.
    Fixed(u8),
}

impl SimdWidth {
    /// The engine's setting for this width.
    pub fn engine(self) -> crate::sdf::eval::SimdWidth {
        use crate::sdf::eval::SimdWidth as W;
        match self {
            SimdWidth::Auto => W::Auto,
            SimdWidth::Fixed(16) => W::W16,
            SimdWidth::Fixed(8) => W::W8,
            SimdWidth::Fixed(4) => W::W4,
            SimdWidth::Fixed(_) => W::Scalar,
        }
    }

    /// The fixed width, or `None` for auto.
    pub fn lanes(self) -> Option<u8> {
        match self {
            SimdWidth::Auto => None,
            SimdWidth::Fixed(n) => Some(n),
        }
    }
}

impl fmt::Display for SimdWidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimdWidth::Auto => f.write_str("auto"),
            SimdWidth::Fixed(n) => write!(f, "{n}"),
        }
    }
}

impl Serialize for SimdWidth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SimdWidth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The environment gives `8` as a number and TOML may say "8": take both.
        let raw = Scalar::deserialize(d)?.into_string();
        match raw.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(SimdWidth::Auto),
            "16" => Ok(SimdWidth::Fixed(16)),
            "8" => Ok(SimdWidth::Fixed(8)),
            "4" => Ok(SimdWidth::Fixed(4)),
            "1" => Ok(SimdWidth::Fixed(1)),
            other => Err(serde::de::Error::custom(format!(
                "`{other}` is not one of auto, 16, 8, 4, 1"
            ))),
        }
    }
}

/// A secret string: never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct Secret(#[serde(deserialize_with = "stringish")] String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is used, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("[redacted]")
    }
}

/// A configuration error, naming the variable to fix.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {message}")]
pub struct ConfigError {
    /// The environment variable (or config key in upper case) at fault.
    pub variable: String,
    /// What is wrong with it.
    pub message: String,
}

impl ConfigError {
    fn new(variable: &str, message: impl Into<String>) -> Self {
        Self {
            variable: variable.to_string(),
            message: message.into(),
        }
    }
}

impl Default for Config {
    /// The embedded defaults alone (no files, no environment): what tests start from.
    fn default() -> Self {
        #[allow(clippy::expect_used)] // the embedded file is checked by a unit test
        Figment::from(Toml::string(DEFAULT_TOML))
            .extract()
            .expect("config/default.toml is valid")
    }
}

impl Config {
    /// Reads defaults < `config/$AIM_ENV.toml` < environment, then validates.
    pub fn load() -> Result<Self, ConfigError> {
        let env_name = std::env::var("AIM_ENV").ok().filter(|s| !s.is_empty());
        let dir = std::env::var_os("AIM_CONFIG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("config"));
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(name) = env_name.as_deref() {
            let path = dir.join(format!("{name}.toml"));
            if path.is_file() {
                figment = figment.merge(Toml::file(path));
            } else if name == "production" {
                figment = figment.merge(Toml::string(PRODUCTION_TOML));
            } else {
                return Err(ConfigError::new(
                    "AIM_ENV",
                    format!("no config file {} for environment `{name}`", path.display()),
                ));
            }
        }
        figment = figment.merge(Env::raw().only(ENV_KEYS));
        Self::from_figment(figment)
    }

    /// Extracts and validates a config from any figment (tests build their own).
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(|e| {
            let variable = e
                .path
                .last()
                .map(|k| k.to_ascii_uppercase())
                .unwrap_or_else(|| "configuration".to_string());
            ConfigError::new(&variable, e.kind.to_string())
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what types alone cannot: ranges, filters and pairs of settings.
    pub fn validate(&self) -> Result<(), ConfigError> {
        use tracing_subscriber::EnvFilter;
        if self.host.trim().is_empty() {
            return Err(ConfigError::new("HOST", "must not be empty"));
        }
        if let Err(e) = EnvFilter::builder().parse(&self.log_level) {
            return Err(ConfigError::new(
                "LOG_LEVEL",
                format!("not a log filter: {e}"),
            ));
        }
        if let Some(filter) = &self.rust_log
            && let Err(e) = EnvFilter::builder().parse(filter)
        {
            return Err(ConfigError::new(
                "RUST_LOG",
                format!("not a log filter: {e}"),
            ));
        }
        let positive: [(&str, u64); 10] = [
            ("MAX_BODY_MB", self.max_body_mb.into()),
            ("REQUEST_TIMEOUT_SEC", self.request_timeout_sec),
            ("MAX_TREE_NODES", self.max_tree_nodes as u64),
            ("MAX_TREE_DEPTH", self.max_tree_depth as u64),
            ("MAX_TREE_OPS", self.max_tree_ops as u64),
            ("MAX_MESH_RESOLUTION", self.max_mesh_resolution.into()),
            ("MESH_CACHE_SIZE_MB", self.mesh_cache_size_mb as u64),
            ("MAX_EVAL_POINTS", self.max_eval_points as u64),
            ("MAX_SLICE_SIZE", self.max_slice_size.into()),
            ("EXPORT_STORAGE_MAX_MB", self.export_storage_max_mb),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(ConfigError::new(name, "must be greater than 0"));
            }
        }
        if self.export_storage_path.trim().is_empty() {
            return Err(ConfigError::new("EXPORT_STORAGE_PATH", "must not be empty"));
        }
        self.validate_accounts()?;
        if self.max_body_mb > 4096 {
            return Err(ConfigError::new("MAX_BODY_MB", "must be at most 4096"));
        }
        if self.license_mode == LicenseMode::Commercial
            && self
                .license_key
                .as_ref()
                .is_none_or(|k| k.expose().trim().is_empty())
        {
            return Err(ConfigError::new(
                "LICENSE_KEY",
                "LICENSE_MODE=commercial needs a licence key",
            ));
        }
        Ok(())
    }

    /// The accounts and storage settings (issue 5).
    fn validate_accounts(&self) -> Result<(), ConfigError> {
        let url = self.database_url.expose().trim();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "expected sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB",
            ));
        }
        let positive: [(&str, u64); 5] = [
            (
                "DATABASE_MAX_CONNECTIONS",
                self.database_max_connections.into(),
            ),
            ("SESSION_TTL_HOURS", self.session_ttl_hours),
            ("LOGIN_MAX_FAILURES", self.login_max_failures.into()),
            (
                "LOGIN_MAX_FAILURES_PER_IP",
                self.login_max_failures_per_ip.into(),
            ),
            ("LOGIN_WINDOW_SEC", self.login_window_sec),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(ConfigError::new(name, "must be greater than 0"));
            }
        }
        if self.session_ttl_hours > 24 * 366 {
            return Err(ConfigError::new(
                "SESSION_TTL_HOURS",
                "must be at most a year (8784)",
            ));
        }
        if self.trash_retention_days > 3650 {
            return Err(ConfigError::new(
                "TRASH_RETENTION_DAYS",
                "must be at most 3650",
            ));
        }
        if let Some(s) = &self.session_secret
            && s.expose().len() < 32
        {
            return Err(ConfigError::new(
                "SESSION_SECRET",
                "must be at least 32 bytes (e.g. `openssl rand -base64 48`), or unset to generate one",
            ));
        }
        if let Some(s) = &self.admin_api_key
            && s.expose().trim().len() < 24
        {
            return Err(ConfigError::new(
                "ADMIN_API_KEY",
                "must be at least 24 characters",
            ));
        }
        if let Some(s) = &self.supabase_jwt_secret
            && s.expose().trim().is_empty()
        {
            return Err(ConfigError::new(
                "SUPABASE_JWT_SECRET",
                "must not be empty when set",
            ));
        }
        if self.default_plan.trim().is_empty() {
            return Err(ConfigError::new(
                "DEFAULT_PLAN",
                "must name a plan (free, pro, enterprise)",
            ));
        }
        Ok(())
    }

    /// `host:port`, for binding.
    pub fn bind_address(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port) // a bare IPv6 address
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The largest request body in bytes.
    pub fn max_body_bytes(&self) -> usize {
        (self.max_body_mb as usize) * 1024 * 1024
    }

    /// The export file cache's budget in bytes.
    pub fn export_storage_max_bytes(&self) -> u64 {
        self.export_storage_max_mb.saturating_mul(1024 * 1024)
    }

    /// The log filter in force: `RUST_LOG` if set, else `LOG_LEVEL`.
    pub fn log_filter(&self) -> &str {
        self.rust_log.as_deref().unwrap_or(&self.log_level)
    }

    /// Worker threads for CPU work (`rayon_num_threads`, 0 meaning all cores).
    pub fn cpu_threads(&self) -> usize {
        if self.rayon_num_threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            self.rayon_num_threads
        }
    }

    /// Concurrent CPU-heavy requests allowed.
    pub fn cpu_jobs(&self) -> usize {
        if self.max_cpu_jobs == 0 {
            self.cpu_threads()
        } else {
            self.max_cpu_jobs
        }
    }
}

/// A string, number or boolean: environment values arrive typed (`LICENSE_KEY=1234`
/// is a number to figment), but these fields are text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Str(String),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Scalar::Str(s) => s,
            Scalar::Int(n) => n.to_string(),
            Scalar::UInt(n) => n.to_string(),
            Scalar::Float(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

fn stringish<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Scalar::deserialize(d)?.into_string())
}

fn opt_stringish<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(d)?.map(Scalar::into_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_are_valid() {
        let c = Config::default();
        c.validate().unwrap();
        assert_eq!(c.port, 3000);
        assert_eq!(c.max_tree_nodes, 1000);
        assert_eq!(c.simd_width, SimdWidth::Auto);
        assert_eq!(c.gpu_mode, GpuMode::Auto);
        assert!(c.max_eval_points >= 1 << 20);
        let prod: Config = Figment::from(Toml::string(DEFAULT_TOML))
            .merge(Toml::string(PRODUCTION_TOML))
            .extract()
            .unwrap();
        assert_eq!(prod.log_format, LogFormat::Json);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let base = || Figment::from(Toml::string(DEFAULT_TOML));
        let e = Config::from_figment(base().merge(("port", "abc"))).unwrap_err();
        assert_eq!(e.variable, "PORT");
        let e = Config::from_figment(base().merge(("simd_width", 3))).unwrap_err();
        assert_eq!(e.variable, "SIMD_WIDTH");
        let e = Config::from_figment(base().merge(("max_tree_nodes", 0))).unwrap_err();
        assert_eq!(e.variable, "MAX_TREE_NODES");
        let e = Config::from_figment(base().merge(("log_format", "xml"))).unwrap_err();
        assert_eq!(e.variable, "LOG_FORMAT");
        let e = Config::from_figment(base().merge(("gpu_mode", "maybe"))).unwrap_err();
        assert_eq!(e.variable, "GPU_MODE");
        assert!(e.message.contains("auto, off, require"), "{e}");
        let ok = Config::from_figment(base().merge(("gpu_mode", "OFF"))).unwrap();
        assert_eq!(ok.gpu_mode, GpuMode::Off);
        let e = Config::from_figment(base().merge(("export_storage_max_mb", 0))).unwrap_err();
        assert_eq!(e.variable, "EXPORT_STORAGE_MAX_MB");
        let e = Config::from_figment(base().merge(("license_mode", "commercial"))).unwrap_err();
        assert_eq!(e.variable, "LICENSE_KEY");
        let ok = Config::from_figment(base().merge(("simd_width", 8))).unwrap();
        assert_eq!(ok.simd_width, SimdWidth::Fixed(8));
    }

    #[test]
    fn secrets_are_redacted() {
        let c = Config {
            license_key: Some(Secret::new("hunter2")),
            ..Config::default()
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!serde_json::to_string(&c).unwrap().contains("hunter2"));
    }
}
