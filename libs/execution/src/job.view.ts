import type { RunEntity } from '@app/db';

/** A run as the admin API's job resource. */
export function jobView(r: RunEntity, baseUrl: string) {
  const jobUrl = `${baseUrl}/arcgis/admin/system/jobs/${r.id}`;
  return {
    jobId: r.id,
    type: 'executeNotebook',
    trigger: r.trigger,
    status: r.status,
    username: r.username,
    inputs: {
      itemId: r.itemId,
      updatePortalItem: r.updatePortalItem,
      notebookParameters: r.parameters ?? {},
      saveInjectedParameters: r.saveInjectedParameters,
      executionTimeoutInMinutes: r.timeoutMinutes,
      runtime: r.runtime,
    },
    submittedTime: r.submittedAt.getTime(),
    startTime: (r.startedAt ?? r.submittedAt).getTime(),
    endTime: r.finishedAt?.getTime() ?? null,
    nodeName: r.nodeName,
    results: r.hasArtifacts
      ? { snapshotUrl: `${jobUrl}/snapshot`, notebookUrl: `${jobUrl}/notebook`, itemId: r.itemId, error: r.error ?? undefined }
      : r.error
        ? { error: r.error }
        : {},
    messages: r.messages,
    customAttributes: { isCancelled: r.cancelled },
  };
}
