//! `Phone`: a mainland China mobile number (11 digits, 1[3-9]x), validated.

use super::text::normalize_ascii;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("请填写手机号")]
    Empty,
    #[error("手机号应为11位数字")]
    Length,
    #[error("手机号应以13至19开头，请核对")]
    Prefix,
}

impl PhoneError {
    /// A short stable name, for carrying the error through a redirect.
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Length => "length",
            Self::Prefix => "prefix",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Empty, Self::Length, Self::Prefix].into_iter().find(|e| e.code() == code)
    }
}

/// A mobile number without country code, e.g. `13800138000`. `Debug` is masked.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces, hyphens, full-width digits and a `+86`/`86` prefix.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let s: String = normalize_ascii(input).chars().filter(|c| *c != '-').collect();
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        let s = s.strip_prefix("+86").or_else(|| (s.len() == 13).then(|| s.strip_prefix("86")).flatten()).unwrap_or(&s);
        if s.len() != 11 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::Length);
        }
        let b = s.as_bytes();
        if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
            return Err(PhoneError::Prefix);
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[7..]
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", super::mask::phone(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_common_ways_of_writing_a_number() {
        for input in [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+8613800138000",
            "8613800138000",
            "１３８００１３８０００",
        ] {
            assert_eq!(Phone::parse(input).unwrap().as_str(), "13800138000", "{input}");
        }
    }

    #[test]
    fn rejects_landlines_short_numbers_and_bad_prefixes() {
        assert_eq!(Phone::parse(""), Err(PhoneError::Empty));
        assert_eq!(Phone::parse("2443112"), Err(PhoneError::Length));
        assert_eq!(Phone::parse("0833-2443112"), Err(PhoneError::Prefix));
        assert_eq!(Phone::parse("12800138000"), Err(PhoneError::Prefix));
        assert_eq!(Phone::parse("1380013800a"), Err(PhoneError::Length));
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip(second in 3u8..=9, rest in "[0-9]{9}") {
            let s = format!("1{second}{rest}");
            let phone = Phone::parse(&s).unwrap();
            prop_assert_eq!(phone.as_str(), s.as_str());
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = Phone::parse(&s);
        }
    }
}
