//! Reading a roster file as departments really produce it: XLSX (the first sheet), or CSV in
//! UTF-8, UTF-8 with BOM or GBK (Excel on Chinese Windows). The header row is found among the
//! first rows (forms often carry a title above it) and its names are matched tolerantly.
//! A file is taken for what its bytes are, not what its name says, and a workbook's unpacked
//! size and cell count are bounded before it is read.

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

/// A header as written, reduced to compare: no spaces or line breaks, ASCII brackets, and none of
/// the marks forms add to a column's name: （必填）, （非必填）, （选填）, ★ or *, a note (注：…).
fn normalize_header(h: &str) -> String {
    let s: String = normalize_ascii(h).chars().filter(|c| !c.is_whitespace() && !"★☆*※".contains(*c)).collect();
    let mut s = s.replace('（', "(").replace('）', ")").replace('：', ":");
    // A note, in brackets or after the name: "补贴额(注:按月)", "补贴额注:按月".
    if let Some(at) = s.find("注:") {
        s.truncate(s[..at].trim_end_matches('(').len());
    }
    let marks = ["必填", "选填", "可不填", "注"];
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else { break };
        let inside = &rest[open + 1..open + close];
        out.push_str(&rest[..open]);
        if !marks.iter().any(|m| inside.contains(m)) {
            out.push_str(&rest[open..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("必填", "").replace(':', "").trim().to_string()
}

/// The text of a number Excel kept as a number with more digits than it holds (15 significant
/// digits): shown as `5.22726198203151E+17`. Such an ID or card number has lost its last digits.
pub fn inexact_number(text: &str) -> Option<&str> {
    let t = text.trim();
    let (mantissa, exponent) = t.split_once(['E', 'e'])?;
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let digits = mantissa.replace('.', "");
    let shaped = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && exponent.parse::<u32>().is_ok_and(|e| e >= 11);
    shaped.then_some(t)
}

/// What to do about an ID or card number that Excel stored as a number.
pub fn inexact_number_message(column: Column, shown: &str) -> String {
    format!(
        "{}被 Excel 存成了数字（显示为 {shown}），只保留了前15位，后面几位已经丢失。请把这一列设置为“文本”格式，重新输入完整号码后再上传",
        column.label()
    )
}

/// A number cell as text: whole numbers without ".0" (phones, amounts); numbers of 16 digits or
/// more, which Excel cannot hold exactly, as Excel shows them (`6.21799123456780E+18`), so that
/// they are refused by [`inexact_number`] instead of read as a wrong number.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    if f.abs() >= 1e15 {
        let shown = format!("{f:.14E}");
        let (mantissa, exponent) = shown.split_once('E').unwrap_or((&shown, "0"));
        let mantissa =
            if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
        return format!("{mantissa}E+{exponent}");
    }
    f.to_string()
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
    #[error("这是{0}，不是 Excel（.xlsx）或 CSV 文件。请上传清册表格")]
    NotASpreadsheet(&'static str),
    #[error("这是旧版 Excel（.xls）文件或加了密码的工作簿，无法读取。请在 Excel 中取消密码并另存为“Excel 工作簿（.xlsx）”后上传")]
    OldExcel,
    #[error(
        "这是 Unicode 文本（UTF-16）文件，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或“Excel 工作簿（.xlsx）”后上传"
    )]
    Utf16,
    #[error("Excel 文件的内容过多（解压后超过{0}MB），请分批导入或使用命令行导入")]
    TooMuchContent(usize),
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

/// A workbook may unpack to this many times its own size (sheets of repeated text compress
/// about tenfold; a "zip bomb" a thousandfold).
const MAX_UNPACK_RATIO: usize = 32;
/// Columns beyond these are not read (the known columns sit in the first few dozen).
const MAX_COLUMNS_READ: usize = 100;
/// A sheet's last row in Excel; a cell placed below it is a damaged or forged file.
const EXCEL_ROWS: usize = 1_048_576;

fn grid_up_to(bytes: &[u8], max_bytes: usize) -> Result<Vec<Vec<String>>, FileError> {
    match check_content(bytes, max_bytes)? {
        Content::Workbook => xlsx_rows(bytes, max_bytes),
        Content::Text => csv_rows(&decode(bytes)?),
    }
}

/// What a file is by its bytes, whatever its name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Workbook,
    Text,
}

