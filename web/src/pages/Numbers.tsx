// Admin → Phone numbers: the agency's numbers with their health, caller name (CNAM) and
// states; a number's health report; the caller name and default flag; importing the numbers
// already on a carrier account, buying one, releasing one.
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { getSession, isAdmin } from '../api/session';
import { ColumnChart } from '../charts';
import { ConfirmButton, ErrorBox, Field, Loading, MoreButton, pct, useAction, useLoad, usePaged } from '../ui';

type NumberOut = components['schemas']['NumberOut'];
type AccountOut = components['schemas']['CarrierAccountOut'];

/** `GET /v1/numbers/{id}/health`. openapi.json types it as the `/healthz` body (two Rust structs
 * named `HealthOut`), so this mirrors the server's `routes::numbers::HealthOut`. */
interface NumberHealth {
  number: NumberOut;
  connect_rate_7d: number;
  connect_rate_prev_7d?: number | null;
  wow_change?: number | null;
  short_call_share_7d: number;
  calls_per_day_7d: number;
  judged: boolean;
  flags: string[];
  history: { date: string; dials: number; connects: number; short_calls: number }[];
}

const FLAGS: Record<string, string> = {
  low_connect_rate: 'low connect rate',
  connect_rate_falling: 'connect rate falling',
  many_short_calls: 'many short calls (people hang up fast: likely flagged as spam)',
  over_daily_volume: 'more calls a day than carriers like from one number',
};

const CNAM: Record<string, string> = {
  none: 'not registered',
  pending: 'registration pending',
  registered: 'registered',
};

export function Numbers() {
  const admin = isAdmin(getSession()?.role);
  const numbers = usePaged((cursor) => call(api.GET('/v1/numbers', { params: { query: { limit: 200, cursor } } })), []);
  const accounts = useLoad(() => call(api.GET('/v1/carrier-accounts', { params: { query: { limit: 200 } } })), []);
  const [open, setOpen] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const act = useAction();
  const accountName = new Map((accounts.data?.data ?? []).map((a) => [a.id, a.name]));
  const data = numbers.items ?? [];

  const makeDefault = (n: NumberOut) =>
    void act.run(async () => {
      await call(api.PATCH('/v1/numbers/{id}', { params: { path: { id: n.id } }, body: { is_default: true } }));
      await numbers.reload();
    });
  const release = (n: NumberOut) =>
    void act.run(async () => {
      await call(api.DELETE('/v1/numbers/{id}', { params: { path: { id: n.id } } }));
      await numbers.reload();
    });

  return (
    <main>
      <h1>Phone numbers</h1>
      <section aria-labelledby="numbers-h">
        <h2 id="numbers-h">Your numbers</h2>
        <ErrorBox error={numbers.error ?? act.error} />
        {!numbers.items && !numbers.error && <Loading what="numbers" />}
        {numbers.items && data.length === 0 && <p className="muted">No numbers yet: import the ones on a carrier account, or buy one below.</p>}
        {data.length > 0 && (
          <table aria-label="Phone numbers">
            <thead>
              <tr><th>Number</th><th>States</th><th>Caller name</th><th>Health</th><th>Texts</th><th>Account</th><th><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {data.map((n) => (
                <NumberRows
                  key={n.id}
                  n={n}
                  account={accountName.get(n.account_id) ?? ''}
                  admin={admin}
                  open={open === n.id}
                  onToggle={() => setOpen(open === n.id ? null : n.id)}
                  editing={editing === n.id}
                  onEdit={(on) => setEditing(on ? n.id : null)}
                  onSaveName={async (name) => {
                    await call(api.PATCH('/v1/numbers/{id}', { params: { path: { id: n.id } }, body: { caller_name: name } }));
                    await numbers.reload();
                    setEditing(null);
                  }}
                  onDefault={() => makeDefault(n)}
                  onRelease={() => release(n)}
                  busy={act.busy}
                />
              ))}
            </tbody>
          </table>
        )}
        <MoreButton paged={numbers} what="numbers" />
      </section>
      {admin && (
        <>
          <ErrorBox error={accounts.error} />
          {accounts.data && <ImportNumbers accounts={accounts.data.data} onDone={numbers.reload} />}
          {accounts.data && <BuyNumber accounts={accounts.data.data} onDone={numbers.reload} />}
        </>
      )}
    </main>
  );
}

