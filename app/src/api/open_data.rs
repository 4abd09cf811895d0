//! Open data (开放数据): the yearly bulk files of masked payment publicity and their columns (the
//! data dictionary the `/open-data` page prints).

use super::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One bulk file: every line a county published for one year's periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct BulkFile {
    /// GB/T 2260 code of the county (six digits).
    pub county_code: String,
    pub county_name: String,
    pub year: i32,
    /// Data rows in the file (the header row not counted).
    pub lines: i64,
    /// `/open-data/{county_code}/{year}.csv`: UTF-8 with BOM, CRLF line ends.
    pub csv_url: String,
    /// The same file gzip-compressed: `/open-data/{county_code}/{year}.csv.gz`.
    pub gzip_url: String,
}

/// The bulk files there are, county by county, newest year first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct BulkFiles {
    pub files: Vec<BulkFile>,
    /// Lines of earlier periods are past the years the portal keeps them public: no file has them.
    pub first_public_year: i32,
}

impl BulkFile {
    pub fn new(county_code: String, county_name: String, year: i32, lines: i64) -> Self {
        let csv_url = format!("/open-data/{county_code}/{year}.csv");
        let gzip_url = format!("{csv_url}.gz");
        Self { county_code, county_name, year, lines, csv_url, gzip_url }
    }
}

/// A column of the bulk file: its header, what it holds, and what an empty cell means.
pub struct Column {
    pub header: &'static str,
    pub meaning: &'static str,
    pub when_empty: &'static str,
}

/// `when_empty` of a column that always has a value.
pub const NEVER_EMPTY: &str = "总有值";

/// The bulk file's columns, in order. The first row of the file is these headers.
pub const BULK_COLUMNS: &[Column] = &[
    Column { header: "县（区）代码", meaning: "县级行政区划代码（GB/T 2260，6位）", when_empty: NEVER_EMPTY },
    Column { header: "县（区）", meaning: "县（区）名称", when_empty: NEVER_EMPTY },
    Column { header: "乡镇（街道）代码", meaning: "乡镇（街道）代码，与网页地址 /publicity/{乡镇代码} 中的一致", when_empty: NEVER_EMPTY },
    Column { header: "乡镇（街道）", meaning: "乡镇（街道）名称", when_empty: NEVER_EMPTY },
    Column { header: "村（社区）代码", meaning: "村（社区）代码，与网页地址 /publicity/{乡镇代码}/{村代码} 中的一致", when_empty: NEVER_EMPTY },
    Column { header: "村（社区）", meaning: "村（社区）名称", when_empty: NEVER_EMPTY },
    Column { header: "补贴项目代码", meaning: "政策清单中的项目代码，例如 14-01；子项目的代码带上级项目代码", when_empty: NEVER_EMPTY },
    Column { header: "补贴项目", meaning: "补贴项目名称，与政策清单一致", when_empty: NEVER_EMPTY },
    Column { header: "主管部门", meaning: "发放这笔补贴的主管部门", when_empty: NEVER_EMPTY },
    Column { header: "期次", meaning: "发放期次：2026-03（月）、2026-Q1（季）、2026-H1（半年）或 2026（年）；文件按期次所在年度划分", when_empty: NEVER_EMPTY },
    Column { header: "批次", meaning: "同一项目同一期次的第几批清册（补发为后续批次）", when_empty: NEVER_EMPTY },
    Column { header: "清册编号", meaning: "发放清册的编号，即网页地址 /publicity/{乡镇代码}/{村代码}/{清册编号} 的最后一段，也是公示日志中记录的 roster_id", when_empty: NEVER_EMPTY },
    Column { header: "姓名", meaning: "补贴对象姓名，已脱敏：两个字的只显示第一个字（张*），三个字及以上显示第一个和最后一个字、中间每个字为 *（张*三、欧**强）", when_empty: NEVER_EMPTY },
    Column { header: "身份证号", meaning: "补贴对象身份证号，已脱敏：只显示第一位和最后一位，中间16位为 *（地区、出生日期和顺序码都不公开）", when_empty: NEVER_EMPTY },
    Column { header: "实际领取人", meaning: "监护人或代领人领取时的领取人姓名，脱敏方式同“姓名”", when_empty: "本人领取" },
    Column { header: "金额（元）", meaning: "补贴金额，单位元，两位小数，不含千分位逗号", when_empty: NEVER_EMPTY },
    Column { header: "状态", meaning: "待发放（公示中或尚未收到银行回执）、已到账、发放失败、已补发（失败后由补发清册发放到账）、已追回（到账后由主管部门追回，理由见公示日志）", when_empty: NEVER_EMPTY },
    Column { header: "公示日期", meaning: "这一行最近一次公示的日期（发放前公示，或收到银行回执后的发放后公示），YYYY-MM-DD", when_empty: NEVER_EMPTY },
    Column { header: "发放日期", meaning: "清册的发放日期，YYYY-MM-DD", when_empty: "尚未发放" },
    Column { header: "公示日志序号", meaning: "这份清册在公示日志中最新一条记录的序号（leaf_index），可用 /api/v1/log/proof/inclusion?index= 取得它在签名日志中的证明", when_empty: "清册尚无日志记录" },
];

/// The bulk files of every county with published lines (cached for a little while).
#[server(prefix = "/api", endpoint = "bulk_files")]
pub async fn get_bulk_files() -> Result<BulkFiles, ApiError> {
    let cx = crate::ssr::context()?;
    cx.cache
        .get_or_load("bulk_files", crate::ssr::open_data::bulk_files(&cx.db, cx.first_public_year()))
        .await
        .map_err(ApiError::internal)
}
