//! Page sessions: the access and refresh tokens kept in HttpOnly SameSite cookies, renewed
//! transparently when the access token runs out, and the CSRF cookie every form checks.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::error::{AppError, AuthFailure};
use crate::identity::service::{self, Session};
use crate::identity::tokens::Claims;
use crate::ids::random_token;
use crate::state::AppState;

/// The cookie holding the access token.
pub const ACCESS_COOKIE: &str = "sunshine_access";
/// The cookie holding the refresh token.
pub const REFRESH_COOKIE: &str = "sunshine_refresh";
/// The cookie holding the CSRF token that every form repeats.
pub const CSRF_COOKIE: &str = "sunshine_csrf";

/// The signed-in person on a page, if any.
#[derive(Debug, Clone)]
pub struct PageUser(pub Claims);

/// The CSRF token of this browser, to put in every form.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Reads the session cookies before every page request; renews an expired access token
/// with the refresh token; sets the CSRF cookie on first visit.
pub async fn layer(
    State(state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let secure = state.config.is_production();
    let mut jar_out = CookieJar::new();
    let csrf = match jar.get(CSRF_COOKIE).map(Cookie::value) {
        Some(value) if value.len() == 43 => value.to_owned(),
        _ => {
            let token = random_token();
            jar_out = jar_out.add(cookie(CSRF_COOKIE, token.clone(), SameSite::Strict, secure));
            token
        }
    };
    request.extensions_mut().insert(CsrfToken(csrf));

    let access = jar
        .get(ACCESS_COOKIE)
        .map(|c| state.tokens.verify(c.value()));
    let claims = match access {
        Some(Ok(claims)) => Some(claims),
        _ => match jar.get(REFRESH_COOKIE) {
            Some(refresh) => match service::refresh(
                &state.db,
                &state.tokens,
                state.config.refresh_token_days,
                refresh.value(),
            )
            .await
            {
                Ok(session) => {
                    let claims = state.tokens.verify(&session.access_token).ok();
                    jar_out = set_session(jar_out, &session, secure);
                    claims
                }
                Err(_) => {
                    jar_out = clear_session(jar_out);
                    None
                }
            },
            None => None,
        },
    };
    if let Some(claims) = claims {
        request.extensions_mut().insert(PageUser(claims));
    }
    let response = next.run(request).await;
    (jar_out, response).into_response()
}

fn cookie(name: &'static str, value: String, same_site: SameSite, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(same_site)
        .secure(secure)
        .path("/")
        .build()
}

/// Adds the cookies of a new session.
pub fn set_session(jar: CookieJar, session: &Session, secure: bool) -> CookieJar {
    jar.add(cookie(
        ACCESS_COOKIE,
        session.access_token.clone(),
        SameSite::Lax,
        secure,
    ))
    .add(cookie(
        REFRESH_COOKIE,
        session.refresh_token.clone(),
        SameSite::Strict,
        secure,
    ))
}

/// Removes the session cookies.
pub fn clear_session(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(ACCESS_COOKIE).path("/"))
        .remove(Cookie::build(REFRESH_COOKIE).path("/"))
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| AppError::internal("session layer missing"))
    }
}

/// The signed-in person, or a 401 (pages redirect to sign in before asking for this).
impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<PageUser>()
            .cloned()
            .ok_or(AppError::Unauthorized(AuthFailure::Missing))
    }
}

/// The signed-in person if there is one.
#[derive(Debug, Clone)]
pub struct MaybePageUser(pub Option<Claims>);

impl<S: Send + Sync> FromRequestParts<S> for MaybePageUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts.extensions.get::<PageUser>().map(|u| u.0.clone()),
        ))
    }
}
