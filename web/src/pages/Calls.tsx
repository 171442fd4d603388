// Calls (supervisors): every call the agency placed or took, newest first, with how it went and,
// once the carrier has saved it, its recording (a recorded conversation, a caller's voicemail).
import { api, call } from '../api/client';
import { ErrorBox, Loading, MoreButton, When, usePaged } from '../ui';

const STATUS: Record<string, string> = {
  queued: 'queued', initiated: 'dialing', ringing: 'ringing', in_progress: 'in progress', completed: 'completed',
  busy: 'busy', no_answer: 'no answer', failed: 'failed', canceled: 'cancelled',
};

const ANSWERED_BY: Record<string, string> = {
  human: 'a person', machine: 'a machine', machine_beep: 'a machine', machine_end: 'a machine', fax: 'a fax', unknown: 'someone',
};

const clock = (secs: number | null | undefined) =>
  secs === null || secs === undefined ? '—' : `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;

export function Calls() {
  const calls = usePaged((cursor) => call(api.GET('/v1/calls', { params: { query: { limit: 50, cursor } } })), []);
  const rows = calls.items ?? [];
  return (
    <main>
      <h1>Calls</h1>
      <ErrorBox error={calls.error} />
      {!calls.items && !calls.error && <Loading what="calls" />}
      {calls.items && rows.length === 0 && <p className="muted">No call yet: start a campaign, or call one of your numbers.</p>}
      {rows.length > 0 && (
        <table aria-label="Calls">
          <thead>
            <tr><th>When</th><th>Way</th><th>From</th><th>To</th><th>Status</th><th>Answered by</th><th>Length</th><th>Recording</th></tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id}>
                <td><When at={c.created_at} /></td>
                <td>{c.direction === 'inbound' ? 'in' : 'out'}</td>
                <td>{c.from}</td>
                <td>{c.to}</td>
                <td>{STATUS[c.status] ?? c.status}{c.voicemail_dropped && ' · voicemail left'}</td>
                <td>{c.answered_by ? ANSWERED_BY[c.answered_by] ?? c.answered_by : '—'}</td>
                <td>{clock(c.duration_secs)}</td>
                <td>
                  {c.recording_url ? (
                    <a href={c.recording_url} target="_blank" rel="noreferrer">
                      {c.direction === 'inbound' ? 'Voicemail' : 'Recording'} ({clock(c.recording_secs)})
                    </a>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreButton paged={calls} what="calls" />
    </main>
  );
}
