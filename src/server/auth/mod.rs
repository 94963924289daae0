//! Who is calling: session tokens (cookie or `Authorization: Bearer`), API keys,
//! Supabase access tokens, and the operator's `ADMIN_API_KEY`.
//!
//! Layout: [`token`] (formats, signing, verification), [`password`] (rules,
//! argon2id), [`throttle`] (failed-login counting behind one trait).
//!
//! Invariants: [`CurrentUser`] is the only way a handler learns the caller, and it
//! answers 401 with `WWW-Authenticate` when there is no valid credential: missing
//! (`unauthenticated`) or bad, expired, forged or revoked (`invalid_token`). A
//! `Bearer` header wins over the cookie. The session secret comes from
//! `SESSION_SECRET` or, when unset, from the database (generated once), so
//! restarts and replicas keep sessions valid.

pub mod password;
pub mod throttle;
pub mod token;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use subtle::ConstantTimeEq;

use super::AppState;
use super::error::ApiError;
use crate::config::Config;
use crate::store::users::{NewUser, User};
use crate::store::{Store, StoreResult, now_ms};
use throttle::{LoginThrottle, MemoryThrottle};
use token::TokenError;

/// Name of the session cookie.
pub const COOKIE: &str = "aim_session";
/// `settings` key of the generated session secret.
const SECRET_KEY: &str = "session_secret";

/// The service's authentication state.
pub struct Auth {
    session_key: Vec<u8>,
    supabase_key: Option<Vec<u8>>,
    admin_key_hash: Option<[u8; 32]>,
    /// Failed-login counting.
    pub throttle: Arc<dyn LoginThrottle>,
    /// How long a login lasts.
    pub session_ttl: Duration,
    cookie_secure: bool,
    trust_forwarded_for: bool,
    default_plan: String,
    /// A hash to verify against when the email is unknown, so a login takes as
    /// long whether or not the account exists.
    dummy_hash: OnceLock<String>,
}

/// How the caller proved who they are.
#[derive(Clone, Debug)]
pub enum Credential {
    /// Our session token; the session's id.
    Session(String),
    /// An API key; the key's id.
    ApiKey(String),
    /// A Supabase access token: its hash and expiry (Unix ms), for logout.
    Supabase {
        /// SHA-256 of the token.
        token_hash: String,
        /// When it expires anyway.
        expires_at: i64,
    },
}

/// The signed-in caller: extracting it is what makes a route private.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// The user.
    pub user: User,
    /// The credential used.
    pub credential: Credential,
}

/// The operator, proven by `ADMIN_API_KEY`.
#[derive(Clone, Copy, Debug)]
pub struct Admin;

fn digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

fn invalid(e: TokenError) -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_token",
        detail: e.to_string(),
    }
}

impl Auth {
    /// Reads the keys from `config`, generating and storing the session secret
    /// on first start when `SESSION_SECRET` is unset.
    pub async fn new(config: &Config, store: &Store) -> StoreResult<Auth> {
        let session_key = match &config.session_secret {
            Some(s) => s.expose().as_bytes().to_vec(),
            None => store
                .setting_or_insert(SECRET_KEY, token::random_secret)
                .await?
                .into_bytes(),
        };
        Ok(Auth {
            session_key,
            supabase_key: config
                .supabase_jwt_secret
                .as_ref()
                .map(|s| s.expose().as_bytes().to_vec()),
            admin_key_hash: config
                .admin_api_key
                .as_ref()
                .map(|s| digest(s.expose().trim().as_bytes())),
            throttle: Arc::new(MemoryThrottle::new(Duration::from_secs(
                config.login_window_sec,
            ))),
            session_ttl: Duration::from_secs(config.session_ttl_hours.saturating_mul(3600)),
            cookie_secure: config.cookie_secure,
            trust_forwarded_for: config.trust_forwarded_for,
            default_plan: config.default_plan.trim().to_string(),
            dummy_hash: OnceLock::new(),
        })
    }

    /// The plan new accounts start on.
    pub fn default_plan(&self) -> &str {
        &self.default_plan
    }

    /// A signed token for a session expiring at `expires_at_ms`.
    pub fn issue(&self, session_id: &str, expires_at_ms: i64) -> String {
        token::sign_session(&self.session_key, session_id, expires_at_ms / 1000)
    }

