//! Cases (咨询 / 投诉 / 信息公开申请): their kinds, states, tracking numbers and the checks on what
//! a filer may write.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CaseKind {
    Inquiry,
    Complaint,
    Disclosure,
}

impl CaseKind {
    pub const ALL: [CaseKind; 3] = [CaseKind::Inquiry, CaseKind::Complaint, CaseKind::Disclosure];

    /// The stored name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Inquiry => "inquiry",
            Self::Complaint => "complaint",
            Self::Disclosure => "disclosure",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Inquiry => "咨询",
            Self::Complaint => "投诉",
            Self::Disclosure => "信息公开申请",
        }
    }
}

/// Working days to answer each kind (configurable; these are the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    pub inquiry: u32,
    pub complaint: u32,
    pub disclosure: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines { inquiry: 5, complaint: 15, disclosure: 20 }
    }
}

impl Deadlines {
    pub fn days(&self, kind: CaseKind) -> u32 {
        match kind {
            CaseKind::Inquiry => self.inquiry,
            CaseKind::Complaint => self.complaint,
            CaseKind::Disclosure => self.disclosure,
        }
    }
}

/// The words for a stored case status.
pub fn status_name(status: &str) -> &'static str {
    match status {
        "open" => "待受理",
        "accepted" => "办理中",
        "info_requested" => "待补充材料",
        "answered" => "已答复",
        "closed" => "已办结",
        _ => "未知",
    }
}

/// The words for a stored case event.
pub fn event_name(kind: &str) -> &'static str {
    match kind {
        "filed" => "提交",
        "accepted" => "受理",
        "info_requested" => "要求补充材料",
        "supplemented" => "补充材料",
        "transferred" => "转办",
        "extended" => "延期",
        "replied" => "答复",
        "reopened" => "不满意，重新办理",
        "escalated" => "逾期，转财政局督办",
        "closed" => "办结",
        _ => "其他",
    }
}

/// Days after an answer during which the filer may call it unsatisfactory (once).
pub const REOPEN_WITHIN_DAYS: i64 = 15;
pub const DESCRIPTION_MIN: usize = 10;
pub const DESCRIPTION_MAX: usize = 1000;
pub const NAME_MAX: usize = 20;
pub const NOTE_MAX: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaseFormError {
    #[error("请选择类型：咨询、投诉或信息公开申请")]
    Kind,
    #[error("请选择所在乡镇（街道）")]
    Township,
    #[error("请写明情况，至少10个字")]
    DescriptionShort,
    #[error("情况说明不能超过1000字，请精简")]
    DescriptionLong,
    #[error("请填写姓名（不超过20个字）")]
    Name,
    #[error("请填写正确的11位手机号，用于接收验证码和办理结果")]
    Phone,
}

impl CaseFormError {
    pub const ALL: [CaseFormError; 6] =
        [Self::Kind, Self::Township, Self::DescriptionShort, Self::DescriptionLong, Self::Name, Self::Phone];

