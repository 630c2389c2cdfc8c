/**
 * Pods in their own network namespaces on a bridge of their own, the way a CNI bridge plugin wires
 * them, built with iproute2:
 *
 *   host: bridge argosy-ID (10.X.0.1/17) ── vethNAME ══ eth0 (10.X.n.m/17, default via 10.X.0.1) :pod netns
 *
 * The cluster owns one free /16 of 10.0.0.0/8: pods get the lower half, Services the upper half, so
 * a pod reaches a ClusterIP through its default route (the proxy listens on the host, where the
 * ClusterIP is a local address of the bridge). Nothing is forwarded beyond the host: the host's
 * `ip_forward` is left as it is (off here), so a pod's traffic to any other address goes nowhere.
 *
 * Names derive from a short random id recorded in `pod-network.json` under the state dir, so
 * concurrent clusters never collide and a restarted cluster finds (and re-adopts or removes) what
 * an earlier run of the same data dir left behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PodIdentity, PodSandbox } from './pod-network.js';
import { cidrSize, cidrsOverlap, formatCidr, formatIPv4, freeSubnets, halves, nthAddress, parseCidr, rangesInUse, type Cidr } from './cidr.js';
import { IpBatch, ipQuery, runIpBatch, throwUnlessBenign } from './ip-batch.js';
import { readState, StateWriter, type NetworkState, type SandboxRecord } from './network-state.js';
import { resolvConf, type NetworkLog, type NodeNetwork } from './node-network.js';

export interface NamespacedPodNetworkOptions {
  stateDir: string;
  log: NetworkLog;
  /** Cluster DNS domain for pods' resolv.conf (default cluster.local). */
  domain?: string;
}

/** `ip netns exec NAME` bind-mounts files from here over /etc: pods started that way get cluster DNS too. */
const ETC_NETNS = '/etc/netns';
const RUN_NETNS = '/run/netns';
const VETH_SWEEP_MS = 500;
const EXISTS = /File exists/;
const GONE = /No such file|No such device|Cannot find device|does not exist|Cannot assign requested address/;

interface Layout {
  subnet: Cidr;
  pods: Cidr;
  services: Cidr;
  gateway: string;
}

function layoutOf(subnet: string): Layout {
  const c = parseCidr(subnet);
  const [pods, services] = halves(c);
  return { subnet: c, pods, services, gateway: formatIPv4(nthAddress(pods, 1)) };
}

interface HostSnapshot {
  netns: Set<string>;
  /** link name → its master (bridge) or ''. */
  links: Map<string, string>;
  /** `ip -o -4 addr` and routes, for picking a free subnet. */
  addrText: string;
  routeText: string;
}

async function snapshotHost(): Promise<HostSnapshot> {
  const [netnsText, linkText, addrText, routeText] = await Promise.all([
    ipQuery(['netns', 'list']),
    ipQuery(['-o', 'link', 'show']),
    ipQuery(['-o', '-4', 'addr', 'show']),
    ipQuery(['-4', 'route', 'show', 'table', 'all']),
  ]);
  const netns = new Set(netnsText.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean));
  const links = new Map<string, string>();
  for (const line of linkText.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)[@:]/.exec(line);
    if (m) links.set(m[1], / master (\S+)/.exec(line)?.[1] ?? '');
  }
  return { netns, links, addrText, routeText };
}

export class NamespacedPodNetwork implements NodeNetwork {
  readonly mode = 'namespaced' as const;
  readonly nodeIP: string;
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  readonly dnsIP: string;

