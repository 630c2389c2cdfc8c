/** Services, endpoints, endpoint slices, ingresses, ingress classes and network policies. */
import type { KubeObject } from '../../objects.js';
import { formatLabels, formatLabelSelector, type LabelSelectorObject } from '../../query/label-selector.js';
import { timestampSince } from '../duration.js';
import { endpointSliceDoc, endpointsDoc, networkPolicyDoc, serviceSpecDoc } from './docs.js';
import { ageColumn, column, int, list, nameColumn, obj, sortedUnique, str, strMap, type Obj, type Printer } from './types.js';

const name = (o: KubeObject): string => o.metadata?.name ?? '';

/** Distinct load-balancer ingress IPs (or hostnames), sorted; the server prints wide, so never clipped. */
function loadBalancerAddresses(status: unknown): string {
  const values: string[] = [];
  for (const ing of list(obj(status).ingress)) {
    if (str(ing.ip) !== '') values.push(str(ing.ip));
    else if (str(ing.hostname) !== '') values.push(str(ing.hostname));
  }
  return sortedUnique(values).join(',');
}

function serviceExternalIP(spec: Obj, status: Obj): string {
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs.map(str) : [];
  switch (str(spec.type)) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(status.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function servicePorts(ports: unknown): string {
  return list(ports)
    .map((p) => {
      const protocol = str(p.protocol) || 'TCP';
      const nodePort = int(p.nodePort);
      return nodePort > 0 ? `${int(p.port)}:${nodePort}/${protocol}` : `${int(p.port)}/${protocol}`;
    })
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Type', 'string', serviceSpecDoc.type),
    column('Cluster-IP', 'string', serviceSpecDoc.clusterIP),
    column('External-IP', 'string', serviceSpecDoc.externalIPs),
    column('Port(s)', 'string', serviceSpecDoc.ports),
    ageColumn(),
    column('Selector', 'string', serviceSpecDoc.selector, 1),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    const clusterIPs = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(str) : [];
    // clusterIPs is initialised from clusterIP on the way in; fall back for objects stored without it.
    const internalIP = clusterIPs.length > 0 ? clusterIPs[0] : str(spec.clusterIP) || '<none>';
    return {
      cells: [
        name(o),
        str(spec.type),
        internalIP,
        serviceExternalIP(spec, obj(o.status)),
        servicePorts(spec.ports) || '<none>',
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
        formatLabels(strMap(spec.selector)),
      ],
    };
  },
};

/** `net.JoinHostPort`. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function formatEndpoints(subsets: Obj[]): string {
  if (subsets.length === 0) return '<none>';
  const out: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = list(ss.addresses);
    const ports = list(ss.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (out.length === max) {
          more = true;
          break;
        }
        out.push(str(a.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (out.length === max) {
          more = true;
          break;
        }
        out.push(joinHostPort(str(a.ip), int(port.port)));
      }
    }
  }
  const joined = out.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), column('Endpoints', 'string', endpointsDoc.subsets), ageColumn()],
  row(o, ctx) {
    return { cells: [name(o), formatEndpoints(list(o.subsets)), timestampSince(o.metadata?.creationTimestamp, ctx.now)] };
  },
};

function listWithMore(items: string[], more: boolean, count: number, max: number): string {
  const joined = items.join(',');
  if (more) return `${joined} + ${count - max} more...`;
  return joined === '' ? '<unset>' : joined;
}

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('AddressType', 'string', endpointSliceDoc.addressType),
    column('Ports', 'string', endpointSliceDoc.ports),
    column('Endpoints', 'string', endpointSliceDoc.endpoints),
    ageColumn(),
  ],
  row(o, ctx) {
    const max = 3;
    const ports: string[] = [];
    let portCount = 0;
    let morePorts = false;
    for (const p of list(o.ports)) {
      if (ports.length < max) ports.push(typeof p.port === 'number' ? String(Math.trunc(p.port)) : typeof p.name === 'string' ? p.name : '*');
      else if (ports.length === max) morePorts = true;
      portCount++;
    }
    const addresses: string[] = [];
    let addressCount = 0;
    let moreAddresses = false;
    for (const ep of list(o.endpoints)) {
      for (const a of Array.isArray(ep.addresses) ? ep.addresses.map(str) : []) {
        if (addresses.length < max) addresses.push(a);
        else if (addresses.length === max) moreAddresses = true;
        addressCount++;
      }
    }
    return {
      cells: [
        name(o),
        str(o.addressType),
        listWithMore(ports, morePorts, portCount, max),
        listWithMore(addresses, moreAddresses, addressCount, max),
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
      ],
    };
  },
};

function ingressHosts(rules: Obj[]): string {
  const hosts: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules) {
    if (hosts.length === max) more = true;
    if (!more && str(rule.host) !== '') hosts.push(str(rule.host));
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - max} more...` : hosts.join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    return {
      cells: [
        name(o),
        typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>',
        ingressHosts(list(spec.rules)),
        loadBalancerAddresses(obj(o.status).loadBalancer),
        list(spec.tls).length > 0 ? '80, 443' : '80',
        timestampSince(o.metadata?.creationTimestamp, ctx.now),
      ],
    };
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  row(o, ctx) {
    const spec = obj(o.spec);
    let parameters = '<none>';
    if (spec.parameters !== undefined && spec.parameters !== null) {
      const p = obj(spec.parameters);
      parameters = str(p.kind);
      if (typeof p.apiGroup === 'string') parameters += `.${p.apiGroup}`;
      parameters += `/${str(p.name)}`;
    }
    return { cells: [name(o), str(spec.controller), parameters, timestampSince(o.metadata?.creationTimestamp, ctx.now)] };
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [nameColumn(), column('Pod-Selector', 'string', networkPolicyDoc.podSelector), ageColumn()],
  row(o, ctx) {
    // podSelector is a struct, not a pointer: absent means empty.
    const selector = obj(obj(o.spec).podSelector) as LabelSelectorObject;
    return { cells: [name(o), formatLabelSelector(selector), timestampSince(o.metadata?.creationTimestamp, ctx.now)] };
  },
};
