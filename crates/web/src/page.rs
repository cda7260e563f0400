//! A response kept as bytes: rendered once, compressed once, served many times with an ETag.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::io::Write;

pub const HTML: &str = "text/html; charset=utf-8";
pub const JSON: &str = "application/json";
pub const PROBLEM: &str = "application/problem+json";
pub const CSV: &str = "text/csv; charset=utf-8";

/// Below this size compression saves less than the header costs.
const COMPRESS_FROM: usize = 512;

#[derive(Debug, Clone)]
pub struct Page {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
    pub gzip: Option<Bytes>,
    /// Strong validator of the uncompressed bytes, quoted; the gzip form adds `-gz`.
    pub etag: String,
    /// `Content-Disposition` for downloads.
    pub download: Option<String>,
    pub cache_control: &'static str,
    /// A content security policy of the page's own, in place of the site's.
    pub csp: Option<String>,
}

impl Page {
    pub fn new(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Page {
        let hash = Sha256::digest(&body);
        let etag = format!(
            "\"{}\"",
            hash.iter()
                .take(12)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let gzip = (body.len() >= COMPRESS_FROM).then(|| gzip(&body)).flatten();
        Page {
            status,
            content_type,
            body: Bytes::from(body),
            gzip,
            etag,
            download: None,
            // Pages change whenever data is published: revalidate each time (cheap: 304).
            cache_control: "no-cache",
            csp: None,
        }
    }

    pub fn html(body: String) -> Page {
        Page::new(StatusCode::OK, HTML, body.into_bytes())
    }

    pub fn download(mut self, file_name: &str) -> Page {
        self.download = Some(format!("attachment; filename=\"{file_name}\""));
        self
    }

    pub fn cached_for(mut self, cache_control: &'static str) -> Page {
        self.cache_control = cache_control;
        self
    }

    /// The response for one request: 304 when the client holds these bytes, gzip when accepted.
    pub fn respond(&self, request: &HeaderMap, head: bool) -> Response {
        let gzip = self.gzip.as_ref().filter(|_| accepts_gzip(request));
        let etag = match gzip {
            Some(_) => format!("{}-gz\"", self.etag.trim_end_matches('"')),
            None => self.etag.clone(),
        };
        let not_modified = self.status == StatusCode::OK
            && request
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| etag_matches(v, &self.etag));
        let (status, body) = if not_modified {
            (StatusCode::NOT_MODIFIED, Body::empty())
        } else if head {
            (self.status, Body::empty())
        } else {
            let bytes = gzip.cloned().unwrap_or_else(|| self.body.clone());
            (self.status, Body::from(bytes))
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, value);
        }
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(self.cache_control),
        );
        if self.gzip.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        }
        if gzip.is_some() && !not_modified {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        if head && !not_modified {
            let length = gzip.map_or(self.body.len(), |g| g.len());
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        }
        if let Some(csp) = &self.csp
            && let Ok(value) = HeaderValue::from_str(csp)
        {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        if let Some(disposition) = &self.download
            && let Ok(value) = HeaderValue::from_str(disposition)
        {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        response
    }
}

fn gzip(body: &[u8]) -> Option<Bytes> {
    // Level 6: within a few per cent of the best size at a third of the time, which matters
    // when a council's few hundred pages are rendered at once after an import.
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::default());
    encoder.write_all(body).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

/// Whether `Accept-Encoding` allows gzip (a `q=0` refuses it).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// `If-None-Match` holds `*` or a list of tags; either representation of the bytes matches
/// (weak comparison, as RFC 9110 asks for this header).
fn etag_matches(header: &str, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    header.split(',').any(|tag| {
        let tag = tag.trim();
        let tag = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
        tag == "*" || tag == bare || tag.strip_suffix("-gz") == Some(bare)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn gzip_is_chosen_only_when_accepted() {
        assert!(accepts_gzip(&headers(&[("accept-encoding", "br, gzip")])));
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "deflate, gzip;q=0.5"
        )])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "gzip;q=0")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "br")])));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn etags_match_either_representation() {
        assert!(etag_matches("\"abc\"", "\"abc\""));
        assert!(etag_matches("W/\"abc-gz\", \"x\"", "\"abc\""));
        assert!(etag_matches("*", "\"abc\""));
        assert!(!etag_matches("\"abd\"", "\"abc\""));
    }

    #[test]
    fn a_matching_tag_gets_304_without_a_body() {
        let page = Page::html("x".repeat(2000));
        let first = page.respond(&headers(&[("accept-encoding", "gzip")]), false);
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()[header::CONTENT_ENCODING], "gzip");
        let tag = first.headers()[header::ETAG]
            .to_str()
            .unwrap_or("")
            .to_string();
        let mut again = HeaderMap::new();
        again.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("")),
        );
        let second = page.respond(&again, false);
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
    }
}
