// Telnet to a switch's CLI (RFC 854): a TCP connection whose byte stream carries commands after IAC (255). The
// codec here separates them from the data and answers the option negotiation (RFC 855): the switch may echo for us
// (ECHO, RFC 857) and both sides may suppress go-ahead (SGA, RFC 858); every other option either side proposes is
// refused (DONT/WONT), and an option already in the state asked for is not acknowledged again, so no negotiation can
// loop. Subnegotiations are skipped (we never agree to an option that has one). Data we send is NVT: a newline is
// CR LF, a bare CR is CR NUL, a 255 byte is doubled.
//
// There is no login at this layer: the switch asks for the user name and password inside the stream, and the CLI
// session (cli-session.ts) answers them, as it does for the switches that ask again inside an SSH shell. Telnet sends
// the password in the clear: use it only on a management network, and SSH where the switch has it.
//
// Why our own: the npm clients are either a whole session engine with their own prompt and login handling
// (`telnet-client`, which we would have to bypass to keep one engine for SSH and telnet) or a parser that leaves the
// negotiation policy to the caller (`telnet-stream`); the protocol part we need is this file.
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { SwitchError } from '../errors.js';

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;
/** Options by number. */
export const ECHO = 1;
export const SGA = 3;
export const TTYPE = 24;
export const NAWS = 31;
export const LINEMODE = 34;

type OptionState = 'no' | 'yes' | 'want-yes';

export interface TelnetPolicy {
  /** Options we agree to perform (answering DO with WILL). */
  readonly local: readonly number[];
  /** Options we agree the peer performs (answering WILL with DO). */
  readonly remote: readonly number[];
}

/** The client's policy: the switch echoes and both sides go without go-ahead; nothing else. */
export const CLIENT_POLICY: TelnetPolicy = { local: [SGA], remote: [ECHO, SGA] };

/**
 * The protocol state of one telnet connection, without I/O: `receive` takes bytes off the wire and returns the data
 * in them plus the bytes to send back; `encode` turns data into NVT bytes. Used by the client here and by the test
 * emulator's server (with a server's policy).
 */
export class TelnetCodec {
  private readonly us = new Map<number, OptionState>();
  private readonly him = new Map<number, OptionState>();
  private state: 'data' | 'iac' | 'option' | 'sb' | 'sb-iac' = 'data';
  private verb = 0;
  private lastWasCr = false;
  /** Every negotiation received and sent, e.g. `recv WILL 1`, `sent DO 1` (for tests and the transcript). */
  readonly negotiation: string[] = [];

  constructor(private readonly policy: TelnetPolicy) {}

  /** Whether the option is on, on our side (`local`) or the peer's. */
  enabled(side: 'local' | 'remote', option: number): boolean {
    return (side === 'local' ? this.us : this.him).get(option) === 'yes';
  }

  /** Asks the peer to perform `option` (DO), unless it already does or was asked. */
  ask(option: number): Buffer {
    if ((this.him.get(option) ?? 'no') !== 'no') return Buffer.alloc(0);
    this.him.set(option, 'want-yes');
    return this.command(DO, option);
  }

  /** Offers to perform `option` ourselves (WILL), unless we already do or offered. */
  offer(option: number): Buffer {
    if ((this.us.get(option) ?? 'no') !== 'no') return Buffer.alloc(0);
    this.us.set(option, 'want-yes');
    return this.command(WILL, option);
  }

  private command(verb: number, option: number): Buffer {
    this.negotiation.push(`sent ${VERBS[verb]} ${option}`);
    return Buffer.from([IAC, verb, option]);
  }

