import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentUser, Principal } from '@app/identity';
import { DomainError, page, Params, PublicUrl } from '@app/rest';
import { JobsQueryDto } from './dto/execute-notebook.dto';
import { jobView } from './job.view';
import { RunsService } from './runs.service';

// The snapshot is user content: no script may run, and the sandbox gives it an opaque origin.
const SNAPSHOT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline' data:; img-src data:; font-src data:";

@Controller('arcgis/admin/system/jobs')
export class JobsController {
  constructor(
    private readonly runs: RunsService,
  ) {}

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

  @Post('deleteAll')
  @HttpCode(200)
  async deleteAll(@CurrentUser() p: Principal) {
    const deleted = await this.runs.deleteFinished(p);
    return { status: 'success', deleted };
  }

  @Get(':jobId')
  async get(@CurrentUser() p: Principal, @Param('jobId') id: string, @PublicUrl() base: string) {
    return jobView(await this.runs.getVisible(p, id), base);
  }

  /** GET or POST, as the product accepts both. */
  @Post(':jobId/cancel')
  @HttpCode(200)
  async cancel(@CurrentUser() p: Principal, @Param('jobId') id: string) {
    await this.runs.cancel(await this.runs.getVisible(p, id));
    return { status: 'success' };
  }

  @Get(':jobId/cancel')
  cancelByGet(@CurrentUser() p: Principal, @Param('jobId') id: string) {
    return this.cancel(p, id);
  }

  @Get(':jobId/snapshot')
  async snapshot(@CurrentUser() p: Principal, @Param('jobId') id: string, @Res() res: Response) {
    const a = await this.artifactsOf(p, id);
    res.set({ 'Content-Security-Policy': SNAPSHOT_CSP, 'X-Content-Type-Options': 'nosniff' });
    res.type('text/html; charset=utf-8').send(a.snapshotHtml);
  }

  @Get(':jobId/notebook')
  async notebook(@CurrentUser() p: Principal, @Param('jobId') id: string, @Res() res: Response) {
    const a = await this.artifactsOf(p, id);
    res.type('application/x-ipynb+json').send(a.notebook);
  }

  private async artifactsOf(p: Principal, id: string) {
    await this.runs.getVisible(p, id);
    const a = await this.runs.artifacts(id);
    if (!a) throw new DomainError('not_found', 'NO_SNAPSHOT', `Job '${id}' has no snapshot (it has not finished, or was stopped before it ran).`);
    return a;
  }
}
