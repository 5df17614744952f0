import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Clock } from '@app/clock';
import { newId, WebhookReceiverEntity } from '@app/db';
import { parameterProblems, RunsService } from '@app/execution';
import { Principal, UsersRepository } from '@app/identity';
import { ItemsService, NOTEBOOK_TYPE } from '@app/notebooks';
import { DomainError } from '@app/rest';
import { CreateReceiverDto, UpdateReceiverDto } from './receivers.dto';
import { ReplayGuard } from './replay-guard';
import { standardHeadersOf, verifyInboundSignature, verifyStandardInbound } from '../delivery/signing';
import { WebhooksRepository } from '../webhooks.repository';

const DEFAULT_SIGNATURE_HEADERS = ['x-esrihook-signature'];

/** Inbound receivers: their admin API, and the check-then-run of a POST to a receiver's URL. */
@Injectable()
export class ReceiversService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly items: ItemsService,
    private readonly users: UsersRepository,
    private readonly runs: RunsService,
    private readonly replay: ReplayGuard,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(id: string): Promise<WebhookReceiverEntity> {
    const r = await this.repo.findReceiver(id);
    if (!r) throw DomainError.notFound('Webhook receiver', id);
    return r;
  }

  list(): Promise<WebhookReceiverEntity[]> {
    return this.repo.listReceivers();
  }

  async create(p: Principal, dto: z.infer<typeof CreateReceiverDto>): Promise<WebhookReceiverEntity> {
    await this.checkNotebook(dto.itemId);
    this.checkParameters(dto.parameters);
    const now = this.clock.now();
    const r = Object.assign(new WebhookReceiverEntity(), {
      id: newId(),
      name: dto.name,
      itemId: dto.itemId,
      // 32 characters, as documented, when the caller gives none (shown once, in this answer).
      secret: dto.secret ?? randomBytes(24).toString('base64url'),
      signatureHeaders: dto.signatureHeaders ?? DEFAULT_SIGNATURE_HEADERS,
      parameters: dto.parameters ?? null,
      disabled: false,
      ownerId: p.id,
      created: now,
      modified: now,
    });
    await this.repo.saveReceiver(r);
    return r;
  }

  async update(id: string, dto: z.infer<typeof UpdateReceiverDto>): Promise<WebhookReceiverEntity> {
    const r = await this.get(id);
    if (dto.itemId !== undefined) await this.checkNotebook(dto.itemId);
    this.checkParameters(dto.parameters);
    Object.assign(
      r,
      Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)),
      { modified: this.clock.now() },
    );
    await this.repo.saveReceiver(r);
    return r;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repo.deleteReceiver(id))) throw DomainError.notFound('Webhook receiver', id);
  }

  /**
   * An inbound POST, checked in this order: a valid signature (Standard Webhooks headers, or the HMAC-SHA256 of
   * the exact body in one of the receiver's signature headers) else 401; the receiver enabled, else 403; a
   * `webhook-timestamp`, when present, within the tolerance, else 401; a delivery not already accepted in the last
   * 24 hours, else 409. Only then is a run started, with the body as the payload and the receiver's parameters.
   */
  async receive(id: string, body: Buffer, headers: Record<string, string | string[] | undefined>): Promise<string> {
    const r = await this.repo.findReceiver(id);
    if (!r) throw DomainError.notFound('Webhook receiver', id);
    const signature = this.verifiedSignature(r, body, headers);
    if (!signature) {
      throw new DomainError(
        'invalid_token',
        'INVALID_SIGNATURE',
        `Missing or invalid signature: expected Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) or the HMAC-SHA256 (Base64) of the body in ${r.signatureHeaders.join(' or ')}.`,
      );
    }
    if (r.disabled) throw DomainError.forbidden('This webhook receiver is disabled.');
    this.checkTimestamp(headers);
    const deliveryKey = ReplayGuard.deliveryKey(headers, signature);
    if (!(await this.replay.claim(r.id, deliveryKey))) {
      throw DomainError.conflict('ALREADY_RECEIVED', 'This delivery was already received (same delivery id, or the same signed request, within 24 hours); nothing was started.');
    }
    try {
      return await this.start(r, body);
    } catch (e) {
      await this.replay.release(r.id, deliveryKey); // not started: the sender's retry must get through
      throw e;
    }
  }

  /** The signature that verified (used to name a delivery without an id), or null. */
  private verifiedSignature(r: WebhookReceiverEntity, body: Buffer, headers: Record<string, string | string[] | undefined>): string | null {
    const std = standardHeadersOf(headers);
    if (std && verifyStandardInbound(r.secret, body, std)) return std.signature;
    for (const h of r.signatureHeaders) {
      const v = headers[h];
      const value = Array.isArray(v) ? v[0] : v;
      if (verifyInboundSignature(r.secret, body, value)) return value!;
    }
    return null;
  }

  /** A Standard Webhooks timestamp (Unix seconds), when sent, must be within the tolerance of our clock. */
  private checkTimestamp(headers: Record<string, string | string[] | undefined>): void {
    const raw = standardHeadersOf(headers)?.timestamp ?? headers['webhook-timestamp'] ?? headers['svix-timestamp'];
    if (raw === undefined) return;
    const value = Array.isArray(raw) ? raw[0] : raw;
    const tolerance = this.config.webhooks.receiverToleranceSeconds;
    const skew = /^\d{1,12}$/.test(value) ? Math.abs(this.clock.nowMs() / 1000 - Number(value)) : Infinity;
    if (skew > tolerance) {
      throw new DomainError('invalid_token', 'STALE_TIMESTAMP', `webhook-timestamp must be Unix seconds within ${tolerance} s of the server's time; the request was refused.`);
    }
  }

  private async start(r: WebhookReceiverEntity, body: Buffer): Promise<string> {
    const item = await this.items.findById(r.itemId);
    const owner = item ? await this.users.findById(item.ownerId) : null;
    if (!item || !owner) throw DomainError.conflict('NOTEBOOK_GONE', `The receiver's notebook '${r.itemId}' no longer exists.`);
    const run = await this.runs.submit({
      trigger: 'webhook',
      itemId: r.itemId,
      owner: { id: owner.id, username: owner.username },
      webhookPayload: payloadOf(body),
      parameters: r.parameters,
      webhookId: r.id,
      tokenUserId: owner.id, // the run acts for the notebook's owner
      updatePortalItem: false,
    });
    return run.id;
  }

  private async checkNotebook(itemId: string): Promise<void> {
    const item = await this.items.findById(itemId);
    if (!item) throw DomainError.invalid('ITEM_NOT_FOUND', `itemId: item '${itemId}' does not exist.`);
    if (item.type !== NOTEBOOK_TYPE) throw DomainError.invalid('NOT_A_NOTEBOOK', `itemId: item '${itemId}' is a ${item.type}, not a Notebook.`);
  }

  private checkParameters(parameters: Record<string, unknown> | undefined): void {
    const problems = parameterProblems(parameters ?? {});
    if (problems.length) throw DomainError.invalid('INVALID_PARAMETERS', `parameters: ${problems.join('; ')}`, problems);
  }
}

/** The body as JSON when it is JSON, else as text. */
function payloadOf(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
