//! The one error type of the HTTP layer and its `application/problem+json` form
//! (RFC 9457): `type`, `title`, `status`, `detail`, a stable machine `code`, for
//! tree errors the JSON `path` of the first bad node plus `errors: [{path, message}]`,
//! and for a bad request field (`resolution`, `format`…) that field's name in `field`.
//!
//! Invariants: every variant maps to one status and one `code` (clients switch on
//! `code`, never on `detail`). A 5xx body is opaque: the cause is logged in the
//! request span and the client gets a generic text.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A JSON path and what is wrong there (`root.a.radius`, `must be > 0`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathMessage {
    /// Where, as a dotted path from the document root.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Every way a request can fail. Each variant's doc names its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `invalid_json`: the body is not JSON.
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    /// 422 `invalid_request`: JSON, but not the shape this route takes.
    #[error("{0}")]
    InvalidRequest(String),
    /// 400 (or another 4xx) with a route-specific code, e.g. `invalid_points`.
    #[error("{detail}")]
    BadInput {
        /// Status (a 4xx).
        status: StatusCode,
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// 422 (or another 4xx) with a route-specific code, naming the request field at
    /// fault (`resolution`, `method`, `bounds`, `format`…) in the problem's `field`.
    #[error("{detail}")]
    Field {
        /// Status (a 4xx, 422 for values out of range).
        status: StatusCode,
        /// Stable code, e.g. `invalid_resolution`.
        code: &'static str,
        /// The top-level request field at fault.
        field: &'static str,
        /// What is wrong, and what would be right.
        detail: String,
    },
    /// 404 `unknown_mesh_id`: no mesh, file or recipe for this id here.
    #[error(
        "mesh_id `{0}` is not known here (it may have been evicted, or made on another replica or before a restart); POST /v1/mesh/generate again with the tree and settings: the same request gives the same mesh_id"
    )]
    UnknownMeshId(String),
    /// 415 `unsupported_media_type`: the content type this route does not read.
    #[error("expected Content-Type {expected}")]
    UnsupportedMediaType {
        /// What the route accepts.
        expected: &'static str,
    },
    /// 413 `payload_too_large`: over `MAX_BODY_MB`.
    #[error("the body is larger than MAX_BODY_MB ({limit_mb} MiB)")]
    PayloadTooLarge {
        /// The limit in MiB.
        limit_mb: u32,
    },
    /// 422 (usually) with the tree error's own code: the tree is invalid.
    #[error("{detail}")]
    Tree {
        /// Status (422, or 413 for size limits).
        status: StatusCode,
        /// Stable code from the engine (`invalid_tree`, `tree_too_deep`…).
        code: &'static str,
        /// Human summary, starting with the path.
        detail: String,
        /// JSON path of the first bad node, when known.
        path: Option<String>,
        /// Every problem found.
        errors: Vec<PathMessage>,
    },
    /// 404 `unknown_compiled_id`: not in this replica's cache.
    #[error(
        "compiled_id `{0}` is not known here (it may have been evicted or compiled on another replica); POST the tree to /v1/engine/compile again, or send `tree` instead of `compiled_id`"
    )]
    UnknownCompiledId(String),
    /// 404 `not_found`: no such route.
    #[error("no route for {0}")]
    RouteNotFound(String),
    /// 405 `method_not_allowed`.
    #[error("method not allowed for this route")]
    MethodNotAllowed,
    /// 503 `timeout`: the request ran past `REQUEST_TIMEOUT_SEC`.
    #[error("the request took longer than REQUEST_TIMEOUT_SEC ({0} s)")]
    Timeout(u64),
    /// 503 `shutting_down`: the server is draining.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// 401 `unauthenticated` (no credential), `invalid_token` (bad, expired,
    /// forged or revoked) or `admin_disabled`; answered with `WWW-Authenticate`.
    #[error("{detail}")]
    Unauthorized {
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// 429 (`too_many_attempts`…), answered with `Retry-After`.
    #[error("{detail}")]
    TooManyRequests {
        /// Stable code.
        code: &'static str,
        /// Which limit, and when to retry.
        detail: String,
        /// Seconds until a retry may succeed.
        retry_after_s: u64,
    },
    /// A 4xx whose problem carries more members, e.g. 409 `version_conflict` with
    /// the `current_version`, or 403 `project_limit` with the `limit`.
    #[error("{detail}")]
    Detailed {
        /// Status (a 4xx).
        status: StatusCode,
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        detail: String,
        /// Extra problem members.
        extra: serde_json::Map<String, serde_json::Value>,
    },
    /// 500 `internal`: anything unexpected. Logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 4xx with its own code.
    pub fn bad(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::BadInput {
            status,
            code,
            detail: detail.into(),
        }
    }

    /// A 422 naming the request field at fault.
    pub fn field(code: &'static str, field: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Field {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            field,
            detail: detail.into(),
        }
    }

    /// Status and stable code.
    pub fn status_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            ApiError::InvalidRequest(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
            ApiError::BadInput { status, code, .. } => (*status, code),
            ApiError::Field { status, code, .. } => (*status, code),
            ApiError::UnknownMeshId(_) => (StatusCode::NOT_FOUND, "unknown_mesh_id"),
            ApiError::UnsupportedMediaType { .. } => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            ApiError::PayloadTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            }
            ApiError::Tree { status, code, .. } => (*status, code),
            ApiError::UnknownCompiledId(_) => (StatusCode::NOT_FOUND, "unknown_compiled_id"),
            ApiError::RouteNotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Timeout(_) => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
            ApiError::ShuttingDown => (StatusCode::SERVICE_UNAVAILABLE, "shutting_down"),
            ApiError::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            ApiError::TooManyRequests { code, .. } => (StatusCode::TOO_MANY_REQUESTS, code),
            ApiError::Detailed { status, code, .. } => (*status, code),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// The wire form.
