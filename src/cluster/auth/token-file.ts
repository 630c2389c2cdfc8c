/**
 * Bearer-token authentication from a CSV token file in kube-apiserver's `--token-auth-file`
 * format: `token,user,uid,"group1,group2"`. The cluster writes one admin token (group
 * system:masters) on first start; operators may add lines for other users, which RBAC then governs.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { parse as parseCsvLine } from './csv.js';

export interface Identity {
  name: string;
  uid?: string;
  groups: string[];
}

export const ADMIN_USER = 'argosy-admin';

export class TokenFile {
  private constructor(private readonly tokens: Map<string, Identity>) {}

  /** Reads the token file, creating it with a fresh admin token if absent. Returns the admin token too. */
  static loadOrCreate(file: string): { tokens: TokenFile; adminToken: string } {
    if (!fs.existsSync(file)) {
      const token = randomBytes(32).toString('base64url');
      fs.writeFileSync(file, `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
    }
    const map = new Map<string, Identity>();
    let adminToken = '';
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      const fields = parseCsvLine(line);
      if (fields.length < 2 || !fields[0] || !fields[1]) {
        throw new Error(`${file}:${i + 1}: a token line needs at least "token,user" (got ${fields.length} field(s))`);
      }
      const [token, name, uid, groups] = fields;
      const identity: Identity = { name, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] };
      if (uid) identity.uid = uid;
      map.set(token, identity);
      if (!adminToken && identity.groups.includes('system:masters')) adminToken = token;
    });
    return { tokens: new TokenFile(map), adminToken };
  }

  authenticate(header: string | undefined): Identity | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return undefined;
    const presented = Buffer.from(m[1]);
    for (const [token, identity] of this.tokens) {
      const expected = Buffer.from(token);
      if (expected.length === presented.length && timingSafeEqual(expected, presented)) {
        return { ...identity, groups: [...identity.groups, 'system:authenticated'] };
      }
    }
    return undefined;
  }
}
