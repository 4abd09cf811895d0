//! Province-scale benchmarks (issue 8): the in-process measurements and the data the HTTP ones
//! need. Run by `scripts/bench.sh`, which points the PORTAL_* variables at the generated data;
//! never part of `cargo test`. Prints `RESULT<TAB>name<TAB>value` lines for the script's table.
//!
//!   cargo bench -p server --bench province -- search            search index vs SQLite FTS5
//!   cargo bench -p server --bench province -- check             self-check lookups in-process
//!   cargo bench -p server --bench province -- sessions N FILE   N citizen sessions, tokens to FILE
//!   cargo bench -p server --bench province -- movers N FILE     the same for people paid in two counties
//!   cargo bench -p server --bench province -- counties          a portal of several counties (issue 21):
//!                                                               search in one county and in all, the
//!                                                               self-check across counties, the comparison
//!   cargo bench -p server --bench province -- roster-csv N FILE a roster of N lines (14-01, 2026-12)

use app::domain::{IdNumber, Money};
use app::ssr::{clock, Db, Vault};
use search_index::{Entry, Kind, Query, SearchIndex};
use server::config::Config;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::Row;
use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

type Fail = Box<dyn std::error::Error>;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    // `cargo bench` adds `--bench`; the rest is ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let result =
        match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["search"] => search().await,
            ["check"] => check().await,
            ["sessions", n, file] => sessions(n.parse().unwrap_or(1000), file, false).await,
            ["movers", n, file] => sessions(n.parse().unwrap_or(1000), file, true).await,
            ["counties"] => counties().await,
            ["roster-csv", n, file] => roster_csv(n.parse().unwrap_or(1_000_000), file).await,
            _ => Err("usage: province search | check | sessions N FILE | movers N FILE | counties | roster-csv N FILE"
                .into()),
        };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open() -> Result<(Config, Db, Vault), Fail> {
    let config = Config::load(None)?;
    let (db, vault) = server::startup::open(&config).await?;
    Ok((config, db, vault))
}

fn result(name: &str, value: impl std::fmt::Display) {
    println!("RESULT\t{name}\t{value}");
}

/// Median and 99th percentile of `samples`, in milliseconds.
fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    (at(0.5), at(0.99))
}

// ---------------------------------------------------------------------------------------------
// Search: the portal's index against SQLite FTS5 (trigram) over the same entries

/// Realistic searches, taken from the data so that they hit: item names and abbreviations,
/// village + item, a masked name as publicised + its village, phrases from the notices.
async fn queries(db: &Db) -> Result<Vec<(&'static str, String)>, Fail> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for code in ["14-01", "01", "14-02"] {
        let row = sqlx::query("SELECT name, aliases FROM subsidy_items WHERE code = $1 ORDER BY year DESC LIMIT 1")
            .bind(code)
            .fetch_one(&db.pool)
            .await?;
        let (name, aliases): (String, String) = (row.get("name"), row.get("aliases"));
        out.push(("item name", name));
        out.push(("abbreviation", aliases.split_whitespace().next().unwrap_or_default().to_string()));
    }
    let villages: Vec<String> =
        sqlx::query_scalar("SELECT name FROM regions WHERE level = 'village' ORDER BY id LIMIT 3")
            .fetch_all(&db.pool)
            .await?;
    for (village, word) in villages.iter().zip(["低保", "耕地补贴", "高龄津贴"]) {
        out.push(("village + item", format!("{village} {word}")));
    }
    let names = sqlx::query(
        "SELECT pe.name_masked, v.name AS village FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id \
         WHERE pe.id IN (1001, 50001, 250001)",
    )
    .fetch_all(&db.pool)
    .await?;
    for r in names {
        out.push((
            "masked name + village",
            format!("{} {}", r.get::<String, _>("name_masked"), r.get::<String, _>("village")),
        ));
    }
    for phrase in ["社会保障卡", "惠民惠农财政补贴", "资金监管"] {
        out.push(("notice phrase", phrase.to_string()));
    }
    Ok(out)
}

