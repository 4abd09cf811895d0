//! `IdNumber`: an 18-character resident ID number (GB 11643-1999), validated.

use super::text::normalize_ascii;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Weights of the ISO 7064 MOD 11-2 checksum, for positions 1..=17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder 0..=10.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";
/// Province-level codes of GB/T 2260 (first two digits of every region code).
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("请填写身份证号")]
    Empty,
    #[error("身份证号应为18位")]
    Length,
    #[error("身份证号只能由数字组成，最后一位可以是X")]
    Characters,
    #[error("身份证号前6位地区码无效")]
    Region,
    #[error("身份证号中的出生日期无效")]
    BirthDate,
    #[error("身份证号校验位不正确，请核对每一位")]
    Checksum,
}

impl IdNumberError {
    /// A short stable name, for carrying the error through a redirect.
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Length => "length",
            Self::Characters => "characters",
            Self::Region => "region",
            Self::BirthDate => "birth_date",
            Self::Checksum => "checksum",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Empty, Self::Length, Self::Characters, Self::Region, Self::BirthDate, Self::Checksum]
            .into_iter()
            .find(|e| e.code() == code)
    }
}

/// A valid resident ID number, stored upper-case (`X`).
/// Its `Debug` output is masked so it can never leak through a log line.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses user input: surrounding and inner spaces, full-width digits and a lower-case `x` are accepted.
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        let s = normalize_ascii(input).to_ascii_uppercase();
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        if s.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        let province = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !PROVINCES.contains(&province) || &bytes[2..6] == b"0000" {
            return Err(IdNumberError::Region);
        }
        let (y, m, d) = birth_date_of(bytes);
        if !is_real_birth_date(y, m, d) {
            return Err(IdNumberError::BirthDate);
        }
        let first17: [u8; 17] = bytes[..17].try_into().map_err(|_| IdNumberError::Length)?;
        if check_char(&first17) != bytes[17] {
            return Err(IdNumberError::Checksum);
        }
        Ok(Self(s))
    }

    /// Builds the ID number for a region code, birth date and 3-digit sequence, computing the
    /// check character. Used by the demo generator; the result is still fully validated.
    pub fn from_parts(region: &str, y: u32, m: u32, d: u32, seq: u32) -> Result<Self, IdNumberError> {
        let first17 = format!("{region:0>6}{y:04}{m:02}{d:02}{:03}", seq % 1000);
        let bytes: [u8; 17] = first17.as_bytes().try_into().map_err(|_| IdNumberError::Length)?;
        let check = check_char(&bytes) as char;
        Self::parse(&format!("{first17}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Region code (first six digits).
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// Birth date as (year, month, day). Never shown in public; used for screening only.
    pub fn birth_date(&self) -> (u32, u32, u32) {
        birth_date_of(self.0.as_bytes())
    }

    /// The 17th digit is odd for men, even for women.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }
}

/// ISO 7064 MOD 11-2 check character of the first 17 digits.
pub fn check_char(first17: &[u8; 17]) -> u8 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(b, w)| u32::from(b.wrapping_sub(b'0')) * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

fn birth_date_of(bytes: &[u8]) -> (u32, u32, u32) {
    let num = |range: std::ops::Range<usize>| {
        bytes[range].iter().fold(0u32, |acc, b| acc * 10 + u32::from(b.wrapping_sub(b'0')))
    };
    (num(6..10), num(10..12), num(12..14))
}

fn is_real_birth_date(y: u32, m: u32, d: u32) -> bool {
    if !(1900..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > super::date::days_in_month(y as i32, m) {
        return false;
    }
    match today() {
        Some(t) => (y, m, d) <= t,
        None => true,
    }
}

/// Today's date (UTC) where a clock is available; the browser build leaves the
/// "not in the future" check to the server.
fn today() -> Option<(u32, u32, u32)> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        Some(super::date::civil_from_days((secs / 86_400) as i64))
    }
    #[cfg(target_arch = "wasm32")]
    {
        None
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> Self {
        value.0
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", super::mask::id_number(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_standard_example() {
        // The worked example of GB 11643-1999.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), (1949, 12, 31));
        assert!(!id.is_male());
        assert_eq!(id.region_code(), "110105");
    }

    #[test]
    fn accepts_lower_case_x_spaces_and_full_width_digits() {
        assert_eq!(IdNumber::parse(" 11010519491231002x ").unwrap().as_str(), "11010519491231002X");
        assert!(IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ").is_ok());
        assert!(IdNumber::parse("110105 19491231 002X").is_ok());
    }

    #[test]
    fn rejects_each_kind_of_bad_input() {
        assert_eq!(IdNumber::parse(""), Err(IdNumberError::Empty));
        assert_eq!(IdNumber::parse("1101051949123100"), Err(IdNumberError::Length));
        assert_eq!(IdNumber::parse("11010519491231002Y"), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse("99010519491231002X"), Err(IdNumberError::Region));
        assert_eq!(IdNumber::parse("110000194912310029"), Err(IdNumberError::Region));
        assert_eq!(IdNumber::parse("110105194902300021"), Err(IdNumberError::BirthDate));
        assert_eq!(IdNumber::parse("110105189912310021"), Err(IdNumberError::BirthDate));
        assert_eq!(IdNumber::parse("110105209912310021"), Err(IdNumberError::BirthDate));
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::Checksum));
    }

    #[test]
    fn leap_days() {
        assert!(IdNumber::from_parts("110105", 2000, 2, 29, 1).is_ok());
        assert_eq!(IdNumber::from_parts("110105", 1900, 2, 29, 1), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn debug_output_is_masked() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let shown = format!("{id:?}");
        assert!(!shown.contains("19491231"), "{shown}");
    }

    proptest! {
        #[test]
        fn every_built_number_parses_back(
            p in 0usize..34, county in 1u32..9999, y in 1900u32..2020, m in 1u32..=12, d in 1u32..=28, seq in 0u32..1000
        ) {
            let region = format!("{}{:04}", PROVINCES[p], county);
            let id = IdNumber::from_parts(&region, y, m, d, seq).unwrap();
            prop_assert_eq!(id.birth_date(), (y, m, d));
            prop_assert_eq!(IdNumber::parse(&id.as_str().to_lowercase()).unwrap(), id.clone());
            // Any other check character is refused.
            for c in "0123456789X".chars().filter(|c| *c != id.as_str().chars().last().unwrap()) {
                let bad = format!("{}{}", &id.as_str()[..17], c);
                prop_assert_eq!(IdNumber::parse(&bad), Err(IdNumberError::Checksum));
            }
        }

        #[test]
        fn any_single_digit_change_is_caught(pos in 0usize..17, delta in 1u8..10) {
            let id = IdNumber::parse("11010519491231002X").unwrap();
            let mut bytes = id.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&changed).is_err());
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = IdNumber::parse(&s);
        }
    }
}
