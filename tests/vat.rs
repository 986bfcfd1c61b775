//! VAT as part of the order: rates are data (per country, class and day), each line freezes the
//! class and rate it was sold at, the VAT per rate adds up to the amount Paysera is asked for, and
//! the merchant sees it on the order's page.

mod support;

use turgus::domain::flows::place_order::place;
use turgus::money::Currency;

/// Two of the tea at the reduced rate, one mug at the standard rate, by courier: placed now.
async fn tea_and_a_mug(shop: &support::TestShop) -> turgus::domain::orders::place::PlacedOrder {
    let mut order = support::paysera::new_order(shop.variant_id("linden-blossom-tea").await, "2");
    let mug = shop.variant_id("enamel-mug").await;
    order
        .lines
        .push((mug, turgus::quantity::Quantity::parse("1").unwrap()));
    place(&shop.db, &order, Currency::Eur).await.unwrap()
}

/// The VAT rate the mug of a new order of [`tea_and_a_mug`] is sold at.
async fn mug_rate(shop: &support::TestShop) -> Option<i64> {
    let placed = tea_and_a_mug(shop).await;
    shop.scalar(&format!(
        "SELECT vat_rate_bp FROM order_lines WHERE order_id = {} AND sku = 'enamel-mug'",
        placed.id
    ))
    .await
}

#[tokio::test]
async fn each_line_freezes_its_rate_and_the_vat_per_rate_adds_up_to_the_total() {
    let shop = support::TestShop::spawn().await;
    shop.log_in_admin().await;
    let tea = shop.product_id("linden-blossom-tea").await.to_string();
    let saved = shop
        .call(
            "admin/product/save",
            &[
                ("id", &tea),
                ("name", "Linden Blossom Tea"),
                ("slug", "linden-blossom-tea"),
                ("category_id", "2"),
                ("price", "8.90"),
                ("tax_class", "reduced"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), reqwest::StatusCode::OK);
    let placed = tea_and_a_mug(&shop).await;
    // 2 × 8,90 + 12,50 + 3,90 courier.
    assert_eq!(placed.total.minor, 1780 + 1250 + 390);
    let rates: Vec<(String, Option<String>, Option<i64>)> =
        turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT sku, tax_class, vat_rate_bp FROM order_lines WHERE order_id = $1 ORDER BY sku",
    )
    .bind(placed.id)
    .fetch_all(conn)
    .await)
        .unwrap();
    assert_eq!(
        rates,
        [
            ("enamel-mug".into(), Some("standard".into()), Some(2100)),
            (
                "linden-blossom-tea".into(),
                Some("reduced".into()),
                Some(1200)
            ),
        ]
    );
    let shipping: Option<i64> = shop
        .scalar(&format!(
            "SELECT shipping_vat_rate_bp FROM orders WHERE id = {}",
            placed.id
        ))
        .await;
    assert_eq!(shipping, Some(2100));

    // 12,50 + 3,90 = 16,40 at 21 % holds 2,85; 17,80 at 12 % holds 1,91.
    let (_, page) = shop.page(&format!("/admin/orders/{}", placed.number)).await;
    let page = page.replace("<!>", "").replace('\u{a0}', " ");
    assert!(
        page.contains("VAT 21 %</th><td>2,85 € (without VAT 13,55 €)"),
        "{page}"
    );
    assert!(page.contains("VAT 12 %</th><td>1,91 € (without VAT 15,89 €)"));
    assert_eq!(
        1355 + 285 + 1589 + 191,
        placed.total.minor,
        "net plus VAT is what Paysera is asked for"
    );

    // The shopper's page says the same.
    let accept = format!("/en/checkout/accept?order={}", placed.public_token);
    let (_, page) = shop.page(&accept).await;
    let page = page.replace("<!>", "").replace('\u{a0}', " ");
    assert!(
        page.contains("incl. VAT 21 %</dt><dd data-testid=\"order-vat\" class=\"muted\">2,85 €"),
        "{page}"
    );
    assert!(
        page.contains("incl. VAT 12 %</dt><dd data-testid=\"order-vat\" class=\"muted\">1,91 €")
    );

    // A rate changed later does not change the order.
    shop.execute(
        "UPDATE vat_rates SET rate_bp = 1000 WHERE country = 'LT' AND tax_class = 'reduced'",
    )
    .await;
    let (_, again) = shop.page(&format!("/admin/orders/{}", placed.number)).await;
    assert!(again.replace("<!>", "").contains("VAT 12 %"), "frozen");
}

