//! Identity operations: sign in, rotate, sign out, create users. Each is one transaction.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::entities::{refresh_token, user};
use super::tokens::{Claims, TokenKeys};
use super::{Binding, Role, password};
use crate::db;
use crate::error::{AppError, AppResult, AuthFailure, FieldError};
use crate::ids::{new_id, random_token, token_hash};

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct UserView {
    /// The user's id.
    pub id: String,
    /// The sign-in name.
    pub username: String,
    /// The name shown on pages.
    pub display_name: String,
    /// The role.
    pub role: Role,
    /// Bound store (store staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Bound region (caseworkers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// Bound work unit (unit coordinators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
}

impl UserView {
    pub(crate) fn from_model(model: &user::Model) -> AppResult<Self> {
        let role = model
            .role
            .parse()
            .map_err(|()| AppError::internal(format!("user {} has unknown role", model.id)))?;
        Ok(Self {
            id: model.id.clone(),
            username: model.username.clone(),
            display_name: model.display_name.clone(),
            role,
            store_id: model.store_id.clone(),
            region_code: model.region_code.clone(),
            unit_id: model.unit_id.clone(),
        })
    }

    fn claims(&self) -> Claims {
        Claims {
            sub: self.id.clone(),
            name: self.username.clone(),
            role: self.role,
            store_id: self.store_id.clone(),
            region_code: self.region_code.clone(),
            unit_id: self.unit_id.clone(),
            iat: 0,
            exp: 0,
            iss: String::new(),
            typ: String::new(),
        }
    }
}

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

/// Finds a user by id.
pub async fn find_user(db: &DatabaseConnection, id: &str) -> AppResult<UserView> {
    let model = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("该用户"))?;
    UserView::from_model(&model)
}

/// What it takes to create a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name: 3–32 of `a-z 0-9 _ . -`.
    pub username: String,
    /// Shown on pages; defaults to the username.
    pub display_name: Option<String>,
    /// At least 8 characters.
    pub password: String,
    /// The role.
    pub role: Role,
    /// Required for store staff.
    pub store_id: Option<String>,
    /// Required for caseworkers.
    pub region_code: Option<String>,
    /// Required for unit coordinators.
    pub unit_id: Option<String>,
}

/// Creates a user after checking the name, the password and the role's binding.
#[tracing::instrument(skip_all, fields(role = %new.role))]
/// `actor` is who makes it: an admin's id, `cli`, `seed`, or the new donor's own sign-up
/// (`self`).
pub async fn create_user(
    db: &DatabaseConnection,
    actor: &str,
    new: NewUser,
) -> AppResult<UserView> {
    let mut errors = Vec::new();
    let username = new.username.trim().to_owned();
    if !valid_username(&username) {
        errors.push(FieldError::new(
            "username",
            "用户名须为 3–32 个字符，只能包含小写字母、数字、下划线、点和连字符",
        ));
    }
    let display_name = new
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&username)
        .to_owned();
    if display_name.chars().count() > 64 || display_name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "display_name",
            "显示名称不能超过 64 个字符，且不能含控制字符",
        ));
    }
    if let Err(message) = password::check_strength(&new.password) {
        errors.push(FieldError::new("password", message));
    }
    let binding_errors = check_binding(db, &new).await?;
    errors.extend(binding_errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let phc = password::hash_async(new.password.clone()).await?;
    let txn = db::begin_write(db).await?;
    let taken = user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(format!("用户名 {username} 已被使用")));
    }
    let model = user::ActiveModel {
        id: Set(new_id()),
        display_name: Set(display_name),
        username: Set(username),
        password_hash: Set(phc),
        role: Set(new.role.as_str().to_owned()),
        store_id: Set(new.store_id.clone()),
        region_code: Set(new.region_code.clone()),
        unit_id: Set(new.unit_id.clone()),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let actor = if actor == "self" {
        model.id.as_str()
    } else {
        actor
    };
    let detail = format!("创建用户 {}（{}）", model.username, new.role.label());
    crate::audit::record(&txn, actor, "user.create", &model.id, &detail).await?;
    txn.commit().await?;
    UserView::from_model(&model)
}

fn valid_username(name: &str) -> bool {
    (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
}

async fn check_binding(db: &DatabaseConnection, new: &NewUser) -> AppResult<Vec<FieldError>> {
    use crate::reference::entities::{region, store, work_unit};
    let mut errors = Vec::new();
    let wanted = new.role.binding();
    let given = [
        (Binding::Store, "store_id", new.store_id.as_deref()),
        (Binding::Region, "region_code", new.region_code.as_deref()),
        (Binding::Unit, "unit_id", new.unit_id.as_deref()),
    ];
    for (binding, field, value) in given {
        match (wanted == Some(binding), value) {
            (true, None) => errors.push(FieldError::new(
                field,
                format!("{}必须绑定{}", new.role.label(), binding_label(binding)),
            )),
            (false, Some(_)) => errors.push(FieldError::new(
                field,
                format!("{}不能绑定{}", new.role.label(), binding_label(binding)),
            )),
            (true, Some(id)) => {
                let exists = match binding {
                    Binding::Store => store::Entity::find_by_id(id).one(db).await?.is_some(),
                    Binding::Region => region::Entity::find_by_id(id).one(db).await?.is_some(),
                    Binding::Unit => work_unit::Entity::find_by_id(id).one(db).await?.is_some(),
                };
                if !exists {
                    errors.push(FieldError::new(
                        field,
                        format!("{}不存在：{id}", binding_label(binding)),
                    ));
                }
            }
            (false, None) => {}
        }
    }
    Ok(errors)
}

fn binding_label(binding: Binding) -> &'static str {
    match binding {
        Binding::Store => "阳光超市",
        Binding::Region => "行政区域",
        Binding::Unit => "捐赠单位",
    }
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

#[cfg(test)]
mod tests {
    use super::valid_username;

    #[test]
    fn usernames_are_plain_and_bounded() {
        assert!(valid_username("finance_01"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("Admin"));
        assert!(!valid_username("张三"));
        assert!(!valid_username(&"a".repeat(33)));
    }
}
