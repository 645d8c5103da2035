//! `save_dir`: every attempt written as the documented saved-response file.

#![cfg(feature = "client")]

mod common;

use std::path::PathBuf;

use common::{FakeTop, APP_KEY, REQUEST_ID, SECRET, SESSION};
use topgate_sdk::saved::SavedResponse;
use topgate_sdk::{Client, Request};

fn files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn writes_the_documented_file() {
    let server = FakeTop::start();
    let dir = tempfile::tempdir().unwrap();
    let client = Client::builder(&server.url, APP_KEY, SECRET)
        .session(SESSION)
        .save_dir(dir.path().join("saved"))
        .build()
        .unwrap();
    let req = Request::new("taobao.item.img.upload")
        .param("num_iid", 1)
        .file("image", "a.png", vec![1u8; 10]);
    let ok = client.call(req).await.unwrap();
    let path = ok.saved_to.clone().unwrap();
    assert_eq!(files(&dir.path().join("saved")), vec![path.clone()]);
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(
        name.ends_with(&format!("-taobao.item.img.upload-{REQUEST_ID}.json")),
        "{name}"
    );
    assert_eq!(name.find('T'), Some(8), "{name}");

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(SECRET), "the secret is never saved");
    assert!(!text.contains(SESSION), "the session is masked");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["method"], "POST");
    assert_eq!(json["api"], "taobao.item.img.upload");
    assert_eq!(json["requested_format"], "json");
    assert_eq!(json["version"], "2.0");
    assert_eq!(json["url"], server.url.as_str());
    assert_eq!(json["status"], 200);
    assert_eq!(json["params"]["session"], "demo***61");
    assert_eq!(json["params"]["num_iid"], "1");
    assert_eq!(json["params"]["sign"].as_str().unwrap().len(), 32);
    assert_eq!(json["files"][0]["name"], "image");
    assert_eq!(json["files"][0]["filename"], "a.png");
    assert_eq!(json["files"][0]["size"], 10);
    assert_eq!(json["headers"]["x-request-id"], REQUEST_ID);
    assert_eq!(json["body"].as_str().unwrap().as_bytes(), ok.body.as_ref());
    assert!(json.get("error").is_none() && json.get("body_base64").is_none());
    assert!(json["saved_at"].as_str().unwrap().ends_with("+08:00"));

    let saved = SavedResponse::from_slice(text.as_bytes()).unwrap();
    assert_eq!(saved.request_id().as_deref(), Some(REQUEST_ID));
    assert_eq!(saved.attempt, 1);
    assert_eq!(saved.body_bytes().unwrap(), ok.body.to_vec());
}

#[tokio::test]
async fn saves_errors_binary_bodies_and_failures() {
    let server = FakeTop::start();
    let dir = tempfile::tempdir().unwrap();
    let client = Client::builder(&server.url, APP_KEY, SECRET)
        .save_dir(dir.path())
        .build()
        .unwrap();
    client
        .call(Request::new("taobao.binary"))
        .await
        .unwrap_err();
    let saved: Vec<SavedResponse> = files(dir.path())
        .iter()
        .map(|p| SavedResponse::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].body, None);
    assert_eq!(saved[0].body_base64.as_deref(), Some("//4A"));
    assert_eq!(saved[0].body_bytes().unwrap(), vec![0xff, 0xfe, 0x00]);

    let dead = Client::builder("http://127.0.0.1:1/router/rest", APP_KEY, SECRET)
        .save_dir(dir.path().join("dead"))
        .build()
        .unwrap();
    dead.call(Request::new("taobao.item.get"))
        .await
        .unwrap_err();
    dead.call(Request::new("taobao.item.get"))
        .await
        .unwrap_err();
    let paths = files(&dir.path().join("dead"));
    assert_eq!(paths.len(), 2, "{paths:?}");
    for p in &paths {
        // Two failures in the same millisecond: the second name gets "-2".
        let name = p.file_name().unwrap().to_str().unwrap();
        let ok = name.ends_with("-taobao.item.get-no-request-id.json")
            || name.ends_with("-taobao.item.get-no-request-id-2.json");
        assert!(ok, "{name}");
    }
    let s = SavedResponse::from_slice(&std::fs::read(&paths[0]).unwrap()).unwrap();
    assert!(s.error.is_some() && s.status.is_none() && s.body.is_none());
}
