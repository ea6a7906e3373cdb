//! `TestApp::spawn()`: the real server on port 0 with a fresh database.

use reqwest::{Client, Response};
use serde_json::{Value, json};
use sunshine::config::Config;
use sunshine::state::AppState;

use crate::database::TestDatabase;

/// The password of every demo account, seeded on the first start in development.
pub const DEMO_PASSWORD: &str = "sunshine2026";

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client without cookies.
    pub client: Client,
    /// The server's state (its database handle and keys), for looking behind the API.
    pub state: AppState,
    /// The database, dropped with the app.
    pub database: TestDatabase,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// Starts the server in development mode (so the demo accounts exist) on a fresh
    /// database.
    pub async fn spawn() -> Self {
        let database = TestDatabase::create().await.expect("test database");
        Self::spawn_on(database).await
    }

    /// Starts the server with some settings changed.
    pub async fn spawn_with(settings: &[(&str, &str)]) -> Self {
        let database = TestDatabase::create().await.expect("test database");
        Self::start(database, settings).await
    }

    /// Starts the server on a given database.
    pub async fn spawn_on(database: TestDatabase) -> Self {
        Self::start(database, &[]).await
    }

    async fn start(database: TestDatabase, settings: &[(&str, &str)]) -> Self {
        let config = config_for(&database, settings);
        let app = sunshine::Application::build(config)
            .await
            .expect("server builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        let server = tokio::spawn(async move {
            app.run_until(std::future::pending()).await.ok();
        });
        Self {
            address,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            state,
            database,
            server,
        }
    }

    /// The full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Signs in over the API and returns the whole answer.
    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("login request")
    }

    /// Signs in as a demo account and returns its session (access and refresh tokens).
    pub async fn session(&self, username: &str) -> Value {
        let response = self.login(username, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 200, "demo account {username} signs in");
        response.json().await.expect("session json")
    }

    /// The access token of a demo account.
    pub async fn token(&self, username: &str) -> String {
        self.session(username).await["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// GET with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("GET")
    }

    /// Creates and opens a campaign as the demo admin; returns its id.
    pub async fn open_campaign(&self, name: &str, target_fen: i64) -> String {
        let admin = self.token("admin").await;
        let response = self
            .post_json(
                "/api/v1/campaigns",
                &json!({
                    "name": name,
                    "kind": "double_day",
                    "starts_on": "2026-11-01",
                    "ends_on": "2026-12-31",
                    "target_fen": target_fen,
                }),
                Some(&admin),
            )
            .await;
        assert_eq!(response.status(), 201, "campaign created");
        let campaign: Value = response.json().await.expect("json");
        let id = campaign["id"].as_str().expect("id").to_owned();
        let opened = self
            .post_json(
                &format!("/api/v1/campaigns/{id}/open"),
                &json!({}),
                Some(&admin),
            )
            .await;
        assert_eq!(opened.status(), 200, "campaign opened");
        id
    }

    /// POST JSON with an optional bearer token.
    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("POST")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The configuration of a test server: development, port 0, its own data folder, a
/// pledge rate limit high enough for tests that pledge a lot, and `settings` on top.
pub fn config_for(database: &TestDatabase, settings: &[(&str, &str)]) -> Config {
    let data_dir = database.data_dir.display().to_string();
    let url = database.url.clone();
    Config::from_lookup(|name| {
        if let Some((_, value)) = settings.iter().find(|(n, _)| *n == name) {
            return Some((*value).to_owned());
        }
        match name {
            "DATABASE_URL" => Some(url.clone()),
            "SUNSHINE_DATA_DIR" => Some(data_dir.clone()),
            "SUNSHINE_BIND" => Some("127.0.0.1:0".into()),
            "SUNSHINE_ENV" => Some("development".into()),
            "SUNSHINE_PLEDGES_PER_MINUTE" => Some("100000".into()),
            "SUNSHINE_PLEDGE_BURST" => Some("100000".into()),
            "SUNSHINE_LOGINS_PER_MINUTE" => Some("100000".into()),
            _ => None,
        }
    })
    .expect("test config")
}

/// A `sunshine` server in a process of its own, on the same database as a [`TestApp`]:
/// for proving that two processes behave as one.
pub struct ServerChild {
    child: std::process::Child,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
}

impl ServerChild {
    /// Starts `program serve` on `database`, on a free port, and waits until it is ready.
    pub async fn start(program: &str, database: &TestDatabase) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = std::process::Command::new(program)
            .arg("serve")
            .env("DATABASE_URL", &database.url)
            .env("SUNSHINE_DATA_DIR", &database.data_dir)
            .env("SUNSHINE_BIND", format!("127.0.0.1:{port}"))
            .env("SUNSHINE_ENV", "development")
            .env("SUNSHINE_LOG", "warn")
            .env("SUNSHINE_LOGINS_PER_MINUTE", "100000")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("server process");
        // Owned at once, so that the process is killed and reaped on every path.
        let server = Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
        };
        let client = Client::new();
        for _ in 0..300 {
            let ready = client.get(format!("{}/ready", server.address)).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("server process did not become ready");
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
