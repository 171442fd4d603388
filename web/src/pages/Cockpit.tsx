// The agent cockpit: join a campaign, go ready or pause, see the lead and the script, and
// disposition with hotkeys, with an auto-advance countdown that Esc cancels.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { getSession } from '../api/session';
import { subscribe } from '../events';
import { AbandonMeter, ErrorBox, Field, Loading, Since, useAction, useLoad } from '../ui';

type AgentSession = components['schemas']['AgentSessionOut'];
type Disposition = components['schemas']['DispositionOut'];

const ADVANCE_SECS = 3;
const PAUSE_REASONS = ['break', 'lunch', 'training', 'meeting', 'coaching'];

interface Pending {
  d: Disposition;
  attemptId: string;
  callbackAt: string | null;
  left: number;
}

export function Cockpit() {
  const me = getSession()?.userId;
  const [session, setSession] = useState<AgentSession | null | undefined>(undefined);
  const [err, setErr] = useState<unknown>(null);

  // An open session of mine, if I come back to the page.
  useEffect(() => {
    call(api.GET('/v1/agent-sessions'))
      .then((all) => setSession(all.find((s) => s.user_id === me && s.state !== 'offline') ?? null))
      .catch((e) => { setErr(e); setSession(null); });
  }, [me]);

  if (session === undefined) return <main><h1>Cockpit</h1><Loading what="your session" /><ErrorBox error={err} /></main>;
  if (!session) return <JoinCampaign onJoined={setSession} />;
  return <Working initial={session} onLeft={() => setSession(null)} />;
}