async fn fts_pool(path: &std::path::Path) -> Result<SqlitePool, Fail> {
    let options = SqliteConnectOptions::new().filename(path).create_if_missing(true);
    Ok(SqlitePoolOptions::new().max_connections(1).connect_with(options).await?)
}

/// The same entries the index holds, in an FTS5 table with the trigram tokenizer (the one that
/// finds Chinese without a word list). Built once next to the index and kept.
async fn build_fts(db: &Db, fts: &SqlitePool) -> Result<(), Fail> {
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'fts'").fetch_one(fts).await?;
    if exists > 0 {
        return Ok(());
    }
    let started = Instant::now();
    sqlx::query("CREATE VIRTUAL TABLE fts_build USING fts5(title, aliases, body, tokenize = 'trigram')")
        .execute(fts)
        .await?;
    let mut entries = app::ssr::search::entries::items(db, None).await?;
    entries.extend(app::ssr::search::entries::documents(db, None).await?);
    let mut tx = fts.begin().await?;
    let mut written = 0u64;
    for e in &entries {
        sqlx::query("INSERT INTO fts_build (title, aliases, body) VALUES (?, ?, ?)")
            .bind(&e.title)
            .bind(&e.aliases)
            .bind(&e.body)
            .execute(&mut *tx)
            .await?;
        written += 1;
    }
    let mut after = 0;
    loop {
        let batch = app::ssr::search::entries::publicity_batch(db, after, 20_000, 0).await?;
        let Some((last, _)) = batch.last() else { break };
        after = *last;
        for (_, e) in &batch {
            sqlx::query("INSERT INTO fts_build (title, aliases, body) VALUES (?, ?, ?)")
                .bind(&e.title)
                .bind(&e.aliases)
                .bind(&e.body)
                .execute(&mut *tx)
                .await?;
        }
        written += batch.len() as u64;
    }
    tx.commit().await?;
    sqlx::query("ALTER TABLE fts_build RENAME TO fts").execute(fts).await?;
    result("fts5_build_seconds", format!("{:.1}", started.elapsed().as_secs_f64()));
    result("fts5_entries", written);
    Ok(())
}

/// One FTS5 search doing the results page's work: the total and the first ten, best first.
/// Words of three characters or more go through MATCH; shorter ones (most Chinese words are two
/// characters) the trigram index cannot serve, so they are LIKE filters, which scan.
async fn fts_search(fts: &SqlitePool, text: &str) -> Result<usize, Fail> {
    let mut matched = Vec::new();
    let mut like = Vec::new();
    for word in text.split_whitespace() {
        if word.chars().count() >= 3 {
            matched.push(format!("\"{}\"", word.replace('"', "\"\"")));
        } else {
            like.push(format!("%{word}%"));
        }
    }
    let mut conditions = Vec::new();
    if !matched.is_empty() {
        conditions.push("fts MATCH ?".to_string());
    }
    for _ in &like {
        conditions.push("(title LIKE ? OR aliases LIKE ? OR body LIKE ?)".to_string());
    }
    let filter = conditions.join(" AND ");
    let order = if matched.is_empty() { "rowid" } else { "rank" };
    let page_sql = format!("SELECT rowid, title FROM fts WHERE {filter} ORDER BY {order} LIMIT 10");
    let count_sql = format!("SELECT COUNT(*) FROM fts WHERE {filter}");
    let bind = |sql: String| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if !matched.is_empty() {
            q = q.bind(matched.join(" AND "));
        }
        for l in &like {
            q = q.bind(l.clone()).bind(l.clone()).bind(l.clone());
        }
        q
    };
    let page = bind(page_sql).fetch_all(fts).await?;
    let total: i64 = bind(count_sql).fetch_one(fts).await?.get(0);
    Ok(page.len().max(total as usize))
}

