//! The documents' font: Noto Sans SC (OFL), and a cut of it for common text.
//!
//! Subsetting a font for each PDF costs time in proportion to the font it starts from,
//! not to the few dozen characters a receipt uses: the whole character map is walked and
//! the glyph tables read. The full font has 65,535 glyphs in 10 MB. At start a cut is
//! made once that holds GB 2312 (the 6,763 common 汉字 and its symbols), ASCII and the
//! marks the documents print; a document whose text is all in it is subset from the cut,
//! and anything else — a rare character in a name — from the full font, so every
//! character still prints.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::error::{AppError, AppResult};

const FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.ttf");

/// Marks the documents print that GB 2312 lacks or spells another way.
const EXTRA: &str = "¥·—–…“”‘’•№©®°×÷±≤≥→←↑↓■□●○★☆※〇";

/// The full font and its common cut, with the cut's characters mapped to its glyphs.
pub(super) struct Fonts {
    full: ParsedFont,
    common: ParsedFont,
    common_glyphs: HashMap<char, u16>,
}

/// The font a document writes in, and how its characters find their glyphs.
#[derive(Clone, Copy)]
pub(super) struct Face {
    /// The font to add to the document.
    pub(super) font: &'static ParsedFont,
    /// The cut's glyphs by character; `None` for the full font, which is asked directly.
    glyphs: Option<&'static HashMap<char, u16>>,
}

impl Face {
    /// The glyph of `c` (0, the empty box, if the font has none).
    pub(super) fn glyph(&self, c: char) -> u16 {
        match self.glyphs {
            Some(glyphs) => glyphs.get(&c).copied(),
            None => self.font.lookup_glyph_index(u32::from(c)),
        }
        .unwrap_or(0)
    }
}

impl Fonts {
    /// The face for a document whose variable text is `texts`: the cut when it has every
    /// character, the full font otherwise.
    pub(super) fn for_text<'a>(&'static self, texts: impl IntoIterator<Item = &'a str>) -> Face {
        let mut texts = texts.into_iter();
        if texts.all(|t| t.chars().all(|c| self.common_glyphs.contains_key(&c))) {
            Face {
                font: &self.common,
                glyphs: Some(&self.common_glyphs),
            }
        } else {
            Face {
                font: &self.full,
                glyphs: None,
            }
        }
    }
}

/// The fonts, parsed and cut once.
pub(super) fn fonts() -> AppResult<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(load)
        .as_ref()
        .ok_or_else(|| AppError::internal("the document font does not parse"))
}

fn load() -> Option<Fonts> {
    let full = ParsedFont::from_bytes(FONT, 0, &mut Vec::new())?;
    let mut glyphs = BTreeMap::new();
    let mut full_glyph_of = HashMap::new();
    for c in common_characters() {
        if let Some(glyph) = full.lookup_glyph_index(u32::from(c)) {
            glyphs.entry(glyph).or_insert_with(|| c.to_string());
            full_glyph_of.insert(c, glyph);
        }
    }
    let cut = printpdf::subset_font(&full, &glyphs).ok()?;
    let common_glyphs: HashMap<char, u16> = full_glyph_of
        .into_iter()
        .filter_map(|(c, glyph)| Some((c, cut.glyph_mapping.get(&glyph)?.0)))
        .collect();
    // The cut's own character map is cut down to the space: each document's subset
    // walks it, and text is written by glyph id from `common_glyphs` anyway.
    let bytes = super::sfnt::with_space_only_cmap(&cut.bytes, *common_glyphs.get(&' ')?)?;
    let common = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())?;
    Some(Fonts {
        full,
        common,
        common_glyphs,
    })
}

/// ASCII, GB 2312 (rows 0xA1–0xF7, cells 0xA1–0xFE, decoded as GBK) and `EXTRA`.
fn common_characters() -> impl Iterator<Item = char> {
    let ascii = (0x20u8..0x7f).map(char::from);
    let gb2312 = (0xa1u8..=0xf7).flat_map(|row| {
        (0xa1u8..=0xfe).filter_map(move |cell| {
            let bytes = [row, cell];
            let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !bad && c != '\u{fffd}' => Some(c),
                _ => None,
            }
        })
    });
    ascii.chain(gb2312).chain(EXTRA.chars())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_text_takes_the_cut_and_a_rare_character_the_full_font() {
        let fonts = fonts().expect("fonts");
        assert!(
            fonts.common_glyphs.len() > 7_000,
            "{}",
            fonts.common_glyphs.len()
        );
        let common = fonts.for_text(["张小明", "¥1,234.56", "壹仟贰佰叁拾肆元伍角陆分"]);
        assert!(std::ptr::eq(common.font, &fonts.common));
        // Each character finds its own glyph in the cut: the same advance as in the
        // full font (Latin letters, digits and 汉字 all differ).
        for c in "张小明¥1,234.56壹仟Wil".chars() {
            let full = fonts
                .full
                .lookup_glyph_index(u32::from(c))
                .expect("in the font");
            assert_ne!(common.glyph(c), 0, "{c}");
            assert_eq!(
                common.font.get_horizontal_advance(common.glyph(c)),
                fonts.full.get_horizontal_advance(full),
                "{c}"
            );
        }
        // 䶮 (U+4DAE) is found in names but not in GB 2312.
        let rare = fonts.for_text(["王䶮"]);
        assert!(std::ptr::eq(rare.font, &fonts.full));
        assert_ne!(rare.glyph('䶮'), 0);
    }

    #[test]
    fn the_cut_has_every_character_the_documents_print_themselves() {
        let fonts = fonts().expect("fonts");
        let sources = [
            include_str!("pdf.rs"),
            include_str!("drawing.rs"),
            include_str!("certificate_pdf.rs"),
            include_str!("statement.rs"),
            include_str!("../kernel/money.rs"),
            include_str!("../fundraising/payments.rs"),
        ];
        for source in sources {
            for line in source.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for c in line.chars().filter(|c| !c.is_ascii()) {
                    assert!(fonts.common_glyphs.contains_key(&c), "{c} in {line}");
                }
            }
        }
    }
}
