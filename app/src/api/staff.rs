//! The department side (`/staff`): who is signed in, the case inbox, one case with its history
//! and actions, and the holiday calendar. Every function checks the staff session and role.

use super::cases::PublicCase;
use super::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMe {
    pub display_name: String,
    pub role: String,
    pub role_name: String,
    pub department: Option<String>,
    /// The region they work in: their department's county, or the county, city or province
    /// they oversee. The staff pages show it in place of the public county.
    pub area: String,
    /// Carried back by every form (CSRF protection).
    pub csrf: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InboxFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub overdue: bool,
    pub item: Option<String>,
    pub township: Option<String>,
    /// Finance and supervisors: one department's cases.
    pub department: Option<i64>,
    pub page: Option<i64>,
}

pub const INBOX_PAGE_SIZE: i64 = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxRow {
    pub id: i64,
    pub tracking_no: String,
    pub kind: String,
    pub item: Option<String>,
    pub township: Option<String>,
    pub department: String,
    pub status: String,
    pub filed_on: String,
    pub deadline_on: String,
    pub overdue: bool,
    pub escalated: bool,
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    pub me: StaffMe,
    pub rows: Vec<InboxRow>,
    /// Cases matching the filters, over all pages.
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// The finance bureau, whose queue holds cases about no known item.
    pub triage_department: Option<i64>,
    pub overdue_total: i64,
    pub departments: Vec<Choice>,
    pub items: Vec<Choice>,
    /// Townships of a county; for a city's or province's staff their counties (`by_county`).
    pub townships: Vec<Choice>,
    pub by_county: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffCase {
    pub me: StaffMe,
    pub id: i64,
    pub case: PublicCase,
    pub origin: String,
    pub description: String,
    pub filer_name: String,
    pub filer_phone_last4: String,
    pub anonymous: bool,
    /// The payment line the case is about, in words.
    pub payment: Option<String>,
    pub can_act: bool,
    /// Other departments, for transfer.
    pub departments: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holiday {
    pub day: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holidays {
    pub me: StaffMe,
    pub days: Vec<Holiday>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role_name: String,
    pub department: Option<String>,
    pub active: bool,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminDepartment {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub is_finance: bool,
}

/// Why an admin's change was refused, in words for the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    #[error("用户名只能用3至32个小写字母、数字、下划线或点，且不能与已有用户重复")]
    Username,
    #[error("请填写姓名或名称（不超过40个字）")]
    Name,
    #[error("请选择角色；部门经办人员必须选择所属部门")]
    Role,
    #[error("密码至少10个字符")]
    Password,
    #[error("部门代码只能用2至32个小写字母、数字或下划线，且不能重复")]
    Code,
    #[error("请填写联系电话")]
    Phone,
    #[error("不能停用自己的账号")]
    Own,
    #[error("没有这个用户、部门或银行，可能已被他人修改，请刷新页面")]
    Missing,
    #[error("这个简称已用于另一家银行：一个简称只能对应一家银行")]
    Alias,
}

impl AdminError {
    pub const ALL: [AdminError; 9] = [
        Self::Username,
        Self::Name,
        Self::Role,
        Self::Password,
        Self::Code,
        Self::Phone,
        Self::Own,
        Self::Missing,
        Self::Alias,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Name => "name",
            Self::Role => "role",
            Self::Password => "password",
            Self::Code => "code",
            Self::Phone => "phone",
            Self::Own => "own",
            Self::Missing => "missing",
            Self::Alias => "alias",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// A paying bank as the admin keeps it: the short names clerks write for it, and whether its
/// card numbers carry a Luhn check digit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminBank {
    pub id: i64,
    pub name: String,
    pub aliases: String,
    pub luhn: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Admin {
    pub me: StaffMe,
    pub users: Vec<AdminUser>,
    pub departments: Vec<AdminDepartment>,
    pub banks: Vec<AdminBank>,
}

/// The signed-in staff member with the context and the page's view of them.
#[cfg(feature = "ssr")]
pub(crate) async fn signed_in() -> Result<(crate::ssr::AppContext, crate::ssr::staff::Staff, StaffMe), ApiError> {
    let cx = crate::ssr::context()?;
    let (staff, csrf) =
        crate::ssr::staff::current(&cx).await.map_err(ApiError::internal)?.ok_or(ApiError::StaffSignIn)?;
    let mut conn = cx.db.pool.acquire().await.map_err(ApiError::internal)?;
    let department = match staff.department_id {
        Some(id) => crate::ssr::admin::department_name(&mut conn, id).await.map_err(ApiError::internal)?,
        None => None,
    };
    let area = crate::ssr::regions::name(&mut conn, staff.region_id).await.map_err(ApiError::internal)?;
    drop(conn);
    let me = StaffMe {
        display_name: staff.display_name.clone(),
        role: staff.role.code().into(),
        role_name: staff.role.name().into(),
        department,
        area: area.unwrap_or_default(),
        csrf,
    };
    Ok((cx, staff, me))
}

#[server(prefix = "/api", endpoint = "staff_me")]
pub async fn get_staff_me() -> Result<Option<StaffMe>, ApiError> {
    match signed_in().await {
        Ok((_, _, me)) => Ok(Some(me)),
        Err(ApiError::StaffSignIn) => Ok(None),
        Err(e) => Err(e),
    }
}

#[server(prefix = "/api", endpoint = "staff_inbox")]
pub async fn get_inbox(#[server(default)] filter: InboxFilter) -> Result<Inbox, ApiError> {
    let (cx, staff, me) = signed_in().await?;
    crate::ssr::cases::reads::inbox(&cx.db, &staff, me, &filter).await.map_err(ApiError::internal)
}

#[server(prefix = "/api", endpoint = "staff_case")]
pub async fn get_staff_case(#[server(default)] id: i64) -> Result<StaffCase, ApiError> {
    let (cx, staff, me) = signed_in().await?;
    crate::ssr::cases::reads::staff_case(&cx, &staff, me, id)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}

#[server(prefix = "/api", endpoint = "staff_holidays")]
pub async fn get_holidays() -> Result<Holidays, ApiError> {
    let (cx, staff, me) = signed_in().await?;
    let days = crate::ssr::cases::reads::holidays(&cx.db, staff.region_id).await.map_err(ApiError::internal)?;
    Ok(Holidays { me, days, can_edit: staff.role == crate::ssr::staff::Role::Admin })
}

#[server(prefix = "/api", endpoint = "staff_admin")]
pub async fn get_admin() -> Result<Admin, ApiError> {
    let (cx, staff, me) = signed_in().await?;
    if staff.role != crate::ssr::staff::Role::Admin {
        return Err(ApiError::Invalid("只有系统管理员可以管理用户和部门".into()));
    }
    let users = crate::ssr::admin::users(&cx.db, &staff).await.map_err(ApiError::internal)?;
    let departments = crate::ssr::admin::departments(&cx.db, &staff).await.map_err(ApiError::internal)?;
    let banks = crate::ssr::banks::admin_list(&cx.db).await.map_err(ApiError::internal)?;
    Ok(Admin { me, users, departments, banks })
}
