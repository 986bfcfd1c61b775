//! Discount codes as shoppers and merchants meet them: a code applied at checkout takes its
//! discount off the goods in scope, split across the lines so each rate's VAT is exact, and the
//! order asks Paysera for the discounted total; each reason a code does not apply has its own
//! message, and the order can be placed without it; wrong codes are throttled; a code's limits
//! hold when many shoppers use its last use at once, and a use comes back when an unpaid order
//! is cancelled or expires.

mod support;

use reqwest::StatusCode;
use support::paysera::{fields, live_shop, new_order, send, signed};
use support::TestShop;
use turgus::domain::flows::place_order::place;
use turgus::domain::orders::place::{NewOrder, PlacedOrder};
use turgus::error::AppError;
use turgus::money::Currency;

/// Creates code `code` with `columns` set (SQL column = value pairs beside the defaults).
async fn code(shop: &TestShop, code: &str, kind: &str, value: i64, columns: &[(&str, &str)]) {
    let (names, values): (Vec<&str>, Vec<&str>) = columns.iter().copied().unzip();
    let extra_names: String = names.iter().map(|n| format!(", {n}")).collect();
    let extra_values: String = values.iter().map(|v| format!(", {v}")).collect();
    shop.execute(&format!(
        "INSERT INTO discount_codes (code, kind, value, currency, created_at{extra_names})
         VALUES ('{code}', '{kind}', {value}, 'EUR', '2026-01-01T00:00:00.000Z'{extra_values})"
    ))
    .await;
}

/// The tea at the reduced rate (12 %), the mug at the standard one (21 %).
async fn tea_is_reduced(shop: &TestShop) {
    shop.execute("UPDATE products SET tax_class = 'reduced' WHERE slug = 'linden-blossom-tea'")
        .await;
}

/// Two teas (8,90 € each) and a mug (12,50 €) by courier (3,90 €), with `code`, by `email`.
async fn tea_and_mug_order(shop: &TestShop, code: Option<&str>, email: &str) -> NewOrder {
    let mut order = new_order(shop.variant_id("linden-blossom-tea").await, "2");
    let mug = shop.variant_id("enamel-mug").await;
    order
        .lines
        .push((mug, turgus::quantity::Quantity::parse("1").unwrap()));
    order.discount_code = code.map(str::to_owned);
    order.customer.email = turgus::email::Email::parse(email).unwrap();
    order
}

async fn pay(shop: &TestShop, order: &PlacedOrder) {
    let (status, body) = send(shop, &signed(&fields(order, &[]))).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "OK"));
}

#[tokio::test]
async fn a_percentage_code_is_split_across_mixed_rates_and_paysera_is_asked_for_the_discounted_total(
) {
    let shop = live_shop().await;
    tea_is_reduced(&shop).await;
    code(&shop, "RUDUO10", "percent", 1000, &[]).await;
    let order = tea_and_mug_order(&shop, Some("RUDUO10"), "ona@example.lt").await;
    let placed = place(&shop.db, &order, Currency::Eur).await.unwrap();
    // Goods 30,30 €; 10 % is 3,03 €: 1,78 € off the teas, 1,25 € off the mug. 27,27 € + 3,90 €.
    assert_eq!(placed.total.minor, 3117);
    let shares: Vec<(i64, i64)> = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT line_total_minor, discount_minor FROM order_lines WHERE order_id = $1 ORDER BY id",
    )
    .bind(placed.id)
    .fetch_all(conn)
    .await)
    .unwrap();
    assert_eq!(shares, [(1250, 125), (1780, 178)], "mug, then teas");
    let (code_name, off): (String, i64) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT discount_code, discount_minor FROM orders WHERE id = $1",
    )
    .bind(placed.id)
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!((code_name.as_str(), off), ("RUDUO10", 303));
    // Paid for exactly that; the invoice's VAT is of the discounted amounts: 16,02 € at 12 %
    // holds 1,72 €, 11,25 € + 3,90 € at 21 % 2,63 €.
    pay(&shop, &placed).await;
    let vat: i64 = shop.scalar("SELECT vat_minor FROM invoices").await;
    assert_eq!(vat, 172 + 263);
    let total: i64 = shop.scalar("SELECT total_minor FROM invoices").await;
    assert_eq!(total, 3117);
    let uses: i64 = shop.scalar("SELECT uses FROM discount_codes").await;
    assert_eq!(uses, 1);
    // The confirmation, the admin's order page and the orders CSV show the code.
    let mail: String = shop
        .scalar("SELECT body_text FROM email_outbox WHERE kind = 'order_confirmation'")
        .await;
    assert!(
        mail.contains("Discount (RUDUO10)") && mail.contains("−3,03\u{a0}€"),
        "{mail}"
    );
    shop.log_in_admin().await;
    let (_, order_page) = shop.page(&format!("/admin/orders/{}", placed.number)).await;
    let order_page = order_page.replace("<!>", "");
    assert!(order_page.contains("Discount (RUDUO10)"), "{order_page}");
    assert!(
        order_page.contains("30,30\u{a0}€"),
        "the goods before it: {order_page}"
    );
    let csv = shop
        .get("/admin/export/orders.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("\"RUDUO10\",\"3.03\""), "{csv}");
}

