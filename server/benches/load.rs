//! Mixed traffic against a running server (issue 10), by `scripts/load.sh`; never part of
//! `cargo test`. Each of CONNECTIONS virtual users loops until SECONDS are up over public pages,
//! search, a signed-in self-check (sessions from `province sessions`) and case filing with its SMS
//! code (read from the outbox, as the phone would), each visitor from an address of its own
//! (X-Forwarded-For; the server trusts 127.0.0.1 as its balancer). Then every case that got its
//! tracking number is looked up in the database. Prints `RESULT<TAB>name<TAB>value` lines.
//! URLS may name several nodes, comma-separated: visits go to them in turn, as a balancer without
//! sticky sessions sends them, and a case is started on one node and its code typed on the next.
//!
//!   cargo bench -p server --bench load -- URLS SECONDS CONNECTIONS TOKENS_FILE

use app::ssr::{Db, Vault};
use sqlx::Row;
use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Fail = Box<dyn std::error::Error + Send + Sync>;

const KINDS: [&str; 4] = ["page", "search", "check", "case"];

#[derive(Default)]
struct Tally {
    /// Latencies per kind (index into KINDS).
    samples: [Vec<Duration>; 4],
    errors: [u64; 4],
    error_examples: Vec<String>,
    filed: Vec<String>,
}

