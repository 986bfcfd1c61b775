//! Parcel lockers and pick-up points: each carrier's list read into one shape, lists refreshed
//! from a carrier's feed that may fail in every way without ever leaving checkout without a list,
//! and a shopper in Kaunas sending an order to an Omniva locker that later leaves the list.

mod support;

use reqwest::StatusCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use support::TestShop;
use turgus::domain::pickup_points::feeds::parse;
use turgus::domain::pickup_points::refresh::{self, Outcome};
use turgus::domain::pickup_points::store::{self, Source};
use turgus::domain::pickup_points::{Carrier, Point, Search};

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/carriers/{name}.sample.json")).unwrap()
}

fn by_id<'a>(points: &'a [Point], id: &str) -> &'a Point {
    points.iter().find(|p| p.id.0 == id).unwrap()
}

/// Every point with a position stands in the Baltics: latitude 53–60 °N, longitude 20–29 °E
/// (swapped, they would stand in the Indian Ocean).
fn all_in_the_baltics(points: &[Point]) -> bool {
    points
        .iter()
        .filter(|p| ["LT", "LV", "EE"].contains(&p.country.as_str()))
        .filter_map(|p| p.coordinates)
        .all(|c| (53.0..60.0).contains(&c.latitude) && (20.0..29.0).contains(&c.longitude))
}

#[test]
fn each_carriers_list_reads_into_the_same_shape() {
    let omniva = parse(Carrier::Omniva, &sample("omniva-locations")).unwrap();
    assert_eq!((omniva.points.len(), omniva.skipped), (200, 0));
    let akmene = by_id(&omniva.points, "55583");
    assert_eq!(
        (
            akmene.city.as_str(),
            akmene.address.as_str(),
            akmene.postcode.as_str()
        ),
        ("Akmenės m.", "S. Daukanto g. 7", "")
    );
    assert!(akmene.locker && akmene.country == "LT");
    let tallinn = by_id(&omniva.points, "10696");
    assert_eq!((tallinn.city.as_str(), tallinn.locker), ("Tallinn", false));
    let daugavpils = by_id(&omniva.points, "9211");
    assert_eq!(
        daugavpils.city, "Daugavpils",
        "the county when the city is empty"
    );
    assert!(all_in_the_baltics(&omniva.points));

    let dpd = parse(Carrier::Dpd, &sample("dpd-pickup-points")).unwrap();
    assert_eq!(dpd.points.len(), 75);
    let green_hall = by_id(&dpd.points, "LT90331");
    assert_eq!(
        (
            green_hall.city.as_str(),
            green_hall.address.as_str(),
            green_hall.postcode.as_str()
        ),
        ("Vilnius", "Upės g. 21", "08128")
    );
    assert!(dpd.points.iter().all(|p| p.locker));
    let shops = parse(Carrier::Dpd, &sample("dpd-pickup-points-2020")).unwrap();
    let nomme = by_id(&shops.points, "EE10077");
    assert_eq!((nomme.address.as_str(), nomme.locker), ("Jaama 3", false));
    assert!(all_in_the_baltics(&dpd.points) && all_in_the_baltics(&shops.points));

    let venipak = parse(Carrier::Venipak, &sample("venipak-pickup-points")).unwrap();
    assert_eq!(venipak.skipped, 1, "the test row without a country");
    let haapsalu = by_id(&venipak.points, "1278");
    assert_eq!(
        (
            haapsalu.name.as_str(),
            haapsalu.locker,
            haapsalu.postcode.as_str()
        ),
        ("Haapsalu Cargobus", false, "90504")
    );
    let coordinates = haapsalu.coordinates.unwrap();
    assert_eq!(
        (coordinates.latitude, coordinates.longitude),
        (58.9381856, 23.5323021)
    );
    assert!(
        by_id(&venipak.points, "1769").coordinates.is_none(),
        "0.0000000 is unknown"
    );
    assert!(
        by_id(&venipak.points, "2225").coordinates.is_none(),
        "14.7 °N is not in Lithuania"
    );
    assert_eq!(venipak.points.iter().filter(|p| p.locker).count(), 36);
    assert!(all_in_the_baltics(&venipak.points));

    let lp = parse(Carrier::LpExpress, &sample("lpexpress-terminals")).unwrap();
    assert_eq!(lp.points.len(), 78);
    let saurida = by_id(&lp.points, "1");
    assert_eq!(
        (
            saurida.city.as_str(),
            saurida.address.as_str(),
            saurida.postcode.as_str()
        ),
        ("Vilnius", "Buivydiškių g.1a, Zujūnai", "14160")
    );
    assert!(lp.points.iter().all(|p| p.locker) && all_in_the_baltics(&lp.points));
}