  receive(chunk: Buffer): { data: Buffer; reply: Buffer } {
    const data: number[] = [];
    const reply: Buffer[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'data':
          if (b === IAC) this.state = 'iac';
          else if (b === 0 && this.lastWasCr)
            this.lastWasCr = false; // CR NUL is a bare CR
          else {
            data.push(b);
            this.lastWasCr = b === 13;
          }
          break;
        case 'iac':
          if (b === IAC) {
            data.push(IAC);
            this.state = 'data';
          } else if (b >= WILL && b <= DONT) {
            this.verb = b;
            this.state = 'option';
          } else if (b === SB) this.state = 'sb';
          else this.state = 'data'; // NOP, GA, DM, AYT…: nothing to do for a CLI session
          break;
        case 'option':
          reply.push(this.negotiate(this.verb, b));
          this.state = 'data';
          break;
        case 'sb':
          if (b === IAC) this.state = 'sb-iac';
          break;
        case 'sb-iac':
          this.state = b === SE ? 'data' : 'sb';
          break;
      }
    }
    return { data: Buffer.from(data), reply: Buffer.concat(reply) };
  }

  private negotiate(verb: number, option: number): Buffer {
    this.negotiation.push(`recv ${VERBS[verb]} ${option}`);
    const remote = verb === WILL || verb === WONT;
    const table = remote ? this.him : this.us;
    const current = table.get(option) ?? 'no';
    const wantsOn = verb === WILL || verb === DO;
    const agree = remote ? DO : WILL;
    const refuse = remote ? DONT : WONT;
    if (wantsOn) {
      if (current === 'yes') return Buffer.alloc(0); // already on: not acknowledged again (RFC 854)
      if (current === 'want-yes') {
        table.set(option, 'yes'); // the answer to our own request
        return Buffer.alloc(0);
      }
      if ((remote ? this.policy.remote : this.policy.local).includes(option)) {
        table.set(option, 'yes');
        return this.command(agree, option);
      }
      return this.command(refuse, option);
    }
    // WONT / DONT: always honoured; acknowledged only when it changes something we had on.
    table.set(option, 'no');
    return current === 'yes' ? this.command(refuse, option) : Buffer.alloc(0);
  }

  /** Data as NVT bytes: LF → CR LF, a bare CR → CR NUL, 255 → IAC IAC. */
  encode(text: string | Buffer): Buffer {
    const out: number[] = [];
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 10 && (i === 0 || bytes[i - 1] !== 13)) out.push(13, 10);
      else if (b === 13 && bytes[i + 1] !== 10) out.push(13, 0);
      else if (b === IAC) out.push(IAC, IAC);
      else out.push(b);
    }
    return Buffer.from(out);
  }
}

const VERBS: Record<number, string> = { [WILL]: 'WILL', [WONT]: 'WONT', [DO]: 'DO', [DONT]: 'DONT' };

/** `telnet://HOST[:PORT]` → host and port (default 23). IPv6 hosts in brackets. */
export function parseTelnetAddress(address: string): { host: string; port: number } {
  const m = /^telnet:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252})(?::(\d{1,5}))?\/?$/.exec(address);
  const port = m?.[2] === undefined ? 23 : Number(m[2]);
  if (!m || port < 1 || port > 65535) {
    throw new SwitchError('invalid', `address ${JSON.stringify(address.slice(0, 80))} is not telnet://HOST[:PORT]`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export interface TelnetTarget {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
}

export interface TelnetShell {
  /** The data stream (negotiation removed; what is written is sent as NVT). */
  readonly stream: Duplex;
  readonly codec: TelnetCodec;
  close(): void;
}

/** A telnet data stream over a socket: reads yield data only, writes are encoded. */
class TelnetStream extends Duplex {
  constructor(
    private readonly socket: Socket,
    private readonly codec: TelnetCodec,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => {
      const { data, reply } = codec.receive(chunk);
      if (reply.length && socket.writable) socket.write(reply);
      if (data.length) this.push(data);
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    // data is pushed as it arrives
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.socket.writable) return callback(new Error('the connection is closed'));
    this.socket.write(this.codec.encode(chunk), callback);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(err);
  }
}

/** Connects; resolves once the TCP connection is up (the login happens in the stream). */
export function openTelnet(target: TelnetTarget): Promise<TelnetShell> {
  return new Promise<TelnetShell>((resolve, reject) => {
    const where = `telnet ${target.host}:${target.port}`;
    const socket = connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SwitchError('timeout', `${where}: no connection within ${target.timeoutMs} ms`));
    }, target.timeoutMs);
    const failed = (err: Error) => {
      clearTimeout(timer);
      reject(new SwitchError('unreachable', `${where}: ${err.message}`));
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', failed);
      const codec = new TelnetCodec(CLIENT_POLICY);
      const stream = new TelnetStream(socket, codec);
      // Character at a time with no go-ahead, as every switch CLI expects; the switch's own offers are answered.
      socket.write(codec.ask(SGA));
      resolve({ stream, codec, close: () => stream.destroy() });
    });
  });
}
