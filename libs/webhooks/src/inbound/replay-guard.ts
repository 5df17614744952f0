import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RedisConnections } from '@app/queues';

/** How long a delivery id is remembered: senders retry within hours, Standard Webhooks suggests a day or more. */
export const REPLAY_WINDOW_MS = 24 * 3600_000;

/** The headers that name a delivery, per family, in the order they are tried. */
export const DELIVERY_ID_HEADERS = ['webhook-id', 'svix-id', 'x-github-delivery', 'x-request-id'];

/**
 * Remembers which deliveries an inbound receiver accepted, in Redis (shared by every api node, `SET NX` so two
 * nodes racing on one request let one through). A delivery is named by its id header, or by its signature when
 * it has none (the same signed bytes posted again carry the same signature).
 */
@Injectable()
export class ReplayGuard {
  constructor(private readonly redis: RedisConnections) {}

  /** The delivery's name: its id header, else the first signature header that verified. */
  static deliveryKey(headers: Record<string, string | string[] | undefined>, signature: string): string {
    for (const h of DELIVERY_ID_HEADERS) {
      const v = headers[h];
      const value = Array.isArray(v) ? v[0] : v;
      if (value) return `id:${value}`;
    }
    return `sig:${signature}`;
  }

  private key(receiverId: string, deliveryKey: string): string {
    return `${this.redis.prefix}:receiver-seen:${receiverId}:${createHash('sha256').update(deliveryKey).digest('hex')}`;
  }

  /** True the first time within the window; false when the delivery was already accepted. */
  async claim(receiverId: string, deliveryKey: string): Promise<boolean> {
    return (await this.redis.main.set(this.key(receiverId, deliveryKey), '1', 'PX', REPLAY_WINDOW_MS, 'NX')) === 'OK';
  }

  /** Forgets a claim whose run could not be started, so the sender's retry is not refused. */
  async release(receiverId: string, deliveryKey: string): Promise<void> {
    await this.redis.main.del(this.key(receiverId, deliveryKey));
  }
}
