import { z } from 'zod';

/**
 * The site's run-time properties: their product names, defaults and allowed values.
 * Changing one through the admin API reaches every node within seconds.
 */
export const PROPERTY_SCHEMAS = {
  maxExecuteNotebookContainersPerNode: z.number().int().min(1).max(1000),
  maxExecuteNotebookTimeMinutes: z.number().int().min(1).max(10080),
  ExecuteNotebooksUserLimit: z.number().int().min(0).max(100000),
  ExecuteNotebooksOrgLimit: z.number().int().min(0).max(1000000),
  FailedRunsToDisableTask: z.number().int().min(1).max(1000),
  TaskRunHistoryCount: z.number().int().min(1).max(10000),
  MissedFireGraceSeconds: z.number().int().min(0).max(604800),
  warmPoolSizePerRuntime: z.number().int().min(0).max(100),
  /** Ours: what one run's cells may output in all (stream text, display data); beyond it the output is cut with a note. */
  maxRunOutputBytes: z.number().int().min(1024).max(1024 * 1024 * 1024),
} as const;

export type PropertyName = keyof typeof PROPERTY_SCHEMAS;
export type SystemProperties = { [K in PropertyName]: z.infer<(typeof PROPERTY_SCHEMAS)[K]> };

export const PROPERTY_DEFAULTS: Omit<SystemProperties, 'maxExecuteNotebookContainersPerNode' | 'maxExecuteNotebookTimeMinutes' | 'warmPoolSizePerRuntime'> = {
  ExecuteNotebooksUserLimit: 20,
  ExecuteNotebooksOrgLimit: 200,
  FailedRunsToDisableTask: 5,
  TaskRunHistoryCount: 30,
  MissedFireGraceSeconds: 3600,
  maxRunOutputBytes: 10 * 1024 * 1024,
};

/** Each property's allowed range, read off its schema (what `GET …/system/properties/limits` answers). */
export function propertyLimits(): Record<PropertyName, { min: number; max: number }> {
  return Object.fromEntries(
    Object.entries(PROPERTY_SCHEMAS).map(([name, schema]) => [name, { min: schema.minValue!, max: schema.maxValue! }]),
  ) as Record<PropertyName, { min: number; max: number }>;
}

/** Validates a partial update; each problem names the property. */
export function validateProperties(input: Record<string, unknown>): { value: Partial<SystemProperties>; problems: string[] } {
  const problems: string[] = [];
  const value: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    const schema = Object.hasOwn(PROPERTY_SCHEMAS, k) ? PROPERTY_SCHEMAS[k as PropertyName] : undefined;
    if (!schema) {
      problems.push(`${k}: unknown property (known: ${Object.keys(PROPERTY_SCHEMAS).join(', ')})`);
      continue;
    }
    const raw = typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    const parsed = schema.safeParse(raw);
    if (parsed.success) value[k] = parsed.data;
    else problems.push(`${k}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return { value: value as Partial<SystemProperties>, problems };
}
