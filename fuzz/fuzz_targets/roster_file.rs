//! Any bytes uploaded as a roster (XLSX or CSV, UTF-8 or GBK): a table or a clear error, never a
//! panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(table) = app::ssr::rosters::file::read(bytes) {
        for (_, row) in &table.rows {
            for column in &table.columns {
                let _ = table.get(row, *column);
            }
        }
    }
});
