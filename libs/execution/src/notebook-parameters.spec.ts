import { readNotebookParameters } from './notebook-parameters';

describe('readNotebookParameters', () => {
  it('takes a JSON object, as an object or a string (once or twice encoded)', () => {
    expect(readNotebookParameters({ city: 'Oslo' })).toEqual({ city: 'Oslo' });
    expect(readNotebookParameters('{"city":"Oslo"}')).toEqual({ city: 'Oslo' });
    expect(readNotebookParameters(JSON.stringify('{"city":"Oslo"}'))).toEqual({ city: 'Oslo' });
  });

  it('merges an array of one-key objects in order, later keys winning', () => {
    expect(readNotebookParameters('[{"x":1},{"y":"text"}]')).toEqual({ x: 1, y: 'text' });
    expect(readNotebookParameters([{ x: 1 }, { x: 2, z: true }])).toEqual({ x: 2, z: true });
    expect(readNotebookParameters('[]')).toEqual({});
  });

  it.each([['42'], ['"just text"'], ['[1,2]'], ['[{"x":1},3]'], ['null'], ['{oops'], [true]])('refuses %j', (v) => {
    expect(readNotebookParameters(v)).toBeNull();
  });
});
