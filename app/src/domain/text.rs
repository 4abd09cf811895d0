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

/// Why a person's name as written in a file cannot be a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("请填写姓名")]
    Empty,
    #[error("姓名过长（最多30个字）")]
    TooLong,
    #[error("姓名中有数字“{0}”，请核对")]
    Digit(char),
    #[error("姓名中有符号“{0}”，姓名只能包含汉字、字母和间隔号“·”")]
    Symbol(char),
}

/// Checks a person's name as written in a roster: letters (汉字 or other scripts), the middle
/// dots of minority names (·・•.) and spaces between words; no digits, markup or other symbols.
pub fn check_person_name(name: &str) -> Result<(), NameError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > 30 {
        return Err(NameError::TooLong);
    }
    for c in name.chars() {
        if c.is_numeric() {
            return Err(NameError::Digit(c));
        }
        if !(c.is_alphabetic() || "·・•.．\u{B7} \u{3000}".contains(c)) {
            return Err(NameError::Symbol(c));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check_person_name, normalize_ascii, NameError};

    #[test]
    fn names_are_letters_and_middle_dots() {
        for ok in ["张三", "欧阳娜娜", "阿依古丽·买买提", "Mary Smith", "䶮", "𠀋子"] {
            assert_eq!(check_person_name(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_person_name("张三1"), Err(NameError::Digit('1')));
        assert_eq!(check_person_name("张三１"), Err(NameError::Digit('１')));
        assert_eq!(check_person_name("<script>alert(1)</script>"), Err(NameError::Symbol('<')));
        assert_eq!(check_person_name(" "), Err(NameError::Empty));
        assert_eq!(check_person_name(&"张".repeat(31)), Err(NameError::TooLong));
    }

    #[test]
    fn folds_full_width_and_drops_spaces() {
        assert_eq!(normalize_ascii(" １３８　0013 8000 "), "13800138000");
        assert_eq!(normalize_ascii("ｘ"), "x");
    }
}
