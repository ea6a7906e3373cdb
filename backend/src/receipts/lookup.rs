//! Finding receipts: what a receipt's QR code tells anyone, who may download one, a
//! pledge's receipts, the payments still awaiting one and the latest issued.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use super::entity as receipt;
use crate::error::AppResult;
use crate::fundraising::entities::{donor, payment, pledge};

/// What anyone holding a receipt's QR code may learn of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// `JLCS-2026-000123`.
    pub number: String,
    /// Live (not voided).
    pub valid: bool,
    /// Voided.
    pub voided: bool,
    /// Fen.
    pub amount_fen: i64,
    /// The day it was issued.
    pub issued_on: chrono::NaiveDate,
    /// The donor, masked (`张*明`).
    pub donor_masked: String,
    /// Why a voided receipt was voided, as the public may read it: `款项冲正` (the money
    /// was returned or corrected), `换开` (replaced by a new receipt) or `作废`.
    pub voided_because: Option<String>,
    /// The day the money arrived (到账日期).
    pub received_on: Option<chrono::NaiveDate>,
    /// The number of the receipt this one replaces (换开).
    pub replaces_number: Option<String>,
    /// The number of the receipt that replaced this voided one.
    pub replaced_by_number: Option<String>,
    /// The verification page of that replacement (`/verify/…`).
    pub replaced_by_link: Option<String>,
}

/// The public cause of a void: the reason finance typed may name people, so only its kind.
fn public_cause(r: &receipt::Model) -> Option<String> {
    (r.status == "voided").then(|| {
        let reason = r.void_reason.as_deref().unwrap_or_default();
        if reason == super::service::VOIDED_BY_REVERSAL {
            super::service::VOIDED_BY_REVERSAL.to_owned()
        } else if reason.starts_with("换开") {
            "换开".to_owned()
        } else {
            "作废".to_owned()
        }
    })
}

/// Verifies a receipt by its token.
pub async fn verify(db: &DatabaseConnection, token: &str) -> AppResult<Option<Verification>> {
    if token.len() > 64 {
        return Ok(None);
    }
    let found = receipt::Entity::find()
        .filter(receipt::Column::VerifyToken.eq(token))
        .one(db)
        .await?;
    match found {
        Some(r) => Ok(Some(verification(db, r).await?)),
        None => Ok(None),
    }
}

/// Verifies a receipt by the short code printed under its QR code. `Err` with a field
/// error when the code cannot be one (its check character is wrong).
pub async fn verify_code(db: &DatabaseConnection, typed: &str) -> AppResult<Option<Verification>> {
    let Some(code) = super::code::parse(typed) else {
        return Err(crate::error::AppError::field(
            "code",
            "核验码应为 10 位字母或数字（如 7K3QD-M2X9P），请核对后重新输入",
        ));
    };
    let found = receipt::Entity::find()
        .filter(receipt::Column::VerifyCode.eq(code))
        .one(db)
        .await?;
    match found {
        Some(r) => Ok(Some(verification(db, r).await?)),
        None => Ok(None),
    }
}

async fn verification(db: &DatabaseConnection, r: receipt::Model) -> AppResult<Verification> {
    let replaces_number = match &r.replaces_id {
        Some(id) => receipt::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|old| old.number),
        None => None,
    };
    let replacement = if r.status == "voided" {
        use sea_orm::QueryOrder;
        receipt::Entity::find()
            .filter(receipt::Column::ReplacesId.eq(r.id.clone()))
            .order_by_desc(receipt::Column::Id)
            .one(db)
            .await?
    } else {
        None
    };
    let donor_masked = if acknowledges_a_person(db, &r).await? {
        mask_person(&r.donor_name)
    } else {
        mask_name(&r.donor_name)
    };
    Ok(Verification {
        voided_because: public_cause(&r),
        valid: r.status == "live",
        voided: r.status == "voided",
        donor_masked,
        number: r.number,
        amount_fen: r.amount_fen,
        issued_on: r.issued_on,
        received_on: r.received_on,
        replaces_number,
        replaced_by_number: replacement.as_ref().map(|n| n.number.clone()),
        replaced_by_link: replacement.map(|n| format!("/verify/{}", n.verify_token)),
    })
}

