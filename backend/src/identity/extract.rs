//! Axum extractors that authenticate the caller and demand a role.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::Role;
use super::tokens::Claims;
use crate::error::{AppError, AuthFailure};
use crate::state::AppState;

/// The signed-in caller, from a verified `Authorization: Bearer` access token.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Claims);

impl CurrentUser {
    /// The caller's role.
    pub fn role(&self) -> Role {
        self.0.role
    }

    /// The caller's user id.
    pub fn id(&self) -> &str {
        &self.0.sub
    }
}

/// The bearer token of a request, if it sent one.
pub fn bearer(parts: &Parts) -> Result<Option<&str>, AppError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized(AuthFailure::Invalid))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(AppError::Unauthorized(AuthFailure::Invalid)),
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = bearer(parts)?.ok_or(AppError::Unauthorized(AuthFailure::Missing))?;
        let claims = state.tokens.verify(token).map_err(AppError::Unauthorized)?;
        Ok(CurrentUser(claims))
    }
}

/// A set of roles an endpoint admits.
pub trait AllowedRoles: Send + Sync + 'static {
    /// The roles admitted.
    const ROLES: &'static [Role];
}

/// The signed-in caller, admitted only if their role is in `A`.
#[derive(Debug, Clone)]
pub struct Authorized<A: AllowedRoles> {
    /// The caller.
    pub user: CurrentUser,
    allowed: PhantomData<A>,
}

impl<S, A> FromRequestParts<S> for Authorized<A>
where
    AppState: FromRef<S>,
    S: Send + Sync,
    A: AllowedRoles,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if !A::ROLES.contains(&user.role()) {
            return Err(AppError::Forbidden);
        }
        Ok(Self {
            user,
            allowed: PhantomData,
        })
    }
}

macro_rules! role_set {
    ($(#[$doc:meta])* $name:ident => [$($role:ident),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl AllowedRoles for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    };
}

role_set!(
    /// The federation's admins.
    AdminOnly => [Admin]
);
role_set!(
    /// Finance officers (and admins).
    FinanceStaff => [Finance, Admin]
);
role_set!(
    /// Those who read the federation's books: admin, finance, auditor.
    BookReaders => [Admin, Finance, Auditor]
);
role_set!(
    /// Admins and auditors.
    Overseers => [Admin, Auditor]
);

impl CurrentUser {
    /// Authenticates from request parts outside an extractor position.
    pub async fn from_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        <Self as FromRequestParts<AppState>>::from_request_parts(parts, state).await
    }
}
