//! Turns a published document's plain text into blocks: headings (with anchors for a table of
//! contents), paragraphs and tables. The seed documents carry their tables flattened: each cell
//! on a line starting with a tab, rows separated by blank lines, long cells wrapped onto lines
//! without a tab; one also has a Markdown-style `| a | b |` table.

use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading { level: u8, text: String, anchor: String },
    Paragraph(String),
    Table(Vec<Vec<String>>),
}

/// Documents longer than this get a table of contents.
const TOC_MIN_CHARS: usize = 3_000;

pub fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut blocks = Vec::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut headings = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with('\t') {
            // One row: cells until a blank line; a line without a tab continues the cell above.
            let mut row: Vec<String> = Vec::new();
            while i < lines.len() && !lines[i].trim().is_empty() || (i < lines.len() && lines[i].starts_with('\t')) {
                let l = lines[i];
                if let Some(cell) = l.strip_prefix('\t') {
                    row.push(clean_cell(cell));
                } else if let Some(last) = row.last_mut() {
                    last.push_str(l.trim());
                }
                i += 1;
            }
            table.push(row);
            // Skip the blank line(s) between rows; the table goes on while rows follow.
            while i < lines.len() && lines[i].is_empty() {
                i += 1;
            }
            if i >= lines.len() || !lines[i].starts_with('\t') {
                flush_table(&mut table, &mut blocks);
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with('|') && trimmed.ends_with('|') {
            let cells: Vec<String> = trimmed.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect();
            if !cells.iter().all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':')) {
                table.push(cells);
            }
            i += 1;
            if i >= lines.len() || !lines[i].trim().starts_with('|') {
                flush_table(&mut table, &mut blocks);
            }
            continue;
        }
        if !trimmed.is_empty() {
            match heading_level(trimmed) {
                Some(level) => {
                    headings += 1;
                    blocks.push(Block::Heading { level, text: trimmed.to_string(), anchor: format!("s{headings}") });
                }
                None => blocks.push(Block::Paragraph(trimmed.to_string())),
            }
        }
        i += 1;
    }
    flush_table(&mut table, &mut blocks);
    blocks
}

fn clean_cell(cell: &str) -> String {
    let cell = cell.trim().trim_start_matches('-').trim();
    let pieces: Vec<&str> = cell.split_whitespace().collect();
    // "项  目  名  称": spaces only stretch a header across a column; "市教科局     市扶贫开发局"
    // names two departments.
    if pieces.iter().all(|p| p.chars().count() == 1) {
        pieces.concat()
    } else {
        pieces.join(" ")
    }
}

/// Drops rows in which every cell is empty (the blank lines of a form to fill in) except the header.
fn flush_table(table: &mut Vec<Vec<String>>, blocks: &mut Vec<Block>) {
    if table.is_empty() {
        return;
    }
    let mut rows = std::mem::take(table);
    let header = rows.remove(0);
    rows.retain(|r| r.iter().any(|c| !c.is_empty()));
    rows.insert(0, header);
    blocks.push(Block::Table(rows));
}

/// `附件1`, `一、…` → level 2; `（一）…` → level 3. Long lines are paragraphs, not headings.
fn heading_level(line: &str) -> Option<u8> {
    const NUMERALS: &str = "一二三四五六七八九十";
    if line.chars().count() > 40 {
        return None;
    }
    if line.starts_with("附件") && line.chars().nth(2).is_some_and(|c| c.is_ascii_digit() || c == ' ') {
        return Some(2);
    }
    let mut chars = line.chars();
    let first = chars.next()?;
    if NUMERALS.contains(first) {
        let rest: String = line.chars().skip_while(|c| NUMERALS.contains(*c)).take(1).collect();
        if rest == "、" {
            return Some(2);
        }
    }
    if first == '（' && chars.next().is_some_and(|c| NUMERALS.contains(c)) {
        let rest: String = line.chars().skip(1).skip_while(|c| NUMERALS.contains(*c)).take(1).collect();
        if rest == "）" {
            return Some(3);
        }
    }
    None
}

