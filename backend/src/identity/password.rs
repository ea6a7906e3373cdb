//! Password hashing with argon2id.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::error::{AppError, AppResult};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted (argon2 reads all of it; bound the work).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// argon2id with 7 MiB and 5 passes: one of OWASP's equal-strength settings (with
/// 19 MiB and 2 passes, the crate's default), chosen for memory: two sign-ins at once
/// take 14 MiB, not 38, on a server whose whole budget under load is 100 MB. A hash
/// made with other settings keeps them in its PHC string and still verifies.
fn hasher() -> AppResult<Argon2<'static>> {
    let params = Params::new(7 * 1024, 5, 1, None).map_err(AppError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string. Slow on purpose: call off the async threads.
pub fn hash(password: &str) -> AppResult<String> {
    hasher()?
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

/// At most one argon2 computation per core at a time. Each takes 7 MiB and a core for
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
    fn new_hashes_take_7_mib_and_hashes_of_the_old_settings_still_verify() {
        let phc = hash("正确的密码123").expect("hash");
        assert!(phc.contains("$m=7168,t=5,p=1$"), "{phc}");
        let old = Argon2::default()
            .hash_password("正确的密码123".as_bytes())
            .expect("hash")
            .to_string();
        assert!(old.contains("$m=19456,t=2,p=1$"), "{old}");
        assert!(verify("正确的密码123", &old));
        assert!(!verify("错误的密码123", &old));
    }

    #[test]
    fn short_and_overlong_passwords_are_refused() {
        assert!(check_strength("short").is_err());
        assert!(check_strength(&"x".repeat(129)).is_err());
        assert!(check_strength("long enough").is_ok());
    }
}
