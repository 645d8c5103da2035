//! The error catalog: completeness of every table, the wire forms, reading sub codes,
//! classification, the v2 to v1 mapping, and the generated `docs/errors.md`.

use std::collections::HashSet;
use std::path::PathBuf;

use topgate_protocol::errors::*;

#[path = "errors_catalog/legacy.rs"]
mod legacy;
#[path = "errors_catalog/sub_codes.rs"]
mod sub_codes;

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// Typos the OCR of the seed introduced; the catalog must carry the repaired words.
const OCR_TYPOS: &[&str] = &["效劳", "权限缺乏", "平安", "反响", "根本", "比拟", "必需"];

pub(crate) fn check_text(what: &str, t: Text) {
    assert!(!t.zh.trim().is_empty(), "{what}: empty zh");
    assert!(!t.en.trim().is_empty(), "{what}: empty en");
    assert!(
        t.zh.chars().any(is_cjk),
        "{what}: zh has no Chinese: {}",
        t.zh
    );
    assert!(
        !t.en.chars().any(is_cjk),
        "{what}: en has Chinese: {}",
        t.en
    );
    let non_ascii = t.en.chars().filter(|c| !c.is_ascii()).count();
    assert!(non_ascii <= 2, "{what}: en is not ASCII-ish: {}", t.en);
    for typo in OCR_TYPOS {
        assert!(!t.zh.contains(typo), "{what}: OCR typo {typo} in {}", t.zh);
    }
    assert_eq!(t.get(Lang::Zh), t.zh);
    assert_eq!(t.get(Lang::En), t.en);
}

#[test]
fn platform_codes_in_order_and_unique() {
    let expected: Vec<u32> = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15]
        .into_iter()
        .chain(21..=34)
        .chain([40, 41, 42, 43, 44, 47])
        .collect();
    let codes: Vec<u32> = PlatformError::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(codes, expected);
    assert_eq!(PlatformError::ALL.len(), 32);
    let unique: HashSet<_> = PlatformError::ALL.iter().collect();
    assert_eq!(unique.len(), PlatformError::ALL.len());
}

#[test]
fn platform_entries_complete() {
    for &e in PlatformError::ALL {
        let s = e.spec();
        let what = format!("platform {}", s.code);
        check_text(&what, s.meaning);
        check_text(&what, s.remedy);
        assert!(!s.wire_msg.is_empty() && s.wire_msg.is_ascii(), "{what}");
        assert!(s.code < 100, "{what}");
        assert_eq!(s.code, e.code());
    }
}

#[test]
fn platform_from_code_round_trips() {
    for &e in PlatformError::ALL {
        assert_eq!(PlatformError::from_code(i64::from(e.code())), Some(e));
    }
    for code in [
        -1,
        0,
        1,
        2,
        14,
        16,
        20,
        35,
        39,
        45,
        46,
        48,
        100,
        530,
        i64::MAX,
    ] {
        assert_eq!(PlatformError::from_code(code), None, "code {code}");
    }
}

#[test]
fn platform_wire_messages() {
    use PlatformError::*;
    let cases = [
        (UploadFail, "Upload Fail"),
        (UserCallLimited, "User Call Limited"),
        (
            AppCallExceedsLimitedFrequency,
            "App Call Exceeds Limited Frequency",
        ),
        (HttpActionNotAllowed, "Http Action Not Allowed"),
        (ServiceCurrentlyUnavailable, "Service Currently Unavailable"),
        (InsufficientIsvPermissions, "Insufficient isv permissions"),
        (RemoteServiceError, "Remote service error"),
        (InvalidSignature, "Invalid signature"),
        (MissingAppKey, "Missing app key"),
        (MissingRequiredArguments, "Missing required arguments"),
        (InvalidArguments, "Invalid arguments"),
        (IspError, "Isp error"),
        (InvalidEncoding, "Invalid encoding"),
    ];
    for (e, msg) in cases {
        assert_eq!(e.spec().wire_msg, msg);
        assert_eq!(e.wire_msg(None), msg);
        assert_eq!(e.wire_msg(Some("")), msg);
    }
    assert_eq!(
        MissingRequiredArguments.wire_msg(Some("iid")),
        "Missing required arguments:iid"
    );
    assert_eq!(
        InvalidArguments.wire_msg(Some("num_iid")),
        "Invalid arguments:num_iid"
    );
    let takes: Vec<u32> = PlatformError::ALL
        .iter()
        .filter(|e| e.spec().takes_detail)
        .map(|e| e.code())
        .collect();
    assert_eq!(takes, [40, 41]);
}

