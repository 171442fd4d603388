//! What each simulated event does to calls, agents and the meters (PACING.md §4.2).

use super::state::Stage;
use super::{Event, Sim, to_s, to_us};
use crate::pacing::estimates::Resolution;
use crate::pacing::observe::AgentState;
use crate::pacing::records::Outcome;

impl Sim<'_> {
    pub(super) fn on_pickup(&mut self, c: usize) -> bool {
        if self.calls[c].stage != Stage::Ringing {
            return false;
        }
        let call = &mut self.calls[c];
        call.stage = Stage::Detecting;
        call.since = self.now;
        let at = self.now + to_us(call.record.amd);
        self.schedule(at, Event::Amd(c));
        true
    }

    pub(super) fn on_amd(&mut self, c: usize) -> bool {
        let call = &self.calls[c];
        if call.stage != Stage::Detecting {
            return false;
        }
        let record = call.record;
        let pickup = to_s(call.since - call.dialed);
        let amd = to_s(self.now - call.since);
        if !record.detected_human() {
            self.est.observe(Resolution::Machine { pickup, amd });
            if record.outcome == Outcome::Human {
                // AMD hung up on a person: invisible to the dialer, an abandon all the same.
                self.count_truth(false);
            }
            self.end_call(c);
            return true;
        }
        self.est.observe(Resolution::Human { pickup, amd });
        if self.scenario.strict_orphans && self.calls[c].orphan {
            self.abandon(c);
            return true;
        }
        let call = &mut self.calls[c];
        call.stage = Stage::Waiting;
        call.since = self.now;
        // "Within D" is inclusive: an agent freeing exactly D after the greeting still takes it.
        let deadline = self.now + to_us(self.scenario.abandon_after) + 1;
        self.schedule(deadline, Event::Deadline(c));
        match self.calls[c].agent {
            Some(a) => self.connect(c, a),
            None => {
                self.waiting.push_back(c);
                self.route();
            }
        }
        true
    }

    pub(super) fn on_ring_end(&mut self, c: usize) -> bool {
        let call = &self.calls[c];
        if call.stage != Stage::Ringing {
            return false;
        }
        let fact = match call.record.outcome {
            Outcome::NoAnswer => Resolution::NoAnswer,
            _ => Resolution::Failed { hold: to_s(self.now - call.dialed) },
        };
        self.est.observe(fact);
        self.end_call(c);
        true
    }

    pub(super) fn on_deadline(&mut self, c: usize) -> bool {
        if self.calls[c].stage != Stage::Waiting {
            return false;
        }
        self.abandon(c);
        true
    }

    /// A person (as AMD says) the dialer drops: the safe-harbor message plays.
    fn abandon(&mut self, c: usize) {
        self.waiting.retain(|&w| w != c);
        self.meter.humans += 1;
        self.meter.humans_today += 1;
        self.meter.abandons += 1;
        self.meter.abandons_today += 1;
        self.metrics.visible_humans += 1;
        self.metrics.visible_abandons += 1;
        self.recent_abandons.push_back(self.now);
        if self.calls[c].record.outcome == Outcome::Human {
            self.count_truth(false);
        }
        self.end_call(c);
    }

    pub(super) fn on_talk_end(&mut self, a: usize) -> bool {
        let agent = self.agents[a];
        let Some(c) = agent.call else { return false };
        self.est.observe(Resolution::Talk(to_s(self.now - agent.since)));
        self.calls[c].stage = Stage::Done;
        self.add_lines(-1);
        let wrap = self.calls[c].record.wrap;
        self.set_state(a, AgentState::Wrapping);
        self.agents[a].call = None;
        self.schedule(self.now + to_us(wrap), Event::WrapEnd(a));
        true
    }

    pub(super) fn on_wrap_end(&mut self, a: usize) -> bool {
        self.est.observe(Resolution::Wrap(to_s(self.now - self.agents[a].since)));
        self.set_state(a, AgentState::Ready);
        self.route();
        true
    }

    /// Gives waiting people, oldest first, to the longest-idle ready agents with no open group.
    fn route(&mut self) {
        while let Some(&c) = self.waiting.front() {
            let free = self
                .agents
                .iter()
                .enumerate()
                .filter(|(_, a)| a.state == AgentState::Ready && a.open_lines == 0)
                .min_by_key(|(i, a)| (a.since, *i))
                .map(|(i, _)| i);
            let Some(a) = free else { break };
            self.waiting.pop_front();
            self.connect(c, a);
        }
    }

    /// Connects waiting call `c` to agent `a`; first connect wins for `a`'s group.
    fn connect(&mut self, c: usize, a: usize) {
        self.waiting.retain(|&w| w != c);
        self.remove_live(c);
        if self.calls[c].agent.take().is_some() {
            self.agents[a].open_lines -= 1;
        }
        let siblings: Vec<usize> = self.live.iter().copied().filter(|&s| self.calls[s].agent == Some(a)).collect();
        for s in siblings {
            self.calls[s].agent = None;
            self.calls[s].orphan = true;
            self.agents[a].open_lines -= 1;
            if self.calls[s].stage == Stage::Ringing {
                // Still ringing: cancel. Already picked up: an orphan now, routed if a person.
                self.metrics.cancelled += 1;
                self.end_call(s);
            }
        }
        let ready_since = self.agents[a].since;
        self.metrics.waits.push(to_s(self.now.min(self.end) - ready_since.min(self.end)));
        self.set_state(a, AgentState::Talking);
        self.agents[a].call = Some(c);
        let call = &mut self.calls[c];
        call.stage = Stage::Talking;
        self.meter.humans += 1;
        self.meter.humans_today += 1;
        self.metrics.visible_humans += 1;
        let talk = call.record.talk;
        if call.record.outcome == Outcome::Human {
            self.count_truth(true);
        }
        self.schedule(self.now + to_us(talk), Event::TalkEnd(a));
    }

    /// Counts a ground-truth live answer that was connected or abandoned.
    fn count_truth(&mut self, connected: bool) {
        let hour = ((self.now / to_us(3600.0)) as usize).min(self.metrics.hourly_humans.len() - 1);
        self.metrics.hourly_humans[hour] += 1;
        if connected {
            self.metrics.connected += 1;
        } else {
            self.metrics.abandoned += 1;
            self.metrics.hourly_abandons[hour] += 1;
        }
    }

    /// A call in flight ends without reaching an agent.
    fn end_call(&mut self, c: usize) {
        self.remove_live(c);
        self.calls[c].stage = Stage::Done;
        self.add_lines(-1);
        if let Some(a) = self.calls[c].agent.take() {
            self.agents[a].open_lines -= 1;
            // A group that ended without a person frees its agent for orphans.
            if self.agents[a].open_lines == 0 && !self.waiting.is_empty() {
                self.route();
            }
        }
    }

    fn remove_live(&mut self, c: usize) {
        let pos = self.calls[c].live_pos;
        if self.live.get(pos) != Some(&c) {
            return;
        }
        self.live.swap_remove(pos);
        if let Some(&moved) = self.live.get(pos) {
            self.calls[moved].live_pos = pos;
        }
        self.calls[c].live_pos = usize::MAX;
    }

    pub(super) fn set_state(&mut self, a: usize, state: AgentState) {
        let agent = &mut self.agents[a];
        let spent = to_s(self.now.min(self.end) - agent.since.min(self.end));
        match agent.state {
            AgentState::Talking => self.metrics.talk += spent,
            AgentState::Wrapping => self.metrics.wrap += spent,
            AgentState::Ready => self.metrics.wait += spent,
            AgentState::Paused => {}
        }
        agent.state = state;
        agent.since = self.now;
    }

    pub(super) fn add_lines(&mut self, delta: i32) {
        self.metrics.line_seconds += f64::from(self.lines) * to_s(self.now - self.lines_since);
        self.lines_since = self.now;
        self.lines = self.lines.saturating_add_signed(delta);
        self.metrics.max_lines = self.metrics.max_lines.max(self.lines);
    }
}
