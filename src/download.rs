//! Downloads for the shop's own use (photos named by an imported catalog, carriers' lists of
//! pick-up points): bounded in size, and failing with a short reason instead of reqwest's error,
//! which repeats the URL (and with it any credentials in it) and says little a merchant can act on.

/// The body at `url` (http or https only), at most `max_bytes` of it, or why not in words a
/// merchant can act on.
pub async fn download(
    client: &reqwest::Client,
    url: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "not an address".to_owned())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https addresses are fetched".into());
    }
    let mut response = client
        .get(parsed)
        .send()
        .await
        .map_err(|error| format!("could not be fetched ({})", short(&error)))?;
    if !response.status().is_success() {
        return Err(format!("answered {}", response.status()));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| format!("could not be fetched ({})", short(&error)))?
    {
        if bytes.len() + chunk.len() > max_bytes {
            return Err(format!("larger than {} MB", max_bytes / 1024 / 1024));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// reqwest's error without the URL it repeats.
fn short(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "no connection"
    } else {
        "failed"
    }
}
