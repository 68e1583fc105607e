// Send a message: it shows at once (optimistic) and is confirmed by the server.
import { useEffect, useRef, useState } from 'react';
import { useCreate } from 'ssot-realtime/react';

const IDLE_MS = 3000;

export function Composer({ roomId, me, typing }) {
  const [text, setText] = useState('');
  const idle = useRef(null);
  const create = useCreate('Message', {
    // Fields the server fills in, so the temporary row sorts and renders right.
    optimistic: () => ({ authorId: me.id, createdAt: Date.now(), updatedAt: Date.now() }),
  });
  useEffect(() => () => clearTimeout(idle.current), []);

  function onChange(e) {
    const value = e.target.value;
    setText(value);
    clearTimeout(idle.current);
    if (value.trim()) {
      typing(true);
      idle.current = setTimeout(() => typing(false), IDLE_MS);
    } else {
      typing(false);
    }
  }

  function send(e) {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    clearTimeout(idle.current);
    typing(false);
    setText('');
    create.mutate({ roomId, text: body });
  }

  return (
    <form className="composer" onSubmit={send}>
      <input name="message" placeholder="Write a message…" value={text} onChange={onChange} autoComplete="off" maxLength={4000} />
      <button type="submit" disabled={!text.trim()}>Send</button>
      {create.error && <p className="error" role="alert">Not sent: {create.error.message}</p>}
    </form>
  );
}
