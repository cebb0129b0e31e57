//! Forecasts to stock on the shelf, through the real server: an inventory
//! manager recomputes the reorder suggestions from the seeded dispensing
//! history, reads a forecast's chart data, accepts a suggestion with an
//! edited quantity into a purchase order, orders it and receives it into a
//! lot, and the product's stock rises by exactly that quantity.

use crate::support::Server;
use reqwest::Method;
use serde_json::{Value, json};

const SUGGESTIONS: &str = "/api/v1/inventory/reorder-suggestions";
const RECOMPUTE: &str = "/api/v1/inventory/reorder-suggestions/recompute";

fn expiry_in_a_year() -> String {
    rxflow_pharmacy::clock::format_date(rxflow_pharmacy::clock::today() + time::Duration::days(365))
}

/// Every forecast day's intervals nest around the mean.
fn assert_bands_hold(forecast: &[Value]) {
    for point in forecast {
        let f = |k: &str| point[k].as_f64().unwrap();
        assert!(
            f("lower_95") <= f("lower_90")
                && f("lower_90") <= f("mean")
                && f("mean") <= f("upper_90")
                && f("upper_90") <= f("upper_95"),
            "bands out of order: {point}"
        );
    }
}

#[tokio::test]
async fn suggestions_become_a_purchase_order_and_then_stock() {
    let server = Server::seeded(120).await;
    let manager = server.demo("inventory").await;

    let summary = manager.ok(Method::POST, RECOMPUTE, None, 200).await;
    eprintln!("recompute: {summary}");
    assert!(summary["forecast"].as_u64().unwrap() > 200, "{summary}");
    let open = manager.ok(Method::GET, SUGGESTIONS, None, 200).await;
    let open = open.as_array().unwrap();
    assert!(
        !open.is_empty(),
        "the demo's weekly reorders leave something to order"
    );
    assert!(open.iter().all(|s| s["suggested_qty"].as_i64().unwrap() > 0
        && s["reason"].as_str().unwrap().starts_with("Order ")));
    // The busiest product: its bands are the most informative.
    let chosen = open
        .iter()
        .max_by_key(|s| s["order_up_to"].as_i64().unwrap())
        .unwrap();
    let product = chosen["product_id"].as_i64().unwrap();

    let chart = manager
        .ok(
            Method::GET,
            &format!("/api/v1/inventory/forecasts/{product}"),
            None,
            200,
        )
        .await;
    let forecast = chart["forecast"].as_array().unwrap();
    assert_eq!(forecast.len(), 28);
    assert_bands_hold(forecast);
    assert_eq!(chart["history"].as_array().unwrap().len(), 90);
    assert!(chart["suggestion"]["reorder_point"].as_i64().unwrap() > 0);
    assert_eq!(chart["suggestion"]["id"], chosen["id"]);
    assert!(!chart["model"].as_str().unwrap().is_empty());

    let stock = format!("/api/v1/products/{product}/stock");
    let before = manager.ok(Method::GET, &stock, None, 200).await["on_hand"]
        .as_i64()
        .unwrap();
    let edited = chosen["suggested_qty"].as_i64().unwrap() + 7;
    let order = json!({ "suggestions": [{ "id": chosen["id"], "quantity": edited }] });
    let po = manager
        .ok(Method::POST, "/api/v1/purchase-orders", Some(&order), 201)
        .await;
    assert_eq!(po["status"], "draft");
    assert_eq!(po["lines"][0]["quantity"], edited);
    manager
        .ok(Method::POST, "/api/v1/purchase-orders", Some(&order), 409)
        .await;
    let path = format!("/api/v1/purchase-orders/{}", po["id"]);
    let ordered = manager
        .ok(Method::POST, &format!("{path}/order"), None, 200)
        .await;
    assert_eq!(ordered["status"], "ordered");

    let delivery = json!({ "lines": [{
        "line_id": po["lines"][0]["id"], "lot_number": "PO-E2E-1",
        "expiry": expiry_in_a_year(), "quantity": edited, "location": "Receiving"
    }] });
    let received = manager
        .ok(
            Method::POST,
            &format!("{path}/receive"),
            Some(&delivery),
            200,
        )
        .await;
    assert_eq!(received["purchase_order"]["status"], "received");
    let after = manager.ok(Method::GET, &stock, None, 200).await["on_hand"]
        .as_i64()
        .unwrap();
    assert_eq!(after, before + edited);
    manager
        .ok(
            Method::POST,
            &format!("{path}/receive"),
            Some(&delivery),
            409,
        )
        .await;
    let listed = manager
        .ok(
            Method::GET,
            "/api/v1/purchase-orders?status=received",
            None,
            200,
        )
        .await;
    assert_eq!(listed[0]["id"], po["id"]);
}

#[tokio::test]
async fn bad_requests_are_4xx_and_only_staff_may_plan() {
    let server = Server::seeded(5).await;
    let manager = server.demo("inventory").await;
    let orders = "/api/v1/purchase-orders";
    for (body, status) in [
        (json!({ "suggestions": [] }), 422),
        (json!({ "suggestions": [{ "id": 999_999 }] }), 404),
        (json!({ "suggestions": [{ "id": 1, "quantity": -4 }] }), 422),
        (json!({ "suggestions": [{ "id": "one" }] }), 422),
        (json!({ "lines": [] }), 422),
    ] {
        manager.ok(Method::POST, orders, Some(&body), status).await;
    }
    manager
        .ok(
            Method::POST,
            &format!("{RECOMPUTE}?product_id=x"),
            None,
            400,
        )
        .await;
    manager
        .ok(Method::GET, "/api/v1/inventory/forecasts/999999", None, 404)
        .await;
    manager
        .ok(Method::GET, &format!("{orders}?status=lost"), None, 422)
        .await;
    let receipt =
        json!({ "lines": [{ "line_id": 1, "lot_number": "L", "expiry": "soon", "quantity": 1 }] });
    manager
        .ok(
            Method::POST,
            &format!("{orders}/1/receive"),
            Some(&receipt),
            422,
        )
        .await;

    let customer = server.demo("margaret").await;
    for (method, path) in [
        (Method::GET, SUGGESTIONS),
        (Method::POST, RECOMPUTE),
        (Method::POST, orders),
        (Method::GET, "/api/v1/inventory/forecasts/1"),
    ] {
        customer
            .ok(method.clone(), path, Some(&json!({})), 403)
            .await;
        let (status, _, _) = if method == Method::GET {
            server.get_raw(path).await
        } else {
            server.post_raw(path).await
        };
        assert_eq!(status, 401, "{method} {path} anonymously");
    }
}