#[tokio::test]
async fn a_free_shipping_code_waives_the_chosen_shipping_and_nothing_else() {
    let shop = live_shop().await;
    code(
        &shop,
        "SIUNTA",
        "free_shipping",
        0,
        &[("min_goods_minor", "2000")],
    )
    .await;
    let order = tea_and_mug_order(
        &shop,
        Some("siunta".to_uppercase().as_str()),
        "ona@example.lt",
    )
    .await;
    let placed = place(&shop.db, &order, Currency::Eur).await.unwrap();
    assert_eq!(placed.total.minor, 3030, "the goods, shipping free");
    let (shipping, waived): (i64, i64) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT shipping_minor, shipping_discount_minor FROM orders WHERE id = $1",
    )
    .bind(placed.id)
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!((shipping, waived), (0, 390));
    pay(&shop, &placed).await;
    let total: i64 = shop.scalar("SELECT total_minor FROM invoices").await;
    assert_eq!(total, 3030);
}

#[tokio::test]
async fn the_shopper_applies_a_code_at_checkout_sees_the_figures_and_orders_with_it() {
    let shop = TestShop::spawn().await;
    tea_is_reduced(&shop).await;
    code(&shop, "RUDUO10", "percent", 1000, &[]).await;
    for (slug, quantity) in [("linden-blossom-tea", "2"), ("enamel-mug", "1")] {
        let id = shop.product_id(slug).await.to_string();
        shop.call("cart/add", &[("product_id", &id), ("quantity", quantity)])
            .await;
    }
    // Without JavaScript: the form posts and comes back to the checkout.
    let applied = shop
        .post_form(
            "checkout/discount",
            &[("code", " ruduo10 "), ("page", "checkout")],
            "/en/checkout",
        )
        .await;
    assert!(applied.status().is_success() || applied.status().is_redirection());
    let (_, page) = shop.page("/en/checkout").await;
    let page = page.replace("<!>", "");
    assert!(page.contains("Code RUDUO10 applied."), "{page}");
    assert!(page.contains("Discount (RUDUO10)"), "{page}");
    assert!(page.contains("−3,03\u{a0}€"), "{page}");
    assert!(
        page.contains("data-total=\"31,17\u{a0}€\""),
        "the courier's total: {page}"
    );
    assert!(
        page.contains("data-vat=\"2,63\u{a0}€ (21 %) · 1,72\u{a0}€ (12 %)\""),
        "{page}"
    );
    let placed = shop.place_cart().await;
    assert_eq!(placed.status(), StatusCode::OK);
    let total: i64 = shop.scalar("SELECT total_minor FROM orders").await;
    assert_eq!(total, 3117);
}

