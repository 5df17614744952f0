import { EXPORTER_READY, ExporterClient } from './exporter-client';

describe('ExporterClient', () => {
  const make = () => {
    const sent: Array<{ id: string; notebook: string }> = [];
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
    await expect(a).resolves.toEqual({ html: '<a>' });
    await expect(b).resolves.toEqual({ html: '<b>', note: 'plain' });
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
