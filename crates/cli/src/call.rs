//! `topgate call METHOD [name=value]... [name=@file]`: one signed call with the SDK, the answer
//! on stdout, a one-line diagnosis on stderr. Exit codes: 0 success, 1 the API answered an
//! error, 2 a transport, format-mismatch or usage error.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use topgate_protocol::errors::Lang;
use topgate_protocol::parse::Outcome;
use topgate_protocol::time::parse_timestamp;
use topgate_sdk::{
    ApiError, BodyFormat, Client, Error, Format, Request, RetryPolicy, SignMethod, TransportKind,
    Version,
};

const DEFAULT_URL: &str = "http://127.0.0.1:8080/router/rest";
const EXIT_API: i32 = 1;
const EXIT_ERROR: i32 = 2;

/// Calls one API and prints the answer.
///
/// Credentials come from the flags, else the TOPGATE_* variables, else `--profile NAME`
/// (`[profiles.NAME]` with url, app_key, secret, session in ~/.config/topgate/profiles.toml).
#[derive(Debug, Clone, clap::Args)]
pub struct CallArgs {
    /// The API, e.g. taobao.item.get
    pub method: String,
    /// Business parameters: name=value (split at the first '='), name=@PATH to attach a file,
    /// name=@@text to send a value that starts with '@'
    #[arg(value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Endpoint [default: http://127.0.0.1:8080/router/rest]
    #[arg(long, env = "TOPGATE_URL")]
    pub url: Option<String>,
    #[arg(long, env = "TOPGATE_APP_KEY")]
    pub app_key: Option<String>,
    #[arg(long, env = "TOPGATE_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// A profile from ~/.config/topgate/profiles.toml
    #[arg(long, env = "TOPGATE_PROFILE")]
    pub profile: Option<String>,
    #[arg(long, env = "TOPGATE_SESSION", hide_env_values = true)]
    pub session: Option<String>,
    #[arg(long, default_value = "json", value_parser = ["json", "xml"])]
    pub format: String,
    /// Protocol version
    #[arg(long = "v", value_name = "VERSION", default_value = "2.0", value_parser = ["2.0", "1.0"])]
    pub version: String,
    #[arg(long, default_value = "md5", value_parser = ["md5", "hmac", "hmac-sha256"])]
    pub sign_method: String,
    /// Send simplify=true (JSON only)
    #[arg(long)]
    pub simplify: bool,
    /// Save every response into DIR (the format `topgate diagnose` reads)
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// Send this timestamp instead of now, to reproduce a call
    #[arg(long, value_name = "yyyy-MM-dd HH:mm:ss")]
    pub timestamp: Option<String>,
    /// Timeout of one attempt, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Retry provider errors and flow-control bans, up to N attempts in all
    #[arg(long, value_name = "N")]
    pub retry: Option<u32>,
    /// Print the string to sign, the signature and the HTTP request; send nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// A business parameter from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamArg {
    Text { name: String, value: String },
    File { name: String, path: PathBuf },
}

/// Reads `name=value`, `name=@PATH` or `name=@@text`.
pub fn parse_param(arg: &str) -> Result<ParamArg, String> {
    let Some((name, value)) = arg.split_once('=') else {
        return Err(format!("{arg:?}: expected NAME=VALUE or NAME=@FILE"));
    };
    if name.is_empty() {
        return Err(format!("{arg:?}: the parameter name is empty"));
    }
    let name = name.to_string();
    if let Some(text) = value.strip_prefix("@@") {
        return Ok(ParamArg::Text {
            name,
            value: format!("@{text}"),
        });
    }
    match value.strip_prefix('@') {
        Some("") => Err(format!("{arg:?}: no file after '@'")),
        Some(path) => Ok(ParamArg::File {
            name,
            path: PathBuf::from(path),
        }),
        None => Ok(ParamArg::Text {
            name,
            value: value.to_string(),
        }),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ProfilesFile {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// `[profiles.NAME]` in profiles.toml.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Profile {
    pub url: Option<String>,
    pub app_key: Option<String>,
    pub secret: Option<String>,
    pub session: Option<String>,
}

/// `$XDG_CONFIG_HOME/topgate/profiles.toml`, else `~/.config/topgate/profiles.toml`.
pub fn profiles_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("topgate").join("profiles.toml"))
}

/// Reads profile `name` from the file at `path`.
pub fn load_profile(path: &Path, name: &str) -> Result<Profile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: ProfilesFile =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    file.profiles
        .get(name)
        .cloned()
        .ok_or_else(|| format!("no [profiles.{name}] in {}", path.display()))
}

