//! `outdial bench dnc`: the National DNC registry at full size on synthetic FTC files.
//!
//! Generates full lists (one file per area code, mixed line formats, a few malformed lines)
//! and change lists, imports them as an operator would, writes and reloads the snapshot,
//! then measures lookups on one core and a sorted batch scrub. Correctness is checked along
//! the way (counts, known members, deleted numbers), so a fast wrong answer fails the run.

use super::national::import::{self, Lists, Progress};
use super::national::{NationalDnc, snapshot};
use anyhow::{Context, ensure};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Registered numbers to generate (before change lists).
    pub numbers: u64,
    /// Seed of the synthetic data and the query mix.
    pub seed: u64,
    /// Directory to generate files under (the system temp dir when `None`); the generated
    /// files are removed afterwards.
    pub dir: Option<PathBuf>,
    /// Random single lookups to time.
    pub lookups: usize,
    /// Size of the sorted batch to time.
    pub batch: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self { numbers: 250_000_000, seed: 1, dir: None, lookups: 10_000_000, batch: 1_000_000 }
    }
}

/// Measurements of one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchReport {
    /// Area codes generated.
    pub npas: usize,
    /// Files generated.
    pub files: usize,
    /// Bytes of generated files.
    pub file_bytes: u64,
    /// Lines in them.
    pub lines: u64,
    /// Malformed lines planted and reported.
    pub malformed_lines: u64,
    /// Seconds to generate the files (not part of any target).
    pub generate_secs: f64,
    /// Seconds to parse every file and build the registry.
    pub parse_build_secs: f64,
    /// Lines parsed per second over the parse+build time.
    pub lines_per_sec: f64,
    /// Registered numbers after the change lists.
    pub registered: u64,
    /// Heap bytes of the registry.
    pub registry_bytes: u64,
    /// `registry_bytes / registered`.
    pub bytes_per_number: f64,
    /// Snapshot file size.
    pub snapshot_bytes: u64,
    /// Seconds to write the snapshot (fsync included).
    pub snapshot_write_secs: f64,
    /// Seconds to load and validate it.
    pub snapshot_load_secs: f64,
    /// Random lookups timed.
    pub lookups: usize,
    /// How many of them were registered.
    pub lookup_hits: usize,
    /// Lookups per second on one core against a held `Registry`.
    pub lookups_per_sec: f64,
    /// Lookups per second through `NationalDnc::contains` (one version load per call).
    pub handle_lookups_per_sec: f64,
    /// The same random numbers per second through `Registry::scrub` (one batch, any
    /// order, memory reads overlapped).
    pub batched_lookups_per_sec: f64,
    /// Numbers in the sorted batch.
    pub batch: usize,
    /// Registered numbers in the batch.
    pub batch_hits: usize,
    /// Median of five sorted-batch scrubs, in milliseconds.
    pub batch_scrub_ms: f64,
    /// Peak resident memory of the process, where the OS reports it.
    pub peak_rss_bytes: Option<u64>,
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |b: u64| b as f64 / 1e6;
        let rows = [
            (
                "synthetic files",
                format!(
                    "{} files, {} area codes, {:.0} MB, {} lines",
                    self.files,
                    self.npas,
                    mb(self.file_bytes),
                    self.lines
                ),
            ),
            ("malformed lines reported", self.malformed_lines.to_string()),
            ("generate files", format!("{:.1} s", self.generate_secs)),
            ("parse + build", format!("{:.1} s ({:.1} M lines/s)", self.parse_build_secs, self.lines_per_sec / 1e6)),
            ("registered numbers", self.registered.to_string()),
            ("registry in memory", format!("{:.1} MB", mb(self.registry_bytes))),
            ("bytes per number", format!("{:.3}", self.bytes_per_number)),
            ("snapshot file", format!("{:.1} MB", mb(self.snapshot_bytes))),
            ("snapshot write", format!("{:.2} s", self.snapshot_write_secs)),
            ("snapshot load", format!("{:.2} s", self.snapshot_load_secs)),
            (
                "random lookups, 1 core",
                format!(
                    "{:.1} M/s ({} lookups, {:.0}% hits)",
                    self.lookups_per_sec / 1e6,
                    self.lookups,
                    100.0 * self.lookup_hits as f64 / self.lookups.max(1) as f64
                ),
            ),
            ("  via NationalDnc::contains", format!("{:.1} M/s", self.handle_lookups_per_sec / 1e6)),
            ("  same numbers, Registry::scrub", format!("{:.1} M/s", self.batched_lookups_per_sec / 1e6)),
            (
                "sorted batch scrub",
                format!("{:.1} ms for {} numbers ({} hits)", self.batch_scrub_ms, self.batch, self.batch_hits),
            ),
            ("peak RSS", self.peak_rss_bytes.map_or("n/a".into(), |b| format!("{:.0} MB", mb(b)))),
        ];
        for (name, value) in rows {
            writeln!(f, "{name:<30} {value}")?;
        }
        Ok(())
    }
}

