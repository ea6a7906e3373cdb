//! Typed configuration from the environment, each setting with a documented default.
//!
//! | variable | default |
//! |---|---|
//! | `DATABASE_URL` | `sqlite://<data dir>/sunshine.db?mode=rwc` |
//! | `SUNSHINE_BIND` | `127.0.0.1:8080` |
//! | `SUNSHINE_ENV` | `development` (or `production`) |
//! | `SUNSHINE_DATA_DIR` | `data` |
//! | `SUNSHINE_PUBLIC_URL` | `http://<bind>` |
//! | `SUNSHINE_TOKEN_KEY` | development: generated once into `<data dir>/secrets.json`; production: required |
//! | `SUNSHINE_DATA_KEY` | as above |
//! | `SUNSHINE_ACCESS_TOKEN_MINUTES` | `15` |
//! | `SUNSHINE_REFRESH_TOKEN_DAYS` | `30` |
//! | `SUNSHINE_MAX_BODY_BYTES` | `262144` |
//! | `SUNSHINE_MAX_AMOUNT_FEN` | `10000000000` (1亿元) |
//! | `SUNSHINE_PLEDGES_PER_MINUTE` | `60` public pledges and sign-ups per client address, sustained |
//! | `SUNSHINE_PLEDGE_BURST` | `300` at once from one address (an office) before the rate applies |
//! | `SUNSHINE_LOGINS_PER_MINUTE` | `30` sign-in attempts per client address |
//! | `SUNSHINE_LOG` | `info` |

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};

/// Whether the server runs for development (demo data, generated secrets) or for real.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Generated secrets, demo accounts on first start, readable logs.
    Development,
    /// Secrets required from the environment, JSON logs, secure cookies.
    Production,
}

/// A secret key's bytes; never printed.
#[derive(Clone)]
pub struct SecretKey(SecretSlice<u8>);

impl SecretKey {
    /// Wraps key bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(SecretSlice::from(bytes))
    }

    /// The key's bytes, for the one place that signs or encrypts with them.
    pub fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([REDACTED])")
    }
}

/// The server's secrets.
#[derive(Clone, Debug)]
pub struct Secrets {
    /// Signs session tokens (JWT, HS256) and CSRF tokens.
    pub token_key: SecretKey,
    /// Encrypts personal data and keys its look-up hashes.
    pub data_key: SecretKey,
}

/// Everything the server reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the database is: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The address the server listens on.
    pub bind: SocketAddr,
    /// Development or production.
    pub environment: Environment,
    /// Where the SQLite file and the development secrets live.
    pub data_dir: PathBuf,
    /// The address people reach the server by, for links printed on paper (QR codes).
    pub public_url: String,
    /// The secrets.
    pub secrets: Secrets,
    /// How long an access token lives.
    pub access_token_minutes: i64,
    /// How long a refresh token lives.
    pub refresh_token_days: i64,
    /// The largest request body the JSON API accepts.
    pub max_body_bytes: usize,
    /// The largest pledge or payment, in fen.
    pub max_amount_fen: i64,
    /// Public pledges allowed per client address and minute, sustained.
    pub pledges_per_minute: u32,
    /// Public pledges one address may make at once before the sustained rate applies.
    pub pledge_burst: u32,
    /// Sign-in attempts allowed per client address and minute.
    pub logins_per_minute: u32,
    /// How the server's connections are bounded.
    pub connections: crate::server::Limits,
    /// A request (with its body) must be answered within this time, else 408.
    pub request_timeout_seconds: u64,
}

