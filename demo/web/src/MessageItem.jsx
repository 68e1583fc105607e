// One message. Edit and delete are offered on every message and applied
// optimistically; the server decides (author or admin), and a refusal rolls the
// change back and shows the server's error here. `pending`: the list says our
// write of this message awaits the server's confirmation.
import { memo, useState } from 'react';
import { useDelete, useUpdate } from 'ssot-realtime/react';
import { clock } from './format.js';

export const MessageItem = memo(function MessageItem({ message, mine, author, pending }) {
  const [draft, setDraft] = useState(null); // null: not editing
  const update = useUpdate('Message', { optimistic: true });
  const remove = useDelete('Message', { optimistic: true });
  const temporary = typeof message.id === 'string' && message.id.startsWith('optimistic:');
  const edited = message.updatedAt > message.createdAt;
  const error = update.error ?? remove.error;

  function save(e) {
    e.preventDefault();
    const text = draft.trim();
    setDraft(null);
    if (text && text !== message.text) update.mutate(message.id, { text });
  }

  function startEdit() {
    update.reset();
    remove.reset();
    setDraft(message.text);
  }

  return (
    <li className={`message${mine ? ' mine' : ''}${pending ? ' pending' : ''}`} data-id={message.id} data-author={author}>
      <div className="meta">
        <span className="author">{author}</span>
        <time>{clock(message.createdAt)}</time>
        {edited && <span className="edited">(edited)</span>}
        {pending && <span className="sending">{temporary ? 'sending…' : 'saving…'}</span>}
      </div>
      {draft === null
        ? <p className="text">{message.text}</p>
        : (
          <form className="edit" onSubmit={save}>
            <input name="edit" value={draft} onChange={(e) => setDraft(e.target.value)} autoFocus maxLength={4000} />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setDraft(null)}>Cancel</button>
          </form>
        )}
      {draft === null && !temporary && (
        <div className="actions">
          <button type="button" className="link" onClick={startEdit}>Edit</button>
          <button type="button" className="link" onClick={() => { update.reset(); remove.mutate(message.id); }}>Delete</button>
        </div>
      )}
      {error && <p className="error" role="alert">{error.message}</p>}
    </li>
  );
});
