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
}
