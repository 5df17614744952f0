import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentUser, Principal } from '@app/identity';
import { ItemDataJson } from '@app/notebooks';
import { DomainError, Params, PublicUrl, Returns, ReturnsMedia, page } from '@app/rest';
import { JobsQueryDto } from './dto/execute-notebook.dto';
import { jobView } from './job.view';
import { RunEventsStream } from './progress/run-events.stream';
import { RunProgress } from './progress/run-progress';
import { RunsService } from './runs.service';
import { JobCancelledJson, JobJson, JobListJson, JobsDeletedJson } from './dto/job-responses.dto';

// The snapshot is user content: no script may run, and the sandbox gives it an opaque origin.
const SNAPSHOT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline' data:; img-src data:; font-src data:";

@Controller('arcgis/admin/system/jobs')
export class JobsController {
  constructor(
    private readonly runs: RunsService,
    private readonly progress: RunProgress,
    private readonly events: RunEventsStream,
  ) {}

  @Returns(JobListJson)
  @Get()
  async list(@CurrentUser() p: Principal, @Params(JobsQueryDto) q: z.infer<typeof JobsQueryDto>, @PublicUrl() base: string) {
    const { rows, total } = await this.runs.list(p, q.num, q.sortByDate, q.start);
    return {
      ...page({ total, rows }, q.start, q.num),
      asyncJobs: rows.map((r) =>
        q.detail ? jobView(r, base) : { jobId: r.id, startTime: (r.startedAt ?? r.submittedAt).getTime(), type: 'executeNotebook', username: r.username, status: r.status },
      ),
      total,
    };
  }

  @Returns(JobsDeletedJson)
  @Post('deleteAll')
  @HttpCode(200)
  async deleteAll(@CurrentUser() p: Principal) {
    const deleted = await this.runs.deleteFinished(p);
    return { status: 'success', deleted };
  }

  @Returns(JobJson)
  @Get(':jobId')
  async get(@CurrentUser() p: Principal, @Param('jobId') id: string, @PublicUrl() base: string) {
    const run = await this.runs.getVisible(p, id);
    return { ...jobView(run, base), progress: await this.progress.get(run.id) };
  }

  /** Server-sent events of the run until it ends (ours); a finished run's summary, then the stream closes. */
  @ReturnsMedia('text/event-stream', 'Server-sent events (`status`, `progress`, `output`) until the run ends; a finished run\'s summary, then the stream closes')
  @Get(':jobId/events')
  async eventsOf(@CurrentUser() p: Principal, @Param('jobId') id: string, @Req() req: Request, @Res() res: Response) {
    await this.events.stream(await this.runs.getVisible(p, id), req, res);
  }

  /** GET or POST, as the product accepts both. */
  @Returns(JobCancelledJson)
  @Post(':jobId/cancel')
  @HttpCode(200)
  async cancel(@CurrentUser() p: Principal, @Param('jobId') id: string) {
    await this.runs.cancel(await this.runs.getVisible(p, id));
    return { status: 'success' };
  }

  @Returns(JobCancelledJson)
  @Get(':jobId/cancel')
  cancelByGet(@CurrentUser() p: Principal, @Param('jobId') id: string) {
    return this.cancel(p, id);
  }

  @ReturnsMedia('text/html', 'The executed notebook as HTML (sandboxed by its Content-Security-Policy)')
  @Get(':jobId/snapshot')
  async snapshot(@CurrentUser() p: Principal, @Param('jobId') id: string, @Res() res: Response) {
    const a = await this.artifactsOf(p, id);
    res.set({ 'Content-Security-Policy': SNAPSHOT_CSP, 'X-Content-Type-Options': 'nosniff' });
    res.type('text/html; charset=utf-8').send(a.snapshotHtml);
  }

  @ReturnsMedia('application/x-ipynb+json', 'The executed notebook (nbformat 4)', { schema: ItemDataJson })
  @Get(':jobId/notebook')
  async notebook(@CurrentUser() p: Principal, @Param('jobId') id: string, @Res() res: Response) {
    const a = await this.artifactsOf(p, id);
    res.type('application/x-ipynb+json').send(a.notebook);
  }

  /** An output file, as a download. The name is a path below the run's working folder; one that climbs out is refused. */
  @ReturnsMedia('application/octet-stream', 'An output file of the run, as a download')
  @Get(':jobId/files/*name')
  async file(@CurrentUser() p: Principal, @Param('jobId') id: string, @Param('name') raw: string | string[], @Res() res: Response) {
    const segments = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split('/'));
    if (!segments.length || segments.some((s) => s === '' || s === '.' || s === '..' || /[\\\0]/.test(s))) {
      throw DomainError.invalid('INVALID_FILE_NAME', 'The file name must be a path inside the run\'s working folder.');
    }
    const name = segments.join('/');
    await this.runs.getVisible(p, id);
    const f = await this.runs.file(id, name);
    if (!f) throw DomainError.notFound('File', name);
    const base = segments[segments.length - 1];
    res.set({
      'Content-Disposition': `attachment; filename="${base.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(base)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
    });
    res.type('application/octet-stream').send(f.content);
  }

  private async artifactsOf(p: Principal, id: string) {
    await this.runs.getVisible(p, id);
    const a = await this.runs.artifacts(id);
    if (!a) throw new DomainError('not_found', 'NO_SNAPSHOT', `Job '${id}' has no snapshot (it has not finished, or was stopped before it ran).`);
    return a;
  }
}
