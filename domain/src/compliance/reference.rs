//! Reference tables derived at run time from the `zipcodes` crate's embedded data:
//! ZIP → state and zone, state → every zone seen in it, area code → home state and zones.
//!
//! Nothing here reads files: the data ships inside the `zipcodes` crate and is parsed once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use phonenumber::country::Id;

use super::phone::{is_non_geographic, nanp_region};
use super::place::{StateCode, Zone};

/// Where a ZIP code is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipPlace {
    /// USPS state of the ZIP.
    pub state: StateCode,
    /// Zones of the ZIP (the state's union when the data gives none).
    pub zones: BTreeSet<Zone>,
}

/// Where an area code is presumed to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpaPlace {
    /// Home state of the area code (the state with most ZIPs listing it).
    pub state: StateCode,
    /// Every zone of the home state's ZIPs that list this area code.
    pub zones: BTreeSet<Zone>,
}

struct Gazetteer {
    zips: HashMap<String, ZipPlace>,
    states: HashMap<StateCode, BTreeSet<Zone>>,
    npas: HashMap<u16, NpaPlace>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(build);

/// Looks up a 5-digit ZIP (ZIP+4 accepted).
pub fn zip_place(zip: &str) -> Option<ZipPlace> {
    let five = zipcodes::clean_zipcode(zip).ok()?;
    let place = GAZETTEER.zips.get(five)?;
    if place.zones.is_empty() {
        return Some(ZipPlace { state: place.state, zones: state_zones(place.state) });
    }
    Some(place.clone())
}

/// Areas whose clocks differ from what the ZIP data records for every ZIP of the state:
/// the Phenix City, Alabama area keeps Eastern time by local custom, and West Wendover
/// and Jackpot, Nevada keep Mountain time (COMPLIANCE.md §3, §6 us_state_timezones).
const EXTRA_STATE_ZONES: [(&str, &str); 2] = [("AL", "America/New_York"), ("NV", "America/Boise")];

/// Every zone in which some ZIP of the state lies (the fallback when only the state is known).
pub fn state_zones(state: StateCode) -> BTreeSet<Zone> {
    let mut zones = GAZETTEER.states.get(&state).cloned().unwrap_or_default();
    for (_, name) in EXTRA_STATE_ZONES.iter().filter(|(s, _)| *s == state.as_str()) {
        zones.extend(Zone::parse(name).ok());
    }
    zones
}

/// Home state and zones of an area code, as derived from the ZIP data (no overlay fix-ups).
pub fn npa_place(npa: u16) -> Option<NpaPlace> {
    GAZETTEER.npas.get(&npa).cloned()
}

/// Area codes present in the derived table, for coverage tests.
#[cfg(test)]
pub fn known_npas() -> BTreeSet<u16> {
    GAZETTEER.npas.keys().copied().collect()
}

fn build() -> Gazetteer {
    let mut zips: HashMap<String, ZipPlace> = HashMap::new();
    let mut states: HashMap<StateCode, BTreeSet<Zone>> = HashMap::new();
    // npa -> state -> (number of ZIPs, zones seen in that state's ZIPs)
    let mut npa_votes: HashMap<u16, BTreeMap<StateCode, (usize, BTreeSet<Zone>)>> = HashMap::new();

    for record in zipcodes::database() {
        if record.country != "US" {
            continue;
        }
        // Military and unknown codes carry no local time; skip rather than guess.
        let Ok(state) = StateCode::parse(&record.state) else {
            continue;
        };
        let zone = Zone::parse(&record.timezone).ok();
        let entry = zips.entry(record.zip_code.clone()).or_insert_with(|| ZipPlace { state, zones: BTreeSet::new() });
        if let Some(zone) = zone {
            entry.zones.insert(zone);
            states.entry(state).or_default().insert(zone);
        }
        for code in &record.area_codes {
            let Ok(npa) = code.trim().parse::<u16>() else {
                continue;
            };
            let vote = npa_votes.entry(npa).or_default().entry(state).or_default();
            vote.0 += 1;
            if let Some(zone) = zone {
                vote.1.insert(zone);
            }
        }
    }

    let npas = npa_votes
        .into_iter()
        .filter(|(npa, _)| is_us_geographic(*npa))
        .filter_map(|(npa, votes)| {
            // Border ZIPs list neighbouring area codes, so the home state is the one with
            // most ZIPs; only that state's ZIPs contribute zones (a Pensacola 850 number
            // is not in Alabama because two Alabama ZIPs also list 850).
            let (state, (_, zones)) = votes.into_iter().max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(&a.0)))?;
            Some((npa, NpaPlace { state, zones }))
        })
        .filter(|(_, place)| !place.zones.is_empty())
        .collect();

    Gazetteer { zips, states, npas }
}

/// ZIPs near the Canadian border list Canadian area codes; keep US (and territory) ones.
fn is_us_geographic(npa: u16) -> bool {
    if is_non_geographic(npa) {
        return false;
    }
    match nanp_region(npa) {
        Some(Id::US | Id::PR | Id::VI | Id::GU | Id::AS | Id::MP) | None => true,
        Some(_) => false,
    }
}
