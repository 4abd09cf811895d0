//! CSV files as Excel on Chinese Windows opens them: UTF-8 with BOM, CRLF, quoted where needed,
//! and never a cell a spreadsheet would run as a formula.

pub fn document(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&row(header));
    for r in rows {
        out.push_str(&row(&r));
    }
    out
}

/// One record: its fields as [`field`] writes them, comma-separated, ending in CRLF.
pub fn row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields.iter().map(|f| field(f.as_ref())).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// Quotes a field holding a comma, quote or line break; a leading `=+-@` gets a `'` first.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_never_formulas() {
        assert_eq!(field("张*三"), "张*三");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(
            document(&["a", "b"], vec![vec!["1".to_string(), "x,y".to_string()]].into_iter()),
            "\u{feff}a,b\r\n1,\"x,y\"\r\n"
        );
    }
}
