// Admin → Carriers: the agency's carrier accounts (Twilio, Telnyx, or the built-in sandbox),
// connecting one with its credentials, editing one (name, limits, rotated credentials), and
// disconnecting one.
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { getSession, isAdmin } from '../api/session';
import { ConfirmButton, ErrorBox, Field, Loading, MoreButton, When, useAction, usePaged } from '../ui';

type AccountIn = components['schemas']['CarrierAccountIn'];
type AccountOut = components['schemas']['CarrierAccountOut'];
type AccountPatch = components['schemas']['CarrierAccountPatch'];

/** The credential fields `POST /v1/carrier-accounts` takes per provider (see CarrierAccountIn). */
const CREDENTIALS = {
  twilio: [
    { key: 'account_sid', label: 'Account SID', hint: 'AC followed by 32 hex digits', required: true, secret: false },
    { key: 'auth_token', label: 'Auth token', hint: '', required: true, secret: true },
    { key: 'api_key_sid', label: 'API key SID', hint: 'optional, for agents calling from the browser', required: false, secret: false },
    { key: 'api_key_secret', label: 'API key secret', hint: 'goes with the API key SID', required: false, secret: true },
    { key: 'twiml_app_sid', label: 'TwiML app SID', hint: 'optional, for agents calling from the browser', required: false, secret: false },
  ],
  telnyx: [
    { key: 'api_key', label: 'API key', hint: '', required: true, secret: true },
    { key: 'public_key', label: 'Public key', hint: 'the base64 key that signs webhooks (Mission Control → Keys)', required: true, secret: false },
    { key: 'connection_id', label: 'Connection ID', hint: 'the Call Control application outbound calls use', required: true, secret: false },
    { key: 'messaging_profile_id', label: 'Messaging profile ID', hint: 'optional, for texts', required: false, secret: false },
  ],
} as const;

type Kind = 'sandbox' | 'twilio' | 'telnyx';