/// Removes the generated files however the run ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover temp directory must not mask the run's own result.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the benchmark, reporting stages through `log`.
pub fn run(opts: &BenchOptions, mut log: impl FnMut(&str)) -> anyhow::Result<BenchReport> {
    let base = opts.dir.clone().unwrap_or_else(std::env::temp_dir);
    let scratch = Scratch(base.join(format!("outdial-bench-dnc-{}-{}", opts.seed, std::process::id())));
    let mut rng = StdRng::seed_from_u64(opts.seed);

    log(&format!("generating ~{} numbers under {}", opts.numbers, scratch.0.display()));
    let started = Instant::now();
    let data = synth::generate(&scratch.0, opts.numbers, &mut rng)?;
    let generate_secs = started.elapsed().as_secs_f64();

    log("parsing and building");
    let lists = Lists {
        full: vec![scratch.0.join("full")],
        additions: vec![scratch.0.join("additions.txt")],
        deletions: vec![scratch.0.join("deletions.txt")],
    };
    let copy_date = NaiveDate::from_ymd_opt(2026, 6, 1).context("copy date")?;
    let started = Instant::now();
    let (built, summary) = import::build(&lists, copy_date, |p| {
        if let Progress::FileDone { done, total, lines, elapsed, .. } = p
            && (done.is_multiple_of(50) || done == total)
        {
            log(&format!("  {done}/{total} files, {:.1} M lines/s", lines as f64 / elapsed.as_secs_f64() / 1e6));
        }
    })?;
    let parse_build_secs = started.elapsed().as_secs_f64();
    ensure!(
        summary.malformed == data.malformed,
        "{} malformed lines reported, {} planted",
        summary.malformed,
        data.malformed
    );
    ensure!(built.len() == data.registered, "{} numbers registered, {} expected", built.len(), data.registered);
    ensure!(built.npas().len() == data.npas.len(), "wrong area-code coverage");

    log("writing and loading the snapshot");
    let snap = scratch.0.join("national.snap");
    let started = Instant::now();
    let snapshot_bytes = snapshot::write(&built, &snap)?;
    let snapshot_write_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let registry = snapshot::load(&snap)?;
    let snapshot_load_secs = started.elapsed().as_secs_f64();
    ensure!(registry == built, "the loaded snapshot differs from the built registry");
    drop(built);

    ensure!(data.members.iter().all(|&n| registry.contains(n)), "a registered number was not found");
    ensure!(!data.deleted.iter().any(|&n| registry.contains(n)), "a deleted number was found");

    log("timing lookups");
    let queries = mixed_queries(&mut rng, &data, opts.lookups);
    let (lookup_hits, secs) = time_lookups(&queries, |n| registry.contains(n));
    let lookups_per_sec = queries.len() as f64 / secs;
    let dnc = NationalDnc::new(registry);
    let (handle_hits, secs) = time_lookups(&queries, |n| dnc.contains(n));
    ensure!(handle_hits == lookup_hits, "the handle answered differently");
    let handle_lookups_per_sec = queries.len() as f64 / secs;
    let registry = dnc.current();
    let started = Instant::now();
    let found = std::hint::black_box(registry.scrub(std::hint::black_box(&queries)));
    let batched_lookups_per_sec = queries.len() as f64 / started.elapsed().as_secs_f64();
    ensure!(found.iter().filter(|&&f| f).count() == lookup_hits, "scrub and contains disagree");

    let mut batch = mixed_queries(&mut rng, &data, opts.batch);
    batch.sort_unstable();
    let mut times = Vec::new();
    let mut batch_hits = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let found = std::hint::black_box(registry.scrub_sorted(std::hint::black_box(&batch)));
        times.push(started.elapsed());
        batch_hits = found.iter().filter(|&&f| f).count();
        ensure!(found.iter().zip(&batch).all(|(&f, &n)| f == registry.contains(n)), "batch and lookup disagree");
    }
    times.sort();

    let registry_bytes = registry.heap_bytes() as u64;
    Ok(BenchReport {
        npas: data.npas.len(),
        files: summary.files.len(),
        file_bytes: data.bytes,
        lines: summary.lines,
        malformed_lines: summary.malformed,
        generate_secs,
        parse_build_secs,
        lines_per_sec: summary.lines as f64 / parse_build_secs,
        registered: registry.len(),
        registry_bytes,
        bytes_per_number: registry_bytes as f64 / registry.len().max(1) as f64,
        snapshot_bytes,
        snapshot_write_secs,
        snapshot_load_secs,
        lookups: queries.len(),
        lookup_hits,
        lookups_per_sec,
        handle_lookups_per_sec,
        batched_lookups_per_sec,
        batch: batch.len(),
        batch_hits,
        batch_scrub_ms: times[times.len() / 2].as_secs_f64() * 1e3,
        peak_rss_bytes: peak_rss(),
    })
}

