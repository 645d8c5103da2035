//! A small fake TOP server on 127.0.0.1:0: merges query, form and multipart parameters, checks
//! the signature with `topgate_protocol::sign::verify`, records what it received, and answers
//! canned bodies chosen by `method`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use topgate_protocol::errors::ban_message;
use topgate_protocol::render::{render_error, render_success};
use topgate_protocol::sign::{verify, SignMethod};
use topgate_protocol::{ErrorBody, FileParam, Format, Params, ResponseForm, Value, Version};

pub const APP_KEY: &str = "12345678";
pub const SECRET: &str = "helloworld";
pub const SESSION: &str = "demo-session-tbtest561";
pub const REQUEST_ID: &str = "1a2b3c4d5e6f7";

/// What one request looked like on arrival.
#[derive(Debug, Clone)]
pub struct Seen {
    pub query: Params,
    pub body_params: Params,
    pub all: Params,
    pub content_type: String,
    pub sign_ok: bool,
    /// Raw `Content-Disposition` headers of multipart parts, in order.
    pub dispositions: Vec<String>,
}

#[derive(Clone)]
pub struct FakeTop {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeTop {
    /// Starts the server on its own thread (so blocking clients can use it too).
    pub fn start() -> FakeTop {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let state = seen.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(serve(state, tx));
        });
        let addr = rx.recv().unwrap();
        FakeTop {
            url: format!("http://{addr}/router/rest"),
            seen,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests for `method` arrived.
    pub fn hits(&self, method: &str) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|s| s.all.method() == Some(method))
            .count()
    }
}

async fn serve(seen: Arc<Mutex<Vec<Seen>>>, ready: std::sync::mpsc::Sender<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ready
        .send(listener.local_addr().unwrap().to_string())
        .unwrap();
    let hits: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        let (seen, hits) = (seen.clone(), hits.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(req, seen.clone(), hits.clone()));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Reply = hyper::Response<Full<Bytes>>;

async fn handle(
    req: hyper::Request<hyper::body::Incoming>,
    seen: Arc<Mutex<Vec<Seen>>>,
    hits: Arc<Mutex<HashMap<String, u32>>>,
) -> Result<Reply, Infallible> {
    let query = Params::from_urlencoded(req.uri().query().unwrap_or("").as_bytes()).unwrap();
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let (body_params, dispositions) = read_body(&content_type, body).await;
    let mut all = query.clone();
    for (n, v) in body_params.text() {
        all.insert(n.clone(), v.clone()).unwrap();
    }
    for f in body_params.files() {
        all.insert_file(f.clone()).unwrap();
    }
    let method = SignMethod::parse(all.sign_method()).unwrap();
    let sign_ok = verify(method, SECRET, &all, None, all.sign().unwrap_or(""));
    seen.lock().unwrap().push(Seen {
        query,
        body_params,
        all: all.clone(),
        content_type,
        sign_ok,
        dispositions,
    });
    let api = all.method().unwrap_or("").to_string();
    let hit = {
        let mut hits = hits.lock().unwrap();
        let n = hits.entry(api.clone()).or_default();
        *n += 1;
        *n
    };
    let format = Format::parse(all.format()).unwrap();
    let version = if all.version() == Some("1.0") {
        Version::V1
    } else {
        Version::V2
    };
    let form = ResponseForm::new(format, version, all.simplify());
    if !sign_ok {
        return Ok(error(form, 25, "Invalid signature", None, None));
    }
    Ok(answer(&api, hit, form, &all).await)
}

async fn read_body(content_type: &str, body: Bytes) -> (Params, Vec<String>) {
    if let Ok(boundary) = multer::parse_boundary(content_type) {
        let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(body) });
        let mut mp = multer::Multipart::new(stream, boundary);
        let (mut params, mut dispositions) = (Params::new(), Vec::new());
        while let Some(field) = mp.next_field().await.unwrap() {
            let disposition = field.headers()["content-disposition"].to_str().unwrap();
            dispositions.push(disposition.to_string());
            let name = field.name().unwrap().to_string();
            let filename = field.file_name().map(str::to_string);
            let ct = field.content_type().map(|m| m.to_string());
            let data = field.bytes().await.unwrap();
            match filename {
                Some(filename) => params
                    .insert_file(FileParam {
                        name,
                        filename,
                        content_type: ct,
                        data,
                    })
                    .unwrap(),
                None => params.insert_bytes(&name, data.to_vec()).unwrap(),
            }
        }
        (params, dispositions)
    } else {
        (Params::from_urlencoded(&body).unwrap(), Vec::new())
    }
}

