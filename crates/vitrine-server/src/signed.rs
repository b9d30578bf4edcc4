//! Short-lived signed artifact URLs, for clients that cannot send a Bearer
//! header: `<img>`, `<video>` and the splat loader of the web playground.
//!
//! A URL names the tenant, session, artifact and expiry; the signature is
//! HMAC-SHA256 over exactly those, under a key minted when the process starts.
//! The API key never appears in a URL. A restart invalidates outstanding URLs,
//! which is fine for links that live minutes; the page simply asks again.

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Shortest and longest lifetime a caller may ask for, in seconds.
pub(crate) const TTL_RANGE: (u64, u64) = (30, 3600);
/// Lifetime when the caller names none.
pub(crate) const DEFAULT_TTL: u64 = 900;

fn key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| vitrine_wire::random_hex(32).into_bytes())
}

fn mac(tenant: &str, session: &str, object: &str, expires: u64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key()).expect("HMAC takes keys of any length");
    // Newline-separated: none of the four may contain one (tenant names are
    // checked when keys load, ids are hex), so no two tuples sign alike.
    mac.update(format!("artifact-url/1\n{tenant}\n{session}\n{object}\n{expires}").as_bytes());
    mac
}

/// Hex signature of one artifact URL.
pub(crate) fn sign(tenant: &str, session: &str, object: &str, expires: u64) -> String {
    let bytes = mac(tenant, session, object, expires)
        .finalize()
        .into_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a signed URL is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refused {
    #[error("the artifact URL's signature is not valid; ask for a new one")]
    BadSignature,
    #[error("the artifact URL has expired; ask for a new one")]
    Expired,
}

/// Accepts the URL when `signature` is this server's signature of the tuple
/// (compared in constant time) and `expires` has not passed at `now`.
pub(crate) fn check(
    tenant: &str,
    session: &str,
    object: &str,
    expires: u64,
    signature: &str,
    now: u64,
) -> Result<(), Refused> {
    let bytes = decode_hex(signature).ok_or(Refused::BadSignature)?;
    mac(tenant, session, object, expires)
        .verify_slice(&bytes)
        .map_err(|_| Refused::BadSignature)?;
    if expires < now {
        return Err(Refused::Expired);
    }
    Ok(())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The path (no origin: the page loads it from the server it came from) of a signed URL.
pub(crate) fn path(tenant: &str, session: &str, object: &str, expires: u64) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("tenant", tenant)
        .append_pair("expires", &expires.to_string())
        .append_pair("signature", &sign(tenant, session, object, expires))
        .finish();
    format!("/v1/artifacts/signed/{session}/{object}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_binds_every_field_and_lapses() {
        let good = sign("acme", "sess_1", "img_2", 100);
        assert_eq!(check("acme", "sess_1", "img_2", 100, &good, 100), Ok(()));
        assert_eq!(
            check("acme", "sess_1", "img_2", 100, &good, 101),
            Err(Refused::Expired)
        );
        for (tenant, session, object, expires) in [
            ("globex", "sess_1", "img_2", 100),
            ("acme", "sess_9", "img_2", 100),
            ("acme", "sess_1", "img_3", 100),
            ("acme", "sess_1", "img_2", 101),
        ] {
            assert_eq!(
                check(tenant, session, object, expires, &good, 0),
                Err(Refused::BadSignature)
            );
        }
        for bad in [&good[..62], "zz", ""] {
            assert_eq!(
                check("acme", "sess_1", "img_2", 100, bad, 0),
                Err(Refused::BadSignature)
            );
        }
    }
}
