//! The stylesheet and scripts, compiled into the binary. Their URLs carry
//! no version, so browsers check back hourly rather than keep them forever.

use axum::http::header;
use axum::response::IntoResponse;

use crate::auth::access::{Access, Routes};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

pub fn routes() -> Routes {
    Routes::new()
        .get("/assets/app.css", Access::Public, || {
            asset(CSS, include_str!("../../assets/app.css"))
        })
        .get("/assets/app.js", Access::Public, || {
            asset(JS, include_str!("../../assets/app.js"))
        })
        .get("/assets/upload.js", Access::Public, || {
            asset(JS, include_str!("../../assets/upload.js"))
        })
        .get("/assets/review.js", Access::Public, || {
            asset(JS, include_str!("../../assets/review.js"))
        })
        .get("/assets/lists.js", Access::Public, || {
            asset(JS, include_str!("../../assets/lists.js"))
        })
}

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
