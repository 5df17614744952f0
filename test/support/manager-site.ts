import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { AppConfig } from '@app/config';
import { AppProcess, envFor } from './processes';
import { testConfig } from './test-env';
import { selfSignedCert } from './tls';

/** Debian's chromium (scripts/setup.sh installs it); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'manager');

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/**
 * The built api and worker (`npm run build`, the Manager included) as their own processes on a fresh database,
 * and a headless Chromium: what an administrator gets from the quickstart, driven through the browser.
 */
export class ManagerSite {
  config!: AppConfig;
  url!: string;
  /** The HTTPS port's base URL (the quickstart's self-signed certificate), when started with `https`. */
  httpsUrl?: string;
  browser!: Browser;
  private procs: AppProcess[] = [];
  private dropDb?: () => Promise<void>;
  private certDir?: string;

  static async start(env: Record<string, string> = {}, opts: { https?: boolean } = {}): Promise<ManagerSite> {
    const s = new ManagerSite();
    try {
      const t = await testConfig(env);
      s.config = t.config;
      s.dropDb = t.dropDb;
      const port = await freePort();
      s.url = `http://127.0.0.1:${port}`;
      const tls: Record<string, string> = {};
      if (opts.https) {
        s.certDir = mkdtempSync(join(tmpdir(), 'nba-manager-tls-'));
        const cert = selfSignedCert(s.certDir);
        const httpsPort = await freePort();
        s.httpsUrl = `https://localhost:${httpsPort}`;
        Object.assign(tls, { TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile, HTTPS_PORT: String(httpsPort) });
      }
      const api = AppProcess.start('api', envFor(s.config, { PORT: String(port), PUBLIC_URL: s.url, ...tls, ...env }));
      s.procs.push(api);
      await api.waitFor('listening on', 60_000);
      const worker = AppProcess.start('worker', envFor(s.config, { PUBLIC_URL: s.url, ...env }));
      s.procs.push(worker);
      await worker.waitFor('taking runs', 60_000);
      s.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      mkdirSync(SCREENSHOTS, { recursive: true });
    } catch (e) {
      await s.stop();
      throw e;
    }
    return s;
  }

  get http() {
    return request(this.url);
  }

  /** A token for REST calls the test makes beside the browser (setting up users, causing events). */
  async token(username = 'admin', password = 'admin-password'): Promise<string> {
    const res = await this.http.post('/sharing/rest/generateToken').type('form').send({ username, password, f: 'json' });
    if (res.status !== 200) throw new Error(`generateToken ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  async post(path: string, token: string, form: Record<string, string> = {}) {
    const res = await this.http.post(path).set('Authorization', `Bearer ${token}`).type('form').send({ f: 'json', ...form });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A new browser context (its own storage, so its own session) at a viewport, on the HTTP or the HTTPS port. */
  async page(viewport = { width: 1280, height: 800 }, baseURL = this.url): Promise<{ context: BrowserContext; page: Page }> {
    // The quickstart's certificate is self-signed: the browser is told to accept it, as a user would.
    const context = await this.browser.newContext({ viewport, baseURL, ignoreHTTPSErrors: baseURL.startsWith('https:') });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return { context, page };
  }

  /** Signs in through the sign-in page. */
  async signIn(page: Page, username = 'admin', password = 'admin-password'): Promise<void> {
    await page.goto('/');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  async screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** What the server processes printed (for a failing test's message). */
  logs(): string {
    return this.procs.map((p) => p.output.join('')).join('\n----\n').slice(-6000);
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await Promise.all(this.procs.map((p) => p.stop()));
    this.procs = [];
    await this.dropDb?.();
    if (this.certDir) rmSync(this.certDir, { recursive: true, force: true });
  }
}

/** Polls until `check` passes (the page updates by itself), failing with what was last seen. */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (check(last)) return;
    } catch {
      // the element is being re-rendered: read again
    }
    if (Date.now() > end) throw new Error(`${what} within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const matches = (v: string, want: string | RegExp) => (typeof want === 'string' ? v.includes(want) : want.test(v));

/** Waiting assertions on locators (playwright-core has no `expect`). */
export const see = {
  count: (l: Locator, n: number, timeoutMs?: number) => until(() => l.count(), (c) => c === n, `expected ${n} element(s)`, timeoutMs),
  text: (l: Locator, want: string | RegExp, timeoutMs?: number) => until(() => l.first().innerText(), (t) => matches(t, want), `expected text ${want}`, timeoutMs),
  value: (l: Locator, want: string | RegExp) => until(() => l.inputValue(), (v) => matches(v, want) && (typeof want !== 'string' || v === want), `expected value ${want}`),
  attr: (l: Locator, name: string, want: string) => until(() => l.getAttribute(name), (v) => v === want, `expected ${name}="${want}"`),
};
