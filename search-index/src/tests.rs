use super::*;
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------------
// Helpers

fn entry(kind: Kind, key: &str, title: &str, body: &str) -> Entry {
    Entry {
        kind,
        key: key.into(),
        title: title.into(),
        body: body.into(),
        aliases: String::new(),
        department: None,
        year: None,
        township: None,
        county: None,
    }
}

fn with_aliases(mut e: Entry, aliases: &str) -> Entry {
    e.aliases = aliases.into();
    e
}

fn with_facets(mut e: Entry, department: &str, year: i32, township: &str) -> Entry {
    e.department = Some(department.into());
    e.year = Some(year);
    e.township = Some(township.into());
    e
}

fn text(text: &str) -> Query<'_> {
    Query { text, ..Query::default() }
}

fn search(index: &SearchIndex, q: &str) -> Results {
    index.search(&text(q)).unwrap()
}

fn keys(results: &Results) -> Vec<(Kind, &str)> {
    results.hits.iter().map(|h| (h.kind, h.key.as_str())).collect()
}

fn joined(fragments: &[Fragment]) -> String {
    fragments.iter().map(|f| f.text.as_str()).collect()
}

fn highlighted(fragments: &[Fragment]) -> Vec<&str> {
    fragments.iter().filter(|f| f.highlighted).map(|f| f.text.as_str()).collect()
}

/// A small county: items with their common abbreviations, documents and publicity lines that
/// mention the same words in their bodies, so that the boosts decide the order.
fn county() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    for e in &county_entries() {
        index.upsert(e).unwrap();
    }
    index.commit("county-1").unwrap();
    index
}

