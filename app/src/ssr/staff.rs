//! Staff accounts: argon2id passwords, lockout after repeated failures, sessions, and what each
//! role may see and do.

use super::session::{self, Kind};
use super::{clock, AppContext};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Failed sign-ins in a row that lock an account, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_SECS: i64 = 900;
/// A refused sign-in is answered no sooner than this after it arrived, whichever way it was
/// refused: a wrong password also writes the failure count and the audit line, which an unknown
/// or locked account does not, and on a slow disk those writes alone told them apart.
pub const REFUSAL_FLOOR_MS: u64 = 250;

pub use crate::domain::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    /// The area they work in: their department's region, or the county, city or province a
    /// finance bureau, supervisor or admin oversees.
    pub region_id: i64,
    /// That region and the cities and counties under it: whose users and departments an admin
    /// manages.
    pub area: Vec<i64>,
    /// The departments of that area (their own only, for department staff): whose cases and
    /// rosters they see. Another county's never.
    pub departments: Vec<i64>,
    /// The counties of that area (a county's staff: theirs), first the one whose catalogue and
    /// calendar they keep.
    pub counties: Vec<i64>,
}

impl Staff {
    /// Whether this person may read a case now held by `department`.
    pub fn can_see(&self, department: i64) -> bool {
        match self.role {
            Role::Department => self.department_id == Some(department),
            Role::Finance | Role::Supervisor => self.departments.contains(&department),
            Role::Admin => false,
        }
    }

    /// Whether this person may act on a case now held by `department`.
    pub fn can_act(&self, department: i64) -> bool {
        match self.role {
            Role::Department => self.department_id == Some(department),
            Role::Finance => self.departments.contains(&department),
            Role::Supervisor | Role::Admin => false,
        }
    }

    /// SQL saying that `column` (a department id) is one this person sees: their own department,
    /// or the departments of their area; none for an admin. Ids are integers, so inlining is safe.
    pub fn sees_sql(&self, column: &str) -> String {
        let ids: Vec<String> = match self.role {
            Role::Department => self.department_id.into_iter().map(|d| d.to_string()).collect(),
            Role::Finance | Role::Supervisor => self.departments.iter().map(i64::to_string).collect(),
            Role::Admin => Vec::new(),
        };
        if ids.is_empty() {
            "1 = 0".into()
        } else {
            format!("{column} IN ({})", ids.join(", "))
        }
    }

    /// The county whose catalogue, forecasts and calendar this person keeps (a city's or
    /// province's staff: the first county of their area).
    pub fn county_id(&self) -> i64 {
        self.counties.first().copied().unwrap_or(self.region_id)
    }
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

pub enum Login {
    Session {
        token: String,
    },
    Wrong,
    /// Locked until this timestamp (UTC).
    Locked {
        until: String,
    },
}

/// Whether `password` is the one `hash` was made from, on a blocking thread (argon2 takes tens of
/// milliseconds); with no hash, a stand-in is checked so that the answer takes as long.
async fn password_check(hash: Option<String>, password: &str) -> bool {
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let (known, password) = (hash.is_some(), password.to_string());
    let right = tokio::task::spawn_blocking(move || {
        password_matches(hash.as_deref().unwrap_or_else(|| STAND_IN.get_or_init(|| hash_password("-"))), &password)
    })
    .await
    .unwrap_or(false);
    known && right
}

/// Checks a username and password; opens a staff session when they match. Unknown and locked
/// accounts cost the same hashing work as a wrong password, and every refusal waits out
/// [`REFUSAL_FLOOR_MS`], so the time taken tells nothing.
pub async fn login(cx: &AppContext, username: &str, password: &str) -> Result<Login, sqlx::Error> {
    let arrived = tokio::time::Instant::now();
    let answer = check_sign_in(cx, username, password).await;
    if !matches!(answer, Ok(Login::Session { .. })) {
        tokio::time::sleep_until(arrived + std::time::Duration::from_millis(REFUSAL_FLOOR_MS)).await;
    }
    answer
}

/// The sign-in itself: the account looked up, its password checked, a failure counted.
async fn check_sign_in(cx: &AppContext, username: &str, password: &str) -> Result<Login, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, password_hash, failed_logins, locked_until, active FROM staff_users WHERE username = $1",
    )
    .bind(username.trim())
    .fetch_optional(&cx.db.pool)
    .await?;
    let Some(row) = row else {
        password_check(None, password).await;
        return Ok(Login::Wrong);
    };
    let id: i64 = row.get("id");
    if let Some(until) = row.get::<Option<String>, _>("locked_until").filter(|u| *u > clock::now()) {
        password_check(None, password).await;
        return Ok(Login::Locked { until });
    }
    let right = password_check(Some(row.get("password_hash")), password).await;
    if !right || row.get::<i64, _>("active") == 0 {
        // Counted atomically, so parallel guesses each count.
        let failed: i64 = sqlx::query_scalar(
            "UPDATE staff_users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
        )
        .bind(id)
        .fetch_one(&cx.db.pool)
        .await?;
        let locked = (failed >= MAX_FAILED_LOGINS).then(|| clock::from_now(LOCKOUT_SECS));
        if let Some(until) = &locked {
            sqlx::query("UPDATE staff_users SET failed_logins = 0, locked_until = $1 WHERE id = $2")
                .bind(until)
                .bind(id)
                .execute(&cx.db.pool)
                .await?;
        }
        super::audit::append_alone(&cx.db, &format!("staff:{id}"), "staff_login_failed", &format!("staff:{id}"), "")
            .await?;
        return Ok(match locked {
            Some(until) => Login::Locked { until },
            None => Login::Wrong,
        });
    }
    let mut tx = cx.db.begin().await?;
    sqlx::query("UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let token = session::open(&mut tx, cx, Kind::Staff, id).await?;
    super::audit::append(&mut tx, &format!("staff:{id}"), "staff_login", &format!("staff:{id}"), "").await?;
    tx.commit().await?;
    Ok(Login::Session { token })
}

