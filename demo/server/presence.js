// Who is on a presence channel: unique users, counted by socket, so a user
// with two tabs joins once and leaves when the last tab unsubscribes or drops.
export function createPresence() {
  const channels = new Map(); // channel -> Map<userId, {name, sockets}>

  // Returns true when this is the user's first socket on the channel.
  function join(channel, user) {
    let users = channels.get(channel);
    if (!users) channels.set(channel, (users = new Map()));
    const entry = users.get(user.id);
    if (entry) { entry.sockets += 1; return false; }
    users.set(user.id, { name: user.name, sockets: 1 });
    return true;
  }

  // Returns true when the user's last socket left.
  function leave(channel, user) {
    const users = channels.get(channel);
    const entry = users?.get(user.id);
    if (!entry) return false;
    entry.sockets -= 1;
    if (entry.sockets > 0) return false;
    users.delete(user.id);
    if (users.size === 0) channels.delete(channel);
    return true;
  }

  function members(channel) {
    const users = channels.get(channel);
    if (!users) return [];
    return [...users].sort((a, b) => a[0] - b[0]).map(([userId, e]) => ({ userId, name: e.name }));
  }

  return { join, leave, members };
}
