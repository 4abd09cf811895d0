//! `/staff/admin`: the admin's users, departments and banks.

use super::StaffBar;
use crate::api::staff::{get_admin, Admin, AdminError};
use crate::components::Page;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_admin());
    view! {
        <Page title="用户、部门和银行" data view=|a| view! { <AdminView a /> } />
    }
}

#[component]
fn AdminView(a: Admin) -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let q = query.read();
        q.get("e")
            .and_then(|e| AdminError::from_code(&e))
            .map(|e| (true, e.to_string()))
            .or_else(|| q.get("done").map(|_| (false, "已保存。".to_string())))
    };
    let csrf = a.me.csrf.clone();
    let departments = a.departments.clone();
    view! {
        <StaffBar me=a.me.clone() />
        <h1>"用户、部门和代发银行"</h1>
        {move || message().map(|(bad, m)| view! { <p class={if bad { "error-box" } else { "notice-box" }} role="alert">{m}</p> })}
        <h2>"用户"</h2>
        <div class="table-scroll" tabindex="0">
            <table class="users">
                <thead><tr><th scope="col">"用户名"</th><th scope="col">"姓名"</th><th scope="col">"角色"</th><th scope="col">"部门"</th><th scope="col">"状态"</th><th scope="col">"操作"</th></tr></thead>
                <tbody>
                    {a.users.into_iter().map(|u| {
                        let csrf = csrf.clone();
                        let id = u.id.to_string();
                        view! {
                            <tr>
                                <td>{u.username}</td>
                                <td>{u.display_name}</td>
                                <td>{u.role_name}</td>
                                <td>{u.department.unwrap_or_default()}</td>
                                <td>{if !u.active { "已停用" } else if u.locked { "已锁定" } else { "正常" }}</td>
                                <td class="row-actions">
                                    <form method="post" action="/staff/users">
                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <input type="hidden" name="op" value="toggle" />
                                        <button type="submit" class="secondary">{if u.active { "停用" } else { "启用" }}</button>
                                    </form>
                                    {u.locked.then(|| view! {
                                        <form method="post" action="/staff/users">
                                            <input type="hidden" name="csrf" value=csrf.clone() />
                                            <input type="hidden" name="id" value=id.clone() />
                                            <input type="hidden" name="op" value="unlock" />
                                            <button type="submit" class="secondary">"解锁"</button>
                                        </form>
                                    })}
                                    <form method="post" action="/staff/users">
                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <input type="hidden" name="op" value="reset" />
                                        <input name="password" type="password" autocomplete="new-password" minlength="10" required placeholder="新密码（至少10位）" aria-label="新密码" />
                                        <button type="submit" class="secondary">"重设密码"</button>
                                    </form>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h3>"新增用户"</h3>
        <form method="post" action="/staff/users" class="filters">
            <input type="hidden" name="csrf" value=csrf.clone() />
            <input type="hidden" name="op" value="create" />
            <label>"用户名"<input name="username" required maxlength="32" pattern="[a-z0-9_.]{3,32}" /></label>
            <label>"姓名"<input name="display_name" required maxlength="40" /></label>
            <label>"角色"
                <select name="role">
                    <option value="department">"部门经办人员"</option>
                    <option value="finance">"财政局"</option>
                    <option value="supervisor">"监督（只读）"</option>
                    <option value="admin">"系统管理员"</option>
                </select>
            </label>
            <label>"部门"
                <select name="department">
                    <option value="">"无"</option>
                    {departments.iter().map(|d| view! { <option value=d.id.to_string()>{d.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"初始密码"<input name="password" type="password" autocomplete="new-password" minlength="10" required /></label>
            <button type="submit">"新增"</button>
        </form>
        <h2>"部门"</h2>
        {a.departments.into_iter().map(|d| {
            let csrf = csrf.clone();
            view! {
                <form method="post" action="/staff/departments" class="filters">
                    <input type="hidden" name="csrf" value=csrf />
                    <input type="hidden" name="id" value=d.id.to_string() />
                    <label>{format!("名称（{}）", d.code)}<input name="name" required maxlength="40" value=d.name /></label>
                    <label>"电话"<input name="phone" required maxlength="40" value=d.phone /></label>
                    <label>"地址"<input name="address" maxlength="100" value=d.address /></label>
                    <button type="submit" class="secondary">"保存"</button>
                </form>
            }
        }).collect_view()}
        <h3>"新增部门"</h3>
        <NewDepartmentForm csrf=csrf.clone() />
        <h2>"代发银行"</h2>
        <p>"清册“开户行”一栏按银行名称或这里的简称识别（如 邮储银行、农商行、信用社）；写不出这些名字的行会被列为问题并提示可填写的名称。勾选“卡号带校验位”的银行，导入时核对银行卡号末位的校验位。"</p>
        {a.banks.into_iter().map(|b| {
            let csrf = csrf.clone();
            view! {
                <form method="post" action="/staff/banks" class="case-action">
                    <input type="hidden" name="csrf" value=csrf />
                    <input type="hidden" name="id" value=b.id.to_string() />
                    <label for=format!("aliases-{}", b.id)><strong>{b.name.clone()}</strong>"　简称（用顿号或逗号隔开）"</label>
                    <textarea id=format!("aliases-{}", b.id) name="aliases" rows="2" maxlength="300">{b.aliases}</textarea>
                    <label><input type="checkbox" name="luhn" value="1" checked=b.luhn />" 卡号带校验位（导入时核对末位）"</label>
                    <button type="submit" class="secondary">"保存"</button>
                </form>
            }
        }).collect_view()}
    }
}

#[component]
fn NewDepartmentForm(csrf: String) -> impl IntoView {
    view! {
        <form method="post" action="/staff/departments" class="filters">
            <input type="hidden" name="csrf" value=csrf />
            <label>"代码"<input name="code" required maxlength="32" pattern="[a-z0-9_]{2,32}" /></label>
            <label>"名称"<input name="name" required maxlength="40" /></label>
            <label>"电话"<input name="phone" required maxlength="40" /></label>
            <label>"地址"<input name="address" maxlength="100" /></label>
            <button type="submit">"新增"</button>
        </form>
    }
}
