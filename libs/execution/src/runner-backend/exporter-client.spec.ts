import { EXPORTER_READY, ExporterClient } from './exporter-client';

describe('ExporterClient', () => {
  const make = () => {
    const sent: Array<{ id: string; notebook: string; raw?: boolean }> = [];
    const stuck = jest.fn();
    const client = new ExporterClient(async (line) => void sent.push(JSON.parse(line)), stuck);
    return { client, sent, stuck };
  };

  it('refuses requests before READY, then matches each answer to its request by id', async () => {
    const { client, sent } = make();
    await expect(client.render('{}', 1000)).rejects.toThrow('not ready');
    client.line(EXPORTER_READY);
    const a = client.render('nb-a', 1000);
    const b = client.render('nb-b', 1000);
    await Promise.resolve();
    expect(sent.map((s) => s.notebook)).toEqual(['nb-a', 'nb-b']);
    client.line(JSON.stringify({ id: sent[1].id, html: '<b>', note: 'plain' }));
    client.line('not json');
    client.line(JSON.stringify({ id: sent[0].id, html: '<a>' }));
    await expect(a).resolves.toEqual({ html: Buffer.from('<a>') });
    await expect(b).resolves.toEqual({ html: Buffer.from('<b>'), note: 'plain' });
  });

  it('asks for raw HTML and reads it after its answer line, however the bytes are split', async () => {
    const { client, sent } = make();
    const feed = client.reader();
    feed(Buffer.from(`${EXPORTER_READY}\n`));
    const a = client.render('nb-a', 1000);
    const b = client.render('nb-b', 1000);
    await Promise.resolve();
    expect(sent.every((s) => s.raw === true)).toBe(true);
    const htmlA = Buffer.from('<p>é\n</p>'); // a newline inside the HTML is not a line end
    const wire = Buffer.concat([
      Buffer.from(JSON.stringify({ id: sent[0].id, htmlBytes: htmlA.length }) + '\n'),
      htmlA,
      Buffer.from(JSON.stringify({ id: sent[1].id, htmlBytes: 0, note: 'plain' }) + '\n'),
    ]);
    for (let i = 0; i < wire.length; i += 3) feed(wire.subarray(i, i + 3));
    await expect(a).resolves.toEqual({ html: htmlA });
    await expect(b).resolves.toEqual({ html: Buffer.alloc(0), note: 'plain' });
    // An exporter that ignores `raw` answers with the HTML in its line.
    const c = client.render('nb-c', 1000);
    await Promise.resolve();
    feed(Buffer.from(JSON.stringify({ id: sent[2].id, html: '<c>' }) + '\n'));
    await expect(c).resolves.toEqual({ html: Buffer.from('<c>') });
  });

  it('rejects an error answer, a timeout (and says it is stuck), and everything once closed', async () => {
    jest.useFakeTimers();
    try {
      const { client, sent, stuck } = make();
      client.line(EXPORTER_READY);
      const bad = client.render('x', 1000);
      await Promise.resolve();
      client.line(JSON.stringify({ id: sent[0].id, error: 'not a readable notebook' }));
      await expect(bad).rejects.toThrow('refused the notebook: not a readable notebook');
      const slow = client.render('y', 1000);
      jest.advanceTimersByTime(1001);
      await expect(slow).rejects.toThrow('did not answer within 1000 ms');
      expect(stuck).toHaveBeenCalledTimes(1);
      const waiting = client.render('z', 1000);
      client.close(new Error('the exporter died'));
      await expect(waiting).rejects.toThrow('died');
      await expect(client.render('w', 1000)).rejects.toThrow('died');
      expect(client.ready).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});
