//! What several relay instances behind one load balancer must agree on, and who the client
//! is behind it (issue 19): the SHL file-ticket key from configuration, the client address
//! from `X-Forwarded-For` only when the request comes from a trusted proxy, and a name per
//! instance in every response (`x-phr-instance`) so an operator can see which one answered.

use axum::http::HeaderMap;
use phr_secret::Secret;
use std::net::IpAddr;

/// The ticket key's shortest accepted length, in bytes of the configured text.
pub const MIN_TICKET_KEY: usize = 32;

/// The HMAC key that signs file tickets (`/shl/{id}/file/{n}?t=...`): from the configured
/// secret text when there is one (every instance given the same text accepts every other's
/// tickets), else random for this process.
pub fn ticket_key(configured: Option<&Secret<String>>) -> Result<ring::hmac::Key, String> {
    match configured {
        Some(text) => {
            let t = text.expose_secret().trim();
            if t.len() < MIN_TICKET_KEY {
                return Err(format!(
                    "the ticket key must be at least {MIN_TICKET_KEY} characters (e.g. `openssl rand -hex 32`)"
                ));
            }
            Ok(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, t.as_bytes()))
        }
        None => {
            let mut k = [0u8; 32];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut k)
                .map_err(|_| "the system random generator failed".to_string())?;
            Ok(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &k))
        }
    }
}

/// A short public fingerprint of the ticket key, logged at start: instances that print
/// different ones will refuse each other's file locations.
pub fn fingerprint(key: &ring::hmac::Key) -> String {
    let tag = ring::hmac::sign(key, b"phr-relay ticket key fingerprint");
    data_encoding::HEXLOWER.encode(&tag.as_ref()[..6])
}

/// The address the passcode back-off counts against: the TCP peer, or, when the peer is a
/// trusted proxy, the nearest address in `X-Forwarded-For` that is not itself a trusted
/// proxy (the rightmost ones were added by our own proxies; anything left of the first
/// untrusted hop could be forged by the client).
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return Some(ip),
            // A malformed hop: stop at the last address we can vouch for.
            Err(_) => break,
        }
    }
    Some(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(v: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for x in v {
            h.append("x-forwarded-for", x.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        // No trusted proxy configured (the default): the header is ignored.
        assert_eq!(client_ip(Some(proxy), &xff(&["203.0.113.7"]), &[]), Some(proxy));
        // From the trusted proxy: the client it saw.
        assert_eq!(client_ip(Some(proxy), &xff(&["203.0.113.7"]), &[proxy]), Some(client));
        // A client forging an address on the left does not get it: the proxy appended the real one.
        assert_eq!(client_ip(Some(proxy), &xff(&["1.2.3.4, 203.0.113.7"]), &[proxy]), Some(client));
        // A direct client (not the proxy) cannot claim anything.
        assert_eq!(client_ip(Some(client), &xff(&["1.2.3.4"]), &[proxy]), Some(client));
        // Two trusted hops are skipped; garbage stops the walk at the proxy.
        let inner: IpAddr = "10.0.0.6".parse().unwrap();
        assert_eq!(client_ip(Some(proxy), &xff(&["203.0.113.7", "10.0.0.6"]), &[proxy, inner]), Some(client));
        assert_eq!(client_ip(Some(proxy), &xff(&["nonsense"]), &[proxy]), Some(proxy));
        assert_eq!(client_ip(Some(proxy), &HeaderMap::new(), &[proxy]), Some(proxy));
    }

    #[test]
    fn a_configured_ticket_key_is_the_same_everywhere_and_must_be_long() {
        let text = Secret::new("0123456789abcdef0123456789abcdef".to_string());
        let (a, b) = (ticket_key(Some(&text)).unwrap(), ticket_key(Some(&text)).unwrap());
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let r1 = ticket_key(None).unwrap();
        assert_ne!(fingerprint(&r1), fingerprint(&a));
        assert!(ticket_key(Some(&Secret::new("short".to_string()))).is_err());
    }
}
