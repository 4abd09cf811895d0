//! A roster's states and the steps that move it, each with its code (as stored and posted) and
//! its words — one name for one state, on the department side and in public.

/// Where a roster is in its review flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterStatus {
    Draft,
    Publicising,
    DepartmentReviewed,
    FinanceReviewed,
    SentToBank,
    BankFeedback,
    PayoutPublicised,
    Returned,
}

impl RosterStatus {
    pub const ALL: [RosterStatus; 8] = [
        Self::Draft,
        Self::Publicising,
        Self::DepartmentReviewed,
        Self::FinanceReviewed,
        Self::SentToBank,
        Self::BankFeedback,
        Self::PayoutPublicised,
        Self::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Publicising => "publicising",
            Self::DepartmentReviewed => "department_reviewed",
            Self::FinanceReviewed => "finance_reviewed",
            Self::SentToBank => "sent_to_bank",
            Self::BankFeedback => "bank_feedback",
            Self::PayoutPublicised => "payout_publicised",
            Self::Returned => "returned",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Publicising => "公示中",
            Self::DepartmentReviewed => "主管部门已审核",
            Self::FinanceReviewed => "财政已复核",
            Self::SentToBank => "已提交银行",
            Self::BankFeedback => "银行已反馈",
            Self::PayoutPublicised => "已发放并公示",
            Self::Returned => "已退回",
        }
    }
}

/// A stored roster status in words ("未知" for a code no version of the portal wrote).
pub fn status_name(code: &str) -> &'static str {
    RosterStatus::from_code(code).map_or("未知", RosterStatus::name)
}

/// A step staff take on a roster: its form value, the status it leads to, the event it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterStep {
    /// Start the objection period (公示).
    Publicise,
    /// The department's review.
    Approve,
    /// Finance's procedural review (程序性复核).
    FinanceReview,
    /// Finance returns it to the department, with a reason.
    Return,
    SendToBank,
    /// A new roster for the failed lines.
    Reissue,
    /// The department withdraws its roster from publicity (撤回), with a reason: its lines leave
    /// the public pages, the log records it, and it is a draft again.
    Withdraw,
}

impl RosterStep {
    pub const ALL: [RosterStep; 7] = [
        Self::Publicise,
        Self::Approve,
        Self::FinanceReview,
        Self::Return,
        Self::SendToBank,
        Self::Reissue,
        Self::Withdraw,
    ];

    /// As the step's form posts it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Publicise => "publicise",
            Self::Approve => "approve",
            Self::FinanceReview => "finance_review",
            Self::Return => "return",
            Self::SendToBank => "send_to_bank",
            Self::Reissue => "reissue",
            Self::Withdraw => "withdraw",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The status the roster is in after the step (a reissue leaves it as it was).
    pub fn leads_to(self) -> Option<RosterStatus> {
        match self {
            Self::Publicise => Some(RosterStatus::Publicising),
            Self::Approve => Some(RosterStatus::DepartmentReviewed),
            Self::FinanceReview => Some(RosterStatus::FinanceReviewed),
            Self::Return => Some(RosterStatus::Returned),
            Self::SendToBank => Some(RosterStatus::SentToBank),
            Self::Reissue => None,
            Self::Withdraw => Some(RosterStatus::Draft),
        }
    }

    /// The event the step records on the roster (and, with `roster_`, in the audit log).
    pub fn event(self) -> &'static str {
        match self {
            Self::Publicise => "publicised",
            Self::Approve => "department_reviewed",
            Self::FinanceReview => "finance_reviewed",
            Self::Return => "returned",
            Self::SendToBank => "sent_to_bank",
            Self::Reissue => "reissue_created",
            Self::Withdraw => "withdrawn",
        }
    }
}

/// A recorded roster event in words.
pub fn event_name(event: &str) -> &'static str {
    match event {
        "imported" => "导入",
        "publicised" => "开始公示",
        "department_reviewed" => "部门审核通过",
        "finance_reviewed" => "财政程序性复核通过",
        "returned" => "财政退回",
        "sent_to_bank" => "发送银行",
        "bank_feedback" => "导入银行反馈",
        "payout_publicised" => "发放后公示",
        "reissue_created" => "生成补发清册",
        "corrected" => "更正银行信息",
        "withdrawn" => "撤回公示",
        "clawed_back" => "追回",
        "publicity_corrected" => "更正公示",
        _ => "其他",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_every_state_has_words() {
        for s in RosterStatus::ALL {
            assert_eq!(RosterStatus::from_code(s.code()), Some(s));
            assert!(!s.name().is_empty());
        }
        for s in RosterStep::ALL {
            assert_eq!(RosterStep::from_code(s.code()), Some(s));
            assert_ne!(event_name(s.event()), "其他", "{s:?}");
        }
        assert_eq!(status_name("nonsense"), "未知");
    }
}
