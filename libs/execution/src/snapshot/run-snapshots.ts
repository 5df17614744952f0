import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { HtmlExporter } from '../runner-backend/html-exporter';
import { plainSnapshot } from './plain-snapshot';

/** A big notebook takes a while to render; a stuck exporter must not hold the run for longer. */
const RENDER_TIMEOUT_MS = 60_000;

/**
 * Who renders a run's snapshot.html. With SNAPSHOT_EXPORT=host and the worker's exporter up, the run's spec says
 * `snapshot: "none"` and the exporter renders the executed notebook here; otherwise the runner renders it, as before.
 * A runner that ignores the field (an older or custom image) sends its own snapshot, which is kept.
 */
@Injectable()
export class RunSnapshots {
  private readonly log = new Logger('RunSnapshots');

  constructor(
    private readonly exporter: HtmlExporter,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The spec's `snapshot` for a run whose input is sent now. */
  mode(): 'none' | 'runner' {
    return this.config.execution.snapshotExport === 'host' && this.exporter.up ? 'none' : 'runner';
  }

  /**
   * Adds snapshot.html to the output files of a run sent with `snapshot: "none"` when there is a notebook and no
   * snapshot (so a run has artifacts exactly when its runner wrote the notebook, as before). If the exporter died or
   * stuck meanwhile, it is restarted and asked once more; failing that, the plain snapshot. Returns how long it took
   * (undefined: nothing to render) and the note to add when the snapshot is the plain one.
   */
  async complete(files: Map<string, Buffer>, mode: 'none' | 'runner'): Promise<{ ms?: number; note?: string }> {
    const notebook = files.get('notebook.ipynb')?.toString('utf8');
    if (mode !== 'none' || notebook === undefined || files.has('snapshot.html')) return {};
    const t0 = this.clock.nowMs();
    let html: Buffer;
    let note: string | undefined;
    try {
      ({ html, note } = await this.render(notebook));
    } catch (e) {
      this.log.warn(`snapshot rendered plain: ${(e as Error).message}`);
      html = Buffer.from(plainSnapshot(notebook), 'utf8');
      note = `HTML export failed, wrote a plain snapshot: ${(e as Error).message}`;
    }
    files.set('snapshot.html', html);
    return { ms: this.clock.nowMs() - t0, note };
  }

  private async render(notebook: string) {
    try {
      return await this.exporter.render(notebook, RENDER_TIMEOUT_MS);
    } catch (e) {
      if (this.exporter.up) throw e; // it answered: the notebook is what it cannot render
      await this.exporter.start();
      return await this.exporter.render(notebook, RENDER_TIMEOUT_MS);
    }
  }
}
