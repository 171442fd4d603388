use super::*;
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::collections::HashSet;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).expect("valid date")
}

fn build(full: &[u64], added: &[u64], deleted: &[u64]) -> Registry {
    let mut b = Builder::new();
    for (numbers, list) in [(full, ListKind::Full), (added, ListKind::Addition), (deleted, ListKind::Deletion)] {
        for &n in numbers {
            b.add(n, list).expect("10-digit number");
        }
    }
    b.build(date())
}

/// Numbers over a few area codes, with prefix densities from a handful to nearly all.
fn random_numbers(rng: &mut StdRng, npas: &[u64], prefixes_per_npa: u64) -> Vec<u64> {
    let mut out = Vec::new();
    for &npa in npas {
        for _ in 0..prefixes_per_npa {
            let prefix = npa * 1000 + rng.gen_range(200..1000);
            let density = [0.0005, 0.01, 0.1, 0.3, 0.6, 0.97][rng.gen_range(0..6)];
            for suffix in 0..10_000 {
                if rng.gen_bool(density) {
                    out.push(prefix * 10_000 + suffix);
                }
            }
        }
    }
    out
}

#[test]
fn membership_matches_a_hash_set_on_random_data() {
    let mut rng = StdRng::seed_from_u64(42);
    let mut numbers = random_numbers(&mut rng, &[212, 415, 989], 40);
    let expected: HashSet<u64> = numbers.iter().copied().collect();
    // The builder takes any order and repeats.
    numbers.extend_from_within(..1000);
    numbers.sort_unstable_by_key(|n| n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let registry = build(&numbers, &[], &[]);
    assert_eq!(registry.len(), expected.len() as u64);
    assert_eq!(registry.npas(), &[212, 415, 989]);
    let mut probes: Vec<u64> = expected.iter().copied().take(20_000).collect();
    // Neighbours of members and random numbers in and out of the covered area codes.
    probes.extend(expected.iter().take(20_000).map(|n| n + 1));
    probes.extend((0..50_000).map(|_| rng.gen_range(2_000_000_000..NUMBER_SPACE)));
    probes.extend((0..50_000).map(|_| 4_150_000_000 + rng.gen_range(0..10_000_000)));
    for &p in &probes {
        assert_eq!(registry.contains(p), expected.contains(&p), "{p}");
    }
    let mut sorted = probes.clone();
    sorted.sort_unstable();
    let want: Vec<bool> = sorted.iter().map(|p| expected.contains(p)).collect();
    assert_eq!(registry.scrub_sorted(&sorted), want);
    // Unsorted input is slower but still answered in input order.
    let want: Vec<bool> = probes.iter().map(|p| expected.contains(p)).collect();
    assert_eq!(registry.scrub_sorted(&probes), want);
    assert_eq!(registry.scrub(&probes), want);
    assert_eq!(registry.scrub(&probes[..5]), want[..5]);
    let mut all: Vec<u64> = expected.into_iter().collect();
    all.sort_unstable();
    assert!(registry.iter().eq(all.iter().copied()));
}

#[test]
fn boundary_numbers_and_empty_prefixes() {
    let edges = [2_012_000_000, 2_012_009_999, 2_012_010_000, 9_899_999_999, 9_899_990_000, 5_555_550_000];
    let registry = build(&edges, &[], &[]);
    for n in edges {
        assert!(registry.contains(n), "{n}");
    }
    // Neighbours across the prefix boundary and in empty prefixes are not registered.
    for n in [2_012_010_001, 2_011_999_999, 2_012_020_000, 9_899_989_999, 5_555_549_999, 5_555_550_001] {
        assert!(!registry.contains(n), "{n}");
    }
    for n in [0, 1, 9_999_999_999, NUMBER_SPACE, NUMBER_SPACE + 2_012_000_000, u64::MAX] {
        assert!(!registry.contains(n), "{n}");
    }
    let batch = [0, 2_012_000_000, 2_012_009_999, 9_899_999_999, NUMBER_SPACE, u64::MAX];
    assert_eq!(registry.scrub_sorted(&batch), [false, true, true, true, false, false]);
    assert_eq!(registry.scrub(&batch), [false, true, true, true, false, false]);
    assert_eq!(registry.iter().collect::<Vec<_>>(), {
        let mut e = edges.to_vec();
        e.sort_unstable();
        e
    });
}

#[test]
fn long_sorted_runs_decode_their_prefix_once_with_the_same_answers() {
    let full: Vec<u64> = (0..10_000).filter(|s| s % 3 == 0).map(|s| 3_035_550_000 + s).collect();
    let registry = build(&full, &[], &[]);
    let batch: Vec<u64> = (3_035_549_990..3_035_560_010).collect();
    let expected: Vec<bool> =
        batch.iter().map(|&n| (3_035_550_000..3_035_560_000).contains(&n) && n % 3 == 0).collect();
    assert_eq!(registry.scrub_sorted(&batch), expected);
}

#[test]
fn change_lists_add_and_delete_and_additions_win_a_conflict() {
    let full = [2_125_550_100, 2_125_550_101, 2_125_550_102];
    let added = [2_125_550_200, 2_125_550_102, 7_185_550_000];
    let deleted = [2_125_550_101, 2_125_550_102, 2_125_559_999];
    let registry = build(&full, &added, &deleted);
    assert!(registry.contains(2_125_550_100));
    assert!(!registry.contains(2_125_550_101), "deleted");
    assert!(registry.contains(2_125_550_102), "added and deleted: stays registered");
    assert!(registry.contains(2_125_550_200), "added");
    assert!(registry.contains(7_185_550_000), "added outside the full lists");
    assert!(!registry.contains(2_125_559_999), "deleting an unregistered number is harmless");
    assert_eq!(registry.len(), 4);
    // Only full lists make an area code covered.
    assert!(registry.covers_npa(212));
    assert!(!registry.covers_npa(718));
    assert_eq!(registry.copy_date(), Some(date()));
}

#[test]
fn change_lists_apply_on_top_of_an_earlier_copy() {
    let earlier = build(&[2_125_550_100, 2_125_550_101], &[], &[]);
    let mut b = Builder::from_registry(&earlier);
    b.add(2_125_550_101, ListKind::Deletion).expect("valid");
    b.add(2_125_550_777, ListKind::Addition).expect("valid");
    let later = b.build(NaiveDate::from_ymd_opt(2026, 6, 2).expect("valid date"));
    assert_eq!(later.iter().collect::<Vec<_>>(), [2_125_550_100, 2_125_550_777]);
    assert!(later.covers_npa(212));
    assert!(earlier.contains(2_125_550_101), "the earlier version is untouched");
}

#[test]
fn the_builder_rejects_numbers_beyond_ten_digits() {
    assert_eq!(Builder::new().add(NUMBER_SPACE, ListKind::Full), Err(NotANumber(NUMBER_SPACE)));
}

#[test]
fn a_dense_registry_stays_under_a_byte_per_number() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut numbers = Vec::new();
    // A million numbers spread over 100 prefixes of each of 10 area codes (≈10% density),
    // large enough that the 4 MB prefix table is not what is measured.
    for npa in 300..310u64 {
        for nxx in 200..300u64 {
            for suffix in 0..10_000u64 {
                if rng.gen_bool(0.1) {
                    numbers.push((npa * 1000 + nxx) * 10_000 + suffix);
                }
            }
        }
    }
    let registry = build(&numbers, &[], &[]);
    let block_bytes = registry.words.len() as f64 * 8.0 / registry.len() as f64;
    // Entropy at 10% density is 0.59 bytes; Elias–Fano (l = 3) plus headers costs ~0.71.
    assert!(block_bytes < 0.72, "{block_bytes} bytes per number in blocks");
}

