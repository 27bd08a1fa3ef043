//! The command line: `serve`, `shop create`, `staff add`, `demo` and `seed`. Standard output carries only
//! what a script reads (the listening line, the new shop's or staff member's JSON); logs go to standard
//! error. The top of the module tree: it calls `server`, `demo`, `shops`, `staff` and `synthetic`, and
//! none of them calls it.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::error::AppError;
use crate::{db, demo, shops, synthetic, Db, Limits};

#[derive(Parser, Debug)]
#[command(name = "tally-server", version, about = "Tally's loyalty API")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[arg(long, env = "TALLY_DATABASE_URL", default_value = "sqlite://tally.db")]
        database_url: String,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        webhooks: crate::webhooks::WebhookArgs,
        #[command(flatten)]
        ops: crate::ops::OpsArgs,
        #[command(flatten)]
        jobs: JobArgs,
        /// The built console (Trunk's output of crates/console), served at /console/.
        #[arg(long, env = "TALLY_CONSOLE_DIR", default_value = crate::console::DEFAULT_DIR)]
        console_dir: std::path::PathBuf,
    },
    /// Manage shops.
    Shop {
        #[command(subcommand)]
        command: ShopCommand,
    },
    /// Seed the demo coffee shop and serve the API, the widget and a demo storefront.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[arg(long, default_value = "sqlite://tally-demo.db")]
        database_url: String,
        /// The built widget (Trunk's `dist`), served under /widget/.
        #[arg(long, default_value = "dist")]
        widget_dir: std::path::PathBuf,
        /// The built console (Trunk's output of crates/console), served at /console/.
        #[arg(long, env = "TALLY_CONSOLE_DIR", default_value = crate::console::DEFAULT_DIR)]
        console_dir: std::path::PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        webhooks: crate::webhooks::WebhookArgs,
        #[command(flatten)]
        jobs: JobArgs,
    },
    /// Manage the staff who sign in to the console.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Copy a live SQLite database into a new file, consistently (PostgreSQL: prints the pg_dump command).
    Backup {
        #[arg(long, env = "TALLY_DATABASE_URL", default_value = "sqlite://tally.db")]
        database_url: String,
        /// The new file (never overwritten).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Verify the ledger's invariants in a database; prints each problem and exits 1 if any.
    Check {
        #[arg(long, env = "TALLY_DATABASE_URL", default_value = "sqlite://tally.db")]
        database_url: String,
    },
    /// Give a shop many customers with a history of orders, refunds and redemptions (for benchmarks).
    Seed {
        #[arg(long, env = "TALLY_DATABASE_URL", default_value = "sqlite://tally.db")]
        database_url: String,
        /// The shop's id, as `shop create` printed it.
        #[arg(long)]
        shop: String,
        /// Customers `c0` … `c{N-1}`.
        #[arg(long, default_value_t = 1000)]
        customers: usize,
        /// Writers in parallel (PostgreSQL uses them; SQLite has one writer at a time anyway).
        #[arg(long, default_value_t = 8)]
        workers: usize,
        /// Each customer places 1 to N orders (about N/2 on average) over the past year.
        #[arg(long, default_value_t = 4)]
        max_orders: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum ShopCommand {
    /// Create a shop and print `{"id", "name", "secret_key"}` (the key is shown this once).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "USD")]
        currency: String,
        #[arg(long, default_value = "en")]
        locale: String,
        /// An origin the widget may call from, e.g. https://shop.example (repeatable).
        #[arg(long = "origin")]
        origins: Vec<String>,
        #[arg(long, env = "TALLY_DATABASE_URL", default_value = "sqlite://tally.db")]
        database_url: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Add someone to a shop's staff and print `{"id", "email", "role", "password"?}` (a generated
    /// password, shown this once, when none came on standard input). Run again with
    /// `--password-stdin` to set a new password for someone already on the staff.
    Add {
        /// The shop's id, as `shop create` printed it.
        #[arg(long)]
        shop: String,
        #[arg(long)]
        email: String,
        /// owner, manager or clerk.
        #[arg(long)]
        role: String,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, env = "TALLY_DATABASE_URL", default_value = "sqlite://tally.db")]
        database_url: String,
    },
}

#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Requests one client IP may send to one shop at once.
    #[arg(long, env = "TALLY_RATE_LIMIT_BURST", default_value_t = 120.0)]
    pub rate_limit_burst: f64,
    /// Requests per second one client IP may send to one shop, sustained.
    #[arg(long, env = "TALLY_RATE_LIMIT_PER_SECOND", default_value_t = 20.0)]
    pub rate_limit_per_second: f64,
    /// Proxies (CIDRs, comma-separated) whose `Forwarded` / `X-Forwarded-For` headers name the client
    /// for the rate limit: the rightmost hop that is not one of them. Headers from other peers are ignored.
    #[arg(long, env = "TALLY_TRUSTED_PROXIES", value_parser = crate::http::layers::parse_trusted_proxies,
          default_value = "")]
    pub trusted_proxies: TrustedProxies,
    /// Seconds a request may take before it is answered 503.
    #[arg(long, env = "TALLY_REQUEST_TIMEOUT_SECS", default_value_t = 15)]
    pub request_timeout_secs: u64,
}

