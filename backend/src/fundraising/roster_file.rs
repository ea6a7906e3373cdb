//! Reading a staff list (双日捐名单) from XLSX or CSV: every row is checked, and a file
//! with any bad row yields every bad row, named by its row number and column.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::error::RowError;
use crate::kernel::Fen;

/// The template's headers, in order.
pub const HEADERS: [&str; 5] = ["姓名", "部门", "金额(元)", "是否匿名", "备注"];

/// The most rows a file may hold.
pub const MAX_ROWS: usize = 200_000;

/// The most bad rows listed in one answer (the count says how many there were).
pub const MAX_ERRORS: usize = 5_000;

/// One person's gift on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    /// The row as a spreadsheet numbers it.
    pub row: u32,
    /// The person's name (absent only when anonymous).
    pub name: Option<String>,
    /// The department.
    pub department: Option<String>,
    /// The gift, in fen.
    pub amount_fen: i64,
    /// Whether the person gives anonymously.
    pub anonymous: bool,
    /// A note.
    pub note: Option<String>,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    /// Not an XLSX or CSV this reads.
    #[error("无法读取文件：{0}")]
    Unreadable(String),
    /// Past a limit of the upload's memory budget (`uploads`): refused unread.
    #[error("{0}")]
    TooLarge(String),
}

/// A file's rows as text, the header first.
fn rows_of(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx_rows(bytes)
    } else {
        csv_rows(bytes)
    }
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    let max_rows = u32::try_from(MAX_ROWS).unwrap_or(u32::MAX);
    crate::uploads::check_xlsx(bytes, max_rows).map_err(|e| FileError::TooLarge(e.0))?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|_| FileError::Unreadable("不是有效的 XLSX 文件".into()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| FileError::Unreadable("文件中没有工作表".into()))?
        .map_err(|_| FileError::Unreadable("第一个工作表无法读取".into()))?;
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
}

/// A cell as text; numbers keep at most their two decimals so that `200` and `200.5`
/// read as people typed them.
fn cell_text(cell: &Data) -> String {
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

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Excel in China saves CSV as GBK; read UTF-8 first, GB18030 otherwise.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(FileError::Unreadable(
                    "文件编码无法识别，请保存为 UTF-8 或 GBK 的 CSV，或使用 XLSX 模板".into(),
                ));
            }
            decoded.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|_| FileError::Unreadable("CSV 格式不正确（引号未闭合？）".into()))?;
        // Stop at the limit: the rest is never held.
        if rows.len() > MAX_ROWS {
            return Err(FileError::TooLarge(format!(
                "一份名单最多 {MAX_ROWS} 行，本文件超过了，请拆分后上传"
            )));
        }
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

/// Header names as people type them: full-width brackets and spaces do not matter.
fn normalize_header(h: &str) -> String {
    h.trim()
        .replace('（', "(")
        .replace('）', ")")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Reads and checks a staff list. `Ok` only when every row is good.
pub fn parse(
    bytes: &[u8],
    max_fen: i64,
) -> Result<Result<Vec<RosterLine>, Vec<RowError>>, FileError> {
    let rows = rows_of(bytes)?;
    let Some(header) = rows.first() else {
        return Err(FileError::Unreadable("文件是空的".into()));
    };
    let columns: Vec<String> = header.iter().map(|h| normalize_header(h)).collect();
    let find = |name: &str| columns.iter().position(|c| *c == normalize_header(name));
    let (Some(name_col), Some(amount_col)) = (find("姓名"), find("金额(元)")) else {
        return Ok(Err(vec![RowError {
            row: 1,
            column: "表头".into(),
            message: format!(
                "表头须包含“姓名”和“金额(元)”，请使用模板：{}",
                HEADERS.join("、")
            ),
        }]));
    };
    let department_col = find("部门");
    let anonymous_col = find("是否匿名");
    let note_col = find("备注");
    if rows.len() - 1 > MAX_ROWS {
        return Ok(Err(vec![RowError {
            row: 1,
            column: "表头".into(),
            message: format!("一份名单最多 {MAX_ROWS} 行，请拆分后上传"),
        }]));
    }
    let mut lines = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for (index, cells) in rows.iter().enumerate().skip(1) {
        let row = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let cell = |col: Option<usize>| {
            col.and_then(|c| cells.get(c))
                .map(|v| v.trim())
                .unwrap_or("")
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut bad = |column: &str, message: String| {
            errors.push(RowError {
                row,
                column: column.into(),
                message,
            });
        };
        let anonymous = match cell(anonymous_col) {
            "" | "否" | "N" | "n" | "0" | "no" | "No" => false,
            "是" | "Y" | "y" | "1" | "yes" | "Yes" => true,
            other => {
                bad("是否匿名", format!("应填“是”或“否”，而不是“{other}”"));
                false
            }
        };
        let name = cell(Some(name_col));
        if name.is_empty() && !anonymous {
            bad(
                "姓名",
                "姓名不能为空（匿名捐款请在“是否匿名”填“是”）".into(),
            );
        } else if let Err(message) = crate::kernel::text::typed("姓名", name, 1..=50) {
            bad("姓名", message);
        }
        let amount = cell(Some(amount_col));
        let amount_fen = match Fen::parse_yuan(amount) {
            Ok(Fen(0)) => {
                bad("金额(元)", "金额须大于 0".into());
                0
            }
            Ok(Fen(fen)) if fen > max_fen => {
                bad("金额(元)", format!("金额不能超过 {}", Fen(max_fen)));
                0
            }
            Ok(Fen(fen)) => fen,
            Err(why) => {
                bad("金额(元)", format!("{why}（“{amount}”）"));
                0
            }
        };
        let department = cell(department_col);
        if department.chars().count() > 50 {
            bad("部门", "部门不能超过 50 个字符".into());
        }
        let note = cell(note_col);
        if note.chars().count() > 200 {
            bad("备注", "备注不能超过 200 个字符".into());
        }
        if !name.is_empty() {
            let key = (name.to_owned(), department.to_owned());
            if let Some(first) = seen.get(&key) {
                bad("姓名", format!("与第 {first} 行重复（同一部门同名）"));
            } else {
                seen.insert(key, row);
            }
        }
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        lines.push(RosterLine {
            row,
            name: some(name),
            department: some(department),
            amount_fen,
            anonymous,
            note: some(note),
        });
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: 2,
            column: "姓名".into(),
            message: "名单中没有任何捐款行".into(),
        });
    }
    if errors.is_empty() {
        Ok(Ok(lines))
    } else {
        Ok(Err(errors))
    }
}

