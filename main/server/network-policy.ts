// Where the browser-mode server may listen. On this machine only (loopback) by default; on a network only with
// TLS (certificate and key) or an explicit --insecure-http, because the per-launch token and everything the
// workstation shows (patient data) would otherwise cross the network in the clear.
import { hostname, networkInterfaces } from 'node:os';

export class NetworkPolicyError extends Error {
  override name = 'NetworkPolicyError';
}

export interface ListenRequest {
  /** Address or name to bind; default 127.0.0.1. */
  host?: string;
  tls: boolean;
  insecureHttp: boolean;
}

export interface ListenPlan {
  host: string;
  scheme: 'http' | 'https';
  /** Host names (without port) a request may name: the Host check that defeats DNS rebinding. */
  names: string[];
  /** Said to the user at start (e.g. serving without TLS on a network). */
  warnings: string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** How a name appears in a Host header (IPv6 addresses in brackets). */
function hostHeaderName(h: string): string {
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h.toLowerCase();
}

/** Every name this machine answers to: its host name and the addresses of its interfaces. */
function machineNames(): string[] {
  const names = [hostname().toLowerCase()];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) names.push(hostHeaderName(a.address));
  }
  return names;
}

export function planListen(req: ListenRequest): ListenPlan {
  const host = req.host?.trim() || '127.0.0.1';
  const scheme = req.tls ? 'https' : 'http';
  if (isLoopbackHost(host)) {
    return { host, scheme, names: [...new Set([...LOOPBACK_NAMES, hostHeaderName(host)])], warnings: [] };
  }
  if (!req.tls && !req.insecureHttp) {
    throw new NetworkPolicyError(
      `--host ${host} would serve patient data to the network unencrypted: give --tls-cert FILE and --tls-key FILE, ` +
        'or --insecure-http to accept that (a trusted network only)',
    );
  }
  const names = isWildcard(host) ? [...LOOPBACK_NAMES, ...machineNames()] : [hostHeaderName(host)];
  const warnings = req.tls
    ? []
    : [`serving ${host} over plain HTTP (--insecure-http): anyone on the network can read the traffic`];
  return { host, scheme, names: [...new Set(names)], warnings };
}
