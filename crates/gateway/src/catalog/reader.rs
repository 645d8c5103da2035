//! Reading a parsed TOML tree with positions, collecting every problem instead of stopping at
//! the first. Positions come from `toml_edit`'s spans (byte ranges into the text).

use std::ops::Range;

use toml_edit::{Item, TableLike, Value};

use super::{CatalogErrors, CatalogProblem};

pub(super) type Span = Option<Range<usize>>;

/// The problems found so far, and what turns a byte offset into a line and a column.
pub(super) struct Report<'t> {
    text: &'t str,
    file: String,
    problems: Vec<CatalogProblem>,
}

impl<'t> Report<'t> {
    pub(super) fn new(text: &'t str, file: &str) -> Self {
        Report {
            text,
            file: file.to_owned(),
            problems: Vec::new(),
        }
    }

    /// Records a problem at the start of `span` (line 1, column 1 when unknown).
    pub(super) fn add(&mut self, span: &Span, message: impl Into<String>) {
        let (line, column) = span.as_ref().map_or((1, 1), |s| self.position(s.start));
        self.problems.push(CatalogProblem {
            file: self.file.clone(),
            line,
            column,
            message: message.into(),
        });
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(super) fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        (line, before[line_start..].chars().count() + 1)
    }

    /// How many problems so far.
    pub(super) fn len(&self) -> usize {
        self.problems.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems in file order.
    pub(super) fn into_errors(mut self) -> CatalogErrors {
        self.problems.sort_by_key(|p| (p.line, p.column));
        CatalogErrors(self.problems)
    }
}

/// What kind of TOML value an item is, for messages.
fn kind_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => match v {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::InlineTable(_) => "an inline table",
        },
    }
}

/// A table (`[x]`, `[[x]]` or `{ .. }`) being read, with the label its problems start with.
pub(super) struct Fields<'a> {
    table: &'a dyn TableLike,
    span: Span,
    pub(super) ctx: String,
}

impl<'a> Fields<'a> {
    pub(super) fn new(table: &'a dyn TableLike, span: Span, ctx: String) -> Self {
        Fields { table, span, ctx }
    }

    pub(super) fn span(&self) -> &Span {
        &self.span
    }

