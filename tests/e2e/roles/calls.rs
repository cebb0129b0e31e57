//! A request that each route accepts, so that the role matrix can expect a
//! 2xx from every role a route admits: a refusal then comes from the role
//! check alone, never from a missing object or a malformed body. A call that
//! changes what it names (pays an order, signs a prescription, accepts a
//! suggestion) gets an object of its own, brought to the state it needs
//! through the API.

use crate::support::{Server, Session, repo};
use reqwest::Method;
use rxflow_pharmacy::users::Role;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

pub enum Body {
    None,
    Json(Value),
    /// The fixture photo as the multipart part `image`.
    Photo,
}

pub struct Call {
    pub path: String,
    pub body: Body,
    /// A session of the caller's role made for this call alone, for a call
    /// that ends the session it is made with.
    pub own_session: Option<String>,
}

impl Call {
    fn get(path: impl Into<String>) -> Call {
        Call::with(path, Body::None)
    }

    fn json(path: impl Into<String>, body: Value) -> Call {
        Call::with(path, Body::Json(body))
    }

    fn with(path: impl Into<String>, body: Body) -> Call {
        Call {
            path: path.into(),
            body,
            own_session: None,
        }
    }
}

pub fn demo_user(role: Role) -> &'static str {
    match role {
        Role::Customer => "margaret",
        Role::Pharmacist => "pharmacist",
        Role::Technician => "technician",
        Role::InventoryManager => "inventory",
        Role::Admin => "admin",
    }
}

pub fn photo() -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures/intake/rx0002_photo.jpg")).unwrap()
}

/// Where an order must be for the call under test to move it on.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Stage {
    Pending,
    Paid,
    Processing,
    Shipped,
    Delivered,
}

/// The demo store seen through the API, with the objects that calls which
/// only read can share.
pub struct World<'s> {
    server: &'s Server,
    sessions: HashMap<Role, Session>,
    /// The demo customer's patient record, and a verified maintenance
    /// prescription of hers with refills left.
    patient: i64,
    chronic: Value,
    /// An over-the-counter product in stock, one of its lots, and one of
    /// the customer's orders.
    otc: i64,
    lot: i64,
    order: i64,
    /// The customer's photo, read and waiting for the pharmacist.
    photo_rx: i64,
    dispense: i64,
    purchase_order: i64,
    suggestions: std::sync::Mutex<Vec<i64>>,
    expired: std::sync::Mutex<Vec<i64>>,
    serial: AtomicU32,
}

