#!/usr/bin/env python3
"""Validate the diagnosis test corpus (stdlib only; Python 3.11+ for tomllib).

Usage: python3 check.py [CORPUS_DIR]     (default: the directory holding this script)

Checks, for every case directory `NNN-short-name/`:
  * `body` and `case.toml` exist; case.toml parses; only known keys; required fields present;
    enum fields hold allowed values; types are right;
  * bodies claimed well-formed (guessed = false, actual_format json/xml) parse as strict UTF-8
    JSON / XML, and the facts in [expect] (code, msg, sub_code, sub_msg, request_id,
    response_key, form) agree with what the body says;
  * the expected class, retryable and wait_seconds agree with the corpus's reading rules
    (README.md, "How the expectations were decided");
and then that the corpus as a whole covers what it must (every platform code, every sub code of
ERRORS.md section 2 and the odd spellings, every class / format / form / mismatch branch ...).
Prints a coverage summary. Exit status 0 when all is well, 1 when a check failed.
"""
from __future__ import annotations

import json
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

# ---- schema ---------------------------------------------------------------------------------------

CLASSES = {"connection", "format-mismatch", "platform", "isv-business", "provider",
           "flow-control", "success"}
ACTUAL_FORMATS = {"json", "xml", "html", "empty", "other"}
FORMS = {"v2", "v1", "simplified", "unknown"}
REQUESTED_FORMATS = {"json", "xml"}
MISMATCH_INNER = {"success", "platform-error", "business-error", "html", "unparseable"}
MISMATCH_BRANCH = {"frequency", "size-or-network", "format-param", "server"}

TOP_KEYS = {"description": str, "requested_format": str, "http_status": int, "method": str,
            "expect": dict}
TOP_REQUIRED = {"description", "expect"}
EXPECT_KEYS = {"class": str, "actual_format": str, "form": str, "code": int, "sub_code": str,
               "sub_msg": str, "msg": str, "request_id": str, "wait_seconds": int,
               "retryable": bool, "guessed": bool, "known": bool, "response_key": str,
               "mismatch_inner": str, "mismatch_branch": str, "facts": list}
EXPECT_REQUIRED = {"class", "actual_format", "retryable", "guessed"}

# ---- reference facts (ERRORS.md) ----------------------------------------------------------------

PLATFORM_CODES = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                  31, 32, 33, 34, 40, 41, 42, 43, 44, 47]
# code 50 "Remote service error" is named in ERRORS.md section 2 as seen in real responses
KNOWN_ODD_CODES = {50}
PRODUCT_LINE_CODES = {500, 510, 520, 521, 530, 531, 532, 540, 550, 560, 570, 580, 590, 591, 600,
                      610, 620, 630, 640, 650, 660, 670}
LEGACY_ISV = {505, 506, 507, 508, 554, 562, 563, 601, 651, 653, 654, 661}
LEGACY_PROVIDER = {550, 551, 552, 560, 570, 580, 590, 610, 620, 650, 660, 900, 901, 902}
KNOWN_CODES = (set(PLATFORM_CODES) | KNOWN_ODD_CODES | PRODUCT_LINE_CODES | LEGACY_ISV
               | LEGACY_PROVIDER)
RETRYABLE_PLATFORM = {10, 44}

SUB_CODES = ["isv.user-not-exist", "isv.missing-parameter", "isv.invalid-parameter",
             "isv.parameters-mismatch", "isv.invalid-permission", "isp.remote-service-error",
             "isp.remote-service-timeout", "isp.remote-connection-error",
             "isp.item-service-unavailable", "isv.item-extra-not-exist", "isv.trade-not-exist",
             "isv.refund-not-exist"]
ODD_SUB_CODES = ["missing-parameter", "isv.MOBILE_NUMBER_ILLEGAL",
                 "isv.invalid-parameter:trade_id:P07", "invalid-sessionkey", "session-expired"]
ACCESSCONTROL = ["accesscontrol.limited-by-app-access-count",
                 "accesscontrol.limited-by-api-access-count",
                 "accesscontrol.limited-by-app-api-access-count"]
