//! The application: the router with its layers, built from a configuration, and served.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::error::AppError;
use crate::identity::tokens::TokenKeys;
use crate::openapi::ApiDoc;
use crate::personal_data::Vault;
use crate::rate_limit::RateLimiter;
use crate::reference::seed::{self, DemoAccount};
use crate::state::AppState;
use crate::{audit, db, fundraising, identity, ops, receipts, reference, web};

/// A server, bound and ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    /// Demo accounts created by this start (development, empty database), to print.
    pub demo_accounts: Vec<DemoAccount>,
}

impl Application {
    /// Connects to the database, migrates it, loads the reference data (and, in
    /// development on an empty database, the demo data), and binds the address.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // Install the recorder before the first request so that none goes uncounted.
        ops::metrics::handle();
        ops::metrics::spawn_upkeep();
        // Cut the receipt font in the background: the first receipt should not wait. On
        // a thread of its own, which ends after: the allocator gives back the memory of
        // the full font parsed for the cut when the thread that used it ends (a pooled
        // blocking thread would hold it ten idle seconds more).
        std::thread::Builder::new()
            .name("document-fonts".into())
            .spawn(receipts::pdf::warm_up)?;
        receipts::spawn_font_upkeep();
        let db = db::connect(&config.database_url).await?;
        db::migrate(&db).await?;
        seed::seed_reference(&db).await.map_err(anyhow_app)?;
        let demo_accounts =
            if !config.is_production() && seed::no_users_yet(&db).await.map_err(anyhow_app)? {
                seed::seed_demo(&db).await.map_err(anyhow_app)?
            } else {
                Vec::new()
            };
        let tokens = Arc::new(TokenKeys::new(
            config.secrets.token_key.bytes(),
            config.access_token_minutes * 60,
        )?);
        tokens.revoked().spawn_poll(db.clone());
        let listener = TcpListener::bind(config.bind).await?;
        let mut config = config;
        if let (Some(base), Ok(bound)) =
            (config.public_url.strip_suffix(":0"), listener.local_addr())
        {
            // Bound to a free port: links printed on paper must carry the real one.
            config.public_url = format!("{base}:{}", bound.port());
        }
        let pledge_limiter = Arc::new(RateLimiter::new(
            config.pledges_per_minute,
            config.pledge_burst,
        ));
        let login_limiter = Arc::new(RateLimiter::new(
            config.logins_per_minute,
            config.logins_per_minute,
        ));
        let vault = Arc::new(Vault::new(&config.secrets.data_key));
        let pledge_writer = (db.get_database_backend() == sea_orm::DbBackend::Postgres)
            .then(|| fundraising::pledge_batch::PledgeWriter::start(db.clone(), vault.clone()));
        let state = AppState {
            login_limiter,
            db,
            vault,
            config: Arc::new(config),
            tokens,
            pledge_limiter,
            pledge_writer,
        };
        let router = router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
            demo_accounts,
        })
    }

    /// The port actually bound (the configuration may say 0).
    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// The shared state, for tests that look behind the API.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let limits = self.state.config.connections;
        crate::server::serve(self.listener, self.router, limits, shutdown).await;
        if let Some(writer) = &self.state.pledge_writer {
            writer.stop();
        }
        self.state.db.clone().close().await.ok();
        Ok(())
    }
}

fn anyhow_app(err: AppError) -> anyhow::Error {
    anyhow::anyhow!("{err}")
}

/// The whole router: API, documents, pages, with every layer.
pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(ops::health::routes())
        .merge(ops::metrics::routes())
        .merge(identity::api::routes())
        .merge(identity::users_api::routes())
        .merge(reference::api::routes())
        .merge(fundraising::api::routes())
        .merge(receipts::api::routes())
        .merge(receipts::documents_api::routes())
        .merge(audit::api::routes())
        .split_for_parts();
    crate::openapi::complete(&mut openapi, state.config.max_amount_fen);
    let max_body = state.config.max_body_bytes;
    let request_timeout = state.config.request_timeout_seconds;
    let secure_headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ));
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .merge(web::routes(state.clone()))
        .route_layer(axum::middleware::from_fn(ops::metrics::track))
        .fallback(web::errors::not_found)
        .method_not_allowed_fallback(web::errors::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(ops::telemetry::request_span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(secure_headers)
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    web::headers::layer,
                ))
                .layer(axum::middleware::from_fn(web::errors::negotiate))
                .layer(CatchPanicLayer::custom(|_| {
                    axum::response::IntoResponse::into_response(AppError::internal(
                        "handler panicked",
                    ))
                }))
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(request_timeout),
                )),
        )
        .with_state(state)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
