// Charts drawn with inline SVG (no chart library): vertical bars with an optional highlighted
// part, and horizontal bars with shares. Each is an image with a spoken summary, a tooltip per
// bar and its numbers in a table under "Show the numbers".

export interface Bar {
  label: string;
  value: number;
  /** A part of `value` drawn in the accent colour (e.g. the connected share of the dials). */
  part?: number;
}

const W = 640;
const H = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 40 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Vertical bars; `format` prints values (axis, tooltips, table). */
export function ColumnChart({
  title,
  summary,
  bars,
  format = String,
  max,
  labelName = '',
  valueName = 'Value',
  partName,
  labelEvery = 1,
}: {
  title: string;
  summary: string;
  bars: Bar[];
  format?: (v: number) => string;
  max?: number;
  /** Column headings of the numbers table. */
  labelName?: string;
  valueName?: string;
  partName?: string;
  labelEvery?: number;
}) {
  const top = max ?? niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const step = iw / Math.max(1, bars.length);
  const bw = Math.max(2, step * 0.7);
  const y = (v: number) => PAD.top + ih - (Math.min(v, top) / top) * ih;
  const ticks = [0, top / 2, top];
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary}`} preserveAspectRatio="xMidYMid meet">
        <title>{`${title}: ${summary}`}</title>
        {ticks.map((t, i) => (
          <g key={i}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid-line" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="axis">{format(t)}</text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = PAD.left + i * step + (step - bw) / 2;
          const tip = `${b.label}: ${format(b.value)}${b.part !== undefined && partName ? `, ${partName.toLowerCase()} ${format(b.part)}` : ''}`;
          return (
            <g key={i}>
              <title>{tip}</title>
              {b.value > 0 && <rect x={x} y={y(b.value)} width={bw} height={y(0) - y(b.value)} className="bar" />}
              {b.part !== undefined && b.part > 0 && (
                <rect x={x} y={y(b.part)} width={bw} height={y(0) - y(b.part)} className="bar part" />
              )}
              {i % labelEvery === 0 && (
                <text x={x + bw / 2} y={H - PAD.bottom + 16} textAnchor="middle" className="axis">{b.label}</text>
              )}
            </g>
          );
        })}
      </svg>
      {partName && (
        <p className="legend muted">
          <span className="swatch" /> {valueName} <span className="swatch part" /> {partName}
        </p>
      )}
      <NumbersTable
        head={[labelName, valueName, ...(partName ? [partName] : [])]}
        rows={bars.filter((b) => b.value > 0).map((b) => [b.label, format(b.value), ...(partName ? [format(b.part ?? 0)] : [])])}
      />
    </figure>
  );
}

/** Horizontal bars, each with its count and share of the total. */
export function BarList({ title, summary, rows }: { title: string; summary: string; rows: { label: string; value: number }[] }) {
  const total = rows.reduce((s, r) => s + r.value, 0);
  const max = Math.max(1, ...rows.map((r) => r.value));
  const w = 560;
  const rowH = 30;
  const labelW = 200;
  const barW = w - labelW - 90;
  const h = rows.length * rowH + 4;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${title}: ${summary}`} preserveAspectRatio="xMidYMid meet">
        <title>{`${title}: ${summary}`}</title>
        {rows.map((r, i) => {
          const share = total ? r.value / total : 0;
          const y0 = i * rowH + 4;
          return (
            <g key={i}>
              <title>{`${r.label}: ${r.value} (${(share * 100).toFixed(1)}%)`}</title>
              <text x={labelW - 8} y={y0 + 17} textAnchor="end" className="axis label">{r.label}</text>
              <rect x={labelW} y={y0} width={barW} height={rowH - 8} className="track" />
              {r.value > 0 && <rect x={labelW} y={y0} width={(r.value / max) * barW} height={rowH - 8} className="bar" />}
              <text x={labelW + barW + 8} y={y0 + 17} className="axis">{`${r.value} · ${(share * 100).toFixed(0)}%`}</text>
            </g>
          );
        })}
      </svg>
      <NumbersTable
        head={['', 'Count', 'Share']}
        rows={rows.map((r) => [r.label, String(r.value), total ? `${((r.value / total) * 100).toFixed(1)}%` : '—'])}
      />
    </figure>
  );
}

function NumbersTable({ head, rows }: { head: string[]; rows: string[][] }) {
  if (rows.length === 0) return null;
  return (
    <details>
      <summary>Show the numbers</summary>
      <table>
        <thead><tr>{head.map((h, i) => <th key={i}>{h}</th>)}</tr></thead>
        <tbody>{rows.map((r, i) => <tr key={i}>{r.map((c, j) => <td key={j}>{c}</td>)}</tr>)}</tbody>
      </table>
    </details>
  );
}