/// A competing search timed after a warm-up for as many runs as fit in three seconds (at least
/// five; three when one run takes over a second, as the scans of two-character words do at
/// 10M): the times and what it found.
async fn competitor<F, Fut>(mut search: F) -> Result<(Vec<Duration>, usize), Fail>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<usize, Fail>>,
{
    let mut times = Vec::new();
    let warm_up = Instant::now();
    let mut found = search().await?;
    let at_least = if warm_up.elapsed() > Duration::from_secs(1) { 3 } else { 5 };
    let budget = Instant::now();
    while times.len() < 200 && (times.len() < at_least || budget.elapsed() < Duration::from_secs(3)) {
        let started = Instant::now();
        found = search().await?;
        times.push(started.elapsed());
    }
    Ok((times, found))
}

/// PostgreSQL's way to the same entries, when `PORTAL_BENCH_TRGM` names a database: one
/// text column (title, aliases and body) with a `pg_trgm` GIN index, what a PostgreSQL user
/// reaches for to search Chinese without a word list. Built once (table
/// `bench_search_entries`) and kept.
async fn trgm_pool(db: &Db) -> Result<Option<PgPool>, Fail> {
    let Ok(url) = std::env::var("PORTAL_BENCH_TRGM") else { return Ok(None) };
    let pg = PgPoolOptions::new().max_connections(1).connect(&url).await?;
    let exists: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('bench_search_entries')::text").fetch_one(&pg).await?;
    if exists.is_some() {
        return Ok(Some(pg));
    }
    let started = Instant::now();
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute(&pg).await?;
    sqlx::query("DROP TABLE IF EXISTS bench_search_build").execute(&pg).await?;
    sqlx::query("CREATE TABLE bench_search_build (id BIGSERIAL PRIMARY KEY, doc TEXT NOT NULL)").execute(&pg).await?;
    let write = |docs: Vec<String>| {
        let pg = pg.clone();
        async move {
            sqlx::query("INSERT INTO bench_search_build (doc) SELECT * FROM UNNEST($1::text[])")
                .bind(docs)
                .execute(&pg)
                .await
        }
    };
    let doc = |e: &search_index::Entry| format!("{} {} {}", e.title, e.aliases, e.body);
    let mut entries = app::ssr::search::entries::items(db, None).await?;
    entries.extend(app::ssr::search::entries::documents(db, None).await?);
    let mut written = entries.len() as u64;
    write(entries.iter().map(doc).collect()).await?;
    let mut after = 0;
    loop {
        let batch = app::ssr::search::entries::publicity_batch(db, after, 20_000, 0).await?;
        let Some((last, _)) = batch.last() else { break };
        after = *last;
        written += batch.len() as u64;
        write(batch.iter().map(|(_, e)| doc(e)).collect()).await?;
    }
    let mut conn = pg.acquire().await?;
    sqlx::query("SET maintenance_work_mem = '1GB'").execute(&mut *conn).await?;
    sqlx::query("CREATE INDEX bench_search_trgm ON bench_search_build USING gin (doc gin_trgm_ops)")
        .execute(&mut *conn)
        .await?;
    drop(conn);
    sqlx::query("ANALYZE bench_search_build").execute(&pg).await?;
    sqlx::query("ALTER TABLE bench_search_build RENAME TO bench_search_entries").execute(&pg).await?;
    result("trgm_build_seconds", format!("{:.1}", started.elapsed().as_secs_f64()));
    result("trgm_entries", written);
    Ok(Some(pg))
}