/// Whether a file of at most `max_bytes` may be a roster or feedback table (an XLSX workbook
/// that does not unpack to too much, or text), checked before the file is kept or read.
pub fn check_content(bytes: &[u8], max_bytes: usize) -> Result<Content, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(FileError::TooBig(max_bytes / (1024 * 1024)));
    }
    let content = sniff(bytes)?;
    if content == Content::Workbook {
        check_archive(bytes, max_bytes.saturating_mul(MAX_UNPACK_RATIO))?;
    }
    Ok(content)
}

/// The kind of file by its first bytes.
fn sniff(bytes: &[u8]) -> Result<Content, FileError> {
    const NOT: &[(&[u8], &str)] = &[
        (b"%PDF", "PDF 文件"),
        (b"\x89PNG", "图片"),
        (b"\xFF\xD8\xFF", "图片"),
        (b"GIF8", "图片"),
        (b"\x1F\x8B", "压缩包"),
        (b"Rar!", "压缩包"),
        (b"7z\xBC\xAF", "压缩包"),
    ];
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Content::Workbook);
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(FileError::OldExcel);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(FileError::Utf16);
    }
    if let Some((_, what)) = NOT.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(FileError::NotASpreadsheet(what));
    }
    if bytes.iter().take(64 * 1024).any(|b| *b == 0) {
        return Err(FileError::NotASpreadsheet("二进制文件"));
    }
    Ok(Content::Text)
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
        let record = record.map_err(|e| {
            let line =
                e.position().map(|p| format!("第{}行附近格式有误", p.line())).unwrap_or_else(|| "格式有误".into());
            FileError::Unreadable(line)
        })?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// The first sheet of a workbook that passed [`check_content`], read cell by cell into rows by
/// the cells' places (row `i` is Excel's row `i + 1`): a stray cell at XFD1048576 costs one
/// row, not the billions of cells of its bounding box, and a place past Excel's last row (a
/// forged reference the reader wraps round to billions) is refused before any row is made.
fn xlsx_rows(bytes: &[u8], max_bytes: usize) -> Result<Vec<Vec<String>>, FileError> {
    use calamine::{Data, Reader, Xlsx};
    let max_unpacked = max_bytes.saturating_mul(MAX_UNPACK_RATIO);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let sheet = book.sheet_names().first().cloned().ok_or(FileError::Empty)?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(xlsx_error)?;
    // Each cell is at least ~20 bytes of sheet XML.
    let max_cells = max_unpacked / 20;
    let mut count = 0usize;
    let mut rows: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
        count += 1;
        if count > max_cells {
            return Err(FileError::TooMuchContent(max_unpacked / (1024 * 1024)));
        }
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        if r >= EXCEL_ROWS {
            tracing::info!(row = r + 1, "workbook not read: a cell below the last row");
            return Err(damaged());
        }
        if c >= MAX_COLUMNS_READ {
            continue;
        }
        let text = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::Float(f) => number_text(f),
            Data::Int(i) => i.to_string(),
            // A date cell (到账日期, 预计发放时间) as the date it shows, not its serial number.
            Data::DateTime(d) if d.is_datetime() => {
                let (y, m, day, h, min, sec, _) = d.to_ymd_hms_milli();
                if (h, min, sec) == (0, 0, 0) {
                    format!("{y:04}-{m:02}-{day:02}")
                } else {
                    format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{sec:02}")
                }
            }
            other => other.to_string(),
        };
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        if rows[r].len() <= c {
            rows[r].resize(c + 1, String::new());
        }
        rows[r][c] = text;
    }
    Ok(rows)
}

