//! Which IP addresses a request made for a caller must never reach.
//!
//! A pure function, so it is tested exhaustively without any network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Forbidden {
    /// 0.0.0.0/8, `::`.
    Unspecified,
    /// 127.0.0.0/8, `::1`.
    Loopback,
    /// RFC 1918 and IPv6 unique-local.
    Private,
    /// 169.254.0.0/16 (cloud metadata lives here) and fe80::/10.
    LinkLocal,
    /// 100.64.0.0/10, carrier-grade NAT.
    SharedAddressSpace,
    /// Multicast and broadcast.
    Multicast,
    /// Documentation, benchmarking, protocol-assignment and reserved ranges.
    Reserved,
}

impl Forbidden {
    /// A phrase for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Forbidden::Unspecified => "an unspecified address",
            Forbidden::Loopback => "a loopback address",
            Forbidden::Private => "a private address",
            Forbidden::LinkLocal => "a link-local address (where cloud metadata services live)",
            Forbidden::SharedAddressSpace => "a carrier-grade NAT address",
            Forbidden::Multicast => "a multicast or broadcast address",
            Forbidden::Reserved => "a reserved address",
        }
    }
}

/// `Some(reason)` when the address must not be fetched from.
pub fn classify(ip: IpAddr) -> Option<Forbidden> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Forbidden> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => Forbidden::Unspecified,
        (127, _, _) => Forbidden::Loopback,
        (10, _, _) => Forbidden::Private,
        (172, 16..=31, _) => Forbidden::Private,
        (192, 168, _) => Forbidden::Private,
        (169, 254, _) => Forbidden::LinkLocal,
        (100, 64..=127, _) => Forbidden::SharedAddressSpace,
        (224..=239, _, _) => Forbidden::Multicast,
        (240..=255, _, _) if ip == Ipv4Addr::BROADCAST => Forbidden::Multicast,
        (240..=255, _, _) => Forbidden::Reserved,
        (192, 0, 0) | (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Forbidden::Reserved,
        (198, 18..=19, _) => Forbidden::Reserved,
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<Forbidden> {
    if ip.is_unspecified() {
        return Some(Forbidden::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Forbidden::Loopback);
    }
    // Forms that embed an IPv4 address are judged by that address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let segments = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    match segments {
        // IPv4-compatible (deprecated) ::a.b.c.d
        [0, 0, 0, 0, 0, 0, hi, lo] => {
            return classify_v4(embedded(hi, lo)).or(Some(Forbidden::Reserved));
        }
        // NAT64 64:ff9b::/96
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return classify_v4(embedded(hi, lo)),
        // 6to4 2002::/16 carries the IPv4 address in bits 16..48
        [0x2002, hi, lo, ..] => return classify_v4(embedded(hi, lo)),
        _ => {}
    }
    let first = segments[0];
    Some(match first {
        0xfc00..=0xfdff => Forbidden::Private,
        0xfe80..=0xfebf => Forbidden::LinkLocal,
        0xfec0..=0xfeff => Forbidden::Private, // deprecated site-local
        0xff00..=0xffff => Forbidden::Multicast,
        // Teredo 2001:0::/32 tunnels to arbitrary IPv4 hosts.
        0x2001 if segments[1] == 0 => Forbidden::Reserved,
        0x2001 if segments[1] == 0x0db8 => Forbidden::Reserved,
        0x0100 if segments[1..4] == [0, 0, 0] => Forbidden::Reserved, // discard-only
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forbidden(ip: &str) -> bool {
        classify(ip.parse().expect("test addresses parse")).is_some()
    }

    #[test]
    fn refuses_internal_ipv4() {
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "192.0.0.8",
        ] {
            assert!(forbidden(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn allows_public_ipv4() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.0.1",
            "93.184.216.34",
        ] {
            assert!(!forbidden(ip), "{ip} is public");
        }
    }

    #[test]
    fn refuses_internal_ipv6_and_embedded_ipv4() {
        for ip in [
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "2002:7f00:1::1",
            "2001::1",
            "2001:db8::1",
        ] {
            assert!(forbidden(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn allows_public_ipv6() {
        for ip in [
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(!forbidden(ip), "{ip} is public");
        }
    }
}
