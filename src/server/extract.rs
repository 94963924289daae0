//! Request body extractors whose rejections are [`ApiError`]s, so a malformed,
//! oversized or mistyped body gets the same problem+json as every other error.
//!
//! Invariants: the body is buffered under axum's `DefaultBodyLimit` (set from
//! `MAX_BODY_MB`), so an oversized body is refused while streaming (413) and never
//! held whole. JSON nesting is bounded by a linear scan before serde recurses, so a
//! 10,000-deep document is a 422 `tree_too_deep`, not a stack overflow.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::sdf::validate::{json_depth_limit, nesting_depth};

use super::AppState;
use super::error::ApiError;

/// JSON body extractor: like `axum::Json`, with [`ApiError`] rejections.
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType {
                expected: "application/json",
            });
        }
        let bytes = read_body(req, state).await?;
        parse_json(&bytes, state).map(AppJson)
    }
}

/// Buffers the body, mapping the length limit to a 413 problem.
pub async fn read_body(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge {
                limit_mb: state.config.max_body_mb,
            }
        } else {
            ApiError::bad(
                rejection.status(),
                "body_read_failed",
                rejection.body_text(),
            )
        }
    })
}

/// Parses a JSON body, sorting serde_json's errors into problems.
///
/// Nesting is bounded first (a linear scan, no recursion) by what a tree of
/// `MAX_TREE_DEPTH` nodes legitimately needs, so serde's recursion is bounded too
/// and a hostile 10,000-deep document is refused without touching the stack.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], state: &AppState) -> Result<T, ApiError> {
    let max_depth = state.config.max_tree_depth;
    let limit = json_depth_limit(max_depth);
    if nesting_depth(bytes) > limit {
        return Err(too_deep(limit, max_depth));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // Safe: nesting was bounded just above.
    de.disable_recursion_limit();
    T::deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| {
            use serde_json::error::Category;
            match e.classify() {
                Category::Data => ApiError::InvalidRequest(e.to_string()),
                Category::Syntax | Category::Eof | Category::Io => {
                    ApiError::InvalidJson(e.to_string())
                }
            }
        })
}

fn too_deep(limit: usize, max_depth: usize) -> ApiError {
    ApiError::Tree {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "tree_too_deep",
        detail: format!(
            "the body nests deeper than {limit} JSON levels; a tree may be at most MAX_TREE_DEPTH ({max_depth}) nodes deep"
        ),
        path: Some("root".into()),
        errors: Vec::new(),
    }
}

/// `application/json` or any `+json` type.
pub fn is_json(headers: &HeaderMap) -> bool {
    mime(headers).is_some_and(|m| m == "application/json" || m.ends_with("+json"))
}

/// `application/octet-stream`.
pub fn is_octet_stream(headers: &HeaderMap) -> bool {
    mime(headers).is_some_and(|m| m == "application/octet-stream")
}

/// The content type's essence (`type/subtype`), lower case, without parameters.
fn mime(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    Some(essence)
}

/// Query-string extractor: like `axum::extract::Query`, with [`ApiError`]
/// rejections (422 `invalid_request` naming the parameter).
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| AppQuery(q.0))
            .map_err(|e| ApiError::InvalidRequest(format!("query string: {}", e.body_text())))
    }
}