function JoinCampaign({ onJoined }: { onJoined: (s: AgentSession) => void }) {
  const campaigns = useLoad(() => call(api.GET('/v1/campaigns', { params: { query: { limit: 200 } } })), [], 3000);
  const running = (campaigns.data?.data ?? []).filter((c) => c.status === 'running' || c.status === 'paused');
  const [pick, setPick] = useState('');
  const a = useAction();
  const join = (e: FormEvent) => {
    e.preventDefault();
    const campaign_id = pick || running[0]?.id;
    if (!campaign_id) return;
    void a.run(async () => onJoined(await call(api.POST('/v1/agent-sessions', { body: { campaign_id } }))));
  };
  return (
    <main>
      <h1>Cockpit</h1>
      <ErrorBox error={campaigns.error} />
      {!campaigns.data && !campaigns.error && <Loading what="campaigns" />}
      {campaigns.data && running.length === 0 && <p className="muted">No campaign is running. A supervisor starts one.</p>}
      {running.length > 0 && (
        <form onSubmit={join} className="row">
          <Field label="Campaign">
            <select autoFocus value={pick || running[0].id} onChange={(e) => setPick(e.target.value)}>
              {running.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </Field>
          <button type="submit" disabled={a.busy}>{a.busy ? 'Joining…' : 'Join campaign'}</button>
        </form>
      )}
      <ErrorBox error={a.error} />
    </main>
  );
}

function Working({ initial, onLeft }: { initial: AgentSession; onLeft: () => void }) {
  const [s, setS] = useState<AgentSession>(initial);
  const [handled, setHandled] = useState(0);
  const [pending, setPending] = useState<Pending | null>(null);
  const [askCallback, setAskCallback] = useState<{ d: Disposition; attemptId: string } | null>(null);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState(PAUSE_REASONS[0]);
  const a = useAction();
  const dispositions = useLoad(() => call(api.GET('/v1/dispositions')), []);
  const callbacks = useLoad(() => call(api.GET('/v1/callbacks')), [], 10000);
  const stats = useLoad(
    () => call(api.GET('/v1/campaigns/{id}/stats', { params: { path: { id: initial.campaign_id } } })),
    [initial.campaign_id],
    3000,
  );
  const campaign = useLoad(() => call(api.GET('/v1/campaigns/{id}', { params: { path: { id: initial.campaign_id } } })), [initial.campaign_id]);

  const { setError, run } = a;
  const reloadCallbacks = callbacks.reload;
  const refresh = useCallback(async () => {
    try {
      setS(await call(api.GET('/v1/agent-sessions/{id}', { params: { path: { id: initial.id } } })));
    } catch (e) {
      setError(e);
    }
  }, [initial.id, setError]);

  // Polled every 500 ms, and at once when the event stream says something changed.
  useEffect(() => {
    const t = window.setInterval(() => void refresh(), 500);
    const stop = subscribe((kind) => {
      if (kind === 'agent.updated' || kind === 'attempt.updated') void refresh();
      if (kind === 'callback.scheduled') void reloadCallbacks();
    });
    return () => { window.clearInterval(t); stop(); };
  }, [refresh, reloadCallbacks]);

  const lead = s.lead ?? null;
  const canDispose = !!lead && s.state === 'wrap_up' && !pending && !askCallback;

  const noteRef = useRef(note);
  noteRef.current = note;
  const send = useCallback(
    async (p: Pending, then: 'ready' | 'pause') => {
      setPending(null);
      await run(async () => {
        await call(
          api.POST('/v1/dial-attempts/{id}/disposition', {
            params: { path: { id: p.attemptId } },
            body: { code: p.d.code, note: noteRef.current.trim() || null, callback_at: p.callbackAt, then },
          }),
        );
        setHandled((n) => n + 1);
        setNote('');
        await Promise.all([refresh(), reloadCallbacks()]);
      });
    },
    [run, refresh, reloadCallbacks],
  );

  const choose = useCallback(
    (d: Disposition) => {
      if (!lead || !canDispose) return;
      if (d.category === 'callback') setAskCallback({ d, attemptId: lead.attempt_id });
      else setPending({ d, attemptId: lead.attempt_id, callbackAt: null, left: ADVANCE_SECS });
    },
    [lead, canDispose],
  );

  // The countdown: at zero the disposition goes with `then: ready` (the next call).
  const pendingRef = useRef(pending);
  pendingRef.current = pending;
  useEffect(() => {
    if (!pending) return;
    if (pending.left <= 0) {
      void send(pending, 'ready');
      return;
    }
    const t = window.setTimeout(() => setPending((p) => (p ? { ...p, left: p.left - 1 } : p)), 1000);
    return () => window.clearTimeout(t);
  }, [pending, send]);

  // Hotkeys: a disposition's key picks it; Esc during the countdown pauses instead of
  // taking the next call; Enter sends at once.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const p = pendingRef.current;
      if (p && e.key === 'Escape') {
        e.preventDefault();
        void send(p, 'pause');
        return;
      }
      if (p && e.key === 'Enter') {
        e.preventDefault();
        void send(p, 'ready');
        return;
      }
      const t = e.target as HTMLElement;
      if (t.closest('input, textarea, select, [contenteditable]') || e.ctrlKey || e.metaKey || e.altKey) return;
      const d = dispositions.data?.find((x) => x.hotkey && x.hotkey.toLowerCase() === e.key.toLowerCase());
      if (d && canDispose) {
        e.preventDefault();
        choose(d);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dispositions.data, canDispose, choose, send]);

  const post = (what: 'ready' | 'pause' | 'leave' | 'hangup') =>
    void run(async () => {
      const params = { params: { path: { id: s.id } } };
      const out =
        what === 'pause'
          ? await call(api.POST('/v1/agent-sessions/{id}/pause', { ...params, body: { reason } }))
          : await call(api.POST(`/v1/agent-sessions/{id}/${what}`, params));
      setS(out);
      if (what === 'leave') onLeft();
    });

  return (
    <main className="cockpit">
      <header className="row">
        <h1>Cockpit</h1>
        <span className="muted">{campaign.data?.name}</span>
      </header>
      <section aria-label="Your state" className="state-bar">
        <p>
          <span className={`badge ${s.state}`} data-testid="agent-state">{s.state.replace('_', ' ')}</span>{' '}
          for <Since since={s.state_since} secs={s.in_state_secs} />
          {s.state === 'paused' && s.pause_reason && <span className="muted"> ({s.pause_reason})</span>}
        </p>
        <div className="row">
          <button onClick={() => post('ready')} disabled={a.busy || s.state !== 'paused'}>Ready</button>
          <Field label="Pause reason">
            <select value={reason} onChange={(e) => setReason(e.target.value)}>
              {PAUSE_REASONS.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          <button onClick={() => post('pause')} disabled={a.busy || s.state !== 'ready'}>Pause</button>
          {s.state === 'on_call' && <button onClick={() => post('hangup')} disabled={a.busy}>Hang up</button>}
          <button onClick={() => post('leave')} disabled={a.busy || s.state === 'on_call'} className="danger">Leave campaign</button>
        </div>
        {s.state === 'connecting' && <p role="status">Calling your phone… the session is ready when it answers.</p>}
        <ErrorBox error={a.error} />
      </section>

      <div className="cockpit-grid">
        <section aria-label="Lead" className="lead-card">
          {lead ? (
            <>
              <h2>{[lead.first_name, lead.last_name].filter(Boolean).join(' ') || 'Unknown name'}</h2>
              <p>
                <span aria-label="Phone">{lead.phone}</span>
                {lead.company && <> · <span aria-label="Company">{lead.company}</span></>}
                {lead.state && <> · {lead.state}</>}
              </p>
              <p className="muted">
                {lead.status === 'connected' ? 'On the line' : 'Call ended — disposition it'}
                {lead.connected_at && <> · talked <Since since={lead.connected_at} /></>}
              </p>
              {lead.script && <blockquote className="script" aria-label="Script">{lead.script}</blockquote>}
            </>
          ) : (
            <p className="muted">{s.state === 'ready' ? 'Waiting for the next call…' : 'No call on the line.'}</p>
          )}
        </section>

        <section aria-labelledby="dispo-h">
          <h2 id="dispo-h">Disposition</h2>
          <ErrorBox error={dispositions.error} />
          <Field label="Note (optional)">
            <input value={note} onChange={(e) => setNote(e.target.value)} disabled={!lead} />
          </Field>
          <div className="tiles">
            {(dispositions.data ?? []).map((d) => (
              <button
                key={d.id}
                className="tile"
                disabled={!canDispose}
                aria-keyshortcuts={d.hotkey ?? undefined}
                onClick={() => choose(d)}
              >
                {d.hotkey && <kbd>{d.hotkey}</kbd>} {d.label}
              </button>
            ))}
          </div>
          {pending && (
            <p role="status" className="countdown">
              {pending.d.label}: next call in {pending.left}s — <kbd>Enter</kbd> now, <kbd>Esc</kbd> to pause instead
            </p>
          )}
          {askCallback && (
            <CallbackForm
              onCancel={() => setAskCallback(null)}
              onSubmit={(at) => {
                setPending({ d: askCallback.d, attemptId: askCallback.attemptId, callbackAt: at, left: ADVANCE_SECS });
                setAskCallback(null);
              }}
            />
          )}
        </section>

        <section aria-labelledby="cb-h">
          <h2 id="cb-h">Callbacks due</h2>
          <ErrorBox error={callbacks.error} />
          {callbacks.data && callbacks.data.length === 0 && <p className="muted">None scheduled.</p>}
          <ul className="callbacks">
            {(callbacks.data ?? []).map((c) => (
              <li key={c.id}>
                <time dateTime={c.due_at}>{new Date(c.due_at).toLocaleString()}</time> · {c.phone}
                {c.note && <span className="muted"> — {c.note}</span>}
              </li>
            ))}
          </ul>
        </section>

        <section aria-labelledby="mini-h">
          <h2 id="mini-h">Today</h2>
          <dl className="stats">
            <div><dt>Calls I handled</dt><dd data-testid="handled">{handled}</dd></div>
            {stats.data && (
              <>
                <div><dt>Campaign dials</dt><dd>{stats.data.dials}</dd></div>
                <div><dt>Connects</dt><dd>{stats.data.connects}</dd></div>
                <div><dt>Leads remaining</dt><dd>{stats.data.leads_remaining}</dd></div>
              </>
            )}
          </dl>
          {stats.data && <AbandonMeter pct={stats.data.abandon_pct_30d} label="Campaign abandon rate" />}
        </section>
      </div>
    </main>
  );
}

function tomorrowAt10(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(10, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T10:00`;
}

function CallbackForm({ onSubmit, onCancel }: { onSubmit: (iso: string) => void; onCancel: () => void }) {
  const [at, setAt] = useState(tomorrowAt10());
  return (
    <form
      className="callback-form"
      aria-label="Schedule the callback"
      onSubmit={(e) => { e.preventDefault(); onSubmit(new Date(at).toISOString()); }}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onCancel(); } }}
    >
      <Field label="Call back at">
        <input autoFocus required type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
      </Field>
      <button type="submit">Schedule callback</button>
      <button type="button" onClick={onCancel}>Cancel</button>
    </form>
  );
}
