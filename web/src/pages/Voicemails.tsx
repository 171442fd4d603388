// Admin → Voicemails: the recordings campaigns leave after the beep. Upload a WAV or MP3, or
// record one in the browser (captured with the Web Audio API and saved as 16 kHz WAV, which
// both carriers play); listen to each, delete those no campaign uses.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, authFetch, call, toApiError } from '../api/client';
import type { components } from '../api/schema';
import { ConfirmButton, ErrorBox, Field, Loading, When, useAction, useLoad } from '../ui';

type Template = components['schemas']['VoicemailTemplateOut'];

/** Recordings stop by themselves after this long. */
const MAX_RECORD_SECS = 120;
const RATE = 16_000;

async function send(name: string, body: Blob, contentType: string): Promise<Template> {
  const q = new URLSearchParams({ name });
  const res = await authFetch(
    new Request(`/v1/voicemail-templates?${q}`, { method: 'POST', headers: { 'content-type': contentType }, body }),
  );
  const out = await res.json().catch(() => undefined);
  if (!res.ok) throw toApiError(out, res.status);
  return out as Template;
}

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

export function Voicemails() {
  const list = useLoad(() => call(api.GET('/v1/voicemail-templates')), []);
  const del = useAction();
  const [notice, setNotice] = useState('');
  const saved = async (t: Template) => {
    setNotice(`Saved ${t.name} (${seconds(t.duration_ms)}).`);
    await list.reload();
  };
  const remove = (t: Template) =>
    void del.run(async () => {
      await call(api.DELETE('/v1/voicemail-templates/{id}', { params: { path: { id: t.id } } }));
      setNotice(`Deleted ${t.name}.`);
      await list.reload();
    });
  return (
    <main>
      <h1>Voicemails</h1>
      <section aria-labelledby="vm-list-h">
        <h2 id="vm-list-h">Voicemail recordings</h2>
        <p className="muted">A campaign that leaves a voicemail plays one of these after the beep: choose it in the campaign's settings.</p>
        <ErrorBox error={list.error ?? del.error} />
        {!list.data && !list.error && <Loading what="voicemail recordings" />}
        {list.data && list.data.length === 0 && <p className="muted">No recording yet: upload one or record one below.</p>}
        {list.data && list.data.length > 0 && (
          <table aria-label="Voicemail recordings">
            <thead><tr><th>Name</th><th>Length</th><th>Format</th><th>Listen</th><th>Added</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{seconds(t.duration_ms)}</td>
                  <td>{t.content_type === 'audio/mpeg' ? 'MP3' : 'WAV'}</td>
                  <td><audio controls preload="none" src={t.audio_url} aria-label={`Play ${t.name}`} /></td>
                  <td><When at={t.created_at} /></td>
                  <td>
                    <ConfirmButton label="Delete" name={`Delete ${t.name}`} question={`Delete ${t.name}?`} onConfirm={() => remove(t)} disabled={del.busy} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {notice && <p role="status">{notice}</p>}
      </section>
      <UploadFile onDone={saved} />
      <Recorder onDone={saved} />
    </main>
  );
}

function UploadFile({ onDone }: { onDone: (t: Template) => Promise<void> }) {
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    void a.run(async () => {
      const type = file.type || (file.name.toLowerCase().endsWith('.mp3') ? 'audio/mpeg' : 'audio/wav');
      const t = await send(name.trim() || file.name, file, type);
      setName('');
      setFile(null);
      (e.target as HTMLFormElement).reset();
      await onDone(t);
    });
  };
  return (
    <section aria-labelledby="vm-upload-h">
      <h2 id="vm-upload-h">Upload a recording</h2>
      <form onSubmit={submit} className="grid">
        <Field label="Recording name" hint="defaults to the file's name"><input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} /></Field>
        <Field label="Audio file" hint="WAV or MP3, 5 MB at most">
          <input type="file" accept=".wav,.mp3,audio/wav,audio/mpeg" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        <button type="submit" disabled={a.busy || !file}>Upload</button>
      </form>
      <ErrorBox error={a.error} />
    </section>
  );
}

/** 16-bit mono PCM WAV of the samples (already at `rate`). */
function encodeWav(samples: Float32Array, rate: number): Blob {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buf);
  const str = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  str(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  str(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => v.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 0x7fff, true));
  return new Blob([buf], { type: 'audio/wav' });
}

