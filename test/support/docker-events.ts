import Docker from 'dockerode';

/**
 * Ids of the containers Docker creates for a node from now until `stop()`, read from Docker's event stream: counted
 * by the engine, so a container created and removed between two polls is counted too.
 */
export async function dockerCreates(docker: Docker, nodeName: string): Promise<{ stop(): Promise<string[]> }> {
  const stream = (await docker.getEvents({
    filters: { type: ['container'], event: ['create'], label: [`nbautomation.node=${nodeName}`] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  const ids: string[] = [];
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) ids.push(JSON.parse(line).id);
  });
  return {
    async stop(): Promise<string[]> {
      await new Promise((r) => setTimeout(r, 200)); // events already emitted are delivered
      stream.destroy();
      return ids;
    },
  };
}
