// Admin: send a notification to one user (POST /api/notifications).
import { useState } from 'react';
import { useCreate } from 'ssot-realtime/react';

export function SendNotification({ users, me }) {
  const others = users.list.filter((u) => u.id !== me.id);
  const [userId, setUserId] = useState('');
  const [text, setText] = useState('');
  const send = useCreate('Notification');
  const to = userId || String(others[0]?.id ?? '');

  function submit(e) {
    e.preventDefault();
    if (!to || !text.trim()) return;
    send.mutate({ userId: Number(to), text: text.trim() });
    setText('');
  }

  return (
    <form className="send-notification panel" onSubmit={submit}>
      <h3>Send a notification</h3>
      <label>To
        <select name="userId" value={to} onChange={(e) => setUserId(e.target.value)}>
          {others.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </select>
      </label>
      <input name="text" placeholder="Text" value={text} onChange={(e) => setText(e.target.value)} maxLength={4000} />
      <button type="submit" disabled={!to || !text.trim() || send.isPending}>Send</button>
      {send.isSuccess && <span className="ok">Sent to {users.name(send.data.userId)}.</span>}
      {send.error && <p className="error" role="alert">{send.error.message}</p>}
    </form>
  );
}
