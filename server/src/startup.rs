//! Startup: connect and migrate, unlock the data key, load the demo county if asked, then build
//! the axum router around the Leptos app and serve it.

use crate::config::Config;
use crate::demo::{self, DemoOptions, DemoSummary};
use app::ssr::db::DbError;
use app::ssr::search::Search;
use app::ssr::{AppContext, Db, Vault};
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::path::Path;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("data key: {0}")]
    Key(String),
    #[error("demo: {0}")]
    Demo(#[from] demo::DemoError),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("search index: {0}")]
    Index(#[from] search_index::IndexError),
    #[error("configuration: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("publicity log: {0}")]
    Log(#[from] app::ssr::publicity_log::LogError),
}

/// How often each node looks for database changes to index.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Opens this node's search index (creating it when missing).
/// An index written with an older schema is derived data: it is removed and rebuilt.
pub fn open_search(config: &Config) -> Result<Search, StartupError> {
    let dir = &config.index_dir;
    let index = match search_index::SearchIndex::open_or_create(dir) {
        Err(search_index::IndexError::SchemaChanged(_)) => {
            tracing::warn!(dir = %dir.display(), "search index has an older schema; rebuilding it");
            std::fs::remove_dir_all(dir).map_err(search_index::IndexError::Io)?;
            search_index::SearchIndex::open_or_create(dir)?
        }
        other => other?,
    };
    Ok(Search::new(index, config.retention()))
}

/// A node starting with an empty index directory takes the index of `peer` (then follows the
/// change log from the change that copy reflects); if that fails, it builds the index from the
/// database as any node does.
async fn copy_index_from(peer: &str, dir: &Path) {
    if !crate::index_copy::is_empty(dir) {
        return;
    }
    let started = std::time::Instant::now();
    match crate::index_copy::fetch(peer, dir).await {
        Ok(r) => tracing::info!(
            peer,
            files = r.files,
            bytes = r.bytes,
            seconds = started.elapsed().as_secs_f32(),
            "search index copied from a peer"
        ),
        Err(e) => tracing::warn!(peer, error = %e, "could not copy the search index; building it from the database"),
    }
}

/// Keeps the index in step with the database for as long as the server runs: a full build first
/// when needed, then the change log every couple of seconds.
async fn follow_database(db: Db, search: Search, mut stop: watch::Receiver<bool>) {
    loop {
        let started = std::time::Instant::now();
        match search.sync(&db).await {
            Ok(0) => {}
            Ok(written) => tracing::info!(written, seconds = started.elapsed().as_secs_f32(), "search index updated"),
            Err(app::ssr::search::SyncError::Stopped) => return,
            Err(e) => tracing::error!(error = %e, "search index update failed; retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(FOLLOW_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// How often each node delivers queued SMS and flags overdue cases.
const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Periodic work any node may do (each step is safe to run on several nodes at once): forget
/// old codes and recovered addresses, deliver queued SMS that failed to go at once, sign the
/// publicity log's head of the day (and keep its tree), escalate cases past their deadline.
async fn housekeeping(cx: AppContext, addresses: crate::addresses::Addresses, mut stop: watch::Receiver<bool>) {
    loop {
        addresses.prune();
        if let Err(e) = app::ssr::code::prune(&cx.db).await {
            tracing::warn!(error = %e, "pruning old codes");
        }
        if let Err(e) = cx.sms.deliver_queued(&cx).await {
            tracing::warn!(error = %e, "sms delivery");
        }
        if let Err(e) = app::ssr::publicity_log::keep_daily_head(&cx.db, &cx.vault, &cx.log_tree).await {
            tracing::warn!(error = %e, "signing the publicity log's daily head");
        }
        if let Err(e) = cx.log_tree.keep_up(&cx.db).await {
            tracing::warn!(error = %e, "keeping the publicity log's tree");
        }
        match app::ssr::cases::escalate_overdue(&cx.db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(cases = n, "overdue cases escalated to the finance bureau"),
            Err(e) => tracing::warn!(error = %e, "escalating overdue cases"),
        }
        tokio::select! {
            _ = tokio::time::sleep(HOUSEKEEPING_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Connects to the database (applying migrations) and unlocks the data key.
pub async fn open(config: &Config) -> Result<(Db, Vault), StartupError> {
    let db = Db::connect(config.database_url.expose(), config.db_max_connections).await?;
    tracing::info!(backend = db.backend.name(), "database ready, migrations applied");
    let vault = load_vault(config, &db).await?;
    if let Some(seed) = &config.log_key {
        let mut conn = db.pool.acquire().await?;
        app::ssr::publicity_log::key::adopt(&mut conn, &vault, seed.expose())
            .await
            .map_err(app::ssr::publicity_log::LogError::from)?;
    }
    Ok((db, vault))
}

/// The key comes from `PORTAL_DATA_KEY`, else the key file. A missing key file is created with a
/// fresh key, but only while the database holds no personal data it would then fail to read.
async fn load_vault(config: &Config, db: &Db) -> Result<Vault, StartupError> {
    if let Some(key) = &config.data_key {
        return Vault::from_hex(key.expose()).map_err(|e| StartupError::Key(e.to_string()));
    }
    let path = &config.data_key_file;
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| StartupError::Key(format!("{}: {e}", path.display())))?;
        return Vault::from_hex(&text).map_err(|e| StartupError::Key(format!("{}: {e}", path.display())));
    }
    if db.count(app::ssr::db::Counted::People).await? > 0 {
        return Err(StartupError::Key(format!(
            "the database holds personal data but the key file {} is missing; restore it or set PORTAL_DATA_KEY",
            path.display()
        )));
    }
    write_new_key(path).map_err(|e| StartupError::Key(format!("cannot create {}: {e}", path.display())))?;
    tracing::warn!(file = %path.display(), "created a new data key; back it up: without it personal data cannot be read");
    let text = std::fs::read_to_string(path).map_err(|e| StartupError::Key(e.to_string()))?;
    Vault::from_hex(&text).map_err(|e| StartupError::Key(e.to_string()))
}

/// Writes a fresh master key to a new file readable by its owner only.
pub fn write_new_key(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    options.open(path)?.write_all(format!("{}\n", Vault::generate_hex()).as_bytes())
}

/// Loads the demo county when the database is empty; returns what was loaded, if anything.
pub async fn load_demo_if_empty(
    db: &Db,
    vault: &Vault,
    options: &DemoOptions,
) -> Result<Option<DemoSummary>, StartupError> {
    if !demo::is_empty(db).await? {
        return Ok(None);
    }
    tracing::info!(
        counties = options.counties,
        people = options.people,
        seed = options.seed,
        "loading the demo into the empty database"
    );
    let started = std::time::Instant::now();
    let summary = demo::load(db, vault, options).await?;
    let logging = std::time::Instant::now();
    let logged = app::ssr::publicity_log::backfill(db, vault).await?;
    tracing::info!(
        rosters = logged,
        seconds = logging.elapsed().as_secs_f32(),
        "published rosters entered in the publicity log"
    );
    db.gather_statistics().await?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f32(),
        townships = summary.townships,
        villages = summary.villages,
        beneficiaries = summary.beneficiaries,
        payments = summary.payments,
        "demo loaded"
    );
    Ok(Some(summary))
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    stop: watch::Sender<bool>,
    search: Search,
}

/// Stops a running [`Application`] (as Ctrl-C would): in-flight requests finish, background
/// work ends.
#[derive(Clone)]
pub struct StopHandle(watch::Sender<bool>, Search);

impl StopHandle {
    pub fn stop(&self) {
        self.1.stop();
        let _ = self.0.send(true);
    }
}

impl Application {
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        let (db, vault) = open(config).await?;
        if config.demo {
            load_demo_if_empty(&db, &vault, &config.demo_options()).await?;
        }
        let logged = app::ssr::publicity_log::backfill(&db, &vault).await?;
        if logged > 0 {
            tracing::info!(rosters = logged, "published rosters entered in the publicity log");
        }
        if let Some(peer) = &config.index_peer {
            copy_index_from(peer, &config.index_dir).await;
        }
        let search = open_search(config)?;
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(follow_database(db.clone(), search.clone(), stopped.clone()));
        let leptos_options = leptos_options(config);
        let addr = leptos_options.site_addr;
        let sms = config.sms_sender()?;
        if matches!(sms, app::ssr::sms::SmsSender::DevOutbox) && !config.demo {
            tracing::warn!(
                "SMS provider is the dev outbox: messages are stored, not sent (set PORTAL_SMS_PROVIDER=tencent)"
            );
        }
        let missing = config.missing_sms_templates();
        if !missing.is_empty() {
            tracing::warn!(
                templates = missing.join(", "),
                "SMS templates without a template id (PORTAL_SMS_TEMPLATES): these messages will not be sent"
            );
        }
        let assets = app::ssr::assets::Assets::of_site(&config.site_root);
        let cx = AppContext {
            db,
            vault,
            search: search.clone(),
            cache: Default::default(),
            sms,
            deadlines: config.case_deadlines,
            assets,
            retention: config.retention(),
            small_cells: config.small_cells(),
            log_tree: Default::default(),
            log_signer: Default::default(),
        };
        let addresses = crate::addresses::Addresses::new(config.trusted_proxies.clone());
        tokio::spawn(housekeeping(cx.clone(), addresses.clone(), stopped));
        // The outbox page shows codes: only a demo whose messages go nowhere else has it.
        let dev_outbox = config.demo && matches!(cx.sms, app::ssr::sms::SmsSender::DevOutbox);
        let router = router(cx, leptos_options, addresses, dev_outbox);
        let listener = TcpListener::bind(addr).await.map_err(|e| StartupError::Bind(addr, e))?;
        Ok(Self { listener, router, stop, search })
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.stop.clone(), self.search.clone())
    }

    /// The address actually bound (port 0 in tests becomes a real port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
    pub async fn run(self) -> std::io::Result<()> {
        tracing::info!(addr = %self.local_addr(), "portal listening");
        let mut stopped = self.stop.subscribe();
        let stop = self.stop.clone();
        let search = self.search.clone();
        let shutdown = async move {
            tokio::select! {
                _ = shutdown_signal() => {}
                _ = stopped.changed() => {}
            }
            search.stop();
            let _ = stop.send(true);
        };
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// The site options: our configuration, unless cargo-leptos started us and set its own.
fn leptos_options(config: &Config) -> LeptosOptions {
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_some() {
        if let Ok(conf) = get_configuration(None) {
            return conf.leptos_options;
        }
    }
    LeptosOptions::builder()
        .output_name(app::ssr::assets::Assets::of_site(&config.site_root).output_name)
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

/// The portal's routes; `dev_outbox` adds `/dev/sms` (demo with the dev SMS outbox only).
pub fn router(
    cx: AppContext,
    leptos_options: LeptosOptions,
    addresses: crate::addresses::Addresses,
    dev_outbox: bool,
) -> Router {
    let routes = generate_route_list(App);
    let extension = axum::Extension(cx.clone());
    let metrics = crate::metrics::Metrics::default();
    let context = move || provide_context(cx.clone());
    let routes = Router::new()
        .route("/healthz", get(crate::health::healthz))
        .route("/readyz", get(crate::health::readyz))
        .route("/metrics", get(crate::metrics::handler))
        .route("/internal/search-index", get(crate::index_copy::send))
        .merge(crate::downloads::router())
        .merge(crate::preferences::router())
        .merge(crate::check::router(dev_outbox))
        .merge(crate::cases::router())
        .merge(crate::staff::router())
        .merge(crate::rosters::router())
        .merge(crate::catalogue::router())
        .merge(crate::open_data::router())
        .merge(crate::feeds::router())
        .merge(crate::publicity_log::router())
        .merge(crate::bundle::router(Path::new(leptos_options.site_root.as_ref())))
        .leptos_routes_with_context(&leptos_options, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context(context, shell))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(crate::rejections::panicked))
        .layer(axum::middleware::from_fn(crate::rejections::layer))
        .layer(axum::middleware::from_fn(crate::field_limits::layer))
        .layer(extension)
        .layer(axum::Extension(addresses))
        .layer(axum::middleware::from_fn(crate::staff::same_origin_posts))
        // A `.csv.gz` download is already compressed.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/gzip"))),
        )
        .with_state(leptos_options);
    // These run before routing: `Router::layer` wraps each route, and axum clones a route's whole
    // stack (its handler and the state it holds) for every request, which a kept page need not pay.
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::from_fn(crate::web::text_size))
        .layer(axum::middleware::from_fn_with_state(crate::page_cache::PageCache::default(), crate::page_cache::layer))
        .layer(axum::Extension(metrics.clone()))
        .layer(axum::middleware::from_fn(crate::security_headers::layer))
        .layer(axum::middleware::from_fn_with_state(metrics, crate::metrics::layer))
        .layer(crate::telemetry::access_log())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
