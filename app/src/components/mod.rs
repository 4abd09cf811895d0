//! Building blocks shared by pages.

pub mod layout;

pub use layout::Layout;
