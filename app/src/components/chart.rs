//! Horizontal bar charts as inline SVG, rendered on the server (readable without JavaScript,
//! printable, and with a text table next to them for screen readers).

use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

const ROW: i64 = 30;
/// A row whose label takes two lines.
const TALL_ROW: i64 = 48;
const LABEL_WIDTH: i64 = 150;
const BAR_WIDTH: i64 = 150;
const WIDTH: i64 = LABEL_WIDTH + BAR_WIDTH + 100;
/// Characters of a label line (at the large-text size they still fit the label's width).
const LABEL_CHARS: usize = 9;
/// Characters of a label line in large-text mode, where a label has the chart's whole width
/// (400 units at 24 px: 16 characters).
const LARGE_LABEL_CHARS: usize = 16;

#[component]
pub fn BarChart(title: String, bars: Vec<Bar>) -> impl IntoView {
    if crate::components::text_size::large_text() {
        return view! { <LargeBarChart title bars /> }.into_any();
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let rows: Vec<(Bar, Vec<String>)> = bars
        .into_iter()
        .map(|b| {
            let lines = label_lines(&b.label, LABEL_CHARS);
            (b, lines)
        })
        .collect();
    let height: i64 = rows.iter().map(|(_, l)| if l.len() > 1 { TALL_ROW } else { ROW }).sum::<i64>() + 8;
    let mut y = 4;
    let drawn = rows
        .into_iter()
        .map(|(b, lines)| {
            let row = if lines.len() > 1 { TALL_ROW } else { ROW };
            let top = y;
            y += row;
            let w = (b.value.max(0) * BAR_WIDTH / max).max(1);
            let middle = top + row / 2;
            let first = middle + 5 - (lines.len() as i64 - 1) * 9;
            view! {
                <g>
                    <title>{format!("{}：{}", b.label, b.shown)}</title>
                    <text x=LABEL_WIDTH - 6 y=first text-anchor="end" class="chart-label">
                        {lines.into_iter().enumerate().map(|(i, line)| view! { <tspan x=LABEL_WIDTH - 6 dy=if i == 0 { 0 } else { 18 }>{line}</tspan> }).collect_view()}
                    </text>
                    <rect x=LABEL_WIDTH y=middle - 10 width=w height=20 rx="3" class="chart-bar"></rect>
                    <text x=LABEL_WIDTH + w + 4 y=middle + 5 class="chart-value">{b.shown}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                width="100%"
                role="img"
                aria-label=title
                preserveAspectRatio="xMinYMin meet"
            >
                {drawn}
            </svg>
        </figure>
    }
    .into_any()
}

/// Large-text mode: each label on a line of its own above its bar, in large type.
#[component]
fn LargeBarChart(title: String, bars: Vec<Bar>) -> impl IntoView {
    const LARGE_ROW: i64 = 66;
    /// A label line at the large size.
    const LARGE_LINE: i64 = 30;
    const LARGE_WIDTH: i64 = 400;
    const LARGE_BAR: i64 = 250;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let rows: Vec<(Bar, Vec<String>)> = bars
        .into_iter()
        .map(|b| {
            let lines = label_lines(&b.label, LARGE_LABEL_CHARS);
            (b, lines)
        })
        .collect();
    let height: i64 = rows.iter().map(|(_, l)| LARGE_ROW + (l.len() as i64 - 1) * LARGE_LINE).sum::<i64>() + 8;
    let mut top = 4;
    let drawn = rows
        .into_iter()
        .map(|(b, lines)| {
            let extra = (lines.len() as i64 - 1) * LARGE_LINE;
            let row_top = top;
            top += LARGE_ROW + extra;
            let w = (b.value.max(0) * LARGE_BAR / max).max(1);
            view! {
                <g>
                    <title>{format!("{}：{}", b.label, b.shown)}</title>
                    <text x="0" y=row_top + 24 class="chart-label">
                        {lines.into_iter().enumerate().map(|(i, line)| view! { <tspan x="0" dy=if i == 0 { 0 } else { LARGE_LINE }>{line}</tspan> }).collect_view()}
                    </text>
                    <rect x="0" y=row_top + extra + 34 width=w height="22" rx="3" class="chart-bar"></rect>
                    <text x=w + 6 y=row_top + extra + 53 class="chart-value">{b.shown}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart chart-large">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {LARGE_WIDTH} {height}") width="100%" role="img" aria-label=title preserveAspectRatio="xMinYMin meet">
                {drawn}
            </svg>
        </figure>
    }
}

/// A label on one line of `per_line` characters, or wrapped onto two (the second cut with …
/// when even two are too few).
fn label_lines(s: &str, per_line: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= per_line {
        return vec![s.to_string()];
    }
    let first: String = chars[..per_line].iter().collect();
    let rest = &chars[per_line..];
    let second: String = if rest.len() <= per_line {
        rest.iter().collect()
    } else {
        rest[..per_line - 1].iter().chain(std::iter::once(&'…')).collect()
    };
    vec![first, second]
}

#[cfg(test)]
mod tests {
    use super::{label_lines, LABEL_CHARS, LARGE_LABEL_CHARS};

    #[test]
    fn long_labels_wrap_onto_a_second_line() {
        assert_eq!(label_lines("青岚镇", LABEL_CHARS), ["青岚镇"]);
        assert_eq!(label_lines("耕地地力保护补贴资金", LABEL_CHARS), ["耕地地力保护补贴资", "金"]);
        assert_eq!(
            label_lines("农村危房改造资金补助资金和其他很长的名字", LABEL_CHARS),
            ["农村危房改造资金补", "助资金和其他很长…"]
        );
        // The longest item name of the catalogue, in large-text mode.
        assert_eq!(
            label_lines("城乡医疗救助（实行“一站式”结算的资金除外）", LARGE_LABEL_CHARS),
            ["城乡医疗救助（实行“一站式”结算", "的资金除外）"]
        );
    }
}
