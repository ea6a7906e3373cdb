//! Receipt PDFs: A5 landscape, one embedded CJK font (subset), the amount in figures
//! and capitals, a drawn seal, a QR code that opens the verification page, and the
//! 作废 and 副本 marks.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, Rgb, TextItem, TextMatrix, WindingOrder,
};
use qrcode::QrCode;

use super::entity::Model as Receipt;
use crate::error::{AppError, AppResult};
use crate::fundraising::payments::Channel;
use crate::kernel::Fen;

const FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.ttf");

/// The font, parsed once.
pub(super) fn font() -> AppResult<&'static ParsedFont> {
    static PARSED: OnceLock<Option<ParsedFont>> = OnceLock::new();
    PARSED
        .get_or_init(|| ParsedFont::from_bytes(FONT, 0, &mut Vec::new()))
        .as_ref()
        .ok_or_else(|| AppError::internal("the receipt font does not parse"))
}

/// Parses the font ahead of the first receipt, so that nobody waits for it.
pub fn warm_up() {
    let started = std::time::Instant::now();
    if font().is_ok() {
        tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "receipt font parsed"
        );
    }
}

const WIDTH: f32 = 210.0;
const HEIGHT: f32 = 148.0;

pub(super) fn rgb(r: f32, g: f32, b: f32) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

/// Ops building one page.
pub(super) struct Page {
    pub(super) ops: Vec<Op>,
    pub(super) font: FontId,
}