  private readonly batch = new IpBatch();
  private readonly setupDir: string;
  /**
   * Script files for `netns exec ... ip -batch FILE`, reused rather than created and removed per
   * pod: on a busy ext4 every new inode costs a scan past recently deleted ones (ext4 recently_deleted).
   */
  private readonly freeScripts: string[] = [];
  private scriptCount = 0;
  /** `<stateDir>/etc-netns/<namespace>` (holding resolv.conf) per Kubernetes namespace, made once. */
  private readonly etcDirs = new Map<string, Promise<string>>();
  private readonly sandboxes: Map<string, SandboxRecord>;
  private readonly usedIPs = new Set<string>();
  private readonly usedVeths = new Set<string>();
  /** Per-uid chain, so setup and teardown of one pod never interleave. */
  private readonly ops = new Map<string, Promise<unknown>>();
  private readonly writer: StateWriter;
  private readonly layout: Layout;
  private sweepTimer: NodeJS.Timeout | undefined;
  private lastOffset: number;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly state: NetworkState,
    private readonly stateDir: string,
    private readonly log: NetworkLog,
    private readonly domain: string,
  ) {
    this.layout = layoutOf(state.subnet);
    this.nodeIP = this.layout.gateway;
    this.dnsIP = this.layout.gateway;
    this.podCIDR = formatCidr(this.layout.pods);
    this.serviceCIDR = formatCidr(this.layout.services);
    this.sandboxes = new Map(Object.entries(state.sandboxes));
    for (const r of this.sandboxes.values()) {
      this.usedIPs.add(r.ip);
      this.usedVeths.add(r.veth);
    }
    this.lastOffset = state.lastOffset;
    this.setupDir = path.join(stateDir, 'setup');
    fs.mkdirSync(this.setupDir, { recursive: true });
    this.writer = new StateWriter(stateDir, () => this.snapshot(), (err) => log.warn({ err }, 'could not record the pod network state'));
  }

  get bridge(): string {
    return this.state.bridge;
  }

  /** Creates (or re-adopts) the bridge and removes whatever an earlier run of this state dir left that is no longer recorded. */
  static async start(opts: NamespacedPodNetworkOptions): Promise<NamespacedPodNetwork> {
    const stateDir = path.resolve(opts.stateDir);
    fs.mkdirSync(stateDir, { recursive: true });
    const previous = readState(stateDir);
    const host = await snapshotHost();
    if (previous && host.links.has(previous.bridge)) {
      const net = new NamespacedPodNetwork(previous, stateDir, opts.log, opts.domain ?? 'cluster.local');
      try {
        await net.adopt(host);
      } catch (err) {
        net.batch.close();
        throw err;
      }
      return net;
    }
    if (previous) await removeLeftovers(previous.id, previous.bridge, host);
    return NamespacedPodNetwork.createFresh(stateDir, opts, host);
  }

  /** uids of the sandboxes that exist (after a restart: the re-adopted ones), so the kubelet can tear down those of pods that are gone. */
  sandboxUids(): string[] {
    return [...this.sandboxes.keys()];
  }

  setup(pod: PodIdentity): Promise<PodSandbox> {
    if (this.closing) return Promise.reject(new Error('the pod network is closed'));
    return this.serialized(pod.uid, () => this.doSetup(pod));
  }

  teardown(uid: string): Promise<void> {
    if (this.closing) return Promise.resolve();
    return this.serialized(uid, () => this.doTeardown(uid));
  }

  async addLocalAddress(ip: string): Promise<boolean> {
    if (this.closing) return false;
    await this.batch.runOrThrow([`addr add ${ip}/32 dev ${this.bridge}`], EXISTS);
    return true;
  }

  async removeLocalAddress(ip: string): Promise<void> {
    if (this.closing) return;
    await this.batch.runOrThrow([`addr del ${ip}/32 dev ${this.bridge}`], GONE);
  }

  close(): Promise<void> {
    return (this.closing ??= this.doClose());
  }

  // ------------------------------------------------------------------ sandboxes

  private serialized<T>(uid: string, op: () => Promise<T>): Promise<T> {
    const prev = this.ops.get(uid) ?? Promise.resolve();
    const next = prev.then(op, op);
    const tail = next.catch(() => undefined);
    this.ops.set(uid, tail);
    void tail.then(() => {
      if (this.ops.get(uid) === tail) this.ops.delete(uid);
    });
    return next;
  }

  private sandboxOf(r: SandboxRecord): PodSandbox {
    return { ip: r.ip, netnsPath: path.join(RUN_NETNS, r.netns), resolvConf: resolvConf(this.dnsIP, r.namespace, this.domain) };
  }

  private async doSetup(pod: PodIdentity): Promise<PodSandbox> {
    const existing = this.sandboxes.get(pod.uid);
    if (existing && fs.existsSync(path.join(RUN_NETNS, existing.netns))) return this.sandboxOf(existing);
    if (existing) this.forget(pod.uid);
    const record: SandboxRecord = { netns: this.netnsName(pod.uid), veth: this.vethName(pod.uid), ip: this.allocateIP(), namespace: pod.namespace, name: pod.name };
    // Recorded before anything is created: a crash half-way leaves something the next start finds.
    this.remember(pod.uid, record);
    try {
      await this.create(record);
    } catch (first) {
      // A leftover with the same names (e.g. a veth whose namespace vanished): clear and retry once.
      await this.destroy(record).catch(() => undefined);
      try {
        await this.create(record);
      } catch {
        this.forget(pod.uid);
        await this.destroy(record).catch(() => undefined);
        throw new Error(`network sandbox for pod ${pod.namespace}/${pod.name}: ${first instanceof Error ? first.message : String(first)}`);
      }
    }
    return this.sandboxOf(record);
  }

  private async create(r: SandboxRecord): Promise<void> {
    await this.batch.runOrThrow([`netns add ${r.netns}`, `link add ${r.veth} type veth peer name eth0 netns ${r.netns}`, `link set ${r.veth} master ${this.bridge} group ${linkGroups(this.state.id).live} up`], EXISTS);
    // The commands inside the namespace run as `netns exec NS ip -batch FILE` from the long-lived
    // batch: the ip process forks, not this (large) process, whose spawn() costs several ms.
    const script = this.freeScripts.pop() ?? path.join(this.setupDir, `script-${this.scriptCount++}.batch`);
    try {
      await fs.promises.writeFile(script, ['link set lo up', `addr add ${r.ip}/${this.layout.pods.prefix} dev eth0`, 'link set eth0 up', `route add default via ${this.layout.gateway}`, ''].join('\n'));
      throwUnlessBenign(await this.batch.run([`netns exec ${r.netns} ip -force -batch ${script}`]), EXISTS);
    } finally {
      this.freeScripts.push(script);
    }
    // A link to the namespace's shared directory: one inode per pod instead of a directory and a file.
    const link = path.join(ETC_NETNS, r.netns);
    const target = await this.etcDirOf(r.namespace);
    await fs.promises.symlink(target, link).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      await fs.promises.rm(link, { recursive: true, force: true });
      await fs.promises.symlink(target, link);
    });
  }

  /** The directory `ip netns exec` finds through /etc/netns/NAME: this namespace's resolv.conf. */
  private etcDirOf(namespace: string): Promise<string> {
    let dir = this.etcDirs.get(namespace);
    if (!dir) {
      const d = path.join(this.stateDir, 'etc-netns', namespace);
      dir = (async () => {
        await fs.promises.mkdir(ETC_NETNS, { recursive: true });
        await fs.promises.mkdir(d, { recursive: true });
        await fs.promises.writeFile(path.join(d, 'resolv.conf'), resolvConf(this.dnsIP, namespace, this.domain));
        return d;
      })();
      // A failure is not remembered: the next pod of the namespace tries again.
      void dir.catch(() => {
        this.etcDirs.delete(namespace);
      });
      this.etcDirs.set(namespace, dir);
    }
    return dir;
  }

  private async doTeardown(uid: string): Promise<void> {
    const r = this.sandboxes.get(uid);
    if (!r) return;
    await this.destroy(r);
    this.forget(uid);
  }

  /**
   * Deleting veths one by one makes the kernel settle after each (tens of ms of waiting each);
   * deleting a whole link group is one batch. So a torn-down pod's veth moves to this cluster's
   * "dying" group at once (it stops carrying traffic with its namespace gone) and a sweep shortly
   * after deletes the group in one go, together with any veth a lingering process kept alive.
   */
  private async destroy(r: SandboxRecord): Promise<void> {
    await this.batch.runOrThrow([`link set ${r.veth} group ${linkGroups(this.state.id).dying}`, `netns del ${r.netns}`], GONE);
    await fs.promises.rm(path.join(ETC_NETNS, r.netns), { recursive: true, force: true });
    this.sweepTimer ??= setTimeout(() => void this.sweepVeths(), VETH_SWEEP_MS).unref();
  }

  private async sweepVeths(): Promise<void> {
    this.sweepTimer = undefined;
    if (this.closing) return;
    try {
      await this.batch.runOrThrow([deleteGroup(linkGroups(this.state.id).dying)], GONE);
    } catch (err) {
      this.log.warn({ err }, 'could not remove the veths of torn-down pods');
    }
  }

  private remember(uid: string, r: SandboxRecord): void {
    this.sandboxes.set(uid, r);
    this.usedIPs.add(r.ip);
    this.usedVeths.add(r.veth);
    this.writer.save();
  }

  private forget(uid: string): void {
    const r = this.sandboxes.get(uid);
    if (!r) return;
    this.sandboxes.delete(uid);
    this.usedIPs.delete(r.ip);
    this.usedVeths.delete(r.veth);
    this.writer.save();
  }

  /** Round-robin over the pod range (as host-local IPAM does), so a released address is not reused at once. */
  private allocateIP(): string {
    const size = cidrSize(this.layout.pods);
    // Offsets 0 (network), 1 (bridge) and size-1 (broadcast) are never handed out.
    const first = 2;
    const span = size - 3;
    for (let i = 1; i <= span; i++) {
      const offset = first + ((this.lastOffset - first + i + span) % span);
      const ip = formatIPv4(nthAddress(this.layout.pods, offset));
      if (!this.usedIPs.has(ip)) {
        this.lastOffset = offset;
        return ip;
      }
    }
    throw new Error(`no free pod address left in ${this.podCIDR}`);
  }

  private netnsName(uid: string): string {
    const safe = /^[a-zA-Z0-9-]{1,64}$/.test(uid) ? uid.toLowerCase() : createHash('sha1').update(uid).digest('hex').slice(0, 32);
    return `argosy-${this.state.id}-${safe}`;
  }

  /** Host interface names are at most 15 characters: `a` + cluster id (6) + 8 hex of the uid's hash. */
  private vethName(uid: string): string {
    for (let salt = 0; ; salt++) {
      const name = `a${this.state.id}${createHash('sha1').update(salt ? `${uid}#${salt}` : uid).digest('hex').slice(0, 8)}`;
      if (!this.usedVeths.has(name)) return name;
    }
  }

  private snapshot(): NetworkState {
    return { ...this.state, lastOffset: this.lastOffset, sandboxes: Object.fromEntries(this.sandboxes) };
  }

  // ------------------------------------------------------------------ start and stop

  /** After a restart: keep recorded sandboxes whose namespace still exists, remove everything else of ours. */
  private async adopt(host: HostSnapshot): Promise<void> {
    const prefix = `argosy-${this.state.id}-`;
    const commands: string[] = [];
    for (const [uid, r] of [...this.sandboxes]) {
      if (host.netns.has(r.netns)) continue;
      this.forget(uid);
      if (host.links.has(r.veth)) commands.push(`link del ${r.veth}`);
    }
    const kept = new Set([...this.sandboxes.values()].map((r) => r.netns));
    for (const ns of host.netns) if (ns.startsWith(prefix) && !kept.has(ns)) commands.push(`netns del ${ns}`);
    for (const [link, master] of host.links) {
      if (master === this.bridge && !this.usedVeths.has(link) && !commands.includes(`link del ${link}`)) commands.push(`link del ${link}`);
    }
    // Service addresses are re-added by the proxy as it finds its Services again.
    for (const m of host.addrText.matchAll(/^\d+:\s+(\S+)\s+inet (\S+\/32)\b/gm)) if (m[1] === this.bridge) commands.push(`addr del ${m[2]} dev ${this.bridge}`);
    throwUnlessBenign(await this.batch.run(commands), GONE);
    removeEtcNetns(prefix, kept);
    this.writer.saveNow();
    this.log.info({ bridge: this.bridge, podCIDR: this.podCIDR, serviceCIDR: this.serviceCIDR, adopted: this.sandboxes.size }, 're-adopted the pod network of an earlier run');
  }

  private async doClose(): Promise<void> {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    await Promise.allSettled([...this.ops.values()]);
    const prefix = `argosy-${this.state.id}-`;
    try {
      const host = await snapshotHost();
      const groups = linkGroups(this.state.id);
      const commands = [deleteGroup(groups.live), deleteGroup(groups.dying), ...[...host.netns].filter((ns) => ns.startsWith(prefix)).map((ns) => `netns del ${ns}`)];
      if (host.links.has(this.bridge)) commands.push(`link del ${this.bridge}`);
      throwUnlessBenign(await this.batch.run(commands), GONE);
      await removeOwnVeths(this.state.id);
      removeEtcNetns(prefix, new Set());
      fs.rmSync(path.join(this.stateDir, 'etc-netns'), { recursive: true, force: true });
      await this.writer.flush();
      this.writer.remove();
    } finally {
      this.batch.close();
    }
  }

  /** A new bridge on a /16 that no route or address on the host touches. */
  private static async createFresh(stateDir: string, opts: NamespacedPodNetworkOptions, host: HostSnapshot): Promise<NamespacedPodNetwork> {
    const id = randomBytes(3).toString('hex');
    const bridge = `argosy-${id}`;
    const batch = new IpBatch();
    try {
      let snapshot = host;
      for (let attempt = 0; attempt < 5; attempt++) {
        const free = freeSubnets(rangesInUse(`${snapshot.routeText}\n${snapshot.addrText}`));
        if (free.length === 0) throw new Error('no free /16 left in 10.0.0.0/8 for the pod network');
        const subnet = formatCidr(free[0]);
        const layout = layoutOf(subnet);
        await batch.runOrThrow([`link add ${bridge} type bridge`, `addr add ${layout.gateway}/${layout.pods.prefix} dev ${bridge}`, `link set ${bridge} up`]);
        // Another cluster may have picked the same /16 at the same moment: if anyone else has an address in it, pick again.
        snapshot = await snapshotHost();
        const clash = [...snapshot.addrText.matchAll(/^\d+:\s+(\S+)\s+inet (\S+)/gm)].some(
          (m) => m[1] !== bridge && rangesInUse(m[2]).some((r) => cidrsOverlap(r, layout.subnet)),
        );
        if (!clash) {
          // Network namespaces may still be refused (no CAP_SYS_ADMIN, read-only /run): find out now, not at the first pod.
          const probe = await batch.run([`netns add argosy-${id}-probe`, `netns del argosy-${id}-probe`]);
          if (probe.length > 0) {
            await batch.run([`netns del argosy-${id}-probe`, `link del ${bridge}`]);
            throwUnlessBenign(probe);
          }
          const state: NetworkState = { id, bridge, subnet, lastOffset: 1, sandboxes: {} };
          const net = new NamespacedPodNetwork(state, stateDir, opts.log, opts.domain ?? 'cluster.local');
          net.writer.saveNow();
          opts.log.info({ bridge, podCIDR: net.podCIDR, serviceCIDR: net.serviceCIDR, nodeIP: net.nodeIP }, 'pod network ready');
          return net;
        }
        await batch.runOrThrow([`link del ${bridge}`], GONE);
      }
      throw new Error('could not find a /16 in 10.0.0.0/8 that no other interface uses');
    } finally {
      batch.close();
    }
  }
}

