//! The simulated world behind the sandbox carrier: what happens when a number is dialled.
//! Seeded: the same seed, number and attempt always give the same outcome.

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// Who ends a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ender {
    Lead,
    Agent,
}

/// What happens when a number is dialled. Times in milliseconds of simulated time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// A person picks up after `pickup_ms` and talks for `talk_ms` unless we hang up first.
    Human {
        pickup_ms: u64,
        talk_ms: u64,
        #[serde(default = "lead")]
        hangs_up: Ender,
    },
    /// Voicemail picks up; the greeting lasts `greeting_ms`, then a beep (or silence).
    Machine {
        pickup_ms: u64,
        greeting_ms: u64,
        #[serde(default = "yes")]
        beep: bool,
    },
    NoAnswer,
    Busy,
    /// The network fails the call after `after_ms`.
    Failed {
        #[serde(default)]
        after_ms: u64,
    },
    /// The carrier refuses the number when the call is created.
    Invalid,
}

fn lead() -> Ender {
    Ender::Lead
}
fn yes() -> bool {
    true
}

/// Probabilities of each outcome for numbers without an override (they need not sum to 1;
/// they are weights).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mix {
    pub human: f64,
    pub machine: f64,
    pub no_answer: f64,
    pub busy: f64,
    pub failed: f64,
    /// Pickup delay range for humans and machines.
    pub pickup_ms: (u64, u64),
    pub talk_ms: (u64, u64),
    pub greeting_ms: (u64, u64),
}

impl Default for Mix {
    /// Roughly what a consumer list gives: a quarter humans, a third machines.
    fn default() -> Self {
        Mix {
            human: 0.25,
            machine: 0.35,
            no_answer: 0.30,
            busy: 0.07,
            failed: 0.03,
            pickup_ms: (3_000, 15_000),
            talk_ms: (20_000, 180_000),
            greeting_ms: (6_000, 14_000),
        }
    }
}

/// Carrier timings: how long ringing and detection take.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Timing {
    /// Queued → initiated → ringing.
    pub setup_ms: u64,
    /// How long AMD takes to call a human (Twilio answers quickly for humans).
    pub amd_human_ms: u64,
    /// How long AMD takes to call a machine (before the greeting ends).
    pub amd_machine_ms: u64,
    /// Length of any played audio or speech.
    pub playback_ms: u64,
    /// Delay of a scripted SMS reply and of delivery receipts.
    pub sms_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing { setup_ms: 300, amd_human_ms: 1_800, amd_machine_ms: 2_600, playback_ms: 4_000, sms_ms: 1_500 }
    }
}

/// What happens to a text sent to a number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SmsBehaviour {
    /// `false`: the carrier reports it undelivered.
    #[serde(default = "yes")]
    pub delivered: bool,
    /// A scripted reply from the number (e.g. `STOP`, `HELP`, `yes please`).
    #[serde(default)]
    pub reply: Option<String>,
}

/// Draws the outcome for a number's `attempt`-th call.
pub fn draw(seed: u64, number: &str, attempt: u64, mix: &Mix) -> Outcome {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (seed, number, attempt).hash(&mut h);
    let mut rng = StdRng::seed_from_u64(h.finish());
    let total = mix.human + mix.machine + mix.no_answer + mix.busy + mix.failed;
    let mut x = rng.r#gen::<f64>() * total.max(f64::MIN_POSITIVE);
    let mut range = |(a, b): (u64, u64)| if b > a { rng.gen_range(a..=b) } else { a };
    let pickup_ms = range(mix.pickup_ms);
    let talk_ms = range(mix.talk_ms);
    let greeting_ms = range(mix.greeting_ms);
    for (weight, outcome) in [
        (mix.human, Outcome::Human { pickup_ms, talk_ms, hangs_up: Ender::Lead }),
        (mix.machine, Outcome::Machine { pickup_ms, greeting_ms, beep: true }),
        (mix.no_answer, Outcome::NoAnswer),
        (mix.busy, Outcome::Busy),
    ] {
        if x < weight {
            return outcome;
        }
        x -= weight;
    }
    Outcome::Failed { after_ms: 500 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_roughly_follows_the_mix() {
        let mix = Mix::default();
        assert_eq!(draw(7, "+12125550100", 1, &mix), draw(7, "+12125550100", 1, &mix));
        let humans =
            (0..2000).filter(|i| matches!(draw(7, &format!("+1212555{i:04}"), 1, &mix), Outcome::Human { .. })).count();
        assert!((400..600).contains(&humans), "{humans}");
    }
}
