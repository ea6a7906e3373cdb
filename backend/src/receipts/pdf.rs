//! Receipt PDFs (捐赠收据): A5 landscape, one embedded CJK font (subset, with a fallback
//! for characters beyond it), the amount in figures and capitals, the day the money
//! arrived, 经办人 and 复核人, 备注, a drawn seal, a QR code that opens the verification
//! page with a short code under it for whoever cannot scan it, and the 作废 and 副本
//! marks. A staff list's receipt has 员工明细 pages after it: every person on the list
//! with their amount.
//!
//! This is the federation's own acknowledgement of a gift, not a 公益事业捐赠票据 (the
//! form printed under the finance departments' supervision); see the README.

use printpdf::{Color, Mm, PdfDocument, PdfPage};

use super::drawing::{DocFonts, Page, rgb, save};
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
const LEFT: f32 = 16.0;
const RIGHT: f32 = WIDTH - 16.0;
/// Where the values of the rows start.
const VALUES: f32 = LEFT + 28.0;
/// The lowest a row may reach: below it are the seal, the signatures and the QR code.
const ROWS_BOTTOM: f32 = 45.0;

/// What a receipt's PDF shows besides its row.
pub struct Extra<'a> {
    /// The address of the verification page (`https://…/verify`), without the token.
    pub verify_base: &'a str,
    /// The number of the receipt this one replaces, if any.
    pub replaces_number: Option<&'a str>,
    /// A duplicate download (副本).
    pub copy: bool,
    /// A staff list's people, as (name, fen): printed on 员工明细 pages.
    pub staff: Option<&'a [(String, i64)]>,
}

/// Renders a receipt.
pub fn render(r: &Receipt, extra: &Extra<'_>) -> AppResult<Vec<u8>> {
    let staff_names = extra
        .staff
        .unwrap_or_default()
        .iter()
        .map(|(name, _)| name.as_str());
    let variable = [
        r.number.as_str(),
        &r.donor_name,
        r.donor_id_masked.as_deref().unwrap_or_default(),
        &r.campaign_name,
        &r.purpose,
        &r.handler_name,
        r.reviewer_name.as_deref().unwrap_or_default(),
        r.note.as_deref().unwrap_or_default(),
        r.void_reason.as_deref().unwrap_or_default(),
        extra.verify_base,
    ]
    .into_iter()
    .chain(staff_names);
    let face = fonts()?.for_text(variable);
    let mut doc = PdfDocument::new(&format!("捐赠收据 {}", r.number));
    let doc_fonts = DocFonts::add(&mut doc, face);
    let mut page = Page::with(&doc_fonts);
    front(&mut page, r, extra)?;
    let mut pages = vec![PdfPage::new(Mm(WIDTH), Mm(HEIGHT), page.ops)];
    if let Some(staff) = extra.staff {
        pages.extend(staff_pages(&doc_fonts, r, staff));
    }
    save(doc.with_pages(pages))
}

fn day(d: chrono::NaiveDate) -> String {
    format!(
        "{}年{}月{}日",
        chrono::Datelike::year(&d),
        chrono::Datelike::month(&d),
        chrono::Datelike::day(&d)
    )
}

/// A value in its box: at `size` on one line if it fits, else smaller and wrapped.
/// Returns (size, lines).
fn fitted(page: &Page, text: &str, size: f32, width: f32) -> (f32, Vec<String>) {
    if page.width(text, size) <= width {
        return (size, vec![text.to_owned()]);
    }
    let small = size * 0.8;
    (small, page.wrap(text, small, width))
}

