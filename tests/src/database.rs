//! A fresh database for each test: a temporary SQLite file, or a newly created
//! PostgreSQL database (unique name, dropped afterwards) when `TEST_DATABASE_URL` is set.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};

/// A database that exists for one test.
pub struct TestDatabase {
    /// The URL the server connects to.
    pub url: String,
    /// The folder for the SQLite file and the generated secrets.
    pub data_dir: PathBuf,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// Makes a fresh database of the kind the environment asks for: PostgreSQL when
    /// `TEST_DATABASE_URL` (or `DATABASE_URL`) names one, SQLite otherwise.
    pub async fn create() -> anyhow::Result<Self> {
        let requested = ["TEST_DATABASE_URL", "DATABASE_URL"]
            .iter()
            .find_map(|name| {
                std::env::var(name)
                    .ok()
                    .filter(|u| u.starts_with("postgres"))
            });
        Self::create_on(requested.as_deref()).await
    }

    /// Makes a fresh database on the PostgreSQL server of `admin_url`, or a SQLite file
    /// when there is none.
    pub async fn create_on(admin_url: Option<&str>) -> anyhow::Result<Self> {
        let data_dir = std::env::temp_dir().join(format!("sunshine-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&data_dir)?;
        match admin_url {
            Some(admin_url) if admin_url.starts_with("postgres") => {
                let name = format!("sunshine_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(admin_url).await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await?;
                admin.close().await?;
                let url = replace_database(admin_url, &name);
                Ok(Self {
                    url,
                    data_dir,
                    postgres: Some((admin_url.to_owned(), name)),
                })
            }
            _ => {
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("sunshine.db").display()
                );
                Ok(Self {
                    url,
                    data_dir,
                    postgres: None,
                })
            }
        }
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

/// The same server URL with another database name.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.data_dir).ok();
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs inside the test's runtime; a thread of its own may block.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async {
                    let admin = Database::connect(&admin_url).await?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await?;
                    admin.close().await?;
                    anyhow::Ok(())
                })
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("could not drop test database");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://h:5432", "t3"),
            "postgres://h:5432/t3"
        );
    }
}
