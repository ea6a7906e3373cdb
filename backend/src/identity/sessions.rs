//! Sessions: sign in, rotate the refresh token, sign out. Each is one transaction; a
//! refresh token used twice revokes its whole family.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::entities::{refresh_token, user};
use super::password;
use super::service::UserView;
use super::tokens::TokenKeys;
use crate::db;
use crate::error::{AppError, AppResult, AuthFailure};
use crate::ids::{new_id, random_token, token_hash};

/// A signed-in session: an access token and the refresh token that renews it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Exchanged once for a new pair at `/api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Who signed in.
    pub user: UserView,
}

/// Signs a user in with username and password.
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    refresh_days: i64,
    username: &str,
    password: &str,
) -> AppResult<Session> {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim()))
        .one(db)
        .await?;
    let phc = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_owned());
    let matches = password::verify_async(password.to_owned(), phc).await?;
    let model = match found {
        Some(model) if matches && model.active => model,
        _ => return Err(AppError::Unauthorized(AuthFailure::BadCredentials)),
    };
    let view = UserView::from_model(&model)?;
    let txn = db::begin_write(db).await?;
    let refresh = insert_refresh_token(&txn, &view.id, &new_id(), refresh_days).await?;
    txn.commit().await?;
    tracing::info!(user_id = %view.id, role = %view.role, "signed in");
    session(keys, view, refresh)
}

/// Exchanges a refresh token for a new pair. A token presented a second time revokes
/// its whole family: whoever holds the copy is signed out too.
#[tracing::instrument(skip_all)]
pub async fn refresh(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    refresh_days: i64,
    presented: &str,
) -> AppResult<Session> {
    let now = Utc::now();
    let txn = db::begin_write(db).await?;
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(presented)))
        .one(&txn)
        .await?
    else {
        return Err(AppError::Unauthorized(AuthFailure::Invalid));
    };
    if row.revoked_at.is_some() {
        return Err(AppError::Unauthorized(AuthFailure::RefreshRevoked));
    }
    if row.expires_at < now {
        return Err(AppError::Unauthorized(AuthFailure::Expired));
    }
    // Mark it used only if nobody else did first; a lost race is a reuse.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(&row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let user = user::Entity::find_by_id(&row.user_id).one(&txn).await?;
    let active_user = user.filter(|u| u.active);
    if claimed.rows_affected != 1 || active_user.is_none() {
        revoke_family(&txn, &row.family_id).await?;
        txn.commit().await?;
        tracing::warn!(family = %row.family_id, "refresh token reused; family revoked");
        return Err(AppError::Unauthorized(AuthFailure::RefreshRevoked));
    }
    let view = UserView::from_model(active_user.as_ref().ok_or(AppError::Forbidden)?)?;
    let next = insert_refresh_token(&txn, &view.id, &row.family_id, refresh_days).await?;
    txn.commit().await?;
    session(keys, view, next)
}

/// Signs out: revokes the family of the given refresh token, or every session of the
/// user when none is given.
#[tracing::instrument(skip_all)]
pub async fn logout(
    db: &DatabaseConnection,
    user_id: &str,
    presented: Option<&str>,
) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    match presented {
        Some(token) => {
            let row = refresh_token::Entity::find()
                .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
                .filter(refresh_token::Column::UserId.eq(user_id))
                .one(&txn)
                .await?;
            if let Some(row) = row {
                revoke_family(&txn, &row.family_id).await?;
            }
        }
        None => {
            refresh_token::Entity::update_many()
                .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
                .filter(refresh_token::Column::UserId.eq(user_id))
                .filter(refresh_token::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

async fn insert_refresh_token(
    conn: &impl ConnectionTrait,
    user_id: &str,
    family_id: &str,
    days: i64,
) -> AppResult<String> {
    let token = random_token();
    let now = Utc::now();
    refresh_token::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id.to_owned()),
        family_id: Set(family_id.to_owned()),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(now + Duration::days(days)),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

async fn revoke_family(conn: &impl ConnectionTrait, family_id: &str) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

fn session(keys: &TokenKeys, user: UserView, refresh_token: String) -> AppResult<Session> {
    Ok(Session {
        access_token: keys.issue(user.claims())?,
        refresh_token,
        expires_in: keys.ttl_seconds(),
        user,
    })
}
