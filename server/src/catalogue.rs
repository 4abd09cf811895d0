//! The catalogue posts of the department side: edit an item, add one (finance), record a
//! forecast revision. Every form carries the session's CSRF token.

use crate::web::{redirect, PageError, PageResult, StaffForm};
use app::api::catalogue::{FREQUENCIES, REVISIONS};
use app::domain::Money;
use app::ssr::catalogue::{self, EditRefused, ItemEdit};
use app::ssr::staff::Role;
use app::ssr::AppContext;
use axum::extract::Extension;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;

/// The catalogue's route.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/staff/catalogue", post(save))
}

#[derive(Deserialize)]
pub struct CatalogueForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    year: String,
    /// The county whose catalogue the page showed (a city's or province's finance bureau has several).
    #[serde(default)]
    county: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    standard_text: String,
    #[serde(default)]
    standard_amount: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    bank: String,
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    documents: Option<String>,
}

/// The edit as typed, or the code of the field that is wrong.
fn edit_of(f: &CatalogueForm) -> Result<ItemEdit, &'static str> {
    let clean = app::domain::cases::clean_text;
    let name = clean(&f.name).replace('\n', " ");
    if !(2..=60).contains(&name.chars().count()) {
        return Err("name");
    }
    let standard_amount = match f.standard_amount.trim() {
        "" => None,
        s => Some(Money::parse_positive(s).map_err(|_| "amount")?),
    };
    if !FREQUENCIES.contains(&f.frequency.as_str()) {
        return Err("frequency");
    }
    Ok(ItemEdit {
        name,
        standard_text: clean(&f.standard_text).chars().take(500).collect(),
        standard_amount,
        frequency: f.frequency.clone(),
        bank_id: f.bank.trim().parse().ok(),
        aliases: clean(&f.aliases).chars().take(100).collect(),
        department_id: f.department.trim().parse().ok(),
        documents: f.documents.as_ref().map(|d| {
            d.split(['，', ',', '；', ';', '\n'])
                .map(app::domain::cases::clean_text)
                .filter(|n| !n.is_empty())
                .collect()
        }),
    })
}

/// `POST /staff/catalogue`: `save` an item, `add` one (finance), or a `forecast` revision.
async fn save(
    Extension(cx): Extension<AppContext>,
    StaffForm { staff, form: f }: StaffForm<CatalogueForm>,
) -> PageResult {
    let county = catalogue::county_of(&cx.db, &staff, Some(&f.county)).await?;
    let page_of = |year: &str| match f.county.trim() {
        "" => format!("/staff/catalogue?year={year}"),
        code => format!("/staff/catalogue?year={year}&county={}", app::api::search::encode(code)),
    };
    let back = page_of(f.year.trim());
    let done = match f.op.as_str() {
        "save" => {
            let e = edit_of(&f).map_err(|code| PageError::back(format!("{back}&e={code}")))?;
            match catalogue::save_item(&cx.db, &staff, f.id.trim().parse().unwrap_or(-1), &e).await? {
                Ok(()) => true,
                Err(EditRefused::UnknownDocument) => return Err(PageError::back(format!("{back}&e=documents"))),
                Err(EditRefused::NotAllowed) => false,
            }
        }
        "add" => {
            if staff.role != Role::Finance {
                return Err(PageError::Forbidden("只有财政局可以新增补贴项目。".into()));
            }
            let code = f.code.trim();
            let valid_code =
                !code.is_empty() && code.len() <= 10 && code.bytes().all(|b| b.is_ascii_digit() || b == b'-');
            let level_ok = app::api::policies::LEVELS.contains(&f.level.as_str());
            let (Ok(e), true, true, Ok(year), Ok(department)) =
                (edit_of(&f), valid_code, level_ok, f.year.trim().parse::<i32>(), f.department.trim().parse::<i64>())
            else {
                return Err(PageError::back(format!("{back}&e=add")));
            };
            catalogue::add_item(&cx.db, &staff, county, year, code, &f.level, department, &e).await?
        }
        "forecast" => {
            let (Ok(amount), true) =
                (Money::parse_positive(&f.amount), REVISIONS.iter().any(|(r, _)| *r == f.revision))
            else {
                return Err(PageError::back(format!("{back}&e=forecast")));
            };
            let people = f.people.trim().parse::<i64>().unwrap_or(0).max(0);
            catalogue::save_forecast(&cx.db, &staff, f.id.trim().parse().unwrap_or(-1), &f.revision, amount, people)
                .await?
        }
        "new_year" => {
            if staff.role != Role::Finance {
                return Err(PageError::Forbidden("只有财政局可以新建年度政策清单。".into()));
            }
            match f.year.trim().parse::<i32>() {
                Ok(year) if catalogue::new_year(&cx.db, &staff, county, year).await? => {
                    return Ok(redirect(&format!("{}&done=new_year", page_of(&(year + 1).to_string())), &[]));
                }
                _ => false,
            }
        }
        _ => return Err(PageError::Back(back)),
    };
    Ok(if done { redirect(&format!("{back}&done={}", f.op), &[]) } else { redirect(&format!("{back}&e=refused"), &[]) })
}
