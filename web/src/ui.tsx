// Small shared pieces: loading and error states, form fields, polling loads.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { message } from './api/client';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {message(error)}
    </p>
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
