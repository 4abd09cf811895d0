//! The publicity log: each publication of a roster appended as an entry (its canonical text and
//! leaf hash), a signed tree head on every publication and at least once a day, the proofs served
//! to the public, and the check of the whole log against the database (`server verify-log`).

pub mod entry;
pub mod key;
pub mod merkle;
pub mod receipt;
pub mod tree;

use crate::api::publicity_log::{
    ConsistencyProof, InclusionProof, LogEntry, LogHeads, LogRecord, TreeHead, HEADS_PER_PAGE,
};
use crate::ssr::vault::{decode_hex, encode_hex, Vault};
use crate::ssr::{clock, Db};
use merkle::Hash;
use sqlx::{AnyConnection, Row};

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Key(#[from] key::KeyError),
    #[error("roster {0} does not exist")]
    NoRoster(i64),
    #[error("log entry {0} has a leaf hash that is not 64 hex characters")]
    BadHash(i64),
    #[error("the log should hold {0} entries below its size but holds {1} (run server verify-log)")]
    Missing(i64, usize),
}

/// One publication to record: the roster, what happened to it, and why (for a correction).
pub struct Publication<'a> {
    pub roster: i64,
    pub kind: &'a str,
    pub reason: &'a str,
}

/// Appends these publications, each with what the roster's public pages show now, and signs the
/// new tree head; inside the caller's transaction (so a publication and its entry land together).
pub async fn record(
    conn: &mut AnyConnection,
    vault: &Vault,
    kept: &KeptTree,
    publications: &[Publication<'_>],
) -> Result<(), LogError> {
    if publications.is_empty() {
        return Ok(());
    }
    let now = clock::now();
    let size = append(conn, publications, &now).await?;
    sign_head(conn, vault, Some(kept), size, &now).await?;
    Ok(())
}

/// Appends the entries (without signing a head); returns the log's new size.
async fn append(conn: &mut AnyConnection, publications: &[Publication<'_>], now: &str) -> Result<i64, LogError> {
    // Updating the one size row first makes appends from other nodes wait their turn.
    let size: i64 = sqlx::query_scalar("UPDATE publicity_log_size SET size = size + $1 WHERE id = 1 RETURNING size")
        .bind(publications.len() as i64)
        .fetch_one(&mut *conn)
        .await?;
    let first = size - publications.len() as i64;
    let ids: Vec<i64> = publications.iter().map(|p| p.roster).collect();
    let shown = entry::shown(conn, &ids).await?;
    let mut rows = Vec::with_capacity(publications.len());
    for (n, p) in publications.iter().enumerate() {
        let mut entry = shown.get(&p.roster).cloned().ok_or(LogError::NoRoster(p.roster))?;
        (entry.kind, entry.reason) = (p.kind.to_string(), p.reason.to_string());
        let text = entry.text();
        let hash = encode_hex(&merkle::leaf_hash(text.as_bytes()));
        rows.push((first + n as i64, p, text, hash));
    }
    const COLUMNS: usize = 7;
    for chunk in rows.chunks(200) {
        let values = (0..chunk.len())
            .map(|r| {
                format!("({})", (1..=COLUMNS).map(|c| format!("${}", r * COLUMNS + c)).collect::<Vec<_>>().join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO publicity_log (leaf_index, roster_id, kind, reason, entry, leaf_hash, at) VALUES {values}"
        )));
        for (index, p, text, hash) in chunk {
            insert = insert.bind(*index).bind(p.roster).bind(p.kind).bind(p.reason).bind(text).bind(hash).bind(now);
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(size)
}

async fn sign_head(
    conn: &mut AnyConnection,
    vault: &Vault,
    kept: Option<&KeptTree>,
    size: i64,
    at: &str,
) -> Result<TreeHead, LogError> {
    let root = root_of(conn, kept, size).await?;
    let head = key::signer(conn, vault).await?.sign(size, at, &encode_hex(&root));
    sqlx::query(
        "INSERT INTO publicity_log_heads (tree_size, root_hash, signed_at, public_key, signature) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(head.tree_size)
    .bind(&head.root_hash)
    .bind(&head.signed_at)
    .bind(&head.public_key)
    .bind(&head.signature)
    .execute(&mut *conn)
    .await?;
    Ok(head)
}

/// The leaf hashes of the first `size` entries (all of them, or an error: a proof or a head over
/// a log with a hole in it would be wrong).
async fn leaves(conn: &mut AnyConnection, size: i64) -> Result<Vec<Hash>, LogError> {
    leaf_range(conn, 0, size).await
}

/// The leaf hashes of entries `start..end`, every one of them (or an error, as [`leaves`]).
async fn leaf_range(conn: &mut AnyConnection, start: i64, end: i64) -> Result<Vec<Hash>, LogError> {
    let rows = sqlx::query(
        "SELECT leaf_index, leaf_hash FROM publicity_log WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index",
    )
    .bind(start)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    if rows.len() as i64 != end - start {
        return Err(LogError::Missing(end, rows.len()));
    }
    rows.iter()
        .map(|r| {
            decode_hex(&r.get::<String, _>("leaf_hash"))
                .and_then(|h| <Hash>::try_from(h).ok())
                .ok_or(LogError::BadHash(r.get("leaf_index")))
        })
        .collect()
}

/// The root of the first `size` entries as `conn` sees them (inside the caller's transaction,
/// its own appends included): the kept blocks for entries committed before, the rest read
/// through `conn`; every leaf when nothing is kept.
async fn root_of(conn: &mut AnyConnection, kept: Option<&KeptTree>, size: i64) -> Result<Hash, LogError> {
    if let Some(kept) = kept {
        let kept = kept.0.lock().await;
        let covered = kept.covered() as i64;
        if covered <= size {
            let tail = leaf_range(conn, covered, size).await?;
            let leaves = tail.into_iter().enumerate().map(|(i, h)| (covered as usize + i, h)).collect();
            if let Some(root) = merkle::Subtrees::subtree(&tree::View { kept: &kept, leaves }, 0, size as usize) {
                return Ok(root);
            }
        }
    }
    Ok(merkle::root(&leaves(conn, size).await?))
}

/// Each node's kept tree ([`tree::Kept`]), shared by its requests. A connection is always taken
/// before the lock, so that requests waiting for the lock never hold up the one holding it.
#[derive(Clone, Default)]
pub struct KeptTree(std::sync::Arc<tokio::sync::Mutex<tree::Kept>>);

impl KeptTree {
    /// Keeps the blocks of every entry committed so far (housekeeping, so that a publication
    /// reads only the entries since).
    pub async fn keep_up(&self, db: &Db) -> Result<(), LogError> {
        let mut conn = db.pool.acquire().await?;
        let size = size_on(&mut conn).await?;
        extend(&mut *self.0.lock().await, &mut conn, size).await
    }
}

/// Brings the kept blocks up to the full blocks of the first `n` committed entries (starting
/// again if the log is shorter than what is kept: another database, a restore).
async fn extend(kept: &mut tree::Kept, conn: &mut AnyConnection, n: i64) -> Result<(), LogError> {
    if kept.covered() as i64 > size_on(conn).await? {
        *kept = tree::Kept::default();
    }
    let full = n - n % kept.block() as i64;
    if (kept.covered() as i64) < full {
        let new = leaf_range(conn, kept.covered() as i64, full).await?;
        kept.push_blocks(&new);
    }
    Ok(())
}

/// Runs `proof` over the tree of the first `n` entries: the kept blocks (brought up to date
/// first) and the leaves of the blocks around positions `at`. Should the kept tree lack something,
/// every leaf is read instead (and a warning logged).
async fn with_tree<T>(
    db: &Db,
    kept: &KeptTree,
    n: i64,
    at: &[i64],
    proof: impl Fn(&dyn merkle::Subtrees) -> Option<T>,
) -> Result<Option<T>, LogError> {
    let mut conn = db.pool.acquire().await?;
    let mut kept = kept.0.lock().await;
    extend(&mut kept, &mut conn, n).await?;
    let positions: Vec<usize> = at.iter().map(|&p| p as usize).collect();
    let mut read = std::collections::HashMap::new();
    for (start, end) in kept.leaves_needed(&positions, n as usize) {
        for (i, leaf) in leaf_range(&mut conn, start as i64, end as i64).await?.into_iter().enumerate() {
            read.insert(start + i, leaf);
        }
    }
    if let Some(answer) = proof(&tree::View { kept: &kept, leaves: read }) {
        return Ok(Some(answer));
    }
    tracing::warn!(size = n, "the kept log tree lacked a hash; reading every leaf");
    let all = leaves(&mut conn, n).await?;
    Ok(proof(&all))
}

/// Signs a head when none was signed today (UTC); any node may run this, one head results.
pub async fn keep_daily_head(db: &Db, vault: &Vault, kept: &KeptTree) -> Result<bool, LogError> {
    let signed_today = |latest: Option<String>| latest.is_some_and(|l| l.get(..10) == clock::today().get(..10));
    let latest = sqlx::query_scalar("SELECT MAX(signed_at) FROM publicity_log_heads").fetch_one(&db.pool).await?;
    if signed_today(latest) {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let size = take_turn(&mut tx).await?;
    let latest = sqlx::query_scalar("SELECT MAX(signed_at) FROM publicity_log_heads").fetch_one(&mut *tx).await?;
    if signed_today(latest) {
        return Ok(false);
    }
    sign_head(&mut tx, vault, Some(kept), size, &clock::now()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Waits for this transaction's turn to write the log (other appends wait for it until it ends);
/// returns the log's size.
async fn take_turn(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE publicity_log_size SET size = size WHERE id = 1 RETURNING size").fetch_one(conn).await
}

/// Rosters published before the log existed (or brought in from another county's database) get
/// an entry of what their pages show now; returns how many. Safe on several nodes at once.
pub async fn backfill(db: &Db, vault: &Vault) -> Result<usize, LogError> {
    const BATCH: i64 = 500;
    let mut done = 0;
    loop {
        let mut tx = db.begin().await?;
        let size = take_turn(&mut tx).await?;
        let missing: Vec<(i64, String)> = sqlx::query(
            "SELECT ro.id, ro.status FROM rosters ro WHERE EXISTS (SELECT 1 FROM publicity_entries pe WHERE pe.roster_id = ro.id) \
             AND NOT EXISTS (SELECT 1 FROM publicity_log l WHERE l.roster_id = ro.id) ORDER BY ro.id LIMIT $1",
        )
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("status")))
        .collect();
        if missing.is_empty() {
            // One head over all that was entered (each batch committed on its own).
            if done > 0 {
                sign_head(&mut tx, vault, None, size, &clock::now()).await?;
                tx.commit().await?;
            }
            return Ok(done);
        }
        let publications: Vec<Publication> = missing
            .iter()
            .map(|(roster, status)| Publication {
                roster: *roster,
                kind: if status == "payout_publicised" { "payout_publicity" } else { "publicity" },
                reason: "公示日志启用前已公示，按启用时页面所示记入",
            })
            .collect();
        append(&mut tx, &publications, &clock::now()).await?;
        tx.commit().await?;
        done += missing.len();
    }
}

fn head_of(r: &sqlx::any::AnyRow) -> TreeHead {
    TreeHead {
        tree_size: r.get("tree_size"),
        root_hash: r.get("root_hash"),
        signed_at: r.get("signed_at"),
        public_key: r.get("public_key"),
        signature: r.get("signature"),
    }
}

const HEAD_COLUMNS: &str = "tree_size, root_hash, signed_at, public_key, signature";

/// The newest signed head, if any.
pub async fn latest_head(db: &Db) -> Result<Option<TreeHead>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {HEAD_COLUMNS} FROM publicity_log_heads ORDER BY id DESC LIMIT 1"
    )))
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(head_of))
}

/// A page of heads, newest first, with the portal's public key (made if it was not yet).
pub async fn heads(db: &Db, vault: &Vault, page: i64) -> Result<LogHeads, LogError> {
    let public_key = key::signer(&mut *db.pool.acquire().await?, vault).await?.public_key();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM publicity_log_heads").fetch_one(&db.pool).await?;
    let tree_size: i64 =
        sqlx::query_scalar("SELECT size FROM publicity_log_size WHERE id = 1").fetch_one(&db.pool).await?;
    let pages = ((count + HEADS_PER_PAGE - 1) / HEADS_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let heads = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {HEAD_COLUMNS} FROM publicity_log_heads ORDER BY id DESC LIMIT $1 OFFSET $2"
    )))
    .bind(HEADS_PER_PAGE)
    .bind((page - 1) * HEADS_PER_PAGE)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(head_of)
    .collect();
    Ok(LogHeads { public_key, tree_size, page, pages, heads })
}

