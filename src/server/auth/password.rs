//! Passwords and emails: the signup rules (each refusal names its rule) and
//! argon2id hashing (RustCrypto's defaults: 19 MiB, 2 passes, 1 lane — OWASP's
//! recommended minimum), which callers run on a blocking thread.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Shortest password accepted.
pub const MIN_LEN: usize = 10;
/// Longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_LEN: usize = 128;

/// Passwords long enough to pass the length rule that are still guessed first.
const COMMON: &[&str] = &[
    "password123",
    "password1234",
    "password12345",
    "1234567890",
    "12345678910",
    "0123456789",
    "0987654321",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "zaq12wsxcde",
    "iloveyou123",
    "letmein123",
    "welcome123",
    "administrator",
    "passw0rd123",
    "abc1234567",
    "asdfghjkl1",
    "trustno1234",
    "football123",
    "baseball123",
    "monkey12345",
    "sunshine123",
    "princess123",
    "changeme123",
    "p@ssw0rd123",
    "superman123",
    "dragon12345",
];

/// Normalises and checks an email: trimmed, lower case, one `@`, a dotted domain.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("email is required");
    }
    if email.len() > 254 {
        return Err("email must be at most 254 characters");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("email must look like name@example.com");
    };
    let ok = !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.contains('@')
        && domain.split('.').all(|l| !l.is_empty())
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err("email must look like name@example.com");
    }
    Ok(email)
}

/// Checks a new password against the rules; the error is the rule it breaks.
pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err(format!(
            "password must be at least {MIN_LEN} characters long"
        ));
    }
    if chars > MAX_LEN {
        return Err(format!(
            "password must be at most {MAX_LEN} characters long"
        ));
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return Err("password must use at least 5 different characters".into());
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err("password is one of the most common passwords; choose another".into());
    }
    let local = email.split('@').next().unwrap_or("");
    if lower == email || (local.len() >= 4 && lower.contains(local)) {
        return Err("password must not contain your email address".into());
    }
    Ok(())
}

/// Hashes a password with argon2id and a fresh salt (PHC string). CPU-heavy.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::encode_b64(&super::token::random_bytes()[..16])?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches a stored PHC string. CPU-heavy.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.io",
            "ada@localhost",
            "a da@x.io",
            "a@b@c.io",
            "a@x..io",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_weak_password_names_its_rule() {
        let e = "ada@example.com";
        assert!(
            check_password("short", e)
                .unwrap_err()
                .contains("at least 10")
        );
        assert!(
            check_password(&"x".repeat(200), e)
                .unwrap_err()
                .contains("at most 128")
        );
        assert!(
            check_password("aaaabbbbaaaa", e)
                .unwrap_err()
                .contains("5 different")
        );
        assert!(
            check_password("Password123", e)
                .unwrap_err()
                .contains("common")
        );
        assert!(
            check_password("ada@example.com", e)
                .unwrap_err()
                .contains("email")
        );
        check_password("correct horse battery", e).unwrap();
    }

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("x", "not a hash"));
    }
}
