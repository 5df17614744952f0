import { parseRunnerLine, RunnerMessage, RunnerProtocol } from './runner-protocol';

describe('runner protocol', () => {
  const collect = (p: RunnerProtocol, kind: string) => {
    const seen: RunnerMessage[] = [];
    p.on(kind, (m) => seen.push(m));
    return seen;
  };

  it('parses READY, DONE and OUTPUT lines', () => {
    expect(parseRunnerLine('NBRUNNER READY')).toEqual({ kind: 'READY', text: '', data: undefined });
    expect(parseRunnerLine('NBRUNNER DONE succeeded')).toEqual({ kind: 'DONE', text: 'succeeded', data: undefined });
    expect(parseRunnerLine('NBRUNNER OUTPUT {"result":{"status":"succeeded"},"notebook":null,"snapshot":null}')).toMatchObject({
      kind: 'OUTPUT',
      data: { result: { status: 'succeeded' }, notebook: null, snapshot: null },
    });
  });

  it('accepts any kind with a JSON payload (PROGRESS, RELAY, ...)', () => {
    expect(parseRunnerLine('NBRUNNER PROGRESS {"cell":1,"total":3,"phase":"start","lines":[]}')).toEqual({
      kind: 'PROGRESS',
      text: '{"cell":1,"total":3,"phase":"start","lines":[]}',
      data: { cell: 1, total: 3, phase: 'start', lines: [] },
    });
    expect(parseRunnerLine('NBRUNNER RELAY {"id":"a","method":"GET"}')?.data).toEqual({ id: 'a', method: 'GET' });
  });

  it('ignores lines that are not protocol lines, and gives undefined data for a broken JSON payload', () => {
    expect(parseRunnerLine('hello')).toBeNull();
    expect(parseRunnerLine('NBRUNNERREADY')).toBeNull();
    expect(parseRunnerLine('NBRUNNER ready')).toBeNull();
    expect(parseRunnerLine(' NBRUNNER READY')).toBeNull();
    expect(parseRunnerLine('NBRUNNER OUTPUT {"result":')).toEqual({ kind: 'OUTPUT', text: '{"result":', data: undefined });
  });

  it('tells each kind its listeners, in order, and unsubscribes', () => {
    const p = new RunnerProtocol();
    const ready = collect(p, 'READY');
    const progress = collect(p, 'PROGRESS');
    const seen: string[] = [];
    const off = p.on('PROGRESS', (m) => seen.push(String((m.data as { cell: number }).cell)));
    p.write(Buffer.from('NBRUNNER READY\nnoise\nNBRUNNER PROGRESS {"cell":0}\nNBRUNNER PROGRESS {"cell":1}\n'));
    off();
    p.write(Buffer.from('NBRUNNER PROGRESS {"cell":2}\n'));
    expect(ready).toHaveLength(1);
    expect(progress.map((m) => (m.data as { cell: number }).cell)).toEqual([0, 1, 2]);
    expect(seen).toEqual(['0', '1']);
  });

  it('reassembles lines split anywhere, including inside a multi-byte character', () => {
    const text = 'NBRUNNER OUTPUT {"notebook":"Ünïcødé ✓ 🎉"}\nNBRUNNER DONE succeeded\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new RunnerProtocol();
      const out = collect(p, 'OUTPUT');
      const done = collect(p, 'DONE');
      p.write(bytes.subarray(0, cut));
      p.write(bytes.subarray(cut));
      expect(out.map((m) => m.data)).toEqual([{ notebook: 'Ünïcødé ✓ 🎉' }]);
      expect(done.map((m) => m.text)).toEqual(['succeeded']);
    }
  });

  it('byte by byte, and a line with no newline yet is held back', () => {
    const p = new RunnerProtocol();
    const done = collect(p, 'DONE');
    for (const b of Buffer.from('NBRUNNER DONE failed\nNBRUNNER DONE x')) p.write(Buffer.from([b]));
    expect(done.map((m) => m.text)).toEqual(['failed']);
  });

  it('tolerates CRLF line ends', () => {
    expect(parseRunnerLine('NBRUNNER READY\r')?.kind).toBe('READY');
  });
});