#[test]
fn replacing_the_shared_version_leaves_held_versions_alone() {
    let dnc = NationalDnc::unloaded();
    assert_eq!(dnc.copy_date(), None);
    assert!(!dnc.contains(2_125_550_100));
    assert!(!dnc.covers_npa(212));
    let clone = dnc.clone();
    let first = build(&[2_125_550_100], &[], &[]);
    dnc.replace(first);
    let held = clone.current();
    assert!(clone.contains(2_125_550_100), "clones see the swap");
    dnc.replace(build(&[3_125_550_100], &[], &[]));
    assert!(held.contains(2_125_550_100), "a held version is unchanged");
    assert!(!dnc.contains(2_125_550_100));
    assert_eq!(clone.scrub_sorted(&[2_125_550_100, 3_125_550_100]), [false, true]);
    assert_eq!(clone.scrub(&[3_125_550_100, 2_125_550_100]), [true, false]);
    assert!(dnc.covers_npa(312));
    assert_eq!(dnc.copy_date(), Some(date()));
}

#[test]
fn debug_output_prints_no_numbers() {
    let registry = build(&[2_125_550_100], &[], &[]);
    let printed = format!("{registry:?} {:?}", NationalDnc::new(registry.clone()));
    assert!(!printed.contains("2125550100") && !printed.contains("5550100"), "{printed}");
    assert!(printed.contains("count: 1"));
}