/// What `checkout/discount` answers a script for `typed`.
async fn refusal(shop: &TestShop, typed: &str) -> (StatusCode, String) {
    let answer = shop
        .call("checkout/discount", &[("code", typed), ("page", "cart")])
        .await;
    (answer.status(), answer.text().await.unwrap())
}

#[tokio::test]
async fn each_reason_a_code_does_not_apply_has_its_own_message_and_the_order_goes_on_without_it() {
    let shop = TestShop::spawn().await;
    let mug = shop.product_id("enamel-mug").await;
    code(
        &shop,
        "PAVASARIS",
        "percent",
        1000,
        &[("valid_from", "'2999-03-01'")],
    )
    .await;
    code(
        &shop,
        "VASARA",
        "percent",
        1000,
        &[("valid_until", "'2020-08-31'")],
    )
    .await;
    code(
        &shop,
        "VIENAS",
        "fixed",
        500,
        &[("max_uses", "1"), ("uses", "1")],
    )
    .await;
    code(
        &shop,
        "DIDELIS",
        "fixed",
        500,
        &[("min_goods_minor", "5000")],
    )
    .await;
    code(&shop, "KITAS", "percent", 1000, &[("scope", "'products'")]).await;
    shop.execute(&format!(
        "INSERT INTO discount_scope (code_id, product_id)
         SELECT id, {} FROM discount_codes WHERE code = 'KITAS'",
        mug + 1
    ))
    .await;
    code(&shop, "ISJUNGTAS", "percent", 1000, &[("active", "FALSE")]).await;
    let id = mug.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "1")])
        .await;
    for (typed, expected) in [
        ("NERA", "That code does not work here."),
        ("VASAR", "That code does not work here."),
        ("ISJUNGTAS", "That code does not work here."),
        ("ne kodas!", "That code does not work here."),
        ("PAVASARIS", "This code works from 2999-03-01."),
        ("VASARA", "This code has expired."),
        (
            "vienas",
            "This code has been used up. You can order without it.",
        ),
        ("DIDELIS", "This code works for goods from 50,00\u{a0}€."),
        (
            "KITAS",
            "This code does not apply to anything in your cart.",
        ),
    ] {
        let (status, body) = refusal(&shop, typed).await;
        assert_eq!(status, StatusCode::CONFLICT, "{typed}: {body}");
        assert!(body.contains(expected), "{typed}: {body}");
    }
    let (_, cart) = shop.page("/en/checkout").await;
    assert!(!cart.contains("applied"), "no code kept");
    assert_eq!(shop.place_cart().await.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_codes_are_throttled_per_session_and_then_even_a_right_one_waits() {
    let shop = TestShop::spawn().await;
    code(&shop, "RUDUO10", "percent", 1000, &[]).await;
    let mug = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &mug), ("quantity", "1")])
        .await;
    for guess in 0..10 {
        let (status, body) = refusal(&shop, &format!("RUDUO{guess}")).await;
        assert!(body.contains("does not work here"), "{status} {body}");
    }
    let (status, body) = refusal(&shop, "RUDUO10").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Too many wrong codes"), "{body}");
}

#[tokio::test]
async fn fifty_shoppers_racing_for_the_last_use_leave_exactly_one_discounted_order() {
    let shop = live_shop().await;
    code(
        &shop,
        "PASKUTINIS",
        "fixed",
        500,
        &[("max_uses", "3"), ("uses", "2")],
    )
    .await;
    let orders: Vec<NewOrder> = futures::future::join_all((0..50).map(|i| {
        let shop = &shop;
        async move {
            tea_and_mug_order(shop, Some("PASKUTINIS"), &format!("pirkejas{i}@example.lt")).await
        }
    }))
    .await;
    let results = futures::future::join_all(
        orders
            .iter()
            .map(|order| place(&shop.db, order, Currency::Eur)),
    )
    .await;
    let placed = results.iter().filter(|r| r.is_ok()).count();
    let used_up = results
        .iter()
        .filter(|r| matches!(r, Err(AppError::CodeRefused(m)) if m.contains("used up")))
        .count();
    assert_eq!((placed, used_up), (1, 49), "{results:?}");
    let (uses, discounted): (i64, i64) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT (SELECT uses FROM discount_codes), (SELECT COUNT(*) FROM orders WHERE discount_minor > 0)",
    )
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!((uses, discounted), (3, 1));
    // The others order without it.
    let mut without = orders[1].clone();
    without.discount_code = None;
    assert!(place(&shop.db, &without, Currency::Eur).await.is_ok());
}

