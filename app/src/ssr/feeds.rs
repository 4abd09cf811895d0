//! Atom feeds (RFC 4287) for readers who follow the portal: new notices, a village's publicity,
//! an item's payouts. Each entry links to the page that shows it; ids never change.

use super::publicity::{roster_summary, ROSTER_COLUMNS, ROSTER_COUNTS, ROSTER_GROUP_BY};
use super::Db;
use crate::api::publicity::RosterSummary;
use crate::domain::date::period_words;

/// Entries a feed carries at most.
pub const FEED_ENTRIES: usize = 50;

pub struct Feed {
    pub title: String,
    /// A stable id (`urn:…`), the same on every node and host.
    pub id: String,
    /// The page the feed follows (site-relative).
    pub page: String,
    pub entries: Vec<FeedEntry>,
}

pub struct FeedEntry {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD` (the county's date).
    pub updated: String,
    /// Site-relative link to the page that shows it.
    pub link: String,
    pub summary: String,
}

/// The feed as Atom XML; links are made absolute with `origin` (`scheme://host`, may be empty).
pub fn atom(feed: &Feed, origin: &str, self_path: &str) -> String {
    let updated =
        feed.entries.iter().map(|e| e.updated.as_str()).max().map_or_else(super::clock::today, str::to_string);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n",
    );
    out.push_str(&format!("  <title>{}</title>\n", escape(&feed.title)));
    out.push_str(&format!("  <id>{}</id>\n", escape(&feed.id)));
    out.push_str(&format!("  <updated>{}</updated>\n", time(&updated)));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&format!("{origin}{self_path}"))
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&format!("{origin}{}", feed.page))
    ));
    out.push_str("  <author><name>惠民惠农财政补贴资金“一卡通”公开平台</name></author>\n");
    for e in &feed.entries {
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", escape(&e.id)));
        out.push_str(&format!("    <title>{}</title>\n", escape(&e.title)));
        out.push_str(&format!("    <updated>{}</updated>\n", time(&e.updated)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&format!("{origin}{}", e.link))
        ));
        out.push_str(&format!("    <summary>{}</summary>\n", escape(&e.summary)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// An RFC 3339 time for a county date (midnight, UTC+8).
fn time(date: &str) -> String {
    format!("{}T00:00:00+08:00", &date[..date.len().min(10)])
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The newest notices `county`'s pages show (`county_code`: as the page's URL carries it).
pub async fn notices(db: &Db, county: i64, county_code: Option<&str>) -> Result<Feed, sqlx::Error> {
    let list = super::notices::list(db, county, 1).await?;
    let page = county_code.map_or_else(|| "/notices".to_string(), |c| format!("/notices?county={c}"));
    Ok(Feed {
        title: "通知公告".into(),
        id: format!("urn:hmhn-portal:notices:{}", county_code.unwrap_or("all")),
        page,
        entries: list
            .notices
            .into_iter()
            .map(|n| FeedEntry {
                id: format!("urn:hmhn-portal:notice:{}", n.id),
                summary: [n.issuer.as_str(), n.doc_number.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
                title: n.title,
                updated: n.published_on,
                link: format!("/notices/{}", n.id),
            })
            .collect(),
    })
}

/// What a roster's entry says: where it stands, and its lines and money.
fn roster_words(r: &RosterSummary) -> String {
    let stage = match (&r.payout_publicised_on, &r.paid_on, &r.publicity_start, &r.publicity_end) {
        (Some(on), Some(paid), _, _) => format!("{paid} 发放，{on} 发放后公示"),
        (None, Some(paid), _, _) => format!("{paid} 发放"),
        (_, None, Some(start), Some(end)) => format!("公示期 {start} 至 {end}"),
        _ => "公示中".to_string(),
    };
    format!("{}：{stage}；{}", r.department, r.money_words())
}

/// The newest date in a roster's life: published, paid, publicised after payment.
fn roster_updated(r: &RosterSummary) -> String {
    [&r.publicity_start, &r.paid_on, &r.payout_publicised_on].into_iter().flatten().max().cloned().unwrap_or_default()
}

/// A village's rosters of its two newest public years, each updated when it is paid and
/// publicised again.
pub async fn village(db: &Db, township: &str, village: &str, first: i32) -> Result<Option<Feed>, sqlx::Error> {
    let Some(newest) = super::publicity::village(db, township, village, None, first).await? else { return Ok(None) };
    let mut rosters = newest.rosters.clone();
    if let Some(&before) = newest.years.iter().find(|&&y| y < newest.year) {
        if let Some(older) = super::publicity::village(db, township, village, Some(before), first).await? {
            rosters.extend(older.rosters);
        }
    }
    let mut entries: Vec<FeedEntry> = rosters
        .iter()
        .map(|r| FeedEntry {
            id: format!("urn:hmhn-portal:roster:{}:village:{village}", r.id),
            title: format!("{} {}（第{}批）", r.item_name, period_words(&r.period), r.batch),
            updated: roster_updated(r),
            link: format!("/publicity/{township}/{village}/{}", r.id),
            summary: roster_words(r),
        })
        .collect();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated));
    entries.truncate(FEED_ENTRIES);
    Ok(Some(Feed {
        title: format!("{}{} 发放公示", newest.township.name, newest.village.name),
        id: format!("urn:hmhn-portal:publicity:{township}:{village}"),
        page: format!("/publicity/{township}/{village}"),
        entries,
    }))
}

/// The newest published rosters of an item (and its sub-items) in a county whose lines are still
/// public (periods of `first` and later), one entry per roster with its township's totals.
pub async fn item(
    db: &Db,
    county: i64,
    county_code: &str,
    code: &str,
    first: i32,
) -> Result<Option<Feed>, sqlx::Error> {
    let Some(detail) = super::policies::detail(db, county, code, None).await? else { return Ok(None) };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ROSTER_COLUMNS}, t.code AS township_code, t.name AS township, {ROSTER_COUNTS} \
         FROM rosters ro JOIN subsidy_items i ON i.id = ro.item_id JOIN departments d ON d.id = ro.department_id \
         JOIN regions t ON t.id = ro.region_id JOIN publicity_entries pe ON pe.roster_id = ro.id \
         WHERE t.parent_id = $1 AND i.county_id = $1 AND (i.code = $2 OR i.code LIKE $3) AND ro.period >= $4 \
         {ROSTER_GROUP_BY}, t.code, t.name ORDER BY ro.id DESC LIMIT {FEED_ENTRIES}"
    )))
    .bind(county)
    .bind(code)
    .bind(format!("{code}-%"))
    .bind(first.to_string())
    .fetch_all(&db.pool)
    .await?;
    let entries = rows
        .iter()
        .map(|row| {
            use sqlx::Row;
            let r = roster_summary(row);
            let township: String = row.get("township");
            let township_code: String = row.get("township_code");
            let year = r.period.get(..4).unwrap_or_default().to_string();
            FeedEntry {
                id: format!("urn:hmhn-portal:roster:{}", r.id),
                title: format!("{township} {} {}（第{}批）", r.item_name, period_words(&r.period), r.batch),
                updated: roster_updated(&r),
                link: format!("/publicity/{township_code}?year={year}"),
                summary: roster_words(&r),
            }
        })
        .collect();
    Ok(Some(Feed {
        title: format!("{} 发放情况", detail.item.name),
        id: format!("urn:hmhn-portal:item:{county_code}:{code}"),
        page: format!("/policies/{code}?county={county_code}"),
        entries,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(escape("a<b>&\"c\"\u{1}\n"), "a&lt;b&gt;&amp;&quot;c&quot;\n");
        assert_eq!(time("2026-11-12"), "2026-11-12T00:00:00+08:00");
    }

    #[test]
    fn a_feed_without_entries_is_still_atom() {
        let feed = Feed { title: "<村>".into(), id: "urn:x".into(), page: "/p".into(), entries: vec![] };
        let xml = atom(&feed, "https://h", "/f.atom");
        assert!(xml.contains("<title>&lt;村&gt;</title>"));
        assert!(xml.contains("href=\"https://h/f.atom\""));
        assert!(xml.contains("<updated>") && !xml.contains("<entry>"));
    }
}
