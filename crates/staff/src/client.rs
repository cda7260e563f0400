//! Who is asking: the client address that per-client limits count. It is the connection's peer
//! address, unless that peer is one of the council's own reverse proxies (named in the
//! configuration), in which case it is the address the proxies say they were asked by. A
//! header from anyone else is ignored, so a client cannot choose its own address.

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The reverse proxies whose forwarding header is believed.
#[derive(Debug, Clone)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
    header: HeaderName,
}

impl Default for TrustedProxies {
    fn default() -> Self {
        TrustedProxies {
            nets: vec![],
            header: HeaderName::from_static("x-forwarded-for"),
        }
    }
}

impl TrustedProxies {
    /// Proxies by address or network ("10.0.0.5", "10.0.0.0/24", "::1"), and the header they
    /// set (a comma-separated list of addresses, newest last, like `X-Forwarded-For`).
    pub fn new(proxies: &[String], header: &str) -> Result<TrustedProxies, String> {
        let header = HeaderName::from_str(header.trim())
            .map_err(|_| format!("'{header}' is not a header name"))?;
        let nets = proxies
            .iter()
            .map(|p| parse_net(p).ok_or_else(|| format!("'{p}' is not an IP address or network")))
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies { nets, header })
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a request from `peer` with these headers. Through trusted
    /// proxies it is the newest address in the header that is not itself a trusted proxy,
    /// read from the right (newest) and never further: what lies to its left the client wrote
    /// itself. An entry that cannot be read stops the walk at the last trusted hop, so the
    /// answer is always an address, never the header's text. IPv4 addresses seen through an
    /// IPv6 socket (`::ffff:10.0.0.5`) are compared and counted as IPv4.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> String {
        let Some(peer) = peer.map(|p| p.to_canonical()) else {
            return "unknown".into();
        };
        if !self.trusted(peer) {
            return peer.to_string();
        }
        let mut last_trusted = peer;
        let values: Vec<&axum::http::HeaderValue> = headers.get_all(&self.header).iter().collect();
        for value in values.into_iter().rev() {
            let Ok(text) = value.to_str() else {
                return last_trusted.to_string();
            };
            for part in text.rsplit(',') {
                match parse_ip(part).map(|ip| ip.to_canonical()) {
                    Some(ip) if self.trusted(ip) => last_trusted = ip,
                    Some(ip) => return ip.to_string(),
                    None => return last_trusted.to_string(),
                }
            }
        }
        last_trusted.to_string()
    }

    /// The client's address for a request.
    pub fn of(&self, request: &axum::extract::Request) -> String {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        self.client(peer, request.headers())
    }
}

fn parse_net(text: &str) -> Option<IpNet> {
    let text = text.trim();
    IpNet::from_str(text)
        .ok()
        .or_else(|| IpAddr::from_str(text).ok().map(IpNet::from))
}

/// One address as proxies write it: bare, or IPv6 in brackets, perhaps with a port.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = IpAddr::from_str(text) {
        return Some(ip);
    }
    if let Ok(addr) = SocketAddr::from_str(text) {
        return Some(addr.ip());
    }
    text.strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .and_then(|t| IpAddr::from_str(t).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use proptest::prelude::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            if let Ok(v) = HeaderValue::from_str(v) {
                h.append("x-forwarded-for", v);
            }
        }
        h
    }

    fn ip(text: &str) -> Option<IpAddr> {
        IpAddr::from_str(text).ok()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), &headers(&["198.51.100.1"])),
            "203.0.113.9"
        );
        let proxies = TrustedProxies::new(&["10.0.0.0/8".into(), "::1".into()], "X-Forwarded-For")
            .expect("valid");
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &headers(&["198.51.100.1"])),
            "198.51.100.1"
        );
        // The newest address not a proxy of ours: what the client put first is not believed.
        assert_eq!(
            proxies.client(
                ip("10.1.2.3"),
                &headers(&["1.1.1.1, 198.51.100.1", "10.0.0.7"])
            ),
            "198.51.100.1"
        );
        assert_eq!(
            proxies.client(ip("::1"), &headers(&["[2001:db8::1]:443"])),
            "2001:db8::1"
        );
        // Rubbish in the header leaves the proxy's address, never the text.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &headers(&["<script>"])),
            "10.1.2.3"
        );
        assert_eq!(proxies.client(ip("10.1.2.3"), &headers(&[])), "10.1.2.3");
        // Rubbish the client wrote to the left of the real address changes nothing.
        assert_eq!(
            proxies.client(ip("10.1.2.3"), &headers(&["<script>, 198.51.100.1"])),
            "198.51.100.1"
        );
        // An IPv4 proxy seen through an IPv6 socket is still the proxy.
        let dual = TrustedProxies::new(&["10.0.0.0/24".into()], "X-Forwarded-For").expect("valid");
        assert_eq!(
            dual.client(ip("::ffff:10.0.0.5"), &headers(&["198.51.100.1"])),
            "198.51.100.1"
        );
        assert_eq!(
            dual.client(ip("::ffff:203.0.113.9"), &headers(&[])),
            "203.0.113.9"
        );
        assert_eq!(proxies.client(None, &headers(&[])), "unknown");
        assert!(TrustedProxies::new(&["not-an-ip".into()], "x-forwarded-for").is_err());
        assert!(TrustedProxies::new(&[], "bad header").is_err());
    }

    proptest! {
        /// Whatever a header says, the answer is an IP address (or the peer's), never more.
        #[test]
        fn the_client_is_always_an_address(text in ".{0,200}") {
            let proxies = TrustedProxies::new(&["127.0.0.1".into()], "x-forwarded-for")
                .expect("valid");
            let got = proxies.client(ip("127.0.0.1"), &headers(&[&text]));
            prop_assert!(IpAddr::from_str(&got).is_ok(), "{got}");
        }
    }
}
