//! `turgus paysera …`: commands for merchants debugging a Paysera integration.
//!
//! ```text
//! turgus paysera verify-callback --project-id N --password P [--public-key FILE] [--policy rsa|ss1|encrypted] 'QUERY'
//! turgus paysera sign-request --password P '[["orderid","1"],…,["version","1.6"],["projectid","N"]]'
//! ```
//!
//! Each prints one JSON object and exits 0 when it succeeded, 1 when the callback or request was
//! refused, 2 when the command itself was wrong.

use crate::paysera::callback::{
    parse_received, verify, CallbackVerifier, PayseraPublicKey, SignaturePolicy,
};
use crate::paysera::request::{sign_params, validate};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PayseraCommand {
    /// Verifies a callback's query as the shop would and prints its parameters or the reason.
    VerifyCallback {
        #[arg(long)]
        project_id: u64,
        #[arg(long)]
        password: String,
        /// Paysera's public key (PEM); needed with `--policy rsa`.
        #[arg(long)]
        public_key: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Policy::Rsa)]
        policy: Policy,
        /// The callback's query string, quoted.
        query: String,
    },
    /// Checks and signs a payment request given as a JSON array of [key, value] pairs.
    SignRequest {
        #[arg(long)]
        password: String,
        pairs: String,
    },
}

/// How the callback is signed (the shop's setting of the same name).
#[derive(Clone, Copy, ValueEnum)]
pub enum Policy {
    Rsa,
    Ss1,
    Encrypted,
}

pub fn run(command: PayseraCommand) -> ExitCode {
    let result = match &command {
        PayseraCommand::VerifyCallback {
            project_id,
            password,
            public_key,
            policy,
            query,
        } => verifier(*project_id, password, public_key.as_deref(), *policy)
            .map(|verifier| verify_callback(&verifier, query)),
        PayseraCommand::SignRequest { password, pairs } => sign_request(password, pairs),
    };
    match result {
        Ok((output, ok)) => {
            println!("{output}");
            ExitCode::from(if ok { 0 } else { 1 })
        }
        Err(problem) => {
            eprintln!("turgus paysera: {problem}");
            ExitCode::from(2)
        }
    }
}

fn verifier(
    project_id: u64,
    password: &str,
    public_key: Option<&std::path::Path>,
    policy: Policy,
) -> Result<CallbackVerifier, String> {
    let policy = match policy {
        Policy::Rsa => SignaturePolicy::Rsa,
        Policy::Ss1 => SignaturePolicy::Ss1,
        Policy::Encrypted => SignaturePolicy::Encrypted,
    };
    let public_key = match public_key {
        Some(path) => {
            let file = path.display();
            let pem =
                std::fs::read_to_string(path).map_err(|e| format!("--public-key {file}: {e}"))?;
            Some(
                PayseraPublicKey::from_pem(&pem)
                    .map_err(|e| format!("--public-key {file}: {e}"))?,
            )
        }
        None if policy == SignaturePolicy::Rsa => {
            return Err("--public-key is required with --policy rsa".into())
        }
        None => None,
    };
    Ok(CallbackVerifier {
        project_id,
        password: password.to_owned(),
        policy,
        public_key,
    })
}

fn verify_callback(verifier: &CallbackVerifier, query: &str) -> (serde_json::Value, bool) {
    match verify(&parse_received(query), verifier) {
        Ok(callback) => (json!({ "ok": true, "params": callback.params }), true),
        Err(reason) => (json!({ "ok": false, "reason": reason.to_string() }), false),
    }
}

fn sign_request(password: &str, pairs: &str) -> Result<(serde_json::Value, bool), String> {
    let pairs: Vec<(String, String)> = serde_json::from_str(pairs)
        .map_err(|e| format!("JSON must be an array of [key, value] string pairs: {e}"))?;
    if let Err(error) = validate(&pairs) {
        return Ok((
            json!({ "ok": false, "field": error.field, "reason": error.message }),
            false,
        ));
    }
    let signed = sign_params(&pairs, password);
    Ok((
        json!({ "query": signed.query, "data": signed.data, "sign": signed.sign }),
        true,
    ))
}
