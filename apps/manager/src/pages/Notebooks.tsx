import { FormEvent, useState } from 'react';
import { Alert, errorText, Field, useAction } from '../components/controls';
import { formatTime } from '../lib/format';
import { visibleNotebooks } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { Link, navigate } from '../router';
import { useSignedIn } from '../session';

/** The user's notebook items (administrators: everyone's), and uploading a new one. */
export function Notebooks() {
  const { api, session, isAdmin } = useSignedIn();
  const notebooks = useData(() => visibleNotebooks(api, session.username, isAdmin), [session.username]);
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const upload = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return upload.setError('Choose a .ipynb file.');
    const r = await upload.run(() => api.items.upload(session.username, title.trim() || file.name.replace(/\.ipynb$/i, ''), file));
    if (r) navigate(`/notebooks/${r.id}`);
  };

  return (
    <section aria-labelledby="notebooks-title">
      <h1 id="notebooks-title">Notebooks</h1>
      <form className="inline-form" onSubmit={submit} aria-label="Upload a notebook">
        <Field label="Notebook file (.ipynb)">
          {(p) => <input {...p} type="file" accept=".ipynb,application/x-ipynb+json,application/json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
        </Field>
        <Field label="Title" hint="Empty: the file's name">
          {(p) => <input {...p} value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={upload.busy}>
          Upload
        </button>
      </form>
      <Alert>{upload.error ?? errorText(notebooks.error)}</Alert>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Notebook items</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Owner</th>
              <th scope="col">Shared with</th>
              <th scope="col">Modified</th>
            </tr>
          </thead>
          <tbody>
            {(notebooks.data ?? []).map((n) => (
              <tr key={n.id}>
                <th scope="row">
                  <Link to={`/notebooks/${n.id}`}>{n.title}</Link>
                </th>
                <td>{n.owner}</td>
                <td>{n.access}</td>
                <td>{formatTime(n.modified)}</td>
              </tr>
            ))}
            {notebooks.data?.length === 0 && (
              <tr>
                <td colSpan={4}>No notebooks yet: upload one above.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
