import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((u) => URL.canParse(u) && protocols.includes(new URL(u).protocol), `must start with ${protocols.join(' or ')}`);

/** The key in the source: only for NODE_ENV=test; elsewhere the server generates one (TokenSecretService). */
export const DEV_TOKEN_SECRET = 'dev-only-token-secret-change-me-please-0000';

/** Every environment variable the processes read, with its default. */
const fields = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/nbautomation'),
  RUN_MIGRATIONS: z.string().default('true').pipe(bool),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]+$/).default('nba'),
  NODE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, 'letters, digits, . _ - (1-63)').default(hostname()),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  // HTTPS beside plain HTTP: served when a certificate is given (quickstart makes a self-signed one).
  HTTPS_PORT: int(0, 65535).default(3443),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  PUBLIC_HTTPS_URL: url(['https:']).optional(),
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_TOKEN_SECRET),
  TOKEN_DEFAULT_MINUTES: int(1, 525600).default(60),
  TOKEN_MAX_MINUTES: int(1, 525600).default(20160),
  ADMIN_USERNAME: z.string().regex(/^[A-Za-z0-9_.@-]{3,128}$/).default('admin'),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ORG_ID: z.string().regex(/^[A-Za-z0-9]{8,32}$/).default('0123456789ABCDEF'),
  ORG_NAME: z.string().min(1).default('Notebook Automation'),
  MAX_NOTEBOOK_BYTES: int(1024).default(16 * 1024 * 1024),
  BCRYPT_ROUNDS: int(4, 15).default(10),
  // Execution
  DOCKER_SOCKET: z.string().default('/var/run/docker.sock'),
  RUNTIMES: z.string().default('default=nbautomation/runner:latest,standard=nbautomation/runner-standard:latest'),
  DEFAULT_RUNTIME: z.string().default('default'),
  CONTAINER_NETWORK: z.string().default('none'),
  CONTAINER_MEMORY_MB: int(64).default(2048),
  CONTAINER_CPUS: z.coerce.number().positive().default(1),
  CONTAINER_PIDS_LIMIT: int(16).default(256),
  MAX_CONTAINERS_PER_NODE: int(1, 1000).default(10),
  // Container start-ups (create → READY) at once on a node; unset: its CPU count; 0: no limit.
  CONTAINER_STARTS_AT_ONCE: int(0, 1000).optional(),
  MAX_RUN_MINUTES: int(1, 10080).default(120),
  WARM_POOL_SIZE: int(0, 100).default(1),
  HEARTBEAT_SECONDS: int(1, 3600).default(5),
  // host: one exporter container beside the worker renders the snapshots; runner: each run container renders its own.
  SNAPSHOT_EXPORT: z.enum(['host', 'runner']).default('host'),
  // Where the worker makes the folder it shares with its exporter (the exporter's socket); must be the same path for
  // the worker and the Docker engine (a worker in a container: a volume mounted at the same path). Default: the temp folder.
  EXPORTER_SOCKET_DIR: z.string().min(1).optional(),
  // The runner's execution engine (NBRUNNER_ENGINE in the container); an image without it runs its only one.
  RUNNER_ENGINE: z.enum(['inprocess', 'kernel']).default('inprocess'),
  // The OCI runtime of run containers; unset: crun when dockerd lists it, else the engine's default.
  DOCKER_RUNTIME: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a runtime name dockerd knows (e.g. runc, crun)').optional(),
  // Tasks
  SCHEDULER_POLL_SECONDS: int(1, 3600).default(2),
  PORTAL_INTERNAL_URL: url(['http:', 'https:']).optional(),
  OUTPUT_FILES_MAX_MB: z.coerce.number().min(0).max(10240).default(100),
  OUTPUT_FILES_MAX_COUNT: int(0, 100000).default(100),
  TASK_RETRY_MAX_DELAY_SECONDS: int(0, 7 * 86400).default(3600),
  // Logs
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  LOG_FILE: z.string().min(1).optional(),
  // Metrics
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: int(0, 65535).default(9464),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Notifications
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  SMTP_FROM: z.string().min(3).default('Notebook Automation <nbautomation@localhost>'),
  NOTIFICATION_SECRET: z.string().default(''),
  NOTIFY_OWNER_ON: z
    .string()
    .default('failure,disabled')
    .refine((v) => v.split(',').map((x) => x.trim()).filter(Boolean).every((x) => ['failure', 'success', 'disabled', 'recovery'].includes(x)), 'must list failure, success, disabled, recovery'),
  NOTIFICATION_LINK: z.string().default('{jobUrl}/snapshot'),
  // Webhooks
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.string().default(''),
  // `https` (default): the plain `secret` header goes to https:// payload URLs only. Old boolean values map onto it.
  WEBHOOK_SEND_PLAIN_SECRET: z
    .enum(['https', 'always', 'never', 'true', 'false'], { errorMap: () => ({ message: 'must be https, always or never' }) })
    .default('https')
    .transform((v) => (v === 'true' ? 'https' : v === 'false' ? 'never' : v)),
  WEBHOOK_SECRET_OVERLAP_SECONDS: int(0, 30 * 86400).default(86400),
  WEBHOOK_CA_FILE: z.string().optional(),
  WEBHOOK_RECEIVER_TOLERANCE_SECONDS: int(1, 86400).default(300),
  WEBHOOK_SUCCESS_RETENTION_DAYS: z.coerce.number().positive().default(1),
  WEBHOOK_FAILURE_RETENTION_DAYS: z.coerce.number().positive().default(7),
  WEBHOOK_DELIVERY_CONCURRENCY: int(1, 1000).default(50),
  INBOUND_WEBHOOK_MAX_BYTES: int(1, 64 * 1024 * 1024).default(1024 * 1024),
});

const CROSS_CHECKED = { NODE_ENV: true, TOKEN_SECRET: true, RUNTIMES: true, DEFAULT_RUNTIME: true, TLS_CERT_FILE: true, TLS_KEY_FILE: true } as const;
type CrossChecked = Pick<z.infer<typeof fields>, keyof typeof CROSS_CHECKED>;

function crossChecks(env: CrossChecked, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production' && env.TOKEN_SECRET === DEV_TOKEN_SECRET) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TOKEN_SECRET'], message: 'must be set in production' });
  }
  const runtimes = parseRuntimes(env.RUNTIMES);
  if (!runtimes) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['RUNTIMES'], message: 'must be name=image[,name=image...]' });
  } else if (!runtimes[env.DEFAULT_RUNTIME]) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['DEFAULT_RUNTIME'], message: 'must name one of RUNTIMES' });
  }
  for (const [name, other] of [['TLS_CERT_FILE', 'TLS_KEY_FILE'], ['TLS_KEY_FILE', 'TLS_CERT_FILE']] as const) {
    const file = env[name];
    if (file && !existsSync(file)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: 'no such file' });
    if (!file && env[other]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `must be set with ${other}` });
  }
}

export const envSchema = fields.superRefine(crossChecks);

/** The checks across variables alone: zod skips `envSchema`'s refinement once any variable fails, these still run. */
export const crossCheckedSchema = fields.pick(CROSS_CHECKED).superRefine(crossChecks);

export type Env = z.infer<typeof envSchema>;

export function parseRuntimes(spec: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_.-]+)=(\S+)$/.exec(part);
    if (!m) return null;
    out[m[1]] = m[2];
  }
  return Object.keys(out).length ? out : null;
}
