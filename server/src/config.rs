//! Configuration, layered: built-in defaults → optional TOML file → environment variables.
//! Secrets are wrapped so that printing the configuration never shows them.

use app::domain::Deadlines;
use app::ssr::sms::tencent::{Tencent, TencentConfig};
use app::ssr::sms::SmsSender;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A value that must never be printed or logged.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://path` (default) or `postgres://...`.
    pub database_url: Secret,
    pub addr: SocketAddr,
    /// Where the built site (`pkg/app.js`, `pkg/app_bg.wasm`, `pkg/app.css`) is served from.
    pub site_root: PathBuf,
    /// Master key for personal data, 64 hex characters; read from `data_key_file` when unset.
    pub data_key: Option<Secret>,
    pub data_key_file: PathBuf,
    /// The publicity log's Ed25519 seed, 64 hex characters; made on first use when unset.
    pub log_key: Option<Secret>,
    pub index_dir: PathBuf,
    /// Another node (`http://host:port` on the internal network) whose search index a node
    /// starting with an empty index directory copies instead of building its own.
    pub index_peer: Option<String>,
    /// Load the demo county at start when the database is empty.
    pub demo: bool,
    pub demo_seed: u64,
    /// Beneficiaries per demo county (`None`: 50,000 for one county, 12,000 each for more).
    pub demo_people: Option<usize>,
    /// Counties of the demo: 5 (the province, default) down to 1 (one county's portal).
    pub demo_counties: usize,
    pub db_max_connections: u32,
    /// `dev` (messages stored in the outbox, shown at `/dev/sms` in demo mode) or `tencent`.
    pub sms_provider: String,
    pub sms_endpoint: String,
    pub sms_region: String,
    pub sms_secret_id: String,
    pub sms_secret_key: Option<Secret>,
    pub sms_sdk_app_id: String,
    pub sms_sign_name: String,
    /// Message name → the provider's approved template id.
    pub sms_templates: BTreeMap<String, String>,
    /// Working days to answer each kind of case.
    pub case_deadlines: Deadlines,
    /// How many years a period's payment lines stay on public pages, search and open data.
    pub public_line_years: u32,
    /// Item-name keywords of the sensitive items whose small cells are flagged before publicity.
    pub sensitive_items: Vec<String>,
    /// A village with fewer lines than this of a sensitive item in a roster is flagged (0: never).
    pub small_cell_below: u32,
    /// Load balancers whose `X-Forwarded-For` names the client (per-address limits count the
    /// client, not the balancer).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: Secret::new("sqlite://data/portal.db"),
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: PathBuf::from("target/site"),
            data_key: None,
            log_key: None,
            data_key_file: PathBuf::from("data/portal.key"),
            index_dir: PathBuf::from("data/index"),
            index_peer: None,
            demo: false,
            demo_seed: crate::demo::DEFAULT_SEED,
            demo_people: None,
            demo_counties: crate::demo::DEFAULT_COUNTIES,
            db_max_connections: 8,
            sms_provider: "dev".into(),
            sms_endpoint: app::ssr::sms::tencent::DEFAULT_ENDPOINT.into(),
            sms_region: "ap-guangzhou".into(),
            sms_secret_id: String::new(),
            sms_secret_key: None,
            sms_sdk_app_id: String::new(),
            sms_sign_name: String::new(),
            sms_templates: BTreeMap::new(),
            case_deadlines: Deadlines::default(),
            public_line_years: app::domain::publicity::DEFAULT_PUBLIC_YEARS,
            sensitive_items: app::domain::publicity::DEFAULT_SENSITIVE_ITEMS.iter().map(|k| k.to_string()).collect(),
            small_cell_below: app::domain::publicity::DEFAULT_SMALL_CELL_BELOW,
            trusted_proxies: Vec::new(),
        }
    }
}

