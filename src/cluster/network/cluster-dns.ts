/**
 * Cluster DNS, the part of CoreDNS's kubernetes plugin that pods rely on, served on the bridge
 * address (UDP and TCP, port 53):
 *
 *   svc.ns.svc.cluster.local             A: the ClusterIP; for a headless Service its ready endpoints
 *                                        CNAME: an ExternalName Service's externalName
 *   host.svc.ns.svc.cluster.local        A: the endpoint with that hostname (StatefulSet pods behind
 *                                        their headless Service) or that dashed IP
 *   _port._proto.svc.ns.svc.cluster.local  SRV (and the targets' A records as additionals)
 *   a-b-c-d.ns.pod.cluster.local         A: a.b.c.d
 *
 * Names the cluster does not have get NXDOMAIN (with the zone's SOA, for negative caching); names
 * outside the cluster domain get REFUSED: this server never forwards, nothing leaves the machine.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import { getArray, getString, isMap, type JsonMap } from '../builtin/util.js';
import type { KubeObject } from '../objects.js';
import { isIPv4 } from './cidr.js';
import type { NetworkLog } from './node-network.js';

export const DNS_TTL = 5;

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'REFUSED';
const RCODE_VALUE: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };

/** What the answers are made from (an ObjectStore gives all three). */
export interface DnsSource {
  service(namespace: string, name: string): KubeObject | undefined;
  endpoints(namespace: string, name: string): KubeObject | undefined;
  namespaceExists(namespace: string): boolean;
}

export interface DnsAnswer {
  rcode: Rcode;
  answers: Answer[];
  additionals: Answer[];
  authorities: Answer[];
}

interface Target {
  ip: string;
  hostname?: string;
  /** Endpoint ports by name (ports of the subset the address is in). */
  ports: { name: string; port: number; protocol: string }[];
}

function specOf(o: KubeObject): JsonMap {
  return isMap(o.spec) ? (o.spec as JsonMap) : {};
}

/** dns-packet decodes QTYPE 255 as 'ANY', which its types do not list. */
function isAny(q: Question): boolean {
  return (q.type as string) === 'ANY';
}

function dashed(ip: string): string {
  return ip.replace(/\./g, '-');
}

/** Ready addresses of a Service's Endpoints (with publishNotReadyAddresses the controller already lists every pod there). */
function readyTargets(eps: KubeObject | undefined): Target[] {
  const out: Target[] = [];
  const seen = new Set<string>();
  for (const subset of getArray(eps, 'subsets') ?? []) {
    const ports = (getArray(subset, 'ports') ?? []).map((p) => ({ name: getString(p, 'name'), port: isMap(p) && typeof p.port === 'number' ? p.port : 0, protocol: getString(p, 'protocol') || 'TCP' }));
    for (const a of getArray(subset, 'addresses') ?? []) {
      const ip = getString(a, 'ip');
      if (!isIPv4(ip)) continue;
      const hostname = getString(a, 'hostname') || undefined;
      const key = `${ip}|${hostname ?? ''}`;
      const existing = out.find((t) => `${t.ip}|${t.hostname ?? ''}` === key);
      if (existing) existing.ports.push(...ports);
      else if (!seen.has(key)) {
        seen.add(key);
        out.push({ ip, ...(hostname ? { hostname } : {}), ports: [...ports] });
      }
    }
  }
  return out;
}

export class DnsAnswerer {
  readonly domain: string;

  constructor(
    private readonly source: DnsSource,
    domain = 'cluster.local',
  ) {
    this.domain = domain.toLowerCase().replace(/\.$/, '');
  }

  answer(q: Question): DnsAnswer {
    const name = q.name.toLowerCase().replace(/\.$/, '');
    if (name !== this.domain && !name.endsWith(`.${this.domain}`)) return this.result('REFUSED');
    const rel = name === this.domain ? [] : name.slice(0, -(this.domain.length + 1)).split('.');
    const kind = rel[rel.length - 1];
    if (rel.length === 0) return this.result('NOERROR', q.type === 'SOA' ? [this.soa()] : []);
    if (kind === 'svc') return this.answerSvc(q, name, rel.slice(0, -1));
    if (kind === 'pod' && rel.length === 3) return this.answerPod(q, name, rel[0], rel[1]);
    if (kind === 'pod' && rel.length <= 2) return rel.length === 1 || this.source.namespaceExists(rel[0]) ? this.result('NOERROR') : this.result('NXDOMAIN');
    return this.result('NXDOMAIN');
  }

