use std::process::ExitCode;

// See Cargo.toml: measured faster than the system allocator for page rendering.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // A `.env` file is optional; the environment wins over it. The commands read it too, so that
    // `turgus admin …` and `turgus backup …` work on the same database as the server.
    let _ = dotenvy::dotenv();
    // Before anything is created: the database, e-mails, photos and backups are private.
    turgus::files::private_umask();
    let cli = <turgus::cli::Cli as clap::Parser>::parse();
    turgus::cli::run(cli.command.unwrap_or(turgus::cli::Command::Serve)).await
}
