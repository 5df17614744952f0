import { emailOf, jsonOf, OutcomeContext } from './notification-message';

const failed: OutcomeContext = {
  event: 'failure',
  task: { id: 't1', title: 'Nightly', owner: 'alice', state: 'active', disabledReason: null },
  taskRun: { id: 'r1', status: 'failed', result: 'Error in cell 1: ValueError: boom', attempt: 2, trigger: 'task', scheduledTime: 0 },
  job: {
    id: 'j1',
    url: 'http://h/arcgis/admin/system/jobs/j1',
    startTime: 1,
    endTime: Date.UTC(2026, 0, 1),
    error: { ename: 'ValueError', evalue: 'boom', cellIndex: 1, traceback: ['\x1b[31mValueError\x1b[0m Traceback', 'line 2', '----> 1 raise ValueError("boom")'] },
  },
  link: 'http://h/arcgis/admin/system/jobs/j1/snapshot',
};

describe('notification messages', () => {
  it('an e-mail names the task, the run, the error, the first traceback lines and the snapshot', () => {
    const m = emailOf(failed);
    expect(m.subject).toBe('[Notebook Automation] Task "Nightly" failed');
    expect(m.text).toContain('Error in cell 1: ValueError: boom');
    expect(m.text).toContain('Task: Nightly (t1)');
    expect(m.text).toContain('Outcome: failed, attempt 2 (scheduled)');
    expect(m.text).toContain('    ValueError Traceback');
    expect(m.text).toContain('----> 1 raise ValueError("boom")');
    expect(m.text).toContain('Snapshot: http://h/arcgis/admin/system/jobs/j1/snapshot');
    expect(m.text).not.toContain('\x1b');
  });

  it('the JSON has Slack text and blocks, and the structured facts', () => {
    const j = jsonOf(failed) as { text: string; blocks: Array<{ fields?: unknown[] }>; event: string; job: { tracebackHead: string[] } };
    expect(j.text).toBe('Task "Nightly" failed: Error in cell 1: ValueError: boom <http://h/arcgis/admin/system/jobs/j1/snapshot|snapshot>');
    expect(j.blocks[1].fields).toContainEqual({ type: 'mrkdwn', text: '*Job*\nj1' });
    expect(j.event).toBe('failure');
    expect(j.job.tracebackHead).toHaveLength(3);
  });

  it('a disabled notice says why', () => {
    const m = emailOf({ ...failed, event: 'disabled', task: { ...failed.task, state: 'disabled', disabledReason: 'Disabled after 5 consecutive failed runs.' } });
    expect(m.subject).toContain('was disabled');
    expect(m.text).toContain('Disabled after 5 consecutive failed runs.');
    expect(m.text).toContain('Task state: disabled');
  });
});
