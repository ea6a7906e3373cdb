//! Sessions: sign in, rotate the refresh token, sign out. Each is one transaction; a
//! refresh token used twice revokes its whole family.

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
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

/// Failed sign-ins in a row after which an account is locked, whatever addresses they
/// came from: the per-address limit alone lets a password be guessed from many.
pub const FAILURES_BEFORE_LOCK: i32 = 10;

/// How long a locked account refuses sign-in.
pub const LOCK_MINUTES: i64 = 15;

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
    if let Some(until) = found.as_ref().and_then(|u| u.locked_until) {
        let left = (until - Utc::now()).num_seconds();
        if left > 0 {
            return Err(AppError::AccountLocked(left.unsigned_abs()));
        }
    }
    let phc = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_owned());
    let matches = password::verify_async(password.to_owned(), phc).await?;
    let model = match found {
        Some(model) if matches && model.active => model,
        Some(model) if !matches => return Err(count_failure(db, &model).await?),
        _ => return Err(AppError::Unauthorized(AuthFailure::BadCredentials)),
    };
    let view = UserView::from_model(&model)?;
    let family = new_id();
    let txn = db::begin_write(db).await?;
    if model.failed_logins != 0 || model.locked_until.is_some() {
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(
                user::Column::LockedUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .filter(user::Column::Id.eq(&model.id))
            .exec(&txn)
            .await?;
    }
    let refresh = insert_refresh_token(&txn, &view.id, &family, refresh_days).await?;
    txn.commit().await?;
    tracing::info!(user_id = %view.id, role = %view.role, "signed in");
    session(keys, view, &family, refresh)
}

/// Counts a wrong password against the account; the one that reaches the limit locks it
/// (once, with an audit entry). Returns the answer to give.
async fn count_failure(db: &DatabaseConnection, model: &user::Model) -> AppResult<AppError> {
    let txn = db::begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::FailedLogins,
            Expr::col(user::Column::FailedLogins).add(1),
        )
        .filter(user::Column::Id.eq(&model.id))
        .exec(&txn)
        .await?;
    let until = Utc::now() + Duration::minutes(LOCK_MINUTES);
    let locked = user::Entity::update_many()
        .col_expr(user::Column::LockedUntil, Expr::value(until))
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .filter(user::Column::Id.eq(&model.id))
        .filter(user::Column::FailedLogins.gte(FAILURES_BEFORE_LOCK))
        .exec(&txn)
        .await?;
    let answer = if locked.rows_affected == 1 {
        let detail = format!(
            "连续 {FAILURES_BEFORE_LOCK} 次密码错误，账户 {} 锁定 {LOCK_MINUTES} 分钟",
            model.username
        );
        crate::audit::record(&txn, &model.id, "user.lock", &model.id, &detail).await?;
        tracing::warn!(user_id = %model.id, "account locked after repeated failed sign-ins");
        AppError::AccountLocked(u64::try_from(LOCK_MINUTES * 60).unwrap_or(900))
    } else {
        AppError::Unauthorized(AuthFailure::BadCredentials)
    };
    txn.commit().await?;
    Ok(answer)
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
        keys.revoked().revoke(&row.family_id);
        tracing::warn!(family = %row.family_id, "refresh token reused; family revoked");
        return Err(AppError::Unauthorized(AuthFailure::RefreshRevoked));
    }
    let view = UserView::from_model(active_user.as_ref().ok_or(AppError::Forbidden)?)?;
    let next = insert_refresh_token(&txn, &view.id, &row.family_id, refresh_days).await?;
    txn.commit().await?;
    session(keys, view, &row.family_id, next)
}

/// Signs out: revokes the session of the given refresh token and of the access token
/// (`sid`), or every session of the user when no refresh token is given. Their access
/// tokens are refused from now on, not when they expire.
#[tracing::instrument(skip_all)]
pub async fn logout(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    user_id: &str,
    access_sid: Option<&str>,
    presented: Option<&str>,
) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    let mut families: Vec<String> = access_sid.map(str::to_owned).into_iter().collect();
    if let Some(token) = presented {
        let row = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
            .filter(refresh_token::Column::UserId.eq(user_id))
            .one(&txn)
            .await?;
        families.extend(row.map(|r| r.family_id));
    }
    if presented.is_none() {
        let all = refresh_token::Entity::find()
            .filter(refresh_token::Column::UserId.eq(user_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .all(&txn)
            .await?;
        families.extend(all.into_iter().map(|r| r.family_id));
    }
    families.sort_unstable();
    families.dedup();
    for family in &families {
        revoke_family(&txn, family).await?;
    }
    txn.commit().await?;
    for family in &families {
        keys.revoked().revoke(family);
    }
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

fn session(
    keys: &TokenKeys,
    user: UserView,
    family: &str,
    refresh_token: String,
) -> AppResult<Session> {
    let mut claims = user.claims();
    claims.sid = Some(family.to_owned());
    Ok(Session {
        access_token: keys.issue(claims)?,
        refresh_token,
        expires_in: keys.ttl_seconds(),
        user,
    })
}