fn reply(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
    hyper::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("x-request-id", REQUEST_ID)
        .body(Full::new(body.into()))
        .unwrap()
}

fn error(
    form: ResponseForm,
    code: i64,
    msg: &str,
    sub: Option<&str>,
    sub_msg: Option<&str>,
) -> Reply {
    let body = ErrorBody {
        code,
        msg: msg.into(),
        sub_code: sub.map(Into::into),
        sub_msg: sub_msg.map(Into::into),
        args: Vec::new(),
        request_id: Some(REQUEST_ID.into()),
    };
    reply(200, form.content_type(), render_error(form, &body))
}

fn success(form: ResponseForm, api: &str, fields: &[(String, Value)]) -> Reply {
    reply(
        200,
        form.content_type(),
        render_success(form, api, fields, REQUEST_ID),
    )
}

fn item(params: &Params) -> Vec<(String, Value)> {
    let num_iid: i64 = params.get("num_iid").unwrap_or("0").parse().unwrap_or(0);
    let item = Value::object([
        ("num_iid", Value::int(num_iid)),
        (
            "title",
            Value::str(params.get("title").unwrap_or("A shirt")),
        ),
        ("price", Value::str("19.90")),
    ]);
    let tags = Value::list("string", vec![Value::str("a"), Value::str("b")]);
    vec![("item".into(), item), ("tags".into(), tags)]
}

async fn answer(api: &str, hit: u32, form: ResponseForm, params: &Params) -> Reply {
    let json = ResponseForm::new(Format::Json, Version::V2, false);
    let xml = ResponseForm::new(Format::Xml, Version::V2, false);
    let ban = ban_message(2);
    match api {
        "taobao.item.get" => success(form, api, &item(params)),
        "taobao.item.img.upload" => {
            let f = params.file("image").expect("an image part");
            let img = Value::object([("size", Value::int(f.data.len() as i64))]);
            success(form, api, &[("item_img".into(), img)])
        }
        "taobao.item.missing" => error(
            form,
            530,
            "Remote service error",
            Some("isv.missing-parameter"),
            Some("iid和num_iid至少要传入一个"),
        ),
        "taobao.provider.down" => error(
            form,
            530,
            "Remote service error",
            Some("isp.item-service-unavailable"),
            Some("backend down"),
        ),
        "taobao.provider.flaky" if hit == 1 => error(
            form,
            530,
            "Remote service error",
            Some("isp.remote-service-error"),
            None,
        ),
        "taobao.provider.flaky" => success(form, api, &item(params)),
        "taobao.ban.always" => error(
            form,
            7,
            "App Call Limited",
            Some("accesscontrol.limited-by-app-access-count"),
            Some(&ban),
        ),
        "taobao.ban.flaky" if hit == 1 => error(
            form,
            7,
            "App Call Limited",
            Some("accesscontrol.limited-by-app-access-count"),
            Some(&ban),
        ),
        "taobao.ban.flaky" => success(form, api, &item(params)),
        "taobao.down" => reply(
            503,
            "text/html",
            "<html><body>503 Service Unavailable</body></html>",
        ),
        "taobao.xml.always" => success(xml, "taobao.item.get", &item(params)),
        "taobao.json.always" => error(json, 27, "Invalid session", None, None),
        "taobao.html.page" => reply(
            200,
            "text/html",
            "<!DOCTYPE html><html><body>Bad gateway</body></html>",
        ),
        "taobao.garbage" => reply(200, "text/plain", "hello"),
        "taobao.binary" => reply(200, "application/octet-stream", vec![0xff, 0xfe, 0x00]),
        "taobao.slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            success(form, api, &item(params))
        }
        _ => error(form, 22, "Invalid method", None, None),
    }
}
