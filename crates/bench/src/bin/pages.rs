//! Page latency as a visitor sees it: against a running `waymark serve`, fetch each given path
//! over one keep-alive connection, one request after another, and print how long the whole
//! response took (request written → last body byte read).
//!
//! For each path the FIRST request is reported on its own ("cold": after a start or a data
//! change it includes reading and rendering that council's pages), then p50/p95/p99/max of the
//! remaining samples ("warm": served from memory). Then "cold across councils": the home page
//! of N councils not visited yet, once each, with the percentiles of those first visits.
//!
//! Usage: pages --url http://127.0.0.1:PORT [--path PATH]... [--samples N] [--cold N]
//!              [--council SLUG] [--gzip]
//!
//! `{council}` in a path stands for one council's slug: `--council`, else the middle one of
//! `/api/v1/councils` (the server renders the first councils at start, so the middle one is
//! still cold). Councils for the cold sweep are spread over the whole list, skipping the
//! first 16 and the one the paths use. Requests send `Accept-Encoding: identity` unless
//! `--gzip`. Exits non-zero on any connection error or HTTP status other than 200.
//! A minimal HTTP/1.1 client (no extra dependencies): Content-Length and chunked bodies.

use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Councils the server renders before it starts listening (`Site::warm`): not cold.
const WARMED_AT_START: usize = 16;

struct Options {
    url: String,
    paths: Vec<String>,
    samples: usize,
    cold: usize,
    council: Option<String>,
    gzip: bool,
}

const USAGE: &str = "usage: pages --url http://HOST:PORT [--path PATH]... [--samples N] \
[--cold N] [--council SLUG] [--gzip]";

