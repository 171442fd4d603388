// Campaigns (supervisors): the list, a new campaign with every setting, and one campaign's
// controls and live stats.
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { Link, navigate } from '../router';
import { AbandonMeter, ErrorBox, Field, Loading, useAction, useLoad } from '../ui';

type CampaignIn = components['schemas']['CampaignIn'];
type CampaignOut = components['schemas']['CampaignOut'];
type Stats = components['schemas']['CampaignStatsOut'];

export function Campaigns() {
  const list = useLoad(() => call(api.GET('/v1/campaigns', { params: { query: { limit: 200 } } })), [], 3000);
  const data = list.data?.data ?? [];
  return (
    <main>
      <h1>Campaigns</h1>
      <p><Link href="/campaigns/new" className="button">New campaign</Link></p>
      <ErrorBox error={list.error} />
      {!list.data && !list.error && <Loading what="campaigns" />}
      {list.data && data.length === 0 && <p className="muted">No campaigns yet.</p>}
      {data.length > 0 && (
        <table>
          <thead><tr><th>Name</th><th>Mode</th><th>Status</th></tr></thead>
          <tbody>
            {data.map((c) => (
              <tr key={c.id}>
                <td><Link href={`/campaigns/${c.id}`}>{c.name}</Link></td>
                <td>{c.mode}</td>
                <td><Status c={c} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

const REASONS: Record<string, string> = {
  no_agents_logged_in: 'no agents are logged in',
  carrier_failing: 'the carrier is failing calls',
  queue_empty: 'every lead has been worked',
  outside_schedule: 'its dialing hours are closed',
};

function Status({ c }: { c: CampaignOut }) {
  const bySystem = c.status_by?.startsWith('system:');
  return (
    <span className="status">
      <span className={`badge ${c.status}`}>{c.status}</span>
      {bySystem && c.status_reason && (
        <span className="muted"> — the dialer did this because {REASONS[c.status_reason] ?? c.status_reason}</span>
      )}
      {c.opens_at && <span className="muted"> · dials again {new Date(c.opens_at).toLocaleString()}</span>}
    </span>
  );
}

const DAYS: [string, string][] = [
  ['mon', 'Mon'], ['tue', 'Tue'], ['wed', 'Wed'], ['thu', 'Thu'], ['fri', 'Fri'], ['sat', 'Sat'], ['sun', 'Sun'],
];

const num = (s: string): number | null => (s.trim() === '' ? null : Number(s));

export function NewCampaign() {
  const lists = useLoad(() => call(api.GET('/v1/lists', { params: { query: { limit: 200 } } })), []);
  const scripts = useLoad(() => call(api.GET('/v1/scripts')), []);
  const accounts = useLoad(() => call(api.GET('/v1/carrier-accounts', { params: { query: { limit: 200 } } })), []);
  const numbers = useLoad(() => call(api.GET('/v1/numbers', { params: { query: { limit: 200 } } })), []);
  const voicemails = useLoad(() => call(api.GET('/v1/voicemail-templates')), []);
  const [f, setF] = useState({
    name: '', mode: 'progressive', lines_per_agent: '', abandon_target: '', amd: true, machine_action: 'hangup',
    voicemail_url: '', ring_timeout_secs: '', caller_id_mode: 'local_presence', caller_number_id: '', account_id: '',
    max_attempts: '', script_id: '', script_body: '', purpose: 'marketing', seller_name: '', callback_number: '',
    wrap_secs: '', record: false, auto_sms: '',
  });
  const [redial, setRedial] = useState({ no_answer: '', busy: '', machine: '', voicemail: '', failed: '', abandoned: '' });
  const [listIds, setListIds] = useState<string[]>([]);
  const [hours, setHours] = useState({
    on: false, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'America/New_York',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '20:00',
  });
  const a = useAction();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      let script_id = f.script_id || null;
      if (!script_id && f.script_body.trim()) {
        const s = await call(api.POST('/v1/scripts', { body: { name: `${f.name} script`, body: f.script_body } }));
        script_id = s.id;
      }
      const body: CampaignIn = {
        name: f.name, mode: f.mode, seller_name: f.seller_name, list_ids: listIds,
        lines_per_agent: num(f.lines_per_agent), abandon_target: num(f.abandon_target), amd: f.amd,
        machine_action: f.machine_action, voicemail_url: f.voicemail_url || null,
        ring_timeout_secs: num(f.ring_timeout_secs), caller_id_mode: f.caller_id_mode,
        caller_number_id: f.caller_id_mode === 'fixed' ? f.caller_number_id || null : null,
        account_id: f.account_id || null, max_attempts: num(f.max_attempts), script_id, purpose: f.purpose,
        callback_number: f.callback_number || null, wrap_secs: num(f.wrap_secs), record: f.record,
        auto_sms: f.auto_sms || null,
        schedule: hours.on ? { timezone: hours.timezone, days: hours.days, start: hours.start, end: hours.end } : null,
        redial: Object.fromEntries(Object.entries(redial).map(([k, v]) => [k, num(v)])),
      };
      const c = await call(api.POST('/v1/campaigns', { body }));
      navigate(`/campaigns/${c.id}`);
    });
  };

  return (
    <main>
      <h1>New campaign</h1>
      <form onSubmit={submit} className="grid">
        <Field label="Campaign name"><input required autoFocus value={f.name} onChange={set('name')} /></Field>
        <Field label="Dialing mode">
          <select value={f.mode} onChange={set('mode')}>
            <option value="preview">preview</option>
            <option value="progressive">progressive</option>
            <option value="power">power</option>
            <option value="predictive">predictive</option>
          </select>
        </Field>
        <Field label="Lines per agent" hint="power mode, 1–3"><input type="number" min={1} max={3} value={f.lines_per_agent} onChange={set('lines_per_agent')} /></Field>
        <Field label="Abandon target (%)" hint="at most 3"><input type="number" step="0.1" min={0} max={3} value={f.abandon_target} onChange={set('abandon_target')} /></Field>
        <label className="check"><input type="checkbox" checked={f.amd} onChange={(e) => setF({ ...f, amd: e.target.checked })} /> Answering-machine detection</label>
        <Field label="When a machine answers">
          <select value={f.machine_action} onChange={set('machine_action')}>
            <option value="hangup">hang up</option>
            <option value="voicemail">leave a voicemail</option>
          </select>
        </Field>
        {f.machine_action === 'voicemail' && (voicemails.data ?? []).length > 0 && (
          <Field label="Voicemail recording" hint="from Admin → Voicemails">
            <select
              value={(voicemails.data ?? []).find((t) => t.audio_url === f.voicemail_url)?.id ?? ''}
              onChange={(e) => setF({ ...f, voicemail_url: (voicemails.data ?? []).find((t) => t.id === e.target.value)?.audio_url ?? '' })}
            >
              <option value="">another recording (its link below)</option>
              {(voicemails.data ?? []).map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
            </select>
          </Field>
        )}
        <Field label="Voicemail audio URL"><input type="url" value={f.voicemail_url} onChange={set('voicemail_url')} required={f.machine_action === 'voicemail'} /></Field>
        <Field label="Ring timeout (seconds)" hint="15–120, default 25"><input type="number" min={15} max={120} value={f.ring_timeout_secs} onChange={set('ring_timeout_secs')} /></Field>
        <Field label="Caller ID">
          <select value={f.caller_id_mode} onChange={set('caller_id_mode')}>
            <option value="local_presence">local presence</option>
            <option value="fixed">one fixed number</option>
          </select>
        </Field>
        {f.caller_id_mode === 'fixed' && (
          <Field label="Caller number">
            <select required value={f.caller_number_id} onChange={set('caller_number_id')}>
              <option value="">choose…</option>
              {(numbers.data?.data ?? []).map((n) => <option key={n.id} value={n.id}>{n.e164}</option>)}
            </select>
          </Field>
        )}
        <Field label="Carrier account">
          <select value={f.account_id} onChange={set('account_id')}>
            <option value="">the agency's first account</option>
            {(accounts.data?.data ?? []).map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </Field>
        <Field label="Attempts per lead" hint="default 3"><input type="number" min={1} value={f.max_attempts} onChange={set('max_attempts')} /></Field>
        <fieldset>
          <legend>Redial delays (seconds)</legend>
          {(Object.keys(redial) as (keyof typeof redial)[]).map((k) => (
            <Field key={k} label={`After ${k.replace('_', ' ')}`}>
              <input type="number" min={0} value={redial[k]} onChange={(e) => setRedial({ ...redial, [k]: e.target.value })} />
            </Field>
          ))}
        </fieldset>
        <Field label="Script">
          <select value={f.script_id} onChange={set('script_id')}>
            <option value="">none, or write one below</option>
            {(scripts.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </Field>
        {!f.script_id && (
          <Field label="New script" hint="Merge fields like {FirstName}, {Seller}; {?Company}…{/Company} shows when set.">
            <textarea rows={3} value={f.script_body} onChange={set('script_body')} />
          </Field>
        )}
        <Field label="Purpose">
          <select value={f.purpose} onChange={set('purpose')}>
            <option value="marketing">marketing</option>
            <option value="informational">informational</option>
            <option value="collection">collection</option>
          </select>
        </Field>
        <Field label="Seller name" hint="named in the safe-harbor message"><input required value={f.seller_name} onChange={set('seller_name')} /></Field>
        <Field label="Callback number" hint="read out in the safe-harbor message"><input type="tel" value={f.callback_number} onChange={set('callback_number')} /></Field>
        <Field label="Wrap-up (seconds)" hint="0 = until the disposition; default 60"><input type="number" min={0} value={f.wrap_secs} onChange={set('wrap_secs')} /></Field>
        <label className="check"><input type="checkbox" checked={f.record} onChange={(e) => setF({ ...f, record: e.target.checked })} /> Record calls</label>
        <Field label="Text when attempts are used up"><input value={f.auto_sms} onChange={set('auto_sms')} /></Field>
        <fieldset>
          <legend>Dialing hours</legend>
          <label className="check">
            <input type="checkbox" checked={hours.on} onChange={(e) => setHours({ ...hours, on: e.target.checked })} /> Only dial on these days and hours
          </label>
          {hours.on && (
            <>
              <Field label="Time zone" hint="IANA name, e.g. America/New_York"><input value={hours.timezone} onChange={(e) => setHours({ ...hours, timezone: e.target.value })} /></Field>
              <div className="row" role="group" aria-label="Days">
                {DAYS.map(([d, label]) => (
                  <label key={d} className="check">
                    <input
                      type="checkbox"
                      checked={hours.days.includes(d)}
                      onChange={(e) => setHours({ ...hours, days: e.target.checked ? [...hours.days, d] : hours.days.filter((x) => x !== d) })}
                    />{' '}
                    {label}
                  </label>
                ))}
              </div>
              <Field label="From"><input type="time" value={hours.start} onChange={(e) => setHours({ ...hours, start: e.target.value })} /></Field>
              <Field label="Until"><input type="time" value={hours.end} onChange={(e) => setHours({ ...hours, end: e.target.value })} /></Field>
            </>
          )}
          <p className="muted">Every call also stays inside each lead's legal calling hours, whatever is set here.</p>
        </fieldset>
        <fieldset>
          <legend>Lists to dial</legend>
          {!lists.data && <Loading what="lists" />}
          {(lists.data?.data ?? []).map((l) => (
            <label key={l.id} className="check">
              <input
                type="checkbox"
                checked={listIds.includes(l.id)}
                onChange={(e) => setListIds(e.target.checked ? [...listIds, l.id] : listIds.filter((x) => x !== l.id))}
              />{' '}
              {l.name} ({l.size})
            </label>
          ))}
        </fieldset>
        <ErrorBox error={a.error ?? lists.error} />
        <button type="submit" disabled={a.busy}>Create campaign</button>
      </form>
    </main>
  );
}

export function CampaignDetail({ id }: { id: string }) {
  const c = useLoad(() => call(api.GET('/v1/campaigns/{id}', { params: { path: { id } } })), [id], 2000);
  const stats = useLoad(() => call(api.GET('/v1/campaigns/{id}/stats', { params: { path: { id } } })), [id], 2000);
  const a = useAction();
  const act = (verb: 'start' | 'pause' | 'resume' | 'stop') =>
    void a.run(async () => {
      const path = `/v1/campaigns/{id}/${verb}` as const;
      await call(api.POST(path, { params: { path: { id } } }));
      await Promise.all([c.reload(), stats.reload()]);
    });
  const s = c.data?.status;
  return (
    <main>
      <p><Link href="/campaigns">← Campaigns</Link></p>
      <ErrorBox error={c.error} />
      {!c.data && !c.error && <Loading what="the campaign" />}
      {c.data && (
        <>
          <h1>{c.data.name}</h1>
          <p>
            {c.data.mode} · {c.data.purpose} · <Status c={c.data} /> ·{' '}
            <Link href={`/analytics?campaign=${encodeURIComponent(id)}`}>Analytics</Link>
          </p>
          <div className="row" role="group" aria-label="Campaign controls">
            {s === 'draft' && <button onClick={() => act('start')} disabled={a.busy}>Start</button>}
            {s === 'running' && <button onClick={() => act('pause')} disabled={a.busy}>Pause</button>}
            {s === 'paused' && <button onClick={() => act('resume')} disabled={a.busy}>Resume</button>}
            {(s === 'running' || s === 'paused') && <button onClick={() => act('stop')} disabled={a.busy} className="danger">Stop</button>}
          </div>
          <ErrorBox error={a.error} />
        </>
      )}
      <ErrorBox error={stats.error} />
      {stats.data && <StatsView stats={stats.data} />}
    </main>
  );
}

export function StatsView({ stats }: { stats: Stats }) {
  const items: [string, number][] = [
    ['Dials', stats.dials], ['Connects', stats.connects], ['Abandons', stats.abandons], ['Machines', stats.machines],
    ['Voicemails', stats.voicemails], ['No answer', stats.no_answers], ['Busy', stats.busy], ['Failed', stats.failed],
    ['Blocked by compliance', stats.blocked], ['In flight', stats.in_flight], ['Leads', stats.leads_total],
    ['Leads remaining', stats.leads_remaining], ['Agents ready', stats.agents_ready], ['On call', stats.agents_on_call],
    ['Wrap-up', stats.agents_wrap_up], ['Paused', stats.agents_paused],
  ];
  return (
    <section aria-label="Campaign stats">
      <AbandonMeter pct={stats.abandon_pct_30d} label="Abandon rate, last 30 days" />
      <p className="muted">Today: {stats.abandon_pct_today.toFixed(2)}% of {stats.humans} live answers (30 days)</p>
      <dl className="stats">
        {items.map(([k, v]) => (
          <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
        ))}
      </dl>
    </section>
  );
}
