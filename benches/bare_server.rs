//! The ceiling `make bench` compares the shop's pages with: a bare axum server answering every
//! `GET` with the same bytes from memory (a page the shop rendered), nothing else on the way.
//!
//! `bare_server PORT FILE` (built by `scripts/bench.sh` as an example: `cargo build --release
//! --example bare_server --features ssr`).

use axum::http::header;
use axum::response::IntoResponse;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_server PORT FILE");
        std::process::exit(2);
    };
    let body = axum::body::Bytes::from(std::fs::read(&file).expect("the page to serve"));
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response() }
    });
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(async move {
            let listener =
                tokio::net::TcpListener::bind(("127.0.0.1", port.parse::<u16>().expect("a port")))
                    .await
                    .expect("the port is free");
            axum::serve(listener, app).await.expect("serving");
        });
}
