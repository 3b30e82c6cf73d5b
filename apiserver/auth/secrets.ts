// Password hashing (scrypt, from node:crypto) and API tokens (random, stored only as a SHA-256 hash).
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { verifySha512Crypt } from './sha-crypt.js';

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(pw, salt, len, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's password storage recommendation for scrypt: N=2^17, r=8, p=1 (128 MiB per hash). */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = { N: 2 ** 17, r: 8, p: 1 };
const KEYLEN = 32;

/**
 * The parameters new hashes get. HIL_TEST_SCRYPT_N (a power of two) may only lower N, so that the test suite,
 * which hashes hundreds of passwords, stays fast; hashes record their parameters, and a server without the
 * variable upgrades weaker ones at the next successful login.
 */
export function currentScryptParams(): ScryptParams {
  const n = Number(process.env.HIL_TEST_SCRYPT_N);
  if (Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0 && n < DEFAULT_SCRYPT.N) return { ...DEFAULT_SCRYPT, N: n };
  return { ...DEFAULT_SCRYPT };
}

/** Memory scrypt needs is 128·N·r bytes; node's default cap (32 MiB) is below N=2^17. */
const maxmem = (q: ScryptParams) => 256 * q.N * q.r + 1024 * 1024;

/**
 * At most this many scrypt computations at once: each takes 128 MiB at the default parameters, and they run on
 * libuv's small thread pool. The login throttle (throttle.ts) bounds how many can wait.
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** `scrypt$N$r$p$salt$key` (base64 parts). */
export async function hashPassword(password: string, params: ScryptParams = currentScryptParams()): Promise<string> {
  const salt = randomBytes(16);
  const key = await limited(() =>
    scrypt(password, salt, KEYLEN, { N: params.N, r: params.r, p: params.p, maxmem: maxmem(params) }),
  );
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parseHash(stored: string): (ScryptParams & { salt: Buffer; key: Buffer }) | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0)) return undefined;
  return { N, r, p, salt: Buffer.from(parts[4], 'base64'), key: Buffer.from(parts[5], 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  // HIL's own hashes (users imported by hil-admin import-hil): accepted until the next login re-hashes them (needsRehash).
  if (stored.startsWith('$6$')) return limited(() => verifySha512Crypt(password, stored));
  const h = parseHash(stored);
  if (!h) return false;
  const got = await limited(() =>
    scrypt(password, h.salt, h.key.length, { N: h.N, r: h.r, p: h.p, maxmem: maxmem(h) }),
  );
  return got.length === h.key.length && timingSafeEqual(got, h.key);
}

/**
 * A stored hash made with weaker parameters than new hashes get, or in another format (HIL's sha512-crypt): re-hash
 * it once the password is known.
 */
export function needsRehash(stored: string): boolean {
  const h = parseHash(stored);
  const want = currentScryptParams();
  return !h || h.N < want.N || h.r < want.r || h.p < want.p;
}

const dummies = new Map<string, Promise<string>>();

/**
 * A hash of a random password with the current parameters, made once per process. Logins of unknown users are
 * checked against it, so that they take as long as a wrong password of a known user.
 */
export function dummyHash(): Promise<string> {
  const q = currentScryptParams();
  const key = `${q.N}/${q.r}/${q.p}`;
  let h = dummies.get(key);
  if (!h) {
    h = hashPassword(randomBytes(16).toString('base64'), q);
    dummies.set(key, h);
  }
  return h;
}

/** A new bearer token: `hil_` + 40 random base64url characters. */
export function newToken(): string {
  return `hil_${randomBytes(30).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const PASSWORD_MIN_LENGTH = 8;
