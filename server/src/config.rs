//! The server's command-line flags and their environment variables. Values
//! are checked here, at startup, so a typo fails loudly instead of making
//! every registration fail later.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::registration::{Policy, RelyingParty, UserVerification};
use crate::webauthn::DEFAULT_ALGORITHMS;

/// The shortest and longest challenge lifetimes accepted. Below a second no
/// person can finish a registration; above an hour a challenge is no longer
/// fresh, and `timeout_ms` stays far inside an i32.
const CHALLENGE_TTL_RANGE: (Duration, Duration) =
    (Duration::from_secs(1), Duration::from_secs(60 * 60));

/// Serves the passkey GraphQL API: POST /graphql runs a query, GET /graphql
/// opens GraphiQL, GET /schema.graphql returns the schema and GET /healthz
/// answers `ok` while the database is usable.
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

    /// The database file: users, passkeys and pending challenges. Created,
    /// with its directory, on first start; one server at a time may open it.
    #[arg(long, env = "PASSKEY_DB", default_value = "./data/passkeys.redb")]
    pub db: PathBuf,

    /// The relying party ID: the bare host name that passkeys are scoped to,
    /// such as `example.com` (no scheme, port or path). Every origin must be
    /// on this host or a subdomain of it.
    #[arg(long = "rp-id", env = "PASSKEY_RP_ID", default_value = "localhost", value_parser = parse_rp_id)]
    pub rp_id: String,

    /// The relying party's name, which authenticators show to the user
    /// (default: the relying party ID).
    #[arg(long = "rp-name", env = "PASSKEY_RP_NAME")]
    pub rp_name: Option<String>,

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

    /// How long an issued challenge stays usable, such as `5m` or `90s`
    /// (between 1s and 1h).
    #[arg(long = "challenge-ttl", env = "PASSKEY_CHALLENGE_TTL", default_value = "5m", value_parser = parse_challenge_ttl)]
    pub challenge_ttl: Duration,

    /// Whether registrations must prove user verification (a PIN or
    /// biometrics). `preferred` also accepts security keys without a PIN.
    #[arg(
        long = "user-verification",
        env = "PASSKEY_USER_VERIFICATION",
        value_enum,
        default_value = "required"
    )]
    pub user_verification: UserVerification,

    /// The most unexpired challenges held at once. Anyone may ask for a
    /// challenge, so this bounds what they can make the server store.
    #[arg(
        long = "max-pending-challenges",
        env = "PASSKEY_MAX_PENDING_CHALLENGES",
        default_value = "100000",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub max_pending_challenges: u64,

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
            name: self.rp_name.clone().unwrap_or_else(|| self.rp_id.clone()),
            origins: self.origins.clone(),
        }
    }

    /// The registration rules these flags configure.
    pub fn policy(&self) -> Policy {
        Policy {
            challenge_ttl: self.challenge_ttl,
            user_verification: self.user_verification,
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            max_pending_challenges: self.max_pending_challenges,
        }
    }

    /// Checks what no single flag can: that each origin may use the relying
    /// party ID. A browser refuses a registration whose RP ID is neither the
    /// origin's host nor a suffix of it, so such a configuration could never
    /// register anything.
    pub fn check(&self) -> Result<(), String> {
        for origin in &self.origins {
            let host = origin_host(origin);
            let on_rp = host == self.rp_id
                || host
                    .strip_suffix(self.rp_id.as_str())
                    .is_some_and(|prefix| prefix.ends_with('.'));
            if !on_rp {
                return Err(format!(
                    "the origin `{origin}` is not on the relying party ID `{}`: its host must be \
                     `{0}` or a subdomain of it",
                    self.rp_id
                ));
            }
        }
        Ok(())
    }
}

// The host of an origin that `parse_origin` accepted: without scheme and
// port, and an IPv6 literal without its brackets.
fn origin_host(origin: &str) -> &str {
    let authority = origin
        .split_once("://")
        .map_or(origin, |(_, authority)| authority);
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(host, _)| host);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

fn parse_challenge_ttl(value: &str) -> Result<Duration, String> {
    let ttl = humantime::parse_duration(value)
        .map_err(|error| format!("`{value}` is not a duration such as `5m` or `90s`: {error}"))?;
    let (shortest, longest) = CHALLENGE_TTL_RANGE;
    if ttl < shortest || ttl > longest {
        return Err(format!("`{value}` is outside 1s to 1h"));
    }
    Ok(ttl)
}

// A browser hashes the bare RP ID into the authenticator data, so a value
// such as `https://example.com` or `example.com:443` could never match.
fn parse_rp_id(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err("the relying party ID must not be empty".to_owned());
    }
    // Browsers refuse an IP address as an RP ID: a WebAuthn relying party
    // is a domain, so `127.0.0.1` could never register a passkey.
    if value.parse::<std::net::IpAddr>().is_ok() {
        return Err(format!(
            "`{value}` is an IP address, which browsers refuse as a relying party ID; use a \
             host name such as `localhost`"
        ));
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
        assert_eq!(config.db, PathBuf::from("./data/passkeys.redb"));
        assert_eq!(config.challenge_ttl, Duration::from_secs(300));
        assert_eq!(config.user_verification, UserVerification::Required);
        assert_eq!(config.max_pending_challenges, 100_000);
        assert_eq!(config.relying_party().name, "localhost");
        assert_eq!(config.check(), Ok(()));
    }

    #[test]
    fn challenge_ttl_takes_human_durations_within_bounds() {
        let config = parse(&["--challenge-ttl", "90s"]).expect("90s parses");
        assert_eq!(config.challenge_ttl, Duration::from_secs(90));
        for ttl in ["500ms", "2h", "5 parsecs", ""] {
            assert!(
                parse(&["--challenge-ttl", ttl]).is_err(),
                "{ttl:?} was accepted"
            );
        }
    }

    #[test]
    fn origins_must_be_on_the_rp_id() {
        let on = |rp_id: &str, origin: &str| {
            parse(&["--rp-id", rp_id, "--origin", origin])
                .expect("the flags parse")
                .check()
        };
        assert_eq!(on("example.test", "https://example.test"), Ok(()));
        assert_eq!(
            on("example.test", "https://login.example.test:8443"),
            Ok(())
        );
        assert_eq!(on("localhost", "http://localhost:3000"), Ok(()));
        for (rp_id, origin) in [
            ("localhost", "http://127.0.0.1:8080"),
            ("example.test", "https://badexample.test"),
            ("example.test", "https://example.test.evil"),
            ("login.example.test", "https://example.test"),
        ] {
            let error = on(rp_id, origin).expect_err(origin);
            assert!(error.contains(origin), "{error}");
        }
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
        for rp_id in [
            "https://example.test",
            "example.test:443",
            "",
            "127.0.0.1",
            "::1",
        ] {
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