    /// The keys, in file order.
    pub(super) fn keys(&self) -> Vec<&'a str> {
        self.table.iter().map(|(k, _)| k).collect()
    }

    /// Reports every key not in `allowed`.
    pub(super) fn only(&self, allowed: &[&str], r: &mut Report) {
        for (key, _) in self.table.iter() {
            if !allowed.contains(&key) {
                let span = self
                    .table
                    .key(key)
                    .and_then(|k| k.span())
                    .or(self.span.clone());
                r.add(
                    &span,
                    format!(
                        "{}: unknown key `{key}` (expected one of: {})",
                        self.ctx,
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    pub(super) fn get(&self, key: &'a str) -> Option<Field<'a>> {
        let (k, item) = self.table.get_key_value(key)?;
        let key_span = k.span().or(self.span.clone());
        let span = item.span().or(key_span.clone());
        Some(Field {
            key,
            item,
            span,
            key_span,
            ctx: self.ctx.clone(),
        })
    }

    /// The field, or a "missing required key" problem at the table.
    pub(super) fn require(&self, key: &'a str, r: &mut Report) -> Option<Field<'a>> {
        let field = self.get(key);
        if field.is_none() {
            r.add(
                &self.span,
                format!("{}: missing required key `{key}`", self.ctx),
            );
        }
        field
    }
}

/// One `key = value` being read.
pub(super) struct Field<'a> {
    pub(super) key: &'a str,
    pub(super) item: &'a Item,
    /// The value's position (the key's when the value has none).
    pub(super) span: Span,
    pub(super) key_span: Span,
    pub(super) ctx: String,
}

impl<'a> Field<'a> {
    /// Reports a problem with this value: "ctx: `key` message".
    pub(super) fn problem(&self, r: &mut Report, message: impl std::fmt::Display) {
        r.add(
            &self.span,
            format!("{}: `{}` {message}", self.ctx, self.key),
        );
    }

    fn wrong_type(&self, r: &mut Report, expected: &str) {
        self.problem(
            r,
            format!("must be {expected}, found {}", kind_name(self.item)),
        );
    }

    pub(super) fn str(&self, r: &mut Report) -> Option<&'a str> {
        let s = self.item.as_str();
        if s.is_none() {
            self.wrong_type(r, "a string");
        }
        s
    }

    /// A string that is not empty (nor only spaces).
    pub(super) fn text(&self, r: &mut Report) -> Option<&'a str> {
        let s = self.str(r)?;
        if s.trim().is_empty() {
            self.problem(r, "must not be empty");
            return None;
        }
        Some(s)
    }

    pub(super) fn bool(&self, r: &mut Report) -> Option<bool> {
        let b = self.item.as_bool();
        if b.is_none() {
            self.wrong_type(r, "true or false");
        }
        b
    }

    /// An integer ≥ `min`.
    pub(super) fn int_at_least(&self, min: i64, r: &mut Report) -> Option<u64> {
        match self.item.as_integer() {
            Some(i) if i >= min => u64::try_from(i).ok(),
            Some(i) => {
                self.problem(r, format!("must be at least {min}, found {i}"));
                None
            }
            None => {
                self.wrong_type(r, "an integer");
                None
            }
        }
    }

    /// An integer or a float.
    pub(super) fn number(&self, r: &mut Report) -> Option<super::Bound> {
        match self.item.as_value() {
            Some(Value::Integer(i)) => Some(super::Bound::Int(*i.value())),
            Some(Value::Float(f)) if f.value().is_finite() => Some(super::Bound::Float(*f.value())),
            _ => {
                self.wrong_type(r, "a finite number");
                None
            }
        }
    }

    /// A scalar written as text (`default`).
    pub(super) fn scalar_text(&self, r: &mut Report) -> Option<String> {
        match self.item.as_value() {
            Some(Value::String(s)) => Some(s.value().clone()),
            Some(Value::Integer(i)) => Some(i.value().to_string()),
            Some(Value::Float(f)) => Some(f.value().to_string()),
            Some(Value::Boolean(b)) => Some(b.value().to_string()),
            _ => {
                self.wrong_type(r, "a string, number or boolean");
                None
            }
        }
    }

    /// A non-empty array of strings, each with its position.
    pub(super) fn strings(&self, r: &mut Report) -> Option<Vec<(String, Span)>> {
        let Some(array) = self.item.as_array() else {
            self.wrong_type(r, "an array of strings");
            return None;
        };
        if array.is_empty() {
            self.problem(r, "must not be empty");
            return None;
        }
        let mut out = Vec::new();
        for v in array.iter() {
            match v.as_str() {
                Some(s) => out.push((s.to_owned(), v.span().or(self.span.clone()))),
                None => r.add(
                    &v.span().or(self.span.clone()),
                    format!("{}: `{}` must contain only strings", self.ctx, self.key),
                ),
            }
        }
        (out.len() == array.len()).then_some(out)
    }

    /// The tables of `[[key]]` (or `key = [{..}, ..]`), each with its position.
    pub(super) fn tables(&self, r: &mut Report) -> Option<Vec<(&'a dyn TableLike, Span)>> {
        match self.item {
            Item::ArrayOfTables(aot) => Some(
                aot.iter()
                    .map(|t| (t as &dyn TableLike, t.span().or(self.span.clone())))
                    .collect(),
            ),
            Item::Value(Value::Array(a)) if a.iter().all(|v| v.as_inline_table().is_some()) => {
                Some(
                    a.iter()
                        .filter_map(|v| {
                            let span = v.span().or(self.span.clone());
                            v.as_inline_table().map(|t| (t as &dyn TableLike, span))
                        })
                        .collect(),
                )
            }
            _ => {
                self.wrong_type(r, "an array of tables ([[...]])");
                None
            }
        }
    }

    /// This value as a table (`[key]` or `key = { .. }`).
    pub(super) fn table(&self, ctx: String, r: &mut Report) -> Option<Fields<'a>> {
        match self.item.as_table_like() {
            Some(t) => Some(Fields::new(t, self.span.clone(), ctx)),
            None => {
                self.wrong_type(r, "a table");
                None
            }
        }
    }
}
