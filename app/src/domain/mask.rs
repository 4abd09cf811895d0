//! The one masking function per field (DOMAIN.md "What may be public"). Every page, API and CSV
//! uses these, so two listings never reveal different parts of the same number.

use super::{BankAccount, IdNumber, Phone};

/// Name: first character kept; 2 characters → `张*`; 3+ → first and last kept, the middle masked
/// (`张*三`, `欧**强`). A name with `·` is one string: `买****力`.
pub fn name(full: &str) -> String {
    let chars: Vec<char> = full.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 | 2 => format!("{}*", chars[0]),
        n => {
            let mut out = String::with_capacity(full.len());
            out.push(chars[0]);
            out.extend(std::iter::repeat_n('*', n - 2));
            out.push(chars[n - 1]);
            out
        }
    }
}

/// ID number in public: first and last character only; region, birth date and sequence hidden.
pub fn id_number(id: &IdNumber) -> String {
    let s = id.as_str();
    format!("{}{}{}", &s[..1], "*".repeat(16), &s[17..])
}

/// Phone, only in the citizen's own verified view: last four digits.
pub fn phone(phone: &Phone) -> String {
    format!("*******{}", phone.last4())
}

/// Bank account or card number, only in the citizen's own verified view: last four digits.
pub fn account(account: &BankAccount) -> String {
    format!("****{}", account.last4())
}

/// The same as [`account`], from the last four digits kept with a payment line.
pub fn account_last4(last4: &str) -> String {
    format!("****{last4}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_as_domain_md_says() {
        assert_eq!(name("张三"), "张*");
        assert_eq!(name("张小三"), "张*三");
        assert_eq!(name("欧阳小强"), "欧**强");
        assert_eq!(name("买买提·艾力"), "买****力");
        assert_eq!(name(""), "");
    }

    #[test]
    fn id_number_hides_region_birth_date_and_sequence() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id_number(&id), "1****************X");
    }

    #[test]
    fn phone_and_account_show_last_four() {
        assert_eq!(phone(&Phone::parse("13800138000").unwrap()), "*******8000");
        assert_eq!(account(&BankAccount::parse("6217000012345678901").unwrap()), "****8901");
        assert_eq!(account_last4("8901"), "****8901");
    }

    proptest! {
        #[test]
        fn masked_name_keeps_length_and_first_char(s in "[\\p{Han}·]{1,8}") {
            let m = name(&s);
            prop_assert_eq!(m.chars().next(), s.chars().next());
            prop_assert_eq!(m.chars().count(), s.chars().count().max(2));
            if s.chars().count() >= 3 {
                prop_assert_eq!(m.chars().filter(|c| *c == '*').count(), s.chars().count() - 2);
            }
        }

        #[test]
        fn masked_id_never_shows_the_birth_date(y in 1900u32..2020, m in 1u32..=12, d in 1u32..=28, seq in 0u32..1000) {
            let id = IdNumber::from_parts("510104", y, m, d, seq).unwrap();
            let masked = id_number(&id);
            prop_assert_eq!(masked.chars().count(), 18);
            let birth = format!("{y:04}{m:02}{d:02}");
            prop_assert!(!masked.contains(&birth));
            prop_assert_eq!(masked.chars().filter(|c| c.is_ascii_alphanumeric()).count(), 2);
        }
    }
}