fn county_entries() -> Vec<Entry> {
    vec![
        with_aliases(
            entry(Kind::Item, "14-01@2026", "最低生活保障金", "困难群众救助资金 县民政局 按月发放"),
            "低保 低保金 最低生活保障",
        ),
        with_aliases(
            entry(Kind::Item, "14-03@2026", "分散特困人员救助供养金", "县民政局 按月发放 特困人员"),
            "五保 五保供养 特困",
        ),
        entry(Kind::Item, "01@2026", "耕地地力保护补贴资金", "县农业农村局 按年发放 耕地"),
        entry(Kind::Item, "15-02@2026", "高龄津贴", "八十周岁以上老年人 县民政局"),
        entry(
            Kind::Document,
            "3",
            "泗水县一卡通发放试点工作方案",
            "推进惠民惠农财政补贴资金一卡通，发挥社会保障卡的身份凭证和金融支付功能。\
             低保、五保、高龄津贴等资金通过社会保障卡发放。",
        ),
        entry(
            Kind::Document,
            "4",
            "关于做好低保对象年度复核的通知",
            "各乡镇：请对低保对象开展年度复核，五保对象同步核查。",
        ),
        entry(
            Kind::Publicity,
            "p1",
            "青岚镇 2026-10 最低生活保障金",
            "张*三 1****************3 青岚镇 桂花村 最低生活保障金 2026-10 620.00 已发放 低保",
        ),
        entry(
            Kind::Publicity,
            "p2",
            "白石镇 2026-10 分散特困人员救助供养金",
            "李*四 1****************7 白石镇 桂花村 分散特困人员救助供养金 2026-10 980.00 已发放 五保",
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Relevance

#[test]
fn abbreviations_in_aliases_rank_first() {
    let index = county();

    let low = search(&index, "低保");
    // Alias beats title ("低保对象" in document 4) beats body mentions.
    assert_eq!(keys(&low)[0], (Kind::Item, "14-01@2026"), "{:?}", keys(&low));
    assert_eq!(keys(&low)[1], (Kind::Document, "4"), "{:?}", keys(&low));
    let found: BTreeSet<_> = keys(&low).into_iter().collect();
    assert!(found.contains(&(Kind::Document, "3")) && found.contains(&(Kind::Publicity, "p1")));
    assert_eq!(low.total, 4);

    let five = search(&index, "五保");
    assert_eq!(keys(&five)[0], (Kind::Item, "14-03@2026"), "{:?}", keys(&five));
    assert_eq!(five.total, 4);

    let pay = search(&index, "金融支付");
    assert_eq!(keys(&pay), vec![(Kind::Document, "3")]);

    // Title beats body: "高龄津贴" is the item's title and only a body word of document 3.
    let old = search(&index, "高龄津贴");
    assert_eq!(keys(&old)[0], (Kind::Item, "15-02@2026"));
    assert_eq!(keys(&old)[1], (Kind::Document, "3"));

    for results in [&low, &five, &old] {
        let scores: Vec<f32> = results.hits.iter().map(|h| h.score).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
        assert!(scores.iter().all(|s| *s > 0.0));
    }
}

#[test]
fn all_words_first_then_any_word() {
    let index = county();

    // Both words: only the lines of 桂花村 that are about 低保.
    let both = search(&index, "桂花村 低保");
    assert_eq!(keys(&both), vec![(Kind::Publicity, "p1")]);
    assert_eq!(both.total, 1);

    // No entry has both 耕地 and 五保: every entry with either word is offered.
    let either = search(&index, "耕地 五保");
    let found: BTreeSet<_> = keys(&either).into_iter().collect();
    assert_eq!(either.total, 5, "{found:?}");
    assert!(found.contains(&(Kind::Item, "01@2026")));
    assert!(found.contains(&(Kind::Item, "14-03@2026")));

    // An unknown word next to a known one does not make the search come back empty.
    let unknown = search(&index, "低保 宇宙飞船");
    assert_eq!(keys(&unknown)[0], (Kind::Item, "14-01@2026"));

    // Nothing at all.
    let none = search(&index, "宇宙飞船");
    assert_eq!((none.total, none.hits.len()), (0, 0));
}

#[test]
fn latin_words_ignore_case() {
    let index = SearchIndex::in_memory().unwrap();
    index.upsert(&entry(Kind::Document, "gb", "GB/T 9704 公文格式", "")).unwrap();
    index.commit("m").unwrap();
    assert_eq!(keys(&search(&index, "gb")), vec![(Kind::Document, "gb")]);
    assert_eq!(keys(&search(&index, "Gb 9704")), vec![(Kind::Document, "gb")]);
}

// ---------------------------------------------------------------------------------------------
// Odd input

#[test]
fn any_text_is_accepted() {
    let index = county();
    let junk = "：+-()[]{}^\"~*?\\/!&|<>@#$%=,.;'`".repeat(160);
    let emoji = "😀🎉👍🏽".repeat(50);
    let long_chinese = "最低生活保障金桂花村".repeat(500);
    let queries = [
        "",
        "   ",
        "\t\n",
        "AND OR NOT",
        "\"unclosed",
        "title:(",
        "*",
        "低保 AND",
        "title:低保",
        "低保^10",
        "低保~2",
        "\"低保\"",
        "低保*",
        "(低保)",
        "-低保",
        "+低保 +五保",
        "[0 TO 9]",
        "{a TO b}",
        "\\",
        "\0",
        "低\0保",
        junk.as_str(),
        emoji.as_str(),
        long_chinese.as_str(),
    ];
    for q in queries {
        let result = index.search(&text(q));
        assert!(result.is_ok(), "{q:?}: {result:?}");
    }
    // Without words there is nothing to find.
    for q in ["", "   ", "*", "\\", junk.as_str(), emoji.as_str()] {
        let results = search(&index, q);
        assert_eq!((results.total, results.hits.len()), (0, 0), "{q:?}");
    }
    // Query syntax means nothing: these are searches for 低保.
    for q in ["title:低保", "低保^10", "\"低保\"", "(低保)", "-低保", "低保*", "低保~2"] {
        assert_eq!(keys(&search(&index, q))[0], (Kind::Item, "14-01@2026"), "{q:?}");
    }
    // Filters with odd values, and odd pages, are fine too.
    let odd = Query {
        text: "低保",
        department: Some("\"县民政局\" OR *"),
        township: Some(""),
        year: Some(i32::MIN),
        offset: usize::MAX,
        limit: usize::MAX,
        ..Query::default()
    };
    let results = index.search(&odd).unwrap();
    assert_eq!((results.total, results.hits.len()), (0, 0));
}

#[test]
fn empty_index_searches() {
    let index = SearchIndex::in_memory().unwrap();
    assert!(index.is_empty());
    assert_eq!(index.marker(), None);
    let results = search(&index, "低保");
    assert_eq!(results, Results::default());
}

// ---------------------------------------------------------------------------------------------
// Filters, facets, pages

#[test]
fn filters_restrict_hits_and_facets_ignore_them() {
    let index = SearchIndex::in_memory().unwrap();
    let lines = [
        ("a", "县民政局", 2026, "青岚镇"),
        ("b", "县民政局", 2026, "白石镇"),
        ("c", "县民政局", 2025, "青岚镇"),
        ("d", "县人社局/社保中心", 2026, "青岚镇"),
        ("e", "县农业农村局", 2024, "河东乡"),
    ];
    for (key, department, year, township) in lines {
        let body = format!("{township} 最低生活保障金 已发放");
        let mut line = with_facets(entry(Kind::Publicity, key, "公示", &body), department, year, township);
        line.county = Some(if township == "河东乡" { "邻县" } else { "青岚县" }.into());
        index.upsert(&line).unwrap();
    }
    let mut item = with_facets(entry(Kind::Item, "i", "最低生活保障金", ""), "县民政局", 2026, "");
    item.county = Some("青岚县".into());
    index.upsert(&item).unwrap();
    index.upsert(&entry(Kind::Document, "x", "无关", "耕地地力保护补贴")).unwrap();
    index.commit("m").unwrap();

    let all = search(&index, "最低生活保障金");
    assert_eq!(all.total, 6);
    let expected = Facets {
        kinds: vec![(Kind::Publicity, 5), (Kind::Item, 1)],
        departments: vec![("县民政局".into(), 4), ("县人社局/社保中心".into(), 1), ("县农业农村局".into(), 1)],
        years: vec![(2026, 4), (2024, 1), (2025, 1)],
        townships: vec![("青岚镇".into(), 3), ("河东乡".into(), 1), ("白石镇".into(), 1)],
        counties: vec![("青岚县".into(), 5), ("邻县".into(), 1)],
    };
    // Sorted by count, then by value (code points for strings, numbers for years).
    let mut departments = expected.departments.clone();
    departments.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    assert_eq!(departments, expected.departments);
    assert_eq!(all.facets, expected);

    let filtered = |q: Query| {
        let results = index.search(&Query { text: "最低生活保障金", ..q }).unwrap();
        assert_eq!(results.facets, expected, "facets do not depend on filters");
        let mut found: Vec<String> = results.hits.iter().map(|h| h.key.clone()).collect();
        found.sort();
        assert_eq!(found.len(), results.total);
        found
    };
    assert_eq!(filtered(Query { department: Some("县民政局"), ..Query::default() }), ["a", "b", "c", "i"]);
    assert_eq!(filtered(Query { department: Some("县人社局/社保中心"), ..Query::default() }), ["d"]);
    assert_eq!(filtered(Query { department: Some("县人社局"), ..Query::default() }), Vec::<String>::new());
    assert_eq!(filtered(Query { year: Some(2026), ..Query::default() }), ["a", "b", "d", "i"]);
    assert_eq!(filtered(Query { township: Some("青岚镇"), ..Query::default() }), ["a", "c", "d"]);
    assert_eq!(filtered(Query { county: Some("邻县"), ..Query::default() }), ["e"]);
    assert_eq!(filtered(Query { county: Some("青岚县"), ..Query::default() }), ["a", "b", "c", "d", "i"]);
    assert_eq!(filtered(Query { kind: Some(Kind::Item), ..Query::default() }), ["i"]);
    assert_eq!(
        filtered(Query {
            kind: Some(Kind::Publicity),
            department: Some("县民政局"),
            year: Some(2026),
            township: Some("青岚镇"),
            ..Query::default()
        }),
        ["a"]
    );
    // An empty filter value is no filter.
    assert_eq!(filtered(Query { department: Some(""), township: Some(""), ..Query::default() }).len(), 6);

    // Facets follow the text.
    let farm = search(&index, "耕地");
    assert_eq!(farm.facets.kinds, vec![(Kind::Document, 1)]);
    assert!(farm.facets.departments.is_empty() && farm.facets.years.is_empty());
}

#[test]
fn limits_and_offsets() {
    let index = SearchIndex::in_memory().unwrap();
    for i in 0..150 {
        index.upsert(&entry(Kind::Publicity, &format!("{i:03}"), "公示", "高龄津贴 已发放")).unwrap();
    }
    index.commit("m").unwrap();
    let page = |offset, limit| index.search(&Query { text: "高龄津贴", offset, limit, ..Query::default() }).unwrap();

    assert_eq!(page(0, 0).hits.len(), 10, "limit 0 means 10");
    assert_eq!(page(0, 1000).hits.len(), 100, "at most 100");
    assert_eq!(page(0, 1000).total, 150);
    assert_eq!(page(140, 20).hits.len(), 10);
    assert_eq!(page(150, 20).hits.len(), 0);
    assert_eq!(page(usize::MAX, 20).total, 150);
    assert_eq!(page(usize::MAX, 20).hits.len(), 0);

    let mut seen = BTreeSet::new();
    for offset in (0..150).step_by(7) {
        for hit in page(offset, 7).hits {
            assert!(seen.insert(hit.key), "pages do not overlap");
        }
    }
    assert_eq!(seen.len(), 150);
}

// ---------------------------------------------------------------------------------------------
// Titles and snippets

#[test]
fn titles_and_snippets_are_plain_fragments() {
    let index = county();

    let hit = &search(&index, "金融支付").hits[0];
    assert_eq!(joined(&hit.title), "泗水县一卡通发放试点工作方案");
    assert_eq!(hit.title.len(), 1, "nothing to highlight in the title");
    assert!(!hit.title[0].highlighted);
    // Neighbouring words are highlighted as one piece.
    assert_eq!(highlighted(&hit.snippet), ["金融支付"]);
    let snippet = joined(&hit.snippet);
    assert!(snippet.contains("金融支付功能"), "{snippet}");
    assert!(snippet.chars().filter(|c| *c != '…').count() <= SNIPPET_CHARS);

    let hit = &search(&index, "生活保障").hits[0];
    assert_eq!(hit.key, "14-01@2026");
    assert_eq!(
        hit.title,
        vec![
            Fragment { text: "最低".into(), highlighted: false },
            Fragment { text: "生活保障".into(), highlighted: true },
            Fragment { text: "金".into(), highlighted: false },
        ]
    );
    // Short bodies come whole, even when only the title matched.
    assert_eq!(joined(&hit.snippet), "困难群众救助资金 县民政局 按月发放");
    assert!(highlighted(&hit.snippet).is_empty());

    // Several places are highlighted, and nothing is lost between them.
    let hit = search(&index, "桂花村 低保").hits.remove(0);
    assert_eq!(
        joined(&hit.snippet),
        "张*三 1****************3 青岚镇 桂花村 最低生活保障金 2026-10 620.00 已发放 低保"
    );
    assert_eq!(highlighted(&hit.snippet), ["桂花村", "低保"]);
}

#[test]
fn long_bodies_are_cut_around_the_words() {
    let filler = "各乡镇要认真组织实施，确保资金安全。".repeat(30);
    let body = format!("{filler}Ａ😀b 社会保障卡的金融支付功能由合作银行提供。{filler}");
    let index = SearchIndex::in_memory().unwrap();
    index.upsert(&entry(Kind::Document, "long", "方案", &body)).unwrap();
    index.upsert(&entry(Kind::Document, "start", "方案", &format!("金融{filler}"))).unwrap();
    index.upsert(&entry(Kind::Document, "end", "方案", &format!("{filler}支付"))).unwrap();
    index.upsert(&entry(Kind::Document, "none", "金融支付方案", &filler)).unwrap();
    index.commit("m").unwrap();

    let snippet_of = |words: &str, key: &str| {
        let results = search(&index, words);
        results.hits.into_iter().find(|h| h.key == key).unwrap().snippet
    };

    let long = snippet_of("金融支付", "long");
    let text = joined(&long);
    assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
    assert_eq!(text.trim_matches('…').chars().count(), SNIPPET_CHARS);
    assert!(body.contains(text.trim_matches('…')), "a piece of the body, cut on characters");
    assert_eq!(highlighted(&long), ["金融支付"]);
    assert!(text.contains("Ａ😀b 社会保障卡的金融支付功能"), "some context before the words: {text}");

    let start = joined(&snippet_of("金融", "start"));
    assert!(start.starts_with("金融") && start.ends_with('…') && !start.starts_with('…'), "{start}");
    let end = snippet_of("支付", "end");
    assert!(joined(&end).starts_with('…') && joined(&end).ends_with("支付"));
    assert_eq!(end.last().unwrap(), &Fragment { text: "支付".into(), highlighted: true });

    // Matched by the title only: the start of the body.
    let none = joined(&snippet_of("金融支付", "none"));
    assert_eq!(none.trim_end_matches('…'), filler.chars().take(SNIPPET_CHARS).collect::<String>());
}

#[test]
fn words_found_line_by_line_are_those_of_the_whole_text() {
    // The whole text cut at once, as word_ranges did before it cut only the lines holding a word.
    fn whole(text: &str, words: &[String]) -> Vec<Range<usize>> {
        let mut ranges = Vec::new();
        for_each_word(text, |word, range| {
            if words.iter().any(|w| w == word) {
                ranges.push(range);
            }
        });
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::new();
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        merged
    }
    let pieces = [
        "最低生活保障金",
        "保障",
        "社会保障卡",
        "发放",
        "，",
        "。",
        "\n",
        "\r\n",
        " ",
        "CPI",
        "cpi",
        "Ä",
        "ä",
        "2026",
        "-",
        "年",
        "惠民惠农",
        "资金监管",
        "低保",
        "金",
        "高龄津贴",
        "（",
        "）",
        "ΣΑ",
        "保障金额",
        "\t",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..400 {
        let text: String = (0..next(60)).map(|_| pieces[next(pieces.len())]).collect();
        let mut words = query_words(pieces[next(pieces.len())]);
        words.extend(query_words(pieces[next(pieces.len())]));
        assert_eq!(word_ranges(&text, &words), whole(&text, &words), "{text:?} {words:?}");
    }
}

#[test]
fn snippet_helpers_keep_utf8_boundaries() {
    let words = vec!["金融".to_string(), "支付".to_string()];
    assert!(snippet("", &words).is_empty());
    let pieces = snippet("😀金融😀支付😀", &words);
    assert_eq!(joined(&pieces), "😀金融😀支付😀");
    assert_eq!(highlighted(&pieces), ["金融", "支付"]);
    // Every window position over a text of mixed widths.
    for lead in 0..200 {
        let body = format!("{} 金融支付 {}", "é😀a中".repeat(lead), "b中😀".repeat(60));
        let text = joined(&snippet(&body, &words));
        assert!(text.trim_matches('…').chars().count() <= SNIPPET_CHARS);
        assert!(text.contains("金融支付"), "{lead}: {text}");
    }
    assert_eq!(fragments("abc", &[]), vec![Fragment { text: "abc".into(), highlighted: false }]);
    let plain = |text: &str| Fragment { text: text.into(), highlighted: false };
    let marked = |text: &str| Fragment { text: text.into(), highlighted: true };
    assert_eq!(fragments("abcde", &[1..2, 3..5]), vec![plain("a"), marked("b"), plain("c"), marked("de")]);
}

// ---------------------------------------------------------------------------------------------
// Changes, commits, markers

#[test]
fn upsert_replaces_and_delete_removes() {
    let index = county();
    let before = index.len();
    assert_eq!(before, 8);

    index.upsert(&entry(Kind::Item, "01@2026", "耕地地力保护补贴", "按年发放")).unwrap();
    assert_eq!(search(&index, "资金 耕地").hits[0].key, "01@2026", "not visible before commit");
    index.commit("2").unwrap();
    assert_eq!(index.len(), before, "upsert replaces, it does not add");
    assert_eq!(joined(&search(&index, "耕地").hits[0].title), "耕地地力保护补贴");

    // The same key in another kind is another entry.
    index.upsert(&entry(Kind::Document, "01@2026", "耕地", "")).unwrap();
    // Twice in one batch: the later one wins.
    index.upsert(&entry(Kind::Document, "9", "第一稿", "")).unwrap();
    index.upsert(&entry(Kind::Document, "9", "第二稿", "")).unwrap();
    index.commit("3").unwrap();
    assert_eq!(index.len(), before + 2);
    let drafts = search(&index, "稿");
    assert_eq!(drafts.total, 1);
    assert_eq!(joined(&drafts.hits[0].title), "第二稿");

    index.delete(Kind::Item, "01@2026");
    index.delete(Kind::Item, "no such key");
    index.commit("4").unwrap();
    assert_eq!(keys(&search(&index, "耕地")), vec![(Kind::Document, "01@2026")]);
    assert_eq!(index.len(), before + 1);

    // Upsert after delete in one batch brings it back.
    index.delete(Kind::Document, "9");
    index.upsert(&entry(Kind::Document, "9", "第三稿", "")).unwrap();
    index.commit("5").unwrap();
    assert_eq!(search(&index, "第三稿").total, 1);
}

#[test]
fn kept_results_last_until_the_next_commit() {
    let index = county();
    let first = search(&index, "低保");
    assert!(first.total >= 2, "{first:?}");
    assert_eq!(search(&index, "低保"), first, "the same search again");
    let kind_count = |r: &Results, kind| r.facets.kinds.iter().find(|(k, _)| *k == kind).map_or(0, |(_, n)| *n);

    // A filter and a page of the same text use its kept counts and still filter exactly.
    let documents = index.search(&Query { text: "低保", kind: Some(Kind::Document), ..Query::default() }).unwrap();
    assert_eq!(documents.total as u64, kind_count(&first, Kind::Document));
    assert!(documents.hits.iter().all(|h| h.kind == Kind::Document));
    assert_eq!(documents.facets, first.facets, "facets ignore the filters");
    let second = index.search(&Query { text: "低保", offset: 1, limit: 1, ..Query::default() }).unwrap();
    assert_eq!(keys(&second), keys(&first)[1..2]);

    // Any word, when no entry has them all: kept as such.
    let any = search(&index, "低保 无此词语");
    assert_eq!(keys(&any), keys(&first));
    let any_documents =
        index.search(&Query { text: "低保 无此词语", kind: Some(Kind::Document), ..Query::default() }).unwrap();
    assert_eq!(keys(&any_documents), keys(&documents));

    // Not visible before the commit, then found by the same searches.
    index.upsert(&with_aliases(entry(Kind::Item, "99@2026", "城乡低保提标补助", ""), "低保")).unwrap();
    assert_eq!(search(&index, "低保"), first);
    index.commit("new item").unwrap();
    let after = search(&index, "低保");
    assert_eq!(after.total, first.total + 1);
    assert_eq!(kind_count(&after, Kind::Item), kind_count(&first, Kind::Item) + 1);
    let items = index.search(&Query { text: "低保", kind: Some(Kind::Item), ..Query::default() }).unwrap();
    assert!(keys(&items).contains(&(Kind::Item, "99@2026")));
    assert_eq!(search(&index, "低保 无此词语").total, after.total);

    // Forgetting what was kept changes nothing but the time.
    index.forget_kept();
    assert_eq!(search(&index, "低保"), after);
}

#[test]
fn clear_empties_after_commit() {
    let index = county();
    index.upsert(&entry(Kind::Item, "pending", "待提交", "")).unwrap();
    index.clear().unwrap();
    assert_eq!(index.len(), 8, "visible only after commit");
    // A rebuild: entries upserted after clear are kept.
    index.upsert(&entry(Kind::Item, "new", "重建后", "")).unwrap();
    index.commit("rebuilt").unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(search(&index, "低保").total, 0);
    assert_eq!(search(&index, "待提交").total, 0);
    assert_eq!(search(&index, "重建后").total, 1);

    index.clear().unwrap();
    index.commit("empty").unwrap();
    assert!(index.is_empty());
    assert_eq!(index.marker().as_deref(), Some("empty"));
}

#[test]
fn marker_and_entries_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        assert_eq!(index.marker(), None);
        index.upsert(&with_aliases(entry(Kind::Item, "14-01", "最低生活保障金", ""), "低保")).unwrap();
        index.upsert(&entry(Kind::Document, "3", "一卡通", "金融支付功能")).unwrap();
        index.commit("change-41").unwrap();
        assert_eq!(index.marker().as_deref(), Some("change-41"));
        // Nothing changed, the marker still moves on.
        index.commit("change-42").unwrap();
        assert_eq!(index.marker().as_deref(), Some("change-42"));
        // Not committed: lost when the index is dropped.
        index.upsert(&entry(Kind::Item, "lost", "未提交", "")).unwrap();
    }
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(index.marker().as_deref(), Some("change-42"));
    assert_eq!(index.len(), 2);
    assert_eq!(keys(&search(&index, "低保")), vec![(Kind::Item, "14-01")]);
    assert_eq!(search(&index, "未提交").total, 0);
    // Changes after reopening work as before.
    index.delete(Kind::Item, "14-01");
    index.commit("change-43").unwrap();
    drop(index);
    let index = SearchIndex::open_or_create(&dir.path().join(".")).unwrap();
    assert_eq!((index.len(), index.marker().as_deref()), (1, Some("change-43")));
}

#[test]
fn an_index_with_another_layout_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = Schema::builder();
    builder.add_text_field("title", STRING);
    Index::create_in_dir(dir.path(), builder.build()).unwrap();
    match SearchIndex::open_or_create(dir.path()) {
        Err(IndexError::SchemaChanged(path)) => assert_eq!(path, dir.path()),
        other => panic!("expected SchemaChanged, got {:?}", other.err()),
    }
}

#[test]
fn kind_names() {
    for kind in Kind::ALL {
        assert_eq!(Kind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(Kind::parse("Item"), None);
    assert_eq!(Kind::parse(""), None);
}

// ---------------------------------------------------------------------------------------------
// Volume

const TOWNSHIPS: [&str; 5] = ["青岚镇", "白石镇", "河东乡", "龙泉镇", "石桥乡"];
const DEPARTMENTS: [&str; 3] = ["县民政局", "县农业农村局", "县人社局"];
const ITEMS: [&str; 4] = ["最低生活保障金", "耕地地力保护补贴", "高龄津贴", "分散特困人员救助供养金"];
const SURNAMES: [&str; 6] = ["张", "王", "李", "赵", "刘", "陈"];

struct Line {
    key: String,
    township: &'static str,
    department: &'static str,
    year: i32,
    item: &'static str,
}

fn line(i: usize) -> Line {
    Line {
        key: format!("p{i}"),
        township: TOWNSHIPS[i % 5],
        department: DEPARTMENTS[(i / 5) % 3],
        year: 2024 + ((i / 15) % 3) as i32,
        item: ITEMS[(i / 7) % 4],
    }
}

impl Line {
    fn entry(&self, i: usize) -> Entry {
        let body = format!(
            "{}*{} 1****************{} {} 桂花社区 {} {}-{:02} {}.00 已发放",
            SURNAMES[i % 6],
            ["三", "四", "五"][i % 3],
            i % 10,
            self.township,
            self.item,
            self.year,
            i % 12 + 1,
            300 + i % 700,
        );
        let mut e = entry(Kind::Publicity, &self.key, &format!("{} {}", self.township, self.item), &body);
        e.department = Some(self.department.into());
        e.year = Some(self.year);
        e.township = Some(self.township.into());
        e
    }
}

fn tally<T: Ord + Clone>(lines: &[&Line], value: impl Fn(&Line) -> T) -> Vec<(T, u64)> {
    let mut counts: BTreeMap<T, u64> = BTreeMap::new();
    for l in lines {
        *counts.entry(value(l)).or_default() += 1;
    }
    let mut list: Vec<(T, u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

#[test]
fn segment_answers_outlast_commits_and_stay_exact() {
    use std::sync::atomic::Ordering::Relaxed;
    const N: usize = 12_000;
    let index = SearchIndex::in_memory().unwrap();
    let lines: Vec<Line> = (0..N).map(line).collect();
    for (i, l) in lines.iter().enumerate() {
        index.upsert(&l.entry(i)).unwrap();
    }
    index.commit("bulk").unwrap();
    let computed = || index.computed.load(Relaxed);
    // Each search computed from nothing, for comparison.
    let fresh = |q: &Query| {
        index.forget_kept();
        index.search(q).unwrap()
    };
    let item = "最低生活保障金";
    let queries = [
        text("发放"),
        text(item),
        Query { text: "发放", township: Some("龙泉镇"), year: Some(2025), ..Query::default() },
        Query { text: item, offset: 10, limit: 5, ..Query::default() },
        text("白石镇 无此词语"),
    ];
    let first: Vec<Results> = queries.iter().map(|q| index.search(q).unwrap()).collect();
    assert_eq!(first[0].total, N);

    // A commit adding one line: the large segments' answers are kept, only the new one is
    // counted and scored, and the results are exactly those computed from nothing.
    let new = entry(Kind::Document, "2027", "2027年最低生活保障金通知", "按月发放");
    index.upsert(&new).unwrap();
    index.commit("one more").unwrap();
    let before = computed();
    let after = index.search(&queries[0]).unwrap();
    assert_eq!(computed() - before, 1, "only the new segment");
    assert_eq!(after.total, N + 1);
    assert!(keys(&after).contains(&(Kind::Document, "2027")), "{:?}", keys(&after));
    assert_eq!(after, fresh(&queries[0]));
    for q in &queries[1..] {
        let kept = index.search(q).unwrap();
        assert_eq!(kept, fresh(q), "{q:?}");
    }

    // A page far down is computed, exactly, but its many best hits per segment are not kept.
    let deep = Query { text: "发放", offset: 5_000, limit: 10, ..Query::default() };
    let far = index.search(&deep).unwrap();
    assert_eq!(far.hits.len(), 10);
    assert!(index.segments().best.keys().all(|kept| kept.n <= KEEP_BEST_HITS));
    assert_eq!(far, fresh(&deep));

    // A deletion in a large segment: that segment is counted again, exactly.
    index.search(&queries[0]).unwrap();
    index.delete(Kind::Publicity, "p0");
    index.commit("deleted").unwrap();
    let before = computed();
    let after_delete = index.search(&queries[0]).unwrap();
    assert!(computed() > before);
    assert_eq!(after_delete.total, N);
    assert_eq!(after_delete, fresh(&queries[0]));
    for q in &queries[1..] {
        let kept = index.search(q).unwrap();
        assert_eq!(kept, fresh(q), "{q:?}");
    }
}

#[test]
fn statistics_are_rounded_monotonically() {
    assert_eq!(round_significant(0), 0);
    assert_eq!(round_significant(999), 999);
    assert_eq!(round_significant(1_004), 1_000);
    assert_eq!(round_significant(1_005), 1_010);
    assert_eq!(round_significant(212_658), 213_000);
    assert_eq!(round_significant(9_995), 10_000);
    let mut last = 0;
    for value in (0..200_000).step_by(7) {
        let rounded = round_significant(value);
        assert!(rounded >= last, "{value}");
        assert!(rounded.abs_diff(value) * 1_000 <= value.max(1) * 5, "{value} → {rounded}");
        last = rounded;
    }
}

#[test]
fn twenty_thousand_lines() {
    const N: usize = 20_000;
    let index = SearchIndex::in_memory().unwrap();
    let lines: Vec<Line> = (0..N).map(line).collect();
    for (i, l) in lines.iter().enumerate() {
        index.upsert(&l.entry(i)).unwrap();
    }
    // A few lines corrected before the commit: replaced, not added.
    for (i, l) in lines.iter().enumerate().take(50) {
        index.upsert(&l.entry(i)).unwrap();
    }
    index.commit("bulk").unwrap();
    assert_eq!(index.len(), N as u64);

    // Facets over the text, exactly.
    let item = "最低生活保障金";
    let matching: Vec<&Line> = lines.iter().filter(|l| l.item == item).collect();
    let results = search(&index, item);
    assert_eq!(results.total, matching.len());
    assert_eq!(results.facets.kinds, vec![(Kind::Publicity, matching.len() as u64)]);
    let as_string = |list: Vec<(&str, u64)>| list.into_iter().map(|(s, n)| (s.to_string(), n)).collect::<Vec<_>>();
    assert_eq!(results.facets.departments, as_string(tally(&matching, |l| l.department)));
    assert_eq!(results.facets.townships, as_string(tally(&matching, |l| l.township)));
    assert_eq!(results.facets.years, tally(&matching, |l| l.year));

    // Filtered totals and every page of a filtered search, exactly.
    let expected: BTreeSet<&str> =
        matching.iter().filter(|l| l.township == "龙泉镇" && l.year == 2025).map(|l| l.key.as_str()).collect();
    assert!(expected.len() > 200, "several pages: {}", expected.len());
    let mut seen = BTreeSet::new();
    let mut last_score = f32::INFINITY;
    for page in 0.. {
        let q = Query {
            text: item,
            township: Some("龙泉镇"),
            year: Some(2025),
            offset: page * 100,
            limit: 100,
            ..Query::default()
        };
        let results = index.search(&q).unwrap();
        assert_eq!(results.total, expected.len());
        if results.hits.is_empty() {
            break;
        }
        for hit in results.hits {
            assert!(hit.score <= last_score, "best first across pages");
            last_score = hit.score;
            assert!(seen.insert(hit.key), "no entry on two pages");
        }
    }
    let seen: BTreeSet<&str> = seen.iter().map(String::as_str).collect();
    assert_eq!(seen, expected);

    // A township with all words: conjunction over 20,000 lines.
    let both = index.search(&Query { text: "白石镇 高龄津贴", limit: 1, ..Query::default() }).unwrap();
    let expected_both = lines.iter().filter(|l| l.township == "白石镇" && l.item == "高龄津贴").count();
    assert_eq!(both.total, expected_both);
    assert_eq!(both.facets.townships, vec![("白石镇".to_string(), expected_both as u64)]);

    // Among 20,000 lines that have no aliases, abbreviations still lead to their items.
    for e in county_entries() {
        index.upsert(&e).unwrap();
    }
    index.commit("with county").unwrap();
    assert_eq!(keys(&search(&index, "低保"))[..2], [(Kind::Item, "14-01@2026"), (Kind::Document, "4")]);
    assert_eq!(keys(&search(&index, "五保"))[0], (Kind::Item, "14-03@2026"));
    assert_eq!(keys(&search(&index, "金融支付")), [(Kind::Document, "3")]);
    let pay = search(&index, "分散特困人员救助供养金");
    assert_eq!(keys(&pay)[0], (Kind::Item, "14-03@2026"), "the item's title, and its alias 特困");

    // Clearing for a rebuild.
    index.clear().unwrap();
    index.commit("cleared").unwrap();
    assert!(index.is_empty());
    assert_eq!(search(&index, item).total, 0);
}

#[test]
fn matching_on_words_then_scoring_equals_the_boolean_query_it_replaced() {
    // tantivy's own way, as the index searched before `scored`: per word the union of its
    // field scores, all words (or any) required, the filters required with no score.
    fn boolean(
        index: &SearchIndex,
        statistics: &RoundedStatistics,
        words: &[String],
        occur: Occur,
        filters: &Filters,
    ) -> BooleanQuery {
        let per_word = words.iter().map(|w| {
            let fields: Vec<(Occur, Box<dyn tantivy::query::Query>)> =
                index.word_scoring(statistics, w).into_iter().map(|q| (Occur::Should, q)).collect();
            (occur, Box::new(BooleanQuery::new(fields)) as Box<dyn tantivy::query::Query>)
        });
        let mut clauses =
            vec![(Occur::Must, Box::new(BooleanQuery::new(per_word.collect())) as Box<dyn tantivy::query::Query>)];
        for filter in index.filters(filters) {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        BooleanQuery::new(clauses)
    }
    let index = SearchIndex::in_memory().unwrap();
    for i in 0..3_000 {
        index.upsert(&line(i).entry(i)).unwrap();
    }
    for e in county_entries() {
        index.upsert(&e).unwrap();
    }
    index.commit("m").unwrap();
    let searcher = index.reader.searcher();
    let statistics = RoundedStatistics(&searcher);
    let township = Filters { township: Some("龙泉镇".into()), year: Some(2025), ..Filters::default() };
    let cases = [
        ("最低生活保障金", Occur::Must, Filters::default()),
        ("张 龙泉镇 发放", Occur::Must, Filters::default()),
        ("低保", Occur::Must, Filters::default()),
        ("社会保障卡 金融支付", Occur::Must, Filters::default()),
        ("高龄津贴 无此词语 五保", Occur::Should, Filters::default()),
        ("最低生活保障金", Occur::Must, township.clone()),
        ("三 已发放", Occur::Should, township),
    ];
    for (text, occur, filters) in cases {
        let words = query_words(text);
        let collector = (Count, TopDocs::with_limit(5_000).order_by_score());
        let scoring = EnableScoring::enabled_from_statistics_provider(&statistics, &searcher);
        let run = |query: &dyn tantivy::query::Query| {
            let weight = query.weight(scoring).unwrap();
            let mut parts = Vec::new();
            for (ord, reader) in searcher.segment_readers().iter().enumerate() {
                parts.push(collector.collect_segment(weight.as_ref(), ord as u32, reader).unwrap());
            }
            let (count, mut hits) = collector.merge_fruits(parts).unwrap();
            hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            (count, hits)
        };
        let (count, hits) = run(index.text_query(&statistics, &words, occur, &filters).as_ref());
        let (expected_count, expected) = run(&boolean(&index, &statistics, &words, occur, &filters));
        assert!(expected_count > 0, "{text}");
        assert_eq!(count, expected_count, "{text}");
        assert_eq!(hits.len(), expected.len(), "{text}");
        let by_doc = |hits: &[(Score, DocAddress)]| hits.iter().map(|(s, d)| (*d, *s)).collect::<HashMap<_, _>>();
        let (ours, theirs) = (by_doc(&hits), by_doc(&expected));
        for (doc, score) in &theirs {
            let our = ours.get(doc).unwrap_or_else(|| panic!("{text}: {doc:?} missing"));
            assert!((our - score).abs() <= 1e-4 * score.abs().max(1.0), "{text}: {our} against {score}");
        }
    }
}
