import { parseFeed } from '@rowanmanning/feed-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { isIncidentKitError, NotFoundError } from '../../../src/errors.js';
import type { StatusPageSnapshot } from '../../../src/features/statusPage/snapshot.js';
import { createStatusPageHandler, type StatusPageHandlerOptions, type StatusPageSource } from '../../../src/http/statusPage/index.js';
import { bodyOf } from '../../fixtures/statusPage/statuspageV2.js';
import { outageDuring, outageRestored } from '../../fixtures/statusPage/snapshots.js';
import { startServer, type TestServer } from '../server.js';

/** An engine stub whose page shows `current.snapshot`, recording what it was asked. */
function stubEngine(snapshot: StatusPageSnapshot) {
  const calls: { pageId: string; options: { readonly recentDays?: number } | undefined }[] = [];
  const current: { snapshot: StatusPageSnapshot; error: Error | undefined } = { snapshot, error: undefined };
  const engine: StatusPageSource = {
    statusPages: {
      snapshot(pageId, options) {
        calls.push({ pageId, options });
        if (current.error !== undefined) return Promise.reject(current.error);
        if (pageId !== current.snapshot.page.id) {
          return Promise.reject(new NotFoundError({ entity: 'status page', id: pageId, tenantId: 'default' }));
        }
        return Promise.resolve(current.snapshot);
      },
    },
  };
  return { engine, calls, current };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(snapshot: StatusPageSnapshot, options: Partial<StatusPageHandlerOptions> = {}) {
  const stub = stubEngine(snapshot);
  server = await startServer(createStatusPageHandler(stub.engine, { pageId: 'acme', ...options }));
  return { ...stub, url: server.url };
}

describe('createStatusPageHandler', () => {
  it('serves the eight Statuspage v2 endpoints as JSON in the documented shapes', async () => {
    const { url } = await serve(outageDuring);
    for (const [path, schema] of Object.entries(bodyOf)) {
      const response = await fetch(`${url}/api/v2/${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const result = schema.safeParse(await response.json());
      expect(result.error, path).toBeUndefined();
    }
    const status = (await (await fetch(`${url}/api/v2/status.json`)).json()) as { status: unknown };
    expect(status.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
  });

  it('serves the incident history as Atom and RSS that a feed parser reads', async () => {
    const { url } = await serve(outageRestored);
    const atom = await fetch(`${url}/history.atom`);
    expect(atom.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(parseFeed(await atom.text()).items.map((item) => item.title)).toEqual(['Website unavailable', 'Slow API responses']);
    const rss = await fetch(`${url}/history.rss`);
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(parseFeed(await rss.text()).items).toHaveLength(2);
  });

  it('serves the html option at /, and the full page (renderStatusPageHtml) without it', async () => {
    const withHtml = await serve(outageDuring, { html: (snapshot) => `<!doctype html><title>${snapshot.page.name}</title>` });
    const page = await fetch(`${withHtml.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<!doctype html><title>Acme</title>');
    await server?.close();

    const plain = await serve({ ...outageDuring, page: { ...outageDuring.page, name: 'Acme <& Co>' } });
    const html = await (await fetch(`${plain.url}/`)).text();
    expect(html).toContain('Acme &lt;&amp; Co&gt;</a></h1>');
    expect(html).toContain('Major System Outage');
    expect(html).toContain('Website unavailable');
    expect(html).toContain('href="/history.atom"');
    expect(html).not.toContain('<form'); // no subscribe form until subscribers are served
  });

  it('answers with Cache-Control and a strong ETag, and 304 when If-None-Match names it', async () => {
    const { url, current } = await serve(outageDuring);
    const first = await fetch(`${url}/api/v2/summary.json`);
    const etag = first.headers.get('etag') ?? '';
    expect(first.headers.get('cache-control')).toBe('public, max-age=30');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);

    const again = await fetch(`${url}/api/v2/summary.json`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=30');
    expect(await again.text()).toBe('');
    expect((await fetch(`${url}/api/v2/summary.json`, { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);
    expect((await fetch(`${url}/api/v2/summary.json`, { headers: { 'if-none-match': '*' } })).status).toBe(304);

    // The page moves on: the body, and so the tag, change.
    current.snapshot = outageRestored;
    const changed = await fetch(`${url}/api/v2/summary.json`, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    // Each route has its own body and tag.
    expect((await fetch(`${url}/api/v2/status.json`, { headers: { 'if-none-match': etag } })).status).toBe(200);
  });

  it('takes cacheSeconds, and passes recentDays to the snapshot', async () => {
    const { url, calls } = await serve(outageDuring, { cacheSeconds: 300, recentDays: 14 });
    const response = await fetch(`${url}/history.rss`);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(calls).toEqual([{ pageId: 'acme', options: { recentDays: 14 } }]);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const { url } = await serve(outageDuring);
    const get = await fetch(`${url}/api/v2/components.json`);
    const getBody = await get.arrayBuffer();
    const head = await fetch(`${url}/api/v2/components.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(head.headers.get('content-length')).toBe(String(getBody.byteLength));
    expect(await head.text()).toBe('');
  });

  it('refuses other methods with 405 and Allow, and answers 404 elsewhere (subscriptions are not served yet)', async () => {
    const { url, calls } = await serve(outageDuring);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${url}/api/v2/summary.json`, { method, body: method === 'DELETE' ? null : '{}' });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    for (const path of ['/subscribe', '/confirm', '/unsubscribe', '/api/v2/incidents/inc-website-down.json', '/api/v1/summary.json', '/history', '/incidents', '/api/v2/summary.json/']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${url}/subscribe`, { method: 'POST', body: 'email=a@b.test' })).status).toBe(404);
    expect(calls).toEqual([]);
  });

  it('serves under basePath, and nothing outside it', async () => {
    const { url } = await serve(outageDuring, { basePath: '/status' });
    expect((await fetch(`${url}/status`)).status).toBe(200);
    expect((await fetch(`${url}/status/`)).status).toBe(200);
    expect((await fetch(`${url}/status/api/v2/status.json`)).status).toBe(200);
    expect((await fetch(`${url}/status/history.atom`)).status).toBe(200);
    expect(await (await fetch(`${url}/status`)).text()).toContain('href="/status/history.atom"');
    expect((await fetch(`${url}/api/v2/status.json`)).status).toBe(404);
    expect((await fetch(`${url}/statusx/api/v2/status.json`)).status).toBe(404);
  });

  it('answers 404 when the page does not exist, and 500 (told to onError) when the store fails', async () => {
    const errors: unknown[] = [];
    const { url, current } = await serve(outageDuring, { pageId: 'nope', onError: (error) => errors.push(error) });
    expect((await fetch(`${url}/api/v2/summary.json`)).status).toBe(404);
    expect(errors).toEqual([]);

    current.snapshot = { ...outageDuring, page: { ...outageDuring.page, id: 'nope' } };
    current.error = new Error('connection refused');
    const failed = await fetch(`${url}/api/v2/summary.json`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain('connection refused');
    expect(errors).toHaveLength(1);
  });

  it('refuses an engine without status pages and invalid options with CONFIG_INVALID', () => {
    const { engine } = stubEngine(outageDuring);
    const refused = (run: () => unknown): boolean => {
      try {
        run();
        return false;
      } catch (error) {
        return isIncidentKitError(error, 'CONFIG_INVALID');
      }
    };
    expect(refused(() => createStatusPageHandler({} as StatusPageSource, { pageId: 'acme' }))).toBe(true);
    expect(refused(() => createStatusPageHandler(engine, { pageId: '' }))).toBe(true);
    expect(refused(() => createStatusPageHandler(engine, { pageId: 'acme', basePath: 'status/' }))).toBe(true);
    expect(refused(() => createStatusPageHandler(engine, { pageId: 'acme', cacheSeconds: -1 }))).toBe(true);
    expect(refused(() => createStatusPageHandler(engine, { pageId: 'acme', html: '<p>' as unknown as () => string }))).toBe(true);
    expect(refused(() => createStatusPageHandler(engine, { pageId: 'acme', basePath: '/status', cacheSeconds: 0 }))).toBe(false);
  });
});
