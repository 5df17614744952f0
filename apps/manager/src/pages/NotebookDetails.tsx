import { FormEvent, useState } from 'react';
import { Alert, errorText, JsonEditor, jsonObjectProblem, useAction } from '../components/controls';
import { describeSchedule } from '../lib/schedule';
import { taskStatus } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { Link, navigate } from '../router';
import { useSignedIn } from '../session';

const text = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);

/** One notebook: its cells, running it now with parameters, and its tasks. */
export function NotebookDetails({ id }: { id: string }) {
  const { api } = useSignedIn();
  const item = useData(() => api.items.get(id), [id]);
  const data = useData(() => api.items.data(id), [id]);
  const tasks = useData(() => (item.data ? api.tasks.list(item.data.owner) : Promise.resolve([])), [item.data?.owner]);
  const [params, setParams] = useState('{}');
  const run = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (jsonObjectProblem(params)) return;
    const r = await run.run(() => api.execute(id, params.trim() ? JSON.parse(params) : {}));
    if (r) navigate(`/jobs/${r.jobId}`);
  };

  if (!item.data) return <Alert>{errorText(item.error)}</Alert>;
  const mine = (tasks.data ?? []).filter((t) => t.itemId === id);
  return (
    <section aria-labelledby="nb-title">
      <p>
        <Link to="/notebooks">← Notebooks</Link>
      </p>
      <h1 id="nb-title">{item.data.title}</h1>
      <p>
        Owner {item.data.owner} · <code>{id}</code>
      </p>

      <form onSubmit={submit} aria-labelledby="run-title" className="card">
        <h2 id="run-title">Run it now</h2>
        <JsonEditor label="Parameters" value={params} onChange={setParams} />
        <Alert>{run.error}</Alert>
        <button type="submit" className="primary" disabled={run.busy || !!jsonObjectProblem(params)}>
          Run now
        </button>
      </form>

      <h2 id="nb-tasks">Tasks</h2>
      {mine.length ? (
        <ul aria-labelledby="nb-tasks">
          {mine.map((t) => (
            <li key={t.id}>
              <Link to={`/tasks/${encodeURIComponent(t.userId)}/${t.id}`}>{t.title}</Link> — {describeSchedule(t.cronSchedule)} · {taskStatus(t)}
            </li>
          ))}
        </ul>
      ) : (
        <p>
          No tasks run this notebook. <Link to="/tasks/new">New task</Link>
        </p>
      )}

      <h2>Cells</h2>
      <Alert>{errorText(data.error)}</Alert>
      <ol className="cells">
        {(data.data?.cells ?? []).map((c, i) => (
          <li key={i} className={`cell cell-${c.cell_type}`}>
            <span className="cell-kind">
              {c.cell_type}
              {c.metadata?.tags?.length ? ` · ${c.metadata.tags.join(', ')}` : ''}
            </span>
            <pre className="code">{text(c.source)}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
