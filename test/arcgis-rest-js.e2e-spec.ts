import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArcGISIdentityManager } from '@esri/arcgis-rest-request';
import {
  addGroupUsers,
  createGroup,
  createItem,
  getItem,
  getItemData,
  getSelf,
  getUser,
  reassignItem,
  removeGroupUsers,
  removeItem,
  searchGroupContent,
  searchGroups,
  searchItems,
  searchUsers,
  shareItemWithGroup,
  unshareItemWithGroup,
  updateItem,
} from '@esri/arcgis-rest-portal';
import { Agent } from 'undici';
import { AppProcess, envFor } from './support/processes';
import { testConfig } from './support/test-env';
import { selfSignedCert } from './support/tls';

/**
 * The real ArcGIS REST JS packages from npm against the built api, started as quickstart starts it (its own
 * process, HTTPS on its own port with the self-signed certificate scripts/tls-cert.sh makes). The client trusts
 * that certificate (a fetch whose agent has it as CA); TLS verification stays on.
 */
describe('ArcGIS REST JS against the server', () => {
  let api: AppProcess;
  let dropDb: () => Promise<void>;
  let portal: string;
  let agent: Agent;
  const realFetch = globalThis.fetch;
  let admin: ArcGISIdentityManager;
  let user: ArcGISIdentityManager;
  const notebook = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: 'print(1)', metadata: {}, outputs: [], execution_count: null }] });

  beforeAll(async () => {
    const cert = selfSignedCert(mkdtempSync(join(tmpdir(), 'nba-tls-')));
    const t = await testConfig();
    dropDb = t.dropDb;
    api = AppProcess.start('api', envFor(t.config, { HOST: '127.0.0.1', PORT: '0', HTTPS_PORT: '0', TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile }));
    await api.waitFor(/listening on https:\/\/127\.0\.0\.1:\d+/, 60_000);
    const port = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(api.output.join(''))![1];
    portal = `https://localhost:${port}/sharing/rest`;
    agent = new Agent({ connect: { ca: cert.cert } });
    // REST JS calls the global fetch: give it one that trusts this server's certificate (and only that).
    globalThis.fetch = ((url: string, init?: RequestInit) => realFetch(url, { ...init, dispatcher: agent } as RequestInit)) as typeof fetch;
  }, 90_000);

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await agent?.close();
    await api?.stop();
    await dropDb?.();
  });

  it('ArcGISIdentityManager.signIn signs in over HTTPS with generateToken', async () => {
    admin = await ArcGISIdentityManager.signIn({ username: 'admin', password: 'admin-password', portal });
    expect(admin.username).toBe('admin');
    expect(admin.token).toEqual(expect.any(String));
    expect((await admin.getUser()).role).toBe('org_admin');
  });

  it('getSelf and getUser', async () => {
    const self = await getSelf({ authentication: admin });
    expect(self).toEqual(expect.objectContaining({ id: expect.any(String), isPortal: true, user: expect.objectContaining({ username: 'admin' }) }));
    expect(await getUser({ username: 'admin', authentication: admin })).toEqual(expect.objectContaining({ username: 'admin', orgId: self.id }));
  });

  let itemId: string;
  it('createItem, getItem, getItemData, updateItem', async () => {
    const created = await createItem({ item: { title: 'REST JS notebook', type: 'Notebook', tags: ['restjs', 'test'], snippet: 'from REST JS' }, text: notebook, authentication: admin });
    expect(created).toEqual(expect.objectContaining({ success: true, id: expect.any(String) }));
    itemId = created.id;
    expect(await getItem(itemId, { authentication: admin })).toEqual(expect.objectContaining({ id: itemId, title: 'REST JS notebook', owner: 'admin', tags: ['restjs', 'test'] }));
    expect(await getItemData(itemId, { authentication: admin })).toEqual(JSON.parse(notebook));
    expect(await updateItem({ item: { id: itemId, snippet: 'updated by REST JS' }, authentication: admin })).toEqual(expect.objectContaining({ success: true, id: itemId }));
    expect((await getItem(itemId, { authentication: admin })).snippet).toBe('updated by REST JS');
  });

  let groupId: string;
  it('createGroup, addGroupUsers, removeGroupUsers', async () => {
    await realRequest('/portaladmin/security/users/createUser', { username: 'jsuser', password: 'jsuser-password', role: 'org_user', email: 'js@example.org' });
    await realRequest('/portaladmin/security/users/createUser', { username: 'jsextra', password: 'jsextra-password', role: 'org_user' });
    const g = await createGroup({ group: { title: 'REST JS group', access: 'org', tags: ['restjs'] }, authentication: admin });
    expect(g).toEqual(expect.objectContaining({ success: true, group: expect.objectContaining({ id: expect.any(String), title: 'REST JS group' }) }));
    groupId = g.group.id;
    expect(await addGroupUsers({ id: groupId, users: ['jsuser', 'jsextra'], authentication: admin })).toEqual({ notAdded: [] });
    expect(await removeGroupUsers({ id: groupId, users: ['jsextra'], authentication: admin })).toEqual({ notRemoved: [] });
  });

  it('shareItemWithGroup and unshareItemWithGroup (owner), found by searchItems in between', async () => {
    const shared = await shareItemWithGroup({ id: itemId, groupId, authentication: admin });
    expect(shared).toEqual(expect.objectContaining({ notSharedWith: [] }));
    expect((shared as { shortcut?: boolean }).shortcut).toBeUndefined(); // it really shared (it searched first and found it unshared)
    const found = await searchItems({ q: `id: ${itemId} AND group: ${groupId}`, authentication: admin });
    expect(found.results.map((r) => r.id)).toEqual([itemId]);
    const again = await shareItemWithGroup({ id: itemId, groupId, authentication: admin });
    expect((again as { shortcut?: boolean }).shortcut).toBe(true); // already shared: REST JS's own search says so

    user = await ArcGISIdentityManager.signIn({ username: 'jsuser', password: 'jsuser-password', portal });
    expect((await searchItems({ q: 'restjs', authentication: user })).results.map((r) => r.id)).toContain(itemId);

    const unshared = await unshareItemWithGroup({ id: itemId, groupId, authentication: admin });
    expect(unshared).toEqual(expect.objectContaining({ notUnsharedFrom: [] }));
    expect((await searchItems({ q: `id: ${itemId} AND group: ${groupId}`, authentication: admin })).total).toBe(0);
  });

  it('an administrator shares a user\'s item into a group (REST JS checks and adjusts membership first)', async () => {
    const theirs = await createItem({ item: { title: 'Their notebook', type: 'Notebook' }, text: notebook, authentication: user });
    const shared = await shareItemWithGroup({ id: theirs.id, groupId, owner: 'jsuser', authentication: admin });
    expect(shared).toEqual(expect.objectContaining({ notSharedWith: [] }));
    expect((await searchItems({ q: `group:${groupId}`, authentication: user })).results.map((r) => r.id)).toEqual([theirs.id]);
    expect((await searchGroupContent({ groupId, q: '*', authentication: user })).results.map((r) => r.id)).toEqual([theirs.id]);
  });

  it('searchItems, searchGroups, searchUsers', async () => {
    const items = await searchItems({ q: 'title:"REST JS" AND owner:admin', authentication: admin });
    expect(items).toEqual(expect.objectContaining({ total: 1, start: 1, nextStart: -1 }));
    expect(items.results[0].id).toBe(itemId);
    const groups = await searchGroups({ q: 'restjs', authentication: admin });
    expect(groups.results.map((g) => g.id)).toEqual([groupId]);
    const users = await searchUsers({ q: 'jsuser', authentication: admin });
    expect(users.results.map((u) => u.username)).toEqual(['jsuser']);
  });

  it('reassignItem and removeItem', async () => {
    expect(await reassignItem({ id: itemId, currentOwner: 'admin', targetUsername: 'jsuser', authentication: admin })).toEqual(expect.objectContaining({ success: true, itemId }));
    expect((await getItem(itemId, { authentication: admin })).owner).toBe('jsuser');
    expect(await removeItem({ id: itemId, owner: 'jsuser', authentication: admin })).toEqual(expect.objectContaining({ success: true, itemId }));
    await expect(getItem(itemId, { authentication: admin })).rejects.toThrow(/does not exist or is inaccessible/);
  });

  /** An admin call made by hand (user creation has no REST JS function). */
  async function realRequest(path: string, form: Record<string, string>) {
    const res = await globalThis.fetch(portal.replace('/sharing/rest', '') + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${admin.token}` },
      body: new URLSearchParams({ f: 'json', ...form }).toString(),
    });
    const body = (await res.json()) as { error?: unknown };
    if (!res.ok || body.error) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }
});
