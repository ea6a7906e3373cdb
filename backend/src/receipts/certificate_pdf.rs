//! Certificates of thanks as PDF: A4 landscape, worth printing and framing; a staff
//! list's certificates as one document of one page each.

use printpdf::{Mm, PdfDocument, PdfPage};

use super::certificate::Model as Certificate;
use super::drawing::{DocFonts, Page, rgb, save};
use super::fonts::fonts;
use crate::error::AppResult;
use crate::kernel::Fen;

const WIDTH: f32 = 297.0;
const HEIGHT: f32 = 210.0;

/// One page per certificate, in one PDF.
pub fn render(certificates: &[Certificate]) -> AppResult<Vec<u8>> {
    let face = fonts()?.for_text(
        certificates
            .iter()
            .flat_map(|c| [c.number.as_str(), &c.name, &c.campaign_name]),
    );
    let mut doc = PdfDocument::new("捐赠证书");
    let fonts = DocFonts::add(&mut doc, face);
    let mut pages = Vec::with_capacity(certificates.len());
    for c in certificates {
        let mut page = Page::with(&fonts);
        draw(&mut page, c);
        pages.push(PdfPage::new(Mm(WIDTH), Mm(HEIGHT), page.ops));
    }
    save(doc.with_pages(pages))
}

fn draw(page: &mut Page, c: &Certificate) {
    let gold = rgb(0.78, 0.55, 0.18);
    let red = rgb(0.78, 0.12, 0.1);
    let ink = rgb(0.15, 0.13, 0.12);
    let grey = rgb(0.42, 0.4, 0.38);
    page.rect(0.0, 0.0, WIDTH, HEIGHT, Some(rgb(1.0, 0.98, 0.94)), None);
    page.rect(
        10.0,
        10.0,
        WIDTH - 20.0,
        HEIGHT - 20.0,
        None,
        Some((gold.clone(), 3.0)),
    );
    page.rect(
        15.0,
        15.0,
        WIDTH - 30.0,
        HEIGHT - 30.0,
        None,
        Some((gold.clone(), 0.8)),
    );
    for (x, y) in [
        (15.0, 15.0),
        (WIDTH - 25.0, 15.0),
        (15.0, HEIGHT - 25.0),
        (WIDTH - 25.0, HEIGHT - 25.0),
    ] {
        page.rect(x, y, 10.0, 10.0, Some(gold.clone()), None);
    }
    page.centred(WIDTH / 2.0, HEIGHT - 52.0, 40.0, red.clone(), "捐 赠 证 书");
    page.centred(
        WIDTH / 2.0,
        HEIGHT - 62.0,
        11.0,
        grey.clone(),
        "CERTIFICATE OF DONATION",
    );
    page.text(
        WIDTH - 85.0,
        HEIGHT - 28.0,
        10.0,
        grey.clone(),
        &format!("证书编号：{}", c.number),
    );
    // The name on one line at 20 points when it fits, else smaller over two or three;
    // the thanks below it wrap within the frame, however long the campaign's name.
    let text_width = WIDTH - 90.0;
    let name = format!("{}：", c.name);
    let (name_size, name_lines) = if page.width(&name, 20.0) <= text_width {
        (20.0, vec![name])
    } else {
        (15.0, page.wrap(&name, 15.0, text_width))
    };
    let mut y = HEIGHT - 86.0;
    for line in &name_lines {
        page.text(45.0, y, name_size, ink.clone(), line);
        y -= name_size * 0.3528 * 1.4;
    }
    let campaign = if c.campaign_name.is_empty() {
        "慈善救助"
    } else {
        c.campaign_name.as_str()
    };
    let body = format!(
        "　　您在“{campaign}”中慷慨解囊，捐赠人民币{}（{}），为吉林市的困难群众送去温暖。特发此证，以表谢忱！",
        Fen(c.amount_fen).capitals(),
        Fen(c.amount_fen).display()
    );
    let lines = page.wrap(&body, 16.0, text_width);
    let leading = if lines.len() > 4 { 8.5 } else { 11.0 };
    let mut y = y - 6.0;
    for line in &lines {
        page.text(45.0, y, 16.0, ink.clone(), line);
        y -= leading;
    }
    page.text(WIDTH - 120.0, 48.0, 15.0, ink.clone(), "吉林市慈善总会");
    let d = c.issued_on;
    page.text(
        WIDTH - 120.0,
        38.0,
        13.0,
        ink,
        &format!(
            "{}年{}月{}日",
            chrono::Datelike::year(&d),
            chrono::Datelike::month(&d),
            chrono::Datelike::day(&d)
        ),
    );
    page.seal(WIDTH - 95.0, 50.0, 17.0);
    page.text(45.0, 30.0, 9.0, grey, "慈善救助双日捐 · 阳光慈善");
}
