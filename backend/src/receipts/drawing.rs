//! Drawing on a document page: text in the embedded font, lines, boxes, the seal and the
//! QR code; and saving the document with its streams compressed.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use printpdf::{
    Codepoint, Color, FontId, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, Rgb, TextItem, TextMatrix, WindingOrder,
};
use qrcode::QrCode;

use super::fonts::Face;
use crate::error::{AppError, AppResult};

pub(super) fn rgb(r: f32, g: f32, b: f32) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

/// A document's fonts as a page writes in them: the face, and its fonts' ids in the
/// document (the fallback's when the text needs it).
#[derive(Clone)]
pub(super) struct DocFonts {
    face: Face,
    font: FontId,
    fallback: Option<FontId>,
}

impl DocFonts {
    /// Adds `face`'s fonts to `doc`.
    pub(super) fn add(doc: &mut PdfDocument, face: Face) -> Self {
        let font = doc.add_font(&face.font);
        let fallback = face.fallback.as_ref().map(|f| doc.add_font(f));
        Self {
            face,
            font,
            fallback,
        }
    }
}

/// Ops building one page, in one font (and its fallback).
pub(super) struct Page {
    pub(super) ops: Vec<Op>,
    font: FontId,
    fallback: Option<FontId>,
    face: Face,
}

impl Page {
    /// An empty page writing in `face`, added to its document as `font`.
    pub(super) fn new(face: Face, font: FontId) -> Self {
        Self {
            ops: Vec::new(),
            font,
            fallback: None,
            face,
        }
    }

    /// An empty page writing in a document's fonts, the fallback's included.
    pub(super) fn with(fonts: &DocFonts) -> Self {
        Self {
            ops: Vec::new(),
            font: fonts.font.clone(),
            fallback: fonts.fallback.clone(),
            face: fonts.face.clone(),
        }
    }

    /// The text as runs of glyph ids, each run in one font (the main font, or the
    /// fallback for the characters the main font lacks), each glyph carrying its
    /// character for copying and searching: the font's character map is looked up once
    /// at start, not on every page.
    fn runs(&self, text: &str) -> Vec<(FontId, Vec<Codepoint>)> {
        let mut runs: Vec<(bool, Vec<Codepoint>)> = Vec::new();
        for c in text.chars() {
            let (gid, fallback) = match self.fallback {
                Some(_) => self.face.glyph_of(c),
                None => (self.face.glyph(c), false),
            };
            let point = Codepoint {
                gid,
                offset: 0.0,
                cid: Some(c.to_string()),
            };
            match runs.last_mut() {
                Some((f, points)) if *f == fallback => points.push(point),
                _ => runs.push((fallback, vec![point])),
            }
        }
        runs.into_iter()
            .map(|(fallback, points)| {
                let font = match (&self.fallback, fallback) {
                    (Some(f), true) => f.clone(),
                    _ => self.font.clone(),
                };
                (font, points)
            })
            .collect()
    }

    fn show(&mut self, size: f32, text: &str) {
        for (font, points) in self.runs(text) {
            self.ops.push(Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            });
            self.ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(points)],
            });
        }
    }

    pub(super) fn text(&mut self, x: f32, y: f32, size: f32, color: Color, text: &str) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(y)),
            },
        ]);
        self.show(size, text);
        self.ops.push(Op::EndTextSection);
    }

    /// The width of `text` at `size` points, in mm, from the fonts' own advances.
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.face.advance_em(c)).sum::<f32>() * size * PT_MM
    }

    /// `text` broken into lines no wider than `width` mm at `size` points: between
    /// any two CJK characters, and at spaces in Latin text (a word longer than the line
    /// is broken where it must be).
    pub(super) fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_width = 0.0;
        // Pieces that must stay together: a run of Latin letters and digits, or one
        // character of anything else.
        let mut pieces: Vec<String> = Vec::new();
        for c in text.chars() {
            let joins = c.is_ascii_alphanumeric()
                && pieces
                    .last()
                    .and_then(|p| p.chars().last())
                    .is_some_and(|l| l.is_ascii_alphanumeric());
            match pieces.last_mut() {
                Some(last) if joins => last.push(c),
                _ => pieces.push(c.to_string()),
            }
        }
        for piece in pieces {
            let w = self.width(&piece, size);
            if line_width + w > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                line_width = 0.0;
                if piece == " " {
                    continue;
                }
            }
            if w > width {
                // A word longer than the line: broken by character.
                for c in piece.chars() {
                    let cw = self.width(&c.to_string(), size);
                    if line_width + cw > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += cw;
                }
                continue;
            }
            line.push_str(&piece);
            line_width += w;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
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
            Op::SetTextMatrix {
                matrix: TextMatrix::TranslateRotate(Mm(x).into(), Mm(y).into(), degrees),
            },
        ]);
        self.show(size, text);
        self.ops.push(Op::EndTextSection);
    }

    /// Text centred on `x`.
    pub(super) fn centred(&mut self, x: f32, y: f32, size: f32, color: Color, text: &str) {
        let width = self.width(text, size);
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

/// Millimetres in a point.
const PT_MM: f32 = 0.3528;

/// The zlib level for the documents' streams: printpdf's own save uses 9, which spends
/// most of a receipt's time searching for matches that save a few hundred bytes.
const DEFLATE_LEVEL: u32 = 6;

/// Saves `doc` with its font subset and every stream compressed.
pub(super) fn save(doc: &PdfDocument) -> AppResult<Vec<u8>> {
    let options = PdfSaveOptions {
        optimize: false,
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let mut pdf = doc.to_lopdf_document(&options, &mut Vec::new());
    for object in pdf.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = object {
            deflate(stream).map_err(AppError::internal)?;
        }
    }
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes).map_err(AppError::internal)?;
    Ok(bytes)
}

/// Compresses a stream not yet filtered, if that makes it smaller.
fn deflate(stream: &mut lopdf::Stream) -> std::io::Result<()> {
    if stream.dict.get(b"Filter").is_ok() {
        return Ok(());
    }
    let mut encoder = ZlibEncoder::new(
        Vec::with_capacity(stream.content.len() / 2),
        Compression::new(DEFLATE_LEVEL),
    );
    encoder.write_all(&stream.content)?;
    let compressed = encoder.finish()?;
    if compressed.len() + 19 < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
    Ok(())
}
