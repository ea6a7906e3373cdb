//! Work units (单位) and their sub-units, as coordinators and admins manage them.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, FieldError};
use crate::identity::Role;
use crate::identity::tokens::Claims;
use crate::ids::new_id;
use crate::reference::entities::{region, work_unit};

/// A unit as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The unit it belongs to.
    pub parent_id: Option<String>,
    /// Its district or county.
    pub region_code: Option<String>,
    /// Its 统一社会信用代码, printed on its staff lists' receipts.
    pub credit_code: Option<String>,
}

impl From<work_unit::Model> for UnitView {
    fn from(u: work_unit::Model) -> Self {
        Self {
            id: u.id,
            name: u.name,
            parent_id: u.parent_id,
            region_code: u.region_code,
            credit_code: u.credit_code,
        }
    }
}

/// A new unit or sub-unit.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewUnit {
    /// 1–100 characters, unique under its parent.
    pub name: String,
    /// The parent, for a sub-unit such as a union branch (分工会).
    pub parent_id: Option<String>,
    /// Its district or county (inherited from the parent when absent).
    pub region_code: Option<String>,
    /// Its 统一社会信用代码 (18 characters, check character verified), printed on the
    /// receipts of its staff lists.
    #[serde(default)]
    pub credit_code: Option<String>,
}

/// The units a user may see: all for admins, finance and auditors; a coordinator's own
/// unit and its sub-units.
pub async fn visible(db: &DatabaseConnection, user: &Claims) -> AppResult<Vec<UnitView>> {
    let mut query = work_unit::Entity::find()
        .order_by_asc(work_unit::Column::Id)
        .limit(1000);
    match user.role {
        Role::Admin | Role::Finance | Role::Auditor => {}
        Role::UnitCoordinator => {
            let mine = user.unit_id.clone().unwrap_or_default();
            query = query.filter(
                Condition::any()
                    .add(work_unit::Column::Id.eq(mine.clone()))
                    .add(work_unit::Column::ParentId.eq(mine)),
            );
        }
        _ => return Err(AppError::Forbidden),
    }
    Ok(query.all(db).await?.into_iter().map(Into::into).collect())
}

/// Creates a unit (admins) or a sub-unit of the coordinator's own unit.
pub async fn create(db: &DatabaseConnection, user: &Claims, new: NewUnit) -> AppResult<UnitView> {
    let name = new.name.trim().to_owned();
    let mut errors = Vec::new();
    if let Err(message) = crate::kernel::text::typed("单位名称", &name, 1..=100) {
        errors.push(FieldError::new("name", message));
    }
    let credit_code = match new.credit_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => match crate::kernel::CreditCode::parse(code) {
            Ok(code) => Some(code.as_str().to_owned()),
            Err(message) => {
                errors.push(FieldError::new("credit_code", message));
                None
            }
        },
    };
    let parent = match &new.parent_id {
        Some(id) => Some(
            work_unit::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::field("parent_id", "上级单位不存在"))?,
        ),
        None => None,
    };
    match user.role {
        Role::Admin => {}
        Role::UnitCoordinator
            if parent
                .as_ref()
                .is_some_and(|p| Some(&p.id) == user.unit_id.as_ref()) => {}
        Role::UnitCoordinator => return Err(AppError::Forbidden),
        _ => return Err(AppError::Forbidden),
    }
    let region_code = match new
        .region_code
        .or_else(|| parent.as_ref().and_then(|p| p.region_code.clone()))
    {
        Some(code) => match region::Entity::find_by_id(&code).one(db).await? {
            Some(r) if r.level == 2 => Some(r.code),
            _ => {
                errors.push(FieldError::new("region_code", "请选择吉林市的县(市)区"));
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    let model = work_unit::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        parent_id: Set(parent.map(|p| p.id)),
        region_code: Set(region_code),
        is_demo: Set(false),
        created_at: Set(Utc::now()),
        credit_code: Set(credit_code),
    }
    .insert(&txn)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict("同一上级下已有同名单位".into()),
        other => other,
    })?;
    txn.commit().await?;
    Ok(model.into())
}
