//! The demo province: a fictional province (岚江省, 演示) with two cities and five counties, each
//! county's catalogue and departments taken from one seed document. `QINGLAN` alone is the
//! one-county demo (`PORTAL_DEMO_COUNTIES=1`).

use super::catalogue::{item, pay, Amount, ItemSpec, Who, ADULT, ALL, ALWAYS, DEPARTMENTS, FINANCE};

/// (code, name, phone, address) of a department; the code says what it does (the same code in
/// every county: `civil_affairs` is each county's 民政局), and items name it by that code.
pub type Department = (&'static str, &'static str, &'static str, &'static str);

/// One demo county.
pub struct Plan {
    /// A code of GB/T 2260's shape assigned to no real county, so no demo ID number (which starts
    /// with it) can be a real person's.
    pub code: &'static str,
    pub name: &'static str,
    /// The county's short name, as it begins its departments' and notices' names ("青岚县").
    pub short: &'static str,
    /// Index in `CITIES`.
    pub city: usize,
    /// Index in `notices::SEED_NOTICES` of the seed document the county's catalogue comes from.
    pub seed: usize,
    /// Townships (or street offices, 街道); the first is the county seat, whose villages are
    /// communities (社区).
    pub townships: &'static [&'static str],
    /// The county's departments; one has the code `FINANCE`.
    pub departments: &'static [Department],
    /// Codes of `catalogue::ITEMS` the county pays (`None`: all of them). A sub-item's parent
    /// comes with it.
    pub items: Option<&'static [&'static str]>,
    /// The county's own items, after the shared ones.
    pub own_items: &'static [ItemSpec],
    /// Number prefix of the county's catalogue notices ("青财发").
    pub notice_prefix: &'static str,
}

/// The province above the counties.
pub const PROVINCE: (&str, &str) = ("519000", "岚江省（演示）");
/// The two cities, by code and name.
pub const CITIES: &[(&str, &str)] = &[("519100", "岚山市（演示）"), ("519200", "云水市（演示）")];

/// The Wanyuan list (seed 000) with the Sichuan items it lacks: the one-county demo.
pub const QINGLAN: Plan = Plan {
    code: "510999",
    name: "青岚县（演示）",
    short: "青岚县",
    city: 0,
    seed: 0,
    townships: &[
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
    ],
    departments: DEPARTMENTS,
    items: None,
    own_items: &[],
    notice_prefix: "青财发",
};

/// The five counties of the default demo, city by city.
pub const PLANS: &[&Plan] = &[&QINGLAN, &EXI, &WEIHE, &SIYUAN, &DUFENG];

/// Leshan's rules (seed 001) with the Sichuan pilot's list of 18 items and every sub-item of
/// theirs, paid by the county departments the list names, and one county item.
pub const EXI: Plan = Plan {
    code: "510998",
    name: "峨溪县（演示）",
    short: "峨溪县",
    city: 0,
    seed: 1,
    townships: &[
        "峨溪镇",
        "临江镇",
        "黄桷镇",
        "新场镇",
        "九里镇",
        "观音镇",
        "高桥镇",
        "龙池乡",
        "杉木乡",
        "双溪乡",
        "茶坪乡",
        "梅子坝乡",
    ],
    departments: &[
        (FINANCE, "县财政局", "0833-7261001", "峨溪县政务服务中心2楼"),
        ("agriculture", "县农业农村局", "0833-7261102", "峨溪县农业大楼4楼"),
        ("health", "县卫生健康局", "0833-7261203", "峨溪县健康路18号"),
        ("education", "县教育局", "0833-7261304", "峨溪县学府路6号"),
        ("employment", "县就业服务管理局", "0833-7261405", "峨溪县人社服务中心1楼"),
        ("natural_resources", "县自然资源局", "0833-7261506", "峨溪县滨江路102号"),
        ("poverty_relief", "县扶贫移民局", "0833-7261607", "峨溪县政务服务中心5楼"),
        ("emergency", "县应急管理局", "0833-7261708", "峨溪县政务服务中心6楼"),
        ("civil_affairs", "县民政局", "0833-7261809", "峨溪县民政大楼3楼"),
        ("medical_security", "县医疗保障局", "0833-7261910", "峨溪县人民南路33号"),
        ("housing", "县住房和城乡建设局", "0833-7262011", "峨溪县建设路15号"),
    ],
    items: Some(&[
        "01", "02", "04", "05", "06", "06-01", "07", "08", "09", "10", "12", "13", "13-01", "13-02", "13-03", "13-04",
        "13-05", "14", "14-01", "14-02", "14-03", "14-04", "15", "15-01", "15-02", "15-03", "15-04", "15-05", "15-06",
        "16", "17", "18", "24", "24-01", "24-02", "25",
    ]),
    own_items: EXI_ITEMS,
    notice_prefix: "峨财发",
};