/// The parsed `--trusted-proxies` (clap needs one type per value parser).
pub type TrustedProxies = Vec<ipnet::IpNet>;
#[derive(Args, Debug, Clone)]
pub struct JobArgs {
    /// Seconds between runs of the periodic jobs (points and code expiry, expiring-points notices).
    #[arg(long, env = "TALLY_JOBS_INTERVAL_SECS", default_value_t = 60)]
    pub jobs_interval_secs: u64,
}

impl JobArgs {
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.jobs_interval_secs.max(1))
    }
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            rate_burst: self.rate_limit_burst.max(1.0),
            rate_per_second: self.rate_limit_per_second.max(0.001),
            request_timeout: Duration::from_secs(self.request_timeout_secs.max(1)),
            trusted_proxies: self.trusted_proxies.clone(),
            ..Limits::default()
        }
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TALLY_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let result = match cli.command {
        Command::Serve {
            addr,
            database_url,
            limits,
            webhooks,
            ops,
            jobs,
            console_dir,
        } => {
            crate::ops::serve(
                addr,
                &database_url,
                limits.limits(),
                webhooks.config(),
                ops,
                jobs.interval(),
                console_dir,
            )
            .await
        }
        Command::Shop {
            command:
                ShopCommand::Create {
                    name,
                    currency,
                    locale,
                    origins,
                    database_url,
                },
        } => shop_create(&database_url, &name, &currency, &locale, &origins).await,
        Command::Demo {
            addr,
            database_url,
            widget_dir,
            console_dir,
            limits,
            webhooks,
            jobs,
        } => {
            demo::run(
                addr,
                &database_url,
                widget_dir,
                console_dir,
                limits.limits(),
                webhooks.config(),
                jobs.interval(),
            )
            .await
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    shop,
                    email,
                    role,
                    password_stdin,
                    database_url,
                },
        } => staff_add(&database_url, &shop, &email, &role, password_stdin).await,
        Command::Backup { database_url, out } => {
            crate::maintenance::backup(&database_url, &out).await
        }
        Command::Check { database_url } => crate::maintenance::check(&database_url).await,
        Command::Seed {
            database_url,
            shop,
            customers,
            workers,
            max_orders,
        } => seed(&database_url, &shop, customers, workers, max_orders).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let message = match &e {
                AppError::Internal(cause) => cause.to_string(),
                other => other.to_string(),
            };
            eprintln!("tally-server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn shop_create(
    database_url: &str,
    name: &str,
    currency: &str,
    locale: &str,
    origins: &[String],
) -> Result<(), AppError> {
    if name.trim().is_empty() {
        return Err(AppError::Invalid("--name: must not be empty".into()));
    }
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(AppError::Invalid(format!(
            "--currency: an ISO 4217 code such as USD, not {currency:?}"
        )));
    }
    if let Some(bad) = origins
        .iter()
        .find(|o| !tally_core::rules::is_valid_origin(o))
    {
        return Err(AppError::Invalid(format!(
            "--origin: {bad:?} is not scheme://host[:port]"
        )));
    }
    let db = Db::connect(database_url).await?;
    let id = shops::new_shop_id();
    let secret_key = shops::new_secret_key();
    let landing = origins
        .first()
        .map_or_else(|| "https://shop.example/".to_owned(), |o| format!("{o}/"));
    shops::upsert_shop(
        &db,
        &shops::NewShop {
            id: &id,
            name: name.trim(),
            currency,
            locale,
            secret_key: &secret_key,
            rules: &shops::starter_program(&landing),
            allowed_origins: origins,
        },
    )
    .await?;
    println!(
        "{}",
        serde_json::json!({"id": id, "name": name.trim(), "secret_key": secret_key})
    );
    Ok(())
}

async fn staff_add(
    database_url: &str,
    shop: &str,
    email: &str,
    role: &str,
    password_stdin: bool,
) -> Result<(), AppError> {
    let role = role
        .parse::<tally_core::staff::Role>()
        .map_err(|_| AppError::Invalid(format!("--role: owner, manager or clerk, not {role:?}")))?;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| AppError::Invalid(format!("--password-stdin: cannot read: {e}")))?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        Some(password)
    } else {
        None
    };
    let db = Db::connect(database_url).await?;
    if db::shops::find(&db, shop).await?.is_none() {
        return Err(AppError::NotFound(format!("--shop: no shop {shop:?}")));
    }
    let new = tally_core::staff::NewStaff {
        email: email.to_owned(),
        role,
        password,
    };
    let added = crate::staff::add(&db, shop, &new, "key", true, crate::clock::now_ms()).await?;
    println!("{}", serde_json::to_string(&added)?);
    Ok(())
}

async fn seed(
    database_url: &str,
    shop: &str,
    customers: usize,
    workers: usize,
    max_orders: u64,
) -> Result<(), AppError> {
    let db = Db::connect(database_url).await?;
    let started = std::time::Instant::now();
    let writes = synthetic::seed(&db, shop, customers, workers, max_orders).await?;
    eprintln!(
        "seeded {customers} customers of {shop} with {writes} ledger writes in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
