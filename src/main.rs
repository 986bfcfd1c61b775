use std::process::ExitCode;

// See Cargo.toml: measured faster than the system allocator for page rendering.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    // A `.env` file is optional; the environment wins over it. The commands read it too, so that
    // `turgus admin …` and `turgus backup …` work on the same database as the server.
    let _ = dotenvy::dotenv();
    // Before anything is created: the database, e-mails, photos and backups are private.
    turgus::files::private_umask();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("paysera") => return turgus::cli::paysera(&args[1..]),
        Some("admin") => return turgus::cli::admin(&args[1..]).await,
        Some("backup") => return turgus::backup::backup_command(&args[1..]).await,
        Some("restore") => return turgus::backup::restore_command(&args[1..]).await,
        Some("assets") => return turgus::cli::assets(&args[1..]),
        _ => {}
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let config = match turgus::config::Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("turgus: configuration error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match turgus::server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("turgus: cannot start: {error}");
            ExitCode::FAILURE
        }
    }
}
