import { parseNotebook } from './nbformat';
import { upgradeFromV3 } from './nbformat-v3';

const v3 = {
  nbformat: 3,
  nbformat_minor: 0,
  metadata: { name: 'old' },
  worksheets: [
    {
      cells: [
        { cell_type: 'heading', level: 2, source: ['Title'], metadata: {} },
        { cell_type: 'markdown', source: ['Some *text*'], metadata: {} },
        {
          cell_type: 'code',
          language: 'python',
          input: ['x = 1\n', 'x'],
          prompt_number: 3,
          collapsed: false,
          metadata: { tags: ['parameters'] },
          outputs: [
            { output_type: 'stream', stream: 'stdout', text: ['hi\n'] },
            { output_type: 'pyout', prompt_number: 3, text: ['1'], html: ['<b>1</b>'], metadata: {} },
            { output_type: 'pyerr', ename: 'E', evalue: 'v', traceback: ['tb'] },
            { output_type: 'display_data', png: 'iVBOR', metadata: {} },
          ],
        },
      ],
    },
  ],
};

describe('upgradeFromV3', () => {
  it('turns an nbformat 3 notebook into a valid nbformat 4 one', () => {
    const v4 = upgradeFromV3(v3);
    expect(parseNotebook(JSON.stringify(v4)).problems).toEqual([]);
    expect(v4).toEqual({
      nbformat: 4,
      nbformat_minor: 4,
      metadata: { orig_nbformat: 3 },
      cells: [
        { cell_type: 'markdown', source: '## Title', metadata: {} },
        { cell_type: 'markdown', source: ['Some *text*'], metadata: {} },
        {
          cell_type: 'code',
          source: ['x = 1\n', 'x'],
          metadata: { tags: ['parameters'], collapsed: false },
          execution_count: 3,
          outputs: [
            { output_type: 'stream', name: 'stdout', text: ['hi\n'] },
            { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': ['1'], 'text/html': ['<b>1</b>'] }, metadata: {} },
            { output_type: 'error', ename: 'E', evalue: 'v', traceback: ['tb'] },
            { output_type: 'display_data', data: { 'image/png': 'iVBOR' }, metadata: {} },
          ],
        },
      ],
    });
  });

  it('leaves other documents alone', () => {
    const v4 = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };
    expect(upgradeFromV3(v4)).toBe(v4);
    expect(upgradeFromV3('text')).toBe('text');
  });
});