/// A workbook is a zip of XML parts: refuse one that is not a workbook, or that would unpack
/// to more than `max_unpacked` bytes (the sizes it declares bound what the reader unpacks).
fn check_archive(bytes: &[u8], max_unpacked: usize) -> Result<(), FileError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| xlsx_error(calamine::XlsxError::Zip(e)))?;
    if zip.index_for_name("xl/workbook.xml").is_none() {
        return Err(FileError::NotASpreadsheet(if zip.index_for_name("word/document.xml").is_some() {
            "Word 文档"
        } else {
            "压缩包"
        }));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| xlsx_error(calamine::XlsxError::Zip(e)))?;
        total = total.saturating_add(part.size());
    }
    if total > max_unpacked as u64 {
        return Err(FileError::TooMuchContent(max_unpacked / (1024 * 1024)));
    }
    Ok(())
}

/// The reader's own words go to the log; the person gets ours.
fn xlsx_error(e: calamine::XlsxError) -> FileError {
    tracing::info!(error = %e, "workbook not read");
    match e {
        calamine::XlsxError::Password => FileError::OldExcel,
        _ => damaged(),
    }
}

/// A workbook whose parts do not hold together, in the person's words.
fn damaged() -> FileError {
    FileError::Unreadable("Excel 文件已损坏或不完整".into())
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
    let missing: Vec<&str> =
        Column::ALL.into_iter().filter(|c| c.required() && !columns.contains(c)).map(Column::label).collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns(missing.join("”“")));
    }
    let rows = grid
        .into_iter()
        .enumerate()
        .skip(header_at + 1)
        .map(|(i, mut row)| {
            (
                i + 1,
                index.iter().map(|&j| row.get_mut(j).map(std::mem::take).unwrap_or_default()).collect::<Vec<String>>(),
            )
        })
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
    fn headers_are_found_with_the_marks_forms_add() {
        for (written, column) in [
            ("村（社区）\n（非必填）", Column::Village),
            ("姓名\n（必填）", Column::Name),
            ("★身份证号", Column::IdNumber),
            ("开户行（必填）", Column::Bank),
            ("手机号（选填）", Column::Phone),
            ("补贴额（元）", Column::Amount),
            ("补贴额\n注：按月", Column::Amount),
            ("银行卡号（注：社保卡金融账户）", Column::Account),
            ("*镇街", Column::Township),
        ] {
            assert_eq!(column_of(written), Some(column), "{written:?}");
        }
    }

    #[test]
    fn numbers_excel_cannot_hold_are_shown_as_excel_shows_them() {
        assert_eq!(number_text(522726198203151100.0), "5.22726198203151E+17");
        assert_eq!(number_text(6217991234567800011.0), "6.2179912345678E+18");
        assert_eq!(number_text(15099719377.0), "15099719377");
        assert_eq!(number_text(120.5), "120.5");
        assert_eq!(inexact_number("5.22726198203151E+17"), Some("5.22726198203151E+17"));
        assert_eq!(inexact_number("6.21799E+18"), Some("6.21799E+18"));
        assert_eq!(inexact_number("522726198203151135"), None);
        assert_eq!(inexact_number("1E+2"), None, "a small number is not an ID or card number");
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
        assert_eq!(
            read(&[b'a', 0x81, 0x20, b'b']),
            Err(FileError::Encoding),
            "a GBK lead byte without its second byte"
        );
    }

    #[test]
    fn a_file_is_taken_for_what_its_bytes_are() {
        assert_eq!(read(b"%PDF-1.7\n..."), Err(FileError::NotASpreadsheet("PDF 文件")));
        assert_eq!(read(b"\x89PNG\r\n\x1a\n...."), Err(FileError::NotASpreadsheet("图片")));
        assert_eq!(read(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1...."), Err(FileError::OldExcel));
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("姓名\t身份证号".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(read(&utf16), Err(FileError::Utf16));
        let mut binary = CSV.as_bytes().to_vec();
        binary.insert(20, 0);
        assert_eq!(read(&binary), Err(FileError::NotASpreadsheet("二进制文件")));
        assert_eq!(check_content(CSV.as_bytes(), MAX_BYTES), Ok(Content::Text));
        assert_eq!(check_content(CSV.as_bytes(), 10), Err(FileError::TooBig(0)));
    }
}