/// Half known members, half uniformly random numbers in the generated area codes (mostly
/// misses, some hits), interleaved at random.
fn mixed_queries(rng: &mut StdRng, data: &synth::Generated, len: usize) -> Vec<u64> {
    (0..len)
        .map(|_| {
            if rng.gen_bool(0.5) && !data.members.is_empty() {
                data.members[rng.gen_range(0..data.members.len())]
            } else {
                u64::from(data.npas[rng.gen_range(0..data.npas.len())]) * 10_000_000 + rng.gen_range(0..10_000_000)
            }
        })
        .collect()
}

fn time_lookups(queries: &[u64], contains: impl Fn(u64) -> bool) -> (usize, f64) {
    let started = Instant::now();
    // Summing instead of branching keeps the benchmark's own mispredictions out of it.
    let hits = queries.iter().map(|&n| usize::from(contains(std::hint::black_box(n)))).sum();
    (hits, started.elapsed().max(Duration::from_nanos(1)).as_secs_f64())
}

fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Synthetic FTC download files.
mod synth {
    use super::*;

    /// What was generated, for checking the import.
    pub(super) struct Generated {
        pub(super) npas: Vec<u16>,
        pub(super) registered: u64,
        pub(super) malformed: u64,
        pub(super) bytes: u64,
        /// A sample of registered numbers.
        pub(super) members: Vec<u64>,
        /// A sample of deleted numbers.
        pub(super) deleted: Vec<u64>,
    }

    const AREA_CODES: usize = 300;
    const MEMBER_SAMPLE: u64 = 1_000_000;
    const ADDITION_RATE: f64 = 0.002;
    const DELETION_RATE: f64 = 0.001;

    /// Area codes shaped like real ones: `[2-9][0-8][0-9]`, no N11, no reserved 37X/96X.
    fn area_codes(rng: &mut StdRng) -> Vec<u16> {
        let mut all: Vec<u16> =
            (200..1000u16).filter(|n| n / 10 % 10 != 9 && n % 100 != 11 && n / 10 != 37 && n / 10 != 96).collect();
        for i in 0..AREA_CODES {
            let j = rng.gen_range(i..all.len());
            all.swap(i, j);
        }
        let mut picked = all[..AREA_CODES].to_vec();
        picked.sort_unstable();
        picked
    }

    /// One line in one of the formats the FTC files are seen in.
    fn line(out: &mut Vec<u8>, number: u64, comma: bool, crlf: bool) {
        let mut digits = [0u8; 10];
        let mut n = number;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
        if comma {
            out.extend_from_slice(&digits[..3]);
            out.push(b',');
            out.extend_from_slice(&digits[3..]);
        } else {
            out.extend_from_slice(&digits);
        }
        out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
    }

    struct Sink {
        file: BufWriter<File>,
        buf: Vec<u8>,
        bytes: u64,
    }

    impl Sink {
        fn create(path: &Path) -> anyhow::Result<Self> {
            let file = File::create(path).with_context(|| path.display().to_string())?;
            Ok(Self { file: BufWriter::with_capacity(1 << 20, file), buf: Vec::with_capacity(1 << 16), bytes: 0 })
        }

        fn flush_buf(&mut self) -> anyhow::Result<()> {
            self.file.write_all(&self.buf)?;
            self.bytes += self.buf.len() as u64;
            self.buf.clear();
            Ok(())
        }

        fn finish(mut self) -> anyhow::Result<u64> {
            self.flush_buf()?;
            self.file.flush()?;
            Ok(self.bytes)
        }
    }

