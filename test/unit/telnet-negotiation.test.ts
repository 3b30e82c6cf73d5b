// The telnet codec of the CLI engine (drivers/switch/cli/telnet-transport.ts): RFC 854/855 option negotiation as a
// switch sees it (what we accept, what we refuse, that nothing is acknowledged twice so no negotiation loops), the
// data separated from the commands however the bytes are split, NVT encoding of what we send, addresses; and one
// real exchange with the emulator's telnet server.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SwitchError } from '../../drivers/switch/errors.js';
import {
  CLIENT_POLICY,
  DO,
  DONT,
  ECHO,
  IAC,
  NAWS,
  openTelnet,
  parseTelnetAddress,
  SB,
  SE,
  SGA,
  TelnetCodec,
  TTYPE,
  WILL,
  WONT,
} from '../../drivers/switch/cli/telnet-transport.js';
import { DellN3000Emulator } from '../support/switches/dell-n3000-emulator.js';

const STATUS = 5;
const bytes = (...b: number[]) => Buffer.from(b);
const client = () => new TelnetCodec(CLIENT_POLICY);

describe('option negotiation', () => {
  test('the switch may echo and suppress go-ahead: WILL ECHO → DO ECHO, WILL SGA → DO SGA, DO SGA → WILL SGA', () => {
    const c = client();
    const { data, reply } = c.receive(bytes(IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, SGA));
    assert.equal(data.length, 0);
    assert.deepEqual([...reply], [IAC, DO, ECHO, IAC, DO, SGA, IAC, WILL, SGA]);
    assert.ok(c.enabled('remote', ECHO) && c.enabled('remote', SGA) && c.enabled('local', SGA));
  });

  test('everything else is refused: DO NAWS/TTYPE/ECHO → WONT, WILL STATUS → DONT; nothing is enabled', () => {
    const c = client();
    const { reply } = c.receive(bytes(IAC, DO, NAWS, IAC, DO, TTYPE, IAC, DO, ECHO, IAC, WILL, STATUS));
    assert.deepEqual([...reply], [IAC, WONT, NAWS, IAC, WONT, TTYPE, IAC, WONT, ECHO, IAC, DONT, STATUS]);
    for (const o of [NAWS, TTYPE, ECHO]) assert.equal(c.enabled('local', o), false);
    assert.equal(c.enabled('remote', STATUS), false);
  });

  test('an option already on is not acknowledged again: a peer repeating WILL ECHO gets one DO, not a loop', () => {
    const c = client();
    const repeated = Buffer.concat(Array.from({ length: 50 }, () => bytes(IAC, WILL, ECHO)));
    const { reply } = c.receive(repeated);
    assert.deepEqual([...reply], [IAC, DO, ECHO]);
  });

  test('WONT/DONT are honoured and acknowledged only when they change something', () => {
    const c = client();
    c.receive(bytes(IAC, WILL, ECHO, IAC, DO, SGA));
    const off = c.receive(bytes(IAC, WONT, ECHO, IAC, DONT, SGA));
    assert.deepEqual([...off.reply], [IAC, DONT, ECHO, IAC, WONT, SGA]);
    assert.equal(c.enabled('remote', ECHO), false);
    assert.equal(c.enabled('local', SGA), false);
    const again = c.receive(bytes(IAC, WONT, ECHO, IAC, DONT, SGA, IAC, DONT, NAWS));
    assert.equal(again.reply.length, 0, 'already off: no answer');
  });

  test('the answer to our own request is not answered back', () => {
    const c = client();
    assert.deepEqual([...c.ask(SGA)], [IAC, DO, SGA]);
    assert.equal(c.ask(SGA).length, 0, 'asked once');
    const { reply } = c.receive(bytes(IAC, WILL, SGA));
    assert.equal(reply.length, 0);
    assert.ok(c.enabled('remote', SGA));
    // A refusal of our request is accepted silently too.
    const d = client();
    d.ask(SGA);
    assert.equal(d.receive(bytes(IAC, WONT, SGA)).reply.length, 0);
    assert.equal(d.enabled('remote', SGA), false);
  });
});

