//! The plumbing of staff requests: cookies, form bodies (size-limited, UTF-8, named fields),
//! the checks that a form came from this site, and the responses the handlers send.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;

/// Largest form accepted (a return's texts at their limits fit well inside).
pub const MAX_FORM_BYTES: usize = 256 * 1024;
/// More fields than any form has is not a form of ours.
const MAX_FIELDS: usize = 1024;
/// No form of ours names a field longer than this.
const MAX_NAME_CHARS: usize = 64;

/// The most characters a field may carry, checked as the form is read, before anything is
/// looked up or stored. These are outer bounds, set above the rules' own limits (an address
/// of 254 characters, a name of 200, a text of 10,000), so that a person who types a little
/// too much sees the form again with its own message naming the field; only absurd input
/// stops here.
pub fn field_limit(name: &str) -> usize {
    match name {
        "email" | "password" | "confirm" => 1_024,
        "token" | "csrf" | "upload" | "code" | "state" => 256,
        // Up to ten links of up to 2,000 characters, one per line.
        "evidence" => 25_000,
        _ => 20_000,
    }
}

/// A cookie's value from the request, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A query parameter's value as sent (`name=value`: the staff pages' own links, never encoded).
pub fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
}

/// A submitted form's fields. A field sent twice keeps its first value for `get`; `all`
/// gives every value (checkboxes).
#[derive(Debug, Default)]
pub struct Form {
    fields: HashMap<String, String>,
    repeated: HashMap<String, Vec<String>>,
}

impl Form {
    /// Read a urlencoded body. Refuses other content types, oversized bodies, bytes that are
    /// not UTF-8 and absurd numbers of fields, with a message saying which.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Form, String> {
        let kind = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !kind.split(';').next().is_some_and(|k| {
            k.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        }) {
            return Err("the form was not sent as a web form".into());
        }
        if body.len() > MAX_FORM_BYTES {
            return Err(format!(
                "the form is larger than {} KB",
                MAX_FORM_BYTES / 1024
            ));
        }
        let mut fields = HashMap::new();
        let mut repeated: HashMap<String, Vec<String>> = HashMap::new();
        let pairs = body.split(|b| *b == b'&').filter(|p| !p.is_empty());
        for (i, pair) in pairs.enumerate() {
            if i >= MAX_FIELDS {
                return Err("the form has too many fields".into());
            }
            let (name, value) = match pair.iter().position(|b| *b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &b""[..]),
            };
            let name =
                decode(name).ok_or_else(|| "a field name is not valid UTF-8 text".to_string())?;
            if name.chars().count() > MAX_NAME_CHARS {
                return Err("a field name is longer than any this site uses".into());
            }
            let value = decode(value)
                .ok_or_else(|| format!("the field '{name}' is not valid UTF-8 text"))?;
            let limit = field_limit(&name);
            if value.chars().count() > limit {
                return Err(format!(
                    "the field '{name}' is longer than {limit} characters"
                ));
            }
            repeated
                .entry(name.clone())
                .or_default()
                .push(value.clone());
            fields.entry(name).or_insert(value);
        }
        Ok(Form { fields, repeated })
    }

    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// Whether the form sent this field at all.
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// Every value sent for a field, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.repeated
            .get(name)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// A field holding a whole number (e.g. a revision), if it does.
    pub fn number(&self, name: &str) -> Option<i64> {
        self.get(name).trim().parse().ok()
    }
}

/// One urlencoded name or value as text: `+` is a space, `%XX` a byte; None unless the bytes
/// are UTF-8 (a changed text is refused, never kept).
fn decode(raw: &[u8]) -> Option<String> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&spaced)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// Compare secrets in time that does not depend on where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a state-changing request came from a page of this site: browsers send Origin (and
/// Sec-Fetch-Site) with form posts; when they do, they must name this host. The synchroniser
/// token in the form is checked as well — this is the second lock.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

fn base(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Staff pages show unpublished returns and personal data: never kept by a browser or proxy.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub fn html(status: StatusCode, body: String) -> Response {
    base(status, "text/html; charset=utf-8", body.into_bytes())
}

pub fn download(content_type: &'static str, file_name: &str, body: Vec<u8>) -> Response {
    let mut response = base(StatusCode::OK, content_type, body);
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// 303 See Other: after a form is handled, the browser fetches the result with GET, so a
/// reload never sends the form twice.
pub fn see_other(location: &str) -> Response {
    let mut response = base(StatusCode::SEE_OTHER, "text/plain; charset=utf-8", vec![]);
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

pub fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        h
    }

    #[test]
    fn forms_are_read_and_bad_ones_refused() {
        let form = Form::parse(&form_headers(), b"a=1&b=x+y&a=2&c=%3Cscript%3E").expect("form");
        assert_eq!(form.get("a"), "1");
        assert_eq!(form.get("b"), "x y");
        assert_eq!(form.get("c"), "<script>");
        assert_eq!(form.get("missing"), "");
        assert_eq!(form.number("a"), Some(1));
        assert!(
            Form::parse(&HeaderMap::new(), b"a=1").is_err(),
            "no content type"
        );
        assert!(Form::parse(&form_headers(), &vec![b'a'; MAX_FORM_BYTES + 1]).is_err());
        let many: String = (0..1100).map(|i| format!("f{i}=1&")).collect();
        assert!(Form::parse(&form_headers(), many.as_bytes()).is_err());
        assert!(
            Form::parse(&form_headers(), b"a=%FF%FE").is_err(),
            "not UTF-8"
        );
        let address = format!("email={}", "a".repeat(1_025));
        let refused = Form::parse(&form_headers(), address.as_bytes()).expect_err("too long");
        assert!(
            refused.contains("'email'") && refused.contains("1024"),
            "{refused}"
        );
        let address = format!("email={}", "é".repeat(1_024));
        assert!(
            Form::parse(&form_headers(), address.as_bytes()).is_ok(),
            "characters, not bytes"
        );
        let long_name = format!("{}=1", "n".repeat(65));
        assert!(Form::parse(&form_headers(), long_name.as_bytes()).is_err());
    }

    /// Form encoding as browsers do it: space as `+`, every byte but the unreserved ones as
    /// `%XX`.
    fn urlencode(text: &str) -> String {
        let mut out = String::new();
        for b in text.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(char::from(b))
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn any_text_comes_back_as_it_was_sent(
            fields in proptest::collection::btree_map(
                // Names as long as the site allows; values of any text.
                "\\PC{0,64}",
                proptest::prelude::any::<String>(),
                0..16,
            ),
        ) {
            let body = fields
                .iter()
                .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let form = Form::parse(&form_headers(), body.as_bytes()).expect("form");
            for (k, v) in &fields {
                proptest::prop_assert_eq!(form.get(k), v.as_str());
            }
        }

        #[test]
        fn any_bytes_are_read_or_refused_without_panicking(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
        ) {
            if let Ok(form) = Form::parse(&form_headers(), &body) {
                // Whatever was read is text, with `+` and `%XX` decoded.
                let _ = form.get("csrf");
            }
        }
    }

    #[test]
    fn cookies_and_secrets() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; waymark-session=abc; b=2"),
        );
        assert_eq!(cookie(&h, "waymark-session"), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("", ""));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn cross_site_posts_are_recognised() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(
            same_origin(&h),
            "no Origin: older clients, checked by token alone"
        );
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h));
    }
}
