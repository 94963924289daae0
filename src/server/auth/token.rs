//! Bearer credentials: our session tokens, Supabase access tokens, API keys.
//!
//! - Session token: `aims1.<session id>.<expiry, Unix s>.<HMAC-SHA256>`, the MAC
//!   over everything before the last dot with the session secret. The signature
//!   and expiry are checked without a database read; the session row (revocable)
//!   is checked after.
//! - Supabase access token: a JWT, HS256 only, signed with `SUPABASE_JWT_SECRET`,
//!   with `sub`, `exp`, and (when present) `role: authenticated`.
//! - API key: `aim_` + 43 base64url characters (256 random bits); only its
//!   SHA-256 is stored.
//!
//! Invariants: MACs are compared in constant time (`hmac`'s `verify_slice`); no
//! other JWT algorithm is accepted, so `alg: none` and key confusion are refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Prefix of our session tokens.
pub const SESSION_PREFIX: &str = "aims1";
/// Prefix of API keys.
pub const API_KEY_PREFIX: &str = "aim_";

/// Why a token was refused; the text goes to the client (no secrets in it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of any kind we read.
    #[error("the token is malformed")]
    Malformed,
    /// The signature does not match (forged, or signed with another secret).
    #[error("the token's signature is not valid")]
    BadSignature,
    /// Past its expiry.
    #[error("the token has expired; log in again")]
    Expired,
    /// A JWT with an algorithm other than HS256.
    #[error("only HS256 tokens are accepted")]
    Algorithm,
    /// A Supabase token without a user (`sub`), or for another role.
    #[error("the token does not name an authenticated user")]
    NotAUser,
    /// Supabase tokens are not enabled here.
    #[error("this server does not accept Supabase tokens (SUPABASE_JWT_SECRET is not set)")]
    SupabaseOff,
}

/// 32 random bytes from the OS.
pub fn random_bytes() -> [u8; 32] {
    let mut b = [0u8; 32];
    // The OS RNG failing is unrecoverable for a service that mints secrets.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b
}

/// A fresh secret as text (base64url of 48 random bytes).
pub fn random_secret() -> String {
    let mut b = [0u8; 48];
    b[..32].copy_from_slice(&random_bytes());
    b[32..].copy_from_slice(&random_bytes()[..16]);
    B64.encode(b)
}

/// SHA-256 as lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn mac(key: &[u8], data: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length.
    #[allow(clippy::expect_used)]
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    m.update(data);
    m
}

/// Signs a session token for `session_id` expiring at `exp_s` (Unix seconds).
pub fn sign_session(key: &[u8], session_id: &str, exp_s: i64) -> String {
    let body = format!("{SESSION_PREFIX}.{session_id}.{exp_s}");
    let sig = B64.encode(mac(key, body.as_bytes()).finalize().into_bytes());
    format!("{body}.{sig}")
}

/// Checks a session token's signature and expiry; returns the session id.
pub fn verify_session(key: &[u8], token: &str, now_s: i64) -> Result<String, TokenError> {
    let (body, sig) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let mut parts = body.split('.');
    let (Some(SESSION_PREFIX), Some(sid), Some(exp), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let sig = B64.decode(sig).map_err(|_| TokenError::Malformed)?;
    mac(key, body.as_bytes())
        .verify_slice(&sig)
        .map_err(|_| TokenError::BadSignature)?;
    let exp: i64 = exp.parse().map_err(|_| TokenError::Malformed)?;
    if exp <= now_s {
        return Err(TokenError::Expired);
    }
    Ok(sid.to_string())
}

/// The claims we read from a Supabase access token.
#[derive(Debug, Clone, Deserialize)]
pub struct SupabaseClaims {
    /// The Supabase user id.
    pub sub: Option<String>,
    /// The user's email.
    pub email: Option<String>,
    /// Expiry, Unix seconds.
    pub exp: Option<f64>,
    /// Not valid before, Unix seconds.
    pub nbf: Option<f64>,
    /// `authenticated` for signed-in users, `anon` / `service_role` for keys.
    pub role: Option<String>,
}

#[derive(Deserialize)]
struct JwtHeader {
    alg: String,
}

/// Verifies a Supabase HS256 access token; returns its claims (with `sub` set).
pub fn verify_supabase(key: &[u8], token: &str, now_s: i64) -> Result<SupabaseClaims, TokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: JwtHeader = B64
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(TokenError::Malformed)?;
    if header.alg != "HS256" {
        return Err(TokenError::Algorithm);
    }
    let sig = B64.decode(s).map_err(|_| TokenError::Malformed)?;
    let signed = &token[..h.len() + 1 + p.len()];
    mac(key, signed.as_bytes())
        .verify_slice(&sig)
        .map_err(|_| TokenError::BadSignature)?;
    let claims: SupabaseClaims = B64
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(TokenError::Malformed)?;
    let now = now_s as f64;
    match claims.exp {
        Some(exp) if exp > now => {}
        _ => return Err(TokenError::Expired),
    }
    if claims.nbf.is_some_and(|nbf| nbf > now + 60.0) {
        return Err(TokenError::Expired);
    }
    if claims.sub.as_deref().is_none_or(str::is_empty)
        || claims.role.as_deref().is_some_and(|r| r != "authenticated")
    {
        return Err(TokenError::NotAUser);
    }
    Ok(claims)
}

