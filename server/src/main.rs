//! The `passkey-server` binary, and only wiring: flags, logging, the
//! listener, and serving until SIGINT or SIGTERM.
//!
//! Once bound it prints exactly one line to stdout, `listening on
//! http://<address>`, with the actual address (so `--listen 127.0.0.1:0`
//! works); scripts and tests read the port from there. Logs go to stderr.

#![deny(
    clippy::unwrap_used,
    clippy::todo,
    clippy::unimplemented,
    clippy::dbg_macro
)]

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use passkey_server::config::Command;
use passkey_server::{AppState, Config, router};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    if let Some(Command::VerifyRegistration(args)) = &config.command {
        let (code, verdict) = passkey_server::verify_command::run(args);
        println!("{verdict:#}");
        return ExitCode::from(code);
    }

    // `Config` has already checked the filter; this only builds it.
    let filter = match EnvFilter::builder().parse(&config.log_level) {
        Ok(filter) => filter,
        Err(error) => {
            eprintln!("error: invalid --log-level `{}`: {error}", config.log_level);
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes would end up in log files and journald.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
    {
        eprintln!("error: cannot set up logging: {error}");
        return ExitCode::FAILURE;
    }

    let state = AppState::new(config.relying_party());

    let listener = match TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {}: {error}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(error) => {
            eprintln!("error: cannot read the bound address: {error}");
            return ExitCode::FAILURE;
        }
    };
    announce(&format!("listening on http://{address}"));
    tracing::info!(
        rp_id = %config.rp_id,
        origins = ?config.origins,
        "listening on http://{address}"
    );

    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: the server failed: {error}");
            ExitCode::FAILURE
        }
    }
}

// `println!` panics when stdout is closed; a server whose launcher stopped
// reading should keep serving, so the failure is only logged.
fn announce(line: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        tracing::warn!(%error, "cannot write the listening address to stdout");
    }
}

/// Resolves on the first SIGINT or SIGTERM, so in-flight requests can finish.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
