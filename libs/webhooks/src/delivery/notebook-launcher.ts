import { Injectable } from '@nestjs/common';
import { WebhookDeliveryEntity, WebhookEntity } from '@app/db';
import { RunQueue, RunsRepository, RunsService } from '@app/execution';
import { UsersRepository } from '@app/identity';
import { ItemsService } from '@app/notebooks';
import { DomainError } from '@app/rest';
import type { WebhookPayload } from '../fanout/payload';

/** A launch that retrying cannot fix (the notebook is gone or invalid); anything else is retried. */
export class LaunchRefused extends Error {}

/**
 * Starts the run of a notebook webhook's delivery. The run's id was chosen when the delivery was made,
 * so a retry after a crash finds the run instead of starting a second one.
 */
@Injectable()
export class NotebookLauncher {
  constructor(
    private readonly runsService: RunsService,
    private readonly runs: RunsRepository,
    private readonly queue: RunQueue,
    private readonly items: ItemsService,
    private readonly users: UsersRepository,
  ) {}

  async launch(d: WebhookDeliveryEntity, w: WebhookEntity): Promise<void> {
    const fs = w.config.properties!.federatedServer!;
    if (!d.runId) throw new LaunchRefused('the delivery has no run id');
    if (!(await this.runs.findById(d.runId))) {
      const item = await this.items.findById(fs.itemId);
      if (!item) throw new LaunchRefused(`the notebook item '${fs.itemId}' no longer exists`);
      const owner = await this.users.findById(item.ownerId);
      if (!owner) throw new LaunchRefused(`the owner of notebook '${fs.itemId}' no longer exists`);
      const payload = d.payload as unknown as WebhookPayload;
      // `owner`: a token of the notebook's owner; `user`: of whoever caused the event (when that user is ours).
      const tokenUserId = fs.tokenTypeToSend === 'user' ? (payload.events[0]?.userId ?? null) : owner.id;
      let run;
      try {
        run = await this.runsService.prepare({
          trigger: 'webhook',
          itemId: fs.itemId,
          owner: { id: owner.id, username: owner.username },
          webhookPayload: payload,
          tokenUserId,
          tokenMinutes: fs.tokenExpirationTimeMinutes,
          webhookId: w.id,
          // Saving the executed notebook would raise an item update event, which may trigger this webhook again.
          updatePortalItem: false,
        });
      } catch (e) {
        if (e instanceof DomainError) throw new LaunchRefused(e.message);
        throw e;
      }
      run.id = d.runId;
      try {
        await this.runs.insert(run);
      } catch (e) {
        // Another attempt inserted it meanwhile: fine, it is the same run.
        if (!(await this.runs.findById(d.runId))) throw e;
      }
    }
    await this.queue.enqueue(d.runId);
  }
}