describe('data and commands', () => {
  test('commands are taken out of the data however the bytes are split; IAC IAC is a 255 byte', () => {
    const c = client();
    const wire = Buffer.concat([
      Buffer.from('User'),
      bytes(IAC, WILL, ECHO),
      Buffer.from(':'),
      bytes(IAC, IAC),
      bytes(IAC, SB, TTYPE, 1, IAC, SE), // a subnegotiation we never agreed to: skipped
      Buffer.from(' \r\0x\r\n'),
      bytes(IAC, 241), // NOP
    ]);
    for (const size of [1, 2, 3, wire.length]) {
      const codec = size === wire.length ? c : client();
      const data: number[] = [];
      const reply: number[] = [];
      for (let i = 0; i < wire.length; i += size) {
        const r = codec.receive(wire.subarray(i, i + size));
        data.push(...r.data);
        reply.push(...r.reply);
      }
      assert.deepEqual(Buffer.from(data), Buffer.concat([Buffer.from('User:'), bytes(255), Buffer.from(' \rx\r\n')]));
      assert.deepEqual(reply, [IAC, DO, ECHO], `split every ${size} bytes`);
    }
  });

  test('what we send is NVT: LF → CR LF, a bare CR → CR NUL, CR LF kept, 255 doubled', () => {
    const c = client();
    assert.deepEqual(c.encode('show vlan\n'), Buffer.from('show vlan\r\n'));
    assert.deepEqual(c.encode('a\r\nb'), Buffer.from('a\r\nb'));
    assert.deepEqual(c.encode('a\rb'), bytes(97, 13, 0, 98));
    assert.deepEqual(c.encode(bytes(1, 255, 2)), bytes(1, 255, 255, 2));
  });
});

describe('addresses', () => {
  test('telnet://HOST[:PORT], port 23 by default, IPv6 in brackets; anything else is refused', () => {
    assert.deepEqual(parseTelnetAddress('telnet://sw1.example.org'), { host: 'sw1.example.org', port: 23 });
    assert.deepEqual(parseTelnetAddress('telnet://10.0.0.2:2323'), { host: '10.0.0.2', port: 2323 });
    assert.deepEqual(parseTelnetAddress('telnet://[fd00::2]:23'), { host: 'fd00::2', port: 23 });
    for (const bad of [
      'sw1',
      'ssh://sw1',
      'telnet://sw1;reboot',
      'telnet://sw1:0',
      'telnet://sw1:70000',
      'telnet://',
    ]) {
      assert.throws(
        () => parseTelnetAddress(bad),
        (e: unknown) => e instanceof SwitchError && e.code === 'invalid',
        bad,
      );
    }
  });
});

describe('against the emulated switch', () => {
  let emu: DellN3000Emulator | undefined;
  after(() => emu?.close());

  test("the switch's offers are taken, its requests for window size and terminal type refused, and the login prompt arrives", async () => {
    emu = await DellN3000Emulator.start('gi1/0/1');
    await emu.listenTelnet();
    const t = await openTelnet({ host: '127.0.0.1', port: emu.telnet.port, timeoutMs: 5000 });
    try {
      let text = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no login prompt: ${JSON.stringify(text)}`)), 5000);
        t.stream.on('data', (d: Buffer) => {
          text += d.toString('utf8');
          if (text.includes('User:')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.ok(t.codec.enabled('remote', ECHO), 'the switch echoes');
      assert.ok(t.codec.enabled('remote', SGA), 'no go-ahead from the switch');
      assert.equal(t.codec.enabled('local', NAWS), false);
      for (const step of [`recv WILL ${ECHO}`, `sent DO ${ECHO}`, `recv DO ${NAWS}`, `sent WONT ${NAWS}`])
        assert.ok(t.codec.negotiation.includes(step), step);
      assert.doesNotMatch(text, /\xff/, 'no telnet command reached the data');
      // The server saw our refusals the same way (they were sent before the login prompt could be answered).
      const server = emu.telnet.negotiations[0];
      for (let i = 0; i < 50 && !server.includes(`recv WONT ${TTYPE}`); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(server.includes(`recv WONT ${NAWS}`) && server.includes(`recv WONT ${TTYPE}`), server.join(', '));
    } finally {
      t.close();
    }
  });

  test('a port with nothing listening is unreachable', async () => {
    await assert.rejects(
      openTelnet({ host: '127.0.0.1', port: 1, timeoutMs: 2000 }),
      (e: unknown) => e instanceof SwitchError && e.code === 'unreachable',
    );
  });
});
