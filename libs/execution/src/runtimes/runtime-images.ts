import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '@app/clock';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RuntimeEntity, WorkerNodeEntity } from '@app/db';
import { DomainError } from '@app/rest';
import { imageDigestOn, RuntimesService } from '@app/runtimes';
import { NodeLiveness } from '../nodes/node-liveness';

/** Which live worker nodes have which runtime images (from their heartbeats), and the manifests read from them. */
@Injectable()
export class RuntimeImages {
  private readonly liveness: NodeLiveness;

  constructor(
    private readonly runtimes: RuntimesService,
    private readonly clock: Clock,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.liveness = new NodeLiveness(config.execution.heartbeatSeconds);
  }

  private async liveNodes(): Promise<WorkerNodeEntity[]> {
    const nodes = await this.ds.manager.find(WorkerNodeEntity, { order: { name: 'ASC' } });
    return nodes.filter((n) => this.liveness.isUp(n.lastHeartbeat.getTime(), this.clock.nowMs()));
  }

  /** No registry is reachable: an image no worker has could never run, so registering it is refused. */
  async requireOnSomeNode(image: string): Promise<void> {
    const nodes = await this.liveNodes();
    if (nodes.some((n) => imageDigestOn(n.images ?? {}, image))) return;
    throw DomainError.invalid(
      'IMAGE_NOT_ON_ANY_WORKER',
      nodes.length
        ? `No worker node has the image '${image}' (checked ${nodes.map((n) => n.name).join(', ')}); build or load it on the workers first.`
        : `No worker node is running to check the image '${image}' against; start a worker first.`,
    );
  }

  /** The libraries in the runtime's image as a worker read them from it; manifest null until one has. */
  async manifest(runtime: RuntimeEntity): Promise<{ imageDigest: string | null; manifest: unknown }> {
    for (const n of await this.liveNodes()) {
      const digest = imageDigestOn(n.images ?? {}, runtime.imageId);
      if (!digest) continue;
      const manifest = await this.runtimes.manifestOf(digest);
      if (manifest) return { imageDigest: digest, manifest };
    }
    return { imageDigest: null, manifest: null };
  }
}
