import { randomBytes } from 'node:crypto';

/** 32 lowercase hex characters, like the product's item, group, user and task ids. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}
