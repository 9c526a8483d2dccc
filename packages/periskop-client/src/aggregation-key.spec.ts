import { aggregationKey, fnv1a32 } from './aggregation-key.js';

describe('fnv1a32', () => {
  // Published FNV-1a 32-bit test vectors (Landon Curt Noll's reference test suite).
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['b', 0xe70c2de5],
    ['foo', 0xa9f37ed7],
    ['foobar', 0xbf9cf968],
  ])('hashes %j to its published value', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });

  it('hashes the UTF-8 bytes of non-ASCII text, as Go does with []byte(s)', () => {
    // "é" is the two bytes c3 a9; hashing them one by one must give the same result.
    const byByte = [0xc3, 0xa9].reduce((hash, byte) => Math.imul(hash ^ byte, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv1a32('é')).toBe(byByte);
    expect(fnv1a32('é')).toBe(0x1e9de8c1);
  });
});

describe('aggregationKey', () => {
  // Each expected key was computed outside this code, by periskop-go's algorithm (types.go,
  // aggregationKey): FNV-1a 32 over message + the first four stack lines joined with "",
  // formatted with Go's %x.
  const goStack = [
    'main.faultyJSONParser',
    '\t/app/main.go:12',
    'main.main',
    '\t/app/main.go:20',
    'runtime.main',
    '\t/usr/local/go/src/runtime/proc.go:250',
  ];
  const nodeStack = [
    'at handler (/srv/app.js:10:5)',
    'at Layer.handle (/srv/node_modules/express/lib/router/layer.js:95:5)',
    'at next (/srv/node_modules/express/lib/router/route.js:149:13)',
    'at Route.dispatch (/srv/node_modules/express/lib/router/route.js:119:3)',
    'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  ];

  it.each<[string, string, string, string[], string]>([
    ['a Go error with a six-line stack', '*errors.errorString', 'unexpected end of JSON input', goStack, '*errors.errorString@6af41f1a'],
    ['a Node TypeError with a five-line stack', 'TypeError', "Cannot read properties of undefined (reading 'id')", nodeStack, 'TypeError@cda02104'],
    ['fewer than four lines', 'Error', 'm', ['at a', 'at b', 'at c'], 'Error@79d9dae1'],
    ['no message and no stack (the FNV offset basis)', 'Error', '', [], 'Error@811c9dc5'],
    ['the message alone', 'Error', 'foo', [], 'Error@a9f37ed7'],
    ['the message glued to the stack', 'Error', 'foo', ['bar'], 'Error@bf9cf968'],
    ['non-ASCII text, a hash with a leading zero', 'Error', 'Zeitüberschreitung beim Verbinden', ['at connect (/srv/db.js:3:7)'], 'Error@7a6d763'],
    ['a hash below 0x10000000: 7 digits, as %x writes it', 'TimeoutError', 'timeout 300', [], 'TimeoutError@43eecf9'],
  ])('keys %s', (_case, errorClass, message, stack, expected) => {
    expect(aggregationKey(errorClass, message, stack)).toBe(expected);
  });

  it('hashes only the first four stack lines', () => {
    const head = ['at a', 'at b', 'at c', 'at d'];
    expect(aggregationKey('Error', 'm', [...head, 'at e'])).toBe(aggregationKey('Error', 'm', head));
    expect(aggregationKey('Error', 'm', head)).not.toBe(aggregationKey('Error', 'm', head.slice(0, 3)));
  });

  it('tells different messages apart', () => {
    expect(aggregationKey('Error', 'a', [])).not.toBe(aggregationKey('Error', 'b', []));
  });
});
