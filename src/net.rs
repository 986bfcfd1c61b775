//! Who is asking: the client's address, behind trusted reverse proxies.
//!
//! Throttling and the unpaid-order limit count per client address. Behind a reverse proxy every
//! connection comes from the proxy (127.0.0.1), so counting the peer would put every visitor in
//! one bucket. `X-Forwarded-For` and `Forwarded` name the real client, but anyone can send them:
//! they are believed only when the peer is one of `TURGUS_TRUSTED_PROXIES`, and then read from the
//! right, skipping further trusted hops, so a client cannot prepend an address of its choosing.

use std::net::{IpAddr, SocketAddr};

/// An address block such as `10.0.0.0/8`, `::1` or `192.168.1.7/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.trim().parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Cidr { network, prefix })
    }

    /// A comma- or space-separated list; empty means none.
    pub fn parse_list(text: &str) -> Result<Vec<Cidr>, String> {
        text.split([',', ' '])
            .filter(|part| !part.trim().is_empty())
            .map(|part| {
                Cidr::parse(part).ok_or_else(|| {
                    format!(
                        "`{}` is not an address or block like 10.0.0.0/8",
                        part.trim()
                    )
                })
            })
            .collect()
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => prefix_matches(
                u128::from(u32::from(net)) << 96,
                u128::from(u32::from(a)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                prefix_matches(u128::from(net), u128::from(a), self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_matches(network: u128, address: u128, prefix: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    network & mask == address & mask
}

/// IPv4 clients seen through an IPv6 socket (`::ffff:1.2.3.4`) count as their IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the nearest untrusted
/// hop its forwarding headers name.
pub fn client_ip(peer: SocketAddr, headers: &axum::http::HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let peer = canonical(peer.ip());
    let is_trusted = |ip: IpAddr| trusted.iter().any(|cidr| cidr.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops = forwarded_hops(headers);
    hops.iter()
        .rev()
        .map(|ip| canonical(*ip))
        .find(|ip| !is_trusted(*ip))
        .or_else(|| hops.first().copied().map(canonical))
        .unwrap_or(peer)
}

/// The addresses in `Forwarded: for=…` (RFC 7239) or else `X-Forwarded-For`, client first. An
/// unreadable entry ends the list there: what came before it cannot be trusted either.
fn forwarded_hops(headers: &axum::http::HeaderMap) -> Vec<IpAddr> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|part| part.trim().to_owned())
            .collect()
    };
    let forwarded: Vec<String> = values("forwarded")
        .iter()
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for")
                    .then(|| value.trim_matches('"').to_owned())
            })
        })
        .collect();
    let entries = if forwarded.is_empty() {
        values("x-forwarded-for")
    } else {
        forwarded
    };
    let parsed: Vec<Option<IpAddr>> = entries.iter().map(|e| parse_hop(e)).collect();
    let readable_tail = parsed
        .iter()
        .rposition(Option::is_none)
        .map_or(0, |bad| bad + 1);
    parsed[readable_tail..].iter().flatten().copied().collect()
}

/// `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443` or `2001:db8::1`.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40000)
    }

    #[test]
    fn blocks_contain_their_addresses() {
        let block = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(block.contains("10.200.3.4".parse().unwrap()));
        assert!(!block.contains("11.0.0.1".parse().unwrap()));
        assert!(block.contains("::ffff:10.1.1.1".parse().unwrap()));
        let one = Cidr::parse("::1").unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "localhost", "1.2.3", "::1/129", ""] {
            assert!(Cidr::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_ip(peer("198.51.100.1"), &spoofed, &[]).to_string(),
            "198.51.100.1",
            "nobody trusted: the header is ignored"
        );
        let trusted = Cidr::parse_list("127.0.0.1").unwrap();
        assert_eq!(
            client_ip(peer("127.0.0.1"), &spoofed, &trusted).to_string(),
            "203.0.113.9"
        );
        // A client prepending its own choice does not get it believed: the proxy appended the real one.
        let prepended = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9")]);
        assert_eq!(
            client_ip(peer("127.0.0.1"), &prepended, &trusted).to_string(),
            "203.0.113.9"
        );
        let rfc = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")]);
        assert_eq!(
            client_ip(peer("127.0.0.1"), &rfc, &trusted).to_string(),
            "2001:db8::7"
        );
        let garbage = headers(&[("x-forwarded-for", "not-an-ip")]);
        assert_eq!(
            client_ip(peer("127.0.0.1"), &garbage, &trusted).to_string(),
            "127.0.0.1"
        );
    }
}
