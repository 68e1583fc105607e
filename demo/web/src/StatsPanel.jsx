// client.stats(), sampled every second: what the engine did.
import { useEffect, useRef, useState } from 'react';
import { useClient } from 'ssot-realtime/react';
import { bytes } from './format.js';

const EVERY_MS = 1000;

function useStats(client) {
  const [sample, setSample] = useState(null);
  const last = useRef(null);
  useEffect(() => {
    if (!client) return undefined;
    const read = () => {
      if (client.closed) return;
      const stats = client.stats();
      const at = performance.now();
      const prev = last.current;
      const perSecond = prev ? ((stats.updatesApplied - prev.stats.updatesApplied) * 1000) / (at - prev.at) : 0;
      last.current = { stats, at };
      setSample({ stats, perSecond });
    };
    read();
    const t = setInterval(read, EVERY_MS);
    return () => clearInterval(t);
  }, [client]);
  return sample;
}

export function StatsPanel() {
  const client = useClient();
  const sample = useStats(client);
  const s = sample?.stats;
  const rows = s ? [
    ['updates/s', sample.perSecond.toFixed(1)],
    ['updates applied', s.updatesApplied],
    ['flushes', s.flushes],
    ['coalesced', s.coalesced],
    ['reconnects', s.reconnects],
    ['resyncs', s.resyncs],
    ['echoes skipped', s.echoes],
    ['cache records', s.records],
    ['live views', s.views],
    ['wasm heap', bytes(s.heapBytes)],
  ] : [];
  return (
    <section className="panel stats">
      <h3>Engine stats</h3>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k} data-stat={k}><dt>{k}</dt><dd>{v}</dd></div>
        ))}
      </dl>
    </section>
  );
}