    /// Rounds `x` up or down at random so that small expected counts average out right.
    fn stochastic_round(rng: &mut StdRng, x: f64) -> usize {
        (x + rng.r#gen::<f64>()) as usize
    }

    pub(super) fn generate(dir: &Path, target: u64, rng: &mut StdRng) -> anyhow::Result<Generated> {
        let full_dir = dir.join("full");
        std::fs::create_dir_all(&full_dir).with_context(|| full_dir.display().to_string())?;
        let npas = area_codes(rng);

        // Exchanges in use per area code, and a density class per exchange: most
        // moderate, some sparse (new or business-heavy), some dense (old residential).
        let mut prefixes: Vec<(u16, u16, f64)> = Vec::new();
        for &npa in &npas {
            for nxx in 200..1000u16 {
                let reserved = nxx % 100 == 11 || nxx == 555 || nxx == 950 || nxx == 976;
                if reserved || !rng.gen_bool(0.85) {
                    continue;
                }
                let class = rng.r#gen::<f64>();
                let weight = if class < 0.25 {
                    rng.gen_range(0.001..0.03)
                } else if class < 0.85 {
                    rng.gen_range(0.05..0.25)
                } else {
                    rng.gen_range(0.3..0.75)
                };
                prefixes.push((npa, nxx, weight));
            }
        }
        let total_weight: f64 = prefixes.iter().map(|p| p.2).sum();
        let scale = target as f64 / total_weight;

        let mut additions = Sink::create(&dir.join("additions.txt"))?;
        let mut deletions = Sink::create(&dir.join("deletions.txt"))?;
        let stride = (target / MEMBER_SAMPLE).max(1);
        let mut generated = Generated {
            npas: npas.clone(),
            registered: 0,
            malformed: 0,
            bytes: 0,
            members: Vec::with_capacity(MEMBER_SAMPLE as usize + 1),
            deleted: Vec::new(),
        };
        let mut seen = 0u64;
        let mut pool: Vec<u16> = (0..10_000).collect();
        let mut chosen = Vec::with_capacity(10_000);
        let mut next = prefixes.iter().peekable();
        for (file_no, &npa) in npas.iter().enumerate() {
            // Files differ the way real downloads do: BOM or not, CRLF or LF, with or
            // without the comma; every 25th has a damaged line.
            let (bom, crlf, comma) = (file_no % 7 == 3, file_no % 3 == 1, file_no % 2 == 1);
            let mut sink = Sink::create(&full_dir.join(format!("{npa}.txt")))?;
            if bom {
                sink.buf.extend_from_slice(b"\xEF\xBB\xBF");
            }
            let mut plant_malformed = file_no % 25 == 0;
            while let Some(&&(p_npa, nxx, weight)) = next.peek() {
                if p_npa != npa {
                    break;
                }
                next.next();
                let prefix = u64::from(npa) * 1000 + u64::from(nxx);
                let k = stochastic_round(rng, weight * scale).min(9_500);
                let added = stochastic_round(rng, k as f64 * ADDITION_RATE).min(10_000 - k);
                let removed = stochastic_round(rng, k as f64 * DELETION_RATE).min(k);
                // A partial shuffle picks k + added distinct suffixes; the pool stays a
                // permutation, so later prefixes draw from it just as fairly.
                for i in 0..k + added {
                    let j = rng.gen_range(i..10_000);
                    pool.swap(i, j);
                }
                for (i, &s) in pool[..k].iter().enumerate() {
                    let number = prefix * 10_000 + u64::from(s);
                    if i < removed {
                        line(&mut deletions.buf, number, true, false);
                        if generated.deleted.len() < 100_000 {
                            generated.deleted.push(number);
                        }
                    } else {
                        if seen.is_multiple_of(stride) {
                            generated.members.push(number);
                        }
                        seen += 1;
                    }
                }
                for &s in &pool[k..k + added] {
                    line(&mut additions.buf, prefix * 10_000 + u64::from(s), true, false);
                }
                generated.registered += (k - removed + added) as u64;
                // Full lists come sorted, as downloads are.
                chosen.clear();
                chosen.extend_from_slice(&pool[..k]);
                chosen.sort_unstable();
                for &s in &chosen {
                    line(&mut sink.buf, prefix * 10_000 + u64::from(s), comma, crlf);
                }
                if plant_malformed && !chosen.is_empty() {
                    plant_malformed = false;
                    sink.buf.extend_from_slice(format!("{npa}-{nxx}-12\n").as_bytes());
                    generated.malformed += 1;
                }
                for s in [&mut sink, &mut additions, &mut deletions] {
                    if s.buf.len() >= 1 << 16 {
                        s.flush_buf()?;
                    }
                }
            }
            generated.bytes += sink.finish()?;
        }
        generated.bytes += additions.finish()? + deletions.finish()?;
        Ok(generated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_checks_itself_and_cleans_up() {
        let dir = std::env::temp_dir().join(format!("outdial-bench-test-{}", std::process::id()));
        let opts = BenchOptions { numbers: 300_000, seed: 9, dir: Some(dir.clone()), lookups: 50_000, batch: 20_000 };
        let report = run(&opts, |_| {}).expect("bench runs");
        assert_eq!(report.npas, 300);
        assert_eq!(report.files, 302);
        assert_eq!(report.malformed_lines, 12);
        assert!(report.registered.abs_diff(300_000) < 3_000, "{}", report.registered);
        // Half the queries are known members; the random half almost never hits at this size.
        let hit_rate = report.lookup_hits as f64 / report.lookups as f64;
        assert!((0.45..0.56).contains(&hit_rate), "{hit_rate}");
        assert!(report.to_string().contains("bytes per number"));
        assert!(serde_json::to_value(&report).expect("json")["registered"].is_u64());
        assert_eq!(std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0), 0, "generated files removed");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
