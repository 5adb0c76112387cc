// The bench's plot, as a self-contained SVG: attestation latency percentiles against
// concurrency (left), and read and attestation latency against stored sessions (right).
// Both x axes are logarithmic, the y axes are logarithmic milliseconds.

const W = 440;
const H = 300;
const M = { left: 56, right: 16, top: 34, bottom: 46 };
const COLORS = { p50: '#1b6ac9', p95: '#e08a00', p99: '#c62828', read: '#2e7d32' };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

function logScale(min, max, from, to) {
  const a = Math.log10(min);
  const b = Math.log10(max);
  return (v) => from + ((Math.log10(v) - a) / (b - a || 1)) * (to - from);
}

function decades(min, max) {
  const out = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
  return out;
}

function tickLabel(t) {
  const e = Math.log10(t);
  if (t >= 1000 && Number.isInteger(e)) return `10^${e}`;
  return t >= 1000 ? `${Math.round(t / 1000).toLocaleString('en-US')}k` : String(t);
}

/** One panel at (ox, 0): series = [{ label, color, dash, points: [[x, y]] }]. */
function panel(ox, title, xLabel, xTicks, series) {
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => y > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const x = logScale(xTicks[0], xTicks[xTicks.length - 1], ox + M.left, ox + W - M.right);
  const y = logScale(yMin, yMax, H - M.bottom, M.top);
  const parts = [
    `<text x="${ox + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${ox + M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`,
  ];
  for (const t of decades(yMin, yMax)) {
    parts.push(
      `<line x1="${ox + M.left}" x2="${ox + W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${ox + M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t >= 1 ? t : t.toPrecision(1)}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  parts.push(`<text x="${ox + W / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(
    `<text transform="translate(${ox + 14},${H / 2}) rotate(-90)" text-anchor="middle">latency (ms)</text>`,
  );
  series.forEach((s, i) => {
    const d = s.points
      .filter((p) => p[1] > 0)
      .map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="5,3"' : ''}/>`,
    );
    for (const p of s.points)
      parts.push(
        `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`,
      );
    const ly = M.top + 14 + i * 15;
    parts.push(
      `<line x1="${ox + M.left + 8}" x2="${ox + M.left + 26}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="5,3"' : ''}/>`,
    );
    parts.push(`<text x="${ox + M.left + 30}" y="${ly}">${esc(s.label)}</text>`);
  });
  return parts.join('\n');
}

/** The SVG of one run's attest and scale records. */
export function renderPlot(attest, scale) {
  const runs = attest.runs;
  const left = panel(
    0,
    'Attestation latency vs concurrency',
    'concurrent provisionings',
    runs.map((r) => r.concurrency),
    ['p50', 'p95', 'p99'].map((p) => ({
      label: p,
      color: COLORS[p],
      points: runs.map((r) => [r.concurrency, r[`${p}_ms`]]),
    })),
  );
  const sizes = scale.sizes;
  const xs = sizes.map((s) => s.stored_sessions);
  const ticks = xs.length > 1 ? xs : [xs[0] / 10, xs[0], xs[0] * 10];
  const right = panel(W, 'Latency vs stored sessions (concurrency 1)', 'stored sessions', ticks, [
    {
      label: 'attest p50',
      color: COLORS.p50,
      points: sizes.map((s) => [s.stored_sessions, s.attest.p50_ms]),
    },
    {
      label: 'attest p99',
      color: COLORS.p99,
      points: sizes.map((s) => [s.stored_sessions, s.attest.p99_ms]),
    },
    {
      label: 'read p50',
      color: COLORS.read,
      points: sizes.map((s) => [s.stored_sessions, s.read.p50_ms]),
    },
    {
      label: 'read p99',
      color: COLORS.read,
      dash: true,
      points: sizes.map((s) => [s.stored_sessions, s.read.p99_ms]),
    },
  ]);
  const m = attest.machine;
  const footer = `${m.cpu_model}, ${m.cores} cores, Node ${m.node}, commit ${m.commit.slice(0, 10)}, ${attest.date}${attest.quick ? ' (--quick)' : ''}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${left}
${right}
<text x="${W}" y="${H + 12}" text-anchor="middle" fill="#555">${esc(footer)}</text>
</svg>
`;
}
