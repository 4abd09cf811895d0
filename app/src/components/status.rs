//! Errors and pagination as every page shows them.

use crate::api::ApiError;
use leptos::prelude::*;

/// A failed load, in words for the public. "Not found" also sets the HTTP status to 404.
#[component]
pub fn ErrorView(error: ApiError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let status = match error {
            ApiError::NotFound => axum::http::StatusCode::NOT_FOUND,
            ApiError::NotSignedIn | ApiError::StaffSignIn => axum::http::StatusCode::UNAUTHORIZED,
            ApiError::Invalid(_) => axum::http::StatusCode::BAD_REQUEST,
            ApiError::Retired => axum::http::StatusCode::GONE,
            _ => axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        };
        response.set_status(status);
    }
    let not_found = matches!(error, ApiError::NotFound);
    let sign_in = matches!(error, ApiError::NotSignedIn);
    let staff_sign_in = matches!(error, ApiError::StaffSignIn);
    let retired = matches!(error, ApiError::Retired);
    let may_retry = matches!(error, ApiError::Internal | ApiError::Transport(_));
    // Trying again loads the page afresh from the server (not a step of the app in the browser).
    let here = leptos_router::hooks::use_location();
    let again = move || match here.search.get().trim_start_matches('?') {
        "" => here.pathname.get(),
        query => format!("{}?{query}", here.pathname.get()),
    };
    view! {
        <div class="error-box" role="alert">
            <h1>
                {if not_found {
                    "未找到相关内容"
                } else if sign_in {
                    "请先验证身份"
                } else if staff_sign_in {
                    "请先登录"
                } else if retired {
                    "已超过公开期限"
                } else {
                    "出错了"
                }}
            </h1>
            <p>{error.to_string()}</p>
            {sign_in.then(|| view! { <p><a class="button" href="/check">"去验证身份"</a></p> })}
            {staff_sign_in.then(|| view! { <p><a class="button" href="/staff/login">"登录"</a></p> })}
            {retired.then(|| view! { <p><a class="button" href="/check">"查询我的补贴"</a></p> })}
            {may_retry.then(|| view! { <p><a class="button" href=again rel="external">"重试"</a></p> })}
            <p><a href="/">"返回首页"</a>"　"<a href="/search">"搜索"</a></p>
        </div>
    }
}

/// Previous / next links; `base` ends with `?` or `&` and gets `page=N` appended.
#[component]
pub fn Pager(page: i64, pages: i64, base: String) -> impl IntoView {
    (pages > 1).then(|| {
        let prev = (page > 1).then(|| format!("{base}page={}", page - 1));
        let next = (page < pages).then(|| format!("{base}page={}", page + 1));
        view! {
            <nav class="pager" aria-label="分页">
                {prev.map(|href| view! { <a href=href rel="prev">"上一页"</a> })}
                <span>{format!("第 {page} / {pages} 页")}</span>
                {next.map(|href| view! { <a href=href rel="next">"下一页"</a> })}
            </nav>
        }
    })
}

/// Waits for a page's data (in the first HTML response under `SsrMode::Async`) and shows it with
/// `view`, or the error with [`ErrorView`].
#[component]
pub fn Loaded<T, V, F>(data: Resource<Result<T, ApiError>>, view: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => view(value).into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The shape of most pages: the site's frame, the page's title, what stands above the data
/// (`children`: a breadcrumb, a heading, a notice), and one load of data shown by `view` (or the
/// error, with the way forward).
#[component]
pub fn Page<T, V, F>(
    #[prop(into)] title: String,
    data: Resource<Result<T, ApiError>>,
    view: F,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <super::Layout>
            <leptos_meta::Title text=title />
            {children.map(|c| c())}
            <Loaded data view />
        </super::Layout>
    }
}
