//! Benchmarks each stage of generation separately on large schemas:
//!
//! - `parse`: graphql-parser and lowering (`parse_only`);
//! - `parse+validate`: `validate_sources`, which parses again, so the
//!   validator's own cost is reported as the difference of the two medians;
//! - `emit`: `Config::emit` on the validated schema;
//! - `format`: `format_tokens` (syn + prettyplease) on the emitted tokens;
//! - `docs`: `render_docs`, the markdown API documentation, on the
//!   validated schema.
//!
//! Inputs: three real public schemas from the shared schema corpus (the
//! 2017 GitHub snapshot from graphql-js, Saleor, and today's GitHub schema,
//! which is invalid and so only parsed and validated) and a synthetic schema
//! of the same order of size that uses only what the emitter supports, so
//! that emit and format are measured at a realistic size too. When the
//! emitter rejects a schema (a construct it cannot express yet), that
//! schema's emit and format stages are skipped with one line saying why
//! (its first diagnostic).
//!
//! Sample sizes are small (10 samples, flat sampling) so that the whole run
//! takes a few minutes on a 2-core machine; a stage whose single run takes
//! longer than `SAMPLING_BUDGET` is timed once instead of sampled. After the
//! criterion output, a table of the median time per stage and schema is
//! printed.
//!
//! `cargo bench -p sdl-codegen --bench generate [-- FILTER]`

#[path = "support/synthetic.rs"]
mod synthetic;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};
use sdl_codegen::{
    Config, Error, Sources, format_tokens, parse_only, render_docs, validate_sources,
};

const SAMPLE_SIZE: usize = 10;

/// A real schema from the shared corpus; `emit` says whether the emit and
/// format stages apply at all (false for a schema known to be invalid).
struct RealSchema {
    label: &'static str,
    path: &'static str,
    emit: bool,
}

const REAL_SCHEMAS: &[RealSchema] = &[
    RealSchema {
        label: "github-2017",
        path: "conformance/graphql-js/github-schema-2017.graphql",
        emit: true,
    },
    RealSchema {
        label: "saleor",
        path: "saleor/schema.graphql",
        emit: true,
    },
    RealSchema {
        // Not a valid schema: `EnterpriseOwnerInfo` defines two fields twice.
        label: "github-2025",
        path: "github/schema.graphql",
        emit: false,
    },
];

const STAGES: &[&str] = &["parse", "parse+validate", "emit", "format", "docs"];

/// Per benchmark (schema, stage), each timed sample as (iterations, total
/// time), in the order criterion ran them (warm-up first, the measured
/// samples last).
type Timings = BTreeMap<(String, String), Vec<(u64, Duration)>>;

thread_local! {
    static TIMINGS: RefCell<Timings> = const { RefCell::new(BTreeMap::new()) };
    /// Stages that were timed once instead of sampled.
    static SINGLE_RUNS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    /// Schemas whose emit stage was skipped, and why.
    static SKIPPED: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/schemas")
}

/// The inputs: (label, sources, whether to try emit and format).
fn inputs() -> Vec<(String, Sources, bool)> {
    let mut inputs = Vec::new();
    for schema in REAL_SCHEMAS {
        let path = corpus_dir().join(schema.path);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut sources = Sources::default();
                sources.add(schema.path.to_owned(), text);
                inputs.push((schema.label.to_owned(), sources, schema.emit));
            }
            Err(error) => println!(
                "{}: skipped, cannot read {}: {error}",
                schema.label, schema.path
            ),
        }
    }
    let mut sources = Sources::default();
    sources.add("synthetic.graphql".to_owned(), synthetic::schema());
    inputs.push(("synthetic".to_owned(), sources, true));
    inputs
}

/// Times `routine` on inputs made by `setup` outside the timed region, and
/// records the sample for the summary table.
fn measure<I, O>(
    schema: &str,
    stage: &str,
    iters: u64,
    setup: &mut impl FnMut() -> I,
    routine: &mut impl FnMut(I) -> O,
) -> Duration {
    let inputs: Vec<I> = (0..iters).map(|_| setup()).collect();
    let mut outputs = Vec::with_capacity(inputs.len());
    let start = Instant::now();
    for input in inputs {
        outputs.push(black_box(routine(black_box(input))));
    }
    let elapsed = start.elapsed();
    drop(outputs);
    TIMINGS.with(|t| {
        t.borrow_mut()
            .entry((schema.to_owned(), stage.to_owned()))
            .or_default()
            .push((iters, elapsed));
    });
    elapsed
}

/// One iteration of a stage longer than this is not sampled by criterion
/// (which takes at least 10 iterations plus a warm-up): the stage is timed
/// once and reported as such, so that a slow stage cannot make the whole
/// run take many minutes.
const SAMPLING_BUDGET: Duration = Duration::from_secs(1);

