//! The points the shop keeps per carrier (`pickup_points`) and the state of each carrier's list
//! (`pickup_feeds`). A list is replaced whole, in one transaction, and only by one that passed its
//! checks ([`replace`]): shoppers always pick from the last good list.

use super::{Carrier, Coordinates, Point, PointId};
use crate::error::AppError;
use std::time::SystemTime;

/// Where a list came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The carrier's feed, downloaded.
    Feed,
    /// A file the merchant loaded in the admin (a shop without outbound network).
    File,
    /// The few points bundled with the shop, so that a new shop offline still shows the feature.
    Sample,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Feed => "feed",
            Source::File => "file",
            Source::Sample => "sample",
        }
    }

    fn parse(code: &str) -> Option<Source> {
        [Source::Feed, Source::File, Source::Sample]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A carrier's list as the admin sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedState {
    pub carrier: Carrier,
    pub points: i64,
    /// None while the carrier has no list at all.
    pub source: Option<Source>,
    pub refreshed_at: Option<String>,
    /// Why the last list was refused; empty if the last attempt succeeded.
    pub error: String,
    pub error_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct FeedRow {
    carrier: String,
    points: i64,
    source: String,
    refreshed_at: Option<String>,
    error: String,
    error_at: Option<String>,
}

/// Every carrier's list state, in [`Carrier::ALL`]'s order.
pub async fn feeds(pool: &crate::db::Db) -> Result<Vec<FeedState>, AppError> {
    let rows: Vec<FeedRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT carrier, points, source, refreshed_at, error, error_at FROM pickup_feeds",
    )
    .fetch_all(conn)
    .await)?;
    let mut states: Vec<FeedState> = rows
        .into_iter()
        .filter_map(|row| {
            Some(FeedState {
                carrier: Carrier::parse(&row.carrier)?,
                points: row.points,
                source: Source::parse(&row.source),
                refreshed_at: row.refreshed_at,
                error: row.error,
                error_at: row.error_at,
            })
        })
        .collect();
    states.sort_by_key(|s| Carrier::ALL.iter().position(|c| *c == s.carrier));
    Ok(states)
}

/// One carrier's list state.
pub async fn feed(pool: &crate::db::Db, carrier: Carrier) -> Result<FeedState, AppError> {
    feeds(pool)
        .await?
        .into_iter()
        .find(|s| s.carrier == carrier)
        .ok_or(AppError::Internal)
}

/// Why a list that read well was still not taken.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// Under half the points of the last good list: a truncated download or a broken feed,
    /// more likely than half the lockers closing overnight.
    Shrunk { points: usize, before: i64 },
    /// The bundled sample never replaces a real list.
    SampleOverList,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Shrunk { points, before } => write!(
                f,
                "{points} points, under half of the {before} in the last good list"
            ),
            Refusal::SampleOverList => write!(f, "the carrier already has a list"),
        }
    }
}

/// Replaces `carrier`'s list by `points` in one transaction, unless it shrank under half of the
/// last good list from the feed or a file (a sample counts for nothing). A merchant's own file is
/// taken whatever its size: they chose it.
pub async fn replace(
    writer: &crate::db::Db,
    carrier: Carrier,
    points: &[Point],
    source: Source,
    now: SystemTime,
) -> Result<Result<usize, Refusal>, AppError> {
    let mut tx = writer.begin().await?;
    let (before, was): (i64, String) = crate::on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT points, source FROM pickup_feeds WHERE carrier = $1",
    )
    .bind(carrier.code())
    .fetch_one(conn)
    .await)?;
    let real_list = was == "feed" || was == "file";
    if source == Source::Sample && !was.is_empty() {
        return Ok(Err(Refusal::SampleOverList));
    }
    if source == Source::Feed && real_list && (points.len() as i64) * 2 < before {
        return Ok(Err(Refusal::Shrunk {
            points: points.len(),
            before,
        }));
    }
    crate::on_tx!(&mut tx, conn => sqlx::query("DELETE FROM pickup_points WHERE carrier = $1")
        .bind(carrier.code())
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))?;
    // Only the first of several rows with one id is kept (a feed may repeat a point).
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&Point> = points.iter().filter(|p| seen.insert(&p.id)).collect();
    for chunk in unique.chunks(200) {
        insert(&mut tx, carrier, chunk).await?;
    }
    crate::on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE pickup_feeds SET points = $2, source = $3, refreshed_at = $4, error = '', error_at = NULL
         WHERE carrier = $1",
    )
    .bind(carrier.code())
    .bind(unique.len() as i64)
    .bind(source.code())
    .bind(crate::clock::timestamp(now))
    .execute(conn)
    .await
    .map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(Ok(unique.len()))
}

