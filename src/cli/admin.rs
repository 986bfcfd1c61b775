//! `turgus admin create|password --email E`: the shop's owner made or let back in from the
//! server's own shell. The password is read from the terminal without echo, or from the first line
//! of stdin (for scripts); it never appears on the command line, where `ps` would show it.

use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Creates an admin (or gives an existing one a new password); ends the one-time setup link.
    Create {
        #[command(flatten)]
        account: Account,
        /// The language of the admin's pages: lt or en (default: TURGUS_DEFAULT_LOCALE's).
        #[arg(long, value_parser = ["lt", "en"])]
        lang: Option<String>,
    },
    /// Gives an existing admin a new password and ends their other sessions.
    Password(Account),
}

#[derive(Args)]
pub struct Account {
    /// The admin's e-mail address, which is also their login.
    #[arg(long)]
    email: String,
}

pub async fn run(command: AdminCommand) -> ExitCode {
    super::finish("admin", account(command).await)
}

async fn account(command: AdminCommand) -> Result<String, String> {
    let password = read_password()?;
    let storage = super::storage()?;
    let pool = crate::db::connect(storage.database_url.expose())
        .await
        .map_err(|error| error.to_string())?;
    let (done, email) = match &command {
        AdminCommand::Create { account, lang } => {
            let language = lang
                .as_deref()
                .and_then(crate::locale::parse)
                .unwrap_or(storage.default_locale);
            let created =
                crate::admin::auth::create_admin(&pool, &account.email, &password, language);
            (created.await, &account.email)
        }
        AdminCommand::Password(account) => (
            crate::admin::auth::change_password(&pool, &account.email, &password).await,
            &account.email,
        ),
    };
    pool.close().await;
    done.map_err(|error| error.message())?;
    Ok(format!(
        "Admin {email} can now log in at {}/admin/login",
        storage.public_url
    ))
}

/// The password, typed on the terminal without echo, or the first line of stdin.
fn read_password() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    if terminal {
        eprint!("Password: ");
        let _ = std::io::stderr().flush();
        echo(false);
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if terminal {
        echo(true);
        eprintln!();
    }
    read.map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Turns the terminal's echo on or off (best effort: without `stty` the password is echoed).
fn echo(on: bool) {
    let _ = std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status();
}
