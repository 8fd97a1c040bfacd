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
use std::sync::Arc;

use clap::Parser;
use passkey_server::clock::Clock;
use passkey_server::config::Command;
use passkey_server::storage::{RedbStore, Storage};
use passkey_server::{AppState, Config, Registrar, router};
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

    if let Err(error) = config.check() {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }

    // Opened before binding, so a server that cannot store anything never
    // announces that it is listening.
    let store = match RedbStore::open(&config.db) {
        Ok(store) => store,
        Err(error) => {
            eprintln!(
                "error: cannot open the database {}: {error}",
                config.db.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let storage = match Storage::start(Arc::new(store), Clock::system()) {
        Ok(storage) => storage,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match storage.counts().await {
        Ok(counts) => tracing::info!(
            db = %config.db.display(),
            users = counts.users,
            passkeys = counts.passkeys,
            pending_challenges = counts.challenges,
            "database opened"
        ),
        Err(error) => {
            eprintln!(
                "error: cannot read the database {}: {error}",
                config.db.display()
            );
            return ExitCode::FAILURE;
        }
    }
    let registrar = Registrar::new(config.relying_party(), config.policy(), storage.clone());
    let state = AppState::new(registrar);

    let listener = match TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {}: {error}", config.listen);
            close_storage(storage).await;
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
        user_verification = config.user_verification.as_str(),
        challenge_ttl = ?config.challenge_ttl,
        "listening on http://{address}"
    );

    let served = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    // Every request has finished: the writer commits what is queued, then
    // the database closes.
    let closed = close_storage(storage).await;
    match served {
        Ok(()) if closed => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Ok(()) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: the server failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Closes the database; false (and a message) if that failed.
async fn close_storage(storage: Storage) -> bool {
    match tokio::task::spawn_blocking(move || storage.close()).await {
        Ok(Ok(())) => {
            tracing::info!("database closed");
            true
        }
        Ok(Err(error)) => {
            eprintln!("error: cannot close the database cleanly: {error}");
            false
        }
        Err(error) => {
            eprintln!("error: cannot close the database cleanly: {error}");
            false
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
