//! The server's command-line flags and their environment variables. Values
//! are checked here, at startup, so a typo fails loudly instead of making
//! every registration fail later.

use std::net::SocketAddr;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::api::RelyingParty;

/// Serves the passkey GraphQL API: POST /graphql runs a query, GET /graphql
/// opens GraphiQL and GET /healthz answers `ok`.
///
/// On startup the server prints one line to stdout, `listening on
/// http://<address>`, with the address it actually bound; logs go to stderr.
#[derive(Debug, Clone, Parser)]
#[command(version, about, long_about)]
pub struct Config {
    /// The address and port to listen on. Port 0 picks a free port; the
    /// `listening on` line shows which.
    #[arg(long, env = "PASSKEY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The relying party ID: the bare host name that passkeys are scoped to,
    /// such as `example.com` (no scheme, port or path).
    #[arg(long = "rp-id", env = "PASSKEY_RP_ID", default_value = "localhost", value_parser = parse_rp_id)]
    pub rp_id: String,

    /// A web origin allowed to register passkeys, such as
    /// `https://example.com`: scheme, host and optional port, nothing else.
    /// Repeat the flag for several origins; the environment variable takes a
    /// comma-separated list.
    #[arg(
        long = "origin",
        env = "PASSKEY_ORIGINS",
        value_delimiter = ',',
        default_value = "http://localhost:8080",
        value_parser = parse_origin
    )]
    pub origins: Vec<String>,

    /// What to log, as a tracing filter: a level (`error`, `warn`, `info`,
    /// `debug`, `trace`) or directives such as `info,passkey_server=debug`.
    #[arg(long = "log-level", env = "PASSKEY_LOG", default_value = "info", value_parser = parse_log_filter)]
    pub log_level: String,

    /// Without a command, the server serves the API.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Commands other than serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Verifies a saved registration and prints the verdict as JSON (exit 0
    /// accepted, 1 refused, 2 unusable input).
    VerifyRegistration(crate::verify_command::VerifyArgs),
}

impl Config {
    /// The relying party these flags configure.
    pub fn relying_party(&self) -> RelyingParty {
        RelyingParty {
            id: self.rp_id.clone(),
            origins: self.origins.clone(),
        }
    }
}

// A browser hashes the bare RP ID into the authenticator data, so a value
// such as `https://example.com` or `example.com:443` could never match.
fn parse_rp_id(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err("the relying party ID must not be empty".to_owned());
    }
    if value.contains([':', '/', '?', '#']) || value.contains(char::is_whitespace) {
        return Err(format!(
            "`{value}` is not a relying party ID: give the bare host name, such as `example.com`"
        ));
    }
    Ok(value.to_owned())
}

// WebAuthn compares the client's origin with ours byte for byte, and a
// browser never sends a path or a trailing slash, so `https://example.com/`
// would silently reject every registration.
fn parse_origin(value: &str) -> Result<String, String> {
    let Some(authority) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return Err(format!(
            "`{value}` is not a web origin: it must start with `https://` or `http://`"
        ));
    };
    if authority.is_empty() || authority.contains(['/', '?', '#']) {
        return Err(format!(
            "`{value}` is not a web origin: give only the scheme, host and optional port, such as `https://example.com`"
        ));
    }
    Ok(value.to_owned())
}

// Parsed once here so a bad filter is a usage error with clap's message,
// rather than a failure after startup.
fn parse_log_filter(value: &str) -> Result<String, String> {
    EnvFilter::builder()
        .parse(value)
        .map(|_| value.to_owned())
        .map_err(|error| format!("`{value}` is not a log filter: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("passkey-server").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_serve_localhost() {
        let config = parse(&[]).expect("the defaults parse");
        assert_eq!(config.listen, "127.0.0.1:8080".parse().expect("an address"));
        assert_eq!(config.rp_id, "localhost");
        assert_eq!(config.origins, ["http://localhost:8080"]);
        assert_eq!(config.log_level, "info");
    }

    #[test]
    fn origin_flag_repeats() {
        let config = parse(&[
            "--origin",
            "https://example.test",
            "--origin",
            "https://login.example.test:8443",
        ])
        .expect("two origins parse");
        assert_eq!(
            config.origins,
            ["https://example.test", "https://login.example.test:8443"]
        );
    }

    #[test]
    fn origin_with_path_or_without_scheme_is_refused() {
        for origin in ["https://example.test/", "example.test", "https://"] {
            assert!(
                parse(&["--origin", origin]).is_err(),
                "{origin} was accepted"
            );
        }
    }

    #[test]
    fn rp_id_with_scheme_or_port_is_refused() {
        for rp_id in ["https://example.test", "example.test:443", ""] {
            assert!(
                parse(&["--rp-id", rp_id]).is_err(),
                "{rp_id:?} was accepted"
            );
        }
    }

    #[test]
    fn invalid_log_filter_is_refused() {
        assert!(parse(&["--log-level", "info,=[["]).is_err());
        assert!(parse(&["--log-level", "info,passkey_server=debug"]).is_ok());
    }

    #[test]
    fn clap_definition_is_consistent() {
        <Config as clap::CommandFactory>::command().debug_assert();
    }
}
