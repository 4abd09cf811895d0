//! The command line: `serve` (default) and the maintenance commands.

use crate::config::{Config, ENV_VARS};
use crate::demo::{DemoOptions, DemoSummary};
use crate::startup::{self, Application};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "惠民惠农财政补贴资金“一卡通”公开平台: the portal server and its maintenance commands",
    long_about = None
)]
pub struct Cli {
    /// TOML configuration file (default: $PORTAL_CONFIG, else ./portal.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default): apply migrations, load the demo county into an empty
    /// database when PORTAL_DEMO is true, and listen on PORTAL_ADDR.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the fictional demo county into an empty database, then print people to try the
    /// self-check with.
    Demo {
        /// Seed of the generator; the same seed gives the same county.
        #[arg(long)]
        seed: Option<u64>,
        /// Number of beneficiaries to generate.
        #[arg(long)]
        people: Option<usize>,
    },
    /// Rebuild this node's search index from the database (stop the server first: one process
    /// at a time may write the index).
    Reindex,
    /// Print the effective configuration (secrets redacted) and the environment variables read.
    Config,
    /// Import a payment roster from a department's file (XLSX, or CSV in UTF-8 or GBK, the
    /// 基础信息表 layout): every row is checked and every problem listed by row and column; the
    /// file is written, as one draft roster per township, only when clean (or with
    /// --exclude-bad), all in one transaction. The same file twice is not imported twice.
    ImportRoster {
        /// The file to import.
        file: PathBuf,
        /// Catalogue code of the subsidy item, e.g. 14-01.
        #[arg(long)]
        item: String,
        /// Period, as the item's frequency has it: 2026-12, 2026-Q4, 2026-H2 or 2026.
        #[arg(long)]
        period: String,
        /// Import the good rows and leave out the rows with problems.
        #[arg(long)]
        exclude_bad: bool,
    },
    /// Check the audit log's hash chain: every entry must match its contents and the entry before
    /// it. Prints the number of entries and the newest hash (record it elsewhere: it also shows a
    /// removed tail); exits with failure at the first edited or deleted entry.
    VerifyAudit,
    /// Check the publicity log: every entry against its hash, every signed tree head against the
    /// entries and the log's key, and every published roster's pages against its newest entry.
    /// Exits with failure, naming each difference, when anything was changed.
    VerifyLog,
    /// Write a consistent copy of the database while the server runs (SQLite: VACUUM INTO a new
    /// file; PostgreSQL: pg_dump's custom format). Back up the data key separately.
    Backup {
        /// The file to create; it must not exist yet.
        file: PathBuf,
    },
    /// Restore a backup into a new database: DATABASE_URL names a SQLite file that does not exist
    /// yet, or an empty PostgreSQL database (pg_restore). Checks the audit chain of the copy.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Re-encrypt all personal data under a new master key, in one transaction. The new key is
    /// read from FILE, or a fresh one is written there (mode 600) when FILE does not exist. Stop
    /// every node first; afterwards point PORTAL_DATA_KEY_FILE (or PORTAL_DATA_KEY) at the new key
    /// and start them. Sessions, pending codes and kept forms end.
    RotateKey {
        /// The new key file.
        file: PathBuf,
    },
    /// Mark the people of a deceased list (XLSX or CSV with a 身份证号 column) so that roster
    /// imports flag them for reviewers.
    ImportDeceased {
        /// The list to import.
        file: PathBuf,
    },
    /// Take a county that ran alone into this portal: FILE is its SQLite database or a backup
    /// of it (`server backup`), --key its data key file. Everything of the county comes over in
    /// one transaction, re-encrypted under this portal's key, people already on file merged, its
    /// audit entries chained into this portal's log; run again, it changes nothing. The file is
    /// read from a copy (migrated to this version), never changed.
    ImportCounty {
        /// The county's database file.
        file: PathBuf,
        /// The county's data key file (64 hex characters).
        #[arg(long)]
        key: PathBuf,
        /// Code of the province or city the county belongs under, e.g. 990100.
        #[arg(long)]
        under: Option<String>,
    },
}

