pub mod forecast;
pub mod serve;
pub mod store;