fn front(page: &mut Page, r: &Receipt, extra: &Extra<'_>) -> AppResult<()> {
    let ink = rgb(0.1, 0.1, 0.12);
    let grey = rgb(0.4, 0.42, 0.45);
    let red = rgb(0.8, 0.1, 0.1);
    let frame = rgb(0.75, 0.35, 0.2);
    let rule = rgb(0.88, 0.84, 0.8);

    page.rect(
        8.0,
        8.0,
        WIDTH - 16.0,
        HEIGHT - 16.0,
        None,
        Some((frame.clone(), 1.2)),
    );
    page.centred(WIDTH / 2.0, HEIGHT - 23.0, 20.0, red.clone(), "捐赠收据");
    page.centred(
        WIDTH / 2.0,
        HEIGHT - 30.0,
        9.0,
        grey.clone(),
        "吉林市慈善总会 · 慈善救助双日捐",
    );
    let head = WIDTH - 70.0;
    page.text(
        head,
        HEIGHT - 18.0,
        10.0,
        red.clone(),
        &format!("No. {}", r.number),
    );
    page.text(
        head,
        HEIGHT - 23.5,
        9.0,
        ink.clone(),
        &format!("开具日期：{}", day(r.issued_on)),
    );
    if r.replaces_id.is_some() {
        let old = extra.replaces_number.unwrap_or("原收据");
        page.text(
            head,
            HEIGHT - 28.5,
            7.5,
            grey.clone(),
            &format!("换开，原收据 {old} 已作废"),
        );
    }

    let id_label = match &r.donor_id_masked {
        Some(id) if !id.contains('*') && id.len() == 18 => "统一社会信用代码",
        _ => "证件号码",
    };
    let received = r.received_on.map_or_else(|| "—".to_owned(), day);
    let rows: Vec<(&str, String)> = vec![
        ("捐赠人", r.donor_name.clone()),
        (
            id_label,
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
        ("备注", r.note.clone().unwrap_or_default()),
    ];
    // Each row's value fitted to its box; the rows share what height is left.
    let width = RIGHT - VALUES - 2.0;
    let fitted_rows: Vec<(&str, f32, Vec<String>)> = rows
        .iter()
        .map(|(label, value)| {
            let box_width = if *label == "捐赠方式" {
                60.0
            } else {
                width
            };
            let (size, lines) = fitted(page, value, 11.0, box_width);
            (*label, size, lines)
        })
        .collect();
    let leading = 3.9;
    let extra_lines: f32 = fitted_rows
        .iter()
        .map(|(_, _, lines)| lines.len().saturating_sub(1) as f32 * leading)
        .sum();
    let top = HEIGHT - 36.0;
    let row = ((top - ROWS_BOTTOM - extra_lines) / fitted_rows.len() as f32).min(7.2);
    let mut y = top;
    page.line(LEFT, y, RIGHT, y, frame.clone(), 0.8);
    for (label, size, lines) in fitted_rows {
        let height = row + lines.len().saturating_sub(1) as f32 * leading;
        let baseline = y - (row + 2.8) / 2.0 - 0.4;
        let label_size = if page.width(label, 9.5) > VALUES - LEFT - 3.0 {
            7.5
        } else {
            9.5
        };
        page.text(LEFT + 2.0, baseline, label_size, grey.clone(), label);
        for (i, line) in lines.iter().enumerate() {
            page.text(
                VALUES,
                baseline - leading * i as f32,
                size,
                ink.clone(),
                line,
            );
        }
        if label == "捐赠方式" {
            page.text(VALUES + 62.0, baseline, 9.5, grey.clone(), "到账日期");
            page.text(VALUES + 80.0, baseline, 11.0, ink.clone(), &received);
        }
        y -= height;
        page.line(LEFT, y, RIGHT, y, rule.clone(), 0.5);
    }

    // The signatures, the seal and the QR code.
    page.text(
        LEFT + 2.0,
        32.0,
        10.0,
        ink.clone(),
        "开具单位（盖章）：吉林市慈善总会",
    );
    let mut y = 25.5;
    let people = [
        ("经办人：", Some(r.handler_name.as_str())),
        ("复核人：", r.reviewer_name.as_deref()),
    ];
    for (label, name) in people {
        let text = match name {
            Some(name) => format!("{label}{name}"),
            // A blank line for the reviewer to sign.
            None => format!("{label}__________________"),
        };
        let (size, lines) = fitted(page, &text, 10.0, 64.0);
        let (size, lines) = if lines.len() > 2 {
            (6.5, page.wrap(&text, 6.5, 64.0))
        } else {
            (size, lines)
        };
        let step = size * 0.3528 * 1.25;
        for line in &lines {
            page.text(LEFT + 2.0, y, size, ink.clone(), line);
            y -= step;
        }
        y -= 7.0 - step;
    }
    page.seal(LEFT + 88.0, 27.0, 14.0);

    let qr_size = 24.0;
    let qr_x = RIGHT - qr_size - 1.0;
    let qr_y = 17.0;
    page.qr(
        &format!("{}/{}", extra.verify_base, r.verify_token),
        qr_x,
        qr_y,
        qr_size,
    )?;
    if let Some(code) = &r.verify_code {
        page.centred(
            qr_x + qr_size / 2.0,
            12.5,
            8.0,
            ink.clone(),
            &format!("核验码 {}", super::code::display(code)),
        );
    }
    let note_x = qr_x - 47.0;
    let mut y = 38.0;
    for line in [
        "扫码验证真伪；无法扫码时，请访问".to_owned(),
        extra.verify_base.to_owned(),
        "输入二维码下方的核验码。".to_owned(),
    ] {
        for part in page.wrap(&line, 7.0, 45.0) {
            page.text(note_x, y, 7.0, grey.clone(), &part);
            y -= 3.4;
        }
    }

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
            let mut y = HEIGHT - 17.0;
            for line in page.wrap(&format!("作废原因：{reason}"), 7.5, 62.0) {
                page.text(LEFT + 2.0, y, 7.5, red.clone(), &line);
                y -= 3.2;
            }
        }
    } else if extra.copy {
        page.rotated(
            WIDTH - 58.0,
            HEIGHT - 40.0,
            28.0,
            0.0,
            rgb(0.6, 0.6, 0.6),
            "副本",
        );
    }
    Ok(())
}

/// A staff row laid out: its number, name lines and amount.
struct StaffLine {
    n: usize,
    name: Vec<String>,
    amount: String,
}

const STAFF_SIZE: f32 = 8.5;
const STAFF_LEADING: f32 = 3.6;
const STAFF_TOP: f32 = HEIGHT - 40.0;
const STAFF_BOTTOM: f32 = 18.0;
/// Two columns of people a page.
const COLUMN: f32 = (RIGHT - LEFT) / 2.0;

