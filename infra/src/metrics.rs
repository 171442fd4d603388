//! A small Prometheus registry: labelled counters and latency histograms, rendered in the text
//! exposition format at `/metrics`.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{Arc, Mutex},
};

const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Inner {
    counters: BTreeMap<(String, String), f64>,
    histograms: BTreeMap<(String, String), Histogram>,
}

/// Cheap to clone; shared by the API tier and the workers.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Inner>>);

fn label_text(labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")))
        .collect();
    format!("{{{}}}", parts.join(","))
}

impl Metrics {
    /// Adds one to a counter.
    pub fn inc(&self, name: &str, labels: &[(&str, &str)]) {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *inner.counters.entry((name.to_owned(), label_text(labels))).or_default() += 1.0;
    }

    /// Records one observation, in seconds.
    pub fn observe(&self, name: &str, labels: &[(&str, &str)], seconds: f64) {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let h = inner.histograms.entry((name.to_owned(), label_text(labels))).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// The text exposition format, with `extra` gauges appended.
    pub fn render(&self, extra: &[(String, f64)]) -> String {
        let inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        let mut last = "";
        for ((name, labels), v) in &inner.counters {
            if name != last {
                let _ = writeln!(out, "# TYPE {name} counter");
                last = name;
            }
            let _ = writeln!(out, "{name}{labels} {v}");
        }
        let mut last = "";
        for ((name, labels), h) in &inner.histograms {
            if name != last {
                let _ = writeln!(out, "# TYPE {name} histogram");
                last = name;
            }
            let inner_labels = labels.trim_start_matches('{').trim_end_matches('}');
            let sep = if inner_labels.is_empty() { "" } else { "," };
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "{name}_bucket{{{inner_labels}{sep}le=\"{b}\"}} {}", h.counts[i]);
            }
            let _ = writeln!(out, "{name}_bucket{{{inner_labels}{sep}le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "{name}_sum{labels} {}", h.sum);
            let _ = writeln!(out, "{name}_count{labels} {}", h.count);
        }
        for (line, v) in extra {
            let _ = writeln!(out, "{line} {v}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.inc("reqs_total", &[("status", "200")]);
        m.inc("reqs_total", &[("status", "200")]);
        m.observe("lat_seconds", &[("route", "/x")], 0.003);
        let text = m.render(&[]);
        assert!(text.contains("reqs_total{status=\"200\"} 2"), "{text}");
        assert!(text.contains("lat_seconds_bucket{route=\"/x\",le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("lat_seconds_bucket{route=\"/x\",le=\"0.001\"} 0"), "{text}");
    }
}
