//! One module per page of the console.

pub mod appearance;
pub mod codes;
pub mod counter;
pub mod customers;
pub mod data;
pub mod history;
pub mod install;
pub mod program;
pub mod reports;
pub mod signin;
pub mod staff;
pub mod webhooks;
pub mod welcome;
