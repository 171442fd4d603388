// Analytics (supervisors): one campaign's dials by hour of day, its connect rate, its call
// outcomes and its disposition mix, computed in the browser from the campaign's attempts and
// its live counters, drawn with inline SVG.
import { useMemo } from 'react';
import { ApiError, api, call } from '../api/client';
import type { components } from '../api/schema';
import { BarList, ColumnChart } from '../charts';
import { Link, navigate } from '../router';
import { ErrorBox, Field, Loading, pct, useLoad } from '../ui';

type Stats = components['schemas']['CampaignStatsOut'];

/** One row of `GET /v1/campaigns/{id}/attempts`. openapi.json types these as the contact
 * ledger's `AttemptOut` (two Rust structs share the name), so this mirrors the server's
 * `routes::campaigns::AttemptOut`. */
interface CampaignAttempt {
  id: string;
  campaign_id: string;
  contact_id: string;
  phone: string;
  seq: number;
  status: string;
  outcome?: string | null;
  counts: boolean;
  disposition?: string | null;
  created_at: string;
  dialed_at?: string | null;
  connected_at?: string | null;
  ended_at?: string | null;
}

/** Pages of 200; past this many attempts the charts say they cover the first ones only. */
const MAX_PAGES = 50;

async function loadAttempts(id: string): Promise<{ attempts: CampaignAttempt[]; capped: boolean }> {
  const attempts: CampaignAttempt[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i += 1) {
    const page = await call(api.GET('/v1/campaigns/{id}/attempts', { params: { path: { id }, query: { limit: 200, cursor } } }));
    attempts.push(...(page.data as unknown as CampaignAttempt[]));
    if (!page.next_cursor) return { attempts, capped: false };
    cursor = page.next_cursor;
  }
  return { attempts, capped: true };
}

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

function CampaignAnalytics({ id, name }: { id: string; name: string }) {
  const stats = useLoad(() => call(api.GET('/v1/campaigns/{id}/stats', { params: { path: { id } } })), [id]);
  const attempts = useLoad(() => loadAttempts(id), [id]);
  const dispositions = useLoad(() => call(api.GET('/v1/dispositions')), []);
  const reload = () => void Promise.all([stats.reload(), attempts.reload()]);

  const byHour = useMemo(() => {
    const hours = Array.from({ length: 24 }, (_, h) => ({ label: String(h).padStart(2, '0'), value: 0, part: 0 }));
    for (const a of attempts.data?.attempts ?? []) {
      if (!a.dialed_at) continue;
      const h = hours[new Date(a.dialed_at).getHours()];
      h.value += 1;
      if (a.outcome === 'connected') h.part += 1;
    }
    return hours;
  }, [attempts.data]);

  const dispoMix = useMemo(() => {
    const label = new Map((dispositions.data ?? []).map((d) => [d.code, d.label]));
    const counts = new Map<string, number>();
    for (const a of attempts.data?.attempts ?? []) {
      if (a.disposition) counts.set(a.disposition, (counts.get(a.disposition) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort((x, y) => y[1] - x[1])
      .map(([code, value]) => ({ label: label.get(code) ?? code.replace(/_/g, ' '), value }));
  }, [attempts.data, dispositions.data]);

  const dials = byHour.reduce((s, h) => s + h.value, 0);
  const connected = byHour.reduce((s, h) => s + h.part, 0);
  const rateBars = byHour.map((h) => ({ label: h.label, value: h.value ? h.part / h.value : 0 }));
  const busiest = byHour.reduce((best, h) => (h.value > best.value ? h : best), byHour[0]);
  const bestRate = byHour.filter((h) => h.value > 0).reduce<(typeof byHour)[number] | null>((best, h) => (!best || h.part / h.value > best.part / best.value ? h : best), null);
  const s = stats.data;

  return (
    <section aria-label={`Analytics of ${name}`}>
      <div className="row spread">
        <h2>{name}</h2>
        <p>
          <Link href={`/campaigns/${id}`}>Campaign page</Link>{' '}
          <button type="button" className="secondary" onClick={reload} disabled={!attempts.data && !attempts.error}>Refresh</button>
        </p>
      </div>
      <ErrorBox error={stats.error ?? attempts.error ?? dispositions.error} />
      {s && (
        <dl className="stats">
          <div><dt>Dials</dt><dd>{s.dials}</dd></div>
          <div><dt>Connects</dt><dd>{s.connects}</dd></div>
          <div><dt>Connect rate</dt><dd data-testid="connect-rate">{s.dials ? pct(s.connects / s.dials) : '—'}</dd></div>
          <div><dt>Abandon rate, 30 days</dt><dd>{s.abandon_pct_30d.toFixed(2)}%</dd></div>
          <div><dt>Leads remaining</dt><dd>{s.leads_remaining} of {s.leads_total}</dd></div>
        </dl>
      )}
      {s && <p className="muted">Counters and outcomes cover the last 30 days; the hourly charts and dispositions, every attempt.</p>}
      {!attempts.data && !attempts.error && <Loading what="the campaign's attempts" />}
      {attempts.data && (
        <>
          {attempts.data.capped && (
            <p className="muted">The charts cover the first {attempts.data.attempts.length.toLocaleString()} attempts only.</p>
          )}
          {dials === 0 ? (
            <p className="muted">No dials yet.</p>
          ) : (
            <div className="charts">
              <ColumnChart
                title="Dials by hour of day"
                summary={`${dials} dials, ${connected} connected; busiest hour ${busiest.label}:00 with ${busiest.value}`}
                bars={byHour}
                labelName="Hour (your time)"
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
                labelName="Hour (your time)"
                valueName="Connect rate"
                labelEvery={3}
              />
            </div>
          )}
          <p className="muted">Hours are in your browser's time zone, by when each call was dialed.</p>
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
        {attempts.data && (
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