impl<'s> World<'s> {
    pub async fn new(server: &'s Server) -> World<'s> {
        let mut sessions = HashMap::new();
        for role in Role::ALL {
            sessions.insert(role, server.demo(demo_user(role)).await);
        }
        let customer = &sessions[&Role::Customer];
        let (patient, chronic) = verified_item(customer).await;
        let otc = stocked_otc(&sessions[&Role::Pharmacist]).await;
        let mut world = World {
            server,
            sessions,
            patient,
            chronic,
            otc,
            lot: 0,
            order: 0,
            photo_rx: 0,
            dispense: 0,
            purchase_order: 0,
            suggestions: std::sync::Mutex::new(Vec::new()),
            expired: std::sync::Mutex::new(Vec::new()),
            serial: AtomicU32::new(0),
        };
        world.lot = world.lot_of(otc).await;
        world.order = world.order_at(Stage::Pending).await;
        world.photo_rx = world.photo_in_review().await;
        world.dispense = world.filled().await["dispense"]["id"].as_i64().unwrap();
        world.recompute().await;
        world.find_expired_lots().await;
        world.purchase_order = world.draft_purchase_order().await;
        world
    }

    pub fn base(&self) -> &str {
        &self.server.base
    }

    pub fn session(&self, role: Role) -> &Session {
        &self.sessions[&role]
    }

    fn unique(&self, stem: &str) -> String {
        format!("{stem}{}", self.serial.fetch_add(1, Ordering::Relaxed))
    }

    /// A call `path` accepts from `role` (`None`: anonymously).
    pub async fn call(&self, method: &str, path: &str, role: Option<Role>) -> Result<Call, String> {
        let id = |n: i64| path.replace("{id}", &n.to_string());
        let call = match (method, path) {
            (
                "GET",
                "/healthz" | "/readyz" | "/metrics" | "/api/v1/openapi.json" | "/cds-services",
            ) => Call::get(path),
            ("GET", p) if p.starts_with("/assets/") => Call::get(path),
            (
                "GET",
                "/" | "/login" | "/register" | "/my" | "/my/orders" | "/review" | "/dispensing"
                | "/inventory" | "/inventory/reorder" | "/admin",
            ) => Call::get(path),
            ("GET", "/review/{id}") => Call::get(id(self.photo_rx)),
            ("GET", "/dispensing/labels/{id}") => Call::get(id(self.dispense)),
            ("GET", "/inventory/products/{id}") => Call::get(id(self.otc)),
            ("POST", "/api/v1/auth/register") => Call::json(path, self.registration()),
            ("POST", "/api/v1/auth/login") => Call::json(path, credentials(Role::Technician)),
            ("POST", "/api/v1/auth/logout") => self.logout(role).await,
            ("GET", "/api/v1/auth/me") => Call::get(path),
            (
                "GET",
                "/api/v1/admin/users" | "/api/v1/admin/audit" | "/api/v1/admin/alert-stats",
            ) => Call::get(path),
            ("POST", "/api/v1/admin/users") => Call::json(path, self.staff()),
            ("PATCH", "/api/v1/admin/users/{id}") => {
                Call::json(id(self.staff_member().await), json!({ "active": false }))
            }
            ("POST", "/api/v1/prescriptions") => Call::with(path, Body::Photo),
            ("GET", "/api/v1/prescriptions") => Call::get(path),
            ("GET", "/api/v1/prescriptions/{id}") => {
                Call::get(id(self.chronic["prescription_id"].as_i64().unwrap()))
            }
            ("GET", "/api/v1/prescriptions/{id}/status" | "/api/v1/prescriptions/{id}/image") => {
                Call::get(id(self.photo_rx))
            }
            ("GET", "/api/v1/review/queue") => Call::get(path),
            ("GET", "/api/v1/review/{id}") => Call::get(id(self.photo_rx)),
            ("PATCH", "/api/v1/review/{id}") => Call::json(
                id(self.photo_rx),
                json!({ "corrections": [{ "key": "items.0.refills", "text": "1" }] }),
            ),
            ("POST", "/api/v1/prescriptions/{id}/decision") => Call::json(
                id(self.photo_in_review().await),
                json!({ "decision": "reject", "password": password(Role::Pharmacist), "reason": "illegible prescriber signature" }),
            ),
            ("GET", "/api/v1/cart") => Call::get(path),
            ("POST", "/api/v1/cart") => {
                Call::json(path, json!({ "product_id": self.otc, "quantity": 1 }))
            }
            ("POST", "/api/v1/checkout") => {
                self.add_to_cart().await;
                Call::json(path, json!({}))
            }
            ("GET", "/api/v1/orders") => Call::get(path),
            ("GET", "/api/v1/orders/{id}") => Call::get(id(self.order)),
            ("POST", "/api/v1/orders/{id}/pay") => Call::json(
                id(self.order_at(Stage::Pending).await),
                json!({ "method": "card" }),
            ),
            ("POST", "/api/v1/orders/{id}/cancel") => {
                Call::json(id(self.order_at(Stage::Pending).await), json!({}))
            }
            ("POST", "/api/v1/orders/{id}/process") => {
                Call::json(id(self.order_at(Stage::Paid).await), json!({}))
            }
            ("POST", "/api/v1/orders/{id}/ship") => Call::json(
                id(self.order_at(Stage::Processing).await),
                json!({ "carrier": "pickup" }),
            ),
            ("POST", "/api/v1/orders/{id}/deliver") => {
                Call::json(id(self.order_at(Stage::Shipped).await), json!({}))
            }
            ("POST", "/api/v1/orders/{id}/return") => Call::json(
                id(self.order_at(Stage::Delivered).await),
                json!({ "reason": "wrong strength ordered" }),
            ),
            ("POST", "/api/v1/dispenses") => Call::json(path, self.paid_fill().await),
            ("GET", "/api/v1/products") => Call::get(path),
            ("GET", "/api/v1/products/{id}" | "/api/v1/products/{id}/stock") => {
                Call::get(id(self.otc))
            }
            ("GET", "/api/v1/inventory/expiring") => Call::get(path),
            ("POST", "/api/v1/inventory/lots") => Call::json(path, self.receipt()),
            ("POST", "/api/v1/inventory/lots/{id}/expire") => {
                Call::json(id(self.expired_lot()?), json!({}))
            }
            ("POST", "/api/v1/inventory/lots/{id}/adjust") => Call::json(
                id(self.lot),
                json!({ "delta": -1, "reason": "damaged on the shelf" }),
            ),
            ("GET", "/api/v1/inventory/forecasts/{id}") => {
                Call::get(id(self.chronic["product_id"].as_i64().unwrap()))
            }
            ("GET", "/api/v1/inventory/reorder-suggestions") => Call::get(path),
            ("POST", "/api/v1/inventory/reorder-suggestions/recompute") => {
                Call::json(format!("{path}?product_id={}", self.otc), json!({}))
            }
            ("POST", "/api/v1/inventory/reorder-suggestions/{id}/dismiss") => {
                Call::json(id(self.suggestion()?), json!({}))
            }
            ("POST", "/api/v1/purchase-orders") => Call::json(
                path,
                json!({ "suggestions": [{ "id": self.suggestion()? }] }),
            ),
            ("GET", "/api/v1/purchase-orders") => Call::get(path),
            ("GET", "/api/v1/purchase-orders/{id}") => Call::get(id(self.purchase_order)),
            (
                "POST",
                "/api/v1/purchase-orders/{id}/order" | "/api/v1/purchase-orders/{id}/cancel",
            ) => Call::json(id(self.draft_purchase_order().await), json!({})),
            ("POST", "/api/v1/purchase-orders/{id}/receive") => self.delivery(path).await,
            ("GET", "/fhir/MedicationRequest/{id}") => {
                Call::get(id(self.chronic["id"].as_i64().unwrap()))
            }
            ("GET", "/fhir/MedicationDispense/{id}") => Call::get(id(self.dispense)),
            ("GET", "/fhir/DetectedIssue") => Call::get(format!("{path}?patient={}", self.patient)),
            ("POST", "/cds-services/rxflow-medication-safety") => {
                Call::json(path, cds_fixture("order-sign.json"))
            }
            ("POST", "/cds-services/rxflow-medication-safety/feedback") => {
                Call::json(path, self.feedback().await)
            }
            _ => return Err(format!("no call is known for {method} {path}: add one")),
        };
        Ok(call)
    }
}

/// Building the objects calls need, through the API as the roles that
/// make them in the pharmacy.
impl World<'_> {
    async fn ok(&self, role: Role, method: Method, path: &str, body: Option<&Value>) -> Value {
        let (code, value) = self.session(role).send(method.clone(), path, body).await;
        assert!(
            (200..300).contains(&code),
            "setting up, {method} {path}: {code} {value}"
        );
        value
    }

