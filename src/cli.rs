//! `turgus paysera …`: commands for merchants debugging a Paysera integration.
//!
//! ```text
//! turgus paysera verify-callback --project-id N --password P [--public-key FILE] [--policy rsa|ss1|encrypted] 'QUERY'
//! turgus paysera sign-request --password P '[["orderid","1"],…,["version","1.6"],["projectid","N"]]'
//! turgus admin create|password --email E
//! turgus assets [--check] DIR
//! ```
//!
//! (`turgus backup` and `turgus restore` are in [`crate::backup`].)
//!
//! Each prints one JSON object and exits 0 when it succeeded, 1 when the callback or request was
//! refused, 2 when the command itself was wrong.

use crate::paysera::callback::{
    parse_received, verify, CallbackVerifier, PayseraPublicKey, SignaturePolicy,
};
use crate::paysera::request::{sign_params, validate};
use serde_json::json;
use std::collections::HashMap;
use std::process::ExitCode;

const USAGE: &str = "usage:
  turgus paysera verify-callback --project-id N --password P [--public-key FILE] [--policy rsa|ss1|encrypted] 'QUERY'
  turgus paysera sign-request --password P 'JSON array of [key, value] pairs'";

/// Runs `args` (everything after `turgus paysera`).
pub fn paysera(args: &[String]) -> ExitCode {
    let result = match args.first().map(String::as_str) {
        Some("verify-callback") => options(&args[1..]).and_then(|o| verify_callback(&o)),
        Some("sign-request") => options(&args[1..]).and_then(|o| sign_request(&o)),
        _ => Err(String::new()),
    };
    match result {
        Ok((output, ok)) => {
            println!("{output}");
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("turgus paysera: {problem}");
            }
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

struct Options {
    flags: HashMap<String, String>,
    argument: String,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut flags = HashMap::new();
    let mut argument = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if let Some(flag) = arg.strip_prefix("--") {
            let value = args
                .next()
                .ok_or_else(|| format!("--{flag} needs a value"))?;
            flags.insert(flag.to_owned(), value.clone());
        } else if argument.replace(arg.clone()).is_some() {
            return Err("only one QUERY or JSON argument, please (quote it)".into());
        }
    }
    Ok(Options {
        flags,
        argument: argument.ok_or("missing the QUERY or JSON argument")?,
    })
}

impl Options {
    fn required(&self, flag: &str) -> Result<&str, String> {
        self.flags
            .get(flag)
            .map(String::as_str)
            .ok_or_else(|| format!("--{flag} is required"))
    }
}

fn verify_callback(options: &Options) -> Result<(serde_json::Value, bool), String> {
    let project_id = options
        .required("project-id")?
        .parse::<u64>()
        .map_err(|_| "--project-id must be a number".to_owned())?;
    let policy = match options.flags.get("policy").map(String::as_str) {
        None | Some("rsa") => SignaturePolicy::Rsa,
        Some("ss1") => SignaturePolicy::Ss1,
        Some("encrypted") => SignaturePolicy::Encrypted,
        Some(other) => return Err(format!("--policy is rsa, ss1 or encrypted, not {other}")),
    };
    let public_key = match options.flags.get("public-key") {
        Some(path) => {
            let pem =
                std::fs::read_to_string(path).map_err(|e| format!("--public-key {path}: {e}"))?;
            Some(
                PayseraPublicKey::from_pem(&pem)
                    .map_err(|e| format!("--public-key {path}: {e}"))?,
            )
        }
        None if policy == SignaturePolicy::Rsa => {
            return Err("--public-key is required with --policy rsa".into())
        }
        None => None,
    };
    let verifier = CallbackVerifier {
        project_id,
        password: options.required("password")?.to_owned(),
        policy,
        public_key,
    };
    Ok(
        match verify(&parse_received(&options.argument), &verifier) {
            Ok(callback) => (json!({ "ok": true, "params": callback.params }), true),
            Err(reason) => (json!({ "ok": false, "reason": reason.to_string() }), false),
        },
    )
}

fn sign_request(options: &Options) -> Result<(serde_json::Value, bool), String> {
    let pairs: Vec<(String, String)> = serde_json::from_str(&options.argument)
        .map_err(|e| format!("JSON must be an array of [key, value] string pairs: {e}"))?;
    if let Err(error) = validate(&pairs) {
        return Ok((
            json!({ "ok": false, "field": error.field, "reason": error.message }),
            false,
        ));
    }
    let signed = sign_params(&pairs, options.required("password")?);
    Ok((
        json!({ "query": signed.query, "data": signed.data, "sign": signed.sign }),
        true,
    ))
}

const ADMIN_USAGE: &str = "usage:
  turgus admin create --email E     creates an admin (or gives an existing one a new password)
  turgus admin password --email E   gives an existing admin a new password
The password is read from the terminal, or from the first line of stdin. A new password ends the
admin's other sessions.";

/// `turgus admin create|password --email E`.
pub async fn admin(args: &[String]) -> ExitCode {
    let (command, email) = match args {
        [command, flag, email]
            if flag == "--email" && (command == "create" || command == "password") =>
        {
            (command.as_str(), email.clone())
        }
        _ => {
            eprintln!("{ADMIN_USAGE}");
            return ExitCode::from(2);
        }
    };
    let password = match read_password() {
        Ok(password) => password,
        Err(problem) => {
            eprintln!("turgus admin: {problem}");
            return ExitCode::from(2);
        }
    };
    let storage = match crate::config::Storage::from_env() {
        Ok(storage) => storage,
        Err(error) => {
            eprintln!("turgus admin: configuration error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let pool = match crate::db::connect(storage.database_url.expose()).await {
        Ok(pool) => pool,
        Err(error) => {
            eprintln!("turgus admin: {error}");
            return ExitCode::FAILURE;
        }
    };
    let done = if command == "create" {
        crate::admin::auth::create_admin(&pool, &email, &password).await
    } else {
        crate::admin::auth::change_password(&pool, &email, &password).await
    };
    pool.close().await;
    match done {
        Ok(()) => {
            println!(
                "Admin {email} can now log in at {}/admin/login",
                storage.public_url
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("turgus admin: {}", error.message());
            ExitCode::FAILURE
        }
    }
}

/// The password, typed on the terminal without echo, or the first line of stdin.
fn read_password() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    if terminal {
        eprint!("Password: ");
        let _ = std::io::stderr().flush();
        let _ = std::process::Command::new("stty")
            .arg("-echo")
            .stdin(std::process::Stdio::inherit())
            .status();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if terminal {
        let _ = std::process::Command::new("stty")
            .arg("echo")
            .stdin(std::process::Stdio::inherit())
            .status();
        eprintln!();
    }
    read.map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// `turgus assets DIR`: names the built client files after their content and precompresses the
/// site folder (the build's last step; see [`crate::assets`]). `turgus assets --check DIR`: the
/// client's sizes, refused (exit 1) when over the shopper's download budget.
pub fn assets(args: &[String]) -> ExitCode {
    let result = match args {
        [dir] => crate::assets::build(std::path::Path::new(dir))
            .map(|names| json!({ "client": names.client, "stylesheet": names.stylesheet })),
        [check, dir] if check == "--check" => {
            crate::assets::check_budget(std::path::Path::new(dir)).map(|download| json!(download))
        }
        _ => {
            eprintln!("usage: turgus assets [--check] SITE_DIR");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("turgus assets: {problem}");
            ExitCode::FAILURE
        }
    }
}
