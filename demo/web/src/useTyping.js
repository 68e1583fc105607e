// Typing indicators over the room's channel ('typing' events, {on: true|false}).
// Senders repeat `on` every 1.5 s while typing; receivers forget a typist after 4 s
// without news (a closed tab never sends `off`).
import { useCallback, useEffect, useRef, useState } from 'react';
import { useChannel } from 'ssot-realtime/react';
import { ROOM_CHANNEL } from './config.js';

const REPEAT_MS = 1500;
const FORGET_MS = 4000;

export function useTyping(roomId, me) {
  const [until, setUntil] = useState({}); // userId -> epoch ms
  const { publish } = useChannel(ROOM_CHANNEL, { roomId }, 'typing', (data, { from }) => {
    if (Number(from) === me.id) return; // my other tab
    setUntil((u) => {
      const next = { ...u };
      if (data && data.on) next[from] = Date.now() + FORGET_MS;
      else delete next[from];
      return next;
    });
  });

  const anyone = Object.keys(until).length > 0;
  useEffect(() => {
    if (!anyone) return undefined;
    const t = setInterval(() => setUntil((u) => {
      const now = Date.now();
      const live = Object.entries(u).filter(([, t]) => t > now);
      return live.length === Object.keys(u).length ? u : Object.fromEntries(live);
    }), 500);
    return () => clearInterval(t);
  }, [anyone]);

  const sentAt = useRef(0);
  const typing = useCallback((on) => {
    const now = Date.now();
    if (on) {
      if (now - sentAt.current < REPEAT_MS) return;
      if (publish('typing', { on: true })) sentAt.current = now;
    } else if (sentAt.current) {
      sentAt.current = 0;
      publish('typing', { on: false });
    }
  }, [publish]);

  return { typers: Object.keys(until).map(Number), typing };
}
