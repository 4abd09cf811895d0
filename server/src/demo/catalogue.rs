//! The demo catalogue: the Wanyuan list of 23 items (with sub-items and departments) and the
//! items of the Sichuan list of 18 that Wanyuan lacks, as a county would publish them, with
//! how the demo pays each one.

/// Who receives an item in the demo population.
#[derive(Debug, Clone, Copy)]
pub enum Who {
    /// Any person within an age range (inclusive, in years at the end of the demo).
    Age(u32, u32),
    /// A household head; the payment goes to the head's card for the household.
    Household,
}

/// How an amount is drawn for one recipient (fixed for that recipient across periods).
#[derive(Debug, Clone, Copy)]
pub enum Amount {
    Fixed(i64),
    /// Uniform in whole yuan between two amounts in fen.
    Range(i64, i64),
    /// A per-mu rate (fen) times a whole number of mu in a range.
    PerMu(i64, u32, u32),
    /// By age: 80–89, 90–99, 100+ (高龄津贴).
    ByAge(i64, i64, i64),
}

#[derive(Debug, Clone, Copy)]
pub struct Payout {
    /// Recipients per 10,000 people of the demo population.
    pub per_10k: u32,
    pub who: Who,
    pub amount: Amount,
    /// Month paid for yearly items, or `0` for items paid in a random month (as needed).
    pub month: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct ItemSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub level: &'static str,
    pub department: &'static str,
    pub standard: &'static str,
    pub standard_fen: Option<i64>,
    pub frequency: &'static str,
    pub per_household: bool,
    pub aliases: &'static str,
    pub first_year: i32,
    pub last_year: i32,
    pub payout: Option<Payout>,
}

impl ItemSpec {
    pub fn parent_code(&self) -> Option<&'static str> {
        self.code.split_once('-').map(|(parent, _)| parent)
    }
}

/// The finance bureau: triage queue for cases, procedural review of rosters.
pub const FINANCE: &str = "finance";

/// (code, name, phone, address). Names follow the Wanyuan task table, at county level.
pub const DEPARTMENTS: &[(&str, &str, &str, &str)] = &[
    (FINANCE, "县财政局", "0818-8621001", "青岚县政务中心2楼"),
    ("agriculture", "县农业农村局", "0818-8621102", "青岚县农业大楼3楼"),
    ("health", "县卫健局", "0818-8621203", "青岚县卫生健康大楼5楼"),
    ("education", "县教科局", "0818-8621304", "青岚县文教路12号"),
    ("employment", "县就业局", "0818-8621405", "青岚县人社服务中心1楼"),
    ("natural_resources", "县自然资源局", "0818-8621506", "青岚县滨河路88号"),
    ("poverty_relief", "县扶贫开发局", "0818-8621607", "青岚县政务中心4楼"),
    ("emergency", "县应急管理局", "0818-8621708", "青岚县政务中心6楼"),
    ("civil_affairs", "县民政局", "0818-8621809", "青岚县民政大楼2楼"),
    ("medical_security", "县医保局", "0818-8621910", "青岚县人民路56号"),
    ("housing", "县住建局", "0818-8622011", "青岚县建设路20号"),
    ("work_relief", "县以工代赈办", "0818-8622112", "青岚县政务中心5楼"),
    ("human_resources", "县人社局", "0818-8622213", "青岚县人社服务中心3楼"),
];

/// (code, name, customer phone, the short names clerks write, whether card numbers are checked
/// for their Luhn digit). The rural commercial bank pays most lines, as in most counties, many of
/// them into passbook accounts (一本通) that carry no check digit; every demo card number has one.
pub const BANKS: &[(&str, &str, &str, &str, bool)] = &[
    ("rcb", "青岚农村商业银行", "0818-8630001", "农商行,农商银行,农村商业银行,信用社,农村信用社,农信,农信社", false),
    ("abc", "中国农业银行青岚县支行", "0818-8630002", "农行,农业银行,中国农业银行", true),
    ("psbc", "中国邮政储蓄银行青岚县支行", "0818-8630003", "邮储,邮储银行,邮政储蓄银行,邮政银行,中国邮政", true),
    ("ccb", "中国建设银行青岚县支行", "0818-8630004", "建行,建设银行,中国建设银行", true),
    ("icbc", "中国工商银行青岚县支行", "0818-8630005", "工行,工商银行,中国工商银行", true),
];

pub const fn pay(per_10k: u32, who: Who, amount: Amount, month: u32) -> Option<Payout> {
    Some(Payout { per_10k, who, amount, month })
}

