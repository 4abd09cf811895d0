//! Building blocks shared by pages.

pub mod chart;
pub mod county;
pub mod feed;
pub mod layout;
pub mod status;
pub mod text_size;

pub use chart::BarChart;
pub use county::{keep_county, query_value, scoped, url_county, CountyField};
pub use feed::FeedLink;
pub use layout::Layout;
pub use status::{ErrorView, Loaded, Page, Pager};
