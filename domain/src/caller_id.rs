//! Local-presence caller ID: which of the tenant's outbound numbers a lead's phone shows.
//!
//! People answer numbers that look local, so [`choose`] prefers, in [`Tier`] order: the
//! lead's own area code, a number in the lead's state, one in the lead's time zone, the
//! healthiest number, and finally the tenant's default number. Rested numbers (see
//! [`crate::number_health`]) sit out while any other number can take the call. Among equally
//! good numbers the one with the fewest calls today goes first, so no single number draws the
//! volume that gets numbers labelled as spam; the caller's rotation counter breaks what ties
//! remain, which keeps the choice deterministic.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::compliance::{Channel, ContactLocation, PhoneClass, StateCode, Zone, classify, resolve};
use crate::contacts::Phone;
use crate::number_health::NEUTRAL_SCORE;

/// Health score from which a number counts as healthy: a new number with too little data to
/// judge ([`NEUTRAL_SCORE`]) does.
pub const MIN_HEALTHY_SCORE: f64 = NEUTRAL_SCORE;

/// Health scores this close to the best count as equal, so calls that cannot be local spread
/// over several good numbers instead of wearing out the single best one.
pub const HEALTH_TIE: f64 = 0.05;

/// Where a phone number appears to be, as far as local presence cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// Area code of a US geographic number (`None` for toll-free and foreign numbers).
    pub npa: Option<u16>,
    /// States the number (or the lead) may be in.
    pub states: BTreeSet<StateCode>,
    /// Time zones the number (or the lead) may be in.
    pub zones: BTreeSet<Zone>,
}

impl Place {
    /// The place of a number from its area code alone, by the compliance area-code table.
    pub fn of_phone(phone: &Phone) -> Place {
        Place::of_lead(phone, &ContactLocation::default())
    }

    /// The place of a lead: its number's area code plus its ZIP and states on file, so a lead
    /// who kept their number after moving also matches numbers where they live now.
    pub fn of_lead(phone: &Phone, location: &ContactLocation) -> Place {
        let npa = match classify(phone.as_str()) {
            Ok(PhoneClass::Domestic { npa, .. }) => Some(npa),
            _ => None,
        };
        // A number the gate cannot place still keeps whatever the ZIP and states gave.
        let set = resolve(Channel::Voice, phone.as_str(), location).unwrap_or_else(|unplaceable| *unplaceable.partial);
        Place { npa, states: set.states, zones: set.zones }
    }
}

/// One of the tenant's numbers that may be shown as caller ID.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundNumber {
    /// Infra's id of the number.
    pub id: String,
    /// The number shown to the callee.
    pub phone: Phone,
    /// Where the number appears to be.
    pub place: Place,
    /// [`crate::number_health::HealthReport::score`]: 0..=1, higher is healthier.
    pub health_score: f64,
    /// Resting after spam signs ([`crate::number_health::NumberState::rests_on`] today).
    pub rested: bool,
    /// The tenant's fallback number.
    pub is_default: bool,
    /// Calls placed from the number today.
    pub calls_today: u32,
}

impl OutboundNumber {
    /// An active, non-default number with neutral health and no calls yet today.
    pub fn new(id: impl Into<String>, phone: Phone) -> OutboundNumber {
        let place = Place::of_phone(&phone);
        OutboundNumber {
            id: id.into(),
            phone,
            place,
            health_score: NEUTRAL_SCORE,
            rested: false,
            is_default: false,
            calls_today: 0,
        }
    }
}

/// Why a number was chosen, best reason first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Same area code as the lead.
    AreaCode,
    /// Same state as the lead.
    State,
    /// Same time zone as the lead.
    TimeZone,
    /// Nothing local: the healthiest number (or, with no healthy number and no default, the
    /// least unhealthy one).
    Healthiest,
    /// Nothing local and nothing healthy: the tenant's default number.
    Default,
}

/// The number to show a lead, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Id of the chosen [`OutboundNumber`].
    pub number_id: String,
    /// The number to present as caller ID.
    pub phone: Phone,
    /// Why it was chosen.
    pub tier: Tier,
    /// Every number was resting, so a rested one was used: worth alerting the tenant.
    pub rested: bool,
}

/// Picks the caller ID for one lead; `None` only when the pool is empty.
///
/// When every number rests, the default number (else the healthiest) is still returned,
/// marked [`Choice::rested`], rather than stopping the campaign; the caller decides.
pub fn choose(lead: &Place, pool: &[OutboundNumber], rotation: u64) -> Option<Choice> {
    pick(lead, pool, rotation).map(|(i, tier)| choice(&pool[i], tier))
}

