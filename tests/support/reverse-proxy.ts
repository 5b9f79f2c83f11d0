// A reverse proxy as a hospital's nginx runs one in front of `retina serve`: the app under a sub-path (the prefix
// taken off before the request goes on, as `proxy_pass http://127.0.0.1:PORT/;` does, or kept, as the same line
// without its last slash does), the public Host passed on, X-Forwarded-For / -Proto / -Host set, and the event
// socket's upgrade relayed byte for byte. Optionally nginx's limits too: a body-size limit answered with its 413
// page (client_max_body_size) and a relayed socket closed once idle (proxy_read_timeout).
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

export interface ReverseProxy {
  /** The proxy's own port on 127.0.0.1. */
  readonly port: number;
  close(): Promise<void>;
}

export interface ReverseProxyOptions {
  /** The server behind it (asked per request: a server may start after its proxy, knowing the proxy's port). */
  upstreamPort: () => number;
  /** Where the app lives on the proxy, e.g. '/retina/'. */
  prefix: string;
  /** The Host the browser named (passed on as nginx's `proxy_set_header Host $host`). */
  publicHost: () => string;
  /** What X-Forwarded-Proto says: the scheme the browser used (TLS ends at the proxy). */
  proto: 'http' | 'https';
  /** The client's address to add to X-Forwarded-For; default the connection's. */
  clientAddress?: (remote: string) => string;
  /** Pass the path on with the prefix still on it (nginx's `proxy_pass http://127.0.0.1:PORT;`). */
  keepPrefix?: boolean;
  /** Bodies declared larger than this get nginx's own 413 page, never reaching the server. */
  maxBodyBytes?: number;
  /** A relayed event socket that carries nothing either way for this long is closed. */
  idleTimeoutMs?: number;
}

/** What nginx answers a body over client_max_body_size with: HTML, not the app's frame. */
const TOO_LARGE_PAGE =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n' +
  '<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function forwarded(
  headers: IncomingHttpHeaders,
  remote: string,
  opts: ReverseProxyOptions,
): IncomingHttpHeaders {
  const before = headers['x-forwarded-for'];
  const client = opts.clientAddress?.(remote) ?? remote;
  return {
    ...headers,
    host: opts.publicHost(),
    'x-forwarded-for': before ? `${String(before)}, ${client}` : client,
    'x-forwarded-proto': opts.proto,
    'x-forwarded-host': opts.publicHost(),
  };
}

/** Starts the proxy on 127.0.0.1 (any free port). Requests outside the prefix get 404 from the proxy itself. */
export async function startReverseProxy(opts: ReverseProxyOptions): Promise<ReverseProxy> {
  const inner = (url: string | undefined): string | null =>
    !url?.startsWith(opts.prefix) ? null : opts.keepPrefix ? url : '/' + url.slice(opts.prefix.length);
  const server: Server = createServer((req, res) => {
    const path = inner(req.url);
    if (path === null) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`proxy: nothing at ${req.url}\n`);
      return;
    }
    if (opts.maxBodyBytes !== undefined && Number(req.headers['content-length'] ?? 0) > opts.maxBodyBytes) {
      // Read and dropped first, as nginx's lingering close does: the client must see the page, not a reset.
      req.resume().on('end', () => {
        res.writeHead(413, { 'content-type': 'text/html', connection: 'close' }).end(TOO_LARGE_PAGE);
      });
      return;
    }
    const up = request(
      {
        host: '127.0.0.1',
        port: opts.upstreamPort(),
        method: req.method,
        path,
        headers: forwarded(req.headers, req.socket.remoteAddress ?? '', opts),
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.headersSent || res.writeHead(502).end());
    req.pipe(up);
  });
  // Relayed sockets are the proxy's no longer once upgraded: closeAllConnections does not reach them.
  const relayed = new Set<{ destroy(): void }>();
  server.on('upgrade', (req, socket, head) => {
    const path = inner(req.url);
    if (path === null) return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    const headers = forwarded(req.headers, req.socket.remoteAddress ?? '', opts);
    const up = connect(opts.upstreamPort(), '127.0.0.1', () => {
      const lines = Object.entries(headers).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((one) => `${k}: ${one ?? ''}`),
      );
      up.write(`${req.method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      up.write(head);
      up.pipe(socket).pipe(up);
    });
    const drop = (): void => {
      up.destroy();
      socket.destroy();
    };
    relayed.add(up).add(socket);
    // nginx's proxy_read_timeout: nothing between the proxy and the server for that long, and both ends go.
    if (opts.idleTimeoutMs !== undefined) up.setTimeout(opts.idleTimeoutMs, drop);
    up.on('error', drop);
    socket.on('error', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of relayed) s.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
