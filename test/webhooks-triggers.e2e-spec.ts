import { INestApplicationContext } from '@nestjs/common';
import { catalogue } from '@app/webhooks';
import { ApiHarness, minimalNotebook } from './support/api-harness';
import { TestReceiver } from './support/webhook-receiver';
import { eventually, sleep, startWorker } from './support/worker-harness';

/**
 * Every trigger URI of the seeds' tables either fires from a real operation of this server, or comes back in the
 * createWebhook answer's `inactiveEvents` with a reason. One webhook per URI (as an integrator would set them up),
 * then one real request per operation; afterwards each webhook has received at least one delivery, or said why not.
 */
describe('every trigger URI fires or says why (one webhook per URI; Postgres, Redis, BullMQ)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let receiver: TestReceiver;
  let admin: string;
  const username = 'jdoe';

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    h = await ApiHarness.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1' });
    worker = await startWorker(h.config);
    admin = await h.token();
  });

  afterAll(async () => {
    await worker?.close();
    await h?.stop();
    await receiver?.stop();
  });

  async function post(path: string, form: Record<string, string> = {}, token = admin) {
    const res = await h.http.post(path).set('Authorization', `Bearer ${token}`).type('form').send({ f: 'json', ...form });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Signs in through OAuth2 (the implicit flow) and signs out with that token: the user's signOut event. */
  async function oauthSignInOut(user: string, password: string) {
    const redirect = new URL(h.config.http.publicUrl).origin;
    const page = await h.http.get('/sharing/rest/oauth2/authorize').query({ response_type: 'token', client_id: 'arcgisonline', redirect_uri: redirect });
    const oauthState = /"oauth_state":"([^"]+)"/.exec(page.text)?.[1];
    const signedIn = await h.http.post('/sharing/oauth2/signin').type('form').redirects(0).send({ oauth_state: oauthState, username: user, password });
    expect(signedIn.status).toBe(302);
    const token = new URLSearchParams(String(signedIn.headers.location).split('#')[1]).get('access_token');
    expect((await h.http.get('/sharing/rest/oauth2/signout').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  }

  it('fires every URI of the tables from a real operation, or lists it in inactiveEvents', async () => {
    // The targets first (their add events predate the webhooks, so they fire again below).
    const itemId = (await post(`/sharing/rest/content/users/admin/addItem`, { type: 'Notebook', title: 'watched', text: JSON.stringify(minimalNotebook()) })).id as string;
    const groupId = (await post('/sharing/rest/community/createGroup', { title: 'watched group', access: 'org' })).group.id as string;
    await h.user(username);

    const uris = catalogue({ item: itemId, group: groupId, username });
    const hooks: Array<{ uri: string; path: string; inactive?: string }> = [];
    for (const [i, uri] of uris.entries()) {
      const path = `/t/${i}`;
      const res = await post('/sharing/rest/portals/self/webhooks/createWebhook', { name: `uri ${i}`, url: receiver.url(path), changes: 'manualChanges', events: uri });
      const inactive = (res.inactiveEvents as Array<{ event: string; reason: string }>).find((e) => e.event === uri);
      if (inactive) expect(inactive.reason).toMatch(/\w+/);
      expect(res.webhook.inactiveEvents).toEqual(res.inactiveEvents); // the webhook object carries them too (GET, list)
      hooks.push({ uri, path, inactive: inactive?.reason });
    }

    // One real request per operation, deletes last.
    const own = (owner: string, op: string) => `/sharing/rest/content/users/${owner}/items/${itemId}/${op}`;
    const group = (op: string) => `/sharing/rest/community/groups/${groupId}/${op}`;
    const user = (op: string) => `/sharing/rest/community/users/${username}/${op}`;
    await post(`/sharing/rest/content/users/admin/addItem`, { type: 'Notebook', title: 'another', text: JSON.stringify(minimalNotebook()) });
    await post('/sharing/rest/community/createGroup', { title: 'another group', access: 'private' });
    await post('/portaladmin/security/users/createUser', { username: 'another', password: 'another-password', role: 'org_user' });
    await post(own('admin', 'update'), { title: 'watched, renamed' });
    await post(own('admin', 'share'), { everyone: 'true', groups: groupId });
    await post(own('admin', 'unshare'), { groups: groupId });
    await post(own('admin', 'move'), { folder: 'reports' });
    const commentId = (await post(`/sharing/rest/content/items/${itemId}/addComment`, { comment: 'looks good' })).commentId as string;
    await post(`/sharing/rest/content/items/${itemId}/comments/${commentId}/update`, { comment: 'looks very good' });
    await post(`/sharing/rest/content/items/${itemId}/comments/${commentId}/delete`);
    await post(group('update'), { snippet: 'changed' });
    await post(group('protect'));
    await post(group('unprotect'));
    await post(group('addUsers'), { users: username });
    await post(group('updateUsers'), { admins: username });
    await post(group('removeUsers'), { users: username });
    const jdoe = await h.token(username, `${username}-password`);
    await post(group('join'), {}, jdoe);
    await post(group(`applications/${username}/accept`));
    await post(group('invite'), { users: 'another' });
    await h.token(username, `${username}-password`); // signIn
    await oauthSignInOut(username, `${username}-password`); // signIn, signOut
    await post(user('update'), { fullname: 'J. Doe' });
    await post(user('disable'));
    await post(user('enable'));
    await post('/sharing/rest/portals/self/users/bulkDisable', { users: `${username},another` });
    await post('/sharing/rest/portals/self/users/bulkEnable', { users: `${username},another` });
    await post('/sharing/rest/portals/self/updateUserLicenseType', { users: username, userLicenseType: 'GISProfessionalAdvUT' });
    await post('/sharing/rest/portals/self/updateuserrole', { user: username, role: 'org_admin' });
    await post(own('admin', 'reassign'), { targetUsername: username });
    await post(group('reassign'), { targetUsername: username });
    await post(`/sharing/rest/content/users/${username}/items/${itemId}/delete`);
    await post(group('delete'));
    await post('/sharing/rest/portals/self/updateuserrole', { user: username, role: 'org_user' });
    await post(user('delete'));
    const roleId = (await post('/sharing/rest/portals/self/createRole', { name: 'Analyst', description: 'reads and runs' })).id as string;
    await post(`/sharing/rest/portals/self/roles/${roleId}/update`, { description: 'reads, runs, schedules' });
    await post(`/sharing/rest/portals/self/roles/${roleId}/delete`);

    const firing = hooks.filter((x) => !x.inactive);
    const silent = () => firing.filter((x) => receiver.at(x.path).length === 0).map((x) => x.uri);
    await eventually(async () => silent().length === 0, 30_000, 250).catch(() => undefined);
    expect(silent()).toEqual([]);
    // And what was declared inactive really stayed silent.
    await sleep(500);
    expect(hooks.filter((x) => x.inactive && receiver.at(x.path).length > 0).map((x) => x.uri)).toEqual([]);
    expect(firing.length + hooks.filter((x) => x.inactive).length).toBe(uris.length);
    // The group side of sharing, in the seeds' shape.
    const itemShare = hooks.find((x) => x.uri === `/groups/${groupId}/itemShare`)!;
    expect(JSON.parse(receiver.at(itemShare.path)[0].body).events[0]).toMatchObject({ source: 'group', operation: 'itemShare', id: groupId, properties: { sharedItems: [{ itemId, itemType: 'Notebook' }] } });
  }, 180_000);

  it('triggerEvents (ours) offers every URI of the tables in words, inactive ones with their reason; administrators only', async () => {
    const res = await h.http.get('/sharing/rest/portals/self/webhooks/triggerEvents?f=json').set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    const groups = res.body.triggerGroups as Array<{ kind: string; any: Array<{ op: string; inactive?: string }>; specific?: { target: string; ops: Array<{ op: string }> } }>;
    expect(groups.map((g) => g.kind)).toEqual(['items', 'groups', 'users', 'roles']);
    const target = { items: 'a'.repeat(32), groups: 'b'.repeat(32), users: 'rita', roles: '' } as Record<string, string>;
    const offered = groups.flatMap((g) => [`/${g.kind}`, ...g.any.map((o) => `/${g.kind}/${o.op}`), ...(g.specific ? [`/${g.kind}/${target[g.kind]}`, ...g.specific.ops.map((o) => `/${g.kind}/${target[g.kind]}/${o.op}`)] : [])]);
    expect(['/', ...offered].sort()).toEqual(catalogue({ item: target.items, group: target.groups, username: 'rita' }).sort());
    expect(groups[0].any.find((o) => o.op === 'publish')!.inactive).toEqual(expect.any(String));
    const user = await h.user('catalogue-reader');
    expect((await h.http.get('/sharing/rest/portals/self/webhooks/triggerEvents?f=json').set('Authorization', `Bearer ${user}`)).status).toBe(403);
  });
});
