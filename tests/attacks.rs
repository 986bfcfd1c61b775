//! The shop tried as an attacker would: a stranger on the internet, someone who read a log line,
//! a local user of the server. Each test is a hole that was found open, and stays closed.

mod support;

use reqwest::{Method, StatusCode};
use support::TestShop;

async fn scrape(metrics: std::net::SocketAddr) -> String {
    reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The request series of one route, as `/metrics` lists them.
fn series_of(text: &str, route: &str) -> Vec<String> {
    let label = format!("route=\"{route}\"");
    text.lines()
        .filter(|line| !line.starts_with('#') && line.contains(&label))
        .map(|line| line.rsplit_once(' ').map_or(line, |(series, _)| series).to_owned())
        .collect()
}

#[tokio::test]
async fn odd_http_methods_add_no_metrics_series() {
    let shop = TestShop::spawn_configured(|config, _| {
        config.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let metrics = shop.metrics.expect("a metrics address");
    let odd = |n: usize| Method::from_bytes(format!("X{n}{}", "Q".repeat(4000)).as_bytes()).unwrap();
    let send = |method: Method| shop.client.request(method, shop.url("/healthz")).send();
    assert_eq!(send(Method::GET).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send(odd(0)).await.unwrap().status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    let before = series_of(&scrape(metrics).await, "/healthz");
    for n in 1..=100 {
        send(odd(n)).await.unwrap();
    }
    let text = scrape(metrics).await;
    assert_eq!(series_of(&text, "/healthz"), before);
    assert!(!text.contains("QQQQ"), "no method taken as a label");
    assert!(text.len() < 200_000, "{} bytes", text.len());
}
