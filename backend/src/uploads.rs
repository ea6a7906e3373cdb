//! The memory budget of an uploaded spreadsheet, checked before any parser builds
//! anything from it: a small XLSX can declare a sheet of 17 billion cells or inflate to
//! gigabytes. Every upload (staff lists now; household lists and catalogues next) is
//! looked at here first; each refusal names the limit it passed, in Chinese.

use std::io::Read;

/// The most an XLSX may inflate to, all its parts together.
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// The most one part of it may inflate to (a sheet, the shared strings).
pub const MAX_PART_BYTES: u64 = 128 * 1024 * 1024;
/// The most parts an XLSX may hold.
pub const MAX_PARTS: usize = 1_000;
/// The widest sheet read: column `Z`.
pub const MAX_COLUMNS: u32 = 26;

/// Why an upload is refused before it is read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct OverBudget(pub String);

/// Checks an XLSX's parts and its first sheet's cells against the budget, reading the
/// sheet as a stream (never whole): the declared sizes of its parts, and the position of
/// every cell (`r="XFD1048576"`) and the sheet's declared dimension, so that neither
/// the column nor the row can pass `max_rows`.
pub fn check_xlsx(bytes: &[u8], max_rows: u32) -> Result<(), OverBudget> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| OverBudget("不是有效的 XLSX 文件".into()))?;
    if archive.len() > MAX_PARTS {
        return Err(OverBudget(format!(
            "XLSX 文件包含 {} 个部件，超过上限 {MAX_PARTS}",
            archive.len()
        )));
    }
    let mut total = 0u64;
    let mut sheet = None;
    for index in 0..archive.len() {
        let part = archive
            .by_index_raw(index)
            .map_err(|_| OverBudget("XLSX 文件已损坏".into()))?;
        let size = part.size();
        let name = part
            .name()
            .map_err(|_| OverBudget("XLSX 文件已损坏".into()))?
            .into_owned();
        if size > MAX_PART_BYTES {
            return Err(OverBudget(format!(
                "XLSX 中的“{}”解压后有 {} MB，超过单个部件的上限 {} MB（表格中可能有大量空白或超长文字）",
                name,
                size / 1_048_576,
                MAX_PART_BYTES / 1_048_576
            )));
        }
        total += size;
        if sheet.is_none() && name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            sheet = Some(index);
        }
    }
    if total > MAX_INFLATED_BYTES {
        return Err(OverBudget(format!(
            "XLSX 文件解压后共 {} MB，超过上限 {} MB",
            total / 1_048_576,
            MAX_INFLATED_BYTES / 1_048_576
        )));
    }
    let Some(sheet) = sheet else {
        return Ok(());
    };
    let part = archive
        .by_index(sheet)
        .map_err(|_| OverBudget("XLSX 文件已损坏".into()))?;
    scan_cells(part.take(MAX_PART_BYTES), max_rows)
}

/// Reads the sheet's XML in chunks and refuses at the first cell reference (or declared
/// dimension) beyond the limits.
fn scan_cells(mut xml: impl Read, max_rows: u32) -> Result<(), OverBudget> {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let read = xml
            .read(&mut buffer)
            .map_err(|_| OverBudget("XLSX 工作表无法读取".into()))?;
        if read == 0 {
            return Ok(());
        }
        carry.extend_from_slice(&buffer[..read]);
        // References are short: keep the last 40 bytes for the next chunk.
        let keep_from = carry.len().saturating_sub(40);
        check_references(&carry[..], max_rows)?;
        carry.drain(..keep_from);
    }
}

fn check_references(text: &[u8], max_rows: u32) -> Result<(), OverBudget> {
    for pattern in [&b" r=\""[..], &b"ref=\""[..]] {
        let mut at = 0;
        while let Some(found) = find(&text[at..], pattern) {
            let start = at + found + pattern.len();
            let end = text[start..]
                .iter()
                .position(|b| *b == b'"')
                .map_or(text.len(), |e| start + e);
            // A reference cut by the chunk's end is checked whole with the next chunk.
            if end < text.len() {
                for cell in text[start..end].split(|b| *b == b':') {
                    check_cell(cell, max_rows)?;
                }
            }
            at = start;
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A1-style reference: letters for the column, digits for the row.
fn check_cell(cell: &[u8], max_rows: u32) -> Result<(), OverBudget> {
    let letters = cell.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == cell.len() || !cell[letters..].iter().all(u8::is_ascii_digit) {
        return Ok(());
    }
    let column = cell[..letters].iter().fold(0u64, |n, b| {
        n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u64 = std::str::from_utf8(&cell[letters..])
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let name = String::from_utf8_lossy(cell);
    // A row element's `r="1048576"` has no letters: only its row is checked.
    if column > u64::from(MAX_COLUMNS) {
        return Err(OverBudget(format!(
            "工作表用到了 {name} 单元格，超过了最多 {MAX_COLUMNS} 列（A–Z）的范围，请删除名单以外的单元格后再上传"
        )));
    }
    if row > u64::from(max_rows) + 1 {
        let cell = if letters > 0 {
            format!("（{name} 单元格）")
        } else {
            String::new()
        };
        return Err(OverBudget(format!(
            "工作表用到了第 {row} 行{cell}，超过了最多 {max_rows} 行的范围，请拆分或删除名单以外的行后再上传"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::scan_cells;

    #[test]
    fn a_cell_far_out_is_refused_and_a_normal_sheet_passes() {
        let normal = br#"<worksheet><dimension ref="A1:E3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
        assert!(scan_cells(&normal[..], 200_000).is_ok());
        let far = br#"<worksheet><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
        let refused = scan_cells(&far[..], 200_000).expect_err("far cell");
        assert!(refused.0.contains("1048576"), "{}", refused.0);
        let wide = br#"<worksheet><sheetData><row r="2"><c r="XFD2"><v>1</v></c></row></sheetData></worksheet>"#;
        let refused = scan_cells(&wide[..], 200_000).expect_err("far column");
        assert!(
            refused.0.contains("XFD2") && refused.0.contains("26 列"),
            "{}",
            refused.0
        );
        let declared = br#"<worksheet><dimension ref="A1:E900000"/></worksheet>"#;
        assert!(scan_cells(&declared[..], 200_000).is_err());
    }

    #[test]
    fn a_reference_split_across_chunks_is_still_read() {
        let mut xml = vec![b' '; 64 * 1024 - 6];
        xml.extend_from_slice(br#" <c r="XFD1"><v>1</v></c>"#);
        assert!(scan_cells(&xml[..], 200_000).is_err());
    }
}