/**
 * Link groups (32-bit numbers on each interface) of one cluster's veths: live ones, and those of
 * torn-down pods awaiting deletion. Derived from the cluster id, so unique per cluster, and far
 * from group 0 (every interface's default group: deleting it would take the host's links).
 */
export function linkGroups(id: string): { live: number; dying: number } {
  const n = Number.parseInt(id, 16);
  if (!/^[0-9a-f]{6}$/.test(id) || !Number.isInteger(n)) throw new Error(`invalid pod network id ${JSON.stringify(id)}`);
  const live = 0x41000000 + n * 2;
  return { live, dying: live + 1 };
}

function deleteGroup(group: number): string {
  if (group < 0x41000000) throw new Error(`refusing to delete link group ${group}: not one of Argosy's`);
  return `link del group ${group}`;
}

/** What an earlier run (same state dir) left when its bridge is gone: namespaces, veths, /etc/netns entries. */
async function removeLeftovers(id: string, bridge: string, host: HostSnapshot): Promise<void> {
  const prefix = `argosy-${id}-`;
  const groups = linkGroups(id);
  const commands = [deleteGroup(groups.live), deleteGroup(groups.dying), ...[...host.netns].filter((ns) => ns.startsWith(prefix)).map((ns) => `netns del ${ns}`)];
  if (host.links.has(bridge)) commands.push(`link del ${bridge}`);
  throwUnlessBenign(await runIpBatch([], commands), GONE);
  await removeOwnVeths(id);
  removeEtcNetns(prefix, new Set());
}

/**
 * Deletes host veths named after cluster `id`. Those whose namespace was just removed vanish on
 * their own within moments (the kernel removes them in one batch); deleting them one by one
 * instead would wait for the network stack to settle after each. So: wait first, then delete the
 * few left (a process kept their namespace alive).
 */
async function removeOwnVeths(id: string): Promise<void> {
  const ours = (links: Map<string, string>): string[] => [...links.keys()].filter((l) => l.length === 15 && l.startsWith(`a${id}`));
  const deadline = Date.now() + 3_000;
  let left = ours((await snapshotHost()).links);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = ours((await snapshotHost()).links);
  }
  if (left.length > 0) throwUnlessBenign(await runIpBatch([], left.map((v) => `link del ${v}`)), GONE);
}

function removeEtcNetns(prefix: string, keep: Set<string>): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(ETC_NETNS);
  } catch {
    return;
  }
  for (const e of entries) if (e.startsWith(prefix) && !keep.has(e)) fs.rmSync(path.join(ETC_NETNS, e), { recursive: true, force: true });
}
