//! `/v1/auth/{signup,login,logout}` and `GET /v1/me`: local accounts.
//!
//! Signup and login answer `{"token", "user", "expires_at"}` and set the
//! HttpOnly `aim_session` cookie, so a browser and a script use the same routes.
//! Login failures are counted per account and per client IP
//! ([`crate::server::auth::throttle`]); an unknown email costs the same argon2
//! work as a wrong password, so timing does not tell which accounts exist.

use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::AppState;
use crate::server::auth::throttle::Key;
use crate::server::auth::{Credential, CurrentUser, password};
use crate::server::error::ApiError;
use crate::server::extract::AppJson;
use crate::store::users::{NewUser, User};
use crate::store::{now_ms, timestamp};

/// The account routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/signup", post(signup))
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/me", get(me))
}

/// A user as the API shows it.
pub fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "display_name": u.display_name,
        "plan": u.plan,
        "created_at": timestamp(u.created_at),
        "auth": if u.supabase_sub.is_some() { "supabase" } else { "password" },
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    email: String,
    password: String,
}

fn email_error(detail: &str) -> ApiError {
    ApiError::field("invalid_email", "email", detail)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

/// Opens a session and answers with its token and the cookie.
async fn start_session(
    state: &AppState,
    user: &User,
    status: StatusCode,
    user_agent: Option<String>,
    ip: Option<String>,
) -> Result<Response, ApiError> {
    let ttl_ms = state.auth.session_ttl.as_millis() as i64;
    let session = state
        .store
        .create_session(&user.id, ttl_ms, user_agent.as_deref(), ip.as_deref())
        .await?;
    let token = state.auth.issue(&session.id, session.expires_at);
    let mut res = (
        status,
        Json(json!({
            "token": token,
            "token_type": "Bearer",
            "expires_at": timestamp(session.expires_at),
            "user": user_json(user),
        })),
    )
        .into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, state.auth.cookie(&token));
    Ok(res)
}

fn user_agent(parts: &axum::http::request::Parts) -> Option<String> {
    parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `POST /v1/auth/signup {"email","password"}` → 201 and a session.
async fn signup(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let ip = state.auth.client_ip(&parts);
    let ua = user_agent(&parts);
    let AppJson(body) =
        AppJson::<Credentials>::from_request(Request::from_parts(parts, body), &state).await?;
    let email = password::normalize_email(&body.email).map_err(email_error)?;
    password::check_password(&body.password, &email)
        .map_err(|rule| ApiError::field("weak_password", "password", rule))?;
    let pw = body.password;
    let hash = blocking(move || password::hash_password(&pw))
        .await?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("argon2: {e}")))?;
    let created = state
        .store
        .create_user(NewUser {
            email,
            password_hash: Some(hash),
            plan: state.auth.default_plan().to_string(),
            supabase_sub: None,
        })
        .await;
    let user = match created {
        Ok(u) => u,
        Err(e) if e.is_unique_violation() => {
            return Err(ApiError::Field {
                status: StatusCode::CONFLICT,
                code: "email_taken",
                field: "email",
                detail: "an account with this email already exists; log in instead".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user_id = %user.id, "account created");
    start_session(&state, &user, StatusCode::CREATED, ua, ip).await
}

/// `POST /v1/auth/login {"email","password"}` → a session.
async fn login(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let ip = state.auth.client_ip(&parts);
    let ua = user_agent(&parts);
    let AppJson(body) =
        AppJson::<Credentials>::from_request(Request::from_parts(parts, body), &state).await?;
    let email = password::normalize_email(&body.email).map_err(email_error)?;
    let account = Key {
        name: format!("account:{email}"),
        limit: state.config.login_max_failures,
    };
    let mut keys = vec![account.clone()];
    if let Some(ip) = &ip {
        keys.push(Key {
            name: format!("ip:{ip}"),
            limit: state.config.login_max_failures_per_ip,
        });
    }
    if let Some(wait) = state.auth.throttle.blocked(&keys).await {
        return Err(ApiError::TooManyRequests {
            code: "too_many_attempts",
            detail: format!(
                "too many failed logins for this account or from this address (LOGIN_MAX_FAILURES {} per account, LOGIN_MAX_FAILURES_PER_IP {} per address, in LOGIN_WINDOW_SEC {}); try again in {wait} s",
                state.config.login_max_failures,
                state.config.login_max_failures_per_ip,
                state.config.login_window_sec
            ),
            retry_after_s: wait,
        });
    }
    let user = state.store.user_by_email(&email).await?;
    let phc = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.auth.dummy_hash());
    let pw = body.password;
    let matches = blocking(move || password::verify_password(&pw, &phc)).await?;
    match user {
        Some(user) if matches && user.password_hash.is_some() => {
            state.auth.throttle.succeeded(&account).await;
            start_session(&state, &user, StatusCode::OK, ua, ip).await
        }
        _ => {
            state.auth.throttle.failed(&keys).await;
            Err(ApiError::Unauthorized {
                code: "invalid_credentials",
                detail: "the email or the password is wrong".into(),
            })
        }
    }
}

/// `POST /v1/auth/logout`: ends the presented session (or Supabase token) at once.
async fn logout(State(state): State<AppState>, who: CurrentUser) -> Result<Response, ApiError> {
    match &who.credential {
        Credential::Session(sid) => {
            state.store.revoke_session(sid).await?;
        }
        Credential::Supabase {
            token_hash,
            expires_at,
        } => {
            state.store.revoke_token(token_hash, *expires_at).await?;
        }
        Credential::ApiKey(_) => {
            return Err(ApiError::bad(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_a_session",
                "an API key is not a session; revoke it with DELETE /v1/api-keys/{id}",
            ));
        }
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, state.auth.clear_cookie());
    Ok(res)
}

/// `GET /v1/me`: the caller, their plan's limits and their usage.
async fn me(State(state): State<AppState>, who: CurrentUser) -> Result<Json<Value>, ApiError> {
    let plan = state.store.plan(&who.user.plan).await?;
    let projects = state.store.live_project_count(&who.user.id).await?;
    let via = match who.credential {
        Credential::Session(_) => "session",
        Credential::ApiKey(_) => "api_key",
        Credential::Supabase { .. } => "supabase",
    };
    Ok(Json(json!({
        "user": user_json(&who.user),
        "plan": plan,
        "usage": { "projects": projects },
        "authenticated_with": via,
        "server_time": timestamp(now_ms()),
    })))
}
