//! Receipt PDFs: A5 landscape, one embedded CJK font (subset), the amount in figures
//! and capitals, a drawn seal, a QR code that opens the verification page, and the
//! 作废 and 副本 marks.

use printpdf::{Mm, PdfDocument, PdfPage};

use super::drawing::{Page, rgb, save};
use super::entity::Model as Receipt;
use super::fonts::fonts;
use crate::error::AppResult;
use crate::fundraising::payments::Channel;
use crate::kernel::Fen;

/// Parses and cuts the font ahead of the first document, so that nobody waits for it.
pub fn warm_up() {
    let started = std::time::Instant::now();
    if fonts().is_ok() {
        tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "document fonts ready"
        );
    }
}

const WIDTH: f32 = 210.0;
const HEIGHT: f32 = 148.0;

/// Renders a receipt. `copy` marks a duplicate download (副本).
pub fn render(r: &Receipt, verify_url: &str, copy: bool) -> AppResult<Vec<u8>> {
    let variable = [
        r.number.as_str(),
        &r.donor_name,
        r.donor_id_masked.as_deref().unwrap_or_default(),
        &r.campaign_name,
        &r.purpose,
        &r.handler_name,
        r.void_reason.as_deref().unwrap_or_default(),
    ];
    let face = fonts()?.for_text(variable);
    let mut doc = PdfDocument::new(&format!("捐赠票据 {}", r.number));
    let mut page = Page::new(face, doc.add_font(face.font));
    let ink = rgb(0.1, 0.1, 0.12);
    let grey = rgb(0.4, 0.42, 0.45);
    let red = rgb(0.8, 0.1, 0.1);
    let frame = rgb(0.75, 0.35, 0.2);

    page.rect(
        8.0,
        8.0,
        WIDTH - 16.0,
        HEIGHT - 16.0,
        None,
        Some((frame.clone(), 1.2)),
    );
    page.centred(
        WIDTH / 2.0,
        HEIGHT - 22.0,
        20.0,
        red.clone(),
        "公益事业捐赠票据",
    );
    page.centred(
        WIDTH / 2.0,
        HEIGHT - 29.0,
        9.5,
        grey.clone(),
        "吉林市慈善总会 · 慈善救助双日捐",
    );
    page.text(
        WIDTH - 68.0,
        HEIGHT - 18.0,
        10.0,
        red.clone(),
        &format!("No. {}", r.number),
    );
    let day = r.issued_on;
    page.text(
        WIDTH - 68.0,
        HEIGHT - 24.0,
        9.0,
        ink.clone(),
        &format!(
            "开票日期：{}年{}月{}日",
            chrono::Datelike::year(&day),
            chrono::Datelike::month(&day),
            chrono::Datelike::day(&day)
        ),
    );

    let left = 16.0;
    let right = WIDTH - 16.0;
    let mut y = HEIGHT - 40.0;
    page.line(left, y + 5.0, right, y + 5.0, frame.clone(), 0.8);
    let rows: Vec<(&str, String)> = vec![
        ("捐赠人", r.donor_name.clone()),
        (
            "证件号码",
            r.donor_id_masked.clone().unwrap_or_else(|| "—".into()),
        ),
        (
            "捐赠项目",
            if r.campaign_name.is_empty() {
                "慈善捐赠".into()
            } else {
                r.campaign_name.clone()
            },
        ),
        ("资金用途", r.purpose.clone()),
        ("捐赠方式", Channel::label(&r.channel).to_owned()),
        (
            "金额（大写）",
            format!("人民币{}", Fen(r.amount_fen).capitals()),
        ),
        ("金额（小写）", Fen(r.amount_fen).display()),
    ];
    for (label, value) in rows {
        page.text(left + 2.0, y - 1.5, 10.0, grey.clone(), label);
        page.text(left + 30.0, y - 1.5, 11.5, ink.clone(), &value);
        y -= 9.5;
        page.line(left, y + 3.5, right, y + 3.5, rgb(0.88, 0.84, 0.8), 0.5);
    }
    page.text(
        left + 2.0,
        18.0,
        10.0,
        ink.clone(),
        "开票单位（盖章）：吉林市慈善总会",
    );
    page.text(
        left + 2.0,
        12.5,
        10.0,
        ink.clone(),
        &format!("经办人：{}", r.handler_name),
    );
    page.seal(left + 92.0, 26.0, 15.0);
    page.qr(verify_url, right - 31.0, 14.0, 26.0)?;
    page.centred(right - 18.0, 10.5, 7.0, grey.clone(), "扫码验证真伪");
    if r.status == "voided" {
        page.rotated(
            WIDTH / 2.0 - 28.0,
            HEIGHT / 2.0 - 22.0,
            72.0,
            20.0,
            rgb(0.86, 0.1, 0.1),
            "作废",
        );
        if let Some(reason) = &r.void_reason {
            page.text(
                left + 2.0,
                23.5,
                9.0,
                red.clone(),
                &format!("作废原因：{reason}"),
            );
        }
    } else if copy {
        page.rotated(
            WIDTH - 58.0,
            HEIGHT - 40.0,
            28.0,
            0.0,
            rgb(0.6, 0.6, 0.6),
            "副本",
        );
    }
    if r.replaces_id.is_some() {
        page.text(
            WIDTH - 68.0,
            HEIGHT - 30.0,
            8.0,
            grey,
            "换开票据（原票据已作废）",
        );
    }
    let pdf_page = PdfPage::new(Mm(WIDTH), Mm(HEIGHT), page.ops);
    save(doc.with_pages(vec![pdf_page]))
}
