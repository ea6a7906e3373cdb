//! Reading an uploaded spreadsheet within a fixed memory budget: a small XLSX can declare
//! a sheet of 17 billion cells, inflate to gigabytes, or hold one shared string of a
//! gigabyte; a CSV of tiny rows can be millions of rows. Every upload (staff lists now;
//! household lists and catalogues next) is read here, row by row:
//!
//! 1. an XLSX's parts are checked by their declared sizes, then every XML part is
//!    inflated as a stream (never whole) and looked at: no part may inflate past what it
//!    declared, no run of text or tag past [`MAX_XML_RUN`], no nesting past
//!    [`MAX_XML_DEPTH`], no `<!…>` (entities, CDATA), and the parts that are read whole
//!    (shared strings, styles, the workbook) no more elements than their limits;
//! 2. only then does calamine open it, and the first sheet is streamed cell by cell
//!    (never a `Range`): a cell past column `Z`, a row past the limit, or a cell's text
//!    past [`Budget::max_cell_chars`] stops the reading at once;
//! 3. a CSV is read record by record with the same row and cell limits.
//!
//! The work checks a [`Cancel`] flag between chunks and rows: the request that started
//! it sets the flag when it ends or times out, and the reading stops. Each refusal is a
//! Chinese message that names the limit it passed.

use std::io::{Cursor, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use calamine::{Data, Reader, Xlsx};

/// The most an XLSX may inflate to, all its parts together.
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// The most one part may inflate to when it is streamed (a sheet) or never read (media).
pub const MAX_PART_BYTES: u64 = 128 * 1024 * 1024;
/// The most the shared strings may inflate to: calamine holds them all. A staff list of
/// 200,000 rows with a unique name each needs about 6 MB.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 32 * 1024 * 1024;
/// The most shared strings: five distinct texts on each of 200,000 rows.
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// The most any other XML part (styles, the workbook, relationships) may inflate to:
/// they are read whole.
pub const MAX_XML_PART_BYTES: u64 = 4 * 1024 * 1024;
/// The most elements in such a part (a style is a few hundred bytes once read).
pub const MAX_XML_ELEMENTS: u64 = 100_000;
/// The longest run of XML between two `<`: one tag with its attributes, or one text.
pub const MAX_XML_RUN: u64 = 256 * 1024;
/// The deepest nesting of XML elements (a sheet needs seven).
pub const MAX_XML_DEPTH: u32 = 64;
/// The most parts an XLSX may hold.
pub const MAX_PARTS: usize = 1_000;
/// The widest sheet read: column `Z`.
pub const MAX_COLUMNS: u32 = 26;

/// What one kind of upload may hold.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Rows after the header.
    pub max_rows: u32,
    /// Characters in one cell (Excel's own limit is 32,767).
    pub max_cell_chars: usize,
}

/// Why an upload was not read to its end.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UploadError {
    /// Past a limit of the budget: the message names it.
    #[error("{0}")]
    OverBudget(String),
    /// Not a file this reads.
    #[error("{0}")]
    Unreadable(String),
    /// The request ended (answered, timed out, or the client left) before the reading.
    #[error("请求已结束，文件未读完")]
    Cancelled,
}

/// Set when the request that started a reading ends: the blocking work sees it between
/// chunks and rows and stops, instead of running on after a 408.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not yet set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the flag is set.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// A guard that sets the flag when dropped: held by the async request, it is dropped
    /// when the request's future is (a timeout, a client gone) or when it is done.
    pub fn on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }

    fn check(&self) -> Result<(), UploadError> {
        if self.is_cancelled() {
            Err(UploadError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Sets its [`Cancel`] when dropped.
#[derive(Debug)]
pub struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Cells and rows are checked against the flag this often.
const CHECK_EVERY: u32 = 4_096;

/// The file's bytes as the zip reader (ours and calamine's) sees them: every read checks
/// the flag, so that even a stretch of XML with no cell in it (which calamine walks
/// through inside one call) stops within a few kilobytes of compressed input.
struct Watched<'a> {
    bytes: Cursor<&'a [u8]>,
    cancel: Cancel,
}

impl Read for Watched<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(std::io::Error::other("cancelled"));
        }
        self.bytes.read(buf)
    }
}

impl Seek for Watched<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.bytes.seek(to)
    }
}

