import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import './perf.js'; // reads its URL flag before the client strips the address bar
import { App } from './App.js';
import { createClient, singleUserStart } from './client.js';
import { TeamGate } from './team/TeamGate.js';
import './styles.css';

/** Electron, or a single-user server opened with its token: the app at once; else a team server's login. */
function start(): ReactNode {
  if (!singleUserStart()) return <TeamGate />;
  try {
    return <App client={createClient()} />;
  } catch (err) {
    return <div className="fatal">{(err as Error).message}</div>;
  }
}

createRoot(document.getElementById('root') as HTMLElement).render(<StrictMode>{start()}</StrictMode>);
