//! Logs: to the client (`window/logMessage`) and to stderr, never to stdout, which
//! carries the protocol.

use std::sync::OnceLock;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::MessageType;

static CLIENT: OnceLock<Client> = OnceLock::new();

/// Sends later log lines to this client too.
pub fn init(client: Client) {
    let _ = CLIENT.set(client);
}

pub fn error(message: &str) {
    log(MessageType::ERROR, "error", message);
}

pub fn warning(message: &str) {
    log(MessageType::WARNING, "warning", message);
}

pub fn info(message: &str) {
    log(MessageType::INFO, "info", message);
}

fn log(kind: MessageType, label: &str, message: &str) {
    eprintln!("threatmark lsp: {label}: {message}");
    if let (Some(client), Ok(runtime)) = (CLIENT.get(), tokio::runtime::Handle::try_current()) {
        let client = client.clone();
        let message = message.to_string();
        runtime.spawn(async move { client.log_message(kind, message).await });
    }
}
