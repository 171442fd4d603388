// The wallboard (supervisors): every logged-in agent with their state and time in it, and every
// live campaign's counters against the 3% abandon line. Refreshes every 2 s and on events.
// A supervisor can listen to, whisper to or barge in on an agent's calls: their phone is
// dialled into the agent's line and stays there across calls until they stop.
import { useEffect, useState } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { getSession } from '../api/session';
import { subscribe } from '../events';
import { AbandonMeter, ErrorBox, Loading, Since, useAction, useLoad } from '../ui';

type Monitor = components['schemas']['MonitorOut'];
type Mode = 'listen' | 'whisper' | 'barge';
const MODES: { mode: Mode; label: string; doing: string }[] = [
  { mode: 'listen', label: 'Listen', doing: 'listening' },
  { mode: 'whisper', label: 'Whisper', doing: 'whispering' },
  { mode: 'barge', label: 'Barge', doing: 'barging in' },
];
const PHONE_KEY = 'outdial.monitor-phone';

/** Listen / whisper / barge on one agent's line, or what the supervisor is doing there now. */
function MonitorControls({ sessionId, agent, mine, onChange }: { sessionId: string; agent: string; mine?: Monitor; onChange: () => void }) {
  const a = useAction();
  const start = (mode: Mode) => a.run(async () => {
    const phone = localStorage.getItem(PHONE_KEY) || undefined;
    await call(api.POST('/v1/agent-sessions/{id}/monitors', { params: { path: { id: sessionId } }, body: { mode, phone } }));
    onChange();
  });
  const switchTo = (id: string, mode: Mode) => a.run(async () => {
    await call(api.POST('/v1/monitors/{id}/mode', { params: { path: { id } }, body: { mode } }));
    onChange();
  });
  const stop = (id: string) => a.run(async () => {
    await call(api.POST('/v1/monitors/{id}/end', { params: { path: { id } } }));
    onChange();
  });
  return (
    <div className="monitor" role="group" aria-label={`Monitor ${agent}`}>
      {mine && (
        <span className="badge monitoring" data-testid="monitor-state">
          {mine.state === 'dialing' ? 'calling your phone…' : MODES.find((m) => m.mode === mine.mode)?.doing ?? mine.mode}
        </span>
      )}
      {MODES.filter((m) => !mine || m.mode !== mine.mode).map((m) => (
        <button key={m.mode} type="button" disabled={a.busy || mine?.state === 'dialing'}
          onClick={() => void (mine ? switchTo(mine.id, m.mode) : start(m.mode))}>{m.label}</button>
      ))}
      {mine && <button type="button" disabled={a.busy} onClick={() => void stop(mine.id)}>Stop</button>}
      <ErrorBox error={a.error} />
    </div>
  );
}

/** The number the supervisor answers on (kept in this browser); blank on a sandbox account. */
function MonitorPhone() {
  const [phone, setPhone] = useState(() => localStorage.getItem(PHONE_KEY) ?? '');
  return (
    <label className="inline">
      Your phone for listening{' '}
      <input type="tel" value={phone} placeholder="+1… (blank on a sandbox account)"
        onChange={(e) => { setPhone(e.target.value); localStorage.setItem(PHONE_KEY, e.target.value.trim()); }} />
    </label>
  );
}

export function Wallboard() {
  const agents = useLoad(() => call(api.GET('/v1/agent-sessions')), [], 2000);
  const members = useLoad(() => call(api.GET('/v1/members', { params: { query: { limit: 200 } } })), []);
  const boards = useLoad(async () => {
    const cs = await call(api.GET('/v1/campaigns', { params: { query: { limit: 200 } } }));
    const live = cs.data.filter((c) => c.status !== 'draft' && c.status !== 'stopped');
    return Promise.all(
      live.map(async (c) => ({ c, stats: await call(api.GET('/v1/campaigns/{id}/stats', { params: { path: { id: c.id } } })) })),
    );
  }, [], 2000);
  const monitors = useLoad(() => call(api.GET('/v1/monitors')), [], 2000);
  const reloadAgents = agents.reload;
  const reloadMonitors = monitors.reload;
  useEffect(() => subscribe((kind) => {
    if (kind === 'agent.updated') void reloadAgents();
    if (kind === 'monitor.updated') void reloadMonitors();
  }), [reloadAgents, reloadMonitors]);
  const me = getSession()?.userId;
  const myMonitor = new Map((monitors.data ?? []).filter((m) => m.user_id === me).map((m) => [m.session_id, m]));

  const names = new Map((members.data?.data ?? []).map((m) => [m.user.id, m.user.name]));
  const campaignName = new Map((boards.data ?? []).map((b) => [b.c.id, b.c.name]));
  return (
    <main>
      <h1>Wallboard</h1>
      <section aria-labelledby="agents-h">
        <h2 id="agents-h">Agents</h2>
        <ErrorBox error={agents.error} />
        {!agents.data && !agents.error && <Loading what="agents" />}
        {agents.data && agents.data.length === 0 && <p className="muted">Nobody is logged in.</p>}
        <MonitorPhone />
        {agents.data && agents.data.length > 0 && (
          <table aria-label="Agents">
            <thead><tr><th>Agent</th><th>Campaign</th><th>State</th><th>Time in state</th><th>Lead</th><th>Monitor</th></tr></thead>
            <tbody>
              {agents.data.map((s) => (
                <tr key={s.id}>
                  <td>{names.get(s.user_id) ?? s.user_id}</td>
                  <td>{campaignName.get(s.campaign_id) ?? s.campaign_id}</td>
                  <td><span className={`badge ${s.state}`}>{s.state.replace('_', ' ')}</span>{s.pause_reason && <span className="muted"> ({s.pause_reason})</span>}</td>
                  <td><Since since={s.state_since} secs={s.in_state_secs} /></td>
                  <td>{s.lead ? `${s.lead.first_name ?? ''} ${s.lead.phone}` : ''}</td>
                  <td>
                    {s.user_id !== me && s.state !== 'connecting' && (
                      <MonitorControls sessionId={s.id} agent={names.get(s.user_id) ?? s.user_id} mine={myMonitor.get(s.id)}
                        onChange={() => void reloadMonitors()} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="camps-h">
        <h2 id="camps-h">Campaigns</h2>
        <ErrorBox error={boards.error} />
        {!boards.data && !boards.error && <Loading what="campaign stats" />}
        {boards.data && boards.data.length === 0 && <p className="muted">No live campaign.</p>}
        <div className="boards">
          {(boards.data ?? []).map(({ c, stats }) => (
            <article key={c.id} className="board" aria-label={`Campaign ${c.name}`}>
              <h3>{c.name} <span className={`badge ${c.status}`}>{c.status}</span></h3>
              <dl className="stats">
                <div><dt>Dials</dt><dd data-testid="dials">{stats.dials}</dd></div>
                <div><dt>Connects</dt><dd data-testid="connects">{stats.connects}</dd></div>
                <div><dt>Abandons</dt><dd>{stats.abandons}</dd></div>
                <div><dt>In flight</dt><dd>{stats.in_flight}</dd></div>
                <div><dt>Remaining</dt><dd>{stats.leads_remaining}</dd></div>
                <div><dt>Ready / on call / wrap / paused</dt><dd>{stats.agents_ready} / {stats.agents_on_call} / {stats.agents_wrap_up} / {stats.agents_paused}</dd></div>
              </dl>
              <AbandonMeter pct={stats.abandon_pct_30d} label={`Abandon rate of ${c.name}`} />
            </article>
          ))}
        </div>
      </section>
    </main>
  );
}
