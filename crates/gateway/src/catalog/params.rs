//! Loading `[[api.params]]` and `[[api.rules]]`, with the checks that constraints fit their
//! parameter's type and that rules name declared parameters.

use topgate_protocol::params::is_system;

use super::model::{join_zh, ParamSpec, ParamType, Rule};
use super::reader::{Field, Fields, Report};

const PARAM_KEYS: &[&str] = &[
    "name",
    "type",
    "required",
    "min_length",
    "max_length",
    "min",
    "max",
    "enum",
    "list",
    "max_items",
    "max_size",
    "default",
];

/// A parameter name: `[A-Za-z0-9_.-]+` (TOP's are snake_case; a few carry dots or dashes).
fn is_param_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// One `[[api.params]]`; `None` when it is broken (the problems are reported).
pub(super) fn parse_param(mut t: Fields, r: &mut Report) -> Option<ParamSpec> {
    let api_ctx = t.ctx.clone();
    let name = t.require("name", r).and_then(|f| {
        let name = f.text(r)?;
        if is_system(name) {
            f.problem(
                r,
                format!(
                    "{name:?} is a system parameter; a business parameter may not use its name"
                ),
            );
            None
        } else if !is_param_name(name) {
            f.problem(
                r,
                format!("{name:?} is not a valid parameter name ([A-Za-z0-9_.-]+)"),
            );
            None
        } else {
            Some(name.to_owned())
        }
    });
    if let Some(name) = &name {
        t.ctx = format!("{api_ctx}: param {name}");
    }
    t.only(PARAM_KEYS, r);
    let before = r.len();
    let kind = match t.get("type") {
        None => ParamType::String,
        Some(f) => {
            let s = f.str(r)?;
            let Some(kind) = ParamType::parse(s) else {
                let all: Vec<&str> = ParamType::ALL.iter().map(|t| t.as_str()).collect();
                let all = all.join(", ");
                f.problem(
                    r,
                    format!("{s:?} is not a parameter type (expected one of: {all})"),
                );
                return None;
            };
            kind
        }
    };
    let mut spec = ParamSpec::new(name.clone().unwrap_or_default(), kind);
    let fits = |f: &Field, r: &mut Report, ok: bool, what: &str| {
        if !ok {
            f.problem(
                r,
                format!(
                    "applies to {what} parameters only (this one is {})",
                    kind.as_str()
                ),
            );
        }
        ok
    };
    let textual = matches!(kind, ParamType::String | ParamType::Json);
    if let Some(f) = t.get("required") {
        spec.required = f.bool(r).unwrap_or(false);
    }
    if let Some(f) = t.get("list") {
        spec.list = f.bool(r).unwrap_or(false);
        if spec.list && matches!(kind, ParamType::Json | ParamType::File) {
            f.problem(
                r,
                format!("cannot be true for a {} parameter", kind.as_str()),
            );
        }
    }
    let len_of = |key, r: &mut Report| {
        let f = t.get(key)?;
        fits(&f, r, textual, "string and json")
            .then(|| f.int_at_least(0, r))
            .flatten()
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    };
    spec.min_length = len_of("min_length", r);
    spec.max_length = len_of("max_length", r);
    if let (Some(lo), Some(hi), Some(f)) = (spec.min_length, spec.max_length, t.get("max_length")) {
        if lo > hi {
            f.problem(r, format!("({hi}) is less than min_length ({lo})"));
        }
    }
    let bound_of = |key, r: &mut Report| {
        let f = t.get(key)?;
        fits(&f, r, kind == ParamType::Number, "number")
            .then(|| f.number(r))
            .flatten()
    };
    spec.min = bound_of("min", r);
    spec.max = bound_of("max", r);
    if let (Some(lo), Some(hi), Some(f)) = (spec.min, spec.max, t.get("max")) {
        if lo.as_f64() > hi.as_f64() {
            f.problem(r, format!("({hi}) is less than min ({lo})"));
        }
    }
    if let Some(f) = t.get("enum") {
        if fits(&f, r, kind == ParamType::String, "string") {
            spec.allowed = f
                .strings(r)
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect();
        }
    }
    if let Some(f) = t.get("max_items") {
        if !spec.list {
            f.problem(r, "needs `list = true`");
        } else {
            spec.max_items = f
                .int_at_least(1, r)
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        }
    }
    if let Some(f) = t.get("max_size") {
        if fits(&f, r, kind == ParamType::File, "file") {
            spec.max_size = f.int_at_least(1, r);
        }
    }
    if let Some(f) = t.get("default") {
        spec.default = f.scalar_text(r);
    }
    (name.is_some() && r.len() == before).then_some(spec)
}

/// One `[[api.rules]]`. `declared` names every parameter of the API, broken ones included;
/// `params` holds those that loaded.
pub(super) fn parse_rule(
    mut t: Fields,
    params: &[ParamSpec],
    declared: &[&str],
    r: &mut Report,
) -> Option<Rule> {
    t.ctx = format!("{}: rule", t.ctx);
    t.only(&["at_least_one_of", "same_length", "message"], r);
    let message = t.get("message").and_then(|f| f.text(r).map(str::to_owned));
    let (kind, f) = match (t.get("at_least_one_of"), t.get("same_length")) {
        (Some(f), None) => ("at_least_one_of", f),
        (None, Some(f)) => ("same_length", f),
        (None, None) => {
            r.add(
                t.span(),
                format!("{}: needs `at_least_one_of` or `same_length`", t.ctx),
            );
            return None;
        }
        (Some(_), Some(f)) => {
            f.problem(
                r,
                "cannot share a rule with `at_least_one_of`; write two [[api.rules]]",
            );
            return None;
        }
    };
    let names = f.strings(r)?;
    let mut ok = true;
    for (name, span) in &names {
        if !declared.contains(&name.as_str()) {
            r.add(
                span,
                format!(
                    "{}: `{kind}` names `{name}`, which is not a declared parameter",
                    t.ctx
                ),
            );
            ok = false;
        } else if kind == "same_length" && params.iter().any(|p| &p.name == name && !p.list) {
            r.add(
                span,
                format!(
                    "{}: `same_length` needs list parameters; `{name}` is not `list = true`",
                    t.ctx
                ),
            );
            ok = false;
        }
    }
    if kind == "same_length" && names.len() < 2 {
        f.problem(r, "needs at least two parameters");
        ok = false;
    }
    let params: Vec<String> = names.into_iter().map(|(n, _)| n).collect();
    let rule = if kind == "at_least_one_of" {
        let message = message.unwrap_or_else(|| format!("{}至少要传入一个", join_zh(&params)));
        Rule::AtLeastOneOf { params, message }
    } else {
        let message = message.unwrap_or_else(|| format!("{}的个数必须一一对应", join_zh(&params)));
        Rule::SameLength { params, message }
    };
    ok.then_some(rule)
}

#[cfg(test)]
mod tests {
    use super::is_param_name;

    #[test]
    fn param_names() {
        assert!(is_param_name("num_iids"));
        assert!(is_param_name("sku.properties"));
        assert!(!is_param_name("a b"));
        assert!(!is_param_name(""));
    }
}