V1_LEGACY_REQUIRED = [551, 562, 601, 653, 661, 901, 902]
BUSINESS_LINES_REQUIRED = [500, 520, 521, 530, 531, 550, 560, 590]
CONNECTION_STATUSES = [404, 500, 502, 503, 504]

BAN_RE = re.compile(r"^This ban will last for ([1-9][0-9]*) more seconds$")
REQUEST_ID_RE = re.compile(r"^[0-9a-z]{12,15}$")
DIR_RE = re.compile(r"^([0-9]{3})-[a-z0-9][a-z0-9-]*$")
MIN_CASES = 75


class Case:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.body: bytes | None = None
        self.toml: dict = {}
        self.expect: dict = {}


errors: list[str] = []


def err(case: Case | None, msg: str) -> None:
    errors.append(f"{case.name if case else 'corpus'}: {msg}")


# ---- body readers ---------------------------------------------------------------------------------

def read_json_body(body: bytes) -> dict:
    """Facts of a well-formed JSON body (raises on malformed)."""
    doc = json.loads(body.decode("utf-8"))
    if not isinstance(doc, dict):
        raise ValueError("top level is not an object")
    out: dict = {"top_keys": list(doc)}
    if len(doc) == 1:
        (key, inner), = doc.items()
        if key in ("error_response", "error_rsp"):
            out["form"] = "v2" if key == "error_response" else "v1"
            out["error"] = True
            for f in ("code", "msg", "sub_code", "sub_msg", "request_id"):
                if f in inner:
                    out[f] = inner[f]
            return out
        if key == "rsp" or key.endswith("_response"):
            out["form"] = "v1" if key == "rsp" else "v2"
            out["error"] = False
            out["response_key"] = key
            if isinstance(inner, dict) and "request_id" in inner:
                out["request_id"] = inner["request_id"]
            out["has_code"] = isinstance(inner, dict) and ("code" in inner or "sub_code" in inner)
            return out
    out["form"] = "simplified"
    out["error"] = False
    if "request_id" in doc:
        out["request_id"] = doc["request_id"]
    out["has_code"] = "code" in doc or "sub_code" in doc
    return out


def read_xml_body(body: bytes) -> dict:
    root = ET.fromstring(body)
    out: dict = {"top_keys": [root.tag]}
    child = {c.tag: (c.text or "") for c in root}
    if root.tag in ("error_response", "error_rsp"):
        out["form"] = "v2" if root.tag == "error_response" else "v1"
        out["error"] = True
        for f in ("code", "msg", "sub_code", "sub_msg", "request_id"):
            if f in child:
                out[f] = int(child[f]) if f == "code" else child[f]
        return out
    out["form"] = "v1" if root.tag == "rsp" else "v2"
    out["error"] = False
    out["response_key"] = root.tag
    if "request_id" in child:
        out["request_id"] = child["request_id"]
    out["has_code"] = "code" in child or "sub_code" in child
    return out


# ---- the reading rules ---------------------------------------------------------------------------

def is_ban(sub_msg: str | None) -> bool:
    return bool(sub_msg and BAN_RE.match(sub_msg))


def derived_class(e: dict) -> str | None:
    """Class of a TOP error from its facts, by the rules in README.md; None if undecidable."""
    code, sub, msg = e.get("code"), e.get("sub_code"), e.get("msg", "")
    if code is None:
        return None
    if 4 <= code <= 8 or (sub or "").startswith("accesscontrol.") or is_ban(e.get("sub_msg")):
        return "flow-control"
    if sub and sub.startswith("isp."):
        return "provider"
    if code in (15, 40, 41):
        return "isv-business"
    caller_sub = sub is not None and (sub.startswith("isv.") or "." not in sub)
    if code < 100:
        if msg.startswith("Remote service") and caller_sub:
            return "isv-business"
        return "platform"
    if e.get("form") == "v1":
        if code in LEGACY_PROVIDER:
            return "provider"
        if code in LEGACY_ISV:
            return "isv-business"
        return None
    if caller_sub:
        return "isv-business"
    return None


