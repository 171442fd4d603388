//! Upper bounds on pacing (PACING.md §6): U0, the rigorous physical limit, and U1, the
//! information-limited optimum of a constrained MDP over (busy agents, dials in flight), solved
//! by relative value iteration after uniformization with a bisection on the Lagrange multiplier.

use serde::Serialize;

/// The campaign means both bounds need.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CeilingInput {
    /// Agents N.
    pub agents: u32,
    /// P(human answer) per dial.
    pub p: f64,
    /// Mean line hold of a dial until it connects or ends, seconds.
    pub hold: f64,
    /// Mean talk time τ.
    pub talk: f64,
    /// Mean wrap time w.
    pub wrap: f64,
    /// Line cap per agent L (talking calls count).
    pub lines_per_agent: u32,
    /// Abandon cap α as a fraction of live answers.
    pub alpha: f64,
}

/// U0: connects/agent-s ≤ min(1/(τ+w), L/(τ + h̄/p)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PhysicalLimit {
    /// Occupancy at that pace.
    pub occupancy: f64,
    /// Connects per agent-hour.
    pub connects_per_agent_hour: f64,
    /// Dials per agent-hour at that pace (a lower bound).
    pub dials_per_agent_hour: f64,
}

/// U1: the CMDP optimum on the feasible side of the abandon cap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InformationLimit {
    /// Occupancy converted from E[busy agents].
    pub occupancy: f64,
    /// Abandons as a percentage of live answers.
    pub abandon_pct: f64,
    /// Connects per agent-hour.
    pub connects_per_agent_hour: f64,
    /// Dials per agent-hour.
    pub dials_per_agent_hour: f64,
    /// The Lagrange multiplier λ* found by bisection.
    pub lambda: f64,
}

/// U0 (§6.1).
pub fn physical_limit(input: &CeilingInput) -> PhysicalLimit {
    let n = f64::from(input.agents);
    let (tau, w) = (input.talk, input.wrap);
    let lines = f64::from(input.lines_per_agent);
    let c = n * (1.0 / (tau + w)).min(lines / (tau + input.hold / input.p.max(1e-9)));
    PhysicalLimit {
        occupancy: (c * tau / (n - c * w)).min(1.0),
        connects_per_agent_hour: 3600.0 * c / n,
        dials_per_agent_hour: 3600.0 * c / (n * input.p.max(1e-9)),
    }
}

/// Long-run rates of one greedy policy.
#[derive(Debug, Clone, Copy, Default)]
struct Rates {
    connects: f64,
    abandons: f64,
}

/// U1 (§6.2), on the feasible side of the cap (randomising with the policy just across it would
/// hit α exactly).
pub fn information_limit(input: &CeilingInput) -> InformationLimit {
    let mut solver = Solver::new(input);
    let ratio = |r: &Rates| r.abandons / (r.connects + r.abandons).max(1e-300);
    let mut lo = 0.0;
    let mut hi = 0.5;
    let mut best = solver.solve(hi);
    while ratio(&best) > input.alpha && hi < 1e6 {
        lo = hi;
        hi *= 2.0;
        best = solver.solve(hi);
    }
    for _ in 0..14 {
        let mid = 0.5 * (lo + hi);
        let rates = solver.solve(mid);
        if ratio(&rates) > input.alpha {
            lo = mid;
        } else {
            hi = mid;
            best = rates;
        }
        if hi - lo < 0.02 * hi {
            break;
        }
    }
    let n = f64::from(input.agents);
    // Little's law: agents talking = connects × τ, wrapping = connects × w; and every person is
    // one resolved dial in 1/p.
    let talking = best.connects * input.talk;
    let wrapping = best.connects * input.wrap;
    InformationLimit {
        occupancy: talking / (n - wrapping).max(1e-9),
        abandon_pct: 100.0 * ratio(&best),
        connects_per_agent_hour: 3600.0 * best.connects / n,
        dials_per_agent_hour: 3600.0 * (best.connects + best.abandons) / input.p.max(1e-9) / n,
        lambda: hi,
    }
}

/// Relative value iteration over post-decision states (b, r), kept between multipliers so each
/// solve starts warm.
struct Solver {
    n: usize,
    stride: usize,
    r_max: Vec<usize>,
    theta: f64,
    mu: f64,
    p: f64,
    alpha: f64,
    uniform: f64,
    /// Lagrangian values, then connects and abandons evaluations of the current greedy policy.
    values: [Vec<f64>; STREAMS],
    next: [Vec<f64>; STREAMS],
}

const STREAMS: usize = 3;
const CHECK_EVERY: usize = 64;
const MAX_ITERATIONS: usize = 400_000;
/// Relative span of the per-step gain increments at which the iteration stops.
const TOLERANCE: f64 = 1e-4;

