//! Untrusted image bytes to an upright RGB picture.
//!
//! The format is decided by the file's signature, never by a name the
//! client chose; dimensions are checked before any pixel is decoded, and the
//! decoder runs under an allocation limit, so a 100-megapixel or
//! decompression-bomb upload costs a header read, not the server's memory.

use crate::error::{IntakeError, Result};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// What an upload may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub max_bytes: usize,
    pub max_megapixels: u32,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_bytes: 15 * 1024 * 1024,
            max_megapixels: 40,
        }
    }
}

/// Smaller than this on the short side and no prescription is legible.
const MIN_SIDE: u32 = 64;

/// A decoded upload, turned upright by its EXIF orientation.
#[derive(Debug, Clone)]
pub struct Photo {
    pub format: ImageFormat,
    pub image: RgbImage,
}

/// The formats a phone or scanner produces that we read, by signature.
fn sniff(bytes: &[u8]) -> Result<ImageFormat> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Ok(ImageFormat::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Ok(ImageFormat::Png),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Ok(ImageFormat::WebP),
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if is_heif(brand) => {
            Err(IntakeError::UnsupportedFormat("HEIC/HEIF"))
        }
        [b'G', b'I', b'F', b'8', ..] => Err(IntakeError::UnsupportedFormat("GIF")),
        [b'%', b'P', b'D', b'F', ..] => Err(IntakeError::UnsupportedFormat("PDF")),
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => {
            Err(IntakeError::UnsupportedFormat("TIFF"))
        }
        _ => Err(IntakeError::NotAnImage),
    }
}

/// No pure-Rust HEIC decoder exists, so iPhone photos get a clear refusal
/// rather than a confusing "not an image".
fn is_heif(brand: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 6] = [b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"];
    brand
        .get(..4)
        .is_some_and(|b| BRANDS.iter().any(|x| x.as_slice() == b))
}

