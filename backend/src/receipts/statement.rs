//! The yearly statement (年度捐赠汇总): a signed-up donor's gifts and receipts of one year.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use printpdf::{Mm, PdfDocument, PdfPage};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::drawing::{Page, rgb, save};
use super::entity as receipt;
use super::fonts::fonts;
use crate::error::{AppError, AppResult};
use crate::fundraising::entities::{campaign, donor, payment, pledge};
use crate::kernel::Fen;

/// One line of the statement.
struct Line {
    day: String,
    campaign: String,
    amount_fen: i64,
    receipt: String,
}

/// The statement of `user_id`'s gifts whose money arrived in `year`, as a PDF.
pub async fn render(
    db: &DatabaseConnection,
    user_id: &str,
    display_name: &str,
    year: i32,
) -> AppResult<Vec<u8>> {
    let lines = lines(db, user_id, year).await?;
    let name = display_name.to_owned();
    super::render(move || draw(&name, year, &lines)).await?
}

/// What the statement of `user_id`'s `year` adds up to: the sum of its lines.
pub async fn total(db: &DatabaseConnection, user_id: &str, year: i32) -> AppResult<i64> {
    Ok(lines(db, user_id, year)
        .await?
        .iter()
        .map(|l| l.amount_fen)
        .sum())
}

/// The first year a statement can be asked for.
pub const FIRST_YEAR: i32 = 2000;
/// The last year a statement can be asked for.
pub const LAST_YEAR: i32 = 2100;

/// Every payment (and reversal) of the year to the pledges of the user's donors, by the
/// day it arrived: the whole year, whatever the number, since the total is printed.
async fn lines(db: &DatabaseConnection, user_id: &str, year: i32) -> AppResult<Vec<Line>> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(AppError::field("year", "年份不正确"));
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(AppError::field("year", "年份不正确"));
    }
    let donors = Query::select()
        .column(donor::Column::Id)
        .from(donor::Entity)
        .and_where(Expr::col(donor::Column::UserId).eq(user_id))
        .to_owned();
    let pledges = Query::select()
        .column(pledge::Column::Id)
        .from(pledge::Entity)
        .and_where(Expr::col(pledge::Column::DonorId).in_subquery(donors))
        .to_owned();
    let payments = payment::Entity::find()
        .filter(payment::Column::PledgeId.in_subquery(pledges.clone()))
        .filter(payment::Column::ReceivedOn.between(first, last))
        .order_by_asc(payment::Column::ReceivedOn)
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?;
    if payments.is_empty() {
        return Ok(Vec::new());
    }
    let of_year = Query::select()
        .column(payment::Column::Id)
        .from(payment::Entity)
        .and_where(Expr::col(payment::Column::PledgeId).in_subquery(pledges))
        .and_where(Expr::col(payment::Column::ReceivedOn).between(first, last))
        .to_owned();
    let receipts: HashMap<String, String> = receipt::Entity::find()
        .filter(receipt::Column::PaymentId.in_subquery(of_year))
        .filter(receipt::Column::Status.eq("live"))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.payment_id.map(|p| (p, r.number)))
        .collect();
    let campaign_ids: BTreeSet<&String> = payments
        .iter()
        .filter_map(|p| p.campaign_id.as_ref())
        .collect();
    let campaigns: HashMap<String, String> = campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(campaign_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(payments
        .into_iter()
        .map(|p| Line {
            day: p.received_on.to_string(),
            campaign: p
                .campaign_id
                .and_then(|id| campaigns.get(&id).cloned())
                .unwrap_or_default(),
            amount_fen: p.amount_fen,
            receipt: receipts
                .get(&p.id)
                .cloned()
                .unwrap_or_else(|| "—".to_owned()),
        })
        .collect())
}

fn draw(name: &str, year: i32, lines: &[Line]) -> AppResult<Vec<u8>> {
    const WIDTH: f32 = 210.0;
    const HEIGHT: f32 = 297.0;
    const PER_PAGE: usize = 30;
    let face = fonts()?.for_text(
        std::iter::once(name).chain(
            lines
                .iter()
                .flat_map(|l| [l.day.as_str(), &l.campaign, &l.receipt]),
        ),
    );
    let mut doc = PdfDocument::new(&format!("{year}年度捐赠汇总"));
    let font = doc.add_font(&face.font);
    let ink = rgb(0.1, 0.1, 0.12);
    let grey = rgb(0.4, 0.42, 0.45);
    let red = rgb(0.8, 0.1, 0.1);
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let chunks: Vec<&[Line]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(PER_PAGE).collect()
    };
    let pages_total = chunks.len();
    let mut pages = Vec::new();
    for (index, chunk) in chunks.into_iter().enumerate() {
        let mut page = Page::new(face.clone(), font.clone());
        page.centred(
            WIDTH / 2.0,
            HEIGHT - 25.0,
            20.0,
            red.clone(),
            &format!("{year}年度捐赠汇总"),
        );
        page.centred(
            WIDTH / 2.0,
            HEIGHT - 33.0,
            10.0,
            grey.clone(),
            "吉林市慈善总会",
        );
        page.text(
            20.0,
            HEIGHT - 45.0,
            12.0,
            ink.clone(),
            &format!("捐赠人：{name}"),
        );
        page.text(
            120.0,
            HEIGHT - 45.0,
            12.0,
            ink.clone(),
            &format!("全年合计：{}", Fen(total).display()),
        );
        let mut y = HEIGHT - 58.0;
        for (x, label) in [
            (20.0, "到账日期"),
            (50.0, "募捐活动"),
            (125.0, "金额"),
            (155.0, "收据号码"),
        ] {
            page.text(x, y, 10.0, grey.clone(), label);
        }
        page.line(
            18.0,
            y - 2.5,
            WIDTH - 18.0,
            y - 2.5,
            rgb(0.75, 0.35, 0.2),
            0.8,
        );
        y -= 9.0;
        for line in chunk {
            page.text(20.0, y, 10.0, ink.clone(), &line.day);
            page.text(
                50.0,
                y,
                10.0,
                ink.clone(),
                &line.campaign.chars().take(18).collect::<String>(),
            );
            page.text(125.0, y, 10.0, ink.clone(), &Fen(line.amount_fen).display());
            page.text(155.0, y, 10.0, ink.clone(), &line.receipt);
            y -= 7.5;
        }
        if lines.is_empty() {
            page.text(20.0, y, 11.0, grey.clone(), "本年度没有到账的捐赠。");
        }
        page.text(
            20.0,
            20.0,
            9.0,
            grey.clone(),
            &format!("合计金额（大写）：人民币{}", Fen(total).capitals()),
        );
        page.text(
            WIDTH - 40.0,
            20.0,
            9.0,
            grey.clone(),
            &format!("第 {} / {} 页", index + 1, pages_total),
        );
        pages.push(PdfPage::new(Mm(WIDTH), Mm(HEIGHT), page.ops));
    }
    save(doc.with_pages(pages))
}
