import { PROPERTY_SCHEMAS, propertyLimits, validateProperties } from './system-properties';

describe('system property limits', () => {
  it('answers the range of every property, the one validation uses', () => {
    const limits = propertyLimits();
    expect(Object.keys(limits)).toEqual(Object.keys(PROPERTY_SCHEMAS));
    expect(limits.maxExecuteNotebookContainersPerNode).toEqual({ min: 1, max: 1000 });
    for (const [name, { min, max }] of Object.entries(limits)) {
      expect(validateProperties({ [name]: min }).problems).toEqual([]);
      expect(validateProperties({ [name]: max }).problems).toEqual([]);
      expect(validateProperties({ [name]: max + 1 }).problems).toHaveLength(1);
      expect(validateProperties({ [name]: min - 1 }).problems).toHaveLength(1);
    }
  });
});
