//! The browser bundle's file names: `app.<hash>.js`, `app.<hash>_bg.wasm` and `app.<hash>.css`
//! when the build named them by their content (so they can be kept for a year), as written in
//! `pkg/assets.txt` by `scripts/lib.sh`; else the plain `app.js`, `app_bg.wasm`, `app.css` that
//! `cargo leptos` builds.

use std::path::Path;

/// The bundle's names, as the shell and Leptos's hydration scripts link them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assets {
    /// The script's and the wasm's name without extension (Leptos's `output_name`).
    pub output_name: String,
    /// Where the stylesheet is served.
    pub css_href: String,
}

impl Default for Assets {
    fn default() -> Self {
        Assets { output_name: "app".into(), css_href: "/pkg/app.css".into() }
    }
}

impl Assets {
    /// The names the site in `site_root` was built with.
    pub fn of_site(site_root: &Path) -> Assets {
        let Ok(text) = std::fs::read_to_string(site_root.join("pkg").join("assets.txt")) else {
            return Assets::default();
        };
        let mut assets = Assets::default();
        for (key, value) in text.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim(), v.trim())) {
            let safe = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
            match key {
                "js" if safe => assets.output_name = value.to_string(),
                "css" if safe => assets.css_href = format!("/pkg/{value}"),
                _ => {}
            }
        }
        assets
    }

    /// Whether a file of the bundle is named by its content (and may be kept for a year).
    pub fn is_hashed(file_name: &str) -> bool {
        let mut parts = file_name.split('.');
        parts.next() == Some("app")
            && parts
                .next()
                .is_some_and(|h| h.len() >= 12 && h.trim_end_matches("_bg").bytes().all(|b| b.is_ascii_hexdigit()))
    }
}

#[cfg(test)]
mod tests {
    use super::Assets;

    #[test]
    fn names_are_read_from_the_build_and_hashed_files_recognised() {
        let dir = std::env::temp_dir().join(format!("portal-assets-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(Assets::of_site(&dir), Assets::default(), "no manifest: the plain names");
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("pkg/assets.txt"), "js: app.0123456789abcdef\ncss: app.fedcba9876543210.css\n")
            .unwrap();
        let assets = Assets::of_site(&dir);
        assert_eq!(assets.output_name, "app.0123456789abcdef");
        assert_eq!(assets.css_href, "/pkg/app.fedcba9876543210.css");
        assert!(Assets::is_hashed("app.0123456789abcdef.js") && Assets::is_hashed("app.0123456789abcdef_bg.wasm.br"));
        assert!(!Assets::is_hashed("app.js") && !Assets::is_hashed("app_bg.wasm") && !Assets::is_hashed("app.css"));
        std::fs::write(dir.join("pkg/assets.txt"), "js: ../../etc/passwd\n").unwrap();
        assert_eq!(Assets::of_site(&dir).output_name, "app", "only a plain file name is taken");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
