//! One module per page of the console.

pub mod appearance;
pub mod history;
pub mod install;
pub mod program;
pub mod signin;
pub mod staff;
pub mod welcome;
