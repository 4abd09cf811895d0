//! Receipt codes (凭证码): the short code a payout SMS carries for its line, opened at `/r/{code}`
//! with no ID number asked. A code is the line's id in base 32 and a 20-bit tag keyed by the log's
//! key (so nobody makes one up for another line); letters and digits that look alike (0 O 1 I)
//! are never used. The line it opens is shown as the publicity shows it, with its log entry and
//! the entry's inclusion proof.

use super::key::Signer;
use super::{inclusion, latest_head, LogError};
use crate::api::check::MyPayments;
use crate::api::publicity::Place;
use crate::api::publicity_log::{LogRecord, Receipt};
use crate::ssr::Db;
use sqlx::Row;

const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters of the tag at the end of a code (20 bits).
const TAG: usize = 4;
/// The id part is at least this long, so that every code looks alike.
const MIN_ID: usize = 5;

fn base32(mut n: u64, min: usize) -> String {
    let mut out = Vec::new();
    while n > 0 || out.len() < min {
        out.push(ALPHABET[(n % 32) as usize]);
        n /= 32;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn tag(signer: &Signer, payment: i64) -> String {
    let bits = signer.receipt_tag(payment);
    base32(u64::from(bits) >> 12, TAG)
}

/// The code of a payment line, as printed: `ABCDE-FGHJ`.
pub fn code(signer: &Signer, payment: i64) -> String {
    let id = base32(payment.max(0) as u64, MIN_ID);
    format!("{id}-{}", tag(signer, payment))
}

/// The payment line a typed code names (case, spaces and the hyphen do not matter), if it is one
/// of ours.
pub fn parse(signer: &Signer, typed: &str) -> Option<i64> {
    let clean: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if clean.len() < MIN_ID + TAG || clean.len() > 16 || !clean.is_ascii() {
        return None;
    }
    let (id, given) = clean.split_at(clean.len() - TAG);
    let mut n: u64 = 0;
    for c in id.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == c)? as u64;
        n = n.checked_mul(32)?.checked_add(digit)?;
    }
    let payment = i64::try_from(n).ok()?;
    (tag(signer, payment) == given).then_some(payment)
}

/// What a receipt opens: the line as published, its roster, and its newest log entry with the
/// proof that the newest signed head holds it. `None` for a code that is not one of ours.
pub async fn open(db: &Db, kept: &super::KeptTree, signer: &Signer, typed: &str) -> Result<Option<Receipt>, LogError> {
    let Some(payment) = parse(signer, typed) else { return Ok(None) };
    let row = sqlx::query(
        "SELECT pe.roster_id, pe.name_masked, pe.id_masked, pe.recipient_name_masked, pe.period, pe.amount_fen, pe.status, \
                pe.published_on, pe.shown_as, v.code AS village_code, v.name AS village, t.code AS township_code, t.name AS township, \
                i.name AS item, d.name AS department \
         FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id \
         JOIN subsidy_items i ON i.id = pe.item_id JOIN rosters ro ON ro.id = pe.roster_id \
         JOIN departments d ON d.id = ro.department_id WHERE pe.payment_id = $1 ORDER BY pe.id DESC LIMIT 1",
    )
    .bind(payment)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let roster: i64 = r.get("roster_id");
    let entry: Option<LogRecord> = super::roster_records(db, roster).await?.pop();
    let head = latest_head(db).await?;
    let proof = match (&entry, &head) {
        (Some(e), Some(h)) if e.leaf_index < h.tree_size => {
            inclusion(db, kept, e.leaf_index, Some(h.tree_size)).await?
        }
        _ => None,
    };
    // A line publicised at township level keeps to what the township page shows.
    let by_township = r.get::<String, _>("shown_as") != "line";
    let mut line = crate::ssr::publicity::line_of(&r);
    if by_township {
        (line.name_masked, line.id_masked, line.recipient_name_masked, line.village) =
            (String::new(), String::new(), None, String::new());
    }
    Ok(Some(Receipt {
        code: code(signer, payment),
        township: Place { code: r.get("township_code"), name: r.get("township") },
        village: (!by_township).then(|| Place { code: r.get("village_code"), name: r.get("village") }),
        roster,
        department: r.get("department"),
        line,
        by_township,
        entry,
        head,
        proof,
    }))
}

/// Gives each of a person's lines the bank has answered for its receipt code, as its SMS carried it.
pub fn mark(signer: &Signer, mine: &mut MyPayments) {
    for line in mine.years.iter_mut().flat_map(|y| y.payments.iter_mut()) {
        if line.status != "pending" && line.publicity.is_some() {
            line.receipt = Some(code(signer, line.id));
        }
    }
}

/// The receipt code of the newest paid line of the person with this ID hash (the demo prints one).
pub async fn latest_paid(db: &Db, signer: &Signer, id_hash: &str) -> Result<Option<String>, sqlx::Error> {
    let payment: Option<i64> = sqlx::query_scalar(
        "SELECT p.id FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id \
         WHERE b.id_hash = $1 AND p.status = 'paid' ORDER BY p.paid_on DESC, p.id DESC LIMIT 1",
    )
    .bind(id_hash)
    .fetch_optional(&db.pool)
    .await?;
    Ok(payment.map(|p| code(signer, p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer::from_seed(&[9u8; 32]).unwrap()
    }

    #[test]
    fn a_code_opens_its_line_however_it_is_typed_and_no_other() {
        let s = signer();
        for payment in [1, 31, 32, 1_000_000, 33_554_431, 9_000_000_000] {
            let code = code(&s, payment);
            assert!(!code.contains(['0', '1', 'I', 'O']), "{code}");
            assert_eq!(parse(&s, &code), Some(payment), "{code}");
            assert_eq!(parse(&s, &code.to_lowercase().replace('-', " ")), Some(payment));
        }
        let code = code(&s, 12345);
        assert_eq!(code.len(), 10, "five characters, a hyphen, four: {code}");
        let last = code.chars().last().unwrap();
        let other = if last == '2' { '3' } else { '2' };
        assert_eq!(parse(&s, &format!("{}{other}", &code[..9])), None, "a changed tag opens nothing");
        assert_eq!(parse(&Signer::from_seed(&[8u8; 32]).unwrap(), &code), None, "another portal's key");
        for junk in ["", "ABC", "00000-0000", "ABCDE-FGH!", "一二三四五六七八九", &"Z".repeat(40)] {
            assert_eq!(parse(&s, junk), None, "{junk}");
        }
    }
}
