//! `topgate diagnose`: explains a response: a file the SDK saved, a bare body (a file or
//! standard input), or a call the gateway archived (`--request-id` with the admin API).
//!
//! Exit codes: 0 the response was a success, 1 it was an error (and is explained), 2 usage or
//! I/O error (the file cannot be read, the admin API cannot be reached or refuses).

use std::io::{Read, Write};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use clap::{Args, ValueEnum};
use topgate_diagnose::{diagnose, diagnose_archived, ArchivedCall, Class, Diagnosis, Evidence};
use topgate_diagnose::{Format, Lang};

/// Explain a TOP response: its class, the code in plain words, the cause and what to do.
#[derive(Debug, Clone, Default, Args)]
pub struct DiagnoseArgs {
    /// The SDK's saved-response file, or a bare response body; `-` reads standard input
    #[arg(value_name = "FILE|-", conflicts_with = "request_id")]
    pub file: Option<String>,
    /// The format the client asked for (for a bare body; a saved file says it)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub requested_format: Option<FormatArg>,
    /// The HTTP status the client saw (for a bare body)
    #[arg(long, value_name = "N")]
    pub http_status: Option<u16>,
    /// The API that was called, e.g. taobao.item.get (for a bare body)
    #[arg(long, value_name = "NAME")]
    pub method: Option<String>,
    /// Output language [default: zh when LC_ALL/LANG starts with "zh", else en]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Machine-readable output: class, code, sub_code, retryable, wait_seconds, cause, remedy, ...
    #[arg(long)]
    pub json: bool,
    /// Explain an archived call by its request id, with what the server saw (needs --server)
    #[arg(long, value_name = "ID")]
    pub request_id: Option<String>,
    /// The gateway's admin API, e.g. http://127.0.0.1:9001
    #[arg(long, env = "TOPGATE_ADMIN_URL", value_name = "URL")]
    pub server: Option<String>,
    /// The admin API token
    #[arg(
        long,
        env = "TOPGATE_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Json,
    Xml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

/// Runs the command; usage and I/O errors are reported here and give exit code 2.
pub async fn run(args: DiagnoseArgs) -> anyhow::Result<i32> {
    let env = |name: &str| std::env::var(name).ok();
    let mut out = Vec::new();
    let code = match execute(&args, &env, &mut out).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("topgate diagnose: {e:#}");
            2
        }
    };
    std::io::stdout().write_all(&out)?;
    Ok(code)
}

/// The command with its environment passed in; writes the diagnosis to `out`.
async fn execute(
    args: &DiagnoseArgs,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<u8>,
) -> anyhow::Result<i32> {
    let d = match (&args.request_id, &args.file) {
        (Some(id), _) => diagnose_archived(&fetch(args, id).await?),
        (None, Some(file)) => diagnose(&evidence(args, file)?),
        (None, None) => {
            bail!("nothing to diagnose: give a FILE (or - for standard input), or --request-id ID")
        }
    };
    write(&d, args, default_lang(args.lang, env), out)?;
    Ok(if d.class == Class::Success { 0 } else { 1 })
}

fn evidence(args: &DiagnoseArgs, file: &str) -> anyhow::Result<Evidence> {
    let bytes = if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        buf
    } else {
        std::fs::read(file).with_context(|| format!("cannot read {file}"))?
    };
    let mut e = Evidence::from_saved_file(&bytes).with_context(|| format!("cannot read {file}"))?;
    if let Some(f) = args.requested_format {
        e.requested_format = Some(match f {
            FormatArg::Json => Format::Json,
            FormatArg::Xml => Format::Xml,
        });
    }
    if args.http_status.is_some() {
        e.http_status = args.http_status;
    }
    if args.method.is_some() {
        e.method.clone_from(&args.method);
    }
    Ok(e)
}

/// `GET {server}/admin/requests/{id}` with the bearer token.
async fn fetch(args: &DiagnoseArgs, id: &str) -> anyhow::Result<ArchivedCall> {
    let server = args
        .server
        .as_deref()
        .ok_or_else(|| anyhow!("--request-id needs --server URL (or TOPGATE_ADMIN_URL)"))?;
    let token = args
        .token
        .as_deref()
        .ok_or_else(|| anyhow!("--request-id needs --token TOKEN (or TOPGATE_ADMIN_TOKEN)"))?;
    let mut url =
        reqwest::Url::parse(server).with_context(|| format!("--server {server:?} is not a URL"))?;
    url.path_segments_mut()
        .map_err(|()| anyhow!("--server {server:?} cannot have a path"))?
        .pop_if_empty()
        .extend(["admin", "requests", id]);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client")?;
    let resp = client
        .get(url.clone())
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("cannot reach the admin API at {url}"))?;
    let status = resp.status();
    let body = resp
        .bytes()
        .await
        .context("the admin API's answer was cut off")?;
    match status.as_u16() {
        200 => {}
        404 => bail!("the archive has no call with request id {id} (it may have expired)"),
        401 | 403 => bail!("the admin API refused the token (HTTP {status})"),
        _ => bail!(
            "the admin API answered HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ),
    }
    let mut json: serde_json::Value =
        serde_json::from_slice(&body).context("the admin API's answer is not JSON")?;
    for key in ["record", "request", "data"] {
        if let Some(inner) = json.get(key).filter(|v| v.is_object()) {
            json = inner.clone();
            break;
        }
    }
    serde_json::from_value(json).context("the admin API's answer is not an archived call")
}

/// `--lang`, else LC_ALL / LC_MESSAGES / LANG: Chinese when it starts with "zh".
fn default_lang(arg: Option<LangArg>, env: &dyn Fn(&str) -> Option<String>) -> Lang {
    match arg {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        None => {
            let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|k| env(k).filter(|v| !v.is_empty()))
                .unwrap_or_default();
            if locale.to_ascii_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            }
        }
    }
}

