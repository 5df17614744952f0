import { catalogue, inactiveTriggers, matchesAny, parseTrigger, unknownTriggers } from './trigger-uris';

const ITEM = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);
const GROUP = 'c'.repeat(32);

describe('trigger URIs (the seeds\' tables)', () => {
  // Every URI of the seeds' tables, placeholders filled in.
  const seedUris = [
    '/',
    ...['/items', '/items/add', '/items/delete', '/items/update', '/items/move', '/items/publish', '/items/share', '/items/unshare', '/items/reassign', '/items/addComment', '/items/deleteComment', '/items/updateComment'],
    ...['', '/delete', '/update', '/move', '/publish', '/share', '/unshare', '/reassign', '/addComment', '/deleteComment', '/updateComment'].map((s) => `/items/${ITEM}${s}`),
    ...['/groups', '/groups/add', '/groups/update', '/groups/delete', '/groups/protect', '/groups/unprotect', '/groups/invite', '/groups/addUsers', '/groups/removeUsers', '/groups/updateUsers', '/groups/reassign', '/groups/itemShare', '/groups/itemUnshare', '/groups/requestJoin'],
    ...['', '/update', '/delete', '/protect', '/unprotect', '/invite', '/addUsers', '/removeUsers', '/updateUsers', '/reassign', '/itemShare', '/itemUnshare', '/requestJoin'].map((s) => `/groups/${GROUP}${s}`),
    ...['/users', '/users/add', '/users/signin', '/users/signout', '/users/delete', '/users/update', '/users/disable', '/users/enable', '/users/updateUserRole', '/users/updateUserLicenseType', '/users/bulkEnable', '/users/bulkDisable'],
    ...['', '/signIn', '/signOut', '/delete', '/update', '/disable', '/enable', '/updateUserRole', '/updateUserLicenseType'].map((s) => `/users/jdoe${s}`),
    ...['/roles', '/roles/add', '/roles/update', '/roles/delete'],
  ];

  it('the catalogue derived from the table is exactly the seeds\' URIs', () => {
    expect(catalogue({ item: ITEM, group: GROUP, username: 'jdoe' }).map((u) => u.toLowerCase()).sort()).toEqual(seedUris.map((u) => u.toLowerCase()).sort());
  });

  it('inactiveTriggers names the URIs of operations nothing here raises, with the reason; wildcards are not listed', () => {
    // signOut is raised (an OAuth2 sign-out or revokeToken), so it is not listed.
    const got = inactiveTriggers(['/items', `/items/${ITEM}/publish`, '/items/publish', '/users/signout', '/users/jdoe/update']);
    expect(got.map((g) => g.event)).toEqual([`/items/${ITEM}/publish`, '/items/publish']);
    expect(got[0].reason).toMatch(/published/);
  });

  it.each(seedUris)('accepts %s', (uri) => {
    expect(parseTrigger(uri)).not.toBeNull();
  });

  it.each([
    '/things',
    'items',
    '/items/frobnicate',
    `/items/${ITEM}/add`, // add has no specific-item form
    '/items/not-an-id/update',
    `/items/${ITEM}/update/extra`,
    '/roles/somerole',
    '/roles/add/more',
    '//items',
    '',
    `/groups/${GROUP}/signIn`,
    '/users/jdoe/bulkEnable',
  ])('refuses %s', (uri) => {
    expect(parseTrigger(uri)).toBeNull();
  });

  it('names every unknown URI, in order', () => {
    expect(unknownTriggers(['/items', '/nope', '/users/x/fly', '/groups'])).toEqual(['/nope', '/users/x/fly']);
  });

  it('a trailing slash is tolerated', () => {
    expect(parseTrigger('/items/')).toEqual({ source: 'item' });
  });

  describe('matching', () => {
    const ev = (source: string, operation: string, targetId: string) => ({ source, operation, targetId });

    it('/ matches everything', () => {
      expect(matchesAny(['/'], ev('item', 'add', ITEM))).toBe(true);
      expect(matchesAny(['/'], ev('user', 'signIn', 'jdoe'))).toBe(true);
      expect(matchesAny(['/'], ev('role', 'add', 'r'))).toBe(true);
    });

    it('/items matches every item event and nothing else', () => {
      for (const op of ['add', 'update', 'share', 'delete']) expect(matchesAny(['/items'], ev('item', op, ITEM))).toBe(true);
      expect(matchesAny(['/items'], ev('group', 'add', GROUP))).toBe(false);
    });

    it('/items/add matches that operation on any item', () => {
      expect(matchesAny(['/items/add'], ev('item', 'add', OTHER))).toBe(true);
      expect(matchesAny(['/items/add'], ev('item', 'update', OTHER))).toBe(false);
    });

    it('/items/{id} matches every operation on that item only', () => {
      expect(matchesAny([`/items/${ITEM}`], ev('item', 'share', ITEM))).toBe(true);
      expect(matchesAny([`/items/${ITEM}`], ev('item', 'share', OTHER))).toBe(false);
      expect(matchesAny([`/items/${ITEM.toUpperCase()}`], ev('item', 'share', ITEM))).toBe(true);
    });

    it('/items/{id}/update matches that operation on that item', () => {
      expect(matchesAny([`/items/${ITEM}/update`], ev('item', 'update', ITEM))).toBe(true);
      expect(matchesAny([`/items/${ITEM}/update`], ev('item', 'delete', ITEM))).toBe(false);
      expect(matchesAny([`/items/${ITEM}/update`], ev('item', 'update', OTHER))).toBe(false);
    });

    it('groups, users and roles follow the same rules', () => {
      expect(matchesAny(['/groups'], ev('group', 'addUsers', GROUP))).toBe(true);
      expect(matchesAny([`/groups/${GROUP}/addUsers`], ev('group', 'addUsers', GROUP))).toBe(true);
      expect(matchesAny([`/groups/${GROUP}/addUsers`], ev('group', 'removeUsers', GROUP))).toBe(false);
      expect(matchesAny(['/users/jdoe'], ev('user', 'disable', 'jdoe'))).toBe(true);
      expect(matchesAny(['/users/jdoe'], ev('user', 'disable', 'other'))).toBe(false);
      expect(matchesAny(['/roles/add'], ev('role', 'add', 'x'))).toBe(true);
      expect(matchesAny(['/roles'], ev('user', 'add', 'x'))).toBe(false);
    });

    it('operations and usernames compare case-insensitively (signin vs signIn)', () => {
      expect(matchesAny(['/users/signin'], ev('user', 'signIn', 'jdoe'))).toBe(true);
      expect(matchesAny(['/users/JDoe/signIn'], ev('user', 'signIn', 'jdoe'))).toBe(true);
      expect(matchesAny(['/users/add'], ev('user', 'add', 'add'))).toBe(true);
    });
  });
});