#[tokio::test]
async fn a_rate_changing_on_a_future_day_needs_no_release() {
    let shop = support::TestShop::spawn().await;
    let day = |days: i64| {
        turgus::clock::vilnius::date_of(&turgus::clock::now_plus(days * 86_400), false).unwrap()
    };
    shop.execute(&format!(
        "INSERT INTO vat_rates (country, tax_class, rate_bp, valid_from) VALUES ('LT', 'standard', 2300, '{}')",
        day(1)
    ))
    .await;
    let standard = mug_rate(&shop).await;
    assert_eq!(standard, Some(2100), "tomorrow's rate is not today's");
    shop.execute(&format!(
        "UPDATE vat_rates SET valid_from = '{}' WHERE rate_bp = 2300",
        day(0)
    ))
    .await;
    let standard = mug_rate(&shop).await;
    assert_eq!(standard, Some(2300), "from its first day");
}

#[tokio::test]
async fn the_product_form_refuses_an_unknown_class_and_the_import_maps_woocommerces() {
    let shop = support::TestShop::spawn().await;
    shop.log_in_admin().await;
    let refused = shop
        .call(
            "admin/product/save",
            &[
                ("id", "0"),
                ("name", "X"),
                ("category_id", "1"),
                ("price", "1"),
                ("tax_class", "luxury"),
            ],
        )
        .await;
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);
    let csv = "Type,SKU,Name,Regular price,Stock,Tax class\n\
               simple,book-1,A book,9.90,3,super-reduced-rate\n\
               simple,export-1,Sent abroad,5,3,zero-rate\n\
               simple,plain-1,Plain,5,3,\n";
    let options = turgus::domain::catalog::woocommerce::ImportOptions {
        currency: Currency::Eur,
        origin: &shop.base,
        photos_folder: None,
        data_dir: shop.dir.path(),
        dry_run: false,
    };
    let report = turgus::domain::catalog::woocommerce::import(&shop.db, csv.as_bytes(), &options)
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let classes: Vec<(String, String)> = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT slug, tax_class FROM products WHERE slug IN ('book-1', 'export-1', 'plain-1') ORDER BY slug",
    )
    .fetch_all(conn)
    .await)
    .unwrap();
    assert_eq!(
        classes,
        [
            ("book-1".into(), "super_reduced".into()),
            ("export-1".into(), "zero".into()),
            ("plain-1".into(), "standard".into()),
        ]
    );
    let bad = "Type,SKU,Name,Regular price,Tax class\nsimple,x-1,X,1,luxury-rate\n";
    let report = turgus::domain::catalog::woocommerce::import(&shop.db, bad.as_bytes(), &options)
        .await
        .unwrap();
    assert!(report.errors[0]
        .to_string()
        .starts_with("line 2, Tax class: \"luxury-rate\" is not a tax class"));
    let csv = turgus::domain::catalog::woocommerce::export::export(&shop.db, &shop.base)
        .await
        .unwrap();
    assert!(
        String::from_utf8(csv)
            .unwrap()
            .contains(",super-reduced-rate,"),
        "exported back"
    );
}

#[tokio::test]
async fn the_seller_sets_its_country_and_a_non_payer_charges_no_vat() {
    let shop = support::TestShop::spawn().await;
    shop.log_in_admin().await;
    let save = |payer: bool, country: &'static str| {
        let mut form = vec![("shop_name", "Lino namai"), ("seller_country", country)];
        if payer {
            form.push(("vat_payer", "on"));
        }
        let shop = &shop;
        async move { shop.call("admin/settings/save", &form).await.status() }
    };
    assert_eq!(
        save(true, "DE").await,
        reqwest::StatusCode::BAD_REQUEST,
        "no rates for it"
    );
    assert_eq!(save(true, "EE").await, reqwest::StatusCode::OK);
    assert_eq!(mug_rate(&shop).await, Some(2400), "Estonia's standard rate");

    assert_eq!(save(false, "LT").await, reqwest::StatusCode::OK);
    let (_, settings) = shop.page("/admin/settings").await;
    assert!(settings.contains("VAT payer: on → off"), "audited");
    let placed = tea_and_a_mug(&shop).await;
    let rates: Vec<Option<i64>> = turgus::on_db!(&shop.db, conn => sqlx::query_scalar(
        "SELECT vat_rate_bp FROM order_lines WHERE order_id = $1",
    )
    .bind(placed.id)
    .fetch_all(conn)
    .await)
    .unwrap();
    assert_eq!(rates, [None, None]);
    let (_, page) = shop
        .page(&format!(
            "/en/checkout/accept?order={}",
            placed.public_token
        ))
        .await;
    assert!(!page.contains("incl. VAT"), "no VAT shown");
}

