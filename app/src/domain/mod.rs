//! Validated domain types: parsed once at the edge (forms, files, CLI), trusted everywhere after.

pub mod bank_account;
pub mod calendar;
pub mod cases;
pub mod date;
pub mod id_number;
pub mod mask;
pub mod money;
pub mod payments;
pub mod phone;
pub mod publicity;
pub mod rosters;
pub mod staff;
mod text;

pub use bank_account::{BankAccount, BankAccountError};
pub use calendar::Calendar;
pub use cases::{CaseFormError, CaseKind, Deadlines};
pub use id_number::{IdNumber, IdNumberError};
pub use money::{Money, MoneyError};
pub use phone::{Phone, PhoneError};
pub use staff::Role;
pub use text::{check_person_name, normalize_ascii, NameError};