/// Weidong's plan (seed 002): an urban district with a few villages left, the district
/// departments the plan names (transport, veterans' affairs and the disabled persons'
/// federation among them), no grassland or Tibetan-area items.
pub const WEIHE: Plan = Plan {
    code: "510997",
    name: "卫河区（演示）",
    short: "卫河区",
    city: 0,
    seed: 2,
    townships: &[
        "卫河街道",
        "东岗街道",
        "文昌路街道",
        "建业路街道",
        "河滨街道",
        "光明路街道",
        "北湖街道",
        "曙光街道",
        "南岭街道",
        "西苑街道",
        "柳营镇",
        "桃园乡",
    ],
    departments: &[
        (FINANCE, "区财政局", "0375-6981001", "卫河区政务服务中心3楼"),
        ("education", "区教体局", "0375-6981102", "卫河区文化路21号"),
        ("civil_affairs", "区民政局", "0375-6981203", "卫河区政务服务中心5楼"),
        ("human_resources", "区人社局", "0375-6981304", "卫河区人力资源市场2楼"),
        ("housing", "区住建局", "0375-6981405", "卫河区建设路66号"),
        ("transport", "区交通局", "0375-6981506", "卫河区东环路9号"),
        ("agriculture", "区农业农村水利局", "0375-6981607", "卫河区河滨路12号"),
        ("health", "区卫健委", "0375-6981708", "卫河区健康路30号"),
        ("veterans", "区退役军人事务局", "0375-6981809", "卫河区政务服务中心4楼"),
        ("emergency", "区应急管理局", "0375-6981910", "卫河区政务服务中心6楼"),
        ("disabled", "区残联", "0375-6982011", "卫河区残疾人综合服务中心1楼"),
    ],
    items: Some(&[
        "01", "02", "04", "05", "06", "06-02", "06-03", "06-04", "13", "13-01", "13-02", "13-03", "13-04", "13-05",
        "14", "14-01", "14-02", "14-03", "14-04", "15", "15-01", "15-02", "15-04", "15-05", "18",
    ]),
    own_items: WEIHE_ITEMS,
    notice_prefix: "卫财发",
};

/// Sishui's pilot (seed 003): the eleven departments of its plan, the trade union and the
/// disabled persons' federation among them; no emergency or housing items.
pub const SIYUAN: Plan = Plan {
    code: "510996",
    name: "泗源县（演示）",
    short: "泗源县",
    city: 1,
    seed: 3,
    townships: &[
        "泗源街道",
        "洙河街道",
        "泉湖镇",
        "石井镇",
        "南陈镇",
        "柳林镇",
        "龙湾镇",
        "峪口镇",
        "东岭镇",
        "北庄镇",
        "安山镇",
        "华村镇",
    ],
    departments: &[
        (FINANCE, "县财政局", "0537-4861001", "泗源县政务服务中心3楼"),
        ("natural_resources", "县自然资源和规划局", "0537-4861102", "泗源县泉源大道56号"),
        ("education", "县教育体育局", "0537-4861203", "泗源县文昌路8号"),
        ("civil_affairs", "县民政局", "0537-4861304", "泗源县政务服务中心4楼"),
        ("human_resources", "县人力资源社会保障局", "0537-4861405", "泗源县人社服务大厅1楼"),
        ("agriculture", "县农业农村局", "0537-4861506", "泗源县农业大楼2楼"),
        ("health", "县卫生健康局", "0537-4861607", "泗源县健康路19号"),
        ("veterans", "县退役军人事务局", "0537-4861708", "泗源县拥军路3号"),
        ("medical_security", "县医保局", "0537-4861809", "泗源县政务服务中心1楼"),
        ("trade_union", "县总工会", "0537-4861910", "泗源县职工服务中心2楼"),
        ("disabled", "县残疾人联合会", "0537-4862011", "泗源县残疾人康复中心3楼"),
    ],
    items: Some(&[
        "01", "02", "04", "05", "06", "06-02", "06-03", "06-04", "10", "14", "14-01", "14-02", "14-03", "14-04", "15",
        "15-01", "15-02", "15-04", "15-05", "16",
    ]),
    own_items: SIYUAN_ITEMS,
    notice_prefix: "泗财发",
};

