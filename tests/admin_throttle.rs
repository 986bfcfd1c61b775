//! Login throttling (its own test binary: the counts are per process and would slow other tests).

mod support;

use reqwest::StatusCode;

#[tokio::test]
async fn repeated_failures_are_slowed_then_refused() {
    let shop = support::TestShop::spawn().await;
    turgus::admin::auth::create_admin(
        &shop.db,
        "owner@example.lt",
        "correct horse battery staple",
        turgus::locale::Locale::en,
    )
    .await
    .unwrap();
    let mut statuses = vec![];
    for _ in 0..9 {
        let response = shop
            .call(
                "admin/login",
                &[
                    ("email", "owner@example.lt"),
                    ("password", "guess"),
                    ("next", "/admin"),
                ],
            )
            .await;
        statuses.push(response.status());
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(
        *statuses.last().unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        "{statuses:?}"
    );
    // Even the right password waits out the refusal: a guesser cannot tell it worked.
    let right = shop
        .call(
            "admin/login",
            &[
                ("email", "owner@example.lt"),
                ("password", "correct horse battery staple"),
                ("next", "/admin"),
            ],
        )
        .await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
}
