// Browser mode: the workstation served on 127.0.0.1.
export { startServer, type RetinaServer, type ServerOptions } from './http-server.js';
export { newToken, TOKEN_COOKIE } from './access.js';
