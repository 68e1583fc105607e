// One room: who is here (presence), the live messages, who is typing, the composer.
import { useMemo } from 'react';
import { useList, usePresence } from 'ssot-realtime/react';
import { ROOM_CHANNEL } from './config.js';
import { roomMessagesQuery } from './queries.js';
import { useTyping } from './useTyping.js';
import { MessageList } from './MessageList.jsx';
import { Composer } from './Composer.jsx';
import { isText } from './format.js';

function Presence({ roomId }) {
  const members = usePresence(ROOM_CHANNEL, { roomId });
  return (
    <ul className="presence" aria-label="Here now">
      {members.filter((m) => isText(m?.name)).map((m) => <li key={String(m.userId)} data-user={m.name}>{m.name}</li>)}
    </ul>
  );
}

function TypingLine({ names: all }) {
  const names = all.filter(isText);
  const text = names.length === 0 ? '' : names.length === 1
    ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
  return <p className="typing" aria-live="polite">{text}</p>;
}

export function Room({ room, me, users }) {
  const query = useMemo(() => roomMessagesQuery(room.id), [room.id]);
  const messages = useList('Message', query);
  const { typers, typing } = useTyping(room.id, me);
  return (
    <section className="room" data-room={room.name}>
      <header className="room-head">
        <h2># {room.name}</h2>
        <Presence roomId={room.id} />
      </header>
      {messages.error && <p className="error" role="alert">{messages.error.message ?? String(messages.error)}</p>}
      <MessageList messages={messages.data} pending={messages.pending} loading={messages.isLoading} me={me} users={users} />
      <TypingLine names={typers.map(users.name)} />
      <Composer roomId={room.id} me={me} typing={typing} />
    </section>
  );
}
