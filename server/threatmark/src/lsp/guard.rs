//! Every request runs under `catch_unwind`: a panic becomes an `InternalError` response
//! (and a log line), and the server keeps serving, as ruff's server does. A panic on any
//! input is still a bug; this keeps one bug from costing the writer their session.
//!
//! Tests inject a panic with `THREATMARK_LSP_TEST_PANIC=<method>` (for example
//! `textDocument/diagnostic`). The check is compiled only with `debug_assertions`, which
//! release builds (`cargo build --release`, `cargo install`) turn off, so no environment
//! can make a shipped binary panic on purpose.

use futures::FutureExt;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

/// Runs a request handler; a panic inside it becomes an `InternalError`.
pub async fn request<T>(
    method: &'static str,
    handler: impl Future<Output = Result<T>>,
) -> Result<T> {
    let guarded = async {
        inject_panic(method);
        handler.await
    };
    match AssertUnwindSafe(guarded).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => Err(internal_error(method, &*payload)),
    }
}

/// Runs a notification handler; a panic inside it is logged and otherwise ignored (a
/// notification has no response to carry it).
pub async fn notification(method: &'static str, handler: impl Future<Output = ()>) {
    let guarded = async {
        inject_panic(method);
        handler.await
    };
    if let Err(payload) = AssertUnwindSafe(guarded).catch_unwind().await {
        super::log::error(&format!(
            "internal error in {method}: {}",
            panic_message(&*payload)
        ));
    }
}

/// The error for a panic or a failed blocking task.
pub fn internal_error(method: &str, payload: &(dyn Any + Send)) -> Error {
    let message = format!(
        "threatmark: internal error in {method}: {}; the server keeps running",
        panic_message(payload)
    );
    super::log::error(&message);
    Error {
        code: ErrorCode::InternalError,
        message: message.into(),
        data: None,
    }
}

/// The error for a blocking task that did not finish: its panic, or its cancellation
/// (the runtime shutting down).
pub fn join_error(method: &str, e: tokio::task::JoinError) -> Error {
    match e.try_into_panic() {
        Ok(payload) => internal_error(method, &*payload),
        Err(e) => internal_error(method, &e.to_string()),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

#[cfg(debug_assertions)]
fn inject_panic(method: &str) {
    if std::env::var("THREATMARK_LSP_TEST_PANIC").is_ok_and(|m| m == method) {
        panic!("panic injected by THREATMARK_LSP_TEST_PANIC in {method}");
    }
}

#[cfg(not(debug_assertions))]
fn inject_panic(_method: &str) {}
