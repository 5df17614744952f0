import { FormEvent, useRef, useState } from 'react';
import { Alert, errorText, useDialogFocus } from '../components/controls';
import { useSession } from '../session';

/**
 * Username and password → the OAuth2 sign-in (session.tsx). Also shown as a dialog over open pages when the session
 * ends and cannot be renewed.
 */
export function SignIn({ asDialog = false }: { asDialog?: boolean }) {
  const passwordRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);
  const { signIn, notice, session } = useSession();
  const [username, setUsername] = useState(session?.username ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The page starts at Username; the dialog (same user again) at Password.
  const focus = useDialogFocus(asDialog ? passwordRef : usernameRef);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  const form = (
    <form className="signin" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">{asDialog ? 'Sign in again' : 'Notebook Automation Manager'}</h1>
      {notice && <Alert kind="info">{notice}</Alert>}
      {asDialog && <p>Your open pages and forms are kept; sign in to carry on where you were.</p>}
      <div className="field">
        <label htmlFor="signin-username">Username</label>
        <input ref={usernameRef} id="signin-username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="signin-password">Password</label>
        <input ref={passwordRef} id="signin-password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <Alert>{error}</Alert>
      <button type="submit" className="primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
  if (!asDialog) return <main className="signin-page">{form}</main>;
  return (
    <div className="backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="signin-title" className="dialog" ref={focus.ref} onKeyDown={focus.onKeyDown}>
        {form}
      </div>
    </div>
  );
}