/// Picks caller IDs for leads in order, counting each pick into the number's `calls_today`
/// so that later leads go to the less used of equally good numbers.
pub fn assign(leads: &[Place], pool: &mut [OutboundNumber], rotation: u64) -> Vec<Option<Choice>> {
    let mut picks = Vec::with_capacity(leads.len());
    for (k, lead) in (0u64..).zip(leads) {
        let picked = pick(lead, pool, rotation.wrapping_add(k)).map(|(i, tier)| {
            pool[i].calls_today = pool[i].calls_today.saturating_add(1);
            choice(&pool[i], tier)
        });
        picks.push(picked);
    }
    picks
}

fn choice(number: &OutboundNumber, tier: Tier) -> Choice {
    Choice { number_id: number.id.clone(), phone: number.phone.clone(), tier, rested: number.rested }
}

/// Index into `pool` of the chosen number, and its tier.
fn pick(lead: &Place, pool: &[OutboundNumber], rotation: u64) -> Option<(usize, Tier)> {
    let all: Vec<usize> = (0..pool.len()).collect();
    let active: Vec<usize> = all.iter().copied().filter(|&i| !pool[i].rested).collect();
    if active.is_empty() {
        return fallback(pool, &all, rotation);
    }
    for tier in [Tier::AreaCode, Tier::State, Tier::TimeZone] {
        let local: Vec<usize> = active.iter().copied().filter(|&i| is_local(tier, lead, &pool[i].place)).collect();
        if !local.is_empty() {
            return Some((spread(pool, local, rotation), tier));
        }
    }
    let healthy: Vec<usize> = active.iter().copied().filter(|&i| score(&pool[i]) >= MIN_HEALTHY_SCORE).collect();
    if !healthy.is_empty() {
        return Some((spread(pool, best_scored(pool, &healthy), rotation), Tier::Healthiest));
    }
    fallback(pool, &active, rotation)
}

/// The default number among `among`, else the best scored of them.
fn fallback(pool: &[OutboundNumber], among: &[usize], rotation: u64) -> Option<(usize, Tier)> {
    let defaults: Vec<usize> = among.iter().copied().filter(|&i| pool[i].is_default).collect();
    if !defaults.is_empty() {
        return Some((spread(pool, defaults, rotation), Tier::Default));
    }
    if among.is_empty() {
        return None;
    }
    Some((spread(pool, best_scored(pool, among), rotation), Tier::Healthiest))
}

fn is_local(tier: Tier, lead: &Place, number: &Place) -> bool {
    match tier {
        Tier::AreaCode => lead.npa.is_some() && lead.npa == number.npa,
        Tier::State => !lead.states.is_disjoint(&number.states),
        Tier::TimeZone => !lead.zones.is_disjoint(&number.zones),
        Tier::Healthiest | Tier::Default => false,
    }
}

/// A score safe to compare: a missing (NaN) score counts as the worst.
fn score(number: &OutboundNumber) -> f64 {
    if number.health_score.is_nan() { 0.0 } else { number.health_score.clamp(0.0, 1.0) }
}

/// The numbers among `among` (not empty) whose score ties with the best.
fn best_scored(pool: &[OutboundNumber], among: &[usize]) -> Vec<usize> {
    let best = among.iter().map(|&i| score(&pool[i])).fold(0.0, f64::max);
    among.iter().copied().filter(|&i| score(&pool[i]) >= best - HEALTH_TIE).collect()
}

