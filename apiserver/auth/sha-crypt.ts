// SHA-512-crypt (`$6$[rounds=N$]salt$hash`, Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512", the scheme of
// glibc crypt(3) and passlib's sha512_crypt). HIL's database auth stored its users' passwords this way; a user
// imported from HIL (hil-admin import-hil) logs in with that hash once, and it is then replaced by one of ours
// (secrets.ts needsRehash: anything that is not our scrypt format is re-hashed at the next successful login).
// Written from the published specification; verification only, we never make such hashes.
import { createHash, timingSafeEqual } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
/** Byte triples of the final digest, in the order the specification encodes them (SHA-512). */
const ORDER: [number, number, number][] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

const sha512 = (...parts: Buffer[]) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `len` bytes of `block` repeated. */
function repeatTo(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += block.length) block.copy(out, i, 0, Math.min(block.length, len - i));
  return out;
}

function encode(d: Buffer): string {
  let out = '';
  const put = (w: number, n: number) => {
    for (let i = 0; i < n; i++, w >>= 6) out += ITOA64[w & 0x3f];
  };
  for (const [a, b, c] of ORDER) put((d[a] << 16) | (d[b] << 8) | d[c], 4);
  put(d[63], 2);
  return out;
}

export interface ShaCryptHash {
  rounds: number;
  salt: string;
  hash: string;
}

/** The parts of a `$6$` hash, or undefined when it is not one. */
export function parseSha512Crypt(stored: string): ShaCryptHash | undefined {
  const m = /^\$6\$(?:rounds=(\d{1,9})\$)?([^$]*)\$([./0-9A-Za-z]{86})$/.exec(stored);
  if (!m) return undefined;
  const rounds = m[1] === undefined ? DEFAULT_ROUNDS : Math.min(MAX_ROUNDS, Math.max(MIN_ROUNDS, Number(m[1])));
  return { rounds, salt: m[2].slice(0, 16), hash: m[3] };
}

/** Rounds between two yields to the event loop: passlib's default (656 000 rounds) takes seconds of CPU. */
const SLICE = 20_000;

/** The 86-character hash of a password with a salt and a number of rounds. */
export async function sha512CryptDigest(password: string, salt: string, rounds: number): Promise<string> {
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt, 'utf8');
  const B = sha512(P, S, P);
  const a = createHash('sha512').update(P).update(S).update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  const A = a.digest();
  const dp = createHash('sha512');
  for (let i = 0; i < P.length; i++) dp.update(P);
  const pBytes = repeatTo(dp.digest(), P.length);
  const ds = createHash('sha512');
  for (let i = 0; i < 16 + A[0]; i++) ds.update(S);
  const sBytes = repeatTo(ds.digest(), S.length);
  let C = A;
  for (let i = 0; i < rounds; i++) {
    if (i % SLICE === SLICE - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    const h = createHash('sha512');
    h.update(i & 1 ? pBytes : C);
    if (i % 3) h.update(sBytes);
    if (i % 7) h.update(pBytes);
    h.update(i & 1 ? C : pBytes);
    C = h.digest();
  }
  return encode(C);
}

/** Whether `password` is the one a `$6$` hash was made from (false for anything that is not such a hash). */
export async function verifySha512Crypt(password: string, stored: string): Promise<boolean> {
  const h = parseSha512Crypt(stored);
  if (!h) return false;
  const got = Buffer.from(await sha512CryptDigest(password, h.salt, h.rounds));
  const want = Buffer.from(h.hash);
  return got.length === want.length && timingSafeEqual(got, want);
}
