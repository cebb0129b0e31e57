//! Hostile uploads get a 4xx problem and leave nothing behind; a path-like
//! file name changes nothing about where a photo is stored; and a job
//! queued on a server that dies is read after the restart.

use crate::support::{Server, repo};
use serde_json::Value;
use std::io::Write;

/// A PNG whose header declares `width` × `height` and holds one tiny
/// compressed row: what a decompression bomb looks like before decoding.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut crc_input = kind.to_vec();
    crc_input.extend(data);
    out.extend(&crc_input);
    out.extend(crc32(&crc_input).to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn zip_bomb_like() -> Vec<u8> {
    let mut zip = Vec::new();
    let mut writer = std::io::Cursor::new(&mut zip);
    writer.write_all(b"PK\x03\x04").unwrap();
    writer.write_all(&[0u8; 200]).unwrap();
    zip
}

fn photo() -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures/intake/rx0004_photo.jpg")).unwrap()
}

#[test]
fn the_crafted_png_is_well_formed_apart_from_its_size() {
    // The CRC of IEND is a published constant.
    assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    assert_eq!(&png_declaring(1, 1)[12..16], b"IHDR");
}

#[tokio::test]
async fn hostile_uploads_are_refused_and_nothing_is_kept() {
    let server = Server::seeded(5).await;
    let customer = server.demo("margaret").await;
    let photo = photo();
    let count = |list: Value| list.as_array().map(Vec::len);
    let before = count(customer.get("/api/v1/prescriptions").await.1);
    let cases: Vec<(&str, Vec<u8>, &str, u16)> = vec![
        (
            "text with a .jpg name",
            b"this is not an image at all".to_vec(),
            "rx.jpg",
            415,
        ),
        ("zip archive", zip_bomb_like(), "rx.png", 415),
        ("empty file", Vec::new(), "rx.jpg", 400),
        (
            "truncated JPEG",
            photo[..photo.len() / 3].to_vec(),
            "rx.jpg",
            422,
        ),
        ("100 MP PNG", png_declaring(10_000, 10_000), "rx.png", 413),
        (
            "decompression bomb",
            png_declaring(60_000, 60_000),
            "rx.png",
            413,
        ),
        ("PDF", b"%PDF-1.7\n%\xe2\xe3".to_vec(), "rx.pdf", 415),
        (
            "HEIC",
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00".to_vec(),
            "IMG_1.HEIC",
            415,
        ),
    ];
    for (what, bytes, name, status) in cases {
        let (code, content_type, body) = customer.upload(bytes, name).await;
        assert_eq!(code, status, "{what}: {body}");
        assert_eq!(content_type, "application/problem+json", "{what}");
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{what}"
        );
    }
    let uploads = server.data.path().join("uploads");
    assert_eq!(
        files_under(&uploads).len(),
        0,
        "refused uploads leave no file"
    );
    let after = count(customer.get("/api/v1/prescriptions").await.1);
    assert_eq!(after, before, "and no record");

    let (code, _, accepted) = customer.upload(photo, "../../../../tmp/evil.jpg").await;
    assert_eq!(code, 202, "{accepted}");
    let kept = files_under(&uploads);
    assert_eq!(kept.len(), 1);
    let name = kept[0]
        .strip_prefix(&uploads)
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(
        name.len() == 2 + 1 + 64 + 4 && name.ends_with(".jpg") && !name.contains(".."),
        "stored under its content address: {name}"
    );
    assert!(!std::path::Path::new("/tmp/evil.jpg").exists());
    let (code, _, _) = server.get_raw("/healthz").await;
    assert_eq!(code, 200, "the server keeps serving");
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            if e.path().is_dir() {
                files_under(&e.path())
            } else {
                vec![e.path()]
            }
        })
        .collect()
}

#[tokio::test]
async fn a_job_queued_before_a_crash_is_read_after_the_restart() {
    // A serving-only host: it queues, nobody reads.
    let mut server = Server::seeded_with(5, &[("RXFLOW_WORKERS", "0")]).await;
    let customer = server.demo("margaret").await;
    let (code, _, accepted) = customer.upload(photo(), "rx.jpg").await;
    assert_eq!(code, 202);
    let rx = accepted["prescription_id"].as_i64().unwrap();
    let (_, status) = customer
        .get(&format!("/api/v1/prescriptions/{rx}/status"))
        .await;
    assert_eq!(status["stage"], "queued");

    server.crash_and_restart(&[("RXFLOW_WORKERS", "1")]);
    let customer = server.demo("margaret").await;
    let done: Value = customer.wait_for_intake(rx).await;
    assert_eq!(done["read"], true, "{done}");
    assert_eq!(done["status"], "needs_review");
}
