//! Horizontal bar charts as inline SVG, rendered on the server (readable without JavaScript,
//! printable, and with a text table next to them for screen readers).

use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

const ROW: i64 = 28;
const LABEL_WIDTH: i64 = 150;
const BAR_WIDTH: i64 = 170;
const WIDTH: i64 = LABEL_WIDTH + BAR_WIDTH + 80;

#[component]
pub fn BarChart(title: String, bars: Vec<Bar>) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len() as i64 + 8;
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
                {bars.into_iter().enumerate().map(|(i, b)| {
                    let y = i as i64 * ROW + 4;
                    let w = (b.value.max(0) * BAR_WIDTH / max).max(1);
                    let label: String = shorten(&b.label, 9);
                    view! {
                        <g>
                            <text x=LABEL_WIDTH - 6 y=y + 17 text-anchor="end" class="chart-label">{label}</text>
                            <rect x=LABEL_WIDTH y=y + 4 width=w height=ROW - 10 rx="3" class="chart-bar"></rect>
                            <text x=LABEL_WIDTH + w + 4 y=y + 17 class="chart-value">{b.shown}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}
