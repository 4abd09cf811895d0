//! The self-check flow: ID number + phone → a 6-digit SMS code → a short citizen session.
//! Known and unknown people get the same answer, after the same work.

pub mod reads;

use super::code::{self, CodeCheck, Purpose, Started, Unlocks, Verified};
use super::session::{self, Kind};
use super::AppContext;
use crate::domain::{IdNumber, Phone};
use code::Asker;
use std::net::IpAddr;

/// Step 1: records a pending check and, when the ID and phone belong to a beneficiary, sends the
/// code. The caller answers the same way in both cases; `addr` is the visitor's address.
pub async fn start(
    cx: &AppContext,
    id: &IdNumber,
    phone: &Phone,
    addr: Option<IpAddr>,
) -> Result<Started, sqlx::Error> {
    let asker = Asker::new(cx, Purpose::SelfCheck, phone, Some(id.as_str()), None, addr);
    let mut tx = cx.db.begin().await?;
    code::lock(&mut tx, cx.db.backend, &asker).await?;
    let beneficiary: Option<i64> =
        sqlx::query_scalar("SELECT id FROM beneficiaries WHERE id_hash = $1 AND phone_hash = $2")
            .bind(asker.id_hash())
            .bind(asker.phone_hash())
            .fetch_optional(&mut *tx)
            .await?;
    let sends = beneficiary.is_some();
    if let Some(retry_after_secs) = code::wait_needed(&mut tx, &asker, sends).await? {
        tx.rollback().await?;
        return Ok(Started::Limited { retry_after_secs });
    }
    let detail = format!("id:{}", asker.id_hash().unwrap_or_default());
    let unlocks = Unlocks { beneficiary, case_id: None };
    code::send(cx, tx, &asker, phone, sends, unlocks, "self_check_code_sent", &detail).await
}

/// Step 2: checks the code of the pending check named by `token`.
/// A right code opens a citizen session; `Done` carries its token.
pub async fn verify(cx: &AppContext, token: &str, typed: &str) -> Result<Verified<String>, sqlx::Error> {
    let mut tx = cx.db.begin().await?;
    match code::check(cx, &mut tx, Purpose::SelfCheck, token, typed).await? {
        CodeCheck::Right { unlocks: Unlocks { beneficiary: Some(beneficiary), .. }, .. } => {
            let token = session::open(&mut tx, cx, Kind::Citizen, beneficiary).await?;
            super::audit::append(&mut tx, "citizen", "self_check_verified", &format!("beneficiary:{beneficiary}"), "")
                .await?;
            tx.commit().await?;
            Ok(Verified::Done(token))
        }
        CodeCheck::Right { .. } | CodeCheck::Expired => {
            tx.commit().await?;
            Ok(Verified::Expired)
        }
        CodeCheck::Wrong { tries_left } => {
            tx.commit().await?;
            Ok(Verified::Wrong { tries_left })
        }
    }
}

/// The beneficiary of a live citizen session.
pub async fn session(cx: &AppContext, token: &str) -> Result<Option<i64>, sqlx::Error> {
    Ok(session::find(cx, Kind::Citizen, token).await?.map(|s| s.subject))
}
