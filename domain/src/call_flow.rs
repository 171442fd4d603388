//! What to do with a call at each moment the carrier reports: answered, AMD said human or
//! machine, greeting ended. Pure: the plan and the moment in, at most one command out. The
//! dialer fills the plan (which agent's room, which voicemail); the adapters turn commands
//! into TwiML or Call Control actions.

use serde::{Deserialize, Serialize};

/// What a person who answers gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum HumanAction {
    /// Join the agent's conference room (Twilio) — the agent is already there.
    Conference {
        name: String,
    },
    /// Bridge to the agent's live leg (Telnyx call control id).
    Bridge {
        call_id: String,
    },
    /// No agent is free: the safe-harbor message, then hang up (counts as an abandon).
    SafeHarbor {
        text: String,
        audio_url: Option<String>,
    },
    /// Telnyx, an agent taken for this person where all-party consent applies: the recording
    /// notice is said on this call first, and the agent's leg (our call id) bridges in when it
    /// ends. Twilio says the notice in the `Conference` answer instead.
    Announce {
        text: String,
        agent_call: String,
    },
    /// Keep the line open (an agent's own audio leg).
    Hold,
    Hangup,
    /// A supervisor joining an agent: into the agent's room (Twilio: muted to listen, coaching
    /// the agent's leg to whisper) or supervising the agent's leg (Telnyx, set when dialled).
    Monitor {
        room: String,
        mode: MonitorMode,
        /// The carrier's id of the agent's leg (Twilio CallSid, Telnyx call_control_id).
        agent_call: String,
    },
}

/// How a supervisor is on an agent's call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorMode {
    /// Hears the agent and the lead; nobody hears them.
    Listen,
    /// Hears both; only the agent hears them (coaching).
    Whisper,
    /// Talks with both, a third party on the call.
    Barge,
}

impl MonitorMode {
    pub const ALL: [MonitorMode; 3] = [MonitorMode::Listen, MonitorMode::Whisper, MonitorMode::Barge];

    pub fn as_str(self) -> &'static str {
        match self {
            MonitorMode::Listen => "listen",
            MonitorMode::Whisper => "whisper",
            MonitorMode::Barge => "barge",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What an answering machine gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MachineAction {
    Hangup,
    /// Play this recording after the beep, then hang up.
    Voicemail {
        audio_url: String,
    },
}

/// The plan for one outbound call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPlan {
    pub on_human: HumanAction,
    pub on_machine: MachineAction,
    /// Said before the lead is connected where all-party consent to recording applies.
    #[serde(default)]
    pub recording_notice: Option<String>,
    #[serde(default)]
    pub record: bool,
    /// Whether AMD was asked for; without it every answer is treated as a person.
    #[serde(default)]
    pub amd: bool,
}

/// Normalized AMD verdicts the flow reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    Human,
    /// A machine, greeting still playing.
    Machine,
    /// The greeting is over (beep or silence): a voicemail can be left now.
    GreetingOver,
    Fax,
    /// AMD could not tell; treated as a person so nobody who answered is hung up on.
    Unknown,
}

/// A moment in the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Answered,
    Detected(Detected),
}

/// What to do now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Keep the line open (silence) until the next moment.
    Wait,
    Connect(HumanAction),
    DropVoicemail {
        audio_url: String,
    },
    Hangup,
}

/// The command for `moment` under `plan`.
pub fn decide(plan: &CallPlan, moment: Moment) -> Command {
    match moment {
        Moment::Answered if plan.amd => Command::Wait,
        Moment::Answered => human(plan),
        Moment::Detected(Detected::Human | Detected::Unknown) => human(plan),
        Moment::Detected(Detected::Fax) => Command::Hangup,
        Moment::Detected(Detected::Machine) => match &plan.on_machine {
            MachineAction::Hangup => Command::Hangup,
            // Wait for the beep.
            MachineAction::Voicemail { .. } => Command::Wait,
        },
        Moment::Detected(Detected::GreetingOver) => match &plan.on_machine {
            MachineAction::Hangup => Command::Hangup,
            MachineAction::Voicemail { audio_url } => Command::DropVoicemail { audio_url: audio_url.clone() },
        },
    }
}

fn human(plan: &CallPlan) -> Command {
    match &plan.on_human {
        HumanAction::Hangup => Command::Hangup,
        other => Command::Connect(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(amd: bool, on_machine: MachineAction) -> CallPlan {
        CallPlan {
            on_human: HumanAction::Conference { name: "agent-1".into() },
            on_machine,
            recording_notice: None,
            record: false,
            amd,
        }
    }

    #[test]
    fn humans_join_the_agent_and_machines_get_voicemail_after_the_beep() {
        let vm = MachineAction::Voicemail { audio_url: "https://x/vm.mp3".into() };
        let p = plan(true, vm.clone());
        assert_eq!(decide(&p, Moment::Answered), Command::Wait);
        assert_eq!(decide(&p, Moment::Detected(Detected::Human)), Command::Connect(p.on_human.clone()));
        assert_eq!(decide(&p, Moment::Detected(Detected::Unknown)), Command::Connect(p.on_human.clone()));
        assert_eq!(decide(&p, Moment::Detected(Detected::Machine)), Command::Wait);
        assert_eq!(
            decide(&p, Moment::Detected(Detected::GreetingOver)),
            Command::DropVoicemail { audio_url: "https://x/vm.mp3".into() }
        );
        assert_eq!(decide(&p, Moment::Detected(Detected::Fax)), Command::Hangup);
        let hang = plan(true, MachineAction::Hangup);
        assert_eq!(decide(&hang, Moment::Detected(Detected::Machine)), Command::Hangup);
        // Without AMD an answer is a person at once: no dead air while detection runs.
        assert_eq!(decide(&plan(false, vm), Moment::Answered), Command::Connect(p.on_human.clone()));
    }

    #[test]
    fn monitor_modes_round_trip_by_name() {
        for m in MonitorMode::ALL {
            assert_eq!(MonitorMode::parse(m.as_str()), Some(m));
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
        assert_eq!(MonitorMode::parse("spy"), None);
        assert_eq!(MonitorMode::parse("Listen"), None);
    }
}
