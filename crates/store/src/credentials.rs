//! Generated credentials, drawn from the operating system's random number generator.

use rand::rngs::OsRng;
use rand::{Rng, RngCore};

/// A new app key: 8 decimal digits, not starting with 0 (TOP style, e.g. `12345678`).
pub fn generate_app_key() -> String {
    OsRng.gen_range(10_000_000u32..100_000_000).to_string()
}

/// A new app secret: 32 lowercase hex characters (128 random bits).
pub fn generate_secret() -> String {
    random_hex(16)
}

/// A new session key: `6100` followed by 40 lowercase hex characters (160 random bits).
pub fn generate_session_key() -> String {
    format!("6100{}", random_hex(20))
}

fn random_hex(bytes: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    let mut out = String::with_capacity(bytes * 2);
    for b in buf {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        for _ in 0..200 {
            let key = generate_app_key();
            assert_eq!(key.len(), 8);
            assert!(key.bytes().all(|b| b.is_ascii_digit()) && !key.starts_with('0'));
            let secret = generate_secret();
            assert_eq!(secret.len(), 32);
            assert!(secret
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
            let session = generate_session_key();
            assert_eq!(session.len(), 44);
            assert!(session.starts_with("6100"));
            assert!(session[4..]
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        }
        assert_ne!(generate_secret(), generate_secret());
    }
}
