import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRETS_FILE } from './test-logs';

export interface NamedSecret {
  name: string;
  value: string;
}

/** A secret found in a log: the file and the secret's name, never its value. */
export interface Leak {
  file: string;
  secret: string;
}

/** The secrets recorded in a run's directory (`testSecret`), once each. */
export function recordedSecrets(dir: string): NamedSecret[] {
  let text = '';
  try {
    text = readFileSync(join(dir, SECRETS_FILE), 'utf8');
  } catch {
    return [];
  }
  const byValue = new Map<string, NamedSecret>();
  for (const line of text.split('\n').filter(Boolean)) {
    const s = JSON.parse(line) as NamedSecret;
    if (!byValue.has(s.value)) byValue.set(s.value, s);
  }
  return [...byValue.values()];
}

/** The log files of a run: every `*.log` in it. */
export function logFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
}

/**
 * Every (log file, secret) where the secret stands in the file as given, URL-encoded or in Base64 (how a value
 * would travel in a query string or a Basic header).
 */
export function findLeaks(dir: string, secrets: NamedSecret[]): Leak[] {
  const forms = secrets.map((s) => ({ name: s.name, forms: [...new Set([s.value, encodeURIComponent(s.value), Buffer.from(s.value).toString('base64')])] }));
  const leaks: Leak[] = [];
  for (const file of logFiles(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const s of forms) if (s.forms.some((f) => text.includes(f))) leaks.push({ file, secret: s.name });
  }
  return leaks;
}