#[tokio::test]
async fn a_use_comes_back_when_the_unpaid_order_expires_and_stays_with_a_paid_one() {
    let shop = live_shop().await;
    code(
        &shop,
        "VIENAM",
        "fixed",
        500,
        &[("max_uses", "2"), ("max_uses_per_email", "1")],
    )
    .await;
    let first = place(
        &shop.db,
        &tea_and_mug_order(&shop, Some("VIENAM"), "ona@example.lt").await,
        Currency::Eur,
    )
    .await
    .unwrap();
    let again = place(
        &shop.db,
        &tea_and_mug_order(&shop, Some("VIENAM"), "ONA@example.lt").await,
        Currency::Eur,
    )
    .await;
    assert!(
        matches!(&again, Err(AppError::CodeRefused(m)) if m.contains("already used")),
        "one per shopper: {again:?}"
    );
    turgus::domain::flows::unpaid_orders::expire_overdue(&shop.db, 0, std::time::SystemTime::now())
        .await
        .unwrap();
    let status: String = shop
        .scalar(&format!(
            "SELECT status FROM orders WHERE id = {}",
            first.id
        ))
        .await;
    assert_eq!(status, "expired");
    let uses: i64 = shop.scalar("SELECT uses FROM discount_codes").await;
    assert_eq!(uses, 0, "given back");
    let second = place(
        &shop.db,
        &tea_and_mug_order(&shop, Some("VIENAM"), "ona@example.lt").await,
        Currency::Eur,
    )
    .await
    .unwrap();
    pay(&shop, &second).await;
    let other = place(
        &shop.db,
        &tea_and_mug_order(&shop, Some("VIENAM"), "jonas@example.lt").await,
        Currency::Eur,
    )
    .await
    .unwrap();
    let uses: i64 = shop.scalar("SELECT uses FROM discount_codes").await;
    assert_eq!(uses, 2);
    let _ = other;
    let last = place(
        &shop.db,
        &tea_and_mug_order(&shop, Some("VIENAM"), "petras@example.lt").await,
        Currency::Eur,
    )
    .await;
    assert!(matches!(last, Err(AppError::CodeRefused(_))), "{last:?}");
}

