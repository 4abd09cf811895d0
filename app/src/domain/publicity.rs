//! The rules of what payment publicity shows: how long lines stay public ([`Retention`]: the
//! lines of a period's year leave the public pages, search and open data after the configured
//! number of years; the self-check keeps them, and the publicity log keeps their hashes), and
//! which lines are shown only as a township's counts ([`SmallCells`]).

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

/// Item-name keywords of the sensitive items by default (orphans, HIV-affected children,
/// disability, medical assistance: the seeds' 分散养育孤儿和艾滋病病毒感染儿童基本生活费,
/// 困难残疾人生活补贴, 城乡医疗救助 and their like).
pub const DEFAULT_SENSITIVE_ITEMS: [&str; 4] = ["孤儿", "艾滋病", "残疾", "医疗救助"];
/// A village with fewer lines than this of a sensitive item in a roster is a small cell.
pub const DEFAULT_SMALL_CELL_BELOW: u32 = 5;

/// Small cells: in a sensitive item, a village with only a few lines in a roster would name
/// the few people (the one orphan of a village). Before such a roster is publicised its
/// department is shown those villages, and may publicise their lines at township level: the
/// township's count and amount only, no names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmallCells {
    /// Item-name keywords; an item whose name contains one is sensitive.
    pub sensitive_items: Vec<String>,
    /// A village with fewer lines than this is flagged (0: never).
    pub below: u32,
}

impl Default for SmallCells {
    fn default() -> Self {
        Self {
            sensitive_items: DEFAULT_SENSITIVE_ITEMS.iter().map(|k| k.to_string()).collect(),
            below: DEFAULT_SMALL_CELL_BELOW,
        }
    }
}

impl SmallCells {
    /// Whether an item (by its name) is one whose small cells are flagged.
    pub fn sensitive(&self, item_name: &str) -> bool {
        self.below > 0 && self.sensitive_items.iter().any(|k| !k.is_empty() && item_name.contains(k.as_str()))
    }

    /// Whether a village's `lines` of a sensitive item make a small cell.
    pub fn small(&self, lines: i64) -> bool {
        lines > 0 && lines < i64::from(self.below)
    }

    /// The rule in words, as the pages where it applies write it.
    pub fn rule_words(&self) -> String {
        format!(
            "涉及{}等敏感类别的补贴，一个村（社区）在一份清册中不足 {} 人的，为保护个人隐私，经主管部门确认，按乡镇汇总公示人数和金额，不公示姓名和身份证号。",
            self.sensitive_items.join("、"),
            self.below
        )
    }
}

/// Whether a text bound for the public log (a withdrawal's reason) holds what looks like an ID
/// number, phone or bank account: seven or more digits in a row (full-width digits and spaces
/// between them count; a date with 年 or hyphens does not).
pub fn looks_personal(text: &str) -> bool {
    let mut run = 0;
    for c in crate::domain::text::normalize_ascii(text).chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 7 {
            return true;
        }
    }
    false
}

/// How a department chose to publicise a roster's small cells: at township level (counts only)
/// or line by line (having checked that no one is exposed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallCellChoice {
    Township,
    Line,
}

impl SmallCellChoice {
    /// The choice by its form value (`township` or `line`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "township" => Some(Self::Township),
            "line" => Some(Self::Line),
            _ => None,
        }
    }
}

/// A correction (更正) of one published line before it is paid: a new amount, someone else
/// receiving it for the person (代领, by their ID number; the person's own number puts it back),
/// or its removal (核减: not paid this period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineCorrection {
    Amount(crate::domain::Money),
    Recipient(crate::domain::IdNumber),
    Remove,
}

impl LineCorrection {
    /// From the form: `change` (`amount`, `recipient` or `remove`) and the field that goes with
    /// it; a message in Chinese when they do not fit.
    pub fn from_form(change: &str, amount: &str, recipient: &str) -> Result<Self, String> {
        match change.trim() {
            "amount" => {
                crate::domain::Money::parse_positive(amount).map(Self::Amount).map_err(|e| format!("新金额：{e}"))
            }
            "recipient" => crate::domain::IdNumber::parse(recipient)
                .map(Self::Recipient)
                .map_err(|e| format!("代领人身份证号：{e}")),
            "remove" => Ok(Self::Remove),
            _ => Err("请选择更正什么：金额、代领人，还是核减".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_with_an_id_phone_or_account_are_caught() {
        assert!(looks_personal("第2行身份证号510999196602016110有误"));
        assert!(looks_personal("手机号 139 0000 1234 错了"));
        assert!(looks_personal("卡号６２１７００００"));
        assert!(!looks_personal("第2行身份证号录入有误，2026-12-05重新核对"));
        assert!(!looks_personal("2026年12月5日发现金额有误"));
    }

    #[test]
    fn a_correction_is_read_from_its_form() {
        use crate::domain::Money;
        assert_eq!(
            LineCorrection::from_form("amount", "１,２00.5元", ""),
            Ok(LineCorrection::Amount(Money::from_fen(120_050)))
        );
        assert_eq!(LineCorrection::from_form("remove", "", ""), Ok(LineCorrection::Remove));
        assert!(matches!(
            LineCorrection::from_form("recipient", "", "11010519491231002x"),
            Ok(LineCorrection::Recipient(_))
        ));
        assert_eq!(LineCorrection::from_form("amount", "0", ""), Err("新金额：金额必须大于0".into()));
        assert!(LineCorrection::from_form("recipient", "", "12345").unwrap_err().starts_with("代领人身份证号："));
        assert!(LineCorrection::from_form("", "100", "").unwrap_err().contains("请选择更正什么"));
    }

    #[test]
    fn small_cells_are_villages_with_few_lines_of_a_sensitive_item() {
        let rule = SmallCells::default();
        assert!(rule.sensitive("分散养育孤儿和艾滋病病毒感染儿童基本生活费"));
        assert!(rule.sensitive("困难残疾人生活补贴") && rule.sensitive("城乡医疗救助"));
        assert!(!rule.sensitive("耕地地力保护补贴"));
        assert!(rule.small(1) && rule.small(4) && !rule.small(5) && !rule.small(0));
        assert!(rule.rule_words().contains("不足 5 人"), "{}", rule.rule_words());
        let off = SmallCells { below: 0, ..SmallCells::default() };
        assert!(!off.sensitive("城乡医疗救助"), "0 turns the rule off");
        let empty = SmallCells { sensitive_items: vec![String::new()], below: 5 };
        assert!(!empty.sensitive("耕地地力保护补贴"), "an empty keyword matches nothing");
    }

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
