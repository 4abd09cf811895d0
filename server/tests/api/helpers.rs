//! `spawn_app`: a fresh database with a small demo county, the real server on port 0.

pub use app::ssr::db::Backend;
use app::ssr::{Db, Vault};
use server::config::{Config, Secret};
use server::startup::Application;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

pub const TEST_PEOPLE: usize = 1_000;
pub const TEST_SEED: u64 = 42;

/// The backends this run covers: SQLite always, PostgreSQL when `PORTAL_TEST_POSTGRES` names one.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    if std::env::var("PORTAL_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        list.push(Backend::Postgres);
    } else {
        eprintln!("note: PORTAL_TEST_POSTGRES is not set; this test ran on SQLite only");
    }
    list
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// A second connection to the same database, for checking what the server wrote.
    pub db: Db,
    pub vault: Vault,
    server: Server,
    _dir: tempfile::TempDir,
    /// Dropped (with the database) after the server stopped.
    _postgres: Option<PostgresDatabase>,
    database_url: String,
    data_key: String,
    /// More environment for a node's process (`spawn_node_with`).
    env: Vec<(&'static str, String)>,
}

impl TestApp {
    /// The database the server uses (for running the CLI against it).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The server's data key, hex.
    pub fn data_key(&self) -> &str {
        &self.data_key
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The rows of a table.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// GETs a page. A request that gets no answer within the client's timeout is tried once
    /// more before the test fails, with the path named.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        self.get_text_as(path, "").await
    }

    /// GETs a page with a cookie (a session), tried once more as `get_text` is.
    pub async fn get_text_as(&self, path: &str, cookie: &str) -> (u16, String) {
        for attempt in 1..=2 {
            let mut request = self.client.get(self.url(path));
            if !cookie.is_empty() {
                request = request.header("cookie", cookie);
            }
            match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    match response.text().await {
                        Ok(text) => return (status, text),
                        Err(e) if e.is_timeout() && attempt == 1 => eprintln!("GET {path}: body timed out, retrying"),
                        Err(e) => panic!("GET {path}: {e}"),
                    }
                }
                Err(e) if e.is_timeout() && attempt == 1 => eprintln!("GET {path}: timed out, retrying"),
                Err(e) => panic!("GET {path}: {e}"),
            }
        }
        unreachable!("the loop returns or panics")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the server and its index follower before their files (and database) go.
        match &mut self.server {
            Server::InProcess(stop) => stop.stop(),
            Server::Process(child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Server::Stopped => {}
        }
    }
}

/// How the server under test runs: a task in this process, or a process of its own
/// (the real binary, for tests of several nodes).
enum Server {
    InProcess(server::startup::StopHandle),
    Process(std::process::Child),
    /// A node process that was killed (and may be restarted).
    Stopped,
}

/// A configuration for a test server: temporary files, a fresh key, a free port.
pub fn test_config(dir: &std::path::Path, database_url: String) -> Config {
    Config {
        database_url: Secret::new(database_url),
        addr: "127.0.0.1:0".parse().expect("a valid address"),
        site_root: dir.join("site"),
        data_key: Some(Secret::new(Vault::generate_hex())),
        data_key_file: dir.join("portal.key"),
        index_dir: dir.join("index"),
        demo: true,
        demo_seed: TEST_SEED,
        demo_people: Some(TEST_PEOPLE),
        demo_counties: 1,
        db_max_connections: 4,
        ..Config::default()
    }
}

