//! The pages in a real browser, along the golden path: a customer signs up
//! and sends a photo from the upload page; the pharmacist confirms the
//! unsure fields from the keyboard, overrides the allergy finding with a
//! reason and signs; the customer orders and pays; the technician fills it
//! from the label preview; the inventory manager sees the stock drop and
//! opens the forecast chart. Every page is checked for labels and console
//! errors, and photographed.

use fantoccini::Locator;
use serde_json::Value;

use crate::browser::Browser;
use crate::support::{RX0002_TRUTH as TRUTH, Server, repo};

#[tokio::test]
async fn the_golden_path_through_the_pages() {
    let server = Server::seeded(30).await;
    let browser = Browser::start(&server.base).await;

    let rx = customer_sends_a_photo(&browser).await;
    pharmacist_reviews_and_signs(&browser, rx).await;
    let order = customer_orders(&browser).await;
    let (product, before) = technician_fills(&browser, &server, order).await;
    inventory_sees_the_drop(&browser, product, before).await;
    admin_looks_around(&browser).await;
}

async fn customer_sends_a_photo(browser: &Browser) -> i64 {
    browser.open("/").await;
    browser.arrive("/login").await;
    browser.check_page("login").await;
    browser
        .client
        .find(Locator::LinkText("Create an account"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.arrive("/register").await;
    for (field, text) in [
        ("#first_name", "Sophia"),
        ("#last_name", "Yilmaz"),
        ("#allergies", "sulfonamide"),
        ("#username", "sophia"),
        ("#password", "a long enough secret"),
    ] {
        browser.type_into(field, text).await;
    }
    browser
        .script("document.getElementById('dob').value = '1966-11-16'; document.getElementById('sex').value = 'female';")
        .await;
    browser.check_page("register").await;
    browser
        .find("form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser.arrive("/my").await;

    let photo = repo().join("tests/fixtures/intake/rx0002_photo.jpg");
    browser
        .find("#photo")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    browser
        .find("#upload button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    let text = browser
        .wait_for(
            "#progress-text",
            |t| t.contains("waiting for pharmacist"),
            std::time::Duration::from_secs(300),
        )
        .await;
    let link = text
        .find(Locator::Css("a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        browser
            .script("return document.getElementById('progress').value;")
            .await,
        100
    );
    browser.check_page("customer-upload").await;
    let rx: i64 = link.trim_start_matches("/my#rx-").parse().unwrap();
    browser.open("/my").await;
    let status = browser.find(&format!("#rx-{rx} .status")).await;
    assert_eq!(status.text().await.unwrap(), "waiting for pharmacist");
    browser.check_page("customer-prescriptions").await;
    browser.sign_out().await;
    rx
}

async fn pharmacist_reviews_and_signs(browser: &Browser, rx: i64) {
    browser.sign_in("pharmacist", "pharmacist-demo-2026").await;
    browser.arrive("/review").await;
    browser.check_page("review-queue").await;
    browser
        .find(&format!("#queue a[href='/review/{rx}']"))
        .await
        .click()
        .await
        .unwrap();
    browser.arrive(&format!("/review/{rx}")).await;

    // What the machine could not settle, the pharmacist types in.
    for (key, text) in TRUTH {
        let id = key.replace('.', "-");
        let missing = browser
            .script(&format!(
                "return document.getElementById('field-{id}').hasAttribute('data-missing');"
            ))
            .await;
        if missing == Value::Bool(true) {
            browser.type_into(&format!("#in-{id}"), text).await;
            browser.press("\u{E007}").await; // Enter
            browser.wait_until(&format!("#field-{id}"), |_| true).await;
            browser.arrive(&format!("/review/{rx}")).await;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }

    // Every unsure field and flag confirmed from the keyboard alone.
    let pending = "return document.querySelectorAll('.confirm-box:not(:checked)').length;";
    let before = browser.script(pending).await.as_i64().unwrap();
    assert!(before > 0, "rx0002 has fields to confirm");
    browser.script("document.activeElement.blur();").await;
    browser.press("n").await;
    for _ in 0..before {
        browser.press("c").await;
    }
    assert_eq!(browser.script(pending).await, 0, "all confirmed by keys");
    browser.check_page("review-screen").await;

    // The allergy finding is overridden with a coded reason.
    browser.press("f").await;
    let focused = browser
        .script("return document.activeElement.className;")
        .await;
    assert_eq!(focused, "override", "f goes to the first finding's reason");
    let overrides = browser
        .client
        .find_all(Locator::Css("select.override"))
        .await
        .unwrap();
    assert!(!overrides.is_empty(), "a sulfonamide allergy vs a thiazide");
    for select in overrides {
        select.select_by_index(1).await.unwrap();
    }
    browser.press("\u{E00C}a").await; // Escape leaves the picker; a goes to the signature
    browser.press("pharmacist-demo-2026").await;
    browser.press("\u{E007}").await;
    let signed = browser
        .wait_until("#signed", |t| t.contains("Pat Quinn, PharmD"))
        .await;
    assert!(
        signed
            .text()
            .await
            .unwrap()
            .contains("verified for dispensing")
    );
    browser.check_page("review-signed").await;
    browser.sign_out().await;
}

async fn customer_orders(browser: &Browser) -> i64 {
    browser.sign_in("sophia", "a long enough secret").await;
    browser.arrive("/my").await;
    browser
        .find("form.order-item button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser.arrive("/my/orders").await;
    browser.find("#checkout").await.click().await.unwrap();
    let order = browser.find("article.order").await;
    let id: i64 = order
        .attr("id")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("order-")
        .parse()
        .unwrap();
    browser
        .find(&format!("#order-{id} button[data-api$='/pay']"))
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until(&format!("#order-{id} .status"), |t| t.starts_with("paid"))
        .await;
    browser.check_page("customer-orders").await;
    browser.sign_out().await;
    id
}

/// The product filled and its stock on hand before the fill.
async fn technician_fills(browser: &Browser, server: &Server, order: i64) -> (i64, i64) {
    browser.sign_in("technician", "technician-demo-2026").await;
    browser.arrive("/dispensing").await;
    let preview = browser.find(&format!("#order-{order} .label")).await;
    let text = preview.text().await.unwrap();
    assert!(text.contains("Sophia Yilmaz"), "{text}");
    assert!(
        text.contains("Take 2 tablets by mouth twice daily"),
        "{text}"
    );
    browser.check_page("dispensing").await;
    let product: i64 = browser
        .script(&format!(
            "return Number(document.querySelector('#order-{order} button.dispense').dataset.product);"
        ))
        .await
        .as_i64()
        .unwrap();
    let technician = server.demo("technician").await;
    let stock = technician
        .ok(
            reqwest::Method::GET,
            &format!("/api/v1/products/{product}/stock"),
            None,
            200,
        )
        .await;
    let before = stock["on_hand"].as_i64().unwrap();
    browser
        .find(&format!("#order-{order} button.dispense"))
        .await
        .click()
        .await
        .unwrap();
    let done = browser.find("#dispensed").await;
    assert!(done.text().await.unwrap().contains("Filled by"));
    let label = browser.find(".label").await.text().await.unwrap();
    assert!(label.contains("Qty 120"), "{label}");
    assert!(label.contains("Lot "), "the label names its lots: {label}");
    browser.check_page("dispensing-label").await;
    browser.sign_out().await;
    (product, before)
}

async fn inventory_sees_the_drop(browser: &Browser, product: i64, before: i64) {
    browser.sign_in("inventory", "inventory-demo-2026").await;
    browser.arrive("/inventory").await;
    browser.check_page("inventory-stock").await;
    takes_an_expired_lot_off_the_shelf(browser).await;
    browser.open("/inventory/reorder").await;
    browser
        .find("button[data-api='/api/v1/inventory/reorder-suggestions/recompute']")
        .await
        .click()
        .await
        .unwrap();
    browser.client.accept_alert().await.unwrap();
    browser
        .wait_until("main", |t| !t.contains("There are no suggestions yet"))
        .await;
    browser.check_page("inventory-reorder").await;

    browser
        .open(&format!("/inventory/products/{product}"))
        .await;
    let on_hand: i64 = browser
        .find("#on-hand")
        .await
        .text()
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(on_hand, before - 120, "the fill left the shelf");
    let path = browser.find("svg #forecast-path").await;
    let points = path
        .attr("points")
        .await
        .unwrap()
        .or(path.attr("d").await.unwrap());
    assert!(
        points.is_some_and(|p| p.len() > 20),
        "the forecast path is drawn"
    );
    browser.check_page("inventory-forecast").await;
    browser.sign_out().await;
}

/// The expiry alerts offer to remove an expired lot; once removed it leaves
/// the alerts.
async fn takes_an_expired_lot_off_the_shelf(browser: &Browser) {
    const COUNT: &str = "return document.querySelectorAll(\"button[data-api$='/expire']\").length";
    let before = browser.script(COUNT).await.as_i64().unwrap();
    assert!(before > 0, "the demo leaves an expired lot on the shelf");
    browser
        .find("button[data-api$='/expire']")
        .await
        .click()
        .await
        .unwrap();
    browser.client.accept_alert().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while browser.script(COUNT).await.as_i64() != Some(before - 1) {
        assert!(
            std::time::Instant::now() < deadline,
            "the lot stayed in the alerts"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    browser.find("main").await;
}

async fn admin_looks_around(browser: &Browser) {
    browser.sign_in("admin", "admin-demo-2026").await;
    browser.arrive("/admin").await;
    browser.check_page("admin").await;
    browser.sign_out().await;
}

/// Pages refuse people as people: strangers go to sign in and come back,
/// wrong roles and missing records get an HTML page with the API's words,
/// and every page keeps scripts to this site and itself out of caches.
#[tokio::test]
async fn pages_refuse_in_html() {
    let server = Server::seeded(5).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str, token: Option<&str>| {
        let mut request = client.get(format!("{}{path}", server.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };

    let stranger = get("/review/3", None).await.unwrap();
    assert_eq!(stranger.status(), 303);
    assert_eq!(stranger.headers()["location"], "/login?next=/review/3");

    let customer = server.demo("margaret").await;
    let refused = get("/review", Some(&customer.token)).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("a customer may not do this")
    );

    let pharmacist = server.demo("pharmacist").await;
    let missing = get("/review/999999", Some(&pharmacist.token))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    let queue = get("/review", Some(&pharmacist.token)).await.unwrap();
    assert_eq!(queue.status(), 200);
    let policy = queue.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(queue.headers()["cache-control"], "no-store");

    let signed_in = get("/login?next=//elsewhere.example", Some(&pharmacist.token))
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    assert_eq!(
        signed_in.headers()["location"],
        "/review",
        "only paths on this site are followed back"
    );
}

/// A rejection from the keyboard alone: `r`, the reason, the signature,
/// Enter; the customer then reads the reason on their page.
#[tokio::test]
async fn a_pharmacist_rejects_from_the_keyboard() {
    let server = Server::seeded(5).await;
    let customer = server.demo("margaret").await;
    let photo = std::fs::read(repo().join("tests/fixtures/intake/rx0001_photo.jpg")).unwrap();
    let (status, _, accepted) = customer.upload(photo, "rx.jpg").await;
    assert_eq!(status, 202, "{accepted}");
    let rx = accepted["prescription_id"].as_i64().unwrap();
    customer.wait_for_intake(rx).await;

    let browser = Browser::start(&server.base).await;
    browser.sign_in("pharmacist", "pharmacist-demo-2026").await;
    browser.open(&format!("/review/{rx}")).await;
    browser.find("#reject-form").await;
    browser.script("document.activeElement.blur();").await;
    browser.press("r").await;
    browser
        .press("Prescriber must re-issue: dose illegible")
        .await;
    browser.press("\u{E004}").await; // Tab to the signature
    browser.press("pharmacist-demo-2026\u{E007}").await;
    let signed = browser
        .wait_until("#signed", |t| t.starts_with("Rejected"))
        .await;
    assert!(signed.text().await.unwrap().contains("Pat Quinn, PharmD"));
    browser.sign_out().await;

    browser.sign_in("margaret", "margaret-demo-2026").await;
    browser.arrive("/my").await;
    let card = browser
        .find(&format!("#rx-{rx}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(card.contains("not accepted by the pharmacist"), "{card}");
    assert!(card.contains("dose illegible"), "{card}");
    browser.check_page("customer-rejected").await;
}

/// `make run` seeds photos the demo customer has sent: the server's workers
/// read them, and the pharmacist's queue page lists them.
#[tokio::test]
async fn the_demo_photos_fill_the_queue() {
    let server = Server::seeded_with_photos(
        5,
        &[
            "tests/fixtures/intake/rx0001_photo.jpg",
            "tests/fixtures/intake/rx0002_photo.jpg",
        ],
    )
    .await;
    let customer = server.demo("margaret").await;
    let (_, mine) = customer.get("/api/v1/prescriptions").await;
    let ids: Vec<i64> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["stage"].is_string())
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "the two photos went in as uploads: {mine}");
    for rx in &ids {
        customer.wait_for_intake(*rx).await;
    }
    let pharmacist = server.demo("pharmacist").await;
    let page = reqwest::Client::new()
        .get(format!("{}/review", server.base))
        .bearer_auth(&pharmacist.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for rx in ids {
        assert!(page.contains(&format!("href=\"/review/{rx}\"")), "{page}");
    }
}
