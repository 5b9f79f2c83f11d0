import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './perf.js'; // reads its URL flag before the client strips the address bar
import { App } from './App.js';
import { createClient } from './client.js';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
try {
  const client = createClient();
  root.render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
} catch (err) {
  root.render(<div className="fatal">{(err as Error).message}</div>);
}
