//! The documents' font: Noto Sans SC (OFL), and a cut of it for common text.
//!
//! Subsetting a font for each PDF costs time in proportion to the font it starts from,
//! not to the few dozen characters a receipt uses: the whole character map is walked and
//! the glyph tables read. The full font has 65,535 glyphs in 10 MB. At start a cut is
//! made once that holds GB 2312 (the 6,763 common 汉字 and its symbols), ASCII and the
//! marks the documents print; a document whose text is all in it is subset from the cut,
//! and anything else — a rare character in a name — from the full font.
//!
//! Only the cut stays in memory. The full font parsed takes about 40 MB, the fallback
//! more: each is parsed when a document needs it and let go after ten idle minutes
//! (`release_idle`), so that a server at rest holds neither.
//!
//! Characters outside Noto Sans SC — CJK Extension B and beyond, such as 𠮷 (U+20BB7)
//! in a name — print from a fallback font read from disk when a document needs one
//! (Debian's fonts-hanazono, `HanaMinB.ttf`), subset like the main font. Without it they
//! print as empty boxes, and the text still carries the characters for copying.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use printpdf::ParsedFont;

use crate::error::{AppError, AppResult};

use crate::kernel::fonts::{FALLBACK_FONT_PATHS, MAIN_FONT};

/// Marks the documents print that GB 2312 lacks or spells another way.
const EXTRA: &str = "¥·—–…“”‘’•№©®°×÷±≤≥→←↑↓■□●○★☆※〇";

/// The common cut, with its characters mapped to its glyphs.
pub(super) struct Fonts {
    common: Arc<ParsedFont>,
    common_glyphs: HashMap<char, u16>,
}

/// How long a font parsed for a document is kept after its last use.
const KEPT_IDLE: Duration = Duration::from_secs(600);

/// A font parsed the first time a document needs it, kept while documents use it, and
/// dropped by `release_idle` once none has for `KEPT_IDLE`.
struct OnDemand {
    load: fn() -> Option<ParsedFont>,
    kept: Mutex<Option<(Arc<ParsedFont>, Instant)>>,
}

impl OnDemand {
    const fn new(load: fn() -> Option<ParsedFont>) -> Self {
        Self {
            load,
            kept: Mutex::new(None),
        }
    }

    /// The font, parsed now if it is not kept (under the lock, so that two documents
    /// at once parse it once); `None` if it cannot be loaded.
    fn get(&self) -> Option<Arc<ParsedFont>> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((font, used)) = kept.as_mut() {
            *used = Instant::now();
            return Some(font.clone());
        }
        let font = Arc::new((self.load)()?);
        *kept = Some((font.clone(), Instant::now()));
        Some(font)
    }

    fn release_if_idle(&self, idle: Duration) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept
            .as_ref()
            .is_some_and(|(_, used)| used.elapsed() >= idle)
        {
            *kept = None;
        }
    }

    #[cfg(test)]
    fn is_kept(&self) -> bool {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}

static FULL: OnDemand = OnDemand::new(|| ParsedFont::from_bytes(MAIN_FONT, 0, &mut Vec::new()));
static FALLBACK: OnDemand = OnDemand::new(load_fallback);

/// Lets go of the full and fallback fonts when no document has used them for ten
/// minutes; called every minute.
pub(super) fn release_idle() {
    FULL.release_if_idle(KEPT_IDLE);
    FALLBACK.release_if_idle(KEPT_IDLE);
}

/// The font a document writes in, and how its characters find their glyphs.
#[derive(Clone)]
pub(super) struct Face {
    /// The font to add to the document.
    pub(super) font: Arc<ParsedFont>,
    /// The cut's glyphs by character; `None` for the full font, which is asked directly.
    glyphs: Option<&'static HashMap<char, u16>>,
    /// The font for the characters `font` lacks, when the document has any and the
    /// fallback font is installed.
    pub(super) fallback: Option<Arc<ParsedFont>>,
}

impl Face {
    /// The glyph of `c` in the main font (0, the empty box, if it has none).
    pub(super) fn glyph(&self, c: char) -> u16 {
        match self.glyphs {
            Some(glyphs) => glyphs.get(&c).copied(),
            None => self.font.lookup_glyph_index(u32::from(c)),
        }
        .unwrap_or(0)
    }

    /// The glyph of `c` and whether it is the fallback font's: the main font's when it
    /// has one, else the fallback's, else the main font's empty box.
    pub(super) fn glyph_of(&self, c: char) -> (u16, bool) {
        let main = self.glyph(c);
        if main != 0 || c == ' ' {
            return (main, false);
        }
        match self
            .fallback
            .as_ref()
            .and_then(|f| f.lookup_glyph_index(u32::from(c)))
        {
            Some(glyph) if glyph != 0 => (glyph, true),
            _ => (0, false),
        }
    }

    /// The advance of `c` in em.
    pub(super) fn advance_em(&self, c: char) -> f32 {
        let (glyph, fallback) = self.glyph_of(c);
        let font = match (fallback, &self.fallback) {
            (true, Some(f)) => f,
            _ => &self.font,
        };
        let upm = f32::from(font.font_metrics.units_per_em);
        let advance = f32::from(font.get_horizontal_advance(glyph));
        if upm <= 0.0 || advance <= 0.0 {
            if c.is_ascii() { 0.55 } else { 1.0 }
        } else {
            advance / upm
        }
    }
}

