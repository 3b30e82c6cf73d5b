// HIL's password hashes (sha512-crypt, passlib's sha512_crypt): the published test vectors of the specification,
// hashes made by `openssl passwd -6`, and what is not such a hash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSha512Crypt, verifySha512Crypt } from '../../apiserver/auth/sha-crypt.js';
import { needsRehash, verifyPassword } from '../../apiserver/auth/secrets.js';

const VECTORS: [password: string, hash: string][] = [
  // From "Unix crypt using SHA-256 and SHA-512" (rounds given; the salt cut at 16 characters).
  [
    'This is just a test',
    '$6$rounds=5000$toolongsaltstring$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
  ],
  [
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  ],
  // openssl passwd -6 -salt aLiCeSaLt alice-hil-pw (default rounds, no rounds= part).
  [
    'alice-hil-pw',
    '$6$aLiCeSaLt$zJJMA06IdyTWCMplzm93ZA31aU.BK8cM5uMre2pJHwtPYMFJikrYpvYXb8y3rTmJ5NiG0iZ2lH2NxCTQ41VCA0',
  ],
];

test('sha512-crypt: published vectors and openssl hashes verify; a wrong password does not', async () => {
  for (const [pw, hash] of VECTORS) {
    assert.equal(await verifySha512Crypt(pw, hash), true, hash);
    assert.equal(await verifySha512Crypt(`${pw}x`, hash), false, hash);
    assert.equal(await verifyPassword(pw, hash), true, 'verifyPassword accepts HIL hashes');
    assert.equal(needsRehash(hash), true, 'a HIL hash is replaced by ours at the next login');
  }
});

test('sha512-crypt: what is not a $6$ hash is refused, never verified', async () => {
  for (const bad of ['', '$5$salt$abc', '$6$salt$short', 'scrypt$1$2$3$4$5', '$6$rounds=x$salt$' + 'a'.repeat(86)]) {
    assert.equal(parseSha512Crypt(bad), undefined, bad);
    assert.equal(await verifySha512Crypt('x', bad), false);
  }
});
