use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("paysera") => return turgus::cli::paysera(&args[1..]),
        Some("admin") => return turgus::cli::admin(&args[1..]).await,
        _ => {}
    }
    // A `.env` file is optional; the environment wins over it.
    let _ = dotenvy::dotenv();
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
