//! Any text typed into the search box, with any filters and page, against a small index: results
//! or none, never a panic.
#![no_main]

use search_index::{Entry, Kind, Query, SearchIndex};
use std::sync::OnceLock;

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = SearchIndex::in_memory().expect("an index in memory");
        let entries = [
            (Kind::Item, "14-01", "最低生活保障金", "低保 城乡居民最低生活保障"),
            (Kind::Item, "20", "高龄津贴", "80周岁以上老年人"),
            (Kind::Document, "1", "关于规范惠民惠农财政补贴资金“一卡通”管理的通知", "社会保障卡 身份凭证和金融支付功能"),
            (Kind::Publicity, "7", "花林社区 最低生活保障金 2026-12", "测*0 5****************4 720.00"),
        ];
        for (kind, key, title, body) in entries {
            let entry = Entry {
                kind,
                key: key.into(),
                title: title.into(),
                body: body.into(),
                aliases: "低保 五保".into(),
                department: Some("县民政局".into()),
                year: Some(2026),
                township: Some("青岚镇".into()),
                county: Some("青岚县".into()),
            };
            index.upsert(&entry).expect("upsert");
        }
        index.commit("fuzz").expect("commit");
        index
    })
}

libfuzzer_sys::fuzz_target!(|input: (&str, u8, u16, u8)| {
    let (text, kind, offset, limit) = input;
    let department = (limit & 0x80 != 0).then_some("县民政局");
    let kind = match kind % 4 {
        0 => None,
        1 => Some(Kind::Item),
        2 => Some(Kind::Document),
        _ => Some(Kind::Publicity),
    };
    let query = Query { text, kind, department, year: (offset % 3 == 0).then_some(2026), township: None, offset: offset as usize, limit: (limit % 50) as usize + 1 };
    let _ = index().search(&query);
});