pub async fn run() -> ExitCode {
    crate::telemetry::init();
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config).await,
        Command::Migrate => {
            startup::open(&config).await.map(|_| println!("migrations applied")).map_err(|e| e.to_string())
        }
        Command::Demo { seed, people } => demo(&config, seed, people).await,
        Command::Reindex => reindex(&config).await,
        Command::ImportRoster { file, item, period, exclude_bad } => {
            import_roster(&config, &file, item, period, exclude_bad).await
        }
        Command::ImportDeceased { file } => import_deceased(&config, &file).await,
        Command::ImportCounty { file, key, under } => import_county(&config, &file, &key, under.as_deref()).await,
        Command::VerifyAudit => verify_audit(&config).await,
        Command::VerifyLog => verify_log(&config).await,
        Command::RotateKey { file } => rotate_key(&config, &file).await,
        Command::Backup { file } => crate::backup::backup(&config, &file).await,
        Command::Restore { file } => crate::backup::restore(&config, &file).await,
        Command::Config => {
            println!("{config:#?}\n\nEnvironment variables:");
            for (name, what) in ENV_VARS {
                println!("  {name:<26} {what}");
            }
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: &Config) -> Result<(), String> {
    let app = Application::build(config).await.map_err(|e| e.to_string())?;
    println!("惠民惠农财政补贴资金公开平台已启动: http://{}", app.local_addr());
    app.run().await.map_err(|e| e.to_string())
}

async fn verify_audit(config: &Config) -> Result<(), String> {
    let (db, _) = startup::open(config).await.map_err(|e| e.to_string())?;
    let check = app::ssr::audit::verify(&db).await.map_err(|e| e.to_string())?;
    match check.broken {
        None => {
            println!("审计日志完整：{} 条记录，哈希链无断点。", check.entries);
            println!("最新哈希：{}（请另行记录，以便发现末尾记录被删除）", check.last_hash);
            Ok(())
        }
        Some((id, why)) => Err(format!("审计日志第 {id} 号记录处断链：{why}；此前 {} 条记录完好。", check.entries)),
    }
}

async fn verify_log(config: &Config) -> Result<(), String> {
    let (db, vault) = startup::open(config).await.map_err(|e| e.to_string())?;
    let check = app::ssr::publicity_log::verify(&db, &vault).await.map_err(|e| e.to_string())?;
    if check.problems.is_empty() {
        println!(
            "公示日志完好：{} 条记录（{} 个清册），{} 个签名树头均有效，各清册公示页面与日志一致。",
            check.entries, check.rosters, check.heads
        );
        println!("当前根哈希：{}", check.root_hash);
        return Ok(());
    }
    for p in &check.problems {
        println!("{p}");
    }
    Err(format!("公示日志有 {} 处问题（见上）。", check.problems.len()))
}

async fn import_county(
    config: &Config,
    file: &std::path::Path,
    key: &std::path::Path,
    under: Option<&str>,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let (db, vault) = startup::open(config).await.map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(key).map_err(|e| format!("无法读取密钥文件 {}：{e}", key.display()))?;
    let source_vault = app::ssr::Vault::from_hex(&text).map_err(|e| format!("{}：{e}", key.display()))?;
    // Read from a migrated copy: the county's own file stays as it was.
    let copy = std::env::temp_dir().join(format!("portal-import-{}.db", std::process::id()));
    std::fs::copy(file, &copy).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
    let imported = async {
        let source = app::ssr::Db::connect(&format!("sqlite://{}", copy.display()), 2)
            .await
            .map_err(|e| format!("{} 不是本平台的数据库：{e}", file.display()))?;
        let done = app::ssr::counties::import::import_county(&db, &vault, &source, &source_vault, under).await;
        source.pool.close().await;
        let done = done.map_err(|e| e.to_string())?;
        // The tables have grown by a county: PostgreSQL plans with fresh statistics.
        db.gather_statistics().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(done)
    }
    .await;
    for leftover in ["", "-wal", "-shm", ".migrate-lock"] {
        let _ = std::fs::remove_file(format!("{}{leftover}", copy.display()));
    }
    let done = imported?;
    if done.already {
        println!("{} 已经导入过，未做任何改动。", done.county);
        return Ok(());
    }
    println!(
        "已导入 {}：补贴对象 {} 人（其中 {} 人已在本平台，已合并），发放明细 {} 笔，诉求 {} 件，审计记录 {} 条（用时 {:.1} 秒）。",
        done.county,
        done.people,
        done.merged,
        done.payments,
        done.cases,
        done.audit_entries,
        started.elapsed().as_secs_f32()
    );
    for (old, new) in &done.renamed {
        println!("用户名 {old} 在本平台已被使用，导入为 {new}。");
    }
    let logged = app::ssr::publicity_log::backfill(&db, &vault).await.map_err(|e| e.to_string())?;
    println!("其中已公示的清册 {logged} 个已记入本平台的公示日志。");
    println!("各节点的搜索索引将在几秒内收录导入的内容。");
    Ok(())
}

