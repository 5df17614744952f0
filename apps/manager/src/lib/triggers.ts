/**
 * Webhook trigger events as the server's catalogue lists them (`GET …/webhooks/triggerEvents`, built from the same
 * tables it validates URIs with), and URIs in words. `any`: events on every target of the kind (`/items/add`);
 * `specific`: events on one picked target (`/items/<itemID>/update`).
 */
export type Kind = 'items' | 'groups' | 'users' | 'roles';

export interface TriggerOption {
  op: string;
  label: string;
  /** Why no operation of the server raises it. */
  inactive?: string;
}

export interface TriggerGroup {
  kind: Kind;
  title: string;
  all: string;
  any: TriggerOption[];
  specific?: { label: string; target: string; all: string; ops: TriggerOption[] };
}

export const uriOf = (kind: Kind, target?: string, op?: string) => `/${kind}${target ? `/${target}` : ''}${op ? `/${op}` : ''}`;

const sameOp = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A URI in words, with a target's display name when known ("/items/<id>/update" → "Greeter: …updated"). */
export function describeTrigger(uri: string, catalogue: TriggerGroup[], names: Map<string, string> = new Map()): string {
  if (uri === '/') return 'All changes';
  const [, kind, second, third] = uri.split('/');
  const group = catalogue.find((g) => g.kind === kind);
  if (!group) return uri;
  if (second === undefined) return group.all;
  const any = group.any.find((a) => sameOp(a.op, second));
  if (third === undefined && any) return any.label;
  const who = names.get(second) ?? second;
  if (third === undefined) return `${who}: ${group.specific?.all ?? uri}`;
  return `${who}: ${group.specific?.ops.find((o) => sameOp(o.op, third))?.label ?? third}`;
}
