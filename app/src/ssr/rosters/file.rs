//! Reading a roster file as departments really produce it: XLSX (the first sheet), or CSV in
//! UTF-8, UTF-8 with BOM or GBK (Excel on Chinese Windows). The header row is found among the
//! first rows (forms often carry a title above it) and its names are matched tolerantly.

use crate::domain::normalize_ascii;
use std::io::Cursor;

/// One column the import knows, with the names departments give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    IdNumber,
    Ethnicity,
    Phone,
    Township,
    Village,
    Bank,
    Account,
    Amount,
    Expected,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Name,
        Column::IdNumber,
        Column::Ethnicity,
        Column::Phone,
        Column::Township,
        Column::Village,
        Column::Bank,
        Column::Account,
        Column::Amount,
        Column::Expected,
    ];

    /// The name in the 基础信息表 of the seed documents.
    pub fn label(self) -> &'static str {
        match self {
            Column::Name => "姓名",
            Column::IdNumber => "身份证号",
            Column::Ethnicity => "民族",
            Column::Phone => "手机号",
            Column::Township => "镇街",
            Column::Village => "村(社区)",
            Column::Bank => "开户行",
            Column::Account => "银行卡号",
            Column::Amount => "补贴额",
            Column::Expected => "预计发放时间",
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["姓名", "补贴对象姓名", "享受人员姓名", "户主姓名"],
            Column::IdNumber => &["身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码"],
            Column::Ethnicity => &["民族"],
            Column::Phone => &["手机号", "手机号码", "联系电话", "电话", "手机"],
            Column::Township => &["镇街", "乡镇", "乡镇(街道)", "镇(街道)", "乡镇街道", "镇"],
            Column::Village => &["村(社区)", "村", "村社区", "村(居)", "社区"],
            Column::Bank => &["开户行", "开户银行", "代发银行", "银行"],
            Column::Account => &["银行卡号", "银行账号", "社保卡号", "社保卡银行账号", "卡号", "账号"],
            Column::Amount => &["补贴额", "补贴金额", "金额", "发放金额", "补贴额(元)", "补贴金额(元)", "金额(元)"],
            Column::Expected => &["预计发放时间", "发放时间", "预计发放日期"],
        }
    }

    pub fn required(self) -> bool {
        !matches!(self, Column::Ethnicity | Column::Phone | Column::Expected)
    }
}

/// A header as written, reduced to compare: no spaces, ASCII brackets, no (必填)/* marks.
fn normalize_header(h: &str) -> String {
    let s: String = normalize_ascii(h).chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').collect();
    let s = s.replace('（', "(").replace('）', ")");
    let s = s.replace("(必填)", "").replace("(选填)", "").replace("必填", "").replace('*', "").replace('：', "").replace(':', "");
    s.trim().to_string()
}

fn column_of(header: &str) -> Option<Column> {
    let h = normalize_header(header);
    Column::ALL.into_iter().find(|c| c.names().iter().any(|n| normalize_header(n) == h))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("文件是空的")]
    Empty,
    #[error("文件过大（超过{0}MB），请分批导入或使用命令行导入")]
    TooBig(usize),
    #[error("无法读取此文件：{0}。请上传 Excel（.xlsx）或 CSV 文件")]
    Unreadable(String),
    #[error("文件编码无法识别，请另存为“CSV UTF-8”或 Excel（.xlsx）后重试")]
    Encoding,
    #[error("没有找到表头：缺少“{0}”列。表头应包含：姓名、身份证号、镇街、村(社区)、开户行、银行卡号、补贴额")]
    MissingColumns(String),
}

/// The rows of a roster file by column; `row` is the row number as the user sees it in Excel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    pub fn get<'a>(&self, row: &'a [String], column: Column) -> &'a str {
        self.columns.iter().position(|c| *c == column).and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("")
    }
}

/// The largest file taken through the web form.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The largest file the command line takes (a province's roster of a million lines is ~110 MB).
pub const MAX_BYTES_COMMAND_LINE: usize = 1024 * 1024 * 1024;
/// Rows above the header that may hold a title.
const HEADER_SEARCH_ROWS: usize = 10;

/// Reads an XLSX or CSV file uploaded through the web into a table of the known columns.
pub fn read(bytes: &[u8]) -> Result<Table, FileError> {
    read_up_to(bytes, MAX_BYTES)
}

/// Reads a file of at most `max_bytes` into a table of the known columns.
pub fn read_up_to(bytes: &[u8], max_bytes: usize) -> Result<Table, FileError> {
    to_table(grid_up_to(bytes, max_bytes)?)
}

