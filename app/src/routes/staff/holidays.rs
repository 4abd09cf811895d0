//! `/staff/holidays`: the working-day calendar case deadlines count on (admins edit it).

use super::StaffBar;
use crate::api::staff::{get_holidays, Holidays};
use crate::components::Page;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HolidaysPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_holidays());
    view! {
        <Page title="节假日安排" data view=|h| view! { <HolidaysView h /> } />
    }
}

#[component]
fn HolidaysView(h: Holidays) -> impl IntoView {
    let query = use_query_map();
    let bad = move || query.read().get("e").map(|_| "请填写正确的日期（如 2027-01-01）并选择类型。");
    let csrf = h.me.csrf.clone();
    let can_edit = h.can_edit;
    view! {
        <StaffBar me=h.me.clone() />
        <h1>"节假日安排"</h1>
        <p>"答复期限按工作日计算：周六、周日和下列节假日不计；下列“调休上班”的周末计为工作日。"</p>
        {move || bad().map(|m| view! { <p class="error-box" role="alert">{m}</p> })}
        {can_edit.then(|| view! {
            <form method="post" action="/staff/holidays" class="filters">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="op" value="add" />
                <label>"日期"<input name="day" type="date" required /></label>
                <label>"类型"
                    <select name="kind">
                        <option value="holiday">"放假"</option>
                        <option value="workday">"调休上班"</option>
                    </select>
                </label>
                <label>"名称"<input name="name" maxlength="20" /></label>
                <button type="submit">"添加"</button>
            </form>
        })}
        <div class="table-scroll" tabindex="0">
            <table class="holidays">
                <thead><tr><th scope="col">"日期"</th><th scope="col">"类型"</th><th scope="col">"名称"</th>{can_edit.then(|| view! { <th scope="col">"操作"</th> })}</tr></thead>
                <tbody>
                    {h.days.into_iter().rev().map(|d| {
                        let csrf = csrf.clone();
                        view! {
                            <tr>
                                <td>{d.day.clone()}</td>
                                <td>{if d.kind == "holiday" { "放假" } else { "调休上班" }}</td>
                                <td>{d.name}</td>
                                {can_edit.then(|| view! {
                                    <td>
                                        <form method="post" action="/staff/holidays">
                                            <input type="hidden" name="csrf" value=csrf />
                                            <input type="hidden" name="op" value="delete" />
                                            <input type="hidden" name="day" value=d.day />
                                            <button type="submit" class="secondary">"删除"</button>
                                        </form>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