struct Plan {
    /// The nodes' base URLs.
    bases: Vec<String>,
    pages: Vec<String>,
    searches: Vec<String>,
    tokens: Vec<String>,
    case_item: String,
    case_place: String,
    db: Db,
    vault: Vault,
    visitors: AtomicU64,
    deadline: Instant,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [url, secs, conns, tokens] => run(url, secs.parse().unwrap_or(60), conns.parse().unwrap_or(500), tokens).await,
        _ => Err("usage: load URLS SECONDS CONNECTIONS TOKENS_FILE".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn result(name: &str, value: impl std::fmt::Display) {
    println!("RESULT\t{name}\t{value}");
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

impl Plan {
    /// The node of the `visit`-th visit.
    fn base(&self, visit: u64) -> &str {
        &self.bases[visit as usize % self.bases.len()]
    }
}

async fn run(urls: &str, secs: u64, conns: usize, tokens: &str) -> Result<(), Fail> {
    let config = server::config::Config::load(None)?;
    let (db, vault) = server::startup::open(&config).await?;
    let villages = sqlx::query("SELECT t.code AS t, v.code AS v, v.name FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY v.id LIMIT 20")
        .fetch_all(&db.pool)
        .await?;
    let mut pages: Vec<String> =
        ["/", "/policies", "/notices", "/publicity", "/cases/stats", "/policies/14-01", "/cases/answered"]
            .iter()
            .map(|p| p.to_string())
            .collect();
    pages
        .extend(villages.iter().map(|r| format!("/publicity/{}/{}", r.get::<String, _>("t"), r.get::<String, _>("v"))));
    let mut searches: Vec<String> =
        ["低保", "高龄津贴", "最低生活保障金", "五保", "耕地地力保护补贴", "社保卡 激活", "补贴 发放 通知"]
            .iter()
            .map(|q| format!("/search?q={}", encode(q)))
            .collect();
    searches.extend(
        villages
            .iter()
            .take(5)
            .map(|r| format!("/search?q={}", encode(&format!("{} 最低生活保障金", r.get::<String, _>("name"))))),
    );
    let place = sqlx::query("SELECT t.code AS t, v.code AS v FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY v.id LIMIT 1").fetch_one(&db.pool).await?;
    let item: String = sqlx::query_scalar(
        "SELECT i.code FROM subsidy_items i JOIN departments d ON d.id = i.department_id WHERE i.year = (SELECT MAX(year) FROM catalogue_years) \
         AND d.is_finance = 0 AND i.parent_id IS NULL ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await?;
    let plan = Arc::new(Plan {
        bases: urls.split(',').map(|u| u.trim().trim_end_matches('/').to_string()).collect(),
        pages,
        searches,
        tokens: std::fs::read_to_string(tokens)?.lines().map(str::to_string).filter(|t| !t.is_empty()).collect(),
        case_item: item,
        case_place: format!("{}/{}", place.get::<String, _>("t"), place.get::<String, _>("v")),
        db,
        vault,
        visitors: AtomicU64::new(0),
        deadline: Instant::now() + Duration::from_secs(secs),
    });
    if plan.tokens.is_empty() {
        return Err("no session tokens".into());
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(conns)
        .timeout(Duration::from_secs(30))
        .build()?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let mut users = tokio::task::JoinSet::new();
    for user in 0..conns {
        let (plan, client, tally) = (plan.clone(), client.clone(), tally.clone());
        users.spawn(async move { visitor(user as u64, &plan, &client, &tally).await });
    }
    users.join_all().await;
    let elapsed = started.elapsed().as_secs_f64();

    let mut tally = Arc::try_unwrap(tally)
        .map_err(|_| "tasks still hold the tally")?
        .into_inner()
        .map_err(|_| "a task panicked")?;
    let stored: HashSet<String> =
        sqlx::query_scalar("SELECT tracking_no FROM cases").fetch_all(&plan.db.pool).await?.into_iter().collect();
    let lost = tally.filed.iter().filter(|no| !stored.contains(*no)).count();
    let distinct: HashSet<&String> = tally.filed.iter().collect();
    let total: usize = tally.samples.iter().map(Vec::len).sum();
    let errors: u64 = tally.errors.iter().sum();
    result("load_nodes", plan.bases.len());
    result("load_connections", conns);
    result("load_seconds", secs);
    result("load_requests", total);
    result("load_requests_per_second", format!("{:.0}", total as f64 / elapsed));
    result("load_errors", errors);
    for (n, kind) in KINDS.iter().enumerate() {
        let samples = &mut tally.samples[n];
        samples.sort_unstable();
        let at = |q: f64| {
            samples
                .get(((samples.len().max(1) - 1) as f64 * q).round() as usize)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        result(&format!("load_{kind}_requests"), samples.len());
        result(&format!("load_{kind}_p50_ms"), format!("{:.1}", at(0.5)));
        result(&format!("load_{kind}_p99_ms"), format!("{:.1}", at(0.99)));
        result(&format!("load_{kind}_errors"), tally.errors[n]);
    }
    result("load_cases_filed", tally.filed.len());
    result("load_cases_duplicate_numbers", tally.filed.len() - distinct.len());
    result("load_cases_lost", lost);
    for e in tally.error_examples.iter().take(10) {
        eprintln!("error example: {e}");
    }
    Ok(())
}

/// One virtual user: a request of a random kind after another until the deadline.
async fn visitor(user: u64, plan: &Plan, client: &reqwest::Client, tally: &Mutex<Tally>) {
    let mut rng = user.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    while Instant::now() < plan.deadline {
        let roll = next(100);
        let kind = match roll {
            0..=44 => 0,
            45..=64 => 1,
            65..=89 => 2,
            _ => 3,
        };
        let visitor = plan.visitors.fetch_add(1, Ordering::Relaxed);
        // A public address of its own for each visit: 100.64.0.0/10 and onwards.
        let address = format!("100.{}.{}.{}", 64 + (visitor >> 16) % 64, (visitor >> 8) % 256, visitor % 256);
        let outcome = match kind {
            0 => {
                let page = &plan.pages[next(plan.pages.len())];
                get(client, &format!("{}{page}", plan.base(visitor)), None, &address).await
            }
            1 => {
                let search = &plan.searches[next(plan.searches.len())];
                get(client, &format!("{}{search}", plan.base(visitor)), None, &address).await
            }
            2 => {
                let cookie = format!("citizen_session={}", plan.tokens[next(plan.tokens.len())]);
                get(client, &format!("{}/check/payments", plan.base(visitor)), Some(&cookie), &address).await
            }
            _ => file_case(plan, client, visitor, &address).await,
        };
        let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok((took, filed)) => {
                t.samples[kind].push(took);
                t.filed.extend(filed);
            }
            Err(e) => {
                t.errors[kind] += 1;
                if t.error_examples.len() < 10 {
                    t.error_examples.push(format!("{}: {e}", KINDS[kind]));
                }
            }
        }
    }
}

type Outcome = Result<(Duration, Option<String>), Fail>;

async fn get(client: &reqwest::Client, url: &str, cookie: Option<&str>, address: &str) -> Outcome {
    let started = Instant::now();
    let mut request = client.get(url).header("x-forwarded-for", address);
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    let response = request.send().await?;
    let status = response.status();
    response.bytes().await?;
    if status.as_u16() != 200 {
        return Err(format!("{url}: {status}").into());
    }
    Ok((started.elapsed(), None))
}

/// The form, the code from the outbox, the code typed: the tracking number.
async fn file_case(plan: &Plan, client: &reqwest::Client, visitor: u64, address: &str) -> Outcome {
    let started = Instant::now();
    let phone = format!("135{:08}", visitor % 100_000_000);
    let form = [
        ("kind", "inquiry"),
        ("item", plan.case_item.as_str()),
        ("place", plan.case_place.as_str()),
        ("description", "压力测试：请核实本月补贴的发放情况，谢谢。"),
        ("name", "测试"),
        ("phone", phone.as_str()),
    ];
    let r = client
        .post(format!("{}/cases/start", plan.base(visitor)))
        .header("x-forwarded-for", address)
        .form(&form)
        .send()
        .await?;
    if r.status().as_u16() != 303 {
        return Err(format!("/cases/start: {}", r.status()).into());
    }
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("case_form="))
        .and_then(|v| v.split(';').next())
        .ok_or("no case_form cookie")?
        .to_string();
    let body: String = sqlx::query_scalar("SELECT body FROM sms_outbox WHERE phone_hash = $1 ORDER BY id DESC LIMIT 1")
        .bind(plan.vault.lookup_hash(&phone))
        .fetch_one(&plan.db.pool)
        .await?;
    let at = body.find("验证码").ok_or("no code in the message")? + "验证码".len();
    let code: String = body[at..].chars().filter(char::is_ascii_digit).take(6).collect();
    let r = client
        .post(format!("{}/cases/verify", plan.base(visitor + 1)))
        .header("x-forwarded-for", address)
        .header("cookie", cookie)
        .form(&[("code", code.as_str())])
        .send()
        .await?;
    let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let no = to.strip_prefix("/cases/filed?no=").ok_or_else(|| format!("/cases/verify: {} {to}", r.status()))?;
    Ok((started.elapsed(), Some(no.to_string())))
}