/// The optional file: every key is optional and named like the field.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    database_url: Option<Secret>,
    addr: Option<SocketAddr>,
    site_root: Option<PathBuf>,
    data_key: Option<Secret>,
    data_key_file: Option<PathBuf>,
    log_key: Option<Secret>,
    index_dir: Option<PathBuf>,
    index_peer: Option<String>,
    demo: Option<bool>,
    demo_seed: Option<u64>,
    demo_people: Option<usize>,
    demo_counties: Option<usize>,
    db_max_connections: Option<u32>,
    sms_provider: Option<String>,
    sms_endpoint: Option<String>,
    sms_region: Option<String>,
    sms_secret_id: Option<String>,
    sms_secret_key: Option<Secret>,
    sms_sdk_app_id: Option<String>,
    sms_sign_name: Option<String>,
    sms_templates: Option<BTreeMap<String, String>>,
    case_days_inquiry: Option<u32>,
    case_days_complaint: Option<u32>,
    case_days_disclosure: Option<u32>,
    public_line_years: Option<u32>,
    sensitive_items: Option<Vec<String>>,
    small_cell_below: Option<u32>,
    trusted_proxies: Option<Vec<std::net::IpAddr>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("the configuration file {0} is not valid: {1}")]
    Parse(PathBuf, toml::de::Error),
    #[error("environment variable {0} has an invalid value: {1}")]
    Env(&'static str, String),
    #[error("incomplete configuration: {0}")]
    Incomplete(&'static str),
}

/// Every environment variable the server reads, with what it sets (the README repeats this).
pub const ENV_VARS: &[(&str, &str)] = &[
    ("PORTAL_CONFIG", "path of the optional TOML file (default: portal.toml if it exists)"),
    ("DATABASE_URL", "sqlite://data/portal.db (default) or postgres://user@host/db"),
    ("PORTAL_ADDR", "address to listen on (default 127.0.0.1:3000)"),
    ("PORTAL_SITE_ROOT", "directory of the built site assets (default target/site)"),
    ("PORTAL_DATA_KEY", "master key for personal data, 64 hex characters (secret)"),
    ("PORTAL_DATA_KEY_FILE", "file holding the master key; created on first start if missing (default data/portal.key)"),
    ("PORTAL_LOG_KEY", "the publicity log's Ed25519 seed, 64 hex characters (secret); made on first use when unset, and a log signed with another key refuses it"),
    ("PORTAL_INDEX_DIR", "directory of the search index (default data/index)"),
    ("PORTAL_INDEX_PEER", "another node, http://host:port on the internal network: an empty index directory is filled with a copy of its index at start (default none: built from the database)"),
    ("PORTAL_DEMO", "true: load the demo county at start when the database is empty (default false)"),
    ("PORTAL_DEMO_SEED", "seed of the demo generator (default 20240101)"),
    ("PORTAL_DEMO_PEOPLE", "demo beneficiaries per county (default 12000 in each of five counties, 50000 in one)"),
    ("PORTAL_DEMO_COUNTIES", "counties of the demo: 5 (a province with two cities, default) to 1 (one county's portal)"),
    ("PORTAL_DB_MAX_CONNECTIONS", "database pool size (default 8; on PostgreSQL the self-check has a second pool of as many)"),
    ("PORTAL_SMS_PROVIDER", "dev (default: messages kept in the outbox, shown at /dev/sms in demo mode) or tencent"),
    ("PORTAL_SMS_ENDPOINT", "Tencent Cloud SMS endpoint (default https://sms.tencentcloudapi.com)"),
    ("PORTAL_SMS_REGION", "Tencent Cloud region (default ap-guangzhou)"),
    ("PORTAL_SMS_SECRET_ID", "Tencent Cloud SecretId"),
    ("PORTAL_SMS_SECRET_KEY", "Tencent Cloud SecretKey (secret)"),
    ("PORTAL_SMS_SDK_APP_ID", "SMS SdkAppId"),
    ("PORTAL_SMS_SIGN_NAME", "approved SMS signature (签名)"),
    ("PORTAL_SMS_TEMPLATES", "message=template id pairs, comma-separated: verification_code, case_filed, case_replied, case_info_requested, payment_paid, payment_failed, phone_changed, publicity_corrected, payment_clawed_back"),
    ("PORTAL_CASE_DAYS_INQUIRY", "working days to answer an inquiry (default 5)"),
    ("PORTAL_CASE_DAYS_COMPLAINT", "working days to answer a complaint (default 15)"),
    ("PORTAL_CASE_DAYS_DISCLOSURE", "working days to answer a disclosure request (default 20)"),
    ("PORTAL_PUBLIC_LINE_YEARS", "years a period's payment lines stay on public pages, search and open data: that year and the ones before (default 5; the self-check keeps them)"),
    ("PORTAL_SENSITIVE_ITEMS", "item-name keywords of sensitive items, comma-separated (default 孤儿,艾滋病,残疾,医疗救助): before such a roster is publicised, its villages with few lines are shown to the department, which may publicise them at township level"),
    ("PORTAL_SMALL_CELL_BELOW", "a village with fewer lines than this of a sensitive item in a roster is flagged (default 5; 0 turns the rule off)"),
    ("PORTAL_TRUSTED_PROXIES", "load balancer addresses, comma-separated, whose X-Forwarded-For names the client (default none)"),
    ("RUST_LOG", "log filter (default info)"),
];

impl Config {
    /// What the demo loads, from `demo_seed`, `demo_people` and `demo_counties`.
    pub fn demo_options(&self) -> crate::demo::DemoOptions {
        crate::demo::DemoOptions {
            seed: self.demo_seed,
            people: self.demo_people.unwrap_or(crate::demo::default_people(self.demo_counties)),
            counties: self.demo_counties,
        }
    }

    /// Defaults, then the file (`explicit`, else `PORTAL_CONFIG`, else `./portal.toml` if present),
    /// then the environment.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut config = Config::default();
        let file = explicit
            .map(Path::to_path_buf)
            .or_else(|| env("PORTAL_CONFIG").map(PathBuf::from))
            .or_else(|| Path::new("portal.toml").exists().then(|| PathBuf::from("portal.toml")));
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read(path.clone(), e))?;
            let layer: FileLayer = toml::from_str(&text).map_err(|e| ConfigError::Parse(path.clone(), e))?;
            config.apply_file(layer);
        }
        config.apply_env(env)?;
        config.check()?;
        Ok(config)
    }

    /// Settings that only make sense together.
    fn check(&self) -> Result<(), ConfigError> {
        if self.public_line_years == 0 {
            return Err(ConfigError::Incomplete("public_line_years must be at least 1 (this year's lines are public)"));
        }
        if let Some(peer) = &self.index_peer {
            if !(peer.starts_with("http://") || peer.starts_with("https://")) {
                return Err(ConfigError::Env("PORTAL_INDEX_PEER", peer.clone()));
            }
        }
        match self.sms_provider.as_str() {
            "dev" => Ok(()),
            "tencent"
                if self.sms_secret_key.is_none() || self.sms_secret_id.is_empty() || self.sms_sdk_app_id.is_empty() =>
            {
                Err(ConfigError::Incomplete(
                    "sms_provider = tencent needs sms_secret_id, sms_secret_key and sms_sdk_app_id",
                ))
            }
            "tencent" => Ok(()),
            _ => Err(ConfigError::Env("PORTAL_SMS_PROVIDER", self.sms_provider.clone())),
        }
    }

    /// The messages a real SMS provider has no template id for (and so will not send); none for
    /// the dev outbox.
    pub fn missing_sms_templates(&self) -> Vec<&'static str> {
        if self.sms_provider != "tencent" {
            return Vec::new();
        }
        app::ssr::sms::SmsMessage::TEMPLATES.into_iter().filter(|t| !self.sms_templates.contains_key(*t)).collect()
    }

    /// How long payment lines stay public.
    pub fn retention(&self) -> app::domain::publicity::Retention {
        app::domain::publicity::Retention { years: self.public_line_years }
    }

    /// Which villages' lines of sensitive items may be publicised at township level.
    pub fn small_cells(&self) -> app::domain::publicity::SmallCells {
        app::domain::publicity::SmallCells {
            sensitive_items: self.sensitive_items.clone(),
            below: self.small_cell_below,
        }
    }

    /// The SMS sender this configuration chooses.
    pub fn sms_sender(&self) -> Result<SmsSender, ConfigError> {
        if self.sms_provider != "tencent" {
            return Ok(SmsSender::DevOutbox);
        }
        let provider = Tencent::new(TencentConfig {
            endpoint: self.sms_endpoint.clone(),
            region: self.sms_region.clone(),
            secret_id: self.sms_secret_id.clone(),
            secret_key: self.sms_secret_key.as_ref().map(|s| s.expose().to_string()).unwrap_or_default(),
            sdk_app_id: self.sms_sdk_app_id.clone(),
            sign_name: self.sms_sign_name.clone(),
            templates: self.sms_templates.clone(),
            timeout: std::time::Duration::from_secs(10),
        })
        .map_err(|e| ConfigError::Env("PORTAL_SMS_ENDPOINT", e.to_string()))?;
        Ok(SmsSender::Tencent(std::sync::Arc::new(provider)))
    }

    fn apply_file(&mut self, f: FileLayer) {
        if let Some(v) = f.database_url {
            self.database_url = v;
        }
        if let Some(v) = f.addr {
            self.addr = v;
        }
        if let Some(v) = f.site_root {
            self.site_root = v;
        }
        if let Some(v) = f.log_key {
            self.log_key = Some(v);
        }
        if let Some(v) = f.data_key {
            self.data_key = Some(v);
        }
        if let Some(v) = f.data_key_file {
            self.data_key_file = v;
        }
        if let Some(v) = f.index_dir {
            self.index_dir = v;
        }
        if let Some(v) = f.index_peer {
            self.index_peer = Some(v);
        }
        if let Some(v) = f.demo {
            self.demo = v;
        }
        if let Some(v) = f.demo_seed {
            self.demo_seed = v;
        }
        if let Some(v) = f.demo_people {
            self.demo_people = Some(v);
        }
        if let Some(v) = f.demo_counties {
            self.demo_counties = v;
        }
        if let Some(v) = f.db_max_connections {
            self.db_max_connections = v;
        }
        if let Some(v) = f.sms_provider {
            self.sms_provider = v;
        }
        if let Some(v) = f.sms_endpoint {
            self.sms_endpoint = v;
        }
        if let Some(v) = f.sms_region {
            self.sms_region = v;
        }
        if let Some(v) = f.sms_secret_id {
            self.sms_secret_id = v;
        }
        if let Some(v) = f.sms_secret_key {
            self.sms_secret_key = Some(v);
        }
        if let Some(v) = f.sms_sdk_app_id {
            self.sms_sdk_app_id = v;
        }
        if let Some(v) = f.sms_sign_name {
            self.sms_sign_name = v;
        }
        if let Some(v) = f.sms_templates {
            self.sms_templates = v;
        }
        if let Some(v) = f.case_days_inquiry {
            self.case_deadlines.inquiry = v;
        }
        if let Some(v) = f.case_days_complaint {
            self.case_deadlines.complaint = v;
        }
        if let Some(v) = f.case_days_disclosure {
            self.case_deadlines.disclosure = v;
        }
        if let Some(v) = f.public_line_years {
            self.public_line_years = v;
        }
        if let Some(v) = f.sensitive_items {
            self.sensitive_items = v.into_iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
        }
        if let Some(v) = f.small_cell_below {
            self.small_cell_below = v;
        }
        if let Some(v) = f.trusted_proxies {
            self.trusted_proxies = v;
        }
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, ConfigError> {
            v.trim().parse().map_err(|_| ConfigError::Env(name, v))
        }
        if let Some(v) = env("DATABASE_URL") {
            self.database_url = Secret::new(v);
        }
        if let Some(v) = env("PORTAL_ADDR") {
            self.addr = parse("PORTAL_ADDR", v)?;
        }
        if let Some(v) = env("PORTAL_SITE_ROOT") {
            self.site_root = PathBuf::from(v);
        }
        if let Some(v) = env("PORTAL_DATA_KEY") {
            self.data_key = Some(Secret::new(v));
        }
        if let Some(v) = env("PORTAL_LOG_KEY") {
            self.log_key = Some(Secret::new(v));
        }
        if let Some(v) = env("PORTAL_DATA_KEY_FILE") {
            self.data_key_file = PathBuf::from(v);
        }
        if let Some(v) = env("PORTAL_INDEX_DIR") {
            self.index_dir = PathBuf::from(v);
        }
        if let Some(v) = env("PORTAL_INDEX_PEER") {
            self.index_peer = Some(v);
        }
        if let Some(v) = env("PORTAL_DEMO") {
            self.demo = match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => return Err(ConfigError::Env("PORTAL_DEMO", v)),
            };
        }
        if let Some(v) = env("PORTAL_DEMO_SEED") {
            self.demo_seed = parse("PORTAL_DEMO_SEED", v)?;
        }
        if let Some(v) = env("PORTAL_DEMO_PEOPLE") {
            self.demo_people = Some(parse("PORTAL_DEMO_PEOPLE", v)?);
        }
        if let Some(v) = env("PORTAL_DEMO_COUNTIES") {
            self.demo_counties = parse("PORTAL_DEMO_COUNTIES", v)?;
        }
        if let Some(v) = env("PORTAL_DB_MAX_CONNECTIONS") {
            self.db_max_connections = parse("PORTAL_DB_MAX_CONNECTIONS", v)?;
        }
        if let Some(v) = env("PORTAL_SMS_PROVIDER") {
            self.sms_provider = v.trim().to_ascii_lowercase();
        }
        if let Some(v) = env("PORTAL_SMS_ENDPOINT") {
            self.sms_endpoint = v;
        }
        if let Some(v) = env("PORTAL_SMS_REGION") {
            self.sms_region = v;
        }
        if let Some(v) = env("PORTAL_SMS_SECRET_ID") {
            self.sms_secret_id = v;
        }
        if let Some(v) = env("PORTAL_SMS_SECRET_KEY") {
            self.sms_secret_key = Some(Secret::new(v));
        }
        if let Some(v) = env("PORTAL_SMS_SDK_APP_ID") {
            self.sms_sdk_app_id = v;
        }
        if let Some(v) = env("PORTAL_SMS_SIGN_NAME") {
            self.sms_sign_name = v;
        }
        if let Some(v) = env("PORTAL_SMS_TEMPLATES") {
            let mut templates = BTreeMap::new();
            for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (name, id) =
                    pair.split_once('=').ok_or_else(|| ConfigError::Env("PORTAL_SMS_TEMPLATES", v.clone()))?;
                templates.insert(name.trim().to_string(), id.trim().to_string());
            }
            self.sms_templates = templates;
        }
        if let Some(v) = env("PORTAL_CASE_DAYS_INQUIRY") {
            self.case_deadlines.inquiry = parse("PORTAL_CASE_DAYS_INQUIRY", v)?;
        }
        if let Some(v) = env("PORTAL_CASE_DAYS_COMPLAINT") {
            self.case_deadlines.complaint = parse("PORTAL_CASE_DAYS_COMPLAINT", v)?;
        }
        if let Some(v) = env("PORTAL_CASE_DAYS_DISCLOSURE") {
            self.case_deadlines.disclosure = parse("PORTAL_CASE_DAYS_DISCLOSURE", v)?;
        }
        if let Some(v) = env("PORTAL_PUBLIC_LINE_YEARS") {
            self.public_line_years = parse("PORTAL_PUBLIC_LINE_YEARS", v)?;
        }
        if let Some(v) = env("PORTAL_SENSITIVE_ITEMS") {
            // Comma-separated, the full-width comma and 、 too (as people type a list in Chinese).
            self.sensitive_items =
                v.split([',', '，', '、']).map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect();
        }
        if let Some(v) = env("PORTAL_SMALL_CELL_BELOW") {
            self.small_cell_below = parse("PORTAL_SMALL_CELL_BELOW", v)?;
        }
        if let Some(v) = env("PORTAL_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| parse("PORTAL_TRUSTED_PROXIES", a.to_string()))
                .collect::<Result<_, _>>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order_and_secrets_stay_hidden() {
        let mut c = Config::default();
        c.apply_file(toml::from_str("addr = \"127.0.0.1:8080\"\ndemo = true\ndata_key = \"abcd\"").unwrap());
        assert_eq!(c.addr.port(), 8080);
        assert!(c.demo);
        c.apply_env(|k| match k {
            "PORTAL_ADDR" => Some("0.0.0.0:9000".into()),
            "DATABASE_URL" => Some("postgres://secret-user:pw@db/x".into()),
            "PORTAL_LOG_KEY" => Some("5eed".repeat(16)),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.addr.port(), 9000);
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret-user") && !shown.contains("abcd") && !shown.contains("5eed"), "{shown}");
        assert_eq!(c.log_key.as_ref().map(|k| k.expose().len()), Some(64));
    }

    #[test]
    fn bad_values_are_named() {
        let mut c = Config::default();
        let err = c.apply_env(|k| (k == "PORTAL_DEMO").then(|| "maybe".to_string())).unwrap_err();
        assert!(err.to_string().contains("PORTAL_DEMO"));
        assert!(toml::from_str::<FileLayer>("no_such_key = 1").is_err());
    }

    #[test]
    fn sensitive_items_are_read_as_people_type_a_list() {
        let mut c = Config::default();
        assert_eq!(c.small_cells(), app::domain::publicity::SmallCells::default());
        c.apply_env(|k| match k {
            "PORTAL_SENSITIVE_ITEMS" => Some("孤儿，残疾、 救助,".into()),
            "PORTAL_SMALL_CELL_BELOW" => Some("3".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.small_cells().sensitive_items, ["孤儿", "残疾", "救助"]);
        assert_eq!(c.small_cells().below, 3);
        c.apply_file(toml::from_str("sensitive_items = [\"特困\"]\nsmall_cell_below = 0").unwrap());
        assert!(!c.small_cells().sensitive("特困人员救助供养"), "0 turns it off");
    }

    #[test]
    fn a_real_sms_provider_is_told_which_templates_it_lacks() {
        let mut c = Config::default();
        assert!(c.missing_sms_templates().is_empty(), "the dev outbox needs none");
        c.apply_env(|k| match k {
            "PORTAL_SMS_PROVIDER" => Some("tencent".into()),
            "PORTAL_SMS_TEMPLATES" => Some("verification_code=1001, payment_paid=1002".into()),
            _ => None,
        })
        .unwrap();
        let missing = c.missing_sms_templates();
        assert_eq!(missing.len(), app::ssr::sms::SmsMessage::TEMPLATES.len() - 2);
        assert!(missing.contains(&"publicity_corrected") && !missing.contains(&"payment_paid"), "{missing:?}");
    }
}