    async fn lot_of(&self, product: i64) -> i64 {
        let stock = self
            .ok(
                Role::Pharmacist,
                Method::GET,
                &format!("/api/v1/products/{product}/stock"),
                None,
            )
            .await;
        stock["lots"][0]["lot_id"].as_i64().unwrap()
    }

    async fn add_to_cart(&self) {
        let line = json!({ "product_id": self.otc, "quantity": 1 });
        self.ok(Role::Customer, Method::POST, "/api/v1/cart", Some(&line))
            .await;
    }

    /// The customer checks out her cart; the new order's id.
    async fn checkout(&self) -> i64 {
        let order = self
            .ok(
                Role::Customer,
                Method::POST,
                "/api/v1/checkout",
                Some(&json!({})),
            )
            .await;
        order["id"].as_i64().unwrap()
    }

    /// One of the customer's orders for an OTC product, moved to `stage`.
    async fn order_at(&self, stage: Stage) -> i64 {
        self.add_to_cart().await;
        let id = self.checkout().await;
        let steps = [
            (
                Stage::Paid,
                Role::Customer,
                "pay",
                json!({ "method": "card" }),
            ),
            (Stage::Processing, Role::Technician, "process", json!({})),
            (
                Stage::Shipped,
                Role::Technician,
                "ship",
                json!({ "carrier": "pickup" }),
            ),
            (Stage::Delivered, Role::Technician, "deliver", json!({})),
        ];
        for (_, role, step, body) in steps.into_iter().filter(|s| s.0 <= stage) {
            self.ok(
                role,
                Method::POST,
                &format!("/api/v1/orders/{id}/{step}"),
                Some(&body),
            )
            .await;
        }
        id
    }