/// Endpoint and credentials after flags, environment, profile and defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    url: String,
    app_key: String,
    secret: String,
    session: Option<String>,
}

fn resolve(args: &CallArgs, profile: Profile) -> Result<Target, String> {
    let pick = |flag: &Option<String>, prof: Option<String>| flag.clone().or(prof);
    let url = pick(&args.url, profile.url).unwrap_or_else(|| DEFAULT_URL.to_string());
    let app_key = pick(&args.app_key, profile.app_key)
        .ok_or("no app key: pass --app-key, set TOPGATE_APP_KEY, or use --profile")?;
    let secret = pick(&args.secret, profile.secret)
        .ok_or("no secret: pass --secret, set TOPGATE_SECRET, or use --profile")?;
    let session = pick(&args.session, profile.session).filter(|s| !s.is_empty());
    Ok(Target {
        url,
        app_key,
        secret,
        session,
    })
}

/// Runs `topgate call` and returns the exit code: 0 success, 1 the API answered an error, 2 a
/// transport, format-mismatch or usage error (printed to stderr here, so the caller only exits).
pub async fn run(args: CallArgs) -> anyhow::Result<i32> {
    match call(&args).await {
        Ok(code) => Ok(code),
        Err(msg) => {
            eprintln!("error: {msg}");
            Ok(EXIT_ERROR)
        }
    }
}

async fn call(args: &CallArgs) -> Result<i32, String> {
    let profile = match &args.profile {
        Some(name) => {
            let path = profiles_path().ok_or("cannot find the config directory (HOME unset)")?;
            load_profile(&path, name)?
        }
        None => Profile::default(),
    };
    let target = resolve(args, profile)?;
    let (request, file_paths) = build_request(args)?;
    let client = build_client(args, &target)?;

    if args.dry_run {
        let prepared = client.prepare(&request).map_err(|e| e.to_string())?;
        println!(
            "# string to sign ({}; the secret is not shown):",
            prepared.sign_method.as_str()
        );
        println!("{}", prepared.string_to_sign);
        println!("# sign: {}", prepared.sign);
        println!("# HTTP request:");
        let label = |f: &topgate_protocol::FileParam| {
            let path = file_paths.get(&f.name).map(|p| p.display().to_string());
            format!("<{} bytes from {}>", f.data.len(), path.unwrap_or_default())
        };
        println!("{}", prepared.http_text(label));
        return Ok(0);
    }

    let result = client.call(request).await;
    let code = match result {
        Ok(ok) => {
            print_body(&ok.body);
            if let Some(path) = &ok.saved_to {
                eprintln!("saved: {}", path.display());
            }
            0
        }
        Err(err) => {
            if let Some(body) = err.body() {
                print_body(body);
            }
            eprintln!("{}", diagnosis(&err, &target.url));
            if let Some(dir) = &args.save {
                eprintln!("saved: in {}", dir.display());
            }
            match err {
                Error::Api(_) => EXIT_API,
                _ => EXIT_ERROR,
            }
        }
    };
    Ok(code)
}