function NumberRows(p: {
  n: NumberOut;
  account: string;
  admin: boolean;
  open: boolean;
  onToggle: () => void;
  editing: boolean;
  onEdit: (on: boolean) => void;
  /** Saves the caller name (`null` removes it); throws the API's error. */
  onSaveName: (name: string | null) => Promise<void>;
  onDefault: () => void;
  onRelease: () => void;
  busy: boolean;
}) {
  const { n } = p;
  const [name, setName] = useState(n.caller_name ?? '');
  const edit = useAction();
  const save = (e: FormEvent) => {
    e.preventDefault();
    void edit.run(() => p.onSaveName(name.trim() === '' ? null : name.trim()));
  };
  return (
    <>
      <tr>
        <td>
          {n.e164}
          {n.is_default && <> <span className="badge">default</span></>}
        </td>
        <td>{n.states.join(', ') || <span className="muted">—</span>}</td>
        <td>
          {p.editing ? (
            <form onSubmit={save} className="row compact">
              <Field label={`Caller name for ${n.e164}`} hint="up to 15 letters, digits, spaces and . , & - '">
                <input autoFocus maxLength={15} value={name} onChange={(e) => setName(e.target.value)} />
              </Field>
              <button type="submit" disabled={edit.busy}>Save</button>
              <button type="button" className="secondary" onClick={() => { setName(n.caller_name ?? ''); edit.setError(null); p.onEdit(false); }}>Cancel</button>
              <ErrorBox error={edit.error} />
            </form>
          ) : (
            <>
              {n.caller_name ?? <span className="muted">none</span>}{' '}
              <span className="muted">({CNAM[n.cnam_status] ?? n.cnam_status})</span>
              {p.admin && (
                <>
                  {' '}
                  <button type="button" className="link" aria-label={`Edit the caller name of ${n.e164}`} onClick={() => p.onEdit(true)}>Edit</button>
                </>
              )}
            </>
          )}
        </td>
        <td>
          <span className={`badge ${n.health_state === 'rested' ? 'paused' : 'running'}`}>{n.health_state}</span>
          {n.rested_until && <span className="muted"> until {n.rested_until}</span>}{' '}
          <span title="Health score, 0 to 100">{Math.round(n.health_score * 100)}/100</span>{' '}
          <button type="button" className="link" aria-expanded={p.open} aria-label={`Health report of ${n.e164}`} onClick={p.onToggle}>
            {p.open ? 'Hide report' : 'Report'}
          </button>
        </td>
        <td>{n.sms ? n.messaging_status : <span className="muted">no SMS</span>}</td>
        <td>{p.account}</td>
        <td className="actions">
          {p.admin && !n.is_default && (
            <button type="button" className="secondary" aria-label={`Make ${n.e164} the default caller ID`} onClick={p.onDefault} disabled={p.busy}>Make default</button>
          )}{' '}
          {p.admin && (
            <ConfirmButton label="Release" name={`Release ${n.e164}`} question={`Give ${n.e164} back to the carrier?`} onConfirm={p.onRelease} disabled={p.busy} />
          )}
        </td>
      </tr>
      {p.open && (
        <tr className="detail">
          <td colSpan={7}><HealthReport id={n.id} e164={n.e164} /></td>
        </tr>
      )}
    </>
  );
}

function HealthReport({ id, e164 }: { id: string; e164: string }) {
  const h = useLoad(async () => (await call(api.GET('/v1/numbers/{id}/health', { params: { path: { id } } }))) as unknown as NumberHealth, [id]);
  if (h.error) return <ErrorBox error={h.error} />;
  if (!h.data) return <Loading what={`the health of ${e164}`} />;
  const r = h.data;
  const days = r.history.map((d) => ({ label: d.date.slice(5), value: d.dials, part: d.connects }));
  return (
    <div aria-label={`Health of ${e164}`} role="region">
      {!r.judged && <p className="muted">Too few dials in the last 7 days to judge this number.</p>}
      <dl className="stats">
        <div><dt>Connect rate, 7 days</dt><dd>{pct(r.connect_rate_7d)}</dd></div>
        <div><dt>The 7 days before</dt><dd>{pct(r.connect_rate_prev_7d)}</dd></div>
        <div><dt>Week over week</dt><dd>{r.wow_change === null || r.wow_change === undefined ? '—' : `${r.wow_change > 0 ? '+' : ''}${pct(r.wow_change)}`}</dd></div>
        <div><dt>Short calls</dt><dd>{pct(r.short_call_share_7d)}</dd></div>
        <div><dt>Calls a day</dt><dd>{r.calls_per_day_7d.toFixed(1)}</dd></div>
      </dl>
      {r.flags.length > 0 ? (
        <ul className="flags">{r.flags.map((f) => <li key={f} className="error">{FLAGS[f] ?? f.replace(/_/g, ' ')}</li>)}</ul>
      ) : (
        r.judged && <p>No warning signs.</p>
      )}
      {days.length > 0 && (
        <ColumnChart
          title={`Dials a day from ${e164}, last 14 days`}
          summary={`${days.reduce((s, d) => s + d.value, 0)} dials, ${days.reduce((s, d) => s + (d.part ?? 0), 0)} connected`}
          bars={days}
          labelName="Day"
          valueName="Dials"
          partName="Connected"
          labelEvery={2}
        />
      )}
    </div>
  );
}

