import { useEffect, useRef } from 'react';
import { JobDetails } from './pages/JobDetails';
import { Jobs } from './pages/Jobs';
import { NotebookDetails } from './pages/NotebookDetails';
import { Notebooks } from './pages/Notebooks';
import { NotificationStatus } from './pages/NotificationStatus';
import { SignIn } from './pages/SignIn';
import { Site } from './pages/Site';
import { TaskDetails } from './pages/TaskDetails';
import { TaskForm } from './pages/TaskForm';
import { Tasks } from './pages/Tasks';
import { WebhookForm } from './pages/WebhookForm';
import { Webhooks } from './pages/Webhooks';
import { Link, match, navigate, usePath } from './router';
import { useSession } from './session';

const NAV = [
  { to: '/notebooks', label: 'Notebooks' },
  { to: '/tasks', label: 'Tasks' },
  { to: '/jobs', label: 'Jobs' },
  { to: '/webhooks', label: 'Webhooks', admin: true },
  { to: '/site', label: 'Site', admin: true },
];

/** The route table: the first pattern that matches renders its page. */
function route(path: string, isAdmin: boolean) {
  let m: Record<string, string> | null;
  if ((m = match('/notebooks/:id', path))) return <NotebookDetails id={m.id} />;
  if (path === '/notebooks') return <Notebooks />;
  if (path === '/tasks/new') return <TaskForm />;
  if ((m = match('/tasks/:owner/:id/edit', path))) return <TaskForm owner={m.owner} id={m.id} />;
  if ((m = match('/tasks/:owner/:id', path))) return <TaskDetails owner={m.owner} id={m.id} />;
  if (path === '/tasks') return <Tasks />;
  if ((m = match('/jobs/:id', path))) return <JobDetails id={m.id} />;
  if (path === '/jobs') return <Jobs />;
  if (isAdmin) {
    if (path === '/webhooks/new') return <WebhookForm />;
    if ((m = match('/webhooks/:id/edit', path))) return <WebhookForm id={m.id} />;
    if ((m = match('/webhooks/:id/status', path))) return <NotificationStatus id={m.id} />;
    if (path === '/webhooks') return <Webhooks />;
    if (path === '/site') return <Site />;
  }
  return null;
}

export function App() {
  const { session, expired, isAdmin, signOut } = useSession();
  const path = usePath();

  useEffect(() => {
    if (session && path === '/') navigate('/tasks', true);
  }, [session, path]);

  // A new page: keyboard and screen-reader users start at its content, not at the last link they pressed.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);

  if (!session) return <SignIn />;
  const page = route(path, isAdmin);
  const section = NAV.find((n) => path === n.to || path.startsWith(`${n.to}/`));

  return (
    // Keyed by user: a different user signing in after an expiry starts from a clean slate.
    <div className="shell" key={session.username}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Notebook Automation Manager</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.admin || isAdmin).map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={section?.to === n.to ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {session.fullName} ({isAdmin ? 'administrator' : 'user'})
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page ?? (
          <section>
            <h1>Page not found</h1>
            <p>
              There is nothing at this address. <Link to="/tasks">Go to Tasks</Link>.
            </p>
          </section>
        )}
      </main>
      {expired && <SignIn asDialog />}
    </div>
  );
}
