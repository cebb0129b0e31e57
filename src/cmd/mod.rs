pub mod eval_ddi;
pub mod forecast;
pub mod intake;
pub mod kb;
pub mod serve;
pub mod store;
