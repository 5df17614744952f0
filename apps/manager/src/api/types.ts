/** Response shapes of the REST API, as far as the Manager reads them. */

export type Role = 'org_admin' | 'org_user';

export interface User {
  id: string;
  username: string;
  fullName: string;
  email: string;
  role: Role;
  privileges: string[];
  disabled: boolean;
  created: number;
  modified: number;
}

export interface Me extends User {
  groups: string[];
}

/** The OAuth2 token endpoint's answer (`refresh_token` only when a code is redeemed). */
export interface OAuthToken {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  username: string;
}

export interface Item {
  id: string;
  owner: string;
  title: string;
  type: string;
  tags: string[];
  snippet: string;
  access: string;
  size: number;
  created: number;
  modified: number;
}

export interface Page {
  total: number;
  start: number;
  num: number;
  nextStart: number;
}

export interface CronFields {
  second?: string;
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  timeZone?: string;
}

export interface TaskParameters {
  updatePortalItem?: boolean;
  saveInjectedParameters?: boolean;
  notebookParameters?: unknown;
  executionTimeoutInMinutes?: number;
}

export type TaskState = 'active' | 'inactive' | 'completed' | 'disabled';

export interface Task {
  id: string;
  itemId: string;
  type: string;
  title: string;
  userId: string;
  cronSchedule: CronFields;
  runIntervalSeconds: number | null;
  lastStart: number | null;
  nextStart: number | null;
  maxOccurrences: number | null;
  occurrences: number;
  parameters: TaskParameters;
  created: number;
  updated: number;
  startDate: number | null;
  endDate: number | null;
  active: boolean;
  taskState: TaskState;
  disabledReason?: string;
}

export interface TaskRun {
  runId: string;
  status: 'scheduled' | 'executing' | 'succeeded' | 'skipped' | 'failed' | 'submitfailed';
  result: string;
  scheduledTime: number;
  created: number;
  modified: number;
  jobId: string | null;
  snapshotUrl?: string;
  outputFiles?: OutputFile[];
}

/** A file the run wrote in its working folder and the server kept; `url` downloads it (with the token). */
export interface OutputFile {
  name: string;
  size: number;
  url: string;
}

export type JobStatus = 'SUBMITTED' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

export interface Job {
  jobId: string;
  type: string;
  trigger: 'executeNotebook' | 'task' | 'webhook' | string;
  status: JobStatus;
  username: string;
  inputs: { itemId: string; notebookParameters: Record<string, unknown>; executionTimeoutInMinutes: number; runtime?: string };
  submittedTime: number;
  startTime: number;
  endTime: number | null;
  nodeName: string | null;
  results: { snapshotUrl?: string; notebookUrl?: string; outputFiles?: OutputFile[]; error?: { ename: string; evalue: string } };
  messages: string[];
  customAttributes: { isCancelled: boolean };
}

export interface Machine {
  machineName: string;
  healthcheck: boolean;
  canProvisionExecuteNotebooks: boolean;
  maxExecuteNotebookContainersPerNode: number;
  runsInProgress: number;
  warmContainers: number;
  /** Runtimes whose runner image this node lacks. */
  runtimeImagesMissing?: string[];
  dockerAvailable: boolean;
  lastHeartbeat: number;
  startedAt: number;
}

export type SystemProperties = Record<string, number>;

/** A system property's allowed range (`GET …/system/properties/limits`). */
export interface PropertyLimit {
  min: number;
  max: number;
}

export interface WebhookConfig {
  deactivationPolicy?: { numberOfFailures?: number; daysInPast?: number };
  properties?: { federatedServer?: { itemId: string; tokenTypeToSend?: 'owner' | 'user'; tokenExpirationTimeMinutes?: number } };
}

export interface Webhook {
  id: string;
  name: string;
  payloadUrl: string;
  secret: string;
  isActive: boolean;
  config: WebhookConfig;
  events: string[];
  created: number;
  modified: number;
  deactivationReason?: string;
  /** Trigger URIs this server never raises (no such operation here), with why. */
  inactiveEvents?: { event: string; reason: string }[];
}

/** What activating a webhook answers: its failed records, to offer recovering them. */
export interface Activation {
  failedRecords?: number;
  failedSince?: number | null;
}

export interface Delivery {
  id: string;
  isInvoked: boolean;
  invokedTimestamp: number | null;
  responseText: string;
  payload: unknown;
  status: 'pending' | 'submitted' | 'succeeded' | 'failed' | string;
  attempts: number;
  httpStatus: number | null;
  created: number;
  finished: number | null;
  jobId?: string;
}

export interface WebhookSettings {
  notificationAttempts: number;
  notificationTimeOutInSeconds: number;
  notificationElapsedTimeInSeconds: number;
}

export interface Receiver {
  id: string;
  name: string;
  itemId: string;
  url: string;
  secret: string;
  signatureHeaders: string;
  parameters: Record<string, unknown>;
  disabled: boolean;
  created: number;
}

export interface Group {
  id: string;
  title: string;
  owner: string;
  access: string;
  users?: { username: string; memberType: string }[];
}
