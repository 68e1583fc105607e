// Where the engine runs (client.mode) and, in a worker, how many tabs share it.
import { useClient } from 'ssot-realtime/react';
import { useNow } from './useNow.js';

const LABELS = { main: 'main thread', worker: 'worker', 'shared-worker': 'shared worker' };

export function ModeBadge() {
  const client = useClient();
  useNow(1000); // client.tabs changes as tabs come and go
  if (!client) return null;
  const tabs = client.tabs;
  const fallback = client.modeFallback;
  const title = fallback ? `${fallback.requested} asked for: ${fallback.reason}` : 'switch with ?mode=main or ?mode=shared-worker';
  return (
    <span className="mode-badge" data-mode={client.mode} data-tabs={tabs ?? 1} title={title}>
      {LABELS[client.mode] ?? client.mode}
      {client.mode === 'shared-worker' && ` · ${tabs} ${tabs === 1 ? 'tab' : 'tabs'}`}
      {fallback && ' (fallback)'}
    </span>
  );
}
