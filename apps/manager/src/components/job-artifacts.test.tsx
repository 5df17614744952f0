import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Http } from '../api/http';
import { restClient } from '../api/rest';
import { OutputFiles } from './job-artifacts';

describe('OutputFiles', () => {
  it('lists a run’s output files and downloads one from this origin, with the token in the header', async () => {
    const fetchImpl = vi.fn(async () => new Response(new Blob(['png']), { status: 200 }));
    const api = restClient(new Http(() => 'tok', { renew: async () => false, ended: () => undefined }, fetchImpl as unknown as typeof fetch));
    const saved = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:x');
    const files = [
      { name: 'charts/plot.png', size: 2048, url: 'http://localhost:3000/arcgis/admin/system/jobs/j1/files/charts/plot.png' },
      { name: 'report.csv', size: 12, url: 'http://localhost:3000/arcgis/admin/system/jobs/j1/files/report.csv' },
    ];
    render(<OutputFiles api={api} files={files} label="job j1" />);
    expect(screen.getByRole('list', { name: 'Output files of job j1' }).textContent).toContain('2.0 KiB');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Download charts/plot.png' })));
    const [path, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe('/arcgis/admin/system/jobs/j1/files/charts/plot.png');
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer tok');
    expect(saved).toHaveBeenCalledTimes(1);
  });

  it('shows nothing for a run without files', () => {
    const api = restClient(new Http(() => null, { renew: async () => false, ended: () => undefined }));
    const { container } = render(<OutputFiles api={api} label="job j2" />);
    expect(container.textContent).toBe('');
  });
});
