import { parseNotebook } from './nbformat';

const valid = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: 'code', source: 'print(1)', metadata: {}, outputs: [], execution_count: null },
    { cell_type: 'markdown', source: ['# hi'], metadata: {} },
  ],
};

describe('parseNotebook', () => {
  it('accepts an nbformat v4 notebook', () => {
    expect(parseNotebook(JSON.stringify(valid)).problems).toEqual([]);
  });

  it('says what is not JSON', () => {
    expect(parseNotebook('hello').problems[0]).toMatch(/^not JSON/);
  });

  it('names each structural problem', () => {
    const bad = { ...valid, nbformat: 3, cells: [{ cell_type: 'code', source: 1, metadata: {} }] };
    expect(parseNotebook(JSON.stringify(bad)).problems).toEqual([
      'nbformat must be 4 (got 3)',
      'cells[0].source must be a string or a list of strings',
      'cells[0].outputs must be an array',
      'cells[0].execution_count must be null or an integer',
    ]);
  });
});
