//! JSON bodies. Strings are escaped by serde_json; field order is the order given.

use serde::ser::{SerializeMap, Serializer as _};
use serde::Serialize;

use super::{response_key, v1_fields, ErrorBody};
use crate::value::{JsonShape, Value};

type Ser<'a> = serde_json::Serializer<&'a mut Vec<u8>>;

fn write(out: &mut Vec<u8>, f: impl FnOnce(&mut Ser<'_>) -> serde_json::Result<()>) {
    let mut ser = serde_json::Serializer::new(out);
    // Writing to a Vec cannot fail and every value here serialises.
    f(&mut ser).expect("JSON into a Vec");
}

/// The payload fields followed by `request_id`.
struct Payload<'a> {
    fields: &'a [(String, Value)],
    request_id: &'a str,
    simplify: bool,
}

impl Serialize for Payload<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len() + 1))?;
        for (k, v) in self.fields {
            map.serialize_entry(
                k,
                &JsonShape {
                    value: v,
                    simplify: self.simplify,
                },
            )?;
        }
        map.serialize_entry("request_id", self.request_id)?;
        map.end()
    }
}

pub(super) fn success_v2(
    method: &str,
    fields: &[(String, Value)],
    request_id: &str,
    simplify: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let payload = Payload {
        fields,
        request_id,
        simplify,
    };
    write(&mut out, |ser| {
        if simplify {
            payload.serialize(ser)
        } else {
            let mut map = ser.serialize_map(Some(1))?;
            map.serialize_entry(&response_key(method), &payload)?;
            map.end()
        }
    });
    out
}

pub(super) fn success_v1(fields: &[(String, Value)], request_id: &str) -> Vec<u8> {
    let fields = v1_fields(fields);
    let mut out = Vec::with_capacity(256);
    let payload = Payload {
        fields: &fields,
        request_id,
        simplify: true,
    };
    write(&mut out, |ser| {
        let mut map = ser.serialize_map(Some(1))?;
        map.serialize_entry("rsp", &payload)?;
        map.end()
    });
    out
}

struct Args<'a>(&'a [(String, String)]);

impl Serialize for Args<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Arg<'a> {
            key: &'a str,
            value: &'a str,
        }
        let list: Vec<Arg<'_>> = self
            .0
            .iter()
            .map(|(key, value)| Arg { key, value })
            .collect();
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("arg", &list)?;
        map.end()
    }
}

struct ErrorFields<'a> {
    error: &'a ErrorBody,
    v1: bool,
}

impl Serialize for ErrorFields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.error;
        let mut map = s.serialize_map(None)?;
        if !self.v1 && !e.args.is_empty() {
            map.serialize_entry("args", &Args(&e.args))?;
        }
        map.serialize_entry("code", &e.code)?;
        map.serialize_entry("msg", &e.msg)?;
        if !self.v1 {
            if let Some(sub_code) = &e.sub_code {
                map.serialize_entry("sub_code", sub_code)?;
            }
            if let Some(sub_msg) = &e.sub_msg {
                map.serialize_entry("sub_msg", sub_msg)?;
            }
        }
        if let Some(id) = &e.request_id {
            map.serialize_entry("request_id", id)?;
        }
        map.end()
    }
}

fn error(key: &str, error: &ErrorBody, v1: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write(&mut out, |ser| {
        let mut map = ser.serialize_map(Some(1))?;
        map.serialize_entry(key, &ErrorFields { error, v1 })?;
        map.end()
    });
    out
}

pub(super) fn error_v2(e: &ErrorBody) -> Vec<u8> {
    error("error_response", e, false)
}

pub(super) fn error_v1(e: &ErrorBody) -> Vec<u8> {
    error("error_rsp", e, true)
}