    /// A fill of the customer's maintenance prescription, ordered and paid
    /// for: what the counter dispenses.
    async fn paid_fill(&self) -> Value {
        let item = &self.chronic;
        let line = json!({ "product_id": item["product_id"], "quantity": item["quantity"], "prescription_item_id": item["id"] });
        self.ok(Role::Customer, Method::POST, "/api/v1/cart", Some(&line))
            .await;
        let pay = format!("/api/v1/orders/{}/pay", self.checkout().await);
        let paid = self
            .ok(
                Role::Customer,
                Method::POST,
                &pay,
                Some(&json!({ "method": "card" })),
            )
            .await;
        json!({ "item_id": item["id"], "reservation_id": paid["lines"][0]["reservation_id"] })
    }

    async fn filled(&self) -> Value {
        let fill = self.paid_fill().await;
        self.ok(
            Role::Technician,
            Method::POST,
            "/api/v1/dispenses",
            Some(&fill),
        )
        .await
    }

    /// A new upload of the fixture photo, once intake has read it.
    async fn photo_in_review(&self) -> i64 {
        let customer = self.session(Role::Customer);
        let (code, _, accepted) = customer.upload(photo(), "rx.jpg").await;
        assert_eq!(code, 202, "{accepted}");
        let rx = accepted["prescription_id"].as_i64().unwrap();
        let progress = customer.wait_for_intake(rx).await;
        assert_eq!(progress["status"], "needs_review", "{progress}");
        rx
    }

