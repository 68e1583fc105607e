// Chat: the rooms I am a member of, and the open one.
import { useState } from 'react';
import { useList } from 'ssot-realtime/react';
import { ROOMS_QUERY } from './queries.js';
import { Room } from './Room.jsx';

export function Chat({ me, users }) {
  const rooms = useList('Room', ROOMS_QUERY);
  const mine = rooms.data.filter((r) => me.role === 'admin' || (r.memberIds ?? []).includes(me.id));
  const [picked, setPicked] = useState(null);
  const room = mine.find((r) => r.id === picked) ?? mine[0] ?? null;
  return (
    <div className="chat">
      <aside className="rooms">
        <h2>Rooms</h2>
        {rooms.isLoading && <p className="muted">Loading…</p>}
        {rooms.error && <p className="error" role="alert">{rooms.error.message ?? String(rooms.error)}</p>}
        {mine.map((r) => (
          <button key={r.id} type="button" className="room-tab" aria-current={room?.id === r.id ? 'true' : undefined}
            onClick={() => setPicked(r.id)}>
            # {r.name}
          </button>
        ))}
      </aside>
      {room && <Room key={room.id} room={room} me={me} users={users} />}
    </div>
  );
}
