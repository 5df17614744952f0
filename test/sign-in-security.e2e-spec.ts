import { JwtService } from '@nestjs/jwt';
import { DEV_TOKEN_SECRET } from '@app/config';
import { RedisConnections } from '@app/queues';
import request from 'supertest';
import { createApi } from '../apps/api/src/create-api';
import { ApiHarness } from './support/api-harness';

/** The token key outside tests, and throttled password guessing (real Postgres and Redis). */
describe('sign-in security', () => {
  let h: ApiHarness;

  // NODE_ENV as the quickstart runs it: not 'test', and no TOKEN_SECRET.
  beforeAll(async () => {
    h = await ApiHarness.start({ NODE_ENV: 'development' });
  });
  afterAll(async () => h?.stop());

  const signIn = (username: string, password: string) => h.http.post('/sharing/rest/generateToken').type('form').send({ username, password, f: 'json' });

  it('without TOKEN_SECRET the server signs with a random key kept in Postgres, never with the key in the source', async () => {
    const [row] = await h.ds.query(`SELECT value FROM server_secrets WHERE name = 'token_secret'`);
    expect(row.value).toHaveLength(64);
    expect(row.value).not.toBe(DEV_TOKEN_SECRET);
    const [admin] = await h.ds.query(`SELECT id FROM users WHERE username = 'admin'`);
    const forged = new JwtService({}).sign({ sub: admin.id, username: 'admin', purpose: 'signin' }, { secret: DEV_TOKEN_SECRET, expiresIn: 600 });
    const res = await h.http.get('/sharing/rest/community/self?f=json').set('Authorization', `Bearer ${forged}`);
    expect(res.status).toBe(401);
    const token = await h.token();
    expect((await h.http.get('/sharing/rest/community/self?f=json').set('Authorization', `Bearer ${token}`)).status).toBe(200);

    // Another api process on the same database (a restart, or a second node) accepts the token.
    const other = await createApi(h.config, { logger: false });
    await other.init();
    try {
      expect((await request(other.getHttpServer()).get('/sharing/rest/community/self?f=json').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  describe('throttling', () => {
    const clear = async () => {
      const redis = h.app.get(RedisConnections);
      const keys = await redis.main.keys(`${redis.prefix}:login-fail:*`);
      if (keys.length) await redis.main.del(...keys);
    };
    beforeEach(clear);
    afterAll(clear);

    it('10 wrong passwords for one username: the 11th attempt gets 429 with Retry-After, even with the right password', async () => {
      for (let i = 0; i < 10; i++) expect((await signIn('admin', `wrong-${i}`)).status).toBe(400);
      const blocked = await signIn('admin', 'admin-password');
      expect(blocked.status).toBe(429);
      expect(blocked.body.error).toMatchObject({ code: 429, messageCode: 'TOO_MANY_SIGN_IN_FAILURES' });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.stringify(blocked.body)).not.toContain('admin-password');
    });

    it('10 failures from one address across usernames block that address', async () => {
      for (let i = 0; i < 10; i++) expect((await signIn(`guess-${i}`, 'x')).status).toBe(400);
      expect((await signIn('admin', 'admin-password')).status).toBe(429);
    });

    it('the OAuth2 sign-in (the Manager\'s JSON variant too) counts failures with generateToken and is blocked the same way', async () => {
      const oauthSignIn = async (password: string) => {
        const page = await h.http.get('/sharing/rest/oauth2/authorize').query({ client_id: 'arcgispro', response_type: 'code', redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', response_mode: 'json' });
        return h.http.post('/sharing/oauth2/signin').type('form').send({ oauth_state: page.body.oauth_state, username: 'admin', password });
      };
      for (let i = 0; i < 5; i++) expect((await signIn('admin', `wrong-${i}`)).status).toBe(400);
      for (let i = 0; i < 5; i++) expect((await oauthSignIn(`wrong-oauth-${i}`)).status).toBe(400);
      const blocked = await oauthSignIn('admin-password');
      expect(blocked.status).toBe(429);
      expect(blocked.body.error).toMatchObject({ code: 429, messageCode: 'TOO_MANY_SIGN_IN_FAILURES' });
      expect(JSON.stringify(blocked.body)).not.toContain('admin-password');
    });

    it('fewer than 10 failures do not block, and a success clears the username', async () => {
      for (let i = 0; i < 9; i++) await signIn('admin', 'wrong');
      expect((await signIn('admin', 'admin-password')).status).toBe(200);
    });
  });
});
