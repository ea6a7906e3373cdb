//! Server-rendered pages (askama), their sessions and CSRF checks, and static assets.

pub mod assets;
pub mod csrf;
pub mod errors;
pub mod headers;
pub mod session;
pub mod views;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use self::csrf::CsrfForm;
use self::session::{CsrfToken, MaybePageUser};
use self::views::{HomePage, IndexPage, Layout, LoginPage};
use crate::error::{AppError, AppResult, AuthFailure};
use crate::identity::service;
use crate::state::AppState;

/// The page routes, behind the session layer.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/home", get(home))
        .route("/verify", get(crate::receipts::api::verify_code_page))
        .route("/verify/{token}", get(crate::receipts::api::verify_page))
        .merge(crate::fundraising::pages::routes())
        .merge(crate::fundraising::pages_people::routes())
        .merge(crate::fundraising::pages_staff::routes())
        .merge(crate::receipts::pages::routes())
        .merge(crate::fundraising::pages_settings::routes())
        .merge(crate::audit::pages::routes())
        .layer(axum::middleware::from_fn_with_state(state, session::layer))
        .route("/static/{*path}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
}

/// The signed-in person if their role is among `roles`; otherwise the answer to give:
/// sign in first, or 403. Boxed: a response is large, and this is the rare path.
pub fn require(
    user: Option<&crate::identity::tokens::Claims>,
    roles: &[crate::identity::Role],
) -> Result<crate::identity::tokens::Claims, Box<Response>> {
    require_at(user, roles, "/home")
}

/// As [`require`], and sign-in leads back to `here`. A signed-in person of another role
/// gets the 403 page, never the sign-in page: sign-in sends a signed-in person on to
/// `next`, and that was a redirect loop.
pub fn require_at(
    user: Option<&crate::identity::tokens::Claims>,
    roles: &[crate::identity::Role],
    here: &str,
) -> Result<crate::identity::tokens::Claims, Box<Response>> {
    match user {
        Some(u) if roles.contains(&u.role) => Ok(u.clone()),
        Some(_) => Err(Box::new(AppError::Forbidden.into_response())),
        None => Err(Box::new(
            Redirect::to(&format!("/login?next={here}")).into_response(),
        )),
    }
}

/// Renders a template, or a 500 whose cause is logged.
pub fn render(template: &impl Template) -> AppResult<Html<String>> {
    template.render().map(Html).map_err(AppError::internal)
}

async fn index(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Html<String>> {
    let (campaigns, _) = crate::fundraising::campaigns::list(&state.db, 0, 20).await?;
    render(&IndexPage {
        layout: Layout::new("首页", user.as_ref(), &csrf),
        campaigns: campaigns
            .into_iter()
            .filter(|c| c.status == "open")
            .map(|c| (c.id, c.name))
            .collect(),
    })
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a local path may follow sign-in, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/home".to_owned(),
    }
}

async fn login_page(
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    axum::extract::Query(query): axum::extract::Query<NextQuery>,
) -> AppResult<Response> {
    let next = safe_next(query.next.as_deref());
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    Ok(render(&LoginPage {
        layout: Layout::new("登录", None, &csrf),
        username: String::new(),
        error: None,
        next,
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    CsrfToken(csrf): CsrfToken,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    state.login_limiter.check(peer.ip())?;
    let next = safe_next(form.next.as_deref());
    let outcome = if form.username.trim().is_empty() || form.password.is_empty() {
        Err(AppError::Unauthorized(AuthFailure::BadCredentials))
    } else {
        service::login(
            &state.db,
            &state.tokens,
            state.config.refresh_token_days,
            &form.username,
            &form.password,
        )
        .await
    };
    match outcome {
        Ok(session) => {
            let jar = session::set_session(jar, &session, state.config.is_production());
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(AppError::Unauthorized(_)) => {
            let page = render(&LoginPage {
                layout: Layout::new("登录", None, &csrf),
                username: form.username.chars().take(64).collect(),
                error: Some("用户名或密码错误，请核对后重试。".into()),
                next,
            })?;
            Ok((axum::http::StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(locked @ AppError::AccountLocked(seconds)) => {
            let page = render(&LoginPage {
                layout: Layout::new("登录", None, &csrf),
                username: form.username.chars().take(64).collect(),
                error: Some(locked.problem().detail),
                next,
            })?;
            let retry = [(axum::http::header::RETRY_AFTER, seconds.max(1).to_string())];
            Ok((axum::http::StatusCode::TOO_MANY_REQUESTS, retry, page).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
struct LogoutForm {}

async fn logout(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<LogoutForm>,
) -> AppResult<Response> {
    if let Some(user) = user {
        let refresh = jar
            .get(session::REFRESH_COOKIE)
            .map(|c| c.value().to_owned());
        service::logout(
            &state.db,
            &state.tokens,
            &user.sub,
            user.sid.as_deref(),
            refresh.as_deref(),
        )
        .await?;
    }
    Ok((session::clear_session(jar), Redirect::to("/login")).into_response())
}

async fn home(
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let Some(user) = user else {
        return Ok(Redirect::to("/login?next=/home").into_response());
    };
    Ok(render(&HomePage {
        layout: Layout::new(format!("{}工作台", user.role.label()), Some(&user), &csrf),
        role_label: user.role.label(),
        panels: views::panels(user.role),
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_only_returns_to_local_paths() {
        assert_eq!(safe_next(Some("/home")), "/home");
        assert_eq!(safe_next(Some("//evil.example")), "/home");
        assert_eq!(safe_next(Some("https://evil.example")), "/home");
        assert_eq!(safe_next(Some("/\\evil")), "/home");
        assert_eq!(safe_next(None), "/home");
    }
}
