//! Sub codes: the catalog's entries, reading them from the wire, the ban sentence, and
//! classifying an error body.

use std::collections::HashSet;

use topgate_protocol::errors::*;

use super::check_text;

#[test]
fn sub_codes_complete() {
    let all = SubCode::all();
    assert_eq!(all.len(), 21 + ProductLine::ALL.len());
    let strings: HashSet<String> = all.iter().map(|c| c.as_string()).collect();
    assert_eq!(strings.len(), all.len(), "sub code strings are unique");
    for c in all {
        let s = c.spec();
        let what = c.as_string();
        check_text(&what, s.meaning);
        check_text(&what, s.remedy);
        let prefix = match c.family() {
            SubFamily::Isv => "isv.",
            SubFamily::Isp => "isp.",
            SubFamily::AccessControl => "accesscontrol.",
            // Sent bare, as TOP sends them with code 27.
            SubFamily::Bare => "",
            f => panic!("{what}: family {f:?}"),
        };
        assert!(what.starts_with(prefix), "{what}");
        assert_eq!(what, format!("{prefix}{}", c.bare_name()));
        assert_eq!(
            s.retryable,
            matches!(s.fault, Fault::Provider | Fault::Platform),
            "{what}"
        );
        assert_eq!(
            s.retryable,
            !matches!(c.family(), SubFamily::Isv | SubFamily::Bare)
        );
        assert_eq!(s.fault == Fault::Provider, c.family() == SubFamily::Isp);
        assert_eq!(
            c.flow_control_code().is_some(),
            c.family() == SubFamily::AccessControl
        );
        // What the catalog writes, it reads back.
        assert_eq!(read_sub_code(&what).known, Some(c), "{what}");
        assert_eq!(read_sub_code(&c.bare_name()).known, Some(c), "{what}");
    }
    assert_eq!(
        SubCode::LimitedByAppApiAccessCount.as_string(),
        "accesscontrol.limited-by-app-api-access-count"
    );
    assert_eq!(
        SubCode::LimitedByAppFrequency.flow_control_code(),
        Some(PlatformError::AppCallExceedsLimitedFrequency)
    );
    // What topgate sends itself carries its sub_msg; the rest come from backends and rules.
    assert_eq!(
        SubCode::CounterStoreUnavailable.as_string(),
        "isp.counter-store-unavailable"
    );
    assert!(SubCode::CounterStoreUnavailable.wire_sub_msg().is_some());
    assert_eq!(SubCode::InvalidSessionKey.as_string(), "invalid-sessionkey");
    assert_eq!(
        SubCode::InvalidSessionKey.wire_sub_msg(),
        Some("SessionKey非法")
    );
    assert_eq!(
        SubCode::SessionExpired.wire_sub_msg(),
        Some("SessionKey已过期")
    );
    assert_eq!(SubCode::MissingParameter.wire_sub_msg(), None);
}

fn read(raw: &str) -> (SubFamily, Option<SubCode>, Option<String>) {
    let info = read_sub_code(raw);
    assert_eq!(info.raw, raw);
    (info.family, info.known, info.detail)
}

#[test]
fn reading_sub_codes() {
    use SubCode::*;
    use SubFamily::*;
    let cases: &[(&str, SubFamily, Option<SubCode>, Option<&str>)] = &[
        ("isv.missing-parameter", Isv, Some(MissingParameter), None),
        ("missing-parameter", Bare, Some(MissingParameter), None),
        ("Invalid-permission", Bare, Some(InvalidPermission), None),
        (
            "isv.invalid-parameter:trade_id:P07",
            Isv,
            Some(InvalidParameter),
            Some("trade_id:P07"),
        ),
        ("isv.MOBILE_NUMBER_ILLEGAL", Isv, None, None),
        ("invalid-sessionkey", Bare, Some(InvalidSessionKey), None),
        ("session-expired", Bare, Some(SessionExpired), None),
        ("isv.session-expired", Isv, None, None),
        (
            "isp.item-service-unavailable",
            Isp,
            Some(ServiceUnavailable(ProductLine::Item)),
            None,
        ),
        (
            "isp.item-extra-service-unavailable",
            Isp,
            Some(ServiceUnavailable(ProductLine::ItemExtension)),
            None,
        ),
        (
            "accesscontrol.limited-by-app-access-count",
            AccessControl,
            Some(LimitedByAppAccessCount),
            None,
        ),
        ("ISV.USER_NOT_EXIST", Isv, Some(UserNotExist), None),
        (
            "remote-service-timeout",
            Bare,
            Some(RemoteServiceTimeout),
            None,
        ),
        ("isp.missing-parameter", Isp, None, None),
        ("isp.nowhere-service-unavailable", Isp, None, None),
        ("isv.missing-parameter:", Isv, Some(MissingParameter), None),
        ("top.something", Other, None, None),
        ("", Bare, None, None),
    ];
    for &(raw, family, known, detail) in cases {
        assert_eq!(
            read(raw),
            (family, known, detail.map(String::from)),
            "reading {raw:?}"
        );
    }
}

