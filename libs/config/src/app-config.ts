import { crossCheckedSchema, Env, envSchema, parseRuntimes } from './config.schema';

/** The one typed configuration object every process reads. Built once, at boot. */
export interface AppConfig {
  env: Env['NODE_ENV'];
  nodeName: string;
  http: { host: string; port: number; publicUrl: string };
  db: { url: string; runMigrations: boolean };
  redis: { url: string; prefix: string };
  auth: {
    tokenSecret: string;
    defaultTokenMinutes: number;
    maxTokenMinutes: number;
    bcryptRounds: number;
    initialAdmin: { username: string; password?: string };
  };
  org: { id: string; name: string };
  limits: { maxNotebookBytes: number };
  execution: {
    dockerSocket: string;
    runtimes: Record<string, string>;
    defaultRuntime: string;
    network: string;
    memoryMb: number;
    cpus: number;
    pidsLimit: number;
    maxContainersPerNode: number;
    maxRunMinutes: number;
    warmPoolSize: number;
    heartbeatSeconds: number;
  };
  webhooks: {
    /** Hosts and CIDRs payload URLs may point at although they are loopback, private or link-local. */
    allowPrivateTargets: string[];
    /** When the product's plain `secret` header is sent: to https:// URLs only (default), always, or never. */
    sendPlainSecret: 'https' | 'always' | 'never';
    /** A PEM file of extra certificate authorities trusted for https payload URLs (a private PKI's receivers). */
    caFile?: string;
    /** How long a rotated-out secret keeps signing beside the new one, unless rotateSecret names another overlap. */
    secretOverlapSeconds: number;
    /** Inbound receivers refuse a `webhook-timestamp` (or similar) further than this from now. */
    receiverToleranceSeconds: number;
    successRetentionDays: number;
    failureRetentionDays: number;
    deliveryConcurrency: number;
    inboundMaxBytes: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issues = [...parsed.error.issues, ...(crossCheckedSchema.safeParse(source).error?.issues ?? [])];
    // One line per variable: the first thing wrong with it.
    const firstPerVariable = issues.filter((i, n, all) => all.findIndex((j) => j.path[0] === i.path[0]) === n);
    throw new ConfigError(
      firstPerVariable.map((i) => {
        const name = String(i.path[0] ?? '?');
        const value = source[name];
        const shown = value === undefined ? 'missing' : /SECRET|PASSWORD/.test(name) ? '(hidden)' : JSON.stringify(value);
        return `${name}: ${i.message} (got ${shown})`;
      }),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    nodeName: e.NODE_NAME,
    http: { host: e.HOST, port: e.PORT, publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '') },
    db: { url: e.DATABASE_URL, runMigrations: e.RUN_MIGRATIONS },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    auth: {
      tokenSecret: e.TOKEN_SECRET,
      defaultTokenMinutes: e.TOKEN_DEFAULT_MINUTES,
      maxTokenMinutes: e.TOKEN_MAX_MINUTES,
      bcryptRounds: e.BCRYPT_ROUNDS,
      initialAdmin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD },
    },
    org: { id: e.ORG_ID, name: e.ORG_NAME },
    limits: { maxNotebookBytes: e.MAX_NOTEBOOK_BYTES },
    execution: {
      dockerSocket: e.DOCKER_SOCKET,
      runtimes: parseRuntimes(e.RUNTIMES)!,
      defaultRuntime: e.DEFAULT_RUNTIME,
      network: e.CONTAINER_NETWORK,
      memoryMb: e.CONTAINER_MEMORY_MB,
      cpus: e.CONTAINER_CPUS,
      pidsLimit: e.CONTAINER_PIDS_LIMIT,
      maxContainersPerNode: e.MAX_CONTAINERS_PER_NODE,
      maxRunMinutes: e.MAX_RUN_MINUTES,
      warmPoolSize: e.WARM_POOL_SIZE,
      heartbeatSeconds: e.HEARTBEAT_SECONDS,
    },
    webhooks: {
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS.split(',').map((x) => x.trim()).filter(Boolean),
      sendPlainSecret: e.WEBHOOK_SEND_PLAIN_SECRET as 'https' | 'always' | 'never',
      secretOverlapSeconds: e.WEBHOOK_SECRET_OVERLAP_SECONDS,
      caFile: e.WEBHOOK_CA_FILE || undefined,
      receiverToleranceSeconds: e.WEBHOOK_RECEIVER_TOLERANCE_SECONDS,
      successRetentionDays: e.WEBHOOK_SUCCESS_RETENTION_DAYS,
      failureRetentionDays: e.WEBHOOK_FAILURE_RETENTION_DAYS,
      deliveryConcurrency: e.WEBHOOK_DELIVERY_CONCURRENCY,
      inboundMaxBytes: e.INBOUND_WEBHOOK_MAX_BYTES,
    },
  };
}

/** For a process's main(): the config, or a message naming each bad variable and exit code 1. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
}
