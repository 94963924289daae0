//! Logging: tracing-subscriber, human-readable on a terminal, one JSON object per
//! line otherwise (containers, log shippers).
//!
//! Logs go to stderr so the CLI's stdout stays pure output (`eval` prints JSON).
//! The server opens one span per request carrying its request id (see
//! [`crate::server::middleware`]); both formats print the span's fields on every
//! line, so every line of a request names its id. A panic hook logs panics as
//! one line in the same format, inside the span that panicked.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::{Config, LogFormat};

/// Installs the global subscriber. Call once, from `main`; a second call (tests
/// that start several servers) is a harmless no-op.
pub fn init(config: &Config) {
    // The filter was validated with the config; fall back to `info` regardless
    // rather than refuse to log.
    let filter = EnvFilter::builder()
        .parse(config.log_filter())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match config.log_format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_span_events(FmtSpan::NONE);
    let result = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
    // Already installed (tests): keep the first one.
    if result.is_ok() {
        // Panics become one log line (JSON when logs are JSON) inside the current
        // span, so a caught handler panic names its request id.
        std::panic::set_hook(Box::new(|info| {
            tracing::error!(panic = %info, "panic");
        }));
    }
}
