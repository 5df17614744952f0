import { FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../api/http';
import type { Role } from '../api/types';
import { Alert, ConfirmButton, errorText, Field, useAction } from '../components/controls';
import { formatTime } from '../lib/format';
import { visibleGroups } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { useSignedIn } from '../session';

/** The site properties the server knows, with their allowed ranges (libs/execution/src/system-properties.ts). */
export const PROPERTIES: { key: string; label: string; min: number; max: number }[] = [
  { key: 'maxExecuteNotebookContainersPerNode', label: 'Runs at once per node (maxExecuteNotebookContainersPerNode)', min: 1, max: 1000 },
  { key: 'maxExecuteNotebookTimeMinutes', label: 'Longest run, minutes (maxExecuteNotebookTimeMinutes)', min: 1, max: 10080 },
  { key: 'warmPoolSizePerRuntime', label: 'Warm containers per runtime (warmPoolSizePerRuntime)', min: 0, max: 100 },
  { key: 'ExecuteNotebooksUserLimit', label: 'Active tasks per user (ExecuteNotebooksUserLimit)', min: 0, max: 100000 },
  { key: 'ExecuteNotebooksOrgLimit', label: 'Active tasks in the organization (ExecuteNotebooksOrgLimit)', min: 0, max: 1000000 },
  { key: 'FailedRunsToDisableTask', label: 'Failures that disable a task (FailedRunsToDisableTask)', min: 1, max: 1000 },
  { key: 'TaskRunHistoryCount', label: 'Runs kept per task (TaskRunHistoryCount)', min: 1, max: 10000 },
  { key: 'MissedFireGraceSeconds', label: 'Grace for a missed fire, seconds (MissedFireGraceSeconds)', min: 0, max: 604800 },
];

/** A property value's problem, or null. */
export function propertyProblem(key: string, value: string): string | null {
  const p = PROPERTIES.find((x) => x.key === key);
  if (!p) return null;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) return 'Must be a whole number.';
  if (n < p.min || n > p.max) return `Must be from ${p.min} to ${p.max}.`;
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
  const [values, setValues] = useState<Record<string, string>>({});
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
    for (const p of PROPERTIES) {
      const problem = values[p.key] !== undefined ? propertyProblem(p.key, values[p.key]) : null;
      if (problem) bad[p.key] = problem;
    }
    setErrors(bad);
    if (Object.keys(bad).length) return;
    const changed = Object.fromEntries(PROPERTIES.filter((p) => values[p.key] !== undefined && Number(values[p.key]) !== props.data?.[p.key]).map((p) => [p.key, Number(values[p.key])]));
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
        {PROPERTIES.filter((p) => values[p.key] !== undefined).map((p) => (
          <Field key={p.key} label={p.label} hint={`${p.min}-${p.max}`} error={errors[p.key] ?? (values[p.key] !== undefined ? propertyProblem(p.key, values[p.key]) : null)}>
            {(f) => <input {...f} type="number" min={p.min} max={p.max} value={values[p.key]} onChange={(e) => setValues((v) => ({ ...v, [p.key]: e.target.value }))} />}
          </Field>
        ))}
      </div>
      <Alert>{save.error ?? errorText(props.error)}</Alert>
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
