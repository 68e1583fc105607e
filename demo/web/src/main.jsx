// Entry: the socket fault switch goes in before the runtime opens any socket.
import { createRoot } from 'react-dom/client';
import { dropConnection, installNetworkFault, refuseConnections } from './networkFault.js';
import { App } from './App.jsx';

installNetworkFault();
// For the curious (and the end-to-end tests); useDemoClient adds `client`.
window.ssotDemo = { network: { dropConnection, refuseConnections } };
createRoot(document.getElementById('root')).render(<App />);
