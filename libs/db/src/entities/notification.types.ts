/** What a notification is about. */
export type NotificationEvent = 'failure' | 'success' | 'disabled' | 'recovery';

/** Who is told of each event: e-mail addresses and/or http(s) URLs. A list given replaces the site's default for it. */
export interface NotificationTargets {
  onFailure?: string[];
  onSuccess?: string[];
  onDisabled?: string[];
  onRecovery?: string[];
}

/** One recipient of the last notification; URLs are shown without their path (it often holds a token). */
export interface NotificationSent {
  via: 'email' | 'url';
  to: string;
  /** A URL is `queued` until its delivery finishes, then `sent` or `failed` (after the delivery's last attempt). */
  status: 'sent' | 'failed' | 'queued' | 'skipped';
  detail?: string;
  deliveryId?: string;
  /** URLs, once delivered or given up: the receiver's last HTTP status (none when it never answered) and the attempts made. */
  httpStatus?: number;
  attempts?: number;
}

/** The task's last notification, for its owner to see whether anyone was told. */
export interface NotificationStatus {
  at: number;
  events: NotificationEvent[];
  taskRunId: string;
  jobId: string | null;
  sent: NotificationSent[];
}
