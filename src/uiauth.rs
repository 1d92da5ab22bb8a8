//! The Spark UI's lock: only the server's owner may read it.
//!
//! Every local user shares loopback, so the UI port of a user's server is open to all of them
//! (queries, plans, data samples, a kill button). The gRPC port has the Connect token; the UI gets
//! Spark's own servlet filter `org.apache.spark.ui.JWSFilter` (spark-core 4.0+), which answers
//! 403 to any request without `Authorization: Bearer <JWS>` signed (HS256) with a key of ours.
//!
//! The key is made per server here (random, like the token), recorded in the 0600 state file and
//! handed to Spark through the 0600 properties file, never on a command line. Spark's default
//! `spark.redaction.regex` matches "secret", so the Environment page and the log show the key's
//! conf as redacted.
//!
//! Each request carries a fresh JWS that expires after `LIFETIME`: the JWS never reaches a
//! browser (our proxies add it upstream), but a header that ends up in some log is worth little
//! after a few minutes, and signing costs microseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::errors::Result;
use crate::fsutil;

/// A Spark conf (`conf::Conf`, named here by its type: conf.rs uses this module).
type Conf = std::collections::BTreeMap<String, String>;

pub const FILTER: &str = "org.apache.spark.ui.JWSFilter";
pub const KEY_FILTERS: &str = "spark.ui.filters";
/// The filter's key (base64url, at least 256 bits: jjwt refuses weaker HS256 keys).
pub const KEY_SECRET: &str = "spark.org.apache.spark.ui.JWSFilter.param.secretKey";
/// Spark 4.1+ then refuses a JWS without `exp` (older ones ignore the parameter).
const KEY_REQUIRE_EXPIRATION: &str = "spark.org.apache.spark.ui.JWSFilter.param.requireExpiration";
/// How long one signed request header stays valid.
pub const LIFETIME: Duration = Duration::from_secs(300);

/// `{"alg":"HS256","typ":"JWT"}`, base64url-encoded.
const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// A fresh key: 32 random bytes (256 bits), base64url without padding.
pub fn new_key() -> Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(fsutil::random_bytes("the Spark UI key")?))
}

/// The user's `spark.ui.filters` with ours in front (a comma list; ours first, so nothing of
/// the user's sees an unauthenticated request).
fn filters(user: Option<&str>) -> String {
    let theirs = user
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != FILTER);
    std::iter::once(FILTER)
        .chain(theirs)
        .collect::<Vec<_>>()
        .join(",")
}

/// Locks the UI of the server that runs with `effective`: our filter and its key.
pub fn lock(effective: &mut Conf, key: &str) {
    let merged = filters(effective.get(KEY_FILTERS).map(String::as_str));
    effective.insert(KEY_FILTERS.to_owned(), merged);
    effective.insert(KEY_SECRET.to_owned(), key.to_owned());
    effective.insert(KEY_REQUIRE_EXPIRATION.to_owned(), "true".to_owned());
}

/// The `Authorization` header value for one request to a UI locked with `key`: `Bearer
/// <JWS>`, valid for `LIFETIME` from `now` (Unix seconds). None when `key` is not base64url.
pub fn bearer_at(key: &str, now: u64) -> Option<String> {
    let secret = URL_SAFE_NO_PAD.decode(key.trim_end_matches('=')).ok()?;
    let claims = format!(r#"{{"iat":{now},"exp":{}}}"#, now + LIFETIME.as_secs());
    let signing_input = format!("{HEADER}.{}", URL_SAFE_NO_PAD.encode(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret).ok()?;
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Some(format!("Bearer {signing_input}.{signature}"))
}

/// `bearer_at` now.
pub fn bearer(key: &str) -> Option<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    bearer_at(key, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_256_random_bits() {
        let (a, b) = (new_key().unwrap(), new_key().unwrap());
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
    }

    #[test]
    fn ours_goes_first_and_the_users_filters_stay() {
        assert_eq!(filters(None), FILTER);
        assert_eq!(filters(Some("a.B, c.D")), format!("{FILTER},a.B,c.D"));
        assert_eq!(
            filters(Some(&format!("a.B,{FILTER}"))),
            format!("{FILTER},a.B")
        );
        let mut conf = Conf::from([(KEY_FILTERS.into(), "x.Y".into())]);
        lock(&mut conf, "k");
        assert_eq!(conf[KEY_FILTERS], format!("{FILTER},x.Y"));
        assert_eq!(conf[KEY_SECRET], "k");
    }

    #[test]
    fn the_jws_is_hs256_over_header_and_claims() {
        // Checked against a signature computed independently (Python's hmac module) for the
        // key 0, 1, ..., 31 and the claims {"iat":1000,"exp":1300}.
        let key = URL_SAFE_NO_PAD.encode((0u8..32).collect::<Vec<_>>());
        let header = bearer_at(&key, 1000).unwrap();
        let jws = header.strip_prefix("Bearer ").unwrap();
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], HEADER);
        assert_eq!(
            URL_SAFE_NO_PAD.decode(parts[1]).unwrap(),
            br#"{"iat":1000,"exp":1300}"#
        );
        assert_eq!(parts[2], EXPECTED_SIGNATURE);
        assert!(bearer_at("not base64!", 1000).is_none());
    }

    const EXPECTED_SIGNATURE: &str = "PywrSNizdRU044VROy-36njTtNxCVEG5rwAsnMbZkuw";
}
