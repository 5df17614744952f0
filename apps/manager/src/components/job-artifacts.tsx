import { useState } from 'react';
import type { Rest } from '../api/rest';
import type { OutputFile } from '../api/types';
import { formatBytes } from '../lib/format';
import { Alert, errorText, SnapshotFrame } from './controls';

// The API needs the token in a header, so downloads go through fetch and a blob rather than a plain link.
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Saves a run's executed notebook as a file. */
export async function downloadNotebook(api: Rest, jobId: string, name = jobId): Promise<void> {
  save(new Blob([await api.jobs.notebook(jobId)], { type: 'application/x-ipynb+json' }), `${name}.ipynb`);
}

/** The files a run wrote and the server kept, each a download. */
export function OutputFiles({ api, files, label }: { api: Rest; files?: OutputFile[]; label: string }) {
  const [error, setError] = useState<string | null>(null);
  if (!files?.length) return null;
  const download = async (f: OutputFile) => {
    setError(null);
    try {
      save(await api.jobs.file(f.url), f.name.split('/').pop()!);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="output-files">
      <ul aria-label={`Output files of ${label}`}>
        {files.map((f) => (
          <li key={f.name}>
            <button type="button" onClick={() => download(f)} aria-label={`Download ${f.name}`}>
              {f.name}
            </button>{' '}
            <span className="hint">{formatBytes(f.size)}</span>
          </li>
        ))}
      </ul>
      <Alert>{error}</Alert>
    </div>
  );
}

/** Buttons for a finished run's artifacts: the HTML snapshot (shown in a sandboxed frame) and the executed notebook. */
export function JobArtifacts({ api, jobId, hasArtifacts, label }: { api: Rest; jobId: string; hasArtifacts: boolean; label: string }) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!hasArtifacts) return null;
  const open = async () => {
    setError(null);
    try {
      setHtml(html === null ? await api.jobs.snapshot(jobId) : null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const notebook = async () => {
    try {
      await downloadNotebook(api, jobId);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="artifacts">
      <button type="button" aria-expanded={html !== null} onClick={open}>
        {html === null ? 'Open snapshot' : 'Close snapshot'}
      </button>
      <button type="button" onClick={notebook}>
        Download notebook
      </button>
      <Alert>{error}</Alert>
      {html !== null && <SnapshotFrame html={html} title={`Snapshot of ${label}`} />}
    </div>
  );
}
