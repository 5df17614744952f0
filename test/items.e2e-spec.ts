import { ApiHarness, minimalNotebook } from './support/api-harness';
import { bearer, eventsOf, expectError, expectOneEvent, HEX32, ok } from './support/rest-expect';

/** Integration tests of notebook items: add, read, update, share, unshare, reassign, move, delete. */

let seq = 0;
const uniq = (prefix: string) => `${prefix}${++seq}`;

/** A notebook as an editor saves it: indented, non-ASCII, trailing newline; must round-trip byte for byte. */
const notebookText = (source = 'print("héllo wörld ✓")') => `${JSON.stringify(minimalNotebook(source), null, 1)}\n`;

const countItems = async (h: ApiHarness) => Number((await h.ds.query('SELECT count(*) AS n FROM items'))[0].n);

describe('items', () => {
  let h: ApiHarness;
  let admin: string;

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
  });

  afterAll(async () => {
    await h?.stop();
  });

  const itemPath = (id: string) => `/sharing/rest/content/items/${id}`;
  const ownPath = (owner: string, id: string, op: string) => `/sharing/rest/content/users/${owner}/items/${id}/${op}`;
  const getItem = (token: string, id: string) => h.http.get(itemPath(id)).set(bearer(token));
  const getData = (token: string, id: string) => h.http.get(`${itemPath(id)}/data`).set(bearer(token));
  const post = (path: string, token: string, form: Record<string, unknown> = {}) =>
    h.http.post(path).set(bearer(token)).type('form').send({ f: 'json', ...form });
  const addItem = (owner: string, token: string, form: Record<string, unknown>) => post(`/sharing/rest/content/users/${owner}/addItem`, token, form);

  /** A user with a token and one private notebook item. */
  const userWithItem = async (prefix = 'owner') => {
    const name = uniq(prefix);
    const token = await h.user(name);
    const id = await h.addNotebook(token, name);
    return { name, token, id };
  };

  const createGroup = async (members: string[], access = 'private') => {
    const g = ok(await post('/sharing/rest/community/createGroup', admin, { title: uniq('Team '), access })).group;
    if (members.length) ok(await post(`/sharing/rest/community/groups/${g.id}/addUsers`, admin, { users: members.join(',') }));
    return g.id as string;
  };

  describe('addItem', () => {
    it('adds a notebook from the text field, answers a 32-hex id and records /items/add', async () => {
      const name = uniq('adder');
      const token = await h.user(name);
      const text = notebookText();
      const body = ok(await addItem(name, token, { type: 'Notebook', title: 'My notebook', tags: 'etl, daily', snippet: 'short', text }));
      expect(body).toEqual({ success: true, id: expect.stringMatching(HEX32), folder: null });
      const item = ok(await getItem(token, body.id));
      expect(item).toMatchObject({
        id: body.id,
        owner: name,
        title: 'My notebook',
        type: 'Notebook',
        tags: ['etl', 'daily'],
        snippet: 'short',
        access: 'private',
        ownerFolder: null,
        size: Buffer.byteLength(text),
      });
      expect(item.created).toEqual(expect.any(Number));
      const data = await getData(token, body.id);
      expect(data.status).toBe(200);
      expect(data.headers['content-type']).toMatch(/^application\/json/);
      expect(data.text).toBe(text);
      await expectOneEvent(h, { source: 'item', operation: 'add', targetId: body.id, by: name });
    });

    it('adds a notebook uploaded as a multipart file, byte for byte', async () => {
      const name = uniq('uploader');
      const token = await h.user(name);
      const text = notebookText('x = "ünïcödé"\nprint(x)');
      const body = ok(
        await h.http
          .post(`/sharing/rest/content/users/${name}/addItem`)
          .set(bearer(token))
          .field('type', 'Notebook')
          .field('title', 'Uploaded')
          .field('f', 'json')
          .attach('file', Buffer.from(text), { filename: 'uploaded.ipynb', contentType: 'application/x-ipynb+json' }),
      );
      expect(body.id).toMatch(HEX32);
      expect((await getData(token, body.id)).text).toBe(text);
      expect(ok(await getItem(token, body.id))).toMatchObject({ title: 'Uploaded', size: Buffer.byteLength(text) });
      await expectOneEvent(h, { source: 'item', operation: 'add', targetId: body.id, by: name });
    });

    it('takes the token as a field of the multipart upload itself, as the Python client sends it', async () => {
      const name = uniq('formtoken');
      const token = await h.user(name);
      const body = ok(
        await h.http
          .post(`/sharing/rest/content/users/${name}/addItem`)
          .field('token', token)
          .field('title', 'Token in form')
          .attach('file', Buffer.from(notebookText()), 'nb.ipynb'),
      );
      expect(body.id).toMatch(HEX32);
    });

    it('adds a notebook from a JSON body', async () => {
      const name = uniq('jsonadder');
      const token = await h.user(name);
      const text = notebookText();
      const body = ok(await h.http.post(`/sharing/rest/content/users/${name}/addItem`).set(bearer(token)).send({ title: 'From JSON', text }));
      expect((await getData(token, body.id)).text).toBe(text);
    });

    it('refuses content that is not a notebook with 400 naming the problem, and stores nothing', async () => {
      const name = uniq('badcontent');
      const token = await h.user(name);
      const before = await countItems(h);

      const plain = expectError(await addItem(name, token, { title: 'plain', text: 'just some words' }), 400, { messageCode: 'INVALID_NOTEBOOK' });
      expect(plain.message).toMatch(/not an nbformat v4 notebook: not JSON/);
      expect(plain.details).toEqual([expect.stringMatching(/^not JSON/)]);

      const noNbformat = expectError(await addItem(name, token, { title: 'json', text: JSON.stringify({ hello: 'world' }) }), 400, {
        messageCode: 'INVALID_NOTEBOOK',
      });
      expect(noNbformat.message).toContain('nbformat must be 4');
      expect(noNbformat.details).toEqual(expect.arrayContaining(['nbformat must be 4 (got undefined)', 'cells must be an array']));

      const asFile = await h.http
        .post(`/sharing/rest/content/users/${name}/addItem`)
        .set(bearer(token))
        .field('title', 'csv')
        .attach('file', Buffer.from('a,b\n1,2\n'), 'data.csv');
      expect(expectError(asFile, 400, { messageCode: 'INVALID_NOTEBOOK' }).message).toContain('not JSON');

      const badCell = minimalNotebook();
      (badCell.cells[0] as Record<string, unknown>).cell_type = 'python';
      const cell = expectError(await addItem(name, token, { title: 'cell', text: JSON.stringify(badCell) }), 400);
      expect(cell.details).toEqual(['cells[0].cell_type must be code, markdown or raw (got "python")']);

      expect(await countItems(h)).toBe(before);
      expect((await h.events()).filter((e) => e.source === 'item' && e.username === name)).toEqual([]);
    });

    it('refuses an unsupported type, missing content and a missing title with 400', async () => {
      const name = uniq('badtype');
      const token = await h.user(name);
      const wrongType = expectError(await addItem(name, token, { type: 'Web Map', title: 't', text: notebookText() }), 400, {
        messageCode: 'UNSUPPORTED_TYPE',
      });
      expect(wrongType.message).toContain("'Web Map'");
      expectError(await addItem(name, token, { title: 't' }), 400, { messageCode: 'NO_CONTENT' });
      expect(expectError(await addItem(name, token, { text: notebookText() }), 400).details).toEqual([expect.stringMatching(/^title: /)]);
    });

    it("lets a user add only to their own content; an administrator may add to anyone's", async () => {
      const alice = uniq('alice');
      const bob = uniq('bob');
      const aliceToken = await h.user(alice);
      await h.user(bob);
      expectError(await addItem(bob, aliceToken, { title: 't', text: notebookText() }), 403);
      const body = ok(await addItem(bob, admin, { title: 'for bob', text: notebookText() }));
      expect(ok(await getItem(admin, body.id)).owner).toBe(bob);
      await expectOneEvent(h, { source: 'item', operation: 'add', targetId: body.id, by: 'admin' });
    });
  });

  describe('access', () => {
    it("hides another user's private item and its data (404)", async () => {
      const { id, token: ownerToken } = await userWithItem();
      const other = await h.user(uniq('nosy'));
      expectError(await getItem(other, id), 404, { messageCode: 'NOT_FOUND' });
      expectError(await getData(other, id), 404);
      ok(await getItem(ownerToken, id));
      expectError(await getItem(ownerToken, 'f'.repeat(32)), 404);
    });

    it('lets group members read an item shared to their group, and nobody else', async () => {
      const { name, id, token } = await userWithItem();
      const member = uniq('member');
      const memberToken = await h.user(member);
      const outsiderToken = await h.user(uniq('outsider'));
      const group = await createGroup([name, member]);
      ok(await post(ownPath(name, id, 'share'), token, { groups: group }));
      expect(ok(await getItem(memberToken, id)).access).toBe('private');
      expect((await getData(memberToken, id)).text).toBe(JSON.stringify(minimalNotebook()));
      expectError(await getItem(outsiderToken, id), 404);
      // and only the owner (or an administrator) changes it
      expectError(await post(ownPath(name, id, 'update'), memberToken, { title: 'mine' }), 403);
    });

    it('lets everyone in the organization read an item shared to the organization', async () => {
      const { name, id, token } = await userWithItem();
      const other = await h.user(uniq('colleague'));
      ok(await post(ownPath(name, id, 'share'), token, { org: true }));
      expect(ok(await getItem(other, id)).access).toBe('org');
      ok(await getData(other, id));
    });

    it('lets an administrator read any item and its data', async () => {
      const { id } = await userWithItem();
      ok(await getItem(admin, id));
      expect((await getData(admin, id)).text).toBe(JSON.stringify(minimalNotebook()));
    });
  });

  describe('update', () => {
    it('replaces content and metadata and records /items/{id}/update', async () => {
      const { name, id, token } = await userWithItem();
      const text = notebookText('print(2)');
      ok(await post(ownPath(name, id, 'update'), token, { title: 'Renamed', tags: 'x,y', snippet: 'new', description: 'desc', text }));
      expect(ok(await getItem(token, id))).toMatchObject({ title: 'Renamed', tags: ['x', 'y'], snippet: 'new', description: 'desc', size: Buffer.byteLength(text) });
      expect((await getData(token, id)).text).toBe(text);
      await expectOneEvent(h, { source: 'item', operation: 'update', targetId: id, by: name });
    });

    it('replaces content from a multipart file', async () => {
      const { name, id, token } = await userWithItem();
      const text = notebookText('print(3)');
      ok(await h.http.post(ownPath(name, id, 'update')).set(bearer(token)).attach('file', Buffer.from(text), 'new.ipynb'));
      expect((await getData(token, id)).text).toBe(text);
    });

    it('refuses invalid content and keeps the old notebook', async () => {
      const { name, id, token } = await userWithItem();
      expectError(await post(ownPath(name, id, 'update'), token, { title: 'changed', text: '{"cells": []}' }), 400, { messageCode: 'INVALID_NOTEBOOK' });
      expect((await getData(token, id)).text).toBe(JSON.stringify(minimalNotebook()));
      expect(ok(await getItem(token, id)).title).toBe('nb');
      expect(await eventsOf(h, 'item', 'update', id)).toEqual([]);
    });
  });

  describe('share and unshare', () => {
    it('share to groups records sharedToGroups with the group ids and answers the unknown ones', async () => {
      const { name, id, token } = await userWithItem();
      const [g1, g2] = [await createGroup([name]), await createGroup([name])];
      const missing = '0'.repeat(32);
      const body = ok(await post(ownPath(name, id, 'share'), token, { groups: `${g1},${g2},${missing}` }));
      expect(body).toEqual({ notSharedWith: [missing], itemId: id });
      const [ev] = await eventsOf(h, 'item', 'share', id);
      expect(ev.username).toBe(name);
      expect((ev.properties.sharedToGroups as string[]).sort()).toEqual([g1, g2].sort());
      expect(ok(await getItem(token, id)).access).toBe('private');
    });

    it('share to everyone and a group records "Everyone" and the group id', async () => {
      const { name, id, token } = await userWithItem();
      const g = await createGroup([name]);
      ok(await post(ownPath(name, id, 'share'), token, { everyone: 'true', org: 'false', groups: g }));
      await expectOneEvent(h, { source: 'item', operation: 'share', targetId: id, by: name, properties: { sharedToGroups: ['Everyone', g] } });
      expect(ok(await getItem(token, id)).access).toBe('public');
    });

    it('share to the organization records "Organization"', async () => {
      const { name, id, token } = await userWithItem();
      ok(await post(ownPath(name, id, 'share'), token, { org: true }));
      await expectOneEvent(h, { source: 'item', operation: 'share', targetId: id, by: name, properties: { sharedToGroups: ['Organization'] } });
    });

    it('share with everyone=false and org=false makes a public item private again and records the unshare', async () => {
      const { name, id, token } = await userWithItem();
      ok(await post(ownPath(name, id, 'share'), token, { everyone: true }));
      ok(await post(ownPath(name, id, 'share'), token, { everyone: false, org: false }));
      expect(ok(await getItem(token, id)).access).toBe('private');
      await expectOneEvent(h, { source: 'item', operation: 'unshare', targetId: id, by: name, properties: { unsharedFromGroups: ['Everyone'] } });
      // nothing was shared by the second call, so only the first share is recorded
      expect((await eventsOf(h, 'item', 'share', id)).map((e) => e.properties)).toEqual([{ sharedToGroups: ['Everyone'] }]);
    });

    it('does not let a user share into a group they do not belong to', async () => {
      const { name, id, token } = await userWithItem();
      const stranger = uniq('stranger');
      await h.user(stranger);
      const foreign = await createGroup([stranger]);
      expect(ok(await post(ownPath(name, id, 'share'), token, { groups: foreign }))).toEqual({ notSharedWith: [foreign], itemId: id });
      expectError(await getItem(await h.token(stranger, `${stranger}-password`), id), 404);
      expect(await eventsOf(h, 'item', 'share', id)).toEqual([]);
      // an administrator may
      expect(ok(await post(ownPath(name, id, 'share'), admin, { groups: foreign }))).toEqual({ notSharedWith: [], itemId: id });
    });

    it('unshare records unsharedFromGroups and members lose access', async () => {
      const { name, id, token } = await userWithItem();
      const member = uniq('member');
      const memberToken = await h.user(member);
      const [g1, g2] = [await createGroup([name, member]), await createGroup([name])];
      ok(await post(ownPath(name, id, 'share'), token, { groups: `${g1},${g2}` }));
      ok(await getItem(memberToken, id));
      expect(ok(await post(ownPath(name, id, 'unshare'), token, { groups: g1 }))).toEqual({ notUnsharedFrom: [], itemId: id });
      await expectOneEvent(h, { source: 'item', operation: 'unshare', targetId: id, by: name, properties: { unsharedFromGroups: [g1] } });
      expectError(await getItem(memberToken, id), 404);
      // unsharing from a group it is not shared with changes nothing and records nothing
      expect(ok(await post(ownPath(name, id, 'unshare'), token, { groups: g1 }))).toEqual({ notUnsharedFrom: [g1], itemId: id });
      expect(await eventsOf(h, 'item', 'unshare', id)).toHaveLength(1);
    });

    it('only the owner or an administrator shares', async () => {
      const { name, id } = await userWithItem();
      const other = await h.user(uniq('other'));
      expectError(await post(ownPath(name, id, 'share'), other, { org: true }), 404);
      ok(await post(ownPath(name, id, 'share'), admin, { org: true }));
      expectError(await post(ownPath(name, id, 'share'), other, { everyone: true }), 403);
    });
  });

  describe('reassign', () => {
    it('is for administrators only', async () => {
      const { name, id, token } = await userWithItem();
      const target = uniq('heir');
      await h.user(target);
      expectError(await post(ownPath(name, id, 'reassign'), token, { targetUsername: target }), 403);
      expect(await eventsOf(h, 'item', 'reassign', id)).toEqual([]);
    });

    it('gives the item to another user and records reassignedTo', async () => {
      const { name, id, token } = await userWithItem();
      const target = uniq('heir');
      const targetToken = await h.user(target);
      expect(ok(await post(ownPath(name, id, 'reassign'), admin, { targetUsername: target }))).toEqual({ success: true, itemId: id });
      expect(ok(await getItem(targetToken, id)).owner).toBe(target);
      expectError(await getItem(token, id), 404);
      await expectOneEvent(h, { source: 'item', operation: 'reassign', targetId: id, by: 'admin', properties: { reassignedTo: [target] } });
      expectError(await post(ownPath(target, id, 'reassign'), admin, { targetUsername: 'no-such-user' }), 404);
    });
  });

  describe('move', () => {
    it('moves the item to a folder and back to the root, recording /items/{id}/move', async () => {
      const { name, id, token } = await userWithItem();
      expect(ok(await post(ownPath(name, id, 'move'), token, { folder: 'reports' }))).toMatchObject({ success: true, itemId: id, folder: 'reports' });
      expect(ok(await getItem(token, id)).ownerFolder).toBe('reports');
      ok(await post(ownPath(name, id, 'move'), token, { folder: '/' }));
      expect(ok(await getItem(token, id)).ownerFolder).toBeNull();
      const moves = await eventsOf(h, 'item', 'move', id);
      expect(moves.map((e) => e.username)).toEqual([name, name]);
    });

    it("answers the item's owner when an administrator moves it", async () => {
      const { name, id, token } = await userWithItem();
      expect(ok(await post(ownPath(name, id, 'move'), admin, { folder: 'archive' }))).toEqual({ success: true, itemId: id, owner: name, folder: 'archive' });
      expect(ok(await getItem(token, id)).ownerFolder).toBe('archive');
      expect((await eventsOf(h, 'item', 'move', id)).map((e) => e.username)).toEqual(['admin']);
    });
  });

  describe('delete', () => {
    it('deletes the item and records /items/{id}/delete', async () => {
      const { name, id, token } = await userWithItem();
      expect(ok(await post(ownPath(name, id, 'delete'), token))).toEqual({ success: true, itemId: id });
      expectError(await getItem(token, id), 404);
      expectError(await getData(token, id), 404);
      await expectOneEvent(h, { source: 'item', operation: 'delete', targetId: id, by: name });
      expectError(await post(ownPath(name, id, 'delete'), token), 404);
    });

    it("refuses to delete another user's item", async () => {
      const { name, id } = await userWithItem();
      const other = await h.user(uniq('vandal'));
      expectError(await post(ownPath(name, id, 'delete'), other), 404);
      ok(await post(ownPath(name, id, 'share'), admin, { org: true }));
      expectError(await post(ownPath(name, id, 'delete'), other), 403);
      ok(await getItem(admin, id));
      expect(await eventsOf(h, 'item', 'delete', id)).toEqual([]);
    });
  });
});

