import { FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../api/http';
import type { PropertyLimit, Role } from '../api/types';
import { Alert, ConfirmButton, errorText, Field, useAction } from '../components/controls';
import { formatTime } from '../lib/format';
import { visibleGroups } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { useSignedIn } from '../session';

/** Words for the properties; the list of properties and their ranges come from the server. */
const LABELS: Record<string, string> = {
  maxExecuteNotebookContainersPerNode: 'Runs at once per node',
  maxExecuteNotebookTimeMinutes: 'Longest run, minutes',
  warmPoolSizePerRuntime: 'Warm containers per runtime',
  ExecuteNotebooksUserLimit: 'Active tasks per user',
  ExecuteNotebooksOrgLimit: 'Active tasks in the organization',
  FailedRunsToDisableTask: 'Failures that disable a task',
  TaskRunHistoryCount: 'Runs kept per task',
  MissedFireGraceSeconds: 'Grace for a missed fire, seconds',
  maxRunOutputBytes: 'Output one run may print, bytes',
};

const labelOf = (key: string) => (LABELS[key] ? `${LABELS[key]} (${key})` : key);

/** A property value's problem against its range, or null. */
export function propertyProblem(limit: PropertyLimit, value: string): string | null {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) return 'Must be a whole number.';
  if (n < limit.min || n > limit.max) return `Must be from ${limit.min} to ${limit.max}.`;
  return null;
}

/** Administrators: the machines, the system properties, users and groups. */
export function Site() {
  return (
    <section aria-labelledby="site-title">
      <h1 id="site-title">Site</h1>
      <Machines />
      <Properties />
      <Users />
      <Groups />
    </section>
  );
}

function Machines() {
  const { api } = useSignedIn();
  const machines = useData(() => api.site.machines(), [], 5000);
  return (
    <>
      <h2 id="machines-title">Machines</h2>
      <Alert>{errorText(machines.error)}</Alert>
      <div className="table-wrap">
        <table aria-labelledby="machines-title">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Alive</th>
              <th scope="col">Runs in progress</th>
              <th scope="col">Cap</th>
              <th scope="col">Warm containers</th>
              <th scope="col">Runner images</th>
              <th scope="col">Docker</th>
              <th scope="col">Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {(machines.data ?? []).map((m) => (
              <tr key={m.machineName}>
                <th scope="row">{m.machineName}</th>
                <td>
                  <span className={`badge ${m.healthcheck ? 'badge-yes' : 'badge-no'}`}>{m.healthcheck ? 'Alive' : 'Down'}</span>
                </td>
                <td>{m.runsInProgress}</td>
                <td>{m.maxExecuteNotebookContainersPerNode}</td>
                <td>{m.warmContainers}</td>
                <td>{m.runtimeImagesMissing?.length ? `Missing: ${m.runtimeImagesMissing.join(', ')}` : 'All present'}</td>
                <td>
                  {m.dockerAvailable ? 'Available' : 'Unreachable'}
                </td>
                <td>{formatTime(m.lastHeartbeat)}</td>
              </tr>
            ))}
            {machines.data?.length === 0 && (
              <tr>
                <td colSpan={8}>No worker node has started yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Properties() {
  const { api } = useSignedIn();
  const props = useData(() => api.site.properties(), []);
  const limits = useData(() => api.site.limits(), []);
  const [values, setValues] = useState<Record<string, string>>({});
  // The properties the server lists, in its order, once both their values and their ranges are in.
  const shown = Object.entries(limits.data ?? {}).filter(([key]) => values[key] !== undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useAction();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (props.data) setValues(Object.fromEntries(Object.entries(props.data).map(([k, v]) => [k, String(v)])));
  }, [props.data]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const bad: Record<string, string> = {};
    for (const [key, limit] of shown) {
      const problem = propertyProblem(limit, values[key]);
      if (problem) bad[key] = problem;
    }
    setErrors(bad);
    if (Object.keys(bad).length) return;
    const changed = Object.fromEntries(shown.filter(([key]) => Number(values[key]) !== props.data?.[key]).map(([key]) => [key, Number(values[key])]));
    try {
      await api.site.updateProperties(changed);
      setSaved(true);
      await props.reload();
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      save.setError(errorText(err));
    }
  };

  return (
    <form onSubmit={submit} className="card" aria-labelledby="props-title" noValidate>
      <h2 id="props-title">System properties</h2>
      <div className="props-grid">
        {shown.map(([key, limit]) => (
          <Field key={key} label={labelOf(key)} hint={`${limit.min}-${limit.max}`} error={errors[key] ?? propertyProblem(limit, values[key])}>
            {(f) => <input {...f} type="number" min={limit.min} max={limit.max} value={values[key]} onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.value }))} />}
          </Field>
        ))}
      </div>
      <Alert>{save.error ?? errorText(props.error ?? limits.error)}</Alert>
      <Alert kind="success">{saved ? 'System properties saved; every node applies them within seconds.' : null}</Alert>
      <button type="submit" className="primary">
        Save
      </button>
    </form>
  );
}