export function Carriers() {
  const admin = isAdmin(getSession()?.role);
  const list = usePaged((cursor) => call(api.GET('/v1/carrier-accounts', { params: { query: { limit: 200, cursor } } })), []);
  const del = useAction();
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const remove = (a: AccountOut) =>
    void del.run(async () => {
      await call(api.DELETE('/v1/carrier-accounts/{id}', { params: { path: { id: a.id } } }));
      await list.reload();
    });
  const data = list.items ?? [];
  return (
    <main>
      <h1>Carriers</h1>
      <section aria-labelledby="carriers-h">
        <h2 id="carriers-h">Carrier accounts</h2>
        <p className="muted">Campaigns place their calls through one of these; without a choice, the first account.</p>
        <ErrorBox error={list.error ?? del.error} />
        {!list.items && !list.error && <Loading what="carrier accounts" />}
        {list.items && data.length === 0 && <p className="muted">No carrier account yet.</p>}
        {data.length > 0 && (
          <table aria-label="Carrier accounts">
            <thead>
              <tr><th>Name</th><th>Carrier</th><th>Status</th><th>Calls / texts per second</th><th>Webhooks</th><th>Added</th>{admin && <th><span className="sr-only">Actions</span></th>}</tr>
            </thead>
            <tbody>
              {data.map((a) => (
                <tr key={a.id}>
                  <td>{a.name}</td>
                  <td>{a.provider}{a.sandbox && <> <span className="badge">sandbox</span></>}</td>
                  <td><span className={`badge ${a.status}`}>{a.status}</span></td>
                  <td>{a.calls_per_sec} / {a.messages_per_sec}</td>
                  <td>{a.sandbox ? <span className="muted">set by Outdial</span> : <Webhooks a={a} />}</td>
                  <td><When at={a.created_at} /></td>
                  {admin && (
                    <td>
                      <button type="button" aria-label={`Edit ${a.name}`} onClick={() => { setNotice(''); setEditing(editing === a.id ? null : a.id); }}>
                        Edit
                      </button>{' '}
                      <ConfirmButton
                        label="Disconnect"
                        name={`Disconnect ${a.name}`}
                        question={`Disconnect ${a.name}? Its calls and numbers stay in history.`}
                        onConfirm={() => remove(a)}
                        disabled={del.busy}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <MoreButton paged={list} what="accounts" />
        {notice && <p role="status">{notice}</p>}
      </section>
      {admin && editing && data.some((a) => a.id === editing) && (
        <EditAccount
          key={editing}
          a={data.find((a) => a.id === editing)!}
          onDone={async (name) => { setEditing(null); setNotice(`Saved ${name}.`); await list.reload(); }}
          onCancel={() => setEditing(null)}
        />
      )}
      {admin ? <AddAccount onDone={list.reload} /> : <p className="muted">Only owners and admins can connect or disconnect carriers.</p>}
    </main>
  );
}

function Webhooks({ a }: { a: AccountOut }) {
  const w = a.webhook_urls;
  const same = w.voice === w.status && w.voice === w.sms;
  return (
    <details>
      <summary>Where to point {a.provider}</summary>
      {same ? (
        <p><code>{w.voice}</code></p>
      ) : (
        <dl className="plain">
          <dt>Voice</dt><dd><code>{w.voice}</code></dd>
          <dt>Status</dt><dd><code>{w.status}</code></dd>
          <dt>SMS</dt><dd><code>{w.sms}</code></dd>
        </dl>
      )}
    </details>
  );
}

const intOrNull = (s: string): number | null => (s.trim() === '' ? null : Number(s));

/** Renames an account, changes its limits, or replaces its credentials after a rotation. */
function EditAccount({ a, onDone, onCancel }: { a: AccountOut; onDone: (name: string) => Promise<void>; onCancel: () => void }) {
  const [f, setF] = useState({ name: a.name, calls_per_sec: String(a.calls_per_sec), messages_per_sec: String(a.messages_per_sec) });
  const [creds, setCreds] = useState<Record<string, string>>({});
  const act = useAction();
  const fields = a.sandbox ? [] : CREDENTIALS[a.provider === 'telnyx' ? 'telnyx' : 'twilio'];
  const replacing = fields.some((c) => (creds[c.key] ?? '').trim() !== '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act.run(async () => {
      const body: AccountPatch = {
        name: f.name.trim() === a.name ? null : f.name.trim(),
        calls_per_sec: intOrNull(f.calls_per_sec),
        messages_per_sec: intOrNull(f.messages_per_sec),
      };
      if (replacing) {
        body.credentials = Object.fromEntries(
          fields.filter((c) => (creds[c.key] ?? '').trim() !== '').map((c) => [c.key, creds[c.key].trim()]),
        );
      }
      const out = await call(api.PATCH('/v1/carrier-accounts/{id}', { params: { path: { id: a.id } }, body }));
      await onDone(out.name);
    });
  };
  return (
    <section aria-labelledby="edit-carrier-h">
      <h2 id="edit-carrier-h">Edit {a.name}</h2>
      <form onSubmit={submit} className="grid">
        <Field label="Account name"><input required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} /></Field>
        <Field label="Calls per second"><input type="number" min={1} max={1000} value={f.calls_per_sec} onChange={(e) => setF({ ...f, calls_per_sec: e.target.value })} /></Field>
        <Field label="Texts per second"><input type="number" min={1} max={1000} value={f.messages_per_sec} onChange={(e) => setF({ ...f, messages_per_sec: e.target.value })} /></Field>
        {fields.length > 0 && (
          <fieldset>
            <legend>Replace credentials (leave blank to keep the current ones)</legend>
            {fields.map((c) => (
              <Field key={c.key} label={c.label} hint={c.hint || undefined}>
                <input
                  required={replacing && c.required}
                  type={c.secret ? 'password' : 'text'}
                  autoComplete="off"
                  value={creds[c.key] ?? ''}
                  onChange={(e) => setCreds({ ...creds, [c.key]: e.target.value })}
                />
              </Field>
            ))}
          </fieldset>
        )}
        <div className="row">
          <button type="submit" disabled={act.busy}>Save changes</button>
          <button type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
      <ErrorBox error={act.error} />
    </section>
  );
}

function AddAccount({ onDone }: { onDone: () => Promise<void> }) {
  const empty = { name: '', kind: 'sandbox' as Kind, protocol: 'twilio' as 'twilio' | 'telnyx', base_url: '', calls_per_sec: '', messages_per_sec: '' };
  const [f, setF] = useState(empty);
  const [creds, setCreds] = useState<Record<string, string>>({});
  const [added, setAdded] = useState('');
  const a = useAction();
  const provider = f.kind === 'sandbox' ? f.protocol : f.kind;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAdded('');
    void a.run(async () => {
      const body: AccountIn = {
        name: f.name,
        provider,
        sandbox: f.kind === 'sandbox',
        calls_per_sec: intOrNull(f.calls_per_sec),
        messages_per_sec: intOrNull(f.messages_per_sec),
      };
      if (f.kind !== 'sandbox') {
        body.credentials = Object.fromEntries(
          CREDENTIALS[f.kind].filter((c) => (creds[c.key] ?? '').trim() !== '').map((c) => [c.key, creds[c.key].trim()]),
        );
        if (f.base_url.trim()) body.base_url = f.base_url.trim();
      }
      const out = await call(api.POST('/v1/carrier-accounts', { body }));
      setAdded(`Connected ${out.name}.`);
      setF(empty);
      setCreds({});
      await onDone();
    });
  };
  return (
    <section aria-labelledby="add-carrier-h">
      <h2 id="add-carrier-h">Connect a carrier account</h2>
      <form onSubmit={submit} className="grid">
        <Field label="Account name"><input required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} /></Field>
        <Field label="Carrier">
          <select value={f.kind} onChange={(e) => { setF({ ...f, kind: e.target.value as Kind }); setCreds({}); }}>
            <option value="sandbox">Sandbox (test calls, no real carrier)</option>
            <option value="twilio">Twilio</option>
            <option value="telnyx">Telnyx</option>
          </select>
        </Field>
        {f.kind === 'sandbox' && (
          <Field label="Sandbox speaks like" hint="the carrier API the sandbox imitates">
            <select value={f.protocol} onChange={(e) => setF({ ...f, protocol: e.target.value as 'twilio' | 'telnyx' })}>
              <option value="twilio">Twilio</option>
              <option value="telnyx">Telnyx</option>
            </select>
          </Field>
        )}
        {f.kind !== 'sandbox' && (
          <fieldset>
            <legend>{f.kind === 'twilio' ? 'Twilio' : 'Telnyx'} credentials (stored encrypted, never shown again)</legend>
            {CREDENTIALS[f.kind].map((c) => (
              <Field key={c.key} label={c.label} hint={c.hint || undefined}>
                <input
                  required={c.required}
                  type={c.secret ? 'password' : 'text'}
                  autoComplete="off"
                  value={creds[c.key] ?? ''}
                  onChange={(e) => setCreds({ ...creds, [c.key]: e.target.value })}
                />
              </Field>
            ))}
            <Field label="API base URL" hint="optional: a regional edge"><input type="url" value={f.base_url} onChange={(e) => setF({ ...f, base_url: e.target.value })} /></Field>
          </fieldset>
        )}
        <Field label="Calls per second" hint="default 10"><input type="number" min={1} value={f.calls_per_sec} onChange={(e) => setF({ ...f, calls_per_sec: e.target.value })} /></Field>
        <Field label="Texts per second" hint="default 10"><input type="number" min={1} value={f.messages_per_sec} onChange={(e) => setF({ ...f, messages_per_sec: e.target.value })} /></Field>
        <button type="submit" disabled={a.busy}>Connect account</button>
      </form>
      <ErrorBox error={a.error} />
      {added && <p role="status">{added}</p>}
    </section>
  );
}