/// The cells of an uploaded XLSX (first sheet) or CSV file, row by row, as text.
pub fn grid(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    grid_up_to(bytes, MAX_BYTES)
}

fn grid_up_to(bytes: &[u8], max_bytes: usize) -> Result<Vec<Vec<String>>, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(FileError::TooBig(max_bytes / (1024 * 1024)));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx_rows(bytes)
    } else {
        csv_rows(&decode(bytes)?)
    }
}

/// Text of a CSV file: UTF-8 (with or without BOM), else GBK.
pub fn decode(bytes: &[u8]) -> Result<String, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, _, errors) = encoding_rs::GBK.decode(bytes);
    if errors {
        return Err(FileError::Encoding);
    }
    Ok(text.into_owned())
}

fn csv_rows(text: &str) -> Result<Vec<Vec<String>>, FileError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Unreadable(e.to_string()))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileError> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let sheet = book.sheet_names().first().cloned().ok_or(FileError::Empty)?;
    let range = book.worksheet_range(&sheet).map_err(|e| FileError::Unreadable(e.to_string()))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    // Whole numbers typed into number cells (phones, amounts) without a trailing ".0".
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

fn to_table(grid: Vec<Vec<String>>) -> Result<Table, FileError> {
    let header_at = grid.iter().take(HEADER_SEARCH_ROWS).position(|row| {
        let found: Vec<Column> = row.iter().filter_map(|h| column_of(h)).collect();
        found.contains(&Column::Name) && found.contains(&Column::IdNumber)
    });
    let Some(header_at) = header_at else {
        return Err(FileError::MissingColumns(format!("{}”和“{}", Column::Name.label(), Column::IdNumber.label())));
    };
    let headers = grid[header_at].clone();
    let mut columns = Vec::new();
    let mut index = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(c) = column_of(h).filter(|c| !columns.contains(c)) {
            columns.push(c);
            index.push(i);
        }
    }
    let missing: Vec<&str> = Column::ALL.into_iter().filter(|c| c.required() && !columns.contains(c)).map(Column::label).collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns(missing.join("”“")));
    }
    let rows = grid
        .into_iter()
        .enumerate()
        .skip(header_at + 1)
        .map(|(i, mut row)| (i + 1, index.iter().map(|&j| row.get_mut(j).map(std::mem::take).unwrap_or_default()).collect::<Vec<String>>()))
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    Ok(Table { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "某某县2026年惠民惠农补贴基础信息表\n序号,姓名（必填）,身份证号码,民族, 手机号 ,镇街,村（社区）,开户行,银行卡号,补贴额(元),预计发放时间\n1,张三,510999195703286417,汉族,15099719377,青山镇,青山村,青岚农村商业银行,6217000000000001,120.00,2026-12\n\n";

    #[test]
    fn finds_the_header_under_a_title_and_matches_names_tolerantly() {
        let t = read(CSV.as_bytes()).unwrap();
        assert_eq!(t.rows.len(), 1, "the blank line is skipped");
        let (row, cells) = &t.rows[0];
        assert_eq!(*row, 3, "row numbers as in Excel");
        assert_eq!(t.get(cells, Column::Name), "张三");
        assert_eq!(t.get(cells, Column::Phone), "15099719377");
        assert_eq!(t.get(cells, Column::Village), "青山村");
        assert_eq!(t.get(cells, Column::Amount), "120.00");
    }

    #[test]
    fn reads_utf8_with_bom_and_gbk() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(CSV.as_bytes());
        assert_eq!(read(&bom).unwrap(), read(CSV.as_bytes()).unwrap());
        let (gbk, _, _) = encoding_rs::GBK.encode(CSV);
        assert_eq!(read(&gbk).unwrap(), read(CSV.as_bytes()).unwrap());
    }

    #[test]
    fn says_what_is_missing_or_wrong() {
        assert_eq!(read(b""), Err(FileError::Empty));
        let err = read("姓名,身份证号,镇街\n张三,1,2\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("村(社区)") && err.to_string().contains("补贴额"), "{err}");
        assert!(matches!(read("a,b\n1,2\n".as_bytes()), Err(FileError::MissingColumns(_))));
        assert!(matches!(read(b"PK\x03\x04not really a zip"), Err(FileError::Unreadable(_))));
        assert_eq!(read(&[b'a', 0x81, 0x20, b'b']), Err(FileError::Encoding), "a GBK lead byte without its second byte");
    }
}