fn write(d: &Diagnosis, args: &DiagnoseArgs, lang: Lang, out: &mut Vec<u8>) -> anyhow::Result<()> {
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &d.to_json())?;
        out.push(b'\n');
    } else {
        out.extend_from_slice(d.render_text(lang).as_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http_body_util::Full;
    use hyper::body::{Bytes, Incoming};
    use hyper::{Request, Response};

    use super::*;

    const TOKEN: &str = "t0ken";
    const RECORD: &str = r#"{"request_id":"abc123","received_at_ms":1767225600000,
        "client_addr":"127.0.0.1:50512","app_key":"12345678","method":"taobao.item.get",
        "version":"2.0","format":"json","sign_method":"md5",
        "params":[["app_key","12345678"],["method","taobao.item.get"],["num_iid","1"]],
        "failed_check":"signature","check_detail":"the sign does not match",
        "string_to_sign":"app_key12345678methodtaobao.item.getnum_iid1","code":25,
        "sub_code":null,"response_body":"{\"error_response\":{\"code\":25,\"msg\":\"Invalid signature\",\"request_id\":\"abc123\"}}",
        "latency_ms":0.4,"backend":null}"#;

    fn respond(req: &Request<Incoming>) -> Response<Full<Bytes>> {
        let auth = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        let (status, body) = if auth != Some(&format!("Bearer {TOKEN}")) {
            (401, "{}")
        } else if req.uri().path() == "/admin/requests/abc123" {
            (200, RECORD)
        } else {
            (404, "{}")
        };
        let mut resp = Response::new(Full::new(Bytes::from(body)));
        *resp.status_mut() = hyper::StatusCode::from_u16(status).expect("status");
        resp
    }

    /// A fake admin API on 127.0.0.1:0 serving one canned record.
    async fn fake_admin() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let io = hyper_util::rt::TokioIo::new(stream);
                let svc = hyper::service::service_fn(|req: Request<Incoming>| async move {
                    Ok::<_, Infallible>(respond(&req))
                });
                tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(io, svc));
            }
        });
        format!("http://{addr}/")
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    async fn exec(args: DiagnoseArgs) -> (anyhow::Result<i32>, String) {
        let mut out = Vec::new();
        let code = execute(&args, &no_env, &mut out).await;
        (code, String::from_utf8(out).expect("utf-8"))
    }

    #[tokio::test]
    async fn archived_call_from_the_admin_api() {
        let server = fake_admin().await;
        let args = DiagnoseArgs {
            request_id: Some("abc123".into()),
            server: Some(server.clone()),
            token: Some(TOKEN.into()),
            json: true,
            ..DiagnoseArgs::default()
        };
        let (code, out) = exec(args.clone()).await;
        assert_eq!(code.expect("diagnosed"), 1);
        let json: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(json["class"], "platform");
        assert_eq!(json["code"], 25);
        assert!(
            out.contains("app_key12345678methodtaobao.item.getnum_iid1"),
            "{out}"
        );
        assert!(out.contains("the sign does not match"), "{out}");
        let wrong = DiagnoseArgs {
            token: Some("nope".into()),
            ..args.clone()
        };
        assert!(exec(wrong)
            .await
            .0
            .unwrap_err()
            .to_string()
            .contains("refused the token"));
        let missing = DiagnoseArgs {
            request_id: Some("zzz".into()),
            ..args
        };
        assert!(exec(missing)
            .await
            .0
            .unwrap_err()
            .to_string()
            .contains("no call"));
    }

    #[tokio::test]
    async fn files_and_exit_codes() {
        let dir = std::env::temp_dir().join(format!("topgate-diagnose-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let error = dir.join("error.json");
        std::fs::write(&error, r#"{"error_response":{"code":7,"msg":"App Call Limited","sub_msg":"This ban will last for 9 more seconds"}}"#).expect("write");
        let ok = dir.join("ok.xml");
        std::fs::write(
            &ok,
            "<time_get_response><time>2026-01-01 00:00:00</time></time_get_response>",
        )
        .expect("write");
        let args = |file: &std::path::Path| DiagnoseArgs {
            file: Some(file.display().to_string()),
            lang: Some(LangArg::En),
            ..DiagnoseArgs::default()
        };
        let (code, out) = exec(args(&error)).await;
        assert_eq!(code.expect("diagnosed"), 1);
        assert!(
            out.contains("flow control") && out.contains("9 seconds"),
            "{out}"
        );
        let (code, _) = exec(DiagnoseArgs {
            requested_format: Some(FormatArg::Xml),
            ..args(&ok)
        })
        .await;
        assert_eq!(code.expect("diagnosed"), 0);
        let (code, out) = exec(DiagnoseArgs {
            requested_format: Some(FormatArg::Json),
            ..args(&ok)
        })
        .await;
        assert_eq!(code.expect("diagnosed"), 1, "{out}");
        assert!(exec(args(&dir.join("absent"))).await.0.is_err());
        assert!(exec(DiagnoseArgs::default()).await.0.is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn language_from_the_environment() {
        let zh = |k: &str| (k == "LANG").then(|| "zh_CN.UTF-8".to_string());
        let c_all = |k: &str| match k {
            "LC_ALL" => Some("C".to_string()),
            _ => Some("zh_CN.UTF-8".to_string()),
        };
        assert_eq!(default_lang(None, &zh), Lang::Zh);
        assert_eq!(default_lang(None, &c_all), Lang::En);
        assert_eq!(default_lang(None, &no_env), Lang::En);
        assert_eq!(default_lang(Some(LangArg::En), &zh), Lang::En);
    }
}