    pub fn code(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Township => "township",
            Self::DescriptionShort => "short",
            Self::DescriptionLong => "long",
            Self::Name => "name",
            Self::Phone => "phone",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// Why a step on a case was refused, in words for the person who tried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaseActionError {
    #[error("您没有办理此件的权限")]
    NotAllowed,
    #[error("此件当前状态下不能进行这一步")]
    WrongState,
    #[error("请填写说明（原因或答复内容）")]
    NoteRequired,
    #[error("说明不能超过2000字")]
    NoteTooLong,
    #[error("每件只能延期一次")]
    AlreadyExtended,
    #[error("请选择另一个部门")]
    SameDepartment,
    #[error("没有这个部门")]
    UnknownDepartment,
    #[error("答复后15日内可以申请重新办理，且只能一次")]
    ReopenClosed,
}

impl CaseActionError {
    pub const ALL: [CaseActionError; 8] = [
        Self::NotAllowed,
        Self::WrongState,
        Self::NoteRequired,
        Self::NoteTooLong,
        Self::AlreadyExtended,
        Self::SameDepartment,
        Self::UnknownDepartment,
        Self::ReopenClosed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NotAllowed => "not_allowed",
            Self::WrongState => "state",
            Self::NoteRequired => "note",
            Self::NoteTooLong => "note_long",
            Self::AlreadyExtended => "extended",
            Self::SameDepartment => "same_department",
            Self::UnknownDepartment => "department",
            Self::ReopenClosed => "reopen",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// A required note (reason, reply): cleaned, not empty, not too long.
pub fn check_note(text: &str) -> Result<String, CaseActionError> {
    let text = clean_text(text);
    match text.chars().count() {
        0 => Err(CaseActionError::NoteRequired),
        n if n > NOTE_MAX => Err(CaseActionError::NoteTooLong),
        _ => Ok(text),
    }
}

/// Free text as filed: trimmed, control characters other than line breaks removed.
pub fn clean_text(input: &str) -> String {
    input.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().replace("\r", "")
}

/// Checks a description's length in characters (not bytes).
pub fn check_description(text: &str) -> Result<(), CaseFormError> {
    match text.chars().count() {
        n if n < DESCRIPTION_MIN => Err(CaseFormError::DescriptionShort),
        n if n > DESCRIPTION_MAX => Err(CaseFormError::DescriptionLong),
        _ => Ok(()),
    }
}

pub fn check_name(name: &str) -> Result<(), CaseFormError> {
    let n = name.chars().count();
    if n == 0 || n > NAME_MAX {
        return Err(CaseFormError::Name);
    }
    Ok(())
}

/// A tracking number: the filing date, that day's sequence and six random digits that only the
/// filer is told (on screen and by SMS), e.g. `20261122-0007-483920`, so that the next case's
/// public record cannot be found by counting on. Digits only, for a phone's number pad.
pub fn tracking_no(local_date: &str, sequence: i64, key: u32) -> String {
    format!("{}-{sequence:04}-{:06}", local_date.replace('-', ""), key % 1_000_000)
}

/// Normalises what a person typed as a tracking number (full-width digits, spaces, hyphens or
/// none). Numbers given before the random part was added (`20261122-0007`) still work.
pub fn parse_tracking_no(input: &str) -> Option<String> {
    let digits: String = super::normalize_ascii(input).chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        12..=14 => Some(format!("{}-{}", &digits[..8], &digits[8..])),
        18..=20 => Some(format!("{}-{}-{}", &digits[..8], &digits[8..digits.len() - 6], &digits[digits.len() - 6..])),
        _ => None,
    }
}

/// The median of day counts (the mean of the middle two for an even number).
pub fn median(values: &[i64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[n / 2] as f64),
        n => Some((v[n / 2 - 1] + v[n / 2]) as f64 / 2.0),
    }
}

/// The nearest-rank percentile of day counts: the smallest value at or above `pct`% of them.
pub fn percentile(values: &[i64], pct: usize) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = (v.len() * pct).div_ceil(100).max(1);
    v.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_have_words() {
        for k in CaseKind::ALL {
            assert_eq!(CaseKind::from_code(k.code()), Some(k));
            assert!(!k.name().is_empty());
        }
        assert_eq!(Deadlines::default().days(CaseKind::Disclosure), 20);
    }

    #[test]
    fn descriptions_count_characters_not_bytes() {
        assert_eq!(check_description("低保金没有到账"), Err(CaseFormError::DescriptionShort));
        assert_eq!(check_description("三月份的低保金至今没有到账，请查一下"), Ok(()));
        assert_eq!(check_description(&"字".repeat(1001)), Err(CaseFormError::DescriptionLong));
        assert_eq!(clean_text("  a\u{0}b\r\nc "), "ab\nc");
        for e in CaseFormError::ALL {
            assert_eq!(CaseFormError::from_code(e.code()), Some(e));
        }
    }

    #[test]
    fn tracking_numbers_are_readable_and_forgiving() {
        assert_eq!(tracking_no("2026-11-22", 7, 483920), "20261122-0007-483920");
        assert_eq!(tracking_no("2026-11-22", 12345, 42), "20261122-12345-000042");
        assert_eq!(parse_tracking_no(" ２０２６１１２２-0007-483920 ").as_deref(), Some("20261122-0007-483920"));
        assert_eq!(parse_tracking_no("202611220007483920").as_deref(), Some("20261122-0007-483920"));
        assert_eq!(parse_tracking_no("2026112212345000042").as_deref(), Some("20261122-12345-000042"));
        assert_eq!(
            parse_tracking_no(" ２０２６１１２２-0007 ").as_deref(),
            Some("20261122-0007"),
            "old numbers keep working"
        );
        assert_eq!(parse_tracking_no("202611220007").as_deref(), Some("20261122-0007"));
        assert_eq!(parse_tracking_no("abc"), None);
        assert_eq!(parse_tracking_no("2026112200074839"), None);
    }

    #[test]
    fn medians_and_percentiles_of_days() {
        let days: Vec<i64> = (1..=10).collect();
        assert_eq!(super::percentile(&days, 90), Some(9));
        assert_eq!(super::percentile(&[7], 90), Some(7));
        assert_eq!(super::percentile(&[], 90), None);
        assert_eq!(super::median(&[4, 1, 3]), Some(3.0));
        assert_eq!(super::median(&[1, 2, 3, 4]), Some(2.5));
        assert_eq!(super::median(&[]), None);
    }
}