function AccountSelect({ accounts, value, onChange }: { accounts: AccountOut[]; value: string; onChange: (v: string) => void }) {
  return (
    <Field label="Carrier account">
      <select required value={value} onChange={(e) => onChange(e.target.value)}>
        {accounts.map((a) => <option key={a.id} value={a.id}>{a.name}{a.sandbox ? ' (sandbox)' : ''}</option>)}
      </select>
    </Field>
  );
}

function ImportNumbers({ accounts, onDone }: { accounts: AccountOut[]; onDone: () => Promise<void> }) {
  const [account, setAccount] = useState(accounts[0]?.id ?? '');
  const [done, setDone] = useState('');
  const a = useAction();
  if (accounts.length === 0) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone('');
    void a.run(async () => {
      const got = await call(api.POST('/v1/numbers/import', { body: { account_id: account || accounts[0].id } }));
      setDone(got.length === 0 ? 'No new numbers on that account.' : `Imported ${got.length} number${got.length === 1 ? '' : 's'}: ${got.map((n) => n.e164).join(', ')}.`);
      await onDone();
    });
  };
  return (
    <section aria-labelledby="import-numbers-h">
      <h2 id="import-numbers-h">Import numbers</h2>
      <p className="muted">Brings the numbers you already own at the carrier under Outdial and points their calls and texts here.</p>
      <form onSubmit={submit} className="row">
        <AccountSelect accounts={accounts} value={account} onChange={setAccount} />
        <button type="submit" disabled={a.busy}>Import numbers</button>
      </form>
      <ErrorBox error={a.error} />
      {done && <p role="status">{done}</p>}
    </section>
  );
}

function BuyNumber({ accounts, onDone }: { accounts: AccountOut[]; onDone: () => Promise<void> }) {
  const [f, setF] = useState({ account: accounts[0]?.id ?? '', area_code: '', number: '' });
  const [done, setDone] = useState('');
  const a = useAction();
  if (accounts.length === 0) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone('');
    void a.run(async () => {
      const n = await call(
        api.POST('/v1/numbers', {
          body: {
            account_id: f.account || accounts[0].id,
            number: f.number.trim() || null,
            area_code: f.number.trim() ? null : f.area_code.trim() ? Number(f.area_code) : null,
          },
        }),
      );
      setDone(`Bought ${n.e164}.`);
      setF({ ...f, area_code: '', number: '' });
      await onDone();
    });
  };
  return (
    <section aria-labelledby="buy-number-h">
      <h2 id="buy-number-h">Buy a number</h2>
      <form onSubmit={submit} className="row">
        <AccountSelect accounts={accounts} value={f.account} onChange={(v) => setF({ ...f, account: v })} />
        <Field label="Area code" hint="any number in it"><input inputMode="numeric" pattern="[2-9][0-9]{2}" maxLength={3} value={f.area_code} onChange={(e) => setF({ ...f, area_code: e.target.value })} /></Field>
        <Field label="Or this exact number"><input type="tel" value={f.number} onChange={(e) => setF({ ...f, number: e.target.value })} /></Field>
        <button type="submit" disabled={a.busy || (!f.area_code.trim() && !f.number.trim())}>Buy number</button>
      </form>
      <ErrorBox error={a.error} />
      {done && <p role="status">{done}</p>}
    </section>
  );
}
