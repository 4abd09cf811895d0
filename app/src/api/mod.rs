//! Server functions, one module per area; each is thin and calls its area's module in `ssr`,
//! where the area's SQL is.

pub mod cases;
pub mod catalogue;
pub mod check;
pub mod counties;
pub mod csv;
pub mod home;
pub mod noticeboard;
pub mod notices;
pub mod open_data;
pub mod policies;
pub mod publicity;
pub mod publicity_log;
pub mod rosters;
pub mod search;
pub mod staff;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The one error type of the server-function layer. Messages are for the public: internal
/// detail is logged on the server, never sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("系统繁忙，请稍后再试")]
    Internal,
    #[error("未找到相关内容")]
    NotFound,
    #[error("请先用身份证号和手机验证码验证身份")]
    NotSignedIn,
    #[error("请先登录部门工作台")]
    StaffSignIn,
    #[error("{0}")]
    Invalid(String),
    /// Payment lines older than the portal keeps public (`public_line_years`).
    #[error("这份公示已超过公开期限，明细不再在网上公开。本人领取的每一笔仍可在“查询我的补贴”中查看。")]
    Retired,
    /// The request did not reach the server, or its answer did not come back (the network).
    #[error("请求未能送达，请检查网络后重试")]
    Transport(String),
}

impl ApiError {
    /// Logs an internal failure and returns the opaque error the client sees.
    #[cfg(feature = "ssr")]
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error in a server function");
        ApiError::Internal
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    /// Only a request that did not get through is the network's fault; anything else that went
    /// wrong in the call (arguments, an answer that does not read) is ours, said as such.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(e) => ApiError::Transport(e),
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function call failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                ApiError::Internal
            }
        }
    }
}

/// The id of the county a public page shows: the one its URL carries (`county`), else the one the
/// visitor chose, else the portal's first.
#[cfg(feature = "ssr")]
pub(crate) async fn county_id(cx: &crate::ssr::AppContext, county: Option<String>) -> Result<i64, ApiError> {
    let county = crate::ssr::regions::public_county(&cx.db, county.as_deref()).await.map_err(ApiError::internal)?;
    Ok(county.map_or(0, |c| c.id))
}
