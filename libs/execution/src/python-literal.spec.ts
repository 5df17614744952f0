import { parameterProblems } from './python-literal';

describe('parameterProblems', () => {
  it('accepts JSON values that map to Python literals', () => {
    expect(parameterProblems({ a: 1, b: 2.5, c: 'x', d: true, e: null, f: [1, { g: 'h' }] })).toEqual([]);
  });

  it('refuses names Python cannot bind', () => {
    expect(parameterProblems({ '1x': 1, class: 2, 'a-b': 3 })).toEqual([
      '1x: not a valid Python variable name',
      'class: not a valid Python variable name',
      'a-b: not a valid Python variable name',
    ]);
  });
});
