//! `Money`: an exact amount in yuan, held as integer fen; parsed and printed with `rust_decimal`.

use super::text::normalize_ascii;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("请填写金额")]
    Empty,
    #[error("金额格式不正确，应为数字，例如 123.45")]
    Format,
    #[error("金额最多保留两位小数（分）")]
    TooPrecise,
    #[error("金额超出范围")]
    Range,
    #[error("金额必须大于0")]
    NotPositive,
}

/// An amount of money in fen (1 yuan = 100 fen). Totals are exact integer sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Self {
        Self(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    /// Parses yuan as people write it: `123`, `123.4`, `123.45`, `1,234.50`, `¥12`, `12元`,
    /// full-width digits. More than two decimals is an error, never a silent rounding.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let s = normalize_ascii(input);
        let s = s.trim_start_matches(['¥', '￥']).trim_end_matches('元').replace(',', "");
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
            return Err(MoneyError::Format);
        }
        let d = Decimal::from_str(&s).map_err(|_| MoneyError::Format)?;
        Self::from_decimal(d)
    }

    /// Like [`Money::parse`], and the amount must be above zero (a payment line).
    pub fn parse_positive(input: &str) -> Result<Self, MoneyError> {
        let m = Self::parse(input)?;
        if m.0 <= 0 {
            return Err(MoneyError::NotPositive);
        }
        Ok(m)
    }

    pub fn from_decimal(d: Decimal) -> Result<Self, MoneyError> {
        let d = d.normalize();
        if d.scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let fen = d.checked_mul(Decimal::ONE_HUNDRED).ok_or(MoneyError::Range)?;
        i64::try_from(fen).map(Self).map_err(|_| MoneyError::Range)
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `1234.50`: plain, for CSV files and form values.
    pub fn plain(self) -> String {
        self.to_decimal().to_string()
    }

    /// `1,234.50`: grouped, for pages.
    pub fn grouped(self) -> String {
        let plain = self.plain();
        let (sign, digits) = plain.strip_prefix('-').map_or(("", plain.as_str()), |d| ("-", d));
        let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
        let mut out = String::with_capacity(plain.len() + int.len() / 3);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}.{frac}")
    }

    /// `12.3万`: short, for headline figures (exact below 10,000 yuan).
    pub fn wan(self) -> String {
        let yuan = self.to_decimal();
        if yuan.abs() < Decimal::from(10_000) {
            return self.grouped();
        }
        let wan = (yuan / Decimal::from(10_000)).round_dp(2).normalize();
        format!("{wan}万")
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Self {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_people_type() {
        assert_eq!(Money::parse("123").unwrap().fen(), 12_300);
        assert_eq!(Money::parse("123.4").unwrap().fen(), 12_340);
        assert_eq!(Money::parse("1,234.50").unwrap().fen(), 123_450);
        assert_eq!(Money::parse("¥ 12元").unwrap().fen(), 1_200);
        assert_eq!(Money::parse("１２．５").unwrap().fen(), 1_250);
        assert_eq!(Money::parse("0.10").unwrap().fen(), 10);
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("12.345"), Err(MoneyError::TooPrecise));
        assert_eq!(Money::parse("1e3"), Err(MoneyError::Format));
        assert_eq!(Money::parse("十元"), Err(MoneyError::Format));
        assert_eq!(Money::parse("99999999999999999999"), Err(MoneyError::Range));
        assert_eq!(Money::parse_positive("0"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse_positive("-5"), Err(MoneyError::NotPositive));
    }

    #[test]
    fn prints_exactly() {
        assert_eq!(Money::from_fen(123_450).grouped(), "1,234.50");
        assert_eq!(Money::from_fen(5).plain(), "0.05");
        assert_eq!(Money::from_fen(-123_456_700).grouped(), "-1,234,567.00");
        assert_eq!(Money::from_fen(123_456_789).wan(), "123.46万");
        assert_eq!(Money::from_fen(99_900).wan(), "999.00");
    }

    #[test]
    fn sums_exactly_where_floats_would_drift() {
        let total: Money = std::iter::repeat_n(Money::parse("0.10").unwrap(), 1000).sum();
        assert_eq!(total, Money::parse("100").unwrap());
    }

    proptest! {
        #[test]
        fn plain_and_grouped_round_trip(fen in -10_000_000_000_000i64..10_000_000_000_000) {
            let m = Money::from_fen(fen);
            prop_assert_eq!(Money::parse(&m.plain()).unwrap(), m);
            prop_assert_eq!(Money::parse(&m.grouped()).unwrap(), m);
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = Money::parse(&s);
        }
    }
}
