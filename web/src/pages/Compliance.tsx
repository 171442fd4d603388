// Admin → Compliance: the National DNC Registry copy and the agency's subscription, the rule
// overrides, the internal do-not-call list, suppression lists, and the audit log of every gate
// decision with a CSV export.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, call, fetchBlob } from '../api/client';
import type { components, paths } from '../api/schema';
import { getSession, isAdmin } from '../api/session';
import { ConfirmButton, ErrorBox, Field, Loading, MoreButton, When, saveBlob, useAction, useLoad, usePaged } from '../ui';

type SettingsIn = components['schemas']['SettingsIn'];
type SettingsOut = components['schemas']['SettingsOut'];
type SuppressionListOut = components['schemas']['SuppressionListOut'];
type AuditQuery = NonNullable<paths['/v1/compliance/audit']['get']['parameters']['query']>;

/** The gate's reason codes (stable strings of the audit log), for people. */
export const REASON_CODES: Record<string, string> = {
  DNC_INTERNAL: 'on the internal do-not-call list',
  DNC_NATIONAL: 'on the National Do Not Call Registry',
  DNC_STATE: 'on a state do-not-call list',
  DNC_STALE_REGISTRY: 'registry copy too old',
  DNC_AREA_CODE_NOT_SUBSCRIBED: 'area code not in the registry subscription',
  CALLING_HOURS: 'outside calling hours',
  STATE_DAY_BAN: 'closed day under a state rule',
  HOLIDAY: 'state holiday',
  EMERGENCY_BAN: 'declared emergency',
  FREQUENCY_CAP: 'frequency cap reached',
  REG_F_7_IN_7: 'Regulation F: 7 calls in 7 days',
  REG_F_POST_CONVERSATION: 'Regulation F: talked within 7 days',
  NO_CONSENT: 'no consent',
  REASSIGNED_NUMBER: 'number reassigned since consent',
  OPTED_OUT: 'opted out',
  UNKNOWN_LOCATION: 'location unknown',
  INTERNATIONAL: 'international number',
  INVALID_DESTINATION: 'not a valid number or email',
  SUPPRESSION_LIST: 'on a suppression list',
};

export function Compliance() {
  const admin = isAdmin(getSession()?.role);
  return (
    <main>
      <h1>Compliance</h1>
      <Registry />
      <Settings admin={admin} />
      <Dnc />
      <Suppression admin={admin} />
      <Audit />
    </main>
  );
}

function Registry() {
  const r = useLoad(() => call(api.GET('/v1/compliance/registry')), []);
  return (
    <section aria-labelledby="registry-h">
      <h2 id="registry-h">National Do Not Call Registry</h2>
      <ErrorBox error={r.error} />
      {!r.data && !r.error && <Loading what="the registry status" />}
      {r.data && (
        <>
          {r.data.loaded ? (
            <p>
              Copy of {r.data.copy_date} · {r.data.numbers.toLocaleString()} numbers in {r.data.area_codes} area codes
              {r.data.stale && <span className="error"> · too old to scrub marketing calls against (over 31 days)</span>}
            </p>
          ) : (
            <p className="error">No registry copy is loaded; marketing calls need one no older than 31 days.</p>
          )}
          {r.data.subscribed_not_covered.length > 0 && (
            <p className="error">Subscribed area codes the copy does not cover: {r.data.subscribed_not_covered.join(', ')}</p>
          )}
        </>
      )}
    </section>
  );
}

/** The overrides edited by their own fields; the rest is edited as JSON. */
const OWN_FIELDS = ['guard_band_seconds', 'emergency_bans'] as const;

function splitList(s: string): string[] {
  return s.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
}

function formOf(s: SettingsOut) {
  const o = s.overrides as Record<string, unknown>;
  const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !(OWN_FIELDS as readonly string[]).includes(k)));
  const guard = o.guard_band_seconds;
  const bans = Array.isArray(o.emergency_bans) ? (o.emergency_bans as string[]) : [];
  return {
    area_codes: s.subscribed_area_codes.join(', '),
    guard_band: typeof guard === 'number' ? String(guard) : '',
    emergency_bans: bans.join(', '),
    other: JSON.stringify(rest, null, 2),
  };
}

