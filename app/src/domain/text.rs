//! Input clean-up shared by the validated types: full-width to half-width, stray spaces removed.

/// Folds full-width ASCII (Ｕ+FF01..FF5E, the ideographic space) to half-width and drops
/// whitespace, so `１２３ ４５` and `12345` parse alike.
pub fn normalize_ascii(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                other => other,
            };
            (!c.is_whitespace()).then_some(c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::normalize_ascii;

    #[test]
    fn folds_full_width_and_drops_spaces() {
        assert_eq!(normalize_ascii(" １３８　0013 8000 "), "13800138000");
        assert_eq!(normalize_ascii("ｘ"), "x");
    }
}
