import { createContext, ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { ApiError, Http, SessionHooks } from './api/http';
import { oauthClient } from './api/oauth';
import { Rest, restClient } from './api/rest';
import type { OAuthToken, Role } from './api/types';

/**
 * Who is signed in, through OAuth2: a short access token and the refresh token that renews it. Kept in
 * localStorage so a reload keeps the session until the refresh token expires or is revoked.
 */
export interface Session {
  /** The access token; when the server refuses it, the refresh token gets another (api/http.ts). */
  token: string;
  refreshToken: string;
  refreshExpires: number;
  username: string;
  fullName: string;
  role: Role;
}

const KEY = 'nbautomation.manager.session';

export function loadSession(now = Date.now()): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && s.token && s.refreshToken && s.refreshExpires > now ? s : null;
  } catch {
    return null;
  }
}

function saveSession(s: Session | null): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}

// For requests that must never renew or end the session (the OAuth2 endpoints themselves).
const UNMANAGED: SessionHooks = { renew: async () => false, ended: () => undefined };

const withAccess = (s: Session, t: OAuthToken): Session => ({ ...s, token: t.access_token });

interface SessionState {
  session: Session | null;
  /** Why the user must sign in (again), e.g. a session that ended. */
  notice: string | null;
  /** The session ended while pages were open: they stay (with their forms) under a sign-in dialog. */
  expired: boolean;
  isAdmin: boolean;
  api: Rest;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children, fetchImpl }: { children: ReactNode; fetchImpl?: typeof fetch }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(() =>
    localStorage.getItem(KEY) && !loadSession() ? 'Your session has expired. Sign in again.' : null,
  );
  const [expired, setExpired] = useState(false);
  // What requests use: no token once the session has ended, until the next sign-in.
  const current = useRef(session);
  current.current = expired ? null : session;
  const renewing = useRef<Promise<boolean> | null>(null);

  // The OAuth2 endpoints take no Authorization header (the refresh token is the credential).
  const oauth = useMemo(() => oauthClient(new Http(() => null, UNMANAGED, fetchImpl)), [fetchImpl]);

  const adopt = useCallback((s: Session | null) => {
    current.current = s;
    saveSession(s);
    setSession(s);
  }, []);

  const hooks = useMemo<SessionHooks>(
    () => ({
      // One refresh at a time, however many requests were refused together.
      renew() {
        const s = current.current;
        if (!s) return Promise.resolve(false);
        renewing.current ??= oauth
          .refresh(s.refreshToken)
          .then(
            (t) => (adopt(withAccess(s, t)), true),
            () => false,
          )
          .finally(() => (renewing.current = null));
        return renewing.current;
      },
      ended(e: ApiError) {
        if (!current.current) return;
        current.current = null;
        saveSession(null);
        setExpired(true);
        setNotice(e.code === 498 ? 'Your session has expired. Sign in again to continue.' : 'Please sign in to continue.');
      },
    }),
    [oauth, adopt],
  );

  const api = useMemo(() => restClient(new Http(() => current.current?.token ?? null, hooks, fetchImpl)), [hooks, fetchImpl]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const t = await oauth.signIn(username, password);
      current.current = { token: t.access_token, refreshToken: t.refresh_token!, refreshExpires: Date.now() + (t.refresh_token_expires_in ?? 0) * 1000, username: t.username, fullName: t.username, role: 'org_user' };
      const me = await api.me();
      adopt({ ...current.current, username: me.username, fullName: me.fullName || me.username, role: me.role });
      setExpired(false);
      setNotice(null);
    },
    [api, oauth, adopt],
  );

  /** Ends the portal session (signout) and revokes the refresh token; the Manager forgets both either way. */
  const signOut = useCallback(async () => {
    const s = current.current;
    adopt(null);
    setExpired(false);
    setNotice('You have signed out.');
    if (!s) return;
    const asUser = oauthClient(new Http(() => s.token, UNMANAGED, fetchImpl));
    await asUser.signOut().catch(() => undefined);
    await oauth.revoke(s.refreshToken).catch(() => undefined);
  }, [adopt, oauth, fetchImpl]);

  const value = useMemo(
    () => ({ session, notice, expired, isAdmin: session?.role === 'org_admin', api, signIn, signOut }),
    [session, notice, expired, api, signIn, signOut],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in session; pages render only inside the signed-in shell. */
export function useSignedIn(): SessionState & { session: Session } {
  const s = useSession();
  if (!s.session) throw new Error('useSignedIn without a session');
  return s as SessionState & { session: Session };
}
