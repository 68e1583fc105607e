// bench/report.svg: grouped bars of the measured ratios per workload, on a log
// scale, each bar with a dashed line at its goal. Hand-written SVG, no dependency.
//
// bars: [{group, label, value, goal}] in order; bars of one group sit together.
export function chartSvg(bars, { title = '' } = {}) {
  const groups = [];
  for (const b of bars) {
    let g = groups.at(-1);
    if (!g || g.name !== b.group) groups.push(g = { name: b.group, bars: [] });
    g.bars.push(b);
  }
  const BAR = 34;
  const GAP = 8;
  const GROUP_GAP = 16;
  const left = 56;
  const top = 48;
  const plotH = 300;
  const SLOT = 96; // the least width of a group, for its name
  const inner = (g) => g.bars.length * (BAR + GAP) - GAP;
  const slot = (g) => Math.max(inner(g), SLOT);
  const width = Math.max(640, left + 20 + groups.reduce((s, g) => s + slot(g) + GROUP_GAP, 0));
  const height = top + plotH + 96;
  const lo = 0.03;
  const hi = Math.max(100, ...bars.map((b) => (Number.isFinite(b.value) ? b.value * 1.2 : 0)));
  const y = (v) => top + plotH - (Math.log10(Math.min(Math.max(v, lo), hi) / lo) / Math.log10(hi / lo)) * plotH;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${left}" y="36" fill="#555">runtime / other client (log scale); dashed: the goal; green: met, red: not met</text>`);
  for (const t of [0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000].filter((t) => t <= hi)) {
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${y(t)}" y2="${y(t)}" stroke="${t === 1 ? '#999' : '#e4e4e4'}"/>`);
    out.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#555">${t}x</text>`);
  }
  let x = left + 10;
  for (const g of groups) {
    const gx = x;
    const end = x + slot(g);
    x += (slot(g) - inner(g)) / 2;
    for (const b of g.bars) {
      const ok = Number.isFinite(b.value) && b.value >= b.goal;
      const v = Number.isFinite(b.value) ? b.value : lo;
      out.push(`<rect x="${x}" y="${y(v)}" width="${BAR}" height="${top + plotH - y(v)}" fill="${ok ? '#3a9d5d' : '#d0483e'}"><title>${esc(`${g.name}: ${b.label} ${Number.isFinite(b.value) ? b.value.toFixed(2) : '-'}x (goal ${b.goal}x)`)}</title></rect>`);
      out.push(`<line x1="${x - 3}" x2="${x + BAR + 3}" y1="${y(b.goal)}" y2="${y(b.goal)}" stroke="#222" stroke-width="2" stroke-dasharray="4 2"/>`);
      const ly = Math.abs(y(v) - y(b.goal)) < 12 ? Math.min(y(v), y(b.goal)) - 4 : y(v) - 4; // clear of the goal line
      out.push(`<text x="${x + BAR / 2}" y="${ly}" text-anchor="middle" font-size="10">${Number.isFinite(b.value) ? (b.value >= 10 ? b.value.toFixed(0) : b.value.toFixed(2)) : '-'}</text>`);
      if (g.bars.length > 1) out.push(`<text transform="translate(${x + BAR / 2 - 3},${top + plotH + 10}) rotate(40)" font-size="10" fill="#333">${esc(b.label)}</text>`);
      x += BAR + GAP;
    }
    const mid = (gx + end) / 2;
    // Two lines ("sorted-filtered" / "100k") so that long names do not run into the next group.
    const cut = g.name.lastIndexOf('-');
    const [l1, l2] = cut > 0 ? [g.name.slice(0, cut), g.name.slice(cut + 1)] : [g.name, ''];
    out.push(`<text x="${mid}" y="${top + plotH + 70}" text-anchor="middle" font-weight="bold">${esc(l1)}<tspan x="${mid}" dy="14">${esc(l2)}</tspan></text>`);
    x = end + GROUP_GAP;
  }
  out.push(`<line x1="${left}" x2="${width - 10}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