/// Dushan's 2024 county catalogue (seed 004): the sixteen issuing departments and a catalogue
/// of 57 entries (parents and sub-items each counted), as the notice announces: 25 shared
/// items and 32 of Guizhou's own.
pub const DUFENG: Plan = Plan {
    code: "510995",
    name: "独峰县（演示）",
    short: "独峰县",
    city: 1,
    seed: 4,
    townships: &[
        "峰城街道",
        "翠屏街道",
        "兴隆镇",
        "羊场镇",
        "岩脚镇",
        "打鼓镇",
        "高寨镇",
        "麻坝镇",
        "甲里镇",
        "拉寨乡",
        "水岩乡",
        "坡头乡",
    ],
    departments: &[
        (FINANCE, "县财政局", "0854-3621001", "独峰县政务服务中心3楼"),
        ("organization", "县委组织部", "0854-3621102", "独峰县行政中心1号楼4楼"),
        ("education", "县教育局", "0854-3621203", "独峰县文峰路10号"),
        ("civil_affairs", "县民政局", "0854-3621304", "独峰县政务服务中心5楼"),
        ("human_resources", "县人力资源和社会保障局", "0854-3621405", "独峰县人社服务中心2楼"),
        ("housing", "县住房和城乡建设局", "0854-3621506", "独峰县建设路28号"),
        ("water", "县水务局", "0854-3621607", "独峰县滨河路15号"),
        ("agriculture", "县农业农村局", "0854-3621708", "独峰县农业大楼3楼"),
        ("health", "县卫生健康局", "0854-3621809", "独峰县健康路7号"),
        ("veterans", "县退役军人事务局", "0854-3621910", "独峰县政务服务中心6楼"),
        ("emergency", "县应急管理局", "0854-3622011", "独峰县政务服务中心7楼"),
        ("rural_revitalization", "县乡村振兴局", "0854-3622112", "独峰县行政中心2号楼3楼"),
        ("resettlement", "县生态移民局", "0854-3622213", "独峰县行政中心2号楼5楼"),
        ("forestry", "县林业局", "0854-3622314", "独峰县林业大楼2楼"),
        ("disabled", "县残疾人联合会", "0854-3622415", "独峰县残疾人综合服务中心2楼"),
        ("youth_league", "共青团独峰县委员会", "0854-3622516", "独峰县行政中心1号楼6楼"),
    ],
    items: Some(&[
        "01", "02", "04", "05", "06", "06-02", "06-03", "06-04", "13", "13-01", "13-02", "13-03", "13-04", "13-05",
        "14", "14-01", "14-02", "14-03", "14-04", "15", "15-01", "15-02", "15-04", "15-05", "18",
    ]),
    own_items: DUFENG_ITEMS,
    notice_prefix: "独财办",
};

/// 残疾人机动轮椅车燃油补贴: a central item the disabled persons' federation pays, with the same
/// code and standard in every county that has one.
const WHEELCHAIR_FUEL: ItemSpec = item!(
    "29",
    "残疾人机动轮椅车燃油补贴",
    "central",
    "disabled",
    "持有效机动轮椅车行驶证的下肢残疾人每人每年260元",
    Some(26_000),
    "yearly",
    false,
    "燃油补贴 轮椅车补贴 残疾人燃油补贴",
    ALWAYS,
    pay(5, Who::Age(30, 75), Amount::Fixed(26_000), 11)
);

/// 优抚: the shared list's item 17 as counties with a veterans' affairs bureau pay it (民政
/// paid it before the bureaus were set up in 2019); the same code in every such county.
const VETERANS_CARE: ItemSpec = item!(
    "30",
    "重点优抚对象抚恤和生活补助资金",
    "central",
    "veterans",
    "按优抚对象类别和残疾等级分别确定标准，按月发放",
    Some(400_000),
    "monthly",
    false,
    "优抚 抚恤 优抚对象 定期抚恤 定期生活补助",
    ALWAYS,
    pay(60, Who::Age(55, 100), Amount::Range(80_000, 250_000), 0)
);

/// 峨溪县's own item after the Sichuan list: its old-age allowance.
const EXI_ITEMS: &[ItemSpec] = &[item!(
    "27",
    "高龄老人津贴",
    "county",
    "civil_affairs",
    "80至89周岁每人每月60元，90至99周岁每人每月150元，100周岁以上每人每月500元",
    Some(50_000),
    "monthly",
    false,
    "高龄津贴 高龄补贴 老年人补贴 长寿补贴",
    ALWAYS,
    pay(10_000, Who::Age(80, 110), Amount::ByAge(6_000, 15_000, 50_000), 0)
)];

