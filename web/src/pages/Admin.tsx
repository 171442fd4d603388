// Admin: scripts, dispositions, invitations and API keys (a first cut), and the navigation
// between the admin screens (carriers, phone numbers, compliance, voicemails).
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { Link } from '../router';
import { ErrorBox, Field, Loading, useAction, useLoad } from '../ui';

const ADMIN_PAGES: [string, string][] = [
  ['/admin', 'Team and scripts'],
  ['/admin/carriers', 'Carriers'],
  ['/admin/numbers', 'Phone numbers'],
  ['/admin/compliance', 'Compliance'],
  ['/admin/voicemails', 'Voicemails'],
];

export function AdminNav({ path }: { path: string }) {
  return (
    <nav aria-label="Admin" className="subnav">
      {ADMIN_PAGES.map(([href, label]) => (
        <Link key={href} href={href} aria-current={path === href ? 'page' : undefined}>{label}</Link>
      ))}
    </nav>
  );
}

export function Admin() {
  return (
    <main>
      <h1>Admin</h1>
      <Invitations />
      <Scripts />
      <Dispositions />
      <ApiKeys />
    </main>
  );
}

function Invitations() {
  const list = useLoad(() => call(api.GET('/v1/invitations', { params: { query: { limit: 200 } } })), []);
  const [f, setF] = useState({ email: '', role: 'agent' });
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      await call(api.POST('/v1/invitations', { body: { email: f.email, role: f.role as 'agent' } }));
      setF({ ...f, email: '' });
      await list.reload();
    });
  };
  return (
    <section aria-labelledby="inv-h">
      <h2 id="inv-h">Team invitations</h2>
      <form onSubmit={submit} className="row">
        <Field label="Email"><input required type="email" value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} /></Field>
        <Field label="Role">
          <select value={f.role} onChange={(e) => setF({ ...f, role: e.target.value })}>
            {['agent', 'supervisor', 'admin'].map((r) => <option key={r}>{r}</option>)}
          </select>
        </Field>
        <button type="submit" disabled={a.busy}>Invite</button>
      </form>
      <ErrorBox error={a.error ?? list.error} />
      {!list.data && !list.error && <Loading what="invitations" />}
      <ul>{(list.data?.data ?? []).map((i) => <li key={i.id}>{i.email} · {i.role}</li>)}</ul>
    </section>
  );
}

function Scripts() {
  const list = useLoad(() => call(api.GET('/v1/scripts')), []);
  const [f, setF] = useState({ name: '', body: '' });
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      await call(api.POST('/v1/scripts', { body: f }));
      setF({ name: '', body: '' });
      await list.reload();
    });
  };
  return (
    <section aria-labelledby="scripts-h">
      <h2 id="scripts-h">Scripts</h2>
      <form onSubmit={submit} className="grid">
        <Field label="Script name"><input required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} /></Field>
        <Field label="Script text" hint="{FirstName}, {Seller}, {?Company}…{/Company}"><textarea required rows={3} value={f.body} onChange={(e) => setF({ ...f, body: e.target.value })} /></Field>
        <button type="submit" disabled={a.busy}>Add script</button>
      </form>
      <ErrorBox error={a.error ?? list.error} />
      <ul>{(list.data ?? []).map((s) => <li key={s.id}><strong>{s.name}</strong>: {s.body}</li>)}</ul>
    </section>
  );
}

function Dispositions() {
  const list = useLoad(() => call(api.GET('/v1/dispositions')), []);
  const [f, setF] = useState({ code: '', label: '', category: 'contact', hotkey: '' });
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      await call(api.POST('/v1/dispositions', { body: { ...f, hotkey: f.hotkey || null } }));
      setF({ code: '', label: '', category: 'contact', hotkey: '' });
      await list.reload();
    });
  };
  return (
    <section aria-labelledby="dispo-admin-h">
      <h2 id="dispo-admin-h">Dispositions</h2>
      <form onSubmit={submit} className="row">
        <Field label="Code"><input required pattern="[a-z0-9_]+" value={f.code} onChange={(e) => setF({ ...f, code: e.target.value })} /></Field>
        <Field label="Label"><input required value={f.label} onChange={(e) => setF({ ...f, label: e.target.value })} /></Field>
        <Field label="Category">
          <select value={f.category} onChange={(e) => setF({ ...f, category: e.target.value })}>
            {['contact', 'no_contact', 'sale', 'callback', 'dnc', 'bad_number'].map((c) => <option key={c}>{c}</option>)}
          </select>
        </Field>
        <Field label="Hotkey"><input maxLength={1} value={f.hotkey} onChange={(e) => setF({ ...f, hotkey: e.target.value })} /></Field>
        <button type="submit" disabled={a.busy}>Add disposition</button>
      </form>
      <ErrorBox error={a.error ?? list.error} />
      <ul>{(list.data ?? []).map((d) => <li key={d.id}>{d.hotkey && <kbd>{d.hotkey}</kbd>} {d.label} ({d.category})</li>)}</ul>
    </section>
  );
}

function ApiKeys() {
  const list = useLoad(() => call(api.GET('/v1/api-keys', { params: { query: { limit: 200 } } })), []);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      const k = await call(api.POST('/v1/api-keys', { body: { name } }));
      setSecret(k.key);
      setName('');
      await list.reload();
    });
  };
  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h">API keys</h2>
      <form onSubmit={submit} className="row">
        <Field label="Key name"><input required value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <button type="submit" disabled={a.busy}>Create key</button>
      </form>
      {secret && <p role="status">Copy this key now; it is shown once: <code>{secret}</code></p>}
      <ErrorBox error={a.error ?? list.error} />
      <ul>{(list.data?.data ?? []).map((k) => <li key={k.id}>{k.name}</li>)}</ul>
    </section>
  );
}
