//! A demo county's townships and villages, with GB/T 2260-style codes under the county's.

use super::plans::Plan;
use super::rng::Rng;

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
pub fn townships(rng: &mut Rng, plan: &Plan, people: usize) -> Vec<Township> {
    let count = plan.townships.len().max(people.div_ceil(PEOPLE_PER_TOWNSHIP)).min(MAX_TOWNSHIPS);
    let mut names: Vec<String> = plan.townships.iter().map(|n| n.to_string()).collect();
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
            let code = format!("{}{:03}", plan.code, t + 1);
            let count = 10 + rng.below(5) as usize;
            let suffix = if t == 0 || name.ends_with("街道") { "社区" } else { "村" };
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
