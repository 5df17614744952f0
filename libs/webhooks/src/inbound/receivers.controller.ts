import { Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CurrentUser, Principal, Public, requireAdmin } from '@app/identity';
import { DomainError, Params, Returns, SuccessJson } from '@app/rest';
import { CreateReceiverDto, UpdateReceiverDto } from './receivers.dto';
import { ReceiversService } from './receivers.service';
import { receiverView } from '../webhook.view';
import { ReceivedJson, ReceiverJson, ReceiverListJson, ReceiverSavedJson } from '../dto/webhook-responses.dto';

/** The admin API of inbound receivers (administrators only). */
@Controller('arcgis/admin/notebooks/webhookReceivers')
export class ReceiversAdminController {
  constructor(
    private readonly receivers: ReceiversService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Returns(ReceiverSavedJson)
  @Post('create')
  @HttpCode(200)
  async create(@CurrentUser() p: Principal, @Params(CreateReceiverDto) dto: z.infer<typeof CreateReceiverDto>) {
    requireAdmin(p);
    return { success: true, webhookReceiver: receiverView(await this.receivers.create(p, dto), this.config.http.publicUrl, true) };
  }

  @Returns(ReceiverListJson)
  @Get()
  async list(@CurrentUser() p: Principal) {
    requireAdmin(p);
    return { webhookReceivers: (await this.receivers.list()).map((r) => receiverView(r, this.config.http.publicUrl)) };
  }

  @Returns(ReceiverJson)
  @Get(':id')
  async get(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    return receiverView(await this.receivers.get(id), this.config.http.publicUrl);
  }

  @Returns(ReceiverSavedJson)
  @Post(':id/update')
  @HttpCode(200)
  async update(@CurrentUser() p: Principal, @Param('id') id: string, @Params(UpdateReceiverDto) dto: z.infer<typeof UpdateReceiverDto>) {
    requireAdmin(p);
    return { success: true, webhookReceiver: receiverView(await this.receivers.update(id, dto), this.config.http.publicUrl) };
  }

  @Returns(SuccessJson)
  @Post(':id/delete')
  @HttpCode(200)
  async delete(@CurrentUser() p: Principal, @Param('id') id: string) {
    requireAdmin(p);
    await this.receivers.delete(id);
    return { success: true };
  }
}

/** A receiver's public URL: unauthenticated, the signature is the authentication. */
@Controller('arcgis/webhooks/receivers')
export class ReceiverHooksController {
  constructor(
    private readonly receivers: ReceiversService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Returns(ReceivedJson)
  @Public()
  @Post(':id')
  @HttpCode(202)
  async receive(@Param('id') id: string, @Req() req: RawBodyRequest<Request>) {
    const body = await rawBodyOf(req, this.config.webhooks.inboundMaxBytes);
    const jobId = await this.receivers.receive(id, body, req.headers);
    return { status: 'success', jobId, jobUrl: `${this.config.http.publicUrl}/arcgis/admin/system/jobs/${jobId}` };
  }
}

const tooLarge = (max: number) => new DomainError('too_large', 'PAYLOAD_TOO_LARGE', `The request body exceeds the limit of ${max} bytes.`);

/** The exact bytes sent: kept by the JSON and form parsers (`rawBody`), read here for other content types. */
async function rawBodyOf(req: RawBodyRequest<Request>, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  if (req.rawBody) {
    if (req.rawBody.length > max) throw tooLarge(max);
    return req.rawBody;
  }
  if (!req.readable) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) throw tooLarge(max);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