/// Signs an HS256 JWT with `claims` (tests, and tools that mint Supabase-style tokens).
pub fn sign_hs256(key: &[u8], claims: &serde_json::Value) -> String {
    let h = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let p = B64.encode(claims.to_string());
    let body = format!("{h}.{p}");
    let sig = B64.encode(mac(key, body.as_bytes()).finalize().into_bytes());
    format!("{body}.{sig}")
}

/// A new API key, its display prefix and its stored hash.
pub fn new_api_key() -> (String, String, String) {
    let key = format!("{API_KEY_PREFIX}{}", B64.encode(random_bytes()));
    let prefix = key[..API_KEY_PREFIX.len() + 8].to_string();
    let hash = sha256_hex(key.as_bytes());
    (key, prefix, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_round_trip_and_refuse_tampering() {
        let key = b"k".repeat(32);
        let t = sign_session(&key, "abc", 2_000);
        assert_eq!(verify_session(&key, &t, 1_000).unwrap(), "abc");
        assert_eq!(verify_session(&key, &t, 2_000), Err(TokenError::Expired));
        assert_eq!(
            verify_session(b"other-key-other-key-other-key-xx", &t, 1_000),
            Err(TokenError::BadSignature)
        );
        let forged = t.replace(".2000.", ".9000.");
        assert_eq!(
            verify_session(&key, &forged, 1_000),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify_session(&key, "aims1.x", 0),
            Err(TokenError::Malformed)
        );
        assert_eq!(verify_session(&key, "", 0), Err(TokenError::Malformed));
    }

    #[test]
    fn supabase_tokens_need_hs256_a_user_and_time() {
        let key = b"supabase-secret";
        let ok = sign_hs256(
            key,
            &serde_json::json!({"sub":"u1","email":"a@b.co","exp":2000,"role":"authenticated"}),
        );
        assert_eq!(
            verify_supabase(key, &ok, 1000).unwrap().sub.as_deref(),
            Some("u1")
        );
        assert_eq!(
            verify_supabase(key, &ok, 3000).unwrap_err(),
            TokenError::Expired
        );
        assert_eq!(
            verify_supabase(b"nope", &ok, 1000).unwrap_err(),
            TokenError::BadSignature
        );
        let anon = sign_hs256(key, &serde_json::json!({"role":"anon","exp":2000}));
        assert_eq!(
            verify_supabase(key, &anon, 1000).unwrap_err(),
            TokenError::NotAUser
        );
        let none = format!(
            "{}.{}.",
            B64.encode(br#"{"alg":"none"}"#),
            B64.encode(br#"{"sub":"u1","exp":2000}"#)
        );
        assert_eq!(
            verify_supabase(key, &none, 1000).unwrap_err(),
            TokenError::Algorithm
        );
    }

    #[test]
    fn api_keys_are_long_random_and_hashed() {
        let (a, prefix, hash) = new_api_key();
        let (b, _, _) = new_api_key();
        assert_ne!(a, b);
        assert!(a.starts_with("aim_") && a.len() == 4 + 43);
        assert!(a.starts_with(&prefix));
        assert_eq!(hash, sha256_hex(a.as_bytes()));
        assert_eq!(hash.len(), 64);
    }
}
