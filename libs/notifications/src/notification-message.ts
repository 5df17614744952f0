import type { NotificationEvent, RunError } from '@app/db';

/** Everything a notification says about one outcome. */
export interface OutcomeContext {
  event: NotificationEvent;
  /** The task, or for an executeNotebook run (`kind: 'Notebook'`) its notebook item. */
  task: { kind?: 'Task' | 'Notebook'; id: string; title: string; owner: string; state: string; disabledReason: string | null };
  taskRun: { id: string; status: string; result: string; attempt: number; trigger: string; scheduledTime: number };
  job: { id: string; url: string; startTime: number | null; endTime: number | null; error: RunError | null } | null;
  /** Where to look: the snapshot, or the Manager's page for the job (NOTIFICATION_LINK). */
  link: string | null;
}

/** Traceback lines shown in a notification. */
const TRACEBACK_LINES = 12;

const VERB: Record<NotificationEvent, string> = { failure: 'failed', success: 'succeeded', disabled: 'was disabled', recovery: 'recovered' };
const headline = (c: OutcomeContext) => `${c.task.kind ?? 'Task'} "${c.task.title}" ${VERB[c.event]}`;

const TRIGGER: Record<string, string> = { manual: 'run now', task: 'scheduled' };

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** The first lines of the traceback of the failed cell, without terminal colours. */
export function tracebackHead(e: RunError | null): string[] {
  if (!e?.traceback?.length) return [];
  return stripAnsi(e.traceback.join('\n')).split('\n').filter((l) => l.trim()).slice(0, TRACEBACK_LINES);
}

function detail(c: OutcomeContext): string {
  if (c.event === 'disabled') return c.task.disabledReason ?? 'Too many consecutive failed runs.';
  return c.taskRun.result;
}

/** Facts as label/value pairs, shared by the e-mail and the JSON. */
function facts(c: OutcomeContext): Array<[string, string]> {
  const out: Array<[string, string]> = [
    [c.task.kind ?? 'Task', `${c.task.title} (${c.task.id})`],
    ['Owner', c.task.owner],
    ['Outcome', `${c.taskRun.status}${c.taskRun.attempt > 1 ? `, attempt ${c.taskRun.attempt}` : ''} (${TRIGGER[c.taskRun.trigger] ?? c.taskRun.trigger})`],
  ];
  if (c.job) out.push(['Job', c.job.id]);
  if (c.job?.endTime) out.push(['Finished', new Date(c.job.endTime).toISOString()]);
  if (c.event === 'disabled' || c.task.state === 'disabled') out.push(['Task state', c.task.state]);
  return out;
}

export function emailOf(c: OutcomeContext): { subject: string; text: string } {
  const lines = [`${headline(c)}.`, '', detail(c), ''];
  for (const [k, v] of facts(c)) lines.push(`${k}: ${v}`);
  const tb = tracebackHead(c.job?.error ?? null);
  if (tb.length && c.event === 'failure') lines.push('', 'Traceback (first lines):', ...tb.map((l) => `    ${l}`));
  if (c.link) lines.push('', `Snapshot: ${c.link}`);
  if (c.job) lines.push(`Job: ${c.job.url}`);
  return { subject: `[Notebook Automation] ${headline(c)}`, text: lines.join('\n') + '\n' };
}

/**
 * The JSON of a URL notification: `text` (what Slack, Mattermost, Teams' and Google Chat's incoming webhooks show),
 * Slack `blocks` with the facts as fields, and the same facts as structured JSON for programs.
 */
export function jsonOf(c: OutcomeContext): Record<string, unknown> {
  const title = headline(c);
  const text = `${title}: ${detail(c)}${c.link ? ` <${c.link}|snapshot>` : ''}`;
  const tb = c.event === 'failure' ? tracebackHead(c.job?.error ?? null) : [];
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${detail(c)}` } },
      { type: 'section', fields: facts(c).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${v}` })) },
      ...(tb.length ? [{ type: 'section', text: { type: 'mrkdwn', text: '```' + tb.join('\n') + '```' } }] : []),
    ],
    event: c.event,
    task: c.task,
    taskRun: c.taskRun,
    job: c.job ? { ...c.job, tracebackHead: tb } : null,
    link: c.link,
  };
}
