//! End to end: the real `rxflow` binary seeds a fresh database, serves it on a
//! free port, and answers the JSON endpoints; bad requests get problem+json.

use crate::support::Server;
use serde_json::Value;

#[tokio::test]
async fn seeded_server_answers_products_stock_orders_and_readiness() {
    let server = Server::seeded(45).await;
    let ready: Value = server.get_json("/readyz", 200).await;
    assert_eq!(ready["database"], "ok");

    let products: Vec<Value> = serde_json::from_value(
        server
            .get_json("/api/v1/products?search=atorvastatin", 200)
            .await,
    )
    .unwrap();
    assert!(!products.is_empty());
    assert!(
        products
            .iter()
            .all(|p| p["generic_name"].as_str().unwrap().contains("atorvastatin"))
    );
    assert!(
        products
            .iter()
            .all(|p| p["ndc"].as_str().unwrap().len() == 11),
        "NDCs are served normalised"
    );

    let id = products[0]["id"].as_i64().unwrap();
    let inventory = server.demo("inventory").await;
    let stock = inventory
        .ok(
            reqwest::Method::GET,
            &format!("/api/v1/products/{id}/stock"),
            None,
            200,
        )
        .await;
    let lots = stock["lots"].as_array().unwrap();
    let sum: i64 = lots.iter().map(|l| l["on_hand"].as_i64().unwrap()).sum();
    assert_eq!(
        stock["on_hand"].as_i64().unwrap(),
        sum,
        "the total is the sum of its lots"
    );
    let expiries: Vec<&str> = lots.iter().map(|l| l["expiry"].as_str().unwrap()).collect();
    assert!(
        expiries.windows(2).all(|w| w[0] <= w[1]),
        "lots are listed first-expiry-first"
    );

    let expiring: Vec<Value> = serde_json::from_value(
        inventory
            .ok(
                reqwest::Method::GET,
                "/api/v1/inventory/expiring?days=120",
                None,
                200,
            )
            .await,
    )
    .unwrap();
    assert!(!expiring.is_empty(), "the demo has lots near expiry");
    let (code, _, _) = server.get_raw("/api/v1/orders").await;
    assert_eq!(code, 401, "orders hold patient data: sign in first");
    let orders = server.demo("pharmacist").await.get("/api/v1/orders").await;
    assert_eq!(orders.0, 200);
    assert!(orders.1.is_array());
}

#[tokio::test]
async fn bad_requests_get_problem_json_and_the_server_keeps_serving() {
    let server = Server::seeded(5).await;
    for (path, status) in [
        ("/api/v1/products/999999", 404),
        ("/api/v1/products/abc", 400),
        ("/api/v1/products/99999999999999999999999", 400),
        ("/api/v1/products?limit=0", 400),
        ("/api/v1/products?limit=ten", 400),
        ("/api/v1/inventory/expiring?days=-1", 401),
        ("/api/v1/orders/1", 401),
        ("/no/such/route", 404),
    ] {
        let (code, content_type, body) = server.get_raw(path).await;
        assert_eq!(code, status, "{path}");
        assert_eq!(content_type, "application/problem+json", "{path}");
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["status"], status, "{path}");
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{path}"
        );
    }
    let (code, content_type, _) = server.post_raw("/api/v1/products").await;
    assert_eq!(
        (code, content_type.as_str()),
        (405, "application/problem+json")
    );
    server.get_json("/healthz", 200).await;
}

#[tokio::test]
async fn responses_carry_a_request_id_and_shutdown_is_graceful() {
    let mut server = Server::seeded(5).await;
    let response = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("x-request-id")
            .is_some_and(|v| !v.is_empty())
    );
    assert!(
        server.terminate().success(),
        "SIGTERM ends the server cleanly"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_parses_as_openapi_3_1() {
    let server = Server::seeded(5).await;
    let (code, _, body) = server.get_raw("/api/v1/openapi.json").await;
    assert_eq!(code, 200);
    let spec = oas3::from_json(&body).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let doc: Value = serde_json::from_str(&body).unwrap();
    for route in rxflow_api::route_table().into_iter().filter(|r| r.is_api()) {
        let op = &doc["paths"][&route.path][route.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is documented",
            route.method,
            route.path
        );
        assert!(
            op["x-rxflow-roles"].is_array(),
            "{} {} states its roles",
            route.method,
            route.path
        );
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        assert_eq!(
            secured,
            route.access != rxflow_api::auth::access::Access::Public,
            "{} {}",
            route.method,
            route.path
        );
    }
}

/// An expired lot comes off the shelf into the ledger; a lot still in date
/// is refused and keeps its stock.
#[tokio::test]
async fn expired_lots_are_taken_off_the_shelf_and_only_they() {
    use reqwest::Method;
    let server = Server::seeded(30).await;
    let inventory = server.demo("inventory").await;
    let today = rxflow_pharmacy::clock::format_date(rxflow_pharmacy::clock::today());
    let lots = inventory
        .ok(Method::GET, "/api/v1/inventory/expiring", None, 200)
        .await;
    let lots = lots.as_array().unwrap();
    let (expired, in_date): (Vec<&Value>, Vec<&Value>) = lots
        .iter()
        .partition(|l| l["expiry"].as_str().unwrap() < today.as_str());
    let (lot, product) = (&expired[0]["lot_id"], &expired[0]["product_id"]);
    let stock = format!("/api/v1/products/{product}/stock");
    let before = inventory.ok(Method::GET, &stock, None, 200).await;
    let expire = |lot: &Value| format!("/api/v1/inventory/lots/{lot}/expire");
    let removed = inventory
        .ok(
            Method::POST,
            &expire(lot),
            Some(&serde_json::json!({})),
            200,
        )
        .await;
    let available =
        expired[0]["on_hand"].as_i64().unwrap() - expired[0]["reserved"].as_i64().unwrap();
    assert_eq!(removed["removed"].as_i64(), Some(available));
    let after = inventory.ok(Method::GET, &stock, None, 200).await;
    assert_eq!(
        after["on_hand"].as_i64().unwrap(),
        before["on_hand"].as_i64().unwrap() - available
    );
    assert_eq!(
        after["expired"],
        before["expired"].as_i64().unwrap() - available
    );

    let usable = in_date.first().expect("the demo has lots expiring soon");
    let (code, problem) = inventory
        .post(&expire(&usable["lot_id"]), &serde_json::json!({}))
        .await;
    assert_eq!(code, 422, "{problem}");
    let (code, _) = inventory
        .post(&expire(&Value::from(999_999)), &serde_json::json!({}))
        .await;
    assert_eq!(code, 404);
}