#[test]
fn platform_class_fault_retryable() {
    for &e in PlatformError::ALL {
        let s = e.spec();
        let class = match s.code {
            4..=8 => ErrorClass::FlowControl,
            15 | 40 | 41 => ErrorClass::IsvBusiness,
            _ => ErrorClass::Platform,
        };
        assert_eq!(s.class, class, "class of {}", s.code);
        let retryable = matches!(s.code, 4..=8 | 10 | 15 | 44);
        assert_eq!(s.retryable, retryable, "retryable of {}", s.code);
        let fault = match s.code {
            12 => Fault::User,
            4..=8 | 10 | 42 | 44 => Fault::Platform,
            _ => Fault::Caller,
        };
        assert_eq!(s.fault, fault, "fault of {}", s.code);
        // The catalog's class agrees with classifying a bare error body.
        assert_eq!(classify(i64::from(s.code), None, None), s.class);
    }
}

#[test]
fn useful_remedies() {
    let r25 = PlatformError::InvalidSignature.spec().remedy;
    for needle in ["sort", "secret", "sign_method", "topgate call --dry-run"] {
        assert!(r25.en.contains(needle), "25 en lacks {needle}");
    }
    assert!(r25.zh.contains("topgate call --dry-run") && r25.zh.contains("排序"));
    let r31 = PlatformError::InvalidTimestamp.spec().remedy;
    for needle in [
        "yyyy-MM-dd HH:mm:ss",
        "GMT+8",
        "epoch milliseconds",
        "10 minutes",
    ] {
        assert!(r31.en.contains(needle), "31 en lacks {needle}");
    }
    assert!(r31.zh.contains("yyyy-MM-dd HH:mm:ss") && r31.zh.contains("10分钟"));
}

#[test]
fn product_lines() {
    let codes: Vec<u32> = ProductLine::ALL.iter().map(|l| l.code()).collect();
    assert_eq!(
        codes,
        [
            500, 510, 520, 521, 530, 531, 532, 540, 550, 560, 570, 580, 590, 591, 600, 610, 620,
            630, 640, 650, 660, 670
        ]
    );
    let slugs: Vec<&str> = ProductLine::ALL.iter().map(|l| l.slug()).collect();
    assert_eq!(
        slugs,
        [
            "user",
            "category",
            "trade",
            "refund",
            "item",
            "item-extra",
            "postage",
            "product",
            "logistics",
            "shop",
            "rate",
            "taobaoke",
            "system",
            "icp",
            "increment",
            "compare",
            "poster",
            "jianghu",
            "distribution",
            "taoxiu",
            "billing",
            "misc"
        ]
    );
    for &l in ProductLine::ALL {
        assert_eq!(ProductLine::from_code(i64::from(l.code())), Some(l));
        assert_eq!(ProductLine::from_slug(l.slug()), Some(l));
        let name = l.name();
        assert!(
            name.zh.chars().any(is_cjk) && name.en.is_ascii(),
            "{name:?}"
        );
        assert_eq!(
            l.unavailable_sub_code(),
            format!("isp.{}-service-unavailable", l.slug())
        );
    }
    assert_eq!(ProductLine::Item.name().zh, "商品");
    assert_eq!(ProductLine::Item.name().en, "item");
    assert_eq!(
        ProductLine::Item.unavailable_sub_code(),
        "isp.item-service-unavailable"
    );
    assert_eq!(ProductLine::from_slug("ITEM"), Some(ProductLine::Item));
    assert_eq!(ProductLine::from_slug("nope"), None);
    assert_eq!(ProductLine::from_code(15), None);
    assert_eq!(REMOTE_SERVICE_ERROR, "Remote service error");
    assert_eq!(REMOTE_SERVICE_TIMEOUT, "Remote service timeout");
}
#[test]
fn golden_errors_md() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
    let rendered = errors_markdown();
    assert!(rendered.starts_with(ERRORS_MD_HEADER));
    assert!(rendered.ends_with('\n') && !rendered.ends_with("\n\n"));
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, &rendered).expect("write docs/errors.md");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == rendered,
        "docs/errors.md is stale: run `UPDATE_GOLDEN=1 cargo test -p topgate-protocol --test errors_catalog`"
    );
}

#[test]
fn markdown_content() {
    let md = errors_markdown();
    for heading in [
        "## 1. Platform errors",
        "## 2. Product lines",
        "## 3. Sub codes",
        "## 4. Flow control",
        "## 5. Legacy v1",
        "## 6. v2 to v1 mapping",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    assert!(md.contains("`Missing required arguments:<name>`"));
    assert!(md.contains("`This ban will last for N more seconds`"));
    assert!(md.contains("| 508 (refund: 654) |"));
    assert!(md.contains("`Item service unavailable:获取单个商品失败`"));
    // Every table row has as many cells as its header: no stray `|`.
    let mut columns = 0;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = 0;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        if columns == 0 {
            columns = cells;
        }
        assert_eq!(cells, columns, "row: {line}");
    }
}