/// The template: the headers, widths, and a sheet of instructions.
pub fn template() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet().set_name("名单")?;
    for (col, header) in HEADERS.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(0);
        sheet.write_string_with_format(0, col, *header, &bold)?;
        sheet.set_column_width(col, if col == 4 { 30 } else { 14 })?;
    }
    let help = workbook.add_worksheet().set_name("填写说明")?;
    let lines = [
        "1. 每位职工一行；“姓名”和“金额(元)”必填，金额最多两位小数。",
        "2. “是否匿名”填“是”或“否”；匿名的职工可以不填姓名。",
        "3. 同一部门不能出现同名的两行。",
        "4. 任何一行有误，整份名单都不会导入，系统会列出每一处错误。",
        "5. 名单导入后，请按页面显示的汇款编号一次汇出合计金额。",
        "6. 慈善捐款自愿参加，不得摊派。",
    ];
    for (row, line) in lines.iter().enumerate() {
        help.write_string(u32::try_from(row).unwrap_or(0), 0, *line)?;
    }
    help.set_column_width(0, 70)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: i64 = 10_000_000_000;

    fn csv(text: &str) -> Result<Vec<RosterLine>, Vec<RowError>> {
        parse(text.as_bytes(), MAX).expect("readable")
    }

    #[test]
    fn a_clean_csv_reads_every_row() {
        let lines =
            csv("姓名,部门,金额(元),是否匿名,备注\n张三,财务科,200,否,\n,工会,50.5,是,匿名\n")
                .expect("clean");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount_fen, 20_000);
        assert_eq!(lines[1].amount_fen, 5_050);
        assert!(lines[1].anonymous);
        assert_eq!(lines[1].row, 3);
    }

    #[test]
    fn every_bad_row_is_named_with_its_column() {
        let errors = csv("姓名,部门,金额(元),是否匿名\n张三,财务科,abc,否\n,办公室,10,否\n李四,工会,10,也许\n张三,财务科,20,否\n王五,,0,\n").expect_err("bad");
        let found: Vec<(u32, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            found,
            [
                (2, "金额(元)"),
                (3, "姓名"),
                (4, "是否匿名"),
                (5, "姓名"),
                (6, "金额(元)")
            ]
        );
        assert!(errors[3].message.contains("第 2 行"));
    }

    #[test]
    fn a_gbk_csv_from_excel_reads() {
        let (bytes, _, _) = encoding_rs::GBK.encode("姓名,金额（元）\n赵六,100\n");
        let lines = parse(&bytes, MAX).expect("readable").expect("clean");
        assert_eq!(lines[0].name.as_deref(), Some("赵六"));
    }

    #[test]
    fn a_file_without_the_headers_says_so() {
        let errors = csv("name,amount\nx,1\n").expect_err("bad");
        assert_eq!(errors[0].row, 1);
    }

    #[test]
    fn the_template_reads_back_as_an_empty_list() {
        let bytes = template().expect("template");
        let errors = parse(&bytes, MAX).expect("readable").expect_err("no rows");
        assert!(errors[0].message.contains("没有任何捐款行"));
    }

    #[test]
    fn excel_numbers_keep_their_cents() {
        assert_eq!(cell_text(&Data::Float(200.0)), "200");
        assert_eq!(cell_text(&Data::Float(50.5)), "50.50");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.30");
    }
}
