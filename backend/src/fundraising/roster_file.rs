//! Reading a staff list (双日捐名单) from XLSX or CSV: every row is checked, and a file
//! with any bad row yields every bad row, named by its row number and column.

use std::collections::HashMap;

use crate::error::RowError;
use crate::kernel::Fen;
use crate::uploads::{self, Budget, Cancel, UploadError};

/// The template's headers, in order.
pub const HEADERS: [&str; 5] = ["姓名", "部门", "金额(元)", "是否匿名", "备注"];

/// The most rows a file may hold.
pub const MAX_ROWS: usize = 200_000;

/// The most bad rows listed in one answer (the count says how many there were).
pub const MAX_ERRORS: usize = 5_000;

/// What a staff list may hold: the rows, and a note's 200 characters with room to
/// spare (a longer cell is named as a bad row, not refused unread).
pub const BUDGET: Budget = Budget {
    max_rows: MAX_ROWS as u32,
    max_cell_chars: 1_000,
};

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
    /// The request ended before the file was read.
    #[error("请求已结束，名单未读完")]
    Cancelled,
}

impl From<UploadError> for FileError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::OverBudget(why) => Self::TooLarge(why),
            UploadError::Unreadable(why) => Self::Unreadable(why),
            UploadError::Cancelled => Self::Cancelled,
        }
    }
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

/// The columns found in the header row.
struct Columns {
    name: usize,
    amount: usize,
    department: Option<usize>,
    anonymous: Option<usize>,
    note: Option<usize>,
}

impl Columns {
    fn of(header: &[String]) -> Option<Self> {
        let columns: Vec<String> = header.iter().map(|h| normalize_header(h)).collect();
        let find = |name: &str| columns.iter().position(|c| *c == normalize_header(name));
        Some(Self {
            name: find("姓名")?,
            amount: find("金额(元)")?,
            department: find("部门"),
            anonymous: find("是否匿名"),
            note: find("备注"),
        })
    }
}

/// Reads and checks a staff list, row by row within [`BUDGET`], until `cancel` is set.
/// `Ok` only when every row is good; at most [`MAX_ERRORS`] bad cells are kept.
pub fn parse(
    bytes: &[u8],
    max_fen: i64,
    cancel: &Cancel,
) -> Result<Result<Vec<RosterLine>, Vec<RowError>>, FileError> {
    let mut header: Option<Option<Columns>> = None;
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    uploads::read_rows(bytes, &BUDGET, cancel, &mut |row, cells| {
        let Some(columns) = &header else {
            header = Some(Columns::of(&cells));
            return;
        };
        // Without the headers every row is moot: the one error is said below.
        let Some(columns) = columns else { return };
        check_row(
            row,
            &cells,
            columns,
            max_fen,
            &mut lines,
            &mut errors,
            &mut seen,
        );
    })?;
    let Some(header) = header else {
        return Err(FileError::Unreadable("文件是空的".into()));
    };
    if header.is_none() {
        return Ok(Err(vec![RowError {
            row: 1,
            column: "表头".into(),
            message: format!(
                "表头须包含“姓名”和“金额(元)”，请使用模板：{}",
                HEADERS.join("、")
            ),
        }]));
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

fn check_row(
    row: u32,
    cells: &[String],
    columns: &Columns,
    max_fen: i64,
    lines: &mut Vec<RosterLine>,
    errors: &mut Vec<RowError>,
    seen: &mut HashMap<(String, String), u32>,
) {
    let cell = |col: Option<usize>| {
        col.and_then(|c| cells.get(c))
            .map(|v| v.trim())
            .unwrap_or("")
    };
    if cells.iter().all(|c| c.trim().is_empty()) {
        return;
    }
    let mut bad = |column: &str, message: String| {
        // A list of 200,000 bad rows need not be held whole to be refused.
        if errors.len() < MAX_ERRORS {
            errors.push(RowError {
                row,
                column: column.into(),
                message,
            });
        }
    };
    let anonymous = match cell(columns.anonymous) {
        "" | "否" | "N" | "n" | "0" | "no" | "No" => false,
        "是" | "Y" | "y" | "1" | "yes" | "Yes" => true,
        other => {
            bad("是否匿名", format!("应填“是”或“否”，而不是“{other}”"));
            false
        }
    };
    let name = cell(Some(columns.name));
    if name.is_empty() && !anonymous {
        bad(
            "姓名",
            "姓名不能为空（匿名捐款请在“是否匿名”填“是”）".into(),
        );
    } else if let Err(message) = crate::kernel::text::typed("姓名", name, 0..=50) {
        bad("姓名", message);
    }
    let amount = cell(Some(columns.amount));
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
    let department = cell(columns.department);
    if department.chars().count() > 50 {
        bad("部门", "部门不能超过 50 个字符".into());
    }
    let note = cell(columns.note);
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
    // Once a row is bad nothing is imported: the good rows need not be kept.
    if !errors.is_empty() {
        lines.clear();
        return;
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
        parse(text.as_bytes(), MAX, &Cancel::new()).expect("readable")
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
        let lines = parse(&bytes, MAX, &Cancel::new())
            .expect("readable")
            .expect("clean");
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
        let errors = parse(&bytes, MAX, &Cancel::new())
            .expect("readable")
            .expect_err("no rows");
        assert!(errors[0].message.contains("没有任何捐款行"));
    }

    #[test]
    fn excel_numbers_keep_their_cents() {
        use calamine::Data;
        use uploads::cell_text;
        assert_eq!(cell_text(&Data::Float(200.0)), "200");
        assert_eq!(cell_text(&Data::Float(50.5)), "50.50");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.30");
    }
}
