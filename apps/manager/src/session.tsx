import { createContext, ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { ApiError, Http } from './api/http';
import { Rest, restClient } from './api/rest';
import type { Role } from './api/types';

/** Who is signed in. Kept in localStorage so a reload keeps the session (until the token expires). */
export interface Session {
  token: string;
  expires: number;
  username: string;
  fullName: string;
  role: Role;
}

const KEY = 'nbautomation.manager.session';

export function loadSession(now = Date.now()): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && s.token && s.expires > now ? s : null;
  } catch {
    return null;
  }
}

function saveSession(s: Session | null): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}

interface SessionState {
  session: Session | null;
  /** Why the user must sign in (again), e.g. an expired token. */
  notice: string | null;
  /** The token stopped working while pages were open: they stay (with their forms) under a sign-in dialog. */
  expired: boolean;
  isAdmin: boolean;
  api: Rest;
  signIn(username: string, password: string): Promise<void>;
  signOut(): void;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children, fetchImpl }: { children: ReactNode; fetchImpl?: typeof fetch }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(() =>
    localStorage.getItem(KEY) && !loadSession() ? 'Your session has expired. Sign in again.' : null,
  );
  const [expired, setExpired] = useState(false);
  // What requests use: no token once it has stopped working, until the next sign-in.
  const current = useRef(session);
  current.current = expired ? null : session;

  const ended = useCallback((e: ApiError) => {
    if (!current.current) return;
    current.current = null;
    saveSession(null);
    setExpired(true);
    setNotice(e.code === 498 ? 'Your session has expired. Sign in again to continue.' : 'Please sign in to continue.');
  }, []);

  const api = useMemo(() => restClient(new Http(() => current.current?.token ?? null, ended, fetchImpl)), [ended, fetchImpl]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const t = await api.signIn(username, password);
      current.current = { token: t.token, expires: t.expires, username, fullName: username, role: 'org_user' };
      const me = await api.me();
      const s: Session = { token: t.token, expires: t.expires, username: me.username, fullName: me.fullName || me.username, role: me.role };
      current.current = s;
      saveSession(s);
      setSession(s);
      setExpired(false);
      setNotice(null);
    },
    [api],
  );

  const signOut = useCallback(() => {
    current.current = null;
    saveSession(null);
    setSession(null);
    setExpired(false);
    setNotice('You have signed out.');
  }, []);

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
