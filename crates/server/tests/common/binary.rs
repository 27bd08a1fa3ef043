//! The real `tally-server` binary, started the way an operator would: what the durability and fault
//! tests share.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BINARY: &str = env!("CARGO_BIN_EXE_tally-server");

/// `tally-server serve` on a free port: its base URL, or the way it failed to start.
pub async fn start_server(database_url: &str) -> Result<(Child, String), String> {
    start_server_with(database_url, &[], &[]).await
}

/// `tally-server serve` with more arguments and environment variables (e.g. the webhook flags).
pub async fn start_server_with(
    database_url: &str,
    args: &[&str],
    envs: &[(&str, &str)],
) -> Result<(Child, String), String> {
    let mut child = Command::new(BINARY)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .args(args)
        .envs(envs.iter().copied())
        .env("TALLY_RATE_LIMIT_BURST", "1000000")
        .env("TALLY_RATE_LIMIT_PER_SECOND", "1000000")
        .env("TALLY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(if std::env::var_os("TALLY_FAULTS_SERVER_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::piped()
        })
        .kill_on_drop(true)
        .spawn()
        .expect("start tally-server serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the server announces itself or exits within 30 s")
        .expect("read stdout");
    match line.and_then(|l| l.strip_prefix("listening on ").map(str::to_owned)) {
        Some(base) => Ok((child, base)),
        None => {
            let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
                .await
                .expect("exits after saying nothing")
                .expect("wait");
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut stderr).await;
            }
            Err(format!("{status}: {stderr}"))
        }
    }
}