/// Benchmarks one stage of one schema, unless the command line's filter
/// excludes it.
fn stage<I, O>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    filter: &Filter,
    schema: &str,
    name: &str,
    mut setup: impl FnMut() -> I,
    mut routine: impl FnMut(I) -> O,
) {
    if !filter.wants(&format!("{schema}/{name}")) {
        return;
    }
    let once = measure(schema, name, 1, &mut setup, &mut routine);
    if once > SAMPLING_BUDGET {
        println!(
            "{schema}/{name}: one run took {}, over the {} budget for sampling; reporting that run",
            show(Some(once)),
            show(Some(SAMPLING_BUDGET))
        );
        SINGLE_RUNS.with(|s| s.borrow_mut().push((schema.to_owned(), name.to_owned())));
        return;
    }
    // The first recorded run was only the budget check.
    TIMINGS.with(|t| t.borrow_mut().remove(&(schema.to_owned(), name.to_owned())));
    group.bench_function(name, |b| {
        b.iter_custom(|iters| measure(schema, name, iters, &mut setup, &mut routine));
    });
}

fn benches(c: &mut Criterion, filter: &Filter) {
    let config = Config::new();
    for (label, sources, try_emit) in inputs() {
        if !STAGES.iter().any(|s| filter.wants(&format!("{label}/{s}"))) {
            continue;
        }
        let mut group = c.benchmark_group(&label);
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(SAMPLE_SIZE);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(2));

        stage(&mut group, filter, &label, "parse", || &sources, parse_only);
        stage(
            &mut group,
            filter,
            &label,
            "parse+validate",
            || sources.clone(),
            validate_sources,
        );

        let wants_emit = ["emit", "format", "docs"]
            .iter()
            .any(|s| filter.wants(&format!("{label}/{s}")));
        if !try_emit || !wants_emit {
            group.finish();
            continue;
        }
        let schema = match validate_sources(sources.clone()) {
            Ok(schema) => schema,
            Err(diagnostics) => {
                let first = diagnostics
                    .0
                    .first()
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                skip(
                    &label,
                    format!("the schema is invalid: {}", first_line(&first)),
                );
                group.finish();
                continue;
            }
        };
        stage(&mut group, filter, &label, "docs", || &schema, render_docs);
        let tokens = match config.emit(&schema) {
            Ok(tokens) => tokens,
            Err(Error::Schema(diagnostics)) => {
                let first = diagnostics
                    .0
                    .first()
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                skip(
                    &label,
                    format!(
                        "the emitter rejects it ({} diagnostics), first: {}",
                        diagnostics.0.len(),
                        first_line(&first)
                    ),
                );
                group.finish();
                continue;
            }
            Err(error) => {
                skip(&label, format!("emit failed: {error}"));
                group.finish();
                continue;
            }
        };
        let names: Vec<String> = sources.names().map(str::to_owned).collect();
        if let Err(error) = format_tokens(tokens.clone(), names.iter().map(String::as_str)) {
            skip(&label, format!("format failed: {error}"));
            group.finish();
            continue;
        }

        stage(
            &mut group,
            filter,
            &label,
            "emit",
            || &schema,
            |s| config.emit(s),
        );
        stage(
            &mut group,
            filter,
            &label,
            "format",
            || tokens.clone(),
            |tokens| format_tokens(tokens, names.iter().map(String::as_str)),
        );
        group.finish();
    }
}

/// The benchmark filter of the command line (`cargo bench ... -- FILTER`),
/// read here as well as by criterion so that excluded schemas are not even
/// prepared (validating and emitting a large schema takes a while). A
/// filter with regex syntax is left to criterion alone.
struct Filter(Option<String>);

