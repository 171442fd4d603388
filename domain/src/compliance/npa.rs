//! Area code → presumed state and zones, with overlay inheritance.

use super::place::Zone;
use super::reference::{self, NpaPlace};

/// Overlay area codes and the parent whose zones they must inherit.
///
/// Overlays serve the same territory as their parent, but zone data often lists only the
/// parent's NXX splits, so a 448 number would otherwise miss Central time (COMPLIANCE.md
/// §3 "overlays don't inherit the parent's NXX splits"; §8 case 8 names these pairs).
/// Overlays missing here resolve as unknown area codes: ZIP, then state, then
/// `UNKNOWN_LOCATION` (§8 case 9) — never a default zone.
pub const OVERLAY_PARENTS: [(u16, u16); 6] = [
    (448, 850), // Florida panhandle: Central and Eastern
    (930, 812), // southern Indiana: Central and Eastern
    (364, 270), // western Kentucky: Central and Eastern
    (458, 541), // Oregon: Pacific and Mountain (Malheur County)
    (729, 423), // east Tennessee: Eastern and Central
    (986, 208), // Idaho: Mountain and Pacific
];

/// Zones the ZIP data misses for an area code: small areas keeping another zone's time.
/// COMPLIANCE.md §3: "432 (NW Culberson Co. TX is Mountain)" and "775 lists
/// America/Boise (West Wendover/Jackpot area)".
pub const EXTRA_NPA_ZONES: [(u16, &str); 2] = [(432, "America/Denver"), (775, "America/Boise")];

/// Presumed home state and every zone of an area code, or `None` when the area code is
/// not in the data (new overlays, unassigned codes).
pub fn lookup(npa: u16) -> Option<NpaPlace> {
    let own = reference::npa_place(npa);
    let parent = OVERLAY_PARENTS
        .iter()
        .find(|(overlay, _)| *overlay == npa)
        .and_then(|(_, parent)| reference::npa_place(*parent));
    let mut place = match (own, parent) {
        (Some(mut own), Some(parent)) => {
            own.zones.extend(parent.zones);
            own
        }
        (own, parent) => own.or(parent)?,
    };
    for (_, name) in EXTRA_NPA_ZONES.iter().filter(|(code, _)| *code == npa) {
        place.zones.extend(Zone::parse(name).ok());
    }
    Some(place)
}