/// Why the configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable holds something that cannot be read.
    #[error("环境变量 {name} 的值无效：{why}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Why.
        why: String,
    },
    /// Production without a secret.
    #[error("生产环境必须设置环境变量 {0}（至少 32 字节，base64 编码），服务拒绝启动")]
    MissingSecret(&'static str),
    /// Production without the public address printed in QR codes.
    #[error(
        "生产环境必须设置环境变量 SUNSHINE_PUBLIC_URL（收据二维码中的公开地址，如 https://cs.example.org），服务拒绝启动"
    )]
    MissingPublicUrl,
    /// The development secrets file could not be read or written.
    #[error("无法读写开发环境密钥文件 {path}：{why}")]
    SecretsFile {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

const SECRET_NAMES: [&str; 2] = ["SUNSHINE_TOKEN_KEY", "SUNSHINE_DATA_KEY"];
const MIN_SECRET_BYTES: usize = 32;

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the configuration through `lookup`, so tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let environment = match lookup("SUNSHINE_ENV").as_deref() {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "SUNSHINE_ENV",
                    why: format!("应为 development 或 production，而不是 {other}"),
                });
            }
        };
        let data_dir = PathBuf::from(lookup("SUNSHINE_DATA_DIR").unwrap_or_else(|| "data".into()));
        let bind: SocketAddr = parse(&lookup, "SUNSHINE_BIND", "127.0.0.1:8080")?;
        let database_url = lookup("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("sunshine.db").display()
            )
        });
        let secrets = load_secrets(&lookup, environment, &data_dir)?;
        let public_url = public_url(lookup("SUNSHINE_PUBLIC_URL"), environment, bind)?;
        Ok(Self {
            database_url,
            bind,
            environment,
            data_dir,
            public_url,
            secrets,
            access_token_minutes: parse(&lookup, "SUNSHINE_ACCESS_TOKEN_MINUTES", "15")?,
            refresh_token_days: parse(&lookup, "SUNSHINE_REFRESH_TOKEN_DAYS", "30")?,
            max_body_bytes: parse(&lookup, "SUNSHINE_MAX_BODY_BYTES", "262144")?,
            max_amount_fen: parse(&lookup, "SUNSHINE_MAX_AMOUNT_FEN", "10000000000")?,
            pledges_per_minute: parse(&lookup, "SUNSHINE_PLEDGES_PER_MINUTE", "60")?,
            pledge_burst: parse(&lookup, "SUNSHINE_PLEDGE_BURST", "300")?,
            logins_per_minute: parse(&lookup, "SUNSHINE_LOGINS_PER_MINUTE", "30")?,
            request_timeout_seconds: positive(
                parse(&lookup, "SUNSHINE_REQUEST_TIMEOUT_SECONDS", "30")?,
                "SUNSHINE_REQUEST_TIMEOUT_SECONDS",
            )?,
            connections: crate::server::Limits {
                header_read: std::time::Duration::from_secs(positive(
                    parse(&lookup, "SUNSHINE_HEADER_READ_SECONDS", "5")?,
                    "SUNSHINE_HEADER_READ_SECONDS",
                )?),
                connections: match lookup("SUNSHINE_MAX_CONNECTIONS") {
                    Some(_) => positive(
                        parse(&lookup, "SUNSHINE_MAX_CONNECTIONS", "1")?,
                        "SUNSHINE_MAX_CONNECTIONS",
                    )?,
                    None => default_max_connections(),
                },
                per_address: positive(
                    parse(&lookup, "SUNSHINE_MAX_CONNECTIONS_PER_ADDRESS", "512")?,
                    "SUNSHINE_MAX_CONNECTIONS_PER_ADDRESS",
                )?,
            },
        })
    }

    /// Whether the server runs in production.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// Whether the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// The address printed in every receipt's QR code: in production it must be said, since
/// the listening address (often 127.0.0.1 behind a proxy) is not what a phone can open.
fn public_url(
    given: Option<String>,
    environment: Environment,
    bind: SocketAddr,
) -> Result<String, ConfigError> {
    let Some(given) = given else {
        if environment == Environment::Production {
            return Err(ConfigError::MissingPublicUrl);
        }
        return Ok(format!("http://{bind}"));
    };
    let url = given.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(ConfigError::Invalid {
            name: "SUNSHINE_PUBLIC_URL",
            why: format!("应为 http:// 或 https:// 开头的完整地址，而不是 {given}"),
        });
    }
    Ok(url.to_owned())
}