fn record_of(r: &sqlx::any::AnyRow) -> LogRecord {
    LogRecord {
        leaf_index: r.get("leaf_index"),
        roster_id: r.get("roster_id"),
        kind: r.get("kind"),
        reason: r.get("reason"),
        at: r.get("at"),
        leaf_hash: r.get("leaf_hash"),
    }
}

/// A roster's entries, oldest first: its public version history.
pub async fn roster_records(db: &Db, roster: i64) -> Result<Vec<LogRecord>, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT leaf_index, roster_id, kind, reason, at, leaf_hash FROM publicity_log WHERE roster_id = $1 ORDER BY leaf_index",
    )
    .bind(roster)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(record_of)
    .collect())
}

/// Entries `start` ..= `end` with their texts (at most `limit`; texts withheld as in [`roster_entries`]).
pub async fn entries(db: &Db, start: i64, end: i64, limit: i64, first: i32) -> Result<Vec<LogEntry>, sqlx::Error> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "{PUBLIC_ENTRY} WHERE l.leaf_index >= $2 AND l.leaf_index <= $3 ORDER BY l.leaf_index LIMIT $4"
    )))
    .bind(first.to_string())
    .bind(start)
    .bind(end)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(public_entry)
    .collect())
}

/// A roster's entries with their texts (withheld once its lines are past the public years),
/// oldest first.
pub async fn roster_entries(db: &Db, roster: i64, first: i32) -> Result<Vec<LogEntry>, sqlx::Error> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!("{PUBLIC_ENTRY} WHERE l.roster_id = $2 ORDER BY l.leaf_index")))
        .bind(first.to_string())
        .bind(roster)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(public_entry)
        .collect())
}

