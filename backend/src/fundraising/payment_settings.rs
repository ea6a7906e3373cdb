//! Where donors pay (收款账户): the account every pledge and staff list is paid into,
//! with the reference code written in the transfer's note (附言) so that finance can
//! match it. An admin edits them; every change is audited.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::payment_setting;
use crate::db;
use crate::error::{AppError, AppResult, FieldError};

/// The most lines of other channels.
const MAX_CHANNELS: usize = 5;

/// How to pay, as pages and phone clients show it.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PaymentSettings {
    /// Whether an admin has set the account; when not, pages say to ask the federation.
    pub configured: bool,
    /// 户名.
    pub account_name: String,
    /// 开户行.
    pub bank_name: String,
    /// 账号, digits only.
    pub account_number: String,
    /// Other ways to give, one sentence each.
    pub other_channels: Vec<String>,
    /// When they were last changed.
    pub updated_at: Option<chrono::DateTime<Utc>>,
}

impl PaymentSettings {
    /// The account number in groups of four, as it is read aloud and typed.
    pub fn account_number_grouped(&self) -> String {
        let digits: Vec<char> = self.account_number.chars().collect();
        digits
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl From<payment_setting::Model> for PaymentSettings {
    fn from(m: payment_setting::Model) -> Self {
        Self {
            configured: !m.account_number.is_empty(),
            other_channels: m
                .other_channels
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            account_name: m.account_name,
            bank_name: m.bank_name,
            account_number: m.account_number,
            updated_at: m.updated_at,
        }
    }
}

/// New payment details from an admin.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PaymentSettingsInput {
    /// 户名, 2–100 characters.
    pub account_name: String,
    /// 开户行, 2–100 characters.
    pub bank_name: String,
    /// 账号: 8–30 digits (spaces and dashes are dropped).
    pub account_number: String,
    /// Other ways to give: at most 5 lines of up to 100 characters.
    #[serde(default)]
    pub other_channels: Vec<String>,
}

/// The payment details (never an error for a fresh database: the row is made by its
/// migration).
pub async fn get(db: &DatabaseConnection) -> AppResult<PaymentSettings> {
    Ok(payment_setting::Entity::find_by_id(1)
        .one(db)
        .await?
        .map(PaymentSettings::from)
        .unwrap_or_default())
}

/// Checks the input: each field's problem, or the cleaned values.
fn check(input: &PaymentSettingsInput) -> Result<(String, String, String, String), AppError> {
    let mut errors = Vec::new();
    let text = |field: &str, value: &str, errors: &mut Vec<FieldError>, what: &str| {
        let value = value.trim().to_owned();
        if let Err(message) = crate::kernel::text::typed(what, &value, 2..=100) {
            errors.push(FieldError::new(field, message));
        }
        value
    };
    let account_name = text("account_name", &input.account_name, &mut errors, "户名");
    let bank_name = text("bank_name", &input.bank_name, &mut errors, "开户行");
    let number: String = input
        .account_number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    if !(8..=30).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_digit()) {
        errors.push(FieldError::new("account_number", "账号须为 8–30 位数字"));
    }
    let lines: Vec<String> = input
        .other_channels
        .iter()
        .flat_map(|l| l.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if lines.len() > MAX_CHANNELS {
        errors.push(FieldError::new(
            "other_channels",
            format!("其他捐款方式最多 {MAX_CHANNELS} 行"),
        ));
    } else if let Some(Err(message)) = lines
        .iter()
        .map(|l| crate::kernel::text::typed("其他捐款方式每行", l, 1..=100))
        .find(Result::is_err)
    {
        errors.push(FieldError::new("other_channels", message));
    }
    if errors.is_empty() {
        Ok((account_name, bank_name, number, lines.join("\n")))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Replaces the payment details; audited in the same transaction.
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    by: &str,
    input: &PaymentSettingsInput,
) -> AppResult<PaymentSettings> {
    let (account_name, bank_name, account_number, other_channels) = check(input)?;
    let txn = db::begin_write(db).await?;
    let now = Utc::now();
    let model = payment_setting::ActiveModel {
        id: Set(1),
        account_name: Set(account_name),
        bank_name: Set(bank_name),
        account_number: Set(account_number),
        other_channels: Set(other_channels),
        updated_at: Set(Some(now)),
        updated_by: Set(Some(by.to_owned())),
    }
    .update(&txn)
    .await?;
    let detail = format!(
        "修改收款账户：户名 {}，开户行 {}，账号 {}",
        model.account_name, model.bank_name, model.account_number
    );
    crate::audit::record(
        &txn,
        by,
        "payment_settings.update",
        "payment_settings",
        &detail,
    )
    .await?;
    txn.commit().await?;
    Ok(model.into())
}

/// Believable demo details, set only where none were.
pub async fn seed_demo(db: &DatabaseConnection) -> AppResult<()> {
    if get(db).await?.configured {
        return Ok(());
    }
    let demo = PaymentSettingsInput {
        account_name: "吉林市慈善总会".into(),
        bank_name: "中国工商银行吉林市分行营业部".into(),
        account_number: "0802020009024567891".into(),
        other_channels: vec![
            "现场捐款：工作日 8:30–16:30 到吉林市慈善总会财务室办理，当场开具收据".into(),
            "单位集中捐款：按名单合计一次汇出，附言填写汇款编号".into(),
        ],
    };
    update(db, "seed", &demo).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_number_is_digits_and_shown_in_groups_of_four() {
        let input = PaymentSettingsInput {
            account_name: "吉林市慈善总会".into(),
            bank_name: "中国工商银行吉林市分行营业部".into(),
            account_number: "0802 0200-0902 4567 891".into(),
            other_channels: vec![],
        };
        let (_, _, number, _) = check(&input).expect("valid");
        assert_eq!(number, "0802020009024567891");
        let shown = PaymentSettings {
            account_number: number,
            ..PaymentSettings::default()
        };
        assert_eq!(shown.account_number_grouped(), "0802 0200 0902 4567 891");
        let bad = PaymentSettingsInput {
            account_number: "62x2".into(),
            account_name: "x".into(),
            ..input
        };
        let Err(AppError::Validation(errors)) = check(&bad) else {
            panic!("refused")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["account_name", "account_number"]);
    }
}
