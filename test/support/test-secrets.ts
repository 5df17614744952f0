import { DEV_TOKEN_SECRET } from '@app/config';

/**
 * Secrets the test files write as literals (passwords of users they create, webhook and receiver secrets, the test
 * TOKEN_SECRET). The harnesses record the others as they use them (`testSecret`): each test config's secrets, the
 * passwords of `ApiHarness.user` and every token they issue.
 */
export const KNOWN_TEST_SECRETS: Record<string, string> = {
  'test TOKEN_SECRET': DEV_TOKEN_SECRET,
  'admin password': 'admin-password',
  'a user password (identity)': 'long-enough-pw',
  'a user password (identity, change)': 'a-good-password',
  'a user password (identity, reset)': 'brand-new-password',
  'a user password (webhooks-triggers)': 'another-password',
  'a user password (arcgis-rest-js)': 'jsuser-password',
  'a user password (arcgis-rest-js, extra)': 'jsextra-password',
  'a user password (client-gaps)': 'pub1-password',
  'a user password (python-client-flows)': 'pyuser-password',
  'a user password (python-client-flows, other)': 'pyother-password',
  'a user password (manager-webhooks)': 'alice-password',
  'a user password (roles)': 'gina-password',
  'a user password (roles, other)': 'fay-password',
  'a secret (clients-plumbing)': 'S3cr3t-Pa55word-xyz',
  'TOKEN_SECRET (fault-injection)': 'fault-suite-secret-fault-suite-secret',
  'NOTIFICATION_SECRET (notifications)': 'notification-test-secret-0123456789',
  'a webhook secret (webhooks)': 'items-hook-secret',
  'a rotated webhook secret (webhooks)': 'the-newest-secret',
};
