//! Identity operations: users and their accounts; sessions are in `sessions` (re-exported
//! here). Each operation is one transaction.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use utoipa::ToSchema;

use super::entities::user;
pub use super::sessions::{Session, login, logout, refresh};
use super::tokens::Claims;
use super::{Binding, Role, password};
use crate::db;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::new_id;

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

    pub(super) fn claims(&self) -> Claims {
        Claims {
            sub: self.id.clone(),
            name: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            store_id: self.store_id.clone(),
            region_code: self.region_code.clone(),
            unit_id: self.unit_id.clone(),
            iat: 0,
            exp: 0,
            iss: String::new(),
            typ: String::new(),
            sid: None,
        }
    }
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
    if let Err(message) = crate::kernel::text::typed("显示名称", &display_name, 1..=64) {
        errors.push(FieldError::new("display_name", message));
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
        failed_logins: Set(0),
        locked_until: Set(None),
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
