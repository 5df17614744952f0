import { createHash } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@app/clock';
import { APP_CONFIG, AppConfig } from '@app/config';
import { newId, RuntimeEntity, RuntimeManifestEntity, WorkerNodeEntity } from '@app/db';
import { DomainError } from '@app/rest';
import { RegisterRuntime, UpdateRuntime } from './dto/runtime.dto';

/** The Docker image id a node has for an image reference (tag, `repo` meaning `repo:latest`, or an image id), if any. */
export function imageDigestOn(images: Record<string, string>, ref: string): string | undefined {
  const direct = images[ref] ?? (ref.includes(':') || ref.includes('@') ? undefined : images[`${ref}:latest`]);
  if (direct) return direct;
  const id = ref.startsWith('sha256:') ? ref : /^[0-9a-f]{12,64}$/.test(ref) ? `sha256:${ref}` : undefined;
  return id ? Object.values(images).find((d) => d.startsWith(id)) : undefined;
}

/** The runtimes of the site (Postgres); RUNTIMES only seeds the built-in ones. */
@Injectable()
export class RuntimesService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.seed(this.ds.manager);
  }

  /** Adds each RUNTIMES entry never seen before; an unregistered one stays unregistered (its tombstone stays). */
  private async seed(m: EntityManager): Promise<void> {
    await m.createQueryBuilder().insert().into(RuntimeEntity).values(this.seeds() as never).orIgnore().execute();
  }

  /** The built-in runtimes: stable ids (from the name) so that `restore` brings back the same ones. */
  private seeds(): Partial<RuntimeEntity>[] {
    const e = this.config.execution;
    return Object.entries(e.runtimes).map(([name, image]) => ({
      ...this.defaults(),
      id: createHash('md5').update(`runtime:${name}`).digest('hex'),
      name,
      version: '1.0',
      imageId: image,
      networkMode: e.network,
      // The default runtime follows the site's warmPoolSizePerRuntime; the others keep none until an admin says so.
      warmPoolSize: name === e.defaultRuntime ? null : 0,
      builtIn: true,
    }));
  }

  /** What a runtime gets for the fields it does not set: the site's container limits (CONTAINER_*), no network. */
  private defaults(): Partial<RuntimeEntity> {
    const e = this.config.execution;
    return {
      imagePullString: '',
      containerType: 'docker',
      requiresAdvancedPrivileges: false,
      maxCpu: e.cpus,
      maxMemory: e.memoryMb,
      maxMemoryUnit: 'm',
      maxSwapMemory: 0,
      maxSwapMemoryUnit: 'g',
      sharedMemory: 0,
      sharedMemoryUnit: 'm',
      dockerRuntime: '',
      networkMode: 'none',
      warmPoolSize: 0,
    };
  }

  list(): Promise<RuntimeEntity[]> {
    return this.ds.manager.find(RuntimeEntity, { where: { unregistered: false }, order: { name: 'ASC' } });
  }

  /** A runtime by id or name. */
  async get(ref: string): Promise<RuntimeEntity> {
    const r = await this.find(ref);
    if (!r) throw DomainError.notFound('Runtime', ref);
    return r;
  }

  private async find(ref: string): Promise<RuntimeEntity | null> {
    const byId = /^[0-9a-f]{32}$/.test(ref) ? await this.ds.manager.findOneBy(RuntimeEntity, { id: ref, unregistered: false }) : null;
    return byId ?? this.ds.manager.findOneBy(RuntimeEntity, { name: ref, unregistered: false });
  }

  /** The runtime a run uses: the one named (by id or name), else the site's default. Unknown: an error naming those that exist. */
  async resolve(ref?: string | null): Promise<RuntimeEntity> {
    const wanted = ref ?? this.config.execution.defaultRuntime;
    const r = await this.find(wanted);
    if (r) return r;
    const names = (await this.list()).map((x) => x.name);
    throw DomainError.invalid(
      'UNKNOWN_RUNTIME',
      `Runtime '${wanted}' does not exist; this site has ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'no runtimes'}.`,
    );
  }

  /**
   * The runtime for a notebook made in ArcGIS Notebooks (its `esriNotebookRuntime.notebookRuntimeName`, e.g.
   * "ArcGIS Notebook Python 3 Standard"): one of that name, else the `standard` runtime for a Standard or Advanced
   * one, else none (the default applies). Lenient on purpose: such a notebook never names our runtimes.
   */
  async matchEsriRuntime(esriName: string): Promise<string | null> {
    const all = await this.list();
    const same = all.find((r) => r.name.toLowerCase() === esriName.toLowerCase());
    if (same) return same.id;
    return /standard|advanced/i.test(esriName) ? (all.find((r) => r.name === 'standard')?.id ?? null) : null;
  }

  /** Stores a new runtime; the caller has checked that some worker has its image. */
  async register(dto: RegisterRuntime): Promise<RuntimeEntity> {
    return this.ds.transaction(async (m) => {
      const same = await m.findOneBy(RuntimeEntity, { name: dto.name });
      if (same && !same.unregistered) throw DomainError.conflict('RUNTIME_EXISTS', `A runtime named '${dto.name}' already exists.`);
      if (same) await m.delete(RuntimeEntity, { id: same.id }); // a tombstone: the name is free again
      const { manifestFile, ...fields } = dto;
      const now = this.clock.now();
      const row = Object.assign(new RuntimeEntity(), {
        ...this.defaults(),
        id: newId(),
        ...stripUndefined(fields),
        declaredManifest: (manifestFile ?? null) as RuntimeEntity['declaredManifest'],
        builtIn: false,
        unregistered: false,
        created: now,
        modified: now,
      });
      await m.insert(RuntimeEntity, row as never);
      return row;
    });
  }

  async update(ref: string, dto: UpdateRuntime): Promise<RuntimeEntity> {
    const r = await this.get(ref);
    if (dto.name && dto.name !== r.name) {
      const same = await this.ds.manager.findOneBy(RuntimeEntity, { name: dto.name });
      if (same && !same.unregistered) throw DomainError.conflict('RUNTIME_EXISTS', `A runtime named '${dto.name}' already exists.`);
      if (same) await this.ds.manager.delete(RuntimeEntity, { id: same.id });
    }
    const { manifestFile, ...fields } = dto;
    const patch: Partial<RuntimeEntity> = { ...stripUndefined(fields), modified: this.clock.now() };
    if (manifestFile !== undefined) patch.declaredManifest = manifestFile as RuntimeEntity['declaredManifest'];
    await this.ds.manager.update(RuntimeEntity, { id: r.id }, patch as never);
    return this.get(r.id);
  }

  async unregister(ref: string): Promise<void> {
    const r = await this.get(ref);
    await this.ds.manager.update(RuntimeEntity, { id: r.id }, { unregistered: true, modified: this.clock.now() });
  }

  /** Back to the built-in runtimes (RUNTIMES) with their default settings; registered ones are removed. */
  async restore(): Promise<RuntimeEntity[]> {
    await this.ds.transaction(async (m) => {
      await m.createQueryBuilder().delete().from(RuntimeEntity).execute();
      await this.seed(m);
    });
    return this.list();
  }

  /** The manifest a worker read from an image, or null. */
  async manifestOf(imageDigest: string): Promise<unknown> {
    return (await this.ds.manager.findOneBy(RuntimeManifestEntity, { imageDigest }))?.manifest ?? null;
  }

  /** Stores what a worker read from an image. */
  async saveManifest(imageDigest: string, manifest: unknown): Promise<void> {
    await this.ds.manager.upsert(RuntimeManifestEntity, { imageDigest, manifest: manifest as never, readAt: this.clock.now() }, ['imageDigest']);
  }

  async hasManifest(imageDigest: string): Promise<boolean> {
    return this.ds.manager.existsBy(RuntimeManifestEntity, { imageDigest });
  }

  /** Names of the runtimes whose image a node lacks (for machines/{name}/status). */
  async missingOn(node: WorkerNodeEntity): Promise<string[]> {
    return (await this.list()).filter((r) => !imageDigestOn(node.images ?? {}, r.imageId)).map((r) => r.name);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
