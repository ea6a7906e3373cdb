//! The yearly statement (年度捐赠汇总): a signed-up donor's gifts and receipts of one year.

use chrono::Datelike;
use printpdf::{Mm, PdfDocument, PdfPage};
use sea_orm::DatabaseConnection;

use super::drawing::{Page, rgb, save};
use super::fonts::fonts;
use crate::error::{AppError, AppResult};
use crate::fundraising::pledges;
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
    if !(2000..=2100).contains(&year) {
        return Err(AppError::field("year", "年份不正确"));
    }
    let gifts = pledges::of_user(db, user_id).await?;
    let mut lines = Vec::new();
    for gift in &gifts {
        let receipts = super::service::for_pledge(db, &gift.id).await?;
        for payment in gift
            .payments
            .iter()
            .filter(|p| p.received_on.year() == year)
        {
            let receipt = receipts
                .iter()
                .find(|r| {
                    r.payment_id.as_deref() == Some(payment.id.as_str()) && r.status == "live"
                })
                .map_or_else(|| "—".to_owned(), |r| r.number.clone());
            lines.push(Line {
                day: payment.received_on.to_string(),
                campaign: gift.campaign_name.clone(),
                amount_fen: payment.amount_fen,
                receipt,
            });
        }
    }
    lines.sort_by(|a, b| a.day.cmp(&b.day));
    let name = display_name.to_owned();
    tokio::task::spawn_blocking(move || draw(&name, year, &lines))
        .await
        .map_err(AppError::internal)?
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
    let font = doc.add_font(face.font);
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
        let mut page = Page::new(face, font.clone());
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
