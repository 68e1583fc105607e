// My notifications, live (the server only ever sends a user their own);
// admins also get a form to send one.
import { useDelete, useList, useUpdate } from 'ssot-realtime/react';
import { notificationsQuery } from './queries.js';
import { clockSeconds } from './format.js';
import { SendNotification } from './SendNotification.jsx';

export function Notifications({ me, users }) {
  const { data, isLoading, error } = useList('Notification', notificationsQuery(me.id));
  const markRead = useUpdate('Notification', { optimistic: true });
  const dismiss = useDelete('Notification', { optimistic: true });
  const unread = data.filter((n) => !n.read).length;
  return (
    <section className="notifications">
      <h2>Notifications <span className="muted">{unread} unread</span></h2>
      {me.role === 'admin' && <SendNotification users={users} me={me} />}
      {error && <p className="error" role="alert">{error.message ?? String(error)}</p>}
      {isLoading && <p className="muted">Loading…</p>}
      {!isLoading && data.length === 0 && <p className="muted">Nothing here.</p>}
      <ul className="cards">
        {data.map((n) => (
          <li key={n.id} className={`notification ${n.read ? 'read' : 'unread'}`} data-id={n.id}>
            <p className="text">{n.text}</p>
            <time>{clockSeconds(n.createdAt)}</time>
            <span className="actions">
              {!n.read && <button type="button" className="link" onClick={() => markRead.mutate(n.id, { read: true })}>Mark read</button>}
              <button type="button" className="link" onClick={() => dismiss.mutate(n.id)}>Dismiss</button>
            </span>
          </li>
        ))}
      </ul>
      {(markRead.error || dismiss.error) && <p className="error" role="alert">{(markRead.error ?? dismiss.error).message}</p>}
    </section>
  );
}
