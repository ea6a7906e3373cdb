//! Password hashing with argon2id.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::error::{AppError, AppResult};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted (argon2 reads all of it; bound the work).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Hashes a password into a PHC string. Slow on purpose: call off the async threads.
pub fn hash(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

/// Whether `password` matches the PHC string `phc`. A malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Checks a new password's length, in Chinese.
pub fn check_strength(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!("密码不能超过 {MAX_PASSWORD_CHARS} 个字符"));
    }
    Ok(())
}

/// At most one argon2 computation per core at a time. Each takes 19 MiB and a core for
/// tens of milliseconds; unbounded, a burst of sign-ins would start one blocking thread
/// per request and the allocator would keep every thread's memory.
fn permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        tokio::sync::Semaphore::new(cores)
    })
}

/// Hashes off the async threads, one per core at a time.
pub async fn hash_async(password: String) -> AppResult<String> {
    let _permit = permits().acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(AppError::internal)?
}

/// Verifies off the async threads, one per core at a time.
pub async fn verify_async(password: String, phc: String) -> AppResult<bool> {
    let _permit = permits().acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || verify(&password, &phc))
        .await
        .map_err(AppError::internal)
}

/// A hash of a password nobody has, verified when the username is unknown so that a
/// wrong username takes as long as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&crate::ids::random_token()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let phc = hash("正确的密码123").expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("正确的密码123", &phc));
        assert!(!verify("错误的密码123", &phc));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn short_and_overlong_passwords_are_refused() {
        assert!(check_strength("short").is_err());
        assert!(check_strength(&"x".repeat(129)).is_err());
        assert!(check_strength("long enough").is_ok());
    }
}
