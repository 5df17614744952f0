import { Inject, Injectable } from '@nestjs/common';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { APP_CONFIG, AppConfig } from '@app/config';

/** Loopback, private, carrier-grade NAT, link-local (cloud metadata), multicast and reserved ranges. */
function privateRanges(): BlockList {
  const b = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    b.addSubnet(net, bits, 'ipv4');
  }
  for (const [net, bits] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['64:ff9b::', 96],
  ] as const) {
    b.addSubnet(net, bits, 'ipv6');
  }
  return b;
}

const PRIVATE = privateRanges();

/** `::ffff:10.0.0.1` is 10.0.0.1: check the IPv4 address it carries. */
function unmap(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return { address: m[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/**
 * Which addresses payload URLs may reach. Private targets are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS
 * names the host or a CIDR holding the address. The check runs on the URL when a webhook is saved and again
 * inside the connection's DNS lookup at every delivery, so a name that later resolves elsewhere (DNS
 * rebinding) is still refused.
 */
@Injectable()
export class TargetPolicy {
  private readonly allowHosts = new Set<string>();
  private readonly allowNets = new BlockList();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    for (const entry of config.webhooks.allowPrivateTargets) {
      const [net, bits] = entry.split('/');
      const fam = isIP(net);
      if (fam) {
        const family = fam === 6 ? 'ipv6' : 'ipv4';
        if (bits !== undefined) this.allowNets.addSubnet(net, Number(bits), family);
        else this.allowNets.addAddress(net, family);
      } else {
        this.allowHosts.add(entry.toLowerCase());
      }
    }
  }

  /** Null when `address` (reached through `host`) is fine, else why not. */
  problem(host: string, address: string): string | null {
    if (this.allowHosts.has(host.toLowerCase())) return null;
    const a = unmap(address);
    if (this.allowNets.check(a.address, a.family)) return null;
    if (PRIVATE.check(a.address, a.family)) {
      const what = a.address.startsWith('169.254.') ? 'a link-local or cloud metadata address' : 'a loopback, private or reserved address';
      return `${host === address ? address : `${host} resolves to ${address}, which`} is ${what}; webhooks may not target it.`;
    }
    return null;
  }

  /** Parses and checks a payload URL without sending anything: scheme, then every address it resolves to. */
  async check(raw: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TargetRefused(`'${raw}' is not a valid URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefused(`The payload URL must start with http:// or https:// (got ${url.protocol}).`);
    if (url.username || url.password) throw new TargetRefused('The payload URL must not carry credentials.');
    const host = hostOf(url);
    if (isIP(host)) {
      const p = this.problem(host, host);
      if (p) throw new TargetRefused(p);
      return url;
    }
    let addrs: LookupAddress[];
    try {
      addrs = await dnsLookupAsync(host, { all: true });
    } catch (e) {
      throw new TargetRefused(`The host ${host} of the payload URL could not be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
    for (const a of addrs) {
      const p = this.problem(host, a.address);
      if (p) throw new TargetRefused(p);
    }
    return url;
  }

  /** A `lookup` for http.request that refuses private answers at connection time. */
  readonly lookup = (
    hostname: string,
    options: { family?: number; all?: boolean },
    cb: (err: NodeJS.ErrnoException | null, address?: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addrs) => {
      if (err) return cb(err);
      for (const a of addrs) {
        const p = this.problem(hostname, a.address);
        if (p) return cb(Object.assign(new TargetRefused(p), { code: 'ETARGETREFUSED' }));
      }
      if (options.all) cb(null, addrs);
      else cb(null, addrs[0].address, addrs[0].family);
    });
  };
}

/** The hostname without IPv6 brackets. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');