/// 卫河区's own items: those of the departments the shared list lacks (transport, veterans'
/// affairs, the disabled persons' federation, human resources) and the district's old-age
/// allowance.
const WEIHE_ITEMS: &[ItemSpec] = &[
    WHEELCHAIR_FUEL,
    VETERANS_CARE,
    item!(
        "31",
        "城市出租汽车油价补贴资金",
        "central",
        "transport",
        "按车辆运营里程核定，每车每年3000至6000元",
        Some(600_000),
        "yearly",
        false,
        "出租车补贴 油补 油价补贴 燃油补贴",
        ALWAYS,
        pay(15, Who::Age(25, 60), Amount::Range(300_000, 600_000), 6)
    ),
    item!(
        "32",
        "义务兵家庭优待金",
        "county",
        "veterans",
        "按上年度本区城镇居民人均可支配收入的50%核定，每户每年18000元",
        Some(1_800_000),
        "yearly",
        true,
        "优待金 义务兵优待金 参军优待",
        ALWAYS,
        pay(8, Who::Household, Amount::Fixed(1_800_000), 8)
    ),
    item!(
        "33",
        "残疾学生及残疾人家庭子女助学补助",
        "county",
        "disabled",
        "考入普通高校的本科生每人5000元、专科生每人3000元，普通高中及中职在校生每人每年1000元",
        Some(500_000),
        "yearly",
        false,
        "残疾学生助学 残疾人子女助学 助学补助",
        ALWAYS,
        pay(10, Who::Age(15, 22), Amount::Range(100_000, 500_000), 9)
    ),
    item!(
        "34",
        "就业困难人员灵活就业社会保险补贴",
        "central",
        "human_resources",
        "按实际缴纳基本养老、基本医疗保险费的三分之二给予补贴，期限最长不超过3年",
        None,
        "half_yearly",
        false,
        "社保补贴 灵活就业补贴 就业困难人员补贴",
        ALWAYS,
        pay(40, Who::Age(40, 60), Amount::Range(150_000, 280_000), 0)
    ),
    item!(
        "35",
        "高龄津贴",
        "county",
        "civil_affairs",
        "80至89周岁每人每月50元，90至99周岁每人每月100元，100周岁以上每人每月500元",
        Some(50_000),
        "monthly",
        false,
        "高龄津贴 高龄补贴 老年人补贴 长寿补贴 百岁老人补贴",
        ALWAYS,
        pay(10_000, Who::Age(80, 110), Amount::ByAge(5_000, 10_000, 50_000), 0)
    ),
];

/// 泗源县's own items: veterans' affairs, the trade union, the disabled persons' federation,
/// rural public-welfare jobs and the county's old-age allowance.
const SIYUAN_ITEMS: &[ItemSpec] = &[
    WHEELCHAIR_FUEL,
    VETERANS_CARE,
    item!(
        "41",
        "义务兵家庭优待金",
        "county",
        "veterans",
        "按上年度全县农村居民人均可支配收入核定，每户每年12000元",
        Some(1_200_000),
        "yearly",
        true,
        "优待金 义务兵优待金 参军优待",
        ALWAYS,
        pay(8, Who::Household, Amount::Fixed(1_200_000), 8)
    ),
    item!(
        "42",
        "困难职工帮扶救助金",
        "county",
        "trade_union",
        "建档困难职工家庭每户每年2000至5000元，春节前发放",
        Some(500_000),
        "yearly",
        true,
        "困难职工 职工帮扶 送温暖 工会帮扶",
        ALWAYS,
        pay(20, Who::Household, Amount::Range(200_000, 500_000), 1)
    ),
    item!(
        "43",
        "困难职工子女助学金",
        "county",
        "trade_union",
        "困难职工子女考入普通高校的，本科每人5000元，专科每人3000元",
        Some(500_000),
        "one_off",
        false,
        "金秋助学 工会助学 职工子女助学",
        ALWAYS,
        pay(15, Who::Age(18, 20), Amount::Range(300_000, 500_000), 8)
    ),
    item!(
        "44",
        "残疾学生及残疾人家庭子女教育资助",
        "county",
        "disabled",
        "学前至高中阶段每人每年1000元，普通高校每人每年3000至5000元",
        Some(500_000),
        "yearly",
        false,
        "残疾学生资助 残疾人子女资助 教育资助",
        ALWAYS,
        pay(10, Who::Age(4, 22), Amount::Range(100_000, 500_000), 9)
    ),
    item!(
        "45",
        "乡村公益性岗位补贴",
        "provincial",
        "human_resources",
        "在岗人员每人每月600元，按月发放",
        Some(60_000),
        "monthly",
        false,
        "公益岗 公益性岗位 乡村公益岗",
        ALWAYS,
        pay(80, Who::Age(40, 65), Amount::Fixed(60_000), 0)
    ),
    item!(
        "46",
        "高龄津贴",
        "county",
        "civil_affairs",
        "80至89周岁每人每月100元，90至99周岁每人每月200元，100周岁以上每人每月600元",
        Some(60_000),
        "monthly",
        false,
        "高龄津贴 高龄补贴 老年人补贴 长寿补贴 百岁老人补贴",
        ALWAYS,
        pay(10_000, Who::Age(80, 110), Amount::ByAge(10_000, 20_000, 60_000), 0)
    ),
];

