// Figures of bench/js/runtime_vs_js.js: from the per-round results to the ratios the
// issue's goals are stated in (issue 16), as JSON and as a Markdown section.
//
// Ratios are paired: per round, the runtime's frames/s divided by the other
// client's in the same round; the figure is the median over rounds. "The best JS
// client" is, per round, the fastest of the clients that give the UI what the
// runtime gives it for that shape:
//   plain and sorted+filtered lists: the full array (best, tanstack-query, tanstack-db);
//   window: a window-aware client (best-windowed, tanstack-db with limit 50) and,
//   for the second goal, a full-array client (best, tanstack-query: the UI slices it).

export const FULL = ['best', 'tanstack-query', 'tanstack-db'];
export const WINDOW_AWARE = ['best-windowed', 'tanstack-db'];
export const FULL_ARRAY = ['best', 'tanstack-query'];
export const PEERS = ['best', 'best-windowed', 'tanstack-query', 'tanstack-db', 'seed', 'parse'];

export const LABEL = {
  runtime: 'runtime',
  best: 'plain JS (Map by id, full array)',
  'best-windowed': 'window-aware JS (blocked list)',
  'tanstack-query': 'TanStack Query core',
  'tanstack-db': 'TanStack DB live query',
  seed: "seeds' design",
  parse: 'JSON.parse alone',
};

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// The goals per shape: [{against, label, goal, aim?}].
export function goalsFor(w) {
  if (w.window) {
    return [
      { against: WINDOW_AWARE, label: 'a window-aware JS client', goal: 1.5 },
      { against: FULL_ARRAY, label: 'a full-array JS client', goal: 10 },
    ];
  }
  if (w.filtered) return [{ against: FULL, label: 'the best JS client', goal: 2 }];
  return [{ against: FULL, label: 'the best JS client', goal: 1, aim: 1.3 }];
}

// One workload's results (Map client -> [res per round]) -> its figures.
export function workloadFigures(w, res, d) {
  const rounds = Math.max(0, ...[...res.values()].map((x) => x.length));
  const fpsOf = (c, r) => res.get(c)?.[r]?.fps;
  const fps = {};
  const frames = {};
  const setupMs = {};
  for (const [c, runs] of res) {
    fps[c] = median(runs.map((x) => x?.fps));
    frames[c] = runs[0]?.frames;
    setupMs[c] = median(runs.map((x) => x?.setupMs));
  }
  const ratio = {}; // runtime / each client
  for (const c of res.keys()) if (c !== 'runtime') ratio[c] = median(range(rounds).map((r) => fpsOf('runtime', r) / fpsOf(c, r)));
  const goals = goalsFor(w).map((g) => {
    const present = g.against.filter((c) => res.has(c));
    const perRound = range(rounds).map((r) => fpsOf('runtime', r) / Math.max(...present.map((c) => fpsOf(c, r) ?? NaN)));
    const winners = range(rounds).map((r) => present.reduce((a, c) => ((fpsOf(c, r) ?? -1) > (fpsOf(a, r) ?? -1) ? c : a), present[0]));
    const measured = present.length ? median(perRound) : NaN;
    return { ...g, against: present, best: mode(winners), measured, met: Number.isFinite(measured) ? measured >= g.goal : null };
  });
  const failed = [...res.entries()].filter(([, runs]) => runs.some((x) => x?.problem)).map(([c]) => c);
  return {
    name: w.name, n: w.n, filtered: w.filtered, window: w.window,
    rowsStart: d.viewStart, rowsEnd: d.expected.length, rounds, frames, fps, setupMs, ratio, goals, failed,
  };
}

function range(n) { return Array.from({ length: n }, (_, i) => i); }

function mode(xs) {
  const count = new Map();
  for (const x of xs) if (x) count.set(x, (count.get(x) ?? 0) + 1);
  return [...count.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

export const fmtK = (x) => (Number.isFinite(x) ? (x >= 1e4 ? `${Math.round(x / 1000)}k` : x >= 1000 ? `${(x / 1000).toFixed(1)}k` : `${Math.round(x)}`) : '-');
export const fmtX = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x` : '-');
export const metText = (m) => (m === null ? '-' : m ? 'met' : 'not met');

// The Markdown section: frames/s per client, the ratios, the goals.
export function workloadTables(figs) {
  const out = [];
  const clients = PEERS.filter((c) => figs.some((f) => c in f.fps));
  out.push('Frames/s (median of the rounds; in brackets the frames per run when fewer than the workload\'s):');
  out.push('');
  out.push(`| workload | view rows start -> end | runtime | ${clients.map((c) => LABEL[c]).join(' | ')} |`);
  out.push(`| --- | --- | --- | ${clients.map(() => '---').join(' | ')} |`);
  for (const f of figs) {
    const cell = (c) => (c in f.fps ? `${fmtK(f.fps[c])}${f.frames[c] !== f.frames.runtime ? ` (${f.frames[c]})` : ''}` : '-');
    out.push(`| ${f.name} | ${f.rowsStart} -> ${f.rowsEnd}${f.window ? ' (window 50)' : ''} | **${fmtK(f.fps.runtime)}** (${f.frames.runtime}) | ${clients.map(cell).join(' | ')} |`);
  }
  out.push('');
  out.push('Runtime frames/s divided by each client\'s (median of the paired per-round ratios):');
  out.push('');
  out.push(`| workload | ${clients.map((c) => `/ ${LABEL[c]}`).join(' | ')} | checks |`);
  out.push(`| --- | ${clients.map(() => '---').join(' | ')} | --- |`);
  for (const f of figs) {
    out.push(`| ${f.name} | ${clients.map((c) => (c in f.ratio ? fmtX(f.ratio[c]) : '-')).join(' | ')} | ${f.failed.length ? `FAILED: ${f.failed.join(', ')}` : 'ok'} |`);
  }
  out.push('');
  out.push('Goals (issue 16), runtime / the fastest client of the kind in each round:');
  out.push('');
  out.push('| workload | against | fastest (most rounds) | measured | goal | |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  for (const f of figs) {
    for (const g of f.goals) {
      out.push(`| ${f.name} | ${g.label} | ${LABEL[g.best] ?? '-'} | **${fmtX(g.measured)}** | >= ${g.goal}x${g.aim ? ` (aim ${g.aim}x)` : ''} | ${metText(g.met)} |`);
    }
  }
  out.push('');
  out.push('Set-up per run (hydration of the list into the client, not timed), median ms:');
  out.push('');
  out.push(`| workload | runtime | ${clients.filter((c) => c !== 'parse').map((c) => LABEL[c]).join(' | ')} |`);
  out.push(`| --- | --- | ${clients.filter((c) => c !== 'parse').map(() => '---').join(' | ')} |`);
  for (const f of figs) {
    out.push(`| ${f.name} | ${Math.round(f.setupMs.runtime)} | ${clients.filter((c) => c !== 'parse').map((c) => (c in f.setupMs ? Math.round(f.setupMs[c]) : '-')).join(' | ')} |`);
  }
  return out;
}
