//! The `sdl-codegen` command: a thin layer over the library's `Config`.
//! Exit codes: 0 done, 1 a checked file is stale, 2 the schema or the
//! command line is unusable.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sdl-codegen",
    version,
    about = "Generates a typed async-graphql API from GraphQL SDL"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes the generated Rust API to --out.
    Generate(Common),
    /// Fails (exit 1, with a short diff) when --out is not what `generate` would write.
    Check(Common),
    /// Writes the markdown API documentation into the folder --out (which
    /// it owns: markdown files there that the schema no longer produces are
    /// removed); with --check, only reports (exit 1) how the folder differs.
    Docs(DocsArgs),
}

#[derive(Args)]
struct DocsArgs {
    /// A schema file, or a directory of *.graphql files; may be repeated.
    /// Each operation's page goes into a folder named after the file that
    /// defines it.
    #[arg(long = "schema", required = true, value_name = "PATH")]
    schemas: Vec<PathBuf>,
    /// The documentation folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Compare instead of writing.
    #[arg(long)]
    check: bool,
}

#[derive(Args)]
struct Common {
    /// A schema file, or a directory of *.graphql files; may be repeated.
    #[arg(long = "schema", required = true, value_name = "PATH")]
    schemas: Vec<PathBuf>,
    /// The generated Rust file.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Maps a custom scalar to a Rust type: NAME=PATH, such as
    /// `DateTime=::chrono::DateTime<::chrono::Utc>`; may be repeated.
    #[arg(long = "scalar", value_name = "NAME=PATH")]
    scalars: Vec<String>,
}

impl Common {
    fn config(&self) -> Result<sdl_codegen::Config, String> {
        let mut config = sdl_codegen::Config::new();
        config.emit_rerun_if_changed(false);
        for schema in &self.schemas {
            config.schema(schema);
        }
        for mapping in &self.scalars {
            let (name, path) = mapping
                .split_once('=')
                .ok_or_else(|| format!("--scalar {mapping}: expected NAME=PATH"))?;
            config.scalar(name.trim(), path.trim());
        }
        Ok(config)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (common, check) = match &cli.command {
        Command::Generate(common) => (common, false),
        Command::Check(common) => (common, true),
        Command::Docs(args) => return docs(args),
    };
    let generated = common
        .config()
        .map_err(|message| message.to_string())
        .and_then(|config| config.generate().map_err(|e| e.to_string()));
    let text = match generated {
        Ok(text) => text,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let out = &common.out;
    if !check {
        return match sdl_codegen::write_if_changed(out, &text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("{error}");
                ExitCode::from(2)
            }
        };
    }
    let current = std::fs::read_to_string(out).unwrap_or_default();
    if current == text {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "{} is stale; regenerate it with `sdl-codegen generate`:",
        out.display()
    );
    eprint!("{}", short_diff(&current, &text, 40));
    ExitCode::from(1)
}

fn docs(args: &DocsArgs) -> ExitCode {
    let mut config = sdl_codegen::Config::new();
    config.emit_rerun_if_changed(false);
    for schema in &args.schemas {
        config.schema(schema);
    }
    let docs = match config.docs() {
        Ok(docs) => docs,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    if !args.check {
        return match docs.write(&args.out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("{error}");
                ExitCode::from(2)
            }
        };
    }
    let drift = match docs.drift(&args.out) {
        Ok(drift) => drift,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    if drift.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "{} is stale; regenerate it with `sdl-codegen docs`:",
        args.out.display()
    );
    for (what, paths) in [
        ("missing", &drift.missing),
        ("changed", &drift.changed),
        ("no longer generated", &drift.extra),
    ] {
        for path in paths {
            eprintln!("  {what}: {path}");
        }
    }
    ExitCode::from(1)
}

/// A unified diff from the file's text to the generated text, cut after
/// `max_lines` lines so that a large change stays readable in a log.
fn short_diff(current: &str, generated: &str, max_lines: usize) -> String {
    let diff = similar::TextDiff::from_lines(current, generated);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("checked in", "generated")
        .to_string();
    let total = text.lines().count();
    let mut out: String = text
        .lines()
        .take(max_lines)
        .map(|l| format!("{l}\n"))
        .collect();
    if total > max_lines {
        out.push_str(&format!("... {} more diff lines\n", total - max_lines));
    }
    out
}
