// The current screen, kept in location.hash (#chat, #notifications, ...).
import { useCallback, useEffect, useState } from 'react';

const read = (screens, fallback) => {
  const name = window.location.hash.replace(/^#/, '');
  return screens.includes(name) ? name : fallback;
};

export function useHashScreen(screens, fallback) {
  const [screen, setScreen] = useState(() => read(screens, fallback));
  useEffect(() => {
    const onHash = () => setScreen(read(screens, fallback));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [screens, fallback]);
  const go = useCallback((name) => { window.location.hash = name; }, []);
  return [screen, go];
}