/// A new empty database: a SQLite file in `dir`, or a PostgreSQL database of its own (dropped
/// with the returned guard).
async fn fresh_database(backend: Backend, dir: &std::path::Path) -> (String, Option<PostgresDatabase>) {
    match backend {
        Backend::Sqlite => (format!("sqlite://{}/portal.db", dir.display()), None),
        Backend::Postgres => {
            let pg = PostgresDatabase::create().await;
            (pg.url.clone(), Some(pg))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (url, postgres) = fresh_database(backend, dir.path()).await;
    start_in_process(dir, url, postgres, None, adjust).await
}

/// Another server in this process on an existing database (another test app's) with its key.
pub async fn spawn_app_on(database_url: &str, data_key: &str, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    start_in_process(dir, database_url.to_string(), None, Some(data_key.to_string()), adjust).await
}

async fn start_in_process(
    dir: tempfile::TempDir,
    url: String,
    postgres: Option<PostgresDatabase>,
    key: Option<String>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let mut config = test_config(dir.path(), url.clone());
    if let Some(key) = key {
        config.data_key = Some(Secret::new(key));
    }
    adjust(&mut config);
    let app = Application::build(&config).await.expect("the server starts");
    let addr = app.local_addr();
    let stop = app.stop_handle();
    tokio::spawn(app.run());
    let db = Db::connect(&url, 2).await.expect("a second connection");
    let vault = Vault::from_hex(config.data_key.as_ref().expect("set above").expose()).expect("a valid key");
    let data_key = config.data_key.as_ref().expect("set above").expose().to_string();
    TestApp {
        addr,
        client: test_client(),
        db,
        vault,
        server: Server::InProcess(stop),
        _dir: dir,
        _postgres: postgres,
        database_url: url,
        data_key,
        env: Vec::new(),
    }
}

fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("a client")
}

/// The first node of a cluster: the real server binary as a process of its own, on a fresh
/// database with the small demo county, with its own search index. Ready when this returns.
pub async fn spawn_node(backend: Backend) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (url, postgres) = fresh_database(backend, dir.path()).await;
    start_node(dir, url, Vault::generate_hex(), postgres, Vec::new()).await
}

/// Another node on an existing database (another node's, or a restored copy) with its key, and a
/// search index of its own.
pub async fn spawn_node_on(database_url: &str, data_key: &str) -> TestApp {
    spawn_node_with(database_url, data_key, Vec::new()).await
}