async fn rotate_key(config: &Config, file: &std::path::Path) -> Result<(), String> {
    use app::ssr::Vault;
    let (db, old) = startup::open(config).await.map_err(|e| e.to_string())?;
    let created = !file.exists();
    if created {
        startup::write_new_key(file).map_err(|e| format!("无法创建新密钥文件 {}：{e}", file.display()))?;
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
    let new = Vault::from_hex(&text).map_err(|e| format!("{}：{e}", file.display()))?;
    if new.lookup_hash("portal-key-check") == old.lookup_hash("portal-key-check") {
        return Err("新密钥与当前密钥相同，未做任何改动".into());
    }
    let started = std::time::Instant::now();
    let done = app::ssr::key_rotation::rotate(&db, &old, &new, |table, rows| eprint!("\r{table}: {rows}          "))
        .await
        .map_err(|e| e.to_string())?;
    eprintln!();
    println!(
        "已用新密钥重新加密：补贴对象 {} 人，待发放明细 {} 行，待复核的登记信息变更 {} 项，案件 {} 件，短信 {} 条（用时 {:.1} 秒）。",
        done.beneficiaries,
        done.lines,
        done.changes,
        done.cases,
        done.sms,
        started.elapsed().as_secs_f32()
    );
    println!(
        "已失效：会话 {} 个，未用验证码 {} 个，待验证表单和上传预览 {} 份。",
        done.sessions_ended, done.codes_ended, done.drafts_ended
    );
    println!(
        "下一步：把各节点的 PORTAL_DATA_KEY_FILE 指向 {}{}（或改设 PORTAL_DATA_KEY）后启动；确认无误后销毁旧密钥。",
        file.display(),
        if created { "（新生成）" } else { "" }
    );
    Ok(())
}

async fn demo(config: &Config, seed: Option<u64>, people: Option<usize>) -> Result<(), String> {
    let (db, vault) = startup::open(config).await.map_err(|e| e.to_string())?;
    let defaults = config.demo_options();
    let options =
        DemoOptions { seed: seed.unwrap_or(defaults.seed), people: people.unwrap_or(defaults.people), ..defaults };
    match startup::load_demo_if_empty(&db, &vault, &options).await.map_err(|e| e.to_string())? {
        Some(summary) => {
            print_summary(&summary);
            // A receipt code as the first person's latest payout SMS carries it.
            if let Some(person) = summary.examples.first() {
                let id_hash = vault.lookup_hash(person.id_number.as_str());
                let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
                let signer =
                    app::ssr::publicity_log::key::signer(&mut conn, &vault).await.map_err(|e| e.to_string())?;
                let code = app::ssr::publicity_log::receipt::latest_paid(&db, &signer, &id_hash)
                    .await
                    .map_err(|e| e.to_string())?;
                if let Some(code) = code {
                    println!(
                        "a receipt code from {}'s latest payout SMS, to open at /r (demo data):\n  receipt {code}",
                        person.name
                    );
                }
            }
            Ok(())
        }
        None => Err("the database already holds data; the demo is only loaded into an empty database".into()),
    }
}

async fn import_roster(
    config: &Config,
    path: &std::path::Path,
    item_code: String,
    period: String,
    exclude_bad: bool,
) -> Result<(), String> {
    use app::ssr::rosters;
    let started = std::time::Instant::now();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table = rosters::file::read_up_to(&bytes, rosters::file::MAX_BYTES_COMMAND_LINE).map_err(|e| e.to_string())?;
    let (db, vault) = startup::open(config).await.map_err(|e| e.to_string())?;
    let total = table.rows.len();
    let read_secs = started.elapsed().as_secs_f32();
    let target = rosters::Target { item_code, period, county: None };
    let checked = rosters::check(&db, &vault, &table, &target, &|done| {
        const WIDTH: usize = 30;
        let filled = (done * WIDTH).checked_div(total).map_or(WIDTH, |f| f.min(WIDTH));
        eprint!("\r检查 [{}{}] {done}/{total}", "=".repeat(filled), " ".repeat(WIDTH - filled));
    })
    .await
    .map_err(|e| e.to_string())?;
    eprintln!();
    let check_secs = started.elapsed().as_secs_f32() - read_secs;
    println!(
        "{} {}：{} 行，可导入 {} 行，问题 {} 处，比对提示 {} 条",
        checked.item_name,
        checked.period,
        checked.rows,
        checked.lines.len(),
        checked.problems.len(),
        checked.screening.len()
    );
    for p in &checked.problems {
        println!("  错误 第{}行 {}：{}", p.row, p.column, p.message);
    }
    for s in &checked.screening {
        println!("  提示 第{}行：{}", s.row, s.message);
    }
    eprintln!("正在写入 {} 行（一个事务：中断则一行也不写入）……", checked.lines.len());
    let ids = rosters::write(&db, &vault, &checked, "cli", &rosters::sha256_hex(&bytes), exclude_bad)
        .await
        .map_err(|e| e.to_string())?;
    let write_secs = started.elapsed().as_secs_f32() - read_secs - check_secs;
    let amount: i64 = checked.lines.iter().map(|l| l.amount.fen()).sum();
    println!(
        "已导入：清册 {}（草稿），{} 行，合计 {} 元",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join("、"),
        checked.lines.len(),
        app::domain::Money::from_fen(amount).grouped()
    );
    println!("用时：读取 {read_secs:.1} 秒，检查 {check_secs:.1} 秒，写入 {write_secs:.1} 秒");
    Ok(())
}

async fn import_deceased(config: &Config, path: &std::path::Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (db, vault) = startup::open(config).await.map_err(|e| e.to_string())?;
    let (marked, unknown, problems) =
        app::ssr::rosters::import_deceased(&db, &vault, &bytes, "cli").await.map_err(|e| e.to_string())?;
    for p in &problems {
        println!("  错误 第{}行 {}：{}", p.row, p.column, p.message);
    }
    println!("已故人员名单：标记 {marked} 人，{unknown} 人不在补贴对象中，{} 行有错误", problems.len());
    Ok(())
}

async fn reindex(config: &Config) -> Result<(), String> {
    let (db, _) = startup::open(config).await.map_err(|e| e.to_string())?;
    let search = startup::open_search(config).map_err(|e| format!("{e} (is the server still running?)"))?;
    let started = std::time::Instant::now();
    let written = search
        .rebuild(&db, |done, total| {
            const WIDTH: u64 = 30;
            let filled = (done * WIDTH).checked_div(total).map_or(WIDTH, |f| f.min(WIDTH));
            eprint!("\r[{}{}] {done}/{total}", "=".repeat(filled as usize), " ".repeat((WIDTH - filled) as usize));
        })
        .await
        .map_err(|e| e.to_string())?;
    eprintln!();
    println!("search index rebuilt: {written} entries in {:.1} s", started.elapsed().as_secs_f32());
    Ok(())
}

fn print_summary(s: &DemoSummary) {
    let counties: Vec<String> = s.counties.iter().map(|(code, name)| format!("{name} {code}")).collect();
    println!("demo loaded: {}", counties.join("、"));
    println!(
        "  {} townships, {} villages, {} items, {} documents, {} households, {} beneficiaries ({} of them paid in two counties),\n  {} rosters, {} payments ({} failed, {} reissued), {} publicity entries",
        s.townships, s.villages, s.items, s.documents, s.households, s.beneficiaries, s.people_in_two_counties, s.rosters,
        s.payments, s.failed, s.reissued, s.publicity_entries
    );
    println!("people to try the self-check with (demo data, fictional):");
    for e in &s.examples {
        println!("  {:<24} {}  ID {}  phone {}", e.label, e.name, e.id_number.as_str(), e.phone.as_str());
    }
    if let Some((no, phone)) = &s.example_case {
        println!("a case to track at /cases/track (demo data):\n  case {no}  phone {}", phone.as_str());
    }
    let mut logins: Vec<String> =
        crate::demo::office::logins(&crate::demo::plans::QINGLAN).into_iter().map(|(user, ..)| user).collect();
    if s.counties.len() > 1 {
        logins.retain(|u| u != "admin");
        logins.extend(crate::demo::province_logins().into_iter().map(|(user, ..)| user.to_string()));
    }
    println!("{} cases filed; logins at /staff/login, password {}:", s.cases, crate::demo::office::DEMO_PASSWORD);
    println!("  {}", logins.join(", "));
    if s.counties.len() > 1 {
        println!("  青岚县's own administrator is admin_510999; the other counties' logins end with the county's code: finance_510998, civil_affairs_510995, …");
    }
}
