//! Getting an order to the patient: pickup at the counter or a local courier.

pub trait Carrier: Send + Sync {
    fn name(&self) -> &'static str;
    /// Books the shipment and returns its tracking reference.
    fn book(&self, order_id: i64) -> String;
}

pub struct InStorePickup;

impl Carrier for InStorePickup {
    fn name(&self) -> &'static str {
        "in_store_pickup"
    }

    fn book(&self, order_id: i64) -> String {
        format!("PICKUP-{order_id:06}")
    }
}

pub struct LocalCourier;

impl Carrier for LocalCourier {
    fn name(&self) -> &'static str {
        "local_courier"
    }

    fn book(&self, order_id: i64) -> String {
        format!(
            "COURIER-{order_id:06}-{}",
            crate::clock::format_date(crate::clock::today()).replace('-', "")
        )
    }
}
