// The agent cockpit: join a campaign, go ready or pause, see the lead and the script, and
// disposition with hotkeys, with an auto-advance countdown that Esc cancels. In a preview
// campaign the agent asks for the next lead (N), sees it, and dials (D) or skips (S) it.
import { useCallback, useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { ApiError, api, call } from '../api/client';
import type { components } from '../api/schema';
import { getSession } from '../api/session';
import { subscribe } from '../events';
import { AbandonMeter, ErrorBox, Field, Loading, Since, useAction, useLoad } from '../ui';
import { TextThread } from './Texts';

type AgentSession = components['schemas']['AgentSessionOut'];
type Disposition = components['schemas']['DispositionOut'];
type Lead = components['schemas']['LeadOnLine'];

const ADVANCE_SECS = 3;
const PAUSE_REASONS = ['break', 'lunch', 'training', 'meeting', 'coaching'];
/** A dialled lead's call on its way: placed, ringing, or answered and being screened. */
const PLACING = ['dialing', 'ringing', 'detecting'];

/** Puts the focus on `ref` when `key` changes and the focus was lost (its button went away). */
function useRefocus(ref: RefObject<HTMLElement>, key: unknown) {
  useEffect(() => {
    const at = document.activeElement;
    if (key && ref.current && (!at || at === document.body)) ref.current.focus();
  }, [ref, key]);
}

function fullName(l: Lead): string {
  return [l.first_name, l.last_name].filter(Boolean).join(' ') || 'Unknown name';
}

/** A line on where the lead's call stands. */
function leadStatus(l: Lead, agentState: string, dialRequested: boolean): string {
  switch (l.status) {
    case 'scheduled':
      if (dialRequested) return 'Dialing…';
      return agentState === 'ready' ? 'Preview — dial or skip' : 'Preview — become ready to dial';
    case 'dialing':
      return 'Dialing…';
    case 'ringing':
      return 'Ringing…';
    case 'detecting':
      return 'Answered — checking for a person…';
    case 'connected':
      return 'On the line';
    default:
      return 'Call ended — disposition it';
  }
}

interface Pending {
  d: Disposition;
  attemptId: string;
  callbackAt: string | null;
  callbackMine?: boolean;
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
  const isPreview = campaign.data?.mode === 'preview';
  const isPreviewRef = useRef(isPreview);
  isPreviewRef.current = isPreview;
  const reloadCampaign = campaign.reload;

  const { setError, run } = a;
  const reloadCallbacks = callbacks.reload;
  // Answers in order: a poll sent before an action's answer (or a newer poll) arrived is dropped.
  const seq = useRef(0);
  const shown = useRef(0);
  const apply = useCallback((out: AgentSession) => {
    shown.current = ++seq.current;
    setS(out);
  }, []);
  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const out = await call(api.GET('/v1/agent-sessions/{id}', { params: { path: { id: initial.id } } }));
      if (mine > shown.current) {
        shown.current = mine;
        setS(out);
      }
    } catch (e) {
      setError(e);
    }
  }, [initial.id, setError]);

  // Polled every 500 ms, and at once when the event stream says something changed.
  useEffect(() => {
    const t = window.setInterval(() => void refresh(), 500);
    const stop = subscribe((kind) => {
      if (kind === 'agent.updated' || kind === 'attempt.updated') void refresh();
      if (kind === 'callback.scheduled' || kind === 'callback.due') void reloadCallbacks();
      // A preview campaign's status decides whether the agent can ask for a lead.
      if (kind === 'campaign.updated' && isPreviewRef.current) void reloadCampaign();
    });
    return () => { window.clearInterval(t); stop(); };
  }, [refresh, reloadCallbacks, reloadCampaign]);

  // The campaign's status, again every few seconds in preview (in case an event was missed).
  useEffect(() => {
    if (!isPreview) return;
    const t = window.setInterval(() => void reloadCampaign(), 5000);
    return () => window.clearInterval(t);
  }, [isPreview, reloadCampaign]);

  const lead = s.lead ?? null;
  const canDispose = !!lead && s.state === 'wrap_up' && !pending && !askCallback;

  // Preview dialing: ask for a lead, then dial or skip it.
  const pv = useAction();
  const runPreview = pv.run;
  const [quiet, setQuiet] = useState<string | null>(null);
  const [dialFor, setDialFor] = useState<string | null>(null);
  const previewed = isPreview && lead?.status === 'scheduled' ? lead : null;
  const dialRequested = !!previewed && dialFor === previewed.attempt_id;
  const placing = isPreview && !!lead && (PLACING.includes(lead.status) || dialRequested);
  // Ready with nothing previewed or dialling: the last call (if any) ended without the agent.
  const canTakeNext = isPreview && s.state === 'ready' && (!lead || lead.status === 'ended' || lead.status === 'abandoned');
  const running = campaign.data?.status === 'running';
  const campaignNote = !campaign.data || running
    ? null
    : campaign.data.status === 'paused' && campaign.data.status_reason === 'no_agents_logged_in'
      ? 'The campaign was waiting for an agent; it resumes in a moment.'
      : `The campaign is ${campaign.data.status}; no leads until it runs again.`;
  const canDial = !!previewed && s.state === 'ready' && !dialRequested && !pv.busy;
  const canSkip = !!previewed && !dialRequested && !pv.busy;

  const takeNext = useCallback(async () => {
    setQuiet(null);
    await runPreview(async () => {
      try {
        apply(await call(api.POST('/v1/agent-sessions/{id}/preview', { params: { path: { id: initial.id } } })));
      } catch (e) {
        if (e instanceof ApiError && e.code === 'queue_empty') {
          setQuiet('No lead is due right now. Try again in a moment.');
          return;
        }
        if (e instanceof ApiError && e.code === 'invalid_campaign_state') void reloadCampaign();
        throw e;
      }
    });
  }, [initial.id, runPreview, apply, reloadCampaign]);
  const dial = useCallback(() => {
    if (!previewed) return;
    const id = previewed.attempt_id;
    setDialFor(id);
    void runPreview(async () => {
      try {
        apply(await call(api.POST('/v1/agent-sessions/{id}/dial', { params: { path: { id: initial.id } } })));
      } catch (e) {
        setDialFor(null);
        throw e;
      }
    });
  }, [previewed, initial.id, runPreview, apply]);
  const skip = useCallback(() => {
    void runPreview(async () => {
      apply(await call(api.POST('/v1/agent-sessions/{id}/skip', { params: { path: { id: initial.id } } })));
    });
  }, [initial.id, runPreview, apply]);

  // An answer about the last lead no longer applies once the agent's state moves on.
  const clearPreviewError = pv.setError;
  useEffect(() => {
    clearPreviewError(null);
    setQuiet(null);
  }, [s.state, clearPreviewError]);

  // When the button that had the focus goes away (Next lead → Dial → …), the next one takes it.
  const nextRef = useRef<HTMLButtonElement>(null);
  const dialRef = useRef<HTMLButtonElement>(null);
  useRefocus(nextRef, canTakeNext && running);
  useRefocus(dialRef, previewed?.attempt_id);

  const noteRef = useRef(note);
  noteRef.current = note;
  const send = useCallback(
    async (p: Pending, then: 'ready' | 'pause') => {
      setPending(null);
      const ok = await run(async () => {
        await call(
          api.POST('/v1/dial-attempts/{id}/disposition', {
            params: { path: { id: p.attemptId } },
            body: {
              code: p.d.code, note: noteRef.current.trim() || null, callback_at: p.callbackAt,
              callback_mine: p.callbackMine ?? false, then,
            },
          }),
        );
        setHandled((n) => n + 1);
        setNote('');
        await Promise.all([refresh(), reloadCallbacks()]);
        return true;
      });
      // In a preview campaign, "the next call" is the next lead to preview.
      if (ok && then === 'ready' && isPreview && running) await takeNext();
    },
    [run, refresh, reloadCallbacks, isPreview, running, takeNext],
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

  // Preview hotkeys: N the next lead, D dial it, S skip it.
  useEffect(() => {
    if (!isPreview) return;
    const onKey = (e: KeyboardEvent) => {
      if (pendingRef.current || e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement;
      if (t.closest('input, textarea, select, [contenteditable], form')) return;
      const key = e.key.toLowerCase();
      if (key === 'n' && canTakeNext && running && !pv.busy) {
        e.preventDefault();
        void takeNext();
      } else if (key === 'd' && canDial) {
        e.preventDefault();
        dial();
      } else if (key === 's' && canSkip) {
        e.preventDefault();
        skip();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [isPreview, canTakeNext, running, canDial, canSkip, pv.busy, takeNext, dial, skip]);

  const post = (what: 'ready' | 'pause' | 'leave' | 'hangup') =>
    void run(async () => {
      const params = { params: { path: { id: s.id } } };
      const out =
        what === 'pause'
          ? await call(api.POST('/v1/agent-sessions/{id}/pause', { ...params, body: { reason } }))
          : await call(api.POST(`/v1/agent-sessions/{id}/${what}`, params));
      apply(out);
      if (what === 'leave') onLeft();
    });

  return (
    <main className="cockpit">
      <header className="row">
        <h1>Cockpit</h1>
        <span className="muted">
          {campaign.data?.name}
          {isPreview && ' · preview dialing'}
        </span>
      </header>
      <ErrorBox error={campaign.error} />
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
          <button onClick={() => post('pause')} disabled={a.busy || s.state !== 'ready' || placing}>Pause</button>
          {s.state === 'on_call' && <button onClick={() => post('hangup')} disabled={a.busy}>Hang up</button>}
          <button onClick={() => post('leave')} disabled={a.busy || s.state === 'on_call' || placing} className="danger">Leave campaign</button>
        </div>
        {s.state === 'connecting' && <p role="status">Calling your phone… the session is ready when it answers.</p>}
        <ErrorBox error={a.error} />
      </section>

      <div className="cockpit-grid">
        <section aria-label="Lead" className="lead-card">
          {lead && !canTakeNext ? (
            <>
              <h2>{fullName(lead)}</h2>
              <p>
                <span aria-label="Phone">{lead.phone}</span>
                {lead.company && <> · <span aria-label="Company">{lead.company}</span></>}
                {lead.state && <> · {lead.state}</>}
              </p>
              <p className="muted" data-testid="lead-status">
                {isPreview
                  ? leadStatus(lead, s.state, dialRequested)
                  : lead.status === 'connected' ? 'On the line' : 'Call ended — disposition it'}
                {lead.connected_at && <> · talked <Since since={lead.connected_at} /></>}
              </p>
              {previewed && (
                <div className="row" role="group" aria-label="Preview">
                  <button ref={dialRef} onClick={dial} disabled={!canDial} aria-keyshortcuts="D">
                    {dialRequested ? 'Dialing…' : 'Dial'} <kbd aria-hidden="true">D</kbd>
                  </button>
                  <button className="secondary" onClick={skip} disabled={!canSkip} aria-keyshortcuts="S">
                    Skip <kbd aria-hidden="true">S</kbd>
                  </button>
                </div>
              )}
              {lead.script && <blockquote className="script" aria-label="Script">{lead.script}</blockquote>}
              <TextThread phone={lead.phone} contactId={lead.contact_id} />
            </>
          ) : canTakeNext ? (
            <>
              {lead && (
                <p className="muted">
                  The call to {fullName(lead)} ({lead.phone}) ended without a conversation.
                </p>
              )}
              <p>
                <button ref={nextRef} onClick={() => void takeNext()} disabled={pv.busy || !running} aria-keyshortcuts="N">
                  {pv.busy ? 'Getting a lead…' : 'Next lead'} <kbd aria-hidden="true">N</kbd>
                </button>
              </p>
            </>
          ) : (
            <p className="muted">{s.state === 'ready' ? 'Waiting for the next call…' : 'No call on the line.'}</p>
          )}
          {isPreview && (
            <>
              <p role="status" className="muted">{canTakeNext && (campaignNote ?? quiet)}</p>
              <ErrorBox error={pv.error} />
            </>
          )}
        </section>

        <section aria-labelledby="dispo-h">
          <h2 id="dispo-h">Disposition</h2>
          <ErrorBox error={dispositions.error} />
          <Field label="Note (optional)">
            <input value={note} onChange={(e) => setNote(e.target.value)} disabled={!lead || canTakeNext} />
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
              {pending.d.label}: next {isPreview ? 'lead' : 'call'} in {pending.left}s — <kbd>Enter</kbd> now, <kbd>Esc</kbd> to pause instead
            </p>
          )}
          {askCallback && (
            <CallbackForm
              onCancel={() => setAskCallback(null)}
              onSubmit={(at, mine) => {
                setPending({ d: askCallback.d, attemptId: askCallback.attemptId, callbackAt: at, callbackMine: mine, left: ADVANCE_SECS });
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
                {c.notified_at && <span className="badge due">due now</span>}{' '}
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

function CallbackForm({ onSubmit, onCancel }: { onSubmit: (iso: string, mine: boolean) => void; onCancel: () => void }) {
  const [at, setAt] = useState(tomorrowAt10());
  const [mine, setMine] = useState(true);
  return (
    <form
      className="callback-form"
      aria-label="Schedule the callback"
      onSubmit={(e) => { e.preventDefault(); onSubmit(new Date(at).toISOString(), mine); }}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onCancel(); } }}
    >
      <Field label="Call back at">
        <input autoFocus required type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> Keep it for me (others get it 15 minutes after it is due)
      </label>
      <button type="submit">Schedule callback</button>
      <button type="button" onClick={onCancel}>Cancel</button>
    </form>
  );
}