def derived_retryable(e: dict, t: dict) -> bool | None:
    cls = e["class"]
    if cls in ("flow-control", "provider"):
        return True
    if cls == "isv-business":
        return e.get("code") == 15 and "sub_code" not in e
    if cls == "platform":
        return e.get("code") in RETRYABLE_PLATFORM
    if cls == "success":
        return e["guessed"]  # a cut-off success is worth fetching again
    if cls == "connection":
        return t.get("http_status") != 404
    if cls == "format-mismatch":
        return e.get("mismatch_branch") != "format-param"
    return None


# ---- per-case checks ----------------------------------------------------------------------------

def check_case(c: Case) -> None:
    if not DIR_RE.match(c.name):
        err(c, "directory name is not NNN-short-name (lower case)")
    bp, tp = c.path / "body", c.path / "case.toml"
    if not bp.is_file():
        err(c, "missing body file")
    else:
        c.body = bp.read_bytes()
    if not tp.is_file():
        err(c, "missing case.toml")
        return
    try:
        c.toml = tomllib.loads(tp.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as ex:
        err(c, f"case.toml does not parse: {ex}")
        return
    t = c.toml
    for k, v in t.items():
        if k not in TOP_KEYS:
            err(c, f"unknown key {k!r}")
        elif not isinstance(v, TOP_KEYS[k]) or isinstance(v, bool) and TOP_KEYS[k] is int:
            err(c, f"{k} has the wrong type")
    for k in TOP_REQUIRED - set(t):
        err(c, f"missing required {k!r}")
    if not isinstance(t.get("expect"), dict):
        return
    e = c.expect = t["expect"]
    for k, v in e.items():
        if k not in EXPECT_KEYS:
            err(c, f"unknown key expect.{k}")
        elif not isinstance(v, EXPECT_KEYS[k]) or isinstance(v, bool) and EXPECT_KEYS[k] is int:
            err(c, f"expect.{k} has the wrong type")
    missing = EXPECT_REQUIRED - set(e)
    for k in missing:
        err(c, f"missing required expect.{k}")
    if missing:
        return

    desc = t.get("description", "")
    if not desc.strip() or "\n" in desc:
        err(c, "description must be one non-empty line")
    for key, allowed, where in (("requested_format", REQUESTED_FORMATS, t),
                                ("class", CLASSES, e), ("actual_format", ACTUAL_FORMATS, e),
                                ("form", FORMS, e), ("mismatch_inner", MISMATCH_INNER, e),
                                ("mismatch_branch", MISMATCH_BRANCH, e)):
        if key in where and where[key] not in allowed:
            err(c, f"{key} = {where[key]!r} is not one of {sorted(allowed)}")
    if "http_status" in t and not 100 <= t["http_status"] <= 599:
        err(c, "http_status out of range")
    if "facts" in e and not all(isinstance(f, str) and f for f in e["facts"]):
        err(c, "facts must be non-empty strings")
    if "request_id" in e and not REQUEST_ID_RE.match(e["request_id"]):
        err(c, f"request_id {e['request_id']!r} is not 12-15 lower-case alphanumerics")

    cls, fmt = e["class"], e["actual_format"]
    inner = e.get("mismatch_inner")

    # structural rules
    if (cls == "format-mismatch") != ("mismatch_inner" in e and "mismatch_branch" in e):
        err(c, "mismatch_inner and mismatch_branch are required for, and only for, format-mismatch")
    if cls == "format-mismatch":
        if "requested_format" not in t:
            err(c, "a format mismatch needs requested_format")
        elif t["requested_format"] == fmt:
            err(c, "format-mismatch but actual_format equals requested_format")
        if inner == "html" and fmt != "html":
            err(c, "mismatch_inner html needs actual_format html")
        if inner in ("html", "unparseable") and e.get("mismatch_branch") != "server":
            err(c, "an HTML or unparseable body takes the server branch")
        if inner == "success" and e.get("mismatch_branch") != "frequency":
            err(c, "a success in the wrong format takes the frequency branch")
    elif "requested_format" in t and fmt in ("json", "xml") and t["requested_format"] != fmt \
            and cls != "connection" and not e["guessed"]:
        err(c, "actual_format differs from requested_format but class is not format-mismatch")
    if "wait_seconds" in e:
        if cls != "flow-control":
            err(c, "wait_seconds only for flow-control")
        m = BAN_RE.match(e.get("sub_msg", ""))
        if not m or int(m.group(1)) != e["wait_seconds"]:
            err(c, "wait_seconds must equal N of sub_msg 'This ban will last for N more seconds'")
    elif is_ban(e.get("sub_msg")):
        err(c, "sub_msg announces a ban but wait_seconds is missing")
    if "response_key" in e and not (cls == "success" or inner == "success"):
        err(c, "response_key only for success results")
    if cls == "success" and e.get("form") in ("v1", "v2") and "response_key" not in e:
        err(c, "a wrapped success needs response_key")
    needs_form = cls != "connection" and inner not in ("html", "unparseable")
    if needs_form and "form" not in e:
        err(c, "form is required for a TOP body")
    if not needs_form and "form" in e:
        err(c, "form does not apply to a non-TOP body")
    if cls == "connection":
        if "http_status" not in t:
            err(c, "connection cases need http_status")
        elif t["http_status"] == 200 and c.body:
            err(c, "status 200 with a body is not a connection failure")
    elif t.get("http_status", 200) != 200:
        err(c, "a non-200 status is a connection failure")
    if cls in ("success", "connection") or inner in ("success", "html", "unparseable"):
        for k in ("code", "sub_code", "msg", "sub_msg", "known"):
            if k in e:
                err(c, f"expect.{k} makes no sense for this class")
    if cls in ("platform", "isv-business", "provider", "flow-control") or \
            inner in ("platform-error", "business-error"):
        if "code" not in e:
            err(c, "an error case needs expect.code")
    if "code" in e:
        known = e.get("known", True)
        if known and e["code"] not in KNOWN_CODES:
            err(c, f"code {e['code']} is in no table: set known = false")
        if not known and e["code"] in KNOWN_CODES:
            err(c, f"code {e['code']} is known")
        if inner == "platform-error" and e["code"] >= 100:
            err(c, "platform-error inner needs a code below 100")
        if inner == "business-error" and e["code"] < 100:
            err(c, "business-error inner needs a product-line code")

    # the body
    if c.body is not None:
        body = c.body
        if (fmt == "empty") != (len(body) == 0):
            err(c, "actual_format empty iff the body is empty")
        if fmt == "html" and b"<html" not in body.lower():
            err(c, "actual_format html but no <html in the body")
        if not e["guessed"] and fmt in ("json", "xml"):
            try:
                facts = read_json_body(body) if fmt == "json" else read_xml_body(body)
            except Exception as ex:  # noqa: BLE001 - any parse failure is a corpus error
                err(c, f"body claimed well-formed {fmt} does not parse: {ex}")
            else:
                compare_facts(c, facts)

    # reading rules
    if cls in ("platform", "isv-business", "provider", "flow-control"):
        want = derived_class(e)
        if want is None:
            err(c, "class cannot be derived from the facts by the README rules")
        elif want != cls:
            err(c, f"class {cls} but the README rules give {want}")
    want_r = derived_retryable(e, t)
    if want_r is not None and want_r != e["retryable"]:
        err(c, f"retryable = {e['retryable']} but the README rules give {want_r}")


def compare_facts(c: Case, facts: dict) -> None:
    e = c.expect
    if len(facts["top_keys"]) != 1 and facts["form"] != "simplified":
        err(c, "well-formed body must have exactly one top-level key")
    if e.get("form") != facts["form"]:
        err(c, f"form {e.get('form')!r} but the body reads as {facts['form']!r}")
    for f in ("code", "msg", "sub_code", "sub_msg", "request_id", "response_key"):
        if e.get(f) != facts.get(f):
            err(c, f"expect.{f} = {e.get(f)!r} but the body says {facts.get(f)!r}")
    is_success = e["class"] == "success" or e.get("mismatch_inner") == "success"
    if is_success == facts["error"]:
        err(c, "success/error expectation disagrees with the body")
    if facts.get("has_code"):
        err(c, "a success body never contains code or sub_code")


# ---- coverage ------------------------------------------------------------------------------------

def coverage(cases: list[Case]) -> list[str]:
    ok = [c for c in cases if c.expect]
    ex = [c.expect for c in ok]
    lines = []

    def need(cond: bool, what: str) -> None:
        if not cond:
            err(None, f"coverage: {what}")

    need(len(ok) >= MIN_CASES, f"at least {MIN_CASES} cases (have {len(ok)})")

    by_code = defaultdict(list)
    for c in ok:
        if "code" in c.expect:
            by_code[c.expect["code"]].append(c)
    missing = [k for k in PLATFORM_CODES if k not in by_code]
    need(not missing, f"platform codes without a case: {missing}")
    lines.append(f"platform codes covered: {len(PLATFORM_CODES) - len(missing)}/{len(PLATFORM_CODES)}"
                 + (f" (missing {missing})" if missing else ""))
    plat = [e for e in ex if e.get("code", 999) < 100]
    shapes = Counter((e.get("form"), e["actual_format"]) for e in plat)
    xml_args = sum(1 for c in ok if c.expect.get("code", 999) < 100 and c.expect.get("form") == "v2"
                   and c.body and b'<args list="true">' in c.body)
    v1_xml_cdata = sum(1 for c in ok if c.expect.get("code", 999) < 100 and c.expect.get("form") == "v1"
                       and c.body and b"<![CDATA[" in c.body)
    need(shapes[("v2", "json")] >= 15, "at least 15 platform-range cases in v2 JSON")
    need(xml_args >= 3, 'at least 3 platform-range v2 XML cases with <args list="true">')
    need(shapes[("v1", "json")] >= 2, "at least 2 platform-range v1 JSON error_rsp cases")
    need(v1_xml_cdata >= 2, "at least 2 platform-range v1 XML error_rsp cases with CDATA")
    lines.append(f"platform-range shapes: v2 json {shapes[('v2', 'json')]}, v2 xml {shapes[('v2', 'xml')]}"
                 f" ({xml_args} with args list), v1 json {shapes[('v1', 'json')]},"
                 f" v1 xml {shapes[('v1', 'xml')]} ({v1_xml_cdata} with CDATA)")

    subs = Counter(e["sub_code"] for e in ex if "sub_code" in e)
    for group, names in (("ERRORS.md section 2 sub codes", SUB_CODES),
                         ("odd spellings", ODD_SUB_CODES), ("accesscontrol sub codes", ACCESSCONTROL)):
        miss = [s for s in names if s not in subs]
        need(not miss, f"{group} without a case: {miss}")
        lines.append(f"{group}: {len(names) - len(miss)}/{len(names)}"
                     + (f" (missing {miss})" if miss else ""))
    flow = [e for e in ex if e["class"] == "flow-control"]
    need({4, 5, 6, 7, 8} <= {e.get("code") for e in flow}, "flow control codes 4-8")
    need(all(any(e.get("sub_code") == s and "wait_seconds" in e for e in flow) for s in ACCESSCONTROL),
         "every accesscontrol sub code with wait_seconds")
    lines.append(f"flow control: {len(flow)} cases, {sum('wait_seconds' in e for e in flow)} with"
                 f" wait_seconds ({sorted(e['wait_seconds'] for e in flow if 'wait_seconds' in e)})")

    lines_v2 = sorted({e["code"] for e in ex if e.get("form") == "v2" and e.get("code", 0) >= 500})
    miss = [k for k in BUSINESS_LINES_REQUIRED if k not in lines_v2]
    need(not miss, f"v2 business product lines without a case: {miss}")
    lines.append(f"v2 business codes: {lines_v2}")
    need(any(e.get("code") == 15 and "sub_code" in e for e in ex), "code 15 with a business sub code")
    need(any(e.get("code") == 50 and "sub_code" in e for e in ex), "code 50 with a business sub code")
    need(any(e.get("code") == 27 and e.get("sub_code") == "invalid-sessionkey" for e in ex),
         "code 27 with invalid-sessionkey")
    need(any(e.get("code") == 27 and e.get("sub_code") == "session-expired" for e in ex),
         "code 27 with session-expired")
    unknown = [(e.get("code"), e["class"]) for e in ex if e.get("known") is False]
    need(any(k < 100 for k, _ in unknown) and any(k >= 100 for k, _ in unknown),
         "an unknown platform-range code and an unknown business code (known = false)")
    lines.append(f"unknown codes (known = false): {sorted(unknown)}")

    v1 = [e for e in ex if e.get("form") == "v1" and e.get("code", 0) >= 500]
    miss = [k for k in V1_LEGACY_REQUIRED if k not in {e["code"] for e in v1}]
    need(not miss, f"v1 legacy business codes without a case: {miss}")
    need({"json", "xml"} <= {e["actual_format"] for e in v1}, "v1 legacy codes in JSON and XML")
    need({"json", "xml"} <= {e["actual_format"] for e in v1 if e["code"] == 551}, "551 in JSON and XML")
    lines.append("v1 legacy business: " + ", ".join(
        f"{e['code']}/{e['actual_format']}" for e in sorted(v1, key=lambda e: e["code"])))

    succ = [c for c in ok if c.expect["class"] == "success" and not c.expect["guessed"]]
    kinds = {(c.expect["form"], c.expect["actual_format"]) for c in succ}
    for k in (("v2", "json"), ("v2", "xml"), ("simplified", "json"), ("v1", "json"), ("v1", "xml")):
        need(k in kinds, f"a success in form {k[0]} / {k[1]}")
    need(any(c.toml.get("method") == "taobao.time.get" for c in succ), "a taobao.time.get success")
    lines.append(f"successes: {len(succ)} well-formed, kinds {sorted(kinds)}")

    for name, allowed, key in (("classes", CLASSES, "class"),
                               ("actual formats", ACTUAL_FORMATS, "actual_format"),
                               ("forms", FORMS, "form"),
                               ("mismatch inner kinds", MISMATCH_INNER, "mismatch_inner"),
                               ("mismatch branches", MISMATCH_BRANCH, "mismatch_branch")):
        cnt = Counter(e[key] for e in ex if key in e)
        miss = sorted(allowed - set(cnt))
        need(not miss, f"{name} without a case: {miss}")
        lines.append(f"{name}: " + ", ".join(f"{k} {cnt[k]}" for k in sorted(cnt)))

    mm = [c for c in ok if c.expect["class"] == "format-mismatch"]
    pairs = {(c.toml.get("requested_format"), c.expect["actual_format"]) for c in mm}
    for p in (("json", "xml"), ("xml", "json"), ("json", "html")):
        need(p in pairs, f"a format mismatch asked {p[0]} got {p[1]}")

    conn = [c for c in ok if c.expect["class"] == "connection"]
    statuses = Counter(c.toml.get("http_status") for c in conn)
    miss = [s for s in CONNECTION_STATUSES if s not in statuses]
    need(not miss, f"connection statuses without a case: {miss}")
    need(any(c.toml.get("http_status") == 200 and c.body == b"" for c in conn), "status 200 empty body")
    lines.append("connection statuses: " + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))

    guessed = [c for c in ok if c.expect["guessed"]]
    need(len(guessed) >= 12, "at least 12 guessed (damaged / pasted / garbage) cases")
    lines.append(f"guessed (damaged, pasted, garbage): {len(guessed)}")
    return lines


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    cases = []
    numbers = Counter()
    for d in dirs:
        c = Case(d)
        check_case(c)
        cases.append(c)
        m = DIR_RE.match(d.name)
        if m:
            numbers[m.group(1)] += 1
    for n, k in numbers.items():
        if k > 1:
            err(None, f"case number {n} used {k} times")
    summary = coverage(cases)
    print(f"corpus: {root}")
    print(f"cases: {len(cases)}")
    for line in summary:
        print("  " + line)
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  - " + e)
        return 1
    print("\nOK: all cases valid, coverage met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
