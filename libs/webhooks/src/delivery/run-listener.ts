import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '@app/clock';
import { RunEntity } from '@app/db';
import { RunHooks } from '@app/execution';
import { DeactivationPolicy } from './deactivation.service';
import { WebhooksRepository } from '../webhooks.repository';

/** Closes a notebook webhook's delivery when its run ends; a failed run counts towards the deactivation policy. */
@Injectable()
export class WebhookRunListener implements OnModuleInit {
  constructor(
    private readonly hooks: RunHooks,
    private readonly repo: WebhooksRepository,
    private readonly policy: DeactivationPolicy,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.hooks.onFinished((run) => this.finished(run));
  }

  async finished(run: RunEntity): Promise<void> {
    if (run.trigger !== 'webhook' || !run.webhookId) return;
    const last = run.messages[run.messages.length - 1] ?? '';
    await this.close(run.id, run.status === 'COMPLETED', `Job ${run.id} ${run.status}${last ? `: ${last}` : ''}`);
  }

  /** Housekeeping: deliveries whose run ended without this listener hearing of it (a crash), or whose run was deleted. */
  async reconcile(goneBefore: Date): Promise<number> {
    const stale = await this.repo.submittedWithEndedRuns(goneBefore);
    for (const s of stale) {
      await this.close(s.runId, s.runStatus === 'COMPLETED', s.runStatus ? `Job ${s.runId} ${s.runStatus}` : `Job ${s.runId} no longer exists.`);
    }
    return stale.length;
  }

  private async close(runId: string, ok: boolean, responseText: string): Promise<void> {
    const d = await this.repo.findDeliveryByRun(runId);
    if (!d) return; // an inbound receiver's run: no delivery, no policy
    const closed = await this.repo.updateDelivery(d.id, ['submitted', 'pending'], {
      status: ok ? 'succeeded' : 'failed',
      responseText: responseText.slice(0, 4096),
      finishedAt: this.clock.now(),
    });
    if (closed && !ok) {
      const w = await this.repo.findWebhook(d.webhookId);
      if (w) await this.policy.countFailure(w);
    }
  }
}
