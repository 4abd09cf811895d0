//! SQL for the admin's pages: staff accounts and departments. Every change is audited.

use super::Db;
use crate::api::staff::{AdminDepartment, AdminError, AdminUser};
use crate::ssr::staff::{hash_password, Staff};
use sqlx::Row;

#[derive(Debug, thiserror::Error)]
pub enum AdminChangeError {
    #[error("{0}")]
    Refused(#[from] AdminError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

fn valid_login(s: &str, min: usize, extra: &[char]) -> bool {
    (min..=32).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
}

fn name(s: &str) -> Result<String, AdminError> {
    let s = crate::domain::cases::clean_text(s).replace('\n', " ");
    if s.is_empty() || s.chars().count() > 40 {
        return Err(AdminError::Name);
    }
    Ok(s)
}

/// The users of the admin's area (a county's admin: the county's; a province's: all).
pub async fn users(db: &Db, admin: &Staff) -> Result<Vec<AdminUser>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT u.id, u.username, u.display_name, u.role, u.active, u.locked_until, d.name AS department FROM staff_users u \
         LEFT JOIN departments d ON d.id = u.department_id WHERE u.region_id IN ({}) ORDER BY u.id",
        super::regions::ids_sql(&admin.area)
    )))
    .fetch_all(&db.pool)
    .await?;
    let now = crate::ssr::clock::now();
    Ok(rows
        .iter()
        .map(|r| AdminUser {
            id: r.get("id"),
            username: r.get("username"),
            display_name: r.get("display_name"),
            role_name: crate::ssr::staff::Role::from_code(&r.get::<String, _>("role"))
                .map_or("", |role| role.name())
                .to_string(),
            department: r.get("department"),
            active: r.get::<i64, _>("active") != 0,
            locked: r.get::<Option<String>, _>("locked_until").is_some_and(|u| u > now),
        })
        .collect())
}

