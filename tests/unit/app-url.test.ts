// The desktop app's check that an IPC message comes from its own page, on the main process's URL parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_ORIGIN, isAppPageUrl } from '../../main/app/app-url.js';

test("the renderer's own pages pass (Node's URL gives app: the origin 'null', so an origin check refused them all)", () => {
  assert.equal(
    new URL(`${APP_ORIGIN}/index.html`).origin,
    'null',
    'the premise: Node gives no origin to app:',
  );
  assert.equal(isAppPageUrl(`${APP_ORIGIN}/index.html`), true);
  assert.equal(isAppPageUrl(`${APP_ORIGIN}/index.html#/image/12`), true);
});

test('any other page is refused', () => {
  for (const url of [
    'app://renderer.evil.example/index.html',
    'app://evil/index.html',
    'app://user:pw@renderer/index.html',
    'file:///tmp/report.html',
    'https://renderer/index.html',
    'about:blank',
    '',
    'not a url',
  ])
    assert.equal(isAppPageUrl(url), false, url);
});