impl Solver {
    fn new(input: &CeilingInput) -> Self {
        let n = input.agents as usize;
        let line_cap = input.lines_per_agent as usize * n;
        // Dials beyond three full pipelines only matter in states the optimum never visits
        // (checked: U1 is unchanged to 3 decimals against the full L·N); the cap shrinks the
        // state space and the uniformization rate, hence the iteration count.
        let pipeline = (n as f64 * input.hold / (input.p.max(1e-9) * (input.talk + input.wrap))).ceil() as usize;
        let cap = line_cap.min(3 * pipeline + 10);
        let r_max: Vec<usize> = (0..=n).map(|b| (line_cap - b.min(line_cap)).min(cap)).collect();
        let stride = r_max[0] + 1;
        let theta = 1.0 / input.hold;
        let mu = 1.0 / (input.talk + input.wrap);
        let uniform = 1.02 * (theta * r_max[0] as f64 + mu * n as f64);
        let size = (n + 1) * stride;
        Self {
            n,
            stride,
            r_max,
            theta,
            mu,
            p: input.p,
            alpha: input.alpha,
            uniform,
            values: std::array::from_fn(|_| vec![0.0; size]),
            next: std::array::from_fn(|_| vec![0.0; size]),
        }
    }

    fn solve(&mut self, lambda: f64) -> Rates {
        let mut gains = [0.0; STREAMS];
        for iteration in 0..MAX_ITERATIONS {
            self.step(lambda);
            if iteration % CHECK_EVERY == CHECK_EVERY - 1 {
                let mut converged = true;
                for (s, gain) in gains.iter_mut().enumerate() {
                    let (lo, hi) = self.increment_bounds(s);
                    *gain = 0.5 * (lo + hi);
                    if hi - lo > TOLERANCE * gain.abs().max(1e-12) + 1e-15 {
                        converged = false;
                    }
                }
                if converged {
                    break;
                }
            }
            self.rebase();
        }
        let scale = self.uniform;
        Rates { connects: gains[1] * scale, abandons: gains[2] * scale }
    }

    /// Min and max over states of next − values: bounds on the per-step gain.
    fn increment_bounds(&self, s: usize) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for b in 0..=self.n {
            let row = b * self.stride;
            for i in row..=row + self.r_max[b] {
                let d = self.next[s][i] - self.values[s][i];
                lo = lo.min(d);
                hi = hi.max(d);
            }
        }
        (lo, hi)
    }

    /// Keeps values bounded: subtract each stream's value at (0, 0).
    fn rebase(&mut self) {
        for s in 0..STREAMS {
            let base = self.next[s][0];
            for v in &mut self.next[s] {
                *v -= base;
            }
        }
        std::mem::swap(&mut self.values, &mut self.next);
    }

    fn step(&mut self, lambda: f64) {
        let (n, stride, theta, mu, p) = (self.n, self.stride, self.theta, self.mu, self.p);
        let inv = 1.0 / self.uniform;
        let connect_reward = 1.0 + self.alpha * lambda;
        let abandon_reward = -(1.0 - self.alpha) * lambda;
        let mut post: [Vec<f64>; STREAMS] = std::array::from_fn(|_| vec![0.0; stride]);
        for b in 0..=n {
            let row = b * stride;
            let top = self.r_max[b];
            let human_row = if b < n { (b + 1) * stride } else { row };
            let out_b = b as f64 * mu;
            for (s, post_s) in post.iter_mut().enumerate() {
                let v = &self.values[s];
                let human = match (s, b < n) {
                    (0, true) => connect_reward,
                    (0, false) => abandon_reward,
                    (1, true) | (2, false) => 1.0,
                    _ => 0.0,
                };
                let here = &v[row..=row + top];
                let up = &v[human_row..];
                let down = if b > 0 { &v[row - stride..] } else { here };
                for r in 0..=top {
                    let out_r = r as f64 * theta;
                    let mut total = (self.uniform - out_r - out_b) * here[r];
                    if r > 0 {
                        total += out_r * (p * (human + up[r - 1]) + (1.0 - p) * here[r - 1]);
                    }
                    total += out_b * down[r];
                    post_s[r] = total * inv;
                }
            }
            // Dialing is instantaneous: from r the controller may move to any r' ≥ r.
            let mut best = top;
            for r in (0..=top).rev() {
                // Ties go to fewer calls.
                if post[0][r] >= post[0][best] {
                    best = r;
                }
                for (next, post) in self.next.iter_mut().zip(&post) {
                    next[row + r] = post[best];
                }
            }
        }
    }
}