/// One pg_trgm search doing the results page's work: the total and the first ten, most similar
/// first. Each word is a LIKE filter, which the trigram index serves for words of three or more
/// characters; shorter ones are checked on every row the others leave (or all rows).
async fn trgm_search(pg: &PgPool, text: &str) -> Result<usize, Fail> {
    let words: Vec<String> = text.split_whitespace().map(|w| format!("%{w}%")).collect();
    let filter = (1..=words.len()).map(|i| format!("doc LIKE ${i}")).collect::<Vec<_>>().join(" AND ");
    let page_sql = format!(
        "SELECT id FROM bench_search_entries WHERE {filter} ORDER BY similarity(doc, ${}) DESC LIMIT 10",
        words.len() + 1
    );
    let count_sql = format!("SELECT COUNT(*) FROM bench_search_entries WHERE {filter}");
    let mut page = sqlx::query(sqlx::AssertSqlSafe(page_sql));
    let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for w in &words {
        page = page.bind(w.clone());
        count = count.bind(w.clone());
    }
    let page = page.bind(text.to_string()).fetch_all(pg).await?;
    let total: i64 = count.fetch_one(pg).await?.get(0);
    Ok(page.len().max(total as usize))
}

async fn search() -> Result<(), Fail> {
    let (config, db, _) = open().await?;
    let index = SearchIndex::open_or_create(&config.index_dir)?;
    result("index_entries", index.len());
    let fts_path = config.index_dir.with_file_name("fts5.db");
    let fts = fts_pool(&fts_path).await?;
    build_fts(&db, &fts).await?;
    let trgm = trgm_pool(&db).await?;
    let queries = queries(&db).await?;
    println!(
        "{:<22} {:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10} {:>10}",
        "kind",
        "query",
        "ours p50",
        "ours p99",
        "1st p50",
        "1st p99",
        "cold p50",
        "cold p99",
        "fts5 p50",
        "fts5 p99",
        "trgm p50",
        "trgm p99",
        "hits/fts5/trgm"
    );
    // A commit as a busy portal makes them: one entry changed (a notice edited), committed.
    let mut commits = 0u32;
    let mut commit = || -> Result<(), Fail> {
        commits += 1;
        index.upsert(&Entry {
            kind: Kind::Document,
            key: "benchmark-probe".into(),
            title: "基准测试通知".into(),
            body: format!("第{commits}次修改"),
            aliases: String::new(),
            department: None,
            year: None,
            township: None,
            county: None,
        })?;
        index.commit(&index.marker().unwrap_or_default())?;
        Ok(())
    };
    let (mut ours_all, mut first_all, mut cold_all) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fts_all, mut trgm_all) = (Vec::new(), Vec::new());
    for (kind, text) in &queries {
        let query = Query { text, limit: 10, ..Default::default() };
        let mut ours = Vec::new();
        let mut hits = 0;
        for run in 0..210 {
            let started = Instant::now();
            let results = index.search(&query)?;
            if run >= 10 {
                ours.push(started.elapsed());
            }
            hits = results.total;
        }
        // The same search the first time after a commit (the whole results dropped, the
        // unchanged segments' answers kept): 50 runs, each after a commit of one changed entry.
        let mut first = Vec::new();
        for _ in 0..50 {
            commit()?;
            let started = Instant::now();
            index.search(&query)?;
            first.push(started.elapsed());
        }
        // And from nothing kept at all (a node just started, or the index's segments merged).
        let mut cold = Vec::new();
        for _ in 0..50 {
            index.forget_kept();
            let started = Instant::now();
            index.search(&query)?;
            cold.push(started.elapsed());
        }
        let (mut theirs, found) = competitor(|| fts_search(&fts, text)).await?;
        let (t50, t99, trgm_found) = match &trgm {
            Some(pg) => {
                let (mut times, found) = competitor(|| trgm_search(pg, text)).await?;
                trgm_all.extend_from_slice(&times);
                let (t50, t99) = percentiles(&mut times);
                (format!("{t50:.2}ms"), format!("{t99:.2}ms"), format!("/{found}"))
            }
            None => ("—".into(), "—".into(), String::new()),
        };
        ours_all.extend_from_slice(&ours);
        first_all.extend_from_slice(&first);
        cold_all.extend_from_slice(&cold);
        fts_all.extend_from_slice(&theirs);
        let (o50, o99) = percentiles(&mut ours);
        let (n50, n99) = percentiles(&mut first);
        let (c50, c99) = percentiles(&mut cold);
        let (f50, f99) = percentiles(&mut theirs);
        println!(
            "{kind:<22} {text:<28} {o50:>8.2}ms {o99:>8.2}ms {n50:>8.2}ms {n99:>8.2}ms {c50:>8.2}ms {c99:>8.2}ms {f50:>8.2}ms {f99:>8.2}ms {t50:>10} {t99:>10} {hits:>5}/{found}{trgm_found}"
        );
    }
    index.delete(Kind::Document, "benchmark-probe");
    index.commit(&index.marker().unwrap_or_default())?;
    let (o50, o99) = percentiles(&mut ours_all);
    let (n50, n99) = percentiles(&mut first_all);
    result("search_first_p50_ms", format!("{n50:.2}"));
    result("search_first_p99_ms", format!("{n99:.2}"));
    let (c50, c99) = percentiles(&mut cold_all);
    result("search_cold_p50_ms", format!("{c50:.2}"));
    result("search_cold_p99_ms", format!("{c99:.2}"));
    let (f50, f99) = percentiles(&mut fts_all);
    if !trgm_all.is_empty() {
        let (t50, t99) = percentiles(&mut trgm_all);
        result("search_trgm_p50_ms", format!("{t50:.2}"));
        result("search_trgm_p99_ms", format!("{t99:.2}"));
    }
    result("search_queries", queries.len());
    result("search_ours_p50_ms", format!("{o50:.2}"));
    result("search_ours_p99_ms", format!("{o99:.2}"));
    result("search_fts5_p50_ms", format!("{f50:.2}"));
    result("search_fts5_p99_ms", format!("{f99:.2}"));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Self-check: all lines of one person, found by the keyed hash of their ID number

