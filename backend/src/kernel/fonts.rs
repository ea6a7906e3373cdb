//! The fonts every printed document uses, and which characters they can print: text
//! people type is checked against this at entry, so that a name accepted is a name a
//! receipt can print.
//!
//! The main font is Noto Sans SC (OFL), built into the binary. Beyond it — CJK Extension
//! B and later, 𠮷 (U+20BB7) in a name — documents print from HanaMinB (Debian's
//! fonts-hanazono) read from disk. What HanaMinB covers is a rule here, not a reading
//! of the installed file, so that every server accepts the same names whatever it has
//! installed (a server without the font warns at start and prints such characters as
//! boxes; a test checks the table against the font where it is installed).

use std::sync::OnceLock;

/// Noto Sans SC Regular: every document's main font.
pub const MAIN_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.ttf");

/// Where the fallback font for characters beyond Noto Sans SC is looked for.
pub const FALLBACK_FONT_PATHS: [&str; 2] = [
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    "/usr/share/fonts/opentype/hanazono/HanaMinB.ttf",
];

/// The code points HanaMinB 20170904 maps (its `cmap`, as ranges): CJK Extension B, C,
/// D, E and F.
const FALLBACK_RANGES: &[(u32, u32)] = &[
    (0x2_0000, 0x2_A6D6),
    (0x2_A700, 0x2_B734),
    (0x2_B740, 0x2_B81D),
    (0x2_B820, 0x2_CEA1),
    (0x2_CEB0, 0x2_EBE0),
];

/// Whether some document font has a glyph for `c`. Whitespace prints as space.
pub fn printable(c: char) -> bool {
    let code = u32::from(c);
    c == ' ' || in_ranges(main_ranges(), code) || in_ranges(FALLBACK_RANGES, code)
}

/// Whether the main font, Noto Sans SC, has a glyph for `c`.
pub fn in_main_font(c: char) -> bool {
    in_ranges(main_ranges(), u32::from(c))
}

fn in_ranges(ranges: &[(u32, u32)], code: u32) -> bool {
    let after = ranges.partition_point(|&(start, _)| start <= code);
    after > 0 && ranges[after - 1].1 >= code
}

/// The main font's mapped code points, read once from its `cmap`.
fn main_ranges() -> &'static [(u32, u32)] {
    static RANGES: OnceLock<Vec<(u32, u32)>> = OnceLock::new();
    RANGES.get_or_init(|| cmap_ranges(MAIN_FONT).unwrap_or_default())
}

/// A table of a TrueType font by its tag.
pub(crate) fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    tables(font)?
        .into_iter()
        .find(|t| &t.tag == tag)
        .and_then(|t| font.get(t.offset..t.offset.checked_add(t.length)?))
}

/// One entry of a TrueType font's table directory.
pub(crate) struct Table {
    pub(crate) tag: [u8; 4],
    pub(crate) offset: usize,
    pub(crate) length: usize,
}