/// The 员工明细 pages: every person on the list in two columns a page, as many pages as
/// it takes, the list's total on the last.
fn staff_pages(fonts: &DocFonts, r: &Receipt, staff: &[(String, i64)]) -> Vec<PdfPage> {
    let measure = Page::with(fonts);
    let lines: Vec<StaffLine> = staff
        .iter()
        .enumerate()
        .map(|(i, (name, fen))| StaffLine {
            n: i + 1,
            name: measure.wrap(name, STAFF_SIZE, COLUMN - 40.0),
            amount: Fen(*fen).display(),
        })
        .collect();
    // Pages of columns of lines, by height.
    let mut pages: Vec<Vec<Vec<&StaffLine>>> = vec![vec![Vec::new()]];
    let mut y = STAFF_TOP;
    for line in &lines {
        let height = 5.2 + line.name.len().saturating_sub(1) as f32 * STAFF_LEADING;
        if y - height < STAFF_BOTTOM {
            y = STAFF_TOP;
            let page = pages.last_mut().expect("a page");
            if page.len() < 2 {
                page.push(Vec::new());
            } else {
                pages.push(vec![Vec::new()]);
            }
        }
        pages
            .last_mut()
            .and_then(|p| p.last_mut())
            .expect("a column")
            .push(line);
        y -= height;
    }
    let total: i64 = staff.iter().map(|(_, fen)| fen).sum();
    let count = pages.len();
    let ink = rgb(0.1, 0.1, 0.12);
    let grey = rgb(0.4, 0.42, 0.45);
    let red = rgb(0.8, 0.1, 0.1);
    let rule = rgb(0.88, 0.84, 0.8);
    pages
        .iter()
        .enumerate()
        .map(|(p, columns)| {
            let mut page = Page::with(fonts);
            page.rect(
                8.0,
                8.0,
                WIDTH - 16.0,
                HEIGHT - 16.0,
                None,
                Some((rgb(0.75, 0.35, 0.2), 1.2)),
            );
            page.centred(WIDTH / 2.0, HEIGHT - 22.0, 16.0, red.clone(), "员工明细");
            page.text(
                LEFT + 2.0,
                HEIGHT - 30.0,
                9.0,
                ink.clone(),
                &format!("附于捐赠收据 No. {}", r.number),
            );
            let unit = fitted(
                &page,
                &format!("捐赠单位：{}", r.donor_name),
                9.0,
                RIGHT - LEFT - 70.0,
            );
            // The unit's whole name, in as many short lines as it takes.
            let mut y = if unit.1.len() > 1 {
                HEIGHT - 26.5
            } else {
                HEIGHT - 30.0
            };
            for line in &unit.1 {
                page.text(LEFT + 68.0, y, unit.0, ink.clone(), line);
                y -= 3.0;
            }
            for (c, column) in columns.iter().enumerate() {
                let x = LEFT + c as f32 * COLUMN;
                draw_column(&mut page, x, column, ink.clone(), grey.clone(), &rule);
            }
            let mut footer = format!("第 {} 页，共 {} 页", p + 1, count);
            if p + 1 == count {
                footer = format!(
                    "名单合计 {} 人，{}　　{footer}",
                    staff.len(),
                    Fen(total).display()
                );
            }
            page.text(LEFT + 2.0, 12.0, 8.5, grey.clone(), &footer);
            PdfPage::new(Mm(WIDTH), Mm(HEIGHT), page.ops)
        })
        .collect()
}

fn draw_column(
    page: &mut Page,
    x: f32,
    column: &[&StaffLine],
    ink: Color,
    grey: Color,
    rule: &Color,
) {
    let mut y = STAFF_TOP + 4.5;
    page.text(x + 2.0, y, 8.0, grey.clone(), "序号");
    page.text(x + 14.0, y, 8.0, grey.clone(), "姓名");
    let label = "金额";
    page.text(
        x + COLUMN - 4.0 - page.width(label, 8.0),
        y,
        8.0,
        grey,
        label,
    );
    y -= 1.8;
    page.line(x + 1.0, y, x + COLUMN - 3.0, y, rule.clone(), 0.6);
    for line in column {
        let baseline = y - 3.7;
        page.text(
            x + 2.0,
            baseline,
            STAFF_SIZE,
            ink.clone(),
            &line.n.to_string(),
        );
        for (i, part) in line.name.iter().enumerate() {
            page.text(
                x + 14.0,
                baseline - STAFF_LEADING * i as f32,
                STAFF_SIZE,
                ink.clone(),
                part,
            );
        }
        let w = page.width(&line.amount, STAFF_SIZE);
        page.text(
            x + COLUMN - 4.0 - w,
            baseline,
            STAFF_SIZE,
            ink.clone(),
            &line.amount,
        );
        y -= 5.2 + line.name.len().saturating_sub(1) as f32 * STAFF_LEADING;
        page.line(x + 1.0, y, x + COLUMN - 3.0, y, rule.clone(), 0.3);
    }
}
