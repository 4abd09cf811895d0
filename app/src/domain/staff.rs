//! Staff roles: what each may see and do is in `ssr::staff`; here their codes and names.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Own department's cases and rosters only.
    Department,
    /// All cases, the triage queue and escalations; finance's review of rosters.
    Finance,
    /// Reads everything, changes nothing.
    Supervisor,
    /// Users, departments, banks, the holiday calendar.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Department, Role::Finance, Role::Supervisor, Role::Admin];

    /// As stored and posted.
    pub fn code(self) -> &'static str {
        match self {
            Role::Department => "department",
            Role::Finance => "finance",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Department => "部门经办人员",
            Role::Finance => "财政局",
            Role::Supervisor => "监督（只读）",
            Role::Admin => "系统管理员",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
    }
}