/// The staff of the list a receipt's payment paid for, as (name, amount in fen), in the
/// list's order; anonymous staff as 匿名. `None` when the payment is not a staff list's.
pub async fn staff_rows(
    db: &DatabaseConnection,
    r: &receipt::Model,
) -> AppResult<Option<Vec<(String, i64)>>> {
    use sea_orm::QueryOrder;
    let Some(payment_id) = &r.payment_id else {
        return Ok(None);
    };
    let Some(pay) = payment::Entity::find_by_id(payment_id).one(db).await? else {
        return Ok(None);
    };
    let Some(roster_id) = pay.roster_id else {
        return Ok(None);
    };
    let staff = pledge::Entity::find()
        .filter(pledge::Column::RosterId.eq(roster_id))
        .order_by_asc(pledge::Column::Id)
        .all(db)
        .await?;
    let mut names = std::collections::HashMap::new();
    let donor_ids: Vec<String> = staff.iter().map(|p| p.donor_id.clone()).collect();
    for chunk in donor_ids.chunks(1_000) {
        for d in donor::Entity::find()
            .filter(donor::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(name) = d.name {
                names.insert(d.id, name);
            }
        }
    }
    Ok(Some(
        staff
            .into_iter()
            .map(|p| {
                let name = names
                    .get(&p.donor_id)
                    .cloned()
                    .unwrap_or_else(|| "匿名".into());
                (name, p.amount_fen)
            })
            .collect(),
    ))
}

/// Whether a receipt acknowledges an individual's gift (a staff list's is its unit's).
async fn acknowledges_a_person(db: &DatabaseConnection, r: &receipt::Model) -> AppResult<bool> {
    let Some(payment_id) = &r.payment_id else {
        return Ok(false);
    };
    let Some(pledge_id) = payment::Entity::find_by_id(payment_id)
        .one(db)
        .await?
        .and_then(|p| p.pledge_id)
    else {
        return Ok(false);
    };
    let Some(p) = pledge::Entity::find_by_id(pledge_id).one(db).await? else {
        return Ok(false);
    };
    Ok(donor::Entity::find_by_id(&p.donor_id)
        .one(db)
        .await?
        .is_some_and(|d| d.kind == "individual"))
}

/// A person's name masked for the public whatever its length: `张*明`, `李*`, `欧**明`,
/// and from five characters (复姓 and minority names) the first two: `欧阳***`.
pub fn mask_person(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 5 {
        return mask_name(name);
    }
    format!("{}{}***", chars[0], chars[1])
}

/// A person's name masked for the public: `张*明`, `李*`; longer names (organisations)
/// keep their first two and last two characters.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        3 => format!("{}*{}", chars[0], chars[2]),
        4 => format!("{}**{}", chars[0], chars[3]),
        n => format!(
            "{}{}***{}{}",
            chars[0],
            chars[1],
            chars[n - 2],
            chars[n - 1]
        ),
    }
}

/// Whether this user may download this receipt: finance, admin, auditor, or the donor
/// who holds the pledge's link token or owns the pledge.
pub async fn donor_may_download(
    db: &DatabaseConnection,
    r: &receipt::Model,
    pledge_token: Option<&str>,
    user_id: Option<&str>,
) -> AppResult<bool> {
    let Some(payment_id) = &r.payment_id else {
        return Ok(false);
    };
    let Some(pay) = payment::Entity::find_by_id(payment_id).one(db).await? else {
        return Ok(false);
    };
    let Some(pledge_id) = &pay.pledge_id else {
        return Ok(false);
    };
    let Some(p) = pledge::Entity::find_by_id(pledge_id).one(db).await? else {
        return Ok(false);
    };
    if pledge_token.is_some_and(|t| crate::ids::token_hash(t) == p.access_token_hash) {
        return Ok(true);
    }
    if let Some(user_id) = user_id {
        let d = donor::Entity::find_by_id(&p.donor_id).one(db).await?;
        return Ok(d.and_then(|d| d.user_id).as_deref() == Some(user_id));
    }
    Ok(false)
}

