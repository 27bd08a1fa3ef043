//! Where a webhook may go. By default only `https://` URLs whose host resolves only to public
//! addresses; checked when an endpoint is saved and again at every delivery, where the HTTP client's
//! resolver ([`CheckedResolver`]) resolves once, checks, and hands the client only the addresses it
//! checked, so nothing can re-resolve (DNS rebinding) between the check and the connection.
//! `--allow-private-webhooks` lifts both rules (development, tests, single-tenant installs).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// The longest URL an endpoint may have.
pub const MAX_URL_CHARS: usize = 2048;
/// How long saving an endpoint waits for its host to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an address is not public, or None when it is.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(if ip.is_loopback() {
        "a loopback address"
    } else if ip.is_private() {
        "a private address"
    } else if a == 100 && (64..128).contains(&b) {
        "a carrier-grade NAT address"
    } else if ip.is_link_local() {
        "a link-local address (cloud metadata lives there)"
    } else if ip.is_unspecified() || a == 0 {
        "an unspecified address"
    } else if ip.is_broadcast() {
        "the broadcast address"
    } else if ip.is_multicast() {
        "a multicast address"
    } else if ip.is_documentation() {
        "a documentation address"
    } else if a == 198 && (b == 18 || b == 19) {
        "a benchmarking address"
    } else if a == 192 && b == 0 && c == 0 {
        "an IETF protocol address"
    } else if a >= 240 {
        "a reserved address"
    } else {
        return None;
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return v4_reason(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    Some(if ip.is_loopback() {
        "a loopback address"
    } else if ip.is_unspecified() {
        "an unspecified address"
    } else if ip.is_multicast() {
        "a multicast address"
    } else if segments[0] & 0xfe00 == 0xfc00 {
        "a unique local (private) address"
    } else if segments[0] & 0xffc0 == 0xfe80 || segments[0] & 0xffc0 == 0xfec0 {
        "a link-local address"
    } else if segments[0] == 0x2001 && segments[1] == 0x0db8 {
        "a documentation address"
    } else if segments[..6] == [0, 0, 0, 0, 0, 0] {
        "an IPv4-compatible address"
    } else {
        return None;
    })
}

/// The first address of `addrs` that is not public, with why.
fn first_refused(addrs: &[SocketAddr]) -> Option<(IpAddr, &'static str)> {
    addrs
        .iter()
        .find_map(|a| non_public_reason(a.ip()).map(|why| (a.ip(), why)))
}

const FLAG_HINT: &str =
    "webhooks must reach a public address (or run the server with --allow-private-webhooks)";

/// Parses and checks an endpoint URL as it is saved; the error names the field and the reason.
pub async fn check_endpoint_url(url: &str, allow_private: bool) -> Result<Url, String> {
    let parsed = check_url_form(url, allow_private)?;
    if allow_private {
        return Ok(parsed);
    }
    let host = host_of(&parsed)?;
    if let Some(ip) = ip_literal(&parsed) {
        return match non_public_reason(ip) {
            Some(why) => Err(format!("url: {ip} is {why}; {FLAG_HINT}")),
            None => Ok(parsed),
        };
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> =
        match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port))).await {
            Ok(Ok(addrs)) => addrs.collect(),
            Ok(Err(e)) => return Err(format!("url: the host {host:?} does not resolve ({e})")),
            Err(_) => return Err(format!("url: the host {host:?} did not resolve in time")),
        };
    if addrs.is_empty() {
        return Err(format!("url: the host {host:?} has no address"));
    }
    match first_refused(&addrs) {
        Some((ip, why)) => Err(format!("url: {host} resolves to {ip}, {why}; {FLAG_HINT}")),
        None => Ok(parsed),
    }
}

/// What can be checked without the network: length, scheme, host, and an IP literal's address. Run
/// before every delivery too (the client's resolver never sees an IP literal).
pub fn check_url_form(url: &str, allow_private: bool) -> Result<Url, String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("url: longer than {MAX_URL_CHARS} characters"));
    }
    let parsed = Url::parse(url).map_err(|e| format!("url: not a URL ({e})"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => {
            return Err(format!(
                "url: must be https:// ({FLAG_HINT} to allow http://)"
            ))
        }
        other => return Err(format!("url: must be https://, not {other}://")),
    }
    host_of(&parsed)?;
    if !allow_private {
        if let Some(ip) = ip_literal(&parsed) {
            if let Some(why) = non_public_reason(ip) {
                return Err(format!("url: {ip} is {why}; {FLAG_HINT}"));
            }
        }
    }
    Ok(parsed)
}

fn host_of(url: &Url) -> Result<&str, String> {
    url.host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| "url: has no host".to_owned())
}

fn ip_literal(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// The delivery client's resolver: resolves a name once, refuses it if any address is not public
/// (unless allowed), and returns exactly the addresses it checked for the client to connect to.
#[derive(Debug, Clone)]
pub struct CheckedResolver {
    pub allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            // Port 0: the client puts the URL's port on each address.
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private {
                if let Some((ip, why)) = first_refused(&addrs) {
                    return Err(format!("{host} resolves to {ip}, {why}; not delivered").into());
                }
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> Option<&'static str> {
        non_public_reason(text.parse().expect("an address"))
    }

    #[test]
    fn loopback_private_link_local_and_reserved_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.1.2.3",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(reason(ip).is_some(), "{ip} should be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert_eq!(reason(ip), None, "{ip} should pass");
        }
    }

    #[test]
    fn the_form_of_a_url_is_checked_before_any_lookup() {
        let refused = |url: &str| check_url_form(url, false).err().unwrap_or_default();
        assert!(refused("http://hooks.example/").contains("https://"));
        assert!(refused("ftp://hooks.example/").contains("https://"));
        assert!(refused("https://127.0.0.1/").contains("loopback"));
        assert!(refused("https://[::1]/").contains("loopback"));
        assert!(refused("https://169.254.169.254/latest").contains("link-local"));
        assert!(refused("not a url").contains("not a URL"));
        let long = format!("https://hooks.example/{}", "a".repeat(MAX_URL_CHARS));
        assert!(refused(&long).contains("longer"));
        assert!(check_url_form("https://hooks.example/tally", false).is_ok());
        assert!(check_url_form("http://127.0.0.1:9/", true).is_ok());
    }
}