function Settings({ admin }: { admin: boolean }) {
  const s = useLoad(() => call(api.GET('/v1/compliance/settings')), []);
  const [f, setF] = useState<ReturnType<typeof formOf> | null>(null);
  const [saved, setSaved] = useState('');
  const a = useAction();
  useEffect(() => {
    if (s.data) setF(formOf(s.data));
  }, [s.data]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!f) return;
    setSaved('');
    void a.run(async () => {
      let other: unknown;
      try {
        other = f.other.trim() === '' ? {} : JSON.parse(f.other);
      } catch {
        throw new ApiError('validation_failed', 'Other rule overrides must be valid JSON (an object).', 0);
      }
      if (!other || typeof other !== 'object' || Array.isArray(other)) {
        throw new ApiError('validation_failed', 'Other rule overrides must be a JSON object, like {"caps": []}.', 0);
      }
      const codes = splitList(f.area_codes).map(Number);
      if (codes.some((c) => !Number.isInteger(c))) {
        throw new ApiError('validation_failed', 'Area codes are three-digit numbers separated by commas.', 0);
      }
      const overrides = {
        ...(other as Record<string, unknown>),
        guard_band_seconds: f.guard_band.trim() === '' ? null : Number(f.guard_band),
        emergency_bans: splitList(f.emergency_bans).map((x) => x.toUpperCase()),
      };
      // openapi.json says only `type: object`, which the generator types as an empty record.
      const body = { overrides: overrides as unknown as SettingsIn['overrides'], subscribed_area_codes: codes };
      const out = await call(api.PUT('/v1/compliance/settings', { body }));
      await s.reload();
      setSaved(`Saved: revision ${out.revision}, effective from the next check.`);
    });
  };

  return (
    <section aria-labelledby="settings-h">
      <h2 id="settings-h">Rules and registry subscription</h2>
      <ErrorBox error={s.error} />
      {!s.data && !s.error && <Loading what="the compliance settings" />}
      {s.data && f && (
        <form onSubmit={submit} className="grid">
          <p className="muted full">
            Rule set {s.data.ruleset_version}, agency revision {s.data.revision}. Overrides can tighten the rules, never
            lift the federal floor.
          </p>
          <Field label="Subscribed area codes" hint="of your National DNC Registry subscription, separated by commas">
            <input disabled={!admin} value={f.area_codes} onChange={(e) => setF({ ...f, area_codes: e.target.value })} />
          </Field>
          <Field label="Guard band (seconds)" hint="how long before the end of calling hours dialing stops; empty = default">
            <input disabled={!admin} type="number" min={0} value={f.guard_band} onChange={(e) => setF({ ...f, guard_band: e.target.value })} />
          </Field>
          <Field label="Emergency bans (states)" hint="two-letter states with a declared emergency, e.g. FL, LA">
            <input disabled={!admin} value={f.emergency_bans} onChange={(e) => setF({ ...f, emergency_bans: e.target.value })} />
          </Field>
          <div className="full">
            <Field label="Other rule overrides (JSON)" hint="state_rules, extra_holidays, caps, consent and revision, as the rules engine reads them">
              <textarea disabled={!admin} rows={8} className="mono" value={f.other} onChange={(e) => setF({ ...f, other: e.target.value })} />
            </Field>
          </div>
          {admin ? (
            <button type="submit" disabled={a.busy}>Save settings</button>
          ) : (
            <p className="muted">Only owners and admins can change these.</p>
          )}
        </form>
      )}
      <ErrorBox error={a.error} />
      {saved && <p role="status">{saved}</p>}
    </section>
  );
}

