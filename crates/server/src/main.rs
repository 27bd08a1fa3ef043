//! `tally-server serve | shop create | demo`: see `tally_server::cli`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tally_server::cli::run(tally_server::cli::Cli::parse()).await
}
