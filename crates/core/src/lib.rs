//! `tally-core`: the loyalty API's wire types and the pure loyalty rules, shared by the widget (compiled to
//! WebAssembly) and the server. No I/O here, so everything is tested natively.

pub mod words;

pub mod api;
pub mod demo;
pub mod ids;
pub mod imports;
pub mod insights;
pub mod rules;
pub mod staff;
pub mod theme;
pub mod timeseries;
pub mod token;
pub mod webhooks;

pub use ids::{CustomerId, IdempotencyKey, InvalidId};
pub use words::{one_of, UnknownWord};

pub use api::*;