#[test]
fn ban_sentence() {
    assert_eq!(ban_message(0), "This ban will last for 1 more seconds");
    assert_eq!(ban_message(1), "This ban will last for 1 more seconds");
    assert_eq!(ban_message(59), "This ban will last for 59 more seconds");
    for n in [1, 2, 59, 3600, 86_400, u64::MAX] {
        assert_eq!(parse_ban_seconds(&ban_message(n)), Some(n));
    }
    assert_eq!(
        parse_ban_seconds("this BAN will  last for 30 more second"),
        Some(30)
    );
    assert_eq!(parse_ban_seconds("Thisbanwilllastfor7moreseconds"), Some(7));
    assert_eq!(
        parse_ban_seconds("App Call Limited: This ban will last for 12 more seconds."),
        Some(12)
    );
    assert_eq!(
        parse_ban_seconds("This ban will last for a few more seconds"),
        None
    );
    assert_eq!(
        parse_ban_seconds("This ban will last for 99999999999999999999 more seconds"),
        None
    );
    assert_eq!(parse_ban_seconds("iid和num_iid至少要传入一个"), None);
    assert_eq!(parse_ban_seconds(""), None);
}

#[test]
fn classification() {
    use ErrorClass::*;
    let cases: &[(i64, Option<&str>, Option<&str>, ErrorClass)] = &[
        (7, None, None, FlowControl),
        (
            7,
            Some("accesscontrol.limited-by-app-access-count"),
            None,
            FlowControl,
        ),
        (
            4,
            None,
            Some("This ban will last for 3 more seconds"),
            FlowControl,
        ),
        (
            530,
            Some("accesscontrol.limited-by-api-access-count"),
            None,
            FlowControl,
        ),
        (
            520,
            None,
            Some("This ban will last for 3 more seconds"),
            FlowControl,
        ),
        (27, None, None, Platform),
        (27, Some("session-expired"), None, Platform),
        (25, None, None, Platform),
        (47, None, None, Platform),
        (40, None, None, IsvBusiness),
        (41, None, None, IsvBusiness),
        (15, Some("isv.invalid-parameter"), None, IsvBusiness),
        (530, Some("isv.missing-parameter"), None, IsvBusiness),
        (530, Some("missing-parameter"), None, IsvBusiness),
        (530, Some("isp.item-service-unavailable"), None, Provider),
        (530, Some("ISP.remote-service-timeout"), None, Provider),
        (15, Some("isp.remote-service-error"), None, Provider),
        (50, Some("isv.MOBILE_NUMBER_ILLEGAL"), None, IsvBusiness),
        (50, Some("invalid-parameter"), None, IsvBusiness),
        (50, None, None, Platform),
        (50, Some("session-expired"), None, Platform),
        (11, Some("isv.permission-api-package-limit"), None, Platform),
        (27, Some("invalid-sessionkey"), None, Platform),
        (550, None, None, IsvBusiness),
    ];
    for &(code, sub_code, sub_msg, class) in cases {
        assert_eq!(
            classify(code, sub_code, sub_msg),
            class,
            "classify({code}, {sub_code:?}, {sub_msg:?})"
        );
    }
}
