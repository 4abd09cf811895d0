//! Whatever a visitor types into the forms: ID numbers, phones, bank cards, amounts, tracking
//! numbers and dates parse or are refused, and what parses masks without a panic.
#![no_main]

use app::domain::{mask, BankAccount, IdNumber, Money, Phone};

libfuzzer_sys::fuzz_target!(|text: &str| {
    if let Ok(id) = IdNumber::parse(text) {
        let masked = mask::id_number(&id);
        assert!(!masked.contains(&id.as_str()[6..14]), "a masked ID never shows the birth date");
        let _ = (id.birth_date(), id.is_male(), id.region_code());
    }
    if let Ok(phone) = Phone::parse(text) {
        assert!(!mask::phone(&phone).contains(phone.as_str()));
    }
    if let Ok(account) = BankAccount::parse(text) {
        let _ = mask::account(&account);
    }
    if let Ok(money) = Money::parse(text) {
        let _ = (money.plain(), money.grouped());
    }
    let _ = mask::name(text);
    let _ = app::domain::cases::parse_tracking_no(text);
    let _ = app::domain::date::parse_days(text);
});
