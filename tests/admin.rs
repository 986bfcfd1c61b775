//! The admin's login: one message for every failure, rotated sessions, guarded server functions,
//! no open redirects, and the account-creation command.

mod support;

use reqwest::StatusCode;
use support::{TestShop, OWNER};
use turgus::error::AppError;

const PASSWORD: &str = "correct horse battery staple";

async fn shop_with_admin() -> TestShop {
    let shop = TestShop::spawn().await;
    turgus::admin::auth::create_admin(
        &shop.db,
        "owner@example.lt",
        PASSWORD,
        turgus::locale::Locale::en,
    )
    .await
    .unwrap();
    shop
}

async fn login(shop: &TestShop, email: &str, password: &str, next: &str) -> reqwest::Response {
    shop.call(
        "admin/login",
        &[("email", email), ("password", password), ("next", next)],
    )
    .await
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("turgus_session="))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

#[tokio::test]
async fn the_owner_logs_in_and_sees_the_overview() {
    let shop = shop_with_admin().await;
    assert_eq!(
        shop.call("admin/home", &[]).await.status(),
        StatusCode::UNAUTHORIZED,
        "anonymous"
    );
    let response = login(&shop, "Owner@Example.lt", PASSWORD, "/admin").await;
    assert_eq!(response.status(), StatusCode::OK);
    let home = shop.call("admin/home", &[]).await;
    assert_eq!(home.status(), StatusCode::OK);
    let home: serde_json::Value = home.json().await.unwrap();
    assert_eq!(home["paysera_mode"], "sandbox");
    let (status, html) = shop.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Your shop"));
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let shop = shop_with_admin().await;
    let mut answers = vec![];
    for (email, password) in [
        ("nobody@example.lt", PASSWORD),
        ("owner@example.lt", "wrong password!!"),
    ] {
        let response = login(&shop, email, password, "/admin").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        answers.push(response.json::<AppError>().await.unwrap());
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(
        shop.call("admin/home", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn logging_in_rotates_the_session_and_the_old_cookie_is_worthless() {
    let shop = shop_with_admin().await;
    // A session exists before logging in (say, a cart).
    let id = shop.product_id("enamel-mug").await.to_string();
    let before = session_cookie(
        &shop
            .call("cart/add", &[("product_id", &id), ("quantity", "1")])
            .await,
    )
    .unwrap();
    let after = session_cookie(&login(&shop, "owner@example.lt", PASSWORD, "/admin").await)
        .expect("a new session id");
    assert_ne!(before, after);
    let stale = support::shopper()
        .post(shop.url("/api/admin/home"))
        .header("cookie", before)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        StatusCode::UNAUTHORIZED,
        "the pre-login session id is not an admin"
    );
    // Logging out ends it.
    shop.call("admin/logout", &[]).await;
    assert_eq!(
        shop.call("admin/home", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn admin_pages_send_strangers_to_the_login() {
    let shop = shop_with_admin().await;
    let response = shop
        .client
        .get(shop.url("/admin"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/admin/login?next=%2Fadmin");
}

#[tokio::test]
async fn after_login_next_goes_only_to_this_site() {
    let shop = shop_with_admin().await;
    for (next, expected) in [
        ("/admin", "/admin"),
        ("//evil.example", "/admin"),
        ("https://evil.example", "/admin"),
        ("/\\evil.example", "/admin"),
    ] {
        let response = login(&shop, "owner@example.lt", PASSWORD, next).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["location"], expected, "{next}");
    }
}

#[tokio::test]
async fn the_owner_account_is_created_from_the_command_line() {
    let shop = TestShop::spawn().await;
    let create = ["admin", "create", "--email", "owner@example.lt"];
    let (code, out) = shop.command(&create, "short\n").await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("at least 12"), "{out}");
    let (code, out) = shop.command(&create, &format!("{PASSWORD}\n")).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains(PASSWORD), "the password is never printed");
    assert_eq!(
        login(&shop, "owner@example.lt", PASSWORD, "/admin")
            .await
            .status(),
        StatusCode::OK
    );
    let hash: String =
        turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT password_hash FROM admins")
        .fetch_one(conn)
        .await)
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

/// The setup link the shop printed at start-up (while it had no admin).
async fn setup_token(shop: &TestShop) -> Option<String> {
    turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT token FROM admin_setup_link")
        .fetch_optional(conn)
        .await)
    .unwrap()
}

async fn setup(shop: &TestShop, token: &str, email: &str, password: &str) -> StatusCode {
    let form = [
        ("token", token),
        ("email", email),
        ("password", password),
        ("language", "lt"),
    ];
    shop.call("admin/setup", &form).await.status()
}

#[tokio::test]
async fn the_one_time_setup_link_creates_the_owner_once() {
    let shop = TestShop::spawn().await;
    let token = setup_token(&shop)
        .await
        .expect("a setup link while there is no admin");
    assert_eq!(
        setup(&shop, "wrong-token", OWNER, PASSWORD).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        setup(&shop, &token, OWNER, "short").await,
        StatusCode::BAD_REQUEST,
        "a typo does not burn the link"
    );
    assert_eq!(setup(&shop, &token, OWNER, PASSWORD).await, StatusCode::OK);
    assert_eq!(
        shop.call("admin/home", &[]).await.status(),
        StatusCode::OK,
        "logged in"
    );
    assert_eq!(
        setup(&shop, &token, OWNER, PASSWORD).await,
        StatusCode::NOT_FOUND,
        "only once"
    );
    let (admins,): (i64,) =
        turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT COUNT(*) FROM admins")
        .fetch_one(conn)
        .await)
        .unwrap();
    assert_eq!(admins, 1);
}

/// The takeover an attacker who read the start-up log could do: the owner was created on the
/// command line while the shop ran, and the printed link was then used with the owner's e-mail
/// in other capitals and a password of the attacker's.
#[tokio::test]
async fn the_setup_link_never_re_passwords_an_owner_created_meanwhile() {
    let shop = TestShop::spawn().await;
    let token = setup_token(&shop).await.expect("a setup link");
    turgus::admin::auth::create_admin(&shop.db, OWNER, PASSWORD, turgus::locale::Locale::en)
        .await
        .unwrap();
    assert_eq!(
        setup_token(&shop).await,
        None,
        "creating an admin ends the link"
    );
    let hash_before: String = shop.scalar("SELECT password_hash FROM admins").await;

    let attacker = "attacker's own password";
    assert_eq!(
        setup(&shop, &token, &OWNER.to_uppercase(), attacker).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        shop.call("admin/home", &[]).await.status(),
        StatusCode::UNAUTHORIZED,
        "the caller is not logged in"
    );
    let hash_after: String = shop.scalar("SELECT password_hash FROM admins").await;
    assert_eq!(hash_before, hash_after, "the owner's password is unchanged");
    let login = [("email", OWNER), ("password", PASSWORD), ("next", "/admin")];
    assert_eq!(
        shop.call("admin/login", &login).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_expired_setup_link_is_refused_and_a_restart_prints_a_new_one() {
    let shop = TestShop::spawn().await;
    let token = setup_token(&shop).await.expect("a setup link");
    let past = turgus::clock::now_plus(-60);
    shop.execute(&format!(
        "UPDATE admin_setup_link SET expires_at = '{past}'"
    ))
    .await;
    assert_eq!(
        setup(&shop, &token, OWNER, PASSWORD).await,
        StatusCode::NOT_FOUND
    );
    let (dir, client) = shop.stop().await;
    let shop = TestShop::spawn_in(dir, client).await;
    let fresh = setup_token(&shop).await.expect("a new link");
    assert_ne!(fresh, token);
    assert_eq!(setup(&shop, &fresh, OWNER, PASSWORD).await, StatusCode::OK);
}