#[tokio::test]
async fn the_merchant_creates_edits_and_removes_codes_and_sees_their_uses_audited() {
    let shop = live_shop().await;
    shop.log_in_admin().await;
    let save = |form: Vec<(&'static str, &'static str)>| {
        let shop = &shop;
        async move { shop.call("admin/discount/save", &form).await }
    };
    let ruduo = vec![
        ("id", "0"),
        ("code", "ruduo10"),
        ("kind", "percent"),
        ("value", "12,5"),
        ("min_goods", "20"),
        ("valid_from", "2026-10-01"),
        ("valid_until", "2099-11-30"),
        ("max_uses", "100"),
        ("max_uses_per_email", "1"),
        ("scope", "categories"),
        ("scope_items", "kitchen, coffee-tea"),
        ("active", "on"),
        ("note", "<b>Newsletter</b>"),
    ];
    let saved = save(ruduo.clone()).await;
    assert_eq!(
        saved.status(),
        StatusCode::OK,
        "{}",
        saved.text().await.unwrap()
    );
    for (field, wrong) in [
        ("code", "RUDUO 10"),
        ("value", "0"),
        ("value", "101"),
        ("max_uses", "-1"),
        ("valid_until", "2026-09-30"),
        ("scope_items", "no-such-category"),
    ] {
        let mut form = ruduo.clone();
        form.retain(|(name, _)| *name != field && *name != "code");
        form.push((field, wrong));
        if field != "code" {
            form.push(("code", "KITAS"));
        }
        let refused = save(form).await;
        assert_eq!(
            refused.status(),
            StatusCode::BAD_REQUEST,
            "{field} = {wrong}"
        );
    }
    let taken = save(ruduo.clone()).await;
    assert_eq!(taken.status(), StatusCode::BAD_REQUEST, "the name is taken");
    let id: i64 = shop.scalar("SELECT id FROM discount_codes").await;
    let mug = shop.variant_id("enamel-mug").await;
    let mut order = new_order(mug, "2");
    order.discount_code = Some("RUDUO10".into());
    let placed = place(&shop.db, &order, Currency::Eur).await.unwrap();
    // 12,5 % of 25,00 € is 3,125 €: 3,13 € by half up.
    assert_eq!(placed.total.minor, 2500 - 313 + 390);
    pay(&shop, &placed).await;
    let (_, list) = shop.page("/admin/discounts").await;
    let list = list.replace("<!>", "");
    assert!(list.contains("RUDUO10: 12,5 % off"), "{list}");
    assert!(list.contains("1 / 100"), "uses and limit: {list}");
    assert!(list.contains("3,13\u{a0}€"), "discount given: {list}");
    assert!(!list.contains("<b>Newsletter"), "the note is text: {list}");
    // A limit below the uses taken is refused; an edit is audited.
    let id_text = id.to_string();
    let mut edit = ruduo.clone();
    edit.retain(|(name, _)| !matches!(*name, "id" | "max_uses" | "active"));
    let below: Vec<(&str, &str)> = edit
        .iter()
        .copied()
        .chain([("id", id_text.as_str()), ("max_uses", "0")])
        .collect();
    assert_eq!(
        shop.call("admin/discount/save", &below).await.status(),
        StatusCode::BAD_REQUEST
    );
    let off: Vec<(&str, &str)> = edit
        .iter()
        .copied()
        .chain([("id", id_text.as_str())])
        .collect();
    assert_eq!(
        shop.call("admin/discount/save", &off).await.status(),
        StatusCode::OK
    );
    let (_, list) = shop.page("/admin/discounts").await;
    assert!(
        list.replace("<!>", "").contains("· off"),
        "audited as off: {list}"
    );
    // Used: archived, not deleted; an unused code is deleted.
    let removed = shop
        .call("admin/discount/remove", &[("id", &id_text)])
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    let archived: bool = shop.scalar("SELECT archived FROM discount_codes").await;
    assert!(archived);
    code(&shop, "NIEKAM", "fixed", 100, &[]).await;
    let unused: i64 = shop
        .scalar("SELECT id FROM discount_codes WHERE code = 'NIEKAM'")
        .await;
    shop.call("admin/discount/remove", &[("id", &unused.to_string())])
        .await;
    let left: i64 = shop.scalar("SELECT COUNT(*) FROM discount_codes").await;
    assert_eq!(left, 1);
    let (_, list) = shop.page("/admin/discounts").await;
    assert!(
        list.contains("NIEKAM") && list.contains("deleted"),
        "the audit keeps it: {list}"
    );
}

#[tokio::test]
async fn a_payment_after_the_order_expired_takes_its_use_again() {
    let shop = live_shop().await;
    code(&shop, "VELUOJA", "fixed", 500, &[("max_uses", "5")]).await;
    let order = tea_and_mug_order(&shop, Some("VELUOJA"), "ona@example.lt").await;
    let placed = place(&shop.db, &order, Currency::Eur).await.unwrap();
    turgus::domain::flows::unpaid_orders::expire_overdue(&shop.db, 0, std::time::SystemTime::now())
        .await
        .unwrap();
    let uses: i64 = shop.scalar("SELECT uses FROM discount_codes").await;
    assert_eq!(uses, 0, "given back on expiry");
    pay(&shop, &placed).await;
    let (uses, review): (i64, bool) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT (SELECT uses FROM discount_codes), (SELECT needs_review FROM orders)",
    )
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(
        (uses, review),
        (1, true),
        "taken again; a person looks at the late payment"
    );
}