fn build_request(args: &CallArgs) -> Result<(Request, HashMap<String, PathBuf>), String> {
    let mut request = Request::new(&args.method);
    let mut paths = HashMap::new();
    for arg in &args.params {
        request = match parse_param(arg)? {
            ParamArg::Text { name, value } => request.param(name, value),
            ParamArg::File { name, path } => {
                let data = std::fs::read(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let filename = path
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_else(|| name.clone());
                paths.insert(name.clone(), path);
                request.file(name, filename, data)
            }
        };
    }
    Ok((request, paths))
}

fn build_client(args: &CallArgs, target: &Target) -> Result<Client, String> {
    let format = Format::parse(Some(&args.format)).ok_or("--format: json or xml")?;
    let version = if args.version == "1.0" {
        Version::V1
    } else {
        Version::V2
    };
    let sign_method = SignMethod::parse(Some(&args.sign_method))
        .ok_or("--sign-method: md5, hmac or hmac-sha256")?;
    let mut builder = Client::builder(&target.url, &target.app_key, &target.secret)
        .format(format)
        .version(version)
        .sign_method(sign_method)
        .simplify(args.simplify)
        .timeout(Duration::from_secs(args.timeout.max(1)));
    if let Some(session) = &target.session {
        builder = builder.session(session);
    }
    if let Some(ts) = &args.timestamp {
        let ms = parse_timestamp(ts)
            .map_err(|e| format!("--timestamp {ts:?}: {e} (yyyy-MM-dd HH:mm:ss, GMT+8)"))?;
        builder = builder.fixed_timestamp(ms);
    }
    if let Some(dir) = &args.save {
        builder = builder.save_dir(dir);
    }
    if let Some(n) = args.retry {
        builder = builder.retry(RetryPolicy::new(n.max(1)));
    }
    builder.build().map_err(|e| e.to_string())
}

/// Pretty-printed JSON when the body is JSON; anything else as it is.
fn print_body(body: &[u8]) {
    let pretty = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    match pretty {
        Some(text) => println!("{text}"),
        None => {
            let text = String::from_utf8_lossy(body);
            println!("{}", text.trim_end());
        }
    }
}

/// The one-line diagnosis printed to stderr.
fn diagnosis(err: &Error, url: &str) -> String {
    match err {
        Error::Api(e) => api_line(e),
        Error::Transport {
            kind: TransportKind::Status,
            status: Some(s),
            ..
        } => {
            let hint = match s {
                404 => "check the address (the endpoint path is /router/rest) and the network",
                500..=599 => "the service is down or overloaded; retry later",
                _ => "not a TOP answer (a TOP server answers errors with 200)",
            };
            format!("error: {err} from {url}: {hint}")
        }
        Error::Transport { kind, .. } => {
            let hint = match kind {
                TransportKind::Connect => "check the address and that the server is running",
                TransportKind::Timeout => "no answer in time; retry later or raise --timeout",
                _ => "the connection failed mid-answer; retry",
            };
            format!("error: {err} ({url}): {hint}")
        }
        Error::FormatMismatch { actual, parsed, .. } => {
            // ERRORS.md section 4: read the body in the format it really is.
            let outcome = parsed.as_ref().map(|r| &r.outcome);
            let hint = match (actual, outcome) {
                (BodyFormat::Html, _) => {
                    "an HTML page, not a TOP server: check the address and any proxy in between"
                }
                (_, Some(Outcome::Success(_))) => {
                    "the data is right, only the format is wrong: calls are too frequent or the \
                     server is under strain; slow down, and send the saved response to support"
                }
                (_, Some(Outcome::Error(_))) => {
                    "the server lost the format, so the request was probably damaged in transit: \
                     shrink large parameters (images, long text) and retry; \
                     `topgate diagnose` on the saved response walks through the rest"
                }
                (_, None) => "not a TOP response in either format",
            };
            format!("error: {err}: {hint}")
        }
        Error::Parse { .. } | Error::Usage { .. } => format!("error: {err}"),
    }
}

fn api_line(e: &ApiError) -> String {
    let mut line = format!("error: code {} ({})", e.code, e.msg);
    if let Some(sc) = &e.sub_code {
        line.push_str(&format!(", sub_code {sc}"));
        if let Some(sm) = &e.sub_msg {
            line.push_str(&format!(" ({sm})"));
        }
    }
    let retry = match (e.retryable, e.wait_seconds) {
        (true, Some(n)) => format!("retryable, retry in {n} s"),
        (true, None) => "retryable".to_string(),
        (false, _) => "not retryable".to_string(),
    };
    line.push_str(&format!(" [{}, {retry}]", e.class.as_str()));
    let remedy = e
        .remedy(Lang::En)
        .unwrap_or("see sub_msg and the API's documentation");
    line.push_str(&format!(": {remedy}"));
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use topgate_protocol::ErrorBody;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        call: CallArgs,
    }

    fn args(argv: &[&str]) -> CallArgs {
        let argv = std::iter::once("topgate-call").chain(argv.iter().copied());
        Cli::try_parse_from(argv).unwrap().call
    }

    fn text(name: &str, value: &str) -> ParamArg {
        let (name, value) = (name.to_string(), value.to_string());
        ParamArg::Text { name, value }
    }

    #[test]
    fn params_split_at_the_first_equals() {
        assert_eq!(parse_param("num_iid=1"), Ok(text("num_iid", "1")));
        assert_eq!(parse_param("q=a=b==c"), Ok(text("q", "a=b==c")));
        assert_eq!(parse_param("empty="), Ok(text("empty", "")));
        assert_eq!(parse_param("title=中文 x"), Ok(text("title", "中文 x")));
        assert_eq!(parse_param("nick=@@tb"), Ok(text("nick", "@tb")));
        assert_eq!(
            parse_param("image=@dir/a=b.png"),
            Ok(ParamArg::File {
                name: "image".into(),
                path: "dir/a=b.png".into()
            })
        );
        for bad in ["noequals", "=value", "image=@"] {
            assert!(parse_param(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn command_line() {
        let a = args(&[
            "taobao.item.get",
            "fields=num_iid,title",
            "num_iid=1",
            "--v",
            "1.0",
            "--format",
            "xml",
            "--sign-method",
            "hmac-sha256",
            "--timestamp",
            "2016-01-01 12:00:00",
            "--dry-run",
        ]);
        assert_eq!(a.method, "taobao.item.get");
        assert_eq!(a.params, ["fields=num_iid,title", "num_iid=1"]);
        assert_eq!((a.version.as_str(), a.format.as_str()), ("1.0", "xml"));
        assert_eq!(a.sign_method, "hmac-sha256");
        assert!(a.dry_run && !a.simplify);
        let argv = ["topgate-call", "m", "--format", "yaml"];
        assert!(Cli::try_parse_from(argv).is_err());
    }

    #[test]
    fn files_are_read_and_named() {
        let dir = std::env::temp_dir().join(format!("topgate-call-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.png");
        std::fs::write(&path, b"PNG").unwrap();
        let mut a = args(&["taobao.item.img.upload", "num_iid=1"]);
        a.params.push(format!("image=@{}", path.display()));
        let (req, paths) = build_request(&a).unwrap();
        assert_eq!(req.params(), [("num_iid".to_string(), "1".to_string())]);
        assert_eq!(req.files()[0].filename, "a.png");
        assert_eq!(req.files()[0].data.as_ref(), b"PNG");
        assert_eq!(paths["image"], path);
        a.params.push("other=@/no/such/file".into());
        assert!(build_request(&a).unwrap_err().contains("/no/such/file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn profiles_and_precedence() {
        let path =
            std::env::temp_dir().join(format!("topgate-profiles-{}.toml", std::process::id()));
        std::fs::write(
            &path,
            "[profiles.demo]\nurl = \"http://p/router/rest\"\napp_key = \"1\"\nsecret = \"s\"\nsession = \"sess\"\n",
        )
        .unwrap();
        let profile = load_profile(&path, "demo").unwrap();
        assert!(load_profile(&path, "other")
            .unwrap_err()
            .contains("[profiles.other]"));
        std::fs::remove_file(&path).unwrap();

        let mut a = args(&["m"]);
        (a.url, a.app_key, a.secret, a.session) = (None, None, None, None);
        let t = resolve(&a, profile.clone()).unwrap();
        assert_eq!(
            (t.url.as_str(), t.app_key.as_str(), t.secret.as_str()),
            ("http://p/router/rest", "1", "s")
        );
        assert_eq!(t.session.as_deref(), Some("sess"));
        a.app_key = Some("flag".into());
        assert_eq!(resolve(&a, profile).unwrap().app_key, "flag");
        let t = resolve(
            &a,
            Profile {
                secret: Some("s".into()),
                ..Profile::default()
            },
        )
        .unwrap();
        assert_eq!(t.url, DEFAULT_URL);
        assert!(resolve(&a, Profile::default())
            .unwrap_err()
            .contains("--secret"));
    }

    fn api(code: i64, msg: &str, sub: Option<&str>, sub_msg: Option<&str>) -> ApiError {
        let body = ErrorBody {
            code,
            msg: msg.into(),
            sub_code: sub.map(Into::into),
            sub_msg: sub_msg.map(Into::into),
            ..ErrorBody::default()
        };
        ApiError::from_body(body, None, Default::default())
    }

    #[test]
    fn one_line_diagnosis() {
        let line = api_line(&api(25, "Invalid signature", None, None));
        assert!(
            line.starts_with("error: code 25 (Invalid signature) [platform, not retryable]: "),
            "{line}"
        );
        let e = api(
            530,
            "Remote service error",
            Some("isv.missing-parameter"),
            Some("iid和num_iid至少要传入一个"),
        );
        let line = api_line(&e);
        assert!(line.starts_with("error: code 530 (Remote service error), sub_code isv.missing-parameter (iid和num_iid至少要传入一个) [isv-business, not retryable]: "), "{line}");
        let ban = "This ban will last for 2 more seconds";
        let line = api_line(&api(
            7,
            "App Call Limited",
            Some("accesscontrol.limited-by-app-access-count"),
            Some(ban),
        ));
        assert!(
            line.contains("[flow-control, retryable, retry in 2 s]: "),
            "{line}"
        );
        let err = Error::Transport {
            kind: TransportKind::Status,
            status: Some(503),
            body: None,
            message: "Service Unavailable".into(),
        };
        let line = diagnosis(&err, "http://h/router/rest");
        assert_eq!(line, "error: HTTP status 503: Service Unavailable from http://h/router/rest: the service is down or overloaded; retry later");
    }
}
