import { Column, Entity, PrimaryColumn } from 'typeorm';

export type MemoryUnit = 'b' | 'k' | 'm' | 'g';

/**
 * A notebook runtime: a runner image and the limits its runs get. The product's fields, plus
 * `networkMode` (the Docker network of its runs; `none` unless an administrator says otherwise)
 * and `warmPoolSize` (warm containers kept per node; null = the site's warmPoolSizePerRuntime).
 */
@Entity('runtimes')
export class RuntimeEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 64 })
  version: string;

  /** The image runs are created from: a local tag or image id (no registry pulls). */
  @Column({ name: 'image_id', type: 'varchar', length: 300 })
  imageId: string;

  @Column({ name: 'image_pull_string', type: 'varchar', length: 300, default: '' })
  imagePullString: string;

  @Column({ name: 'container_type', type: 'varchar', length: 32, default: 'docker' })
  containerType: string;

  @Column({ name: 'requires_advanced_privileges', type: 'boolean', default: false })
  requiresAdvancedPrivileges: boolean;

  @Column({ name: 'max_cpu', type: 'double precision' })
  maxCpu: number;

  @Column({ name: 'max_memory', type: 'double precision' })
  maxMemory: number;

  @Column({ name: 'max_memory_unit', type: 'varchar', length: 1 })
  maxMemoryUnit: MemoryUnit;

  @Column({ name: 'max_swap_memory', type: 'double precision', default: 0 })
  maxSwapMemory: number;

  @Column({ name: 'max_swap_memory_unit', type: 'varchar', length: 1, default: 'g' })
  maxSwapMemoryUnit: MemoryUnit;

  @Column({ name: 'shared_memory', type: 'double precision', default: 0 })
  sharedMemory: number;

  @Column({ name: 'shared_memory_unit', type: 'varchar', length: 1, default: 'm' })
  sharedMemoryUnit: MemoryUnit;

  /** Docker's `--runtime` (e.g. nvidia); empty for the engine's default. */
  @Column({ name: 'docker_runtime', type: 'varchar', length: 64, default: '' })
  dockerRuntime: string;

  @Column({ name: 'network_mode', type: 'varchar', length: 128, default: 'none' })
  networkMode: string;

  @Column({ name: 'warm_pool_size', type: 'integer', nullable: true })
  warmPoolSize: number | null;

  /** A manifest the administrator supplied at registration (`manifestFile`); the image's own is read by workers. */
  @Column({ name: 'declared_manifest', type: 'jsonb', nullable: true })
  declaredManifest: Record<string, unknown> | unknown[] | null;

  /** Seeded from RUNTIMES (restored by `runtimes/restore`). */
  @Column({ name: 'built_in', type: 'boolean', default: false })
  builtIn: boolean;

  /** Unregistered runtimes stay as tombstones so that seeding does not bring them back at the next start. */
  @Column({ name: 'unregistered', type: 'boolean', default: false })
  unregistered: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  modified: Date;
}

/** The libraries in an image, read by a worker from the image itself (`python3 -m nbrunner.manifest`). */
@Entity('runtime_manifests')
export class RuntimeManifestEntity {
  /** Docker's id of the image (sha256:…): a rebuilt image under the same tag gets its own manifest. */
  @PrimaryColumn({ name: 'image_digest', type: 'varchar', length: 100 })
  imageDigest: string;

  @Column({ type: 'jsonb' })
  manifest: unknown;

  @Column({ name: 'read_at', type: 'timestamptz', default: () => 'now()' })
  readAt: Date;
}
