import { Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { CurrentUser, isAdmin, Principal, requirePrivilege } from '@app/identity';
import { ItemsService } from '@app/notebooks';
import { DomainError, Params, PublicUrl, Returns } from '@app/rest';
import { ExecuteNotebookJson } from './dto/job-responses.dto';
import { ExecuteNotebookDto, zIdempotencyKey } from './dto/execute-notebook.dto';
import { RunsService } from './runs.service';

@Controller('arcgis/admin/notebooks')
export class NotebooksAdminController {
  constructor(
    private readonly runs: RunsService,
    private readonly items: ItemsService,
  ) {}

  /** Queues a run and answers at once; clients poll `jobUrl`. Administrators run any notebook, authors their own. */
  @Returns(ExecuteNotebookJson)
  @Post('executeNotebook')
  @HttpCode(200)
  async execute(
    @CurrentUser() p: Principal,
    @Params(ExecuteNotebookDto) dto: z.infer<typeof ExecuteNotebookDto>,
    @PublicUrl() base: string,
    @Headers('idempotency-key') header?: string,
  ) {
    requirePrivilege(p, 'createNotebooks');
    const key = header === undefined ? dto.requestId : zIdempotencyKey.safeParse(header);
    if (key !== undefined && typeof key !== 'string' && !key.success) {
      throw DomainError.invalid('INVALID_PARAMETERS', `Invalid Idempotency-Key header: ${key.error.issues[0].message}.`);
    }
    const requestKey = typeof key === 'string' ? key : key?.data;
    const item = await this.items.findById(dto.itemId);
    if (!item || (!isAdmin(p) && item.ownerId !== p.id)) {
      if (item && (await this.items.canRead(p, item))) throw DomainError.forbidden('Only the owner of a notebook or an administrator can run it.');
      throw DomainError.notFound('Item', dto.itemId);
    }
    const run = await this.runs.submit({
      trigger: 'executeNotebook',
      itemId: dto.itemId,
      owner: { id: p.id, username: p.username },
      parameters: dto.notebookParameters ?? null,
      updatePortalItem: dto.updatePortalItem,
      saveInjectedParameters: dto.saveInjectedParameters,
      timeoutMinutes: dto.executionTimeoutInMinutes,
      retryOnInfrastructureFailure: dto.retryOnInfrastructureFailure,
      requestKey,
      runtime: dto.runtime ?? null,
      notifications: dto.notifications ?? null,
    });
    return { status: 'success', jobId: run.id, jobUrl: `${base}/arcgis/admin/system/jobs/${run.id}` };
  }
}
