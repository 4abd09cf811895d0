//! Configuration, layered: built-in defaults → optional TOML file → environment variables.
//! Secrets are wrapped so that printing the configuration never shows them.

use serde::Deserialize;
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
    pub index_dir: PathBuf,
    /// Load the demo county at start when the database is empty.
    pub demo: bool,
    pub demo_seed: u64,
    pub demo_people: usize,
    pub db_max_connections: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: Secret::new("sqlite://data/portal.db"),
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: PathBuf::from("target/site"),
            data_key: None,
            data_key_file: PathBuf::from("data/portal.key"),
            index_dir: PathBuf::from("data/index"),
            demo: false,
            demo_seed: crate::demo::DEFAULT_SEED,
            demo_people: crate::demo::DEFAULT_PEOPLE,
            db_max_connections: 8,
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
    index_dir: Option<PathBuf>,
    demo: Option<bool>,
    demo_seed: Option<u64>,
    demo_people: Option<usize>,
    db_max_connections: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("the configuration file {0} is not valid: {1}")]
    Parse(PathBuf, toml::de::Error),
    #[error("environment variable {0} has an invalid value: {1}")]
    Env(&'static str, String),
}

/// Every environment variable the server reads, with what it sets (the README repeats this).
pub const ENV_VARS: &[(&str, &str)] = &[
    ("PORTAL_CONFIG", "path of the optional TOML file (default: portal.toml if it exists)"),
    ("DATABASE_URL", "sqlite://data/portal.db (default) or postgres://user@host/db"),
    ("PORTAL_ADDR", "address to listen on (default 127.0.0.1:3000)"),
    ("PORTAL_SITE_ROOT", "directory of the built site assets (default target/site)"),
    ("PORTAL_DATA_KEY", "master key for personal data, 64 hex characters (secret)"),
    ("PORTAL_DATA_KEY_FILE", "file holding the master key; created on first start if missing (default data/portal.key)"),
    ("PORTAL_INDEX_DIR", "directory of the search index (default data/index)"),
    ("PORTAL_DEMO", "true: load the demo county at start when the database is empty (default false)"),
    ("PORTAL_DEMO_SEED", "seed of the demo generator (default 20240101)"),
    ("PORTAL_DEMO_PEOPLE", "number of demo beneficiaries (default 50000)"),
    ("PORTAL_DB_MAX_CONNECTIONS", "database pool size (default 8)"),
    ("RUST_LOG", "log filter (default info)"),
];

impl Config {
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
        Ok(config)
    }

    fn apply_file(&mut self, f: FileLayer) {
        if let Some(v) = f.database_url { self.database_url = v; }
        if let Some(v) = f.addr { self.addr = v; }
        if let Some(v) = f.site_root { self.site_root = v; }
        if let Some(v) = f.data_key { self.data_key = Some(v); }
        if let Some(v) = f.data_key_file { self.data_key_file = v; }
        if let Some(v) = f.index_dir { self.index_dir = v; }
        if let Some(v) = f.demo { self.demo = v; }
        if let Some(v) = f.demo_seed { self.demo_seed = v; }
        if let Some(v) = f.demo_people { self.demo_people = v; }
        if let Some(v) = f.db_max_connections { self.db_max_connections = v; }
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, ConfigError> {
            v.trim().parse().map_err(|_| ConfigError::Env(name, v))
        }
        if let Some(v) = env("DATABASE_URL") { self.database_url = Secret::new(v); }
        if let Some(v) = env("PORTAL_ADDR") { self.addr = parse("PORTAL_ADDR", v)?; }
        if let Some(v) = env("PORTAL_SITE_ROOT") { self.site_root = PathBuf::from(v); }
        if let Some(v) = env("PORTAL_DATA_KEY") { self.data_key = Some(Secret::new(v)); }
        if let Some(v) = env("PORTAL_DATA_KEY_FILE") { self.data_key_file = PathBuf::from(v); }
        if let Some(v) = env("PORTAL_INDEX_DIR") { self.index_dir = PathBuf::from(v); }
        if let Some(v) = env("PORTAL_DEMO") {
            self.demo = match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => return Err(ConfigError::Env("PORTAL_DEMO", v)),
            };
        }
        if let Some(v) = env("PORTAL_DEMO_SEED") { self.demo_seed = parse("PORTAL_DEMO_SEED", v)?; }
        if let Some(v) = env("PORTAL_DEMO_PEOPLE") { self.demo_people = parse("PORTAL_DEMO_PEOPLE", v)?; }
        if let Some(v) = env("PORTAL_DB_MAX_CONNECTIONS") { self.db_max_connections = parse("PORTAL_DB_MAX_CONNECTIONS", v)?; }
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
            _ => None,
        })
        .unwrap();
        assert_eq!(c.addr.port(), 9000);
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret-user") && !shown.contains("abcd"), "{shown}");
    }

    #[test]
    fn bad_values_are_named() {
        let mut c = Config::default();
        let err = c.apply_env(|k| (k == "PORTAL_DEMO").then(|| "maybe".to_string())).unwrap_err();
        assert!(err.to_string().contains("PORTAL_DEMO"));
        assert!(toml::from_str::<FileLayer>("no_such_key = 1").is_err());
    }
}