/// Up to `n` people, spread over the whole table, with their ID numbers decrypted.
async fn sample_people(db: &Db, vault: &Vault, n: i64) -> Result<Vec<(i64, String)>, Fail> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM beneficiaries").fetch_one(&db.pool).await?;
    let step = (total / n).max(1);
    let rows = sqlx::query("SELECT id, id_enc FROM beneficiaries WHERE id % $1 = 0 ORDER BY id LIMIT $2")
        .bind(step)
        .bind(n)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(|r| Ok((r.get("id"), vault.decrypt(&r.get::<Vec<u8>, _>("id_enc"))?))).collect()
}

async fn check() -> Result<(), Fail> {
    let (_, db, vault) = open().await?;
    let people = sample_people(&db, &vault, 1000).await?;
    let lookup = |id_number: String| {
        let (db, vault) = (&db, &vault);
        async move {
            let hash = vault.lookup_hash(&id_number);
            let id: i64 = sqlx::query_scalar("SELECT id FROM beneficiaries WHERE id_hash = $1")
                .bind(hash)
                .fetch_one(&db.pool)
                .await?;
            let mine = app::ssr::check::reads::payments(db, id).await?;
            Ok::<usize, sqlx::Error>(mine.years.iter().map(|y| y.payments.len()).sum())
        }
    };
    for (_, id) in people.iter().take(200) {
        lookup(id.clone()).await?;
    }
    let mut samples = Vec::new();
    let mut lines = 0;
    for round in 0..3 {
        for (_, id) in &people {
            let started = Instant::now();
            let n = lookup(id.clone()).await?;
            samples.push(started.elapsed());
            if round == 0 {
                lines += n;
            }
        }
    }
    let (p50, p99) = percentiles(&mut samples);
    println!(
        "self-check of {} people, {} lookups, {:.1} lines each on average: p50 {p50:.2} ms, p99 {p99:.2} ms",
        people.len(),
        samples.len(),
        lines as f64 / people.len() as f64
    );
    result("check_lines_per_person", format!("{:.1}", lines as f64 / people.len() as f64));
    result("check_inprocess_p50_ms", format!("{p50:.2}"));
    result("check_inprocess_p99_ms", format!("{p99:.2}"));
    Ok(())
}