/// A stand-in for a carrier's feed: answers whatever `answer` holds, counting requests.
struct Feed {
    url: String,
    answer: Arc<std::sync::Mutex<(u16, Vec<u8>, Duration)>>,
    requests: Arc<AtomicUsize>,
}

impl Feed {
    async fn start() -> Feed {
        let answer = Arc::new(std::sync::Mutex::new((200, vec![], Duration::ZERO)));
        let requests = Arc::new(AtomicUsize::new(0));
        let (given, counted) = (answer.clone(), requests.clone());
        let app = axum::Router::new().fallback(move || {
            let (given, counted) = (given.clone(), counted.clone());
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                let (status, body, delay) = given.lock().unwrap().clone();
                tokio::time::sleep(delay).await;
                (axum::http::StatusCode::from_u16(status).unwrap(), body)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/locations.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Feed {
            url,
            answer,
            requests,
        }
    }

    fn answers(&self, status: u16, body: Vec<u8>, delay: Duration) {
        *self.answer.lock().unwrap() = (status, body, delay);
    }

    fn feeds(&self) -> turgus::config::PointFeeds {
        let mut feeds = support::config_for(std::path::Path::new("/tmp")).point_feeds;
        feeds.omniva = self.url.clone();
        feeds.timeout = Duration::from_secs(1);
        feeds
    }
}

async fn omniva_points(shop: &TestShop) -> i64 {
    shop.scalar("SELECT COUNT(*) FROM pickup_points WHERE carrier = 'omniva'")
        .await
}

#[tokio::test]
async fn a_feed_that_fails_in_any_way_leaves_the_last_good_list() {
    let shop = TestShop::spawn().await;
    assert_eq!(
        omniva_points(&shop).await,
        31,
        "a new shop shows the bundled sample"
    );
    let feed = Feed::start().await;
    let feeds = feed.feeds();
    let full = sample("omniva-locations");
    let refresh_now =
        || refresh::refresh(&shop.db, &feeds, Carrier::Omniva, SystemTime::now(), true);

    feed.answers(200, full.clone(), Duration::ZERO);
    assert_eq!(refresh_now().await.unwrap(), Outcome::Replaced(200));
    let state = store::feed(&shop.db, Carrier::Omniva).await.unwrap();
    assert_eq!(
        (state.points, state.source, state.error.as_str()),
        (200, Some(Source::Feed), "")
    );

    let quarter = serde_json::to_vec(
        &serde_json::from_slice::<Vec<serde_json::Value>>(&full).unwrap()[..50].to_vec(),
    )
    .unwrap();
    let failures: [(u16, Vec<u8>, Duration, &str); 5] = [
        (
            200,
            full[..full.len() / 2].to_vec(),
            Duration::ZERO,
            "not JSON",
        ),
        (
            200,
            quarter,
            Duration::ZERO,
            "50 points, under half of the 200",
        ),
        (500, full.clone(), Duration::ZERO, "answered 500"),
        (200, full.clone(), Duration::from_secs(3), "timed out"),
        (
            200,
            b"{\"points\": []}".to_vec(),
            Duration::ZERO,
            "not a list",
        ),
    ];
    for (status, body, delay, why) in failures {
        feed.answers(status, body, delay);
        let Outcome::Refused(said) = refresh_now().await.unwrap() else {
            panic!("{why}: taken");
        };
        assert!(said.contains(why), "{why}: {said}");
        assert_eq!(
            omniva_points(&shop).await,
            200,
            "{why}: the last good list stays"
        );
        let state = store::feed(&shop.db, Carrier::Omniva).await.unwrap();
        assert_eq!(state.error, said, "the admin sees why");
    }
    // Not forced, a refused list is tried again after its retry time, not before.
    assert_eq!(
        refresh::refresh(&shop.db, &feeds, Carrier::Omniva, SystemTime::now(), false)
            .await
            .unwrap(),
        Outcome::NotDue
    );
    feed.answers(200, full, Duration::ZERO);
    let later = SystemTime::now() + refresh::RETRY;
    assert_eq!(
        refresh::refresh(&shop.db, &feeds, Carrier::Omniva, later, false)
            .await
            .unwrap(),
        Outcome::Replaced(200)
    );
}

#[tokio::test]
async fn two_instances_refreshing_at_once_download_the_list_once() {
    let shop = TestShop::spawn().await;
    let other = turgus::db::connect(&support::database_url(shop.dir.path()))
        .await
        .unwrap();
    let feed = Feed::start().await;
    feed.answers(200, sample("omniva-locations"), Duration::from_millis(200));
    let feeds = feed.feeds();
    let now = SystemTime::now() + refresh::DAILY;
    let (one, two) = tokio::join!(
        refresh::refresh_due(&shop.db, &feeds, &[Carrier::Omniva], now),
        refresh::refresh_due(&other, &feeds, &[Carrier::Omniva], now),
    );
    let outcomes: Vec<Outcome> = one
        .into_iter()
        .chain(two)
        .map(|(_, o)| o.unwrap())
        .collect();
    assert!(
        outcomes.contains(&Outcome::Replaced(200)) && outcomes.contains(&Outcome::NotDue),
        "{outcomes:?}"
    );
    assert_eq!(feed.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_search_finds_points_whatever_the_accents_and_endings() {
    let shop = TestShop::spawn().await;
    let parsed = parse(Carrier::Omniva, &sample("omniva-locations")).unwrap();
    store::replace(
        &shop.db,
        Carrier::Omniva,
        &parsed.points,
        Source::File,
        SystemTime::now(),
    )
    .await
    .unwrap()
    .unwrap();
    let lithuania = store::in_country(&shop.db, Carrier::Omniva, "LT")
        .await
        .unwrap();
    assert_eq!(lithuania.len(), 80);
    let found = |typed: &str| {
        let search = Search::parse(typed);
        lithuania
            .iter()
            .filter(|p| search.matches(&p.haystack()))
            .count()
    };
    assert_eq!(found("siauliai"), 3);
    assert_eq!(found("ŠIAULIŲ"), 3);
    // Kaunas's 10 and 4 around it named after it (Kauno Garliavos …).
    assert_eq!(found("Kaunas"), 14);
    assert_eq!(found("kaunas akropolis"), found("kauno akropol"));
    assert_eq!(found(""), 80);
    assert_eq!(
        found("Tallinn"),
        0,
        "another country's points are not in Lithuania's list"
    );
}

/// The checkout form of a shopper in Kaunas sending the order to the Omniva locker `point`.
fn to_locker(key: &str, point: &str, phone: &str) -> Vec<(&'static str, String)> {
    let typed = [
        ("email", "ona@example.lt"),
        ("first_name", "Ona"),
        ("last_name", "Onaitė"),
        ("street", ""),
        ("city", ""),
        ("postcode", ""),
        ("country", "LT"),
        ("shipping", "locker"),
        ("terms", "on"),
    ];
    typed
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .chain([
            ("checkout_key", key.to_owned()),
            ("point", point.to_owned()),
            ("phone", phone.to_owned()),
        ])
        .collect()
}

async fn place(shop: &TestShop, form: &[(&'static str, String)]) -> (StatusCode, String) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = shop.call("checkout/place", &form).await;
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_shopper_in_kaunas_sends_the_order_to_a_locker_that_stays_on_the_order_when_it_leaves_the_list(
) {
    let shop = TestShop::spawn().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "1")])
        .await;
    // The list is in the page, grouped by city; a search narrows it on the server.
    let (_, page) = shop.page("/en/checkout").await;
    assert!(page.contains(r#"<optgroup label="Kauno m.">"#), "{page}");
    assert!(page.contains(r#"<option value="omniva:"#));
    let key = shop.checkout_key().await;
    let mut search: Vec<(&str, String)> = to_locker(&key, "", "");
    search.push(("point_search", "siauliai".into()));
    search.push(("find_points", "1".into()));
    let (status, _) = place(&shop, &search).await;
    assert_eq!(status, StatusCode::OK);
    let (_, narrowed) = shop.page("/en/checkout").await;
    assert!(narrowed.contains("Šiaulių m.") && !narrowed.contains(r#"label="Kauno m.""#));
    assert!(
        narrowed.contains(r#"value="siauliai""#),
        "the search is kept"
    );

    let kaunas = store::in_country(&shop.db, Carrier::Omniva, "LT")
        .await
        .unwrap();
    let kaunas = kaunas
        .iter()
        .find(|p| p.city == "Kauno m.")
        .unwrap()
        .clone();
    let chosen = format!("omniva:{}", kaunas.id.0);
    let riga = store::in_country(&shop.db, Carrier::Omniva, "LV")
        .await
        .unwrap()[0]
        .clone();
    let refused = [
        (to_locker(&key, "", "8 612 34567"), "Choose a pick-up point"),
        (
            to_locker(&key, "omniva:00000", "8 612 34567"),
            "Choose a pick-up point",
        ),
        (
            to_locker(&key, &format!("omniva:{}", riga.id.0), "8 612 34567"),
            "Choose a pick-up point",
        ),
        (
            to_locker(&key, &format!("dpd:{}", kaunas.id.0), "8 612 34567"),
            "Choose a pick-up point",
        ),
        (to_locker(&key, &chosen, "call me"), "phone number"),
    ];
    for (form, why) in refused {
        let (status, _) = place(&shop, &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
        let (_, page) = shop.page("/en/checkout").await;
        assert!(page.contains(why), "{why}");
    }
    let (status, body) = place(&shop, &to_locker(&key, &chosen, "8 612 34567")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let frozen: (String, String, String, String, String) =
        turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT pickup_carrier, pickup_point_id, pickup_point, phone, street FROM orders",
    )
    .fetch_one(conn)
    .await)
        .unwrap();
    assert_eq!(
        frozen,
        (
            "omniva".into(),
            kaunas.id.0.clone(),
            kaunas.one_line(),
            "+37061234567".into(),
            String::new()
        )
    );

    // The point leaves Omniva's list: the order keeps it, and the merchant is told.
    let number: i64 = shop.scalar("SELECT number FROM orders").await;
    let token: String = shop.scalar("SELECT public_token FROM orders").await;
    let rest: Vec<Point> = parse(Carrier::Omniva, &sample("omniva-locations"))
        .unwrap()
        .points
        .into_iter()
        .filter(|p| p.id != kaunas.id)
        .collect();
    store::replace(
        &shop.db,
        Carrier::Omniva,
        &rest,
        Source::File,
        SystemTime::now(),
    )
    .await
    .unwrap()
    .unwrap();
    let (_, accept) = shop
        .page(&format!("/en/checkout/accept?order={token}"))
        .await;
    assert!(
        accept.contains(&kaunas.name),
        "the shopper's page shows the point"
    );
    shop.log_in_admin().await;
    let (_, admin) = shop.page(&format!("/admin/orders/{number}")).await;
    assert!(admin.contains(&kaunas.name) && admin.contains("+37061234567"));
    assert!(admin.contains(r#"data-testid="point-gone""#));
    let (_, csv) = shop.page("/admin/export/orders.csv").await;
    assert!(
        csv.contains(&kaunas.one_line()) && csv.contains("+37061234567"),
        "{csv}"
    );
}

#[tokio::test]
async fn the_merchant_sees_each_carriers_list_refreshes_it_and_loads_one_from_a_file() {
    let feed = Feed::start().await;
    let url = feed.url.clone();
    let shop = TestShop::spawn_configured(move |config, _| {
        config.point_feeds.omniva = url;
        config.point_feeds.timeout = Duration::from_secs(1);
    })
    .await;
    shop.log_in_admin().await;
    feed.answers(500, vec![], Duration::ZERO);
    let refreshed = shop
        .call("admin/shipping/refresh", &[("carrier", "omniva")])
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let (_, page) = shop.page("/en/admin/shipping").await;
    assert!(
        page.contains("answered 500") && page.contains("bundled sample"),
        "{page}"
    );

    let upload = |carrier: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("carrier", carrier)
            .part("file", reqwest::multipart::Part::bytes(bytes));
        shop.client
            .post(shop.url("/admin/shipping/points-file"))
            .multipart(form)
            .send()
    };
    let loaded = upload("venipak", sample("venipak-pickup-points"))
        .await
        .unwrap();
    let status = loaded.status();
    assert!(
        status.is_redirection() || status.is_success(),
        "{status}: {}",
        loaded.text().await.unwrap()
    );
    let venipak = store::feed(&shop.db, Carrier::Venipak).await.unwrap();
    assert_eq!((venipak.points, venipak.source), (78, Some(Source::File)));
    let unknown = upload("fedex", b"[]".to_vec()).await.unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let broken = upload("dpd", b"<html>".to_vec()).await.unwrap();
    assert!(broken.status().is_redirection() || broken.status().is_success());
    let dpd = store::feed(&shop.db, Carrier::Dpd).await.unwrap();
    assert_eq!(dpd.points, 0);
    assert!(dpd.error.contains("not JSON"), "{}", dpd.error);

    feed.answers(200, sample("omniva-locations"), Duration::ZERO);
    shop.call("admin/shipping/refresh", &[("carrier", "omniva")])
        .await;
    let (_, page) = shop.page("/en/admin/shipping").await;
    assert!(page.contains(r#"data-testid="carrier-omniva""#));
    assert_eq!(omniva_points(&shop).await, 200);
}
