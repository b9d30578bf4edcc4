//! A small mutational fuzzer that runs on stable Rust, inside `cargo test`.
//!
//! There is no nightly toolchain here, so libFuzzer's coverage counters are out of reach. What
//! stands in for them: every run starts from a committed corpus of valid inputs (so mutants get
//! past magic numbers and checksums), mutates with the usual havoc operators plus a per-target
//! dictionary, and keeps a mutant whenever the target reports an outcome it has not seen
//! before (an error message with its numbers blanked out, or the shape of a success): a new
//! outcome means the input reached different code, which is what coverage guidance buys.
//!
//! A panic is a finding: the input is written to `$CARGO_TARGET_DIR/fuzz-crashes/<target>/`
//! and the run fails naming it. Committed `regressions/<target>/` inputs (earlier findings)
//! are replayed before every run.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

/// A parser under test: takes bytes, reports an outcome class, panics on a bug.
pub(crate) struct Target {
    pub(crate) name: &'static str,
    /// Runs the parser; the string names what happened (equal strings, same path taken).
    pub(crate) run: fn(&[u8]) -> String,
    /// Tokens worth inserting (magic numbers, keywords, delimiters).
    pub(crate) dictionary: &'static [&'static [u8]],
    /// Longest input tried.
    pub(crate) max_len: usize,
    /// A mutation that knows the input's structure (moves, renames or cuts whole parts),
    /// given a random number; byte-level havoc rarely keeps a format's framing intact.
    pub(crate) structure: Option<fn(&mut Vec<u8>, u64)>,
}

/// What one run did.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) executions: u64,
    pub(crate) corpus: usize,
    pub(crate) outcomes: usize,
    /// Files holding the inputs that panicked, one per distinct panic message.
    pub(crate) crashes: Vec<(PathBuf, String)>,
    pub(crate) slowest: Duration,
}

thread_local! {
    static LAST_PANIC: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Panics are expected findings: record the message and location quietly.
fn quiet_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let location = info
                .location()
                .map(|at| format!("{}:{}", at.file(), at.line()))
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            LAST_PANIC.with(|last| *last.borrow_mut() = format!("{message} at {location}"));
        }));
    });
}

/// xorshift64*: a fixed seed per target makes a run repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }
}

const INTERESTING: [u64; 12] = [
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0xffff,
    0x7fff_ffff,
    0xffff_ffff,
    u64::MAX,
];

fn mutate(input: &mut Vec<u8>, pool: &[Vec<u8>], target: &Target, rng: &mut Rng) {
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = input.len();
        match rng.below(if target.structure.is_some() { 13 } else { 11 }) {
            0 if len > 0 => {
                let at = rng.below(len);
                input[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                input[at] = rng.next() as u8;
            }
            2 if len > 0 => {
                let at = rng.below(len);
                input[at] = INTERESTING[rng.below(6)] as u8;
            }
            3 if len > 0 => {
                let at = rng.below(len);
                input[at] = input[at].wrapping_add((rng.below(33) as u8).wrapping_sub(16));
            }
            4 if len >= 2 => {
                // A 16-, 32- or 64-bit field set to an edge value, either byte order.
                let width = [2, 4, 8][rng.below(3)].min(len);
                let at = rng.below(len - width + 1);
                let value = INTERESTING[rng.below(INTERESTING.len())];
                let bytes = if rng.below(2) == 0 {
                    value.to_le_bytes()
                } else {
                    value.to_be_bytes()
                };
                input[at..at + width].copy_from_slice(&bytes[..width]);
            }
            5 => {
                let at = rng.below(len + 1);
                let count = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..count).map(|_| rng.next() as u8).collect();
                input.splice(at..at, bytes);
            }
            6 if len > 0 => {
                let at = rng.below(len);
                let count = 1 + rng.below((len - at).min(64));
                input.drain(at..at + count);
            }
            7 if len > 0 => {
                // Repeat a slice somewhere else (grows lists, nests brackets).
                let from = rng.below(len);
                let count = 1 + rng.below((len - from).min(256));
                let chunk = input[from..from + count].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            8 if !pool.is_empty() => {
                // Crossover: this input's head, another's tail.
                let other = &pool[rng.below(pool.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                input.truncate(cut);
                input.extend_from_slice(&other[from..]);
            }
            9 if !target.dictionary.is_empty() => {
                let token = target.dictionary[rng.below(target.dictionary.len())];
                let at = rng.below(len + 1);
                if rng.below(2) == 0 || at + token.len() > len {
                    input.splice(at..at, token.iter().copied());
                } else {
                    input[at..at + token.len()].copy_from_slice(token);
                }
            }
            10 if len > 0 => input.truncate(rng.below(len)),
            11 | 12 => {
                if let Some(structure) = target.structure {
                    structure(input, rng.next());
                }
            }
            _ => {}
        }
    }
    input.truncate(target.max_len);
}

/// Blanks out numbers, so "offset 1234" and "offset 99" count as one outcome.
fn outcome_class(outcome: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut in_number = false;
    for character in outcome.chars().take(160) {
        if character.is_ascii_digit() {
            if !in_number {
                '#'.hash(&mut hasher);
            }
            in_number = true;
        } else {
            in_number = false;
            character.hash(&mut hasher);
        }
    }
    hasher.finish()
}

fn files_in(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| Some(entry.ok()?.path()))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

fn crash_dir(target: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    base.join("fuzz-crashes").join(target)
}

/// Replays the committed corpus and regressions, then mutates for `budget`.
pub(crate) fn fuzz(target: &Target, root: &Path, budget: Duration) -> Report {
    quiet_panics();
    let mut pool = files_in(&root.join("corpus").join(target.name));
    pool.extend(files_in(&root.join("regressions").join(target.name)));
    assert!(
        !pool.is_empty(),
        "no seed corpus for `{}` under {}",
        target.name,
        root.display()
    );
    let mut hasher = DefaultHasher::new();
    target.name.hash(&mut hasher);
    let mut rng = Rng(hasher.finish() | 1);
    let mut seen = HashSet::new();
    let mut panics = HashSet::new();
    let mut report = Report {
        executions: 0,
        corpus: 0,
        outcomes: 0,
        crashes: Vec::new(),
        slowest: Duration::ZERO,
    };
    let mut try_input = |input: &[u8], report: &mut Report| -> Option<u64> {
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
        report.slowest = report.slowest.max(started.elapsed());
        report.executions += 1;
        match result {
            Ok(outcome) => Some(outcome_class(&outcome)),
            Err(_) => {
                let message = LAST_PANIC.with(|last| last.borrow().clone());
                if panics.insert(message.clone()) {
                    let dir = crash_dir(target.name);
                    let mut name = DefaultHasher::new();
                    input.hash(&mut name);
                    let path = dir.join(format!("crash-{:016x}", name.finish()));
                    let _ = std::fs::create_dir_all(&dir);
                    let _ = std::fs::write(&path, input);
                    report.crashes.push((path, message));
                }
                None
            }
        }
    };
    let seeds = pool.clone();
    for seed in &seeds {
        if let Some(class) = try_input(seed, &mut report) {
            seen.insert(class);
        }
    }
    let deadline = Instant::now() + budget;
    let mut input = Vec::new();
    while Instant::now() < deadline {
        input.clear();
        input.extend_from_slice(&pool[rng.below(pool.len())]);
        mutate(&mut input, &pool, target, &mut rng);
        if let Some(class) = try_input(&input, &mut report)
            && seen.insert(class)
            && pool.len() < 4096
        {
            pool.push(input.clone());
        }
    }
    report.corpus = pool.len();
    report.outcomes = seen.len();
    report
}