/// Opens `n` citizen sessions (as a verified SMS code would) and writes their cookie tokens:
/// people spread over the table, or (`movers`) people paid in more than one county.
async fn sessions(n: i64, file: &str, movers: bool) -> Result<(), Fail> {
    let (_, db, vault) = open().await?;
    let people = if movers { sample_movers(&db, &vault, n).await? } else { sample_people(&db, &vault, n).await? };
    let mut out = std::fs::File::create(file)?;
    for (id, _) in &people {
        let token = app::ssr::code::random_hex(32);
        sqlx::query(
            "INSERT INTO sessions (token_hash, kind, beneficiary_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, 'citizen', $2, $3, $4, $4, $5)",
        )
        .bind(vault.lookup_hash(&token))
        .bind(id)
        .bind(app::ssr::code::random_hex(16))
        .bind(clock::now())
        .bind(clock::from_now(86_400))
        .execute(&db.pool)
        .await?;
        writeln!(out, "{token}")?;
    }
    eprintln!("{} sessions written to {file}", people.len());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A portal of several counties: search scoped and not, the self-check across counties, the comparison

/// Up to `n` people with payments from more than one county, ID numbers decrypted.
async fn sample_movers(db: &Db, vault: &Vault, n: i64) -> Result<Vec<(i64, String)>, Fail> {
    let rows = sqlx::query(
        "SELECT b.id, b.id_enc FROM beneficiaries b WHERE b.id IN ( \
           SELECT p.beneficiary_id FROM payments p JOIN subsidy_items i ON i.id = p.item_id \
           GROUP BY p.beneficiary_id HAVING COUNT(DISTINCT i.county_id) > 1) ORDER BY b.id LIMIT $1",
    )
    .bind(n)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|r| Ok((r.get("id"), vault.decrypt(&r.get::<Vec<u8>, _>("id_enc"))?))).collect()
}

/// Timed runs of `work` after `warm` untimed ones: the samples and the last result.
async fn timed<T, F, Fut>(warm: usize, runs: usize, mut work: F) -> Result<(Vec<Duration>, T), Fail>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Fail>>,
{
    for _ in 0..warm {
        work().await?;
    }
    let mut samples = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(work().await?);
        samples.push(started.elapsed());
    }
    Ok((samples, last.ok_or("no runs")?))
}