  private answerSvc(q: Question, name: string, rel: string[]): DnsAnswer {
    if (rel.length === 0) return this.result('NOERROR');
    const ns = rel[rel.length - 1];
    if (!this.source.namespaceExists(ns)) return this.result('NXDOMAIN');
    if (rel.length === 1) return this.result('NOERROR');
    const svcName = rel[rel.length - 2];
    const svc = this.source.service(ns, svcName);
    if (!svc) return this.result('NXDOMAIN');
    if (rel.length === 2) return this.answerService(q, name, svc);
    if (rel.length === 3 && !rel[0].startsWith('_')) return this.answerEndpoint(q, name, svc, rel[0]);
    if (rel.length === 4 && rel[0].startsWith('_') && rel[1].startsWith('_')) return this.answerSrv(q, name, svc, rel[0].slice(1), rel[1].slice(1));
    return this.result('NXDOMAIN');
  }

  private answerService(q: Question, name: string, svc: KubeObject): DnsAnswer {
    const spec = specOf(svc);
    const type = getString(spec, 'type');
    if (type === 'ExternalName') {
      const target = getString(spec, 'externalName').replace(/\.$/, '');
      return this.result('NOERROR', target ? [{ type: 'CNAME', name, ttl: DNS_TTL, data: target }] : []);
    }
    if (q.type === 'SRV') return this.answerSrv(q, name, svc, undefined, undefined);
    const clusterIP = getString(spec, 'clusterIP');
    if (clusterIP === 'None') {
      const targets = readyTargets(this.source.endpoints(svc.metadata.namespace!, svc.metadata.name!));
      // Like CoreDNS: a headless Service with no ready endpoint has no name yet.
      if (targets.length === 0) return this.result('NXDOMAIN');
      return this.result('NOERROR', this.addressRecords(q, name, [...new Set(targets.map((t) => t.ip))]));
    }
    if (!isIPv4(clusterIP)) return this.result('NXDOMAIN');
    return this.result('NOERROR', this.addressRecords(q, name, [clusterIP]));
  }

  private answerEndpoint(q: Question, name: string, svc: KubeObject, label: string): DnsAnswer {
    const targets = readyTargets(this.source.endpoints(svc.metadata.namespace!, svc.metadata.name!));
    const ips = targets.filter((t) => (t.hostname ?? dashed(t.ip)) === label || dashed(t.ip) === label).map((t) => t.ip);
    if (ips.length === 0) return this.result('NXDOMAIN');
    return this.result('NOERROR', this.addressRecords(q, name, [...new Set(ips)]));
  }

  /** SRV for one named port (`_http._tcp`), or for every named port when asked for the Service name itself. */
  private answerSrv(q: Question, name: string, svc: KubeObject, portName: string | undefined, proto: string | undefined): DnsAnswer {
    if (q.type !== 'SRV' && !isAny(q)) return this.result('NOERROR');
    const ns = svc.metadata.namespace!;
    const svcFqdn = `${svc.metadata.name}.${ns}.svc.${this.domain}`;
    const spec = specOf(svc);
    const wanted = (p: { name: string; protocol: string }): boolean =>
      p.name !== '' && (portName === undefined || p.name.toLowerCase() === portName) && (proto === undefined || p.protocol.toLowerCase() === proto);
    const records: { port: number; target: string; ip: string }[] = [];
    if (getString(spec, 'clusterIP') === 'None') {
      for (const t of readyTargets(this.source.endpoints(ns, svc.metadata.name!))) {
        for (const p of t.ports.filter(wanted)) records.push({ port: p.port, target: `${t.hostname ?? dashed(t.ip)}.${svcFqdn}`, ip: t.ip });
      }
    } else {
      const ip = getString(spec, 'clusterIP');
      for (const p of getArray(spec, 'ports') ?? []) {
        const port = { name: getString(p, 'name'), protocol: getString(p, 'protocol') || 'TCP' };
        if (wanted(port) && isMap(p) && typeof p.port === 'number') records.push({ port: p.port, target: svcFqdn, ip });
      }
    }
    if (records.length === 0) return this.result(portName === undefined ? 'NOERROR' : 'NXDOMAIN');
    const weight = Math.max(1, Math.floor(100 / records.length));
    const answers: Answer[] = records.map((r) => ({ type: 'SRV', name, ttl: DNS_TTL, data: { priority: 0, weight, port: r.port, target: r.target } }));
    const additionals: Answer[] = [];
    const seen = new Set<string>();
    for (const r of records) {
      if (seen.has(r.target) || !isIPv4(r.ip)) continue;
      seen.add(r.target);
      additionals.push({ type: 'A', name: r.target, ttl: DNS_TTL, data: r.ip });
    }
    return { ...this.result('NOERROR', answers), additionals };
  }