/// The live receipts of a pledge's payments.
pub async fn for_pledge(
    db: &DatabaseConnection,
    pledge_id: &str,
) -> AppResult<Vec<receipt::Model>> {
    let payments: Vec<String> = payment::Entity::find()
        .filter(payment::Column::PledgeId.eq(pledge_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if payments.is_empty() {
        return Ok(Vec::new());
    }
    Ok(receipt::Entity::find()
        .filter(receipt::Column::PaymentId.is_in(payments))
        .all(db)
        .await?)
}

/// A payment whose donor asked for a receipt that is not issued yet.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The payment.
    pub payment_id: String,
    /// Fen.
    pub amount_fen: i64,
    /// The title to print.
    pub title: String,
    /// When the money arrived.
    pub received_on: chrono::NaiveDate,
}

/// Matched payments of pledges that asked for a receipt, not reversed, and with no live
/// receipt (oldest first): two queries, whatever the history.
pub async fn pending(db: &DatabaseConnection, limit: u64) -> AppResult<Vec<Pending>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let requested = Query::select()
        .column(pledge::Column::Id)
        .from(pledge::Entity)
        .and_where(Expr::col(pledge::Column::ReceiptRequested).eq(true))
        .to_owned();
    let reversed = Query::select()
        .column(payment::Column::ReversesId)
        .from(payment::Entity)
        .and_where(Expr::col(payment::Column::ReversesId).is_not_null())
        .to_owned();
    let receipted = Query::select()
        .column(receipt::Column::PaymentId)
        .from(receipt::Entity)
        .and_where(Expr::col(receipt::Column::Status).eq("live"))
        .and_where(Expr::col(receipt::Column::PaymentId).is_not_null())
        .to_owned();
    let payments = payment::Entity::find()
        .filter(payment::Column::PledgeId.in_subquery(requested))
        .filter(payment::Column::ReversesId.is_null())
        .filter(payment::Column::AmountFen.gt(0))
        .filter(payment::Column::Id.not_in_subquery(reversed))
        .filter(payment::Column::Id.not_in_subquery(receipted))
        .order_by_asc(payment::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let pledge_ids: Vec<String> = payments
        .iter()
        .filter_map(|p| p.pledge_id.clone())
        .collect();
    let titles: std::collections::HashMap<String, Option<String>> = pledge::Entity::find()
        .filter(pledge::Column::Id.is_in(pledge_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.receipt_title))
        .collect();
    Ok(payments
        .into_iter()
        .map(|pay| Pending {
            title: pay
                .pledge_id
                .as_ref()
                .and_then(|id| titles.get(id).cloned().flatten())
                .unwrap_or_else(|| "爱心人士".into()),
            payment_id: pay.id,
            amount_fen: pay.amount_fen,
            received_on: pay.received_on,
        })
        .collect())
}

/// The newest receipts.
pub async fn recent(db: &DatabaseConnection, limit: u64) -> AppResult<Vec<receipt::Model>> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(receipt::Entity::find()
        .order_by_desc(receipt::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// A page of receipts, newest first: `live` or `voided` only if asked, and those whose
/// number or donor holds `q`. With the count of all that match.
pub async fn page(
    db: &DatabaseConnection,
    status: Option<&str>,
    q: Option<&str>,
    page: u64,
    per_page: u64,
) -> AppResult<(Vec<receipt::Model>, u64)> {
    use sea_orm::{Condition, PaginatorTrait, QueryOrder};
    let mut select = receipt::Entity::find().order_by_desc(receipt::Column::Id);
    if let Some(status) = status {
        select = select.filter(receipt::Column::Status.eq(status));
    }
    if let Some(q) = q {
        select = select.filter(
            Condition::any()
                .add(receipt::Column::Number.contains(q))
                .add(receipt::Column::DonorName.contains(q)),
        );
    }
    let pages = select.paginate(db, per_page);
    let total = pages.num_items().await?;
    Ok((pages.fetch_page(page).await?, total))
}

#[cfg(test)]
mod tests {
    use super::{mask_name, mask_person};

    #[test]
    fn names_are_masked_for_the_public() {
        assert_eq!(mask_name("张小明"), "张*明");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("吉林市示例化工有限公司"), "吉林***公司");
        assert_eq!(mask_person("欧阳娜娜子"), "欧阳***");
        assert_eq!(mask_person("阿依古丽·买买提"), "阿依***");
        assert_eq!(mask_person("张小明"), "张*明");
    }
}