    async fn recompute(&self) {
        let path = "/api/v1/inventory/reorder-suggestions/recompute";
        self.ok(Role::InventoryManager, Method::POST, path, None)
            .await;
        let open = self
            .ok(
                Role::InventoryManager,
                Method::GET,
                "/api/v1/inventory/reorder-suggestions",
                None,
            )
            .await;
        let ids = open
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap());
        self.suggestions.lock().unwrap().extend(ids);
    }

    /// An expired lot still on the shelf that no other call has removed.
    fn expired_lot(&self) -> Result<i64, String> {
        take(&self.expired, "expired lots")
    }

    async fn find_expired_lots(&self) {
        let today = in_days(0);
        let lots = self
            .ok(
                Role::Pharmacist,
                Method::GET,
                "/api/v1/inventory/expiring",
                None,
            )
            .await;
        let expired = lots
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["expiry"].as_str() < Some(today.as_str()));
        let ids = expired.map(|l| l["lot_id"].as_i64().unwrap());
        self.expired.lock().unwrap().extend(ids);
    }

    /// An open suggestion no other call has used.
    fn suggestion(&self) -> Result<i64, String> {
        take(&self.suggestions, "reorder suggestions")
    }

    async fn draft_purchase_order(&self) -> i64 {
        self.purchase_order_from(self.suggestion().unwrap()).await["id"]
            .as_i64()
            .unwrap()
    }

    async fn purchase_order_from(&self, suggestion: i64) -> Value {
        let body = json!({ "suggestions": [{ "id": suggestion }] });
        self.ok(
            Role::InventoryManager,
            Method::POST,
            "/api/v1/purchase-orders",
            Some(&body),
        )
        .await
    }

    /// An ordered purchase order, and its delivery in full.
    async fn delivery(&self, path: &str) -> Call {
        let po = self.purchase_order_from(self.suggestion().unwrap()).await;
        let id = po["id"].as_i64().unwrap();
        self.ok(
            Role::InventoryManager,
            Method::POST,
            &format!("/api/v1/purchase-orders/{id}/order"),
            None,
        )
        .await;
        let lines: Vec<Value> = po["lines"].as_array().unwrap().iter().map(|l| json!({
            "line_id": l["id"], "lot_number": self.unique("PO-ROLES-"), "expiry": in_a_year(), "quantity": l["quantity"],
        })).collect();
        Call::json(
            path.replace("{id}", &id.to_string()),
            json!({ "lines": lines }),
        )
    }

    fn receipt(&self) -> Value {
        json!({ "product_id": self.otc, "lot_number": self.unique("ROLES-"), "expiry": in_a_year(), "quantity": 12 })
    }

    fn registration(&self) -> Value {
        json!({
            "username": self.unique("newcomer"), "password": "a long enough secret",
            "first_name": "Nora", "last_name": "Quist", "dob": "1988-02-09", "sex": "female",
        })
    }

    fn staff(&self) -> Value {
        json!({ "username": self.unique("staff"), "display_name": "Kim Ode", "role": "technician", "password": "a long enough secret" })
    }

    async fn staff_member(&self) -> i64 {
        let made = self
            .ok(
                Role::Admin,
                Method::POST,
                "/api/v1/admin/users",
                Some(&self.staff()),
            )
            .await;
        made["id"].as_i64().unwrap()
    }

    /// Sign-out ends the session it is made with, so it gets its own.
    async fn logout(&self, role: Option<Role>) -> Call {
        let mut call = Call::json("/api/v1/auth/logout", json!({}));
        if let Some(role) = role {
            call.own_session = Some(self.server.demo(demo_user(role)).await.token);
        }
        call
    }

    /// Feedback on a card the service has just issued.
    async fn feedback(&self) -> Value {
        let path = "/cds-services/rxflow-medication-safety";
        let response = self
            .ok(
                Role::Pharmacist,
                Method::POST,
                path,
                Some(&cds_fixture("order-sign.json")),
            )
            .await;
        json!({ "feedback": [{ "card": response["cards"][0]["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-22T10:16:00Z" }] })
    }
}

/// The customer's patient id and a verified prescription item of hers
/// with fills left.
async fn verified_item(customer: &Session) -> (i64, Value) {
    let (_, mine) = customer.get("/api/v1/prescriptions").await;
    for summary in mine.as_array().unwrap() {
        let (_, rx) = customer
            .get(&format!("/api/v1/prescriptions/{}", summary["id"]))
            .await;
        let item = &rx["items"][0];
        if rx["status"] == "verified" && item["product_id"].is_i64() {
            return (rx["patient_id"].as_i64().unwrap(), item.clone());
        }
    }
    panic!("the demo customer has no verified prescription: {mine}");
}

/// An over-the-counter product with stock to sell.
async fn stocked_otc(session: &Session) -> i64 {
    let (_, products) = session.get("/api/v1/products?limit=500").await;
    for product in products
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["rx_only"] == 0)
    {
        let id = product["id"].as_i64().unwrap();
        let (_, stock) = session.get(&format!("/api/v1/products/{id}/stock")).await;
        if stock["available"].as_i64().is_some_and(|n| n >= 50) {
            return id;
        }
    }
    panic!("the demo stocks no over-the-counter product");
}

/// One of `ids` that no call has had yet.
fn take(ids: &std::sync::Mutex<Vec<i64>>, what: &str) -> Result<i64, String> {
    ids.lock()
        .unwrap()
        .pop()
        .ok_or_else(|| format!("the demo left too few {what}"))
}

fn password(role: Role) -> String {
    format!("{}-demo-2026", demo_user(role))
}

fn credentials(role: Role) -> Value {
    json!({ "username": demo_user(role), "password": password(role), "token": true })
}

fn in_a_year() -> String {
    in_days(365)
}

fn in_days(days: i64) -> String {
    rxflow_pharmacy::clock::format_date(
        rxflow_pharmacy::clock::today() + time::Duration::days(days),
    )
}

fn cds_fixture(name: &str) -> Value {
    let path = repo().join("api/tests/fixtures/cds").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