  private answerPod(q: Question, name: string, label: string, ns: string): DnsAnswer {
    const ip = label.replace(/-/g, '.');
    if (!isIPv4(ip) || !this.source.namespaceExists(ns)) return this.result('NXDOMAIN');
    return this.result('NOERROR', this.addressRecords(q, name, [ip]));
  }

  /** A records for A/ANY questions; an existing name asked for another type (AAAA) has no data, which is not NXDOMAIN. */
  private addressRecords(q: Question, name: string, ips: string[]): Answer[] {
    if (q.type !== 'A' && !isAny(q)) return [];
    return ips.map((ip) => ({ type: 'A', name, ttl: DNS_TTL, data: ip }));
  }

  private soa(): Answer {
    return {
      type: 'SOA',
      name: this.domain,
      ttl: DNS_TTL,
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: Math.floor(Date.now() / 1000), refresh: 7200, retry: 1800, expire: 86400, minimum: DNS_TTL },
    };
  }

  private result(rcode: Rcode, answers: Answer[] = []): DnsAnswer {
    const negative = rcode === 'NXDOMAIN' || (rcode === 'NOERROR' && answers.length === 0);
    return { rcode, answers, additionals: [], authorities: negative ? [this.soa()] : [] };
  }

  /** A whole response packet for a query packet. */
  respond(query: Packet & { flag_rd?: boolean }): Packet {
    const q = query.questions?.[0];
    const rd = query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
    if (!q) return { id: query.id ?? 0, type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | RCODE_VALUE.FORMERR, questions: [] };
    const a = q.class && q.class !== 'IN' ? { rcode: 'REFUSED' as Rcode, answers: [], additionals: [], authorities: [] } : this.answer(q);
    return {
      id: query.id ?? 0,
      type: 'response',
      flags: (a.rcode === 'REFUSED' ? 0 : dnsPacket.AUTHORITATIVE_ANSWER) | rd | RCODE_VALUE[a.rcode],
      questions: [q],
      answers: a.answers,
      authorities: a.authorities,
      additionals: a.additionals,
    };
  }
}

/** Answers read straight from the object store's current state (no cache to go stale). */
export function storeDnsSource(store: { get(resource: string, key: string): { obj: KubeObject } | undefined }): DnsSource {
  return {
    service: (ns, name) => store.get('services', `${ns}/${name}`)?.obj,
    endpoints: (ns, name) => store.get('endpoints', `${ns}/${name}`)?.obj,
    namespaceExists: (ns) => store.get('namespaces', ns) !== undefined,
  };
}

export interface ClusterDnsOptions {
  /** The address to serve on (the pod network's dnsIP). */
  ip: string;
  port?: number;
  domain?: string;
  log: NetworkLog;
}

const MAX_UDP_RESPONSE = 512;

/** The DNS server: UDP and TCP on ip:port. */
export class ClusterDns {
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();
  readonly answerer: DnsAnswerer;

  constructor(
    source: DnsSource,
    private readonly options: ClusterDnsOptions,
  ) {
    this.answerer = new DnsAnswerer(source, options.domain);
  }

  get port(): number {
    return (this.udp?.address().port ?? this.options.port) || 53;
  }

  async start(): Promise<void> {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (msg, rinfo) => this.onDatagram(udp, msg, rinfo));
    udp.on('error', (err) => this.options.log.warn({ err }, 'cluster DNS (UDP) failed'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: this.options.ip, port: this.options.port ?? 53 }, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    this.udp = udp;
    // TCP on the same port (clients retry truncated answers over TCP).
    const tcp = net.createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: this.options.ip, port: udp.address().port }, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    this.tcp = tcp;
    this.options.log.info({ address: `${this.options.ip}:${udp.address().port}`, domain: this.answerer.domain }, 'cluster DNS serving');
  }

  async close(): Promise<void> {
    this.udp?.close();
    this.udp = undefined;
    for (const c of this.connections) c.destroy();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private onDatagram(udp: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let query: ReturnType<typeof dnsPacket.decode>;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // Not DNS: nothing sensible to answer.
    }
    if (query.type !== 'query') return;
    const response = this.answerer.respond(query);
    let out = dnsPacket.encode(response);
    if (out.length > MAX_UDP_RESPONSE) {
      out = dnsPacket.encode({ ...response, flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], additionals: [], authorities: [] });
    }
    udp.send(out, rinfo.port, rinfo.address);
  }

  private onConnection(socket: net.Socket): void {
    this.connections.add(socket);
    socket.setTimeout(10_000, () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        try {
          socket.write(dnsPacket.streamEncode(this.answerer.respond(dnsPacket.decode(msg))));
        } catch {
          socket.destroy();
          return;
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
  }
}
