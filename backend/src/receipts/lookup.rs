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
    let Some(r) = found else {
        return Ok(None);
    };
    let masked = if acknowledges_a_person(db, &r).await? {
        mask_person(&r.donor_name)
    } else {
        mask_name(&r.donor_name)
    };
    Ok(Some(Verification {
        voided_because: public_cause(&r),
        valid: r.status == "live",
        voided: r.status == "voided",
        number: r.number,
        amount_fen: r.amount_fen,
        issued_on: r.issued_on,
        donor_masked: masked,
    }))
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