#[derive(Serialize)]
pub struct Problem {
    /// A URN naming the problem type (stable, derived from `code`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's reason phrase.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened, for humans.
    pub detail: String,
    /// Stable machine code.
    pub code: &'static str,
    /// JSON path of the first bad node (tree errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Every problem found (tree errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<PathMessage>>,
    /// The request field at fault (field errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// Route-specific members (`current_version`, `limit`…).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    /// The response for a status, code and detail.
    pub fn response(status: StatusCode, code: &'static str, detail: String) -> Response {
        Self::new(status, code, detail).into_response_with(status)
    }

    /// A problem with no location (`path`, `errors`, `field`) yet.
    fn new(status: StatusCode, code: &'static str, detail: String) -> Self {
        Problem {
            kind: format!("urn:ai-modeler:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            code,
            path: None,
            errors: None,
            field: None,
            extra: serde_json::Map::new(),
        }
    }

    /// The problem an error becomes (its 5xx detail made opaque), for places that
    /// carry it other than as a response body: an SSE `error` event.
    pub fn from_error(error: ApiError) -> Self {
        let (status, code) = error.status_code();
        let detail = if status.is_server_error()
            && !matches!(error, ApiError::Timeout(_) | ApiError::ShuttingDown)
        {
            tracing::error!(error = ?error, "request failed");
            "internal error; quote the x-request-id header when reporting it".to_string()
        } else {
            error.to_string()
        };
        let (path, errors, field, extra) = match error {
            ApiError::Tree { path, errors, .. } => (path, Some(errors), None, Default::default()),
            ApiError::Field { field, .. } => (None, None, Some(field), Default::default()),
            ApiError::Detailed { extra, .. } => (None, None, None, extra),
            _ => (None, None, None, Default::default()),
        };
        Problem {
            path,
            errors,
            field,
            extra,
            ..Self::new(status, code, detail)
        }
    }

    fn into_response_with(self, status: StatusCode) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_else(|_| b"{}".to_vec());
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Logged inside the request span (by `from_error`), so a 5xx line carries
        // the request id.
        let (status, code) = self.status_code();
        let header = match &self {
            ApiError::Unauthorized { detail, .. } => {
                let mut v = String::from("Bearer realm=\"ai-modeler\"");
                if code == "invalid_token" {
                    let said = detail.replace(['"', '\\'], "'");
                    v.push_str(&format!(
                        ", error=\"invalid_token\", error_description=\"{said}\""
                    ));
                }
                HeaderValue::from_str(&v)
                    .ok()
                    .map(|v| (header::WWW_AUTHENTICATE, v))
            }
            ApiError::TooManyRequests { retry_after_s, .. } => {
                Some((header::RETRY_AFTER, HeaderValue::from(*retry_after_s)))
            }
            _ => None,
        };
        let mut res = Problem::from_error(self).into_response_with(status);
        if let Some((name, value)) = header {
            res.headers_mut().insert(name, value);
        }
        res
    }
}

impl From<crate::sdf::compile::CompileError> for ApiError {
    fn from(e: crate::sdf::compile::CompileError) -> Self {
        let errors: Vec<PathMessage> = e
            .errors()
            .iter()
            .map(|pe| PathMessage {
                path: pe.path.clone(),
                message: pe.message.clone(),
            })
            .collect();
        ApiError::Tree {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: e.code(),
            detail: e.to_string(),
            path: errors.first().map(|pe| pe.path.clone()),
            errors,
        }
    }
}

impl From<super::meshes::MeshFailure> for ApiError {
    fn from(e: super::meshes::MeshFailure) -> Self {
        use super::meshes::MeshFailure;
        use crate::mesh::MeshError;
        match e {
            MeshFailure::Mesh(m) => match *m {
                MeshError::Unbounded => ApiError::field("unbounded_shape", "bounds", m.to_string()),
                MeshError::BadBounds => ApiError::field("invalid_bounds", "bounds", m.to_string()),
                MeshError::BadResolution => {
                    ApiError::field("invalid_resolution", "resolution", m.to_string())
                }
            },
            MeshFailure::Job(j) => j.into(),
        }
    }
}

impl From<super::compute::JobError> for ApiError {
    fn from(e: super::compute::JobError) -> Self {
        match e {
            super::compute::JobError::Closed => ApiError::ShuttingDown,
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::Internal(e.into())
    }
}
