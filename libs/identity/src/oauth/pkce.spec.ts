import { clientById, OOB_REDIRECT, pkceChallenge, redirectAllowed } from './oauth-clients';

describe('PKCE and the built-in clients', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('the Manager client needs PKCE and returns only to the Manager on the portal', () => {
    const manager = clientById('nbmanager')!;
    const origins = ['https://portal.test:3443'];
    expect(manager.requiresPkce).toBe(true);
    expect(redirectAllowed(manager, 'https://portal.test:3443/arcgis/manager/', origins)).toBe(true);
    expect(redirectAllowed(manager, 'https://portal.test:3443/arcgis/manager/tasks', origins)).toBe(true);
    expect(redirectAllowed(manager, 'https://portal.test:3443/sharing/rest', origins)).toBe(false);
    expect(redirectAllowed(manager, 'https://evil.test/arcgis/manager/', origins)).toBe(false);
    expect(redirectAllowed(manager, OOB_REDIRECT, origins)).toBe(false);
    expect(redirectAllowed(clientById('arcgispro')!, OOB_REDIRECT, origins)).toBe(true);
  });

  it('knows no client by an inherited property name', () => {
    expect(clientById('toString')).toBeUndefined();
  });
});
