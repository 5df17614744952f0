import { plainSnapshot } from './plain-snapshot';

describe('plainSnapshot', () => {
  it('shows each cell source and its outputs as escaped text, tracebacks without colour codes', () => {
    const nb = {
      cells: [
        { cell_type: 'markdown', source: ['# <Title>'] },
        {
          cell_type: 'code',
          source: 'print("a&b")',
          outputs: [
            { output_type: 'stream', text: ['a&b\n'] },
            { output_type: 'execute_result', data: { 'text/plain': "'x'", 'text/html': '<b>x</b>' } },
            { output_type: 'error', traceback: ['\x1b[0;31mValueError\x1b[0m: bad'] },
          ],
        },
      ],
    };
    const html = plainSnapshot(JSON.stringify(nb));
    expect(html).toContain('<pre>[0] # &lt;Title&gt;</pre>');
    expect(html).toContain('<pre>[1] print(&quot;a&amp;b&quot;)</pre>');
    expect(html).toContain('<pre>a&amp;b\n</pre><pre>&#x27;x&#x27;</pre><pre>ValueError: bad</pre>');
    expect(html).not.toContain('<b>x</b>');
  });

  it('still gives a page for text that is not a notebook', () => {
    expect(plainSnapshot('not json')).toMatch(/^<!DOCTYPE html>.*<\/html>$/);
  });
});