/** Joins captured chunks and resamples them (linear) from `from` Hz to `to` Hz. */
function resample(chunks: Float32Array[], from: number, to: number): Float32Array {
  const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  if (from === to) return all;
  const out = new Float32Array(Math.floor((all.length * to) / from));
  for (let i = 0; i < out.length; i += 1) {
    const x = (i * from) / to;
    const j = Math.floor(x);
    const k = Math.min(j + 1, all.length - 1);
    out[i] = all[j] + (all[k] - all[j]) * (x - j);
  }
  return out;
}

interface Capture {
  stream: MediaStream;
  ctx: AudioContext;
  node: ScriptProcessorNode;
  chunks: Float32Array[];
  started: number;
}

function Recorder({ onDone }: { onDone: (t: Template) => Promise<void> }) {
  const [name, setName] = useState('');
  const [state, setState] = useState<'idle' | 'recording' | 'recorded'>('idle');
  const [elapsed, setElapsed] = useState(0);
  const [take, setTake] = useState<{ blob: Blob; url: string; secs: number } | null>(null);
  const [problem, setProblem] = useState('');
  const cap = useRef<Capture | null>(null);
  const a = useAction();

  const stop = () => {
    const c = cap.current;
    if (!c) return;
    cap.current = null;
    c.node.disconnect();
    c.stream.getTracks().forEach((t) => t.stop());
    const samples = resample(c.chunks, c.ctx.sampleRate, RATE);
    void c.ctx.close();
    if (samples.length === 0) {
      setState('idle');
      setProblem('Nothing was recorded; check the microphone and try again.');
      return;
    }
    const blob = encodeWav(samples, RATE);
    setTake({ blob, url: URL.createObjectURL(blob), secs: samples.length / RATE });
    setState('recorded');
  };

  useEffect(() => {
    if (state !== 'recording') return undefined;
    const t = window.setInterval(() => {
      const c = cap.current;
      if (!c) return;
      const secs = (performance.now() - c.started) / 1000;
      setElapsed(secs);
      if (secs >= MAX_RECORD_SECS) stop();
    }, 200);
    return () => window.clearInterval(t);
  }, [state]);

  // Leaving the page mid-recording releases the microphone.
  useEffect(() => () => {
    const c = cap.current;
    if (c) {
      c.stream.getTracks().forEach((t) => t.stop());
      void c.ctx.close();
    }
  }, []);
  useEffect(() => () => { if (take) URL.revokeObjectURL(take.url); }, [take]);

  const start = async () => {
    setProblem('');
    setTake(null);
    if (!navigator.mediaDevices?.getUserMedia) {
      setProblem('This browser cannot record here (recording needs HTTPS or localhost). Upload a file instead.');
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const ctx = new AudioContext();
      const source = ctx.createMediaStreamSource(stream);
      const node = ctx.createScriptProcessor(4096, 1, 1);
      const chunks: Float32Array[] = [];
      node.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
      source.connect(node);
      node.connect(ctx.destination);
      cap.current = { stream, ctx, node, chunks, started: performance.now() };
      setElapsed(0);
      setState('recording');
    } catch {
      setProblem('The microphone could not be used: allow it for this site, or upload a file instead.');
    }
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!take) return;
    void a.run(async () => {
      const t = await send(name.trim() || `Recording ${new Date().toLocaleString()}`, take.blob, 'audio/wav');
      setTake(null);
      setName('');
      setState('idle');
      await onDone(t);
    });
  };

  return (
    <section aria-labelledby="vm-record-h">
      <h2 id="vm-record-h">Record in the browser</h2>
      <form onSubmit={save} className="grid">
        <Field label="Name for the recording"><input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} /></Field>
        <div className="row">
          {state === 'recording' ? (
            <button type="button" onClick={stop}>Stop recording</button>
          ) : (
            <button type="button" className="secondary" onClick={() => void start()}>{take ? 'Record again' : 'Start recording'}</button>
          )}
          {state === 'recording' && <span role="status" aria-live="polite">Recording… {elapsed.toFixed(0)} s of at most {MAX_RECORD_SECS} s</span>}
        </div>
        {take && (
          <p>
            <audio controls src={take.url} aria-label="Play back the take" /> <span data-testid="take-length">{take.secs.toFixed(1)} s</span>
          </p>
        )}
        <button type="submit" disabled={!take || a.busy}>Save recording</button>
      </form>
      {problem && <p role="alert" className="error">{problem}</p>}
      <ErrorBox error={a.error} />
    </section>
  );
}
