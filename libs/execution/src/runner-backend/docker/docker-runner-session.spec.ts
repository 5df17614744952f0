import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import Modem from 'docker-modem';
import { DockerRunnerSession } from './docker-runner-session';

/** Docker's multiplexed attach stream without a TTY: an 8-byte header (stream type, length) per frame. */
const frame = (type: 1 | 2, text: string) => {
  const body = Buffer.from(text, 'utf8');
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};

describe('DockerRunnerSession (docker-modem demux → protocol)', () => {
  const setup = () => {
    const stream = new PassThrough();
    const written: string[] = [];
    stream.write = ((chunk: string, cb?: (e?: Error | null) => void) => {
      written.push(String(chunk));
      cb?.(null);
      return true;
    }) as typeof stream.write;
    const container = { id: 'c1', kill: jest.fn(async () => undefined), rename: jest.fn(async () => undefined) } as unknown as Docker.Container;
    const host = { remove: jest.fn(async () => undefined), guard: <T>(fn: () => Promise<T>) => fn(), nameFor: (r: string) => `nba-n-${r}` };
    const session = new DockerRunnerSession(container, stream as unknown as NodeJS.ReadWriteStream, new Modem(), host);
    return { stream, written, container, host, session };
  };

  it('reads READY, OUTPUT and DONE from stdout frames split anywhere, keeps stderr apart', async () => {
    const { stream, session } = setup();
    const output = { result: { status: 'succeeded' }, notebook: '{"cells":[]}', snapshot: '<html></html>' };
    const bytes = Buffer.concat([
      frame(1, 'NBRUNNER READY\n'),
      frame(2, 'kernel log\n'),
      frame(1, `NBRUNNER OUTPUT ${JSON.stringify(output)}\nNBRUN`),
      frame(1, 'NER DONE succeeded\n'),
    ]);
    for (let i = 0; i < bytes.length; i += 7) stream.push(bytes.subarray(i, i + 7));
    await session.ready;
    await session.ended;
    expect(session.output).toEqual(output);
    const out = await session.collect(60_000, new AbortController().signal);
    expect(out.exitCode).toBe(0);
    expect(out.logs).toBe('kernel log\n');
    expect(out.files.get('notebook.ipynb')?.toString()).toBe('{"cells":[]}');
  });

  it('lets listeners subscribe to other kinds and writes reply lines on stdin', async () => {
    const { stream, session, written } = setup();
    const seen: unknown[] = [];
    session.on('RELAY', (m) => seen.push(m.data));
    stream.push(frame(1, 'NBRUNNER RELAY {"id":"r1","method":"GET","path":"/sharing/rest/portals/self"}\n'));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([{ id: 'r1', method: 'GET', path: '/sharing/rest/portals/self' }]);
    await session.sendLine({ relay: { id: 'r1', status: 200 } });
    expect(written).toEqual(['{"relay":{"id":"r1","status":200}}\n']);
  });

  it('a stream that ends before READY rejects ready and ends the session; dispose removes the container once', async () => {
    const { stream, session, host } = setup();
    stream.end();
    stream.resume();
    await expect(session.ready).rejects.toThrow(/ended before it was ready/);
    await session.ended;
    expect(session.closed).toBe(true);
    await Promise.all([session.dispose(), session.dispose()]);
    expect(host.remove).toHaveBeenCalledTimes(1);
  });
});