/// Inserts `points` in one statement.
async fn insert(
    tx: &mut crate::db::Tx,
    carrier: Carrier,
    points: &[&Point],
) -> Result<(), AppError> {
    const COLUMNS: usize = 10;
    let rows: Vec<String> = (0..points.len())
        .map(|row| {
            let params: Vec<String> = (1..=COLUMNS)
                .map(|column| format!("${}", row * COLUMNS + column))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO pickup_points (carrier, id, country, name, city, address, postcode,
                                    latitude, longitude, locker) VALUES {}",
        rows.join(", ")
    );
    crate::on_tx!(tx, conn => {
        let mut query = sqlx::query(&sql);
        for point in points {
            query = query
                .bind(carrier.code())
                .bind(&point.id.0)
                .bind(&point.country)
                .bind(&point.name)
                .bind(&point.city)
                .bind(&point.address)
                .bind(&point.postcode)
                .bind(point.coordinates.map(|c| c.latitude))
                .bind(point.coordinates.map(|c| c.longitude))
                .bind(point.locker);
        }
        query.execute(conn).await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Notes why `carrier`'s last list was refused; the list in use stays.
pub async fn record_refusal(
    writer: &crate::db::Db,
    carrier: Carrier,
    why: &str,
    now: SystemTime,
) -> Result<(), AppError> {
    let why: String = why.chars().take(500).collect();
    crate::on_db!(writer, conn => sqlx::query(
        "UPDATE pickup_feeds SET error = $2, error_at = $3 WHERE carrier = $1",
    )
    .bind(carrier.code())
    .bind(why)
    .bind(crate::clock::timestamp(now))
    .execute(conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Claims `carrier`'s refresh if it is due at `now` (or `forced`), moving it to `next`: of several
/// instances asking at once, one gets it.
pub async fn claim(
    writer: &crate::db::Db,
    carrier: Carrier,
    now: SystemTime,
    next: SystemTime,
    forced: bool,
) -> Result<bool, AppError> {
    let claimed = crate::on_db!(writer, conn => sqlx::query(
        "UPDATE pickup_feeds SET next_at = $2
         WHERE carrier = $1 AND ($4 OR next_at IS NULL OR next_at <= $3)",
    )
    .bind(carrier.code())
    .bind(crate::clock::timestamp(next))
    .bind(crate::clock::timestamp(now))
    .bind(forced)
    .execute(conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(claimed == 1)
}

/// Sets when `carrier`'s list is next due, if the claim that ends at `lease` is still the last
/// one (an instance that outlived its lease does not overwrite the next one's).
pub async fn schedule(
    writer: &crate::db::Db,
    carrier: Carrier,
    lease: SystemTime,
    next: SystemTime,
) -> Result<(), AppError> {
    crate::on_db!(writer, conn => sqlx::query(
        "UPDATE pickup_feeds SET next_at = $2 WHERE carrier = $1 AND next_at = $3",
    )
        .bind(carrier.code())
        .bind(crate::clock::timestamp(next))
        .bind(crate::clock::timestamp(lease))
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PointRow {
    id: String,
    country: String,
    name: String,
    city: String,
    address: String,
    postcode: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    locker: bool,
}

impl PointRow {
    fn point(self) -> Point {
        Point {
            id: PointId(self.id),
            country: self.country,
            name: self.name,
            city: self.city,
            address: self.address,
            postcode: self.postcode,
            coordinates: self
                .latitude
                .zip(self.longitude)
                .map(|(latitude, longitude)| Coordinates {
                    latitude,
                    longitude,
                }),
            locker: self.locker,
        }
    }
}

const POINT_COLUMNS: &str =
    "id, country, name, city, address, postcode, latitude, longitude, locker";

/// `carrier`'s points in `country`, by city and name.
pub async fn in_country(
    pool: &crate::db::Db,
    carrier: Carrier,
    country: &str,
) -> Result<Vec<Point>, AppError> {
    let sql = format!(
        "SELECT {POINT_COLUMNS} FROM pickup_points WHERE carrier = $1 AND country = $2
         ORDER BY city, name, id"
    );
    let rows: Vec<PointRow> = crate::on_db!(pool, conn => sqlx::query_as(&sql)
        .bind(carrier.code())
        .bind(country)
        .fetch_all(conn)
        .await)?;
    Ok(rows.into_iter().map(PointRow::point).collect())
}

/// The point `id` of `carrier` in `country`, if the current list has it.
pub async fn find(
    pool: &crate::db::Db,
    carrier: Carrier,
    country: &str,
    id: &str,
) -> Result<Option<Point>, AppError> {
    let sql = format!(
        "SELECT {POINT_COLUMNS} FROM pickup_points WHERE carrier = $1 AND country = $2 AND id = $3"
    );
    let row: Option<PointRow> = crate::on_db!(pool, conn => sqlx::query_as(&sql)
        .bind(carrier.code())
        .bind(country)
        .bind(id)
        .fetch_optional(conn)
        .await)?;
    Ok(row.map(PointRow::point))
}
