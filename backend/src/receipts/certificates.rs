//! Certificates: made once per paid gift, numbered per year; a staff list's all at once.

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    FromQueryResult, IntoActiveModel, QueryFilter, QueryOrder,
};

use super::certificate::{self as certificate, Model as Certificate};
use crate::error::{AppError, AppResult};
use crate::fundraising::entities::{campaign, donor, pledge};
use crate::ids::new_id;

#[derive(FromQueryResult)]
struct Counter {
    last: i64,
}

/// Takes `count` numbers of the year at once; returns the first.
async fn take_numbers(txn: &DatabaseTransaction, year: i32, count: i64) -> AppResult<i64> {
    let table = Alias::new("certificate_counters");
    let seed = Query::insert()
        .into_table(table.clone())
        .columns([Alias::new("year"), Alias::new("last")])
        .values_panic([year.into(), 0i64.into()])
        .on_conflict(
            OnConflict::column(Alias::new("year"))
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    txn.execute(&seed).await?;
    let bump = Query::update()
        .table(table.clone())
        .value(Alias::new("last"), Expr::col(Alias::new("last")).add(count))
        .and_where(Expr::col(Alias::new("year")).eq(year))
        .to_owned();
    txn.execute(&bump).await?;
    let read = Query::select()
        .column(Alias::new("last"))
        .from(table)
        .and_where(Expr::col(Alias::new("year")).eq(year))
        .to_owned();
    let backend = txn.get_database_backend();
    let last = Counter::find_by_statement(backend.build(&read))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("certificate counter missing"))?
        .last;
    Ok(last - count + 1)
}

/// Makes the certificates the paid gifts lack, then returns them all, by number.
async fn ensure(txn: &DatabaseTransaction, gifts: &[pledge::Model]) -> AppResult<Vec<Certificate>> {
    let ids: Vec<String> = gifts.iter().map(|p| p.id.clone()).collect();
    let mut have: Vec<Certificate> = Vec::new();
    for chunk in ids.chunks(1_000) {
        have.extend(
            certificate::Entity::find()
                .filter(certificate::Column::PledgeId.is_in(chunk.to_vec()))
                .all(txn)
                .await?,
        );
    }
    // A certificate shows what was paid when it is downloaded: one made after a part of
    // the gift keeps its number and is made again, dated today, with the amount now paid.
    let today = crate::kernel::china_time::today();
    for c in &mut have {
        let Some(paid) = gifts
            .iter()
            .find(|p| p.id == c.pledge_id)
            .map(|p| p.paid_fen)
        else {
            continue;
        };
        if c.amount_fen != paid {
            certificate::Entity::update_many()
                .col_expr(certificate::Column::AmountFen, Expr::value(paid))
                .col_expr(certificate::Column::IssuedOn, Expr::value(today))
                .filter(certificate::Column::Id.eq(c.id.clone()))
                .exec(txn)
                .await?;
            c.amount_fen = paid;
            c.issued_on = today;
        }
    }
    let missing: Vec<&pledge::Model> = gifts
        .iter()
        .filter(|p| !have.iter().any(|c| c.pledge_id == p.id))
        .collect();
    if !missing.is_empty() {
        let year = today.year();
        let first =
            take_numbers(txn, year, i64::try_from(missing.len()).unwrap_or(i64::MAX)).await?;
        let names = donor_names(txn, &missing).await?;
        let campaigns = campaign_names(txn, &missing).await?;
        let made: Vec<Certificate> = missing
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let seq = first + i64::try_from(i).unwrap_or(0);
                Certificate {
                    id: new_id(),
                    number: format!("JLZS-{year}-{seq:06}"),
                    year,
                    seq,
                    pledge_id: p.id.clone(),
                    name: names
                        .get(&p.donor_id)
                        .cloned()
                        .unwrap_or_else(|| "爱心人士".into()),
                    amount_fen: p.paid_fen,
                    campaign_name: campaigns.get(&p.campaign_id).cloned().unwrap_or_default(),
                    issued_on: today,
                    created_at: Utc::now(),
                }
            })
            .collect();
        for chunk in made.chunks(1_000) {
            let rows = chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model);
            certificate::Entity::insert_many(rows)
                .exec_without_returning(txn)
                .await?;
        }
        have.extend(made);
    }
    have.sort_by_key(|c| (c.year, c.seq));
    Ok(have)
}

async fn donor_names(
    txn: &DatabaseTransaction,
    gifts: &[&pledge::Model],
) -> AppResult<HashMap<String, String>> {
    let ids: Vec<String> = gifts.iter().map(|p| p.donor_id.clone()).collect();
    let mut names = HashMap::new();
    for chunk in ids.chunks(1_000) {
        for d in donor::Entity::find()
            .filter(donor::Column::Id.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            if let Some(name) = d.name {
                names.insert(d.id, name);
            }
        }
    }
    Ok(names)
}

async fn campaign_names(
    txn: &DatabaseTransaction,
    gifts: &[&pledge::Model],
) -> AppResult<HashMap<String, String>> {
    let mut ids: Vec<String> = gifts.iter().map(|p| p.campaign_id.clone()).collect();
    ids.sort();
    ids.dedup();
    Ok(campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// The certificates of every paid gift on a staff list, made if need be.
pub async fn for_roster(db: &DatabaseConnection, roster_id: &str) -> AppResult<Vec<Certificate>> {
    let txn = crate::db::begin_write(db).await?;
    let gifts = pledge::Entity::find()
        .filter(pledge::Column::RosterId.eq(roster_id))
        .filter(pledge::Column::PaidFen.gt(0))
        .order_by_asc(pledge::Column::Id)
        .all(&txn)
        .await?;
    if gifts.is_empty() {
        return Err(AppError::Conflict(
            "名单的汇款到账后才能生成捐赠证书".into(),
        ));
    }
    let certificates = ensure(&txn, &gifts).await?;
    txn.commit().await?;
    Ok(certificates)
}

/// The certificate of one paid gift, made if need be.
pub async fn for_pledge(db: &DatabaseConnection, pledge_id: &str) -> AppResult<Certificate> {
    let txn = crate::db::begin_write(db).await?;
    let gift = pledge::Entity::find_by_id(pledge_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("该认捐"))?;
    if gift.paid_fen <= 0 {
        return Err(AppError::Conflict("捐款到账后才能生成捐赠证书".into()));
    }
    let certificate = ensure(&txn, std::slice::from_ref(&gift))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("certificate missing"))?;
    txn.commit().await?;
    Ok(certificate)
}