/// The table directory of a TrueType font; `None` if `font` is not one.
pub(crate) fn tables(font: &[u8]) -> Option<Vec<Table>> {
    if u32_at(font, 0)? != 0x0001_0000 {
        return None;
    }
    (0..usize::from(u16_at(font, 4)?))
        .map(|i| {
            let record = 12 + 16 * i;
            Some(Table {
                tag: font.get(record..record + 4)?.try_into().ok()?,
                offset: usize::try_from(u32_at(font, record + 8)?).ok()?,
                length: usize::try_from(u32_at(font, record + 12)?).ok()?,
            })
        })
        .collect()
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The code points a font maps to a glyph other than 0, as sorted, merged ranges: from
/// its Windows full-repertoire subtable (format 12) if it has one, else from its BMP
/// subtable (format 4).
pub fn cmap_ranges(font: &[u8]) -> Option<Vec<(u32, u32)>> {
    let cmap = table(font, b"cmap")?;
    let subtables = usize::from(u16_at(cmap, 2)?);
    let mut format_4 = None;
    let mut format_12 = None;
    for i in 0..subtables {
        let record = 4 + 8 * i;
        let platform = u16_at(cmap, record)?;
        let encoding = u16_at(cmap, record + 2)?;
        let offset = usize::try_from(u32_at(cmap, record + 4)?).ok()?;
        let subtable = cmap.get(offset..)?;
        match (platform, encoding, u16_at(subtable, 0)?) {
            (3 | 0, _, 12) => format_12 = Some(subtable),
            (3, 1, 4) | (0, _, 4) => format_4 = format_4.or(Some(subtable)),
            _ => {}
        }
    }
    let mut ranges = match (format_12, format_4) {
        (Some(subtable), _) => format_12_ranges(subtable)?,
        (None, Some(subtable)) => format_4_ranges(subtable)?,
        (None, None) => return None,
    };
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    Some(merged)
}

/// Format 12: groups of (start, end, first glyph); a group starting at glyph 0 maps its
/// first code point to nothing.
fn format_12_ranges(subtable: &[u8]) -> Option<Vec<(u32, u32)>> {
    let groups = usize::try_from(u32_at(subtable, 12)?).ok()?;
    (0..groups)
        .filter_map(|i| {
            let at = 16 + 12 * i;
            let (start, end, glyph) = (
                u32_at(subtable, at),
                u32_at(subtable, at + 4),
                u32_at(subtable, at + 8),
            );
            match (start, end, glyph) {
                (Some(start), Some(end), Some(0)) if start < end => Some(Some((start + 1, end))),
                (Some(_), Some(_), Some(0)) => None,
                (Some(start), Some(end), Some(_)) => Some(Some((start, end))),
                _ => Some(None),
            }
        })
        .collect()
}

/// Format 4: segments of the BMP; each code point is looked up, since a segment's glyph
/// array may map some of its code points to 0.
fn format_4_ranges(subtable: &[u8]) -> Option<Vec<(u32, u32)>> {
    let segments = usize::from(u16_at(subtable, 6)? / 2);
    let ends = 14;
    let starts = ends + 2 * segments + 2;
    let deltas = starts + 2 * segments;
    let range_offsets = deltas + 2 * segments;
    let mut ranges = Vec::new();
    for s in 0..segments {
        let end = u16_at(subtable, ends + 2 * s)?;
        let start = u16_at(subtable, starts + 2 * s)?;
        let delta = u16_at(subtable, deltas + 2 * s)?;
        let range_offset = usize::from(u16_at(subtable, range_offsets + 2 * s)?);
        for code in start..=end {
            if code == 0xFFFF {
                break;
            }
            let glyph = if range_offset == 0 {
                code.wrapping_add(delta)
            } else {
                let at = range_offsets + 2 * s + range_offset + 2 * usize::from(code - start);
                match u16_at(subtable, at)? {
                    0 => 0,
                    g => g.wrapping_add(delta),
                }
            };
            if glyph != 0 {
                let code = u32::from(code);
                match ranges.last_mut() {
                    Some((_, last_end)) if *last_end + 1 == code => *last_end = code,
                    _ => ranges.push((code, code)),
                }
            }
        }
    }
    Some(ranges)
}

/// For tests that need the fallback font: says on stderr that the check is skipped
/// because it is not installed, and fails instead when `CI` is set (CI installs it).
#[cfg(test)]
pub(crate) fn skipped_without_fallback_font() {
    assert!(
        std::env::var_os("CI").is_none(),
        "HanaMinB (fonts-hanazono) is not installed, and CI must run every check"
    );
    eprintln!("skipped: HanaMinB (fonts-hanazono) is not installed here (CI installs it)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_font_prints_chinese_names_and_not_emoji() {
        for c in "张小明欧阳娜娜䶮阿依古丽·买买提Zhang San¥1,234.56".chars() {
            assert!(printable(c), "{c}");
        }
        for c in ['😀', '\u{E000}', '\u{10FFFD}', '\u{1F1E8}'] {
            assert!(!printable(c), "{c:?}");
        }
        // Beyond Noto Sans SC, in HanaMinB.
        for c in ['𠮷', '𡈼', '𪚥'] {
            assert!(printable(c), "{c}");
        }
    }

    #[test]
    fn the_fallback_table_is_what_the_installed_fallback_font_maps() {
        let Some(bytes) = FALLBACK_FONT_PATHS
            .iter()
            .find_map(|path| std::fs::read(path).ok())
        else {
            skipped_without_fallback_font();
            return;
        };
        let ranges = cmap_ranges(&bytes).expect("HanaMinB has a cmap");
        let beyond_bmp: Vec<(u32, u32)> = ranges
            .into_iter()
            .filter(|&(start, _)| start >= 0x2_0000)
            .collect();
        assert_eq!(beyond_bmp, FALLBACK_RANGES);
    }

    #[test]
    fn a_font_that_is_not_truetype_has_no_ranges() {
        assert!(cmap_ranges(b"not a font at all").is_none());
    }
}
