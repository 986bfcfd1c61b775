//! The `turgus` command line: the server, and the commands a merchant runs beside it.
//!
//! ```text
//! turgus [serve]                         serves the shop (configured by the environment and .env)
//! turgus admin create|password --email E  creates an admin, or gives one a new password
//! turgus backup PATH | turgus restore PATH
//! turgus catalog import FILE.csv [--dry-run] [--images-from DIR] | export FILE.csv
//! turgus paysera verify-callback … | sign-request …
//! turgus assets [--check] SITE_DIR        the build's last step
//! ```
//!
//! The commands are declared as types (clap's derive), so each one's flags, usage and `--help` are
//! written in one place and a wrong flag is refused with exit code 2 before anything runs. Every
//! command reads the same `.env` and environment as the server (`main.rs` loads it first), so
//! `turgus admin …` and `turgus backup …` work on the shop's own database.
//!
//! Exit codes: 0 done, 1 refused or failed (the reason on stderr), 2 the command itself was wrong.

mod admin;
mod catalog;
mod paysera;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "turgus", version, about = "A Paysera shop in one binary")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serves the shop (what `turgus` alone does).
    Serve,
    /// Creates an admin or changes an admin's password.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Copies the database and the photos into the new folder PATH while the shop serves (SQLite).
    Backup { path: PathBuf },
    /// Puts a backup back while the shop is stopped; keeps the database it replaces.
    Restore { path: PathBuf },
    /// Moves the catalog in or out as WooCommerce's product CSV.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Checks Paysera callbacks and signs requests, for debugging an integration.
    #[command(subcommand)]
    Paysera(paysera::PayseraCommand),
    /// Names the built client files after their content and precompresses them.
    Assets {
        /// Only check the client's sizes against the shopper's download budget.
        #[arg(long)]
        check: bool,
        dir: PathBuf,
    },
}

/// Runs `command` to its end.
pub async fn run(command: Command) -> ExitCode {
    // The server logs what it does; the tools only what went wrong, so that an internal error's
    // cause (which `AppError` never shows) reaches the merchant's terminal.
    log_to_stderr(if matches!(command, Command::Serve) {
        "info"
    } else {
        "warn"
    });
    match command {
        Command::Serve => serve().await,
        Command::Admin(command) => admin::run(command).await,
        Command::Backup { path } => backup(&path).await,
        Command::Restore { path } => restore(&path).await,
        Command::Catalog(command) => catalog::run(command).await,
        Command::Paysera(command) => paysera::run(command),
        Command::Assets { check, dir } => assets(check, &dir),
    }
}

/// Logs to stderr at `RUST_LOG`'s level, else `level`.
fn log_to_stderr(level: &str) {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .init();
}

/// `turgus` or `turgus serve`: reads the configuration, and serves until stopped.
async fn serve() -> ExitCode {
    let config = match crate::config::Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("turgus: configuration error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match crate::server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("turgus: cannot start: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints what a command did, or why it failed, and says so in the exit code.
fn finish(name: &str, outcome: Result<String, String>) -> ExitCode {
    match outcome {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("turgus {name}: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// The storage settings from the environment, or why they are wrong.
fn storage() -> Result<crate::config::Storage, String> {
    crate::config::Storage::from_env().map_err(|error| format!("configuration error: {error}"))
}

async fn backup(target: &std::path::Path) -> ExitCode {
    let outcome = match storage() {
        Ok(storage) => crate::backup::backup(&storage, target)
            .await
            .map(|summary| {
                format!(
                    "Backed up the database ({} bytes) and {} photo files to {}",
                    summary.database_bytes,
                    summary.media_files,
                    target.display()
                )
            }),
        Err(problem) => Err(problem),
    };
    finish("backup", outcome)
}

async fn restore(source: &std::path::Path) -> ExitCode {
    let outcome = match storage() {
        Ok(storage) => crate::backup::restore(&storage, source).await.map(|kept| {
            format!(
                "Restored {}. The database it replaced (if any) is kept as {}",
                source.display(),
                kept.display()
            )
        }),
        Err(problem) => Err(problem),
    };
    finish("restore", outcome)
}

/// `turgus assets DIR` prints the built names; `--check` the client's sizes, refused (exit 1) when
/// over the shopper's download budget (see [`crate::assets`]).
fn assets(check: bool, dir: &std::path::Path) -> ExitCode {
    let outcome = if check {
        crate::assets::check_budget(dir).map(|download| serde_json::json!(download))
    } else {
        crate::assets::build(dir).map(
            |names| serde_json::json!({ "client": names.client, "stylesheet": names.stylesheet }),
        )
    };
    finish("assets", outcome.map(|answer| answer.to_string()))
}