fn positive<T: Default + PartialOrd>(value: T, name: &'static str) -> Result<T, ConfigError> {
    if value > T::default() {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            name,
            why: "须大于 0".into(),
        })
    }
}

/// Connections open at once by default: the process's descriptor limit less a reserve for
/// the database pool, files and the listener, at most 10,000.
fn default_max_connections() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|n| n.parse::<usize>().ok())
        })
        .unwrap_or(1024);
    soft.saturating_sub(256).clamp(64, 10_000)
}

fn parse<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let raw = lookup(name).unwrap_or_else(|| default.to_owned());
    raw.parse().map_err(|e: T::Err| ConfigError::Invalid {
        name,
        why: e.to_string(),
    })
}

/// Secrets come from the environment; in development the missing ones are generated once
/// and kept in `<data dir>/secrets.json` (mode 0600) so that sessions survive restarts.
fn load_secrets(
    lookup: &impl Fn(&str) -> Option<String>,
    environment: Environment,
    data_dir: &Path,
) -> Result<Secrets, ConfigError> {
    let mut values: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for name in SECRET_NAMES {
        if let Some(raw) = lookup(name) {
            values.insert(name.to_owned(), decode_secret(name, &raw)?);
        }
    }
    if values.len() < SECRET_NAMES.len() {
        if environment == Environment::Production {
            let missing = SECRET_NAMES
                .iter()
                .find(|n| !values.contains_key(**n))
                .copied()
                .unwrap_or("SUNSHINE_TOKEN_KEY");
            return Err(ConfigError::MissingSecret(missing));
        }
        let path = data_dir.join("secrets.json");
        let mut stored = read_secrets_file(&path)?;
        let mut changed = false;
        for name in SECRET_NAMES {
            if !stored.contains_key(name) {
                let mut key = vec![0u8; 64];
                rand::rng().fill_bytes(&mut key);
                stored.insert(name.to_owned(), BASE64.encode(key));
                changed = true;
            }
        }
        if changed {
            write_secrets_file(&path, &stored)?;
        }
        for name in SECRET_NAMES {
            if !values.contains_key(name) {
                let raw = stored.get(name).map(String::as_str).unwrap_or_default();
                values.insert(name.to_owned(), decode_secret(name, raw)?);
            }
        }
    }
    let mut take = |name: &str| SecretKey::new(values.remove(name).unwrap_or_default());
    Ok(Secrets {
        token_key: take("SUNSHINE_TOKEN_KEY"),
        data_key: take("SUNSHINE_DATA_KEY"),
    })
}

fn decode_secret(name: &'static str, raw: &str) -> Result<Vec<u8>, ConfigError> {
    let bytes = BASE64
        .decode(raw.trim())
        .map_err(|_| ConfigError::Invalid {
            name,
            why: "不是有效的 base64".into(),
        })?;
    if bytes.len() < MIN_SECRET_BYTES || bytes.iter().all(|b| *b == bytes[0]) {
        return Err(ConfigError::Invalid {
            name,
            why: format!("密钥至少 {MIN_SECRET_BYTES} 字节且不能是默认值"),
        });
    }
    Ok(bytes)
}

