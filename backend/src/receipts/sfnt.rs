//! Just enough of the TrueType container to swap one table: the documents' font cut gets
//! a character map with a single entry, because PDF text goes by glyph id (with its
//! characters in a ToUnicode map) and every subset walks the whole character map of the
//! font it starts from.

/// `font` with its `cmap` table replaced by one mapping only the space to `space_glyph`.
/// `None` if `font` is not a TrueType font with a `cmap`.
pub(super) fn with_space_only_cmap(font: &[u8], space_glyph: u16) -> Option<Vec<u8>> {
    let tables = crate::kernel::fonts::tables(font)?;
    if !tables.iter().any(|t| &t.tag == b"cmap") {
        return None;
    }
    let cmap = space_only_cmap(space_glyph);
    let header_len = 12 + 16 * tables.len();
    let mut out = Vec::with_capacity(font.len());
    out.extend_from_slice(font.get(..12)?);
    out.resize(header_len, 0);
    for (i, table) in tables.iter().enumerate() {
        let data = if &table.tag == b"cmap" {
            &cmap[..]
        } else {
            font.get(table.offset..table.offset.checked_add(table.length)?)?
        };
        let offset = out.len();
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
        let record = 12 + 16 * i;
        out[record..record + 4].copy_from_slice(&table.tag);
        out[record + 4..record + 8].copy_from_slice(&checksum(data).to_be_bytes());
        out[record + 8..record + 12].copy_from_slice(&u32::try_from(offset).ok()?.to_be_bytes());
        out[record + 12..record + 16]
            .copy_from_slice(&u32::try_from(data.len()).ok()?.to_be_bytes());
    }
    Some(out)
}

/// A `cmap` with one Windows Unicode (3, 1) format 4 subtable: the space, and the
/// closing segment the format requires.
fn space_only_cmap(space_glyph: u16) -> Vec<u8> {
    let delta = space_glyph.wrapping_sub(0x20);
    let words: [u16; 22] = [
        0, 1, // version, one subtable
        3, 1, 0, 12, // platform 3, encoding 1, at offset 12
        4, 32, 0, // format 4, 32 bytes, language 0
        4, 4, 1, 0, // segCountX2, searchRange, entrySelector, rangeShift
        0x20, 0xffff, // end codes
        0,      // reserved
        0x20, 0xffff, // start codes
        delta, 1, // deltas
        0, 0, // range offsets
    ];
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_space_only_cmap_maps_the_space_and_nothing_else() {
        let cmap = space_only_cmap(3);
        assert_eq!(cmap.len(), 12 + 32);
        // The subtable's delta takes U+0020 to glyph 3.
        let delta = u16::from_be_bytes([cmap[12 + 24], cmap[12 + 25]]);
        assert_eq!(0x20u16.wrapping_add(delta), 3);
    }

    #[test]
    fn what_is_not_a_truetype_font_is_refused() {
        assert!(with_space_only_cmap(b"not a font at all", 1).is_none());
    }
}
