import { availableParallelism } from 'node:os';
import { crossCheckedSchema, Env, envSchema, parseRuntimes } from './config.schema';

/** The one typed configuration object every process reads. Built once, at boot. */
export interface AppConfig {
  env: Env['NODE_ENV'];
  nodeName: string;
  http: {
    host: string;
    port: number;
    publicUrl: string;
    /** HTTPS on its own port, when a certificate is configured. `publicUrl` unset: the request's Host is used. */
    https: { port: number; certFile: string; keyFile: string; publicUrl?: string } | null;
  };
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
    /** Container start-ups at once (0: no limit). */
    startsAtOnce: number;
    maxRunMinutes: number;
    warmPoolSize: number;
    heartbeatSeconds: number;
    /** Who renders a run's snapshot.html: the worker's exporter container (`host`) or the run's container (`runner`). */
    snapshotExport: 'host' | 'runner';
    /** The folder the worker's exporter socket is made in (undefined: the temp folder). */
    exporterSocketDir?: string;
    /** NBRUNNER_ENGINE for runner containers. */
    runnerEngine: 'inprocess' | 'kernel';
    /** HostConfig.Runtime of runner containers; undefined: crun when the engine has it, else its default. */
    dockerRuntime?: string;
    /** Where workers send the portal requests they relay for runs (this server's api); default PUBLIC_URL. */
    portalUrl: string;
    /** What a run may keep of the files its notebook writes: total bytes and count. */
    outputFiles: { maxBytes: number; maxCount: number };
  };
  tasks: {
    /** The scheduler's safety poll: how late a fire can be at worst if a wake-up message is lost. */
    schedulerPollSeconds: number;
    /** The longest pause before a task's retry, however far the back-off has doubled. */
    retryMaxDelaySeconds: number;
  };
  /** `file`: JSON lines appended there instead of stdout. */
  log: { level: Env['LOG_LEVEL']; format: Env['LOG_FORMAT']; file?: string };
  metrics: {
    /** The worker's metrics listener (0: any free port). */
    host: string;
    port: number;
    /** When set, scrapers send `Authorization: Bearer <token>` (the api also accepts an administrator's token). */
    token?: string;
  };
  notifications: {
    smtpUrl?: string;
    smtpFrom: string;
    /** Signs URL notifications (Standard Webhooks headers); empty: unsigned. */
    secret: string;
    /** Events the task owner's e-mail hears of when a task names no list for them. */
    ownerOn: Array<'failure' | 'success' | 'disabled' | 'recovery'>;
    /** The link in a notification: `{jobUrl}`, `{jobId}`, `{taskId}`, `{publicUrl}` are replaced (e.g. a Manager page). */
    link: string;
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
        const shown = value === undefined ? 'missing' : /SECRET|PASSWORD|TOKEN|SMTP_URL/.test(name) ? '(hidden)' : JSON.stringify(value);
        return `${name}: ${i.message} (got ${shown})`;
      }),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    nodeName: e.NODE_NAME,
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
      https:
        e.TLS_CERT_FILE && e.TLS_KEY_FILE
          ? { port: e.HTTPS_PORT, certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE, publicUrl: e.PUBLIC_HTTPS_URL?.replace(/\/$/, '') }
          : null,
    },
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
      startsAtOnce: e.CONTAINER_STARTS_AT_ONCE ?? availableParallelism(),
      maxRunMinutes: e.MAX_RUN_MINUTES,
      warmPoolSize: e.WARM_POOL_SIZE,
      heartbeatSeconds: e.HEARTBEAT_SECONDS,
      snapshotExport: e.SNAPSHOT_EXPORT,
      exporterSocketDir: e.EXPORTER_SOCKET_DIR,
      runnerEngine: e.RUNNER_ENGINE,
      dockerRuntime: e.DOCKER_RUNTIME,
      outputFiles: { maxBytes: Math.round(e.OUTPUT_FILES_MAX_MB * 1024 * 1024), maxCount: e.OUTPUT_FILES_MAX_COUNT },
      portalUrl: (e.PORTAL_INTERNAL_URL ?? e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    },
    tasks: { schedulerPollSeconds: e.SCHEDULER_POLL_SECONDS, retryMaxDelaySeconds: e.TASK_RETRY_MAX_DELAY_SECONDS },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT, file: e.LOG_FILE },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT, token: e.METRICS_TOKEN },
    notifications: {
      smtpUrl: e.SMTP_URL,
      smtpFrom: e.SMTP_FROM,
      secret: e.NOTIFICATION_SECRET,
      ownerOn: e.NOTIFY_OWNER_ON.split(',').map((x) => x.trim()).filter(Boolean) as AppConfig['notifications']['ownerOn'],
      link: e.NOTIFICATION_LINK,
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
