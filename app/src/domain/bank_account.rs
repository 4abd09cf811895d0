//! `BankAccount`: a social-security-card bank account or card number, validated.

use super::text::normalize_ascii;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BankAccountError {
    #[error("请填写银行卡号")]
    Empty,
    #[error("银行卡号只能由数字组成")]
    Characters,
    #[error("银行卡号应为12至30位数字")]
    Length,
}

/// Digits only; `Debug` is masked.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BankAccount(String);

impl BankAccount {
    pub fn parse(input: &str) -> Result<Self, BankAccountError> {
        let s: String = normalize_ascii(input).chars().filter(|c| *c != '-').collect();
        if s.is_empty() {
            return Err(BankAccountError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BankAccountError::Characters);
        }
        if !(12..=30).contains(&s.len()) {
            return Err(BankAccountError::Length);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// `body` (digits) with its Luhn check digit appended, as a card number.
    pub fn with_check_digit(body: &str) -> Result<Self, BankAccountError> {
        let zero = Self::parse(&format!("{body}0"))?;
        let sum: u32 =
            zero.0.bytes().rev().map(|b| u32::from(b - b'0')).enumerate().map(|(i, d)| luhn_term(i, d)).sum();
        Self::parse(&format!("{body}{}", (10 - sum % 10) % 10))
    }

    /// Whether the last digit is the Luhn check digit of the others (as on UnionPay cards;
    /// some banks' passbook accounts carry none, so banks say whether theirs do).
    pub fn luhn_ok(&self) -> bool {
        let sum: u32 =
            self.0.bytes().rev().map(|b| u32::from(b - b'0')).enumerate().map(|(i, d)| luhn_term(i, d)).sum();
        sum.is_multiple_of(10)
    }
}

/// A digit's part of the Luhn sum, `i` places from the right: every second one doubled.
fn luhn_term(i: usize, d: u32) -> u32 {
    if i % 2 == 1 {
        if d * 2 > 9 {
            d * 2 - 9
        } else {
            d * 2
        }
    } else {
        d
    }
}

impl TryFrom<String> for BankAccount {
    type Error = BankAccountError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BankAccount> for String {
    fn from(value: BankAccount) -> Self {
        value.0
    }
}

impl fmt::Debug for BankAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BankAccount({})", super::mask::account(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(BankAccount::parse("6217 0000 1234 5678 901").unwrap().last4(), "8901");
        assert_eq!(BankAccount::parse("6217x"), Err(BankAccountError::Characters));
        assert_eq!(BankAccount::parse("12345"), Err(BankAccountError::Length));
        assert_eq!(BankAccount::parse(" "), Err(BankAccountError::Empty));
    }

    #[test]
    fn luhn_digits_are_checked() {
        assert!(BankAccount::parse("4111111111111111").unwrap().luhn_ok());
        assert!(BankAccount::parse("6217991234567800016").unwrap().luhn_ok());
        assert!(!BankAccount::parse("6217991234567800011").unwrap().luhn_ok());
        assert!(!BankAccount::parse("4111111111111112").unwrap().luhn_ok());
        assert_eq!(BankAccount::with_check_digit("621799123456780001").unwrap().as_str(), "6217991234567800016");
        assert!(BankAccount::with_check_digit("62170000000010").unwrap().luhn_ok());
    }
}