function Dnc() {
  const [lookup, setLookup] = useState('');
  const [query, setQuery] = useState('');
  const list = usePaged(
    (cursor) => {
      const q = query.trim();
      const by = q === '' ? {} : q.includes('@') ? { email: q } : { phone: q };
      return call(api.GET('/v1/dnc', { params: { query: { limit: 50, cursor, ...by } } }));
    },
    [query],
  );
  const [f, setF] = useState({ target: '', reason: '' });
  const [added, setAdded] = useState('');
  const a = useAction();
  const add = (e: FormEvent) => {
    e.preventDefault();
    setAdded('');
    void a.run(async () => {
      const t = f.target.trim();
      const req = api.POST('/v1/dnc', {
        body: { ...(t.includes('@') ? { email: t } : { phone: t }), reason: f.reason.trim() || null },
      });
      const out = await call(req);
      const already = (await req).response.status === 200;
      setAdded(
        already
          ? `${out.phone ?? out.email} was already on the list.`
          : `Added ${out.phone ?? out.email}: no more calls${out.phone ? ' or texts' : ' or emails'}, from the very next check.`,
      );
      setF({ target: '', reason: '' });
      await list.reload();
    });
  };
  const remove = (id: string) =>
    void a.run(async () => {
      await call(api.DELETE('/v1/dnc/{id}', { params: { path: { id } } }));
      await list.reload();
    });
  const data = list.items ?? [];
  return (
    <section aria-labelledby="dnc-h">
      <h2 id="dnc-h">Internal do-not-call list</h2>
      <form onSubmit={add} className="row">
        <Field label="Phone or email to stop contacting"><input required value={f.target} onChange={(e) => setF({ ...f, target: e.target.value })} /></Field>
        <Field label="Reason" hint="optional: the consumer's words, a complaint reference"><input value={f.reason} onChange={(e) => setF({ ...f, reason: e.target.value })} /></Field>
        <button type="submit" disabled={a.busy}>Add to do-not-call</button>
      </form>
      <ErrorBox error={a.error} />
      {added && <p role="status">{added}</p>}
      <form onSubmit={(e) => { e.preventDefault(); setQuery(lookup); }} className="row" role="search" aria-label="Do-not-call lookup">
        <Field label="Look up a phone or email"><input value={lookup} onChange={(e) => setLookup(e.target.value)} /></Field>
        <button type="submit" className="secondary">Look up</button>
        {query && <button type="button" className="secondary" onClick={() => { setLookup(''); setQuery(''); }}>Show all</button>}
      </form>
      <ErrorBox error={list.error} />
      {!list.items && !list.error && <Loading what="the do-not-call list" />}
      {list.items && data.length === 0 && <p className="muted">{query ? `${query} is not on the list.` : 'The list is empty.'}</p>}
      {data.length > 0 && (
        <table aria-label="Do-not-call entries">
          <thead><tr><th>Phone or email</th><th>Reason</th><th>Source</th><th>Added</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.id}>
                <td>{d.phone ?? d.email}</td>
                <td>{d.reason ?? <span className="muted">—</span>}</td>
                <td>{d.source.replace(/_/g, ' ')}</td>
                <td><When at={d.created_at} /></td>
                <td>
                  <ConfirmButton
                    label="Remove"
                    name={`Remove ${d.phone ?? d.email}`}
                    question={`Remove ${d.phone ?? d.email}? Only do this for an entry added by mistake.`}
                    onConfirm={() => remove(d.id)}
                    disabled={a.busy}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton paged={list} what="entries" />
    </section>
  );
}

function Suppression({ admin }: { admin: boolean }) {
  const list = usePaged((cursor) => call(api.GET('/v1/suppression-lists', { params: { query: { limit: 200, cursor } } })), []);
  const [f, setF] = useState({ name: '', kind: 'custom' as 'custom' | 'state', state: '' });
  const a = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      await call(api.POST('/v1/suppression-lists', { body: { name: f.name, kind: f.kind, state: f.kind === 'state' ? f.state : null } }));
      setF({ name: '', kind: 'custom', state: '' });
      await list.reload();
    });
  };
  const remove = (l: SuppressionListOut) =>
    void a.run(async () => {
      await call(api.DELETE('/v1/suppression-lists/{id}', { params: { path: { id: l.id } } }));
      await list.reload();
    });
  const data = list.items ?? [];
  return (
    <section aria-labelledby="supp-h">
      <h2 id="supp-h">Suppression lists</h2>
      <p className="muted">Numbers never to dial: known litigators, a state's do-not-call list, your own.</p>
      <ErrorBox error={list.error ?? a.error} />
      {!list.items && !list.error && <Loading what="suppression lists" />}
      {list.items && data.length === 0 && <p className="muted">No suppression list yet.</p>}
      {data.length > 0 && (
        <table aria-label="Suppression lists">
          <thead><tr><th>Name</th><th>Kind</th><th>Numbers</th><th>Copy obtained</th>{admin && <th><span className="sr-only">Actions</span></th>}</tr></thead>
          <tbody>
            {data.map((l) => (
              <tr key={l.id}>
                <td>{l.name}</td>
                <td>{l.kind === 'state' ? `state (${l.state})` : l.kind}</td>
                <td>{l.entries.toLocaleString()}</td>
                <td>{l.copy_obtained_at ? <When at={l.copy_obtained_at} /> : <span className="muted">—</span>}</td>
                {admin && (
                  <td>
                    <ConfirmButton label="Delete" name={`Delete ${l.name}`} question={`Delete the list ${l.name}?`} onConfirm={() => remove(l)} disabled={a.busy} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton paged={list} what="lists" />
      {admin && (
        <>
          <h3>New suppression list</h3>
          <form onSubmit={create} className="row">
            <Field label="Suppression list name"><input required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} /></Field>
            <Field label="Kind">
              <select value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value as 'custom' | 'state' })}>
                <option value="custom">custom</option>
                <option value="state">a state's do-not-call list</option>
              </select>
            </Field>
            {f.kind === 'state' && (
              <Field label="State (two letters)"><input required maxLength={2} pattern="[A-Za-z]{2}" value={f.state} onChange={(e) => setF({ ...f, state: e.target.value.toUpperCase() })} /></Field>
            )}
            <button type="submit" disabled={a.busy}>Create suppression list</button>
          </form>
          {data.length > 0 && <AddEntries lists={data} onDone={list.reload} />}
        </>
      )}
    </section>
  );
}

function AddEntries({ lists, onDone }: { lists: SuppressionListOut[]; onDone: () => Promise<void> }) {
  const [f, setF] = useState({ list: lists[0].id, phones: '', obtained: '' });
  const [done, setDone] = useState('');
  const a = useAction();
  const chosen = lists.find((l) => l.id === f.list) ?? lists[0];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone('');
    void a.run(async () => {
      const phones = f.phones.split(/[\n,;]+/).map((p) => p.trim()).filter(Boolean);
      const out = await call(
        api.POST('/v1/suppression-lists/{id}/entries', {
          params: { path: { id: chosen.id } },
          body: { phones, copy_obtained_at: f.obtained ? new Date(f.obtained).toISOString() : null },
        }),
      );
      const bad = out.invalid.map((i) => `line ${i.index + 1} (${i.value})`).join(', ');
      setDone(`Added ${out.added} to ${out.list.name}; now ${out.list.entries} numbers.${bad ? ` Not phone numbers: ${bad}.` : ''}`);
      setF({ ...f, phones: '', obtained: '' });
      await onDone();
    });
  };
  return (
    <>
      <h3>Add numbers to a list</h3>
      <form onSubmit={submit} className="grid">
        <Field label="Suppression list">
          <select value={chosen.id} onChange={(e) => setF({ ...f, list: e.target.value })}>
            {lists.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select>
        </Field>
        <Field label="Numbers to suppress" hint="one per line, up to 10,000">
          <textarea required rows={4} value={f.phones} onChange={(e) => setF({ ...f, phones: e.target.value })} />
        </Field>
        <Field label="Copy obtained at" hint={chosen.kind === 'state' ? 'required for a state list' : 'optional'}>
          <input type="datetime-local" required={chosen.kind === 'state'} value={f.obtained} onChange={(e) => setF({ ...f, obtained: e.target.value })} />
        </Field>
        <button type="submit" disabled={a.busy}>Add numbers</button>
      </form>
      <ErrorBox error={a.error} />
      {done && <p role="status">{done}</p>}
    </>
  );
}

type AuditForm = { destination: string; campaign_id: string; decision: string; code: string; from: string; to: string };
const EMPTY_AUDIT: AuditForm = { destination: '', campaign_id: '', decision: '', code: '', from: '', to: '' };

/** The API's audit filters from the form (`datetime-local` values are the browser's time). */
function auditQuery(f: AuditForm): AuditQuery {
  const q: AuditQuery = {};
  if (f.destination.trim()) q.destination = f.destination.trim();
  if (f.campaign_id) q.campaign_id = f.campaign_id;
  if (f.decision) q.decision = f.decision;
  if (f.code) q.code = f.code;
  if (f.from) q.from = new Date(f.from).toISOString();
  if (f.to) q.to = new Date(f.to).toISOString();
  return q;
}

function Audit() {
  const campaigns = useLoad(() => call(api.GET('/v1/campaigns', { params: { query: { limit: 200 } } })), []);
  const members = useLoad(() => call(api.GET('/v1/members', { params: { query: { limit: 200 } } })), []);
  const [f, setF] = useState<AuditForm>(EMPTY_AUDIT);
  const [applied, setApplied] = useState<{ q: AuditQuery } | null>(null);
  const results = usePaged(
    (cursor) => (applied ? call(api.GET('/v1/compliance/audit', { params: { query: { ...applied.q, limit: 50, cursor } } })) : Promise.resolve({ data: [], next_cursor: null })),
    [applied],
  );
  const exp = useAction();
  const set = (k: keyof AuditForm) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const campaignName = new Map((campaigns.data?.data ?? []).map((c) => [c.id, c.name]));
  const userName = new Map((members.data?.data ?? []).map((m) => [m.user.id, m.user.name]));
  const exportCsv = () =>
    void exp.run(async () => {
      const q = new URLSearchParams(Object.entries(auditQuery(f)).map(([k, v]) => [k, String(v)]));
      const blob = await fetchBlob(`/v1/compliance/audit/export${q.toString() ? `?${q}` : ''}`);
      saveBlob(blob, `compliance-audit-${new Date().toISOString().slice(0, 10)}.csv`);
    });
  const data = results.items ?? [];
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      <p className="muted">Every decision of the compliance gate: each call, text and email it allowed or blocked, and why.</p>
      <form onSubmit={(e) => { e.preventDefault(); setApplied({ q: auditQuery(f) }); }} className="grid" role="search" aria-label="Audit log search">
        <Field label="Destination" hint="a phone number or email"><input value={f.destination} onChange={set('destination')} /></Field>
        <Field label="Campaign">
          <select value={f.campaign_id} onChange={set('campaign_id')}>
            <option value="">any</option>
            {(campaigns.data?.data ?? []).map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </Field>
        <Field label="Decision">
          <select value={f.decision} onChange={set('decision')}>
            <option value="">any</option>
            <option value="allow">allowed</option>
            <option value="block">blocked</option>
          </select>
        </Field>
        <Field label="Block reason">
          <select value={f.code} onChange={set('code')}>
            <option value="">any</option>
            {Object.entries(REASON_CODES).map(([code, label]) => <option key={code} value={code}>{label}</option>)}
          </select>
        </Field>
        <Field label="From"><input type="datetime-local" value={f.from} onChange={set('from')} /></Field>
        <Field label="To"><input type="datetime-local" value={f.to} onChange={set('to')} /></Field>
        <div className="row full">
          <button type="submit" disabled={results.busy}>Search</button>
          <button type="button" className="secondary" onClick={exportCsv} disabled={exp.busy}>{exp.busy ? 'Exporting…' : 'Export CSV'}</button>
          <button type="button" className="secondary" onClick={() => { setF(EMPTY_AUDIT); setApplied(null); }}>Clear</button>
        </div>
      </form>
      <ErrorBox error={exp.error ?? results.error} />
      {applied && !results.items && !results.error && <Loading what="decisions" />}
      {applied && results.items && data.length === 0 && <p className="muted">No decision matches.</p>}
      {!applied && <p className="muted">Search to see decisions, newest first; the export takes the same filters (up to 100,000 rows).</p>}
      {data.length > 0 && (
        <table aria-label="Audit decisions">
          <thead><tr><th>Decided</th><th>Destination</th><th>Channel</th><th>Purpose</th><th>Campaign</th><th>Decision</th><th>Reasons</th><th>Asked by</th></tr></thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.id}>
                <td><When at={d.decided_at} /></td>
                <td>{d.destination}</td>
                <td>{d.channel}</td>
                <td>{d.purpose}</td>
                <td>{d.campaign_id ? campaignName.get(d.campaign_id) ?? '—' : '—'}</td>
                <td><span className={`badge ${d.decision === 'block' ? 'stopped' : 'running'}`}>{d.decision === 'block' ? 'blocked' : d.decision === 'allow' ? 'allowed' : d.decision}</span></td>
                <td>{d.codes.length ? d.codes.map((c) => REASON_CODES[c] ?? c.toLowerCase().replace(/_/g, ' ')).join('; ') : <span className="muted">—</span>}</td>
                <td>{actor(d.actor, userName)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton paged={results} what="decisions" />
    </section>
  );
}

/** `user:…`, `api_key:…`, `system:…` for people. */
function actor(a: string, users: Map<string, string>): string {
  if (a.startsWith('user:')) return users.get(a.slice(5)) ?? 'a user';
  if (a.startsWith('api_key:')) return 'an API key';
  if (a.startsWith('system:')) return `the ${a.slice(7).replace(/_/g, ' ') || 'system'}`;
  return a;
}
