//! Any text published as a notice (headings, paragraphs, tab and Markdown tables) turns into
//! blocks without a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| {
    let _ = app::routes::notices::body::parse(text);
});
