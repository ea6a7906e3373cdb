//! Assertions shared by the tests.

use reqwest::Response;
use serde_json::Value;

/// Asserts a problem+json answer with this status and returns its body.
pub async fn assert_problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type was {content_type}"
    );
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    let kind = body["type"].as_str().expect("type");
    assert!(
        kind.starts_with("/problems/") && kind.is_ascii(),
        "type {kind}"
    );
    let title = body["title"].as_str().expect("title");
    let detail = body["detail"].as_str().expect("detail");
    assert!(has_chinese(title), "title is Chinese: {title}");
    assert!(has_chinese(detail), "detail is Chinese: {detail}");
    assert_no_internals(&body.to_string());
    body
}

/// Whether a text holds a CJK character.
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Asserts a body carries no SQL, panic text or stack.
pub fn assert_no_internals(text: &str) {
    let lower = text.to_lowercase();
    for needle in [
        "select ",
        "insert ",
        "sqlx",
        "sea_orm",
        "panicked",
        "stack backtrace",
        "src/",
        ".rs:",
    ] {
        assert!(!lower.contains(needle), "body leaks {needle:?}: {text}");
    }
}

/// The PDF's text by `pdftotext`; `None` (said on stderr, a failure on CI) when poppler
/// is not installed. A PDF that poppler cannot read fails the test.
pub fn pdf_text(bytes: &[u8]) -> Option<String> {
    let path = std::env::temp_dir().join(format!("sunshine-pdf-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).expect("a temporary file for the PDF");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output();
    std::fs::remove_file(&path).ok();
    match out {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!(
            "pdftotext could not read the PDF: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tests::skipped_without("pdftotext (poppler-utils)");
            None
        }
        Err(e) => panic!("pdftotext could not be run: {e}"),
    }
}