fn watched<'a>(bytes: &'a [u8], cancel: &Cancel) -> Watched<'a> {
    Watched {
        bytes: Cursor::new(bytes),
        cancel: cancel.clone(),
    }
}

static CANCELLED_READINGS: AtomicU64 = AtomicU64::new(0);

/// How many readings were stopped by their [`Cancel`] since the process started.
pub fn cancelled_readings() -> u64 {
    CANCELLED_READINGS.load(Ordering::Relaxed)
}

/// Reads an XLSX (by its zip signature) or CSV upload row by row: `each` gets the row as
/// a spreadsheet numbers it (from 1) and its cells as text, from column `A`. Rows with
/// no cell are not given. Stops at the first limit passed.
pub fn read_rows(
    bytes: &[u8],
    budget: &Budget,
    cancel: &Cancel,
    each: &mut dyn FnMut(u32, Vec<String>),
) -> Result<(), UploadError> {
    let read = if bytes.starts_with(b"PK\x03\x04") {
        check_xlsx(bytes, cancel).and_then(|()| xlsx_rows(bytes, budget, cancel, each))
    } else {
        csv_rows(bytes, budget, cancel, each)
    };
    // Whatever failed once the flag was set failed because of it.
    if read.is_err() && cancel.is_cancelled() {
        CANCELLED_READINGS.fetch_add(1, Ordering::Relaxed);
        tracing::info!("upload reading stopped: its request ended");
        return Err(UploadError::Cancelled);
    }
    read
}

fn corrupt() -> UploadError {
    UploadError::OverBudget("XLSX 文件已损坏".into())
}

/// What a part is, for its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartKind {
    /// A worksheet: streamed, never held.
    Sheet,
    /// The shared strings: held whole by calamine.
    SharedStrings,
    /// Any other XML: held whole.
    Xml,
    /// Media and the like: never read.
    Other,
}

fn kind_of(name: &str) -> PartKind {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("xl/worksheets/") && lower.ends_with(".xml") {
        PartKind::Sheet
    } else if lower.ends_with("sharedstrings.xml") {
        PartKind::SharedStrings
    } else if lower.ends_with(".xml") || lower.ends_with(".rels") {
        PartKind::Xml
    } else {
        PartKind::Other
    }
}

fn mb(bytes: u64) -> u64 {
    bytes / 1_048_576
}

/// Checks an XLSX's parts against the budget before anything is built from them: their
/// count and declared sizes, then every XML part streamed through [`XmlScan`].
pub fn check_xlsx(bytes: &[u8], cancel: &Cancel) -> Result<(), UploadError> {
    let mut archive = zip::ZipArchive::new(watched(bytes, cancel))
        .map_err(|_| UploadError::Unreadable("不是有效的 XLSX 文件".into()))?;
    if archive.len() > MAX_PARTS {
        return Err(UploadError::OverBudget(format!(
            "XLSX 文件包含 {} 个部件，超过上限 {MAX_PARTS}",
            archive.len()
        )));
    }
    let mut total = 0u64;
    let mut xml_parts = Vec::new();
    for index in 0..archive.len() {
        let part = archive.by_index_raw(index).map_err(|_| corrupt())?;
        let size = part.size();
        let name = part.name().map_err(|_| corrupt())?.into_owned();
        let kind = kind_of(&name);
        let (limit, what) = match kind {
            PartKind::Sheet | PartKind::Other => (MAX_PART_BYTES, "单个部件"),
            PartKind::SharedStrings => (MAX_SHARED_STRINGS_BYTES, "共享文字（sharedStrings）"),
            PartKind::Xml => (MAX_XML_PART_BYTES, "此类部件"),
        };
        if size > limit {
            return Err(UploadError::OverBudget(format!(
                "XLSX 中的“{name}”解压后有 {} MB，超过{what}的上限 {} MB（表格中可能有大量空白或超长文字）",
                mb(size),
                mb(limit)
            )));
        }
        total += size;
        if kind != PartKind::Other {
            xml_parts.push((index, name, kind, size));
        }
    }
    if total > MAX_INFLATED_BYTES {
        return Err(UploadError::OverBudget(format!(
            "XLSX 文件解压后共 {} MB，超过上限 {} MB",
            mb(total),
            mb(MAX_INFLATED_BYTES)
        )));
    }
    for (index, name, kind, declared) in xml_parts {
        let part = archive.by_index(index).map_err(|_| corrupt())?;
        // One byte past what it declared is enough to know it lied.
        let mut scan = XmlScan::new(&name, kind);
        scan_stream(part.take(declared + 1), &mut scan, cancel, declared)?;
    }
    Ok(())
}