/// Decodes `bytes` within `limits`.
pub fn decode(bytes: &[u8], limits: UploadLimits) -> Result<Photo> {
    if bytes.is_empty() {
        return Err(IntakeError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(IntakeError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(IntakeError::Malformed(
            "the JPEG ends before its end-of-image marker (a partial upload?)".into(),
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits(limits));
    let mut decoder = reader.into_decoder().map_err(malformed)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    let orientation = decoder.orientation().map_err(malformed)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(malformed)?;
    image.apply_orientation(orientation);
    Ok(Photo {
        format,
        image: image.into_rgb8(),
    })
}

/// Walks the JPEG's segments to its end-of-image marker. The decoder
/// would paint a truncated photo's missing half grey and carry on; a
/// pharmacist must not review half a prescription as if it were whole.
/// Data after the marker (phones append motion clips) is ignored.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2;
    while i + 2 <= bytes.len() {
        if bytes[i] != 0xFF {
            return false;
        }
        let marker = bytes[i + 1];
        match marker {
            0xD9 => return true,
            0xFF => i += 1,
            0xD0..=0xD7 | 0x01 => i += 2,
            _ => {
                let Some(&[hi, lo]) = bytes.get(i + 2..i + 4) else {
                    return false;
                };
                let length = usize::from(u16::from_be_bytes([hi, lo]));
                i += 2 + length;
                if marker == 0xDA {
                    i = end_of_scan(bytes, i);
                }
            }
        }
    }
    false
}

/// The next marker after entropy-coded data, where `FF 00` is a stuffed
/// byte and `FF D0`–`FF D7` are restart markers inside the scan.
fn end_of_scan(bytes: &[u8], mut i: usize) -> usize {
    while i + 1 < bytes.len() {
        if bytes[i] == 0xFF && !matches!(bytes[i + 1], 0x00 | 0xD0..=0xD7) {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

fn decoder_limits(limits: UploadLimits) -> Limits {
    let mut l = Limits::default();
    // RGBA at 8 bits plus the decoder's own buffers.
    l.max_alloc = Some(u64::from(limits.max_megapixels) * 1_000_000 * 4 * 2);
    l
}

fn check_dimensions(width: u32, height: u32, limits: UploadLimits) -> Result<()> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > u64::from(limits.max_megapixels) * 1_000_000 {
        return Err(IntakeError::TooManyPixels {
            width,
            height,
            megapixels: pixels as f64 / 1e6,
            limit_mp: limits.max_megapixels,
        });
    }
    if width.min(height) < MIN_SIDE {
        return Err(IntakeError::TooSmall { width, height });
    }
    Ok(())
}

fn malformed(e: image::ImageError) -> IntakeError {
    match e {
        image::ImageError::Limits(l) => {
            IntakeError::Malformed(format!("exceeds decoding limits: {l}"))
        }
        other => IntakeError::Malformed(other.to_string()),
    }
}

impl Photo {
    /// Re-encodes as PNG: what is stored is pixels we decoded ourselves,
    /// never the uploaded bytes with their metadata (GPS, camera serial).
    pub fn to_png(&self) -> Result<Vec<u8>> {
        let mut out = Cursor::new(Vec::new());
        self.image
            .write_to(&mut out, ImageFormat::Png)
            .map_err(|e| IntakeError::Malformed(e.to_string()))?;
        Ok(out.into_inner())
    }

    /// Re-encodes as JPEG at `quality`: a photo stored for review does not
    /// need PNG's size.
    pub fn to_jpeg(&self, quality: u8) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
        self.image
            .write_with_encoder(encoder)
            .map_err(|e| IntakeError::Malformed(e.to_string()))?;
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
        Photo {
            format: ImageFormat::Png,
            image: img,
        }
        .to_png()
        .unwrap()
    }

    fn png_as_jpeg(width: u32, height: u32) -> Vec<u8> {
        decode(&png(width, height), UploadLimits::default())
            .unwrap()
            .to_jpeg(80)
            .unwrap()
    }

    #[test]
    fn a_jpeg_is_whole_only_up_to_its_end_marker() {
        let jpeg = png_as_jpeg(120, 90);
        assert!(jpeg_is_complete(&jpeg));
        let mut with_clip = jpeg.clone();
        with_clip.extend(b"ftypmp42 appended motion clip \xFF\xDA");
        assert!(jpeg_is_complete(&with_clip), "trailing data is ignored");
        let half = &jpeg[..jpeg.len() / 2];
        assert!(!jpeg_is_complete(half));
        assert!(matches!(
            decode(half, UploadLimits::default()),
            Err(IntakeError::Malformed(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn every_cut_of_a_jpeg_is_incomplete(cut in 0usize..10_000) {
            let jpeg = png_as_jpeg(96, 80);
            let cut = cut % (jpeg.len() - 1);
            proptest::prop_assert!(!jpeg_is_complete(&jpeg[..cut]));
        }
    }

    #[test]
    fn decodes_png_and_jpeg_by_signature() {
        let p = decode(&png(200, 100), UploadLimits::default()).unwrap();
        assert_eq!(
            (p.format, p.image.dimensions()),
            (ImageFormat::Png, (200, 100))
        );
        let jpeg = p.to_jpeg(80).unwrap();
        let j = decode(&jpeg, UploadLimits::default()).unwrap();
        assert_eq!(
            (j.format, j.image.dimensions()),
            (ImageFormat::Jpeg, (200, 100))
        );
    }

    #[test]
    fn rejects_empty_unknown_and_heic() {
        let l = UploadLimits::default();
        assert!(matches!(decode(b"", l), Err(IntakeError::Empty)));
        assert!(matches!(
            decode(b"hello world!", l),
            Err(IntakeError::NotAnImage)
        ));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert!(matches!(
            decode(heic, l),
            Err(IntakeError::UnsupportedFormat("HEIC/HEIF"))
        ));
    }

    #[test]
    fn truncated_files_are_malformed() {
        let bytes = png(300, 300);
        for cut in [9, 40, bytes.len() / 2, bytes.len() - 13] {
            let r = decode(&bytes[..cut], UploadLimits::default());
            assert!(
                matches!(r, Err(IntakeError::Malformed(_))),
                "cut {cut}: {r:?}"
            );
        }
    }

    #[test]
    fn pixel_and_byte_limits_are_checked_before_decoding() {
        // A JPEG header claiming 10,000 x 10,000: refused from the header.
        let mut bytes = png_as_jpeg(100, 100);
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 7].copy_from_slice(&10_000u16.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&10_000u16.to_be_bytes());
        let r = decode(&bytes, UploadLimits::default());
        assert!(
            matches!(r, Err(IntakeError::TooManyPixels { width: 10_000, .. })),
            "{r:?}"
        );
        let small = UploadLimits {
            max_bytes: 10,
            max_megapixels: 40,
        };
        assert!(matches!(
            decode(&png(100, 100), small),
            Err(IntakeError::TooLarge { .. })
        ));
        assert!(matches!(
            decode(&png(40, 300), UploadLimits::default()),
            Err(IntakeError::TooSmall { .. })
        ));
    }

    #[test]
    fn exif_orientation_is_applied() {
        // A 200x100 JPEG tagged "rotate 90° clockwise" decodes as 100x200.
        let jpeg = Photo {
            format: ImageFormat::Jpeg,
            image: RgbImage::from_pixel(200, 100, image::Rgb([200, 200, 200])),
        }
        .to_jpeg(80)
        .unwrap();
        let tagged = with_exif_orientation(&jpeg, 6);
        let p = decode(&tagged, UploadLimits::default()).unwrap();
        assert_eq!(p.image.dimensions(), (100, 200));
    }

    /// Inserts an APP1 EXIF segment holding only the orientation tag.
    fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = b"MM\0\x2A\0\0\0\x08\0\x01".to_vec();
        tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }
}
