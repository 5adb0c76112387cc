import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { ipAddressBytes } from '../../../src/secrets/ip-address.js';

test('ipAddressBytes: IPv4 and RFC 4291 IPv6 text to 4 or 16 bytes', () => {
  const cases: [string, string | undefined][] = [
    ['192.0.2.1', 'c0000201'],
    ['0.0.0.0', '00000000'],
    ['255.255.255.255', 'ffffffff'],
    ['::', '0'.repeat(32)],
    ['::1', '0'.repeat(31) + '1'],
    ['1::', '0001' + '0'.repeat(28)],
    ['2001:db8::1', '20010db8' + '0'.repeat(23) + '1'],
    ['2001:DB8:0:0:0:0:0:1', '20010db8' + '0'.repeat(23) + '1'],
    ['::ffff:192.0.2.1', '0'.repeat(20) + 'ffffc0000201'],
    ['64:ff9b::192.0.2.1', '0064ff9b' + '0'.repeat(16) + 'c0000201'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['256.0.0.1', undefined],
    ['01.2.3.4', undefined],
    ['1.2.3', undefined],
    ['1:2:3', undefined],
    ['1::2::3', undefined],
    [':1::', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7::8', undefined],
    ['1:2:3:4:5:6::1.2.3.4', undefined],
    ['12345::', undefined],
    ['1.2.3.4::', undefined],
    ['::1.2.3.4:1', undefined],
    ['fe80::1%eth0', undefined],
    ['10.0.0.0/8', undefined],
    ['', undefined],
  ];
  for (const [text, hex] of cases) assert.equal(ipAddressBytes(text)?.toString('hex'), hex, text);
});

test('property: ipAddressBytes accepts exactly what node:net accepts, and agrees with URL', () => {
  const group = fc.stringMatching(/^[0-9a-fA-F]{1,5}$/);
  const v4 = fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((p) => p.join('.'));
  const token = fc.oneof(group, group, group, fc.constant(''), v4);
  const text = fc.oneof(
    v4,
    fc.array(token, { minLength: 1, maxLength: 10 }).map((t) => t.join(':')),
  );
  fc.assert(
    fc.property(text, (s) => {
      const bytes = ipAddressBytes(s);
      assert.equal(bytes !== undefined, isIP(s) !== 0, s);
      if (bytes?.length === 16) {
        // The WHATWG URL parser writes the canonical form of the same 16 bytes.
        const canonical = new URL(`http://[${s}]/`).hostname.slice(1, -1);
        assert.deepEqual(ipAddressBytes(canonical), bytes, s);
      }
    }),
    { numRuns: 3000 },
  );
});
