//! Who the client is: the socket's peer, or, when that peer is one of `--trusted-proxies`, the address
//! the proxies forwarded (`Forwarded: for=…`, RFC 7239, else `X-Forwarded-For`): the rightmost hop that
//! is not itself a trusted proxy. A forwarding header from any other peer is ignored, so a shopper cannot
//! pick their own rate-limit bucket by sending one.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// `--trusted-proxies` as written: `10.0.0.0/8,127.0.0.1/32,::1/128`; a bare address means itself.
pub fn parse_trusted_proxies(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{part:?}: expected a CIDR such as 10.0.0.0/8 or an address"))
        })
        .collect()
}

/// The client's address as the rate limit keys it.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    // Oldest hop first, as each proxy appends the address it received the request from.
    let hops = if headers.contains_key("forwarded") {
        forwarded_for(headers)
    } else {
        x_forwarded_for(headers)
    };
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        match hop {
            // An obfuscated or unknown hop: the last address we can vouch for is the best key left.
            None => return nearest,
            Some(ip) if is_trusted(ip) => nearest = *ip,
            Some(ip) => return *ip,
        }
    }
    nearest
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack socket reports) compares as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The `for=` of every element of every `Forwarded` header, in order.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("").split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("").split(','))
        .map(|hop| parse_node(hop.trim()))
        .collect()
}

/// A node as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`, `2001:db8::1`;
/// None for `unknown`, `_hidden` and anything else.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    let (host, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().expect("a header value"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = parse_trusted_proxies("10.0.0.0/8").expect("valid");
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=5.6.7.8")]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), &spoofed, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_rightmost_hop_that_is_not_a_trusted_proxy_is_the_client() {
        let trusted = parse_trusted_proxies("10.0.0.0/8, 127.0.0.1").expect("valid");
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.2.3")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &chain, &trusted),
            ip("198.51.100.7")
        );
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.9, 10.1.2.3")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &all_trusted, &trusted),
            ip("10.0.0.9")
        );
        let hidden = headers(&[("x-forwarded-for", "198.51.100.7, unknown, 10.1.2.3")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &hidden, &trusted),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn forwarded_is_read_in_each_of_its_forms_and_preferred() {
        let trusted = parse_trusted_proxies("127.0.0.1/32").expect("valid");
        let value = r#"for=192.0.2.60;proto=http, For="[2001:db8:cafe::17]:4711", for=127.0.0.1"#;
        let both = headers(&[("forwarded", value), ("x-forwarded-for", "6.6.6.6")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &both, &trusted),
            ip("2001:db8:cafe::17")
        );
        let port = headers(&[("forwarded", "for=\"192.0.2.60:8080\"")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &port, &trusted),
            ip("192.0.2.60")
        );
    }

    #[test]
    fn mapped_ipv4_peers_match_ipv4_networks_and_nonsense_is_refused() {
        let trusted = parse_trusted_proxies("127.0.0.0/8").expect("valid");
        let forwarded = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &forwarded, &trusted),
            ip("198.51.100.7")
        );
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxies("proxy.example").is_err());
        assert_eq!(parse_trusted_proxies("").expect("empty is none"), vec![]);
    }
}