fn options() -> Result<Options, String> {
    let mut out = Options {
        url: String::new(),
        paths: vec![],
        samples: 200,
        cold: 40,
        council: None,
        gzip: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--gzip" {
            out.gzip = true;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => out.url = value,
            "--path" => out.paths.push(value),
            "--samples" => out.samples = value.parse().map_err(|_| "--samples: a number")?,
            "--cold" => out.cold = value.parse().map_err(|_| "--cold: a number")?,
            "--council" => out.council = Some(value),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    if out.url.is_empty() {
        return Err(USAGE.into());
    }
    if out.samples < 2 {
        return Err("--samples: at least 2 (the first is reported apart)".into());
    }
    Ok(out)
}

/// `http://host:port[/prefix]` → ("host:port", "/prefix" without the trailing slash).
fn split_url(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs"))?;
    let (authority, prefix) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    let authority = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    Ok((authority, prefix.to_string()))
}

type Error = Box<dyn std::error::Error>;

/// One keep-alive connection; reconnects (inside the timed request) if the server closed it.
struct Client {
    authority: String,
    accept_encoding: &'static str,
    conn: Option<BufReader<TcpStream>>,
    reconnects: usize,
}

struct Response {
    status: u16,
    body: Vec<u8>,
}

impl Client {
    async fn connect(&self) -> Result<BufReader<TcpStream>, Error> {
        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.authority))?;
        stream.set_nodelay(true)?;
        Ok(BufReader::with_capacity(64 * 1024, stream))
    }

    async fn get(&mut self, path: &str) -> Result<Response, Error> {
        let reused = self.conn.is_some();
        match self.try_get(path).await {
            Ok(r) => Ok(r),
            // A kept-alive connection the server had closed: once more on a new one.
            Err(_) if reused => {
                self.conn = None;
                self.reconnects += 1;
                self.try_get(path).await
            }
            Err(e) => Err(e),
        }
    }

    async fn try_get(&mut self, path: &str) -> Result<Response, Error> {
        if self.conn.is_none() {
            self.conn = Some(self.connect().await?);
        }
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: waymark-bench-pages\r\n\
             Accept: */*\r\nAccept-Encoding: {}\r\n\r\n",
            self.authority, self.accept_encoding
        );
        let conn = self.conn.as_mut().ok_or("no connection")?;
        conn.get_mut().write_all(request.as_bytes()).await?;

        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            return Err("connection closed before a response".into());
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {line:?}"))?;
        let mut length: Option<usize> = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            line.clear();
            if conn.read_line(&mut line).await? == 0 {
                return Err("connection closed inside the headers".into());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().ok(),
                "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let mut body = Vec::new();
        if status == 304 || status == 204 || (100..200).contains(&status) {
            // No body.
        } else if chunked {
            loop {
                line.clear();
                conn.read_line(&mut line).await?;
                let size_text = line.trim().split(';').next().unwrap_or("");
                let size = usize::from_str_radix(size_text, 16)
                    .map_err(|_| format!("bad chunk size {line:?}"))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    loop {
                        line.clear();
                        if conn.read_line(&mut line).await? == 0 || line.trim().is_empty() {
                            break;
                        }
                    }
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                conn.read_exact(&mut body[start..]).await?;
                let mut crlf = [0u8; 2];
                conn.read_exact(&mut crlf).await?;
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            conn.read_exact(&mut body).await?;
        } else {
            conn.read_to_end(&mut body).await?;
            close = true;
        }
        if close {
            self.conn = None;
        }
        Ok(Response { status, body })
    }

    /// GET that must answer 200; returns the body and how long it took.
    async fn timed(&mut self, path: &str) -> Result<(Duration, Vec<u8>), Error> {
        let start = Instant::now();
        let response = self.get(path).await?;
        let took = start.elapsed();
        if response.status != 200 {
            return Err(format!("GET {path}: HTTP {}", response.status).into());
        }
        Ok((took, response.body))
    }
}

/// Slugs from `/api/v1/councils` (`{"councils":[{"slug":"…",…}]}`): the values of every
/// `"slug"` key. Slugs are plain ASCII, so a scan is enough and keeps this binary free of a
/// JSON dependency.
fn slugs(json: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = json;
    while let Some(i) = rest.find("\"slug\"") {
        rest = &rest[i + 6..];
        let Some(after_colon) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let Some(value) = after_colon.trim_start().strip_prefix('"') else {
            continue;
        };
        if let Some(end) = value.find('"') {
            out.push(value[..end].to_string());
            rest = &value[end..];
        }
    }
    out
}

/// Nearest-rank percentile in milliseconds.
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("pages: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Error> {
    let opts = options()?;
    let (authority, prefix) = split_url(&opts.url)?;
    let mut client = Client {
        authority,
        accept_encoding: if opts.gzip { "gzip" } else { "identity" },
        conn: None,
        reconnects: 0,
    };

    let needs_council = opts.cold > 0 || opts.paths.iter().any(|p| p.contains("{council}"));
    let all = if needs_council {
        let (_, body) = client.timed(&format!("{prefix}/api/v1/councils")).await?;
        slugs(&String::from_utf8_lossy(&body))
    } else {
        vec![]
    };
    let council = match &opts.council {
        Some(slug) => slug.clone(),
        None => all.get(all.len() / 2).cloned().unwrap_or_default(),
    };
    if opts.paths.iter().any(|p| p.contains("{council}")) && council.is_empty() {
        return Err("no councils in /api/v1/councils for {council}".into());
    }
    let paths: Vec<String> = opts
        .paths
        .iter()
        .map(|p| p.replace("{council}", &council))
        .collect();

    println!(
        "{} councils at {}; {} samples a path (first apart), one keep-alive connection, \
         Accept-Encoding: {}",
        all.len(),
        opts.url,
        opts.samples,
        client.accept_encoding
    );
    println!();
    println!(
        "| path | bytes | first (cold) ms | warm p50 | warm p95 | warm p99 | warm max | warm n |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for path in &paths {
        let (first, body) = client.timed(&format!("{prefix}{path}")).await?;
        let mut warm = Vec::with_capacity(opts.samples - 1);
        for _ in 1..opts.samples {
            warm.push(client.timed(&format!("{prefix}{path}")).await?.0);
        }
        warm.sort();
        println!(
            "| `{path}` | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            body.len(),
            ms(first),
            percentile(&warm, 50.0),
            percentile(&warm, 95.0),
            percentile(&warm, 99.0),
            ms(*warm.last().unwrap_or(&Duration::ZERO)),
            warm.len()
        );
    }

    if opts.cold > 0 {
        // Spread over the list, skipping those rendered at start and the one used above.
        let candidates: Vec<&String> = all
            .iter()
            .skip(WARMED_AT_START)
            .filter(|s| **s != council)
            .collect();
        let n = opts.cold.min(candidates.len());
        if n == 0 {
            println!();
            println!(
                "Cold across councils: no unvisited councils beyond the first {WARMED_AT_START}."
            );
        } else {
            let step = candidates.len() as f64 / n as f64;
            let mut firsts = Vec::with_capacity(n);
            for i in 0..n {
                let slug = candidates[(i as f64 * step) as usize];
                firsts.push(client.timed(&format!("{prefix}/{slug}/")).await?.0);
            }
            firsts.sort();
            println!();
            println!("| cold across councils | n | p50 | p95 | p99 | max |");
            println!("|---|---:|---:|---:|---:|---:|");
            println!(
                "| first visit to `/{{council}}/` (ms) | {n} | {:.2} | {:.2} | {:.2} | {:.2} |",
                percentile(&firsts, 50.0),
                percentile(&firsts, 95.0),
                percentile(&firsts, 99.0),
                ms(*firsts.last().unwrap_or(&Duration::ZERO)),
            );
        }
    }
    if client.reconnects > 0 {
        println!();
        println!(
            "({} requests needed a new connection: the server closed a kept-alive one)",
            client.reconnects
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_read_from_the_council_list() {
        let json = r#"{
  "councils": [
    { "slug": "council-001", "name": "A", "url": "/council-001/" },
    {"name":"B","slug":"council-002","url":"/council-002/"}
  ]
}"#;
        assert_eq!(slugs(json), vec!["council-001", "council-002"]);
    }

    #[test]
    fn urls_split_into_authority_and_prefix() {
        assert_eq!(
            split_url("http://127.0.0.1:8080/").ok(),
            Some(("127.0.0.1:8080".into(), String::new()))
        );
        assert_eq!(
            split_url("http://localhost/site/").ok(),
            Some(("localhost:80".into(), "/site".into()))
        );
        assert!(split_url("https://x").is_err());
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 95.0), 95.0);
        assert_eq!(percentile(&d, 50.0), 50.0);
        assert_eq!(percentile(&d, 100.0), 100.0);
    }
}