/// Feeds a part to the scan in 64 KB chunks; never more than `declared` bytes.
fn scan_stream(
    mut xml: impl Read,
    scan: &mut XmlScan,
    cancel: &Cancel,
    declared: u64,
) -> Result<(), UploadError> {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut seen = 0u64;
    loop {
        cancel.check()?;
        let read = match xml.read(&mut buffer) {
            Ok(read) => read,
            // The zip reader (9.x) itself refuses to inflate past the declared size; it
            // says so in its error, the one way to tell a lie from a broken stream.
            Err(e) if seen >= declared || e.to_string().contains("declared") => {
                return Err(scan.lied());
            }
            Err(_) => {
                return Err(UploadError::OverBudget(format!(
                    "XLSX 中的“{}”无法解压（已损坏，或比它声明的大小更大）",
                    scan.name
                )));
            }
        };
        if read == 0 {
            return Ok(());
        }
        seen += read as u64;
        if seen > declared {
            return Err(scan.lied());
        }
        scan.feed(&buffer[..read])?;
    }
}

/// A byte-level look at XML, in chunks, that holds nothing of it: how long the runs
/// between two `<` are, how deep the elements nest, how many there are.
struct XmlScan {
    name: String,
    kind: PartKind,
    run: u64,
    depth: u32,
    elements: u64,
    shared_strings: u64,
    in_tag: bool,
    /// The quote (`"` or `'`) of the attribute value being read, or 0: a `>` or `/` in
    /// it ends nothing.
    quote: u8,
    /// The tag is `</…>` or `<?…?>`: it opens nothing.
    closing: bool,
    /// The tag's local name is read to its end.
    named: bool,
    /// The local name's first bytes and its length (only `si` is looked for).
    local: [u8; 2],
    local_len: usize,
    last: u8,
}

impl XmlScan {
    fn new(name: &str, kind: PartKind) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            run: 0,
            depth: 0,
            elements: 0,
            shared_strings: 0,
            in_tag: false,
            quote: 0,
            closing: false,
            named: false,
            local: [0; 2],
            local_len: 0,
            last: 0,
        }
    }

    fn lied(&self) -> UploadError {
        UploadError::OverBudget(format!(
            "XLSX 中的“{}”解压后比它声明的大小更大，文件不可信",
            self.name
        ))
    }

    fn refuse(&self, why: &str) -> UploadError {
        UploadError::OverBudget(format!("XLSX 中的“{}”{why}", self.name))
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        for &byte in chunk {
            if byte == b'<' {
                if self.in_tag {
                    return Err(self.refuse("不是有效的 XML"));
                }
                self.in_tag = true;
                self.run = 0;
                self.closing = false;
                self.named = false;
                self.local_len = 0;
                self.last = byte;
                continue;
            }
            self.run += 1;
            if self.run > MAX_XML_RUN {
                return Err(self.refuse(&format!(
                    "中有一段超过 {} KB 的文字或标记，超过了上限（单元格文字过长或含大量空白）",
                    MAX_XML_RUN / 1024
                )));
            }
            if self.in_tag && self.quote != 0 {
                if byte == self.quote {
                    self.quote = 0;
                }
            } else if self.in_tag {
                match byte {
                    // `<!DOCTYPE`, `<![CDATA[`, `<!--`: never in a spreadsheet.
                    b'!' if self.last == b'<' => {
                        return Err(
                            self.refuse("含有不支持的 XML 声明（<!…>），请用 Excel 另存后再上传")
                        );
                    }
                    b'/' | b'?' if self.last == b'<' => self.closing = true,
                    b'"' | b'\'' => {
                        self.quote = byte;
                        self.named = true;
                    }
                    b'>' => {
                        self.in_tag = false;
                        self.end_tag()?;
                    }
                    b':' if !self.named => self.local_len = 0,
                    b' ' | b'\t' | b'\r' | b'\n' | b'/' => self.named = true,
                    _ if !self.named => {
                        if let Some(slot) = self.local.get_mut(self.local_len) {
                            *slot = byte;
                        }
                        self.local_len += 1;
                    }
                    _ => {}
                }
            }
            self.last = byte;
        }
        Ok(())
    }

    fn end_tag(&mut self) -> Result<(), UploadError> {
        if self.closing {
            // `</…>` closes; `<?…?>` neither opens nor closes.
            if self.last != b'?' {
                self.depth = self.depth.saturating_sub(1);
            }
            return Ok(());
        }
        self.elements += 1;
        if self.last != b'/' {
            self.depth += 1;
            if self.depth > MAX_XML_DEPTH {
                return Err(self.refuse(&format!("的元素嵌套超过 {MAX_XML_DEPTH} 层，超过了上限")));
            }
        }
        match self.kind {
            PartKind::SharedStrings if self.local_len == 2 && self.local == *b"si" => {
                self.shared_strings += 1;
                if self.shared_strings > MAX_SHARED_STRINGS {
                    return Err(self.refuse(&format!(
                        "中的共享文字超过 {MAX_SHARED_STRINGS} 条，超过了上限"
                    )));
                }
            }
            PartKind::Xml if self.elements > MAX_XML_ELEMENTS => {
                return Err(self.refuse(&format!("中的元素超过 {MAX_XML_ELEMENTS} 个，超过了上限")));
            }
            _ => {}
        }
        Ok(())
    }
}

