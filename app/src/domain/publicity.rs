//! How long payment lines stay public: the lines of a period's year leave the public pages,
//! search and open data after the configured number of years (the self-check keeps them, and
//! the publicity log keeps their hashes).

/// Years the lines of a period's year are public by default (that year and the four before).
pub const DEFAULT_PUBLIC_YEARS: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// At least 1: the current year's lines are always public.
    pub years: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self { years: DEFAULT_PUBLIC_YEARS }
    }
}

impl Retention {
    /// The earliest period year whose lines are public in `current_year`.
    pub fn first_public_year(self, current_year: i32) -> i32 {
        current_year.saturating_sub(self.years.clamp(1, 10_000) as i32 - 1)
    }

    /// Whether a line of `period` (`2026-03`, `2026-Q1`, `2026`) is public in `current_year`.
    pub fn shows(self, period: &str, current_year: i32) -> bool {
        public_from(period, self.first_public_year(current_year))
    }
}

/// Whether a line of `period` is public when the first public year is `first`.
pub fn public_from(period: &str, first: i32) -> bool {
    period.get(..4).and_then(|y| y.parse::<i32>().ok()).is_some_and(|y| y >= first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_public_for_their_year_and_the_years_after() {
        let five = Retention { years: 5 };
        assert_eq!(five.first_public_year(2026), 2022);
        assert!(five.shows("2022-01", 2026) && five.shows("2026", 2026));
        assert!(!five.shows("2021-H2", 2026) && !five.shows("garbage", 2026));
        let one = Retention { years: 1 };
        assert!(one.shows("2026-Q4", 2026) && !one.shows("2025-12", 2026));
        // Zero is taken as one: this year's lines are always public.
        assert_eq!(Retention { years: 0 }.first_public_year(2026), 2026);
    }
}