impl Fonts {
    /// The face for a document whose variable text is `texts`: the cut when it has every
    /// character, the full font otherwise.
    /// A character the full font lacks (CJK Extension B and beyond) does not send a
    /// document to the full font: it prints from the fallback font.
    pub(super) fn for_text<'a>(&'static self, texts: impl IntoIterator<Item = &'a str>) -> Face {
        let mut in_cut = true;
        let mut beyond = false;
        for c in texts.into_iter().flat_map(str::chars) {
            if self.common_glyphs.contains_key(&c) {
                continue;
            }
            if crate::kernel::fonts::in_main_font(c) {
                in_cut = false;
            } else {
                beyond = true;
            }
        }
        let fallback = if beyond { FALLBACK.get() } else { None };
        // The full font is parsed only for a text outside the cut. It always parses (a
        // unit test says so); if it did not, the cut prints what it has.
        match (!in_cut).then(|| FULL.get()).flatten() {
            Some(full) => Face {
                font: full,
                glyphs: None,
                fallback,
            },
            None => Face {
                font: self.common.clone(),
                glyphs: Some(&self.common_glyphs),
                fallback,
            },
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

/// The fallback font read from disk and parsed; `None` (and a warning, once) if it is
/// not installed.
fn load_fallback() -> Option<ParsedFont> {
    let loaded = FALLBACK_FONT_PATHS.iter().find_map(|path| {
        let bytes = std::fs::read(path).ok()?;
        ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
    });
    static WARNED: std::sync::Once = std::sync::Once::new();
    if loaded.is_none() {
        WARNED.call_once(|| {
            tracing::warn!(
                paths = ?FALLBACK_FONT_PATHS,
                "no fallback font (fonts-hanazono): characters beyond Noto Sans SC print as boxes"
            );
        });
    }
    loaded
}

/// Makes the cut from the full font, which is dropped afterwards (it is parsed again
/// when a document needs it).
fn load() -> Option<Fonts> {
    let full = ParsedFont::from_bytes(MAIN_FONT, 0, &mut Vec::new())?;
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
        common: Arc::new(common),
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
        assert!(Arc::ptr_eq(&common.font, &fonts.common));
        let full = FULL.get().expect("the full font parses");
        // Each character finds its own glyph in the cut: the same advance as in the
        // full font (Latin letters, digits and 汉字 all differ).
        for c in "张小明¥1,234.56壹仟Wil".chars() {
            let glyph = full.lookup_glyph_index(u32::from(c)).expect("in the font");
            assert_ne!(common.glyph(c), 0, "{c}");
            assert_eq!(
                common.font.get_horizontal_advance(common.glyph(c)),
                full.get_horizontal_advance(glyph),
                "{c}"
            );
        }
        // 䶮 (U+4DAE) is found in names but not in GB 2312.
        let rare = fonts.for_text(["王䶮"]);
        assert!(rare.glyphs.is_none() && !Arc::ptr_eq(&rare.font, &fonts.common));
        assert_ne!(rare.glyph('䶮'), 0);
        assert!(
            rare.fallback.is_none(),
            "no fallback font when none is needed"
        );
    }

    #[test]
    fn a_character_beyond_the_font_takes_the_fallback_and_keeps_the_cut() {
        let fonts = fonts().expect("fonts");
        let face = fonts.for_text(["吉𠮷祥", "𡈼"]);
        assert!(
            Arc::ptr_eq(&face.font, &fonts.common),
            "the other characters stay in the cut"
        );
        assert_eq!(face.glyph('𠮷'), 0, "Noto Sans SC lacks U+20BB7");
        if face.fallback.is_none() {
            crate::kernel::fonts::skipped_without_fallback_font();
            return;
        }
        for c in ['𠮷', '𡈼'] {
            let (glyph, from_fallback) = face.glyph_of(c);
            assert!(from_fallback && glyph != 0, "{c}");
            assert!((face.advance_em(c) - 1.0).abs() < 0.2, "{c}");
        }
        assert!(!face.glyph_of('吉').1);
    }

    #[test]
    fn a_font_parsed_for_a_document_is_let_go_when_idle_and_parsed_again() {
        // Its own slot: the other tests use FULL at the same time.
        let slot = OnDemand::new(|| ParsedFont::from_bytes(MAIN_FONT, 0, &mut Vec::new()));
        assert!(
            !slot.is_kept(),
            "nothing is parsed before a document needs it"
        );
        let first = slot.get().expect("parses");
        assert!(
            Arc::ptr_eq(&first, &slot.get().expect("kept")),
            "parsed once"
        );
        slot.release_if_idle(Duration::from_secs(3600));
        assert!(slot.is_kept(), "just used: kept");
        slot.release_if_idle(Duration::ZERO);
        assert!(!slot.is_kept());
        // A document that still holds it keeps it alive; the next one parses it again.
        assert_ne!(first.lookup_glyph_index(u32::from('䶮')), None);
        let again = slot.get().expect("parses again");
        assert!(slot.is_kept() && !Arc::ptr_eq(&first, &again));
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