/// Streams the first sheet's cells into rows. Cells come in order, row by row.
fn xlsx_rows(
    bytes: &[u8],
    budget: &Budget,
    cancel: &Cancel,
    each: &mut dyn FnMut(u32, Vec<String>),
) -> Result<(), UploadError> {
    let unreadable = |what: &str| UploadError::Unreadable(what.into());
    let mut workbook: Xlsx<_> =
        Xlsx::new(watched(bytes, cancel)).map_err(|_| unreadable("不是有效的 XLSX 文件"))?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| unreadable("文件中没有工作表"))?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable("第一个工作表无法读取"))?;
    let declared = cells.dimensions();
    if declared.end != (0, 0) {
        check_position(declared.end, budget.max_rows)?;
    }
    let mut row: Option<(u32, Vec<String>)> = None;
    let mut rows_given = 0u32;
    let mut count = 0u32;
    loop {
        count = count.wrapping_add(1);
        if count.is_multiple_of(CHECK_EVERY) {
            cancel.check()?;
        }
        let cell = cells
            .next_cell()
            .map_err(|_| unreadable("第一个工作表无法读取"))?;
        let Some(cell) = cell else { break };
        let (at_row, at_col) = cell.get_position();
        check_position((at_row, at_col), budget.max_rows)?;
        let value = Data::from(cell.get_value().clone());
        if matches!(value, Data::Empty) {
            continue;
        }
        let text = cell_text(&value);
        check_cell_text(&text, at_row + 1, at_col, budget)?;
        if row.as_ref().is_some_and(|(r, _)| *r != at_row)
            && let Some((r, cells)) = row.take()
        {
            give(&mut rows_given, budget, r + 1, cells, each)?;
        }
        let (_, line) = row.get_or_insert_with(|| (at_row, Vec::new()));
        let col = at_col as usize;
        if line.len() <= col {
            line.resize(col + 1, String::new());
        }
        line[col] = text;
    }
    if let Some((r, cells)) = row.take() {
        give(&mut rows_given, budget, r + 1, cells, each)?;
    }
    Ok(())
}

/// Hands a row on, counting it against the limit (the header is the first row).
fn give(
    given: &mut u32,
    budget: &Budget,
    number: u32,
    cells: Vec<String>,
    each: &mut dyn FnMut(u32, Vec<String>),
) -> Result<(), UploadError> {
    *given += 1;
    if *given > budget.max_rows.saturating_add(1) {
        return Err(too_many_rows(budget.max_rows));
    }
    each(number, cells);
    Ok(())
}

fn too_many_rows(max_rows: u32) -> UploadError {
    UploadError::OverBudget(format!(
        "文件最多 {max_rows} 行（不含表头），本文件超过了，请拆分后上传"
    ))
}