pub async fn create_user(
    db: &Db,
    admin: &Staff,
    username: &str,
    display: &str,
    role: &str,
    department: Option<i64>,
    password: &str,
) -> Result<(), AdminChangeError> {
    let username = username.trim();
    if !valid_login(username, 3, &['_', '.']) {
        return Err(AdminError::Username.into());
    }
    let display = name(display)?;
    let role = crate::ssr::staff::Role::from_code(role).ok_or(AdminError::Role)?;
    let department = match (role, department) {
        (crate::ssr::staff::Role::Department, None) => return Err(AdminError::Role.into()),
        (crate::ssr::staff::Role::Department | crate::ssr::staff::Role::Finance, d) => d,
        _ => None,
    };
    if password.chars().count() < 10 {
        return Err(AdminError::Password.into());
    }
    // A department's people work in its region; others in the admin's. Only departments of the
    // admin's area may be chosen.
    let region = match department {
        Some(d) if admin.departments.contains(&d) => {
            sqlx::query_scalar::<_, i64>("SELECT region_id FROM departments WHERE id = $1")
                .bind(d)
                .fetch_one(&db.pool)
                .await?
        }
        Some(_) => return Err(AdminError::Missing.into()),
        None => admin.region_id,
    };
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_users WHERE username = $1")
        .bind(username)
        .fetch_one(&db.pool)
        .await?;
    if taken > 0 {
        return Err(AdminError::Username.into());
    }
    let role_code = role.code();
    let password = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.unwrap_or_default();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff_users (username, display_name, password_hash, role, department_id, region_id, failed_logins, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7) RETURNING id",
    )
    .bind(username)
    .bind(&display)
    .bind(hash)
    .bind(role_code)
    .bind(department)
    .bind(region)
    .bind(crate::ssr::clock::now())
    .fetch_one(&mut *tx)
    .await?;
    super::audit::append(
        &mut tx,
        &format!("staff:{}", admin.id),
        "staff_user_created",
        &format!("staff:{id}"),
        role_code,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `reset` (new password, unlocks), `toggle` (active on/off) or `unlock`, on one account.
pub async fn change_user(db: &Db, admin: &Staff, id: i64, op: &str, password: &str) -> Result<(), AdminChangeError> {
    if op == "toggle" && id == admin.id {
        return Err(AdminError::Own.into());
    }
    let mut tx = db.begin().await?;
    // Another area's users are as unknown to this admin as users that do not exist.
    let region: Option<Option<i64>> =
        sqlx::query_scalar("SELECT region_id FROM staff_users WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    if !region.flatten().is_some_and(|r| admin.area.contains(&r)) {
        return Err(AdminError::Missing.into());
    }
    match op {
        "reset" => {
            if password.chars().count() < 10 {
                return Err(AdminError::Password.into());
            }
            let password = password.to_string();
            let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.unwrap_or_default();
            sqlx::query(
                "UPDATE staff_users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
            )
            .bind(hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            // Whoever held the old password is signed out.
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1").bind(id).execute(&mut *tx).await?;
        }
        "toggle" => {
            sqlx::query("UPDATE staff_users SET active = 1 - active WHERE id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1").bind(id).execute(&mut *tx).await?;
        }
        "unlock" => {
            sqlx::query("UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        _ => return Err(AdminError::Role.into()),
    }
    super::audit::append(
        &mut tx,
        &format!("staff:{}", admin.id),
        &format!("staff_user_{op}"),
        &format!("staff:{id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The departments of the admin's area.
pub async fn departments(db: &Db, admin: &Staff) -> Result<Vec<AdminDepartment>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, code, name, phone, address, is_finance FROM departments WHERE region_id IN ({}) ORDER BY id",
        super::regions::ids_sql(&admin.area)
    )))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| AdminDepartment {
            id: r.get("id"),
            code: r.get("code"),
            name: r.get("name"),
            phone: r.get("phone"),
            address: r.get("address"),
            is_finance: r.get::<i64, _>("is_finance") != 0,
        })
        .collect())
}

/// Adds a department to the admin's region (`id` None) or changes the name, phone and address of
/// one of their area.
pub async fn save_department(
    db: &Db,
    admin: &Staff,
    id: Option<i64>,
    code: &str,
    dept_name: &str,
    phone: &str,
    address: &str,
) -> Result<(), AdminChangeError> {
    let dept_name = name(dept_name)?;
    let phone = crate::domain::cases::clean_text(phone);
    if phone.is_empty() || phone.chars().count() > 40 {
        return Err(AdminError::Phone.into());
    }
    let address = crate::domain::cases::clean_text(address).chars().take(100).collect::<String>();
    let mut tx = db.begin().await?;
    let id = match id {
        Some(id) => {
            if !admin.departments.contains(&id) {
                return Err(AdminError::Missing.into());
            }
            let done = sqlx::query("UPDATE departments SET name = $1, phone = $2, address = $3 WHERE id = $4")
                .bind(&dept_name)
                .bind(&phone)
                .bind(&address)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(AdminError::Missing.into());
            }
            id
        }
        None => {
            let code = code.trim();
            let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM departments WHERE region_id = $1 AND code = $2")
                .bind(admin.region_id)
                .bind(code)
                .fetch_one(&mut *tx)
                .await?;
            if !valid_login(code, 2, &['_']) || taken > 0 {
                return Err(AdminError::Code.into());
            }
            sqlx::query_scalar(
                "INSERT INTO departments (region_id, code, name, phone, address, is_finance) VALUES ($1, $2, $3, $4, $5, 0) RETURNING id",
            )
                .bind(admin.region_id)
                .bind(code)
                .bind(&dept_name)
                .bind(&phone)
                .bind(&address)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    super::audit::append(&mut tx, &format!("staff:{}", admin.id), "department_saved", &format!("department:{id}"), "")
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A department's name.
pub async fn department_name(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM departments WHERE id = $1").bind(id).fetch_optional(conn).await
}
