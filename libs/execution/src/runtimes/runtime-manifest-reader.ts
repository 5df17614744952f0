import { Injectable, Logger } from '@nestjs/common';
import type { RuntimeEntity } from '@app/db';
import { imageDigestOn, RuntimesService } from '@app/runtimes';
import { RunnerBackend } from '../runner-backend/runner-backend';

const RETRY_MS = 5 * 60_000;

/**
 * On a worker: which images this node has (reported at each heartbeat), and the manifest of each runtime
 * image read from the image itself the first time it is seen (one throw-away runner per image digest).
 */
@Injectable()
export class RuntimeManifestReader {
  private readonly log = new Logger('RuntimeManifests');
  /** Digests read (or being read) by this process, so a beat never starts a second read of one; failed ones: when to retry. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly backend: RunnerBackend,
    private readonly runtimes: RuntimesService,
  ) {}

  /** The node's images; starts reading the manifests not stored yet, without waiting for them. */
  async images(runtimes: RuntimeEntity[]): Promise<Record<string, string>> {
    const images = await this.backend.images();
    for (const r of runtimes) {
      const digest = imageDigestOn(images, r.imageId);
      const retryAt = digest ? this.seen.get(digest) : undefined;
      if (!digest || (retryAt !== undefined && retryAt > Date.now())) continue;
      this.seen.set(digest, Infinity);
      void this.read(r.imageId, digest);
    }
    return images;
  }

  private async read(image: string, digest: string): Promise<void> {
    try {
      if (await this.runtimes.hasManifest(digest)) return;
      await this.runtimes.saveManifest(digest, await this.backend.readManifest(image));
    } catch (e) {
      this.seen.set(digest, Date.now() + RETRY_MS);
      this.log.warn(`could not read the manifest of ${image}: ${(e as Error).message}`);
    }
  }
}