/// An entry as the public gets it: its text only while its roster's period is `$1` or later (the
/// public years); after that its hash alone, which still proves the tree.
const PUBLIC_ENTRY: &str = "SELECT l.leaf_index, l.roster_id, l.kind, l.reason, l.at, l.leaf_hash, \
     CASE WHEN ro.period >= $1 THEN l.entry END AS entry \
     FROM publicity_log l JOIN rosters ro ON ro.id = l.roster_id";

fn public_entry(r: &sqlx::any::AnyRow) -> LogEntry {
    LogEntry { record: record_of(r), entry: r.get("entry") }
}

async fn size(db: &Db) -> Result<i64, sqlx::Error> {
    size_on(&mut *db.pool.acquire().await?).await
}

async fn size_on(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT size FROM publicity_log_size WHERE id = 1").fetch_one(conn).await
}

/// The proof that entry `index` is in the tree of `tree_size` entries (default: the whole log);
/// `None` when the sizes do not fit the log.
pub async fn inclusion(
    db: &Db,
    kept: &KeptTree,
    index: i64,
    tree_size: Option<i64>,
) -> Result<Option<InclusionProof>, LogError> {
    let tree_size = match tree_size {
        Some(s) => s,
        None => size(db).await?,
    };
    if index < 0 || index >= tree_size || tree_size > size(db).await? {
        return Ok(None);
    }
    let (m, n) = (index as usize, tree_size as usize);
    let proof = with_tree(db, kept, tree_size, &[index], |t| {
        Some((t.subtree(m, m + 1)?, t.subtree(0, n)?, merkle::inclusion_path(m, n, t)?))
    })
    .await?;
    Ok(proof.map(|(leaf, root, path)| InclusionProof {
        leaf_index: index,
        tree_size,
        leaf_hash: encode_hex(&leaf),
        root_hash: encode_hex(&root),
        audit_path: path.iter().map(|h| encode_hex(h)).collect(),
    }))
}