/// The column's letters, from 0 = `A`.
fn column_name(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + u8::try_from(col % 26).unwrap_or(0));
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell's position (from 0) against the budget: column `Z` and the row limit.
fn check_position((row, col): (u32, u32), max_rows: u32) -> Result<(), UploadError> {
    let name = format!("{}{}", column_name(col), u64::from(row) + 1);
    // The header row comes on top of the rows counted.
    let why = match (col >= MAX_COLUMNS, row > max_rows) {
        (false, false) => return Ok(()),
        (true, false) => format!(
            "工作表用到了 {name} 单元格，超过了最多 {MAX_COLUMNS} 列（A–Z）的范围，请删除名单以外的单元格后再上传"
        ),
        (false, true) => format!(
            "工作表用到了第 {} 行（{name} 单元格），超过了最多 {max_rows} 行的范围，请拆分或删除名单以外的行后再上传",
            u64::from(row) + 1
        ),
        (true, true) => format!(
            "工作表用到了 {name} 单元格，超过了最多 {MAX_COLUMNS} 列（A–Z）、{max_rows} 行的范围，请删除名单以外的单元格后再上传"
        ),
    };
    Err(UploadError::OverBudget(why))
}

fn check_cell_text(text: &str, row: u32, col: u32, budget: &Budget) -> Result<(), UploadError> {
    // Bytes first: characters are at most four bytes, so this is cheap for most cells.
    if text.len() > budget.max_cell_chars {
        let chars = text.chars().count();
        if chars > budget.max_cell_chars {
            return Err(UploadError::OverBudget(format!(
                "第 {row} 行 {} 列的单元格有 {chars} 个字符，超过了单个单元格最多 {} 个字符的上限",
                column_name(col),
                budget.max_cell_chars
            )));
        }
    }
    Ok(())
}

/// A cell as text; numbers keep at most their two decimals so that `200` and `200.5`
/// read as people typed them.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            let cents = (f * 100.0).round();
            if (f * 100.0 - cents).abs() < 1e-6 {
                let cents = cents as i64;
                if cents % 100 == 0 {
                    (cents / 100).to_string()
                } else {
                    format!("{}.{:02}", cents / 100, (cents % 100).abs())
                }
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => {
            if *b {
                "是".into()
            } else {
                "否".into()
            }
        }
        other => other.to_string(),
    }
}