/// 独峰县's own items, Guizhou's province-wide ones and the county's, so that its catalogue
/// has the 57 entries of Dushan's: the items of the departments the shared list lacks
/// (forestry, water, resettlement, rural revitalisation, organisation, youth league, veterans'
/// affairs, the disabled persons' federation, human resources), Guizhou's versions of shared
/// items another department pays there (`26` is the shared item's code: the same item, paid by
/// 乡村振兴 here), and education and civil-affairs items the shared list lacks.
const DUFENG_ITEMS: &[ItemSpec] = &[
    item!(
        "26",
        "跨省务工一次性交通补贴",
        "provincial",
        "rural_revitalization",
        "跨省务工的脱贫劳动力（含防止返贫监测对象）每人每年一次性不超过500元",
        Some(50_000),
        "one_off",
        false,
        "交通补贴 务工补贴 跨省务工",
        ALWAYS,
        pay(100, Who::Age(18, 55), Amount::Range(20_000, 50_000), 3)
    ),
    WHEELCHAIR_FUEL,
    VETERANS_CARE,
    item!(
        "51",
        "农村户用卫生厕所改造奖补资金",
        "provincial",
        "agriculture",
        "验收合格的改厕农户每户一次性奖补1000至1500元",
        Some(150_000),
        "one_off",
        true,
        "改厕 厕所革命 户厕改造",
        (2024, 2025),
        pay(60, Who::Household, Amount::Range(100_000, 150_000), 0)
    ),
    item!(
        "52",
        "生态护林员补助资金",
        "central",
        "forestry",
        "选聘的生态护林员每人每年10000元，按季度发放",
        Some(250_000),
        "quarterly",
        false,
        "护林员 生态护林员 护林员工资",
        ALWAYS,
        pay(40, Who::Age(25, 60), Amount::Fixed(250_000), 0)
    ),
    item!(
        "53",
        "新一轮退耕还林补助资金",
        "central",
        "forestry",
        "还生态林每亩补助1200元，分三次兑现（第一年500元、第三年300元、第五年400元）",
        None,
        "yearly",
        true,
        "退耕还林 退耕补助 退耕款",
        ALWAYS,
        pay(400, Who::Household, Amount::PerMu(40_000, 1, 8), 12)
    ),
    item!(
        "54",
        "森林生态效益补偿资金",
        "central",
        "forestry",
        "集体和个人所有的国家级公益林每亩每年16元，地方公益林每亩每年10元",
        None,
        "yearly",
        true,
        "公益林补偿 生态补偿 森林补偿",
        ALWAYS,
        pay(1000, Who::Household, Amount::PerMu(1_600, 5, 60), 11)
    ),
    item!(
        "55",
        "天然商品林停伐管护补助资金",
        "central",
        "forestry",
        "集体和个人所有的天然商品林停伐管护每亩每年16元",
        None,
        "yearly",
        true,
        "天保 天然林保护 停伐补助",
        ALWAYS,
        pay(500, Who::Household, Amount::PerMu(1_600, 5, 40), 11)
    ),
    item!(
        "56",
        "村级河湖管护员补助",
        "county",
        "water",
        "聘用的村级河湖管护员每人每月300元",
        Some(30_000),
        "monthly",
        false,
        "河湖管护员 河道保洁员 巡河员",
        ALWAYS,
        pay(15, Who::Age(30, 65), Amount::Fixed(30_000), 0)
    ),
    item!(
        "57",
        "大中型水库移民后期扶持直发资金",
        "central",
        "resettlement",
        "纳入扶持范围的移民每人每年600元，分两次发放",
        Some(30_000),
        "half_yearly",
        false,
        "移民补助 水库移民 后期扶持 移民直补",
        ALWAYS,
        pay(250, ALL, Amount::Fixed(30_000), 0)
    ),
    item!(
        "58",
        "小型水库移民扶助资金",
        "provincial",
        "resettlement",
        "纳入扶助范围的小型水库移民每人每年300元",
        Some(30_000),
        "yearly",
        false,
        "小水库移民 移民扶助",
        ALWAYS,
        pay(100, ALL, Amount::Fixed(30_000), 12)
    ),
    item!(
        "59",
        "易地扶贫搬迁安置点公益性岗位补贴",
        "provincial",
        "resettlement",
        "安置点公益性岗位人员每人每月800元",
        Some(80_000),
        "monthly",
        false,
        "搬迁公益岗 安置点公益岗 易地搬迁",
        ALWAYS,
        pay(20, Who::Age(30, 60), Amount::Fixed(80_000), 0)
    ),
    item!(
        "60",
        "雨露计划职业教育补助",
        "provincial",
        "rural_revitalization",
        "脱贫家庭（含监测对象家庭）子女接受中、高等职业教育，每生每年3000元，分春秋两季发放",
        Some(150_000),
        "half_yearly",
        false,
        "雨露计划 雨露 职教补助",
        ALWAYS,
        pay(50, Who::Age(15, 22), Amount::Fixed(150_000), 0)
    ),
    item!(
        "61",
        "脱贫人口小额信贷贴息资金",
        "provincial",
        "rural_revitalization",
        "脱贫户（含监测对象）5万元以下、3年以内的小额信贷，按贷款市场报价利率（LPR）全额贴息",
        None,
        "yearly",
        true,
        "小额信贷 贴息 特惠贷",
        ALWAYS,
        pay(60, Who::Household, Amount::Range(50_000, 250_000), 12)
    ),
    item!(
        "62",
        "乡村公益性岗位补贴",
        "provincial",
        "human_resources",
        "在岗的脱贫劳动力（含监测对象）每人每月600元",
        Some(60_000),
        "monthly",
        false,
        "公益岗 公益性岗位 乡村公益岗",
        ALWAYS,
        pay(60, Who::Age(40, 65), Amount::Fixed(60_000), 0)
    ),
    item!(
        "63",
        "一次性创业补贴",
        "provincial",
        "human_resources",
        "首次创办小微企业或从事个体经营且正常经营1年以上的，每人一次性补贴5000元",
        Some(500_000),
        "one_off",
        false,
        "创业补贴 一次性创业补贴",
        ALWAYS,
        pay(15, Who::Age(20, 45), Amount::Fixed(500_000), 0)
    ),
    item!(
        "64",
        "严重精神障碍患者监护补助",
        "provincial",
        "health",
        "在册居家严重精神障碍患者的监护人每人每年1200元，分两次发放",
        Some(60_000),
        "half_yearly",
        false,
        "精神障碍监护补助 监护补助 以奖代补",
        ALWAYS,
        pay(30, ADULT, Amount::Fixed(60_000), 0)
    ),
    item!(
        "65",
        "高龄补贴",
        "provincial",
        "civil_affairs",
        "80至89周岁每人每月60元，90至99周岁每人每月120元，100周岁以上每人每月500元",
        Some(50_000),
        "monthly",
        false,
        "高龄补贴 高龄津贴 老年人补贴 长寿补贴",
        ALWAYS,
        pay(10_000, Who::Age(80, 110), Amount::ByAge(6_000, 12_000, 50_000), 0)
    ),
    item!(
        "66",
        "事实无人抚养儿童基本生活补贴",
        "central",
        "civil_affairs",
        "按分散养育孤儿标准，每人每月1400元",
        Some(140_000),
        "monthly",
        false,
        "事实无人抚养儿童 困境儿童",
        ALWAYS,
        pay(8, Who::Age(1, 17), Amount::Fixed(140_000), 0)
    ),
    item!(
        "67",
        "经济困难失能老年人护理补贴",
        "provincial",
        "civil_affairs",
        "经济困难的失能老年人每人每月100元",
        Some(10_000),
        "monthly",
        false,
        "失能补贴 护理补贴 老年人护理补贴",
        ALWAYS,
        pay(20, Who::Age(60, 100), Amount::Fixed(10_000), 0)
    ),
    item!(
        "68",
        "义务兵家庭优待金",
        "county",
        "veterans",
        "按上年度全县城镇居民人均可支配收入的50%核定，每户每年20000元",
        Some(2_000_000),
        "yearly",
        true,
        "优待金 义务兵优待金 参军优待",
        ALWAYS,
        pay(6, Who::Household, Amount::Fixed(2_000_000), 8)
    ),
    item!(
        "69",
        "自主就业退役士兵地方一次性经济补助",
        "county",
        "veterans",
        "按服役年限计发，每人一次性10000至30000元",
        Some(3_000_000),
        "one_off",
        false,
        "退役士兵补助 一次性经济补助 退役金",
        ALWAYS,
        pay(10, Who::Age(20, 30), Amount::Range(1_000_000, 3_000_000), 0)
    ),
    item!(
        "70",
        "部分农村籍退役士兵老年生活补助",
        "central",
        "veterans",
        "年满60周岁的农村籍退役士兵，按服义务兵役年限每人每月发放",
        Some(80_000),
        "monthly",
        false,
        "老兵补助 退役士兵补助 老年生活补助",
        ALWAYS,
        pay(30, Who::Age(60, 100), Amount::Range(20_000, 80_000), 0)
    ),
    item!(
        "71",
        "困难残疾人家庭子女及残疾学生教育救助",
        "county",
        "disabled",
        "考入普通高校的每人每年3000至5000元，高中（中职）阶段每人每年1000元",
        Some(500_000),
        "yearly",
        false,
        "残疾学生救助 残疾人子女助学 助学",
        ALWAYS,
        pay(10, Who::Age(15, 22), Amount::Range(100_000, 500_000), 9)
    ),
    item!(
        "72",
        "残疾人自主创业扶持补助",
        "county",
        "disabled",
        "自主创业、灵活就业的残疾人每人一次性2000至5000元",
        Some(500_000),
        "one_off",
        false,
        "残疾人创业 创业扶持",
        ALWAYS,
        pay(10, Who::Age(20, 55), Amount::Range(200_000, 500_000), 0)
    ),
    item!(
        "73",
        "农村老党员生活补贴",
        "provincial",
        "organization",
        "年满60周岁、党龄满30年的农村老党员按党龄每人每月100至300元",
        Some(30_000),
        "monthly",
        false,
        "老党员补贴 农村老党员",
        ALWAYS,
        pay(30, Who::Age(60, 100), Amount::Range(10_000, 30_000), 0)
    ),
    item!(
        "74",
        "离任村干部生活补贴",
        "provincial",
        "organization",
        "按在村任职年限核定，每人每季度300至900元",
        Some(90_000),
        "quarterly",
        false,
        "离任村干部 老村干部补贴",
        ALWAYS,
        pay(20, Who::Age(60, 100), Amount::Range(30_000, 90_000), 0)
    ),
    item!(
        "75",
        "希望工程助学资金",
        "county",
        "youth_league",
        "见各子项",
        None,
        "yearly",
        false,
        "希望工程 共青团助学",
        ALWAYS,
        None
    ),
    item!(
        "75-01",
        "希望工程圆梦行动大学新生资助",
        "county",
        "youth_league",
        "家庭经济困难的大学新生每人一次性3000至5000元",
        Some(500_000),
        "one_off",
        false,
        "圆梦行动 大学新生资助",
        ALWAYS,
        pay(24, Who::Age(18, 20), Amount::Range(300_000, 500_000), 8)
    ),
    item!(
        "75-02",
        "希望工程中小学困难学生助学金",
        "county",
        "youth_league",
        "家庭经济困难的中小学生每人每年500至1000元",
        Some(100_000),
        "yearly",
        false,
        "希望工程助学 困难学生助学",
        ALWAYS,
        pay(20, Who::Age(7, 15), Amount::Range(50_000, 100_000), 9)
    ),
    item!(
        "76",
        "普通高中国家助学金",
        "central",
        "education",
        "家庭经济困难学生平均每生每年2000元，分1000至3000元三档，按学期发放",
        Some(150_000),
        "half_yearly",
        false,
        "高中助学金 国家助学金",
        ALWAYS,
        pay(150, Who::Age(15, 18), Amount::Range(50_000, 150_000), 0)
    ),
    item!(
        "77",
        "中等职业教育国家助学金",
        "central",
        "education",
        "一、二年级家庭经济困难学生每生每年2000元，按学期发放",
        Some(100_000),
        "half_yearly",
        false,
        "中职助学金 国家助学金",
        ALWAYS,
        pay(60, Who::Age(15, 18), Amount::Fixed(100_000), 0)
    ),
];

