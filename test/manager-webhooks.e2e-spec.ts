import type { Page } from 'playwright-core';
import { printing } from './support/notebooks';
import { ManagerSite, see } from './support/manager-site';
import { TestReceiver } from './support/webhook-receiver';
import { eventually } from './support/worker-harness';

jest.setTimeout(420_000);

/**
 * The Manager's administrator pages for webhooks, and what a user who is not an administrator sees,
 * in Debian's Chromium against the built api and worker with a real loopback receiver.
 */
describe('Manager: webhooks and a non-administrator, in a real browser', () => {
  let site: ManagerSite;
  let receiver: TestReceiver;
  let admin: string;
  let page: Page;

  const table = (name: string) => page.getByRole('table').filter({ has: page.getByRole('columnheader', { name, exact: true }) });
  const addNotebook = (token: string, owner: string, title: string) =>
    site.post(`/sharing/rest/content/users/${owner}/addItem`, token, { type: 'Notebook', title, text: JSON.stringify(printing('print("hi")')) });

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.respond('/hook', [200]);
    site = await ManagerSite.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1' });
    admin = await site.token();
    ({ page } = await site.page());
    await site.signIn(page);
  });

  afterAll(async () => {
    await site?.stop();
    await receiver?.stop();
  });

  describe('webhooks (administrator)', () => {
    it('saves the delivery settings, refusing values out of range at the field', async () => {
      await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
      const attempts = page.getByLabel('Number of delivery attempts');
      await see.value(attempts, '3');
      await attempts.fill('9');
      const settings = page.getByRole('form', { name: 'Delivery settings' });
      await settings.getByRole('button', { name: 'Save' }).click();
      await see.attr(attempts, 'aria-invalid', 'true');
      await attempts.fill('1');
      await page.getByLabel('Elapsed time between delivery attempts (seconds)').fill('1');
      await settings.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Delivery settings saved.').waitFor();
      const stored = await site.http.get('/sharing/rest/portals/self/webhooks/settings').set('Authorization', `Bearer ${admin}`);
      expect(stored.body).toMatchObject({ notificationAttempts: 1, notificationElapsedTimeInSeconds: 1 });
    });

    it('creates a webhook on a loopback receiver with events from the catalogue', async () => {
      await page.getByRole('button', { name: 'New webhook' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Item watcher');
      await page.getByLabel('Payload URL').fill(receiver.url('/hook'));
      await page.getByLabel('An item is added to the portal').check();
      await page.getByLabel('Any item is deleted').check();
      await page.getByLabel('Any item is published').check();
      await page.getByRole('list', { name: 'Chosen events' }).getByText('/items/add').waitFor();
      await site.screenshot(page, 'webhook-form');
      await page.getByRole('button', { name: 'Save' }).click();
      const row = table('Trigger events').getByRole('row').filter({ hasText: 'Item watcher' });
      await see.text(row, 'An item is added to the portal');
      await see.text(row, 'Active');
      // This server never publishes items: the list says so, with the reason, for that event only.
      await see.count(row.getByText('Never fires here'), 1);
      await see.text(row, /hosts no services/);
    });

    it('an item event shows on the Notification status page; a failed delivery is redelivered', async () => {
      await addNotebook(admin, 'admin', 'First');
      await page.getByRole('link', { name: 'Notification status' }).click();
      await page.getByRole('heading', { name: 'Notification status: Item watcher' }).waitFor();
      const records = table('Accepted').getByRole('row');
      const first = records.nth(1);
      await see.text(first, 'Yes', 60_000);
      await see.text(first, '200');
      await see.text(first, 'thanks');
      await first.getByText('Payload').click();
      await see.text(first.locator('pre'), '"operation": "add"');

      // The receiver fails: the next event's record is not accepted, then goes through on Redeliver.
      receiver.respond('/hook', [500]);
      await addNotebook(admin, 'admin', 'Second');
      await see.count(records, 3, 60_000);
      const failed = records.nth(1);
      await see.text(failed, 'No', 60_000);
      await see.text(failed, '500');
      await see.text(failed, 'failing with 500');
      await site.screenshot(page, 'notification-status');
      receiver.respond('/hook', [200]);
      await failed.getByRole('button', { name: 'Redeliver' }).click();
      await see.text(failed, 'Yes', 60_000);
      await see.text(failed, '200');
      await see.count(failed.getByRole('button', { name: 'Redeliver' }), 0);
      expect(receiver.at('/hook').length).toBeGreaterThanOrEqual(3);
    });

    it('deactivates, activates (offering to recover what was not sent meanwhile) and deletes a webhook', async () => {
      await page.getByRole('link', { name: '← Webhooks' }).click();
      const row = table('Trigger events').getByRole('row').filter({ hasText: 'Item watcher' });
      await row.getByRole('button', { name: 'Deactivate' }).click();
      await see.text(row, 'Inactive');
      // An event while inactive gets a failed "not sent" record; activating offers to send it.
      const hooks = '/sharing/rest/portals/self/webhooks';
      const id = (await site.http.get(hooks).set('Authorization', `Bearer ${admin}`)).body.webhooks.find((w: { name: string }) => w.name === 'Item watcher').id;
      const notSent = async () =>
        (await site.http.get(`${hooks}/${id}/notificationStatus`).set('Authorization', `Bearer ${admin}`)).body.WebhookStatus.filter((r: { responseText: string }) => r.responseText?.startsWith('Not sent'))
          .length;
      await addNotebook(admin, 'admin', 'While inactive');
      await eventually(async () => (await notSent()) === 1);
      const before = receiver.at('/hook').length;
      await row.getByRole('button', { name: 'Activate' }).click();
      await see.text(row, 'Active');
      const offer = page.getByRole('region', { name: 'Recover failed records' });
      await see.text(offer, /failed record/);
      await offer.getByRole('button', { name: 'Send them again' }).click();
      await page.getByText(/of “Item watcher” are being sent again/).waitFor();
      await eventually(async () => receiver.at('/hook').length > before);
      expect(JSON.parse(receiver.at('/hook').at(-1)!.body).events[0]).toMatchObject({ operation: 'add' });
      await site.screenshot(page, 'webhooks');
      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog', { name: 'Delete webhook' }).getByRole('button', { name: 'Delete' }).click();
      await see.count(row, 0);
    });

    it('creates an inbound receiver, showing its secret once with copy buttons', async () => {
      await page.getByLabel('Receiver name').fill('CI hook');
      await page.getByLabel('Notebook to run on a POST').selectOption({ label: 'First (admin)' });
      await page.getByRole('button', { name: 'Create receiver' }).click();
      const shown = page.getByRole('status').filter({ hasText: 'shown only once' });
      await shown.getByRole('button', { name: 'Copy secret' }).waitFor();
      await shown.getByRole('button', { name: 'Copy URL' }).waitFor();
      const secret = await shown.locator('code').nth(1).innerText();
      expect(secret.length).toBeGreaterThanOrEqual(32);
      const row = table('URL').getByRole('row').filter({ hasText: 'CI hook' });
      await see.text(row, '/arcgis/webhooks/receivers/');
      expect(await row.innerText()).not.toContain(secret);
    });

    it('the Site page shows the machines, users and groups, and refuses a property out of range at the field', async () => {
      await site.post('/sharing/rest/community/createGroup', admin, { title: 'Analysts', access: 'org' });
      await page.getByRole('link', { name: 'Site', exact: true }).click();
      await see.text(table('Runs in progress'), 'Alive');
      await see.text(table('Members'), 'Analysts');
      await see.text(table('Account'), 'admin');
      // Every property the server lists, with the range it answers (GET …/system/properties/limits).
      await page.getByLabel(/maxRunOutputBytes/).waitFor();
      const cap = page.getByLabel(/maxExecuteNotebookContainersPerNode/);
      await cap.fill('0');
      await see.attr(cap, 'aria-invalid', 'true');
      await cap.fill('4');
      await page.getByRole('form', { name: 'System properties' }).getByRole('button', { name: 'Save' }).click();
      await page.getByText('System properties saved').waitFor();
      const props = await site.http.get('/arcgis/admin/system/properties').set('Authorization', `Bearer ${admin}`);
      expect(props.body.maxExecuteNotebookContainersPerNode).toBe(4);
      await site.screenshot(page, 'site');
    });
  });

  it('every administrator page fits 1280×800 and 390×844 without a horizontal page scroll', async () => {
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(viewport);
      for (const [path, heading] of [['/webhooks', 'Webhooks'], ['/webhooks/new', 'New webhook'], ['/site', 'Site'], ['/notebooks', 'Notebooks'], ['/jobs', 'Jobs'], ['/tasks/new', 'New task']]) {
        await page.goto(`/arcgis/manager${path}`);
        await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
        expect({ path, viewport: viewport.width, overflow: await overflow() }).toEqual({ path, viewport: viewport.width, overflow: 0 });
      }
    }
    await site.screenshot(page, 'webhook-form-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  describe('a user who is not an administrator', () => {
    let user: Page;

    beforeAll(async () => {
      await site.post('/portaladmin/security/users/createUser', admin, { username: 'alice', password: 'alice-password', fullname: 'Alice', email: 'alice@example.org', role: 'org_user' });
      const alice = await site.token('alice', 'alice-password');
      const own = (await addNotebook(alice, 'alice', 'Alice notebook')).id;
      const adminNb = (await addNotebook(admin, 'admin', 'Admin notebook')).id;
      const cron = { second: '0', minute: '0', hour: '6', dayOfMonth: '*', month: '*', dayOfWeek: '?', timeZone: 'Europe/Lisbon' };
      await site.post('/sharing/rest/community/users/alice/tasks/createTask', alice, { title: 'Alice daily', itemId: own, ...cron });
      await site.post('/sharing/rest/community/users/admin/tasks/createTask', admin, { title: 'Admin daily', itemId: adminNb, ...cron });
      await site.post('/arcgis/admin/notebooks/executeNotebook', alice, { itemId: own, updatePortalItem: 'false' });
      await site.post('/arcgis/admin/notebooks/executeNotebook', admin, { itemId: adminNb, updatePortalItem: 'false' });
      ({ page: user } = await site.page({ width: 390, height: 844 }));
      await site.signIn(user, 'alice', 'alice-password');
    });

    it('has no Webhooks or Site links, and those addresses show nothing', async () => {
      const nav = user.getByRole('navigation', { name: 'Main' });
      await see.count(nav.getByRole('link'), 3);
      expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Notebooks', 'Tasks', 'Jobs']);
      await user.goto('/arcgis/manager/webhooks');
      await user.getByRole('heading', { name: 'Page not found' }).waitFor();
    });

    it('sees only their own tasks and jobs', async () => {
      await user.getByRole('link', { name: 'Tasks', exact: true }).click();
      const tasks = user.getByRole('table').filter({ has: user.getByRole('columnheader', { name: 'Next run' }) });
      await see.text(tasks, 'Alice daily');
      await see.text(tasks, 'Every day at 06:00 (Europe/Lisbon)');
      expect(await tasks.innerText()).not.toContain('Admin daily');
      await see.count(user.getByLabel('Owner'), 0);
      await site.screenshot(user, 'tasks-non-admin-phone');

      await user.getByRole('link', { name: 'Jobs', exact: true }).click();
      const jobs = user.getByRole('table').filter({ has: user.getByRole('columnheader', { name: 'Trigger' }) });
      await see.count(jobs.getByRole('row'), 2);
      expect(await jobs.getByRole('row').nth(1).innerText()).toContain('alice');
      expect(await jobs.innerText()).not.toContain('admin');
    });

    it('an expired session asks to sign in again over the open form, which keeps what was typed', async () => {
      await user.getByRole('link', { name: 'Tasks', exact: true }).click();
      await user.getByRole('button', { name: 'New task' }).click();
      await user.getByLabel('Title', { exact: true }).fill('Typed before the expiry');
      await user.getByLabel('Notebook', { exact: true }).selectOption({ label: 'Alice notebook' });
      await see.count(user.getByRole('list', { name: 'Next run times' }).getByRole('listitem'), 5);

      // The token stops working (the account is disabled), then the account comes back.
      await site.post('/sharing/rest/community/users/alice/disable', admin);
      await user.getByLabel('Hour', { exact: true }).fill('7');
      const dialog = user.getByRole('dialog', { name: 'Sign in again' });
      await dialog.waitFor();
      await see.text(dialog, 'Your session has expired');
      await site.post('/sharing/rest/community/users/alice/enable', admin);
      await dialog.getByLabel('Password').fill('alice-password');
      await dialog.getByRole('button', { name: 'Sign in' }).click();
      await see.count(dialog, 0);
      await see.value(user.getByLabel('Title', { exact: true }), 'Typed before the expiry');
      await see.value(user.getByLabel('Hour', { exact: true }), '7');
      await user.getByRole('button', { name: 'Save' }).click();
      await user.getByRole('heading', { name: 'Typed before the expiry', level: 1 }).waitFor();
    });
  });
});
