//! `/staff`: the department side. Sign in and the bar every staff page shows; one module per
//! page: `inbox` (the cases, overdue first), `case` (one case, its history and the actions the
//! role allows), `holidays` (the working-day calendar, admins edit it), `admin` (users,
//! departments and banks).

mod admin;
mod case;
mod holidays;
mod inbox;

pub use admin::AdminPage;
pub use case::StaffCasePage;
pub use holidays::HolidaysPage;
pub use inbox::InboxPage;

use crate::api::staff::StaffMe;
use crate::components::Layout;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let q = query.read();
        q.get("e").map(|e| match e.as_str() {
            "wrong" => "用户名或密码不正确。连续输错5次，账号将锁定15分钟，锁定期间请稍后再试。".to_string(),
            "expired" => "登录已过期，请重新登录。".to_string(),
            "signed_out" => "您已退出登录。".to_string(),
            _ => "请重新登录。".to_string(),
        })
    };
    view! {
        <Layout>
            <Title text="部门工作台登录" />
            <h1>"部门工作台登录"</h1>
            {move || message().map(|m| view! { <p class="error-box" role="alert">{m}</p> })}
            <form method="post" action="/staff/login" class="check-form">
                <label for="username">"用户名"</label>
                <input id="username" name="username" autocomplete="username" required maxlength="64" />
                <label for="password">"密码"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128" />
                <button type="submit">"登录"</button>
            </form>
        </Layout>
    }
}

/// Who is signed in, the department side's sections, and sign-out.
#[component]
pub fn StaffBar(me: StaffMe) -> impl IntoView {
    view! {
        <div class="staff-bar">
            <span>
                {me.display_name.clone()}" · "{me.role_name.clone()}" · "<span class="staff-area">{me.area.clone()}</span>
                // A bureau's user is named after their bureau (青州市财政局经办人): not twice.
                {me.department.clone().filter(|d| !me.display_name.contains(d.as_str())).map(|d| format!(" · {d}"))}
            </span>
            <a href="/staff">"诉求办理"</a>
            {(me.role != "admin").then(|| view! { <a href="/staff/rosters">"发放清册"</a> })}
            {matches!(me.role.as_str(), "department" | "finance").then(|| view! {
                <a href="/staff/catalogue">"政策清单"</a>
                <a href="/staff/notices">"通知公告"</a>
            })}
            <a href="/staff/holidays">"节假日安排"</a>
            {(me.role == "admin").then(|| view! { <a href="/staff/admin">"用户、部门和银行"</a> })}
            <form method="post" action="/staff/logout">
                <input type="hidden" name="csrf" value=me.csrf.clone() />
                <button type="submit" class="secondary">"退出"</button>
            </form>
        </div>
    }
}