#[cfg(test)]
mod tests {
    use super::super::catalogue::ITEMS;
    use super::*;
    use std::collections::HashSet;

    const LEVELS: &[&str] = &["central", "provincial", "municipal", "county"];
    const FREQUENCIES: &[&str] = &["monthly", "quarterly", "half_yearly", "yearly", "one_off", "as_needed"];

    /// A county's catalogue in the order `Plan::items` gives it: the shared items it pays in
    /// `ITEMS`' order, then its own.
    fn specs(plan: &Plan) -> Vec<ItemSpec> {
        ITEMS
            .iter()
            .filter(|s| plan.items.is_none_or(|codes| codes.contains(&s.code)))
            .chain(plan.own_items)
            .copied()
            .collect()
    }

    /// "0xxx-xxxxxxx": an area code of 3 or 4 digits, a local number of 7 or 8.
    fn is_phone(phone: &str) -> bool {
        let Some((area, local)) = phone.split_once('-') else { return false };
        area.starts_with('0')
            && (3..=4).contains(&area.len())
            && (7..=8).contains(&local.len())
            && area.chars().chain(local.chars()).all(|c| c.is_ascii_digit())
    }

    #[test]
    fn plans_are_consistent() {
        let mut county_codes = HashSet::new();
        for plan in PLANS {
            let county = plan.name;
            assert!(county_codes.insert(plan.code), "{county}: the code {} is another county's", plan.code);
            assert!(plan.name.starts_with(plan.short) && plan.name.ends_with("（演示）"), "{county}: name");
            assert!(plan.city < CITIES.len(), "{county}: no city {}", plan.city);

            let mut departments = HashSet::new();
            for (code, name, phone, address) in plan.departments {
                assert!(departments.insert(*code), "{county}: two departments have the code {code}");
                assert!(is_phone(phone), "{county}: {name}'s phone {phone}");
                assert!(address.contains(plan.short), "{county}: {name}'s address {address}");
            }
            assert_eq!(plan.departments.iter().filter(|d| d.0 == FINANCE).count(), 1, "{county}: one finance bureau");

            assert_eq!(plan.townships.len(), 12, "{county}: 12 townships");
            let townships: HashSet<_> = plan.townships.iter().collect();
            assert_eq!(townships.len(), plan.townships.len(), "{county}: a township name repeats");
            for t in plan.townships {
                assert!(t.ends_with('镇') || t.ends_with('乡') || t.ends_with("街道"), "{county}: township {t}");
            }

            if let Some(codes) = plan.items {
                let mut listed = HashSet::new();
                for code in codes {
                    assert!(ITEMS.iter().any(|s| s.code == *code), "{county}: {code} is not a shared item");
                    assert!(listed.insert(*code), "{county}: {code} is listed twice");
                    if let Some((parent, _)) = code.split_once('-') {
                        assert!(listed.contains(parent), "{county}: {code} is listed without (or before) {parent}");
                    }
                }
            }
            let shared: HashSet<&str> = ITEMS
                .iter()
                .filter(|s| plan.items.is_none_or(|codes| codes.contains(&s.code)))
                .map(|s| s.code)
                .collect();
            let mut own = HashSet::new();
            for spec in plan.own_items {
                assert!(!shared.contains(spec.code), "{county}: own item {} has a shared item's code", spec.code);
                assert!(own.insert(spec.code), "{county}: two own items have the code {}", spec.code);
            }

            let mut seen = HashSet::new();
            for spec in specs(plan) {
                let code = spec.code;
                assert!(
                    departments.contains(spec.department),
                    "{county}: item {code} is paid by {}, which the county lacks",
                    spec.department
                );
                if let Some(parent) = spec.parent_code() {
                    assert!(seen.contains(parent), "{county}: item {code} comes without (or before) its parent");
                }
                seen.insert(code);
                assert!(LEVELS.contains(&spec.level), "{county}: item {code}'s level {}", spec.level);
                assert!(FREQUENCIES.contains(&spec.frequency), "{county}: item {code}'s frequency {}", spec.frequency);
                assert!(spec.first_year <= spec.last_year, "{county}: item {code}'s years");
                if let Some(payout) = spec.payout {
                    assert!(payout.per_10k > 0 && payout.month <= 12, "{county}: item {code}'s payout");
                    let most = match payout.amount {
                        Amount::Fixed(fen) => Some(fen),
                        Amount::Range(lo, hi) => {
                            assert!(lo <= hi, "{county}: item {code}'s range");
                            Some(hi)
                        }
                        Amount::ByAge(eighty, ninety, hundred) => Some(eighty.max(ninety).max(hundred)),
                        Amount::PerMu(..) => None,
                    };
                    if let (Some(most), Some(cap)) = (most, spec.standard_fen) {
                        assert!(most <= cap, "{county}: item {code} pays up to {most} fen, its standard is {cap}");
                    }
                }
            }
        }
        assert_eq!(specs(&DUFENG).len(), 57, "独峰县's catalogue has the 57 entries of Dushan's");
    }
}
