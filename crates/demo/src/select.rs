//! `fields`: which fields of an object the caller wants, as TOP selects them.
//!
//! A comma-separated list of names; only those appear, in the object's own (canonical) order;
//! unknown names are ignored. A nested object or list is selected by its top-level name
//! (`orders`: every field of each order), or field by field with a dotted name
//! (`orders.oid,orders.title`).

use topgate_protocol::Value;

/// The selected field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fields {
    /// Every field (a nested object selected by its top-level name).
    All,
    Named(Vec<String>),
}

impl Fields {
    pub fn parse(list: &str) -> Fields {
        Fields::Named(
            list.split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Whether `name`, or some field under it (`name.x`), is selected.
    pub fn wants(&self, name: &str) -> bool {
        match self {
            Fields::All => true,
            Fields::Named(names) => names.iter().any(|f| {
                f == name
                    || f.strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with('.'))
            }),
        }
    }

    /// The selection inside the nested field `name`.
    pub fn sub(&self, name: &str) -> Fields {
        match self {
            Fields::All => Fields::All,
            Fields::Named(names) if names.iter().any(|f| f == name) => Fields::All,
            Fields::Named(names) => Fields::Named(
                names
                    .iter()
                    .filter_map(|f| f.strip_prefix(name)?.strip_prefix('.'))
                    .map(str::to_owned)
                    .collect(),
            ),
        }
    }
}

/// Builds an object in canonical order, keeping the selected fields only. Values are computed
/// only for the fields that are kept.
pub struct Obj<'a> {
    sel: &'a Fields,
    out: Vec<(String, Value)>,
}

impl<'a> Obj<'a> {
    pub fn new(sel: &'a Fields) -> Obj<'a> {
        Obj {
            sel,
            out: Vec::new(),
        }
    }

    pub fn put(&mut self, name: &str, value: impl FnOnce() -> Value) -> &mut Self {
        if self.sel.wants(name) {
            self.out.push((name.to_owned(), value()));
        }
        self
    }

    /// A field that the record may lack (a trade not yet paid has no `pay_time`).
    pub fn opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.put(name, || Value::str(v));
        }
        self
    }

    /// A nested object or list, built from the selection under its name.
    pub fn nested(&mut self, name: &str, value: impl FnOnce(&Fields) -> Value) -> &mut Self {
        if self.sel.wants(name) {
            let sub = self.sel.sub(name);
            self.out.push((name.to_owned(), value(&sub)));
        }
        self
    }

    pub fn build(&mut self) -> Value {
        Value::Object(std::mem::take(&mut self.out))
    }
}

/// Money in cents as TOP writes it: `"19.90"`.
pub fn money(cents: i64) -> Value {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    Value::str(format!("{sign}{}.{:02}", abs / 100, abs % 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection() {
        let f = Fields::parse(" tid, orders.oid ,,status");
        assert!(f.wants("tid") && f.wants("orders") && !f.wants("order"));
        assert_eq!(f.sub("orders"), Fields::Named(vec!["oid".into()]));
        assert_eq!(Fields::parse("orders").sub("orders"), Fields::All);
        let v = Obj::new(&f)
            .put("status", || Value::str("X"))
            .put("tid", || Value::int(1))
            .put("other", || unreachable!())
            .build();
        assert_eq!(
            v,
            Value::object([("status", Value::str("X")), ("tid", Value::int(1))])
        );
    }

    #[test]
    fn money_text() {
        assert_eq!(money(1990), Value::str("19.90"));
        assert_eq!(money(5), Value::str("0.05"));
        assert_eq!(money(-150), Value::str("-1.50"));
    }
}
