//! Response bodies fed from tokio channels: the adapter from an `mpsc::Receiver`
//! to the `Stream` axum's SSE and streaming bodies take, and file bodies read on
//! a blocking thread.
//!
//! Invariants: channels are bounded, so a slow client applies back-pressure to
//! the producer instead of piling data up in memory; a producer whose client has
//! gone finds its channel closed and stops.

use std::fs::File;
use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use tokio::sync::mpsc;

/// A `Stream` of what a channel receives, ending when every sender is gone.
pub struct ChannelStream<T>(pub mpsc::Receiver<T>);

impl<T> futures_core::Stream for ChannelStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

/// Bytes read from `file` per body frame.
const FILE_CHUNK: usize = 256 * 1024;

/// A body that streams `file` from its current position to its end, reading on
/// a blocking thread. Must be called inside the tokio runtime.
pub fn file_body(mut file: File) -> Body {
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        loop {
            let mut buf = vec![0u8; FILE_CHUNK];
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    buf.truncate(n);
                    if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                        break; // the client has gone
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // The connection is cut: the client sees a short body, never
                    // a wrong one (Content-Length was sent).
                    tracing::error!(error = %e, "reading an export file failed");
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
    });
    Body::from_stream(ChannelStream(rx))
}
