/**
 * search: latency of portal search (`/sharing/rest/search`, `community/users`) over 100,000 items, as the
 * administrator and as a user whose results are filtered by what they may read. No worker runs.
 *
 *   npm run bench:search        (BENCH_SEARCH_ITEMS=100000, BENCH_SEARCH_REQUESTS=40 per query)
 *
 * Items are inserted with SQL (titles, tags and snippets drawn from a word list; a quarter shared with the
 * organization, a few shared to a group); then each query is sent BENCH_SEARCH_REQUESTS times, one at a time, and
 * the HTTP round trip (the api is its own process) is timed. The target is p50 under 50 ms.
 */
import { machine, percentiles, runBenchmark, Site, writeResult } from './support';

const ITEMS = Number(process.env.BENCH_SEARCH_ITEMS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_SEARCH_REQUESTS ?? 40);
const WORDS = ['fire', 'flood', 'river', 'census', 'traffic', 'parcel', 'zoning', 'weather', 'forest', 'coast', 'transit', 'school', 'water', 'energy', 'health', 'crime', 'housing', 'soil', 'wind', 'snow'];

async function seed(site: Site): Promise<{ userToken: string; groupId: string }> {
  const [{ id: adminId }] = (await site.pg.query(`SELECT id FROM users WHERE username = 'admin'`)).rows;
  await site.form('/portaladmin/security/users/createUser', { username: 'reader', password: 'reader-password', role: 'org_user', f: 'json' });
  const group = await site.form('/sharing/rest/community/createGroup', { title: 'Bench group', access: 'private', f: 'json' });
  await site.form(`/sharing/rest/community/groups/${group.group.id}/addUsers`, { users: 'reader', f: 'json' });
  const w = (expr: string) => `(ARRAY[${WORDS.map((x) => `'${x}'`).join(',')}])[1 + (${expr}) % ${WORDS.length}]`;
  await site.pg.query(
    `INSERT INTO items (id, owner_id, type, title, snippet, description, tags, access, data, size, created, modified)
     SELECT md5('item' || g), $1, 'Notebook',
            initcap(${w('g')}) || ' ' || ${w('g / 7')} || ' report ' || g,
            'notebook about ' || ${w('g / 3')} || ' and ' || ${w('g / 11')}, '',
            ARRAY[${w('g / 5')}, ${w('g / 13')}], CASE WHEN g % 4 = 0 THEN 'org' ELSE 'private' END, '{}', 2,
            now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
     FROM generate_series(1, $2) g`,
    [adminId, ITEMS],
  );
  await site.pg.query(`INSERT INTO item_group_shares (item_id, group_id) SELECT md5('item' || g), $1 FROM generate_series(1, $2, 100) g`, [group.group.id, ITEMS]);
  await site.pg.query('ANALYZE');
  const t = await site.form('/sharing/rest/generateToken', { username: 'reader', password: 'reader-password', f: 'json' }, false);
  return { userToken: t.token as string, groupId: group.group.id as string };
}

async function time(site: Site, path: string, token: string, form: Record<string, string>) {
  const ms: number[] = [];
  let total = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    const res = await fetch(site.base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ f: 'json', num: '10', ...form }).toString(),
    });
    const body = (await res.json()) as { total?: number; error?: unknown };
    ms.push(performance.now() - t0);
    if (!res.ok) throw new Error(`${path} ${JSON.stringify(form)}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    total = body.total ?? 0;
  }
  return { total, ...percentiles(ms) };
}

async function main() {
  const before = machine();
  console.log(`search: ${ITEMS} items, ${REQUESTS} requests per query; machine ${JSON.stringify(before)}`);
  const site = await Site.start({ worker: false });
  try {
    const t0 = Date.now();
    const { userToken, groupId } = await seed(site);
    console.log(`  seeded in ${Date.now() - t0} ms`);
    const admin = await site.token();
    const queries: Array<[string, string, string, Record<string, string>]> = [
      ['bare word (admin)', admin, '/sharing/rest/search', { q: 'flood' }],
      ['rare word + sort (admin)', admin, '/sharing/rest/search', { q: 'report 4242', sortField: 'title' }],
      ['phrase (admin)', admin, '/sharing/rest/search', { q: '"about fire and"' }],
      ['fields AND/OR/NOT (admin)', admin, '/sharing/rest/search', { q: '(tags:fire OR tags:snow) AND title:report NOT access:org', sortField: 'modified', sortOrder: 'desc' }],
      ['bare word (user: read filter)', userToken, '/sharing/rest/search', { q: 'flood' }],
      ['group: (user, as REST JS asks)', userToken, '/sharing/rest/search', { q: `id: ${'0'.repeat(32)} AND group: ${groupId}` }],
      ['everything (user)', userToken, '/sharing/rest/search', { q: '' }],
      ['community/users', admin, '/sharing/rest/community/users', { q: 'read' }],
    ];
    const results = [];
    for (const [name, token, path, form] of queries) {
      const r = await time(site, path, token, form);
      console.log(`  ${name.padEnd(34)} p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  max ${r.max.toFixed(1)} ms  (total ${r.total})`);
      results.push({ name, path, form, ...r });
    }
    console.log(`  → ${writeResult('search', { items: ITEMS, requestsPerQuery: REQUESTS, results, machine: { before, after: machine() } })}`);
  } finally {
    await site.stop();
  }
}

runBenchmark(main);