#[tokio::test]
async fn the_checkout_shows_the_vat_its_total_holds_for_each_way_to_ship() {
    let shop = support::TestShop::spawn().await;
    let mug = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &mug), ("quantity", "1")])
        .await;
    let (_, page) = shop.page("/en/checkout").await;
    // 12,50 € by courier (3,90 €) at 21 %: 2,85 €; picked up (free): 2,17 €.
    assert!(page.contains("Of which VAT"), "{page}");
    assert!(
        page.contains("data-testid=\"checkout-vat\" class=\"muted\">2,85\u{a0}€ (21 %)<"),
        "{page}"
    );
    assert!(page.contains("data-vat=\"2,17\u{a0}€ (21 %)\""), "{page}");
}

#[tokio::test]
async fn a_way_to_ship_has_its_own_vat_class_and_the_order_is_charged_at_it() {
    let shop = support::TestShop::spawn().await;
    shop.log_in_admin().await;
    let courier = |class: &'static str| {
        [
            ("id", "1"),
            ("name", "Courier to your door"),
            ("code", "courier"),
            ("price", "3.90"),
            ("countries", "LT,LV,EE,PL,FI,DE"),
            ("active", "on"),
            ("position", "1"),
            ("tax_class", class),
        ]
    };
    let refused = shop.call("admin/shipping/save", &courier("half")).await;
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);
    let saved = shop.call("admin/shipping/save", &courier("reduced")).await;
    assert_eq!(saved.status(), reqwest::StatusCode::OK);
    let mug = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &mug), ("quantity", "1")])
        .await;
    // 12,50 € at 21 %: 2,17 €; the courier's 3,90 € at 12 %: 0,42 €.
    let (_, page) = shop.page("/en/checkout").await;
    assert!(
        page.contains("data-vat=\"2,17\u{a0}€ (21 %) · 0,42\u{a0}€ (12 %)\""),
        "{page}"
    );
    let placed = shop.place_cart().await;
    assert_eq!(placed.status(), reqwest::StatusCode::OK);
    let rate: Option<i64> = shop.scalar("SELECT shipping_vat_rate_bp FROM orders").await;
    assert_eq!(rate, Some(1200));
    let (_, settings) = shop.page("/admin/settings").await;
    assert!(
        settings.contains("VAT class reduced"),
        "audited: {settings}"
    );
}

#[tokio::test]
async fn the_merchant_sets_a_rate_ahead_and_may_withdraw_it_until_its_day() {
    let shop = support::TestShop::spawn().await;
    shop.log_in_admin().await;
    let today = turgus::domain::vat::today();
    let day = |days: i64| {
        turgus::clock::vilnius::date_of(&turgus::clock::now_plus(days * 86_400), false).unwrap()
    };
    let (tomorrow, yesterday) = (day(1), day(-1));
    let set = |rate: &'static str, from: String| {
        let shop = &shop;
        async move {
            let form = [
                ("country", "LT"),
                ("tax_class", "standard"),
                ("rate", rate),
                ("valid_from", from.as_str()),
            ];
            shop.call("admin/vat-rates/set", &form).await.status()
        }
    };
    for (rate, from) in [
        ("23", yesterday.clone()),
        ("101", tomorrow.clone()),
        ("2x", tomorrow.clone()),
        ("23", "2027-02-30".to_owned()),
    ] {
        assert_eq!(
            set(rate, from.clone()).await,
            reqwest::StatusCode::BAD_REQUEST,
            "{rate} from {from}"
        );
    }
    assert_eq!(set("23,5", tomorrow.clone()).await, reqwest::StatusCode::OK);
    assert_eq!(mug_rate(&shop).await, Some(2100), "not before its day");
    let (_, page) = shop.page("/admin/settings").await;
    let row = format!("data-testid=\"vat-rate-LT-standard-{tomorrow}\"");
    assert!(page.contains(&row), "{page}");
    assert!(
        page.contains(&format!("VAT rate set: LT standard {tomorrow}: 23,5 %")),
        "audited"
    );

    let withdraw = |from: String| {
        let shop = &shop;
        async move {
            let form = [
                ("country", "LT"),
                ("tax_class", "standard"),
                ("valid_from", from.as_str()),
            ];
            shop.call("admin/vat-rates/withdraw", &form).await.status()
        }
    };
    assert_eq!(
        withdraw("2026-01-01".into()).await,
        reqwest::StatusCode::CONFLICT,
        "in force: history"
    );
    assert_eq!(withdraw(tomorrow.clone()).await, reqwest::StatusCode::OK);
    let (_, page) = shop.page("/admin/settings").await;
    assert!(!page.contains(&row));
    assert!(page.contains(&format!(
        "VAT rate withdrawn: LT standard {tomorrow}: 23,5 %"
    )));
    // From today: in force at once, for orders placed from now on.
    assert_eq!(set("22", today).await, reqwest::StatusCode::OK);
    assert_eq!(mug_rate(&shop).await, Some(2200));
}
