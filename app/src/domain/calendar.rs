//! The working-day calendar: weekends off, plus configured holidays and adjusted working days (调休).
//! Days are counted as days since 1970-01-01 (see `date`).

use std::collections::BTreeSet;

/// Longest stretch searched for a working day, so a calendar of only holidays cannot loop forever.
const SEARCH_LIMIT_DAYS: i64 = 3660;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<i64>,
    workdays: BTreeSet<i64>,
}

/// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
pub fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

impl Calendar {
    /// From `(day, is_holiday)` entries: a holiday is a day off, otherwise an adjusted working day.
    pub fn new(entries: impl IntoIterator<Item = (i64, bool)>) -> Self {
        let mut c = Calendar::default();
        for (day, holiday) in entries {
            if holiday {
                c.holidays.insert(day);
            } else {
                c.workdays.insert(day);
            }
        }
        c
    }

    pub fn is_working_day(&self, day: i64) -> bool {
        self.workdays.contains(&day) || (!self.holidays.contains(&day) && weekday(day) < 5)
    }

    /// The `n`-th working day after `from` (the day of filing itself does not count).
    pub fn add_working_days(&self, from: i64, n: u32) -> i64 {
        let mut day = from;
        let mut left = n;
        while left > 0 && day - from < SEARCH_LIMIT_DAYS {
            day += 1;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`.
    pub fn working_days_between(&self, from: i64, to: i64) -> i64 {
        let (lo, hi, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        sign * (lo + 1..=hi).filter(|d| self.is_working_day(*d)).count() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::date::{format_days, parse_days};
    use proptest::prelude::*;

    fn day(s: &str) -> i64 {
        parse_days(s).unwrap()
    }

    #[test]
    fn weekends_holidays_and_adjusted_working_days() {
        assert_eq!(weekday(day("2026-11-23")), 0, "2026-11-23 is a Monday");
        let plain = Calendar::default();
        // Filed on a Friday: five working days later is the next Friday.
        assert_eq!(format_days(plain.add_working_days(day("2026-11-20"), 5)), "2026-11-27");
        // Filed on a Saturday: the clock runs from Monday.
        assert_eq!(format_days(plain.add_working_days(day("2026-11-21"), 1)), "2026-11-23");
        // National Day week 2026 off, the Saturday after it worked (调休).
        let golden_week = (1..=7).map(|d| (day(&format!("2026-10-0{d}")), true));
        let cal = Calendar::new(golden_week.chain([(day("2026-10-10"), false)]));
        assert!(cal.is_working_day(day("2026-10-10")));
        assert!(!cal.is_working_day(day("2026-10-05")));
        // Filed Wednesday 30 September: 1 Oct–7 Oct off, 8 Thu, 9 Fri, 10 Sat (worked), 12 Mon, 13 Tue.
        assert_eq!(format_days(cal.add_working_days(day("2026-09-30"), 5)), "2026-10-13");
        assert_eq!(cal.working_days_between(day("2026-09-30"), day("2026-10-13")), 5);
        assert_eq!(cal.working_days_between(day("2026-10-13"), day("2026-09-30")), -5);
        assert_eq!(plain.add_working_days(day("2026-11-20"), 0), day("2026-11-20"));
    }

    #[test]
    fn a_calendar_of_only_holidays_ends() {
        let cal = Calendar::new((0..5000).map(|d| (day("2026-01-01") + d, true)));
        assert!(cal.add_working_days(day("2026-01-01"), 5) - day("2026-01-01") <= SEARCH_LIMIT_DAYS);
    }

    proptest! {
        #[test]
        fn the_deadline_is_a_working_day_exactly_n_working_days_on(
            start in 19_000i64..22_000,
            n in 1u32..40,
            off in proptest::collection::vec((0i64..120, any::<bool>()), 0..30),
        ) {
            let cal = Calendar::new(off.into_iter().map(|(d, h)| (start + d, h)));
            let end = cal.add_working_days(start, n);
            prop_assert!(cal.is_working_day(end));
            prop_assert_eq!(cal.working_days_between(start, end), i64::from(n));
        }
    }
}