async fn counties() -> Result<(), Fail> {
    use app::api::search::SearchFilter;
    use app::ssr::search::{entries, Search};
    let (config, db, vault) = open().await?;
    let counties = app::ssr::regions::counties(&db).await?;
    result("counties", counties.len());
    let home = counties.first().ok_or("no county on file")?.code.clone();
    let search = Search::new(SearchIndex::open_or_create(&config.index_dir)?, config.retention());
    result("index_entries", search.index.len());

    // Search as the site runs it (index, then the rows behind publicity hits), across the whole
    // portal and within the first county (where the queries' villages are).
    let queries = queries(&db).await?;
    println!(
        "{:<22} {:<28} {:>9} {:>9} {:>9} {:>9} {:>16}",
        "kind", "query", "all p50", "all p99", "one p50", "one p99", "hits all/one"
    );
    let (mut all, mut one) = (Vec::new(), Vec::new());
    for (kind, text) in &queries {
        let run = |county: Option<String>| {
            let (db, search) = (&db, &search);
            move || {
                let filter = SearchFilter { county: county.clone(), ..Default::default() };
                let q = text.clone();
                async move { Ok::<_, Fail>(entries::run(db, search, q, filter, 1).await.map_err(|e| e.to_string())?) }
            }
        };
        let (mut a, pa) = timed(5, 100, run(None)).await?;
        let (mut o, po) = timed(5, 100, run(Some(home.clone()))).await?;
        let in_home = pa.counties.iter().find(|c| c.value == home).map_or(0, |c| c.count);
        if po.total != in_home {
            return Err(format!("{text}: {} hits in county {home}, but its facet says {in_home}", po.total).into());
        }
        all.extend_from_slice(&a);
        one.extend_from_slice(&o);
        let ((a50, a99), (o50, o99)) = (percentiles(&mut a), percentiles(&mut o));
        let hits = format!("{}/{}", pa.total, po.total);
        println!("{kind:<22} {text:<28} {a50:>7.2}ms {a99:>7.2}ms {o50:>7.2}ms {o99:>7.2}ms {hits:>16}");
    }
    let ((a50, a99), (o50, o99)) = (percentiles(&mut all), percentiles(&mut one));
    result("search_queries", queries.len());
    result("search_all_p50_ms", format!("{a50:.2}"));
    result("search_all_p99_ms", format!("{a99:.2}"));
    result("search_county_p50_ms", format!("{o50:.2}"));
    result("search_county_p99_ms", format!("{o99:.2}"));

    // The self-check of people paid in two counties, and of people spread over the table.
    for (name, people) in
        [("movers", sample_movers(&db, &vault, 200).await?), ("people", sample_people(&db, &vault, 1000).await?)]
    {
        if people.is_empty() {
            return Err(format!("no {name} to look up").into());
        }
        let mut samples = Vec::new();
        let (mut lines, mut spanning) = (0, 0);
        for round in 0..4 {
            for (_, id_number) in &people {
                let started = Instant::now();
                let hash = vault.lookup_hash(id_number);
                let id: i64 = sqlx::query_scalar("SELECT id FROM beneficiaries WHERE id_hash = $1")
                    .bind(hash)
                    .fetch_one(&db.pool)
                    .await?;
                let mine = app::ssr::check::reads::payments(&db, id).await?;
                if round > 0 {
                    samples.push(started.elapsed());
                } else {
                    lines += mine.years.iter().map(|y| y.payments.len()).sum::<usize>();
                    spanning += usize::from(mine.counties.len() > 1);
                }
            }
        }
        if name == "movers" && spanning != people.len() {
            return Err(format!("{spanning} of {} movers see payments from two counties", people.len()).into());
        }
        let (p50, p99) = percentiles(&mut samples);
        println!(
            "self-check of {} {name}, {:.1} lines each, {spanning} of them across counties: p50 {p50:.2} ms, p99 {p99:.2} ms",
            people.len(),
            lines as f64 / people.len() as f64
        );
        result(&format!("check_{name}"), people.len());
        result(&format!("check_{name}_lines"), format!("{:.1}", lines as f64 / people.len() as f64));
        result(&format!("check_{name}_p50_ms"), format!("{p50:.2}"));
        result(&format!("check_{name}_p99_ms"), format!("{p99:.2}"));
    }

    // The comparison as computed before it is kept (the site keeps it 30 s per node).
    let (mut samples, table) =
        timed(1, 10, || async { Ok::<_, Fail>(app::ssr::counties::comparison(&db, None).await?) }).await?;
    if table.counties.len() != counties.len() {
        return Err(format!("the comparison has {} rows for {} counties", table.counties.len(), counties.len()).into());
    }
    let (p50, _) = percentiles(&mut samples);
    let max = samples.iter().max().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!("county comparison computed: p50 {p50:.1} ms, slowest of 10 {max:.1} ms");
    result("comparison_p50_ms", format!("{p50:.1}"));
    result("comparison_max_ms", format!("{max:.1}"));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A roster file for the import benchmark

/// A 基础信息表 CSV of `rows` lines for 最低生活保障金 (14-01), 2026-12: every person on file who
/// has a bank account, then new people (ID numbers in the fictional region 510999 that no one on
/// file has), spread over all villages.
async fn roster_csv(rows: usize, file: &str) -> Result<(), Fail> {
    let (_, db, vault) = open().await?;
    let standard: i64 =
        sqlx::query_scalar("SELECT standard_fen FROM subsidy_items WHERE code = '14-01' AND year = 2026")
            .fetch_one(&db.pool)
            .await?;
    let amount = Money::from_fen(standard / 2).plain();
    let places = sqlx::query("SELECT v.id, v.name, t.name AS township FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY v.id")
        .fetch_all(&db.pool)
        .await?;
    let places: Vec<(String, String)> = places.iter().map(|r| (r.get("township"), r.get("name"))).collect();
    let banks: Vec<String> = sqlx::query_scalar("SELECT name FROM banks ORDER BY id").fetch_all(&db.pool).await?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
    writeln!(out, "序号,姓名,身份证号,民族,手机号,镇街,村(社区),开户行,银行卡号,补贴额(元)")?;
    let known = sqlx::query(
        "SELECT b.name, b.ethnicity, b.id_enc, b.account_enc, v.name AS village, t.name AS township, k.name AS bank \
         FROM beneficiaries b JOIN regions v ON v.id = b.village_id JOIN regions t ON t.id = v.parent_id \
         JOIN banks k ON k.id = b.card_bank_id WHERE b.account_enc IS NOT NULL ORDER BY b.id",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut taken: HashSet<String> = HashSet::with_capacity(known.len());
    let mut written = 0;
    for r in &known {
        let id = vault.decrypt(&r.get::<Vec<u8>, _>("id_enc"))?;
        taken.insert(id.clone());
        if written < rows {
            let account = vault.decrypt(&r.get::<Vec<u8>, _>("account_enc"))?;
            written += 1;
            let (name, ethnicity, township, village, bank): (String, String, String, String, String) =
                (r.get("name"), r.get("ethnicity"), r.get("township"), r.get("village"), r.get("bank"));
            writeln!(out, "{written},{name},{id},{ethnicity},,{township},{village},{bank},{account},{amount}")?;
        }
    }
    let existing = written;
    // Some ID numbers in the demo are held by people without an account; skip those too.
    let all_ids: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT id_enc FROM beneficiaries WHERE account_enc IS NULL").fetch_all(&db.pool).await?;
    for enc in all_ids {
        taken.insert(vault.decrypt(&enc)?);
    }
    const SURNAMES: &[&str] =
        &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"];
    const GIVEN: &[&str] = &["建华", "秀英", "桂兰", "志强", "玉兰", "明", "丽", "国平", "文", "小红", "德明", "春梅"];
    let mut n: u64 = 0;
    'people: for year in (1930..=2012).rev() {
        for month in 1..=12 {
            for day in 1..=28 {
                for seq in 0..1000 {
                    if written >= rows {
                        break 'people;
                    }
                    let id = IdNumber::from_parts("510999", year, month, day, seq)?;
                    if taken.contains(id.as_str()) {
                        continue;
                    }
                    n += 1;
                    written += 1;
                    let name = format!("{}{}", SURNAMES[(n % 16) as usize], GIVEN[(n / 16 % 12) as usize]);
                    let (township, village) = &places[(n as usize * 7) % places.len()];
                    let bank = &banks[(n % banks.len() as u64) as usize];
                    let account = app::domain::BankAccount::with_check_digit(&format!("6230{:014}", n))?;
                    writeln!(
                        out,
                        "{written},{name},{},汉族,139{:08},{township},{village},{bank},{},{amount}",
                        id.as_str(),
                        n % 100_000_000,
                        account.as_str()
                    )?;
                }
            }
        }
    }
    out.flush()?;
    eprintln!(
        "{file}: {written} lines ({existing} people on file, {} new), 14-01 2026-12, {amount} 元 each",
        written - existing
    );
    Ok(())
}
