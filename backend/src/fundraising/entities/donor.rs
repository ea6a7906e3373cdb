//! A donor (捐赠人): a person, an organisation, or anonymous. The 身份证号 is stored encrypted, with a keyed hash for look-up and a masked copy for display.

use sea_orm::entity::prelude::*;

/// A row of `donors`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "donors")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `individual`, `organization` or `anonymous`.
    pub kind: String,
    /// Name of the person or organisation.
    pub name: Option<String>,
    /// Phone (individuals).
    pub phone: Option<String>,
    /// The 身份证号, encrypted (AES-256-GCM, base64).
    pub id_number_cipher: Option<String>,
    /// HMAC-SHA256 of the 身份证号, hex, for finding the same donor again.
    pub id_number_hash: Option<String>,
    /// The 身份证号 masked (`2202**********1234`).
    pub id_number_masked: Option<String>,
    /// 统一社会信用代码 (organisations).
    pub credit_code: Option<String>,
    /// Contact person or number (organisations).
    pub contact: Option<String>,
    /// The account of a donor who signed up.
    pub user_id: Option<String>,
    /// When it was made.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
