// Lists: create one, add a contact by hand, upload a CSV with a column mapping and follow the
// import's progress.
import { useEffect, useState, type FormEvent } from 'react';
import { api, authFetch, call, toApiError } from '../api/client';
import type { components } from '../api/schema';
import { ErrorBox, Field, Loading, useAction, useLoad } from '../ui';

type ImportOut = components['schemas']['ImportOut'];

const FIELDS = [
  'first_name', 'last_name', 'full_name', 'company', 'phone', 'email', 'zip', 'state', 'address', 'city',
  'address_state', 'lead_type', 'source', 'score', 'ignore',
];

export function Lists() {
  const lists = useLoad(() => call(api.GET('/v1/lists', { params: { query: { limit: 200 } } })), []);
  const [name, setName] = useState('');
  const create = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run(async () => {
      await call(api.POST('/v1/lists', { body: { name } }));
      setName('');
      await lists.reload();
    });
  };
  const data = lists.data?.data ?? [];
  return (
    <main>
      <h1>Lists</h1>
      <section aria-labelledby="new-list">
        <h2 id="new-list">New list</h2>
        <form onSubmit={submit} className="row">
          <Field label="List name">
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <button type="submit" disabled={create.busy}>Create list</button>
        </form>
        <ErrorBox error={create.error} />
      </section>
      <section aria-labelledby="all-lists">
        <h2 id="all-lists">Your lists</h2>
        <ErrorBox error={lists.error} />
        {!lists.data && !lists.error && <Loading what="lists" />}
        {lists.data && data.length === 0 && <p className="muted">No lists yet.</p>}
        {data.length > 0 && (
          <table>
            <thead>
              <tr><th>Name</th><th>Contacts</th></tr>
            </thead>
            <tbody>
              {data.map((l) => (
                <tr key={l.id}><td>{l.name}</td><td>{l.size}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {data.length > 0 && <AddContact lists={data} onDone={lists.reload} />}
      {data.length > 0 && <Upload lists={data} onDone={lists.reload} />}
    </main>
  );
}

function AddContact({ lists, onDone }: { lists: { id: string; name: string }[]; onDone: () => void }) {
  const empty = { first_name: '', last_name: '', company: '', phone: '', label: 'landline', state: '', list: lists[0].id };
  const [f, setF] = useState(empty);
  const [added, setAdded] = useState('');
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      const c = await call(
        api.POST('/v1/contacts', {
          body: {
            first_name: f.first_name || null,
            last_name: f.last_name || null,
            company: f.company || null,
            state: f.state || null,
            phones: [{ number: f.phone, label: f.label || null }],
            custom: {},
            list_ids: [f.list],
          },
        }),
      );
      setAdded(`Added ${[c.first_name, c.last_name].filter(Boolean).join(' ') || f.phone}.`);
      setF({ ...empty, list: f.list });
      onDone();
    });
  };
  return (
    <section aria-labelledby="add-contact">
      <h2 id="add-contact">Add a contact</h2>
      <form onSubmit={submit} className="grid">
        <Field label="List">
          <select value={f.list} onChange={(e) => setF({ ...f, list: e.target.value })}>
            {lists.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select>
        </Field>
        <Field label="First name"><input value={f.first_name} onChange={(e) => setF({ ...f, first_name: e.target.value })} /></Field>
        <Field label="Last name"><input value={f.last_name} onChange={(e) => setF({ ...f, last_name: e.target.value })} /></Field>
        <Field label="Company"><input value={f.company} onChange={(e) => setF({ ...f, company: e.target.value })} /></Field>
        <Field label="Phone"><input required type="tel" value={f.phone} onChange={(e) => setF({ ...f, phone: e.target.value })} /></Field>
        <Field label="Phone type">
          <select value={f.label} onChange={(e) => setF({ ...f, label: e.target.value })}>
            <option value="landline">landline</option>
            <option value="mobile">mobile</option>
            <option value="">unknown</option>
          </select>
        </Field>
        <Field label="State (two letters)"><input maxLength={2} value={f.state} onChange={(e) => setF({ ...f, state: e.target.value.toUpperCase() })} /></Field>
        <button type="submit" disabled={a.busy}>Add contact</button>
      </form>
      <ErrorBox error={a.error} />
      {added && <p role="status">{added}</p>}
    </section>
  );
}

function Upload({ lists, onDone }: { lists: { id: string; name: string }[]; onDone: () => void }) {
  const [list, setList] = useState(lists[0].id);
  const [file, setFile] = useState<File | null>(null);
  const [imp, setImp] = useState<ImportOut | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const a = useAction();

  const upload = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    void a.run(async () => {
      const q = new URLSearchParams({ filename: file.name, list_id: list });
      const res = await authFetch(
        new Request(`/v1/imports?${q}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: file }),
      );
      const body = await res.json().catch(() => undefined);
      if (!res.ok) throw toApiError(body, res.status);
      const out = body as ImportOut;
      setImp(out);
      setMapping(Object.fromEntries(out.columns.map((c) => [String(c.index), c.field])));
    });
  };
  const start = () =>
    void a.run(async () => {
      if (!imp) return;
      const out = await call(
        api.POST('/v1/imports/{id}/start', { params: { path: { id: imp.id } }, body: { mapping: mapping as unknown as components['schemas']['StartIn']['mapping'], list_id: list } }),
      );
      setImp(out);
    });

  const running = imp && (imp.status === 'queued' || imp.status === 'running');
  useEffect(() => {
    if (!running || !imp) return;
    const t = window.setInterval(async () => {
      try {
        const out = await call(api.GET('/v1/imports/{id}', { params: { path: { id: imp.id } } }));
        setImp(out);
        if (out.status === 'done') onDone();
      } catch (e) {
        a.setError(e);
      }
    }, 300);
    return () => window.clearInterval(t);
  }, [running, imp?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <section aria-labelledby="upload">
      <h2 id="upload">Upload a CSV</h2>
      <form onSubmit={upload} className="row">
        <Field label="Into list">
          <select value={list} onChange={(e) => setList(e.target.value)}>
            {lists.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select>
        </Field>
        <Field label="CSV file">
          <input type="file" accept=".csv,text/csv" onChange={(e) => { setFile(e.target.files?.[0] ?? null); setImp(null); }} />
        </Field>
        <button type="submit" disabled={!file || a.busy}>Upload</button>
      </form>
      <ErrorBox error={a.error} />
      {imp && imp.status === 'uploaded' && (
        <div>
          <h3>Map the columns of {imp.filename}</h3>
          <table>
            <thead><tr><th>Column</th><th>Field</th></tr></thead>
            <tbody>
              {imp.columns.map((c) => {
                const key = String(c.index);
                const custom = `custom:${c.header}`;
                return (
                  <tr key={key}>
                    <td>{c.header}</td>
                    <td>
                      <select aria-label={`Field for column ${c.header}`} value={mapping[key] ?? 'ignore'} onChange={(e) => setMapping({ ...mapping, [key]: e.target.value })}>
                        {FIELDS.map((f) => <option key={f} value={f}>{f}</option>)}
                        <option value={c.field.startsWith('custom:') ? c.field : custom}>{c.field.startsWith('custom:') ? c.field : custom}</option>
                      </select>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button type="button" onClick={start} disabled={a.busy}>Start import</button>
        </div>
      )}
      {imp && imp.status !== 'uploaded' && <ImportProgress imp={imp} />}
    </section>
  );
}

function ImportProgress({ imp }: { imp: ImportOut }) {
  const [errorsUrl, setErrorsUrl] = useState<string | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    if (imp.status !== 'done' || imp.rows_failed === 0) return;
    let url: string | null = null;
    authFetch(new Request(`/v1/imports/${imp.id}/errors`))
      .then(async (res) => {
        if (!res.ok) throw toApiError(await res.json().catch(() => undefined), res.status);
        url = URL.createObjectURL(await res.blob());
        setErrorsUrl(url);
      })
      .catch(setErr);
    return () => { if (url) URL.revokeObjectURL(url); };
  }, [imp.id, imp.status, imp.rows_failed]);
  return (
    <div className="import" aria-live="polite">
      <label>
        Import {imp.status}: {Math.round(imp.percent)}%
        <progress max={100} value={imp.percent} aria-label="Import progress" />
      </label>
      <p>
        {imp.rows_done} rows read · {imp.rows_created} created · {imp.rows_merged} merged · {imp.rows_failed} refused ·{' '}
        {imp.rows_dnc_flagged} on a do-not-call list
      </p>
      {imp.status === 'failed' && <p role="alert" className="error">{imp.error ?? 'The import failed.'}</p>}
      {errorsUrl && (
        <a href={errorsUrl} download={`${imp.filename.replace(/\.csv$/i, '')}-errors.csv`}>
          Download the {imp.rows_failed} refused rows
        </a>
      )}
      <ErrorBox error={err} />
    </div>
  );
}