/// Among equally good numbers (not empty), the least used today; the rotation counter picks
/// among those in id order, so the result does not depend on the order rows were loaded.
fn spread(pool: &[OutboundNumber], mut tied: Vec<usize>, rotation: u64) -> usize {
    let fewest = tied.iter().map(|&i| pool[i].calls_today).min().unwrap_or(0);
    tied.retain(|&i| pool[i].calls_today == fewest);
    tied.sort_by(|&a, &b| pool[a].id.cmp(&pool[b].id));
    // The remainder is below the length, so it fits in usize.
    tied[(rotation % tied.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(npa: u16) -> Phone {
        Phone::parse(&format!("+1{npa}5550100")).unwrap()
    }

    fn lead(npa: u16) -> Place {
        Place::of_phone(&phone(npa))
    }

    fn number(npa: u16, health_score: f64) -> OutboundNumber {
        OutboundNumber { health_score, ..OutboundNumber::new(format!("n{npa}"), phone(npa)) }
    }

    fn chosen(lead: &Place, pool: &[OutboundNumber]) -> (String, Tier) {
        let choice = choose(lead, pool, 0).unwrap();
        (choice.number_id, choice.tier)
    }

    #[test]
    fn area_code_beats_state_beats_zone_beats_healthiest() {
        // 212 and 518 are New York, 617 Massachusetts (also Eastern), 512 Texas (Central).
        let pool = [number(518, 0.6), number(212, 0.6), number(617, 0.6), number(512, 0.99)];
        assert_eq!(chosen(&lead(212), &pool), ("n212".into(), Tier::AreaCode));
        assert_eq!(chosen(&lead(212), &pool[..1]), ("n518".into(), Tier::State));
        assert_eq!(chosen(&lead(212), &[number(617, 0.6), number(518, 0.6)]), ("n518".into(), Tier::State));
        assert_eq!(chosen(&lead(212), &[number(512, 0.99), number(617, 0.6)]), ("n617".into(), Tier::TimeZone));
    }

    #[test]
    fn healthiest_beats_default_when_nothing_is_local() {
        // A San Francisco lead; no Pacific numbers in the pool.
        let default = OutboundNumber { is_default: true, ..number(303, 0.8) };
        let pool = [number(212, 0.9), number(512, 0.7), default.clone()];
        assert_eq!(chosen(&lead(415), &pool), ("n212".into(), Tier::Healthiest));
        // Nothing healthy: the default number, even though a sick one scores better.
        let sick = [number(212, 0.3), OutboundNumber { health_score: 0.2, ..default }];
        assert_eq!(chosen(&lead(415), &sick), ("n303".into(), Tier::Default));
    }

    #[test]
    fn a_rested_number_waits_while_another_can_call() {
        let local_but_rested = OutboundNumber { rested: true, ..number(212, 1.0) };
        let pool = [local_but_rested.clone(), number(303, 0.2)];
        let choice = choose(&lead(212), &pool, 0).unwrap();
        assert_eq!((choice.number_id.as_str(), choice.tier, choice.rested), ("n303", Tier::Healthiest, false));

        // Every number rests: the default one calls, and the choice says so.
        let default = OutboundNumber { rested: true, is_default: true, ..number(303, 0.2) };
        let choice = choose(&lead(212), &[local_but_rested, default], 0).unwrap();
        assert_eq!((choice.number_id.as_str(), choice.tier, choice.rested), ("n303", Tier::Default, true));
    }

    #[test]
    fn equal_numbers_share_the_calls() {
        let mut pool = [
            OutboundNumber::new("a", Phone::parse("+12125550100").unwrap()),
            OutboundNumber::new("b", Phone::parse("+12125550199").unwrap()),
            number(518, 1.0),
        ];
        let leads = vec![lead(212); 10];
        let picks: Vec<String> = assign(&leads, &mut pool, 7).into_iter().map(|c| c.unwrap().number_id).collect();
        assert_eq!(picks.iter().filter(|id| *id == "a").count(), 5);
        assert_eq!(picks.iter().filter(|id| *id == "b").count(), 5);
        assert!(picks.windows(2).all(|w| w[0] != w[1]), "{picks:?}");
        assert_eq!(pool.map(|n| n.calls_today), [5, 5, 0]);
    }

    #[test]
    fn leads_across_states_get_the_most_local_number() {
        // New York, Los Angeles, Boston (Eastern), Denver (the default).
        let default = OutboundNumber { is_default: true, ..number(303, 0.9) };
        let mut pool = [number(212, 0.6), number(213, 0.6), number(617, 0.6), default];
        let toll_free = Place::of_phone(&Phone::parse("+18005550100").unwrap());
        let leads = [lead(212), lead(415), lead(305), lead(512), toll_free];
        let picks: Vec<Choice> = assign(&leads, &mut pool, 0).into_iter().map(Option::unwrap).collect();
        let tiers: Vec<Tier> = picks.iter().map(|c| c.tier).collect();
        assert_eq!(tiers, [Tier::AreaCode, Tier::State, Tier::TimeZone, Tier::Healthiest, Tier::Healthiest]);
        let ids: Vec<&str> = picks.iter().map(|c| c.number_id.as_str()).collect();
        // The Miami lead could show either Eastern number; 212 already made a call, so 617.
        assert_eq!(ids, ["n212", "n213", "n617", "n303", "n303"]);

        // A Manhattan number but a Miami ZIP: a Florida number counts as in-state.
        let location = ContactLocation { zip: Some("33101".into()), ..ContactLocation::default() };
        let moved = Place::of_lead(&phone(212), &location);
        assert_eq!(chosen(&moved, &[number(617, 0.6), number(904, 0.6)]), ("n904".into(), Tier::State));
    }

    #[test]
    fn an_empty_pool_has_no_choice() {
        assert_eq!(choose(&lead(212), &[], 0), None);
        assert_eq!(assign(&[lead(212)], &mut [], 0), [None]);
    }
}
