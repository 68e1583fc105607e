// The signed-in app: header (screens, connection badge, user), the screen, and
// the side panel (connection controls, live stats).
import { ClientProvider } from 'ssot-realtime/react';
import { useDemoClient } from './useDemoClient.js';
import { useHashScreen } from './useHashScreen.js';
import { useUsers } from './useUsers.js';
import { Nav } from './Nav.jsx';
import { ConnectionBadge } from './ConnectionBadge.jsx';
import { ModeBadge } from './ModeBadge.jsx';
import { ConnectionControls } from './ConnectionControls.jsx';
import { StatsPanel } from './StatsPanel.jsx';
import { Chat } from './Chat.jsx';
import { Notifications } from './Notifications.jsx';
import { Inventory } from './Inventory.jsx';
import { Activity } from './Activity.jsx';

const SCREENS = ['chat', 'notifications', 'inventory', 'activity'];

function Screen({ name, me }) {
  const users = useUsers();
  if (name === 'notifications') return <Notifications me={me} users={users} />;
  if (name === 'inventory') return <Inventory me={me} />;
  if (name === 'activity') return <Activity me={me} users={users} />;
  return <Chat me={me} users={users} />;
}

export function SignedIn({ session, onSignOut }) {
  const { client, error } = useDemoClient(session.token);
  const [screen, go] = useHashScreen(SCREENS, 'chat');
  const me = session.user;
  return (
    <ClientProvider client={client}>
      <div className="app" data-user={me.name}>
        <header className="top">
          <span className="brand">ssot-realtime</span>
          <Nav screen={screen} go={go} me={me} />
          <ConnectionBadge onSignIn={onSignOut} />
          <ModeBadge />
          <span className="me">
            {me.name}{me.role === 'admin' && <span className="role">admin</span>}
            <button type="button" className="link" onClick={onSignOut}>Sign out</button>
          </span>
        </header>
        {error && <p className="error banner" role="alert">Could not start the client: {error.message}</p>}
        <main className={`screen screen-${screen}`}>
          <Screen name={screen} me={me} />
        </main>
        <aside className="side">
          <ConnectionControls />
          <StatsPanel />
        </aside>
      </div>
    </ClientProvider>
  );
}
