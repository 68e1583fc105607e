// Entry: the socket fault switch goes in before the runtime opens any socket.
import { createRoot } from 'react-dom/client';
import { installNetworkFault } from './networkFault.js';
import { App } from './App.jsx';

installNetworkFault();
createRoot(document.getElementById('root')).render(<App />);
