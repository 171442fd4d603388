// Small shared pieces: loading and error states, form fields, polling and paged loads,
// confirmations and downloads.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, message } from './api/client';

/** The API's message and, for invalid fields, each field's message. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? Object.entries(error.fields) : [];
  if (fields.length === 0) {
    return (
      <p role="alert" className="error">
        {message(error)}
      </p>
    );
  }
  return (
    <div role="alert" className="error">
      <p>Some fields are invalid:</p>
      <ul>
        {fields.map(([k, v]) => (
          <li key={k}>
            {k.replace(/_/g, ' ')}: {v}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" aria-live="polite" className="muted">
      Loading {what}…
    </p>
  );
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {hint && <small className="muted">{hint}</small>}
    </label>
  );
}

/** Loads with `load`, again every `everyMs` when given; keeps the last good value on errors. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const d = await run();
      if (mine === seq.current) {
        setData(d);
        setError(null);
      }
    } catch (e) {
      if (mine === seq.current) setError(e);
    }
  }, [run]);
  useEffect(() => {
    setData(undefined);
    void reload();
    if (!everyMs) return;
    const t = window.setInterval(() => void reload(), everyMs);
    return () => window.clearInterval(t);
  }, [reload, everyMs]);
  return { data, error, reload };
}

/** A page of the API: its rows and the cursor of the next page. */
export interface Paged<T> {
  data: T[];
  next_cursor?: string | null;
}

/** Loads the first page with `load`, then more on demand (`more`) while there is a next cursor. */
export function usePaged<T>(load: (cursor?: string) => Promise<Paged<T>>, deps: unknown[]) {
  const [items, setItems] = useState<T[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const fetchPage = useCallback(
    async (cursor: string | undefined, append: boolean) => {
      const mine = ++seq.current;
      setBusy(true);
      try {
        const page = await run(cursor);
        if (mine !== seq.current) return;
        setItems((prev) => (append ? [...(prev ?? []), ...page.data] : page.data));
        setNext(page.next_cursor ?? null);
        setError(null);
      } catch (e) {
        if (mine === seq.current) setError(e);
      } finally {
        if (mine === seq.current) setBusy(false);
      }
    },
    [run],
  );
  const reload = useCallback(() => fetchPage(undefined, false), [fetchPage]);
  const more = useCallback(() => (next ? fetchPage(next, true) : Promise.resolve()), [fetchPage, next]);
  useEffect(() => {
    setItems(undefined);
    setNext(null);
    void reload();
  }, [reload]);
  return { items, error, busy, hasMore: next !== null, more, reload };
}

/** "Load more" under a paged table. */
export function MoreButton({ paged, what }: { paged: { hasMore: boolean; busy: boolean; more: () => Promise<void> }; what: string }) {
  if (!paged.hasMore) return null;
  return (
    <p>
      <button type="button" onClick={() => void paged.more()} disabled={paged.busy}>
        Load more {what}
      </button>
    </p>
  );
}

/** A destructive button that asks once more, in place, before it acts. */
export function ConfirmButton({
  label,
  name,
  question,
  onConfirm,
  disabled,
}: {
  label: string;
  /** The accessible name when `label` alone is ambiguous (e.g. "Remove +12125550100"). */
  name?: string;
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" aria-label={name} onClick={() => setAsking(true)} disabled={disabled}>
        {label}
      </button>
    );
  }
  return (
    <span role="group" aria-label={question} className="confirm">
      <span>{question}</span>{' '}
      <button type="button" className="danger" onClick={() => { setAsking(false); onConfirm(); }}>
        Yes, {label.toLowerCase()}
      </button>{' '}
      <button type="button" className="secondary" onClick={() => setAsking(false)} autoFocus>
        Cancel
      </button>
    </span>
  );
}

/** Hands a Blob to the browser as a download. */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A date-time for people, in the browser's time zone. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return null;
  const d = new Date(at);
  return <time dateTime={at}>{Number.isNaN(d.getTime()) ? at : d.toLocaleString()}</time>;
}

/** A share (0..1) as a percent. */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** Runs an action with a busy flag and its error. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await f();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

/** Seconds since `since` as m:ss, ticking. */
export function Since({ since, secs }: { since: string; secs?: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  // The server's count (its clock, not this browser's) plus the time since it arrived.
  const anchor = useMemo(() => Date.now(), [secs]);
  const s =
    secs === undefined
      ? Math.max(0, Math.floor((now - Date.parse(since)) / 1000))
      : Math.max(0, Math.floor(secs + (now - anchor) / 1000));
  return (
    <time dateTime={since}>
      {Math.floor(s / 60)}:{String(s % 60).padStart(2, '0')}
    </time>
  );
}

/** The abandon rate against the legal 3% line. */
export function AbandonMeter({ pct, label }: { pct: number; label: string }) {
  const over = pct > 3;
  return (
    <div className="meter" aria-label={label}>
      <div className="meter-track">
        <div className={over ? 'meter-bar over' : 'meter-bar'} style={{ width: `${Math.min(pct, 6) * (100 / 6)}%` }} />
        <div className="meter-line" title="3% legal limit" />
      </div>
      <span className={over ? 'error' : ''}>
        {pct.toFixed(2)}% abandoned {over ? '(over the 3% limit)' : '(limit 3%)'}
      </span>
    </div>
  );
}
