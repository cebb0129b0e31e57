use rxflow_pharmacy::Store;

/// What every handler can reach. Cheap to clone: the store is a pool handle.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}
