//! The client's address behind reverse proxies, without trusting what a client can forge.
//!
//! Forwarding headers are read only when the socket peer is a trusted proxy, and then from
//! the right: each hop a trusted proxy appended is believed, and the first address that is
//! not itself a trusted proxy is the client. (actix-web's `realip_remote_addr` takes the
//! leftmost entry, which the client writes: never use it for security.)

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// The client address for a request from `peer` with these headers.
pub fn resolve(
    peer: IpAddr,
    forwarded: Option<&str>,
    x_forwarded_for: Option<&str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // RFC 7239 `Forwarded` is preferred when present; nginx sends `X-Forwarded-For`.
    let hops: Vec<&str> = match (forwarded, x_forwarded_for) {
        (Some(header), _) => forwarded_for_values(header),
        (None, Some(header)) => header.split(',').map(str::trim).collect(),
        (None, None) => return peer,
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        match parse_hop(hop) {
            Some(ip) => client = ip,
            // "unknown" or an obfuscated name: nothing left of it can be believed.
            None => break,
        }
    }
    client
}

/// Parses `ROSTER_TRUSTED_PROXIES`: comma-separated CIDRs or single addresses.
pub fn parse_trusted(value: &str) -> Result<Vec<IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{item}` is not a CIDR (10.0.0.0/8) or an address"))
        })
        .collect()
}

/// The `for=` values of a `Forwarded` header, in order.
fn forwarded_for_values(header: &str) -> Vec<&str> {
    header
        .split(',')
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("for")
                .then(|| value.trim().trim_matches('"'))
        })
        .collect()
}

/// An address, possibly with a port or in brackets: `1.2.3.4`, `1.2.3.4:80`, `[::1]:80`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let peer = ip("203.0.113.9");
        assert_eq!(resolve(peer, None, Some("1.1.1.1"), &[]), peer);
        let trusted = parse_trusted("10.0.0.0/8").unwrap();
        assert_eq!(
            resolve(peer, Some("for=1.1.1.1"), Some("1.1.1.1"), &trusted),
            peer
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted = parse_trusted("127.0.0.1, 10.0.0.0/8").unwrap();
        let peer = ip("127.0.0.1");
        // The client forged the first entry; nginx appended the real address.
        let xff = "6.6.6.6, 198.51.100.7, 10.1.2.3";
        assert_eq!(resolve(peer, None, Some(xff), &trusted), ip("198.51.100.7"));
        assert_eq!(resolve(peer, None, None, &trusted), peer);
        // Every hop trusted: the leftmost.
        assert_eq!(
            resolve(peer, None, Some("10.0.0.1, 10.0.0.2"), &trusted),
            ip("10.0.0.1")
        );
        // Garbage stops the walk at the last believable hop.
        assert_eq!(
            resolve(peer, None, Some("1.1.1.1, unknown"), &trusted),
            peer
        );
    }

    #[test]
    fn the_forwarded_header_with_ports_and_brackets() {
        let trusted = parse_trusted("::1").unwrap();
        let forwarded = r#"for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711""#;
        let got = resolve(ip("::1"), Some(forwarded), Some("9.9.9.9"), &trusted);
        assert_eq!(got, ip("2001:db8:cafe::17"));
        assert_eq!(parse_hop("192.0.2.1:8080"), Some(ip("192.0.2.1")));
    }

    #[test]
    fn trusted_lists_refuse_nonsense() {
        assert_eq!(parse_trusted("").unwrap(), vec![]);
        assert!(parse_trusted("10.0.0.0/8, nonsense").is_err());
        assert!(parse_trusted("300.1.1.1").is_err());
    }
}
