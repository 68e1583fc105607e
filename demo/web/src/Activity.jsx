// Admin only: every mutation, newest first. The view is windowed: only the
// first 50 rows become JS objects, however long the log grows.
import { useList } from 'ssot-realtime/react';
import { ACTIVITY_QUERY } from './queries.js';
import { clockSeconds } from './format.js';

const WINDOW = { start: 0, count: 50 };

function ActivityLog({ users }) {
  const { data, total, isLoading, error } = useList('ActivityLog', ACTIVITY_QUERY, { window: WINDOW });
  return (
    <>
      <p className="muted">{isLoading ? 'Loading…' : `Newest ${data.length} of ${total} entries, live.`}</p>
      {error && <p className="error" role="alert">{error.message ?? String(error)}</p>}
      <table className="activity-log">
        <thead><tr><th>Time</th><th>Who</th><th>What</th></tr></thead>
        <tbody>
          {data.map((a) => (
            <tr key={a.id} data-id={a.id}>
              <td>{clockSeconds(a.createdAt)}</td>
              <td>{users.name(a.actorId)}</td>
              <td>{a.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Activity({ me, users }) {
  return (
    <section className="activity">
      <h2>Activity</h2>
      {me.role === 'admin' ? <ActivityLog users={users} /> : <p className="muted">Admins only.</p>}
    </section>
  );
}
