//! Request signatures (PROTOCOL.md section 2).
//!
//! The canonical string `S` is every text parameter except `sign`, sorted by name in byte order,
//! as `name` + `value` with no separators, followed by the raw body for raw-body requests.
//! File parameters are never signed. Then `md5`: `MD5(secret + S + secret)`; `hmac`:
//! `HMAC-MD5(secret, S)`; `hmac-sha256`: `HMAC-SHA256(secret, S)`; upper-case hex.
//!
//! SDKs disagree on parameters with empty values (Java drops them, Python and PHP keep them):
//! [`verify`] accepts a signature that matches either way. The digest is fed straight from the
//! parameters, so checking a good signature allocates nothing; the string-to-sign is built only
//! when someone asks for it ([`string_to_sign`]), e.g. to explain a failure.

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::params::Params;

/// The `sign_method` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignMethod {
    #[default]
    Md5,
    Hmac,
    HmacSha256,
}

impl SignMethod {
    /// Reads `sign_method`; absent means `md5`. Values are matched case-insensitively.
    pub fn parse(value: Option<&str>) -> Option<SignMethod> {
        match value {
            None => Some(SignMethod::Md5),
            Some(v) if v.eq_ignore_ascii_case("md5") => Some(SignMethod::Md5),
            Some(v) if v.eq_ignore_ascii_case("hmac") => Some(SignMethod::Hmac),
            Some(v) if v.eq_ignore_ascii_case("hmac-sha256") => Some(SignMethod::HmacSha256),
            Some(_) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Hmac => "hmac",
            SignMethod::HmacSha256 => "hmac-sha256",
        }
    }
}

/// Whether parameters with empty values take part in the canonical string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyValues {
    /// Python and PHP SDKs: `name` is appended with its empty value.
    Keep,
    /// Java SDK: the parameter is left out.
    Drop,
}

/// The canonical string, as bytes (the raw body need not be UTF-8).
pub fn string_to_sign(params: &Params, empty: EmptyValues, raw_body: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    feed(params, empty, raw_body, &mut |chunk| {
        out.extend_from_slice(chunk)
    });
    out
}

/// The signature of `params` as an SDK computes it: upper-case hex. Empty values are kept.
pub fn sign(method: SignMethod, secret: &str, params: &Params, raw_body: Option<&[u8]>) -> String {
    hex::encode_upper(digest(method, secret, params, EmptyValues::Keep, raw_body))
}

/// Checks `given` (upper or lower-case hex) against both empty-value conventions, in constant
/// time per comparison.
pub fn verify(
    method: SignMethod,
    secret: &str,
    params: &Params,
    raw_body: Option<&[u8]>,
    given: &str,
) -> bool {
    let mut given_bytes = [0u8; 32];
    let len = given.len() / 2;
    if !given.len().is_multiple_of(2)
        || len != method.digest_len()
        || hex::decode_to_slice(given, &mut given_bytes[..len]).is_err()
    {
        return false;
    }
    let given_bytes = &given_bytes[..len];
    let keep = digest(method, secret, params, EmptyValues::Keep, raw_body);
    if bool::from(keep.as_slice().ct_eq(given_bytes)) {
        return true;
    }
    if params.text().iter().any(|(_, v)| v.is_empty()) {
        let drop = digest(method, secret, params, EmptyValues::Drop, raw_body);
        return bool::from(drop.as_slice().ct_eq(given_bytes));
    }
    false
}

impl SignMethod {
    fn digest_len(self) -> usize {
        match self {
            SignMethod::Md5 | SignMethod::Hmac => 16,
            SignMethod::HmacSha256 => 32,
        }
    }
}

fn digest(
    method: SignMethod,
    secret: &str,
    params: &Params,
    empty: EmptyValues,
    raw_body: Option<&[u8]>,
) -> Vec<u8> {
    match method {
        SignMethod::Md5 => {
            let mut h = Md5::new();
            h.update(secret.as_bytes());
            feed(params, empty, raw_body, &mut |c| h.update(c));
            h.update(secret.as_bytes());
            h.finalize().to_vec()
        }
        SignMethod::Hmac => {
            let mut m = <Hmac<Md5>>::new_from_slice(secret.as_bytes()).expect("any key length");
            feed(params, empty, raw_body, &mut |c| m.update(c));
            m.finalize().into_bytes().to_vec()
        }
        SignMethod::HmacSha256 => {
            let mut m = <Hmac<Sha256>>::new_from_slice(secret.as_bytes()).expect("any key length");
            feed(params, empty, raw_body, &mut |c| m.update(c));
            m.finalize().into_bytes().to_vec()
        }
    }
}

fn feed(params: &Params, empty: EmptyValues, raw_body: Option<&[u8]>, sink: &mut dyn FnMut(&[u8])) {
    for (name, value) in params.text() {
        if name == "sign" || (empty == EmptyValues::Drop && value.is_empty()) {
            continue;
        }
        sink(name.as_bytes());
        sink(value.as_bytes());
    }
    if let Some(body) = raw_body {
        sink(body);
    }
}