fn read_secrets_file(path: &Path) -> Result<BTreeMap<String, String>, ConfigError> {
    let file_error = |why: String| ConfigError::SecretsFile {
        path: path.to_owned(),
        why,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| file_error(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(file_error(e.to_string())),
    }
}

fn write_secrets_file(path: &Path, secrets: &BTreeMap<String, String>) -> Result<(), ConfigError> {
    let file_error = |why: String| ConfigError::SecretsFile {
        path: path.to_owned(),
        why,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| file_error(e.to_string()))?;
    }
    let text = serde_json::to_string_pretty(secrets).map_err(|e| file_error(e.to_string()))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(|e| file_error(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| file_error(e.to_string()))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| file_error(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        std::env::temp_dir().join(format!("sunshine-config-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn production_refuses_to_start_without_secrets() {
        let data = dir();
        let err = Config::from_lookup(|n| match n {
            "SUNSHINE_ENV" => Some("production".into()),
            "SUNSHINE_DATA_DIR" => Some(data.display().to_string()),
            _ => None,
        })
        .expect_err("production without secrets must fail");
        assert!(matches!(err, ConfigError::MissingSecret(_)));
    }

    #[test]
    fn production_refuses_to_start_without_its_public_address() {
        let data = dir();
        let key = BASE64.encode((0u8..48).collect::<Vec<u8>>());
        let settings = |public: Option<&str>| {
            let (data, key) = (data.clone(), key.clone());
            let public = public.map(str::to_owned);
            move |n: &str| match n {
                "SUNSHINE_ENV" => Some("production".into()),
                "SUNSHINE_DATA_DIR" => Some(data.display().to_string()),
                "SUNSHINE_TOKEN_KEY" | "SUNSHINE_DATA_KEY" => Some(key.clone()),
                "SUNSHINE_PUBLIC_URL" => public.clone(),
                _ => None,
            }
        };
        let err = Config::from_lookup(settings(None)).expect_err("no public address");
        assert!(matches!(err, ConfigError::MissingPublicUrl));
        assert!(err.to_string().contains("SUNSHINE_PUBLIC_URL"));
        let err = Config::from_lookup(settings(Some("cs.example.org"))).expect_err("no scheme");
        assert!(matches!(err, ConfigError::Invalid { .. }));
        let config =
            Config::from_lookup(settings(Some("https://cs.example.org/"))).expect("config");
        assert_eq!(config.public_url, "https://cs.example.org");
    }

    #[test]
    fn development_generates_secrets_once_and_keeps_them() {
        let data = dir();
        let lookup = |n: &str| (n == "SUNSHINE_DATA_DIR").then(|| data.display().to_string());
        let first = Config::from_lookup(lookup).expect("first start");
        let second = Config::from_lookup(lookup).expect("second start");
        assert_eq!(
            first.secrets.token_key.bytes(),
            second.secrets.token_key.bytes()
        );
        assert_ne!(
            first.secrets.token_key.bytes(),
            first.secrets.data_key.bytes()
        );
        std::fs::remove_dir_all(&data).ok();
    }

    #[test]
    fn the_default_pledge_limit_lets_an_office_through_and_holds_a_script() {
        let data = dir();
        let config =
            Config::from_lookup(|n| (n == "SUNSHINE_DATA_DIR").then(|| data.display().to_string()))
                .expect("config");
        let limiter =
            crate::rate_limit::RateLimiter::new(config.pledges_per_minute, config.pledge_burst);
        let office: std::net::IpAddr = [10, 9, 9, 9].into();
        // 300 at once from one office address: all let through; the script's next is not.
        for i in 0..300 {
            assert!(limiter.take(office).is_ok(), "pledge {i}");
        }
        assert!(limiter.take(office).is_err());
        std::fs::remove_dir_all(&data).ok();
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let data = dir();
        let config =
            Config::from_lookup(|n| (n == "SUNSHINE_DATA_DIR").then(|| data.display().to_string()))
                .expect("config");
        let printed = format!("{config:?}");
        let key = BASE64.encode(config.secrets.token_key.bytes());
        assert!(!printed.contains(&key));
        assert!(printed.contains("REDACTED"));
        std::fs::remove_dir_all(&data).ok();
    }

    #[test]
    fn a_short_or_constant_secret_is_refused() {
        let err = decode_secret("SUNSHINE_TOKEN_KEY", &BASE64.encode([7u8; 40]));
        assert!(err.is_err());
        let err = decode_secret("SUNSHINE_TOKEN_KEY", &BASE64.encode(b"short"));
        assert!(err.is_err());
    }
}
