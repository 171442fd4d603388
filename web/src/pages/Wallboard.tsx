// The wallboard (supervisors): every logged-in agent with their state and time in it, and every
// live campaign's counters against the 3% abandon line. Refreshes every 2 s and on events.
import { useEffect } from 'react';
import { api, call } from '../api/client';
import { subscribe } from '../events';
import { AbandonMeter, ErrorBox, Loading, Since, useLoad } from '../ui';

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
  const reloadAgents = agents.reload;
  useEffect(() => subscribe((kind) => { if (kind === 'agent.updated') void reloadAgents(); }), [reloadAgents]);

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
        {agents.data && agents.data.length > 0 && (
          <table aria-label="Agents">
            <thead><tr><th>Agent</th><th>Campaign</th><th>State</th><th>Time in state</th><th>Lead</th></tr></thead>
            <tbody>
              {agents.data.map((s) => (
                <tr key={s.id}>
                  <td>{names.get(s.user_id) ?? s.user_id}</td>
                  <td>{campaignName.get(s.campaign_id) ?? s.campaign_id}</td>
                  <td><span className={`badge ${s.state}`}>{s.state.replace('_', ' ')}</span>{s.pause_reason && <span className="muted"> ({s.pause_reason})</span>}</td>
                  <td><Since since={s.state_since} secs={s.in_state_secs} /></td>
                  <td>{s.lead ? `${s.lead.first_name ?? ''} ${s.lead.phone}` : ''}</td>
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
