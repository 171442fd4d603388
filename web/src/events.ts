// The agency's realtime events (SSE at /v1/events). EventSource cannot send the bearer header,
// so this reads the stream with fetch and reconnects when it drops.
import { authFetch } from './api/client';

export type EventKind = 'agent.updated' | 'attempt.updated' | 'campaign.updated' | 'callback.scheduled' | string;

/** Calls `on(kind, data)` for each event until the returned function is called. */
export function subscribe(on: (kind: EventKind, data: unknown) => void): () => void {
  const ctl = new AbortController();
  void (async () => {
    while (!ctl.signal.aborted) {
      try {
        const res = await authFetch(new Request('/v1/events', { signal: ctl.signal, headers: { accept: 'text/event-stream' } }));
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            let kind = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) kind = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            if (data.length === 0) continue;
            let parsed: unknown = data.join('\n');
            try {
              parsed = JSON.parse(parsed as string);
            } catch {
              /* a plain-text event */
            }
            on(kind, parsed);
          }
        }
      } catch {
        if (ctl.signal.aborted) return;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  return () => ctl.abort();
}
