//! Plausible Chinese names for the demo population: 2-, 3- and 4-character names, compound
//! surnames, and names of minority nationalities written with `·`.

use super::rng::Rng;

/// Common surnames with rough weights.
const SURNAMES: &[(u32, &str)] = &[
    (70, "王"),
    (70, "李"),
    (65, "张"),
    (55, "刘"),
    (50, "陈"),
    (40, "杨"),
    (30, "黄"),
    (28, "赵"),
    (27, "吴"),
    (26, "周"),
    (20, "徐"),
    (18, "孙"),
    (17, "马"),
    (16, "朱"),
    (15, "胡"),
    (14, "郭"),
    (14, "何"),
    (13, "高"),
    (13, "林"),
    (12, "罗"),
    (12, "郑"),
    (11, "梁"),
    (10, "谢"),
    (10, "宋"),
    (10, "唐"),
    (9, "许"),
    (9, "韩"),
    (9, "冯"),
    (9, "邓"),
    (8, "曹"),
    (8, "彭"),
    (8, "曾"),
    (8, "肖"),
    (7, "田"),
    (7, "董"),
    (7, "袁"),
    (7, "潘"),
    (6, "蒋"),
    (6, "蔡"),
    (6, "余"),
    (6, "杜"),
    (6, "叶"),
    (6, "程"),
    (5, "苏"),
    (5, "魏"),
    (5, "吕"),
    (5, "丁"),
    (5, "任"),
    (5, "沈"),
    (5, "姚"),
    (5, "卢"),
    (4, "钟"),
    (4, "谭"),
    (4, "廖"),
    (4, "向"),
    (4, "熊"),
    (3, "母"),
    (3, "冉"),
    (3, "苟"),
    (3, "蒲"),
];
const COMPOUND_SURNAMES: &[&str] = &["欧阳", "司马", "诸葛", "上官", "令狐", "东方"];
const MALE: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "明", "超", "华", "平", "刚", "建", "国", "志", "文", "斌", "辉", "林", "海",
    "波", "德", "福", "贵", "成", "荣", "兴", "富", "山", "元", "春", "云", "树", "学", "忠", "宇", "浩", "鹏", "俊",
    "磊", "晨",
];
const FEMALE: &[&str] = &[
    "芳", "娟", "敏", "静", "丽", "秀", "英", "华", "玉", "兰", "珍", "凤", "霞", "梅", "琴", "桂", "翠", "燕", "红",
    "艳", "萍", "莲", "菊", "慧", "婷", "雪", "琳", "娜", "洁", "蓉", "欣", "怡",
];
/// Yi names as written in Chinese characters, with `·`.
const YI_NAMES: &[&str] = &[
    "吉克·阿依",
    "曲比·阿果",
    "沙马·拉且",
    "阿木·日哈",
    "俄底·伍各",
    "吉伍·木呷",
    "海来·阿支",
    "勒格·依作",
    "马海·木呷",
    "阿苦·日古",
];

/// A name and the ethnicity recorded with it.
pub fn person_name(rng: &mut Rng, male: bool) -> (String, &'static str) {
    if rng.chance(6) {
        return (rng.pick(YI_NAMES).to_string(), "彝族");
    }
    let ethnicity = if rng.chance(15) { *rng.pick(&["土家族", "苗族", "羌族", "回族"]) } else { "汉族" };
    let surname = if rng.chance(8) { rng.pick(COMPOUND_SURNAMES) } else { rng.weighted(SURNAMES) };
    let given = if male { MALE } else { FEMALE };
    let mut name = surname.to_string();
    let first = *rng.pick(given);
    name.push_str(first);
    if rng.chance(780) {
        let second = *rng.pick(given);
        name.push_str(second);
    }
    (name, ethnicity)
}
