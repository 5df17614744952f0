import type { RunEntity } from '@app/db';

/** A run's output files as the job and task-run resources list them, each with its download URL. */
export function outputFilesView(runId: string, files: Array<{ name: string; size: number }>, baseUrl: string) {
  const base = `${baseUrl}/arcgis/admin/system/jobs/${runId}/files/`;
  return files.map((f) => ({ name: f.name, size: f.size, url: base + f.name.split('/').map(encodeURIComponent).join('/') }));
}

/** A run as the admin API's job resource. */
export function jobView(r: RunEntity, baseUrl: string) {
  const jobUrl = `${baseUrl}/arcgis/admin/system/jobs/${r.id}`;
  const kept = (r.result as { outputFiles?: Array<{ name: string; size: number }> } | null)?.outputFiles ?? [];
  const outputFiles = outputFilesView(r.id, kept, baseUrl);
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
      ? { snapshotUrl: `${jobUrl}/snapshot`, notebookUrl: `${jobUrl}/notebook`, itemId: r.itemId, outputFiles, error: r.error ?? undefined }
      : r.error
        ? { error: r.error }
        : {},
    messages: r.messages,
    customAttributes: { isCancelled: r.cancelled },
  };
}
