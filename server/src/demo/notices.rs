//! The five seed documents, published as notices of the demo county's portal, with their real
//! titles, numbers, issuers and dates.

pub struct SeedNotice {
    pub title: &'static str,
    pub doc_number: &'static str,
    pub issuer: &'static str,
    pub published_on: &'static str,
    pub body: &'static str,
    pub source: &'static str,
}

pub const SEED_NOTICES: &[SeedNotice] = &[
    SeedNotice {
        title: "万源市惠民惠农财政补贴“一卡通”资金项目表及工作分工时间表",
        doc_number: "",
        issuer: "万源市财政局",
        published_on: "2019-05-10",
        body: include_str!("notices/wanyuan-2019-item-list.txt"),
        source: "万源市人民政府",
    },
    SeedNotice {
        title: "乐山市财政局关于征求《乐山市惠民惠农财政补贴资金社会保障卡“一卡通”发放管理办法》修改意见的函",
        doc_number: "乐市财政函〔2018〕425号",
        issuer: "乐山市财政局",
        published_on: "2018-10-16",
        body: include_str!("notices/leshan-2018-rules.txt"),
        source: "乐山市财政局",
    },
    SeedNotice {
        title: "关于印发卫东区进一步加强惠民惠农财政补贴资金“一卡通”管理工作实施方案的通知",
        doc_number: "平卫政办〔2021〕22号",
        issuer: "平顶山市卫东区人民政府办公室",
        published_on: "2021-08-03",
        body: include_str!("notices/weidong-2021-plan.txt"),
        source: "平顶山市卫东区人民政府",
    },
    SeedNotice {
        title: "关于印发泗水县惠民惠农财政补贴资金社会保障卡“一卡通”发放试点工作方案的通知",
        doc_number: "",
        issuer: "泗水县人民政府办公室",
        published_on: "2021-09-20",
        body: include_str!("notices/sishui-2021-pilot.txt"),
        source: "泗水县人民政府",
    },
    SeedNotice {
        title: "关于印发《2024年贵州省惠民惠农财政补贴资金“一卡通”集中统发县级目录》的通知",
        doc_number: "独财办〔2024〕3号",
        issuer: "独山县财政局等十六部门",
        published_on: "2024-01-08",
        body: include_str!("notices/dushan-2024-catalogue.txt"),
        source: "独山县人民政府",
    },
];
