//! `ai-modeler healthcheck`: the container HEALTHCHECK probe. One plain HTTP/1.0
//! GET over std's TcpStream, so the runtime image needs no curl and this needs no
//! async runtime. Exit 0 on a 200, 1 otherwise.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use crate::config::Config;

/// Probes `url` (http only), or `http://127.0.0.1:$PORT/health`.
pub fn probe(config: &Config, url: Option<&str>) -> ExitCode {
    let default = format!("http://127.0.0.1:{}/health", config.port);
    let url = url.unwrap_or(&default);
    match get_status(url) {
        Ok(200) => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("unhealthy: {url} answered {status}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhealthy: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn get_status(url: &str) -> std::io::Result<u16> {
    let invalid = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, m.to_string());
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid("only http:// URLs are supported"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let addr = authority
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| invalid("no address for host"))?;
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET /{path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 32];
    let n = stream.read(&mut head)?;
    let line = String::from_utf8_lossy(&head[..n]);
    line.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("not an HTTP response"))
}
