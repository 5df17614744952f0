import type { Rest } from '../api/rest';
import type { Task } from '../api/types';
import { taskStatus } from '../lib/site-data';
import { navigate } from '../router';
import { ConfirmButton } from './controls';

/**
 * A task's actions (Tasks page rows and the details page): Edit, Pause or Resume, Run now, Delete (confirmed).
 * `act` runs one and reports it; `afterDelete` follows a deletion.
 */
export function TaskActions({
  api,
  task: t,
  act,
  withDetails = false,
  afterDelete,
}: {
  api: Rest;
  task: Task;
  act: (done: string, fn: () => Promise<unknown>) => Promise<unknown>;
  withDetails?: boolean;
  afterDelete?: () => void;
}) {
  const at = `/tasks/${encodeURIComponent(t.userId)}/${t.id}`;
  return (
    <div className="row-actions" role="group" aria-label={`Actions for ${t.title}`}>
      {withDetails && (
        <button type="button" onClick={() => navigate(at)}>
          View details
        </button>
      )}
      <button type="button" onClick={() => navigate(`${at}/edit`)}>
        Edit
      </button>
      {taskStatus(t) === 'Active' ? (
        <button type="button" onClick={() => act(`Paused ${t.title}.`, () => api.tasks.pause(t.userId, t.id))}>
          Pause
        </button>
      ) : (
        <button type="button" onClick={() => act(`Resumed ${t.title}.`, () => api.tasks.resume(t.userId, t.id))}>
          Resume
        </button>
      )}
      <button type="button" onClick={() => act(`Started a run of ${t.title}.`, () => api.tasks.runNow(t.userId, t.id))}>
        Run now
      </button>
      <ConfirmButton
        label="Delete"
        title="Delete task"
        question={<p>Delete the task “{t.title}”, its runs and their snapshots? This cannot be undone.</p>}
        onConfirm={async () => {
          if ((await act(`Deleted ${t.title}.`, () => api.tasks.delete(t.userId, t.id))) !== undefined) afterDelete?.();
        }}
      />
    </div>
  );
}