impl Page {
    pub(super) fn text(&mut self, x: f32, y: f32, size: f32, color: Color, text: &str) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color },
            Op::SetFont {
                font: PdfFontHandle::External(self.font.clone()),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    pub(super) fn rotated(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        degrees: f32,
        color: Color,
        text: &str,
    ) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color },
            Op::SetFont {
                font: PdfFontHandle::External(self.font.clone()),
                size: Pt(size),
            },
            Op::SetTextMatrix {
                matrix: TextMatrix::TranslateRotate(Mm(x).into(), Mm(y).into(), degrees),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Text centred on `x`, its width estimated from the glyph classes (CJK one em,
    /// Latin and digits about half).
    pub(super) fn centred(&mut self, x: f32, y: f32, size: f32, color: Color, text: &str) {
        let width = text_width_mm(text, size);
        self.text(x - width / 2.0, y, size, color, text);
    }

    pub(super) fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Color>,
        stroke: Option<(Color, f32)>,
    ) {
        let filled = fill.is_some();
        if let Some(col) = fill {
            self.ops.push(Op::SetFillColor { col });
        }
        if let Some((col, pt)) = &stroke {
            self.ops.push(Op::SetOutlineColor { col: col.clone() });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(*pt) });
        }
        let mode = match (filled, stroke.is_some()) {
            (true, true) => PaintMode::FillStroke,
            (true, false) => PaintMode::Fill,
            _ => PaintMode::Stroke,
        };
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Mm(x).into(),
                y: Mm(y).into(),
                width: Mm(w).into(),
                height: Mm(h).into(),
                mode: Some(mode),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    /// A filled rectangle in the current fill colour.
    pub(super) fn block(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Mm(x).into(),
                y: Mm(y).into(),
                width: Mm(w).into(),
                height: Mm(h).into(),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    pub(super) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, color: Color, pt: f32) {
        self.ops.push(Op::SetOutlineColor { col: color });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(pt) });
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing {
                    points: vec![
                        LinePoint {
                            p: Point::new(Mm(x1), Mm(y1)),
                            bezier: false,
                        },
                        LinePoint {
                            p: Point::new(Mm(x2), Mm(y2)),
                            bezier: false,
                        },
                    ],
                }],
                mode: PaintMode::Stroke,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    /// A closed shape through `points` (mm), filled or stroked.
    pub(super) fn shape(&mut self, points: &[(f32, f32)], mode: PaintMode) {
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing {
                    points: points
                        .iter()
                        .map(|(x, y)| LinePoint {
                            p: Point::new(Mm(*x), Mm(*y)),
                            bezier: false,
                        })
                        .collect(),
                }],
                mode,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    /// The federation's seal: a red ring, a star, the name along the top as a straight
    /// line of small characters, and 财务专用章 below.
    pub(super) fn seal(&mut self, cx: f32, cy: f32, r: f32) {
        let red = rgb(0.84, 0.1, 0.1);
        let circle = |radius: f32| -> Vec<(f32, f32)> {
            (0..72)
                .map(|i| {
                    let a = i as f32 / 72.0 * std::f32::consts::TAU;
                    (cx + radius * a.cos(), cy + radius * a.sin())
                })
                .collect()
        };
        self.ops.push(Op::SetOutlineColor { col: red.clone() });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(2.2) });
        self.shape(&circle(r), PaintMode::Stroke);
        let star: Vec<(f32, f32)> = (0..10)
            .map(|i| {
                let radius = if i % 2 == 0 { r * 0.28 } else { r * 0.11 };
                let a = std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
                (cx + radius * a.cos(), cy + radius * a.sin())
            })
            .collect();
        self.ops.push(Op::SetFillColor { col: red.clone() });
        self.shape(&star, PaintMode::Fill);
        // The name runs around the upper rim, one character at a time.
        let name: Vec<char> = "吉林市慈善总会".chars().collect();
        let n = name.len() as f32;
        for (i, ch) in name.iter().enumerate() {
            let a = std::f32::consts::PI * (0.86 - 0.72 * i as f32 / (n - 1.0));
            let (x, y) = (cx + r * 0.72 * a.cos(), cy + r * 0.72 * a.sin());
            let degrees = a.to_degrees() - 90.0;
            let size = 8.5;
            // Shift by half a glyph along its own baseline so the character sits centred.
            let half = size * 0.3528 / 2.0;
            let (dx, dy) = (
                half * (degrees.to_radians()).cos(),
                half * (degrees.to_radians()).sin(),
            );
            self.rotated(
                x - dx,
                y - dy - 1.2,
                size,
                degrees,
                red.clone(),
                &ch.to_string(),
            );
        }
        self.centred(cx, cy - r * 0.55, 6.5, red, "财务专用章");
    }

    /// The QR code as filled squares, one rectangle per run of dark modules.
    pub(super) fn qr(&mut self, link: &str, x: f32, y: f32, size: f32) -> AppResult<()> {
        let code = QrCode::new(link.as_bytes()).map_err(AppError::internal)?;
        let modules = code.width();
        let colors = code.to_colors();
        let cell = size / modules as f32;
        self.ops.push(Op::SetFillColor {
            col: rgb(0.0, 0.0, 0.0),
        });
        for row in 0..modules {
            let mut col = 0;
            while col < modules {
                if colors[row * modules + col] == qrcode::Color::Dark {
                    let start = col;
                    while col < modules && colors[row * modules + col] == qrcode::Color::Dark {
                        col += 1;
                    }
                    let top = y + size - (row as f32 + 1.0) * cell;
                    self.block(
                        x + start as f32 * cell,
                        top,
                        (col - start) as f32 * cell,
                        cell,
                    );
                } else {
                    col += 1;
                }
            }
        }
        Ok(())
    }
}

fn text_width_mm(text: &str, size_pt: f32) -> f32 {
    let ems: f32 = text
        .chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum();
    ems * size_pt * 0.3528
}

/// Renders a receipt. `copy` marks a duplicate download (副本).
pub fn render(r: &Receipt, verify_url: &str, copy: bool) -> AppResult<Vec<u8>> {
    let font = font()?;
    let mut doc = PdfDocument::new(&format!("捐赠票据 {}", r.number));
    let font_id = doc.add_font(font);
    let mut page = Page {
        ops: Vec::new(),
        font: font_id,
    };
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
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    Ok(doc.with_pages(vec![pdf_page]).save(&options, &mut warnings))
}