pub const ADULT: Who = Who::Age(18, 100);
pub const ALL: Who = Who::Age(0, 110);

/// An item of a catalogue, field by field in `ItemSpec`'s order.
macro_rules! item {
    ($code:expr, $name:expr, $level:expr, $dept:expr, $std:expr, $std_fen:expr, $freq:expr, $hh:expr, $aliases:expr, $years:expr, $payout:expr) => {
        ItemSpec {
            code: $code,
            name: $name,
            level: $level,
            department: $dept,
            standard: $std,
            standard_fen: $std_fen,
            frequency: $freq,
            per_household: $hh,
            aliases: $aliases,
            first_year: $years.0,
            last_year: $years.1,
            payout: $payout,
        }
    };
}

pub(super) use item;

/// Paid in every year of the demo.
pub const ALWAYS: (i32, i32) = (2024, 2026);

/// Parents come before their sub-items (`14` before `14-01`).
pub const ITEMS: &[ItemSpec] = &[
    item!(
        "01",
        "耕地地力保护补贴资金",
        "central",
        "agriculture",
        "按第二轮承包耕地面积补贴，每亩每年105元",
        None,
        "yearly",
        true,
        "耕地补贴 地力补贴 种粮补贴",
        ALWAYS,
        pay(2600, Who::Household, Amount::PerMu(10_500, 2, 12), 5)
    ),
    item!(
        "02",
        "农机购置补贴资金",
        "central",
        "agriculture",
        "按农机购置补贴额一览表定额补贴，单台最高30000元",
        Some(3_000_000),
        "as_needed",
        false,
        "农机补贴 农机购置",
        ALWAYS,
        pay(40, Who::Household, Amount::Range(150_000, 3_000_000), 0)
    ),
    item!(
        "03",
        "稻谷目标价格补贴资金",
        "provincial",
        "agriculture",
        "按核定稻谷种植面积补贴，每亩每年35元",
        None,
        "yearly",
        true,
        "稻谷补贴",
        ALWAYS,
        pay(900, Who::Household, Amount::PerMu(3_500, 1, 8), 11)
    ),
    item!(
        "04",
        "农村部分计划生育家庭奖励扶助资金",
        "central",
        "health",
        "年满60周岁的扶助对象每人每年960元",
        Some(96_000),
        "yearly",
        false,
        "计生奖扶 奖励扶助",
        ALWAYS,
        pay(300, Who::Age(60, 100), Amount::Fixed(96_000), 3)
    ),
    item!(
        "05",
        "计划生育家庭特别扶助补助资金",
        "central",
        "health",
        "独生子女伤残家庭每人每月590元，死亡家庭每人每月720元",
        Some(72_000),
        "monthly",
        false,
        "计生特扶 特别扶助",
        ALWAYS,
        pay(30, Who::Age(49, 100), Amount::Range(59_000, 72_000), 0)
    ),
    item!(
        "06",
        "教育资助资金",
        "provincial",
        "education",
        "见各子项",
        None,
        "half_yearly",
        false,
        "教育资助 学生资助",
        ALWAYS,
        None
    ),
    item!(
        "06-01",
        "建档立卡中职学生特别补助",
        "provincial",
        "education",
        "每生每年3000元，分两学期发放",
        Some(150_000),
        "half_yearly",
        false,
        "中职补助",
        ALWAYS,
        pay(40, Who::Age(15, 19), Amount::Fixed(150_000), 0)
    ),
    item!(
        "06-02",
        "学前教育减免保教费资金",
        "provincial",
        "education",
        "每生每学期750元",
        Some(75_000),
        "half_yearly",
        false,
        "保教费 学前资助",
        ALWAYS,
        pay(150, Who::Age(3, 6), Amount::Fixed(75_000), 0)
    ),
    item!(
        "06-03",
        "义务教育贫困寄宿生生活补助资金",
        "central",
        "education",
        "小学每生每年1000元，初中每生每年1250元，分两学期发放",
        Some(62_500),
        "half_yearly",
        false,
        "寄宿生补助 贫困寄宿生",
        ALWAYS,
        pay(300, Who::Age(7, 15), Amount::Range(50_000, 62_500), 0)
    ),
    item!(
        "06-04",
        "普通高中免学费",
        "provincial",
        "education",
        "每生每学期800元",
        Some(80_000),
        "half_yearly",
        false,
        "高中免学费",
        ALWAYS,
        pay(100, Who::Age(15, 18), Amount::Fixed(80_000), 0)
    ),
    item!(
        "06-05",
        "教育扶贫救助基金",
        "municipal",
        "education",
        "每生每年1000至3000元",
        Some(300_000),
        "yearly",
        false,
        "教育救助",
        ALWAYS,
        pay(30, Who::Age(7, 22), Amount::Range(100_000, 300_000), 9)
    ),
    item!(
        "07",
        "建档立卡贫困本专科（含高职）学生特别补助（含“雨露”计划）",
        "provincial",
        "education",
        "每生每学期1500元",
        Some(150_000),
        "half_yearly",
        false,
        "雨露计划 雨露 大学生补助",
        ALWAYS,
        pay(50, Who::Age(18, 22), Amount::Fixed(150_000), 0)
    ),
    item!(
        "08",
        "困难大学生就业帮扶补助资金",
        "provincial",
        "employment",
        "每人一次性1000元",
        Some(100_000),
        "one_off",
        false,
        "大学生就业补助 就业帮扶",
        ALWAYS,
        pay(10, Who::Age(21, 24), Amount::Fixed(100_000), 7)
    ),
    item!(
        "09",
        "退耕还林直补退耕农户资金",
        "central",
        "natural_resources",
        "补助期内按退耕面积每亩每年125元",
        None,
        "yearly",
        true,
        "退耕还林 退耕补助",
        ALWAYS,
        pay(500, Who::Household, Amount::PerMu(12_500, 1, 10), 12)
    ),
    item!(
        "10",
        "森林生态效益补偿资金",
        "central",
        "natural_resources",
        "集体和个人所有的国家级公益林每亩每年16元",
        None,
        "yearly",
        true,
        "公益林补偿 生态补偿 森林补偿",
        ALWAYS,
        pay(1200, Who::Household, Amount::PerMu(1_600, 5, 60), 11)
    ),
    item!(
        "11",
        "地质灾害避险搬迁资金",
        "provincial",
        "natural_resources",
        "每户一次性补助最高40000元",
        Some(4_000_000),
        "one_off",
        true,
        "避险搬迁 地灾搬迁",
        ALWAYS,
        pay(3, Who::Household, Amount::Range(2_000_000, 4_000_000), 0)
    ),
    item!(
        "12",
        "大中型水库移民后期扶持直发直补资金",
        "central",
        "poverty_relief",
        "每人每年600元，按季度发放",
        Some(15_000),
        "quarterly",
        false,
        "移民补助 水库移民 后期扶持",
        ALWAYS,
        pay(300, ALL, Amount::Fixed(15_000), 0)
    ),
    item!(
        "13",
        "自然灾害生活救助资金",
        "central",
        "emergency",
        "见各子项",
        None,
        "as_needed",
        false,
        "灾害救助 受灾救助",
        ALWAYS,
        None
    ),
    item!(
        "13-01",
        "过渡期生活救助金",
        "central",
        "emergency",
        "每人每天20元，救助期限一般不超过3个月",
        Some(180_000),
        "as_needed",
        false,
        "过渡期救助",
        ALWAYS,
        pay(15, ALL, Amount::Range(60_000, 180_000), 0)
    ),
    item!(
        "13-02",
        "倒损住房恢复重建资金",
        "central",
        "emergency",
        "倒房重建每户20000至40000元，损房维修每户2000至8000元",
        Some(4_000_000),
        "one_off",
        true,
        "倒房重建 损房维修",
        ALWAYS,
        pay(5, Who::Household, Amount::Range(200_000, 4_000_000), 0)
    ),
    item!(
        "13-03",
        "因灾遇难人员抚慰金",
        "central",
        "emergency",
        "每名遇难人员家属抚慰金20000元",
        Some(2_000_000),
        "as_needed",
        false,
        "遇难抚慰金",
        ALWAYS,
        None
    ),
    item!(
        "13-04",
        "冬令春荒期间受灾困难群众临时生活救助金",
        "central",
        "emergency",
        "每人300至1000元",
        Some(100_000),
        "as_needed",
        false,
        "冬春救助 冬令春荒",
        ALWAYS,
        pay(100, ADULT, Amount::Range(30_000, 100_000), 1)
    ),
    item!(
        "13-05",
        "其他直接支付给受灾人员的生活救助资金",
        "central",
        "emergency",
        "按灾情核定",
        None,
        "as_needed",
        false,
        "",
        ALWAYS,
        None
    ),
    item!(
        "14",
        "困难群众救助资金",
        "central",
        "civil_affairs",
        "见各子项",
        None,
        "monthly",
        false,
        "社会救助 困难群众",
        ALWAYS,
        None
    ),
    item!(
        "14-01",
        "最低生活保障金",
        "central",
        "civil_affairs",
        "按家庭人均收入与保障标准的差额按月发放，农村保障标准每人每月620元",
        Some(62_000),
        "monthly",
        false,
        "低保 低保金 最低生活保障 农村低保",
        ALWAYS,
        pay(600, ALL, Amount::Range(15_000, 62_000), 0)
    ),
    item!(
        "14-02",
        "分散特困人员救助供养金",
        "central",
        "civil_affairs",
        "基本生活标准每人每月806元",
        Some(80_600),
        "monthly",
        false,
        "五保 五保供养 特困 特困供养",
        ALWAYS,
        pay(120, Who::Age(16, 100), Amount::Fixed(80_600), 0)
    ),
    item!(
        "14-03",
        "临时救助资金（部分急难型临时救助金除外）",
        "central",
        "civil_affairs",
        "一般每户500至5000元",
        Some(500_000),
        "as_needed",
        false,
        "临时救助",
        ALWAYS,
        pay(120, ADULT, Amount::Range(50_000, 500_000), 0)
    ),
    item!(
        "14-04",
        "分散养孤儿和艾滋病毒感染儿童基本生活费",
        "central",
        "civil_affairs",
        "每人每月1400元",
        Some(140_000),
        "monthly",
        false,
        "孤儿 孤儿基本生活费",
        ALWAYS,
        pay(10, Who::Age(1, 17), Amount::Fixed(140_000), 0)
    ),
    item!("15", "社会救助救济资金", "central", "civil_affairs", "见各子项", None, "monthly", false, "", ALWAYS, None),
    item!(
        "15-01",
        "困难残疾人生活补贴",
        "central",
        "civil_affairs",
        "每人每月90元",
        Some(9_000),
        "monthly",
        false,
        "残疾人补贴 残疾人两项补贴 两项补贴",
        ALWAYS,
        pay(250, ALL, Amount::Fixed(9_000), 0)
    ),
    item!(
        "15-02",
        "重度残疾人护理补贴",
        "central",
        "civil_affairs",
        "一级每人每月100元，二级每人每月80元",
        Some(10_000),
        "monthly",
        false,
        "护理补贴 残疾人两项补贴 两项补贴",
        ALWAYS,
        pay(200, ALL, Amount::Range(8_000, 10_000), 0)
    ),
    item!(
        "15-03",
        "襄渝铁路西段伤残民兵民工及遗属定期生活补助金",
        "provincial",
        "civil_affairs",
        "按核定标准每月发放",
        Some(70_000),
        "monthly",
        false,
        "襄渝铁路补助",
        ALWAYS,
        pay(3, Who::Age(75, 100), Amount::Range(40_000, 70_000), 0)
    ),
    item!(
        "15-04",
        "精简退职职工救济金",
        "central",
        "civil_affairs",
        "按本人原标准工资的40%每月发放",
        Some(60_000),
        "monthly",
        false,
        "精简退职",
        ALWAYS,
        pay(3, Who::Age(80, 100), Amount::Range(30_000, 60_000), 0)
    ),
    item!(
        "15-05",
        "起义投诚人员生活补助金",
        "central",
        "civil_affairs",
        "每人每月800元",
        Some(80_000),
        "monthly",
        false,
        "起义投诚",
        ALWAYS,
        pay(1, Who::Age(90, 110), Amount::Fixed(80_000), 0)
    ),
    item!(
        "15-06",
        "特殊困难儿童资助金",
        "county",
        "civil_affairs",
        "每人每月300元",
        Some(30_000),
        "monthly",
        false,
        "困境儿童 特殊困难儿童",
        ALWAYS,
        pay(20, Who::Age(1, 17), Amount::Fixed(30_000), 0)
    ),
    item!(
        "16",
        "城乡医疗救助（实行“一站式”结算的资金除外）",
        "central",
        "medical_security",
        "按政策范围内个人自付费用的一定比例救助，年度最高30000元",
        Some(3_000_000),
        "as_needed",
        false,
        "医疗救助 大病救助",
        ALWAYS,
        pay(150, ALL, Amount::Range(20_000, 800_000), 0)
    ),
    item!(
        "17",
        "优抚对象抚恤和补助资金",
        "central",
        "civil_affairs",
        "按优抚对象类别和等级，每月发放",
        Some(400_000),
        "monthly",
        false,
        "优抚 抚恤 优抚对象",
        ALWAYS,
        pay(60, Who::Age(55, 100), Amount::Range(80_000, 250_000), 0)
    ),
    item!(
        "18",
        "农村危房改造资金补助资金",
        "central",
        "housing",
        "每户15000至35000元",
        Some(3_500_000),
        "one_off",
        true,
        "危房改造 危改",
        ALWAYS,
        pay(15, Who::Household, Amount::Range(1_500_000, 3_500_000), 0)
    ),
    item!(
        "19",
        "易地扶贫搬迁补助资金",
        "provincial",
        "work_relief",
        "建档立卡搬迁户每人25000元",
        Some(2_500_000),
        "one_off",
        false,
        "易地搬迁 扶贫搬迁",
        ALWAYS,
        pay(10, ADULT, Amount::Fixed(2_500_000), 0)
    ),
    item!(
        "20",
        "高龄津贴",
        "county",
        "civil_affairs",
        "80至89周岁每人每月50元，90至99周岁每人每月100元，100周岁以上每人每月300元",
        Some(30_000),
        "monthly",
        false,
        "高龄补贴 高龄津贴 老年人补贴 长寿补贴",
        ALWAYS,
        pay(10_000, Who::Age(80, 110), Amount::ByAge(5_000, 10_000, 30_000), 0)
    ),
    item!(
        "21",
        "“五小庭院”经济补贴资金",
        "county",
        "agriculture",
        "验收合格每户1000至3000元",
        Some(300_000),
        "yearly",
        true,
        "五小庭院 庭院经济",
        (2025, 2026),
        pay(200, Who::Household, Amount::Range(100_000, 300_000), 10)
    ),
    item!(
        "22",
        "农村公益性岗位补助",
        "county",
        "employment",
        "每人每月500元",
        Some(50_000),
        "monthly",
        false,
        "公益性岗位 公益岗",
        ALWAYS,
        pay(100, Who::Age(40, 65), Amount::Fixed(50_000), 0)
    ),
    item!(
        "23",
        "精准扶贫培训生活交通补助",
        "county",
        "employment",
        "培训期间每人每天50元",
        Some(100_000),
        "as_needed",
        false,
        "培训补助",
        (2024, 2025),
        pay(50, Who::Age(18, 55), Amount::Range(30_000, 100_000), 0)
    ),
    item!(
        "24",
        "草原生态保护补助奖励资金",
        "central",
        "agriculture",
        "见各子项",
        None,
        "yearly",
        true,
        "草原补奖 草原生态",
        ALWAYS,
        None
    ),
    item!(
        "24-01",
        "草原禁牧补贴资金",
        "central",
        "agriculture",
        "禁牧草原每亩每年7.5元",
        None,
        "yearly",
        true,
        "禁牧补贴",
        ALWAYS,
        pay(50, Who::Household, Amount::PerMu(750, 50, 500), 8)
    ),
    item!(
        "24-02",
        "草畜平衡奖励资金",
        "central",
        "agriculture",
        "草畜平衡草原每亩每年2.5元",
        None,
        "yearly",
        true,
        "草畜平衡",
        ALWAYS,
        pay(50, Who::Household, Amount::PerMu(250, 50, 500), 8)
    ),
    item!(
        "25",
        "藏区新居建设补助资金",
        "provincial",
        "housing",
        "按省定标准每户一次性补助（本县不涉及）",
        None,
        "one_off",
        true,
        "藏区新居",
        ALWAYS,
        None
    ),
    item!(
        "26",
        "跨省务工一次性交通补贴",
        "provincial",
        "poverty_relief",
        "跨省务工的脱贫劳动力每人一次性不超过500元",
        Some(50_000),
        "one_off",
        false,
        "交通补贴 务工补贴 跨省务工",
        (2026, 2026),
        pay(100, Who::Age(18, 55), Amount::Range(20_000, 50_000), 3)
    ),
];

/// The published standard of an item in a given year; the minimum-living-allowance and the
/// extreme-poverty standards rise each year, as they do in practice.
pub fn standard_for(spec: &ItemSpec, year: i32) -> (String, Option<i64>) {
    match (spec.code, year) {
        ("14-01", 2024) => ("按家庭人均收入与保障标准的差额按月发放，农村保障标准每人每月560元".into(), Some(56_000)),
        ("14-01", 2025) => ("按家庭人均收入与保障标准的差额按月发放，农村保障标准每人每月590元".into(), Some(59_000)),
        ("14-02", 2024) => ("基本生活标准每人每月728元".into(), Some(72_800)),
        ("14-02", 2025) => ("基本生活标准每人每月760元".into(), Some(76_000)),
        _ => (spec.standard.to_string(), spec.standard_fen),
    }
}
