//! Jurisdiction resolution: every candidate state and every IANA zone a contact may be in
//! (COMPLIANCE.md §0.1–0.3). The gate applies the rules of all of them.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::codes::ReasonCode;
use super::model::{Channel, ContactLocation};
use super::npa;
use super::phone::{PhoneClass, classify};
use super::place::{StateCode, Zone};
use super::reference::{state_zones, zip_place};

/// Where a candidate location came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationSource {
    /// The area code's home state (FL, OK, CT presume the called party is there).
    AreaCode,
    /// The lead's ZIP.
    Zip,
    /// The state recorded on the lead.
    StateOnFile,
    /// The address state.
    AddressState,
}

/// One candidate state, the evidence for it, and the zones the consumer would be in if
/// they are there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Candidate {
    /// The state.
    pub state: StateCode,
    /// Evidence.
    pub source: LocationSource,
    /// Zones of this evidence (area-code zones, ZIP zone, or the state's union).
    pub zones: BTreeSet<Zone>,
}

/// The set of places a contact may be in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JurisdictionSet {
    /// Candidate states with their evidence.
    pub candidates: Vec<Candidate>,
    /// Every candidate state.
    pub states: BTreeSet<StateCode>,
    /// Every zone of every candidate location; a contact must be permitted in all of them.
    pub zones: BTreeSet<Zone>,
    /// Inputs that could not be used (unknown ZIP, unknown area code, ...).
    pub unresolved: Vec<String>,
}

impl JurisdictionSet {
    fn add(&mut self, state: StateCode, source: LocationSource, zones: BTreeSet<Zone>) {
        self.states.insert(state);
        self.zones.extend(zones.iter().copied());
        self.candidates.push(Candidate { state, source, zones });
    }

    /// Zones in which the consumer would be if they are in `state`: a state's statute
    /// speaks of local time at the called party in that state.
    pub fn zones_for(&self, state: StateCode) -> BTreeSet<Zone> {
        self.candidates.iter().filter(|c| c.state == state).flat_map(|c| c.zones.iter().copied()).collect()
    }

    /// Whether `state` is a candidate because of the area code.
    pub fn by_area_code(&self, state: StateCode) -> bool {
        self.candidates.iter().any(|c| c.state == state && c.source == LocationSource::AreaCode)
    }
}

/// A destination the gate cannot place anywhere it has rules for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaceable {
    /// `INTERNATIONAL`, `UNKNOWN_LOCATION` or `INVALID_DESTINATION`.
    pub code: ReasonCode,
    /// Human-readable explanation.
    pub detail: String,
    /// What was resolved before giving up (ZIP and states may still be known).
    pub partial: Box<JurisdictionSet>,
}

/// Builds the jurisdiction and zone set for a contact attempt.
///
/// Phone channels need at least one zone: unknown and non-geographic numbers fall back
/// to the ZIP, then the state union, and are otherwise `UNKNOWN_LOCATION`, never a
/// default zone (COMPLIANCE.md §8 cases 9–10). Foreign NANP and non-NANP numbers are
/// `INTERNATIONAL`: TCPA/TSR are not the right rule set (§8 case 11).
pub fn resolve(
    channel: Channel,
    destination: &str,
    location: &ContactLocation,
) -> Result<JurisdictionSet, Unplaceable> {
    let mut set = JurisdictionSet::default();
    let phone = if channel.is_phone() {
        match classify(destination) {
            Ok(class) => Some(class),
            Err(e) => {
                return Err(Unplaceable {
                    code: ReasonCode::InvalidDestination,
                    detail: format!("destination: {e}"),
                    partial: Box::new(set),
                });
            }
        }
    } else {
        None
    };

    match phone {
        Some(PhoneClass::International { country_code }) => {
            return Err(Unplaceable {
                code: ReasonCode::International,
                detail: format!("country code +{country_code} is outside the US rule set"),
                partial: Box::new(set),
            });
        }
        Some(PhoneClass::ForeignNanp { npa, region }) => {
            // Canada has its own CRTC rules (9–21:30 weekdays, 10–18 weekends), which need
            // Canadian zone data this crate does not ship: block rather than guess.
            return Err(Unplaceable {
                code: ReasonCode::International,
                detail: format!("area code {npa:03} belongs to {region:?}"),
                partial: Box::new(set),
            });
        }
        Some(PhoneClass::NonGeographic { npa }) => {
            set.unresolved.push(format!("area code {npa:03} is non-geographic"));
        }
        Some(PhoneClass::Domestic { npa, .. }) => match npa::lookup(npa) {
            Some(place) => set.add(place.state, LocationSource::AreaCode, place.zones),
            None => set.unresolved.push(format!("area code {npa:03} is not in the reference data")),
        },
        None => {}
    }

    let zip_state = match location.zip.as_deref().map(|z| (z, zip_place(z))) {
        Some((_, Some(place))) => {
            set.add(place.state, LocationSource::Zip, place.zones.clone());
            Some(place)
        }
        Some((raw, None)) => {
            set.unresolved.push(format!("ZIP {raw:?} is not a known US ZIP"));
            None
        }
        None => None,
    };

    for (state, source) in
        [(location.state_on_file, LocationSource::StateOnFile), (location.address_state, LocationSource::AddressState)]
    {
        let Some(state) = state else { continue };
        // A ZIP in the same state is the more precise location; otherwise the consumer
        // may be anywhere in the state, so every zone of it counts.
        let zones = match &zip_state {
            Some(zip) if zip.state == state => zip.zones.clone(),
            _ => state_zones(state),
        };
        set.add(state, source, zones);
    }

    if channel.is_phone() && set.zones.is_empty() {
        return Err(Unplaceable {
            code: ReasonCode::UnknownLocation,
            detail: format!("no zone for the number and no usable ZIP or state ({})", set.unresolved.join("; ")),
            partial: Box::new(set),
        });
    }
    Ok(set)
}
