// Texts: a lead's conversation with a send box (in the cockpit and on the Texts page), and the
// inbox of every text, newest first. Every text passes the compliance gate; a refusal shows
// the rules it broke.
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { ErrorBox, Field, Loading, useAction, useLoad } from '../ui';

type Message = components['schemas']['MessageOut'];

const STATUS: Record<string, string> = {
  queued: 'queued', sending: 'sending', sent: 'sent', delivered: 'delivered', undelivered: 'not delivered',
  failed: 'failed', blocked: 'blocked by compliance', received: 'received',
};

export function TextThread({ phone, contactId }: { phone: string; contactId?: string | null }) {
  const thread = useLoad(
    () => call(api.GET('/v1/messages/thread', { params: { query: { phone } } })),
    [phone],
    3000,
  );
  const [body, setBody] = useState('');
  const [picture, setPicture] = useState('');
  const a = useAction();
  const send = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      const media_urls = picture.trim() === '' ? [] : [picture.trim()];
      await call(api.POST('/v1/messages', { body: { to: phone, body, media_urls, contact_id: contactId ?? null, purpose: 'informational' } }));
      setBody('');
      setPicture('');
      await thread.reload();
    });
  };
  const rows = thread.data ?? [];
  return (
    <section aria-label={`Texts with ${phone}`} className="texts">
      <h3>Texts</h3>
      <ErrorBox error={thread.error} />
      {!thread.data && !thread.error && <Loading what="texts" />}
      {thread.data && rows.length === 0 && <p className="muted">No texts with {phone} yet.</p>}
      <ol className="thread" aria-live="polite">
        {rows.map((m) => <Bubble key={m.id} m={m} />)}
      </ol>
      <form onSubmit={send} className="row">
        <Field label="Text message">
          <textarea value={body} onChange={(e) => setBody(e.target.value)} maxLength={1600} rows={2} />
        </Field>
        <Field label="Picture link (optional)" hint="a public https URL; sends a picture text (MMS)">
          <input type="url" value={picture} onChange={(e) => setPicture(e.target.value)} placeholder="https://…" />
        </Field>
        <button type="submit" disabled={a.busy || (body.trim() === '' && picture.trim() === '')}>{a.busy ? 'Sending…' : 'Send text'}</button>
      </form>
      <ErrorBox error={a.error} />
    </section>
  );
}

function Bubble({ m }: { m: Message }) {
  const mine = m.direction === 'outbound';
  return (
    <li className={mine ? 'out' : 'in'} data-testid="text">
      <span>{m.body}</span>
      {m.media_urls.length > 0 && (
        <span className="media">
          {m.media_urls.map((u) => (
            <a key={u} href={u} target="_blank" rel="noreferrer noopener">
              {/\.(jpe?g|png|gif|webp)(\?|$)/i.test(u) ? <img src={u} alt="picture in the text" loading="lazy" /> : 'attachment'}
            </a>
          ))}
        </span>
      )}
      <small className="muted">
        {' '}
        {mine ? 'sent' : 'from them'} {new Date(m.created_at).toLocaleTimeString()} · {STATUS[m.status] ?? m.status}
        {m.purpose === 'reply' && ' · automatic answer'}
        {m.error && ` — ${m.error}`}
      </small>
    </li>
  );
}

export function Texts() {
  const inbox = useLoad(() => call(api.GET('/v1/messages', { params: { query: { limit: 200 } } })), [], 5000);
  const [open, setOpen] = useState<string | null>(null);
  const [newTo, setNewTo] = useState('');
  const rows = inbox.data?.data ?? [];
  // One row per person, with their latest text.
  const people = new Map<string, Message>();
  for (const m of rows) {
    const who = m.direction === 'outbound' ? m.to : m.from;
    if (!people.has(who)) people.set(who, m);
  }
  return (
    <main>
      <h1>Texts</h1>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          setOpen(newTo.trim());
        }}
      >
        <Field label="Text a number" hint="E.164, e.g. +12125550123"><input type="tel" value={newTo} onChange={(e) => setNewTo(e.target.value)} required /></Field>
        <button type="submit">Open conversation</button>
      </form>
      <ErrorBox error={inbox.error} />
      {!inbox.data && !inbox.error && <Loading what="texts" />}
      {inbox.data && people.size === 0 && <p className="muted">No texts yet.</p>}
      {people.size > 0 && (
        <table>
          <thead><tr><th>With</th><th>Latest</th><th>When</th></tr></thead>
          <tbody>
            {[...people.entries()].map(([who, m]) => (
              <tr key={who}>
                <td><button className="link" onClick={() => setOpen(who)}>{who}</button></td>
                <td>{m.direction === 'inbound' ? '← ' : '→ '}{m.body}{m.media_urls.length > 0 && ` 📎 ${m.media_urls.length}`}</td>
                <td>{new Date(m.created_at).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <TextThread key={open} phone={open} />}
    </main>
  );
}
