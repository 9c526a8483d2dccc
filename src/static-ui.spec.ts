import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticUi } from './static-ui.js';

describe('staticUi', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'static-ui-'));
    writeFileSync(join(dir, 'index.html'), '<html>ui</html>');
    writeFileSync(join(dir, 'main-1.js'), 'js');
    mkdirSync(join(dir, 'media'));
    writeFileSync(join(dir, 'media', 'logo one.svg'), '<svg/>');
    const app = express();
    app.use(staticUi(dir));
    app.use((request, response) => response.status(299).send(`next ${request.path}`));
    server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['the index at the root', '/', 200, '<html>ui</html>'],
    ['a file', '/main-1.js', 200, 'js'],
    ['an encoded file name', '/media/logo%20one.svg', 200, '<svg/>'],
    ['an API route', '/services/checkout/errors/', 299, 'next /services/checkout/errors/'],
    ['a missing file', '/main-2.js', 299, 'next /main-2.js'],
    ['a broken escape', '/%E0%A4%A', 299, 'next /%E0%A4%A'],
  ])('%s', async (_name, path, status, body) => {
    const response = await fetch(base + path);
    expect(response.status).toBe(status);
    expect(await response.text()).toBe(body);
  });

  it('redirects a directory to its slash, as express.static does', async () => {
    const response = await fetch(`${base}/media`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/media/');
  });
});
