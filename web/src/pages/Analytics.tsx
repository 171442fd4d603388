// Analytics (supervisors): one campaign's dials and connect rate by hour of day, by state and
// by caller ID, its call outcomes and its disposition mix. The server summarises the attempts
// (`GET /v1/campaigns/{id}/analytics`, hours in the browser's zone); drawn with inline SVG.
import { useMemo, useState } from 'react';
import { ApiError, api, call } from '../api/client';
import type { components } from '../api/schema';
import { BarList, ColumnChart } from '../charts';
import { Link, navigate } from '../router';
import { ErrorBox, Field, Loading, pct, useLoad } from '../ui';

type Stats = components['schemas']['CampaignStatsOut'];

const OUTCOMES: [keyof Stats, string][] = [
  ['connects', 'Connected to an agent'],
  ['abandons', 'Abandoned (no agent free)'],
  ['machines', 'Answering machine'],
  ['voicemails', 'Voicemail left'],
  ['no_answers', 'No answer'],
  ['busy', 'Busy'],
  ['failed', 'Failed'],
  ['blocked', 'Blocked by compliance'],
];

export function Analytics({ campaignId }: { campaignId: string }) {
  const campaigns = useLoad(() => call(api.GET('/v1/campaigns', { params: { query: { limit: 200 } } })), []);
  const list = (campaigns.data?.data ?? []).filter((c) => c.status !== 'draft');
  const known = (campaigns.data?.data ?? []).find((c) => c.id === campaignId);
  // A campaign past the first page of the list (a link from its page) is fetched on its own.
  const loaded = !!campaigns.data;
  const single = useLoad(
    async () => (campaignId && loaded && !known ? call(api.GET('/v1/campaigns/{id}', { params: { path: { id: campaignId } } })) : null),
    [campaignId, loaded, !!known],
  );
  const chosen = known ?? single.data ?? undefined;
  return (
    <main>
      <h1>Analytics</h1>
      <ErrorBox error={campaigns.error} />
      {!campaigns.data && !campaigns.error && <Loading what="campaigns" />}
      {campaigns.data && (
        list.length === 0 && !chosen ? (
          <p className="muted">No campaign has dialed yet. <Link href="/campaigns">Start one</Link>.</p>
        ) : (
          <div className="row">
            <Field label="Campaign">
              <select
                value={campaignId}
                onChange={(e) => navigate(e.target.value ? `/analytics?campaign=${encodeURIComponent(e.target.value)}` : '/analytics')}
              >
                <option value="">choose…</option>
                {list.map((c) => <option key={c.id} value={c.id}>{c.name} ({c.status})</option>)}
                {chosen && !list.includes(chosen) && <option value={chosen.id}>{chosen.name} ({chosen.status})</option>}
              </select>
            </Field>
          </div>
        )
      )}
      {campaignId && !known && (
        <ErrorBox error={single.error instanceof ApiError && single.error.status === 404 ? new ApiError('not_found', 'There is no such campaign.', 404) : single.error} />
      )}
      {chosen && <CampaignAnalytics key={chosen.id} id={chosen.id} name={chosen.name} />}
    </main>
  );
}

/** The browser's IANA zone, so hours read as the supervisor's own. */
const browserZone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
})();

const WINDOWS = [7, 30, 90];