/// The proof that the tree of `first` entries is a prefix of the tree of `second`; `None` when
/// the sizes do not fit the log.
pub async fn consistency(
    db: &Db,
    kept: &KeptTree,
    first: i64,
    second: i64,
) -> Result<Option<ConsistencyProof>, LogError> {
    if first < 1 || first > second || second > size(db).await? {
        return Ok(None);
    }
    let (m, n) = (first as usize, second as usize);
    let proof = with_tree(db, kept, second, &[first - 1, first], |t| {
        Some((t.subtree(0, m)?, t.subtree(0, n)?, merkle::consistency_path(m, n, t)?))
    })
    .await?;
    Ok(proof.map(|(first_root, second_root, path)| ConsistencyProof {
        first,
        second,
        first_root: encode_hex(&first_root),
        second_root: encode_hex(&second_root),
        proof: path.iter().map(|h| encode_hex(h)).collect(),
    }))
}

/// What checking the whole log against the database found.
#[derive(Debug, Default)]
pub struct Verification {
    pub entries: i64,
    pub heads: i64,
    pub rosters: i64,
    pub root_hash: String,
    /// Each in Chinese, for the person running the check.
    pub problems: Vec<String>,
}

/// Checks every entry's hash, every head's root and signature, that the log is as long as it
/// says, and that every published roster's pages show what its newest entry recorded.
pub async fn verify(db: &Db, vault: &Vault) -> Result<Verification, LogError> {
    let mut found = Verification::default();
    let mut conn = db.pool.acquire().await?;
    let public_key = key::signer(&mut conn, vault).await?.public_key();
    let rows = sqlx::query("SELECT leaf_index, roster_id, entry, leaf_hash FROM publicity_log ORDER BY leaf_index")
        .fetch_all(&mut *conn)
        .await?;
    let mut leaves: Vec<Hash> = Vec::with_capacity(rows.len());
    let mut newest: std::collections::BTreeMap<i64, (i64, String)> = Default::default();
    for r in &rows {
        let (index, roster, text, stored): (i64, i64, String, String) =
            (r.get("leaf_index"), r.get("roster_id"), r.get("entry"), r.get("leaf_hash"));
        if index != leaves.len() as i64 {
            found.problems.push(format!("日志缺少第 {} 条（下一条是第 {index} 条）", leaves.len()));
        }
        let hash = merkle::leaf_hash(text.as_bytes());
        if encode_hex(&hash) != stored {
            found.problems.push(format!("日志第 {index} 条的内容与它的哈希不符（内容被改过）"));
        }
        leaves.push(hash);
        newest.insert(roster, (index, text));
    }
    found.entries = leaves.len() as i64;
    found.root_hash = encode_hex(&merkle::root(&leaves));
    let size: i64 =
        sqlx::query_scalar("SELECT size FROM publicity_log_size WHERE id = 1").fetch_one(&mut *conn).await?;
    if size != found.entries {
        found.problems.push(format!("日志记录的条数是 {size}，实际有 {} 条", found.entries));
    }
    let heads: Vec<TreeHead> =
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {HEAD_COLUMNS} FROM publicity_log_heads ORDER BY id")))
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(head_of)
            .collect();
    found.heads = heads.len() as i64;
    for h in &heads {
        let at = format!("{} 签署的树头（{} 条）", h.signed_at, h.tree_size);
        if !key::verify(h) {
            found.problems.push(format!("{at}的签名无效"));
        } else if h.public_key != public_key {
            found.problems.push(format!("{at}不是用本平台的日志密钥签署的"));
        }
        match usize::try_from(h.tree_size).ok().and_then(|n| leaves.get(..n)) {
            Some(prefix) if encode_hex(&merkle::root(prefix)) == h.root_hash => {}
            Some(_) => found.problems.push(format!("{at}的根哈希与日志现有内容算出的不同（已发布的条目被改过）")),
            None => found.problems.push(format!("{at}比日志现有的条数还多（有条目被删除）")),
        }
    }
    let rosters: Vec<i64> = newest.keys().copied().collect();
    for chunk in rosters.chunks(500) {
        let mut shown = entry::shown(&mut conn, chunk).await?;
        for roster in chunk {
            let Some((index, text)) = newest.get(roster) else { continue };
            found.rosters += 1;
            let logged = entry::published_of(text);
            let now = shown.remove(roster).map(|e| e.published);
            if logged.is_none() || logged != now {
                let why = difference(logged, now);
                found.problems.push(format!("清册 {roster} 的公示页面与日志第 {index} 条记录的不一致{why}"));
            }
        }
    }
    let unlogged: Vec<i64> = sqlx::query_scalar(
        "SELECT ro.id FROM rosters ro WHERE EXISTS (SELECT 1 FROM publicity_entries pe WHERE pe.roster_id = ro.id) \
         AND NOT EXISTS (SELECT 1 FROM publicity_log l WHERE l.roster_id = ro.id) ORDER BY ro.id LIMIT 20",
    )
    .fetch_all(&mut *conn)
    .await?;
    for roster in unlogged {
        found.problems.push(format!("清册 {roster} 已公示，但日志里没有它"));
    }
    Ok(found)
}

/// Where a roster's pages part from its entry, in a few words.
fn difference(logged: Option<entry::Published>, now: Option<entry::Published>) -> String {
    let (Some(logged), Some(now)) = (logged, now) else { return String::new() };
    if let Some((i, (a, b))) = logged.lines.iter().zip(&now.lines).enumerate().find(|(_, (a, b))| a != b) {
        return format!(
            "：第 {} 行，日志为 {} {} {} 元 {}，页面为 {} {} {} 元 {}",
            i + 1,
            a.name,
            a.id,
            crate::domain::Money::from_fen(a.amount_fen).plain(),
            a.status,
            b.name,
            b.id,
            crate::domain::Money::from_fen(b.amount_fen).plain(),
            b.status
        );
    }
    if logged.lines.len() != now.lines.len() {
        return format!("：日志 {} 行，页面 {} 行", logged.lines.len(), now.lines.len());
    }
    if logged.summarised != now.summarised {
        return "：按乡镇汇总公示的人数或金额不同".to_string();
    }
    "：日期不同".to_string()
}