describe('items over the size limit', () => {
  const LIMIT = 2048;
  let h: ApiHarness;
  let token: string;
  const owner = 'sizer';

  beforeAll(async () => {
    h = await ApiHarness.start({ MAX_NOTEBOOK_BYTES: String(LIMIT) });
    token = await h.user(owner);
  });

  afterAll(async () => {
    await h?.stop();
  });

  /** A valid notebook of exactly `bytes` bytes. */
  const notebookOf = (bytes: number) => {
    const empty = JSON.stringify(minimalNotebook(''));
    const text = JSON.stringify(minimalNotebook('#'.repeat(bytes - Buffer.byteLength(empty))));
    expect(Buffer.byteLength(text)).toBe(bytes);
    return text;
  };
  const addPath = `/sharing/rest/content/users/${owner}/addItem`;
  const expectNothingStored = async () => {
    expect(await countItems(h)).toBe(0);
    expect((await h.events()).filter((e) => e.source === 'item')).toEqual([]);
  };

  it('accepts a notebook of exactly the limit', async () => {
    const text = notebookOf(LIMIT);
    const body = ok(await h.http.post(addPath).set(bearer(token)).type('form').send({ title: 't', text }));
    expect((await h.http.get(`/sharing/rest/content/items/${body.id}/data`).set(bearer(token))).text).toBe(text);
    ok(await h.http.post(`/sharing/rest/content/users/${owner}/items/${body.id}/delete`).set(bearer(token)));
    await h.ds.query('DELETE FROM domain_events');
  });

  it('answers 413 to an oversized multipart file and stores nothing', async () => {
    const res = await h.http.post(addPath).set(bearer(token)).field('title', 't').attach('file', Buffer.from(notebookOf(LIMIT + 1)), 'big.ipynb');
    expectError(res, 413, { messageCode: 'NOTEBOOK_TOO_LARGE' });
    const huge = await h.http.post(addPath).set(bearer(token)).field('title', 't').attach('file', Buffer.from(notebookOf(100 * LIMIT)), 'huge.ipynb');
    expectError(huge, 413);
    await expectNothingStored();
  });

  it('answers 413 to an oversized text field (form, JSON or multipart) and stores nothing', async () => {
    for (const size of [LIMIT + 1, 10 * LIMIT, 100 * LIMIT]) {
      const text = notebookOf(size);
      const form = await h.http.post(addPath).set(bearer(token)).type('form').send({ title: 't', text });
      const json = await h.http.post(addPath).set(bearer(token)).send({ title: 't', text });
      const multipart = await h.http.post(addPath).set(bearer(token)).field('title', 't').field('text', text);
      for (const res of [form, json, multipart]) expectError(res, 413);
    }
    const err = expectError(await h.http.post(addPath).set(bearer(token)).type('form').send({ title: 't', text: notebookOf(LIMIT + 1) }), 413, {
      messageCode: 'NOTEBOOK_TOO_LARGE',
    });
    expect(err.message).toBe(`The notebook is ${LIMIT + 1} bytes; the limit is ${LIMIT}.`);
    await expectNothingStored();
  });

  it('answers 413 to an oversized update and keeps the old notebook', async () => {
    const small = notebookOf(500);
    const { id } = ok(await h.http.post(addPath).set(bearer(token)).type('form').send({ title: 't', text: small }));
    const update = `/sharing/rest/content/users/${owner}/items/${id}/update`;
    expectError(await h.http.post(update).set(bearer(token)).type('form').send({ text: notebookOf(LIMIT + 1) }), 413);
    expectError(await h.http.post(update).set(bearer(token)).attach('file', Buffer.from(notebookOf(LIMIT + 1)), 'big.ipynb'), 413);
    expect((await h.http.get(`/sharing/rest/content/items/${id}/data`).set(bearer(token))).text).toBe(small);
    expect(await eventsOf(h, 'item', 'update', id)).toEqual([]);
  });
});
