//! Keeping each carrier's list fresh: downloaded daily for the carriers the shop's methods use,
//! once across instances (an instance claims a carrier's turn in `pickup_feeds`), read and
//! checked before it replaces the last good list. A download that fails, a list that does not
//! read, or one under half the size of the last is refused: the old list stays, the admin sees
//! why, and the shop tries again in [`RETRY`]. A new shop whose first download fails (offline)
//! gets the bundled Omniva sample, replaced by the feed's list once the feed answers.

use super::feeds::{self, Parsed};
use super::store::{self, Source};
use super::Carrier;
use crate::config::PointFeeds;
use crate::error::AppError;
use std::time::{Duration, SystemTime};

/// A good list is downloaded again after a day.
pub const DAILY: Duration = Duration::from_secs(24 * 3600);
/// A refused one is tried again sooner.
pub const RETRY: Duration = Duration::from_secs(15 * 60);
/// An instance that claimed a refresh and died is relieved after this.
const LEASE: Duration = Duration::from_secs(10 * 60);
/// The most a list may weigh (Omniva's whole list is about 2 MB).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// A few real Omniva points in Lithuania, Latvia and Estonia, from its public list.
const OMNIVA_SAMPLE: &[u8] = include_bytes!("omniva-sample.json");

/// Where `carrier`'s list is downloaded from.
fn url(feeds: &PointFeeds, carrier: Carrier) -> &str {
    match carrier {
        Carrier::Omniva => &feeds.omniva,
        Carrier::Dpd => &feeds.dpd,
        Carrier::Venipak => &feeds.venipak,
        Carrier::LpExpress => &feeds.lpexpress,
    }
}

/// What a refresh did.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// The list was replaced; how many points it holds.
    Replaced(usize),
    /// The list was refused, and why; the last good one stays.
    Refused(String),
    /// Not due, or another instance has it.
    NotDue,
}

/// Refreshes each of `carriers` that is due, one after the other.
pub async fn refresh_due(
    writer: &crate::db::Db,
    feeds: &PointFeeds,
    carriers: &[Carrier],
    now: SystemTime,
) -> Vec<(Carrier, Result<Outcome, AppError>)> {
    let mut done = vec![];
    for &carrier in carriers {
        done.push((carrier, refresh(writer, feeds, carrier, now, false).await));
    }
    done
}

/// Downloads `carrier`'s list and puts it in place if it passes, when it is due or `forced`.
pub async fn refresh(
    writer: &crate::db::Db,
    feeds: &PointFeeds,
    carrier: Carrier,
    now: SystemTime,
    forced: bool,
) -> Result<Outcome, AppError> {
    let lease = now + LEASE;
    if !store::claim(writer, carrier, now, lease, forced).await? {
        return Ok(Outcome::NotDue);
    }
    let read = download(feeds, carrier)
        .await
        .and_then(|bytes| feeds::parse(carrier, &bytes).map_err(|p| p.to_string()));
    let outcome = take(writer, carrier, read, Source::Feed, now).await?;
    let next = match outcome {
        Outcome::Replaced(_) => DAILY,
        _ => RETRY,
    };
    store::schedule(writer, carrier, lease, now + next).await?;
    if matches!(outcome, Outcome::Refused(_)) && carrier == Carrier::Omniva {
        load_sample(writer, now).await?;
    }
    Ok(outcome)
}

/// Puts a list the merchant loaded from a file in place of `carrier`'s, if it reads.
pub async fn load_file(
    writer: &crate::db::Db,
    carrier: Carrier,
    bytes: &[u8],
    now: SystemTime,
) -> Result<Outcome, AppError> {
    let read = feeds::parse(carrier, bytes).map_err(|p| p.to_string());
    take(writer, carrier, read, Source::File, now).await
}

/// The bundled Omniva sample, for a shop that has no Omniva list at all yet.
pub async fn load_sample(writer: &crate::db::Db, now: SystemTime) -> Result<(), AppError> {
    let parsed = feeds::parse(Carrier::Omniva, OMNIVA_SAMPLE).map_err(|problem| {
        tracing::error!(%problem, "the bundled Omniva sample does not read");
        AppError::Internal
    })?;
    let _ = store::replace(writer, Carrier::Omniva, &parsed.points, Source::Sample, now).await?;
    Ok(())
}

/// Replaces the list by what was read, or notes why not.
async fn take(
    writer: &crate::db::Db,
    carrier: Carrier,
    read: Result<Parsed, String>,
    source: Source,
    now: SystemTime,
) -> Result<Outcome, AppError> {
    let refused = match read {
        Ok(parsed) => match store::replace(writer, carrier, &parsed.points, source, now).await? {
            Ok(points) => {
                tracing::info!(
                    carrier = carrier.code(),
                    points,
                    skipped = parsed.skipped,
                    "pick-up points refreshed"
                );
                return Ok(Outcome::Replaced(points));
            }
            Err(refusal) => refusal.to_string(),
        },
        Err(why) => why,
    };
    tracing::warn!(carrier = carrier.code(), why = %refused, "pick-up point list refused; the last good one stays");
    store::record_refusal(writer, carrier, &refused, now).await?;
    Ok(Outcome::Refused(refused))
}

/// The list's bytes, or why not.
async fn download(feeds: &PointFeeds, carrier: Carrier) -> Result<Vec<u8>, String> {
    let client = reqwest::Client::builder()
        .timeout(feeds.timeout)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|_| "no HTTP client".to_owned())?;
    crate::download::download(&client, url(feeds, carrier), MAX_BYTES)
        .await
        .map_err(|why| format!("the list {why}"))
}