/// Reads a CSV record by record: UTF-8 first, GB18030 (Excel in China) otherwise.
fn csv_rows(
    bytes: &[u8],
    budget: &Budget,
    cancel: &Cancel,
    each: &mut dyn FnMut(u32, Vec<String>),
) -> Result<(), UploadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(UploadError::Unreadable(
                    "文件编码无法识别，请保存为 UTF-8 或 GBK 的 CSV，或使用 XLSX 模板".into(),
                ));
            }
            decoded
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut number = 0u32;
    let mut given = 0u32;
    loop {
        if number.is_multiple_of(CHECK_EVERY) {
            cancel.check()?;
        }
        let more = reader
            .read_record(&mut record)
            .map_err(|_| UploadError::Unreadable("CSV 格式不正确（引号未闭合？）".into()))?;
        if !more {
            return Ok(());
        }
        number += 1;
        if record.len() > MAX_COLUMNS as usize {
            return Err(UploadError::OverBudget(format!(
                "第 {number} 行有 {} 列，超过了最多 {MAX_COLUMNS} 列（A–Z）的范围",
                record.len()
            )));
        }
        for (col, cell) in record.iter().enumerate() {
            check_cell_text(cell, number, u32::try_from(col).unwrap_or(0), budget)?;
        }
        give(
            &mut given,
            budget,
            number,
            record.iter().map(str::to_owned).collect(),
            each,
        )?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Budget = Budget {
        max_rows: 200_000,
        max_cell_chars: 32_767,
    };

    fn scan(kind: PartKind, xml: &[u8]) -> Result<(), UploadError> {
        let mut scan = XmlScan::new("part.xml", kind);
        scan_stream(xml, &mut scan, &Cancel::new(), xml.len() as u64)
    }

    #[test]
    fn a_normal_sheet_passes_the_scan_and_bombs_do_not() {
        let normal = br#"<?xml version="1.0"?><worksheet><dimension ref="A1:E3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
        assert!(scan(PartKind::Sheet, normal).is_ok());
        let mut blank = b"<worksheet><sheetData>".to_vec();
        blank.resize(blank.len() + 300 * 1024, b' ');
        let refused = scan(PartKind::Sheet, &blank).expect_err("whitespace");
        assert!(refused.to_string().contains("256 KB"), "{refused}");
        for deep in ["<a>".repeat(100), r#"<a x="/>">"#.repeat(100)] {
            let refused = scan(PartKind::Sheet, deep.as_bytes()).expect_err("deep");
            assert!(refused.to_string().contains("64 层"), "{refused}");
        }
        let flat = r#"<a><b x="/>"/><b y='>'/></a>"#.repeat(100);
        assert!(scan(PartKind::Sheet, flat.as_bytes()).is_ok());
        let entity = br#"<!DOCTYPE x [<!ENTITY a "aaaa">]><sst/>"#;
        assert!(scan(PartKind::SharedStrings, entity).is_err());
        let many = "<sst>".to_owned() + &"<si><t>a</t></si>".repeat(1_000_001) + "</sst>";
        let refused = scan(PartKind::SharedStrings, many.as_bytes()).expect_err("many");
        assert!(refused.to_string().contains("1000000 条"), "{refused}");
        let styles = "<styleSheet>".to_owned() + &"<xf/>".repeat(100_001);
        assert!(scan(PartKind::Xml, styles.as_bytes()).is_err());
    }

    #[test]
    fn a_part_longer_than_it_declared_is_refused() {
        let xml = b"<sst><si><t>abc</t></si></sst>";
        let mut scan = XmlScan::new("xl/sharedStrings.xml", PartKind::SharedStrings);
        let refused = scan_stream(&xml[..], &mut scan, &Cancel::new(), 10).expect_err("lied");
        assert!(refused.to_string().contains("声明"), "{refused}");
    }

    #[test]
    fn positions_past_z_or_the_row_limit_are_named() {
        let far = check_position((1_048_575, 16_383), 200_000).expect_err("far");
        assert!(
            far.to_string().contains("XFD1048576") && far.to_string().contains("200000 行"),
            "{far}"
        );
        let wide = check_position((1, 26), 200_000).expect_err("wide");
        assert!(wide.to_string().contains("AA2") && wide.to_string().contains("26 列"));
        assert!(check_position((200_000, 25), 200_000).is_ok());
        assert!(check_position((200_001, 0), 200_000).is_err());
    }

    #[test]
    fn csv_rows_stop_at_the_limits() {
        let budget = Budget {
            max_rows: 3,
            max_cell_chars: 5,
        };
        let mut seen = Vec::new();
        let ok = csv_rows(b"a,b\n1,2\n3,4\n", &budget, &Cancel::new(), &mut |n, r| {
            seen.push((n, r));
        });
        assert!(ok.is_ok());
        assert_eq!(seen.len(), 3);
        let long = csv_rows(b"a\n123456\n", &budget, &Cancel::new(), &mut |_, _| {});
        assert!(long.expect_err("long").to_string().contains("5 个字符"));
        let many = csv_rows(b"h\n1\n2\n3\n4\n", &budget, &Cancel::new(), &mut |_, _| {});
        assert!(many.expect_err("many").to_string().contains("3 行"));
    }

    /// A big list within the budget, read while its request ends: the reading stops
    /// within a few thousand rows of the flag being set, for CSV and XLSX alike.
    #[test]
    fn a_cancelled_reading_stops_promptly() {
        let rows = 50_000u32;
        let mut csv = String::from("姓名,金额(元)\n");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "姓名").expect("header");
        for i in 1..=rows {
            csv.push_str(&format!("职工{i},100\n"));
            sheet.write_number(i, 0, f64::from(i)).expect("cell");
        }
        let xlsx = book.save_to_buffer().expect("xlsx");
        for bytes in [csv.as_bytes(), &xlsx[..]] {
            let cancel = Cancel::new();
            let guard = Some(cancel.on_drop());
            let mut guard = guard;
            let mut read = 0u32;
            let started = std::time::Instant::now();
            let result = read_rows(bytes, &BUDGET, &cancel, &mut |_, _| {
                read += 1;
                if read == 1_000 {
                    // The request's future is dropped (a 408, a client gone).
                    guard.take();
                }
            });
            assert_eq!(result, Err(UploadError::Cancelled));
            assert!(
                read < 1_000 + CHECK_EVERY,
                "read {read} rows after the flag"
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(10));
        }
        // Unset, the same list reads to its end.
        let mut read = 0u32;
        let whole = read_rows(&xlsx, &BUDGET, &Cancel::new(), &mut |_, _| read += 1);
        assert_eq!((whole, read), (Ok(()), rows + 1));
    }

    #[test]
    fn column_names_read_as_excel_writes_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
    }
}
