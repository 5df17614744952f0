import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { parameterized, printing, sleeping } from './support/notebooks';
import { ManagerSite, see } from './support/manager-site';
import { eventually as until } from './support/worker-harness';

jest.setTimeout(420_000);

/**
 * The Manager in Debian's Chromium against the built api and worker: an administrator uploads a notebook,
 * schedules it every 10 seconds with parameters, watches a run succeed without reloading, reads the injected
 * parameter in the run's snapshot, pauses, resumes, edits and deletes the task.
 */
describe('Manager: tasks and jobs in a real browser', () => {
  let site: ManagerSite;
  let page: Page;

  beforeAll(async () => {
    site = await ManagerSite.start({}, { https: true });
    ({ page } = await site.page());
  });

  afterAll(async () => {
    await site?.stop();
  });

  const SESSION_KEY = 'nbautomation.manager.session';
  // Page scripts as strings: the test's own types know no DOM.
  const storedSession = async () => JSON.parse((await page.evaluate<string | null>(`localStorage.getItem('${SESSION_KEY}')`)) ?? 'null');
  const table = (name: string) => page.getByRole('table').filter({ has: page.getByRole('columnheader', { name }) });

  it('the root redirects to the Manager, which shows the sign-in page', async () => {
    const res = await site.http.get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/arcgis/manager/');
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/arcgis/manager/');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await site.screenshot(page, 'sign-in');
  });

  it('a wrong password is refused on the page', async () => {
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  });

  it('signs in through OAuth2 (code flow with PKCE); the session survives a reload; an administrator sees every section', async () => {
    await site.signIn(page);
    await page.reload();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();
    for (const name of ['Notebooks', 'Tasks', 'Jobs', 'Webhooks', 'Site']) await nav.getByRole('link', { name, exact: true }).waitFor();
    const stored = await storedSession();
    expect(stored).toEqual(expect.objectContaining({ token: expect.any(String), refreshToken: expect.any(String), username: 'admin' }));
    // The Manager's tokens are OAuth2 ones: the refresh token renews them.
    const renewed = await site.http.post('/sharing/rest/oauth2/token').type('form').send({ grant_type: 'refresh_token', client_id: 'nbmanager', refresh_token: stored.refreshToken });
    expect(renewed.status).toBe(200);
  });

  it('an access token the server refuses is renewed silently with the refresh token: no sign-in dialog', async () => {
    const before = await storedSession();
    await page.evaluate(`localStorage.setItem('${SESSION_KEY}', JSON.stringify({ ...JSON.parse(localStorage.getItem('${SESSION_KEY}')), token: 'expired.access.token' }))`);
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await until(async () => (await storedSession()).token !== 'expired.access.token', 20_000);
    expect(await page.getByRole('dialog', { name: 'Sign in again' }).count()).toBe(0);
    expect((await storedSession()).refreshToken).toBe(before.refreshToken);
  });

  it('uploads a notebook and shows its cells', async () => {
    await page.getByRole('link', { name: 'Notebooks', exact: true }).click();
    await page.getByLabel('Notebook file (.ipynb)').setInputFiles({
      name: 'greeter.ipynb',
      mimeType: 'application/x-ipynb+json',
      buffer: Buffer.from(JSON.stringify(parameterized())),
    });
    await page.getByLabel('Title', { exact: true }).fill('Greeter');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: 'Greeter', level: 1 }).waitFor();
    await page.getByText('greeting = "default"').waitFor();
  });

  it('runs the notebook now with parameters from its page, and shows the job finish', async () => {
    await page.getByLabel('Parameters', { exact: true }).fill('{"greeting": "right now"');
    await see.count(page.getByRole('button', { name: 'Run now', disabled: true }), 1);
    await page.getByLabel('Parameters', { exact: true }).fill('{"greeting": "right now", "count": 2}');
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('heading', { name: /^Job / }).waitFor();
    await see.text(page.locator('dl.properties'), 'COMPLETED', 180_000);
    await see.text(page.locator('dl.properties'), 'executeNotebook');
    await page.getByRole('button', { name: 'Open snapshot' }).click();
    await page.frameLocator('iframe[title^="Snapshot"]').getByText('right now x2').first().waitFor();
  });

  it('lists the files a run wrote on its job page, each a download', async () => {
    await page.getByRole('link', { name: 'Notebooks', exact: true }).click();
    await page.getByLabel('Notebook file (.ipynb)').setInputFiles({
      name: 'writer.ipynb',
      mimeType: 'application/x-ipynb+json',
      buffer: Buffer.from(JSON.stringify(printing('open("report.csv", "w").write("city,days\\nOslo,2\\n")'))),
    });
    await page.getByLabel('Title', { exact: true }).fill('Writer');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: 'Writer', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await see.text(page.locator('dl.properties'), 'COMPLETED', 180_000);
    const files = page.getByRole('list', { name: /^Output files of job/ });
    const [download] = await Promise.all([page.waitForEvent('download'), files.getByRole('button', { name: 'Download report.csv' }).click()]);
    expect(download.suggestedFilename()).toBe('report.csv');
    const path = await download.path();
    expect(readFileSync(path, 'utf8')).toBe('city,days\nOslo,2\n');
  });

  it('cancels a running job from the Jobs page', async () => {
    await page.getByRole('link', { name: 'Notebooks', exact: true }).click();
    await page.getByLabel('Notebook file (.ipynb)').setInputFiles({ name: 'sleeper.ipynb', mimeType: 'application/x-ipynb+json', buffer: Buffer.from(JSON.stringify(sleeping(300))) });
    await page.getByLabel('Title', { exact: true }).fill('Sleeper');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: 'Sleeper', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await see.text(page.locator('dl.properties'), 'PROCESSING', 180_000);
    const jobId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = table('Trigger').getByRole('row').filter({ hasText: jobId.slice(0, 8) });
    await row.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText(`Cancelled job ${jobId.slice(0, 8)}.`).waitFor();
    // The list follows by itself: the job ends as cancelled, and Cancel goes.
    await see.text(row, '(cancelled)', 60_000);
    await see.count(row.getByRole('button', { name: 'Cancel' }), 0, 60_000);
  });

  it('creates a task every 10 seconds with parameters, previewing its next five run times', async () => {
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.getByRole('button', { name: 'New task' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Greet every ten seconds');
    await page.getByLabel('Notebook', { exact: true }).selectOption({ label: 'Greeter (admin)' });
    await page.getByLabel('Repeat').selectOption('custom');
    for (const [label, value] of [
      ['Second', '*/10'],
      ['Minute', '*'],
      ['Hour', '*'],
      ['Day of month', '*'],
      ['Month', '*'],
      ['Day of week', '?'],
    ]) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
    await page.getByLabel('Time zone').fill('UTC');
    await page.getByLabel('Parameters', { exact: true }).fill('{"greeting": "hello from the browser", "count": 3}');

    const runs = page.getByRole('list', { name: 'Next run times' }).getByRole('listitem');
    await see.count(runs, 5);
    const times = await page.getByRole('list', { name: 'Next run times' }).locator('time').evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute('datetime')!)));
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual([10_000, 10_000, 10_000, 10_000]);
    expect(times.every((t) => new Date(t).getUTCSeconds() % 10 === 0)).toBe(true);
    await page.getByText('Every 10 seconds (UTC)').waitFor();

    // A bad field: the server's error is shown at that field, and the preview waits for a fix.
    await page.getByLabel('Minute', { exact: true }).fill('99');
    await see.attr(page.getByLabel('Minute', { exact: true }), 'aria-invalid', 'true');
    await see.count(runs, 0);
    await page.getByLabel('Minute', { exact: true }).fill('*');
    await see.count(runs, 5);
    await see.attr(page.getByLabel('Minute', { exact: true }), 'aria-invalid', 'false');

    // Parameters that are not a JSON object are refused before anything is sent.
    await page.getByLabel('Parameters', { exact: true }).fill('{"greeting": ');
    await page.getByText(/Not valid JSON/).waitFor();
    await page.getByLabel('Parameters', { exact: true }).fill('{"greeting": "hello from the browser", "count": 3}');
    await site.screenshot(page, 'task-form');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Greet every ten seconds', level: 1 }).waitFor();
  });

  it('a run appears and succeeds without reloading; its snapshot shows the injected parameters', async () => {
    const runsTable = table('Duration');
    await runsTable.getByText('Succeeded').first().waitFor({ timeout: 240_000 });
    await site.screenshot(page, 'task-details');
    await runsTable.getByRole('button', { name: 'Open snapshot' }).first().click();
    const frame = page.frameLocator('iframe[title^="Snapshot"]');
    await frame.getByText('hello from the browser x3').first().waitFor();
    // The frame is sandboxed: no scripts, no same-origin access.
    expect(await page.locator('iframe.snapshot').getAttribute('sandbox')).toBe('');
  });

  it('lists the task with the Tasks page columns, and pauses and resumes it', async () => {
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    const tasks = table('Next run');
    const headers = await tasks.getByRole('columnheader').allInnerTexts();
    expect(headers).toEqual(['Name', 'Owner', 'Notebook', 'Schedule', 'Next run', 'Last run', 'Status', 'Actions']);
    const row = tasks.getByRole('row').filter({ hasText: 'Greet every ten seconds' });
    await see.text(row, 'Greeter');
    await see.text(row, 'Every 10 seconds (UTC)');
    await see.text(row, '*/10 * * * * ?');
    await see.text(row, 'Active');
    await site.screenshot(page, 'tasks');

    await row.getByRole('button', { name: 'Pause' }).click();
    await see.text(row, 'Paused');
    await page.getByLabel('Status', { exact: true }).selectOption('Active');
    await see.count(row, 0);
    await page.getByLabel('Status', { exact: true }).selectOption('Paused');
    await see.count(row, 1);
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await row.getByRole('button', { name: 'Resume' }).click();
    await see.text(row, 'Active');
    // Refused (TASK_RUN_IN_PROGRESS, shown on the page) while a scheduled run is still open: pressed again until it starts.
    await until(async () => {
      await row.getByRole('button', { name: 'Run now' }).click();
      return page.getByText('Started a run of Greet every ten seconds.').waitFor({ timeout: 4000 }).then(() => true, () => false);
    }, 120_000, 1000);
  });

  it('edits the task: the form opens with its values, and the change is saved', async () => {
    const row = table('Next run').getByRole('row').filter({ hasText: 'Greet every ten seconds' });
    await row.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit task' }).waitFor();
    await see.value(page.getByLabel('Second', { exact: true }), '*/10');
    await see.value(page.getByLabel('Parameters', { exact: true }), /hello from the browser/);
    await page.getByLabel('Title', { exact: true }).fill('Greet every fifteen seconds');
    await page.getByLabel('Second', { exact: true }).fill('*/15');
    await page.getByLabel('Max occurrences').fill('1000');
    await see.count(page.getByRole('list', { name: 'Next run times' }).getByRole('listitem'), 5);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Greet every fifteen seconds', level: 1 }).waitFor();
    await page.getByText('*/15 * * * * ?').waitFor();
    await see.text(page.locator('dl.properties'), / of 1000/);
    // Clearing a field clears it on the server (not "left as it was").
    await page.getByRole('button', { name: 'Edit' }).click();
    await see.value(page.getByLabel('Max occurrences'), '1000');
    await page.getByLabel('Max occurrences').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Greet every fifteen seconds', level: 1 }).waitFor();
    await until(async () => !(await page.locator('dl.properties').innerText()).includes(' of 1000'));
  });

  it('the Jobs page lists the scheduled runs, opens one with its messages and snapshot', async () => {
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const jobs = table('Trigger');
    const done = jobs.getByRole('row').filter({ hasText: 'COMPLETED' }).filter({ hasText: 'schedule' }).first();
    await see.text(done, 'admin');
    // Run now on the Tasks page made a job of its own.
    await see.text(jobs.getByRole('row').filter({ hasText: 'run now' }).first(), 'admin', 60_000);
    await page.getByLabel('Trigger').selectOption('executeNotebook');
    await see.count(jobs.getByRole('row').filter({ hasText: 'COMPLETED' }), 2);
    await see.count(jobs.getByRole('row').filter({ hasText: 'schedule' }), 0);
    await page.getByLabel('Trigger').selectOption('task');
    await site.screenshot(page, 'jobs');
    await jobs.getByRole('row').filter({ hasText: 'COMPLETED' }).first().getByRole('button', { name: 'View details' }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    await page.getByRole('button', { name: 'Open snapshot' }).click();
    await page.frameLocator('iframe[title^="Snapshot"]').getByText('hello from the browser x3').first().waitFor();
  });

  it('deletes the task after a confirmation', async () => {
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    const row = table('Next run').getByRole('row').filter({ hasText: 'Greet every fifteen seconds' });
    const dialog = page.getByRole('dialog', { name: 'Delete task' });
    // By keyboard: the dialog takes focus (on Cancel), Escape closes it and focus goes back to the button.
    await row.getByRole('button', { name: 'Delete' }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Cancel');
    await page.keyboard.press('Escape');
    await see.count(dialog, 0);
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Delete');
    await see.count(row, 1);
    // Tab stays inside the dialog: from Cancel to Delete, then round to Cancel again.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await see.count(row, 0);
    await page.getByText('No tasks yet').waitFor();
  });

  it('fits a phone screen: the Tasks page at 390×844 has no horizontal page scroll', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await site.screenshot(page, 'tasks-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out back to the sign-in page, revoking the refresh token and ending the session', async () => {
    const { token, refreshToken } = await storedSession();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await until(async () => (await site.http.get('/sharing/rest/community/self?f=json').set('Authorization', `Bearer ${token}`)).status === 401, 20_000);
    const refresh = await site.http.post('/sharing/rest/oauth2/token').type('form').send({ grant_type: 'refresh_token', client_id: 'nbmanager', refresh_token: refreshToken });
    expect(refresh.status).toBe(400);
  });

  it('works over the HTTPS port too: sign in, see the tasks, sign out', async () => {
    const { context, page: secure } = await site.page({ width: 1280, height: 800 }, site.httpsUrl);
    try {
      await site.signIn(secure);
      expect(new URL(secure.url()).protocol).toBe('https:');
      await secure.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
      await secure.getByRole('button', { name: 'Sign out' }).click();
      await secure.getByRole('button', { name: 'Sign in' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
