//! A call record packed into one buffer for the queue.
//!
//! Cloning a [`CallRecord`] on the request path costs some thirty allocations (every string and
//! parameter), all freed later by the writer thread: a producer/consumer pattern that general
//! purpose allocators handle badly. Packing copies the same bytes into one allocation sized up
//! front; the writer unpacks on its own thread, off the request path.
//!
//! Layout, little-endian: `received_at_ms` i64, `latency_ms` f64, `code` (u8 tag, i64),
//! `backend_latency_ms` (u8 tag, f64), then strings as u32 length + UTF-8 bytes (`u32::MAX` for
//! `None`): the fixed fields in [`CallRecord`] order, the parameter count and pairs, and last the
//! response body (with its truncation marker, if any).

use std::borrow::Cow;

use topgate_store::archive::CallRecord;

const NONE: u32 = u32::MAX;

pub(super) struct Packed {
    bytes: Vec<u8>,
    pub error: bool,
}

/// The body cut to `max` bytes on a character boundary (invalid UTF-8 replaced), and the marker
/// to append when it was cut.
pub(super) fn cut_body(body: &[u8], max: usize) -> (Cow<'_, str>, Option<String>) {
    if body.len() <= max {
        return (String::from_utf8_lossy(body), None);
    }
    let mut cut = max;
    // Back off over at most three continuation bytes rather than split a character.
    while cut > max.saturating_sub(3) && cut > 0 && body[cut] & 0xC0 == 0x80 {
        cut -= 1;
    }
    let marker = format!(
        "\n…[truncated by the archive: {cut} of {} bytes kept]",
        body.len()
    );
    (String::from_utf8_lossy(&body[..cut]), Some(marker))
}

/// A record's own parameters in the form [`Packed::pack`] takes.
pub(super) fn borrowed(params: &[(String, String)]) -> Vec<(&str, Cow<'_, str>)> {
    params
        .iter()
        .map(|(n, v)| (n.as_str(), Cow::Borrowed(v.as_str())))
        .collect()
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn put_opt(buf: &mut Vec<u8>, s: Option<&String>) {
    match s {
        Some(s) => put_str(buf, s),
        None => buf.extend_from_slice(&NONE.to_le_bytes()),
    }
}

fn opt_len(s: &Option<String>) -> usize {
    4 + s.as_ref().map_or(0, String::len)
}

impl Packed {
    /// Packs `r` with `params` as its parameters (`r.params` is not read) and `body` (bounded
    /// by `max_body`) as its response body.
    pub fn pack(
        r: &CallRecord,
        params: &[(&str, Cow<'_, str>)],
        body: &[u8],
        max_body: usize,
    ) -> Packed {
        let (text, marker) = cut_body(body, max_body);
        let body_len = text.len() + marker.as_ref().map_or(0, String::len);
        let optionals = [
            &r.client_addr,
            &r.app_key,
            &r.method,
            &r.version,
            &r.format,
            &r.sign_method,
            &r.failed_check,
            &r.check_detail,
            &r.string_to_sign,
            &r.sub_code,
            &r.backend,
        ];
        let size = 34
            + 4
            + r.request_id.len()
            + 4
            + r.http_method.len()
            + optionals.iter().map(|s| opt_len(s)).sum::<usize>()
            + 4
            + params
                .iter()
                .map(|(k, v)| 8 + k.len() + v.len())
                .sum::<usize>()
            + 4
            + body_len;
        let mut buf = Vec::with_capacity(size);
        buf.extend_from_slice(&r.received_at_ms.to_le_bytes());
        buf.extend_from_slice(&r.latency_ms.to_le_bytes());
        buf.push(u8::from(r.code.is_some()));
        buf.extend_from_slice(&r.code.unwrap_or(0).to_le_bytes());
        buf.push(u8::from(r.backend_latency_ms.is_some()));
        buf.extend_from_slice(&r.backend_latency_ms.unwrap_or(0.0).to_le_bytes());
        put_str(&mut buf, &r.request_id);
        put_str(&mut buf, &r.http_method);
        for s in optionals {
            put_opt(&mut buf, s.as_ref());
        }
        buf.extend_from_slice(&(params.len() as u32).to_le_bytes());
        for (k, v) in params {
            put_str(&mut buf, k);
            put_str(&mut buf, v);
        }
        buf.extend_from_slice(&(body_len as u32).to_le_bytes());
        buf.extend_from_slice(text.as_bytes());
        if let Some(m) = marker {
            buf.extend_from_slice(m.as_bytes());
        }
        debug_assert_eq!(buf.len(), size);
        Packed {
            bytes: buf,
            error: r.is_error(),
        }
    }

    /// The record back; `None` only if the buffer is not one [`Packed::pack`] made.
    pub fn unpack(&self) -> Option<CallRecord> {
        let mut c = Cursor(&self.bytes);
        let received_at_ms = i64::from_le_bytes(c.array()?);
        let latency_ms = f64::from_le_bytes(c.array()?);
        let has_code = c.array::<1>()? == [1];
        let code = i64::from_le_bytes(c.array()?);
        let has_backend_latency = c.array::<1>()? == [1];
        let backend_latency = f64::from_le_bytes(c.array()?);
        let mut r = CallRecord {
            received_at_ms,
            latency_ms,
            code: has_code.then_some(code),
            backend_latency_ms: has_backend_latency.then_some(backend_latency),
            request_id: c.string()?,
            http_method: c.string()?,
            ..CallRecord::default()
        };
        for field in [
            &mut r.client_addr,
            &mut r.app_key,
            &mut r.method,
            &mut r.version,
            &mut r.format,
            &mut r.sign_method,
            &mut r.failed_check,
            &mut r.check_detail,
            &mut r.string_to_sign,
            &mut r.sub_code,
            &mut r.backend,
        ] {
            *field = c.opt_string()?;
        }
        let n = u32::from_le_bytes(c.array()?) as usize;
        r.params = (0..n)
            .map(|_| Some((c.string()?, c.string()?)))
            .collect::<Option<_>>()?;
        r.response_body = c.string()?;
        Some(r)
    }
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        let n = u32::from_le_bytes(self.array()?);
        if n == NONE {
            return Some(None);
        }
        let bytes = self.take(n as usize)?;
        Some(Some(String::from_utf8(bytes.to_vec()).ok()?))
    }

    fn string(&mut self) -> Option<String> {
        self.opt_string()?
    }
}