/// The staff member of a live session, with the session's CSRF token.
pub async fn by_session(cx: &AppContext, token: &str) -> Result<Option<(Staff, String)>, sqlx::Error> {
    let Some(s) = session::find(cx, Kind::Staff, token).await? else { return Ok(None) };
    Ok(by_id(&cx.db, s.subject).await?.map(|staff| (staff, s.csrf)))
}

/// An active staff member with their area's departments and counties.
pub async fn by_id(db: &super::db::Db, id: i64) -> Result<Option<Staff>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, username, display_name, role, department_id, region_id FROM staff_users WHERE id = $1 AND active = 1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let Some(role) = Role::from_code(&r.get::<String, _>("role")) else { return Ok(None) };
    let region_id: Option<i64> = r.get("region_id");
    let region_id = region_id.unwrap_or(0);
    let area = super::regions::area(&mut *db.pool.acquire().await?, region_id).await?;
    let departments = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM departments WHERE region_id IN ({}) ORDER BY id",
        super::regions::ids_sql(&area.regions)
    )))
    .fetch_all(&db.pool)
    .await?;
    Ok(Some(Staff {
        id: r.get("id"),
        username: r.get("username"),
        display_name: r.get("display_name"),
        role,
        department_id: r.get("department_id"),
        region_id,
        area: area.regions,
        departments,
        counties: area.counties,
    }))
}

/// The signed-in staff member of the request being served (server functions, renders).
pub async fn current(cx: &AppContext) -> Result<Option<(Staff, String)>, sqlx::Error> {
    match super::request_cookie(Kind::Staff.cookie()) {
        Some(token) => by_session(cx, &token).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("青岚2026!");
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches(&h, "青岚2026!"));
        assert!(!password_matches(&h, "青岚2026"));
        assert!(!password_matches("not a hash", "x"));
    }

    #[test]
    fn roles_see_and_act_on_what_they_should() {
        // Departments 1, 3 and 4 are in this county; 9 is another county's.
        let staff = |role, department_id| Staff {
            id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            department_id,
            region_id: 1,
            area: vec![1],
            departments: vec![1, 3, 4],
            counties: vec![1],
        };
        let dept = staff(Role::Department, Some(3));
        assert!(dept.can_see(3) && dept.can_act(3));
        assert!(!dept.can_see(4) && !dept.can_act(4));
        assert_eq!(dept.sees_sql("c.department_id"), "c.department_id IN (3)");
        let finance = staff(Role::Finance, Some(1));
        assert!(finance.can_act(4) && !finance.can_see(9) && !finance.can_act(9));
        assert_eq!(finance.sees_sql("d"), "d IN (1, 3, 4)");
        let sup = staff(Role::Supervisor, None);
        assert!(sup.can_see(4) && !sup.can_act(4) && !sup.can_see(9));
        assert!(!staff(Role::Admin, None).can_see(4));
        assert_eq!(staff(Role::Admin, None).sees_sql("d"), "1 = 0");
    }
}
