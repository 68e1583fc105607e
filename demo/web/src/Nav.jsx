// Screen tabs; the notifications tab counts the unread ones live.
import { useList } from 'ssot-realtime/react';
import { notificationsQuery } from './queries.js';

function Unread({ me }) {
  const { data } = useList('Notification', notificationsQuery(me.id));
  const n = data.filter((x) => !x.read).length;
  return n > 0 ? <span className="count" aria-label={`${n} unread`}>{n}</span> : null;
}

export function Nav({ screen, go, me }) {
  const tabs = [['chat', 'Chat'], ['notifications', 'Notifications'], ['inventory', 'Inventory']];
  if (me.role === 'admin') tabs.push(['activity', 'Activity']);
  return (
    <nav>
      {tabs.map(([name, label]) => (
        <button key={name} type="button" className="tab" aria-current={screen === name ? 'page' : undefined}
          onClick={() => go(name)}>
          {label}{name === 'notifications' && <Unread me={me} />}
        </button>
      ))}
    </nav>
  );
}