impl Filter {
    fn from_args() -> Filter {
        // Criterion's options that take a value.
        const WITH_VALUE: &[&str] = &[
            "--save-baseline",
            "--baseline",
            "--baseline-lenient",
            "--load-baseline",
            "--sample-size",
            "--warm-up-time",
            "--measurement-time",
            "--nresamples",
            "--noise-threshold",
            "--confidence-level",
            "--significance-level",
            "--profile-time",
            "--format",
            "--color",
            "--plotting-backend",
            "--output-format",
            "-b",
            "-s",
            "-c",
        ];
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            if WITH_VALUE.contains(&arg.as_str()) {
                args.next();
            } else if !arg.starts_with('-') {
                let plain = arg
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_/+".contains(c));
                return Filter(plain.then_some(arg));
            }
        }
        Filter(None)
    }

    fn wants(&self, id: &str) -> bool {
        self.0.as_deref().is_none_or(|f| id.contains(f))
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn skip(label: &str, why: String) {
    println!("{label}: emit and format skipped: {why}");
    SKIPPED.with(|s| s.borrow_mut().push((label.to_owned(), why)));
}

/// The median time of one iteration over a benchmark's measured samples
/// (the last `SAMPLE_SIZE` ones; in `--test` mode there is only one).
fn median(samples: &[(u64, Duration)]) -> Option<Duration> {
    let measured = &samples[samples.len().saturating_sub(SAMPLE_SIZE)..];
    let mut per_iter: Vec<f64> = measured
        .iter()
        .filter(|(iters, _)| *iters > 0)
        .map(|(iters, time)| time.as_secs_f64() / *iters as f64)
        .collect();
    if per_iter.is_empty() {
        return None;
    }
    per_iter.sort_by(f64::total_cmp);
    let n = per_iter.len();
    let mid = if n % 2 == 1 {
        per_iter[n / 2]
    } else {
        (per_iter[n / 2 - 1] + per_iter[n / 2]) / 2.0
    };
    Some(Duration::from_secs_f64(mid))
}

fn show(time: Option<Duration>) -> String {
    match time {
        None => "-".to_owned(),
        Some(t) if t >= Duration::from_secs(1) => format!("{:.2} s", t.as_secs_f64()),
        Some(t) => format!("{:.2} ms", t.as_secs_f64() * 1e3),
    }
}

fn print_summary() {
    let timings = TIMINGS.with(|t| t.borrow().clone());
    if timings.is_empty() {
        return;
    }
    let mut schemas: Vec<String> = Vec::new();
    for (schema, _) in timings.keys() {
        if !schemas.contains(schema) {
            schemas.push(schema.clone());
        }
    }
    // Inputs in benchmark order, not name order.
    let order: Vec<&str> = REAL_SCHEMAS
        .iter()
        .map(|s| s.label)
        .chain(["synthetic"])
        .collect();
    schemas.sort_by_key(|s| order.iter().position(|o| o == s));

    let single = SINGLE_RUNS.with(|s| s.borrow().clone());
    let get = |schema: &str, stage: &str| {
        timings
            .get(&(schema.to_owned(), stage.to_owned()))
            .and_then(|samples| median(samples))
    };
    let cell = |schema: &str, stage: &str, time: Option<Duration>| {
        let once = single.iter().any(|(s, n)| s == schema && n == stage);
        format!("{}{}", show(time), if once { " *" } else { "" })
    };
    let mut rows: Vec<[String; 7]> = vec![
        [
            "schema",
            "parse",
            "parse+validate",
            "validate",
            "emit",
            "format",
            "docs",
        ]
        .map(str::to_owned),
    ];
    for schema in &schemas {
        let [parse, validate, emit, format, docs] = [0, 1, 2, 3, 4].map(|i| get(schema, STAGES[i]));
        // Below zero when the two medians are within each other's noise.
        let validate_only = match (parse, validate) {
            (Some(p), Some(v)) if v >= p => show(Some(v - p)),
            (Some(_), Some(_)) => "~0".to_owned(),
            _ => show(None),
        };
        let approximate = single
            .iter()
            .any(|(s, n)| s == schema && (n == "parse" || n == "parse+validate"));
        rows.push([
            schema.clone(),
            cell(schema, "parse", parse),
            cell(schema, "parse+validate", validate),
            format!("{validate_only}{}", if approximate { " *" } else { "" }),
            cell(schema, "emit", emit),
            cell(schema, "format", format),
            cell(schema, "docs", docs),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    println!();
    println!("Median time per stage (one iteration; validate = parse+validate - parse):");
    println!();
    for (n, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (text, &w))| {
                if i == 0 {
                    format!(" {text:<w$} ")
                } else {
                    format!(" {text:>w$} ")
                }
            })
            .collect();
        println!("|{}|", cells.join("|"));
        if n == 0 {
            let rule: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(i, &w)| {
                    let dashes = "-".repeat(w + 1);
                    if i == 0 {
                        format!("{dashes}-")
                    } else {
                        format!("{dashes}:")
                    }
                })
                .collect();
            println!("|{}|", rule.join("|"));
        }
    }
    if !single.is_empty() {
        println!();
        println!(
            "* one run, not sampled: it took longer than the {} sampling budget",
            show(Some(SAMPLING_BUDGET))
        );
    }
    let skipped = SKIPPED.with(|s| s.borrow().clone());
    if !skipped.is_empty() {
        println!();
        for (schema, why) in skipped {
            println!("{schema}: emit and format skipped: {why}");
        }
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &Filter::from_args());
    criterion.final_summary();
    print_summary();
}