function CampaignAnalytics({ id, name }: { id: string; name: string }) {
  const [days, setDays] = useState(30);
  const stats = useLoad(() => call(api.GET('/v1/campaigns/{id}/stats', { params: { path: { id } } })), [id]);
  const summary = useLoad(
    () => call(api.GET('/v1/campaigns/{id}/analytics', { params: { path: { id }, query: { tz: browserZone, days } } })),
    [id, days],
  );
  const dispositions = useLoad(() => call(api.GET('/v1/dispositions')), []);
  const reload = () => void Promise.all([stats.reload(), summary.reload()]);
  const a = summary.data;

  const byHour = useMemo(
    () => (a?.by_hour ?? []).map((h) => ({ label: String(h.hour).padStart(2, '0'), value: h.dials, part: h.connects })),
    [a],
  );
  const dispoMix = useMemo(() => {
    const label = new Map((dispositions.data ?? []).map((d) => [d.code, d.label]));
    return (a?.dispositions ?? []).map((d) => ({ label: label.get(d.code) ?? d.code.replace(/_/g, ' '), value: d.count }));
  }, [a, dispositions.data]);
  const byState = useMemo(
    () => (a?.by_state ?? []).map((r) => ({ label: r.state ?? 'No US state', value: r.dials, part: r.connects })),
    [a],
  );
  const byNumber = useMemo(
    () => (a?.by_number ?? []).map((n) => ({ label: n.e164, value: n.calls, part: n.humans })),
    [a],
  );

  const dials = a?.dials ?? 0;
  const connected = a?.connects ?? 0;
  const rateBars = byHour.map((h) => ({ label: h.label, value: h.value ? h.part / h.value : 0 }));
  const busiest = byHour.reduce((best, h) => (h.value > best.value ? h : best), byHour[0] ?? { label: '00', value: 0, part: 0 });
  const bestRate = byHour.filter((h) => h.value > 0).reduce<(typeof byHour)[number] | null>((best, h) => (!best || h.part / h.value > best.part / best.value ? h : best), null);
  const rateOf = (rows: { label: string; value: number; part: number }[], what: string) =>
    rows.map((r) => `${r.label} ${pct(r.value ? r.part / r.value : 0)} ${what} of ${r.value}`).join(', ');
  const s = stats.data;

  return (
    <section aria-label={`Analytics of ${name}`}>
      <div className="row spread">
        <h2>{name}</h2>
        <p>
          <Link href={`/campaigns/${id}`}>Campaign page</Link>{' '}
          <button type="button" className="secondary" onClick={reload} disabled={!a && !summary.error}>Refresh</button>
        </p>
      </div>
      <ErrorBox error={stats.error ?? summary.error ?? dispositions.error} />
      {s && (
        <dl className="stats">
          <div><dt>Dials</dt><dd>{s.dials}</dd></div>
          <div><dt>Connects</dt><dd>{s.connects}</dd></div>
          <div><dt>Connect rate</dt><dd data-testid="connect-rate">{s.dials ? pct(s.connects / s.dials) : '—'}</dd></div>
          <div><dt>Abandon rate, 30 days</dt><dd>{s.abandon_pct_30d.toFixed(2)}%</dd></div>
          <div><dt>Leads remaining</dt><dd>{s.leads_remaining} of {s.leads_total}</dd></div>
        </dl>
      )}
      <div className="row">
        <Field label="Period">
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {WINDOWS.map((d) => <option key={d} value={d}>Last {d} days</option>)}
          </select>
        </Field>
      </div>
      {!a && !summary.error && <Loading what="the campaign's analytics" />}
      {a && (
        <>
          {dials === 0 ? (
            <p className="muted">No dials in the last {days} days.</p>
          ) : (
            <div className="charts">
              <ColumnChart
                title="Dials by hour of day"
                summary={`${dials} dials, ${connected} connected; busiest hour ${busiest.label}:00 with ${busiest.value}`}
                bars={byHour}
                labelName={`Hour (${a.tz})`}
                valueName="Dials"
                partName="Connected"
                labelEvery={3}
              />
              <ColumnChart
                title="Connect rate by hour of day"
                summary={`${pct(connected / dials)} overall${bestRate ? `; best hour ${bestRate.label}:00 at ${pct(bestRate.part / bestRate.value)}` : ''}`}
                bars={rateBars}
                format={(v) => `${Math.round(v * 100)}%`}
                max={1}
                labelName={`Hour (${a.tz})`}
                valueName="Connect rate"
                labelEvery={3}
              />
              <ColumnChart
                title="Connects by state"
                summary={rateOf(byState, 'connected')}
                bars={byState}
                labelName="State (of the area code)"
                valueName="Dials"
                partName="Connected"
              />
              <ColumnChart
                title="Answers by caller ID"
                summary={rateOf(byNumber, 'answered by a person')}
                bars={byNumber}
                labelName="Caller ID"
                valueName="Calls"
                partName="Answered by a person"
              />
            </div>
          )}
          <p className="muted">
            Hours are in your time zone ({a.tz}), by when each call was dialed; states are those of the numbers' area codes.
            Counters above cover the last 30 days.
          </p>
        </>
      )}
      <div className="charts">
        {s && s.dials > 0 && (
          <BarList
            title="Call outcomes"
            summary={OUTCOMES.map(([k, l]) => `${l} ${s[k]}`).join(', ')}
            rows={OUTCOMES.map(([k, label]) => ({ label, value: Number(s[k]) }))}
          />
        )}
        {a && (
          dispoMix.length > 0 ? (
            <BarList
              title="Disposition mix"
              summary={dispoMix.map((d) => `${d.label} ${d.value}`).join(', ')}
              rows={dispoMix}
            />
          ) : (
            dials > 0 && <p className="muted">No call has been dispositioned yet.</p>
          )
        )}
      </div>
    </section>
  );
}
