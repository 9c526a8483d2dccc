import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

export type DnsRecord =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'SRV'; target: string; port: number; priority?: number; weight?: number }
  | { type: 'MX'; exchange: string; priority?: number }
  | { type: 'NS'; host: string };

const TYPE_CODES = { A: 1, NS: 2, MX: 15, AAAA: 28, SRV: 33 } as const;
const RCODE = { ok: 0, servfail: 2, nxdomain: 3 } as const;

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP, random port) for tests: answers A,
 * AAAA, SRV, MX and NS queries from `records`; a name it does not know is NXDOMAIN, a name
 * in `failing` gets SERVFAIL. Point a node:dns Resolver at `address`.
 */
export class TestDnsServer {
  /** Lower-cased name → its records. */
  readonly records = new Map<string, DnsRecord[]>();
  readonly failing = new Set<string>();
  /** Queries answered, as `TYPE name`. */
  readonly queries: string[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (message, remote) => this.answer(message, remote));
  }

  static async start(): Promise<TestDnsServer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return new TestDnsServer(socket, socket.address().port);
  }

  /** For `Resolver.setServers`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, records: DnsRecord[]): void {
    this.records.set(name.toLowerCase(), records);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private answer(query: Buffer, remote: RemoteInfo): void {
    if (query.length < 12) return;
    const { name, end } = readName(query, 12);
    if (end + 4 > query.length) return;
    const qtype = query.readUInt16BE(end);
    const question = query.subarray(12, end + 4);
    const typeName = (Object.keys(TYPE_CODES) as (keyof typeof TYPE_CODES)[]).find((t) => TYPE_CODES[t] === qtype) ?? String(qtype);
    this.queries.push(`${typeName} ${name}`);

    const key = name.toLowerCase();
    const known = this.records.get(key);
    const rcode = this.failing.has(key) ? RCODE.servfail : known ? RCODE.ok : RCODE.nxdomain;
    const answers = rcode === RCODE.ok ? known!.filter((r) => TYPE_CODES[r.type] === qtype).map(encodeRecord) : [];

    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0); // id
    const rd = query.readUInt16BE(2) & 0x0100;
    header.writeUInt16BE(0x8000 | 0x0400 | rd | 0x0080 | rcode, 2); // QR, AA, RD as asked, RA, rcode
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const response = Buffer.concat([header, question, ...answers]);
    this.socket.send(response, remote.port, remote.address);
  }
}

function readName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  while (at < message.length && message[at] !== 0) {
    const length = message[at]!;
    labels.push(message.subarray(at + 1, at + 1 + length).toString('ascii'));
    at += 1 + length;
  }
  return { name: labels.join('.'), end: at + 1 };
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])), Buffer.from([0])]);
}

function encodeRecord(record: DnsRecord): Buffer {
  let data: Buffer;
  switch (record.type) {
    case 'A':
      if (!isIPv4(record.address)) throw new Error(`not an IPv4 address: ${record.address}`);
      data = Buffer.from(record.address.split('.').map(Number));
      break;
    case 'AAAA':
      if (!isIPv6(record.address)) throw new Error(`not an IPv6 address: ${record.address}`);
      data = ipv6Bytes(record.address);
      break;
    case 'SRV': {
      const fixed = Buffer.alloc(6);
      fixed.writeUInt16BE(record.priority ?? 10, 0);
      fixed.writeUInt16BE(record.weight ?? 10, 2);
      fixed.writeUInt16BE(record.port, 4);
      data = Buffer.concat([fixed, encodeName(record.target)]);
      break;
    }
    case 'MX': {
      const preference = Buffer.alloc(2);
      preference.writeUInt16BE(record.priority ?? 10, 0);
      data = Buffer.concat([preference, encodeName(record.exchange)]);
      break;
    }
    case 'NS':
      data = encodeName(record.host);
      break;
  }
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  fixed.writeUInt16BE(TYPE_CODES[record.type], 2);
  fixed.writeUInt16BE(1, 4); // class IN
  fixed.writeUInt32BE(30, 6); // TTL
  fixed.writeUInt16BE(data.length, 10);
  return Buffer.concat([fixed, data]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const zeros = Array(8 - headParts.length - tailParts.length).fill('0');
  const groups = address.includes('::') ? [...headParts, ...zeros, ...tailParts] : headParts;
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return bytes;
}
