import { notebookToSave } from './notebook-output';

const nb = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: 'code' as const, source: 'x = 1', metadata: { tags: ['parameters'] } },
    { cell_type: 'code' as const, source: 'x = 2', metadata: { tags: ['injected-parameters'] } },
    { cell_type: 'code' as const, source: 'print(x)', metadata: {} },
  ],
};

describe('notebookToSave', () => {
  it('drops the injected cell unless asked to keep it', () => {
    expect(notebookToSave(nb, false).cells.map((c) => c.source)).toEqual(['x = 1', 'print(x)']);
    expect(notebookToSave(nb, true).cells).toHaveLength(3);
  });
});
