import { describe, expect, it } from 'vitest';
import {
  addressAllowed,
  isSpecialAddress,
  matchEntry,
  parseAllowEntry,
} from '../../src/sandbox/egress/allow-list.ts';

describe('setup egress allow-list (THREATS.md #25)', () => {
  it('parses host[:port], wildcards and IP literals; 443 when no port is given', () => {
    expect(parseAllowEntry('Mirror.Example.org')).toEqual({ host: 'mirror.example.org', port: 443 });
    expect(parseAllowEntry('*.example.org:8443')).toEqual({ host: '*.example.org', port: 8443 });
    expect(parseAllowEntry('127.0.0.1:4873')).toEqual({ host: '127.0.0.1', port: 4873 });
    expect(parseAllowEntry('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseAllowEntry('*')).toEqual({ host: '*', port: 443 });
    for (const bad of ['', 'http://x.org', 'a*b.org', 'x.org:0', 'x.org:70000', 'x.org/path', '*.*.org'])
      expect(() => parseAllowEntry(bad), bad).toThrow(/host\[:port\]|port must be/);
  });

  it('matches names, subdomains and ports exactly', () => {
    const entries = ['mirror.example.org', '*.example.net:8080', '127.0.0.1:4873'].map(parseAllowEntry);
    expect(matchEntry(entries, 'MIRROR.example.org.', 443)?.host).toBe('mirror.example.org');
    expect(matchEntry(entries, 'mirror.example.org', 80)).toBeUndefined();
    expect(matchEntry(entries, 'a.b.example.net', 8080)?.host).toBe('*.example.net');
    expect(matchEntry(entries, 'example.net', 8080)).toBeUndefined();
    expect(matchEntry(entries, 'evilexample.net', 8080)).toBeUndefined();
    expect(matchEntry(entries, '127.0.0.1', 4873)?.host).toBe('127.0.0.1');
    expect(matchEntry(entries, '127.0.0.1', 4874)).toBeUndefined();
  });

  it('treats loopback, private, link-local (metadata), CGNAT and mapped forms as special', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.100.100.200',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      'not-an-ip',
    ])
      expect(isSpecialAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8'])
      expect(isSpecialAddress(a), a).toBe(false);
  });

  it('reaches a special address only through an entry that names its host, never through a wildcard', () => {
    expect(addressAllowed(parseAllowEntry('*'), '169.254.169.254')).toBe(false);
    expect(addressAllowed(parseAllowEntry('*.internal:80'), '10.0.0.5')).toBe(false);
    expect(addressAllowed(parseAllowEntry('127.0.0.1:4873'), '127.0.0.1')).toBe(true);
    expect(addressAllowed(parseAllowEntry('mirror.internal:80'), '10.0.0.5')).toBe(true);
    expect(addressAllowed(parseAllowEntry('*'), '93.184.216.34')).toBe(true);
  });
});