/// The body with a table of contents when it is long.
#[component]
pub fn DocumentBody(text: String) -> impl IntoView {
    let blocks = parse(&text);
    let toc: Vec<(String, String)> = if text.chars().count() >= TOC_MIN_CHARS {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level: 2, text, anchor } => Some((anchor.clone(), text.clone())),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    view! {
        {(!toc.is_empty()).then(|| view! {
            <nav class="toc" aria-label="目录">
                <h2>"目录"</h2>
                <ol>
                    {toc.into_iter().map(|(anchor, text)| view! { <li><a href=format!("#{anchor}")>{text}</a></li> }).collect_view()}
                </ol>
            </nav>
        })}
        <div class="document-body">
            {blocks.into_iter().map(render_block).collect_view()}
        </div>
    }
}

fn render_block(block: Block) -> AnyView {
    match block {
        Block::Heading { level: 2, text, anchor } => view! { <h2 id=anchor>{text}</h2> }.into_any(),
        Block::Heading { text, anchor, .. } => view! { <h3 id=anchor>{text}</h3> }.into_any(),
        Block::Paragraph(text) => view! { <p>{text}</p> }.into_any(),
        Block::Table(mut rows) => {
            let header = if rows.is_empty() { Vec::new() } else { rows.remove(0) };
            view! {
                <div class="table-scroll" tabindex="0">
                    <table>
                        <thead><tr>{header.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_tables_become_rows_of_cells() {
        let text = "附件1\n\n项目表\n\n\t序号\n\t项  目  名  称\n\t主管部门\n\n\t1\n\t耕地地力保护补贴资金\n\t市农业农村局\n\n\t\n\t    -最低生活保障金\n\t\n\n正文继续。\n";
        let blocks = parse(text);
        assert_eq!(blocks[0], Block::Heading { level: 2, text: "附件1".into(), anchor: "s1".into() });
        assert_eq!(blocks[1], Block::Paragraph("项目表".into()));
        assert_eq!(
            blocks[2],
            Block::Table(vec![
                vec!["序号".into(), "项目名称".into(), "主管部门".into()],
                vec!["1".into(), "耕地地力保护补贴资金".into(), "市农业农村局".into()],
                vec!["".into(), "最低生活保障金".into(), "".into()],
            ])
        );
        assert_eq!(blocks[3], Block::Paragraph("正文继续。".into()));
    }

    #[test]
    fn wrapped_cells_join_and_empty_form_rows_are_dropped() {
        let text = "\t姓名\n（必填）\n\t身份证号\n（必填）\n\n\t\n\t\n\n\t\n\t\n\n注：报送邮箱。";
        let blocks = parse(text);
        assert_eq!(blocks[0], Block::Table(vec![vec!["姓名（必填）".into(), "身份证号（必填）".into()]]));
        assert_eq!(blocks[1], Block::Paragraph("注：报送邮箱。".into()));
    }

    #[test]
    fn markdown_tables_and_headings() {
        let text = "一、工作目标\n（一）清理核查对象。\n| 序号 | 项目资金名称 |\n|----|----|\n| 1 | 耕地地力保护补贴资金 |\n| | —草原禁牧补贴资金 |\n结束";
        let blocks = parse(text);
        assert!(matches!(&blocks[0], Block::Heading { level: 2, .. }));
        assert!(matches!(&blocks[1], Block::Heading { level: 3, .. }));
        assert_eq!(
            blocks[2],
            Block::Table(vec![
                vec!["序号".into(), "项目资金名称".into()],
                vec!["1".into(), "耕地地力保护补贴资金".into()],
                vec!["".into(), "—草原禁牧补贴资金".into()],
            ])
        );
        assert_eq!(blocks[3], Block::Paragraph("结束".into()));
    }
}