    /// The `Set-Cookie` value carrying `token`.
    pub fn cookie(&self, token: &str) -> HeaderValue {
        let secure = if self.cookie_secure { "; Secure" } else { "" };
        let v = format!(
            "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            self.session_ttl.as_secs()
        );
        HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The `Set-Cookie` value that deletes the session cookie.
    pub fn clear_cookie(&self) -> HeaderValue {
        let secure = if self.cookie_secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// A PHC hash of a random password, made once, for unknown-email logins.
    pub fn dummy_hash(&self) -> String {
        self.dummy_hash
            .get_or_init(|| password::hash_password(&token::random_secret()).unwrap_or_default())
            .clone()
    }

    /// The client's IP: the peer address, or the last `X-Forwarded-For` entry
    /// when `TRUST_FORWARDED_FOR` is on.
    pub fn client_ip(&self, parts: &Parts) -> Option<String> {
        if self.trust_forwarded_for
            && let Some(last) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
                .filter(|s| !s.is_empty())
        {
            return Some(last.to_string());
        }
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
    }

    /// Whether `key` is the admin key (constant time, over hashes).
    fn is_admin_key(&self, key: &str) -> bool {
        self.admin_key_hash
            .is_some_and(|h| bool::from(h.ct_eq(&digest(key.trim().as_bytes()))))
    }

    /// The user behind a credential; `Ok(None)` when the request carries none.
    pub async fn authenticate(
        &self,
        store: &Store,
        headers: &HeaderMap,
    ) -> Result<Option<CurrentUser>, ApiError> {
        let Some(raw) = credential(headers)? else {
            return Ok(None);
        };
        let now_s = now_ms() / 1000;
        if raw.starts_with(token::API_KEY_PREFIX) {
            let hash = token::sha256_hex(raw.as_bytes());
            return match store.api_key_user(&hash).await? {
                Some((key_id, user)) => Ok(Some(CurrentUser {
                    user,
                    credential: Credential::ApiKey(key_id),
                })),
                None => Err(ApiError::Unauthorized {
                    code: "invalid_token",
                    detail: "the API key is not valid (revoked, or never issued)".into(),
                }),
            };
        }
        if raw.starts_with(token::SESSION_PREFIX) {
            let sid = token::verify_session(&self.session_key, &raw, now_s).map_err(invalid)?;
            return match store.session_user(&sid).await? {
                Some(user) => Ok(Some(CurrentUser {
                    user,
                    credential: Credential::Session(sid),
                })),
                None => Err(ApiError::Unauthorized {
                    code: "invalid_token",
                    detail: "the session has ended (logged out or expired); log in again".into(),
                }),
            };
        }
        if raw.matches('.').count() == 2 {
            return self.supabase(store, &raw, now_s).await.map(Some);
        }
        Err(invalid(TokenError::Malformed))
    }

    async fn supabase(
        &self,
        store: &Store,
        raw: &str,
        now_s: i64,
    ) -> Result<CurrentUser, ApiError> {
        let key = self
            .supabase_key
            .as_deref()
            .ok_or_else(|| invalid(TokenError::SupabaseOff))?;
        let claims = token::verify_supabase(key, raw, now_s).map_err(invalid)?;
        let token_hash = token::sha256_hex(raw.as_bytes());
        if store.is_token_revoked(&token_hash).await? {
            return Err(ApiError::Unauthorized {
                code: "invalid_token",
                detail: "the token was logged out; sign in again".into(),
            });
        }
        let sub = claims.sub.unwrap_or_default();
        let expires_at = claims.exp.map_or(0, |e| (e * 1000.0) as i64);
        let credential = Credential::Supabase {
            token_hash,
            expires_at,
        };
        if let Some(user) = store.user_by_supabase_sub(&sub).await? {
            return Ok(CurrentUser { user, credential });
        }
        // First sight: create the user. Supabase users without an email (phone
        // sign-in) get a placeholder address that no mail will reach.
        let email = claims
            .email
            .as_deref()
            .and_then(|e| password::normalize_email(e).ok())
            .unwrap_or_else(|| format!("{sub}@supabase.invalid"));
        let created = store
            .create_user(NewUser {
                email,
                password_hash: None,
                plan: self.default_plan.clone(),
                supabase_sub: Some(sub.clone()),
            })
            .await;
        match created {
            Ok(user) => Ok(CurrentUser { user, credential }),
            Err(e) if e.is_unique_violation() => {
                // Either a concurrent first request made this user, or a local
                // account already owns the email; never merge silently.
                match store.user_by_supabase_sub(&sub).await? {
                    Some(user) => Ok(CurrentUser { user, credential }),
                    None => Err(ApiError::bad(
                        axum::http::StatusCode::CONFLICT,
                        "email_taken",
                        "a local account already uses this token's email; log in with its password",
                    )),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The bearer token or session cookie of a request, if any.
fn credential(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        let text = v.to_str().map_err(|_| invalid(TokenError::Malformed))?;
        let (scheme, rest) = text.trim().split_once(' ').unwrap_or((text, ""));
        if !scheme.eq_ignore_ascii_case("bearer") || rest.trim().is_empty() {
            return Err(ApiError::Unauthorized {
                code: "invalid_token",
                detail: "the Authorization header must be `Bearer <token or API key>`".into(),
            });
        }
        return Ok(Some(rest.trim().to_string()));
    }
    for v in headers.get_all(header::COOKIE) {
        let Ok(text) = v.to_str() else { continue };
        for pair in text.split(';') {
            if let Some((k, val)) = pair.trim().split_once('=')
                && k == COOKIE
                && !val.is_empty()
            {
                return Ok(Some(val.to_string()));
            }
        }
    }
    Ok(None)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let user = state
            .auth
            .authenticate(&state.store, &parts.headers)
            .await?
            .ok_or_else(|| ApiError::Unauthorized {
                code: "unauthenticated",
                detail:
                    "sign in: send `Authorization: Bearer <token or API key>` or the session cookie"
                        .into(),
            })?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.auth.admin_key_hash.is_none() {
            return Err(ApiError::Unauthorized {
                code: "admin_disabled",
                detail: "admin routes are off: set ADMIN_API_KEY to use them".into(),
            });
        }
        match credential(&parts.headers)? {
            Some(key) if state.auth.is_admin_key(&key) => Ok(Admin),
            Some(_) => Err(ApiError::Unauthorized {
                code: "invalid_token",
                detail: "admin routes need `Authorization: Bearer <ADMIN_API_KEY>`".into(),
            }),
            None => Err(ApiError::Unauthorized {
                code: "unauthenticated",
                detail: "admin routes need `Authorization: Bearer <ADMIN_API_KEY>`".into(),
            }),
        }
    }
}
