// Where `retina serve` may listen: loopback by default, a network address only with TLS or an explicit
// --insecure-http, and the Host names a request may use.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHost, NetworkPolicyError, planListen } from '../../main/server/network-policy.js';

describe('network policy', () => {
  test('loopback by default, plain HTTP, loopback names only', () => {
    const p = planListen({ tls: false, insecureHttp: false });
    assert.equal(p.host, '127.0.0.1');
    assert.equal(p.scheme, 'http');
    assert.ok(p.names.includes('localhost') && p.names.includes('127.0.0.1'));
    assert.deepEqual(p.warnings, []);
  });

  test('loopback spellings', () => {
    for (const h of ['127.0.0.1', '127.3.4.5', 'localhost', '::1', '[::1]'])
      assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['0.0.0.0', '10.0.0.2', 'reading-centre.example', '::'])
      assert.equal(isLoopbackHost(h), false, h);
  });

  test('a network address without TLS is refused, naming both ways out', () => {
    assert.throws(
      () => planListen({ host: '0.0.0.0', tls: false, insecureHttp: false }),
      (err: unknown) =>
        err instanceof NetworkPolicyError &&
        /--tls-cert/.test(err.message) &&
        /--insecure-http/.test(err.message),
    );
  });

  test('with TLS: HTTPS, the named host answers; with --insecure-http: HTTP and a warning', () => {
    const tls = planListen({ host: 'Reading-Centre.example', tls: true, insecureHttp: false });
    assert.equal(tls.scheme, 'https');
    assert.deepEqual(tls.names, ['reading-centre.example']);
    assert.deepEqual(tls.warnings, []);
    const open = planListen({ host: '0.0.0.0', tls: false, insecureHttp: true });
    assert.equal(open.scheme, 'http');
    assert.ok(open.names.includes('127.0.0.1'), 'a wildcard bind still answers on loopback');
    assert.equal(open.warnings.length, 1);
  });
});
