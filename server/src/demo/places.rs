//! The fictional demo county: its townships and villages with GB/T 2260-style codes.

use super::rng::Rng;

/// The demo county. `510999` is inside Sichuan's code range but assigned to no real county,
/// so no demo ID number can be a real person's.
pub const COUNTY_CODE: &str = "510999";
pub const COUNTY_NAME: &str = "青岚县（演示）";

/// Township names; the first is the county seat, whose villages are communities (社区).
pub const TOWNSHIPS: &[&str] = &[
    "青岚镇",
    "白岩镇",
    "石门乡",
    "竹溪乡",
    "龙泉镇",
    "桃坪乡",
    "双河镇",
    "清水乡",
    "柏林镇",
    "金竹乡",
    "凤凰镇",
    "马鞍乡",
];

const FIRST: &[&str] = &[
    "新", "石", "桂", "柳", "杨", "青", "红", "双", "河", "高", "花", "茶", "松", "梨", "桥", "竹", "枫", "安", "和",
    "永", "金", "银", "黄", "白", "马", "龙", "凤", "兴", "太", "长",
];
const SECOND: &[&str] =
    &["坪", "湾", "沟", "坝", "岭", "山", "林", "溪", "岩", "桥", "塘", "园", "垭", "口", "堡", "田"];

pub struct Township {
    pub code: String,
    pub name: String,
    pub villages: Vec<(String, String)>,
}

/// People per township beyond which a bigger demo gets more townships (the default demo's
/// 50,000 people live in the 12 named ones).
const PEOPLE_PER_TOWNSHIP: usize = 4_200;
/// Well under the 960 names FIRST × SECOND × 镇/乡 can make; above it villages grow instead.
const MAX_TOWNSHIPS: usize = 400;

/// 12 townships with 10–14 villages each (≥ 120 villages); a demo of more than 50,400 people
/// (the benchmarks' province-scale data) gets one more township per 4,200 people, so villages
/// keep their size. The first 12 are the same whatever the size.
pub fn townships(rng: &mut Rng, people: usize) -> Vec<Township> {
    let count = TOWNSHIPS.len().max(people.div_ceil(PEOPLE_PER_TOWNSHIP)).min(MAX_TOWNSHIPS);
    let mut names: Vec<String> = TOWNSHIPS.iter().map(|n| n.to_string()).collect();
    while names.len() < count {
        let name = format!("{}{}{}", rng.pick(FIRST), rng.pick(SECOND), if rng.chance(500) { "镇" } else { "乡" });
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
        .iter()
        .enumerate()
        .map(|(t, name)| {
            let code = format!("{COUNTY_CODE}{:03}", t + 1);
            let count = 10 + rng.below(5) as usize;
            let suffix = if t == 0 { "社区" } else { "村" };
            let mut villages: Vec<(String, String)> = Vec::with_capacity(count);
            while villages.len() < count {
                let v = format!("{}{}{suffix}", rng.pick(FIRST), rng.pick(SECOND));
                if !villages.iter().any(|(_, n)| *n == v) {
                    villages.push((format!("{code}{:03}", 200 + villages.len() + 1), v));
                }
            }
            Township { code, name: name.to_string(), villages }
        })
        .collect()
}