function Users() {
  const { api, session } = useSignedIn();
  const users = useData(() => api.users.list(), []);
  const action = useAction();
  const [form, setForm] = useState({ username: '', fullname: '', email: '', password: '', role: 'org_user' as Role });
  const [created, setCreated] = useState<string | null>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setCreated(null);
    await action.run(fn);
    await users.reload();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() => api.users.create(form));
    if (r) {
      setCreated(`User ${form.username} created.`);
      setForm({ username: '', fullname: '', email: '', password: '', role: 'org_user' });
      await users.reload();
    }
  };

  return (
    <>
      <h2 id="users-title">Users</h2>
      <Alert>{action.error ?? errorText(users.error)}</Alert>
      <Alert kind="success">{created}</Alert>
      <div className="table-wrap">
        <table aria-labelledby="users-title">
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Account</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.username}</th>
                <td>{u.fullName}</td>
                <td>
                  <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                    Role of {u.username}
                  </label>
                  <select id={`role-${u.id}`} value={u.role} onChange={(e) => act(() => api.users.setRole(u.username, e.target.value as Role))}>
                    <option value="org_admin">Administrator</option>
                    <option value="org_user">User</option>
                  </select>
                </td>
                <td>{u.disabled ? 'Disabled' : 'Enabled'}</td>
                <td>
                  {u.username !== session.username &&
                    (u.disabled ? (
                      <button type="button" onClick={() => act(() => api.users.setDisabled(u.username, false))}>
                        Enable
                      </button>
                    ) : (
                      <ConfirmButton label="Disable" title="Disable account" question={<p>Disable {u.username}? Their tokens stop working at once.</p>} onConfirm={() => act(() => api.users.setDisabled(u.username, true))} />
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form onSubmit={submit} className="card" aria-labelledby="new-user-title">
        <h3 id="new-user-title">New user</h3>
        <div className="row">
          <Field label="New username">{(p) => <input {...p} required value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />}</Field>
          <Field label="Full name">{(p) => <input {...p} value={form.fullname} onChange={(e) => setForm({ ...form, fullname: e.target.value })} />}</Field>
          <Field label="Email">{(p) => <input {...p} type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />}</Field>
          <Field label="Initial password" hint="At least 8 characters">
            {(p) => <input {...p} type="password" autoComplete="new-password" required value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />}
          </Field>
          <Field label="Role">
            {(p) => (
              <select {...p} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
                <option value="org_user">User</option>
                <option value="org_admin">Administrator</option>
              </select>
            )}
          </Field>
        </div>
        <button type="submit" className="primary" disabled={action.busy}>
          Create user
        </button>
      </form>
    </>
  );
}

function Groups() {
  const { api } = useSignedIn();
  const groups = useData(() => visibleGroups(api), []);
  const [title, setTitle] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => api.groups.create(title, 'org'))) {
      setTitle('');
      await groups.reload();
    }
  };
  return (
    <>
      <h2 id="groups-title">Groups</h2>
      <p>The organization's groups (where this server offers a group search), else the groups you belong to.</p>
      <Alert>{action.error ?? errorText(groups.error)}</Alert>
      <div className="table-wrap">
        <table aria-labelledby="groups-title">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Owner</th>
              <th scope="col">Access</th>
              <th scope="col">Members</th>
            </tr>
          </thead>
          <tbody>
            {(groups.data ?? []).map((g) => (
              <tr key={g.id}>
                <th scope="row">{g.title}</th>
                <td>{g.owner}</td>
                <td>{g.access}</td>
                <td>{(g.users ?? []).map((u) => `${u.username} (${u.memberType})`).join(', ')}</td>
              </tr>
            ))}
            {groups.data?.length === 0 && (
              <tr>
                <td colSpan={4}>You belong to no group.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <form onSubmit={submit} className="inline-form" aria-label="New group">
        <Field label="New group title">{(p) => <input {...p} required value={title} onChange={(e) => setTitle(e.target.value)} />}</Field>
        <button type="submit" disabled={action.busy}>
          Create group
        </button>
      </form>
    </>
  );
}