/// `spawn_node_on` with more environment for the node's process.
pub async fn spawn_node_with(database_url: &str, data_key: &str, env: Vec<(&'static str, String)>) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    start_node(dir, database_url.to_string(), data_key.to_string(), None, env).await
}

async fn start_node(
    dir: tempfile::TempDir,
    url: String,
    data_key: String,
    postgres: Option<PostgresDatabase>,
    env: Vec<(&'static str, String)>,
) -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut app = TestApp {
        addr,
        client: test_client(),
        db: Db::connect(&url, 2).await.expect("a second connection"),
        vault: Vault::from_hex(&data_key).expect("a valid key"),
        server: Server::Stopped,
        _dir: dir,
        _postgres: postgres,
        database_url: url,
        data_key,
        env,
    };
    app.restart().await;
    app
}

impl TestApp {
    /// The `server` binary set up for this node: its database, key, index and files.
    pub fn server_command(&self) -> std::process::Command {
        let dir = self._dir.path();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DATABASE_URL", &self.database_url)
            .env("PORTAL_ADDR", self.addr.to_string())
            .env("PORTAL_DATA_KEY", &self.data_key)
            .env("PORTAL_DATA_KEY_FILE", dir.join("portal.key"))
            .env("PORTAL_INDEX_DIR", dir.join("index"))
            .env("PORTAL_SITE_ROOT", dir.join("site"))
            .env("PORTAL_DEMO", "true")
            .env("PORTAL_DEMO_SEED", TEST_SEED.to_string())
            .env("PORTAL_DEMO_PEOPLE", TEST_PEOPLE.to_string())
            .env("PORTAL_DEMO_COUNTIES", "1")
            .env("PORTAL_DB_MAX_CONNECTIONS", "4")
            .env("RUST_LOG", "info")
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .current_dir(dir);
        command
    }

    /// The node's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        match &self.server {
            Server::Process(child) => Some(child.id()),
            _ => None,
        }
    }

    /// This node's own directory (its log `server.log`, index, key file; the SQLite file too for
    /// a first node).
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// This node's search index directory.
    pub fn index_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("index")
    }

    /// Stops a server running in this process (its housekeeping too), leaving its database and
    /// files; waits a moment for work in hand to finish.
    pub async fn stop(&mut self) {
        if let Server::InProcess(stop) = &self.server {
            stop.stop();
        }
        self.server = Server::Stopped;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }

    /// Kills the node's process as `kill -9` would: no shutdown, nothing flushed.
    pub fn kill(&mut self) {
        if let Server::Process(child) = &mut self.server {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.server = Server::Stopped;
    }

    /// Asks the node's process to stop as a service manager does (SIGTERM).
    pub fn signal_stop(&self) {
        let pid = self.pid().expect("a running node");
        let status = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the node's process to end; its exit status, or none if it still runs after
    /// `within`.
    pub async fn wait_stopped(&mut self, within: std::time::Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Server::Process(child) = &mut self.server {
                if let Ok(Some(status)) = child.try_wait() {
                    self.server = Server::Stopped;
                    return Some(status);
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    }

    /// Starts the node's process (again) on the same port, database, key and index, and waits
    /// until it is ready.
    pub async fn restart(&mut self) {
        self.kill();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self._dir.path().join("server.log"))
            .expect("a log file");
        let child = self
            .server_command()
            .arg("serve")
            .stdout(log.try_clone().expect("the log file"))
            .stderr(log)
            .spawn()
            .expect("the server binary starts");
        self.server = Server::Process(child);
        self.wait_ready().await;
    }

    /// Waits until the node answers `/readyz` (database reachable, search index caught up); fails
    /// with the node's log if its process ends first.
    async fn wait_ready(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        loop {
            if let Server::Process(child) = &mut self.server {
                if let Ok(Some(status)) = child.try_wait() {
                    let log = std::fs::read_to_string(self._dir.path().join("server.log")).unwrap_or_default();
                    panic!("the node stopped ({status}) before it was ready:\n{log}");
                }
            }
            if let Ok(r) = self.client.get(self.url("/readyz")).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(std::time::Instant::now() < deadline, "the node was not ready in time");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

/// A database of its own on the PostgreSQL server named by `PORTAL_TEST_POSTGRES`, dropped
/// when the test ends (pass or fail).
pub struct PostgresDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl PostgresDatabase {
    pub async fn create() -> Self {
        let admin_url = std::env::var("PORTAL_TEST_POSTGRES").expect("PORTAL_TEST_POSTGRES is set");
        let name = format!(
            "portal_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
        );
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PORTAL_TEST_POSTGRES is set but PostgreSQL is not reachable: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE");
        let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url);
        let url = format!("{base}/{name}");
        PostgresDatabase { admin_url, name, url }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        // Drop runs outside any async context: use a small runtime on a thread of its own.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Does `text` contain something shaped like a full 18-character ID number?
pub fn contains_full_id_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(18).any(|w| {
        w[..17].iter().all(u8::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == b'X' || w[17] == b'x')
            && app::domain::IdNumber::parse(std::str::from_utf8(w).unwrap_or("")).is_ok()
    })
}

/// The `name=value` part of a cookie the response sets.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

/// Where a redirect points.
pub fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// The code last sent to `phone`, read from the demo's `/dev/sms` page.
pub async fn code_sent_to(app: &TestApp, phone: &str) -> Option<String> {
    let (status, html) = app.get_text("/dev/sms").await;
    assert_eq!(status, 200);
    code_in_outbox(&html, phone)
}

/// The code last sent to `phone` on a `/dev/sms` page.
pub fn code_in_outbox(html: &str, phone: &str) -> Option<String> {
    let last4 = &phone[7..];
    let line = html.split("<li>").find(|l| l.contains(&format!("*******{last4}")) && l.contains("验证码"))?;
    let at = line.find("验证码")? + "验证码".len();
    Some(line[at..at + 6].to_string())
}

/// The latest messages sent to `phone` (newest first), as the dev outbox stored them.
pub async fn messages_to(app: &TestApp, phone: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT body FROM sms_outbox WHERE phone_hash = $1 ORDER BY id DESC")
        .bind(app.vault.lookup_hash(phone))
        .fetch_all(&app.db.pool)
        .await
        .expect("the outbox")
}

/// Makes every code sent so far look a day old, so the next may be asked at once (the 60 s
/// resend limit is tested on its own).
pub async fn age_codes(app: &TestApp) {
    sqlx::query("UPDATE verification_codes SET created_at = '2000-01-01T00:00:00Z'")
        .execute(&app.db.pool)
        .await
        .expect("aged");
}

/// Posts each form to `path` at the same time, each from a client of its own (no cookies
/// shared); the answers' status and `Location`, in order.
pub async fn post_all_at_once(app: &TestApp, path: &str, forms: Vec<Vec<(String, String)>>) -> Vec<(u16, String)> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(forms.len()));
    let tasks: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let (client, url, barrier) = (test_client(), app.url(path), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let r = client.post(url).form(&form).send().await.expect("an answer");
                (r.status().as_u16(), location(&r))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.expect("the request task"));
    }
    answers
}
