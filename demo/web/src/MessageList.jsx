// The room's messages, oldest first, kept scrolled to the newest.
import { useEffect, useRef } from 'react';
import { MessageItem } from './MessageItem.jsx';

export function MessageList({ messages, pending, loading, me, users }) {
  const waiting = new Set(pending.map(String)); // ids awaiting the server's confirmation
  const box = useRef(null);
  const last = messages[messages.length - 1];
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, last?.id]);
  return (
    <ol className="messages" ref={box}>
      {loading && messages.length === 0 && <li className="muted">Loading…</li>}
      {messages.map((m) => (
        <MessageItem key={m.id} message={m} mine={Number(m.authorId) === me.id} author={users.name(m.authorId)} pending={waiting.has(String(m.id))} />
      ))}
    </ol>
  );
}
