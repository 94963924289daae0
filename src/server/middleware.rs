//! The layers every request passes through, outermost first:
//! request id (honour an incoming `x-request-id`, else a fresh UUID) → a tracing
//! span carrying that id → the id copied onto the response → panic → opaque 500
//! problem → request timeout → 503 problem.
//!
//! Also the 404/405 fallbacks, so unknown routes answer problem+json too.

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::AppState;
use super::error::{ApiError, Problem};

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the service's layers and fallbacks.
pub fn apply(router: Router<AppState>, state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes();
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), timeout))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request| {
                            let id = req
                                .headers()
                                .get(REQUEST_ID)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("-");
                            tracing::info_span!(
                                "request",
                                request_id = %id,
                                method = %req.method(),
                                path = %req.uri().path(),
                            )
                        })
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(panic_to_problem)),
        )
        .with_state(state)
}

/// Stops a request at `REQUEST_TIMEOUT_SEC`. CPU work already handed to a blocking
/// thread runs on, but its permit is released when it finishes and its result is dropped.
async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.config.request_timeout_sec;
    match tokio::time::timeout(Duration::from_secs(limit), next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::Timeout(limit).into_response(),
    }
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::RouteNotFound(uri.path().to_string())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// A panic is a bug, never the user's fault: log it, answer an opaque 500.
fn panic_to_problem(err: Box<dyn Any + Send + 'static>) -> Response {
    let message = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(non-string panic)");
    tracing::error!(panic = message, "handler panicked");
    Problem::response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error; quote the x-request-id header when reporting it".into(),
    )
}
